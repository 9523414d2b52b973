-- sieve: the sieve of Eratosthenes, repeated; measures stores and loads in a
-- large array with stride loops.
-- Size: n, the sieve covers 2..n; it runs 10 times.
-- LuaJIT: runs.
-- groups: core
-- quick: 10000
-- expect: primes up to 2000000: 148933, largest 1999993
-- expect-quick: primes up to 10000: 1229, largest 9973
local n = tonumber(arg and arg[1]) or 2000000

-- Count the primes up to limit and return the count and the largest one.
local function sieve(limit)
  local composite = {}
  for i = 1, limit do
    composite[i] = false
  end
  local count, largest = 0, 0
  for i = 2, limit do
    if not composite[i] then
      count = count + 1
      largest = i
      for j = i * i, limit, i do
        composite[j] = true
      end
    end
  end
  return count, largest
end

local count, largest
for _ = 1, 10 do
  count, largest = sieve(n)
end
print(string.format("primes up to %d: %d, largest %d", n, count, largest))
