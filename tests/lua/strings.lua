-- Strings: escapes, long strings, length, embedded zeros, comparison, concatenation.

-- simple escapes
assert("\a\b\f\n\r\t\v\\\"\'" == string.char(7, 8, 12, 10, 13, 9, 11, 92, 34, 39))
assert('\'' == "'" and "\"" == '"')
assert("a\
b" == "a\nb")

-- \z skips following whitespace including newlines
assert("a\z   b" == "ab")
assert("a\z
       b" == "ab")
assert("x\z" == "x")

-- \xXX exactly two hex digits
assert("\x41\x42\x43" == "ABC")
assert("\x7a\x7A" == "zz")
assert("\x00" == string.char(0))
assert("\xff" == string.char(255))

-- \ddd up to three decimal digits
assert("\65\066\0671" == "ABC1")
assert("\0" == string.char(0))
assert("\255" == string.char(255))
assert("\1234" == "{4")
assert(#"\0\0\0" == 3)

-- \u{XXX} UTF-8 up to 2^31
assert("\u{41}" == "A")
assert("\u{0}" == "\0")
assert("\u{7F}" == "\x7F")
assert("\u{80}" == "\xC2\x80")
assert("\u{E9}" == "\xC3\xA9")
assert("\u{20AC}" == "\xE2\x82\xAC")
assert("\u{10FFFF}" == "\xF4\x8F\xBF\xBF")
assert("\u{1F600}" == "\xF0\x9F\x98\x80")
assert("\u{7FFFFFFF}" == "\xFD\xBF\xBF\xBF\xBF\xBF")
assert(#"\u{7FFFFFFF}" == 6)
assert("\u{200000}" == "\xF8\x88\x80\x80\x80")
assert("\u{D800}" == "\xED\xA0\x80") -- surrogates are accepted
assert("\u{0000000041}" == "A")   -- leading zeros are fine

-- long strings
assert([[abc]] == "abc")
assert([[
first newline skipped]] == "first newline skipped")
assert([[

one kept]] == "\none kept")
assert([==[a]]b]=]c]==] == "a]]b]=]c")
assert([=[
]]]=] == "]]")
assert([[\n\z]] == "\\n\\z") -- no escapes in long strings
assert([[a
b]] == "a\nb")
local s = [==[
line1
line2
]==]
assert(s == "line1\nline2\n")

-- long comments of any level
--[==[ a comment with ]] inside ]==]
--[[ x ]] assert(true)

-- length
assert(#"" == 0)
assert(#"abc" == 3)
assert(#"\0a\0" == 3)
assert(#string.rep("x", 1000) == 1000)
local z = "a\0b\0c"
assert(#z == 5)
assert(z:sub(2, 2) == "\0")
assert(z:byte(3) == 98)
assert(z ~= "a")
assert(z < "a\0c")
assert(z .. z == "a\0b\0ca\0b\0c")
assert(string.find(z, "\0c", 1, true) == 4)

-- comparison is byte-wise (for the C locale) and length-aware
assert("a" < "b")
assert("a" < "aa")
assert("" < "a")
assert(not ("a" < "a"))
assert("a" <= "a")
assert("Z" < "a")
assert("abc" < "abd")
assert("abc" > "ab")
assert("\0" < "\1")
assert("a\0" > "a")
assert("10" < "9") -- strings, not numbers
assert(not pcall(function() return "1" < 2 end))
local ok, msg = pcall(function() return {} < "x" end)
assert(not ok and string.find(msg, "attempt to compare table with string", 1, true), msg)

-- concatenation with numbers
assert("a" .. 1 == "a1")
assert(1 .. 2 == "12")
assert("x" .. 1.5 == "x1.5")
assert("x" .. 2.0 == "x2.0")
assert("x" .. -0.0 == "x-0.0")
assert("" .. 10 // 3 == "3")
assert("a" .. "b" .. "c" .. "d" == "abcd")
assert(("a" .. "b") .. "c" == "a" .. ("b" .. "c"))
ok, msg = pcall(function() return "a" .. {} end)
assert(not ok and string.find(msg, "attempt to concatenate a table value", 1, true))
ok, msg = pcall(function() return "a" .. nil end)
assert(not ok and string.find(msg, "attempt to concatenate a nil value", 1, true))
ok, msg = pcall(function() return true .. "a" end)
assert(not ok and string.find(msg, "attempt to concatenate a boolean value", 1, true))

-- a long concatenation chain
local parts = {}
for i = 1, 100 do parts[i] = tostring(i) end
local joined = table.concat(parts, ",")
local built = ""
for i = 1, 100 do built = built .. (i > 1 and "," or "") .. i end
assert(built == joined)

-- strings are values: equal content means equal
local a = "hel" .. "lo"
local b = "hello"
assert(a == b)
assert(rawequal(a, b))
local t = {}
t[a] = 1
assert(t[b] == 1)
assert(string.rep("ab", 3) == "ababab")
assert(string.rep("ab", 3, ",") == "ab,ab,ab")
assert(string.rep("x", 0) == "")

-- string methods through the string metatable
assert(("abc"):upper() == "ABC")
assert(("%d"):format(5) == "5")
assert(#("x"):rep(10) == 10)
assert(getmetatable("").__index == string)
