-- Yielding from inside metamethods and iterators: the interrupted operation completes
-- with the value the metamethod eventually returns.

local co = coroutine

-- run f in a coroutine, answer each yield with reply(yielded), collect yields
local function drive(f, reply)
  local c = co.create(f)
  local yields = {}
  local ok, v = co.resume(c)
  while co.status(c) == "suspended" do
    assert(ok, v)
    yields[#yields + 1] = v
    ok, v = co.resume(c, reply(v))
  end
  assert(ok, v)
  return v, yields
end

local mt = {}
mt.__index = function(_, k) return co.yield("index " .. k) end
mt.__newindex = function(t, k, v) rawset(t, k, co.yield("newindex " .. k) .. v) end
mt.__add = function(a, b) return co.yield("add") end
mt.__sub = function(a, b) return co.yield("sub") end
mt.__concat = function(a, b) return co.yield("concat") end
mt.__lt = function(a, b) return co.yield("lt") end
mt.__le = function(a, b) return co.yield("le") end
mt.__eq = function(a, b) return co.yield("eq") end
mt.__len = function(a) return co.yield("len") end
mt.__unm = function(a) return co.yield("unm") end
mt.__call = function(self, x) return co.yield("call") + x end
mt.__band = function(a, b) return co.yield("band") end
local obj = setmetatable({}, mt)
local other = setmetatable({}, mt)

local answers = {
  ["index foo"] = "FOO", ["newindex k"] = "pre-", add = 10, sub = 20, concat = "cat",
  lt = true, le = false, eq = 1, len = 99, unm = -5, call = 100, band = 7,
}
local function reply(y) return answers[y] end

local result, yields = drive(function()
  local out = {}
  out[1] = obj.foo
  obj.k = "v"
  out[2] = rawget(obj, "k")
  out[3] = obj + 1
  out[4] = 2 - obj
  out[5] = obj .. "x"
  out[6] = obj < other
  out[7] = obj <= other
  out[8] = obj == other          -- result converted to boolean
  out[9] = #obj
  out[10] = -obj
  out[11] = obj(5)
  out[12] = obj & 1
  out[13] = obj ~= other         -- negated after resuming
  out[14] = not (obj < other)
  -- metamethod results used inside larger expressions
  out[15] = (obj + 1) * 2 + (obj .. "") :len()
  return out
end, reply)

assert(result[1] == "FOO")
assert(result[2] == "pre-v")
assert(result[3] == 10)
assert(result[4] == 20)
assert(result[5] == "cat")
assert(result[6] == true)
assert(result[7] == false)
assert(result[8] == true)
assert(result[9] == 99)
assert(result[10] == -5)
assert(result[11] == 105)
assert(result[12] == 7)
assert(result[13] == false)
assert(result[14] == false)
assert(result[15] == 23)
assert(table.concat(yields, ",") ==
  "index foo,newindex k,add,sub,concat,lt,le,eq,len,unm,call,band,eq,lt,add,concat")

-- yield inside a comparison used as a branch condition
result = drive(function()
  local n = 0
  for _ = 1, 3 do
    if obj < other then n = n + 1 end
    if obj == other then n = n + 10 end
  end
  return n
end, function(y) return y == "lt" end)
assert(result == 3)

-- yield inside a concatenation chain of several values
local piece = setmetatable({}, {__concat = function(a, b)
  local sa = type(a) == "table" and co.yield("piece") or a
  local sb = type(b) == "table" and co.yield("piece") or b
  return sa .. sb
end})
result = drive(function() return "a" .. piece .. "b" .. piece .. "c" end,
  function() return "P" end)
assert(result == "aPbPc", result)

-- yield inside an __index function called repeatedly in a loop
local lazy = setmetatable({}, {__index = function(t, k)
  local v = co.yield(k)
  rawset(t, k, v)
  return v
end})
result = drive(function()
  local s = 0
  for i = 1, 5 do s = s + lazy[i] + lazy[i] end
  return s
end, function(k) return k * 10 end)
assert(result == 300)

-- yield inside a for-in iterator function
local function yielding_pairs(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local i = 0
  return function()
    i = i + 1
    co.yield("step")
    if keys[i] then return keys[i], t[keys[i]] end
  end
end
local steps
result, steps = drive(function()
  local acc = {}
  for k, v in yielding_pairs({a = 1, b = 2, c = 3}) do acc[#acc + 1] = k .. v end
  return table.concat(acc)
end, function() return nil end)
assert(result == "a1b2c3" and #steps == 4)

-- yield inside a __call'd object used as an iterator
local gen = setmetatable({n = 0}, {__call = function(self)
  self.n = self.n + 1
  co.yield(self.n)
  if self.n <= 3 then return self.n end
end})
result = drive(function()
  local s = 0
  for v in gen do s = s + v end
  return s
end, function() end)
assert(result == 6)

-- yield inside table.sort's comparator: lua5.4 refuses (C boundary); an implementation
-- may allow it, but then it must behave like a normal yield
local c = co.create(function()
  local t = {3, 2, 1}
  table.sort(t, function(a, b) co.yield() return a < b end)
  return table.concat(t)
end)
local ok, msg = co.resume(c)
if ok then
  while co.status(c) == "suspended" do ok, msg = co.resume(c) end
  assert(ok and msg == "123", msg)
else
  assert(string.find(msg, "attempt to yield across a C-call boundary", 1, true), msg)
end
