-- coroutines: generators and a producer/filter/consumer pipeline built from
-- coroutines, plus a ring of coroutines passing a token; measures resume/yield
-- switching and passing values across it.
-- Size: n, the number of items pushed through the pipeline.
-- LuaJIT: runs.
-- quick: 2000
-- expect: coroutines n=2200000 pipeline count=1173333 sum=333021930 ring token=473964 dead=0
-- expect-quick: coroutines n=2000 pipeline count=1067 sum=2135731 ring token=212000 dead=0
local n = tonumber(arg and arg[1]) or 2200000

-- A generator of the integers 1..limit.
local function numbers(limit)
  return coroutine.wrap(function()
    for i = 1, limit do
      coroutine.yield(i)
    end
  end)
end

-- A filter stage: pulls from source, yields only values accepted by keep, mapped by f.
local function stage(source, keep, f)
  return coroutine.wrap(function()
    for v in source do
      if keep(v) then
        coroutine.yield(f(v))
      end
    end
  end)
end

local pipeline = stage(
  stage(numbers(n), function(v) return v % 3 ~= 0 end, function(v) return v * 2 end),
  function(v) return v % 5 ~= 0 end,
  function(v) return v + 1 end)
local count, sum = 0, 0
for v in pipeline do
  count = count + 1
  sum = (sum + v) % 1000000007
end

-- A ring of coroutines created with coroutine.create; each adds its index to the token.
local ring_size = 10
local ring = {}
for i = 1, ring_size do
  ring[i] = coroutine.create(function(token)
    while true do
      token = coroutine.yield((token + i) % 1000003)
    end
  end)
end
local token = 0
for lap = 1, math.floor(n / ring_size) do
  for i = 1, ring_size do
    local ok, t = coroutine.resume(ring[i], token + lap)
    assert(ok, t)
    token = t
  end
end
local dead = 0
for i = 1, ring_size do
  if coroutine.status(ring[i]) == "dead" then
    dead = dead + 1
  end
end
print(string.format("coroutines n=%d pipeline count=%d sum=%d ring token=%d dead=%d",
  n, count, sum, token, dead))
