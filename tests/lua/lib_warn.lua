assert(type(warn) == "function")
warn("@off")          -- warnings start off in lua5.4 scripts; "@on"/"@off" control them
warn("not shown")
local ok, msg = pcall(warn)
assert(not ok and msg:find("bad argument #1 to 'warn' (string expected, got no value)", 1, true), msg)
