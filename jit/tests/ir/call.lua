-- A call and a method call: the call helper, the base check, the nested RETURN.
local function call(f, obj, x)
  return f(x) + obj:m(x)
end
