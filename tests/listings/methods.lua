local obj = {}
function obj.a.b.c:m(x) return self, x end
function obj:n(...) return self end
function obj.p(x) return x end
function gf() end
local function lf(a, b, c) return lf end
obj:n(1):n(2)
return obj
