-- A multiple assignment needs '='.
local x, y
x, y
