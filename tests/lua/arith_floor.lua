-- Floor division and modulo for integers and floats, division by zero rules.

local inf, nan = math.huge, 0 / 0
local maxi, mini = math.maxinteger, math.mininteger

local function isnan(x) return x ~= x end

-- integer floor division rounds towards minus infinity
assert(7 // 2 == 3)
assert(-7 // 2 == -4)
assert(7 // -2 == -4)
assert(-7 // -2 == 3)
assert(6 // 3 == 2 and -6 // 3 == -2)
assert(0 // 5 == 0)
assert(math.type(7 // 2) == "integer")
assert(mini // 1 == mini)
assert(mini // -1 == mini) -- wraps
assert(maxi // -1 == -maxi)

-- integer modulo has the sign of the divisor
assert(7 % 3 == 1)
assert(-7 % 3 == 2)
assert(7 % -3 == -2)
assert(-7 % -3 == -1)
assert(6 % -3 == 0)
assert(mini % -1 == 0)
assert(mini % maxi == maxi - 1)
assert(math.type(7 % 3) == "integer")
for a = -10, 10 do
  for b = -4, 4 do
    if b ~= 0 then
      assert(a == (a // b) * b + a % b, a .. " " .. b)
      local r = a % b
      assert(r == 0 or (r > 0) == (b > 0))
    end
  end
end

-- float floor division and modulo
assert(7.0 // 2 == 3.0)
assert(math.type(7.0 // 2) == "float")
assert(-7.5 // 2 == -4.0)
assert(7 // 2.5 == 2.0)
assert(7.5 % 2 == 1.5)
assert(-7.5 % 2 == 0.5)
assert(7.5 % -2 == -0.5)
assert(-7.5 % -2 == -1.5)
assert(5.25 % 1 == 0.25)
assert(-0.25 % 1 == 0.75)
assert(math.type(7 % 2.0) == "float")

-- floats with infinities and NaN
assert(1 // 0.0 == inf)
assert(-1 // 0.0 == -inf)
assert(isnan(0 // 0.0))
assert(isnan(0.0 / 0))
assert(inf // 1 == inf)
assert(isnan(inf % 1))
assert(isnan(1 % 0.0))
assert(isnan(-inf % 2))
assert(5 % inf == 5)
assert(-5 % inf == inf)
assert(5 % -inf == -inf)
assert(-5 % -inf == -5)
assert(0.0 % inf == 0)
assert(isnan(nan % 1) and isnan(1 % nan))
assert(isnan(nan // 1))
assert(1 // inf == 0)
assert(-1 // inf == 0) -- floor(-0.0)

-- true division always gives floats
assert(1 / 0 == inf)
assert(-1 / 0 == -inf)
assert(isnan(0 / 0))
assert(4 / 2 == 2.0 and math.type(4 / 2) == "float")
assert(1 / -0.0 == -inf)
assert(3 / 2 == 1.5)

-- integer division by zero is an error
local ok, msg = pcall(function(a, b) return a // b end, 1, 0)
-- (the manual's wording aside, lua5.4 says "divide by zero" for //)
assert(not ok and string.find(msg, "attempt to divide by zero", 1, true), msg)
ok, msg = pcall(function(a, b) return a % b end, 1, 0)
assert(not ok and string.find(msg, "attempt to perform 'n%0'", 1, true), msg)
ok, msg = pcall(function(a) return a % 0 end, 5)
assert(not ok and string.find(msg, "'n%%0'"))
ok, msg = pcall(function(a) return a // 0 end, 5)
assert(not ok and string.find(msg, "divide by zero"))
-- but not when either operand is a float
assert(pcall(function(a, b) return a // b end, 1, 0.0))
assert(pcall(function(a, b) return a % b end, 1.0, 0))
-- string operands are converted first, "0" is an integer
ok, msg = pcall(function(a, b) return a // b end, "1", "0")
assert(not ok and string.find(msg, "divide by zero"))

-- power is always float
assert(2 ^ 0.5 == math.sqrt(2))
assert(math.type(2 ^ 2) == "float")
assert(0 ^ 0 == 1.0)
assert((-8) ^ (1 / 3) ~= (-8) ^ (1 / 3)) -- NaN

-- unary minus
assert(-(0) == 0 and math.type(-(0)) == "integer")
assert(1 / -(0.0) == -inf)
