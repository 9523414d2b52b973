-- The table constructor is never closed.
local t = {1, 2,
  3
