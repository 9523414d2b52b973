-- Table constructors whose list ends in a call or `...` (SETLIST "up to the top"):
-- the array part grows once to hold every value (SET-LIST in interp/src/table.rs).
-- Nils inside the list, keys given before the list, lists longer than one SETLIST,
-- and the length and order that follow. Run interpreted and compiled.

local function values(...) return ... end
local function count(n)
  local t = {}
  for i = 1, n do t[i] = i end
  return table.unpack(t, 1, n)
end

-- The list's last item expands to all its values, or to none.
do
  local t = { values(1, 2, 3) }
  assert(#t == 3 and t[3] == 3)
  local u = { 10, values(1, 2, 3) }
  assert(#u == 4 and u[1] == 10 and u[4] == 3)
  local e = { values() }
  assert(next(e) == nil)
  local one = { values(7) }
  assert(#one == 1 and one[1] == 7)
  -- Only the last call expands; an earlier one gives one value.
  local m = { values(1, 2), values(3, 4) }
  assert(#m == 3 and m[1] == 1 and m[2] == 3 and m[3] == 4)
end

-- Nils inside the expanded values keep their places; table.pack counts them.
do
  local t = { values(nil, 2, nil, 4) }
  assert(t[1] == nil and t[2] == 2 and t[3] == nil and t[4] == 4)
  local p = table.pack(values(nil, nil, 3))
  assert(p.n == 3 and p[3] == 3)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  assert(n == 2)
end

-- Integer keys given before the list are overwritten by it; others stay.
do
  local t = { [2] = "old", [9] = "kept", x = 1, values("a", "b", "c") }
  assert(t[1] == "a" and t[2] == "b" and t[3] == "c")
  assert(t[9] == "kept" and t.x == 1)
  local u = { [1] = "gone", values() }
  assert(u[1] == "gone")
end

-- Long lists: several SETLISTs of fixed items and a call at the end.
do
  local t = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60,
    count(100),
  }
  assert(#t == 160, #t)
  assert(t[60] == 60 and t[61] == 1 and t[160] == 100)
  local big = { count(5000) }
  assert(#big == 5000 and big[5000] == 5000)
  local sum = 0
  for i, v in ipairs(big) do
    assert(i == v)
    sum = sum + v
  end
  assert(sum == 5000 * 5001 // 2)
end

-- Varargs in a constructor (the binary tree of the bintrees benchmark is in
-- jit_yield_setlist.lua).
do
  local function pack(...) return { ... } end
  local t = pack(1, nil, 3)
  assert(t[1] == 1 and t[3] == 3)
  assert(#pack() == 0)
  local u = pack(table.unpack({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }))
  assert(#u == 10 and u[10] == 10)
end

-- The array part grown by the list is a real array: appends and # continue it.
do
  local t = { values(1, 2, 3) }
  t[#t + 1] = 4
  table.insert(t, 5)
  assert(#t == 5 and t[5] == 5)
  assert(table.concat(t, ",") == "1,2,3,4,5")
  t[5] = nil
  assert(#t == 4)
end

print("table_constructors ok")
