-- Returns that place their results themselves (FAST-RETURN in interp/src/jit_iface.rs):
-- a RETURN of exactly the results an inline call wants moves them to the function slot
-- and the caller pops the frame. Every case around it (other counts, a hook set during
-- the call, a moved stack, tail calls, yields, errors) must behave as interpreted. Run
-- interpreted and with every function compiled.

-- Exactly as many as wanted: none, one, two, three, and one for "all" (last argument).
local function none() return end
local function one(x) return x + 1 end
local function two(x) return x, -x end
local function three(x) return x, x + 1, x + 2 end
local sum = 0
for i = 1, 200 do
  none()
  local a = one(i)
  local b, c = two(i)
  local d, e, f = three(i)
  sum = sum + a + b + c + d + e + f + select("#", one(i))
end
assert(sum == 200 * 201 // 2 * 4 + 200 + 3 * 200 + 200, sum)

-- The same RETURN for callers wanting different counts: only the exact one is fast.
local function pair(x) return x, x * 10 end
for i = 1, 100 do
  local a = pair(i)
  local b, c = pair(i)
  local d, e, f = pair(i)
  assert(a == i and b == i and c == 10 * i and d == i and e == 10 * i and f == nil)
  assert(select("#", pair(i)) == 2)
end

-- Results from registers of every kind: integers, floats, strings, tables, nil, booleans.
local function kinds(k)
  if k == 1 then return 1.5 end
  if k == 2 then return "s" end
  if k == 3 then return {} end
  if k == 4 then return nil end
  if k == 5 then return false end
  return k
end
for round = 1, 30 do
  for k = 1, 6 do
    local v = kinds(k)
    local want = ({ 1.5, "s", "table", nil, false, 6 })[k]
    if k == 3 then assert(type(v) == "table") else assert(v == want, k) end
  end
end

-- The stack grows (and moves) during the callee: the caller's registers are read again.
local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
local function grow(n)
  local t = { n, n + 1 }
  local d = deep(n)
  return t[1] + t[2] + d
end
for _, n in ipairs({ 10, 5000, 20, 30000, 3 }) do
  local a, b = 7, 8
  local r = grow(n)
  assert(r == 3 * n + 1 and a == 7 and b == 8, n)
end

-- A tail call in a natively called function: its callee's results are the caller's.
local function inner(x, k)
  if k == 0 then return end
  if k == 1 then return x end
  return x, x + 1
end
local function outer(x, k) return inner(x * 2, k) end
for i = 1, 100 do
  for k = 0, 2 do
    local a, b = outer(i, k)
    if k == 0 then assert(a == nil and b == nil) end
    if k == 1 then assert(a == 2 * i and b == nil) end
    if k == 2 then assert(a == 2 * i and b == 2 * i + 1) end
    local c = outer(i, k)
    assert(c == (k > 0 and 2 * i or nil))
  end
end

-- A hook set inside the callee sees the callee's return.
local returns = 0
local function sets_hook(x)
  debug.sethook(function(ev) if ev == "return" then returns = returns + 1 end end, "r")
  return x * 3
end
for i = 1, 5 do
  local v = sets_hook(i)
  debug.sethook()
  assert(v == 3 * i)
end
assert(returns >= 5, returns)

-- Yields from a callee of a callee, inside a coroutine, then plain returns again.
local function leaf(x) return x + 1 end
local function mid(x)
  if x % 10 == 0 then coroutine.yield(x) end
  return leaf(x)
end
local co = coroutine.wrap(function()
  local s = 0
  for i = 1, 100 do s = s + mid(i) end
  return s
end)
local yielded, last = 0, nil
repeat
  last = co()
  if last and last <= 100 and last % 10 == 0 then yielded = yielded + 1 end
until last > 100
assert(yielded == 10 and last == 100 * 101 // 2 + 100, last)

-- An error in the callee after fast returns: pcall sees it, the caller goes on.
local function maybe(x) if x == 50 then error("fifty") end return x end
local ok_count = 0
for i = 1, 100 do
  local ok, v = pcall(maybe, i)
  if ok then ok_count = ok_count + 1 assert(v == i) else assert(v:find("fifty")) end
end
assert(ok_count == 99)

-- RET-DISCARD: calls that want fewer values than the callee returns (a statement
-- call, one of two, two of three) and calls that want them all, which must get every
-- value; the registers above the results keep working.
local function one(x) return x + 1 end
local function two(x) return x, x * 2 end
local function three(x) return x, x + 1, x + 2 end
local function none() end
local function counts(...) return select("#", ...) end
local function discard(n)
  local a, b, c, d = 0, 0, 0, 0
  for i = 1, n do
    one(i)
    two(i)
    three(i)
    local p = two(i)
    local q, r = three(i)
    local s, t, u, v = three(i)
    a = a + p + q + r
    b = b + s + t + u + (v == nil and 1 or 100)
    c = c + counts(two(i)) + counts(three(i)) + counts(one(i)) + counts(none())
    local tt = { three(i) }
    local w, x2 = none()
    d = d + #tt + (w == nil and x2 == nil and 1 or 100)
  end
  return a, b, c, d
end
for _ = 1, 3 do
  local a, b, c, d = discard(50)
  local ea, eb = 0, 0
  for i = 1, 50 do ea = ea + i + i + (i + 1); eb = eb + i + (i + 1) + (i + 2) + 1 end
  assert(a == ea and b == eb, a)
  assert(c == 50 * 6 and d == 50 * 4, c)
end

print("ok")
