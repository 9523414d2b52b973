-- To-be-closed variables: closing order printed for blocks, loops, errors and returns.
local function closer(name)
  return setmetatable({}, {__close = function(_, err)
    print("close", name, err)
  end})
end
do
  local a <close> = closer("a")
  local b <close> = closer("b")
  print("in block")
end
for i = 1, 2 do
  local c <close> = closer("loop" .. i)
  print("iteration", i)
end
local function f()
  local r <close> = closer("ret")
  return "returned"
end
print(f())
print(pcall(function()
  local e <close> = closer("err")
  error("boom", 0)
end))
print(pcall(function()
  local e1 <close> = closer("e1")
  local e2 <close> = setmetatable({}, {__close = function() error("close error", 0) end})
  local e3 <close> = closer("e3")
end))
local co = coroutine.wrap(function()
  local y <close> = closer("coroutine")
  coroutine.yield("yielded")
  return "finished"
end)
print(co())
print(co())
do
  local last <close> = closer("main-last")
end
