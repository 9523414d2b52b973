-- 'while' needs 'do'.
local x
while x x = false end
