-- <const> variables cannot be assigned.
local limit <const> = 10
limit = 11
