local a, b, c = f()
local x = a and b or c
local y = not a
local z = a == b
local w = a ~= nil and b >= 1 and c <= 2.0 and a > b and 3 < a and 3.5 > b and a == "s" and b ~= 1000
if not (a and b) then g() end
if a or (b and not c) then g() elseif c then h() else i() end
while a < b do a = a + 1 end
x = (a or b) and (c or d)
x = a and 1 or 2
x = nil or false
x = 1 and nil
x = not nil
x = not 1
x = (a == b) == (c == d)
if a == nil then g() end
if nil then g() end
if true then g() end
if a then else g() end
return a or b, not not a
