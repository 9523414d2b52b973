-- Short leaves (SHORT-LEAF in interp/src/jit_iface/call.rs): functions of a few
-- instructions with no call and no loop run interpreted when the interpreter calls them
-- (a sort comparator, a metamethod, a coroutine body that yields) and natively when
-- compiled code does; results, errors and upvalues must be the same either way. Run
-- interpreted and with every function compiled.

local greater = function(a, b) return a > b end
local t = {}
for i = 1, 100 do t[i] = (i * 37) % 101 end
table.sort(t, greater)
for i = 2, 100 do assert(t[i - 1] > t[i]) end
local n = 0
for i = 1, 100 do if greater(i, 50) then n = n + 1 end end
assert(n == 50)

-- Metamethods that are short leaves.
local mt = {
  __add = function(a, b) return a.v + b.v end,
  __index = function(_, k) return k .. "!" end,
  __lt = function(a, b) return a.v < b.v end,
}
local x, y = setmetatable({ v = 3 }, mt), setmetatable({ v = 4 }, mt)
for _ = 1, 50 do
  assert(x + y == 7)
  assert(x.name == "name!")
  assert(x < y and not (y < x))
end

-- A closure adding its upvalue, called from a yielding coroutine body and from a loop;
-- the upvalue changes between calls.
local k = 1
local add = function(v) return v + k end
local gen = coroutine.wrap(function()
  for i = 1, 20 do coroutine.yield(add(i)) end
end)
local s = 0
for i = 1, 20 do
  s = s + gen()
  if i == 10 then k = 100 end
end
assert(s == (20 * 21 // 2) + 10 * 1 + 10 * 100, s)
for i = 1, 20 do assert(add(i) == i + 100) end

-- A short leaf that raises an error: the message and position are the interpreter's.
local bad = function(v) return v.field end
local ok, err = pcall(table.sort, { 1, 2, 3 }, function(a, b) return bad(a) < b end)
assert(not ok and err:find("attempt to index a number value"), err)
for i = 1, 5 do
  local ok2, err2 = pcall(bad, i)
  assert(not ok2 and err2:find("attempt to index a number value"), err2)
end
