-- __gc finalizers: marking at setmetatable, order, resurrection, errors.

local function full() collectgarbage("collect"); collectgarbage("collect") end

-- a finalizer runs once the object is unreachable
local log = {}
local function make(name)
  setmetatable({}, {__gc = function() log[#log + 1] = name end})
end
make("a")
full()
assert(log[1] == "a" and #log == 1)
full()
assert(#log == 1) -- only once

-- finalizers run in the reverse order of marking (setmetatable order)
log = {}
local function make_many()
  for i = 1, 10 do make(i) end
end
make_many()
full()
assert(#log == 10)
for i = 1, 10 do assert(log[i] == 11 - i, "order: " .. table.concat(log, ",")) end

-- the object is passed to its finalizer, and can be resurrected
local saved
local function make_resurrecting()
  setmetatable({name = "phoenix"}, {__gc = function(o) saved = o end})
end
make_resurrecting()
full()
assert(saved and saved.name == "phoenix")
-- the finalizer does not run again for the resurrected object
local again = false
getmetatable(saved).__gc = function() again = true end
saved = nil
full()
assert(not again)

-- ... unless it is marked again with setmetatable
local function remark()
  local o = {}
  setmetatable(o, {__gc = function() again = true end})
end
remark()
full()
assert(again)

-- __gc must be present when setmetatable is called
local late_ran = false
local function make_late()
  local mt = {}
  setmetatable({}, mt)
  mt.__gc = function() late_ran = true end
end
make_late()
full()
assert(not late_ran)
-- a placeholder field marks it; setting the real function later works
local placeholder_ran = false
local function make_placeholder()
  local mt = {__gc = true}
  setmetatable({}, mt)
  mt.__gc = function() placeholder_ran = true end
end
make_placeholder()
full()
assert(placeholder_ran)

-- resurrected objects are removed from weak values before finalizing,
-- but stay as weak keys until the next collection
local wv = setmetatable({}, {__mode = "v"})
local wk = setmetatable({}, {__mode = "k"})
local resurrected
local function make_weak()
  local o = setmetatable({}, {__gc = function(x) resurrected = x end})
  wv[1] = o
  wk[o] = true
end
make_weak()
collectgarbage("collect")
assert(resurrected)
assert(wv[1] == nil)
assert(wk[resurrected] == true)
resurrected = nil
full()
assert(next(wk) == nil)

-- errors in finalizers are not propagated (lua5.4 turns them into warnings)
local function make_bad()
  setmetatable({}, {__gc = function() error("in gc") end})
end
make_bad()
full()
assert(true, "still running")

-- finalizers see a consistent world: they may allocate and call functions
local total = 0
local function make_alloc()
  for i = 1, 100 do
    setmetatable({i = i}, {__gc = function(o)
      local t = {}
      for j = 1, 10 do t[j] = o.i * j end
      total = total + t[10]
    end})
  end
end
make_alloc()
full()
assert(total == 10 * 5050)

-- an object referenced from a finalized object is alive during finalization
local seen
local function make_nested()
  local child = {value = "child"}
  setmetatable({child = child}, {__gc = function(o) seen = o.child.value end})
end
make_nested()
full()
assert(seen == "child")

-- finalizers of objects still alive at exit run when the state closes (see diff tests)
