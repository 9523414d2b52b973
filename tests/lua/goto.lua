-- goto: continue-style, nested loops, backward loops, scope rules.

-- continue
local odds = {}
for i = 1, 10 do
  if i % 2 == 0 then goto continue end
  odds[#odds + 1] = i
  ::continue::
end
assert(table.concat(odds, ",") == "1,3,5,7,9")

-- continue in while with a local after the label target (label at block end)
local i, sum = 0, 0
while i < 10 do
  i = i + 1
  if i == 5 then goto cont end
  local sq = i * i
  sum = sum + sq
  ::cont::
end
assert(sum == 385 - 25)

-- breaking out of nested loops
local found
for a = 1, 10 do
  for b = 1, 10 do
    if a * b == 42 then
      found = a .. "x" .. b
      goto done
    end
  end
end
::done::
assert(found == "6x7")

-- backward goto as a loop
local n = 0
::top::
n = n + 1
if n < 100 then goto top end
assert(n == 100)

-- backward goto loop creates a fresh local each round
local fs = {}
do
  local k = 1
  ::again::
  local captured = k
  fs[k] = function() return captured end
  k = k + 1
  if k <= 3 then goto again end
end
assert(fs[1]() == 1 and fs[2]() == 2 and fs[3]() == 3)

-- goto out of a nested block into an enclosing label
local trace = {}
do
  do
    trace[#trace + 1] = "in"
    goto out
  end
  trace[#trace + 1] = "skipped"
  ::out::
  trace[#trace + 1] = "out"
end
assert(table.concat(trace, ",") == "in,out")

-- same label name in different functions and blocks is fine
local function f()
  goto l
  do return "bad" end
  ::l::
  return "good"
end
assert(f() == "good")
do ::l:: end
do ::l:: end

-- goto continue in repeat, where until sees the body locals
local count = 0
repeat
  count = count + 1
  if count < 5 then goto skip end
  ::skip::
until count >= 5
assert(count == 5)

-- a state machine
local state, steps = "a", {}
::sa:: if state == "a" then steps[#steps + 1] = "a"; state = "b"; goto sb end
::sb:: if state == "b" then steps[#steps + 1] = "b"; state = "c"; goto sa end
assert(table.concat(steps) == "ab")

-- goto jumping over a nested function and closing upvalues correctly
local closures = {}
local j = 1
::loop::
do
  local v = j * 10
  closures[j] = function() return v end
end
j = j + 1
if j <= 3 then goto loop end
assert(closures[1]() == 10 and closures[3]() == 30)

-- goto and labels are not names: a variable called goto is impossible, but labels may
-- shadow variable names
local continue = 1
goto continue
continue = 2
::continue::
assert(continue == 1)
