-- goto, while, repeat and numeric/generic for loops printing their progress.
for i = 1, 10 do
  if i % 3 == 0 then goto continue end
  io.write(i, " ")
  ::continue::
end
print()
local i = 1
::top::
if i <= 5 then io.write("[", i, "]"); i = i + 1; goto top end
print()
local n = 0
while true do
  n = n + 1
  if n > 4 then break end
  io.write(n * n, ";")
end
print()
repeat local k = n; n = n - 1; io.write(k, ".") until k <= 1
print()
for x = 10, 1, -3 do io.write(x, " ") end
print()
for x = 0, 1, 0.25 do io.write(x, " ") end
print()
for x = math.maxinteger - 2, math.maxinteger do print(x) end
for x = math.mininteger, math.mininteger + 2 do print(x) end
for k, v in ipairs({"a", "b", "c"}) do io.write(k, "=", v, " ") end
print()
for outer = 1, 3 do
  for inner = 1, 3 do
    if inner == outer then goto next_outer end
    io.write(outer, inner, " ")
  end
  ::next_outer::
end
print()
