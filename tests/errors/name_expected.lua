-- A local declaration needs a name.
local 1 = 2
