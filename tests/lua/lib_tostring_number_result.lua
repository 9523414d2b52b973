-- A __tostring metamethod may return a number: tostring and %s convert it, as lua5.4 does.
local t = setmetatable({}, {__tostring = function() return 1 end})
assert(tostring(t) == "1")
assert(string.format("%s", t) == "1")
assert(string.format("%5s", t) == "    1")
