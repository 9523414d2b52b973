-- closures: create closures that capture and update upvalues (counters, shared
-- accumulators, composed functions, a closure-based iterator) and call them in
-- loops; measures closure creation, upvalue access and indirect calls.
-- Size: n, the number of outer rounds.
-- LuaJIT: runs.
-- quick: 500
-- expect: closures n=400000 total=113000000
-- expect-quick: closures n=500 total=141258
local n = tonumber(arg and arg[1]) or 400000

-- A counter object made of two closures over one upvalue.
local function counter(start)
  local value = start
  local function inc(by)
    value = value + by
    return value
  end
  local function get()
    return value
  end
  return inc, get
end

-- f after g.
local function compose(f, g)
  return function(x)
    return f(g(x))
  end
end

-- A closure that adds k.
local function adder(k)
  return function(x)
    return x + k
  end
end

-- An iterator over 1..limit written with an upvalue instead of state arguments.
local function range(limit)
  local i = 0
  return function()
    if i < limit then
      i = i + 1
      return i
    end
  end
end

local total = 0
for round = 1, n do
  local inc, get = counter(round % 10)
  for k = 1, 5 do
    inc(k)
  end
  local f = compose(adder(round % 3), compose(adder(1), adder(2)))
  local s = 0
  for i in range(8) do
    s = s + f(i)
  end
  -- Closures created in a loop each capture their own loop variable.
  local fns = {}
  for j = 1, 4 do
    fns[j] = function() return j * get() end
  end
  for j = 1, 4 do
    s = s + fns[j]()
  end
  total = (total + s + get()) % 1000000007
end
print(string.format("closures n=%d total=%d", n, total))
