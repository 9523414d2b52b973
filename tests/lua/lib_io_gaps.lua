
-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

local name = os.tmpname()
local f = assert(io.open(name, "w"))
f:write("1\n2\n", string.rep("1", 300), "\n")
f:close()

-- a non-string, non-number format is "string expected"
f = assert(io.open(name))
check_error("bad argument #1 to 'read' (string expected, got table)", function() return f:read({}) end)
-- a numeral longer than 200 characters is not a number
f:read("l"); f:read("l")
assert(f:read("n") == nil)
f:close()

-- the io.lines iterator returns no value at all at end of file
local it = io.lines(name)
it(); it(); it()
assert(select("#", it()) == 0)

-- format errors in io.lines count the file name as argument #1
check_error("bad argument #2 to 'for iterator' (invalid format)", function() for _ in io.lines(name, "x") do end end)

-- io.lines() with a closed default input reports a closed file
io.input(name)
io.input():close()
check_error("attempt to use a closed file", io.lines)
io.input(io.stdin)
os.remove(name)
