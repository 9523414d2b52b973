-- debug.traceback: messages, levels, threads (manual §6.10).

local function lines(s)
  local t = {}
  for l in (s .. "\n"):gmatch("(.-)\n") do t[#t + 1] = l end
  return t
end

-- message and the default level 1 (the caller)
local tb = debug.traceback("hi")
assert(tb == "hi\nstack traceback:\n\tdebug_traceback.lua:10: in main chunk\n\t[C]: in ?", tb)

-- level 0 includes traceback itself
tb = debug.traceback("hi", 0)
local l0 = lines(tb)
assert(l0[3] == "\t[C]: in function 'debug.traceback'", l0[3])
assert(l0[4] == "\tdebug_traceback.lua:14: in main chunk")

-- no message
tb = debug.traceback()
assert(tb:sub(1, 17) == "stack traceback:\n", tb)
assert(debug.traceback(nil) == (tb:gsub(":20:", ":22:")))
-- an empty message still gets its own line
assert(debug.traceback(""):sub(1, 18) == "\nstack traceback:\n")

-- numbers are messages; other values are returned untouched
assert(debug.traceback(12):sub(1, 20) == "12\nstack traceback:\n")
local t = {}
assert(debug.traceback(t) == t)
assert(debug.traceback(true) == true)

-- levels beyond the stack, and negative ones
assert(debug.traceback("x", 50) == "x\nstack traceback:")
assert(debug.traceback("x", -1) == "x\nstack traceback:")

-- frames of nested functions
local function inner() return debug.traceback("m") end
local function outer() local r = inner() return r end
local tl = lines(outer())
assert(tl[3] == "\tdebug_traceback.lua:37: in upvalue 'inner'", tl[3])
assert(tl[4] == "\tdebug_traceback.lua:38: in local 'outer'", tl[4])
assert(tl[5] == "\tdebug_traceback.lua:39: in main chunk", tl[5])

-- tail calls are marked
local function leaf() return debug.traceback() end
local function viatail() return leaf() end
local tt = lines(viatail())
assert(tt[2] == "\tdebug_traceback.lua:45: in function <debug_traceback.lua:45>", tt[2])
assert(tt[3] == "\t(...tail calls...)", tt[3])

-- long stacks are elided
local function deep(n) if n == 0 then return debug.traceback() end return (deep(n - 1)) end
local dl = lines(deep(40))
assert(#dl == 1 + 10 + 1 + 11, #dl)
assert(dl[12]:find("^\t%.%.%.\t%(skipping %d+ levels%)$"), dl[12])

-- another thread: level 0 is its innermost frame, no "[C]: in ?" at the bottom
local co = coroutine.create(function(a)
  local b = a
  coroutine.yield(b)
end)
coroutine.resume(co, 1)
assert(debug.traceback(co) ==
  "stack traceback:\n\t[C]: in function 'coroutine.yield'\n\tdebug_traceback.lua:60: in function <debug_traceback.lua:58>")
assert(debug.traceback(co, "m", 1) == "m\nstack traceback:\n\tdebug_traceback.lua:60: in function <debug_traceback.lua:58>")
assert(debug.traceback(co, nil, 1) == "stack traceback:\n\tdebug_traceback.lua:60: in function <debug_traceback.lua:58>")
-- inside a coroutine, its own traceback ends at its body
local inside = coroutine.wrap(function() return debug.traceback("c") end)()
assert(inside == "c\nstack traceback:\n\tdebug_traceback.lua:68: in function <debug_traceback.lua:68>", inside)

-- as a message handler
local ok, msg = xpcall(function() error("boom") end, debug.traceback)
local ml = lines(msg)
assert(not ok and ml[1] == "debug_traceback.lua:72: boom", ml[1])
assert(ml[2] == "stack traceback:" and ml[3] == "\t[C]: in function 'error'", ml[3])

-- argument errors
local ok2, m2 = pcall(debug.traceback, "x", "y")
assert(not ok2 and m2:find("bad argument #2 to 'debug.traceback' (number expected, got string)", 1, true), m2)
local ok3, m3 = pcall(debug.traceback, co, "m", "y")
assert(not ok3 and m3:find("bad argument #3 to 'debug.traceback' (number expected, got string)", 1, true), m3)

print("OK")
