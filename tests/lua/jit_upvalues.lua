-- Upvalue and global reads in compiled code (UPVAL-INLINE in jit/src/inline_upval.rs):
-- closed and open upvalues, upvalues of other coroutines' frames, replaced or
-- metatabled environments, globals removed during a loop, debug.upvaluejoin, a stack
-- that grows while an open upvalue is read, deep recursion. Run interpreted and with
-- every function compiled.

-- An open upvalue (the local function reads itself while the chunk runs) and deep
-- recursion through it.
local function fib(k)
  if k < 2 then return k end
  return fib(k - 1) + fib(k - 2)
end
assert(fib(20) == 6765)

local function depth(n)
  if n == 0 then return 0 end
  return 1 + depth(n - 1)
end
assert(depth(5000) == 5000)

-- A closed upvalue read in a loop, and an open one changed by a callee.
do
  local function counter()
    local c = 10
    return function(n)
      local s = 0
      for _ = 1, n do s = s + c end
      return s
    end
  end
  local f = counter()
  assert(f(100) == 1000)

  local x = 1
  local function get() return x end
  local function set(v) x = v end
  local sum = 0
  for i = 1, 50 do
    sum = sum + get()
    if i == 25 then set(3) end
  end
  assert(sum == 25 * 1 + 25 * 3, sum)
end

-- Open upvalues of a caller's frame, written by the caller between calls (the caller
-- keeps its registers in machine registers: they must be stored before each call).
do
  local acc = 0
  local function read() return acc end
  local seen = 0
  for i = 1, 100 do
    acc = acc + i
    seen = seen + read()
  end
  local want = 0
  for i = 1, 100 do want = want + i * (i + 1) // 2 end
  assert(seen == want, seen)
end

-- Upvalues of a coroutine's frame read from another coroutine (and from the main
-- thread), while the coroutine is suspended.
do
  local reader
  local co = coroutine.create(function()
    local v = 1
    reader = function() return v end
    for i = 1, 5 do
      v = i * 100
      coroutine.yield()
    end
  end)
  local got = {}
  for _ = 1, 5 do
    coroutine.resume(co)
    got[#got + 1] = reader()
    local other = coroutine.wrap(function() return reader() end)
    assert(other() == got[#got])
  end
  assert(table.concat(got, ",") == "100,200,300,400,500")
end

-- A coroutine reading an upvalue of the main thread's frame (open, other thread).
do
  local shared = 7
  local co = coroutine.wrap(function()
    local s = 0
    for _ = 1, 20 do
      s = s + shared
      coroutine.yield(s)
    end
  end)
  for i = 1, 20 do
    local s = co()
    local want = i <= 3 and 7 * i or 21 + 8 * (i - 3)
    assert(s == want, s)
    if i == 3 then shared = 8 end
  end
end

-- _ENV replaced by a local table.
do
  local function run()
    local _ENV = { x = 5, y = 6 }
    local s = 0
    for _ = 1, 10 do s = s + x * y end
    return s
  end
  assert(run() == 300)
  local function with_env(env)
    local _ENV = env
    return function() return a + b end
  end
  local g = with_env({ a = 1, b = 2 })
  for _ = 1, 10 do assert(g() == 3) end
end

-- A global served by __index of _G's metatable, and a global removed during a loop.
do
  setmetatable(_G, { __index = function(_, k) if k == "magic" then return 42 end end })
  local s = 0
  for _ = 1, 10 do s = s + magic end
  assert(s == 420)
  setmetatable(_G, nil)

  glob = 1
  local n = 0
  for i = 1, 10 do
    if glob then n = n + glob end
    if i == 5 then glob = nil end
  end
  assert(n == 5 and glob == nil)
  glob = "back"
  local function read_glob() return glob end
  for _ = 1, 3 do assert(read_glob() == "back") end
end

-- debug.upvaluejoin, including an upvalue of the function's own running frame.
do
  local a, b = "a", "b"
  local function fa() return a end
  local function fb() return b end
  for _ = 1, 3 do assert(fa() == "a") end
  debug.upvaluejoin(fa, 1, fb, 1)
  for _ = 1, 3 do assert(fa() == "b") end
  b = "b2"
  assert(fa() == "b2")

  local outer = "outer"
  local function self_join()
    local mine = 1
    local function peek() return mine end
    local r = outer
    debug.upvaluejoin(self_join, 1, peek, 1)
    local s = 0
    for i = 1, 5 do
      mine = i * 10
      s = s + outer -- now reads `mine` of this very frame
    end
    for i = 1, 3 do
      outer = i -- writes `mine`
      s = s + mine
    end
    return r, s
  end
  local r, s = self_join()
  assert(r == "outer" and s == 10 + 20 + 30 + 40 + 50 + 1 + 2 + 3, s)
end

-- The stack grows (deep calls) while a compiled function reads an open upvalue of a
-- lower frame: the read must follow the stack to its new place.
do
  local v = 0
  local function deep(n)
    if n == 0 then return v end
    local r = deep(n - 1)
    return r + v
  end
  for round = 1, 3 do
    v = round
    assert(deep(300) == 301 * round)
  end
  local big = {}
  local function grow(n)
    local t = { n, n, n, n, n, n, n, n, n, n }
    if n > 0 then return grow(n - 1) + v end
    return v + #t - 10
  end
  v = 2
  assert(grow(500) == 501 * 2)
  big[1] = v
end

-- Open upvalues of lower frames of the same coroutine (its own stack, which grows).
do
  local co = coroutine.wrap(function(n)
    local base = 3
    local function f(k)
      if k == 0 then return base end
      local t = { k, k, k, k, k, k, k, k }
      return f(k - 1) + base + #t - 8
    end
    local r = f(n)
    coroutine.yield(r)
    base = 4
    return f(n)
  end)
  assert(co(400) == 401 * 3)
  assert(co() == 401 * 4)
end
