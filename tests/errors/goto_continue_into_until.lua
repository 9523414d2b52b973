-- 'until' sees the body's locals, so a label before it is inside their scope.
repeat
  if true then goto continue end
  local done = true
  ::continue::
until done
