-- Numeric for loops: integer and float, iteration counts, overflow, step errors.

local maxi, mini = math.maxinteger, math.mininteger

local function iters(a, b, c)
  local n, last = 0, nil
  if c then
    for i = a, b, c do n = n + 1; last = i end
  else
    for i = a, b do n = n + 1; last = i end
  end
  return n, last
end

-- basic counts
assert(iters(1, 10) == 10)
assert(iters(1, 0) == 0)
assert(iters(10, 1, -1) == 10)
assert(iters(1, 10, 3) == 4)
assert(select(2, iters(1, 10, 3)) == 10)
assert(iters(1, 1) == 1)
assert(iters(5, 1) == 0)
assert(iters(-5, 5, 5) == 3)

-- the loop variable is integer for integer bounds, float otherwise
for i = 1, 2 do assert(math.type(i) == "integer") end
for i = 1.0, 2 do assert(math.type(i) == "float") end
for i = 1, 2, 1.0 do assert(math.type(i) == "float") end
for i = 1, 2.5 do assert(math.type(i) == "integer") end -- float limit, integer loop
local n = 0
for i = 1, 2.9 do n = n + 1 end
assert(n == 2)
n = 0
for i = 3, 0.5, -1 do n = n + 1 end
assert(n == 3)

-- near maxinteger: no overflow, exact iteration counts
local count, last = iters(maxi - 2, maxi)
assert(count == 3 and last == maxi)
count, last = iters(mini + 2, mini, -1)
assert(count == 3 and last == mini)
count = iters(maxi - 10, maxi, 4)
assert(count == 3)
count = iters(mini, mini + 10, 5)
assert(count == 3)
count = iters(1, maxi, maxi)
assert(count == 1)
count = iters(0, maxi, maxi // 2 + 1)
assert(count == 2)
count = iters(-1, mini, mini)
assert(count == 1)
count = iters(maxi, mini, mini)
assert(count == 2) -- maxi, -1
count = iters(mini, maxi, maxi)
assert(count == 3) -- mini, -1, maxi - 1
-- limits beyond the integer range with integer start: clipped
count = iters(maxi - 1, math.huge)
assert(count == 2)
count = iters(mini + 1, -math.huge, -1)
assert(count == 2)
count = iters(1, -math.huge)
assert(count == 0)
count = iters(0, 2 ^ 63, maxi)
assert(count == 2)
-- float limit with fraction is floored (ceiled for negative steps)
count = iters(1, 3.5)
assert(count == 3)
count = iters(1, -0.5, -1)
assert(count == 2) -- 1, 0

-- float loops
n = 0
for x = 0.0, 1.0, 0.25 do n = n + 1 end
assert(n == 5)
n = 0
for x = 1.0, 0.0, -0.5 do n = n + 1 end
assert(n == 3)
n = 0
for x = 0.1, 0.35, 0.1 do n = n + 1 end
assert(n == 3)
n = 0
for x = 1, math.huge, 2 ^ 60 do n = n + 1; if n > 10 then break end end
assert(n == 11) -- float loop up to infinity runs until break
n = 0
for x = 0.0, 0.0 do n = n + 1 end
assert(n == 1)
-- (NaN bounds are left out: lua5.4 runs a float loop with a NaN limit once)
n = 0
for _ = 1, 0 / 0 do n = n + 1 end
assert(n == 0) -- integer start, NaN limit: no iterations

-- step zero is an error
local ok, msg = pcall(function() for i = 1, 10, 0 do end end)
assert(not ok and string.find(msg, "'for' step is zero", 1, true), msg)
ok, msg = pcall(function() for i = 1.0, 10, 0.0 do end end)
assert(not ok and string.find(msg, "'for' step is zero", 1, true), msg)

-- bad bounds
ok, msg = pcall(function() for i = 1, nil do end end)
assert(not ok and string.find(msg, "'for' limit", 1, true), msg)
ok, msg = pcall(function() for i = {}, 1 do end end)
assert(not ok and string.find(msg, "'for' initial value", 1, true), msg)

-- the loop variable is a fresh local: assigning it does not change the iteration
n = 0
for i = 1, 5 do
  i = i * 10 -- luacheck: ignore
  n = n + 1
end
assert(n == 5)

-- bounds are evaluated once
local calls = 0
local function lim() calls = calls + 1; return 3 end
for i = 1, lim() do end
assert(calls == 1)

-- nested loops and break
local pairs_found = 0
for i = 1, 10 do
  for j = i, 10 do
    if i * j > 20 then break end
    pairs_found = pairs_found + 1
  end
end
assert(pairs_found == 25, pairs_found)

-- loop over a large range
local s = 0
for i = 1, 1000000 do s = s + i end
assert(s == 500000500000)
s = 0
for i = 1000000, 1, -1 do s = s + i end
assert(s == 500000500000)

-- while and repeat with complex conditions
local i, j = 0, 10
while i < j and i ~= 5 do i = i + 1 end
assert(i == 5)
repeat i = i + 2 until i > 8 or i == 7
assert(i == 7)
