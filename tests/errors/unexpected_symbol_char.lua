-- '@' is not a token.
local x = 1
x = @
