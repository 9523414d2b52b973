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
-- upvalueid / upvaluejoin: ids are per cell; a join makes two closures share one.
local function counter() local n = 0 return function() n = n + 1 return n end, function() return n end end
local inc1, get1 = counter()
local inc2, get2 = counter()
assert(debug.upvalueid(inc1, 1) == debug.upvalueid(get1, 1))
assert(debug.upvalueid(inc1, 1) ~= debug.upvalueid(inc2, 1))
assert(debug.upvalueid(inc1, 2) == nil and debug.upvalueid(print, 1) == nil)
inc1(); inc1(); inc2()
debug.upvaluejoin(get2, 1, inc1, 1)
assert(get2() == 2 and debug.upvalueid(get2, 1) == debug.upvalueid(inc1, 1))
inc1()
assert(get2() == 3 and get1() == 3 and inc2() == 2)
debug.upvaluejoin(get2, 1, get2, 1)
assert(get2() == 3)
local function joinerr(...) return select(2, pcall(debug.upvaluejoin, ...)) end
assert(joinerr(get2, 2, inc1, 1):find("bad argument #2 to '[%w.]*upvaluejoin' %(invalid upvalue index%)"))
assert(joinerr(get2, 1, inc1, 0):find("bad argument #4 to '[%w.]*upvaluejoin' %(invalid upvalue index%)"))
local it = string.gmatch("a", "a")
assert(joinerr(it, 1, inc1, 1):find("bad argument #1 to '[%w.]*upvaluejoin' %(Lua function expected%)"))
assert(joinerr(inc1, 1, it, 1):find("bad argument #3 to '[%w.]*upvaluejoin' %(Lua function expected%)"))
assert(joinerr(print, 1, inc1, 1):find("bad argument #2 to '[%w.]*upvaluejoin' %(invalid upvalue index%)"))
-- A joined cell survives collections while only the joined closure holds it.
do
  local keep
  do
    local a, b = counter()
    keep = b
    local c, d = counter()
    debug.upvaluejoin(d, 1, a, 1)
    keep = d
    a()
  end
  collectgarbage()
  assert(keep() == 1)
end
