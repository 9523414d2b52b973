local t = {}
local u = {1, 2, 3; x = 1, ["y"] = 2, [3] = 4, f(), g(), ...}
local v = {f()}
local w = {x = {y = {z = 1}}}
local n = {[1] = 1, [2] = 2, a = 1, b = 2, c = 3, d = 4, e = 5}
w.x.y.z = w.x.y.z + 1
t[1] = t[2]; t[256] = t[-1]; t["a b"] = t.a; t[1.5] = t[2.0]; t[true] = nil; t[nil] = 1
return #t, t[f()]
