-- <close> and <const> local variables.

local log = {}
local function closer(name)
  return setmetatable({name = name}, {__close = function(self, err)
    log[#log + 1] = self.name .. (err ~= nil and ("!" .. tostring(err)) or "")
  end})
end
local function reset() log = {} end
local function logged() return table.concat(log, ",") end

-- closing order: reverse of declaration, at block exit
reset()
do
  local a <close> = closer("a")
  local b <close> = closer("b")
  local c <close> = closer("c")
  log[#log + 1] = "body"
end
assert(logged() == "body,c,b,a", logged())

-- nil and false are allowed and ignored
reset()
do
  local n <close> = nil
  local f <close> = false
  local a <close> = closer("a")
end
assert(logged() == "a")

-- a value without __close is an error at declaration
local ok, msg = pcall(function() local x <close> = {} end)
assert(not ok and string.find(msg, "variable 'x' got a non-closable value", 1, true), msg)
ok, msg = pcall(function() local y <close> = 42 end)
assert(not ok and string.find(msg, "variable 'y' got a non-closable value", 1, true), msg)

-- close on return: after the return values are computed
reset()
local function ret()
  local a <close> = closer("a")
  local t = {v = 1}
  local tt <close> = setmetatable({}, {__close = function() t.v = 2 end})
  return t.v, t
end
local v, t = ret()
assert(v == 1 and t.v == 2 and logged() == "a")

-- close on break and goto
reset()
for i = 1, 3 do
  local c <close> = closer("i" .. i)
  if i == 2 then break end
end
assert(logged() == "i1,i2", logged())
reset()
do
  local g <close> = closer("g")
  goto out
end
::out::
assert(logged() == "g")

-- close in loops: once per iteration
reset()
for i = 1, 3 do local c <close> = closer(i) end
assert(logged() == "1,2,3")
reset()
local k = 0
while k < 2 do
  k = k + 1
  local w <close> = closer("w" .. k)
end
assert(logged() == "w1,w2")

-- close on error: receives the error object, error propagates
reset()
ok, msg = pcall(function()
  local a <close> = closer("a")
  local b <close> = closer("b")
  error("E", 0)
end)
assert(not ok and msg == "E")
assert(logged() == "b!E,a!E", logged())

-- an error inside __close replaces the error for the following closers and the caller
reset()
ok, msg = pcall(function()
  local a <close> = closer("a")
  local bad <close> = setmetatable({}, {__close = function() error("in close", 0) end})
  local c <close> = closer("c")
end)
assert(not ok and msg == "in close")
assert(logged() == "c,a!in close", logged())

reset()
ok, msg = pcall(function()
  local a <close> = closer("a")
  local bad <close> = setmetatable({}, {__close = function(_, e) error("second:" .. tostring(e), 0) end})
  error("first", 0)
end)
assert(not ok and msg == "second:first", msg)
assert(logged() == "a!second:first", logged())

-- __close must exist at declaration; the one present at exit is the one called
reset()
do
  local mt = {__close = function() log[#log + 1] = "old" end}
  local x <close> = setmetatable({}, mt)
  mt.__close = function() log[#log + 1] = "new" end
end
assert(logged() == "new")

-- close in a generic for: the fourth value is closed when the loop ends
reset()
local function iter_with_close(n)
  local i = 0
  return function() i = i + 1; if i <= n then return i end end, nil, nil, closer("loop")
end
for i in iter_with_close(3) do end
assert(logged() == "loop")
reset()
for i in iter_with_close(10) do if i == 2 then break end end
assert(logged() == "loop")
reset()
ok = pcall(function() for i in iter_with_close(10) do error("x", 0) end end)
assert(not ok and logged() == "loop!x", logged())

-- tail calls are not tail calls in functions with pending closers
reset()
local function inner() log[#log + 1] = "inner"; return "r" end
local function outer()
  local o <close> = closer("o")
  return inner()
end
assert(outer() == "r" and logged() == "inner,o")

-- <const>
local K <const> = 10
local S <const> = "str"
assert(K * 2 == 20 and S .. "!" == "str!")
local function usesconst() return K + 1 end
assert(usesconst() == 11)
do
  local T <const> = {}
  T.field = 1   -- the variable is const, the table is not
  assert(T.field == 1)
end
local a1 <const>, a2 = 1, 2
a2 = 3
assert(a1 == 1 and a2 == 3)
assert(load("local x <const> = 1; x = 2") == nil)
local _, err = load("local x <const> = 1; x = 2")
assert(string.find(err, "attempt to assign to const variable 'x'", 1, true), err)
_, err = load("local x <close>, y <close> = nil, nil")
assert(string.find(err, "multiple to-be-closed variables in local list", 1, true), err)
_, err = load("local x <foo> = 1")
assert(string.find(err, "unknown attribute 'foo'", 1, true), err)

-- closers run in coroutines when the coroutine returns normally
reset()
local co = coroutine.wrap(function()
  local c <close> = closer("co")
  coroutine.yield(1)
  return 2
end)
assert(co() == 1 and #log == 0)
assert(co() == 2 and logged() == "co")
