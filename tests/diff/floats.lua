-- Formatted floats: tostring (%.14g) and string.format conversions.
local xs = {0.1, 0.2, 0.1 + 0.2, 1/3, 2/3, 100.0, 1e14, 1e15, 1e16, 123456.789,
  3.14159265358979, 2.5, -2.5, 1e-5, 1e-4, 5e-324, 1.7976931348623157e308,
  2^24, 2^31, 2^52, 2^53 + 1, -0.0, 1e300 * 1e300}
for _, x in ipairs(xs) do
  print(x, string.format("%.3f|%10.2f|%-10.1e|%g|%.17g", x, x, x, x, x))
end
for e = -10, 20, 3 do print(e, 10.0 ^ e, 1.5 * 10.0 ^ e) end
print(string.format("%5.1f%%", 99.44))
print(string.format("%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, -0.5))
print(string.format("%g %g %g", 100000, 1000000, 1e-4))
print(string.format("%q", 0.1), string.format("%q", 1/3))
print(7.0, 7.0 // 1, math.type(7.0 // 1), 7 / 1)
print(-7.25 % 2, 7.25 % -2, -7.25 // 2)
