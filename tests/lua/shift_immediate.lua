-- `x << n` with a small integer numeral n compiles to one SHRI instruction with
-- count -n and k set (`x >> -n` is `x << n`); k makes the metamethod event `__shl`
-- with the operands of the source. Checks values at the edges of the shift counts,
-- the metamethod's operands, error messages and the traceback's event name.

local x = 5
assert(x << 1 == 10)
assert(x << 25 == 167772160)
assert(x << 63 == math.mininteger)
assert(x << 64 == 0)
assert(x << 127 == 0)
assert(x << 128 == 0)        -- -128 does not fit the immediate: SHL with a register
assert(x << -3 == 0)         -- a negative numeral: SHRI with count 3
assert(40 << -3 == 5)
assert(x << 0 == 5)
assert(-1 << 1 == -2)
local m1 = -1
assert(m1 << 63 == math.mininteger)
assert(m1 << 1 == -2)
assert(2.0 << 3 == 16)       -- floats with an integer value convert
assert(math.type(2.0 << 3) == "integer")
for i = 0, 70 do
  assert(1 << i == (i < 64 and (1 << i) or 0))
  assert((x << 2) >> 2 == x)
end

-- The metamethod sees the source's operator and operands.
local seen = {}
local mt = {
  __shl = function(a, b) seen[#seen + 1] = "shl " .. tostring(b); return "L" end,
  __shr = function(a, b) seen[#seen + 1] = "shr " .. tostring(b); return "R" end,
}
local t = setmetatable({}, mt)
assert((t << 1) == "L")
assert((t << 25) == "L")
assert((t >> 2) == "R")
assert((t << -4) == "L")
assert((t << 128) == "L")
assert(table.concat(seen, ",") == "shl 1,shl 25,shr 2,shl -4,shl 128", table.concat(seen, ","))

-- Errors name the operand as before.
local function msg(f)
  local ok, e = pcall(f)
  assert(not ok)
  return (string.gsub(e, "^[^:]*:%d+: ", ""))
end
assert(msg(function() local s = nil; return s << 3 end)
  == "attempt to perform bitwise operation on a nil value (local 's')")
assert(msg(function() local s = {}; return s << 3 end)
  == "attempt to perform bitwise operation on a table value (local 's')")
assert(msg(function() return 1.5 << 3 end) == "number has no integer representation")
assert(msg(function() local q = setmetatable({}, {__shl = function() error("boom") end}); return q << 2 end)
  == "boom")

-- The traceback names the event of the source.
local tb
local q = setmetatable({}, {__shl = function() tb = debug.traceback("tb", 1) end})
local _ = q << 2
assert(tb:find("in metamethod 'shl'"), tb)

-- Through string.dump and load, with the same results.
local f = function(v) return v << 3, v >> 2 end
local g = load(string.dump(f))
local a, b = g(5)
assert(a == 40 and b == 1)
assert(g(setmetatable({}, mt)) == "L")

print("OK")
