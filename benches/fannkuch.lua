-- fannkuch: for every permutation of 1..n, count how many prefix reversals it
-- takes to bring 1 to the front; measures small-array shuffling and loops.
-- Size: n, the permutation length (the work grows like n!); the whole
-- enumeration runs 5 times.
-- LuaJIT: runs.
-- quick: 6
-- expect: fannkuch(9): 362880 permutations, checksum 8629, max flips 30
-- expect-quick: fannkuch(6): 720 permutations, checksum 49, max flips 10
local n = tonumber(arg and arg[1]) or 9

local perm, work, counter = {}, {}, {}

-- Flips needed for the current permutation (copied into work first).
local function flips()
  for i = 1, n do
    work[i] = perm[i]
  end
  local count = 0
  local first = work[1]
  while first ~= 1 do
    local lo, hi = 1, first
    while lo < hi do
      work[lo], work[hi] = work[hi], work[lo]
      lo, hi = lo + 1, hi - 1
    end
    count = count + 1
    first = work[1]
  end
  return count
end

-- Advance perm to the next permutation in a rotation order; false when done.
-- Rotating the first k+1 elements left, with counter[k] as the odometer digit.
local function next_perm()
  local k = 1
  while k < n do
    local first = perm[1]
    for i = 1, k do
      perm[i] = perm[i + 1]
    end
    perm[k + 1] = first
    counter[k] = counter[k] + 1
    if counter[k] <= k then
      return true
    end
    counter[k] = 0
    k = k + 1
  end
  return false
end

-- Enumerate every permutation; return the count, the alternating flip sum and the maximum.
local function fannkuch()
  for i = 1, n do
    perm[i] = i
    counter[i] = 0
  end
  local max_flips, checksum, index = 0, 0, 0
  repeat
    local f = flips()
    if f > max_flips then
      max_flips = f
    end
    if index % 2 == 0 then
      checksum = checksum + f
    else
      checksum = checksum - f
    end
    index = index + 1
  until not next_perm()
  return index, checksum, max_flips
end

local index, checksum, max_flips
for _ = 1, 5 do
  index, checksum, max_flips = fannkuch()
end
print(string.format("fannkuch(%d): %d permutations, checksum %d, max flips %d",
  n, index, checksum, max_flips))
