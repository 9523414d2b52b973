-- bits: 64-bit integer arithmetic and bitwise operators: an xorshift generator,
-- population counts, bit reversal and a table-driven CRC-32.
-- Size: n, the number of generated 64-bit words.
-- LuaJIT: cannot run it. It uses the Lua 5.3+ operators & | ~ << >> and //, which
-- are syntax errors in LuaJIT, and it relies on 64-bit integer wrap-around, which
-- LuaJIT's double-precision numbers cannot represent.
-- groups: core
-- quick: 2000
-- expect: bits n=1200000 ones=38401269 rev=1450cb71 crc=d71057fb mix=c6322c69a6f0665d
-- expect-quick: bits n=2000 ones=64115 rev=4bd4cd9d crc=a8ec3c19 mix=f5cb4be84fac403d
local n = tonumber(arg and arg[1]) or 1200000

-- xorshift64*: a 64-bit state, wrapping multiplication.
local state = 0x2545F4914F6CDD1D
local function next_word()
  local x = state
  x = x ~ (x >> 12)
  x = x ~ (x << 25)
  x = x ~ (x >> 27)
  state = x
  return x * 0x2545F4914F6CDD1D
end

-- Number of set bits, by clearing the lowest one at a time.
local function popcount(x)
  local c = 0
  while x ~= 0 do
    x = x & (x - 1)
    c = c + 1
  end
  return c
end

-- The 32 low bits of x in reverse order.
local function reverse32(x)
  local r = 0
  for _ = 1, 32 do
    r = (r << 1) | (x & 1)
    x = x >> 1
  end
  return r
end

-- The 256-entry table of the reflected CRC-32 polynomial.
local crc_table = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if c & 1 == 1 then
      c = 0xEDB88320 ~ (c >> 1)
    else
      c = c >> 1
    end
  end
  crc_table[i] = c
end

-- Feed the eight bytes of a word into a running CRC-32.
local function crc_word(crc, w)
  for _ = 1, 8 do
    crc = crc_table[(crc ~ w) & 0xFF] ~ (crc >> 8)
    w = w >> 8
  end
  return crc
end

local crc, ones, rev, mix = 0xFFFFFFFF, 0, 0, 0
for i = 1, n do
  local w = next_word()
  ones = ones + popcount(w)
  rev = (rev + reverse32(w)) & 0xFFFFFFFF
  mix = mix ~ ((w // 3) + (i % 7)) -- floor division of a possibly negative integer
  crc = crc_word(crc, w)
end
crc = crc ~ 0xFFFFFFFF
print(string.format("bits n=%d ones=%d rev=%08x crc=%08x mix=%016x", n, ones, rev, crc, mix))
