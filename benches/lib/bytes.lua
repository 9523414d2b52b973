-- lib/bytes: string.byte, string.char, string.sub, string.len, upper/rep.
-- Size: n, the number of outer iterations.
local n = tonumber(arg and arg[1]) or 100000
local byte, char, sub = string.byte, string.char, string.sub
local s = "The quick brown fox jumps over the lazy dog 0123456789"
local len = #s
local h = 0
for i = 1, n do
  local k = i % len + 1
  h = h + byte(s, k)
  h = h + s:byte(-1)
  local a, b, c = byte(s, 1, 3)
  h = h + a + b + c
  h = h + #char(65 + i % 26)
  h = h + #char(72, 105, 33)
  h = h + #sub(s, k, k + 4)
  h = h + #s:sub(k)
  h = h + #sub(s, -3)
  h = h + #s:sub(k, k)
  h = h % 1000003
end
print("bytes", n, h)
