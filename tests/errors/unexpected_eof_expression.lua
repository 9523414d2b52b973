-- The expression is missing at the end of the file.
local x =