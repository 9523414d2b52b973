-- Two dots after digits.
local x = 1..2
