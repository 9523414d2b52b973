-- utf8 library (manual 6.5): char, charpattern, codes, codepoint, len, offset,
-- strict and lax decoding, and errors.

-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

-- Packs results into a table with n.
local function pack(...) return {n = select("#", ...), ...} end

-- Asserts that a call's results equal the given list.
local function same(results, ...)
  local want = pack(...)
  if results.n ~= want.n then error("result count " .. results.n .. " ~= " .. want.n, 2) end
  for i = 1, want.n do
    if results[i] ~= want[i] then
      error("result " .. i .. ": " .. tostring(results[i]) .. " ~= " .. tostring(want[i]), 2)
    end
  end
end

-- charpattern
assert(utf8.charpattern == "[\0-\x7F\xC2-\xFD][\x80-\xBF]*")

-- utf8.char
assert(utf8.char() == "")
assert(utf8.char(72, 105) == "Hi")
assert(utf8.char(0) == "\0")
assert(utf8.char(0xE9) == "\xC3\xA9")
assert(utf8.char(0x20AC) == "\xE2\x82\xAC")
assert(utf8.char(0x10FFFF) == "\xF4\x8F\xBF\xBF")
assert(utf8.char(0x7FFFFFFF) == "\xFD\xBF\xBF\xBF\xBF\xBF")   -- up to 2^31 - 1
assert(utf8.char(0xD800) == "\xED\xA0\x80")                  -- surrogates are encoded
assert(utf8.char(0x41, 0x20AC) == "A\xE2\x82\xAC")
assert(utf8.char("65") == "A")
check_error("bad argument #1 to 'char' (value out of range)", function() return utf8.char(0x80000000) end)
check_error("bad argument #2 to 'char' (value out of range)", function() return utf8.char(1, -1) end)
check_error("bad argument #1 to 'char' (number expected, got string)", function() return utf8.char("x") end)
check_error("bad argument #1 to 'char' (number has no integer representation)", function() return utf8.char(1.5) end)

-- utf8.codepoint
same(pack(utf8.codepoint("h\u{E9}llo", 1, -1)), 104, 233, 108, 108, 111)
same(pack(utf8.codepoint("abc")), 97)
same(pack(utf8.codepoint("abc", 2)), 98)
same(pack(utf8.codepoint("abc", -1)), 99)
same(pack(utf8.codepoint("abc", 3, 2)))
check_error("bad argument #3 to 'codepoint' (out of bounds)", function() return utf8.codepoint("") end)
same(pack(utf8.codepoint("\u{10FFFF}\u{7FF}")), 0x10FFFF)
same(pack(utf8.codepoint("\u{D800}", 1, 1, true)), 0xD800)
same(pack(utf8.codepoint("\u{110000}", 1, 1, true)), 0x110000)
same(pack(utf8.codepoint("\u{7FFFFFFF}", 1, 1, true)), 0x7FFFFFFF)
check_error("invalid UTF-8 code", utf8.codepoint, "\xff")
check_error("invalid UTF-8 code", utf8.codepoint, "\u{D800}")           -- surrogate, strict
check_error("invalid UTF-8 code", utf8.codepoint, "\u{110000}")         -- above 10FFFF, strict
check_error("invalid UTF-8 code", utf8.codepoint, "\xc0\x80")           -- overlong
check_error("invalid UTF-8 code", utf8.codepoint, "\xe4")               -- truncated
check_error("invalid UTF-8 code", utf8.codepoint, "\x80")               -- lone continuation
check_error("bad argument #3 to 'codepoint' (out of bounds)", function() return utf8.codepoint("abc", 4) end)
check_error("bad argument #2 to 'codepoint' (out of bounds)", function() return utf8.codepoint("abc", 0) end)
check_error("bad argument #3 to 'codepoint' (out of bounds)", function() return utf8.codepoint("abc", 1, 4) end)
check_error("bad argument #1 to 'codepoint' (string expected, got no value)", function() return utf8.codepoint() end)

-- utf8.len
same(pack(utf8.len("h\u{E9}llo")), 5)
same(pack(utf8.len("")), 0)
same(pack(utf8.len("abc", 4)), 0)
same(pack(utf8.len("abc", -1)), 1)
same(pack(utf8.len("abc", 1, -2)), 2)
same(pack(utf8.len("abc", 3, 1)), 0)
same(pack(utf8.len("h\u{E9}llo", 3)), nil, 3)    -- starts at a continuation byte
same(pack(utf8.len("\xffab")), nil, 1)
same(pack(utf8.len("ab\xff")), nil, 3)
same(pack(utf8.len("\u{7FFFFFFF}")), nil, 1)
same(pack(utf8.len("\u{7FFFFFFF}", 1, -1, true)), 1)
same(pack(utf8.len("\xed\xa0\x80")), nil, 1)
same(pack(utf8.len("\xed\xa0\x80", 1, -1, true)), 1)
same(pack(utf8.len("\xc0\x80")), nil, 1)
same(pack(utf8.len("\xe0\x80\x80")), nil, 1)
same(pack(utf8.len("a\0b")), 3)
check_error("bad argument #2 to 'len' (initial position out of bounds)", function() return utf8.len("abc", 5) end)
check_error("bad argument #2 to 'len' (initial position out of bounds)", function() return utf8.len("abc", 0) end)
check_error("bad argument #3 to 'len' (final position out of bounds)", function() return utf8.len("abc", 1, 4) end)
check_error("bad argument #1 to 'len' (string expected, got no value)", function() return utf8.len() end)

-- utf8.offset
local s = "h\u{E9}llo"      -- bytes: h=1, e-acute=2..3, l=4, l=5, o=6
same(pack(utf8.offset(s, 1)), 1)
same(pack(utf8.offset(s, 3)), 4)
same(pack(utf8.offset(s, -1)), 6)
same(pack(utf8.offset(s, -5)), 1)
same(pack(utf8.offset(s, -6)), nil)
same(pack(utf8.offset(s, 0, 3)), 2)         -- start of the character containing byte 3
same(pack(utf8.offset(s, 0, 2)), 2)
same(pack(utf8.offset(s, 6)), 7)            -- one past the last character
same(pack(utf8.offset(s, 7)), nil)
same(pack(utf8.offset(s, 10)), nil)
same(pack(utf8.offset(s, 2, 2)), 4)
same(pack(utf8.offset(s, -1, 4)), 2)
same(pack(utf8.offset("", 1)), 1)
same(pack(utf8.offset("", -1)), nil)
same(pack(utf8.offset("abc", 0)), 1)
same(pack(utf8.offset("abc", -3)), 1)
same(pack(utf8.offset("abc", -4)), nil)
check_error("initial position is a continuation byte", utf8.offset, s, 1, 3)
check_error("bad argument #3 to 'offset' (position out of bounds)", function() return utf8.offset("abc", 1, 5) end)
check_error("bad argument #3 to 'offset' (position out of bounds)", function() return utf8.offset("abc", 1, 0) end)
check_error("bad argument #2 to 'offset' (number expected, got no value)", function() return utf8.offset("abc") end)

-- utf8.codes
local out = {}
for p, c in utf8.codes("a\u{E9}\u{10000}") do out[#out + 1] = p .. ":" .. c end
assert(table.concat(out, " ") == "1:97 2:233 4:65536")
local n = 0
for _ in utf8.codes("") do n = n + 1 end
assert(n == 0)
out = {}
for p, c in utf8.codes("a\u{D800}", true) do out[#out + 1] = p .. ":" .. c end
assert(table.concat(out, " ") == "1:97 2:55296")
check_error("invalid UTF-8 code", function() for _ in utf8.codes("a\xffb") do end end)
check_error("invalid UTF-8 code", function() for _ in utf8.codes("a\u{D800}") do end end)
check_error("invalid UTF-8 code", function() for _ in utf8.codes("\xe4") do end end)
check_error("bad argument #1 to 'codes' (string expected, got table)", function() return utf8.codes({}) end)
local iter, subject, control = utf8.codes("x")
assert(type(iter) == "function" and subject == "x" and control == 0)

-- charpattern matches one encoded character
out = {}
for ch in string.gmatch("a\u{E9}\u{20AC}\u{10000}", utf8.charpattern) do out[#out + 1] = #ch end
assert(table.concat(out, ",") == "1,2,3,4")

-- round trip through char and codepoint
for _, cp in ipairs({0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF}) do
  local enc = utf8.char(cp)
  assert(utf8.codepoint(enc) == cp and utf8.len(enc) == 1)
end

print("lib_utf8 ok")
