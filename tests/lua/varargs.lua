-- Varargs: select, table.pack, truncation and expansion of multiple results.

local function count(...) return select("#", ...) end
assert(count() == 0)
assert(count(nil) == 1)
assert(count(nil, nil) == 2)
assert(count(1, nil, 3, nil) == 4)

-- select with positive and negative indices
assert(select(2, "a", "b", "c") == "b")
assert(count(select(2, "a", "b", "c")) == 2)
assert(select(-1, "a", "b", "c") == "c")
assert(count(select(-2, "a", "b", "c")) == 2)
assert(select(-3, "a", "b", "c") == "a")
assert(count(select(4, "a", "b", "c")) == 0)
assert(count(select(10, 1)) == 0)
local ok, msg = pcall(select, -4, "a", "b", "c")
assert(not ok and string.find(msg, "index out of range", 1, true), msg)
ok, msg = pcall(select, 0, "a")
assert(not ok and string.find(msg, "index out of range", 1, true), msg)
ok = pcall(select, "x")
assert(not ok)
assert(select("#") == 0)

-- table.pack sets n
local p = table.pack(1, nil, 3, nil)
assert(p.n == 4 and p[1] == 1 and p[3] == 3)
p = table.pack()
assert(p.n == 0 and next(p, "n") == nil)

-- ... in the middle of a list is truncated to one value
local function f(...) return ... end
local function g(...) return ..., "end" end
assert(count(g(1, 2, 3)) == 2)
assert(select(1, g(1, 2, 3)) == 1)
assert(count(g()) == 2) -- nil, "end"
local a, b, c = g(7, 8)
assert(a == 7 and b == "end" and c == nil)

-- function call results: truncated in the middle, expanded at the end
local function three() return 1, 2, 3 end
assert(count(three(), three()) == 4)
assert(count((three())) == 1)
assert(count(three(), 10) == 2)
local x, y, z, w = three()
assert(x == 1 and y == 2 and z == 3 and w == nil)
local q, r = (three())
assert(q == 1 and r == nil)

-- varargs forwarded
local function fwd(...) return f(...) end
assert(count(fwd(1, nil, nil)) == 3)
local function wrap(...) local t = {...}; return #t, select("#", ...) end
local len, n = wrap(1, 2, 3)
assert(len == 3 and n == 3)

-- named parameters plus varargs
local function mixed(a1, a2, ...)
  return a1, a2, select("#", ...), ...
end
local m1, m2, mn, m3 = mixed(1)
assert(m1 == 1 and m2 == nil and mn == 0 and m3 == nil)
m1, m2, mn, m3 = mixed(1, 2, 3, 4)
assert(m1 == 1 and m2 == 2 and mn == 2 and m3 == 3)

-- extra arguments to a fixed function are dropped; missing are nil
local function two(a1, a2) return a1, a2 end
local t1, t2 = two(1, 2, 3)
assert(t1 == 1 and t2 == 2)
t1, t2 = two()
assert(t1 == nil and t2 == nil)

-- many values
local many = {}
for i = 1, 250 do many[i] = i end
assert(count(table.unpack(many)) == 250)
assert(select(250, table.unpack(many)) == 250)
assert(select(-1, table.unpack(many)) == 250)
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + (select(i, ...)) end
  return s
end
assert(sum(table.unpack(many)) == 250 * 251 / 2)

-- varargs of the main chunk are the script arguments
local main = {...}
assert(#main == 0)

-- vararg in table constructor and in return with parentheses
local function paren(...) return (...) end
assert(count(paren(1, 2, 3)) == 1)
assert(count(paren()) == 1)

-- string.format with varargs
local function fmt(...) return string.format("%d-%d", ...) end
assert(fmt(1, 2) == "1-2")

-- assignment adjusts
local aa, bb = 1
assert(aa == 1 and bb == nil)
-- extra expressions are still evaluated
local evaluated = false
local cc = 1, (function() evaluated = true end)()
assert(cc == 1 and evaluated)
