-- Method calls, fields and comparisons of strings in compiled code (`s:byte(i)`, `s:sub(a, b)`):
-- the field helper reads them from the string metatable's __index table. Replacing
-- that __index (a table with its own metatable, a function) must be seen at once.
-- Run interpreted and with every function compiled.

local function digest(s)
  local h = 0
  for i = 1, #s do
    h = (h * 31 + s:byte(i)) % 1000003
  end
  return h
end

local function words(s)
  local n = 0
  for _ = 1, 3 do
    n = n + #s:upper() + s:len() + #(s:sub(2, 3))
  end
  return n
end

for _ = 1, 50 do
  assert(digest("hello world") == 970516, digest("hello world"))
  assert(words("abcd") == 3 * (4 + 4 + 2))
end

local mt = getmetatable("")
local lib = mt.__index
assert(lib == string)

-- A field the string library lacks: nil, then a call error with the field's name.
local function missing(s) return s.nosuchfield end
for _ = 1, 20 do
  assert(missing("x") == nil)
end
local ok, err = pcall(function(s) return s:nosuchmethod() end, "x")
assert(not ok and err:find("method 'nosuchmethod'", 1, true), err)

-- __index replaced by a table that inherits from the library.
local ext = setmetatable({ twice = function(s) return s .. s end }, { __index = string })
mt.__index = ext
local function use_ext(s) return s:twice() .. s:upper() end
for _ = 1, 20 do
  assert(use_ext("ab") == "ababAB")
end

-- __index replaced by a function: every field goes through it.
local calls = 0
mt.__index = function(s, k)
  calls = calls + 1
  return lib[k]
end
for _ = 1, 20 do
  assert(digest("ab") == (97 * 31 + 98) % 1000003)
end
assert(calls == 40, calls)

mt.__index = lib
assert(("xyz"):upper() == "XYZ")

-- String comparisons in compiled code: byte-wise, embedded zeros and prefixes included.
do
  local function lt(a, b) return a < b end
  local function le(a, b) return a <= b end
  local cases = {
    { "a", "b" }, { "b", "a" }, { "a", "a" }, { "", "a" }, { "a", "" }, { "ab", "abc" },
    { "abc", "ab" }, { "a\0b", "a\0c" }, { "a\0", "a" }, { "\255", "\1" }, { "Z", "a" },
  }
  for _ = 1, 10 do
    for _, c in ipairs(cases) do
      local x, y = c[1], c[2]
      local expect_lt, expect_le = false, true
      for i = 1, math.max(#x, #y) + 1 do
        local bx, by = x:byte(i), y:byte(i)
        if bx ~= by then
          expect_lt = bx == nil or (by ~= nil and bx < by)
          expect_le = expect_lt
          break
        end
      end
      assert(lt(x, y) == expect_lt, x .. " < " .. y)
      assert(le(x, y) == expect_le, x .. " <= " .. y)
      assert((x > y) == lt(y, x) and (x >= y) == le(y, x))
    end
  end
  -- Mixed string and number still raises the interpreter's error.
  local ok, err = pcall(lt, "1", 2)
  assert(not ok and err:find("attempt to compare string with number", 1, true), err)
  local names = { "delta", "alpha", "charlie", "bravo" }
  table.sort(names, function(a, b) return a < b end)
  assert(table.concat(names, " ") == "alpha bravo charlie delta")
end

if jit and jit.status() then
  -- Only the string-with-number comparison leaves.
  assert((jit.stats().exits["compare-type"] or 0) <= 1, "a string comparison left compiled code")
  assert(jit.stats().exits.table == nil or jit.stats().exits.table < 100, "string fields left compiled code")
end

print("jit_string_methods ok")
