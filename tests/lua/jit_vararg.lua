-- VARARG in compiled code (the vararg helper, jit/src/ops_data.rs): fixed counts with
-- nil fill, all of them up to the top for calls, returns and constructors, stack
-- growth past the frame, varargs in loops and coroutines. Run interpreted and with
-- every function compiled; in the compiled run no VARARG may leave compiled code.

local function count(...) return select("#", ...) end
local function pick(...)
  local a, b, c = ...
  return a, b, c
end
local function all(...) return ... end
local function pack(...) return { n = select("#", ...), ... } end
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do
    s = s + (select(i, ...))
  end
  return s
end

for round = 1, 3 do
  assert(count() == 0 and count(nil) == 1 and count(nil, nil) == 2)
  local a, b, c = pick(1)
  assert(a == 1 and b == nil and c == nil)
  a, b, c = pick(1, 2, 3, 4)
  assert(a == 1 and b == 2 and c == 3)
  local t = pack(all(1, nil, 3, nil))
  assert(t.n == 4 and t[1] == 1 and t[2] == nil and t[3] == 3 and t[4] == nil)
  assert(sum(1, 2, 3, 4, 5) == 15 + 0 * round)
  assert(select("#", all()) == 0)
end

-- Many varargs: the copy grows the stack well past the frame's registers.
do
  local many = {}
  for i = 1, 5000 do many[i] = i end
  local function last(...)
    local t = { ... }
    return #t, t[#t], (select("#", ...))
  end
  local n, top, c = last(table.unpack(many))
  assert(n == 5000 and top == 5000 and c == 5000, n)
  -- And the caller's registers survive the move.
  local keep1, keep2 = "x", 2.5
  local function relay(...) return count(...), keep1, keep2 end
  local k, s, f = relay(table.unpack(many))
  assert(k == 5000 and s == "x" and f == 2.5)
end

-- A vararg function hot in a loop, with values of changing types.
do
  local function first2(...)
    local x, y = ...
    return x, y
  end
  local acc = 0
  for i = 1, 2000 do
    local x, y = first2(i, i % 3 == 0 and 0.5 or 1, "ignored")
    acc = acc + x * y
  end
  assert(acc == 1667833.5, acc)
end

-- Varargs of a coroutine body, across yields.
do
  local co = coroutine.wrap(function(...)
    local n = select("#", ...)
    local got = coroutine.yield(...)
    return n, got, ...
  end)
  local a, b, c = co(1, 2, 3)
  assert(a == 1 and b == 2 and c == 3)
  local n, got, x, y, z = co("back")
  assert(n == 3 and got == "back" and x == 1 and y == 2 and z == 3)
end

if jit and jit.status() then
  local s = jit.stats()
  assert(s.exits.vararg == nil, "a VARARG left compiled code")
end

print("jit_vararg ok")
