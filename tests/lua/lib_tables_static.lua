-- Library tables behave exactly like ordinary tables (Moonjet keeps their functions in
-- read-only memory until a table is written to or traversed: every check below runs
-- on a library table in that state first, where possible).

local function count(t)
  local n, seen = 0, {}
  for k, v in pairs(t) do
    assert(not seen[k], "key listed twice: " .. tostring(k))
    seen[k] = true
    assert(rawget(t, k) == v)
    n = n + 1
  end
  return n, seen
end

-- reads before any write or traversal
assert(type(string.rep) == "function" and string.rep("ab", 3) == "ababab")
assert(math.pi > 3.14 and math.huge == 1 / 0)
assert(math.maxinteger == 0x7fffffffffffffff and math.mininteger == math.maxinteger + 1)
assert(rawget(table, "concat") == table.concat and rawget(table, "nope") == nil)
assert(#string == 0 and rawlen(math) == 0 and #_G == 0)
assert(rawequal(string, package.loaded.string) and package.loaded._G == _G)
for _, name in ipairs({"string", "table", "math", "utf8", "coroutine", "debug", "package"}) do
  assert(package.loaded[name] == _G[name], name)
end
assert(rawequal(string.rep, ("").rep))
assert(getmetatable("").__index == string)
assert(type(getmetatable("").__add) == "function" and "10" + 1 == 11 and -"2" == -2)
assert(next(utf8) ~= nil and next({}) == nil)
assert(type(print) == "function" and rawget(_G, "print") == print)

-- a new global keeps working alongside the base functions
newglobal = 42
assert(_G.newglobal == 42 and type(_G.tostring) == "function")

-- pairs lists every function once, and agrees with next
do
  local n, seen = count(string)
  for _, f in ipairs({"byte", "char", "dump", "find", "format", "gmatch", "gsub", "len",
                      "lower", "match", "pack", "packsize", "rep", "reverse", "sub",
                      "unpack", "upper"}) do
    assert(seen[f], f)
  end
  assert(n == 17, n)
  local m = 0
  local k = next(string)
  while k ~= nil do m = m + 1; k = next(string, k) end
  assert(m == n)
  local mn, mseen = count(math)
  assert(mseen.pi and mseen.huge and mseen.maxinteger and mseen.random and mseen.floor)
  assert(mn >= 27, mn) -- lua5.4 builds with LUA_COMPAT_MATHLIB have more
  local gn, gseen = count(_G)
  assert(gseen.print and gseen.newglobal and gseen.string and gseen._G and gseen._VERSION)
  assert(gn > 30)
  -- next from a key of a table not traversed yet
  local k2, v2 = next(coroutine, "wrap")
  assert(k2 == nil or coroutine[k2] == v2)
end

-- overriding: method calls on strings see the new function
do
  local rep = string.rep
  string.rep = function(s, n) return "rep:" .. s .. n end
  assert(("x"):rep(2) == "rep:x2" and string.rep("y", 1) == "rep:y1")
  string.rep = rep
  assert(("x"):rep(2) == "xx")
end

-- overriding and deleting fields of tables not written before
math.pi = 3
assert(math.pi == 3 and rawget(math, "pi") == 3 and math.floor(2.5) == 2)
table.concat = nil
assert(table.concat == nil and rawget(table, "concat") == nil)
for k in pairs(table) do assert(k ~= "concat") end
assert(table.insert and table.remove and table.unpack)
local upper = string.upper
string.upper = nil
assert(("x").upper == nil and not pcall(function() return ("x"):upper() end))
string.upper = upper
assert(("ab"):upper() == "AB")

-- adding fields
utf8.extra = "e"
assert(utf8.extra == "e" and rawget(utf8, "extra") == "e" and utf8.char(65) == "A")
local _, useen = count(utf8)
assert(useen.extra and useen.char and useen.charpattern)
coroutine[1] = "one"
assert(coroutine[1] == "one" and #coroutine == 1 and type(coroutine.wrap) == "function")

-- metatables on library tables
do
  local mt = {__index = function(_, k) return "dflt:" .. k end}
  assert(setmetatable(debug, mt) == debug and getmetatable(debug) == mt)
  assert(debug.nothing == "dflt:nothing" and type(debug.traceback) == "function")
  setmetatable(debug, nil)
  assert(debug.nothing == nil)
  local log = {}
  setmetatable(os, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end})
  os.time = os.time      -- existing field: no __newindex
  os.newfield = 1        -- new field: __newindex
  assert(#log == 1 and log[1] == "newfield" and os.newfield == 1)
  setmetatable(os, nil)
end

-- clearing a library table while traversing it (allowed by the manual)
do
  local saved = {}
  for k, v in pairs(coroutine) do saved[k] = v; coroutine[k] = nil end
  assert(next(coroutine) == nil)
  for k, v in pairs(saved) do coroutine[k] = v end
  assert(coroutine.wrap and coroutine.yield)
end

-- replacing every function while traversing (a wrapping idiom)
do
  local calls = 0
  local n = 0
  for k, f in pairs(utf8) do
    if type(f) == "function" then
      n = n + 1
      utf8[k] = function(...) calls = calls + 1; return f(...) end
    end
  end
  assert(n == 5, n)
  assert(utf8.char(66) == "B" and calls == 1)
  assert(utf8.len("abc") == 3 and calls == 2)
end

-- hot loops (compiled code reads fields of library tables)
do
  local s = 0
  for i = 1, 3000 do
    s = s + math.floor(i / 2) + string.byte("a") + select("#", i)
  end
  assert(s == 2250000 + 3000 * 97 + 3000, s)
end

-- file handles' methods and metamethods
assert(io.stdout.write and getmetatable(io.stdout).__name == "FILE*")
assert(tostring(io.stdout):find("^file %("))
assert(getmetatable(io.stdout).__index.flush == io.stdout.flush)

-- the collector and library tables
assert(type(collectgarbage("count")) == "number")
collectgarbage()
collectgarbage()
assert(string.format("%d", 7) == "7" and math.pi == 3 and table.concat == nil)

print("ok")
