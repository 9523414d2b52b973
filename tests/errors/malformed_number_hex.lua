-- 'g' is not a hexadecimal digit.
local x = 0xg
