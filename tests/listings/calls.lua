print("a", 1, 2.5, nil, true)
local o = {}
o:m(1, 2)
o.x:y "str"
o:z{1, 2}
f(g())
f(g(), h())
f(...)
return f(...)
