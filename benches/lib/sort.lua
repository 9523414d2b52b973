-- lib/sort: table.sort of integers, floats and strings with `<` and with Lua
-- comparators.
-- Size: n, the number of elements.
local n = tonumber(arg and arg[1]) or 50000
local seed = 42
local function random(limit)
  seed = (seed * 16807) % 2147483647
  return seed % limit
end
local h = 0
local function check(a)
  for i = 1, #a, 97 do
    local v = a[i]
    h = (h * 31 + (type(v) == "string" and #v or math.floor(v))) % 1000003
  end
end
local a = {}
for i = 1, n do a[i] = random(1000000) end
table.sort(a)
check(a)
for i = 1, n do a[i] = random(1000000) end
table.sort(a, function(x, y) return x > y end)
check(a)
local s = {}
for i = 1, n do s[i] = "s" .. random(1000000) end
table.sort(s)
check(s)
for i = 1, n do s[i] = "s" .. random(1000000) end
table.sort(s, function(x, y) return x > y end)
check(s)
local r = {}
for i = 1, n do r[i] = { k = random(1000) } end
table.sort(r, function(x, y) return x.k < y.k end)
print("sort", n, h, r[1].k, r[n].k)
