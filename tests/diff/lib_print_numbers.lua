-- print and io.write of numbers: integer and float forms, special values.
print(1, -0, 0.0, -0.0, 1e15, 1e16, 2^53, 2^63, -2^63, math.mininteger, math.maxinteger)
print(0.1, 1/3, 100 / 2, 3 // 2, 3.0 // 2, 7 % -3, -7 % 3, 7.5 % -2)
print(1/0, -1/0, math.pi, -math.pi, 1e300 * 1e10, 5e-324, 2^-1074)
io.write(1, " ", 2.5, " ", -0.0, " ", 1e100, "\n")
print(string.format("%5.1f|%-5d|%05.1f", 3.14159, 42, -2.5))
print(tostring(12345678901234567890), 0x7fffffffffffffff + 1, 0xffffffffffffffff)
print(math.tointeger(2^53), 2^53 | 0, "10" + 5, "0x10" * 1, "1e2" // 1)
