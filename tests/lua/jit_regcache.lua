-- Compiled code keeps registers in machine registers between instructions (REG-CACHE
-- in jit/src/regs.rs). These cases break if a flush, a reload, an exit's spill or an
-- entry's type check is missing. Run interpreted and with every function compiled.

-- A captured local changed by a called closure (open upvalue into the frame).
do
  local x = 0
  local function bump() x = x + 1.5 end
  for _ = 1, 10 do
    x = x + 1
    bump()
  end
  assert(x == 25.0, x)
end

-- ... and changed to another type: the loop's arithmetic must see the string.
do
  local x = 1
  local function to_string() x = "10" end
  local sum = 0
  for i = 1, 4 do
    if i == 3 then to_string() end
    sum = sum + x
  end
  assert(sum == 1 + 1 + 10 + 10, sum)
  assert(math.type(sum) == "integer")
end

-- debug.setlocal on the running function and on a caller.
do
  local function f()
    local a = 1
    for _ = 1, 3 do
      a = a + 1
      debug.setlocal(1, 1, a * 10)
    end
    return a
  end
  assert(f() == 2110)
  local function set_caller() debug.setlocal(2, 1, "changed") end
  local function g()
    local v = 5
    for _ = 1, 2 do v = v + 1 end
    set_caller()
    return v
  end
  assert(g() == "changed")
end

-- Values held only in registers across garbage collections.
do
  local keep = {}
  for i = 1, 200 do
    local t = { i }
    local s = "s" .. i
    collectgarbage()
    keep[i] = t[1] + #s
  end
  assert(keep[200] == 204)
end

-- A yield in the middle of a compiled loop with unstored registers.
do
  local co = coroutine.wrap(function(n)
    local acc, f = 0, 0.5
    for i = 1, n do
      acc = acc + i
      f = f * 2
      coroutine.yield(acc, f)
    end
    return "done", acc, f
  end)
  local a, f
  for _ = 1, 5 do a, f = co(5) end
  assert(a == 15 and f == 16.0)
  assert(co() == "done")
end

-- A loop whose variable changes type half-way (guards exit, entries re-check).
do
  local v = 1
  local out = {}
  for i = 1, 6 do
    if i == 4 then v = v + 0.5 end
    v = v * 2
    out[i] = math.type(v)
  end
  assert(v == 68.0 and out[3] == "integer" and out[4] == "float")
end

-- Many live locals (more than machine registers) in one loop.
do
  local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8
  local i1, j1, k1, l1, m1, n1, o1, p1 = 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5
  for _ = 1, 100 do
    a, b, c, d, e, f, g, h = b, c, d, e, f, g, h, a
    i1, j1, k1, l1, m1, n1, o1, p1 = j1 + 1, k1, l1, m1, n1, o1, p1, i1 - 1
  end
  assert(a + b + c + d + e + f + g + h == 36)
  assert(i1 + j1 + k1 + l1 + m1 + n1 + o1 + p1 == 40.0)
end

-- Errors raised in compiled code report the right values and lines.
do
  local function bad(n)
    local x = n * 2
    return x + {}
  end
  local ok, msg = pcall(bad, 3)
  assert(not ok and msg:find("attempt to perform arithmetic on a table value"), msg)
end

-- Equality compiled natively: strings (interned), functions, nil/booleans, values of
-- different types; two different tables with __eq leave to the interpreter.
do
  local mt = { __eq = function(a, b) return a.v == b.v end }
  local x, y = setmetatable({ v = 1 }, mt), setmetatable({ v = 1 }, mt)
  local s1, s2 = "abc", "ab" .. string.char(99)
  local long1, long2 = string.rep("x", 100), string.rep("x", 99) .. "x"
  local n = 0
  for _ = 1, 100 do
    if x == y then n = n + 1 end
    if x == x then n = n + 1 end
    if s1 == s2 then n = n + 1 end
    if long1 == long2 then n = n + 1 end
    if s1 == 1 then n = n + 100 end
    if print == print then n = n + 1 end
    if x ~= {} then n = n + 1 end
    if nil == false then n = n + 1000 end
    if 1 == 1.0 then n = n + 1 end
  end
  assert(n == 700, n)
end

-- Closures over loop variables (CLOSE each iteration, compiled), generic for loops
-- with and without a closing value.
do
  local fs = {}
  for i = 1, 50 do
    local j = i * 2
    fs[i] = function() return i + j end
    j = j + 1
  end
  assert(fs[1]() == 4 and fs[50]() == 151)
  local closed = 0
  local function iter(n)
    local mt = { __close = function() closed = closed + 1 end }
    return function(_, k) if k < n then return k + 1 end end, nil, 0, setmetatable({}, mt)
  end
  local sum = 0
  for _ = 1, 20 do
    for k in iter(3) do sum = sum + k end
    for k, v in ipairs({ 5, 6 }) do sum = sum + k * v end
  end
  assert(sum == 20 * (6 + 17) and closed == 20, sum)
end

-- A captured local that this function's own code never reads again: closures do, so
-- exits and reloads after calls must keep it (checked with and without debug
-- information, which marks named locals live).
do
  local function mk()
    local x = 1
    local get = function() return x end
    local setter = function(v) x = v end
    local acc = 0
    for i = 1, 3 do
      setter(i * 10)
      local y = i + 0.5
      if i == 2 then y = y + "1" end
      acc = acc + y
    end
    return get(), acc
  end
  local a, b = mk()
  assert(a == 30 and b == 8.5, a)
  local a2, b2 = load(string.dump(mk, true))()
  assert(a2 == 30 and b2 == 8.5, a2)
end

print("OK")
