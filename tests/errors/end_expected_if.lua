-- The 'if' on line 3 is never closed.
local x = 1
if x then
  x = 2

