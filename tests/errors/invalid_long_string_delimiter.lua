-- '[=' must be followed by more '=' and '['.
local s = [=x]=]
