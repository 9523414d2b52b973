-- The debug library: traceback, getinfo, locals, upvalues, metatables (line numbers below are asserted).
assert(type(debug) == "table" and package.loaded.debug == debug)
local tb = debug.traceback("msg", 1)
assert(tb:find("^msg\nstack traceback:\n"))
local info = debug.getinfo(1, "Sl")
assert(info.short_src == "lib_debug.lua" and info.currentline == 5 and info.what == "main")
local function f(a, b) local c = a + b; return debug.getlocal(1, 3) end
assert(select(2, f(1, 2)) == 3)
local up = 5
local function g() return up end
assert(debug.getupvalue(g, 1) == "up")
debug.setupvalue(g, 1, 6)
assert(g() == 6)
assert(debug.getmetatable("").__index == string)
assert(type(debug.getregistry()) == "table")
local count = 0
debug.sethook(function() count = count + 1 end, "l")
local x = 1
x = x + 1
debug.sethook()
assert(count >= 2 and debug.gethook() == nil)
