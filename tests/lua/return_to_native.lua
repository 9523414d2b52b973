-- Lua functions called by natives (RETURN-TO-NATIVE in interp/src/jit_iface.rs):
-- comparators, callbacks and protected calls, returning no, one or many values,
-- raising errors, closing upvalues and to-be-closed variables on the way out. With
-- every function compiled their RETURN is done by the code itself when the native
-- that called is the one running the loop. Run interpreted and compiled.

-- A comparator with branches (not a short leaf), over numbers and strings.
do
  local calls = 0
  local function by_len(a, b)
    calls = calls + 1
    if #a ~= #b then
      return #a < #b
    end
    return a < b
  end
  local t = {}
  for i = 1, 300 do t[i] = string.rep("x", i % 7) .. string.format("%03d", (i * 37) % 301) end
  table.sort(t, by_len)
  for i = 2, #t do assert(not by_len(t[i], t[i - 1])) end
  assert(calls > 300)
  -- Results adjusted to one: none (nil is false), several (the first counts).
  local u = { 3, 1, 2 }
  table.sort(u, function(a, b) if a < b then return true, "extra", 3 end end)
  assert(u[1] == 1 and u[2] == 2 and u[3] == 3)
end

-- A comparator that raises: the error reaches the caller with its message and the
-- array is left a permutation of what it was.
do
  local t = { 5, 4, 3, 2, 1 }
  local ok, msg = pcall(table.sort, t, function(a, b)
    if a == 3 or b == 3 then error("no threes", 0) end
    return a < b
  end)
  assert(not ok and msg == "no threes", msg)
  local seen = {}
  for _, v in ipairs(t) do seen[v] = true end
  for v = 1, 5 do assert(seen[v]) end
  -- An invalid order function is detected, not looped on.
  local ok2, msg2 = pcall(table.sort, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, function() return true end)
  assert(ok2 or msg2:find("invalid order function"), msg2)
end

-- gsub callbacks: a replacement, nil or false (keep the match), several results
-- (the first is used), and a closure over a counter.
do
  local n = 0
  local s = string.gsub("a1b22c333", "%d+", function(d)
    n = n + 1
    if #d == 2 then return nil end
    if #d == 3 then return false end
    return "<" .. d .. ">", "ignored"
  end)
  assert(s == "a<1>b22c333", s)
  assert(n == 3)
  local words = {}
  string.gsub("one two three", "%a+", function(w) words[#words + 1] = w:upper() end)
  assert(table.concat(words, " ") == "ONE TWO THREE")
end

-- A callback that returns from a frame with open upvalues (closed on return) and
-- with a to-be-closed variable (the interpreter's RETURN runs its handler).
do
  local makers = {}
  local t = { 3, 1, 2 }
  table.sort(t, function(a, b)
    local k = a * 10 + b
    makers[#makers + 1] = function() return k end
    return a < b
  end)
  for _, f in ipairs(makers) do assert(type(f()) == "number") end
  local closed = 0
  local mt = { __close = function() closed = closed + 1 end }
  local r = string.gsub("xyz", "%a", function(c)
    local guard <close> = setmetatable({}, mt)
    return c:upper()
  end)
  assert(r == "XYZ" and closed == 3, closed)
end

-- Protected calls: the callee returns to pcall's frame, inside the loop that runs
-- its caller; every result arrives, in order.
do
  local function many(n)
    local t = {}
    for i = 1, n do t[i] = i end
    return table.unpack(t)
  end
  local r = { pcall(many, 40) }
  assert(#r == 41 and r[1] == true and r[41] == 40)
  assert(select("#", pcall(many, 0)) == 1)
  local ok, a, b = xpcall(function(x) return x, x * 2 end, debug.traceback, 21)
  assert(ok and a == 21 and b == 42)
  local ok2, tb = xpcall(function() local z = nil; return z.field end, debug.traceback)
  assert(not ok2 and tb:find("attempt to index") and tb:find("traceback"), tb)
end

-- Metamethods called by natives (tostring's __tostring, __lt from sort) and
-- functions run by load and require-like callers.
do
  local mt = {
    __tostring = function(v) return "P(" .. v.x .. ")" end,
    __lt = function(a, b) return a.x < b.x end,
  }
  local ps = {}
  for i = 1, 50 do ps[i] = setmetatable({ x = (i * 7) % 50 }, mt) end
  table.sort(ps)
  for i = 2, #ps do assert(ps[i - 1].x <= ps[i].x) end
  assert(tostring(ps[1]) == "P(0)")
  local f = load("local a, b = ...; return b, a")
  local x, y = f(1, 2)
  assert(x == 2 and y == 1)
end

-- Deep recursion inside a comparator (its own frames above the sort's).
do
  local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
  local t = { 4, 3, 2, 1 }
  table.sort(t, function(a, b) return depth(200 + a) < depth(200 + b) end)
  assert(t[1] == 1 and t[4] == 4)
end

print("return_to_native ok")
