-- Decimal escapes stop at 255.
local s = "\256"
