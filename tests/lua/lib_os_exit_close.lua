-- Runs a child interpreter (the one running this script, found through arg) and checks its output.
local i = 0
while arg[i - 1] do i = i - 1 end
local interpreter = arg[i]
local child = os.tmpname()
local f = assert(io.open(child, "w"))
f:write([[
setmetatable({}, {__gc = function() print("finalizer") end})
local x <close> = setmetatable({}, {__close = function() print("closed x") end})
do
  local y <close> = setmetatable({}, {__close = function() print("closed y") end})
  print("before")
  os.exit(3, true)
end
]])
f:close()
local p = assert(io.popen(interpreter .. " " .. child))
local out = p:read("a")
local _, how, code = p:close()
os.remove(child)
assert(how == "exit" and code == 3, tostring(how) .. " " .. tostring(code))
assert(out == "before\nclosed y\nclosed x\nfinalizer\n", out)
