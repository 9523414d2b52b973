-- Arithmetic, bitwise, concat, length and unary metamethods.

local log = {}
local function recorder(name)
  return function(a, b)
    log[#log + 1] = name
    return {name, a, b}
  end
end

local events = {"__add", "__sub", "__mul", "__div", "__mod", "__pow", "__unm", "__idiv",
  "__band", "__bor", "__bxor", "__shl", "__shr", "__bnot", "__concat"}
local mt = {}
for _, e in ipairs(events) do mt[e] = recorder(e) end
local obj = setmetatable({}, mt)

local function check(r, name, a, b)
  assert(type(r) == "table" and r[1] == name, name)
  assert(r[2] == a, name .. " first operand")
  if b ~= nil then assert(r[3] == b, name .. " second operand") end
end

-- the table on either side
check(obj + 1, "__add", obj, 1)
check(1 + obj, "__add", 1, obj)
check(obj - 2, "__sub", obj, 2)
check(obj * 3, "__mul", obj, 3)
check(obj / 4, "__div", obj, 4)
check(obj % 5, "__mod", obj, 5)
check(obj ^ 6, "__pow", obj, 6)
check(obj // 7, "__idiv", obj, 7)
check(obj & 8, "__band", obj, 8)
check(obj | 9, "__bor", obj, 9)
check(obj ~ 10, "__bxor", obj, 10)
check(obj << 11, "__shl", obj, 11)
check(obj >> 12, "__shr", obj, 12)
check(12 >> obj, "__shr", 12, obj)
check(obj .. "s", "__concat", obj, "s")
check("s" .. obj, "__concat", "s", obj)
check(1 .. obj, "__concat", 1, obj)
-- unary events get the operand twice
check(-obj, "__unm", obj, obj)
check(~obj, "__bnot", obj, obj)

-- string operands are passed unconverted to the metamethod
check("10" + obj, "__add", "10", obj)
check(obj * "2", "__mul", obj, "2")
check("3" | obj, "__bor", "3", obj)
check(obj << "1", "__shl", obj, "1")
check("abc" + obj, "__add", "abc", obj)
check(1.5 & obj, "__band", 1.5, obj) -- a float without integer value still reaches it

-- string arithmetic uses the string metatable: converts to numbers
assert("10" + 5 == 15)
assert("3" * "4" == 12)
assert("2" ^ 2 == 4.0)
assert(-"3" == -3)
assert("7" // 2 == 3)
assert("7" % "4" == 3)
assert("1.5" + 1 == 2.5)

-- bitwise on numbers
assert(0xF0 & 0x3C == 0x30)
assert(0xF0 | 0x0F == 0xFF)
assert(0xFF ~ 0x0F == 0xF0)
assert(~0 == -1)
assert(1 << 63 == math.mininteger)
assert(1 << 64 == 0)
assert(-1 >> 1 == math.maxinteger) -- logical shift
assert(1 << -1 == 0 and 2 << -1 == 1)
assert(8 >> -1 == 16)
assert(2.0 << 1 == 4)
assert(1 >> 64 == 0)

-- the first operand's metamethod wins
local A = setmetatable({}, {__add = function() return "A" end})
local B = setmetatable({}, {__add = function() return "B" end})
assert(A + B == "A" and B + A == "B")
local plain = {}
assert(plain + A == "A" and A + plain == "A")

-- only the first result of a metamethod is kept
local multi = setmetatable({}, {__add = function() return 1, 2, 3 end})
local r1, r2 = multi + 1
assert(r1 == 1 and r2 == nil)

-- metamethod results are not converted
local boolres = setmetatable({}, {__lt = function() return 1 end, __len = function() return "len" end})
assert(#boolres == "len")

-- __len
local sized = setmetatable({1, 2, 3}, {__len = function(self) return rawlen(self) * 10 end})
assert(#sized == 30)
assert(rawlen(sized) == 3)
assert(rawlen("abcd") == 4)

-- __concat in a chain: right associative, evaluated pairwise from the right
local cat = setmetatable({}, {__concat = function(a, b)
  local sa = type(a) == "table" and "T" or a
  local sb = type(b) == "table" and "T" or b
  return sa .. sb
end})
assert("a" .. cat .. "b" == "aTb")
assert(cat .. cat == "TT")
assert("x" .. "y" .. cat == "xyT")
assert(1 .. 2 .. cat == "12T")

-- missing metamethods raise the usual errors
local ok, msg = pcall(function() return {} + 1 end)
assert(not ok and string.find(msg, "attempt to perform arithmetic on a table value", 1, true))
ok, msg = pcall(function() return {} | 1 end)
assert(not ok and string.find(msg, "attempt to perform bitwise operation on a table value", 1, true))
ok, msg = pcall(function() return #nil end)
assert(not ok and string.find(msg, "attempt to get length of a nil value", 1, true))
ok, msg = pcall(function() return -{} end)
assert(not ok and string.find(msg, "attempt to perform arithmetic on a table value", 1, true))
ok, msg = pcall(function() return 1.5 | 1 end)
assert(not ok and string.find(msg, "number has no integer representation", 1, true))

-- metamethods are looked up raw in the metatable
local tricky = setmetatable({}, setmetatable({}, {__index = function() return function() return "x" end end}))
ok = pcall(function() return tricky + 1 end)
assert(not ok)

-- __unm and __bnot on a numeric wrapper
local Num = {}
Num.__index = Num
local function N(v) return setmetatable({v = v}, Num) end
Num.__add = function(a, b)
  a = type(a) == "table" and a.v or a
  b = type(b) == "table" and b.v or b
  return N(a + b)
end
Num.__unm = function(a) return N(-a.v) end
Num.__bnot = function(a) return N(~a.v) end
Num.__eq = function(a, b) return a.v == b.v end
assert((N(1) + N(2)).v == 3)
assert((N(1) + 2 + 3).v == 6)
assert((-N(5)).v == -5)
assert((~N(0)).v == -1)
assert(N(4) == N(4) and N(4) ~= N(5))
