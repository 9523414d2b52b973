-- Array iteration, insertion, removal, sorting, concat, unpack.
local t = {}
for i = 1, 20 do t[#t + 1] = i * i end
print(#t, table.concat(t, " "))
for i, v in ipairs(t) do if i % 5 == 0 then print(i, v) end end
table.insert(t, 1, "first")
table.insert(t, "last")
print(#t, t[1], t[2], t[#t])
print(table.remove(t, 1), table.remove(t), #t)
local evens = {}
for _, v in ipairs(t) do if v % 2 == 0 then evens[#evens + 1] = v end end
print(table.concat(evens, ","))
table.sort(t, function(a, b) return a > b end)
print(table.concat(t, ",", 1, 5))
local words = {"pear", "apple", "fig", "banana", "cherry", "date"}
table.sort(words)
print(table.concat(words, " "))
table.sort(words, function(a, b) return #a < #b or (#a == #b and a < b) end)
print(table.concat(words, " "))
print(table.unpack({1, 2, 3}))
print(table.unpack({1, 2, 3}, 2))
print(table.unpack({1, 2, 3}, 2, 5))
print(select("#", table.unpack({}, 1, 0)))
local packed = table.pack(1, nil, 3)
print(packed.n, packed[1], packed[2], packed[3])
local m = {}
for i = 1, 3 do
  m[i] = {}
  for j = 1, 3 do m[i][j] = i * 10 + j end
end
for i = 1, 3 do print(table.concat(m[i], "\t")) end
local moved = table.move({1, 2, 3, 4, 5}, 2, 4, 1)
print(table.concat(moved, ","))
local holes = {1, 2, nil, 4}
local n = 0
for _ in ipairs(holes) do n = n + 1 end
print("ipairs stops after", n)
local big = {}
for i = 1, 1000 do big[i] = i end
local sum = 0
for _, v in ipairs(big) do sum = sum + v end
print(sum, #big, big[#big])
local rev = {}
for i = 10, 1, -1 do rev[#rev + 1] = i end
print(table.concat(rev, " "))
