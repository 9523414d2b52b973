-- The exponent has no digits.
local x = 1e+
