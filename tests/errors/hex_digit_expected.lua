-- \x needs exactly two hexadecimal digits.
local s = "\x4g"
