-- Logical operators, precedence, truthiness, bitwise operators.

-- truthiness: only nil and false are false
assert(0 and "" and {} and true)
assert(not nil and not false)
assert(not 0 == false)

-- and/or return operands, short-circuit
assert((nil or 1) == 1)
assert((false or nil) == nil)
assert((1 or error("no")) == 1)
assert((nil and error("no")) == nil)
assert((false and error("no")) == false)
assert((1 and 2) == 2)
assert((1 and nil) == nil)
assert((nil or false) == false)
assert((false or false or 3) == 3)
local calls = 0
local function t() calls = calls + 1; return true end
local function f() calls = calls + 1; return false end
local _ = f() and t()
assert(calls == 1)
_ = t() or f()
assert(calls == 2)
_ = f() or t() and f() or t()
assert(calls == 6)

-- and/or truncate multiple results to one
local function two() return 1, 2 end
assert(select("#", two() and two()) == 1)
assert(select("#", nil or two()) == 1) -- a call inside an and/or is adjusted to one value

-- precedence (from low to high):
-- or < and < comparison < | < ~ < & < shift < .. < + - < * / // % < unary < ^
assert(1 + 2 * 3 == 7)
assert((1 + 2) * 3 == 9)
assert(2 * 3 ^ 2 == 18)
assert(-2 ^ 2 == -4)
assert((not 1 == 2) == false) -- (not 1) == 2, i.e. false == 2
assert(1 .. 2 == "12")
assert("a" .. "b" == "ab" and true)
assert(1 + 1 .. "" == "2")
assert(2 ^ 2 .. "" == "4.0")
assert(1 << 2 + 1 == 8)    -- + binds tighter than <<
assert(1 | 2 ~ 3 & 4 == 3) -- & then ~ then |
assert((5 & 3 | 8) == 9)
assert(3 ~ 5 == 6)
assert(1 < 2 == true)
assert("x" .. 1 + 2 == "x3")
assert(#"abc" + 1 == 4)
assert(-#"ab" == -2)
assert(not nil and 1 or 2) -- (not nil and 1) or 2
assert((1 or 2 and nil) == 1)
assert(2 ^ -2 == 0.25)
assert(- - 2 == 2)
assert(~ ~ 5 == 5)
assert(not not nil == false)
assert(1 + -1 == 0)
assert(10 - 2 - 3 == 5)  -- left assoc
assert(2 ^ 3 ^ 2 == 512) -- right assoc
assert(64 // 4 // 2 == 8)
assert("a" .. "b" .. "c" == "abc") -- right assoc (same result)
assert(7 // 2 * 2 + 7 % 2 == 7)

-- bitwise
assert(5 & 3 == 1)
assert(5 | 3 == 7)
assert(5 ~ 3 == 6)
assert(~5 == -6)
assert(1 << 4 == 16)
assert(256 >> 4 == 16)
assert(-1 >> 60 == 15)
assert(-1 << 63 == math.mininteger)
assert(1 << 64 == 0 and 1 << 100 == 0)
assert(-1 >> 64 == 0)
assert(5 << 0 == 5)
assert(1 << -3 == 0 and 16 << -3 == 2)
assert(2.0 & 3 == 2 and math.type(2.0 & 3) == "integer")
assert(0xF0F0 & 0x0FF0 == 0x00F0)
assert(math.maxinteger & math.mininteger == 0)
assert(math.maxinteger | math.mininteger == -1)
assert(math.maxinteger ~ -1 == math.mininteger)

-- comparison chains produce booleans
assert((1 < 2) == true and (2 < 1) == false)
assert((1 == 1) == true)
assert((1 ~= 1) == false)
assert(("a" == "a") == true)

-- equality across types never converts
assert(1 ~= "1")
assert(0 ~= false)
assert(nil ~= false)
assert("" ~= nil)

-- parentheses truncate and make expressions non-assignable values
local function three() return 1, 2, 3 end
assert(select("#", (three())) == 1)
