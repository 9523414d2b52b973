-- 'break' is only allowed inside a loop.
local x = 1
if x then break end
