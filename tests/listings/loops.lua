for i = 10, 1, -1 do print(i) end
for i = 1.0, 3 do print(i) end
for i = a, b, c do end
for k, v, w in next, t do print(k, v, w) end
for _ in f() do end
local n = 0
repeat n = n + 1 until n > 10
while n > 0 do n = n - 1; if n == 5 then break end end
while true do end
repeat until false
