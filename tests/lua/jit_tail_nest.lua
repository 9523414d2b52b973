-- Tail calls from a natively called function to another compiled function (TAIL-NEST:
-- the call helper runs the tail callee itself): results of every count, callees that
-- tail-call again (a chain stays in constant space), callees that leave compiled code,
-- errors and yields inside a tail callee, tail calls with open call results (B = 0),
-- and missing or extra arguments.

local function add(k) return function(x) return x + k end end
local function compose(f, g) return function(x) return f(g(x)) end end

-- One result, through two tail calls per call.
local f = compose(add(1), compose(add(2), add(3)))
local s = 0
for i = 1, 2000 do s = s + f(i) end
assert(s == 2000 * 2001 // 2 + 6 * 2000)

-- Several results, none, and all of them to a caller that wants all.
local function three(a) return a, a + 1, a + 2 end
local function none() end
local function to_three(a) return three(a) end
local function to_none(a) return none(a) end
for i = 1, 500 do
  local x, y, z = to_three(i)
  assert(x == i and y == i + 1 and z == i + 2)
  assert(select("#", to_three(i)) == 3)
  assert(select("#", to_none(i)) == 0)
  local t = { to_three(i) }
  assert(#t == 3 and t[3] == i + 2)
end

-- Missing arguments are nil, extra ones dropped.
local function pair(a, b) return b end
local function one_arg(a) return pair(a) end
local function many_args(a) return pair(a, a + 1, a + 2, a + 3) end
for i = 1, 500 do
  assert(one_arg(i) == nil)
  assert(many_args(i) == i + 1)
end

-- A chain of tail calls between two functions, called from compiled code: constant
-- space over a long chain.
local ping, pong
function ping(n, acc) if n == 0 then return acc end return pong(n - 1, acc + 1) end
function pong(n, acc) if n == 0 then return acc end return ping(n - 1, acc + 2) end
local function start(n) return ping(n, 0) end
for i = 1, 200 do
  assert(start(i) == (i // 2) * 3 + (i % 2))
end
local function outer(n) local r = start(n) return r end
assert(outer(1000000) == 1500000)

-- A tail callee that leaves compiled code (a string concatenation with a metamethod,
-- a type its code does not expect).
local mt = { __concat = function(a, b) return "meta" end }
local obj = setmetatable({}, mt)
local function cat(a, b) return a .. b end
local function to_cat(a, b) return cat(a, b) end
for i = 1, 500 do
  assert(to_cat("x", i) == "x" .. i)
  assert(to_cat(obj, i) == "meta")
end
local function num(x) return x * 2 end
local function to_num(x) return num(x) end
for i = 1, 500 do
  assert(to_num(i) == 2 * i)
  assert(to_num(0.5) == 1.0)
end

-- Errors inside a tail callee keep the interpreter's messages and tracebacks.
local function fails(x) return x.field end
local function to_fails(x) return fails(x) end
for i = 1, 300 do
  local ok, err = pcall(to_fails, i)
  assert(not ok and err:find("attempt to index"))
  assert(to_fails({ field = i }) == i)
end

-- A yield inside a tail callee.
local function yields(x) coroutine.yield(x) return x + 1 end
local function to_yields(x) return yields(x) end
for i = 1, 300 do
  local co = coroutine.wrap(function(x) local r = to_yields(x) return r * 10 end)
  assert(co(i) == i)
  assert(co() == (i + 1) * 10)
end

-- Open results of a call as the tail call's arguments (B = 0).
local function sum3(a, b, c) return (a or 0) + (b or 0) + (c or 0) end
local function via_open(a) return sum3(three(a)) end
for i = 1, 500 do assert(via_open(i) == 3 * i + 3) end

-- Upvalues of the tail-calling frame are closed before the callee runs.
local function make(n)
  local fns = {}
  for j = 1, 3 do fns[j] = function() return j + n end end
  return fns
end
local function to_make(n) return make(n) end
for i = 1, 300 do
  local fns = to_make(i)
  assert(fns[1]() == i + 1 and fns[3]() == i + 3)
end

print("jit_tail_nest ok")
