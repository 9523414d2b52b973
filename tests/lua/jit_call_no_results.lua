-- Calls whose results are discarded (a call statement: no result wanted) from compiled
-- code, and tail calls to other functions (NATIVE-CALLS in
-- interp/src/jit_iface/call.rs): the callee returns zero, one, many or a variable number
-- of values, closes upvalues or a to-be-closed variable on the way out, or tail-calls
-- on; the caller's registers and the stack top must be as interpreted. Run interpreted
-- and with every function compiled.

-- Statement calls of callees returning 0, 1, 3 and "all" values.
local hits = 0
local function none() hits = hits + 1 end
local function one(x) hits = hits + 1 return x end
local function three(x) hits = hits + 1 return x, x + 1, x + 2 end
local function all(...) hits = hits + 1 return ... end
local function run(n)
  local keep = n * 10
  for i = 1, n do
    none()
    one(i)
    three(i)
    all(i, i, i, i, i, i, i, i, i, i)
    all()
  end
  return keep
end
assert(run(100) == 1000)
assert(hits == 500, hits)

-- The caller's registers above the call are untouched by the discarded results.
local function stmt_regs(n)
  local a, b, c = 1, 2, 3
  for i = 1, n do
    three(i)
    all(9, 9, 9, 9, 9, 9, 9, 9)
    assert(a == 1 and b == 2 and c == 3)
    a, b, c = b - 1, c - 1, a + 2
  end
  return a + b + c
end
assert(stmt_regs(50) == 6)

-- A discarded call whose callee captured a local (the RETURN closes the upvalue).
local saved = {}
local function capture(x)
  local v = x * 3
  saved[#saved + 1] = function() return v end
  return v
end
local function fill(n)
  for i = 1, n do
    capture(i)
    local junk = i + 1000 -- reuses the callee's slots
    assert(junk == i + 1000)
  end
end
fill(50)
for i = 1, 50 do assert(saved[i]() == i * 3) end

-- A discarded call whose callee has a to-be-closed variable.
local closed = 0
local function with_tbc(x)
  local t <close> = setmetatable({}, { __close = function() closed = closed + 1 end })
  return x, x
end
local function tbc_loop(n)
  for i = 1, n do with_tbc(i) end
end
tbc_loop(40)
assert(closed == 40, closed)

-- An error from a discarded call is caught as usual, with the frames in place.
local function boom(i) if i == 7 then error("seven") end return i end
local function guarded(n)
  local ok, err
  for i = 1, n do
    ok, err = pcall(function() boom(i) end)
    if not ok then break end
  end
  return ok, err
end
local ok, err = guarded(20)
assert(not ok and err:find("seven"), err)

-- Tail calls to other functions from compiled code, chains of them, and a long
-- mutual tail recursion (it must not grow the stack).
local function add(x, k) return x + k end
local function via(x) return add(x, 1) end
local function via2(x) return via(x + 1) end
local function sum_via(n)
  local s = 0
  for i = 1, n do s = s + via(i) + via2(i) end
  via(1) -- a tail-calling callee whose result is discarded
  return s
end
assert(sum_via(100) == 2 * (100 * 101 // 2) + 100 * 3)
local is_even, is_odd
function is_even(n) if n == 0 then return true end return is_odd(n - 1) end
function is_odd(n) if n == 0 then return false end return is_even(n - 1) end
for _ = 1, 3 do
  assert(is_even(100001) == false)
  assert(is_odd(100001) == true)
end

-- A tail-called function's results, many or none, reach the caller of the tail caller.
local function many(x) return x, x * 2, x * 3 end
local function tail_many(x) return many(x) end
local function tail_none() return none() end
local function collect(n)
  local t = {}
  for i = 1, n do
    local a, b, c = tail_many(i)
    t[#t + 1] = a + b + c
    assert(select("#", tail_none()) == 0)
    tail_many(i)
  end
  return t
end
local t = collect(30)
for i = 1, 30 do assert(t[i] == 6 * i) end

-- Self tail calls (SELF-TAIL): fixed arguments, fewer arguments than parameters, and
-- the open results of a call as the arguments (B = 0), deep enough to need constant
-- space; a traceback inside one still shows the tail call.
local function ack(m, k)
  if m == 0 then return k + 1 end
  if k == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, k - 1))
end
for _ = 1, 3 do assert(ack(2, 3) == 9 and ack(3, 3) == 61) end
local function count(n, acc, extra)
  assert(extra == nil)
  if n == 0 then return acc end
  return count(n - 1, acc + 1)
end
assert(count(200000, 0) == 200000)
local function spread(n, ...)
  if n == 0 then return select("#", ...) end
  return spread(n - 1, ...)
end
assert(spread(1000, 1, 2, 3) == 3)
local function pairs_of(n, a, b)
  if n == 0 then return a, b end
  return pairs_of(n - 1, (function() return b, a end)())
end
local pa, pb = pairs_of(1001, "x", "y")
assert(pa == "y" and pb == "x", tostring(pa))
local function tb(n)
  if n == 0 then return debug.traceback("here") end
  return tb(n - 1)
end
assert(tb(3):find("tail call", 1, true), tb(3))
