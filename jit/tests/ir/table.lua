-- Table reads and writes go through runtime helpers.
local function bump(t, i)
  t[i] = t[i] + 1
  return t.x
end
