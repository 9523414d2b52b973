-- Self tail calls made inline (SELF-TAIL-INLINE in jit/src/self_tail.rs) and calls that
-- want all results made inline (DIRECT-CALL with C = 0): every case must behave exactly
-- as interpreted. Run interpreted and with every function compiled.

-- Ackermann's shape: a tail call whose last argument is all results of a call.
local function ack(m, k)
  if m == 0 then
    return k + 1
  elseif k == 0 then
    return ack(m - 1, 1)
  end
  return ack(m - 1, ack(m, k - 1))
end
assert(ack(2, 3) == 9)
assert(ack(3, 3) == 61)
assert(ack(3, 5) == 253)

-- Fixed arguments: fewer than the parameters (nil), more (dropped).
local function checks(n, acc, a, b)
  if n == 0 then
    return acc
  end
  if n % 2 == 0 then
    -- Came from an odd step (or the first call): a nil, b 2.
    local good = n == 10 or (a == nil and b == 2)
    return checks(n - 1, acc + (good and 1 or 0), 1)
  end
  -- Came from an even step, which passed no b.
  local good = a == 1 and b == nil
  return checks(n - 1, acc + (good and 1 or 0), nil, 2, "extra", "more")
end
assert(checks(10, 0) == 10)
local function short(n, x)
  if n == 0 then
    return x
  end
  return short(n - 1)
end
assert(short(3, "set") == nil)
assert(short(0, "set") == "set")

-- Open arguments (B = 0): as many as a call returned, none, or more than the
-- parameters.
local function none() end
local function many() return 1, 2, 3, 4, 5 end
local function one(x) return x end
local function open(n, a, b)
  if n == 0 then
    return a, b
  end
  if n == 1 then
    return open(n - 1, none())
  end
  if n == 2 then
    return open(n - 1, many())
  end
  return open(n - 1, one(n))
end
local a, b = open(3, "x", "y")
assert(a == nil and b == nil, tostring(a) .. " " .. tostring(b))
local function from_zero() return 0, 2, 3, 4, 5 end
local function open2(n, a, b, c)
  if n == 0 then
    return a, b, c
  end
  return open2(from_zero())
end
local x1, x2, x3 = open2(1)
assert(x1 == 2 and x2 == 3 and x3 == 4)

-- A self tail call after the variable changed: the other function runs.
local function other(n) return "other", n end
local loop
loop = function(n)
  if n == 0 then
    return "done"
  end
  if n == 5 then
    local saved = loop
    loop = other
    local r1, r2 = saved(n - 1)
    loop = saved
    return r1, r2
  end
  return loop(n - 1)
end
local r1, r2 = loop(8)
assert(r1 == "other" and r2 == 3, tostring(r1) .. " " .. tostring(r2))
assert(loop(3) == "done")

-- Types change through the loop: the entry's checks see the new arguments.
local function mixed(n, acc)
  if n == 0 then
    return acc
  end
  if n > 3 then
    return mixed(n - 1, acc + 1)
  end
  if n == 3 then
    return mixed(n - 1, acc + 0.5)
  end
  if n == 2 then
    return mixed(n - 1, tostring(acc))
  end
  return mixed(n - 1, acc .. "!")
end
assert(mixed(6, 1) == "4.5!", mixed(6, 1))

-- Long loops run in constant space.
local function spin(n, acc)
  if n == 0 then
    return acc
  end
  return spin(n - 1, acc + n)
end
assert(spin(1000000, 0) == 500000500000)

-- Errors after self tail calls: the traceback marks the tail calls.
local function fail(n)
  if n == 0 then
    error("bottom")
  end
  return fail(n - 1)
end
local ok, tb = xpcall(fail, debug.traceback, 5)
assert(not ok and tb:find("bottom", 1, true), tb)
assert(tb:find("(...tail calls...)", 1, true), tb)

-- A hook sees every tail call.
local function hooked(n)
  if n == 0 then
    return 0
  end
  return hooked(n - 1)
end
hooked(3)
local tails = 0
debug.sethook(function(ev)
  if ev == "tail call" then
    tails = tails + 1
  end
end, "c")
hooked(10)
debug.sethook()
assert(tails == 10, tails)

-- All results of a call (C = 0), as the last argument or in a constructor, with
-- zero, one and several results, also from deep recursion.
local function results(k)
  if k == 0 then return end
  if k == 1 then return "a" end
  return "a", "b", "c"
end
local function pack(...) return select("#", ...), ... end
for round = 1, 50 do
  for k = 0, 2 do
    local n = pack(results(k))
    assert(n == ({ 0, 1, 3 })[k + 1], n)
    local t = { results(k) }
    assert(#t == n)
  end
end
local function plus1(x, y) return (y or 0) + 1 end
local function deep(n)
  if n == 0 then
    return 0
  end
  return plus1(n, deep(n - 1))
end
assert(deep(100) == 100)
assert(deep(150000) == 150000)

print("jit_self_tail ok")
