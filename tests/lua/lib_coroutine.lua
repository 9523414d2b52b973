-- coroutine library (manual 6.2): close, create, isyieldable, resume, running,
-- status, wrap, yield, with value passing, errors and pending to-be-closed variables.

-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

-- Packs results into a table with n.
local function pack(...) return {n = select("#", ...), ...} end

-- Asserts that a call's results equal the given list.
local function same(results, ...)
  local want = pack(...)
  if results.n ~= want.n then error("result count " .. results.n .. " ~= " .. want.n, 2) end
  for i = 1, want.n do
    if results[i] ~= want[i] then
      error("result " .. i .. ": " .. tostring(results[i]) .. " ~= " .. tostring(want[i]), 2)
    end
  end
end

-- create, resume, yield, status: values flow both ways
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
assert(type(co) == "thread" and coroutine.status(co) == "suspended")
same(pack(coroutine.resume(co, 1, 2)), true, 3)
same(pack(coroutine.resume(co, 10)), true, 20)
same(pack(coroutine.resume(co, 3, 4)), true, 7)
assert(coroutine.status(co) == "dead")
same(pack(coroutine.resume(co)), false, "cannot resume dead coroutine")
same(pack(coroutine.resume(coroutine.create(function() end))), true)
same(pack(coroutine.resume(coroutine.create(function(...) return ... end), 1, nil, 3)), true, 1, nil, 3)
same(pack(coroutine.resume(coroutine.create(function() coroutine.yield() end))), true)
check_error("bad argument #1 to 'create' (function expected, got number)", function() return coroutine.create(1) end)
check_error("bad argument #1 to 'create' (function expected, got no value)", function() return coroutine.create() end)

-- errors inside coroutines
co = coroutine.create(function() error("oops") end)
local ok, msg = coroutine.resume(co)
assert(not ok and msg:find("oops$") and coroutine.status(co) == "dead")
local obj = {}
co = coroutine.create(function() error(obj) end)
same(pack(coroutine.resume(co)), false, obj)
co = coroutine.create(function() local x = nil; return x.y end)
ok, msg = coroutine.resume(co)
assert(not ok and msg:find("attempt to index a nil value"))

-- running, isyieldable, status from inside
local main, ismain = coroutine.running()
assert(type(main) == "thread" and ismain == true)
assert(coroutine.isyieldable() == false)
assert(coroutine.status(main) == "running")
co = coroutine.create(function()
  local me, ism = coroutine.running()
  assert(ism == false and coroutine.status(me) == "running")
  assert(coroutine.isyieldable() and coroutine.isyieldable(me))
  assert(coroutine.status(main) == "normal")
  same(pack(coroutine.resume(me)), false, "cannot resume non-suspended coroutine")
  local inner = coroutine.create(function() return coroutine.status(me) end)
  same(pack(coroutine.resume(inner)), true, "normal")
  return "done"
end)
same(pack(coroutine.resume(co)), true, "done")
assert(coroutine.isyieldable(coroutine.create(print)) == true)
check_error("attempt to yield from outside a coroutine", coroutine.yield)
check_error("attempt to yield from outside a coroutine", coroutine.yield, 1, 2)

-- yield across pcall, metamethods and iterators
co = coroutine.create(function()
  local ok2, v = pcall(coroutine.yield, 5)
  return ok2, v
end)
same(pack(coroutine.resume(co)), true, 5)
same(pack(coroutine.resume(co, "v")), true, true, "v")
co = coroutine.create(function()
  local t = setmetatable({}, {__index = function(_, k) return coroutine.yield(k) end})
  return t.key
end)
same(pack(coroutine.resume(co)), true, "key")
same(pack(coroutine.resume(co, 99)), true, 99)
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
local sum = 0
for v in gen do sum = sum + v end
assert(sum == 6)
co = coroutine.create(function()
  table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end)
end)
ok, msg = coroutine.resume(co)
assert(not ok and msg:find("attempt to yield across a C%-call boundary"), msg)

-- wrap
local w = coroutine.wrap(function(...)
  local n = select("#", ...)
  local got = pack(coroutine.yield(n))
  return got.n, got[1]
end)
assert(w(1, nil, nil) == 3)
same(pack(w(nil)), 1, nil)
check_error("cannot resume dead coroutine", w)
w = coroutine.wrap(function() error("oops") end)
check_error("oops", w)
w = coroutine.wrap(function() error(obj) end)
ok, msg = pcall(w)
assert(not ok and msg == obj)
w = coroutine.wrap(function() error({code = 7}) end)
ok, msg = pcall(w)
assert(msg.code == 7)
w = coroutine.wrap(function() local t = nil; return t.x end)
ok, msg = pcall(w)
assert(not ok and msg:find("attempt to index a nil value"))
check_error("bad argument #1 to 'wrap' (function expected, got nil)", function() return coroutine.wrap(nil) end)

-- close
co = coroutine.create(function() coroutine.yield() end)
same(pack(coroutine.close(co)), true)                       -- never started
coroutine.resume(co)
local closed = {}
co = coroutine.create(function()
  local a <close> = setmetatable({}, {__close = function(_, e) closed[#closed + 1] = "a:" .. tostring(e) end})
  local b <close> = setmetatable({}, {__close = function(_, e) closed[#closed + 1] = "b:" .. tostring(e) end})
  coroutine.yield()
  closed[#closed + 1] = "not reached"
end)
coroutine.resume(co)
same(pack(coroutine.close(co)), true)
assert(table.concat(closed, " ") == "b:nil a:nil")
assert(coroutine.status(co) == "dead")
same(pack(coroutine.close(co)), true)                       -- closing a dead coroutine again
same(pack(coroutine.resume(co)), false, "cannot resume dead coroutine")
co = coroutine.create(function()
  local x <close> = setmetatable({}, {__close = function() error("in close", 0) end})
  coroutine.yield()
end)
coroutine.resume(co)
same(pack(coroutine.close(co)), false, "in close")
co = coroutine.create(function() error("x", 0) end)
coroutine.resume(co)
same(pack(coroutine.close(co)), false, "x")                 -- dead with an error
same(pack(coroutine.close(coroutine.create(print))), true)
check_error("cannot close a running coroutine", coroutine.close, (coroutine.running()))
co = coroutine.create(function()
  local me = coroutine.running()
  local other = coroutine.create(function() return pcall(coroutine.close, me) end)
  return coroutine.resume(other)
end)
local r = pack(coroutine.resume(co))
assert(r[1] == true and r[2] == true and r[3] == false and r[4]:find("cannot close a normal coroutine"))

-- many coroutines and deep nesting are fine
local count = 0
for _ = 1, 2000 do
  local c = coroutine.wrap(function(x) count = count + coroutine.yield(x) end)
  c(1)
  c(1)
end
assert(count == 2000)
local depth = 0
local function nest()
  depth = depth + 1
  if depth < 100 then return coroutine.wrap(nest)() end
  return depth
end
assert(nest() == 100)
-- (unbounded nesting: see tests/wishlist/lib_coroutine_deep_nesting.lua)

print("lib_coroutine ok")
