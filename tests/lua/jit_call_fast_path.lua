-- Calls from compiled code to compiled Lua functions (CALL-FAST-PATH in
-- interp/src/jit_iface/call.rs): fixed arguments and one result take the inline push and
-- return; everything around them must behave as interpreted. Callees that error, yield,
-- grow the stack, close upvalues on return, are redefined, flush the code, set a hook,
-- or want other result counts. Run interpreted and with every function compiled.

-- One result, fewer and more arguments than parameters (missing ones are nil).
local function pick(a, b, c)
  if c == nil then return (b or 0) + a end
  return a + b + c
end
local s = 0
for i = 1, 300 do
  s = s + pick(i) + pick(i, 1) + pick(i, 1, 2) + pick(i, 1, 2, 99)
end
assert(s == 4 * (300 * 301 // 2) + 300 * (0 + 1 + 3 + 3), s)

-- A RETURN with k set (the callee's local is captured): its upvalue must be closed
-- when the frame goes, so the closure keeps the value after the slot is reused.
local function make(x)
  local v = x * 2
  local get = function() return v end
  return get
end
local function use(n)
  local g = make(n)
  local junk = make(n + 1000)
  return g() + junk() - (n + 1000) * 2
end
for i = 1, 200 do assert(use(i) == i * 2) end

-- A callee returning one value from a frame that captured a local, called with C = 2.
local function holder(x)
  local box = x
  local set = function(v) box = v end
  set(box + 1)
  return box
end
for i = 1, 200 do assert(holder(i) == i + 1) end

-- A to-be-closed variable in the callee: the return runs its __close.
local closed = 0
local function withclose(i)
  local t <close> = setmetatable({}, { __close = function() closed = closed + 1 end })
  return i
end
for i = 1, 100 do assert(withclose(i) == i) end
assert(closed == 100)

-- Zero, two and all results from the same callee shape.
local function two(a) return a, a + 1 end
local function none(a) local _ = a end
for i = 1, 100 do
  local x, y = two(i)
  assert(x == i and y == i + 1)
  assert(select('#', none(i)) == 0)
  assert(select('#', two(i)) == 2)
  local t = { two(i) }
  assert(#t == 2)
end

-- Errors in the callee: the traceback and the message are the interpreter's.
local function leaf(t) return t.x + 1 end
local function mid(t) return leaf(t) * 2 end
for i = 1, 100 do assert(mid({ x = i }) == (i + 1) * 2) end
local ok, e = pcall(mid, nil)
assert(not ok and e:find("attempt to index a nil value"), e)
local ok2, tb = xpcall(mid, debug.traceback, {})
assert(not ok2 and tb:find("arithmetic") and tb:find("leaf") and tb:find(":64"), tb)

-- A callee that yields across compiled frames.
local function inner(i) return coroutine.yield(i) + 1 end
local function outer(i) return inner(i) * 10 end
local co = coroutine.wrap(function()
  local acc = 0
  for i = 1, 50 do acc = acc + outer(i) end
  return acc
end)
local v = co()
local n = 0
while true do
  n = n + 1
  local r = co(v)
  if n == 50 then v = r break end
  v = r
end
assert(v == 10 * (50 * 51 // 2) + 10 * 50, v)

-- A callee whose frame makes the value stack grow (the caller's base moves).
local function deep(k, a, b, c, d, e, f, g, h)
  if k == 0 then return (a or 0) + (h or 0) end
  local x = deep(k - 1, a, b, c, d, e, f, g, k)
  return x + 1
end
assert(deep(3000, 5) == 3000 + 5 + 1)
for i = 1, 20 do assert(deep(i * 50, i) == i * 50 + i + 1) end

-- Recursion deeper than the native stack budget, and a stack overflow.
local function depth(k) if k == 0 then return 0 end return 1 + depth(k - 1) end
assert(depth(100000) == 100000)
local function inf(k) return 1 + inf(k + 1) end
local okinf, einf = pcall(inf, 1)
assert(not okinf and einf:find("stack overflow"), einf)

-- The callee is redefined while the caller runs (the upvalue now holds another
-- function), and jit.flush in the middle of a call chain.
local f = function(x) return x + 1 end
local function callf(x) return f(x) end
local total = 0
for i = 1, 300 do
  if i == 150 then f = function(x) return x + 2 end end
  total = total + callf(i)
end
assert(total == (300 * 301 // 2) + 149 + 151 * 2, total)
local function flusher(i)
  if i == 70 and jit and jit.flush then jit.flush() end
  return i
end
local function viaflush(i) return flusher(i) + 1 end
local tf = 0
for i = 1, 150 do tf = tf + viaflush(i) end
assert(tf == 150 * 151 // 2 + 150)

-- A hook set inside a callee: the returns that follow run with the hook.
local calls = 0
local function hooked(i)
  if i == 40 then debug.sethook(function() calls = calls + 1 end, "r") end
  return i
end
local function viahook(i) return hooked(i) + 0 end
local th = 0
for i = 1, 60 do th = th + viahook(i) end
debug.sethook()
assert(th == 60 * 61 // 2 and calls > 0)

-- Self recursion, the benchmark shape.
local function fib(k) if k < 2 then return k end return fib(k - 1) + fib(k - 2) end
assert(fib(22) == 17711)

print("jit_call_fast_path ok")
