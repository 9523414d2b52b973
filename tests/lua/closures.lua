-- Closures and upvalues: sharing, fresh loop variables, counters, nesting.

-- counter
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
assert(c1() == 1 and c1() == 2 and c1() == 3)
assert(c2() == 1)
assert(c1() == 4)

-- two closures share one upvalue
local function pair()
  local v = 0
  return function() v = v + 1 end, function() return v end
end
local inc, get = pair()
inc(); inc()
assert(get() == 2)

-- an upvalue keeps being shared after the enclosing function returns
local function shared()
  local x = 1
  local function set(v) x = v end
  local function read() return x end
  x = 5
  return set, read
end
local set, read = shared()
assert(read() == 5)
set(9)
assert(read() == 9)

-- the enclosing function sees changes made by the closure while still active
do
  local x = 1
  local function bump() x = x + 10 end
  bump()
  assert(x == 11)
  x = 0
  bump()
  assert(x == 10)
end

-- numeric for: fresh variable per iteration
local fs = {}
for i = 1, 5 do fs[i] = function() return i end end
for i = 1, 5 do assert(fs[i]() == i) end

-- generic for: fresh variables per iteration
fs = {}
for k, v in ipairs({"a", "b", "c"}) do fs[k] = function() return k .. v end end
assert(fs[1]() == "1a" and fs[3]() == "3c")

-- while loop: a local declared in the body is fresh per iteration
fs = {}
local i = 1
while i <= 3 do
  local j = i
  fs[i] = function() j = j + 100; return j end
  i = i + 1
end
assert(fs[1]() == 101 and fs[2]() == 102 and fs[1]() == 201)

-- repeat: the until condition sees the body's locals
local k = 0
repeat
  local done = k >= 3
  k = k + 1
until done
assert(k == 4)

-- repeat with closure capturing the body local
fs = {}
local r = 0
repeat
  r = r + 1
  local captured = r
  fs[r] = function() return captured end
until r == 3
assert(fs[1]() == 1 and fs[3]() == 3)

-- closures capturing loop variables, modified inside the loop
fs = {}
for idx = 1, 3 do
  local function add() idx = idx + 10; return idx end
  fs[idx] = add
end
assert(fs[1]() == 11 and fs[1]() == 21 and fs[2]() == 12)

-- deep nesting: upvalues through several levels
local function l1()
  local a = 1
  return function()
    local b = 2
    return function()
      local c = 3
      return function()
        a = a + 1
        return a + b + c
      end
    end
  end
end
local deep = l1()()()
assert(deep() == 7 and deep() == 8)

-- recursive local function sees itself as an upvalue
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
assert(fact(10) == 3628800)

-- local f = function ... does not see itself
local selfref = "outer"
do
  local selfref = function() return selfref end
  assert(selfref() == "outer")
end

-- mutual recursion through upvalues
local isodd
local function iseven(n) if n == 0 then return true end return isodd(n - 1) end
function isodd(n) if n == 0 then return false end return iseven(n - 1) end
assert(iseven(10) and isodd(7) and not iseven(7))

-- many closures from one prototype are distinct values
local made = {}
for m = 1, 10 do made[m] = function() return m end end
assert(made[1] ~= made[2])

-- upvalue of an upvalue after both frames are gone
local function mk()
  local x = 0
  local function mid()
    return function() x = x + 1; return x end
  end
  return mid(), function() return x end
end
local bump, peek = mk()
bump(); bump(); bump()
assert(peek() == 3)

-- closures in a table constructor share the same local
local function obj()
  local state = 0
  return {inc = function() state = state + 1 end, get = function() return state end}
end
local o = obj()
o.inc(); o.inc()
assert(o.get() == 2)

-- parameters are locals that can be captured
local function adder(x) return function(y) x = x + y; return x end end
local add = adder(10)
assert(add(1) == 11 and add(1) == 12)

-- block-scoped locals in a loop with break
fs = {}
for n = 1, 10 do
  local v = n * 2
  fs[#fs + 1] = function() return v end
  if n == 3 then break end
end
assert(#fs == 3 and fs[3]() == 6)
