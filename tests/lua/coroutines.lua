-- Coroutines: create, resume, yield, status, wrap, isyieldable, running, errors.

local co = coroutine

-- values flow both ways
local c = co.create(function(a, b)
  assert(a == 1 and b == 2)
  local x, y = co.yield(a + b)
  assert(x == "x" and y == "y")
  local z = co.yield()
  return z * 2, "done"
end)
assert(co.status(c) == "suspended")
local r = table.pack(co.resume(c, 1, 2))
assert(r.n == 2 and r[1] == true and r[2] == 3)
r = table.pack(co.resume(c, "x", "y"))
assert(r.n == 1 and r[1] == true)
r = table.pack(co.resume(c, 21))
assert(r.n == 3 and r[2] == 42 and r[3] == "done")
assert(co.status(c) == "dead")
local ok, msg = co.resume(c)
assert(not ok and msg == "cannot resume dead coroutine")

-- status: running and normal
local outer
local inner = co.create(function()
  assert(co.status(outer) == "normal")
  local running, ismain = co.running()
  assert(co.status(running) == "running" and not ismain)
  co.yield()
end)
outer = co.create(function()
  assert(co.status(outer) == "running")
  assert(co.resume(inner))
  assert(co.status(inner) == "suspended")
end)
assert(co.resume(outer))
assert(co.status(outer) == "dead")

-- running in the main thread
local main, ismain = co.running()
assert(type(main) == "thread" and ismain == true)
assert(co.status(main) == "running")
assert(not co.isyieldable())
ok, msg = co.resume(main)
assert(not ok and msg == "cannot resume non-suspended coroutine", msg)

-- isyieldable inside a coroutine
local y = co.wrap(function() return co.isyieldable() end)
assert(y() == true)

-- yield outside a coroutine is an error
ok, msg = pcall(co.yield, 1)
assert(not ok and string.find(msg, "attempt to yield from outside a coroutine", 1, true), msg)

-- resuming itself is an error
local selfres = co.create(function()
  return co.resume(co.running())
end)
local ok1, ok2, m2 = co.resume(selfres)
assert(ok1 and not ok2 and m2 == "cannot resume non-suspended coroutine")

-- generators with wrap
local function range(n)
  return co.wrap(function() for i = 1, n do co.yield(i) end end)
end
local sum = 0
for i in range(10) do sum = sum + i end
assert(sum == 55)

-- wrap rethrows errors with position information kept
local w = co.wrap(function() error("inside") end)
ok, msg = pcall(w)
assert(not ok and string.find(msg, ":%d+: inside$"), msg)
local errobj = {}
w = co.wrap(function() error(errobj) end)
ok, msg = pcall(w)
assert(not ok and msg == errobj)
-- calling a dead wrap
w = co.wrap(function() end)
w()
ok, msg = pcall(w)
assert(not ok and string.find(msg, "cannot resume dead coroutine", 1, true), msg)

-- errors through resume
c = co.create(function() local x = nil; return x.f end)
ok, msg = co.resume(c)
assert(not ok and string.find(msg, "attempt to index a nil value (local 'x')", 1, true))
assert(co.status(c) == "dead")
c = co.create(function() error({code = 7}) end)
ok, msg = co.resume(c)
assert(not ok and msg.code == 7)

-- yield across pcall
c = co.create(function()
  local okp, v = pcall(function()
    local got = co.yield("from pcall")
    error("after " .. got, 0)
  end)
  assert(not okp and v == "after resume")
  local okx, vx = xpcall(function() return co.yield("from xpcall") end, function(e) return e end)
  assert(okx and vx == "back")
  return "end"
end)
assert(select(2, co.resume(c)) == "from pcall")
assert(select(2, co.resume(c, "resume")) == "from xpcall")
assert(select(2, co.resume(c, "back")) == "end")

-- yield inside for-in iterators
local function iter()
  return function(_, i)
    i = i + 1
    if i <= 3 then
      co.yield("it" .. i)
      return i
    end
  end, nil, 0
end
c = co.wrap(function()
  local n = 0
  for i in iter() do n = n + i end
  return "sum" .. n
end)
assert(c() == "it1" and c() == "it2" and c() == "it3" and c() == "sum6")

-- many coroutines alive at once
local cos = {}
for i = 1, 100 do
  cos[i] = co.create(function(a) local b = co.yield(a * 2); return a + b end)
end
for i = 1, 100 do assert(select(2, co.resume(cos[i], i)) == i * 2) end
for i = 1, 100 do assert(select(2, co.resume(cos[i], 1)) == i + 1) end

-- a coroutine passing through many yields keeps its locals
c = co.wrap(function()
  local acc = {}
  for i = 1, 1000 do acc[i] = co.yield(i) end
  return #acc
end)
local v = c()
for i = 1, 1000 do v = c(i) end
assert(v == 1000)

-- nested coroutines: yield goes to the direct resumer
local log = {}
local a = co.wrap(function()
  local b = co.wrap(function()
    log[#log + 1] = "b1"
    co.yield()
    log[#log + 1] = "b2"
  end)
  b()
  log[#log + 1] = "a1"
  co.yield()
  b()
  log[#log + 1] = "a2"
end)
a()
log[#log + 1] = "main"
a()
assert(table.concat(log, ",") == "b1,a1,main,b2,a2")

-- resume passes the main-thread values to a fresh coroutine, returns its results
c = co.create(function(...) return select("#", ...), ... end)
r = table.pack(co.resume(c, nil, nil))
assert(r[1] and r[2] == 2 and r.n == 4)

-- type and tostring
assert(type(c) == "thread")
assert(string.find(tostring(c), "^thread: "))

-- wrong arguments
ok = pcall(co.resume, 1)
assert(not ok)
ok = pcall(co.create, 1)
assert(not ok)
