-- string.pack, string.packsize, string.unpack (manual 6.4.2): every format option,
-- endianness, alignment, limits and errors.

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
  assert(results.n == want.n, "result count " .. results.n .. " ~= " .. want.n)
  for i = 1, want.n do
    assert(results[i] == want[i], "result " .. i .. ": " .. tostring(results[i]) .. " ~= " .. tostring(want[i]))
  end
end

local P, U, S = string.pack, string.unpack, string.packsize

-- ---------------------------------------------------------------------------
-- integers of every size and endianness
-- ---------------------------------------------------------------------------
assert(P("<i4", 1) == "\1\0\0\0")
assert(P(">i4", 1) == "\0\0\0\1")
assert(P("<i2", -2) == "\254\255")
assert(P(">I2", 0x1234) == "\x12\x34")
assert(P("b", -1) == "\255" and P("B", 255) == "\255")
assert(P("<h", 0x0102) == "\2\1" and P("<H", 0xffff) == "\255\255")
assert(P("<i3", 0x010203) == "\3\2\1")
assert(P(">i3", -1) == "\255\255\255")
assert(P("<i16", -1) == string.rep("\255", 16))
assert(P("<i16", 1) == "\1" .. string.rep("\0", 15))
assert(P(">I16", 1) == string.rep("\0", 15) .. "\1")
assert(P("<j", math.mininteger) == "\0\0\0\0\0\0\0\128")
assert(P("<J", -1) == string.rep("\255", 8))
assert(#P("l", 0) == 8 and #P("L", 0) == 8 and #P("T", 0) == 8)
assert(#P("i", 0) == 4 and #P("I", 0) == 4)
assert(#P("h", 0) == 2 and #P("b", 0) == 1)
assert(U("<i4", "\1\0\0\0") == 1)
assert(U(">i4", "\255\255\255\254") == -2)
assert(U("<I4", "\255\255\255\255") == 0xffffffff)
assert(U("<i3", "\255\255\255") == -1)
assert(U("<I3", "\255\255\255") == 0xffffff)
assert(U("<i16", string.rep("\255", 16)) == -1)
assert(U("<I9", "\1" .. string.rep("\0", 8)) == 1)
assert(U("<j", P("<j", math.maxinteger)) == math.maxinteger)
assert(U("=i4", P("=i4", 77)) == 77)
-- native endianness is the same as one of < or >
assert(P("=i4", 1) == P("<i4", 1) or P("=i4", 1) == P(">i4", 1))
-- every size round trips its extremes
for n = 1, 8 do
  local max = (1 << (8 * n - 1)) - 1
  local min = -(1 << (8 * n - 1))
  if n == 8 then max, min = math.maxinteger, math.mininteger end
  for _, v in ipairs({0, 1, -1, max, min}) do
    assert(U("<i" .. n, P("<i" .. n, v)) == v, "i" .. n .. " " .. v)
    assert(U(">i" .. n, P(">i" .. n, v)) == v, "i" .. n .. " " .. v)
  end
  if n < 8 then
    local umax = (1 << (8 * n)) - 1
    assert(U("<I" .. n, P("<I" .. n, umax)) == umax)
  end
end
-- overflow
check_error("bad argument #2 to 'pack' (integer overflow)", function() return string.pack("i1", 128) end)
check_error("bad argument #2 to 'pack' (integer overflow)", function() return string.pack("i1", -129) end)
check_error("bad argument #2 to 'pack' (unsigned overflow)", function() return string.pack("I1", 256) end)
check_error("bad argument #2 to 'pack' (integer overflow)", function() return string.pack("i2", 40000) end)
check_error("bad argument #2 to 'pack' (unsigned overflow)", function() return string.pack("I1", -1) end)
check_error("bad argument #2 to 'pack' (number has no integer representation)", function() return string.pack("i4", 1.5) end)
check_error("bad argument #2 to 'pack' (number expected, got string)", function() return string.pack("i4", "x") end)
assert(P("i4", "10") == P("i4", 10))
assert(P("i4", 3.0) == P("i4", 3))
-- unpacking a wider integer that does not fit
check_error("9-byte integer does not fit into Lua Integer", U, "<i9", "\0\0\0\0\0\0\0\0\1")
assert(U("<i9", string.rep("\255", 9)) == -1)
assert(U("<i9", "\1" .. string.rep("\0", 8)) == 1)
-- size limits
check_error("integral size (17) out of limits [1,16]", P, "i17", 1)
check_error("integral size (0) out of limits [1,16]", P, "i0", 1)
check_error("integral size (17) out of limits [1,16]", S, "I17")

-- ---------------------------------------------------------------------------
-- floats
-- ---------------------------------------------------------------------------
assert(#P("f", 1) == 4 and #P("d", 1) == 8 and #P("n", 1) == 8)
assert(P("<d", 1.0) == "\0\0\0\0\0\0\240\63")
assert(P(">d", -2.0) == "\192\0\0\0\0\0\0\0")
assert(P("<f", 1.0) == "\0\0\128\63")
assert(U("<f", P("<f", 0.5)) == 0.5)
assert(U("<d", P("<d", math.pi)) == math.pi)
assert(U("<n", P("<n", -1e300)) == -1e300)
assert(U("<d", P("<d", math.huge)) == math.huge)
assert(U("<f", P("<f", -math.huge)) == -math.huge)
local nan = U("<d", P("<d", 0 / 0))
assert(nan ~= nan)
assert(U("<f", P("<f", 1e300)) == math.huge)    -- float overflow gives inf
assert(math.type(U("<d", P("<d", 3))) == "float")
assert(P("<d", 3) == P("<d", 3.0))
assert(math.abs(U("<f", P("<f", 0.1)) - 0.1) < 1e-7)
check_error("bad argument #2 to 'pack' (number expected, got nil)", function() return string.pack("d", nil) end)

-- ---------------------------------------------------------------------------
-- strings: s[n], z, c[n]
-- ---------------------------------------------------------------------------
assert(P("<s4", "abc") == "\3\0\0\0abc")
assert(P(">s2", "ab") == "\0\2ab")
assert(P("s1", "") == "\0")
assert(#P("s", "abc") == 8 + 3)
assert(P("z", "abc") == "abc\0")
assert(P("c5", "abc") == "abc\0\0")
assert(P("c3", "abc") == "abc")
assert(P("c0", "") == "")
same(pack(U("<s4", "\3\0\0\0abcXYZ")), "abc", 8)
same(pack(U("z", "abc\0def\0")), "abc", 5)
same(pack(U("zz", "abc\0def\0")), "abc", "def", 9)
same(pack(U("c3", "abcdef")), "abc", 4)
same(pack(U("c2c2", "abcd")), "ab", "cd", 5)
assert(U("s1", P("s1", "\0\1\2")) == "\0\1\2")
check_error("bad argument #2 to 'pack' (string longer than given size)", function() return string.pack("c2", "abc") end)
check_error("bad argument #2 to 'pack' (string contains zeros)", function() return string.pack("z", "a\0b") end)
check_error("bad argument #2 to 'pack' (string length does not fit in given size)", function() return string.pack("s1", string.rep("x", 256)) end)
check_error("missing size for format option 'c'", P, "c", "x")
check_error("bad argument #2 to 'unpack' (data string too short)", function() return string.unpack("c4", "abc") end)
check_error("bad argument #2 to 'unpack' (unfinished string for format 'z')", function() return string.unpack("z", "abc") end)
check_error("bad argument #2 to 'unpack' (data string too short)", function() return string.unpack("s1", "\5ab") end)
check_error("bad argument #2 to 'unpack' (data string too short)", function() return string.unpack("i4", "abc") end)
check_error("bad argument #2 to 'pack' (string expected, got table)", function() return string.pack("z", {}) end)
assert(P("z", 12) == "12\0")   -- numbers are coerced

-- ---------------------------------------------------------------------------
-- padding and alignment: x, X, !
-- ---------------------------------------------------------------------------
assert(P("x") == "\0")
assert(P("bxb", 1, 2) == "\1\0\2")
assert(P("<!4 b i4", 1, 2) == "\1\0\0\0\2\0\0\0")
assert(P("<!2 b i4", 1, 2) == "\1\0\2\0\0\0")
assert(P("<! b d", 1, 0) == "\1" .. string.rep("\0", 7) .. string.rep("\0", 8))
assert(P("<b Xi4", 1) == "\1")   -- X aligns to min(next size, maxalign); default maxalign is 1
assert(P("<!4 b Xi4", 1) == "\1\0\0\0")
assert(P("<!4 b Xh b", 1, 2) == "\1\0\2")
assert(P("<!8 bXd", 1) == "\1" .. string.rep("\0", 7))
assert(S("!8 b Xd") == 8)
assert(S("<!4 b i4") == 8)
assert(S("<!4 b i8") == 8 + 4)
assert(S("<!1 b i8") == 9)
assert(S("bXi16") == 1)   -- default maxalign is 1
assert(S("!bXi16") == 8)   -- "!" alone is the native maximum alignment
same(pack(U("<!4 b i4", P("<!4 b i4", 7, 9))), 7, 9, 9)
check_error("invalid next option for option 'X'", P, "X")
check_error("invalid next option for option 'X'", P, "Xz")
check_error("invalid next option for option 'X'", P, "bXc1", 1, "x")
check_error("format asks for alignment not power of 2", P, "!3 b i3", 1, 2)
check_error("integral size (17) out of limits [1,16]", P, "!17")
assert(S("!") == 0 and S("!4") == 0)
-- spaces are ignored, endianness can change in the middle
assert(P(" < i2 > i2 ", 1, 1) == "\1\0\0\1")

-- ---------------------------------------------------------------------------
-- packsize
-- ---------------------------------------------------------------------------
assert(S("") == 0)
assert(S("i4i8") == 12)
assert(S("bhilj") == 1 + 2 + 4 + 8 + 8)
assert(S("fdn") == 4 + 8 + 8)
assert(S("c10") == 10)
assert(S("i16") == 16)
check_error("bad argument #1 to 'packsize' (variable-length format)", function() return string.packsize("s") end)
check_error("bad argument #1 to 'packsize' (variable-length format)", function() return string.packsize("z") end)
check_error("invalid format option 'y'", S, "y")
check_error("bad argument #1 to 'packsize' (format result too large)", function() return string.packsize(string.rep("c2000000000", 10)) end)
check_error("invalid format option '0'", string.pack, "c3000000000", "")

-- ---------------------------------------------------------------------------
-- unpack positions
-- ---------------------------------------------------------------------------
local data = P("<i4i4i4", 10, 20, 30)
same(pack(U("<i4", data)), 10, 5)
same(pack(U("<i4", data, 5)), 20, 9)
same(pack(U("<i4", data, -4)), 30, 13)
same(pack(U("<i4i4i4", data)), 10, 20, 30, 13)
same(pack(U("", data)), 1)
same(pack(U("", data, 13)), 13)
check_error("bad argument #3 to 'unpack' (initial position out of string)", function() return string.unpack("<i4", data, 14) end)
same(pack(U("<i4", data, -20)), 10, 5)   -- a position before the start is clipped to 1
check_error("bad argument #2 to 'unpack' (data string too short)", function() return string.unpack("<i4", data, 12) end)

-- ---------------------------------------------------------------------------
-- format errors
-- ---------------------------------------------------------------------------
check_error("invalid format option 'y'", P, "y")
check_error("invalid format option '@'", U, "@", "")
check_error("bad argument #2 to 'pack' (number expected, got nil)", function() return string.pack("i4") end)
check_error("bad argument #1 to 'pack' (string expected, got no value)", function() return string.pack() end)
check_error("bad argument #2 to 'unpack' (string expected, got no value)", function() return string.unpack("i4") end)
-- many values
local fmt = string.rep("b", 200)
local values = {}
for i = 1, 200 do values[i] = i - 100 end
local packed = P(fmt, table.unpack(values))
assert(#packed == 200)
local back = pack(U(fmt, packed))
assert(back.n == 201 and back[1] == -99 and back[200] == 100 and back[201] == 201)

print("lib_pack ok")
