-- Borders of `#t` (LEN-HINT in interp/src/table.rs): push and pop loops, nils at the
-- end and in the middle, shrinking, array/hash rehash, table.insert/remove/move, and
-- `__len`. Multi-border expectations are what lua5.4 prints for the same program.

-- True when n is a border of t (the manual's definition).
local function is_border(t, n)
  return (n == 0 or t[n] ~= nil) and t[n + 1] == nil
end

-- Push with t[#t + 1] and table.insert, pop with t[#t] = nil and table.remove.
local t = {}
for i = 1, 1000 do
  assert(#t == i - 1)
  if i % 2 == 0 then t[#t + 1] = i else table.insert(t, i) end
end
assert(#t == 1000)
for i = 1000, 1, -1 do
  assert(#t == i)
  if i % 2 == 0 then t[#t] = nil else assert(table.remove(t) == i) end
end
assert(#t == 0 and next(t) == nil)

-- Removing from an empty table, and at position #t + 1.
local e = {}
assert(table.remove(e) == nil and #e == 0)
assert(table.remove(e, 1) == nil and #e == 0)
e = {1, 2}
assert(table.remove(e, 3) == nil and #e == 2)

-- Setting the last element to nil, repeatedly, across powers of two.
t = {}
for i = 1, 70 do t[i] = i end
for i = 70, 1, -1 do
  t[i] = nil
  assert(#t == i - 1)
end

-- Nils in the middle (lua5.4 gives the same answers).
t = {}
for i = 1, 10 do t[i] = i end
assert(#t == 10)
t[5] = nil
assert(#t == 10)
t[10] = nil
assert(#t == 9)
t = {1, 2, nil, 4}
assert(#t == 4)
t[4] = nil
assert(#t == 2)
t = {nil, nil, 3}
assert(#t == 3)
t = {}
for i = 1, 10 do t[i] = i end
assert(#t == 10)
t[13] = 1
assert(is_border(t, #t))

-- Constructor-sized array parts, then appends.
t = {1, 2, 3}
t[#t + 1] = 4
t[#t + 1] = 5
assert(#t == 5)
t[5], t[4] = nil, nil
assert(#t == 3)

-- Array and hash parts: keys added in reverse land in the hash part first, then a
-- rehash moves them to the array part.
t = {}
for i = 100, 1, -1 do t[i] = i end
assert(#t == 100)
t.x, t.y = 1, 2
for i = 101, 140 do t[i] = i end
assert(#t == 140)
for i = 140, 120, -1 do t[i] = nil end
assert(#t == 119)
for k = 1, 200 do t["k" .. k] = k end
assert(#t == 119)
for i = 120, 300 do t[i] = i end
assert(#t == 300)

-- A border in the hash part only.
t = {}
t[3], t[2], t[1] = 3, 2, 1
assert(#t == 3)

-- table.insert / table.remove in the middle keep the sequence.
t = {}
for i = 1, 50 do t[i] = i end
table.insert(t, 1, 0)
table.insert(t, 25, -1)
assert(#t == 52 and t[1] == 0 and t[25] == -1 and t[52] == 50)
assert(table.remove(t, 25) == -1 and table.remove(t, 1) == 0)
assert(#t == 50)
for i = 1, 50 do assert(t[i] == i) end
assert(table.remove(t, #t) == 50 and #t == 49)
local ok = pcall(table.insert, t, 60, 1)
assert(not ok and #t == 49)

-- table.move within one table (overlapping both ways) and between tables.
t = {}
for i = 1, 20 do t[i] = i end
table.move(t, 1, 10, 5)
assert(#t == 20 and t[5] == 1 and t[14] == 10 and t[15] == 15)
table.move(t, 5, 14, 1)
for i = 1, 10 do assert(t[i] == i) end
local u = table.move(t, 1, 20, 3, {})
assert(#u == 22 and u[3] == 1 and u[22] == 20 and u[1] == nil)
table.move({}, 1, 5, 18, t)
assert(is_border(t, #t) and #t == 17)

-- __len is used by # and the table library, not the border.
local calls = 0
local p = setmetatable({}, {__len = function() calls = calls + 1; return 3 end})
assert(#p == 3)
table.insert(p, "x")
assert(rawget(p, 4) == "x" and rawlen(p) == 0 and calls == 2)
assert(table.remove(p) == nil and calls == 3)

-- rawlen ignores __len and uses the border.
local r = setmetatable({1, 2, 3}, {__len = function() return 99 end})
assert(#r == 99 and rawlen(r) == 3)

-- Random operations: # is always a border.
local seed = 12345
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end
t = {}
for _ = 1, 5000 do
  local op, k = rnd(6), rnd(80)
  if op == 1 then t[k] = k
  elseif op == 2 then t[k] = nil
  elseif op == 3 then t[#t + 1] = k
  elseif op == 4 then t[#t] = nil
  elseif op == 5 then table.insert(t, k)
  else table.remove(t) end
  assert(is_border(t, #t))
end

-- If a border of maxinteger comes up (through the hash part), insert must not
-- overflow computing #t + 1.
for n0 = 1, 40 do
  t = {}
  for i = 1, n0 do t[i] = i end
  local k = n0 + 1
  while k > 0 do t[k] = k; k = k * 2 end
  t[math.maxinteger] = 0
  if #t == math.maxinteger then
    assert(not pcall(table.insert, t, math.maxinteger, 1))
    assert(pcall(table.insert, t, 1, 1)) -- #t + 1 wraps: nothing is shifted
  end
end
