-- next/pairs/ipairs traversal, including assigning existing fields and clearing during traversal.

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

-- pairs visits every key exactly once
local t = {10, 20, 30, a = 1, b = 2, c = 3, [1.5] = 4, [true] = 5}
local seen = {}
for k, v in pairs(t) do
  assert(seen[k] == nil)
  seen[k] = v
end
assert(count(seen) == 8)
for k, v in pairs(t) do assert(seen[k] == v) end

-- next by hand
local k, v = next(t)
local n = 0
while k ~= nil do
  n = n + 1
  assert(t[k] == v)
  k, v = next(t, k)
end
assert(n == 8)
assert(next({}, nil) == nil)
local ok, msg = pcall(next, {}, "nokey")
assert(not ok and string.find(msg, "invalid key to 'next'", 1, true), msg)

-- pairs returns next, the table and nil
local f, s, init = pairs(t)
assert(f == next and s == t and init == nil)

-- assigning to existing fields during traversal is allowed
t = {}
for i = 1, 50 do t[i] = i; t["k" .. i] = i end
for key, value in pairs(t) do t[key] = value * 2 end
for i = 1, 50 do assert(t[i] == 2 * i and t["k" .. i] == 2 * i) end

-- clearing fields during traversal is allowed
n = 0
for key in pairs(t) do
  t[key] = nil
  n = n + 1
end
assert(n == 100)
assert(next(t) == nil)

-- clearing other (already visited or not) fields too
t = {}
for i = 1, 64 do t["x" .. i] = i end
n = 0
for key in pairs(t) do
  n = n + 1
  for j = 1, 64 do
    local other = "x" .. j
    if other ~= key and t[other] ~= nil and j % 2 == 0 then t[other] = nil end
  end
end
assert(n <= 64 and n >= 32)
assert(count(t) >= 1)

-- ipairs stops at the first nil
t = {1, 2, 3, nil, 5}
n = 0
for i, x in ipairs(t) do
  n = n + 1
  assert(x == i)
end
assert(n == 3)
n = 0
for _ in ipairs({}) do n = n + 1 end
assert(n == 0)
n = 0
for _ in ipairs({nil, 2}) do n = n + 1 end
assert(n == 0)

-- ipairs respects __index
local proxy = setmetatable({}, {__index = function(_, i) if i <= 4 then return i * 10 end end})
n = 0
for i, x in ipairs(proxy) do
  n = n + 1
  assert(x == i * 10)
end
assert(n == 4)

-- ipairs returns three values: a function, the table, 0
local g, st, i0 = ipairs(t)
assert(type(g) == "function" and st == t and i0 == 0)
local i1, v1 = g(t, 0)
assert(i1 == 1 and v1 == 1)
assert(g(t, 3) == nil)

-- numeric traversal of an array built in reverse
t = {}
for i = 10, 1, -1 do t[i] = i end
local sum = 0
for _, x in ipairs(t) do sum = sum + x end
assert(sum == 55)

-- traversal order over arrays: pairs visits 1..n (array part) in order
t = {"a", "b", "c", "d"}
local order = {}
for key in pairs(t) do order[#order + 1] = key end
assert(#order == 4)
table.sort(order)
assert(table.concat(order, ",") == "1,2,3,4")

-- a generic for keeps its own copies: changing the loop variable does not matter
n = 0
for key in pairs({a = 1, b = 2, c = 3}) do
  key = nil  -- luacheck: ignore
  n = n + 1
end
assert(n == 3)
