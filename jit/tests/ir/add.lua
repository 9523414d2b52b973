-- Integer and float addition: the int path, the float path, the exit.
-- hint: no-params
local function add(a, b)
  return a + b
end
