-- os.exit(false) exits with failure status; to-be-closed variables are not closed
-- without the close argument.
local x <close> = setmetatable({}, {__close = function() print("not printed") end})
print("exiting")
os.exit(false)
