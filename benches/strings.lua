-- strings: build strings with string.format, .., string.rep and table.concat, and
-- take them apart with sub, byte, upper and find (plain); measures string
-- creation, interning and the formatting library.
-- Size: n, the number of formatted records.
-- LuaJIT: runs.
-- groups: core lib
-- quick: 2000
-- expect: strings n=500000 length=23243002 hash=80119
-- expect-quick: strings n=2000 length=89280 hash=824855
local n = tonumber(arg and arg[1]) or 500000

-- A cheap rolling hash of every 7th byte of s, modulo a prime.
local function digest(s, h)
  for i = 1, #s, 7 do
    h = (h * 31 + s:byte(i)) % 1000003
  end
  return h
end

local names = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta" }
local parts = {}
local hash, total_len = 0, 0
for i = 1, n do
  local name = names[i % #names + 1]
  local line = string.format("%-8s|%6d|%08x|%7.3f|%s", name, i, i * 2654435761 % 4294967296,
    i / 7, string.rep("=", i % 5))
  line = line .. ";" .. name:upper() .. ":" .. tostring(i % 1000)
  parts[#parts + 1] = line
  total_len = total_len + #line
  if i % 1000 == 0 then
    local block = table.concat(parts, "\n")
    hash = digest(block, hash)
    local first = block:find("|", 1, true) or 0
    hash = (hash + first + #block:sub(10, 40)) % 1000003
    parts = {}
  end
end
local rest = table.concat(parts, "\n")
hash = digest(rest, hash)
print(string.format("strings n=%d length=%d hash=%d", n, total_len, hash))
