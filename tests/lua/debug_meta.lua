-- debug.getmetatable / setmetatable for every type, getregistry, get/setuservalue
-- (manual §6.10).

-- strings share the string library's metatable
assert(debug.getmetatable("").__index == string)
assert(debug.getmetatable(1) == nil and debug.getmetatable(nil) == nil)

-- __metatable does not hide or protect anything from the debug library
local t = setmetatable({}, {__metatable = "locked"})
assert(getmetatable(t) == "locked" and type(debug.getmetatable(t)) == "table")
assert(debug.setmetatable(t, nil) == t and getmetatable(t) == nil)

-- numbers: one metatable for every number, integer or float
assert(debug.setmetatable(1, {__index = {half = function(x) return x / 2 end}}) == 1)
assert((8):half() == 4 and (3.0):half() == 1.5)
assert(getmetatable(2.5).__index.half)
debug.setmetatable(1, {__call = function(n, a) return n + a end, __concat = function(a, b) return "cat" end})
assert((10)(5) == 15)
assert(({}) .. 1 == "cat")
debug.setmetatable(1, nil)
assert(getmetatable(1) == nil)

-- nil
debug.setmetatable(nil, {__index = function(_, k) return "nil." .. k end})
local nothing = nil
assert(nothing.field == "nil.field")
debug.setmetatable(nil, nil)
assert(not pcall(function() return nothing.field end))

-- booleans
debug.setmetatable(true, {__len = function(b) return b and 1 or 0 end})
assert(#true == 1 and #false == 0)
debug.setmetatable(false, nil)
assert(getmetatable(true) == nil)

-- functions
debug.setmetatable(print, {__index = {name = "fn"}})
assert(print.name == "fn" and (function() end).name == "fn")
debug.setmetatable(print, nil)

-- threads
local co = coroutine.create(print)
debug.setmetatable(co, {__index = {kind = "thread"}})
assert(co.kind == "thread" and coroutine.running().kind == "thread")
debug.setmetatable(co, nil)

-- strings: replacing and restoring the shared metatable
local smt = debug.getmetatable("")
debug.setmetatable("", {__index = {shout = function(s) return string.upper(s) .. "!" end}})
assert(("hi"):shout() == "HI!")
assert(debug.setmetatable("x", smt) == "x")
assert(("x"):rep(3) == "xxx")

-- tables: __gc set through the debug library is honoured
local collected = false
do
  debug.setmetatable({}, {__gc = function() collected = true end})
end
collectgarbage()
collectgarbage()
assert(collected)

-- type metatables survive collections
debug.setmetatable(1, {__index = {kept = true}})
collectgarbage()
assert((1).kept)
debug.setmetatable(1, nil)

-- the registry
local reg = debug.getregistry()
assert(type(reg) == "table" and reg == debug.getregistry())
assert(reg._LOADED == package.loaded)

-- user values: files have none; other values are not full userdata
assert(debug.getuservalue(io.stdout) == nil)
assert(select("#", debug.getuservalue(io.stdout, 1)) == 1)
assert(debug.getuservalue(io.stdout, 0) == nil)
assert(debug.getuservalue(1) == nil and debug.getuservalue(nil) == nil)
assert(debug.setuservalue(io.stdout, 5) == nil)

-- argument errors
local function err(pat, fn, ...)
  local ok, msg = pcall(fn, ...)
  assert(not ok and msg:find(pat, 1, true), msg)
end
err("bad argument #2 to 'debug.setmetatable' (nil or table expected, got number)", debug.setmetatable, 1, 2)
err("bad argument #2 to 'debug.setmetatable' (nil or table expected, got no value)", debug.setmetatable, 1)
err("bad argument #1 to 'debug.getmetatable' (value expected)", debug.getmetatable)
err("bad argument #1 to 'debug.setuservalue' (userdata expected, got number)", debug.setuservalue, 1, 5)
err("bad argument #2 to 'debug.setuservalue' (value expected)", debug.setuservalue, io.stdout)
err("bad argument #2 to 'debug.getuservalue' (number expected, got string)", debug.getuservalue, io.stdout, "x")

print("OK")
