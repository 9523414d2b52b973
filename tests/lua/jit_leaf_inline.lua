-- Calls of small arithmetic functions through upvalues, which compiled code may
-- compute in place (LEAF-INLINE in jit/src/inline_leaf.rs): results, integer and
-- float semantics, errors from inside the callee, a callee replaced while the caller
-- runs, and hooks that must still see every call.

local function entry(i, j)
  local s = i + j - 2
  return 1.0 / (s * (s + 1) / 2 + i)
end

local function mixed(a, b)
  return a * 3 + b // 2 - -a % 7
end

local function fl(x, y)
  return x * y + 0.5 - x / 4
end

local function big(x)
  return x * 0x7fffffffffff + 9007199254740993
end

local function idiv(a, b)
  return a // b
end

local function fmod(a, b)
  return a % b, 1
end

local function sum_entries(n)
  local s = 0.0
  for i = 1, n do
    for j = 1, n do
      s = s + entry(i, j)
    end
  end
  return s
end

local function expect_entries(n)
  local s = 0.0
  for i = 1, n do
    for j = 1, n do
      local t = i + j - 2
      s = s + 1.0 / (t * (t + 1) / 2 + i)
    end
  end
  return s
end

for _ = 1, 3 do
  assert(sum_entries(30) == expect_entries(30))
end

-- Integers stay integers (wrapping), floats stay floats, mixed operands convert.
local function ints(n)
  local acc = 0
  for k = -n, n do
    acc = acc + mixed(k, 3 * k + 1)
  end
  return acc
end
local function ints_ref(n)
  local acc = 0
  for k = -n, n do
    local b = 3 * k + 1
    acc = acc + (k * 3 + b // 2 - -k % 7)
  end
  return acc
end
for _ = 1, 3 do
  local r = ints(50)
  assert(math.type(r) == "integer" and r == ints_ref(50))
end

local function floats(n)
  local acc = 0.0
  for k = 1, n do
    acc = acc + fl(k, 0.25 * k) + fl(0.5, k)
  end
  return acc
end
for _ = 1, 3 do
  local expect = 0.0
  for k = 1, 40 do
    expect = expect + (k * (0.25 * k) + 0.5 - k / 4) + (0.5 * k + 0.5 - 0.5 / 4)
  end
  assert(floats(40) == expect)
end

local function wraps(n)
  local r
  for k = 1, n do
    r = big(k)
  end
  return r
end
for _ = 1, 3 do
  assert(wraps(20) == 20 * 0x7fffffffffff + 9007199254740993)
  assert(math.type(wraps(20)) == "integer")
end

-- A call as a statement (no result) and a call whose results are all kept.
local function statements(n)
  local t = {}
  for k = 1, n do
    entry(k, k)
    t[#t + 1] = fmod(k, 3)
  end
  return #t, t[1], t[n]
end
for _ = 1, 3 do
  local len, first, last = statements(10)
  assert(len == 10 and first == 1 and last == 1)
end

-- An integer division by zero inside the callee: the error is the callee's, with its
-- line, as if the call had been made.
local function divides(n, zero_at)
  local s = 0
  for k = 1, n do
    s = s + idiv(100, k - zero_at)
  end
  return s
end
for _ = 1, 3 do
  assert(divides(5, 10) == 100 // -9 + 100 // -8 + 100 // -7 + 100 // -6 + 100 // -5)
  local ok, err = pcall(divides, 5, 3)
  assert(not ok and err:find("attempt to divide by zero", 1, true), err)
  assert(err:find("jit_leaf_inline.lua:2%d:"), err)
  local ok2, tb = xpcall(divides, debug.traceback, 5, 3)
  assert(not ok2 and tb:find("in upvalue 'idiv'", 1, true), tb)
end
local function fdiv(n)
  local s = 0.0
  for k = 1, n do
    s = s + idiv(1.0, k - 3)
  end
  return s
end
for _ = 1, 3 do
  assert(fdiv(4) == math.huge)
end

-- The upvalue changes while the caller's code exists: a different function, a
-- callable table, a non-callable value.
local step = function(x) return x + 1 end
local function run(n)
  local s = 0
  for k = 1, n do
    s = s + step(k)
  end
  return s
end
for _ = 1, 3 do assert(run(10) == 65) end
step = function(x) return x * 2 end
for _ = 1, 3 do assert(run(10) == 110) end
step = setmetatable({}, { __call = function(_, x) return x - 1 end })
for _ = 1, 3 do assert(run(10) == 45) end
step = function(x) return x + 1 end
for _ = 1, 3 do assert(run(10) == 65) end
step = 42
for _ = 1, 3 do
  local ok, err = pcall(run, 3)
  assert(not ok and err:find("attempt to call a number value (upvalue 'step')", 1, true), err)
end
step = function(x) return x + 1 end

-- Arguments of other types take the general call, whose result is the callee's.
local function strings(n)
  local s = 0
  for k = 1, n do
    s = s + mixed(tostring(k), k)
  end
  return s
end
local function strings_ref(n)
  local s = 0
  for k = 1, n do
    s = s + (k * 3 + k // 2 - -k % 7)
  end
  return s
end
for _ = 1, 3 do
  local r = strings(5)
  assert(r == strings_ref(5) and math.type(r) == "integer")
end

-- A call hook set while the caller runs sees every call from then on.
local function hooked(n)
  local s = 0.0
  for k = 1, n do
    if k == n // 2 then
      local calls = 0
      debug.sethook(function() calls = calls + 1 end, "c")
      for j = 1, 10 do s = s + entry(j, k) end
      debug.sethook()
      assert(calls >= 10, calls)
    end
    s = s + entry(k, k)
  end
  return s
end
for _ = 1, 3 do assert(hooked(20) > 0) end

print("jit_leaf_inline ok")
