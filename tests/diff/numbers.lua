-- Prints integer and float arithmetic results, including subtypes and edge values.
local values = {0, 1, -1, 7, -7, 3.5, -3.5, 0.0, -0.0, 1e15, 2^53, 2^63,
  math.maxinteger, math.mininteger, 1/0, -1/0}
for _, v in ipairs(values) do
  print(v, math.type(v), v + 1, v * 2, v / 2, -v)
end
for _, a in ipairs({7, -7, 7.5, -7.5}) do
  for _, b in ipairs({2, -2, 2.0, -2.5}) do
    print(a, b, a // b, a % b, a / b, a ^ 2)
  end
end
print(math.maxinteger + 1, math.mininteger - 1, math.maxinteger * 3)
print(math.maxinteger + 0.0, math.mininteger + 0.0)
print(5 // 0.0, -5 // 0.0, 5 % math.huge, -5 % math.huge)
print(1e300 * 1e10, -1e300 * 1e10)
print(0x10, 0xff, 0x7fffffffffffffff, 0xffffffffffffffff, 0x1p-2)
print(1e100, 1e-100, 123456789012, 1234567890123456789)
print(100 / 3, 2 / 3, 1 / 7, 22 / 7)
print(3 | 5, 3 & 5, 3 ~ 5, ~3, 1 << 62, 1 << 63, -1 >> 1)
print(math.floor(3.7), math.floor(-3.7), math.huge, -math.huge)
for i = -3, 3 do io.write(i % 3, " ", i // 3, " ", i % -3, " ") end
print()
print(string.format("%d %5d %-5d| %05d %x %X %o", 42, 42, 42, 42, 255, 255, 8))
print(8 // 3 * 3 + 8 % 3, 2^10, 10 // 3.0, "10" + 5, "3" * "4", 10 .. "")
