-- Calls compiled code makes itself (DIRECT-CALL in interp/src/jit_iface/direct.rs):
-- fixed arguments and up to three fixed results are pushed, called and returned inline;
-- every other case must behave exactly as interpreted. Run interpreted and with every
-- function compiled.

-- Two and three results, exactly as many as wanted.
local function divmod(a, b) return a // b, a % b end
local function three(x) return x, x * 2, x * 3 end
local q, r, s3 = 0, 0, 0
for i = 1, 300 do
  local d, m = divmod(i * 7, 5)
  q, r = q + d, r + m
  local a, b, c = three(i)
  s3 = s3 + a + b + c
end
assert(q == 63090 and r == 600, q .. " " .. r)
assert(s3 == 6 * (300 * 301 // 2), s3)

-- Fewer results than wanted (padded with nil) and more (cut), through the same site.
local function some(n)
  if n == 0 then return end
  if n == 1 then return 1 end
  if n == 2 then return 1, 2 end
  return 1, 2, 3, 4
end
for round = 1, 50 do
  for n = 0, 3 do
    local a, b, c = some(n)
    if n == 0 then assert(a == nil and b == nil and c == nil) end
    if n == 1 then assert(a == 1 and b == nil and c == nil) end
    if n == 2 then assert(a == 1 and b == 2 and c == nil) end
    if n == 3 then assert(a == 1 and b == 2 and c == 3, round) end
  end
end

-- More parameters than arguments (nil filled: the helper's push) and more arguments
-- than parameters (the extra ones are ignored), with two results.
local function pair(a, b, c) return a + (b or 10), c == nil end
for i = 1, 100 do
  local x, none = pair(i)
  assert(x == i + 10 and none)
  local y, none2 = pair(i, 1, 2, 3)
  assert(y == i + 1 and not none2)
end

-- A vararg callee is called by the helper, with the same results.
local function va(...) local a, b = ... return b, a end
for i = 1, 100 do
  local x, y = va(i, i + 1)
  assert(x == i + 1 and y == i)
end

-- Deep recursion with two results: the frame vector and the value stack grow on the
-- way (the helper's push), then the inline path resumes.
local function depth(n)
  if n == 0 then return 0, 1 end
  local d, w = depth(n - 1)
  return d + 1, w * 1
end
for _ = 1, 3 do
  local d, w = depth(20000)
  assert(d == 20000 and w == 1)
end

-- An error inside a callee reached inline: message, position and traceback as
-- interpreted.
local function bad(x) return x.field, 1 end
local function calls_bad(x) local a, b = bad(x) return a, b end
for _ = 1, 5 do
  local ok, err = pcall(calls_bad, nil)
  assert(not ok)
  assert(err:find("jit_direct_call.lua:%d+: attempt to index a nil value %(local 'x'%)"), err)
end
local tb
local ok = xpcall(calls_bad, function(m) tb = debug.traceback(m, 1) return m end, nil)
assert(not ok)
assert(tb:find("in upvalue 'bad'"), tb)
assert(tb:find("in function <[^>]*jit_direct_call.lua:%d+>") or tb:find("calls_bad"), tb)

-- A callee that yields: the coroutine resumes it where it stopped.
local function step(x)
  local y = coroutine.yield(x)
  return y, x
end
local co = coroutine.wrap(function()
  local total = 0
  for i = 1, 20 do
    local y, x = step(i)
    total = total + y * x
  end
  return total
end)
local v = co()
local n = 1
while n <= 20 do
  v = co(n * 2)
  n = n + 1
end
assert(v == 2 * (20 * 21 * 41 // 6), v)

-- A hook set inside a callee: the caller continues under the hook (interpreted).
local lines = 0
local function sethook_inside()
  debug.sethook(function() lines = lines + 1 end, "l")
  return 1, 2
end
local function hooked()
  local a, b = sethook_inside()
  local c = a + b
  return c
end
assert(hooked() == 3)
debug.sethook()
assert(lines > 0)

-- The callee redefined between calls through the same site (an upvalue).
local target = function(x) return x, 1 end
local function via(x) local a, b = target(x) return a + b end
for i = 1, 100 do
  if i == 51 then target = function(x) return x, 2 end end
  assert(via(i) == i + (i > 50 and 2 or 1))
end

-- A callee that captures a local and returns two results (the RETURN closes it).
local function counter(x)
  local n = x
  return function() n = n + 1 return n end, n
end
for i = 1, 100 do
  local f, start = counter(i)
  f()
  assert(f() == start + 2)
end
print("ok")
