-- The long comment starting on line 2 never ends.
--[[ a comment
that goes on
local x = 1
