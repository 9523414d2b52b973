-- Loop shapes whose compiled code changed shape this session: stores into nil slots of
-- an array part (ARRAY-FILL in jit/src/inline_table.rs), loops entered in the middle
-- after an exit (LANDING in jit/src/translate.rs), nested numeric loops whose control
-- variables are dead outside them (LOOP-VAR-LIVE in jit/src/analysis.rs), and the
-- slow paths behind inline table and upvalue accesses (PRESERVING in
-- jit/src/preserving.rs). Run interpreted and with every function compiled.

-- Filling an array part: the slots exist and are nil; without a metatable the store
-- is plain, with `__newindex` the metamethod runs for every nil slot, and only there.
do
  local t = {}
  for i = 1, 1000 do t[i] = i * 2 end
  assert(#t == 1000 and t[1] == 2 and t[1000] == 2000)
  -- Holes made and filled again.
  for i = 1, 1000, 3 do t[i] = nil end
  for i = 1, 1000, 3 do t[i] = -i end
  local sum = 0
  for i = 1, 1000 do sum = sum + t[i] end
  local want = 0
  for i = 1, 1000 do want = want + (i % 3 == 1 and -i or i * 2) end
  assert(sum == want)

  local log = {}
  local m = setmetatable({}, { __newindex = function(tb, k, v)
    log[#log + 1] = k
    rawset(tb, k, v)
  end })
  for i = 1, 8 do m[i] = i end      -- every key new: the metamethod each time
  for i = 1, 8 do m[i] = i + 1 end  -- overwrites: no metamethod
  assert(#log == 8 and log[8] == 8 and m[8] == 9)
  -- A table whose array part has nil slots and a metatable without __newindex.
  local p = setmetatable({}, { __index = function() return "dflt" end })
  for i = 1, 10 do p[i] = i end
  for i = 1, 10, 2 do p[i] = nil end
  assert(p[1] == "dflt" and p[2] == 2)
  for i = 1, 10 do p[i] = i * 10 end
  assert(p[1] == 10 and p[9] == 90)
  -- A metatable set after the array part grew: the next fill of a nil slot must see it.
  local late = {}
  for i = 1, 16 do late[i] = true end
  for i = 9, 16 do late[i] = nil end
  local hits = 0
  setmetatable(late, { __newindex = function(tb, k, v) hits = hits + 1; rawset(tb, k, v) end })
  for i = 1, 16 do late[i] = false end
  assert(hits == 8 and late[16] == false and late[1] == false)
end

-- Values of every kind stored into fresh array slots (the write barrier: the table
-- may be black when a collectable value goes in).
do
  local t = {}
  for round = 1, 20 do
    for i = 1, 200 do t[i] = { round, i } end
    collectgarbage("step", 10)
    for i = 1, 200 do assert(t[i][1] == round and t[i][2] == i) end
    for i = 1, 200 do t[i] = nil end
  end
  for i = 1, 50 do t[i] = "s" .. i end
  collectgarbage()
  assert(t[50] == "s50")
end

-- Nested numeric loops: the inner control variable is dead outside its loop, the outer
-- one live across the inner loop; an exit in the inner loop (a string where numbers
-- were) resumes in the interpreter and comes back at the loop's header.
do
  local function grid(n, odd)
    local rows, total = {}, 0
    for i = 1, n do
      local row = {}
      for j = 1, n do
        local v = i * j
        if odd and j == n // 2 then v = tostring(v) end
        row[j] = v
      end
      rows[i] = row
      for j = n, 1, -1 do
        local v = row[j]
        if type(v) == "string" then v = tonumber(v) end
        total = total + v + i
      end
    end
    return total, rows
  end
  local want = 0
  for i = 1, 30 do for j = 1, 30 do want = want + i * j + i end end
  for _ = 1, 5 do
    assert(grid(30, false) == want)
    assert(grid(30, true) == want)
  end
  local _, rows = grid(30, true)
  assert(rows[3][15] == "45" and rows[3][16] == 48)
end

-- A loop whose body reads a value fixed before it, through entries in the middle of
-- the loop (an exit every so often: a float among integers).
do
  local function scaled(t, k)
    local s = 0
    for i = 1, #t do
      s = s + t[i] * k
    end
    return s
  end
  local t = {}
  for i = 1, 500 do t[i] = (i % 97 == 0) and i + 0.5 or i end
  local want = 0
  for i = 1, 500 do want = want + t[i] * 3 end
  for _ = 1, 20 do assert(scaled(t, 3) == want) end
end

-- Slow paths behind inline accesses: an integer key outside the array part (the
-- hash part, then `__index`), an upvalue whose slot is the running frame's own
-- register, a field missing from the hash part, a global table with a metatable.
do
  local t = { 1, 2, 3 }
  t[100] = "far"
  local d = setmetatable({}, { __index = function(_, k) return k * 2 end })
  local acc = {}
  for i = 1, 200 do
    acc[#acc + 1] = (t[i] or 0)
    acc[#acc + 1] = d[i]
  end
  assert(acc[1] == 1 and acc[2] == 2 and acc[199] == "far" and acc[400] == 400)

  local function counter()
    local n = 0
    local function bump() n = n + 1; return n end
    for _ = 1, 100 do bump() end
    return n, bump
  end
  for _ = 1, 10 do
    local n, bump = counter()
    assert(n == 100 and bump() == 101)
  end

  local rec = { x = 1, y = 2 }
  local proto = { z = 3 }
  setmetatable(rec, { __index = proto })
  local s = 0
  for _ = 1, 300 do s = s + rec.x + rec.y + rec.z end
  assert(s == 1800)

  local env = setmetatable({}, { __index = _G })
  local chunk = load("local s = 0 for i = 1, 100 do s = s + math.abs(-i) end return s", "c", "t", env)
  for _ = 1, 5 do assert(chunk() == 5050) end
end

print("jit_loop_shapes ok")
