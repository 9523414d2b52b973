-- Nor from a nested function.
local name <const> = "x"
local function f() name = "y" end
