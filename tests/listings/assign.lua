local a, b, c = 1
a, b = b, a
local t = {}
t[a], a = 1, 2
a, t[a] = 3, 4
t.x, t.y, t[1], t[a] = f()
local u
u, u = 1, 2
x, y = y, x
a.b.c, d = 1
local function g() t, x = 1, t end
function g2() a, b.c = b, a end
local i, j = ...
i, j, k = ..., 1
