-- Calls compiled as the operation they perform (INTRINSICS in jit/src/ops_call.rs):
-- math.sqrt(x) with a number is a square root in compiled code, and anything else
-- (a string to convert, a bad argument, a replaced math.sqrt) is the general call.
-- Run interpreted and with every function compiled: the results must be the same.

local sqrt = math.sqrt
local function f(x) return math.sqrt(x) end
local function g(x) return sqrt(x) + 0 end

local acc = 0
for i = 1, 200 do
  acc = acc + g(i) + f(i * 0.5)
end
assert(string.format("%.10f", acc) == "3230.6726299350", acc)

assert(f(4) == 2.0 and math.type(f(4)) == "float")
assert(f(2.25) == 1.5)
assert(f(-1) ~= f(-1), "sqrt of a negative number is NaN")
assert(f(0 / 0) ~= f(0 / 0))
assert(1 / f(-0.0) == -math.huge, "the sign of -0.0 is kept")
assert(f(math.huge) == math.huge)
assert(f(2 ^ 53 + 1) == 94906265.62425156)
assert(f(math.maxinteger) == 3037000499.97605)
assert(f(math.mininteger) ~= f(math.mininteger))
assert(f("16") == 4.0, "a numeric string converts")

local ok, err = pcall(f, {})
assert(not ok and err:find("bad argument #1 to 'sqrt' (number expected, got table)", 1, true), err)
ok, err = pcall(f, nil)
assert(not ok and err:find("number expected, got nil", 1, true), err)

-- Two arguments, or a result count other than one: the general call.
local function two(x) return math.sqrt(x, 99) end
local function all(x) return select("#", math.sqrt(x)) end
assert(two(9) == 3.0 and all(9) == 1)

-- A replaced math.sqrt is called, and the local copy still holds the library's.
local saved = math.sqrt
math.sqrt = function(x) return "patched " .. x end
assert(f(9) == "patched 9")
assert(g(9) == 3.0)
math.sqrt = saved
assert(f(9) == 3.0)

-- string.byte with a string and a position inside it reads the byte inline; every
-- other case is the library's (positions out of range or negative, numbers coerced to
-- strings, float positions, a replaced function, a method of another table).
local function bytes(s, n)
  local sum = 0
  for i = 1, n do
    sum = sum + (s:byte(i) or 1000)
  end
  return sum
end
local function bytes2(s, i) return string.byte(s, i) end
for _ = 1, 3 do
  assert(bytes("abc", 3) == 97 + 98 + 99)
  assert(bytes("abc", 5) == 97 + 98 + 99 + 2000)
  assert(bytes("", 2) == 2000)
  assert(bytes("\0\255", 2) == 255)
  assert(bytes2("hello", -1) == 111 and bytes2("hello", 0) == nil)
  assert(bytes2("hello", 2.0) == 101 and bytes2(12345, 2) == 50)
  assert(select("#", bytes2("hello", 9)) == 0)
  assert(bytes2("hello", math.maxinteger) == nil and bytes2("hello", math.mininteger) == nil)
end
local ok, err = pcall(bytes2, "hello", 1.5)
assert(not ok and err:find("number has no integer representation", 1, true), err)
local obj = { byte = function(self, i) return i * 2 end }
local function methods(o, n)
  local sum = 0
  for i = 1, n do sum = sum + o:byte(i) end
  return sum
end
assert(methods(obj, 4) == 20 and methods("abcd", 4) == 97 + 98 + 99 + 100)
local saved_byte = string.byte
string.byte = function(s, i) return 7 end
assert(bytes("abc", 3) == 21 and bytes2("abc", 1) == 7)
string.byte = saved_byte
assert(bytes("abc", 3) == 97 + 98 + 99)

print("jit_intrinsics ok")
