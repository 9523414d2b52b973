-- Type speculation at reads (SPECULATE): the fields are guarded to be floats right
-- after each read (spec-int / spec-type exits at the next instruction), so the
-- subtraction and the product are plain float instructions without tag tests.
local function dist2(a, b)
  local dx = a.x - b.x
  return dx * dx
end
