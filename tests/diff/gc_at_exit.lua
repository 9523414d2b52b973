-- Finalizers of live objects run when the state closes, in reverse order of marking.
local keep = {}
for i = 1, 5 do
  keep[i] = setmetatable({id = i}, {__gc = function(o) print("finalize", o.id) end})
end
local function temp()
  setmetatable({}, {__gc = function() print("finalize temp") end})
end
temp()
collectgarbage()
collectgarbage()
print("end of main chunk")
