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

print("jit_intrinsics ok")
