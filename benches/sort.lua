-- sort: table.sort with Lua comparator functions over numbers, strings and
-- records (multi-key); measures the sort library calling back into Lua.
-- Size: n, the number of elements in each array.
-- LuaJIT: runs.
-- groups: lib
-- quick: 2000
-- expect: sort n=150000 numbers=673676 strings=164852 records=872210 resorted=808487
-- expect-quick: sort n=2000 numbers=756471 strings=32721 records=885310 resorted=245403
local n = tonumber(arg and arg[1]) or 150000

local seed = 12345
-- A Park-Miller generator; every value stays below 2^53 so doubles are exact.
local function random(limit)
  seed = (seed * 16807) % 2147483647
  return seed % limit
end

-- A position-weighted checksum of a sorted array, through key(v).
local function weigh(a, key)
  local h = 0
  for i = 1, #a, 3 do
    h = (h * 17 + key(a[i]) + i) % 1000003
  end
  return h
end

-- Fail if a is not sorted under less.
local function assert_sorted(a, less)
  for i = 2, #a do
    assert(not less(a[i], a[i - 1]), "not sorted")
  end
end

-- Numbers, descending.
local nums = {}
for i = 1, n do
  nums[i] = random(1000000)
end
local desc = function(a, b) return a > b end
table.sort(nums, desc)
assert_sorted(nums, desc)
local h1 = weigh(nums, function(v) return v end)

-- Strings, by length and then alphabetically.
local strs = {}
for i = 1, n do
  strs[i] = string.format("s%x", random(16777216))
end
local by_len = function(a, b)
  if #a ~= #b then
    return #a < #b
  end
  return a < b
end
table.sort(strs, by_len)
assert_sorted(strs, by_len)
local h2 = weigh(strs, function(v) return #v + v:byte(-1) end)

-- Records: group ascending, score descending, id ascending (a total order, so the
-- result does not depend on the sort's stability).
local recs = {}
for i = 1, n do
  recs[i] = { id = i, group = random(50), score = random(1000) / 10 }
end
local by_record = function(a, b)
  if a.group ~= b.group then
    return a.group < b.group
  elseif a.score ~= b.score then
    return a.score > b.score
  end
  return a.id < b.id
end
table.sort(recs, by_record)
assert_sorted(recs, by_record)
local h3 = weigh(recs, function(r) return r.id end)

-- Sort the same array again, already sorted, and reversed.
table.sort(nums, function(a, b) return a < b end)
local h4 = weigh(nums, function(v) return v % 1000 end)

print(string.format("sort n=%d numbers=%d strings=%d records=%d resorted=%d", n, h1, h2, h3, h4))
