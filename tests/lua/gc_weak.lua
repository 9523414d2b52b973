-- Weak tables (__mode "k", "v", "kv") and ephemerons.

local function full() collectgarbage("collect"); collectgarbage("collect") end
local function count(t) local n = 0; for _ in pairs(t) do n = n + 1 end; return n end

-- objects are created in helper functions so no stack slot keeps them alive

-- weak values
local wv = setmetatable({}, {__mode = "v"})
local keepv = {}
local function fill_values()
  for i = 1, 10 do wv[i] = {} end
  for i = 11, 20 do keepv[i] = {}; wv[i] = keepv[i] end
  wv.str = "strings are values, never collected from weak tables"
  wv.num = 42
  wv.bool = true
end
fill_values()
full()
for i = 1, 10 do assert(wv[i] == nil, "weak value " .. i .. " survived") end
for i = 11, 20 do assert(wv[i] == keepv[i]) end
assert(wv.str and wv.num == 42 and wv.bool == true)

-- weak keys
local wk = setmetatable({}, {__mode = "k"})
local keepk = {}
local function fill_keys()
  for i = 1, 10 do wk[{}] = i end
  for i = 1, 10 do local k = {}; keepk[i] = k; wk[k] = i end
  wk[1] = "integer keys stay"
  wk["s"] = "string keys stay"
end
fill_keys()
full()
assert(count(wk) == 12, count(wk))
for i = 1, 10 do assert(wk[keepk[i]] == i) end
assert(wk[1] and wk.s)
-- values of weak-key tables are strong
local function fill_strong_values()
  local k = {}
  keepk.extra = k
  wk[k] = {}
end
fill_strong_values()
full()
assert(type(wk[keepk.extra]) == "table")

-- weak keys and values
local wkv = setmetatable({}, {__mode = "kv"})
local anchor = {}
local function fill_kv()
  wkv[{}] = anchor   -- key dead
  wkv[anchor] = {}   -- value dead
  wkv[anchor] = nil
  wkv.x = {}         -- value dead
  wkv.y = anchor     -- both alive
end
fill_kv()
full()
assert(count(wkv) == 1 and wkv.y == anchor)

-- ephemerons: a value referring to its own key does not keep the key alive
local eph = setmetatable({}, {__mode = "k"})
local function fill_eph()
  for i = 1, 10 do
    local k = {}
    eph[k] = {ref = k, i = i}
  end
end
fill_eph()
full()
assert(next(eph) == nil, "ephemeron kept its key alive")

-- ephemeron chains: k1 -> v1 refers k2 -> v2 ... only reachable if k1 is
local chain = setmetatable({}, {__mode = "k"})
local head
local function fill_chain()
  local keys = {}
  for i = 1, 20 do keys[i] = {} end
  for i = 1, 19 do chain[keys[i]] = {next = keys[i + 1]} end
  chain[keys[20]] = {last = true}
  head = keys[1]
end
fill_chain()
full()
assert(count(chain) == 20)
local walk, n = head, 0
while walk do
  n = n + 1
  local v = chain[walk]
  assert(v)
  walk = v.next
end
assert(n == 20)
head = nil
full()
assert(next(chain) == nil)

-- a value reachable from a live key stays
local ek = {}
local function fill_live()
  eph[ek] = {payload = {}}
end
fill_live()
full()
assert(eph[ek] and eph[ek].payload)

-- functions and threads in weak tables are collectable too
local wf = setmetatable({}, {__mode = "v"})
local function fill_fn()
  local x = 1
  wf[1] = function() return x end
  wf[2] = coroutine.create(function() end)
end
fill_fn()
full()
assert(wf[1] == nil and wf[2] == nil)

-- changing the mode after creation takes effect
local late = {}
local function fill_late() late[1] = {} end
fill_late()
setmetatable(late, {__mode = "v"})
full()
assert(late[1] == nil)

-- a weak table used as a cache keeps working under churn
local cache = setmetatable({}, {__mode = "v"})
local hits = 0
for round = 1, 5 do
  for i = 1, 1000 do
    local v = cache[i]
    if v then hits = hits + 1 else cache[i] = {i} end
  end
  full()
end
assert(hits == 0) -- every round the values are dead
