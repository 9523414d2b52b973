-- A method call needs arguments.
local a = {}
a:b
