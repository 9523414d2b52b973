-- Calls computed in place store nothing on their fast path (FLUSH-SLOW in
-- jit/src/ops_call.rs): a leaf's body, math.sqrt and string.byte leave the registers
-- they did not write, and their result, unstored. Everything that reads the value
-- stack afterwards (an exit, a helper, a closure, an error's traceback, the general
-- call when the callee changes) must still see the values the program computed.
-- Division by a constant power of two is a multiplication (DIV-POW2 in
-- jit/src/ops_arith.rs) and must round exactly as the division does.
-- Run interpreted and with every function compiled: the results must be the same.

local sqrt = math.sqrt

local function area(w, h) return w * h + 1 end

-- A loop whose registers are unstored when the leaf is computed, then read by a
-- general call (the closure reads a captured local) and by a type change half-way.
local function leaf_loop(n)
  local total, last = 0, 0
  local seen = 0
  local function peek() return total end
  for i = 1, n do
    local v = area(i, 2)
    total = total + v
    if i % 7 == 0 then
      seen = seen + peek()
    end
    if i == n - 1 then
      last = area(i + 0.5, 2)
    end
  end
  return total, seen, last
end
local t, s, l = leaf_loop(50)
assert(t == 2600 and s == 7252 and l == 100.0, t .. " " .. s .. " " .. l)

-- The callee changes between calls: the general path runs with every register
-- stored, and the results agree.
local saved = area
local function via_upvalue(k)
  local a = 3
  local r = area(k, a)
  return r + a
end
assert(via_upvalue(4) == 16)
area = function(w, h) return w - h end
assert(via_upvalue(4) == 4)
area = saved
assert(via_upvalue(4) == 16)

-- sqrt's result speculated as an integer: the miss leaves with the float stored.
local function root_plus(x) return sqrt(x) + 0 end
assert(root_plus(16) == 4.0 and math.type(root_plus(16)) == "float")
local acc = 0
for i = 1, 100 do acc = acc + root_plus(i * i) end
assert(acc == 5050.0, acc)

-- A lean call followed by an error: the traceback and the locals the handler sees
-- are the program's.
local function divide_all(xs, d)
  local sum = 0
  for i = 1, #xs do
    sum = sum + sqrt(xs[i]) + xs[i] // d
  end
  return sum
end
assert(divide_all({ 4, 9, 16 }, 2) == 2 + 3 + 4 + 2 + 4 + 8)
local ok, err = pcall(divide_all, { 4, 9, 16 }, 0)
assert(not ok and err:find("jit_lean_calls.lua:61: attempt to divide by zero", 1, true), err)

-- string.byte in place, with a captured counter read by a closure after it.
local function bytes(str)
  local count, h = 0, 0
  local function get() return count end
  for i = 1, #str do
    count = count + 1
    h = (h * 31 + str:byte(i)) % 1000003
    assert(get() == count)
  end
  return h, count
end
local h, c = bytes("lean calls store nothing")
assert(c == 24 and h == 216758, h)
-- Positions outside the string take the general call (no byte: no value).
local function edge(str, k) return str:byte(k) end
assert(edge("abc", 3) == 99 and edge("abc", 4) == nil and edge("abc", -1) == 99)

-- Division by a power of two is the division.
local function halves(x) return x / 2, x // 2.0, x / -4, x / 0.5, x / 2 ^ 1000 end
local function check(x)
  local a, b, c2, d, e = halves(x)
  local ea, eb, ec, ed, ee = x * 0.5, math.floor(x * 0.5), x * -0.25, x * 2.0, x * 2 ^ -1000
  if x ~= x then
    assert(a ~= a and b ~= b and c2 ~= c2 and d ~= d and e ~= e)
    return
  end
  assert(a == ea and c2 == ec and d == ed and e == ee, tostring(x))
  assert(b == eb or (b ~= b and eb ~= eb), tostring(x))
  assert(math.type(a) == "float" and math.type(b) == "float")
  assert(1 / a == 1 / ea, "the sign of zero is kept: " .. tostring(x))
end
for _, x in ipairs({ 0.0, -0.0, 1, -3, 7.5, 5e-324, -5e-324, 2.2250738585072014e-308,
  1.7976931348623157e308, math.huge, -math.huge, 0 / 0, math.maxinteger, math.mininteger }) do
  check(x)
end
assert(5e-324 / 2 == 0.0 and 3 / 2 == 1.5 and 7 // 2.0 == 3.0)
-- Not a power of two (or one whose reciprocal is not a normal float): a division.
local function thirds(x) return x / 3, x / 2 ^ -1023 end
local a3, big = thirds(1)
assert(a3 == 1 / 3 and big == 2 ^ 1023)
print("jit_lean_calls ok")
