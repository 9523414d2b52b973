-- coroutine.close, pending to-be-closed variables, statuses of dead/suspended coroutines.

local co = coroutine

-- closing a suspended coroutine runs its pending __close in reverse order
local log = {}
local function closer(name)
  return setmetatable({}, {__close = function(_, err)
    log[#log + 1] = name .. ":" .. tostring(err)
  end})
end
local c = co.create(function()
  local a <close> = closer("a")
  local b <close> = closer("b")
  co.yield(1)
  log[#log + 1] = "not reached"
end)
assert(co.resume(c))
assert(co.status(c) == "suspended")
local ok, err = co.close(c)
assert(ok == true and err == nil)
assert(table.concat(log, ",") == "b:nil,a:nil")
assert(co.status(c) == "dead")

-- closing a dead or never-started coroutine is fine
assert(co.close(co.create(function() end)) == true)
c = co.create(function() end)
co.resume(c)
assert(co.close(c) == true)

-- closing a coroutine that died in error returns false and the error
c = co.create(function() error("oops", 0) end)
assert(not co.resume(c))
ok, err = co.close(c)
assert(ok == false and err == "oops")
-- after close, the error is gone
ok, err = co.close(c)
assert(ok == true and err == nil)

-- an error in __close during close is returned
log = {}
c = co.create(function()
  local a <close> = closer("a")
  local bad <close> = setmetatable({}, {__close = function() error("close failed", 0) end})
  co.yield()
end)
co.resume(c)
ok, err = co.close(c)
assert(ok == false and err == "close failed", tostring(err))
assert(log[1] == "a:close failed") -- later closers see the error

-- cannot close a running or normal coroutine
ok, err = pcall(co.close, co.running())
assert(not ok and string.find(err, "cannot close a running coroutine", 1, true), err)
local outer
outer = co.create(function()
  local inner = co.create(function()
    local ok2, err2 = pcall(co.close, outer)
    assert(not ok2 and string.find(err2, "cannot close a normal coroutine", 1, true), err2)
  end)
  assert(co.resume(inner))
end)
assert(co.resume(outer))

-- a coroutine that dies in error keeps its variables pending until coroutine.close
log = {}
c = co.create(function()
  local x <close> = closer("x")
  error("E", 0)
end)
ok, err = co.resume(c)
assert(not ok and err == "E")
assert(#log == 0)
ok, err = co.close(c)
assert(ok == false and err == "E")
assert(log[1] == "x:E")

-- coroutine.wrap closes the coroutine, then propagates the error
log = {}
local w = co.wrap(function()
  local y <close> = closer("y")
  co.yield()
  error("W", 0)
end)
w()
ok, err = pcall(w)
assert(not ok and err == "W" and log[1] == "y:W")

-- status values
c = co.create(function() co.yield() end)
assert(co.status(c) == "suspended")
co.resume(c)
assert(co.status(c) == "suspended")
co.resume(c)
assert(co.status(c) == "dead")
ok = pcall(co.status, "not a thread")
assert(not ok)

-- pending closers of a coroutine that yields inside a pcall
log = {}
c = co.create(function()
  pcall(function()
    local p <close> = closer("p")
    co.yield()
  end)
end)
co.resume(c)
assert(#log == 0)
assert(co.close(c))
assert(log[1] == "p:nil")
