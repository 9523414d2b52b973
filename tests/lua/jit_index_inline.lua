-- Field reads that miss the table and find the key in the table its metatable's
-- `__index` names (class methods, prototype defaults): compiled code reads them inline
-- (INDEX-INLINE in jit/src/inline_table.rs). Every change that must be seen is made
-- between calls of the same compiled loop.

local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:len2() return self.x * self.x + self.y * self.y end
Point.kind = "point"

local function sum(ps)
  local s = 0
  for i = 1, #ps do
    local p = ps[i]
    s = s + p:len2()
    assert(p.kind == "point" or p.kind == "shadow" or p.kind == "moved" or p.kind == nil)
  end
  return s
end

local ps = {}
for i = 1, 50 do ps[i] = Point.new(i, -i) end
local want = 0
for i = 1, 50 do want = want + 2 * i * i end
for _ = 1, 5 do assert(sum(ps) == want) end

-- A field on the object shadows the class's.
ps[3].len2 = function() return 0 end
assert(sum(ps) == want - 18)
ps[3].len2 = nil
assert(sum(ps) == want)

-- The class's method replaced, removed and restored.
local orig = Point.len2
Point.len2 = function(self) return 1 end
assert(sum(ps) == 50)
Point.len2 = nil
assert(not pcall(sum, ps))
local ok, err = pcall(sum, ps)
assert(not ok and err:find("attempt to call a nil value %(method 'len2'%)"), err)
Point.len2 = orig
assert(sum(ps) == want)

-- `__index` replaced by a function, by another table, then removed.
local calls = 0
Point.__index = function(t, k) calls = calls + 1; return rawget(Point, k) end
assert(sum(ps) == want and calls >= 50)
local Other = {len2 = function() return 2 end, kind = "moved"}
Point.__index = Other
assert(sum(ps) == 100)
assert(ps[1].kind == "moved")
Point.__index = nil
assert(ps[1].kind == nil)
assert(not pcall(sum, ps))
Point.__index = Point
assert(sum(ps) == want)

-- A longer chain: the class inherits from a base through its own metatable.
local Base = {describe = function(self) return "base " .. self.x end, kind = "point"}
Base.__index = Base
setmetatable(Point, Base)
local function describe_all(list)
  local n = 0
  for i = 1, #list do
    if list[i]:describe() == "base " .. i then n = n + 1 end
  end
  return n
end
for _ = 1, 3 do assert(describe_all(ps) == 50) end
Base.describe = function(self) return "base " .. self.x end

-- One object gets a different metatable; another none at all.
local Shadow = {len2 = function() return 5 end, kind = "shadow"}
Shadow.__index = Shadow
setmetatable(ps[7], Shadow)
assert(sum(ps) == want - 98 + 5)
setmetatable(ps[7], Point)
local plain = {x = 1, y = 1}
local function kind_of(t) return t.kind end
for _ = 1, 3 do
  assert(kind_of(plain) == nil)
  assert(kind_of(ps[1]) == "point")
end

-- __index holding a non-table, non-function value is an error, as in the interpreter.
local bad = setmetatable({}, {__index = 42})
local function read_bad() return bad.field end
local ok2, err2 = pcall(read_bad)
assert(not ok2 and err2:find("attempt to index a number value"), err2)

-- A library table (a static part) as the __index: strings and an explicit one.
local S = setmetatable({}, {__index = string})
local function up(t) return t.upper("abc") end
for _ = 1, 3 do assert(up(S) == "ABC") end
local str = "hello"
local function ln(s) return s:len() end
for _ = 1, 3 do assert(ln(str) == 5) end

-- Keys stored as the class's fields with false values and numbers.
Point.flag = false
Point.count = 3
local function flags(list)
  local n = 0
  for i = 1, #list do
    if list[i].flag == false then n = n + list[i].count end
  end
  return n
end
for _ = 1, 3 do assert(flags(ps) == 150) end

-- A record filled to its hash part's limit (24 keys in 32 nodes): whatever the hash
-- seed, some keys sit far from their home node and some absent keys meet an empty
-- node only after a long run of used ones. Inline lookups probe to the end
-- (PROBE-ALL), for reads, overwrites and misses that go on to `__index`.
local Dense = { missing_default = "dflt" }
Dense.__index = Dense
local function dense()
  local r = setmetatable({}, Dense)
  for i = 1, 24 do r["f" .. i] = i end
  return r
end
local function walk(r)
  local s = 0
  s = s + r.f1 + r.f2 + r.f3 + r.f4 + r.f5 + r.f6 + r.f7 + r.f8 + r.f9 + r.f10 + r.f11 + r.f12
  s = s + r.f13 + r.f14 + r.f15 + r.f16 + r.f17 + r.f18 + r.f19 + r.f20 + r.f21 + r.f22 + r.f23 + r.f24
  r.f7, r.f24 = r.f7 + 1, r.f24 - 1
  assert(r.missing_default == "dflt" and r.absent1 == nil and r.absent2 == nil)
  return s
end
local rd = dense()
for k = 1, 20 do assert(walk(rd) == 300, k) end
assert(rd.f7 == 27 and rd.f24 == 4)

print("OK")
