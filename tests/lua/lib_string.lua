-- string library (manual 6.4): byte, char, len, lower, upper, rep, reverse, sub,
-- the string metatable, string coercions, and argument errors.

-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

-- Packs results into a table with n, for comparing multiple returns.
local function pack(...) return {n = select("#", ...), ...} end

-- Asserts that a call's results equal the given list.
local function same(results, ...)
  local want = pack(...)
  assert(results.n == want.n, "result count " .. results.n .. " ~= " .. want.n)
  for i = 1, want.n do
    assert(results[i] == want[i], "result " .. i .. ": " .. tostring(results[i]) .. " ~= " .. tostring(want[i]))
  end
end

-- ---------------------------------------------------------------------------
-- string.len, #
-- ---------------------------------------------------------------------------
assert(string.len("") == 0)
assert(string.len("abc") == 3)
assert(string.len("a\0b\0") == 4)
assert(#"\0\0\0" == 3)
assert(string.len(123) == 3)      -- numbers are coerced
assert(string.len(1.5) == 3)
check_error("bad argument #1 to 'len' (string expected, got no value)", function() return string.len() end)
check_error("bad argument #1 to 'len' (string expected, got table)", function() return string.len({}) end)

-- ---------------------------------------------------------------------------
-- string.sub: all index rules
-- ---------------------------------------------------------------------------
local s = "hello world"
assert(s:sub(1, 5) == "hello")
assert(s:sub(7) == "world")
assert(s:sub(-5) == "world")
assert(s:sub(-5, -2) == "worl")
assert(s:sub(0) == s)
assert(s:sub(-100) == s)
assert(s:sub(-100, 2) == "he")
assert(s:sub(3, 2) == "")
assert(s:sub(12) == "")
assert(s:sub(100, 200) == "")
assert(s:sub(1, 100) == s)
assert(s:sub(1, 0) == "")
assert(s:sub(0, 0) == "")
assert(s:sub(-1, -1) == "d")
assert(s:sub(2, -2) == "ello worl")
assert(s:sub(math.mininteger, math.maxinteger) == s)
assert(s:sub(math.maxinteger) == "")
assert(s:sub(math.mininteger, -12) == "")
assert(("a\0b"):sub(2, 2) == "\0")
assert(("abc"):sub(2.0, 3.0) == "bc")   -- floats with integer values are accepted
assert(("abc"):sub("2") == "bc")        -- strings are coerced
assert(string.sub(12345, 2, 3) == "23")
check_error("bad argument #1 to 'sub' (string expected, got no value)", function() return string.sub() end)
check_error("bad argument #2 to 'sub' (number expected, got no value)", function() return string.sub("x") end)
check_error("bad argument #1 to 'sub' (number expected, got no value)", function() return ("x"):sub() end)
check_error("bad argument #2 to 'sub' (number has no integer representation)", function() return string.sub("x", 1.5) end)
check_error("bad argument #3 to 'sub' (number expected, got string)", function() return string.sub("x", 1, "y") end)
check_error("bad argument #3 to 'sub' (number expected, got boolean)", function() return string.sub("x", 1, true) end)

-- ---------------------------------------------------------------------------
-- string.byte
-- ---------------------------------------------------------------------------
assert(string.byte("A") == 65)
assert(string.byte("ABC", 2) == 66)
same(pack(string.byte("ABC", 1, 3)), 65, 66, 67)
same(pack(string.byte("ABC", -2, -1)), 66, 67)
same(pack(string.byte("ABC", 0, 10)), 65, 66, 67)
same(pack(string.byte("ABC", 3, 2)))
same(pack(string.byte("")))
same(pack(string.byte("", 1)))
assert(string.byte("\0") == 0 and string.byte("\255") == 255)
same(pack(("a\0b"):byte(1, -1)), 97, 0, 98)
check_error("bad argument #2 to 'byte' (number has no integer representation)", function() return string.byte("a", 0.5) end)
check_error("bad argument #1 to 'byte' (string expected, got nil)", function() return string.byte(nil) end)

-- ---------------------------------------------------------------------------
-- string.char
-- ---------------------------------------------------------------------------
assert(string.char() == "")
assert(string.char(72, 105) == "Hi")
assert(string.char(0, 255) == "\0\255")
assert(string.char("65") == "A")
assert(string.char(65.0) == "A")
local all = {}
for i = 0, 255 do all[#all + 1] = i end
local bytes = string.char(table.unpack(all))
assert(#bytes == 256)
for i = 0, 255 do assert(bytes:byte(i + 1) == i) end
check_error("bad argument #1 to 'char' (value out of range)", function() return string.char(256) end)
check_error("bad argument #2 to 'char' (value out of range)", function() return string.char(1, -1) end)
check_error("bad argument #1 to 'char' (number expected, got table)", function() return string.char({}) end)
check_error("bad argument #1 to 'char' (number has no integer representation)", function() return string.char(1.5) end)

-- ---------------------------------------------------------------------------
-- string.lower, string.upper
-- ---------------------------------------------------------------------------
assert(string.lower("HeLLo 123 \0 Z") == "hello 123 \0 z")
assert(string.upper("HeLLo 123 \0 z") == "HELLO 123 \0 Z")
assert(string.lower("") == "" and string.upper("") == "")
assert(string.upper("\200\255") == "\200\255")   -- C locale: non-ASCII untouched
assert(string.lower(10) == "10")
check_error("bad argument #1 to 'lower' (string expected, got no value)", function() return string.lower() end)
check_error("bad argument #1 to 'upper' (string expected, got boolean)", function() return string.upper(true) end)

-- ---------------------------------------------------------------------------
-- string.rep
-- ---------------------------------------------------------------------------
assert(string.rep("ab", 3) == "ababab")
assert(string.rep("ab", 3, ",") == "ab,ab,ab")
assert(string.rep("ab", 1, ",") == "ab")
assert(string.rep("ab", 0) == "")
assert(string.rep("ab", 0, ",") == "")
assert(string.rep("ab", -1) == "")
assert(string.rep("ab", math.mininteger) == "")
assert(string.rep("", 1000000) == "")
assert(string.rep("", 5, "x") == "xxxx")
assert(string.rep("x", 3, "") == "xxx")
assert(string.rep("\0", 3, "\1") == "\0\1\0\1\0")
assert(string.rep("a", 2.0) == "aa")
assert(#string.rep("abc", 10000) == 30000)
check_error("resulting string too large", string.rep, "x", math.maxinteger)
check_error("resulting string too large", string.rep, "xx", 1 << 62)
check_error("resulting string too large", string.rep, "", 1 << 62, "x")
check_error("bad argument #2 to 'rep' (number has no integer representation)", function() return string.rep("x", 1.5) end)
check_error("bad argument #2 to 'rep' (number expected, got no value)", function() return string.rep("x") end)
check_error("bad argument #3 to 'rep' (string expected, got table)", function() return string.rep("x", 2, {}) end)

-- ---------------------------------------------------------------------------
-- string.reverse
-- ---------------------------------------------------------------------------
assert(string.reverse("") == "")
assert(string.reverse("a") == "a")
assert(string.reverse("abc") == "cba")
assert(string.reverse("a\0b") == "b\0a")
assert(string.reverse(123) == "321")
check_error("bad argument #1 to 'reverse' (string expected, got nil)", function() return string.reverse(nil) end)

-- ---------------------------------------------------------------------------
-- string metatable and methods
-- ---------------------------------------------------------------------------
local mt = getmetatable("")
assert(type(mt) == "table")
assert(mt.__index == string)
assert(getmetatable("abc") == mt)
assert(("x"):rep(3) == "xxx")
assert(("%d"):format(7) == "7")
assert(#("abc"):upper() == 3)
local str = "abc"
assert(str:len() == 3 and str:byte(-1) == 99)
-- string coercions in arithmetic (string metamethods in 5.4)
assert("10" + 1 == 11 and math.type("10" + 1) == "integer")
assert("10" * "2" == 20)
assert("3.5" + 0 == 3.5 and math.type("3.5" + 0) == "float")
assert("0x10" + 0 == 16)
assert(" 5 " - 1 == 4)
assert("2" ^ 3 == 8.0)
assert("7" // 2 == 3 and "7" % 2 == 1)
assert(-"2" == -2)
assert("1e1" + 0 == 10.0)
assert(mt.__add and mt.__sub and mt.__mul and mt.__div and mt.__mod and mt.__pow and mt.__unm and mt.__idiv)
check_error("attempt to add a 'string' with a 'number'", function() return "abc" + 1 end)
check_error("attempt to add a 'string' with a 'nil'", function() return "10" + nil end)
-- the string metatable has no bitwise metamethods
check_error("attempt to perform bitwise operation on a string value", function() local x = "3"; return x | 0 end)
-- concatenation of numbers
assert(1 .. 2 == "12")
assert(1.5 .. "" == "1.5")
assert(2^63 .. "" == "9.2233720368548e+18")
assert(math.mininteger .. "" == "-9223372036854775808")
-- comparison is bytewise
assert("a" < "b" and "a" < "aa" and "" < "\0" and "\0" < "\1")
assert("a\0b" < "a\0c" and "a\0" > "a")
assert(not ("Z" > "a"))

-- string.dump exists as a function
assert(type(string.dump) == "function")
check_error("bad argument #1 to 'dump' (function expected, got no value)", function() return string.dump() end)
check_error("unable to dump given function", string.dump, print)

print("lib_string ok")
