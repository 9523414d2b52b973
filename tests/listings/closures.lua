local x = 1
local function f()
  local y = 2
  return function() x = x + y; return function() return x, y end end
end
local t = {}
for i = 1, 3 do t[i] = function() return i end end
while true do local z = 1; t.z = function() return z end; if z then break end end
repeat local w = 3; t.w = function() return w end until w > 2
do local q; function t.q() return q end end
return f, t
