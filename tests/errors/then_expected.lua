-- 'if' needs 'then'.
local x
if x print(x) end
