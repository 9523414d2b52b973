-- lib/tinsert: table.insert / table.remove at the end and in the middle.
-- Size: n, the number of elements pushed.
local n = tonumber(arg and arg[1]) or 200000
local insert, remove = table.insert, table.remove
local h = 0
local t = {}
for i = 1, n do
  insert(t, i)
end
for _ = 1, n do
  h = h + remove(t)
end
-- Inserting and removing near the end of a short list.
for i = 1, 200 do
  insert(t, i)
end
for i = 1, n // 4 do
  insert(t, #t - i % 8, i)
  h = h + remove(t, #t - i % 5)
end
local q = {}
for i = 1, n do
  q[#q + 1] = i
  insert(q, i)
  if i % 4 == 0 then
    h = h + remove(q) + remove(q)
  end
end
print("tinsert", n, h % 1000003, #t, #q)
