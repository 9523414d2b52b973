-- patterns: generate pseudo-random text, then scan it with string.gmatch, rewrite
-- it with string.gsub (string, table and function replacements) and search it
-- with string.find and captures; measures the pattern-matching engine.
-- Size: n, the number of generated words.
-- LuaJIT: runs.
-- groups: lib
-- quick: 2000
-- expect: patterns n=300000 words=300885 letters=1353754 numbers=547462425 years=63055420 hosts=741323 swaps=4525 vowels=611726 nums=180321 long=8806 len=2266354
-- expect-quick: patterns n=2000 words=1983 letters=8928 numbers=9556394 years=405081 hosts=4130 swaps=21 vowels=4083 nums=1123 long=54 len=14800
local n = tonumber(arg and arg[1]) or 300000

local seed = 7
-- A Park-Miller generator; every value stays below 2^53 so doubles are exact.
local function random(limit)
  seed = (seed * 16807) % 2147483647
  return seed % limit
end

local consonants = { "b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v" }
local vowels = { "a", "e", "i", "o", "u" }

-- Generate the text: words, numbers, dates and e-mail-like tokens, in lines.
local words = {}
for i = 1, n do
  local kind = random(10)
  local w
  if kind < 7 then
    local len = random(4) + 1
    local syl = {}
    for s = 1, len do
      syl[s] = consonants[random(14) + 1] .. vowels[random(5) + 1]
    end
    w = table.concat(syl)
  elseif kind < 8 then
    w = tostring(random(100000))
  elseif kind < 9 then
    w = string.format("%04d-%02d-%02d", 1990 + random(40), random(12) + 1, random(28) + 1)
  else
    w = consonants[random(14) + 1] .. "ol" .. random(100) .. "@host" .. random(9) .. ".org"
  end
  if i % 12 == 0 then
    w = w .. ".\n"
  elseif i % 5 == 0 then
    w = w .. ","
  end
  words[i] = w
end
local text = table.concat(words, " ")

-- Count words, numbers and word lengths with gmatch.
local word_count, letters = 0, 0
for w in text:gmatch("%a+") do
  word_count = word_count + 1
  letters = letters + #w
end
local number_sum = 0
for d in text:gmatch("%f[%w]%d+%f[%W]") do
  number_sum = (number_sum + tonumber(d)) % 1000000007
end

-- Capture dates and addresses.
local years = 0
for y, m, d in text:gmatch("(%d%d%d%d)%-(%d%d)%-(%d%d)") do
  years = years + tonumber(y) + tonumber(m) * tonumber(d)
end
local hosts = {}
for user, host in text:gmatch("(%w+)@(%w+)%.org") do
  hosts[host] = (hosts[host] or 0) + #user
end
local host_sum = 0
for h = 0, 8 do
  host_sum = host_sum + (hosts["host" .. h] or 0) * (h + 1)
end

-- Rewrite: upper-case vowels through a table, bracket numbers through a function,
-- swap the two halves of every "ka.." word with captures.
local swapped, nswap = text:gsub("(%a)(%a)ka", "%2%1KA")
local vowel_map = { a = "A", e = "E", i = "I", o = "O", u = "U" }
local upper, nvowel = swapped:gsub("[aeiou]", vowel_map)
local bracketed, nnum = upper:gsub("%d+", function(d)
  if #d > 3 then
    return "<" .. #d .. ">"
  end
end)

-- Find every line that ends with a long word, with find and an anchored pattern.
local long_endings, pos = 0, 1
while true do
  local s, e = bracketed:find("%a%a%a%a%a%a+%.\n", pos)
  if not s then
    break
  end
  long_endings = long_endings + 1
  pos = e + 1
end

print(string.format(
  "patterns n=%d words=%d letters=%d numbers=%d years=%d hosts=%d swaps=%d vowels=%d nums=%d long=%d len=%d",
  n, word_count, letters, number_sum, years, host_sum, nswap, nvowel, nnum, long_endings, #bracketed))
