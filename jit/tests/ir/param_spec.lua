-- Parameter and call-result speculation (SPECULATE): k is compared with and
-- subtracted from integers, so the entry block of pc 0 checks that it is an integer
-- (`spec-param`) and the body has no tag tests on it; each call's result feeds the
-- addition, so it is guarded to be an integer right after the call (`spec-float` /
-- `spec-type` at the next instruction) and the addition is a plain integer add.
local function fib(k)
  if k < 2 then
    return k
  end
  return fib(k - 1) + fib(k - 2)
end

-- A float parameter: the product with a float constant says float.
local function half(x)
  return x * 0.5
end
