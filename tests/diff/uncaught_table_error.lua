-- An uncaught error whose value is a table (exit status 1).
print("start")
local ok = pcall(error, {})
print("caught first", ok)
error(setmetatable({}, {__tostring = function() return "custom error object" end}))
