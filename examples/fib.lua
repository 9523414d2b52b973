-- Naive recursive Fibonacci: a quick call-heavy benchmark.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

local n = tonumber(arg and arg[1]) or 30
local t0 = os.clock()
print(string.format("fib(%d) = %d", n, fib(n)))
print(string.format("%.3f s", os.clock() - t0))
