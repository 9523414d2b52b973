-- 1e400 is a valid float literal (inf); the error reports it.
local x = 1e400
local y = 123456789012345678901234567890
error("values: " .. tostring(x) .. " " .. tostring(y))
