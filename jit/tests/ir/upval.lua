-- Upvalue and global reads (UPVAL-INLINE): GETUPVAL of a closed or open upvalue, and
-- GETTABUP of a global, inline with the helper call as the slow path.
local n = 0
local function up(x)
  return n + math.floor(x)
end
