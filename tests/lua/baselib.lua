-- Base library: type, tostring, rawget/rawset/rawequal/rawlen, _G, _VERSION, print, select.

assert(_VERSION == "Lua 5.4")
assert(_G._G == _G)
assert(_G.print == print)
assert(_ENV == _G)
newglobal = 1
assert(_G.newglobal == 1)
_G.newglobal = nil
assert(newglobal == nil)

-- type
assert(type(nil) == "nil")
assert(type(true) == "boolean")
assert(type(0) == "number")
assert(type("") == "string")
assert(type({}) == "table")
assert(type(print) == "function")
assert(type(function() end) == "function")
assert(type(coroutine.create(print)) == "thread")
assert(type(io.stdout) == "userdata")
local ok, msg = pcall(type)
assert(not ok and string.find(msg, "bad argument #1 to 'type' (value expected)", 1, true), msg)

-- tostring
assert(tostring(nil) == "nil")
assert(tostring(true) == "true" and tostring(false) == "false")
assert(tostring("s") == "s")
assert(tostring(12) == "12")
assert(string.find(tostring({}), "^table: ."))
assert(string.find(tostring(print), "^function: "))
local t = {}
assert(tostring(t) == tostring(t))
assert(tostring({}) ~= tostring(t))

-- rawequal
assert(rawequal(1, 1) and rawequal(1, 1.0))
assert(rawequal("a", "a"))
assert(not rawequal({}, {}))
assert(rawequal(t, t))
assert(not rawequal(1, "1"))
ok = pcall(rawequal, 1)
assert(not ok)

-- rawlen
assert(rawlen({1, 2, 3}) == 3)
assert(rawlen("abc") == 3)
assert(rawlen(setmetatable({1}, {__len = function() return 10 end})) == 1)
ok, msg = pcall(rawlen, 5)
assert(not ok and string.find(msg, "table or string expected", 1, true), msg)

-- rawget / rawset
local mt = {__index = function() return "meta" end, __newindex = function() error("no") end}
local p = setmetatable({}, mt)
assert(p.x == "meta" and rawget(p, "x") == nil)
assert(rawset(p, "x", 1) == p)
assert(p.x == 1 and rawget(p, "x") == 1)
rawset(p, 1.0, "float key")
assert(rawget(p, 1) == "float key")
ok = pcall(rawget, "str", 1)
assert(not ok)
ok, msg = pcall(rawset, p, 0 / 0, 1)
assert(not ok and string.find(msg, "index is NaN", 1, true), msg)

-- select
assert(select("#", 1, 2, 3) == 3)
assert(select(2, "a", "b", "c") == "b")
assert(select(-1, "a", "b", "c") == "c")

-- print: calls tostring semantics (__tostring and __name), returns nothing
local printable = setmetatable({}, {__tostring = function() return "custom" end})
assert(select("#", print()) == 0)
-- (output checked in the diff tests)

-- next on an empty table and with explicit nil
assert(next({}) == nil)
assert(next({}, nil) == nil)
local k, v = next({10})
assert(k == 1 and v == 10)

-- ipairs over a proxy stops at nil from __index
local count = 0
for _ in ipairs(setmetatable({}, {__index = function(_, i) if i < 4 then return true end end})) do
  count = count + 1
end
assert(count == 3)

-- getmetatable / setmetatable covered in meta_misc.lua; here the basics
local m = {}
local o = setmetatable({}, m)
assert(getmetatable(o) == m)

-- assert returns all its arguments
local a, b, c = assert(1, "two", 3)
assert(a == 1 and b == "two" and c == 3)

-- error with a table value and level
ok, msg = pcall(error, {1}, 2)
assert(not ok and type(msg) == "table" and msg[1] == 1)

-- collectgarbage is present; details in gc.lua
assert(type(collectgarbage("count")) == "number")

-- dofile / loadfile exist and work on files relative to the working directory
assert(type(dofile) == "function" and type(loadfile) == "function")
local fn, err = loadfile("this-file-does-not-exist.lua")
assert(fn == nil and string.find(err, "cannot open this-file-does-not-exist.lua", 1, true), err)
local self_chunk = loadfile("data/helper.lua")
assert(type(self_chunk) == "function")
assert(self_chunk(21) == 42)
assert(dofile("data/helper.lua") == 0)
assert(loadfile("data/helper.lua", "t", {})(1) == 2)

-- the standard library tables exist
for _, name in ipairs({"string", "table", "math", "coroutine", "io", "os"}) do
  assert(type(_G[name]) == "table", name)
end
assert(math.pi > 3.14 and math.pi < 3.15)
assert(math.huge > 0 and math.maxinteger > 0 and math.mininteger < 0)

-- global functions can be replaced and restored
local saved = tostring
tostring = function() return "replaced" end
assert(tostring(1) == "replaced")
tostring = saved
assert(tostring(1) == "1")

-- the global table can have a metatable (strict mode pattern)
setmetatable(_G, {__index = function(_, name) error("undeclared " .. name, 2) end})
ok, msg = pcall(function() return undeclared_thing end)
assert(not ok and string.find(msg, "undeclared undeclared_thing", 1, true))
setmetatable(_G, nil)
assert(undeclared_thing == nil)
