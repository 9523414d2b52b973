-- Deep recursion and stack overflow errors (tail calls: see tailcalls.lua).

-- a Lua function recursing 190000 levels works
local function depth(n)
  if n == 0 then return 0 end
  return 1 + depth(n - 1)
end
assert(depth(190000) == 190000)

-- with a few locals per frame as well
local function sum(n)
  if n == 0 then return 0 end
  local a, b = n, n % 7
  local rest = sum(n - 1)
  return a + rest + b - b
end
assert(sum(100000) == 100000 * 100001 // 2)

-- infinite recursion gives a catchable "stack overflow" error
local function forever(n) return 1 + forever(n + 1) end
local ok, msg = pcall(forever, 1)
assert(not ok and string.find(msg, "stack overflow", 1, true), msg)
-- and again: the state is fine after the overflow
ok, msg = pcall(forever, 1)
assert(not ok and string.find(msg, "stack overflow", 1, true))
assert(depth(1000) == 1000)

-- overflow through metamethods
local mt = {}
mt.__index = function(t, k) return t[k .. "x"] end
local looping = setmetatable({}, mt)
ok, msg = pcall(function() return looping.a end)
assert(not ok and string.find(msg, "stack overflow", 1, true), msg)

-- overflow with xpcall and a handler: the handler still gets to run
ok, msg = xpcall(forever, function(m) return "handled: " .. tostring(m) end, 1)
assert(not ok and string.find(msg, "handled: ", 1, true) and string.find(msg, "stack overflow", 1, true), msg)

-- overflow inside a coroutine is an error of the resume
local c = coroutine.create(function() return forever(1) end)
ok, msg = coroutine.resume(c)
assert(not ok and string.find(msg, "stack overflow", 1, true))

-- recursion through pcall nests C calls: deep but bounded
local function pdepth(k)
  if k == 0 then return 0 end
  local okk, v = pcall(pdepth, k - 1)
  assert(okk)
  return v + 1
end
assert(pdepth(150) == 150)
local function pforever() return pcall(pforever) end
ok = pcall(pforever)
assert(ok ~= nil) -- must not crash; either result is fine

-- string.rep / table.concat on large sizes are not recursion, but check they work
assert(#string.rep("ab", 100000) == 200000)
