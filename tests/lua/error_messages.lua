-- Runtime error messages with variable information and a "chunk:line:" prefix.

local function fails(f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "expected an error")
  assert(type(msg) == "string", "expected a string message")
  return msg
end

-- msg must be "<chunk>:<line>: <text>", with text exactly as given
local function expect(f, text)
  local msg = fails(f)
  local s, e = string.find(msg, text, 1, true)
  assert(s, "got: " .. msg .. "\nwanted: " .. text)
  assert(e == #msg, "trailing text in: " .. msg)
  local prefix = string.sub(msg, 1, s - 1)
  assert(string.find(prefix, "^.+:%d+: $"), "bad position prefix: " .. msg)
  return msg
end

local t = {}
local up

expect(function() return x + 1 end, "attempt to perform arithmetic on a nil value (global 'x')")
expect(function() local x; return x + 1 end, "attempt to perform arithmetic on a nil value (local 'x')")
expect(function() local x; return 1 - x end, "attempt to perform arithmetic on a nil value (local 'x')")
expect(function() return t.y + 1 end, "attempt to perform arithmetic on a nil value (field 'y')")
expect(function() return t.y * 2 end, "attempt to perform arithmetic on a nil value (field 'y')")
expect(function() return up + 1 end, "attempt to perform arithmetic on a nil value (upvalue 'up')")
expect(function() return -up end, "attempt to perform arithmetic on a nil value (upvalue 'up')")
expect(function() local s = true; return s / 2 end, "attempt to perform arithmetic on a boolean value (local 's')")
expect(function() return {} + 1 end, "attempt to perform arithmetic on a table value")
expect(function() return f() end, "attempt to call a nil value (global 'f')")
expect(function() local g; g() end, "attempt to call a nil value (local 'g')")
expect(function() t.nofunc() end, "attempt to call a nil value (field 'nofunc')")
expect(function() t:nomethod() end, "attempt to call a nil value (method 'nomethod')")
expect(function() up() end, "attempt to call a nil value (upvalue 'up')")
expect(function() local n = 1; n() end, "attempt to call a number value (local 'n')")
expect(function() return 1 < nil end, "attempt to compare number with nil")
expect(function() return nil < 1 end, "attempt to compare nil with number")
expect(function() return {} <= 1 end, "attempt to compare table with number")
expect(function() return "a" < 1 end, "attempt to compare string with number")
expect(function() return {} < {} end, "attempt to compare two table values")
expect(function() return "a" .. {} end, "attempt to concatenate a table value")
expect(function() return "a" .. t.y end, "attempt to concatenate a nil value (field 'y')")
expect(function() local b = false; return b .. "x" end, "attempt to concatenate a boolean value (local 'b')")
expect(function() return up .. "x" end, "attempt to concatenate a nil value (upvalue 'up')")
expect(function() local n = 1; return n.x end, "attempt to index a number value (local 'n')")
expect(function() return (1).x end, "attempt to index a number value")
expect(function() return t.a.b end, "attempt to index a nil value (field 'a')")
expect(function() t.a.b = 1 end, "attempt to index a nil value (field 'a')")
expect(function() return up.field end, "attempt to index a nil value (upvalue 'up')")
expect(function() return undefinedglobal.field end, "attempt to index a nil value (global 'undefinedglobal')")
expect(function() local s; s.x = 1 end, "attempt to index a nil value (local 's')")
expect(function() return #up end, "attempt to get length of a nil value (upvalue 'up')")
expect(function() local n = 3; return #n end, "attempt to get length of a number value (local 'n')")
expect(function() return 1 & 1.5 end, "number has no integer representation")
expect(function() return math.huge | 0 end, "number (field 'huge') has no integer representation")
expect(function() local a = {}; return a | 1 end, "attempt to perform bitwise operation on a table value (local 'a')")
expect(function() local s = "x"; return s() end, "attempt to call a string value (local 's')")
expect(function() local a = 1; return a // 0 end, "attempt to divide by zero")
expect(function() local a = 1; return a % 0 end, "attempt to perform 'n%0'")
expect(function() for i = 1, 10, 0 do end end, "'for' step is zero")
expect(function() for i = "a", 10 do end end, "bad 'for' initial value (number expected, got string)")
expect(function() for i = 1, {} do end end, "bad 'for' limit (number expected, got table)")
expect(function() for i = 1, 2, {} do end end, "bad 'for' step (number expected, got table)")
expect(function() local a = {}; a[nil] = 1 end, "table index is nil")
expect(function() local a = {}; a[0/0] = 1 end, "table index is NaN")
expect(function() error("plain") end, "plain")
assert(string.find(fails(function() for _ in 5 do end end), "attempt to call a number value", 1, true))

-- the line number is right
local msg = fails(load("local a = 1\n\nlocal b = nil\nlocal c = a + b\n", "=lines"))
assert(msg == "lines:4: attempt to perform arithmetic on a nil value (local 'b')", msg)
-- errors in a multiline expression point into it
msg = fails(load("local t = {}\nreturn 1 +\n  t.missing\n", "=multi"))
assert(string.find(msg, "^multi:[23]: attempt to perform arithmetic on a nil value %(field 'missing'%)$"), msg)
-- runtime errors in nested functions report the inner line
msg = fails(load("local function f()\n  return nil .. 'x'\nend\nreturn f()\n", "=nested"))
assert(msg == "nested:2: attempt to concatenate a nil value", msg)

-- the chunkname prefix follows load's chunkname
local chunk = load("local x = nil; return x.y", "=mychunk")
msg = fails(chunk)
assert(msg == "mychunk:1: attempt to index a nil value (local 'x')", msg)
chunk = load("\n\nreturn nil + 1", "@some/file.lua")
msg = fails(chunk)
assert(msg == "some/file.lua:3: attempt to perform arithmetic on a nil value", msg)
chunk = load("return nil + 1")
msg = fails(chunk)
assert(msg == '[string "return nil + 1"]:1: attempt to perform arithmetic on a nil value', msg)

-- errors in C functions name the argument
msg = fails(function() return ("x"):rep({}) end)
assert(string.find(msg, "bad argument #1 to 'rep'", 1, true), msg)
msg = fails(function() return setmetatable(1, {}) end)
assert(string.find(msg, "bad argument #1 to 'setmetatable' (table expected, got number)", 1, true), msg)
msg = fails(function() return ipairs() end)
assert(string.find(msg, "bad argument #1 to 'ipairs' (value expected)", 1, true), msg)
msg = fails(function() return tostring() end)
assert(string.find(msg, "bad argument #1 to 'tostring' (value expected)", 1, true), msg)
