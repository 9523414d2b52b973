-- Thread switches: the values that cross a resume or a yield, in every count and
-- adjusted to what the receiving call wants; the resumer's stack stays reachable while
-- a coroutine runs (upvalues into it, debug inspection); threads are collected.

local co = coroutine

-- A yield's results are adjusted to its call's wanted count.
local c = co.wrap(function()
  local a, b, c3 = co.yield()
  local t = {co.yield(a, b, c3)}
  local one = co.yield(#t)
  co.yield(one)
  return select("#", co.yield())
end)
c()
assert(select("#", c(1)) == 3)
assert(c(4, 5, 6, 7) == 4)
assert(c("x", "y") == "x")
c()
assert(c(nil, nil, nil) == 3)

-- Resume results: none, many, nils kept.
local r = co.create(function(...)
  co.yield()
  co.yield(...)
  return nil, nil
end)
assert(select("#", co.resume(r, 1, nil, 3)) == 1)
local p = table.pack(co.resume(r))
assert(p.n == 4 and p[1] == true and p[2] == 1 and p[3] == nil and p[4] == 3)
p = table.pack(co.resume(r))
assert(p.n == 3 and p[1] == true and p[2] == nil and p[3] == nil)
assert(co.status(r) == "dead")

-- A coroutine writes an upvalue that lives on its resumer's (suspended) stack, and
-- reads it back after a nested switch.
local function outer()
  local x = 1
  local inner = co.wrap(function()
    x = x + 10
    co.yield(x)
    x = x * 2
    return x
  end)
  assert(inner() == 11 and x == 11)
  x = x + 1
  assert(inner() == 24 and x == 24)
  return x
end
assert(co.wrap(outer)() == 24)

-- A normal (resuming) coroutine can be inspected from the one it resumed.
local a
a = co.create(function()
  local b = co.create(function()
    assert(co.status(a) == "normal")
    local tb = debug.traceback(a)
    assert(type(tb) == "string" and tb:find("stack traceback", 1, true))
    co.yield("in b")
  end)
  local ok, v = co.resume(b)
  assert(ok and v == "in b")
  co.yield(co.status(b))
end)
local ok, v = co.resume(a)
assert(ok and v == "suspended")

-- Many short-lived threads are collected, and live ones keep working meanwhile.
local keep = co.wrap(function()
  local i = 0
  while true do
    i = i + 1
    co.yield(i)
  end
end)
local before = collectgarbage("count")
for i = 1, 2000 do
  local t = co.wrap(function(x) co.yield(x + 1) return x end)
  assert(t(i) == i + 1)
  assert(keep() == i)
end
collectgarbage()
collectgarbage()
assert(collectgarbage("count") < before + 200)

-- Errors through resume leave the resumer intact.
local e = co.create(function(x)
  co.yield(x)
  error("bad " .. x)
end)
assert(select(2, co.resume(e, "v")) == "v")
local ok2, msg = co.resume(e)
assert(not ok2 and msg:find("bad v", 1, true))
assert(co.status(e) == "dead")
assert(select(2, co.resume(e)) == "cannot resume dead coroutine")

print("ok")
