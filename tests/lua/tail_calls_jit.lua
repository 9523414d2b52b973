-- Tail calls in compiled code (and in the interpreter): constant space over a million
-- levels, tail calls to native functions, to vararg functions, to functions that are
-- never compiled, to callables with __call, and closing upvalues before the call.

-- Deep self tail recursion: a growing stack would overflow long before 1e6.
local function count(n, acc)
  if n == 0 then return acc end
  return count(n - 1, acc + 1)
end
assert(count(1000000, 0) == 1000000)

-- Mutual tail recursion.
local is_even, is_odd
function is_even(n) if n == 0 then return true end return is_odd(n - 1) end
function is_odd(n) if n == 0 then return false end return is_even(n - 1) end
assert(is_even(1000000) == true)
assert(is_odd(1000001) == true)

-- Called from compiled code (nested activations), many times so the callers compile.
local function sum_to(n) return count(n, 0) end
local s = 0
for i = 1, 300 do s = s + sum_to(i) end
assert(s == 300 * 301 // 2)

-- Tail calls to native functions return all their results.
local function floor_of(x) return math.floor(x) end
local function unpack3(t) return table.unpack(t) end
local function none() return select(3, 1) end
for i = 1, 300 do
  assert(floor_of(i + 0.5) == i)
  local a, b, c = unpack3({i, i + 1, i + 2})
  assert(a == i and b == i + 1 and c == i + 2)
  assert(select('#', none()) == 0)
  assert(select('#', unpack3({i, i})) == 2)
end

-- Tail calls to vararg functions (and from them).
local function pack_n(...) return select('#', ...), ... end
local function to_vararg(a, b) return pack_n(a, b, a + b) end
local function va_tail(n, ...)
  if n == 0 then return ... end
  return va_tail(n - 1, ...)
end
for i = 1, 300 do
  local n, x, y, z = to_vararg(i, 1)
  assert(n == 3 and x == i and y == 1 and z == i + 1)
  local p, q = va_tail(50, i, "v")
  assert(p == i and q == "v")
end
assert(select('#', va_tail(100000, 1, nil, 3)) == 3)

-- A callee that is never compiled (it builds a table from its varargs, SETLIST and
-- VARARG; whatever the engine refuses, the result is the same) tail-calls itself.
local function uncompiled(n, ...)
  local t = {...}
  if n > 0 then return uncompiled(n - 1, n, t[1]) end
  return #t, t[1], t[2]
end
local function via(n) return uncompiled(n) end
for i = 2, 200 do
  local len, a, b = via(i)
  assert(len == 2 and a == 1 and b == 2)
end

-- Callables with __call are tail-called too.
local callable = setmetatable({}, {__call = function(self, x) return x * 2, self end})
local function to_callable(x) return callable(x) end
for i = 1, 300 do
  local v, self = to_callable(i)
  assert(v == 2 * i and self == callable)
end

-- Upvalues of the tail-calling frame are closed before its registers are reused.
local function make(n)
  local fns = {}
  local function step(k, acc)
    if k == 0 then return acc end
    local captured = k
    fns[#fns + 1] = function() return captured end
    return step(k - 1, acc + captured)
  end
  return step(n, 0), fns
end
for _ = 1, 50 do
  local total, fns = make(20)
  assert(total == 210)
  for j = 1, 20 do assert(fns[j]() == 21 - j) end
end

-- Results adjusted by the original caller, errors from a tail-called function.
local function three() return 1, 2, 3 end
local function tail3() return three() end
for _ = 1, 300 do
  local a = tail3()
  assert(a == 1)
  local t = {tail3()}
  assert(#t == 3)
end
local function bad(x) return x.field end
local function tail_bad(x) return bad(x) end
for _ = 1, 100 do
  local ok, err = pcall(tail_bad, nil)
  assert(not ok and string.find(err, "attempt to index"))
end

-- A deep tail-recursive loop with a native call in the middle and a final native.
local function loop(n, acc)
  if n == 0 then return tostring(acc) end
  return loop(n - 1, acc + math.abs(-1))
end
assert(loop(1000000, 0) == "1000000")

print("tail_calls_jit ok")
