-- Loop limits the JIT types without a helper (MOVE-ALIASES in jit/src/speculate.rs:
-- a parameter or upvalue moved into a numeric `for`'s limit is speculated an integer;
-- analysis.rs: a compiled `#` is an integer or exits). Floats, strings, `__len`
-- results of any type and errors must give exactly the interpreter's results; run
-- interpreted and with every function compiled at its first call.

-- A parameter as the limit: integers, then a float (the loop floors it), a numeric
-- string (converted, as lua5.4 does) and a table (the interpreter's error).
local function count_to(n)
  local c = 0
  for _ = 1, n do
    c = c + 1
  end
  return c
end

for _ = 1, 200 do
  assert(count_to(10) == 10)
end
assert(count_to(10.7) == 10)
assert(count_to(-3) == 0)
assert(count_to("5") == 5)
local ok, err = pcall(count_to, {})
assert(not ok and err:find("bad 'for' limit (number expected, got table)", 1, true), err)
for _ = 1, 200 do
  assert(count_to(7) == 7)
end

-- A float loop whose limit is a parameter.
local function halves(n)
  local s = 0
  for x = 0, n, 0.5 do
    s = s + x
  end
  return s
end
for _ = 1, 100 do
  assert(halves(2) == 0 + 0.5 + 1 + 1.5 + 2)
end
assert(halves(1.25) == 1.5)

-- An upvalue as the limit of an inner loop, changed to a float half-way.
local limit = 4
local function nested(rows)
  local t = 0
  for i = 1, rows do
    for j = 1, limit do
      t = t + i * j
    end
  end
  return t
end
for _ = 1, 100 do
  assert(nested(3) == 6 * 10)
end
limit = 2.5
assert(nested(3) == 6 * 3)
limit = 4
assert(nested(3) == 60)

-- `#` as a limit: a plain table, a string, then tables whose `__len` answers a
-- float, a string and an error.
local function sum_len(t)
  local s = 0
  for i = 1, #t do
    s = s + i
  end
  return s
end
local arr = { 1, 2, 3, 4, 5 }
for _ = 1, 200 do
  assert(sum_len(arr) == 15)
  assert(sum_len("abcd") == 10)
end
assert(sum_len(setmetatable({}, { __len = function() return 3.0 end })) == 6)
assert(sum_len(setmetatable({}, { __len = function() return "2" end })) == 3)
local ok2, err2 = pcall(sum_len, setmetatable({}, { __len = function() error("no length") end }))
assert(not ok2 and err2:find("no length", 1, true), err2)
ok2, err2 = pcall(sum_len, 42)
assert(not ok2 and err2:find("attempt to get length of a number value", 1, true), err2)
local bad = setmetatable({}, { __len = function() return {} end })
ok2, err2 = pcall(sum_len, bad)
assert(not ok2 and err2:find("bad 'for' limit (number expected, got table)", 1, true), err2)
for _ = 1, 200 do
  assert(sum_len(arr) == 15)
end

-- `#t + 1` in a push loop, with a `__len` table passed half-way.
local function push_all(t, n)
  for i = 1, n do
    t[#t + 1] = i
  end
  return #t
end
for _ = 1, 50 do
  assert(push_all({}, 20) == 20)
end
local log = {}
local proxy = setmetatable({}, {
  __len = function() return 0.0 end,
  __newindex = function(_, k, v) log[#log + 1] = math.type(k) .. ":" .. v end,
})
push_all(proxy, 2)
assert(table.concat(log, ",") == "float:1,float:2", table.concat(log, ","))
print("jit_loop_limits ok")
