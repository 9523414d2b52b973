-- string.format (manual 6.4): every conversion, flags, width, precision, %q round
-- trips, and the errors for invalid conversions.

-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

-- Asserts string.format(fmt, ...) == want.
local function fmt(want, f, ...)
  local got = string.format(f, ...)
  assert(got == want, "format(" .. f .. "): got '" .. got .. "', want '" .. want .. "'")
end

-- plain text and %%
fmt("", "")
fmt("abc", "abc")
fmt("%", "%%")
fmt("100%", "%d%%", 100)
fmt("a\0b", "a\0b")
fmt("x\0y", "%s", "x\0y")

-- %d %i
fmt("42", "%d", 42)
fmt("-42", "%i", -42)
fmt("3", "%d", 3.0)
fmt("3", "%d", "3")
fmt("   42", "%5d", 42)
fmt("42   |", "%-5d|", 42)
fmt("00042", "%05d", 42)
fmt("+42", "%+d", 42)
fmt(" 42", "% d", 42)
fmt("00042", "%.5d", 42)
fmt("", "%.0d", 0)
fmt("-9223372036854775808", "%d", math.mininteger)
fmt("9223372036854775807", "%d", math.maxinteger)
check_error("bad argument #2 to 'format' (number has no integer representation)", function() return string.format("%d", 1.5) end)
check_error("bad argument #2 to 'format' (number expected, got string)", function() return string.format("%d", "x") end)
check_error("bad argument #2 to 'format' (no value)", function() return string.format("%d") end)
check_error("bad argument #3 to 'format' (no value)", function() return string.format("%d %s", 1) end)

-- %u %c %x %X %o
fmt("42", "%u", 42)
fmt("A", "%c", 65)
fmt("\0", "%c", 0)
fmt("  A", "%3c", 65)
fmt("ff", "%x", 255)
fmt("FF", "%X", 255)
fmt("0xff", "%#x", 255)
fmt("0XFF", "%#X", 255)
fmt("ffffffffffffffff", "%x", -1)
fmt("17", "%o", 15)
fmt("017", "%#o", 15)
fmt("0000ff", "%06x", 255)

-- %e %E %f %F %g %G
fmt("1.000000e+00", "%e", 1)
fmt("1.500000E+10", "%E", 1.5e10)
fmt("1.3e-05", "%.1e", 1.25e-5)
fmt("3.141593", "%f", math.pi)
fmt("3.14", "%.2f", math.pi)
fmt("3", "%.0f", math.pi)
fmt("3.", "%#.0f", math.pi)
fmt("  3.14", "%6.2f", math.pi)
fmt("3.14  |", "%-6.2f|", math.pi)
fmt("+3.14", "%+.2f", math.pi)
fmt("003.14", "%06.2f", math.pi)
check_error("invalid conversion '%F' to 'format'", string.format, "%F", 1)
fmt("100000", "%g", 1e5)
fmt("1e+06", "%g", 1e6)
fmt("1E+06", "%G", 1e6)
fmt("0.0001", "%g", 1e-4)
fmt("1e-05", "%g", 1e-5)
fmt("1.5", "%g", 1.5)
fmt("1.50000", "%#g", 1.5)
fmt("3.1416", "%.5g", math.pi)
fmt("inf", "%f", math.huge)
fmt("-inf", "%f", -math.huge)
fmt("inf", "%g", math.huge)
fmt("-INF", "%E", -math.huge)
assert(string.format("%f", 0 / 0):find("nan"))
fmt("1e+308", "%.0e", 1e308)
fmt("4.9406564584124654e-324", "%.17g", 4.9406564584124654e-324)
fmt("-0", "%g", -0.0)
fmt("10", "%.0f", 10)   -- integers are converted to floats
fmt(string.rep("0", 98) .. "1", "%099d", 1)
fmt("1267650600228229401496703205376.000000", "%f", 2^100)
assert(#string.format("%f", 1e308) == 316 and #string.format("%.99f", -1e308) == 410)

-- %a %A (hexadecimal floats)
fmt("0x1p+0", "%a", 1)
fmt("0X1P-1", "%A", 0.5)
fmt("0x1.8p+1", "%a", 3.0)
fmt("-0x1p+0", "%a", -1.0)
fmt("0x0p+0", "%a", 0.0)
fmt("0x1.000p+0", "%.3a", 1)
fmt("inf", "%a", math.huge)
assert(load("return " .. string.format("%a", 0.1))() == 0.1)

-- %s
fmt("hello", "%s", "hello")
fmt("  abc", "%5s", "abc")
fmt("abc  |", "%-5s|", "abc")
fmt("ab", "%.2s", "abc")
fmt("42", "%s", 42)
fmt("1.0", "%s", 1.0)
fmt("nil", "%s", nil)
fmt("true", "%s", true)
fmt("x", "%s", setmetatable({}, {__tostring = function() return "x" end}))
assert(string.format("%s", setmetatable({}, {__name = "named"})):find("^named: "))
assert(string.format("%s", {}):find("^table: "))
assert(string.format("%s", print):find("^builtin: ") or string.format("%s", print):find("^function: "))
check_error("'__tostring' must return a string", string.format, "%s", setmetatable({}, {__tostring = function() return {} end}))
check_error("bad argument #2 to 'format' (no value)", function() return string.format("%s") end)
-- a long string with a precision is fine, without a width or precision it is copied whole
fmt(string.rep("x", 1000), "%s", string.rep("x", 1000))
fmt(string.rep("x", 10), "%.10s", string.rep("x", 1000))

-- %q
fmt('"hello"', "%q", "hello")
fmt('"a\\"b"', "%q", 'a"b')
fmt('"a\\\\b"', "%q", "a\\b")
fmt('"a\\\nb"', "%q", "a\nb")
fmt('"\\13"', "%q", "\r")
fmt('"\\9"', "%q", "\t")
fmt('"\\0"', "%q", "\0")
fmt('"\\0001"', "%q", "\0" .. "1")
fmt('"\\1a"', "%q", "\1a")
fmt('"\\0011"', "%q", "\1" .. "1")
fmt('"\\127"', "%q", "\127")
fmt('"\255"', "%q", "\255")
fmt("42", "%q", 42)
fmt("0x8000000000000000", "%q", math.mininteger)
fmt("9223372036854775807", "%q", math.maxinteger)
fmt("0x1p+0", "%q", 1.0)
fmt("0x1.8p+1", "%q", 3.0 * 1.0)
fmt("1e9999", "%q", math.huge)
fmt("-1e9999", "%q", -math.huge)
fmt("(0/0)", "%q", 0 / 0)
fmt("nil", "%q", nil)
fmt("true", "%q", true)
fmt("false", "%q", false)
check_error("bad argument #2 to 'format' (value has no literal form)", function() return string.format("%q", {}) end)
check_error("specifier '%q' cannot have modifiers", function() return string.format("%10q", "x") end)
-- %q round trips
for _, v in ipairs({0, -1, 1.5, -0.0, 1e300, 2^-1074, math.pi, math.mininteger, math.maxinteger,
                    "", "\0\1\2\r\n\t\"\\", "\200\201", string.rep("\0", 3) .. "9"}) do
  local back = load("return " .. string.format("%q", v))()
  assert(back == v and math.type(back) == math.type(v), "round trip of " .. tostring(v))
end
local every = {}
for i = 0, 255 do every[#every + 1] = string.char(i) end
every = table.concat(every)
assert(load("return " .. string.format("%q", every))() == every)

-- several conversions at once, and argument counting
fmt("1 two 3.0", "%d %s %.1f", 1, "two", 3)
fmt("a", "%s", "a", "extra arguments are ignored")

-- invalid conversions
check_error("invalid conversion '%y' to 'format'", string.format, "%y", 1)
check_error("invalid conversion '%' to 'format'", string.format, "%", 1)
check_error("invalid conversion '%10' to 'format'", string.format, "%10", 1)
check_error("invalid conversion '%-' to 'format'", string.format, "%-", 1)
check_error("invalid conversion '%l' to 'format'", string.format, "%ld", 1)
for _, spec in ipairs({"%123d", "%.123d", "%#d", "%+s", "%.3c", "%5.5.5d", "%100d", "%.100f",
                       "%#c", "%#s", "%0s", "%05s", "%+u", "%+x", "% x", "%+c"}) do
  check_error("invalid conversion specification: '" .. spec .. "'", string.format, spec, 1)
end
fmt("1    ", "%0-5d", 1)
fmt("+1", "% +d", 1)
fmt("0x1.p+0", "%#a", 1)
fmt("001", "%.3x", 1)
fmt("1.000e+00", "%#.3e", 1)
fmt("1." .. string.rep("0", 99), "%.99f", 1)
check_error("bad argument #1 to 'format' (string expected, got no value)", function() return string.format() end)

print("lib_string_format ok")
