-- debug.getinfo: levels, functions, option letters, names and errors (manual §6.10).

assert(type(debug) == "table" and package.loaded.debug == debug)

-- the main chunk
local info = debug.getinfo(1, "Sl")
assert(info.what == "main" and info.short_src == "debug_getinfo.lua")
assert(info.source == "@debug_getinfo.lua" and info.linedefined == 0)
assert(info.currentline == 6)

-- a Lua function at a level, every option
local function f(a, b, ...)
  local t = debug.getinfo(1, "nSltufrL")
  return t
end
local t = f(1, 2, 3)
assert(t.what == "Lua" and t.linedefined == 12 and t.lastlinedefined == 15)
assert(t.currentline == 13 and t.short_src == "debug_getinfo.lua")
assert(t.name == "f" and t.namewhat == "local")
assert(t.nparams == 2 and t.isvararg == true and t.nups == 1)
assert(t.func == f and t.istailcall == false)
assert(t.ftransfer == 0 and t.ntransfer == 0)
assert(type(t.activelines) == "table" and t.activelines[13] and t.activelines[14])
assert(not t.activelines[12] and not t.activelines[16])

-- only the fields asked for
local s = debug.getinfo(1, "l")
assert(s.currentline == 27 and s.source == nil and s.name == nil and s.func == nil)
local e = debug.getinfo(1, "")
assert(next(e) == nil)
-- default options: everything but activelines
local d = debug.getinfo(1)
assert(d.func and d.source and d.currentline and d.nups and d.istailcall ~= nil)
assert(d.activelines == nil)

-- a function value rather than a level
local g = function(x, y) return x end
local gi = debug.getinfo(g, "SlunfL")
assert(gi.what == "Lua" and gi.linedefined == 37 and gi.currentline == -1)
assert(gi.nparams == 2 and gi.isvararg == false and gi.nups == 0 and gi.func == g)
assert(gi.name == nil and gi.namewhat == "")
assert(gi.activelines[37])

-- Rust (C) functions
local p = debug.getinfo(print)
assert(p.what == "C" and p.short_src == "[C]" and p.source == "=[C]")
assert(p.linedefined == -1 and p.lastlinedefined == -1 and p.currentline == -1)
assert(p.nparams == 0 and p.isvararg == true and p.nups == 0)
assert(debug.getinfo(print, "L").activelines == nil)
-- level 0 is getinfo itself
local z = debug.getinfo(0, "nS")
assert(z.what == "C" and z.name == "getinfo" and z.namewhat == "field")

-- names from the calling instruction
local m = {}
function m.field() return debug.getinfo(1, "n") end
function m:meth() return debug.getinfo(1, "n") end
function glob_fn() return debug.getinfo(1, "n") end
local r = m.field()
assert(r.name == "field" and r.namewhat == "field")
r = m:meth()
assert(r.name == "meth" and r.namewhat == "method")
r = glob_fn()
assert(r.name == "glob_fn" and r.namewhat == "global")
glob_fn = nil
local mt = setmetatable({}, {__index = function() return debug.getinfo(1, "n") end})
r = mt.anything
assert(r.name == "index" and r.namewhat == "metamethod")
local obj = setmetatable({}, {__add = function() return debug.getinfo(1, "n") end})
r = obj + 1
assert(r.name == "add" and r.namewhat == "metamethod")
for _ in function() r = debug.getinfo(1, "n") return nil end do end
assert(r.name == "for iterator" and r.namewhat == "for iterator")
-- called from a Rust function: no name
local ok, pi = pcall(function() return debug.getinfo(1, "n") end)
assert(ok and pi.name == nil and pi.namewhat == "")

-- tail calls
local function callee() return debug.getinfo(1, "nt") end
local function tail() return callee() end
r = tail()
assert(r.istailcall == true and r.name == nil)
assert(debug.getinfo(1, "t").istailcall == false)

-- levels out of range give nil
assert(debug.getinfo(100) == nil)
assert(debug.getinfo(-1) == nil)
assert(debug.getinfo(100, "x") == nil)

-- coroutines
local co = coroutine.create(function(a)
  local b = a
  coroutine.yield(b)
end)
coroutine.resume(co, 1)
local c0 = debug.getinfo(co, 0, "Sn")
assert(c0.what == "C" and c0.name == "yield" and c0.namewhat == "field")
local c1 = debug.getinfo(co, 1, "Sl")
assert(c1.what == "Lua" and c1.linedefined == 91 and c1.currentline == 93)
assert(debug.getinfo(co, 2) == nil)
assert(debug.getinfo(coroutine.create(print), 0) == nil)

-- argument errors
local function err(pat, ...)
  local ok2, msg = pcall(debug.getinfo, ...)
  assert(not ok2 and msg:find(pat, 1, true), msg)
end
err("bad argument #2 to 'debug.getinfo' (invalid option)", 1, "x")
err("bad argument #2 to 'debug.getinfo' (invalid option '>')", 1, ">S")
err("bad argument #2 to 'debug.getinfo' (invalid option '>')", print, ">S")
err("bad argument #1 to 'debug.getinfo' (number expected, got string)", "a")
err("bad argument #1 to 'debug.getinfo' (number expected, got no value)")
err("bad argument #1 to 'debug.getinfo' (number expected, got table)", {})
err("bad argument #1 to 'debug.getinfo' (number has no integer representation)", 1.5)
err("bad argument #2 to 'debug.getinfo' (number expected, got no value)", co)
local ok3, msg3 = pcall(function() debug.getinfo(1, "q") end)
assert(not ok3 and msg3:find("bad argument #2 to 'getinfo' (invalid option)", 1, true))

print("OK")
