-- Numbers: integer and float subtypes, conversions, coercions, comparisons.

local maxi, mini = math.maxinteger, math.mininteger

-- subtypes
assert(math.type(1) == "integer")
assert(math.type(1.0) == "float")
assert(math.type(1e0) == "float")
assert(math.type(0x10) == "integer")
assert(math.type(0x10p0) == "float")
assert(math.type(0xA.8) == "float" and 0xA.8 == 10.5)
assert(math.type("1") == nil)
assert(math.type(nil) == nil)
assert(type(1) == "number" and type(1.5) == "number")
assert(math.type(3 // 1) == "integer")
assert(math.type(3 / 1) == "float")
assert(math.type(2 ^ 2) == "float")
assert(math.type(3 + 0.0) == "float")
assert(math.type(3 * 1) == "integer")
assert(math.type(-(-3)) == "integer")

-- integer literals that overflow become floats; hex literals wrap
assert(math.type(9223372036854775807) == "integer")
assert(math.type(9223372036854775808) == "float")
assert(9223372036854775808 == 2.0 ^ 63)
assert(0xffffffffffffffff == -1)
assert(0x7fffffffffffffff == maxi)
assert(0x10000000000000000 == 0)
assert(maxi == 9223372036854775807)
assert(mini == -9223372036854775807 - 1)

-- integer overflow wraps around
assert(maxi + 1 == mini)
assert(mini - 1 == maxi)
assert(maxi * 2 == -2)
assert(-mini == mini)
assert(mini // -1 == mini)
assert(mini % -1 == 0)
assert(maxi + 1.0 == 2.0 ^ 63)
assert(math.type(maxi + 1.0) == "float")

-- float to integer conversion only when exact
assert(3.0 | 0 == 3)
assert(math.type(3.0 | 0) == "integer")
assert(not pcall(function() return 3.5 | 0 end))
assert(not pcall(function() return 2.0 ^ 63 | 0 end))
assert((-2.0 ^ 63) | 0 == mini)
local ok, msg = pcall(function() return 1.5 & 1 end)
assert(not ok and string.find(msg, "number has no integer representation", 1, true))
-- strings are not coerced by bitwise operators (the string metatable has no __bor)
ok, msg = pcall(function() return "3" | 0 end)
assert(not ok and string.find(msg, "attempt to perform bitwise operation on a string value", 1, true))
assert(math.tointeger(3.0) == 3)
assert(math.tointeger(3.5) == nil)
assert(math.tointeger(2 ^ 53) == 9007199254740992)
assert(math.tointeger("8") == nil or math.tointeger("8") == 8) -- 5.4.0-5.4.2 differ
local t = {}
t[3.0] = "x"
assert(t[3] == "x")

-- string -> number coercion in arithmetic
assert("10" + 1 == 11)
assert(math.type("10" + 1) == "integer")
assert(math.type("10.0" + 1) == "float")
assert("0x10" + 0 == 16)
assert(" 5 " * 2 == 10)
assert("2" ^ "3" == 8.0)
assert(-"2" == -2)
assert(math.type(-"2") == "integer")
assert("10" // "3" == 3)
assert("1e2" + 0 == 100.0)
assert(math.type("1e2" + 0) == "float")
ok, msg = pcall(function() return "abc" + 1 end)
-- the string metatable's __add raises this one
assert(not ok and string.find(msg, "attempt to add a 'string' with a 'number'", 1, true))
ok, msg = pcall(function() return {} + 1 end)
assert(not ok and string.find(msg, "attempt to perform arithmetic on a table value", 1, true))

-- number -> string in concatenation
assert(1 .. "" == "1")
assert(1.0 .. "" == "1.0")
assert(-0.0 .. "" == "-0.0")
assert(10 .. 20 == "1020")
assert(1.5 .. "x" == "1.5x")
assert(2 ^ 63 .. "" == "9.2233720368548e+18")
assert(maxi .. "" == "9223372036854775807")
assert(mini .. "" == "-9223372036854775808")
assert(1e15 .. "" == "1e+15")
assert(123456789012345.0 .. "" == "1.2345678901234e+14")
assert(0.1 .. "" == "0.1")
assert(1/3 .. "" == "0.33333333333333")

-- comparisons between integers and floats are exact
assert(1 == 1.0)
assert(maxi ~= 2.0 ^ 63)
assert(maxi < 2.0 ^ 63)
assert(maxi + 0.0 == 2.0 ^ 63) -- rounding in the conversion, not in the comparison
assert(2 ^ 53 + 1 == 2.0 ^ 53) -- float addition rounds
assert((2 ^ 53 | 0) + 1 > 2.0 ^ 53)
assert(mini == -2.0 ^ 63)
assert(mini <= -2.0 ^ 63 and mini >= -2.0 ^ 63)
assert(1 < 1.5 and 1.5 < 2)
assert(-1 > -1.5)
assert(maxi < math.huge and mini > -math.huge)
assert(not (1 < 0 / 0) and not (1 > 0 / 0) and not (1 == 0 / 0))
assert(not (0/0 <= 0/0))
local nan = 0 / 0
assert(nan ~= nan)
assert(maxi // 1 == maxi)
assert(3 == 3.0000000000000001)
assert(9007199254740993 ~= 9007199254740992.0)
assert(9007199254740993 > 9007199254740992.0)
assert(-9007199254740993 < -9007199254740992.0)

-- numbers are equal across subtypes as table keys too
local k = {}
k[1] = "a"; k[2.0] = "b"
assert(k[1.0] == "a" and k[2] == "b")
assert(#k == 2)

-- exponent and unary minus precedence
assert(-2 ^ 2 == -4.0)
assert(2 ^ -1 == 0.5)
assert(2 ^ 3 ^ 2 == 512.0)
assert(-3 % 5 == 2)
assert((-3) ^ 2 == 9.0)

-- float special values
assert(math.huge == 1 / 0)
assert(-math.huge == -1 / 0)
assert(math.huge > maxi)
assert(1e308 * 10 == math.huge)
assert(1e400 == math.huge)
assert(math.type(1e400) == "float")
assert(0.0 == -0.0)
assert(1 / 0.0 ~= 1 / -0.0)

-- math.floor returns integers when representable
assert(math.floor(3.7) == 3 and math.type(math.floor(3.7)) == "integer")
assert(math.floor(-3.5) == -4)
assert(math.type(math.floor(1e100)) == "float")
assert(math.floor(5) == 5)
