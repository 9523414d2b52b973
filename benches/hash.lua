-- hash: tables keyed by strings: insert generated keys, look them up (hits and
-- misses), count word frequencies, update and delete; measures string hashing,
-- string interning and hash-part lookups.
-- Size: n, the number of distinct keys.
-- LuaJIT: runs.
-- quick: 2000
-- expect: hash n=300000 hits=300232 sum=965526159 words=512 top=rakato:1285 left=200000 total=199790
-- expect-quick: hash n=2000 hits=1989 sum=1956520 words=512 top=nupenu:16 left=1334 total=1336001
local n = tonumber(arg and arg[1]) or 300000

local seed = 42
-- A Park-Miller generator; every value stays below 2^53 so doubles are exact.
local function random(limit)
  seed = (seed * 16807) % 2147483647
  return seed % limit
end

-- Fill a table with key "k<i>" -> i.
local map = {}
for i = 1, n do
  map["k" .. i] = i
end

-- Look up hits and misses.
local hits, sum = 0, 0
for _ = 1, 2 * n do
  local key = "k" .. (random(2 * n) + 1)
  local v = map[key]
  if v then
    hits = hits + 1
    sum = (sum + v) % 1000000007
  end
end

-- Word frequencies over a vocabulary of generated words.
local syllables = { "ka", "lo", "mi", "nu", "pe", "ra", "si", "to" }
local freq = {}
for _ = 1, 2 * n do
  local word = syllables[random(8) + 1] .. syllables[random(8) + 1] .. syllables[random(8) + 1]
  freq[word] = (freq[word] or 0) + 1
end
local distinct, top_word, top_count = 0, "", 0
for word, count in pairs(freq) do
  distinct = distinct + 1
  if count > top_count or (count == top_count and word < top_word) then
    top_word, top_count = word, count
  end
end

-- Delete every third key and update the rest, then count what is left.
for i = 3, n, 3 do
  map["k" .. i] = nil
end
for i = 1, n do
  local key = "k" .. i
  local v = map[key]
  if v then
    map[key] = v + 1
  end
end
local left, total = 0, 0
for _, v in pairs(map) do
  left = left + 1
  total = (total + v) % 1000000007
end

print(string.format("hash n=%d hits=%d sum=%d words=%d top=%s:%d left=%d total=%d",
  n, hits, sum, distinct, top_word, top_count, left, total))
