-- lib/concat: string building with `..` in loops and table.concat.
-- Size: n, the number of pieces.
local n = tonumber(arg and arg[1]) or 200000
local h = 0
-- `..` of two, three and five operands with strings and numbers.
for i = 1, n do
  local s = "k" .. i
  local t = s .. "=" .. s
  local u = "<" .. t .. ":" .. i % 7 .. ">"
  h = (h + #u) % 1000003
end
-- Accumulating a string in a loop (short strings, restarted every 50 steps).
local acc = ""
for i = 1, n do
  acc = acc .. "ab"
  if i % 50 == 0 then
    h = (h + #acc) % 1000003
    acc = ""
  end
end
-- table.concat of strings and numbers, with and without separator.
local parts = {}
for i = 1, 100 do
  parts[i] = (i % 3 == 0) and i or ("p" .. i)
end
for _ = 1, n // 100 do
  local a = table.concat(parts)
  local b = table.concat(parts, ", ", 10, 90)
  h = (h + #a + #b) % 1000003
end
print("concat", n, h)
