-- Closures and upvalues, printed.
local function counter(start, step)
  local n = start
  return function() n = n + step; return n end
end
local a, b = counter(0, 1), counter(100, -10)
for _ = 1, 5 do print(a(), b()) end
local fns = {}
for i = 1, 5 do fns[i] = function() return i * i end end
for i = 1, 5 do io.write(fns[i](), " ") end
print()
local acc = {}
local function make(name)
  local calls = 0
  return function(x)
    calls = calls + 1
    acc[#acc + 1] = name .. calls .. ":" .. tostring(x)
  end
end
local f, g = make("f"), make("g")
f(1); g(2); f(3); g(4); f(5)
print(table.concat(acc, " "))
local function memo(fn)
  local cache = {}
  return function(n)
    local v = cache[n]
    if v == nil then v = fn(n); cache[n] = v end
    return v
  end
end
local fib
fib = memo(function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end)
for _, n in ipairs({10, 20, 50, 90}) do print(n, fib(n)) end
local function compose(...)
  local fs = {...}
  return function(x)
    for i = #fs, 1, -1 do x = fs[i](x) end
    return x
  end
end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print(compose(inc, dbl)(5), compose(dbl, inc)(5), compose()(5))
