-- Compiled code speculates the type of values read from tables and upvalues
-- (SPECULATE in jit/src/speculate.rs): a guard after the read leaves to the interpreter
-- when the value has another type, and a guard that keeps failing makes the function
-- compile again with a corrected speculation. These cases change a value's type
-- half-way; results must be those of the interpreter. Run interpreted and compiled.

-- A field that is an integer, then a float, then a string with __add-less arithmetic
-- left to the interpreter (coercion).
do
  local t = { x = 1 }
  local sum = 0
  for i = 1, 6000 do
    if i == 2000 then t.x = 0.5 end
    if i == 4000 then t.x = "2" end
    sum = sum + t.x
  end
  assert(sum == 1999 + 2000 * 0.5 + 2001 * 2, sum)
  assert(math.type(sum) == "float")
end

-- Float code on fields (two unknown operands: a float is speculated), with one body
-- whose fields are integers part of the time.
do
  local bodies = {}
  for i = 1, 8 do
    bodies[i] = { x = i * 0.5, y = i * 0.25, m = 1.0 }
  end
  local function step(k)
    local e = 0.0
    for i = 1, #bodies do
      local a = bodies[i]
      for j = i + 1, #bodies do
        local b = bodies[j]
        local dx, dy = a.x - b.x, a.y - b.y
        e = e + a.m * b.m / (dx * dx + dy * dy)
      end
    end
    if k % 3 == 0 then
      bodies[1].x, bodies[1].m = 3, 2
    else
      bodies[1].x, bodies[1].m = 0.5, 1.0
    end
    return e
  end
  local total = 0.0
  for k = 1, 3000 do
    total = total + step(k)
  end
  -- lua5.4's result.
  assert(string.format("%.9f", total) == "93119.542986919", total)
end

-- Array elements: integers (bitwise use), floats, then nil (the comparison errors
-- with the interpreter's message).
do
  local a = {}
  for i = 1, 1000 do
    a[i] = i
  end
  local acc = 0
  for i = 1, 1000 do
    acc = acc ~ (a[i] & 255)
  end
  assert(acc == 232, acc) -- lua5.4's result
  local f = {}
  for i = 1, 3000 do
    f[i] = i % 7 == 0 and i or i + 0.5
  end
  local s = 0.0
  for i = 1, 3000 do
    s = s + f[i] * 2
  end
  local want = 0.0
  for i = 1, 3000 do
    want = want + (i % 7 == 0 and i or i + 0.5) * 2
  end
  assert(s == want, s)
  f[10] = nil
  local ok, err = pcall(function()
    local m = 0
    for i = 1, 20 do
      if f[i] < m then m = f[i] end
    end
    return m
  end)
  assert(not ok and string.find(err, "attempt to compare"), err)
end

-- An upvalue that changes type under a loop.
do
  local step = 1
  local function set(v) step = v end
  local x = 0
  for i = 1, 5000 do
    if i == 2500 then set(0.25) end
    x = x + step * 2.0
  end
  assert(x == 2499 * 2.0 + 2501 * 0.5, x)
end

-- A value read where the code speculated a float, stored by the guard's exit and then
-- used by the interpreter as a table key.
do
  local t = { k = 1 }
  local keys = { [1] = "one", [2] = "two" }
  local out = {}
  for i = 1, 2000 do
    if i > 1000 then t.k = 2 end
    local v = t.k
    out[#out + 1] = keys[v]
    local _ = v - 0.5
  end
  assert(out[1] == "one" and out[2000] == "two")
end

-- Integer evidence (a bitwise use nearby is absent; an integer constant), then floats:
-- integer -> float -> none.
do
  local t = { n = 1 }
  local s = 0
  for i = 1, 6000 do
    if i == 2000 then t.n = 1.5 end
    if i == 4000 then t.n = "1" end
    s = s + (t.n + 1)
  end
  assert(s == 1999 * 2 + 2000 * 2.5 + 2001 * 2, s)
end
