-- A name cannot start right after a number.
local x = 3x
