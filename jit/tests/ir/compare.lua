-- LT + JMP becomes one branch; immediates compare natively.
-- hint: no-params
local function max(a, b)
  if a < b then
    return b
  end
  if a >= 10 then
    return 10
  end
  return a
end
