-- Proper tail calls: constant stack space at any depth.

-- tail calls run 10 million deep in constant space
local function loop(n, acc)
  if n == 0 then return acc end
  return loop(n - 1, acc + 1)
end
assert(loop(10000000, 0) == 10000000)

-- mutual tail recursion
local even, odd
function even(n) if n == 0 then return true end return odd(n - 1) end
function odd(n) if n == 0 then return false end return even(n - 1) end
assert(even(1000001) == false)
assert(odd(1000001) == true)

-- tail call through a method and with varargs
local obj = {n = 0}
function obj:count(k, ...)
  if k == 0 then return self.n, select("#", ...) end
  self.n = self.n + 1
  return self:count(k - 1, ...)
end
local n, nv = obj:count(1000000, "a", "b")
assert(n == 1000000 and nv == 2)

-- tail call to a callable table (__call)
local callable = setmetatable({}, {__call = function(self, k)
  if k == 0 then return "bottom" end
  return self(k - 1)
end})
assert(callable(300000) == "bottom")

-- a tail call returns all results of the callee
local function many() return 1, 2, 3 end
local function tail() return many() end
assert(select("#", tail()) == 3)

-- a tail call through pcall is not a tail call out of pcall, but still works
local function via_pcall(n)
  if n == 0 then return "done" end
  return select(2, pcall(via_pcall, n - 1))
end
assert(via_pcall(100) == "done")

-- a tail call inside a coroutine body
local co = coroutine.wrap(function()
  local function spin(n) if n == 0 then return "spun" end return spin(n - 1) end
  return spin(1000000)
end)
assert(co() == "spun")

-- tail calls keep the callee's varargs and return count
local function count(...) return select("#", ...) end
local function fwd(...) return count(...) end
assert(fwd() == 0 and fwd(nil, nil) == 2)
