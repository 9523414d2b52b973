-- os library (manual 6.9): clock, date, difftime, execute, getenv, remove, rename,
-- time, tmpname. (os.exit is covered by tests/diff/os_exit*.lua and lib_os_exit_close.lua.)
-- Local-time results depend on the time zone, so they are checked only against each other.

-- Asserts that f(...) raises an error whose message contains `expected` (plain text).
local function check_error(expected, f, ...)
  local ok, msg = pcall(f, ...)
  assert(not ok, "no error raised, expected: " .. expected)
  msg = tostring(msg)
  assert(string.find(msg, expected, 1, true), "expected '" .. expected .. "', got '" .. msg .. "'")
end

-- ---------------------------------------------------------------------------
-- os.clock, os.time, os.difftime
-- ---------------------------------------------------------------------------
local c = os.clock()
assert(math.type(c) == "float" and c >= 0)
local x = 0
for i = 1, 100000 do x = x + i end
assert(os.clock() >= c)
local now = os.time()
assert(math.type(now) == "integer" and now > 1600000000)
assert(os.difftime(10, 5) == 5.0 and math.type(os.difftime(10, 5)) == "float")
assert(os.difftime(now, now) == 0.0)
assert(os.difftime(5, 10) == -5.0)
check_error("bad argument #1 to 'difftime' (number expected, got no value)", function() return os.difftime() end)

-- ---------------------------------------------------------------------------
-- os.date in UTC
-- ---------------------------------------------------------------------------
local t = os.date("!*t", 0)
assert(t.year == 1970 and t.month == 1 and t.day == 1)
assert(t.hour == 0 and t.min == 0 and t.sec == 0)
assert(t.wday == 5 and t.yday == 1 and t.isdst == false)
t = os.date("!*t", 1234567890)
assert(t.year == 2009 and t.month == 2 and t.day == 13 and t.hour == 23 and t.min == 31 and t.sec == 30)
assert(t.wday == 6 and t.yday == 44)
assert(os.date("!%Y-%m-%d %H:%M:%S", 1234567890) == "2009-02-13 23:31:30")
assert(os.date("!%c", 0) == "Thu Jan  1 00:00:00 1970")
assert(os.date("!%x %X %p", 1e9) == "09/09/01 01:46:40 AM")
assert(os.date("!%j %U %W %w %u %V %G %g", 1e9) == "252 36 36 0 7 36 2001 01")
assert(os.date("!%a %A %b %B %h", 1e9) == "Sun Sunday Sep September Sep")
assert(os.date("!%y %C %e %D %F", 1e9) == "01 20  9 09/09/01 2001-09-09")
assert(os.date("!%I %R %r %T", 1e9) == "01 01:46 01:46:40 AM 01:46:40")
assert(os.date("!%n%t%%", 0) == "\n\t%")
assert(os.date("!%H", -3600) == "23")          -- negative times are before the epoch
assert(os.date("!%Y", 253402300799) == "9999")
assert(os.date("!%p", 13 * 3600) == "PM")
assert(os.date("!%Ec", 0) == os.date("!%c", 0))   -- E and O modifiers are accepted
assert(os.date("!%Oy", 0) == "70")
assert(os.date("!", 0) == "")
assert(os.date("!abc", 0) == "abc")
assert(os.date("!a\0b", 0) == "a\0b")
assert(type(os.date()) == "string")
assert(os.date("!%Y", 2^31) == "2038")
assert(os.date("!%Y", 3.0) == "1970")
check_error("bad argument #1 to 'date' (invalid conversion specifier '%Q')", function() return os.date("%Q") end)
check_error("bad argument #1 to 'date' (invalid conversion specifier '%')", function() return os.date("%") end)
check_error("bad argument #1 to 'date' (invalid conversion specifier '%Ez')", function() return os.date("%Ez") end)
check_error("bad argument #2 to 'date' (number has no integer representation)", function() return os.date("*t", 1.5) end)
check_error("bad argument #2 to 'date' (number expected, got string)", function() return os.date("*t", "x") end)
check_error("date result cannot be represented", os.date, "!%Y", 2^60)

-- ---------------------------------------------------------------------------
-- os.time with a table, and local time round trips
-- ---------------------------------------------------------------------------
local lt = os.date("*t", 1e9)
assert(type(lt.isdst) == "boolean")
assert(os.time(lt) == 1e9)
assert(os.time(os.date("*t", now)) == now)
-- normalisation of out-of-range fields
local base = os.time({year = 2020, month = 1, day = 1, hour = 12})
assert(os.time({year = 2019, month = 13, day = 1, hour = 12}) == base)
assert(os.time({year = 2020, month = 1, day = 0, hour = 12}) == base - 86400)
assert(os.time({year = 2020, month = 1, day = 1, hour = 12, min = 60}) == base + 3600)
assert(os.time({year = 2020, month = 1, day = 1, hour = 12, sec = -1}) == base - 1)
assert(os.time({year = 2020, month = 3, day = 0, hour = 12}) == os.time({year = 2020, month = 2, day = 29, hour = 12}))
assert(os.time({year = 2020, month = 1, day = 1}) == base)  -- hour defaults to 12
local tt = {year = 2020, month = 14, day = 35, hour = 12, min = 61, sec = 61}
os.time(tt)   -- the table is normalised in place
assert(tt.year == 2021 and tt.month == 3 and tt.day == 7 and tt.hour == 13 and tt.min == 2 and tt.sec == 1)
assert(tt.wday == 1 and tt.yday == 66 and type(tt.isdst) == "boolean")
check_error("field 'day' missing in date table", os.time, {year = 2020, month = 1})
check_error("field 'month' missing in date table", os.time, {year = 2020})
check_error("field 'year' missing in date table", os.time, {month = 1, day = 1})
check_error("field 'year' is not an integer", os.time, {year = "x", month = 1, day = 1})
check_error("field 'month' is not an integer", os.time, {year = 2020, month = 1.5, day = 1})
check_error("field 'year' is out-of-bound", os.time, {year = -2^62, month = 1, day = 1})
check_error("bad argument #1 to 'time' (table expected, got number)", function() return os.time(1) end)
assert(os.time({year = "2020", month = "1", day = "1"}) == base)   -- numeric strings are accepted

-- ---------------------------------------------------------------------------
-- os.getenv
-- ---------------------------------------------------------------------------
assert(type(os.getenv("PATH")) == "string")
assert(os.getenv("MOONJET_SURELY_UNSET_VARIABLE") == nil)
check_error("bad argument #1 to 'getenv' (string expected, got no value)", function() return os.getenv() end)

-- ---------------------------------------------------------------------------
-- os.tmpname, os.remove, os.rename
-- ---------------------------------------------------------------------------
local name = os.tmpname()
assert(type(name) == "string" and #name > 0)
local f = assert(io.open(name, "w"))
f:write("data")
f:close()
local renamed = name .. ".renamed"
assert(os.rename(name, renamed) == true)
assert(io.open(name) == nil)
f = assert(io.open(renamed))
assert(f:read("a") == "data")
f:close()
assert(os.remove(renamed) == true)
local r1, r2, r3 = os.remove(renamed)
assert(r1 == nil and r2 == renamed .. ": No such file or directory" and r3 == 2)
r1, r2, r3 = os.rename("/nonexistent/x", "/nonexistent/y")
assert(r1 == nil and r2:find("No such file or directory", 1, true) and r3 == 2)
check_error("bad argument #1 to 'remove' (string expected, got no value)", function() return os.remove() end)
check_error("bad argument #2 to 'rename' (string expected, got no value)", function() return os.rename("a") end)

-- ---------------------------------------------------------------------------
-- os.execute
-- ---------------------------------------------------------------------------
assert(os.execute() == true)     -- a shell is available
local ok, how, code = os.execute("exit 3")
assert(ok == nil and how == "exit" and code == 3)
ok, how, code = os.execute("true")
assert(ok == true and how == "exit" and code == 0)
ok, how, code = os.execute("kill -9 $$")
assert(ok == nil and how == "signal" and code == 9)

print("lib_os ok")
