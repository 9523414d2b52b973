-- Truth tests on values whose type compiled code does not know (TRUTH-TEST in
-- jit/src/regs.rs: one compare of the tag with the boolean's byte): TEST, TESTSET
-- (`and`/`or`), NOT and conditions, on every type, read from a table so that the
-- analysis cannot know them. Run interpreted and with every function compiled at its
-- first call.

local co = coroutine.create(function() end)
local values = {
  { nil, false }, { false, false }, { true, true }, { 0, true }, { 0.0, true },
  { -0.0, true }, { 0 / 0, true }, { "", true }, { "false", true }, { {}, true },
  { print, true }, { function() end, true }, { co, true }, { io.stdout, true },
  { math.maxinteger, true }, { math.mininteger, true }, { 256, true }, { 1, true },
}

local function check(box)
  local v, want = box[1], box[2]
  -- TEST in an if, both senses.
  local a = false
  if v then
    a = true
  end
  local b = true
  if not v then
    b = false
  end
  -- NOT as a value, and TESTSET through `and` / `or`.
  local n = not v
  local o = v or "other"
  local x = v and "yes"
  assert(a == want and b == want and n == not want, tostring(v))
  assert((o == "other") == not want, tostring(v))
  assert((x == "yes") == want, tostring(v))
  return a
end

for _ = 1, 50 do
  local count = 0
  for i = 1, #values do
    if check(values[i]) then
      count = count + 1
    end
  end
  assert(count == #values - 2, count)
end

-- Booleans made by comparisons and stored, then tested (byte 0 or 1 in the payload).
local flags = {}
for i = 1, 100 do
  flags[i] = i % 3 == 0
end
local on = 0
for round = 1, 20 do
  for i = 1, 100 do
    if flags[i] then
      on = on + 1
    end
  end
  flags[round] = not flags[round]
end
-- 33 true at first; each flip of a false slot adds one, of a true one takes one.
assert(on == 736, on)
print("jit_truth ok")
