-- Comparators that table.sort enters in compiled code and whose RETURN places its
-- value itself (FAST-RETURN to a native: interp/src/jit_iface/enter.rs, jit_run):
-- one value, several values, none, a value after a self tail call, a comparator
-- with a captured local or a to-be-closed variable (the general return), one that
-- errors, and a sort under a count hook. Run interpreted and with every function
-- compiled at its first call; the results must be the interpreter's.

local function shuffled(n, seed)
  local t = {}
  for i = 1, n do
    t[i] = i
  end
  for i = n, 2, -1 do
    seed = (seed * 1103515245 + 12345) % 2147483648
    local j = seed % i + 1
    t[i], t[j] = t[j], t[i]
  end
  return t
end

local function is_sorted(t, lt)
  for i = 2, #t do
    if lt(t[i], t[i - 1]) then
      return false
    end
  end
  return true
end

-- One value.
local function desc(a, b)
  return a > b
end
for round = 1, 20 do
  local t = shuffled(200, round)
  table.sort(t, desc)
  assert(t[1] == 200 and t[200] == 1 and is_sorted(t, desc))
end

-- A comparator too long to be a short leaf (SHORT-LEAF: those stay interpreted), so
-- compiled code runs it: records by the sum of two keys, then by the larger id.
local function by_record(a, b)
  local x, y = a.group + a.score, b.group + b.score
  if x == y then
    return a.id > b.id
  end
  return x < y
end
for round = 1, 5 do
  local recs = {}
  for i, v in ipairs(shuffled(150, round)) do
    recs[i] = { id = v, group = v % 4, score = (v * 7) % 10 }
  end
  table.sort(recs, by_record)
  assert(is_sorted(recs, by_record))
  local first, last = recs[1], recs[150]
  assert(first.group + first.score <= last.group + last.score)
end

-- Two values (the second is dropped), and a value through a self tail call.
local function two(a, b)
  return a < b, "extra"
end
local t = shuffled(300, 7)
table.sort(t, two)
assert(t[1] == 1 and t[300] == 300)
local function by_mod(a, b, pass)
  if pass then
    return a % 10 < b % 10 or (a % 10 == b % 10 and a < b)
  end
  return by_mod(a, b, true)
end
t = shuffled(300, 11)
table.sort(t, by_mod)
assert(t[1] == 10 and t[2] == 20 and t[300] == 299, t[1] .. " " .. t[2])

-- No value: nil is false, so nothing moves before anything; the sort still ends.
local calls = 0
local function none(a, b)
  calls = calls + 1
end
t = shuffled(50, 3)
table.sort(t, none)
assert(calls > 0)

-- A captured local (the RETURN closes it) and a to-be-closed variable.
local made = {}
local function capturing(a, b)
  local x = a
  made[#made + 1] = function() return x end
  return a < b
end
t = shuffled(100, 5)
table.sort(t, capturing)
assert(t[1] == 1 and t[100] == 100 and #made > 0 and made[1]() ~= nil)
local closed = 0
local closer = setmetatable({}, { __close = function() closed = closed + 1 end })
local function with_tbc(a, b)
  local c <close> = closer
  return a < b
end
t = shuffled(60, 9)
table.sort(t, with_tbc)
assert(t[1] == 1 and t[60] == 60 and closed > 0)

-- An error from the comparator, then a sort that works again.
local function failing(a, b)
  if a == 13 or b == 13 then
    error("thirteen")
  end
  return a < b
end
local ok, err = pcall(table.sort, shuffled(40, 2), failing)
assert(not ok and err:find("thirteen", 1, true), err)
t = shuffled(40, 2)
table.sort(t, desc)
assert(t[1] == 40)

-- Under a count hook the comparator's calls are seen (no native return).
local ticks = 0
debug.sethook(function() ticks = ticks + 1 end, "", 50)
t = shuffled(200, 4)
table.sort(t, desc)
debug.sethook()
assert(ticks > 0 and t[1] == 200 and is_sorted(t, desc))

-- The stack around the sort is intact: values below and results after.
local function sorted_sum(n)
  local before = "below"
  local u = shuffled(n, n)
  table.sort(u, function(a, b) return a > b end)
  return before, u[1], u[n]
end
for n = 2, 60 do
  local s, hi, lo = sorted_sum(n)
  assert(s == "below" and hi == n and lo == 1)
end
print("jit_comparator_return ok")
