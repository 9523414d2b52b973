-- lib/format: string.format with %d, %s, %5.2f, %x, %g and mixed specs.
-- Size: n, the number of calls per spec group.
local n = tonumber(arg and arg[1]) or 100000
local fmt = string.format
local h = 0
for i = 1, n do
  h = (h + #fmt("%d", i)) % 1000003
  h = (h + #fmt("%s", "name")) % 1000003
  h = (h + #fmt("%5.2f", i / 3)) % 1000003
  h = (h + #fmt("%d:%d", i, -i)) % 1000003
  h = (h + #fmt("[%s] %s=%d", "tag", "key", i)) % 1000003
  h = (h + #fmt("%08x", i * 7)) % 1000003
  h = (h + #fmt("%g", i * 0.25)) % 1000003
  h = (h + #fmt("%-10s|%6d", "x", i)) % 1000003
end
print("format", n, h)
