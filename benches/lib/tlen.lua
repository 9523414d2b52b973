-- lib/tlen: the length operator in push/pop loops (`t[#t + 1] = v`, `t[#t] = nil`),
-- in a table whose list continues into the hash part, and `#t` read in a loop.
-- Size: n, the number of elements pushed.
local n = tonumber(arg and arg[1]) or 200000
local h = 0
local t = {}
for i = 1, n do
  t[#t + 1] = i
end
for _ = 1, n // 2 do
  h = h + t[#t]
  t[#t] = nil
end
-- A stack that goes up and down by a few elements.
for i = 1, n do
  if i % 3 == 0 then
    t[#t] = nil
  else
    t[#t + 1] = i
  end
  h = h + #t
end
-- A list with string keys too: the border past the array part is in the hash part.
local r = { name = "r", kind = 1 }
for i = 1, n // 4 do
  r[#r + 1] = i
  h = h + #r
end
print("tlen", n, h % 1000003, #t, #r)
