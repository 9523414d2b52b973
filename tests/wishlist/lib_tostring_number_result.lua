-- FAILS on moonjet: a __tostring metamethod returning a number raises "'__tostring' must return a string"; lua5.4 converts the number.
local t = setmetatable({}, {__tostring = function() return 1 end})
assert(tostring(t) == "1")
assert(string.format("%s", t) == "1")
assert(string.format("%5s", t) == "    1")
