-- Integer and float boundaries, wrap-around, conversions, printed.
local maxi, mini = math.maxinteger, math.mininteger
print(maxi, mini, maxi + 1, mini - 1, -mini, maxi * maxi, mini * -1)
print(maxi // -1, mini // -1, mini % -1, maxi % mini)
print(maxi + 0.0, mini + 0.0, maxi + 1.0 == 2^63, maxi == 2^63, maxi < 2^63)
print(math.tointeger(2^53), math.tointeger(3.5), math.tointeger(-0.0))
print(2^53 == 2^53 + 1, (2^53 | 0) + 1, math.type(2^31 | 0))
print(1 << 63, (1 << 63) - 1, 1 << 64, -1 >> 63, ~0)
print(5 // 2, -5 // 2, 5 // -2, -5 // -2, 5 % 2, -5 % 2, 5 % -2, -5 % -2)
print(3 == 3.0, math.type(3), math.type(3.0), 3 | 0, math.type(2^2))
print(string.format("%d %d", 3.0, -0.0), (pcall(string.format, "%d", 3.5)))
for _, s in ipairs({"10", "0x10", "1e1", "10.0", " 7 ", "9223372036854775807", "9223372036854775808"}) do
  local v = tonumber(s)
  print(s, v, math.type(v))
end
print(7 // 0.0, -7 // 0.0, 0/0 ~= 0/0, 7 % math.huge, -7 % math.huge)
