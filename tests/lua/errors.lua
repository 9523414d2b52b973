-- error, pcall, xpcall: levels, non-string values, message handlers, return values.

-- pcall returns true plus all results
local function three() return 1, 2, 3 end
local r = table.pack(pcall(three))
assert(r.n == 4 and r[1] == true and r[2] == 1 and r[4] == 3)
r = table.pack(pcall(function() end))
assert(r.n == 1 and r[1] == true)

-- pcall passes arguments
local ok, v = pcall(function(a, b) return a + b end, 3, 4)
assert(ok and v == 7)

-- error with a string at level 1 adds the position
ok, v = pcall(function() error("boom") end)
assert(not ok and string.find(v, "^.+:%d+: boom$"), v)

-- level 0: no position
ok, v = pcall(function() error("raw", 0) end)
assert(not ok and v == "raw")

-- level 2: the position of the caller
local function lib() error("caller's fault", 2) end
local src = "local lib = ...\nlocal x = 1\nlib()\n"
ok, v = pcall(load(src, "=level2"), lib)
assert(not ok and v == "level2:3: caller's fault", v)
-- level 1 points inside the function that called error
local function lib1() error("mine", 1) end
ok, v = pcall(load("local f = ...\nf()\n", "=level1"), lib1)
assert(not ok and string.find(v, ":%d+: mine$") and not string.find(v, "^level1"), v)

-- non-string error values pass through untouched
local errobj = {code = 42}
ok, v = pcall(error, errobj)
assert(not ok and v == errobj)
ok, v = pcall(error, 42)
assert(not ok and v == 42 and math.type(v) == "integer")
ok, v = pcall(error, 4.5, 1)   -- numbers get no position
assert(not ok and v == 4.5)
ok, v = pcall(error, true)
assert(not ok and v == true)
ok, v = pcall(error, nil)
assert(not ok and v == nil)
ok, v = pcall(error)
assert(not ok and v == nil)
local fn = function() end
ok, v = pcall(error, fn)
assert(not ok and v == fn)

-- pcall of a non-function
ok, v = pcall(42)
assert(not ok and string.find(v, "attempt to call a number value", 1, true), v)
ok, v = pcall(pcall) -- argument errors of pcall itself are not caught by it
assert(not ok and string.find(v, "bad argument #1 to 'pcall' (value expected)", 1, true), v)

-- nested pcall
ok, v = pcall(function()
  local ok2, v2 = pcall(error, "inner", 0)
  assert(not ok2 and v2 == "inner")
  error("outer", 0)
end)
assert(not ok and v == "outer")

-- rethrowing keeps the value
ok, v = pcall(function()
  local _, e = pcall(error, errobj)
  error(e)
end)
assert(v == errobj)

-- xpcall: the handler gets the error and its result replaces it
ok, v = xpcall(function() error("x", 0) end, function(m) return "handled: " .. m end)
assert(not ok and v == "handled: x")
-- handler only the first result
local r2 = table.pack(xpcall(function() error("x") end, function() return 1, 2 end))
assert(r2.n == 2 and r2[1] == false and r2[2] == 1)
-- success passes arguments and results
r2 = table.pack(xpcall(function(a, b) return b, a end, print, "a", "b"))
assert(r2.n == 3 and r2[1] == true and r2[2] == "b" and r2[3] == "a")
-- the handler runs before unwinding: it can see the stack (traceback)
-- (a pending to-be-closed variable is still open when the handler runs)
local closed = false
ok, v = xpcall(function()
  local guard <close> = setmetatable({}, {__close = function() closed = true end})
  local x = nil
  return x.y
end, function(m) return (closed and "closed " or "open ") .. m end)
assert(not ok and string.find(v, "^open .*attempt to index a nil value"), v)
assert(closed)
-- the handler receives non-string values too
ok, v = xpcall(function() error(errobj) end, function(e) return e.code end)
assert(not ok and v == 42)
-- runtime errors reach the handler with position
ok, v = xpcall(function() return 1 + nil end, function(e) return "H:" .. e end)
assert(not ok and string.find(v, "^H:.+:%d+: attempt to perform arithmetic on a nil value"), v)
-- error in the handler: the result is some error value, and no crash
ok, v = xpcall(function() error("first") end, function() error("second") end)
assert(not ok and v ~= nil)
-- a handler that recurses forever gives an error, not a crash
local function loop(e) return loop(e) .. "" end
ok = xpcall(function() error("x") end, loop)
assert(not ok)

-- error objects with __tostring are kept as objects
local custom = setmetatable({}, {__tostring = function() return "custom!" end})
ok, v = pcall(error, custom)
assert(v == custom and tostring(v) == "custom!")

-- assert
ok, v = pcall(assert, false)
assert(not ok and v == "assertion failed!")
ok, v = pcall(assert, nil, "my message")
assert(not ok and v == "my message")
ok, v = pcall(assert, false, errobj)
assert(not ok and v == errobj)
ok, v = pcall(assert, false, 12)
assert(not ok and v == 12)
r = table.pack(assert(1, 2, 3))
assert(r.n == 3 and r[3] == 3)
ok, v = pcall(assert)
assert(not ok and string.find(v, "bad argument #1 to 'assert' (value expected)", 1, true), v)

-- errors unwind through many frames
local function depth(n) if n == 0 then error("bottom", 0) end return depth(n - 1) + 1 end
ok, v = pcall(depth, 100)
assert(not ok and v == "bottom")

-- a failed pcall leaves the state usable
local total = 0
for i = 1, 100 do
  local okk = pcall(function() if i % 2 == 0 then error("e") end end)
  if okk then total = total + 1 end
end
assert(total == 50)

-- error in __index propagates through pcall with position of the error call
local t = setmetatable({}, {__index = function(_, k) error("no " .. k) end})
ok, v = pcall(function() return t.zz end)
assert(not ok and string.find(v, ":%d+: no zz$"), v)

-- tostring(nil) messages through error with level
ok, v = pcall(error, "lvl", 3)
assert(not ok and type(v) == "string")
