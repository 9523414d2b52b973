-- '...' is only valid in a vararg function.
local function f(a, b)
  return ...
end
