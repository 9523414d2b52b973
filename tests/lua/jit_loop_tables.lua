-- LOOP-TABLES: a numeric loop checks once, at its entry, that the registers it
-- indexes and never writes hold tables. These loops meet strings, a table with
-- __index, values changed through upvalues and loops entered with other types;
-- every result must be the interpreter's.

-- A loop indexing a string through its metatable (GETFIELD on a string): the
-- entry check misses and the function is compiled again without the assumption.
local function count_upper(s, n)
  local c = 0
  for _ = 1, n do
    local f = s.upper
    if f(s) == "AB" then c = c + 1 end
  end
  return c
end
for _ = 1, 30 do
  assert(count_upper("ab", 50) == 50)
end

-- The same function gets tables first, then a string.
local function sum_field(t, n)
  local s = 0
  for i = 1, n do
    s = s + #t.name + i
  end
  return s
end
for _ = 1, 50 do
  assert(sum_field({ name = "xyz" }, 10) == 30 + 55)
end
local str_meta = getmetatable("")
str_meta.__index.name = "abcd"
assert(sum_field("q", 10) == 40 + 55)
str_meta.__index.name = nil

-- Array loops over tables, with a table that has an __index metamethod.
local function dot(a, b, n)
  local s = 0
  for i = 1, n do
    s = s + a[i] * b[i]
  end
  return s
end
local a, b = {}, setmetatable({}, { __index = function(_, i) return i end })
for i = 1, 100 do a[i] = i end
for _ = 1, 20 do
  assert(dot(a, a, 100) == 338350)
  assert(dot(a, b, 100) == 338350)
end

-- A register the loop indexes is changed by a closure it calls (captured): the
-- loop must see the new value's type.
local function through_upvalue(n)
  local t = { 1, 2, 3 }
  local function swap() t = "abc" end
  local s = 0
  for i = 1, n do
    if i == 3 then swap() end
    local ok, v = pcall(function() return t[1] end)
    if ok and type(v) == "number" then s = s + v end
  end
  return s
end
for _ = 1, 20 do
  assert(through_upvalue(5) == 2)
end

-- Nested loops: the inner loop's table is the outer loop's row.
local function total(m)
  local s = 0
  for i = 1, #m do
    local row = m[i]
    for j = 1, #row do
      s = s + row[j]
    end
  end
  return s
end
local m = {}
for i = 1, 10 do
  m[i] = {}
  for j = 1, 10 do m[i][j] = i * j end
end
for _ = 1, 20 do
  assert(total(m) == 3025)
end

-- Indexing a non-table inside the loop raises the interpreter's error.
local function bad(x, n)
  local s = 0
  for i = 1, n do s = s + x[i] end
  return s
end
for _ = 1, 20 do
  local ok, err = pcall(bad, 42, 3)
  assert(not ok and err:find("attempt to index a number value %(local 'x'%)"), err)
end
print("jit_loop_tables ok")
