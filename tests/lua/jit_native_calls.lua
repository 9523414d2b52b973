-- Calls of native (library) functions from compiled code (NATIVE-CALL-LEAN in
-- interp/src/jit_iface/call.rs): results adjusted to the call's count (none, one, a few,
-- all), native closures, errors with the right message and line, a native that calls
-- back into Lua (pcall, table.sort), yields across a native call inside a coroutine,
-- a hook set by the callee, and calls made with a nearly full stack (the general path).
-- Run interpreted and with every function compiled.

-- Result counts: fewer than wanted (nil filled), more (dropped), none, all.
local function counts(n)
  local s = 0
  for i = 1, n do
    local a, b, c = string.byte("xy", 1, 2)
    assert(a == 120 and b == 121 and c == nil)
    local d = math.max(i, 3, 1)
    assert(d == (i > 3 and i or 3))
    select(1, i, i)
    local t = { string.byte("abcde", 1, -1) }
    assert(#t == 5 and t[5] == 101)
    assert(select("#", string.byte("abc", 1, 3)) == 3)
    local e, f = type(i)
    assert(e == "number" and f == nil)
    s = s + d
  end
  return s
end
assert(counts(20) == 3 * 3 + (4 + 20) * 17 / 2)

-- Native closures (an iterator) and string methods.
local function words(s)
  local n, len = 0, 0
  for w in s:gmatch("%a+") do
    n = n + 1
    len = len + #w
  end
  return n, len
end
for _ = 1, 5 do
  local n, len = words("one two three four")
  assert(n == 4 and len == 15)
end

-- Errors raised by a native: message, position, and pcall from compiled code.
local function bad(i)
  return string.rep("x", i, {})
end
for i = 1, 5 do
  local ok, e = pcall(bad, i)
  assert(not ok and e:find("bad argument #3 to 'rep'"), e)
end
local function thrower(i)
  for j = 1, 3 do
    if j == i then
      error("stop at " .. j)
    end
  end
  return i
end
for i = 1, 5 do
  local ok, e = pcall(thrower, i)
  if i <= 3 then
    assert(not ok and e:find("jit_native_calls.lua:%d+: stop at " .. i), e)
  else
    assert(ok and e == i)
  end
end

-- A native that calls back into Lua from compiled code.
local function sorter(n)
  local t = {}
  for i = 1, n do
    t[i] = (i * 7) % n
  end
  table.sort(t, function(a, b) return a > b end)
  for i = 2, n do
    assert(t[i - 1] >= t[i])
  end
  return t[1]
end
for _ = 1, 5 do
  assert(sorter(50) == 49)
end

-- Yields across native calls inside a coroutine whose body is compiled.
local gen = coroutine.wrap(function()
  for i = 1, 30 do
    local x = math.abs(-i)
    coroutine.yield(x, string.char(64 + (i % 26) + 1))
  end
  return "done"
end)
for i = 1, 30 do
  local x, c = gen()
  assert(x == i and c == string.char(64 + (i % 26) + 1))
end
assert(gen() == "done")

-- A hook set by a native called from compiled code takes effect at once.
local calls = 0
local function hooked(n)
  local s = 0
  for i = 1, n do
    if i == n // 2 then
      debug.sethook(function() calls = calls + 1 end, "c")
    end
    s = s + math.abs(-i)
  end
  debug.sethook()
  return s
end
assert(hooked(40) == 820)
assert(calls > 0, calls)

-- Native calls with little stack left (the general path grows it).
local function deep(d)
  if d == 0 then
    return string.len("abc") + select("#", 1, 2, 3)
  end
  local r = deep(d - 1)
  assert(math.type(r) == "integer")
  return r
end
for _ = 1, 3 do
  assert(deep(3000) == 6)
end
