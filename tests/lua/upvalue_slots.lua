-- Upvalues reached through their slot (UPVAL-SLOT in interp/src/func.rs): an open
-- upvalue's slot follows its stack when the stack is reallocated, an upvalue open on
-- a suspended coroutine's stack is read and written from another thread, and closing
-- moves the value into the upvalue. Run interpreted and with every function compiled.

-- Grows the running stack far past its first size (each level holds many registers).
local function deep(n)
  local a, b, c, d, e, f, g, h = n, n, n, n, n, n, n, n
  if n == 0 then return 0 end
  return deep(n - 1) + (a + b + c + d + e + f + g + h) // 8 - n + 1
end

-- An open upvalue written and read across stack reallocations.
do
  local x = 1
  local function bump(k) x = x + k; return x end
  local function read() return x end
  for round = 1, 5 do
    assert(deep(2000 * round) == 2000 * round)
    bump(round)
    assert(read() == x)
  end
  assert(x == 16, x)
  -- The same variable through two closures made at different depths.
  local function make_at(n)
    if n == 0 then return function(v) x = v end end
    return make_at(n - 1)
  end
  local set = make_at(3000)
  set(99)
  assert(x == 99 and read() == 99)
end

-- An upvalue open on a suspended coroutine's stack: the main thread reads and writes
-- it while the coroutine sleeps, and the coroutine sees the writes after its stack
-- grew.
do
  local get, set
  local co = coroutine.create(function()
    local v = "start"
    get = function() return v end
    set = function(n) v = n end
    local seen = {}
    for i = 1, 3 do
      coroutine.yield(v)
      assert(deep(1500 * i) == 1500 * i)
      seen[#seen + 1] = v
      v = v .. "!"
    end
    return table.concat(seen, ",")
  end)
  local ok, first = coroutine.resume(co)
  assert(ok and first == "start")
  assert(get() == "start")
  set("a")
  assert(get() == "a")
  local _, second = coroutine.resume(co)
  assert(second == "a!", second)
  set("b")
  local _, third = coroutine.resume(co)
  assert(third == "b!", third)
  set("c")
  local _, all = coroutine.resume(co)
  assert(all == "a,b,c", all)
  assert(coroutine.status(co) == "dead")
  -- Closed with the coroutine's end: the value stays.
  assert(get() == "c!")
  set(5)
  assert(get() == 5)
end

-- Closing: each loop iteration's variable closes separately; shared closures keep
-- sharing after the frame ends.
do
  local fns = {}
  for i = 1, 4 do
    local v = i * 10
    fns[i] = {
      get = function() return v end,
      add = function(k) v = v + k end,
    }
  end
  for i = 1, 4 do fns[i].add(i) end
  for i = 1, 4 do assert(fns[i].get() == i * 11, i) end
  local function pair()
    local s = 0
    return function(k) s = s + k end, function() return s end
  end
  local add, get = pair()
  for k = 1, 100 do add(k) end
  assert(get() == 5050)
end

-- A coroutine that closes over its own locals and dies with an error: its open
-- upvalues are closed with the values they had.
do
  local read
  local co = coroutine.create(function()
    local w = 7
    read = function() return w end
    w = 8
    error("stop")
  end)
  local ok, msg = coroutine.resume(co)
  assert(not ok and msg:find("stop"))
  assert(read() == 8)
  coroutine.close(co)
  assert(read() == 8)
end

-- Values of every type through an upvalue (the slot copies the whole value).
do
  local v
  local function put(x) v = x end
  local function get() return v end
  local t = {}
  for _, x in ipairs({ 1, 2.5, "s", true, t, put, math.mininteger }) do
    put(x)
    assert(rawequal(get(), x))
  end
  put(nil)
  assert(get() == nil)
end

-- Fresh objects stored into a closed upvalue while the collector runs: the write
-- barrier keeps each one alive (compiled SETUPVAL leaves a black upvalue's store to
-- the helper, which runs the barrier).
do
  local holder
  do
    local cell
    holder = {
      put = function(v) cell = v end,
      get = function() return cell end,
    }
  end
  collectgarbage("incremental")
  for i = 1, 20000 do
    holder.put({ i, tostring(i) })
    if i % 97 == 0 then collectgarbage("step", 1) end
    local _ = { i }
    local got = holder.get()
    assert(got[1] == i and got[2] == tostring(i))
  end
  collectgarbage()
  assert(holder.get()[2] == "20000")
end

print("upvalue_slots ok")
