-- ackermann: the Ackermann function A(m, n) for m <= 3; measures deep, non-tail
-- recursion (the stack grows to about 2^(n+3) frames) and call overhead.
-- Size: n, the second argument of A(3, n); the program also sums A(2, k).
-- LuaJIT: runs at the default and quick sizes; from n = 11 up it overflows LuaJIT's
-- smaller Lua stack (lua5.4 still runs n = 13).
-- quick: 5
-- expect: ack(3,9) = 4093 sum = 24832
-- expect-quick: ack(3,5) = 253 sum = 3712
local n = tonumber(arg and arg[1]) or 9

local function ack(m, k)
  if m == 0 then
    return k + 1
  elseif k == 0 then
    return ack(m - 1, 1)
  end
  return ack(m - 1, ack(m, k - 1))
end

local sum = 0
for rep = 1, 4 do
  sum = sum + ack(3, n)
end
for k = 1, 10 * n do
  sum = sum + ack(2, k)
end
print(string.format("ack(3,%d) = %d sum = %d", n, ack(3, n), sum))
