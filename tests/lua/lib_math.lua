-- math library (manual 6.7): every function and constant, integer/float results,
-- random ranges, seeding and argument errors. (math.deg and math.rad: see
-- tests/wishlist/lib_math_deg_rad.lua.)

-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

-- Asserts that x is a number of the given subtype equal to want.
local function is(x, want, subtype)
  if x ~= want then error(tostring(x) .. " ~= " .. tostring(want), 2) end
  if math.type(x) ~= subtype then error(tostring(x) .. " is " .. tostring(math.type(x)) .. ", not " .. subtype, 2) end
end

-- Asserts |x - want| is tiny.
local function near(x, want)
  if not (math.abs(x - want) < 1e-12) then error(tostring(x) .. " not near " .. tostring(want), 2) end
end

local nan = 0 / 0

-- constants
assert(math.pi == 3.141592653589793)
assert(math.huge == 1 / 0 and math.huge > 1e308)
is(math.maxinteger, 9223372036854775807, "integer")
is(math.mininteger, -9223372036854775807 - 1, "integer")
assert(math.maxinteger + 1 == math.mininteger)

-- math.type
assert(math.type(1) == "integer" and math.type(1.0) == "float")
assert(math.type("1") == nil and math.type({}) == nil and math.type(nil) == nil)
check_error("bad argument #1 to 'type' (value expected)", function() return math.type() end)

-- math.abs
is(math.abs(-3), 3, "integer")
is(math.abs(-3.5), 3.5, "float")
is(math.abs(math.mininteger), math.mininteger, "integer")   -- wraps around
is(math.abs("-2"), 2.0, "float")   -- strings are not integers here
assert(math.abs(-0.0) == 0 and 1 / math.abs(-0.0) == math.huge)
check_error("bad argument #1 to 'abs' (number expected, got no value)", function() return math.abs() end)

-- math.ceil, math.floor
is(math.floor(3.7), 3, "integer")
is(math.floor(-3.5), -4, "integer")
is(math.floor(5), 5, "integer")
is(math.ceil(3.2), 4, "integer")
is(math.ceil(-3.5), -3, "integer")
is(math.floor(2^70), 2^70, "float")          -- does not fit: stays a float
is(math.ceil(-2^70), -2^70, "float")
is(math.floor(-0.0), 0, "integer")
assert(math.floor(math.huge) == math.huge and math.ceil(-math.huge) == -math.huge)
is(math.floor("3.5"), 3, "integer")
check_error("bad argument #1 to 'floor' (number expected, got string)", function() return math.floor("x") end)
check_error("bad argument #1 to 'ceil' (number expected, got table)", function() return math.ceil({}) end)

-- math.fmod
is(math.fmod(7, 3), 1, "integer")
is(math.fmod(-7, 3), -1, "integer")         -- rounds towards zero, unlike %
is(math.fmod(7, -3), 1, "integer")
is(math.fmod(-6.0, 4), -2.0, "float")
is(math.fmod(math.mininteger, -1), 0, "integer")
is(math.fmod(5.5, 2), 1.5, "float")
local f = math.fmod(1, 0.0)
assert(f ~= f)
assert(math.fmod(1, math.huge) == 1)
check_error("bad argument #2 to 'fmod' (zero)", function() return math.fmod(1, 0) end)
check_error("bad argument #2 to 'fmod' (number expected, got no value)", function() return math.fmod(1) end)

-- math.modf
local i, frac = math.modf(3.7)
is(i, 3, "integer")   -- a float that fits comes back as an integer (5.4.4)
near(frac, 0.7)
i, frac = math.modf(-3.7)
is(i, -3, "integer")
near(frac, -0.7)
i, frac = math.modf(5)
is(i, 5, "integer")
is(frac, 0.0, "float")
i, frac = math.modf(math.huge)
assert(i == math.huge and frac == 0.0)
i, frac = math.modf(-math.huge)
assert(i == -math.huge and frac == 0.0)
i, frac = math.modf(nan)
assert(i ~= i and frac ~= frac)

-- math.tointeger
is(math.tointeger(3.0), 3, "integer")
is(math.tointeger(7), 7, "integer")
assert(math.tointeger(3.5) == nil)
assert(math.tointeger(2^63) == nil)
is(math.tointeger(-2^63), math.mininteger, "integer")
assert(math.tointeger({}) == nil and math.tointeger(nan) == nil and math.tointeger(math.huge) == nil)
check_error("bad argument #1 to 'tointeger' (value expected)", function() return math.tointeger() end)

-- math.ult
assert(math.ult(1, 2) and not math.ult(2, 1))
assert(math.ult(1, -1))           -- -1 is the largest unsigned value
assert(not math.ult(-1, 1))
assert(math.ult(math.maxinteger, math.mininteger))
check_error("bad argument #1 to 'ult' (number has no integer representation)", function() return math.ult(1.5, 2) end)
check_error("bad argument #2 to 'ult' (number expected, got no value)", function() return math.ult(1) end)

-- math.max, math.min
is(math.max(1, 2, 3), 3, "integer")
is(math.max(1, 2.5, -1), 2.5, "float")
is(math.min(3, 1.0, 1), 1.0, "float")     -- the first of equal minima is kept
is(math.min(3, 1, 1.0), 1, "integer")
is(math.max(5), 5, "integer")
is(math.max(-math.huge, math.mininteger), math.mininteger, "integer")
assert(math.max(1, math.huge) == math.huge)
check_error("attempt to compare string with number", math.max, "10", 9)   -- no coercion in comparisons
check_error("bad argument #1 to 'max' (value expected)", function() return math.max() end)
check_error("bad argument #1 to 'min' (value expected)", function() return math.min() end)


-- math.sqrt, math.exp, math.log
is(math.sqrt(16), 4.0, "float")
is(math.sqrt(2) ^ 2 // 1, 2.0, "float")
local s = math.sqrt(-1)
assert(s ~= s)
is(math.exp(0), 1.0, "float")
near(math.exp(1), 2.718281828459045)
is(math.log(1), 0.0, "float")
near(math.log(math.exp(2)), 2)
is(math.log(8, 2), 3.0, "float")
is(math.log(1024, 2), 10.0, "float")
is(math.log(100, 10), 2.0, "float")
is(math.log(1000, 10), 3.0, "float")
near(math.log(27, 3), 3)
assert(math.log(0) == -math.huge)
local l = math.log(-1)
assert(l ~= l)
assert(math.log(2, 1) == math.huge)
check_error("bad argument #1 to 'log' (number expected, got no value)", function() return math.log() end)
check_error("bad argument #2 to 'log' (number expected, got string)", function() return math.log(2, "y") end)

-- trigonometry
is(math.sin(0), 0.0, "float")
near(math.sin(math.pi / 2), 1)
is(math.cos(0), 1.0, "float")
near(math.cos(math.pi), -1)
near(math.tan(math.pi / 4), 1)
near(math.asin(1), math.pi / 2)
near(math.acos(1), 0)
near(math.acos(-1), math.pi)
near(math.atan(1), math.pi / 4)
near(math.atan(1, 1), math.pi / 4)
near(math.atan(1, -1), 3 * math.pi / 4)
near(math.atan(-1, -1), -3 * math.pi / 4)
near(math.atan(0, -1), math.pi)
near(math.atan(-0.0, -1), -math.pi)
near(math.atan(1, 0), math.pi / 2)
is(math.atan(0), 0.0, "float")
near(math.atan(5, 1.0), math.atan(5))
local as = math.asin(2)
assert(as ~= as)
check_error("bad argument #1 to 'sin' (number expected, got nil)", function() return math.sin(nil) end)
check_error("bad argument #2 to 'atan' (number expected, got string)", function() return math.atan(1, "x") end)

-- ---------------------------------------------------------------------------
-- math.random, math.randomseed
-- ---------------------------------------------------------------------------
for _ = 1, 1000 do
  local r = math.random()
  assert(math.type(r) == "float" and r >= 0 and r < 1)
  local k = math.random(10)
  assert(math.type(k) == "integer" and k >= 1 and k <= 10)
  local m = math.random(-3, 3)
  assert(m >= -3 and m <= 3)
  local big = math.random(math.maxinteger - 1, math.maxinteger)
  assert(big == math.maxinteger - 1 or big == math.maxinteger)
end
assert(math.random(5, 5) == 5)
assert(math.random(math.mininteger, math.mininteger) == math.mininteger)
assert(math.type(math.random(0)) == "integer")                          -- all bits random
assert(math.type(math.random(math.mininteger, math.maxinteger)) == "integer")
assert(math.random(3.0) <= 3)
-- every value of a small range shows up
local seen = {}
for _ = 1, 200 do seen[math.random(4)] = true end
assert(seen[1] and seen[2] and seen[3] and seen[4])
check_error("bad argument #1 to 'random' (interval is empty)", function() return math.random(0, -1) end)
check_error("bad argument #1 to 'random' (interval is empty)", function() return math.random(2, 1) end)
check_error("bad argument #1 to 'random' (interval is empty)", function() return math.random(-5) end)
check_error("wrong number of arguments", function() return math.random(1, 2, 3) end)
check_error("bad argument #1 to 'random' (number has no integer representation)", function() return math.random(1.5) end)
check_error("bad argument #2 to 'random' (number expected, got string)", function() return math.random(1, "x") end)
-- seeding is deterministic, and the generator is xoshiro256** as in lua5.4
math.randomseed(42)
local first = {math.random(1, 100), math.random(), math.random(0), math.random(3)}
math.randomseed(42)
local again = {math.random(1, 100), math.random(), math.random(0), math.random(3)}
for n = 1, 4 do assert(first[n] == again[n]) end
assert(first[1] == 50 and first[3] == -3807604385970496171 and first[4] == 2)
assert(string.format("%.14g", first[2]) == "0.54688311243421")
math.randomseed(42, 7)
assert(math.random(1, 100) == 49)
math.randomseed(42.0)
assert(math.random(1, 100) == 50)
-- randomseed returns the two seed components (5.4.4)
local s1, s2 = math.randomseed(5)
assert(s1 == 5 and s2 == 0)
local r1, r2 = math.randomseed()
assert(math.type(r1) == "integer" and math.type(r2) == "integer")
check_error("bad argument #1 to 'randomseed' (number has no integer representation)", function() return math.randomseed(1.5) end)

print("lib_math ok")
