-- Two names in a row do not make a statement.
local a, b
a b
