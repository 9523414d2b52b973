-- debug.getupvalue / setupvalue / upvalueid / upvaluejoin (manual §6.10).

local a, b = 1, 2
local function f() return a + b end

-- names and values
local n1, v1 = debug.getupvalue(f, 1)
assert(n1 == "a" and v1 == 1)
local n2, v2 = debug.getupvalue(f, 2)
assert(n2 == "b" and v2 == 2)
assert(select("#", debug.getupvalue(f, 3)) == 0)
assert(select("#", debug.getupvalue(f, 0)) == 0)
assert(select("#", debug.getupvalue(f, -1)) == 0)

-- setting one changes the shared variable
assert(debug.setupvalue(f, 2, 10) == "b")
assert(b == 10 and f() == 11)
assert(select("#", debug.setupvalue(f, 3, 1)) == 0)

-- _ENV is an upvalue like any other
local function usesenv() return print end
local en, ev = debug.getupvalue(usesenv, 1)
assert(en == "_ENV" and ev == _ENV)

-- Rust functions: no upvalues for plain ones, "" names for closures
assert(select("#", debug.getupvalue(print, 1)) == 0)
local iter = string.gmatch("a b", "%a")
local cn = debug.getupvalue(iter, 1)
assert(cn == "")

-- upvalueid: same cell, same id
local function g() return a end
local id = debug.upvalueid(f, 1)
assert(type(id) == "userdata")
assert(id == debug.upvalueid(f, 1) and id == debug.upvalueid(g, 1))
assert(id ~= debug.upvalueid(f, 2))
assert(debug.upvalueid(f, 3) == nil)
assert(debug.upvalueid(print, 1) == nil)
-- closures of one function made in a loop share no cells
local cl = {}
for i = 1, 2 do cl[i] = function() return i end end
assert(debug.upvalueid(cl[1], 1) ~= debug.upvalueid(cl[2], 1))

-- upvaluejoin argument checks
local function err(pat, fn, ...)
  local ok, msg = pcall(fn, ...)
  assert(not ok and msg:find(pat, 1, true), msg)
end
err("bad argument #2 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, g, 2, f, 1)
err("bad argument #2 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, print, 1, f, 1)
err("bad argument #4 to 'debug.upvaluejoin' (invalid upvalue index)", debug.upvaluejoin, g, 1, f, 5)
err("bad argument #1 to 'debug.upvaluejoin' (Lua function expected)", debug.upvaluejoin, iter, 1, f, 1)
err("bad argument #3 to 'debug.upvaluejoin' (Lua function expected)", debug.upvaluejoin, f, 1, iter, 1)
-- joining a cell with itself is allowed
debug.upvaluejoin(g, 1, f, 1)
assert(g() == 1)

-- other argument errors
err("bad argument #3 to 'debug.setupvalue' (value expected)", debug.setupvalue, f, 1)
err("bad argument #1 to 'debug.getupvalue' (function expected, got number)", debug.getupvalue, 1, 1)
err("bad argument #2 to 'debug.getupvalue' (number expected, got no value)", debug.getupvalue, f)
err("bad argument #2 to 'debug.upvalueid' (number expected, got no value)", debug.upvalueid, f)
err("bad argument #1 to 'debug.upvalueid' (function expected, got table)", debug.upvalueid, {}, 1)

print("OK")
