-- An innermost loop reads the array part of the tables it indexes once, at its
-- FORPREP (ARRAY-CACHE in jit/src/array_cache.rs), and again after every call it
-- makes and at every entry into it. These loops change the tables they index in
-- every way a call can (growing the array part, shrinking it, setting a metatable,
-- replacing elements), and read elements past the array part, so that a stale
-- address or length would show as a wrong value or a crash.
-- Only loops whose table accesses outnumber their calls cache, so each loop here
-- reads its tables more often than it calls.
-- Run interpreted and with every function compiled: the results must be the same.

-- The first iteration reads through the array part read at the FORPREP.
local function sum_diffs(a)
  local s = 0
  for i = 2, #a do
    s = s + a[i] - a[i - 1]
  end
  return s
end
local sq = {}
for i = 1, 50 do sq[i] = i * i end
assert(sum_diffs(sq) == 2500 - 1)

-- A call inside the loop grows the table, so that its array part moves, and then
-- negates every element: the old array part keeps the old values.
local function grow(t, n)
  for k = #t + 1, #t + n do t[k] = k end
  for k = 1, #t do t[k] = -t[k] end
end
local function read_while_growing(t)
  local s = 0
  for i = 1, 40 do
    s = s + t[i] + t[i + 1] - t[i + 1]
    if i % 8 == 0 then grow(t, 64) end
  end
  return s
end
local g = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }
local g_r = read_while_growing(g)
assert(g_r == 164, g_r)

-- A call shrinks the array part (a rehash after most elements became nil and many
-- string keys arrived), then changes an element that moved to the hash part: the old
-- array part keeps its old value.
local function shrink(t)
  for k = 5, #t do
    if k ~= 40 then t[k] = nil end
  end
  for k = 1, 200 do t["x" .. k] = k end
  t[40] = -40
end
local function read_while_shrinking(t)
  local sum = 0
  for i = 1, 60 do
    if t[i] ~= nil then sum = sum + t[i] end
    if i == 2 then shrink(t) end
  end
  return sum
end
local big = {}
for i = 1, 64 do big[i] = i end
local big_r = read_while_shrinking(big)
assert(big_r == 1 + 2 + 3 + 4 - 40, big_r)

-- A store through the helper (a new key past the array part) may resize the array
-- part in the loop itself.
local function append_loop(n)
  local t = {}
  local s = 0
  for i = 1, n do
    t[i] = i
    s = s + t[i] + (t[i - 1] or 0)
  end
  return s, #t
end
local s1, n1 = append_loop(300)
assert(s1 == 300 * 301 - 300 and n1 == 300, s1)

-- A call shrinks the table (its elements become nil): reads past the end are nil.
local function clear_from(t, k)
  for j = #t, k, -1 do t[j] = nil end
end
local function count_live(t)
  local live = 0
  for i = 1, 30 do
    if t[i] ~= nil and t[i] == i then live = live + 1 end
    if i == 10 then clear_from(t, 15) end
  end
  return live
end
local c = {}
for i = 1, 30 do c[i] = i end
local c_r = count_live(c)
assert(c_r == 14, c_r)

-- A call gives the table a metatable: nil slots then go to __index.
local function read_defaults(t)
  local s = 0
  for i = 1, 20 do
    s = s + t[i] + t[i] * 0
    if i == 5 then
      setmetatable(t, { __index = function(_, k) return k * 100 end })
    end
  end
  return s
end
local d = {}
for i = 1, 20 do d[i] = i end
for i = 11, 20 do d[i] = nil end
-- d[11 .. 20] are nil: each reads k * 100 through __index, set after i == 5.
local d_r = read_defaults(d)
assert(d_r == 55 + 15500, d_r)

-- A write loop with a __newindex installed half-way by a call: nil slots go to it.
local log = {}
local function prepare(t, n)
  for j = 5, n do t[j] = nil end
  setmetatable(t, { __newindex = function(tt, k, v) log[#log + 1] = k; rawset(tt, k, v) end })
end
local function fill(t, n)
  for i = 1, n do
    t[i] = i
    t[i] = t[i] + 0
    if i == 3 then prepare(t, n) end
  end
  return #log
end
local w = {}
for i = 1, 10 do w[i] = 0 end
assert(fill(w, 10) == 6 and log[1] == 5 and log[6] == 10 and w[10] == 10)

-- Two tables swapped by a call between iterations (registers never written in the
-- loop keep their table; the call changes the tables' contents).
local function swap_contents(a, b)
  for i = 1, #a do a[i], b[i] = b[i], a[i] end
end
local function zip_sum(a, b)
  local s = 0
  for i = 1, #a do
    s = s + a[i] * 10 + b[i]
    swap_contents(a, b)
  end
  return s
end
assert(zip_sum({ 1, 2, 3, 4 }, { 5, 6, 7, 8 }) == 10 + 5 + 60 + 2 + 30 + 7 + 80 + 4)

-- A long loop, entered in compiled code half-way (on-stack replacement), whose
-- table grows on every iteration through a function.
local function push(t, v) t[#t + 1] = v end
local function osr_grow(n)
  local t = { 0 }
  local s = 0
  for i = 1, n do
    push(t, i)
    s = s + t[i] + t[i + 1]
  end
  return s
end
assert(osr_grow(5000) == 5000 * 5000)

-- A coroutine that yields inside the loop body: the loop is resumed at the pc after
-- the call, and its table grew meanwhile.
local co = coroutine.wrap(function(t)
  local s = 0
  for i = 1, 20 do
    s = s + t[i] + t[i] * 0
    t[#t + 1] = coroutine.yield(s)
  end
  return s
end)
local feed = { 1 }
local r = co(feed)
for step = 1, 20 do
  r = co(step * step)
end
-- t = { 1, 1, 4, 9, ..., 400 }: the loop adds t[1 .. 20].
assert(r == 1 + 2470 and #feed == 21, r)

print("jit_array_cache ok")
