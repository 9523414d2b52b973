-- SETUPVAL inline (UPVAL-INLINE): the register's value stored at the upvalue's slot,
-- with the helper call as the slow path (a slot in this frame's window, or a black
-- box, whose store needs the write barrier).
local n = 0
local function set(k)
  n = k
end
