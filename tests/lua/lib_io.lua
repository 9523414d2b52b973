-- io library (manual 6.8): open modes, read formats, write chaining, lines with
-- formats, seek, setvbuf, flush, input/output, tmpfile, popen, closed files,
-- file handle metamethods and argument errors.

-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

-- Packs results into a table with n.
local function pack(...) return {n = select("#", ...), ...} end

-- Asserts that a call's results equal the given list.
local function same(results, ...)
  local want = pack(...)
  if results.n ~= want.n then error("result count " .. results.n .. " ~= " .. want.n, 2) end
  for i = 1, want.n do
    if results[i] ~= want[i] then
      error("result " .. i .. ": " .. tostring(results[i]) .. " ~= " .. tostring(want[i]), 2)
    end
  end
end

-- Writes `text` to a fresh temporary file and returns its name.
local function file_with(text)
  local name = os.tmpname()
  local f = assert(io.open(name, "wb"))
  assert(f:write(text) == f)
  assert(f:close() == true)
  return name
end

-- Reads a whole file.
local function contents(name)
  local f = assert(io.open(name, "rb"))
  local text = f:read("a")
  f:close()
  return text
end

-- ---------------------------------------------------------------------------
-- handles, io.type, tostring, metatable
-- ---------------------------------------------------------------------------
assert(io.type(io.stdin) == "file" and io.type(io.stdout) == "file" and io.type(io.stderr) == "file")
assert(io.type(42) == nil and io.type({}) == nil and io.type(nil) == nil)
check_error("bad argument #1 to 'type' (value expected)", function() return io.type() end)
assert(type(io.stdout) == "userdata")
assert(tostring(io.stdout):match("^file %(0x%x+%)$"))
local mt = getmetatable(io.stdout)
assert(mt.__name == "FILE*" and type(mt.__index) == "table")
assert(type(mt.__gc) == "function" and type(mt.__close) == "function" and type(mt.__tostring) == "function")
for _, m in ipairs({"close", "flush", "lines", "read", "seek", "setvbuf", "write"}) do
  assert(type(mt.__index[m]) == "function", m)
end

-- ---------------------------------------------------------------------------
-- io.open modes and errors
-- ---------------------------------------------------------------------------
local name = os.tmpname()
local f = assert(io.open(name, "w"))
assert(io.type(f) == "file")
same(pack(f:write("line1\n", 42, " ", 1.5, "\n", -0.0, " ", 2^63, "\n")), f)
assert(f:write() == f)
assert(f:write("a"):write("b") == f)       -- chaining
assert(f:close() == true)
assert(contents(name) == "line1\n42 1.5\n-0 9.2233720368548e+18\nab")   -- numbers are written with "%.14g"
assert(io.type(f) == "closed file" and tostring(f) == "file (closed)")
check_error("attempt to use a closed file", f.write, f, "x")
check_error("attempt to use a closed file", f.read, f)
check_error("attempt to use a closed file", f.close, f)
check_error("attempt to use a closed file", f.seek, f)
check_error("attempt to use a closed file", f.lines, f)
check_error("attempt to use a closed file", f.flush, f)
check_error("attempt to use a closed file", f.setvbuf, f, "no")

same(pack(io.open("/nonexistent/dir/x", "w")), nil, "/nonexistent/dir/x: No such file or directory", 2)
same(pack(io.open("/nonexistent/x")), nil, "/nonexistent/x: No such file or directory", 2)
for _, mode in ipairs({"r", "w", "a", "r+", "w+", "a+", "rb", "wb", "ab", "r+b", "w+b", "a+b"}) do
  local h = assert(io.open(name, mode), mode)
  h:close()
end
for _, mode in ipairs({"rz", "r+b+", "x", "", "br", "rw", "+r"}) do
  check_error("bad argument #2 to 'open' (invalid mode)", function() return io.open(name, mode) end)
end
check_error("bad argument #1 to 'open' (string expected, got no value)", function() return io.open() end)

-- modes: a+ appends, r+ overwrites from the start, w+ truncates
local g = assert(io.open(name, "w"))
g:write("hello\n")
g:close()
g = assert(io.open(name, "a+"))
g:write("APP")
g:seek("set")
assert(g:read("a") == "hello\nAPP")
g:close()
g = assert(io.open(name, "r+"))
g:write("J")
g:seek("set")
assert(g:read("l") == "Jello")
g:close()
g = assert(io.open(name, "w+"))
g:write("abc")
assert(g:seek("set") == 0 and g:read("a") == "abc")
g:close()
g = assert(io.open(name, "a"))
g:write("def")
g:close()
assert(contents(name) == "abcdef")
os.remove(name)

-- ---------------------------------------------------------------------------
-- read formats
-- ---------------------------------------------------------------------------
name = file_with("line1\nline2\r\n\nlast")
f = assert(io.open(name))
same(pack(f:read()), "line1")           -- default is "l"
same(pack(f:read("L")), "line2\r\n")
same(pack(f:read("l")), "")
same(pack(f:read("L")), "last")          -- last line without newline
same(pack(f:read("l")), nil)
same(pack(f:read("L")), nil)
same(pack(f:read("a")), "")              -- "a" at end of file is the empty string
same(pack(f:read(0)), nil)               -- 0 at end of file is nil
same(pack(f:read(5)), nil)
f:close()

f = assert(io.open(name))
same(pack(f:read("*l", "*L")), "line1", "line2\r\n")    -- the old '*' prefix is accepted
same(pack(f:read(0)), "")                -- 0 before end of file is the empty string
same(pack(f:read(3)), "\nla")
same(pack(f:read(100)), "st")
f:close()

f = assert(io.open(name))
same(pack(f:read("l", "l", "l", "l", "l", "l")), "line1", "line2\r", "", "last", nil)   -- stops at the first failure
f:close()
check_error("bad argument #1 to 'read' (invalid format)", function() return io.open(name):read("x") end)
os.remove(name)

-- numbers
name = file_with("42 -3.5e2 0x10 0x1p4 .5 1e 007\n  +8\n nan 12abc")
f = assert(io.open(name))
same(pack(f:read("n")), 42)
assert(math.type(f:read("n")) == "float")
same(pack(f:read("n", "n", "n")), 16, 16.0, 0.5)
same(pack(f:read("n")), nil)     -- "1e" is not a number
f:close()
f = assert(io.open(name))
f:seek("set", 27)
same(pack(f:read("n")), 7)
same(pack(f:read("n")), 8)
same(pack(f:read("n")), nil)     -- "nan" is not read as a number
f:close()
os.remove(name)

-- binary data and long lines
local blob = {}
for i = 0, 255 do blob[#blob + 1] = string.char(i) end
blob = table.concat(blob):rep(100)
name = file_with(blob)
assert(contents(name) == blob)
f = assert(io.open(name, "rb"))
local first = f:read("L")
assert(first == blob:sub(1, 11))
f:close()
os.remove(name)
local long = string.rep("x", 100000)
name = file_with(long .. "\n" .. long)
f = assert(io.open(name))
assert(f:read("l") == long and f:read("l") == long and f:read("l") == nil)
f:close()
os.remove(name)

-- ---------------------------------------------------------------------------
-- seek
-- ---------------------------------------------------------------------------
name = file_with("0123456789")
f = assert(io.open(name))
same(pack(f:seek()), 0)
same(pack(f:seek("set", 2)), 2)
same(pack(f:read(3)), "234")
same(pack(f:seek()), 5)
same(pack(f:seek("cur", -1)), 4)
same(pack(f:read(1)), "4")
same(pack(f:seek("end")), 10)
same(pack(f:read(1)), nil)
same(pack(f:seek("end", -2)), 8)
same(pack(f:read("a")), "89")
same(pack(f:seek("set", 20)), 20)        -- past the end is allowed
same(pack(f:read(1)), nil)
same(pack(f:seek("set", -5)), nil, "Invalid argument", 22)
check_error("bad argument #1 to 'seek' (invalid option 'bad')", function() return f:seek("bad") end)
check_error("bad argument #2 to 'seek' (number has no integer representation)", function() return f:seek("set", 1.5) end)
f:close()
os.remove(name)

-- ---------------------------------------------------------------------------
-- setvbuf, flush
-- ---------------------------------------------------------------------------
name = os.tmpname()
f = assert(io.open(name, "w"))
assert(f:setvbuf("no") == true and f:setvbuf("full", 1024) == true and f:setvbuf("line") == true)
check_error("bad argument #1 to 'setvbuf' (invalid option 'bad')", function() return f:setvbuf("bad") end)
f:write("unflushed")
assert(f:flush())   -- true in 5.4.4, the file itself in 5.4.6
assert(contents(name) == "unflushed")
f:close()
assert(io.flush())
os.remove(name)

-- ---------------------------------------------------------------------------
-- lines
-- ---------------------------------------------------------------------------
name = file_with("1\n2\n3\n")
local got = {}
for l in io.lines(name) do got[#got + 1] = l end
assert(table.concat(got, ",") == "1,2,3")
got = {}
for l in io.lines(name, "L") do got[#got + 1] = l end
assert(table.concat(got) == "1\n2\n3\n")
got = {}
for n in io.lines(name, "n") do got[#got + 1] = n end
assert(#got == 3 and got[3] == 3 and math.type(got[1]) == "integer")
got = {}
for a, b in io.lines(name, 1, "l") do got[#got + 1] = a .. "|" .. tostring(b) end
assert(table.concat(got, " ") == "1| 2| 3|")
got = {}
for c in io.lines(name, 2) do got[#got + 1] = c end
assert(table.concat(got, ",") == "1\n,2\n,3\n")
-- the iterator of io.lines closes the file at end of file; calling again is an error
local it = io.lines(name)
assert(it() == "1" and it() == "2" and it() == "3" and it() == nil)
check_error("file is already closed", it)
-- io.lines returns four values: iterator, nil, nil, file
local r = pack(io.lines(name))
assert(r.n == 4 and type(r[1]) == "function" and r[2] == nil and r[3] == nil and io.type(r[4]) == "file")
r[4]:close()
-- file:lines does not close the file
f = assert(io.open(name))
got = {}
for l in f:lines() do got[#got + 1] = l end
assert(#got == 3 and io.type(f) == "file")
assert(f:read("a") == "")
f:seek("set")
got = {}
for a, b in f:lines("n", "n") do got[#got + 1] = a .. "," .. tostring(b) end
assert(table.concat(got, " ") == "1,2 3,nil")
f:close()
-- format errors surface when the iterator runs
local bad = io.lines(name, "x")
check_error("(invalid format)", bad)
check_error("cannot open file '/nonexistent' (No such file or directory)", io.lines, "/nonexistent")
check_error("too many arguments", io.lines, name, table.unpack((function()
  local t = {}
  for i = 1, 300 do t[i] = "l" end
  return t
end)()))
os.remove(name)

-- ---------------------------------------------------------------------------
-- default input and output
-- ---------------------------------------------------------------------------
assert(io.input() == io.stdin and io.output() == io.stdout)
name = file_with("first\nsecond\n")
assert(io.input(name) ~= io.stdin)
assert(io.read() == "first" and io.read("L") == "second\n" and io.read() == nil)
got = {}
io.input():seek("set")
for l in io.lines() do got[#got + 1] = l end     -- io.lines() reads the default input
assert(table.concat(got, ",") == "first,second")
io.input():close()
check_error("default input file is closed", io.read)
io.input(io.stdin)
assert(io.input() == io.stdin)
check_error("cannot open file '/nonexistent' (No such file or directory)", io.input, "/nonexistent")
local out = os.tmpname()
local old = io.output()
local handle = io.output(out)
assert(io.output() == handle and handle ~= io.stdout)
assert(io.write("to ", "file ", 1) == handle)
io.close()                                       -- closes the default output
assert(io.type(handle) == "closed file")
check_error("default output file is closed", io.write, "x")
io.output(old)
assert(contents(out) == "to file 1")
os.remove(out)
os.remove(name)
same(pack(io.close()), nil, "cannot close standard file")    -- stdout
same(pack(io.stdout:close()), nil, "cannot close standard file")
check_error("bad argument #1 to 'write' (string expected, got table)", function() return io.write({}) end)
check_error("bad argument #1 to 'write' (string expected, got nil)", function() return io.write(nil) end)
check_error("bad argument #1 to 'input' (FILE* expected, got table)", function() return io.input({}) end)

-- ---------------------------------------------------------------------------
-- tmpfile, <close>, popen
-- ---------------------------------------------------------------------------
local tf = io.tmpfile()
assert(io.type(tf) == "file")
tf:write("tmp")
tf:seek("set")
assert(tf:read("a") == "tmp")
tf:close()
local keep
do
  local c <close> = io.tmpfile()
  keep = c
  assert(io.type(c) == "file")
end
assert(io.type(keep) == "closed file")

local p = assert(io.popen("echo hi; exit 3"))
assert(io.type(p) == "file")
assert(p:read("a") == "hi\n")
same(pack(p:close()), nil, "exit", 3)
p = assert(io.popen("printf 'a\\nb\\n'", "r"))
got = {}
for l in p:lines() do got[#got + 1] = l end
assert(table.concat(got, ",") == "a,b")
same(pack(p:close()), true, "exit", 0)
p = assert(io.popen("cat > /dev/null", "w"))
assert(p:write("x") == p)
same(pack(p:close()), true, "exit", 0)
p = assert(io.popen("kill -9 $$"))
p:read("a")
same(pack(p:close()), nil, "signal", 9)
check_error("bad argument #2 to 'popen' (invalid mode)", function() return io.popen("ls", "rw") end)

print("lib_io ok")
