-- debug.getlocal / debug.setlocal: named locals, temporaries, varargs, parameters of a
-- function value, coroutines and errors (manual §6.10).

local function f(a, b, ...)
  local c = a + b
  do local inner = 1 end
  local n1, v1 = debug.getlocal(1, 1)
  assert(n1 == "a" and v1 == 1)
  local n2, v2 = debug.getlocal(1, 2)
  assert(n2 == "b" and v2 == 2)
  local n3, v3 = debug.getlocal(1, 3)
  assert(n3 == "c" and v3 == 3)
  -- 'inner' is out of scope here: index 4 is the next active local
  local n4 = debug.getlocal(1, 4)
  assert(n4 == "n1")
  -- varargs with negative indices
  local va, vv = debug.getlocal(1, -1)
  assert(va == "(vararg)" and vv == "x")
  va, vv = debug.getlocal(1, -2)
  assert(va == "(vararg)" and vv == "y")
  assert(debug.getlocal(1, -3) == nil)
  assert(debug.getlocal(1, 0) == nil)
  assert(select("#", debug.getlocal(1, 200)) == 1)
  -- setlocal, including a vararg
  assert(debug.setlocal(1, 1, 100) == "a" and a == 100)
  assert(debug.setlocal(1, -1, "X") == "(vararg)")
  assert(select(1, ...) == "X")
  assert(debug.setlocal(1, 200, 1) == nil)
  -- the caller's locals
  local cn, cv = debug.getlocal(2, 1)
  assert(cn == "f" and cv == f)
  return true
end
assert(f(1, 2, "x", "y"))

-- a function without varargs has no "(vararg)"
local function nova(p) return debug.getlocal(1, -1) end
assert(nova(1) == nil)

-- temporaries of a Rust function (level 0 is getlocal itself)
local tn, tv = debug.getlocal(0, 1)
assert(tn == "(C temporary)" and tv == 0)
assert(debug.getlocal(0, 5) == nil)

-- loop control variables have names in parentheses
for i = 1, 1 do
  local names = {}
  local k = 1
  while true do
    local name = debug.getlocal(1, k)
    if not name then break end
    names[#names + 1] = name
    k = k + 1
  end
  local all = table.concat(names, ",")
  assert(all:find("(for state)", 1, true) and all:find(",i,", 1, true), all)
end

-- parameter names of a function value
local function params(x, y, ...) local z end
assert(debug.getlocal(params, 1) == "x" and debug.getlocal(params, 2) == "y")
assert(debug.getlocal(params, 3) == nil and debug.getlocal(params, -1) == nil)
assert(select("#", debug.getlocal(print, 1)) == 1 and debug.getlocal(print, 1) == nil)

-- a suspended coroutine
local co = coroutine.create(function(p)
  local q = p * 2
  coroutine.yield()
  return q
end)
coroutine.resume(co, 4)
local cn1, cv1 = debug.getlocal(co, 1, 1)
assert(cn1 == "p" and cv1 == 4)
local cn2, cv2 = debug.getlocal(co, 1, 2)
assert(cn2 == "q" and cv2 == 8)
assert(debug.getlocal(co, 0, 1) == nil)
assert(debug.setlocal(co, 1, 2, 50) == "q")
local _, res = coroutine.resume(co)
assert(res == 50)

-- errors
local function err(pat, fn, ...)
  local ok, msg = pcall(fn, ...)
  assert(not ok and msg:find(pat, 1, true), msg)
end
err("bad argument #1 to 'debug.getlocal' (level out of range)", debug.getlocal, 50, 1)
err("bad argument #1 to 'debug.setlocal' (level out of range)", debug.setlocal, 50, 1, 1)
err("bad argument #2 to 'debug.getlocal' (number expected, got no value)", debug.getlocal, 1)
err("bad argument #2 to 'debug.getlocal' (number expected, got string)", debug.getlocal, 1, "x")
err("bad argument #1 to 'debug.getlocal' (number expected, got string)", debug.getlocal, "x", 1)
err("bad argument #3 to 'debug.setlocal' (value expected)", debug.setlocal, 1, 1)
local dead = coroutine.create(function() end)
coroutine.resume(dead)
err("bad argument #2 to 'debug.getlocal' (level out of range)", debug.getlocal, dead, 1, 1)

print("OK")
