-- __index and __newindex: tables, functions, chains, rawget/rawset bypass.

-- __index table
local base = {a = 1, b = 2}
local t = setmetatable({b = 20}, {__index = base})
assert(t.a == 1 and t.b == 20 and t.c == nil)
assert(rawget(t, "a") == nil)

-- __index function receives table and key
local calls = 0
t = setmetatable({}, {__index = function(self, k)
  calls = calls + 1
  assert(type(self) == "table")
  return k .. "!"
end})
assert(t.x == "x!" and t[1] == "1!")
assert(calls == 2)
t.y = "real"
assert(t.y == "real" and calls == 2)

-- chains of __index tables
local c = {z = "deep"}
local b = setmetatable({y = "mid"}, {__index = c})
local a = setmetatable({x = "top"}, {__index = b})
assert(a.x == "top" and a.y == "mid" and a.z == "deep" and a.w == nil)

-- long chain
local top = {}
local cur = top
for i = 1, 50 do
  local nxt = {}
  setmetatable(cur, {__index = nxt})
  cur = nxt
end
cur.bottom = 42
assert(top.bottom == 42)

-- chain ending in a function
local fn_end = setmetatable({}, {__index = function(_, k) return k * 2 end})
local mid = setmetatable({}, {__index = fn_end})
assert(mid[21] == 42)

-- __index on non-tables via the string metatable
assert(("x").len == string.len)

-- __newindex table: assignment goes to the other table
local store = {}
t = setmetatable({}, {__newindex = store})
t.a = 1
assert(rawget(t, "a") == nil and store.a == 1)
-- existing keys are assigned directly
rawset(t, "b", 1)
t.b = 2
assert(rawget(t, "b") == 2 and store.b == nil)

-- __newindex function
local log = {}
t = setmetatable({}, {__newindex = function(self, k, v)
  log[#log + 1] = k .. "=" .. tostring(v)
  rawset(self, k, v)
end})
t.p = 1
t.p = 2 -- now exists: no call
t.q = 3
assert(table.concat(log, ",") == "p=1,q=3")
assert(t.p == 2)

-- __newindex chain: the target table's own __newindex also applies
local final = {}
local inner = setmetatable({}, {__newindex = final})
t = setmetatable({}, {__newindex = inner})
t.k = "v"
assert(final.k == "v" and rawget(inner, "k") == nil and rawget(t, "k") == nil)

-- rawset bypasses __newindex; rawget bypasses __index
t = setmetatable({}, {__newindex = function() error("no") end, __index = function() return "meta" end})
rawset(t, "a", 1)
assert(t.a == 1 and rawget(t, "zzz") == nil and t.zzz == "meta")

-- __index is used for integer keys beyond the array too
t = setmetatable({1, 2}, {__index = function(_, k) return -k end})
assert(t[1] == 1 and t[3] == -3 and t[0] == 0)

-- a field that is present but nil triggers __index
t = setmetatable({x = nil}, {__index = {x = "fallback"}})
assert(t.x == "fallback")

-- __index / __newindex with non-table values raise on wrong types
local ok, msg = pcall(function() local n = 5; return n.x end)
assert(not ok and string.find(msg, "attempt to index a number value", 1, true), msg)
ok, msg = pcall(function() local n; n.x = 1 end)
assert(not ok and string.find(msg, "attempt to index a nil value", 1, true), msg)

-- class pattern
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:len2() return self.x * self.x + self.y * self.y end
local p = Point.new(3, 4)
assert(p:len2() == 25)
assert(getmetatable(p) == Point)

-- inheritance
local Point3 = setmetatable({}, {__index = Point})
Point3.__index = Point3
function Point3.new(x, y, z)
  local o = Point.new(x, y)
  o.z = z
  return setmetatable(o, Point3)
end
function Point3:len2() return Point.len2(self) + self.z * self.z end
assert(Point3.new(1, 2, 2):len2() == 9)

-- __index function that errors
t = setmetatable({}, {__index = function(_, k) error("no field " .. k, 2) end})
ok, msg = pcall(function() return t.missing end)
assert(not ok and string.find(msg, "no field missing", 1, true))

-- changing the metatable changes behaviour immediately
local mt = {__index = {v = 1}}
t = setmetatable({}, mt)
assert(t.v == 1)
mt.__index = {v = 2}
assert(t.v == 2)
mt.__index = nil
assert(t.v == nil)
