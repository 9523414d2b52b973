-- Concatenations with numbers (CONCAT-SHORT in interp/src/vm/upval.rs: short results
-- are built in one buffer and interned once): the text of every kind of number, the
-- identity of equal results, and results past the short limit.

assert("k" .. 1 == "k1" and 1 .. "" == "1" and -7 .. "x" == "-7x")
assert(1.5 .. "" == "1.5" and 2.0 .. "" == "2.0" and -0.0 .. "" == "-0.0")
assert(1e100 .. "" == "1e+100" and 2^63 .. "" == "9.2233720368548e+18")
assert(math.huge .. "" == "inf" and -math.huge .. "" == "-inf")
assert(math.mininteger .. "" == "-9223372036854775808")
assert(0.1 .. "|" .. 1/3 == "0.1|0.33333333333333")
local nan = tostring(0/0)
assert((0/0) .. "" == nan)

-- Several pieces, numbers first, last or between strings.
local function join(a, b, c, d) return a .. b .. c .. d end
for i = 1, 200 do
  local s = join(i, "-", i * 0.5, "")
  assert(s == tostring(i) .. "-" .. tostring(i * 0.5), s)
  assert(join("", i, "", i) == tostring(i) .. tostring(i))
end

-- Equal results are one string (usable as the same table key).
local t = {}
for i = 1, 100 do t["k" .. i] = i end
for i = 1, 100 do assert(t["k" .. i] == i and t[string.format("k%d", i)] == i) end

-- Strings longer than the short limit, with numbers.
local long = string.rep("x", 60)
for i = 1, 50 do
  local s = long .. i .. long
  assert(#s == 120 + #tostring(i) and s:sub(61, 60 + #tostring(i)) == tostring(i))
  t[s] = i
end
for i = 1, 50 do assert(t[long .. tostring(i) .. long] == i) end
local mid = string.rep("y", 39)
for i = 1, 50 do
  local s = mid .. i .. 1.25
  assert(s == mid .. tostring(i) .. "1.25")
  assert(t[s] == nil)
  t[s] = true
  assert(t[mid .. tostring(i) .. "1.25"])
end

print("concat_numbers ok")
