-- Helper chunk loaded by baselib.lua through loadfile/dofile (not a test by itself).
local n = ...
if n == nil then return 0 end
return n * 2
