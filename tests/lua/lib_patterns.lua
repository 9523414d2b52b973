-- Lua patterns (manual 6.4.1) through string.find, match, gmatch and gsub:
-- classes, sets, quantifiers, captures, anchors, %b, %f, replacements and errors.

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
  assert(results.n == want.n, "result count " .. results.n .. " ~= " .. want.n)
  for i = 1, want.n do
    assert(results[i] == want[i], "result " .. i .. ": " .. tostring(results[i]) .. " ~= " .. tostring(want[i]))
  end
end

-- ---------------------------------------------------------------------------
-- string.find
-- ---------------------------------------------------------------------------
same(pack(string.find("hello world", "o")), 5, 5)
same(pack(string.find("hello world", "o", 6)), 8, 8)
same(pack(string.find("hello world", "o", -3)), nil)
same(pack(string.find("hello world", "l+")), 3, 4)
same(pack(string.find("hello", "")), 1, 0)
same(pack(string.find("hello", "", 10)), nil)
same(pack(string.find("hello", "", 6)), 6, 5)
same(pack(string.find("", "")), 1, 0)
same(pack(string.find("hello", "", -100)), 1, 0)
same(pack(string.find("hello", "xyz")), nil)
same(pack(string.find("a.b", ".", 1, true)), 2, 2)
same(pack(string.find("a.b", "%.")), 2, 2)
same(pack(string.find("a+b", "+", 1, true)), 2, 2)
same(pack(string.find("a(b", "(", 1, true)), 2, 2)
same(pack(string.find("abc", "b", nil, true)), 2, 2)
same(pack(string.find("a\0b", "\0")), 2, 2)
same(pack(string.find("hello", "(l)(l)")), 3, 4, "l", "l")
same(pack(string.find("hello", "()ll()")), 3, 4, 3, 5)
same(pack(string.find("key = value", "(%w+)%s*=%s*(%w+)")), 1, 11, "key", "value")
check_error("bad argument #2 to 'find' (string expected, got no value)", function() return string.find("x") end)
check_error("bad argument #3 to 'find' (number has no integer representation)", function() return string.find("x", "x", 1.5) end)

-- ---------------------------------------------------------------------------
-- string.match: classes
-- ---------------------------------------------------------------------------
assert(string.match("abc123", "%a+") == "abc")
assert(string.match("abc123", "%d+") == "123")
assert(string.match("  \t\n x", "%s+") == "  \t\n ")
assert(string.match("x\1\2y", "%c+") == "\1\2")
assert(string.match("abcDEF", "%l+") == "abc")
assert(string.match("abcDEF", "%u+") == "DEF")
assert(string.match("a,.;!b", "%p+") == ",.;!")
assert(string.match("ab_12 x", "%w+") == "ab")
assert(string.match("0x1fG", "%x+", 3) == "1f")
assert(string.match(" ab!~ ", "%g+") == "ab!~")
assert(string.match("abc123", "%A+") == "123")
assert(string.match("abc123", "%D+") == "abc")
assert(string.match("  ab", "%S+") == "ab")
assert(string.match("ABCdef", "%L+") == "ABC")
assert(string.match("ABCdef", "%U+") == "def")
assert(string.match("a,b", "%P+") == "a")
assert(string.match("ab ,", "%W+") == " ,")
assert(string.match("xyz12", "%X+") == "xyz")
assert(string.match("\1\2ab", "%C+") == "ab")
assert(string.match(" \1ab", "%G+") == " \1")
assert(string.match("a.b", "%.") == ".")
assert(string.match("a%b", "%%") == "%")
assert(string.match("\200\255", ".+") == "\200\255")
assert(string.match("\200", "%a") == nil)    -- C locale

-- sets and ranges
assert(string.match("hello", "[aeiou]") == "e")
assert(string.match("hello", "[^aeiou]+") == "h")
assert(string.match("x-y", "[a-]") == "-")
assert(string.match("b", "[a-c]") == "b")
assert(string.match("d", "[a-c]") == nil)
assert(string.match("]", "[]]") == "]")
assert(string.match("a]", "[^]]") == "a")
assert(string.match("^", "[%^]") == "^")
assert(string.match("a^", "[b^]") == "^")
assert(string.match("3", "[%d]") == "3")
assert(string.match("a3_", "[%a_]+") == "a")
assert(string.match("_3a", "[%d_]+") == "_3")
assert(string.match("-", "[%-]") == "-")
check_error("malformed pattern (missing ']')", string.match, "abc", "[]")

-- quantifiers
assert(string.match("aaab", "a*") == "aaa")
assert(string.match("baaa", "a*") == "")
assert(string.match("aaab", "a+") == "aaa")
assert(string.match("aaab", "a-b") == "aaab")
assert(string.match("aaab", "a-") == "")
assert(string.match("<a><b>", "<.->") == "<a>")
assert(string.match("<a><b>", "<.*>") == "<a><b>")
assert(string.match("color colour", "colou?r") == "color")
assert(string.match("colour", "colou?r") == "colour")
assert(string.match("ab", "a?b") == "ab")
assert(string.match("b", "a?b") == "b")
assert(string.match("x = 10", "^(%w+)%s*=%s*(%d+)$") == "x")
assert(string.match("+", "+") == "+")     -- a quantifier with nothing before it is a literal
assert(string.match("a*", "a%*") == "a*")

-- anchors
assert(string.match("hello", "^h") == "h")
assert(string.match("hello", "^e") == nil)
assert(string.match("hello", "o$") == "o")
assert(string.match("hello$", "o$") == nil)
assert(string.match("a$b", "$b") == "$b")   -- $ not at the end is a literal
assert(string.match("a^b", "a^b") == "a^b")  -- ^ not at the start is a literal
assert(string.match("hello", "^hello$") == "hello")
same(pack(string.find("aaa", "^a", 2)), 2, 2)   -- ^ anchors at init
assert(string.gsub("hello", "^h", "H") == "Hello")
assert(select(2, string.gsub("aaa", "^a", "b")) == 1)

-- captures
same(pack(string.match("hello world", "(%w+) (%w+)")), "hello", "world")
same(pack(string.match("abc", "()b()")), 2, 3)
same(pack(string.match("abc", "()")), 1)
same(pack(string.match("abc", "a(b(c))")), "bc", "c")
same(pack(string.match("abab", "(ab)%1")), "ab")
same(pack(string.match("xyzxyz!", "((x)yz)%1")), "xyz", "x")
same(pack(string.match("aXa", "(.)X%1")), "a")
assert(string.match("aXb", "(.)X%1") == nil)
same(pack(string.match("  x", "()x")), 3)
same(pack(string.match("", "()")), 1)
same(pack(string.match("abc", "(a)(b)(c)")), "a", "b", "c")
assert(string.match("hello", "(h)(e)(l)(l)(o)") == "h")
same(pack(string.match("[[x]]", "%[(=*)%[(.-)%]%1%]")), "", "x")
same(pack(string.match("[==[x]==]", "%[(=*)%[(.-)%]%1%]")), "==", "x")
same(pack(string.match("hello", "x*")), "")
assert(string.match("abc", "b", -1) == nil)
assert(string.match("abc", "c", -1) == "c")
assert(string.match("abc", "a", 10) == nil)

-- %b
assert(string.match("f(a(b)c)d", "%b()") == "(a(b)c)")
assert(string.match("f(a(bc)d", "%b()") == "(bc)")
assert(string.match("[[]]", "%b[]") == "[[]]")
assert(string.match("<<>", "%b<>") == "<>")
assert(string.match("xx", "%bxx") == "xx")
assert(string.match("no parens", "%b()") == nil)
assert(string.gsub("a(b)c(d(e))f", "%b()", "") == "acf")

-- %f frontier
assert(string.match("THE (quick) fox", "%f[%a]%a+") == "THE")
assert(string.gsub("THE (quick) fox", "%f[%a]%a+", "X") == "X (X) X")
same(pack(string.find("hello world", "%f[%w]%w+", 2)), 7, 11)
assert(string.match("foo bar", "%f[%l]bar") == "bar")
same(pack(string.find("abc", "%f[%A]")), 4, 3)   -- frontier at the end (the \0 after the subject)
same(pack(string.find("abc", "%f[%a]")), 1, 0)
assert(select(2, string.gsub("one two  three", "%f[%S]%S+", "")) == 2)   -- "\0" before the subject is in %S
assert(string.match("a1", "%f[%d]%d") == "1")

-- ---------------------------------------------------------------------------
-- string.gmatch
-- ---------------------------------------------------------------------------
local words = {}
for w in string.gmatch("one two  three", "%a+") do words[#words + 1] = w end
assert(#words == 3 and words[1] == "one" and words[3] == "three")
local pairs_found = {}
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do pairs_found[k] = v end
assert(pairs_found.a == "1" and pairs_found.c == "3")
local count = 0
for _ in string.gmatch("abc", "") do count = count + 1 end
assert(count == 4)   -- empty matches at every position, including the end
local positions = {}
for p in string.gmatch("abc", "()") do positions[#positions + 1] = p end
assert(table.concat(positions, ",") == "1,2,3,4")
-- init argument (5.4)
local from3 = {}
for w in string.gmatch("ab cd ef", "%a+", 3) do from3[#from3 + 1] = w end
assert(table.concat(from3, ",") == "cd,ef")
local fromneg = {}
for w in string.gmatch("ab cd ef", "%a+", -2) do fromneg[#fromneg + 1] = w end
assert(table.concat(fromneg, ",") == "ef")
local none = 0
for _ in string.gmatch("abc", "x", 10) do none = none + 1 end
assert(none == 0)
-- '^' is no anchor in gmatch: it matches a literal caret
local anchored = {}
for w in string.gmatch("aaa", "^a") do anchored[#anchored + 1] = w end
assert(#anchored == 0)
for w in string.gmatch("a^a", "^a") do anchored[#anchored + 1] = w end
assert(#anchored == 1 and anchored[1] == "^a")
-- the empty match after a non-empty one is not repeated
local parts = {}
for w in string.gmatch("a,b,,c", "([^,]*)") do parts[#parts + 1] = "<" .. w .. ">" end
assert(table.concat(parts) == "<a><b><><c>", table.concat(parts))
local it = string.gmatch("x", "x")
assert(it() == "x" and it() == nil and it() == nil)
check_error("bad argument #2 to 'gmatch' (string expected, got no value)", function() return string.gmatch("x") end)

-- ---------------------------------------------------------------------------
-- string.gsub
-- ---------------------------------------------------------------------------
same(pack(string.gsub("hello world", "o", "0")), "hell0 w0rld", 2)
same(pack(string.gsub("hello world", "o", "0", 1)), "hell0 world", 1)
same(pack(string.gsub("hello world", "o", "0", 0)), "hello world", 0)
same(pack(string.gsub("hello world", "o", "0", -1)), "hello world", 0)
same(pack(string.gsub("hello", "", "-")), "-h-e-l-l-o-", 6)
same(pack(string.gsub("", "", "x")), "x", 1)
same(pack(string.gsub("abc", "%w", "%0%0")), "aabbcc", 3)
same(pack(string.gsub("hello world", "(%w+) (%w+)", "%2 %1")), "world hello", 1)
same(pack(string.gsub("abc", "b", "%%")), "a%c", 1)
same(pack(string.gsub("abc", "(b)", "[%1]")), "a[b]c", 1)
same(pack(string.gsub("abc", "b", "[%1]")), "a[b]c", 1)     -- %1 without captures is the whole match
same(pack(string.gsub("abc", "()b", "%1")), "a2c", 1)        -- position capture as a number
same(pack(string.gsub("a.b", "%.", "%%")), "a%b", 1)
same(pack(string.gsub("x", "x", "a\0b")), "a\0b", 1)
-- table replacement
local vars = {name = "Lua", version = 5.4}
same(pack(string.gsub("$name $version $missing", "%$(%w+)", vars)), "Lua 5.4 $missing", 3)
same(pack(string.gsub("abc", "%w", {a = 1})), "1bc", 3)
check_error("invalid replacement value (a boolean)", string.gsub, "abc", "%w", {b = true})
same(pack(string.gsub("abc", "%w", {a = false})), "abc", 3)
-- function replacement
same(pack(string.gsub("1 2 3", "%d", function(d) return d * 2 end)), "2 4 6", 3)
same(pack(string.gsub("abc", "%w", function() end)), "abc", 3)
same(pack(string.gsub("abc", "%w", function() return false end)), "abc", 3)
same(pack(string.gsub("a=1 b=2", "(%w)=(%w)", function(k, v) return v .. "=" .. k end)), "1=a 2=b", 2)
same(pack(string.gsub("abc", "()", function(p) return p end)), "1a2b3c4", 4)
same(pack(string.gsub("hello", "l+", string.upper)), "heLLo", 1)
check_error("invalid replacement value (a table)", string.gsub, "abc", "b", function() return {} end)
check_error("invalid replacement value (a table)", string.gsub, "abc", "b", {b = {}})
check_error("invalid capture index %2", string.gsub, "abc", "(b)", "%2")
check_error("invalid use of '%' in replacement string", string.gsub, "abc", "b", "%x")
check_error("invalid use of '%' in replacement string", string.gsub, "abc", "b", "%")
check_error("bad argument #3 to 'gsub' (string/function/table expected, got no value)", function() return string.gsub("x", "x") end)
check_error("bad argument #3 to 'gsub' (string/function/table expected, got boolean)", function() return string.gsub("x", "x", true) end)
check_error("bad argument #4 to 'gsub' (number has no integer representation)", function() return string.gsub("x", "x", "y", 1.5) end)
same(pack(string.gsub("abc", "b", 5)), "a5c", 1)      -- numbers are strings here
-- gsub with anchors and empty matches
same(pack(string.gsub("abc", "^", ">")), ">abc", 1)
same(pack(string.gsub("abc", "$", "<")), "abc<", 1)
same(pack(string.gsub("abc", "x*", "-")), "-a-b-c-", 4)
same(pack(string.gsub("a  b", " *", "_")), "_a_b_", 3)

-- ---------------------------------------------------------------------------
-- Malformed patterns
-- ---------------------------------------------------------------------------
check_error("malformed pattern (ends with '%')", string.find, "a", "%")
check_error("malformed pattern (missing ']')", string.find, "a", "[a")
check_error("malformed pattern (missing ']')", string.find, "a", "[")
check_error("malformed pattern (missing ']')", string.find, "a", "[^")
check_error("malformed pattern (missing ']')", string.find, "a", "[a%")
check_error("malformed pattern (missing arguments to '%b')", string.find, "a", "%b")
check_error("malformed pattern (missing arguments to '%b')", string.find, "a", "%ba")
check_error("missing '[' after '%f'", string.find, "a", "%f")
check_error("missing '[' after '%f'", string.find, "a", "%fa")
check_error("unfinished capture", string.find, "a", "(")
check_error("unfinished capture", string.find, "a", "(a")
assert(string.find("a", ")") == nil)   -- an unmatched ')' simply fails to match (5.4.4)
check_error("invalid capture index %1", string.find, "a", "%1")
check_error("invalid capture index %2", string.find, "aa", "(a)%2")
check_error("invalid capture index %1", string.find, "aa", "(a%1)")
check_error("invalid capture index %0", string.find, "a", "%0")
check_error("malformed pattern (ends with '%')", string.match, "a", "a%")
check_error("malformed pattern (ends with '%')", string.gmatch("a", "%"))
check_error("malformed pattern (missing ']')", string.gsub, "a", "[", "")
-- too many captures
check_error("too many captures", string.find, "a", string.rep("()", 33))
same(pack(string.find("", string.rep("()", 32))), 1, 0, table.unpack((function()
  local t = {}
  for i = 1, 32 do t[i] = 1 end
  return t
end)()))
-- deep patterns raise an error instead of overflowing the stack
check_error("pattern too complex", string.find, string.rep("a", 300000), string.rep("a?", 300000) .. string.rep("a", 300000))
check_error("pattern too complex", string.match, string.rep("a", 1000), string.rep("a?", 1000))
assert(string.match(string.rep("a", 150), string.rep("a?", 150)) == string.rep("a", 150))
assert(select("#", string.match(string.rep("x", 500000), string.rep("(x)", 20) .. ".-$")) == 20)
assert(string.find(string.rep("a", 10000), "^.-b") == nil)

-- long subjects are fine
local long = string.rep("ab", 100000)
assert(select(2, string.gsub(long, "ab", "")) == 100000)
same(pack(string.find(long, "b", 199999)), 200000, 200000)
assert(#string.match(long, ".*") == 200000)

print("lib_patterns ok")
