assert(math.max("a", "b") == "b")
assert(math.min("a", "b", "c") == "a")
local ok, msg = pcall(math.max, 1, "x")
assert(not ok and msg:find("attempt to compare number with string", 1, true), msg)
local lt = {__lt = function(x, y) return x.v < y.v end}
local a, b = setmetatable({v = 1}, lt), setmetatable({v = 2}, lt)
assert(math.max(a, b) == b and math.min(a, b) == a)
