-- Tail calls between compiled closures inside a nested activation (TAIL-NEST-INLINE),
-- where the tail callee tail-calls again: the first callee's closure, a fresh one held
-- only by its function slot, becomes garbage when the second tail call replaces it, and
-- a collection runs before the chain returns.

local function k(x)
  collectgarbage()
  return x + 1
end

-- A fresh closure per call, reachable from nowhere but the stack.
local function make(d)
  return function(x) return k(x + d) end
end

local function g(x)
  return make(10)(x)
end

-- f calls g with a plain call, so g's activation is nested and its tail call is inline.
local function f(x)
  local y = g(x)
  return y * 2
end

local s = 0
for i = 1, 200 do
  s = s + f(i)
end
assert(s == 2 * (200 * 201 // 2 + 200 * 11), s)

-- The same chain ending in an error: the traceback still names the functions.
local function bad(x)
  return x.field
end
local function chain(x)
  return (function(y) return bad(y) end)(x)
end
local ok, err = pcall(function() local r = chain(1) return r end)
assert(not ok and err:find("attempt to index a number value"), err)
print("ok")
