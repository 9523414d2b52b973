-- Integer division and modulo by zero after string coercion: lua5.4 coerces in the
-- string library's metamethods (native functions), so the message has no position.
local zero = 0
local ok, e = pcall(function() return "4" % zero end)
assert(not ok and e == "attempt to perform 'n%0'", e)
ok, e = pcall(function() return "4" // zero end)
assert(not ok and e == "attempt to divide by zero", e)
-- Without a string operand the position is there.
ok, e = pcall(function() return 4 // zero end)
assert(not ok and e:find("^[^:]+:%d+: attempt to divide by zero$"), e)
ok, e = pcall(function() return 4 % zero end)
assert(not ok and e:find(":%d+: attempt to perform 'n%%0'$"), e)
-- The same through the string metatable's metamethods (number op string).
local one, zs = 1, "0"
ok, e = pcall(function() return one // zs end)
assert(not ok and e == "attempt to divide by zero", e)
ok, e = pcall(function() return one % zs end)
assert(not ok and e == "attempt to perform 'n%0'", e)
