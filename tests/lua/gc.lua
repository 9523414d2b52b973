-- collectgarbage options and memory accounting.

local function full() collectgarbage("collect"); collectgarbage("collect") end

-- every option is accepted and returns the documented kind of value
assert(collectgarbage("collect") == 0)
assert(collectgarbage() == 0) -- default is "collect"
local kb = collectgarbage("count")
assert(math.type(kb) == "float" and kb > 0)
assert(type(collectgarbage("step")) == "boolean")
assert(type(collectgarbage("step", 100)) == "boolean")
assert(collectgarbage("isrunning") == true)
collectgarbage("stop")
assert(collectgarbage("isrunning") == false)
collectgarbage("restart")
assert(collectgarbage("isrunning") == true)
local prev = collectgarbage("incremental")
assert(prev == "incremental" or prev == "generational")
assert(collectgarbage("generational") == "incremental")
assert(collectgarbage("incremental") == "generational")
assert(collectgarbage("incremental", 200, 100, 13) == "incremental")
local ok, msg = pcall(collectgarbage, "nonsense")
assert(not ok and string.find(msg, "invalid option 'nonsense'", 1, true), msg)

-- steps while stopped are allowed and return booleans
collectgarbage("stop")
for _ = 1, 100 do assert(type(collectgarbage("step", 0)) == "boolean") end
collectgarbage("restart")

-- count goes down after dropping a big table
full()
local before = collectgarbage("count")
local big = {}
for i = 1, 200000 do big[i] = {i} end
local during = collectgarbage("count")
assert(during > before + 1000, "allocation not counted: " .. before .. " -> " .. during)
big = nil
full()
local after = collectgarbage("count")
assert(after < during - 1000, "memory not released: " .. during .. " -> " .. after)

-- strings too
local s = string.rep("x", 4 * 1024 * 1024)
local withstr = collectgarbage("count")
assert(withstr > after + 3000)
s = nil
full()
assert(collectgarbage("count") < withstr - 3000)

-- garbage created in a loop does not accumulate without bound
full()
local base = collectgarbage("count")
for i = 1, 300000 do local t = {i, tostring(i)} end
full()
assert(collectgarbage("count") < base + 1000)

-- collection while stopped still works when asked explicitly
collectgarbage("stop")
local junk = {}
for i = 1, 50000 do junk[i] = {} end
local stopped = collectgarbage("count")
junk = nil
collectgarbage("collect")
assert(collectgarbage("count") < stopped - 500)
collectgarbage("restart")

-- generational mode works for a workload, then back to incremental
collectgarbage("generational")
local keep = {}
for i = 1, 100000 do
  local t = {i}
  if i % 100 == 0 then keep[#keep + 1] = t end
end
full()
assert(#keep == 1000 and keep[1000][1] == 100000)
collectgarbage("incremental")

-- Allocation alone drives the collector: tables, closures and strings made in loops
-- (each kind on its own, so a safepoint missing from one instruction shows) never
-- pile up.
do
  collectgarbage("collect")
  local base = collectgarbage("count")
  for i = 1, 300000 do local t = {i} end
  assert(collectgarbage("count") - base < 8192, "tables pile up")
  for i = 1, 300000 do local f = function() return i end end
  assert(collectgarbage("count") - base < 8192, "closures pile up")
  for i = 1, 300000 do local s = "k" .. i end
  assert(collectgarbage("count") - base < 8192, "strings pile up")
  local big = {}
  for r = 1, 20 do
    big = {}
    for i = 1, 20000 do big[i] = i end
  end
  assert(collectgarbage("count") - base < 8192, "grown arrays pile up")
end
