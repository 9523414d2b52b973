-- fib: doubly recursive Fibonacci; measures Lua-to-Lua call and return overhead.
-- Size: n, the Fibonacci index (the work grows like 1.6^n).
-- LuaJIT: runs.
-- groups: core
-- quick: 20
-- expect: fib(37) = 24157817
-- expect-quick: fib(20) = 6765
local n = tonumber(arg and arg[1]) or 37

local function fib(k)
  if k < 2 then
    return k
  end
  return fib(k - 1) + fib(k - 2)
end

-- A second, tail-recursive formulation checks the first one.
local function fib_iter(k, a, b)
  if k == 0 then
    return a
  end
  return fib_iter(k - 1, b, a + b)
end

local r = fib(n)
assert(r == fib_iter(n, 0, 1), "fib mismatch")
print(string.format("fib(%d) = %d", n, r))
