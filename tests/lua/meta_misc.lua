-- __call, __tostring, __name, __metatable, __pairs, setmetatable/getmetatable rules.

-- __call receives the object first
local callee = setmetatable({tag = "obj"}, {__call = function(self, a, b)
  return self.tag, a, b
end})
local t1, a1, b1 = callee(1, 2)
assert(t1 == "obj" and a1 == 1 and b1 == 2)
assert(select("#", callee()) == 3)

-- chained __call: a callable whose __call is itself a callable table
local inner = setmetatable({}, {__call = function(self, outer, x) return "inner", x end})
local outer = setmetatable({}, {__call = inner})
local who, x = outer(42)
assert(who == "inner" and x == 42)

-- __call with varargs and multiple returns
local summer = setmetatable({}, {__call = function(_, ...)
  local s = 0
  for i = 1, select("#", ...) do s = s + select(i, ...) end
  return s, select("#", ...)
end})
local s, n = summer(1, 2, 3, 4)
assert(s == 10 and n == 4)

-- __call in a tail call and through pcall
local function tail() return callee("t") end
assert(select(2, tail()) == "t")
local ok, tag = pcall(callee)
assert(ok and tag == "obj")

-- calling a non-callable
local okc, msg = pcall(function() local v = {}; v() end)
assert(not okc and string.find(msg, "attempt to call a table value", 1, true), msg)

-- __tostring
local obj = setmetatable({}, {__tostring = function() return "I am obj" end})
assert(tostring(obj) == "I am obj")
local bad = setmetatable({}, {__tostring = function() return {} end})
okc, msg = pcall(tostring, bad)
assert(not okc and string.find(msg, "'__tostring' must return a string", 1, true), msg)

-- __name is used by tostring when there is no __tostring
local named = setmetatable({}, {__name = "MyType"})
assert(string.find(tostring(named), "^MyType: "))
local unnamed = setmetatable({}, {__name = 12})
assert(string.find(tostring(unnamed), "^table: "))
assert(string.find(tostring({}), "^table: "))
assert(string.find(tostring(print), "^builtin: ") or string.find(tostring(print), "^function: "))
assert(string.find(tostring(function() end), "^function: "))

-- __metatable protects the metatable
local protected = setmetatable({}, {__metatable = "locked"})
assert(getmetatable(protected) == "locked")
okc, msg = pcall(setmetatable, protected, {})
assert(not okc and string.find(msg, "cannot change a protected metatable", 1, true), msg)
local falsy = setmetatable({}, {__metatable = false})
assert(getmetatable(falsy) == false)
assert(not pcall(setmetatable, falsy, nil))

-- setmetatable returns its first argument and accepts nil
local plain = {}
assert(setmetatable(plain, {}) == plain)
assert(getmetatable(plain) ~= nil)
setmetatable(plain, nil)
assert(getmetatable(plain) == nil)
okc, msg = pcall(setmetatable, plain, 5)
assert(not okc and string.find(msg, "nil or table expected", 1, true), msg)
okc, msg = pcall(setmetatable, 5, {})
assert(not okc and string.find(msg, "table expected", 1, true), msg)

-- getmetatable of other types
assert(getmetatable("abc").__index == string)
assert(getmetatable(1) == nil)
assert(getmetatable(nil) == nil)
assert(getmetatable(print) == nil)

-- __pairs
local proxied = setmetatable({}, {__pairs = function(self)
  local i = 0
  return function()
    i = i + 1
    if i <= 3 then return i, i * i end
  end, self, nil
end})
local keys, squares = 0, 0
for k, v in pairs(proxied) do
  keys = keys + k
  squares = squares + v
end
assert(keys == 6 and squares == 14)
-- next ignores __pairs
assert(next(proxied) == nil)

-- __pairs result is truncated to three values
local three = setmetatable({}, {__pairs = function(t) return next, {a = 1}, nil, "extra" end})
local cnt = 0
for k, v in pairs(three) do cnt = cnt + 1; assert(k == "a" and v == 1) end
assert(cnt == 1)

-- __index on a metatable does not make metamethods inherit
local proto = {__add = function() return "added" end}
local derived = setmetatable({}, {__index = proto})
okc = pcall(function() return setmetatable({}, derived) + 1 end)
assert(not okc)

-- metamethods set after setmetatable are seen
local mt = {}
local late = setmetatable({}, mt)
mt.__call = function() return "late" end
assert(late() == "late")
mt.__index = function() return "idx" end
assert(late.anything == "idx")

-- __close is exercised in close.lua; __gc in gc_finalizers.lua; __mode in gc_weak.lua
