-- The one-subtraction check of compiled-to-compiled calls (DIRECT-KEY): a hook set or
-- removed, jit.off()/jit.on() and jit.flush() between or inside calls are seen by the
-- very next call; tail calls made inline (TAIL-NEST-INLINE) keep tracebacks, hooks
-- and errors as the interpreter has them.

local function inc(x) return x + 1 end
local function sum(n)
  local s = 0
  for i = 1, n do s = s + inc(i) end
  return s
end
for _ = 1, 3 do assert(sum(100) == 5150) end

-- A call hook set between calls sees every call made after it.
local calls = 0
debug.sethook(function() calls = calls + 1 end, "c")
assert(sum(10) == 65)
debug.sethook()
assert(calls >= 11, calls)
calls = 0
assert(sum(10) == 65)
assert(calls == 0)

-- A hook set inside a callee sees the calls that follow in its caller's loop.
local seen = 0
local function arm(x)
  if x == 5 then debug.sethook(function() seen = seen + 1 end, "c") end
  return x
end
local function loop(n)
  local s = 0
  for i = 1, n do s = s + arm(i) end
  return s
end
for _ = 1, 3 do debug.sethook(); seen = 0; assert(loop(10) == 55) end
debug.sethook()
assert(seen >= 5, seen)

-- Fewer arguments than parameters: the missing ones are nil.
local function two(a, b) return b == nil and a or a + b end
local function call_one(n)
  local s = 0
  for i = 1, n do s = s + two(i) end
  return s
end
for _ = 1, 3 do assert(call_one(10) == 55) end

-- A vararg callee is never called with a fixed frame.
local function va(...) return select("#", ...) end
local function call_va(n)
  local s = 0
  for i = 1, n do s = s + va(i, i) end
  return s
end
for _ = 1, 3 do assert(call_va(10) == 20) end

-- jit.off() / jit.on() / jit.flush() between and inside calls.
if jit then
  local function flip(x)
    if x == 3 then jit.off() elseif x == 6 then jit.on() elseif x == 8 then jit.flush() end
    return x * 2
  end
  local function drive(n)
    local s = 0
    for i = 1, n do s = s + flip(i) end
    return s
  end
  for _ = 1, 3 do assert(drive(10) == 110) end
  jit.on()
end

-- Tail calls to other compiled closures: results, errors and tracebacks.
local function leaf(x) return x * 3 end
local function mid(x) return leaf(x + 1) end
local function top(x) return mid(x) + 0 end
for i = 1, 200 do assert(top(i) == (i + 1) * 3) end

local function bad(x) if x > 150 then error("boom " .. x) end return x end
local function via(x) return bad(x) end
local function outer(x) return via(x) + 0 end
local ok, msg = pcall(function() local s = 0 for i = 1, 200 do s = s + outer(i) end return s end)
assert(not ok and msg:find("boom 151", 1, true), msg)

local tb
local function deep(x)
  if x > 100 then tb = debug.traceback("here") end
  return x
end
local function tail_to_deep(x) return deep(x) end
local function call_tail(x) return tail_to_deep(x) + 0 end
for i = 1, 120 do call_tail(i) end
assert(tb:find("(...tail calls...)", 1, true) and tb:find("call_tail", 1, true), tb)

-- A return hook set inside a tail callee fires for the returns that follow.
local rets = 0
local function tail_arm(x)
  if x == 50 then debug.sethook(function() rets = rets + 1 end, "r") end
  return x
end
local function tail_to_arm(x) return tail_arm(x) end
local function run_arm(n)
  local s = 0
  for i = 1, n do s = s + tail_to_arm(i) end
  return s
end
assert(run_arm(60) == 1830)
debug.sethook()
assert(rets >= 10, rets)

print("ok")
