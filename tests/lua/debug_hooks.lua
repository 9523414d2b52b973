-- debug.sethook / debug.gethook: call, return, line and count events (manual §6.10).

local ev = {}
local function record(e, l) ev[#ev + 1] = e .. ":" .. tostring(l) end
local function f(x)
  local y = x + 1
  return y
end

-- call, return and line events, in order
debug.sethook(record, "crl")
local r = f(1)
debug.sethook()
assert(r == 2)
assert(table.concat(ev, " ") ==
  "return:nil line:12 call:nil line:6 line:7 return:nil line:13 call:nil",
  table.concat(ev, " "))

-- gethook
assert(debug.gethook() == nil)
debug.sethook(record, "lc", 5)
local hf, hm, hc = debug.gethook()
debug.sethook()
assert(hf == record and hm == "cl" and hc == 5)
debug.sethook(record, "rl")
hf, hm, hc = debug.gethook()
debug.sethook()
assert(hm == "rl" and hc == 0)
-- an empty mask without a count removes the hook
debug.sethook(record, "")
assert(debug.gethook() == nil)

-- count events
local n = 0
debug.sethook(function(e) assert(e == "count"); n = n + 1 end, "", 3)
local s = 0
for i = 1, 10 do s = s + i end
debug.sethook()
assert(s == 55 and n >= 5, n)

-- lines of a loop: the loop header is seen again on every iteration
local lines = {}
debug.sethook(function(e, l) lines[#lines + 1] = l end, "l")
for i = 1, 2 do
  local z = i
end
debug.sethook()
assert(table.concat(lines, " ") == "44 45 44 45 44 47", table.concat(lines, " "))

-- tail calls: one return for the whole chain
local kinds = {}
local function tc(k) if k == 0 then return 0 end return tc(k - 1) end
debug.sethook(function(e) kinds[#kinds + 1] = e end, "cr")
tc(2)
debug.sethook()
assert(table.concat(kinds, " ") == "return call tail call tail call return call")

-- the hooked function is at level 2; Rust functions are hooked too
local seen = {}
debug.sethook(function(e)
  local i = debug.getinfo(2, "nS")
  seen[#seen + 1] = e .. "/" .. tostring(i.name) .. "/" .. i.what
end, "cr")
math.abs(-1)
debug.sethook()
assert(table.concat(seen, " ") ==
  "return/sethook/C call/abs/C return/abs/C call/sethook/C", table.concat(seen, " "))

-- inside the hook, the hook function is level 1 and hooks are off
local count, hookname = 0, nil
debug.sethook(function()
  count = count + 1
  local info = debug.getinfo(1, "n")
  hookname = info.namewhat .. " " .. tostring(info.name)
  local a = 1
  local b = 2
end, "l")
local q = 1
q = 2
debug.sethook()
assert(count == 3, count)
assert(hookname == "hook ?", hookname)

-- the hook can read the locals of the hooked function
local captured
local function watched()
  local secret = 42
  return secret
end
debug.sethook(function(e)
  if e == "return" then
    local name, value = debug.getlocal(2, 1)
    if name == "secret" then captured = value end
  end
end, "r")
watched()
debug.sethook()
assert(captured == 42)

-- errors in hooks propagate
local ok, msg = pcall(function()
  debug.sethook(function() debug.sethook(); error("from hook") end, "l")
  local x = 1
end)
debug.sethook()
assert(not ok and msg:find("from hook"))

-- a hook set for one coroutine does not hook the others
local colines = {}
local co = coroutine.create(function()
  local a = 1
  coroutine.yield()
  local b = 2
end)
debug.sethook(co, function(e, l) colines[#colines + 1] = l end, "l")
assert(debug.gethook() == nil)
assert(debug.gethook(co) ~= nil)
local mainline = 1
coroutine.resume(co)
coroutine.resume(co)
debug.sethook(co)
assert(#colines >= 3 and colines[1] == 111, table.concat(colines, " "))

-- argument errors
local function err(pat, fn, ...)
  local ok2, m2 = pcall(fn, ...)
  assert(not ok2 and m2:find(pat, 1, true), m2)
end
err("bad argument #1 to 'debug.sethook' (function expected, got number)", debug.sethook, 1, "l")
err("bad argument #2 to 'debug.sethook' (string expected, got no value)", debug.sethook, print)

print("OK")
