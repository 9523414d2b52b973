local a, b, c = 1, 2, 3
local s = a .. b .. c
s = a .. (b .. c)
s = (a .. b) .. c
s = a .. b + c .. c
s = "x" .. a .. "y" .. (b and c or a) .. "z"
s = a .. f(b .. c) .. c
return s .. s
