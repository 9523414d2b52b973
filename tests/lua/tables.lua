-- Tables: constructors, array and hash parts, borders, keys.

-- constructors
local t = {1, 2, 3, x = "a", ["y"] = "b", [10] = 10}
assert(t[1] == 1 and t[3] == 3 and t.x == "a" and t.y == "b" and t[10] == 10)
t = {[1] = "a", "b"}  -- positional wins over the explicit [1]
assert(t[1] == "b")
t = {1, 2, 3; 4; n = 5,}
assert(#t == 4 and t.n == 5)
assert(next({}) == nil)

-- trailing call and vararg expand; non-trailing ones truncate to one value
local function three() return 1, 2, 3 end
local function none() end
t = {three()}
assert(#t == 3 and t[3] == 3)
t = {three(), three()}
assert(#t == 4 and t[1] == 1 and t[2] == 1 and t[4] == 3)
t = {(three())}
assert(#t == 1)
t = {three(), 10}
assert(#t == 2 and t[2] == 10)
t = {none()}
assert(next(t) == nil)
t = {none(), 5}
assert(t[1] == nil and t[2] == 5)
local function va(...) return {...} end
t = va(1, nil, 3)
assert(t[1] == 1 and t[2] == nil and t[3] == 3)
local function va2(...) return {0, ...} end
t = va2(7, 8)
assert(#t == 3 and t[3] == 8)
local function va3(...) return {..., 9} end
t = va3(7, 8)
assert(#t == 2 and t[1] == 7 and t[2] == 9)
t = {three(), x = 1}
assert(t[1] == 1 and t[2] == nil and t.x == 1) -- a field after the call ends the list
local big = {}
for i = 1, 300 do big[i] = i end
t = {table.unpack(big)}
assert(#t == 300 and t[300] == 300)

-- borders: # is a border; exact for sequences
assert(#{} == 0)
assert(#{1, 2, 3} == 3)
assert(#{nil} == 0)
assert(#{n = 1} == 0)
t = {}
for i = 1, 100 do t[i] = i end
assert(#t == 100)
t[100] = nil
assert(#t == 99)
t[#t + 1] = "x"
assert(#t == 100 and t[100] == "x")
t = {1, 2, nil, 4}
local n = #t
assert(n == 4 or n == 2) -- both are borders
assert((n == 0 or t[n] ~= nil) and t[n + 1] == nil)
t = {}
t[1] = 1; t[2] = 2; t[4] = 4
n = #t
assert((n == 0 or t[n] ~= nil) and t[n + 1] == nil)
t = {10, 20, 30}
t[2] = nil
n = #t
assert(n == 3 or n == 1)
t[3] = nil
assert(#t == 1)
t[1] = nil
assert(#t == 0)

-- growing and shrinking, array grows from the hash part
t = {}
for i = 200, 1, -1 do t[i] = i * 2 end
assert(#t == 200)
for i = 1, 200 do assert(t[i] == i * 2) end
for i = 1, 200 do t[i] = nil end
assert(#t == 0 and next(t) == nil)

-- keys: every value but nil and NaN
local f = function() end
local k = {}
t = {}
t[true] = 1; t[false] = 2; t[f] = 3; t[k] = 4; t["1"] = 5; t[1] = 6; t[1.5] = 7
assert(t[true] == 1 and t[false] == 2 and t[f] == 3 and t[k] == 4)
assert(t["1"] == 5 and t[1] == 6 and t[1.5] == 7)
assert(t[{}] == nil)
assert(t[nil] == nil) -- reading with a nil key is fine
assert(t[0 / 0] == nil) -- and with NaN

-- float keys with integer values are normalised
t = {}
t[1.0] = "one"
assert(t[1] == "one")
assert(math.type(next(t)) == "integer")
t[2] = "two"
assert(t[2.0] == "two")
t[2 ^ 53] = "big"
assert(t[2 ^ 53 | 0] == "big")
assert(t[9007199254740992] == "big")
assert(t[9007199254740993] == nil)
t[-0.0] = "zero"
assert(t[0] == "zero")
t[math.mininteger + 0.0] = "min"
assert(t[math.mininteger] == "min")
t[2 ^ 63] = "float"
assert(t[2 ^ 63] == "float" and t[math.maxinteger] == nil)
local seen = 0
for key in pairs(t) do
  if key == 1 or key == 2 or key == 0 or key == 2 ^ 53 or key == math.mininteger then
    assert(math.type(key) == "integer")
    seen = seen + 1
  end
end
assert(seen == 5)

-- nil and NaN keys are errors on assignment
local ok, msg = pcall(function() local x = {}; x[nil] = 1 end)
assert(not ok and string.find(msg, "index is nil", 1, true), msg)
ok, msg = pcall(function() local x = {}; x[0 / 0] = 1 end)
assert(not ok and string.find(msg, "index is NaN", 1, true), msg)
ok, msg = pcall(rawset, {}, nil, 1)
assert(not ok and string.find(msg, "index is nil", 1, true), msg)
ok, msg = pcall(function() return {[nil] = 1} end)
assert(not ok and string.find(msg, "index is nil", 1, true), msg)
-- assigning nil to a missing key is still an error for nil keys
ok = pcall(function() local x = {}; x[nil] = nil end)
assert(not ok)

-- table.insert / remove / concat / unpack lightly
t = {}
table.insert(t, "a")
table.insert(t, 1, "b")
assert(table.concat(t, "-") == "b-a")
assert(table.remove(t) == "a" and #t == 1)
local a, b, c = table.unpack({1, 2, 3})
assert(a == 1 and b == 2 and c == 3)
a, b = table.unpack({1, 2, 3}, 2)
assert(a == 2 and b == 3)
assert(select("#", table.unpack({}, 1, 3)) == 3)

-- table identity
local t1, t2 = {}, {}
assert(t1 ~= t2 and t1 == t1)
t1.self = t1
assert(t1.self.self.self == t1)

-- multiple assignment evaluates before assigning
local x, y = 1, 2
x, y = y, x
assert(x == 2 and y == 1)
t = {1, 2}
local i = 1
i, t[i] = i + 1, 20
assert(i == 2 and t[1] == 20 and t[2] == 2)
