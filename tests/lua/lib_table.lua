-- table library (manual 6.6): concat, insert, move, pack, remove, sort, unpack,
-- with metamethods, bounds and argument errors.

-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

-- Joins a sequence with commas for easy comparison.
local function show(t, n)
  local parts = {}
  for i = 1, n or #t do parts[i] = tostring(t[i]) end
  return table.concat(parts, ",")
end

-- ---------------------------------------------------------------------------
-- table.concat
-- ---------------------------------------------------------------------------
assert(table.concat({}) == "")
assert(table.concat({"a", "b", "c"}) == "abc")
assert(table.concat({"a", "b", "c"}, ", ") == "a, b, c")
assert(table.concat({1, 2.5, "x"}, "-") == "1-2.5-x")
assert(table.concat({"a", "b", "c"}, "", 2) == "bc")
assert(table.concat({"a", "b", "c"}, "", 2, 2) == "b")
assert(table.concat({"a", "b", "c"}, "", 3, 2) == "")
assert(table.concat({"a", "b", "c"}, "|", 1, 3) == "a|b|c")
assert(table.concat({[-1] = "x", [0] = "y", [1] = "z"}, "", -1, 1) == "xyz")
assert(table.concat({"a\0", "\0b"}, "\0") == "a\0\0\0b")
check_error("invalid value (table) at index 2 in table for 'concat'", table.concat, {1, {}, 3})
check_error("invalid value (nil) at index 4 in table for 'concat'", table.concat, {1, 2, 3}, "", 1, 4)
check_error("bad argument #1 to 'concat' (table expected, got no value)", function() return table.concat() end)
check_error("bad argument #2 to 'concat' (string expected, got table)", function() return table.concat({}, {}) end)
check_error("bad argument #3 to 'concat' (number has no integer representation)", function() return table.concat({}, "", 1.5) end)
local proxied = setmetatable({}, {__index = function(_, i) return "v" .. i end, __len = function() return 3 end})
assert(table.concat(proxied, ",") == "v1,v2,v3")

-- ---------------------------------------------------------------------------
-- table.insert
-- ---------------------------------------------------------------------------
local t = {}
table.insert(t, "a")
table.insert(t, "b")
table.insert(t, 1, "c")
assert(show(t) == "c,a,b")
table.insert(t, 4, "d")        -- position #t + 1 is allowed
assert(show(t) == "c,a,b,d")
table.insert(t, 2, "e")
assert(show(t) == "c,e,a,b,d")
table.insert(t, 2.0, "f")
assert(t[2] == "f")
check_error("bad argument #2 to 'insert' (position out of bounds)", function() return table.insert({1, 2}, 5, 1) end)
check_error("bad argument #2 to 'insert' (position out of bounds)", function() return table.insert({1, 2}, 0, 1) end)
check_error("bad argument #2 to 'insert' (position out of bounds)", function() return table.insert({1, 2}, -1, 1) end)
check_error("wrong number of arguments to 'insert'", function() return table.insert({}, 1, 2, 3) end)
check_error("wrong number of arguments to 'insert'", function() return table.insert({}) end)
check_error("bad argument #1 to 'insert' (table expected, got nil)", function() return table.insert(nil, 1) end)
check_error("bad argument #2 to 'insert' (number expected, got string)", function() return table.insert({}, "x", 1) end)
check_error("bad argument #2 to 'insert' (number has no integer representation)", function() return table.insert({}, 1.5, 1) end)
local log = {}
local watched = setmetatable({}, {__newindex = function(tt, k, v) log[#log + 1] = k; rawset(tt, k, v) end})
table.insert(watched, "x")
assert(log[1] == 1 and watched[1] == "x")
table.insert(t, nil)   -- inserting nil at the end is allowed
assert(#t == 6)

-- ---------------------------------------------------------------------------
-- table.remove
-- ---------------------------------------------------------------------------
t = {"a", "b", "c", "d"}
assert(table.remove(t) == "d" and show(t) == "a,b,c")
assert(table.remove(t, 1) == "a" and show(t) == "b,c")
assert(table.remove(t, 2) == "c" and show(t) == "b")
assert(table.remove(t, 2) == nil)       -- #t + 1 is allowed
assert(table.remove(t) == "b" and #t == 0)
assert(table.remove(t) == nil)          -- empty table
assert(table.remove(t, 0) == nil)       -- position 0 is allowed when #t == 0
assert(select("#", table.remove({})) == 1)
t = {[0] = "zero"}
assert(table.remove(t, 0) == "zero" and t[0] == nil)
check_error("bad argument #1 to 'remove' (position out of bounds)", function() return table.remove({1, 2}, 5) end)
check_error("bad argument #1 to 'remove' (position out of bounds)", function() return table.remove({1, 2}, -1) end)
check_error("bad argument #1 to 'remove' (position out of bounds)", function() return table.remove({}, -1) end)
check_error("bad argument #1 to 'remove' (table expected, got no value)", function() return table.remove() end)
t = {1, 2, 3}
assert(table.remove(t, 4) == nil and #t == 3)

-- ---------------------------------------------------------------------------
-- table.move
-- ---------------------------------------------------------------------------
t = {1, 2, 3, 4, 5}
assert(table.move(t, 2, 4, 1) == t)
assert(show(t) == "2,3,4,4,5")
t = {1, 2, 3, 4, 5}
table.move(t, 1, 3, 3)                  -- overlapping, moving right
assert(show(t) == "1,2,1,2,3")
t = {1, 2, 3, 4, 5}
table.move(t, 3, 5, 1)                  -- overlapping, moving left
assert(show(t) == "3,4,5,4,5")
local dest = {}
assert(table.move({1, 2, 3}, 1, 3, 2, dest) == dest)
assert(dest[1] == nil and show(dest, 4) == "nil,1,2,3")
assert(show(table.move({1, 2, 3}, 1, 0, 1, {"x"})) == "x")   -- empty range
t = table.move({1, 2, 3}, 1, 3, -1)
assert(t[-1] == 1 and t[0] == 2 and t[1] == 3)
t = table.move({[math.maxinteger - 1] = "a", [math.maxinteger] = "b"}, math.maxinteger - 1, math.maxinteger, 1)
assert(t[1] == "a" and t[2] == "b")
check_error("too many elements to move", table.move, {}, 0, math.maxinteger, 1)
check_error("too many elements to move", table.move, {}, -1, math.maxinteger, 1)
check_error("destination wrap around", table.move, {1, 2}, 1, 2, math.maxinteger)
check_error("bad argument #4 to 'move' (number expected, got no value)", function() return table.move({}, 1, 2) end)
check_error("bad argument #5 to 'move' (table expected, got number)", function() return table.move({}, 1, 2, 1, 5) end)
local moved = {}
local src = setmetatable({}, {__index = function(_, k) return k * 10 end})
local dst = setmetatable({}, {__newindex = function(_, k, v) moved[#moved + 1] = k .. "=" .. v end})
table.move(src, 1, 3, 1, dst)
assert(table.concat(moved, " ") == "1=10 2=20 3=30")

-- ---------------------------------------------------------------------------
-- table.pack, table.unpack
-- ---------------------------------------------------------------------------
local p = table.pack()
assert(p.n == 0 and next(p, "n") == nil)
p = table.pack(1, nil, 3, nil)
assert(p.n == 4 and p[1] == 1 and p[2] == nil and p[3] == 3)
assert(select("#", table.unpack({})) == 0)
assert(select("#", table.unpack({1, 2, 3})) == 3)
assert(select("#", table.unpack({1, 2, 3}, 2)) == 2)
-- More results than the stack can take: an error inside the call (pcall catches it).
do
  local ok, msg = pcall(table.unpack, {}, 1, 1e6)
  assert(not ok and msg:find("too many results to unpack"), msg)
  assert(select("#", table.unpack({}, 1, 5000)) == 5000)
end
assert(select("#", table.unpack({1, 2, 3}, 2, 5)) == 4)
assert(select("#", table.unpack({1, 2, 3}, 3, 2)) == 0)
local a, b, c = table.unpack({1, 2, 3}, -1, 1)
assert(a == nil and b == nil and c == 1)
a, b = table.unpack({"x", "y", n = 1}, 1, p.n)
assert(a == "x" and b == "y")
a, b = table.unpack(setmetatable({}, {__index = function(_, k) return k end}), 1, 2)
assert(a == 1 and b == 2)
a, b = table.unpack(setmetatable({}, {__len = function() return 2 end, __index = function(_, k) return -k end}))
assert(a == -1 and b == -2)
check_error("too many results to unpack", table.unpack, {}, 1, 1e8)
check_error("too many results to unpack", table.unpack, {}, math.mininteger, math.maxinteger)
assert(select("#", table.unpack({}, math.maxinteger, math.maxinteger)) == 1)
check_error("attempt to get length of a nil value", function() return table.unpack() end)
check_error("bad argument #2 to 'unpack' (number has no integer representation)", function() return table.unpack({}, 1.5) end)

-- ---------------------------------------------------------------------------
-- table.sort
-- ---------------------------------------------------------------------------
t = {5, 2, 8, 1, 9, 3}
table.sort(t)
assert(show(t) == "1,2,3,5,8,9")
table.sort(t, function(x, y) return x > y end)
assert(show(t) == "9,8,5,3,2,1")
t = {"banana", "apple", "Cherry", "date"}
table.sort(t)
assert(show(t) == "Cherry,apple,banana,date")
t = {}
table.sort(t)
t = {1}
table.sort(t)
assert(t[1] == 1)
t = {3.5, 1, 2.25, -1, math.huge, -math.huge, 0}
table.sort(t)
assert(show(t) == "-inf,-1,0,1,2.25,3.5,inf")
-- large arrays, sorted, reversed and with duplicates
local big = {}
for i = 1, 5000 do big[i] = (i * 7919) % 1000 end
table.sort(big)
for i = 2, #big do assert(big[i - 1] <= big[i]) end
for i = 1, 5000 do big[i] = 5001 - i end
table.sort(big)
for i = 1, 5000 do assert(big[i] == i) end
table.sort(big, function(x, y) return x > y end)
assert(big[1] == 5000 and big[5000] == 1)
-- stable keys with a comparator on records
local recs = {}
for i = 1, 100 do recs[i] = {key = (i * 37) % 10, id = i} end
table.sort(recs, function(x, y) if x.key ~= y.key then return x.key < y.key end return x.id < y.id end)
for i = 2, 100 do
  local x, y = recs[i - 1], recs[i]
  assert(x.key < y.key or (x.key == y.key and x.id < y.id))
end
-- errors
check_error("attempt to compare string with number", table.sort, {1, "x", 2})
check_error("attempt to compare two table values", table.sort, {{}, {}})
check_error("invalid order function for sorting", table.sort, {3, 2, 1, 5, 4, 7, 6, 9, 8, 10, 11, 12, 13, 14, 15}, function() return true end)
check_error("bad argument #2 to 'sort' (function expected, got number)", function() return table.sort({2, 1}, 1) end)
check_error("bad argument #1 to 'sort' (table expected, got no value)", function() return table.sort() end)
check_error("array too big", table.sort, setmetatable({}, {__len = function() return math.maxinteger end}))
-- inconsistent comparators never crash: they either raise the error or leave a permutation
for seed = 1, 20 do
  local arr = {}
  for i = 1, 50 do arr[i] = (i * seed * 31) % 17 end
  local ok, msg = pcall(table.sort, arr, function(x, y) return (x + y + seed) % 3 == 0 end)
  assert(ok or msg:find("invalid order function for sorting", 1, true), msg)
  local sum = 0
  for i = 1, 50 do sum = sum + (arr[i] or 1000) end
  local want = 0
  for i = 1, 50 do want = want + (i * seed * 31) % 17 end
  assert(sum == want)
end
-- sort respects __index/__newindex/__len
local backing = {3, 1, 2}
local proxy = setmetatable({}, {
  __index = backing,
  __newindex = function(_, k, v) backing[k] = v end,
  __len = function() return #backing end,
})
table.sort(proxy)
assert(show(backing) == "1,2,3")
-- comparator errors propagate
check_error("boom", table.sort, {2, 1}, function() error("boom") end)
-- __lt metamethod is used without a comparator
local mt = {__lt = function(x, y) return x.v < y.v end}
local objs = {}
for i = 1, 10 do objs[i] = setmetatable({v = 11 - i}, mt) end
table.sort(objs)
for i = 1, 10 do assert(objs[i].v == i) end

print("lib_table ok")
