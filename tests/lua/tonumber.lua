-- tonumber: decimal, hexadecimal, bases, whitespace, failure cases; string->number rules.

local function is(v, expected, subtype)
  assert(v == expected, tostring(v) .. " ~= " .. tostring(expected))
  if subtype then assert(math.type(v) == subtype, "subtype of " .. tostring(v)) end
end

-- numbers pass through
is(tonumber(10), 10, "integer")
is(tonumber(1.5), 1.5, "float")

-- decimal strings
is(tonumber("10"), 10, "integer")
is(tonumber(" 10 "), 10, "integer")
is(tonumber("\t12\n"), 12, "integer")
is(tonumber("-7"), -7, "integer")
is(tonumber("+7"), 7, "integer")
is(tonumber("1.5"), 1.5, "float")
is(tonumber(".5"), 0.5, "float")
is(tonumber("5."), 5.0, "float")
is(tonumber("1e2"), 100.0, "float")
is(tonumber("1E2"), 100.0, "float")
is(tonumber("1e-2"), 0.01, "float")
is(tonumber("1e500"), math.huge, "float")
is(tonumber("10.0"), 10.0, "float")
is(tonumber("9223372036854775807"), math.maxinteger, "integer")
is(tonumber("9223372036854775808"), 2.0 ^ 63, "float") -- too big: float
is(tonumber("-9223372036854775808"), math.mininteger, "integer")
is(tonumber("-9223372036854775809"), -2.0 ^ 63, "float")

-- hexadecimal strings
is(tonumber("0x10"), 16, "integer")
is(tonumber("0X1f"), 31, "integer")
is(tonumber("-0x10"), -16, "integer")
is(tonumber("0x1p4"), 16.0, "float")
is(tonumber("0x.8"), 0.5, "float")
is(tonumber("0xA.8p1"), 21.0, "float")
is(tonumber("0xffffffffffffffff"), -1, "integer") -- hex integers wrap
is(tonumber("0x10000000000000000"), 0, "integer")

-- failures give nil (fail)
assert(tonumber("") == nil)
assert(tonumber(" ") == nil)
assert(tonumber("1e") == nil)
assert(tonumber("0x") == nil)
assert(tonumber(" 0x ") == nil)
assert(tonumber("1 2") == nil)
assert(tonumber("- 1") == nil)
assert(tonumber("abc") == nil)
assert(tonumber("inf") == nil and tonumber("nan") == nil)
assert(tonumber("1.5.2") == nil)
assert(tonumber("0x1p") == nil)
assert(tonumber("1\0") == nil)
assert(tonumber(nil) == nil)
assert(tonumber(true) == nil)
assert(tonumber({}) == nil)
assert(select("#", tonumber("x")) == 1)

-- bases
is(tonumber("10", 16), 16, "integer")
is(tonumber("ff", 16), 255, "integer")
is(tonumber("FF", 16), 255, "integer")
is(tonumber("zz", 36), 1295, "integer")
is(tonumber("ZZ", 36), 1295, "integer")
is(tonumber(" 11 ", 2), 3, "integer")
is(tonumber("-ff", 16), -255, "integer")
is(tonumber("+7", 10), 7, "integer")
is(tonumber("777", 8), 511, "integer")
is(tonumber("7fffffffffffffff", 16), math.maxinteger, "integer")
is(tonumber("ffffffffffffffff", 16), -1, "integer") -- wraps
is(tonumber("10", 10), 10, "integer")
is(tonumber("0", 2), 0, "integer")
assert(tonumber("8", 8) == nil)
assert(tonumber("2", 2) == nil)
assert(tonumber("1.5", 10) == nil) -- only integers with a base
assert(tonumber("0x10", 16) == nil)
assert(tonumber("", 10) == nil)
assert(tonumber("  -  7", 10) == nil)
assert(tonumber("1e2", 10) == nil)
assert(tonumber("1e2", 16) == 482) -- 'e' is a hex digit

-- bad bases and argument types
local ok, msg = pcall(tonumber, "10", 1)
assert(not ok and string.find(msg, "base out of range", 1, true), msg)
ok, msg = pcall(tonumber, "10", 37)
assert(not ok and string.find(msg, "base out of range", 1, true), msg)
ok, msg = pcall(tonumber, 10, 16)
assert(not ok and string.find(msg, "string expected, got number", 1, true), msg)
ok, msg = pcall(tonumber)
assert(not ok and string.find(msg, "bad argument #1 to 'tonumber' (value expected)", 1, true), msg)

-- the same conversion rules apply to arithmetic on strings
assert("0x10" + 0 == 16)
assert(" 10 " + 0 == 10)
assert(math.type("10" + 0) == "integer")
assert(math.type("10.0" + 0) == "float")
assert(math.type("1e1" * 1) == "float")
assert(not pcall(function() return "1 2" + 0 end))
assert(not pcall(function() return "" + 0 end))

-- and to comparisons: never (strings and numbers do not compare)
assert(not pcall(function() return "10" < 5 end))
assert("10" ~= 10)

-- round trip of tostring
for _, v in ipairs({0, -0.0, 1.5, -123, 1e100, 2 ^ -20, math.maxinteger, math.mininteger}) do
  local back = tonumber(tostring(v))
  assert(back == v, tostring(v))
  assert(math.type(back) == math.type(v), tostring(v))
end
