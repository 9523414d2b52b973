-- The function on line 2 is never closed; the inner block is.
local function f(a)
  for i = 1, 3 do
    a = a + i
  end
  return a
