-- Algorithms with deterministic output: sorting, binary search, sieve, string building.
local function isort(t)
  for i = 2, #t do
    local v, j = t[i], i - 1
    while j >= 1 and t[j] > v do t[j + 1] = t[j]; j = j - 1 end
    t[j + 1] = v
  end
  return t
end
local seed = 12345
local function rand(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end
local data = {}
for i = 1, 40 do data[i] = rand(1000) end
print(table.concat(data, " "))
isort(data)
print(table.concat(data, " "))
local function bsearch(t, v)
  local lo, hi = 1, #t
  while lo <= hi do
    local mid = (lo + hi) // 2
    if t[mid] == v then return mid elseif t[mid] < v then lo = mid + 1 else hi = mid - 1 end
  end
  return nil
end
print(bsearch(data, data[17]) ~= nil, bsearch(data, -1))
local sieve, primes = {}, {}
for i = 2, 200 do
  if not sieve[i] then
    primes[#primes + 1] = i
    for j = i * i, 200, i do sieve[j] = true end
  end
end
print(#primes, table.concat(primes, ","))
local buf = {}
for i = 1, 15 do
  buf[#buf + 1] = (i % 15 == 0 and "FizzBuzz") or (i % 3 == 0 and "Fizz") or (i % 5 == 0 and "Buzz") or tostring(i)
end
print(table.concat(buf, " "))
local function hanoi(n, a, b, c, moves)
  if n == 0 then return moves end
  hanoi(n - 1, a, c, b, moves)
  moves[#moves + 1] = a .. c
  return hanoi(n - 1, b, a, c, moves)
end
print(table.concat(hanoi(4, "A", "B", "C", {}), " "))
local counts = {}
for ch in ("mississippi"):gmatch(".") do counts[ch] = (counts[ch] or 0) + 1 end
local keys = {}
for k in pairs(counts) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do io.write(k, counts[k], " ") end
print()
local function collatz(n) local s = 0; while n ~= 1 do n = n % 2 == 0 and n // 2 or 3 * n + 1; s = s + 1 end; return s end
print(collatz(27), collatz(97), collatz(871))
