-- Yields from compiled code and table constructors in compiled code. A generator
-- whose every pass ends in a yield is left to the interpreter after 1000 such passes
-- (YIELD-BLACKLIST in jit/src/yields.rs); its values, errors and tracebacks must be
-- the same before and after. SETLIST runs through the list helper (allocating.rs).
-- Run interpreted and with every function compiled.

local jit_on = jit and jit.status()

-- A generator yielding on every pass, well past the blacklist mark.
do
  local function numbers(limit)
    return coroutine.wrap(function()
      for i = 1, limit do
        coroutine.yield(i, i * 2)
      end
      return "done"
    end)
  end
  local gen = numbers(3000)
  local sum, twice = 0, 0
  for _ = 1, 3000 do
    local a, b = gen()
    sum = sum + a
    twice = twice + b
  end
  assert(sum == 3000 * 3001 // 2, sum)
  assert(twice == 2 * sum, twice)
  assert(gen() == "done")
  local ok, err = pcall(gen)
  assert(not ok and err:find("dead coroutine"), err)
end

-- A ring of coroutines (resume/yield with values both ways), blacklisted midway.
do
  local ring = {}
  for i = 1, 4 do
    ring[i] = coroutine.create(function(token)
      while true do
        token = coroutine.yield((token + i) % 1000003)
      end
    end)
  end
  local token = 0
  for lap = 1, 1500 do
    for i = 1, 4 do
      local ok, t = coroutine.resume(ring[i], token + lap)
      assert(ok, t)
      token = t
    end
  end
  local want = 0
  for lap = 1, 1500 do
    for i = 1, 4 do
      want = (want + lap + i) % 1000003
    end
  end
  assert(token == want, token)
  for i = 1, 4 do
    assert(coroutine.status(ring[i]) == "suspended")
  end
end

-- The same generator shape with -joff must give the same numbers: a checksum.
do
  local co = coroutine.wrap(function()
    local x = 0
    while true do
      x = (x * 31 + 7) % 1000003
      coroutine.yield(x)
    end
  end)
  local acc = 0
  for _ = 1, 2500 do
    acc = (acc + co()) % 1000000007
  end
  local x, want = 0, 0
  for _ = 1, 2500 do
    x = (x * 31 + 7) % 1000003
    want = (want + x) % 1000000007
  end
  assert(acc == want, acc)
end

-- An error after the blacklist: the message names the coroutine's line.
do
  local co = coroutine.create(function(n)
    for i = 1, n do
      if i == 2500 then error("boom at " .. i) end
      coroutine.yield(i)
    end
  end)
  local last
  for _ = 1, 2500 do
    local ok, v = coroutine.resume(co, 2600)
    if not ok then
      last = v
      break
    end
  end
  assert(type(last) == "string" and last:find("jit_yield_setlist.lua:%d+: boom at 2500"), last)
  assert(coroutine.status(co) == "dead")
end

-- A generator with an inner loop between yields stays compiled (not blacklisted).
do
  local gen = coroutine.wrap(function()
    for i = 1, 1500 do
      local s = 0
      for j = 1, 10 do s = s + j end
      coroutine.yield(s + i)
    end
  end)
  local acc = 0
  for _ = 1, 1500 do acc = acc + gen() end
  assert(acc == 1500 * 55 + 1500 * 1501 // 2, acc)
end

if jit_on then
  local s = jit.stats()
  assert((s.exits.unwind or 0) >= 3000, s.exits.unwind)
  assert(s.blacklisted >= 3, s.blacklisted)
end

-- Table constructors: fixed, multiple results, empty results, nils, nested, long.
do
  local function f(...) return ... end
  local function three() return 1, 2, 3 end
  for i = 1, 50 do
    local t = { i, f(i, i + 1), three() }
    assert(#t == 5 and t[1] == i and t[2] == i and t[3] == 1 and t[5] == 3)
    local u = { f() }
    assert(next(u) == nil)
    local v = { 1, 2, f(nil, nil) }
    assert(v[1] == 1 and v[2] == 2 and v[3] == nil and v[4] == nil)
    local w = { three(), three() }
    assert(#w == 4 and w[1] == 1 and w[4] == 3)
    local n = { { i }, { { i + 1 } }, x = i }
    assert(n[1][1] == i and n[2][1][1] == i + 1 and n.x == i)
    local big = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
      21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
      41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, i }
    assert(#big == 61 and big[61] == i and big[50] == 50)
    local packed = table.pack(three())
    assert(packed.n == 3)
    local function varargs(...) return { ... } end
    local va = varargs(i, nil, i)
    assert(va[1] == i and va[3] == i)
  end
end

-- A binary tree built by recursion (the constructor's last item is a call).
do
  local function make(depth)
    if depth == 0 then return {} end
    depth = depth - 1
    return { make(depth), make(depth) }
  end
  local function check(t)
    if not t[1] then return 1 end
    return 1 + check(t[1]) + check(t[2])
  end
  assert(check(make(10)) == 2047)
end

-- A constructor long enough for SETLIST's EXTRAARG (index base past 255).
do
  local items = {}
  for i = 1, 700 do items[i] = tostring(i * 3) end
  local mk = load("local x = ... return { " .. table.concat(items, ", ") .. ", x, x + 1 }")
  for round = 1, 20 do
    local t = mk(round)
    assert(#t == 702 and t[1] == 3 and t[300] == 900 and t[700] == 2100, #t)
    assert(t[701] == round and t[702] == round + 1)
  end
end
