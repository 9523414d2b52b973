-- An uncaught error value with __tostring.
error(setmetatable({}, {__tostring = function() return "custom message" end}))
