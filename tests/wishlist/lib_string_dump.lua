-- FAILS on moonjet: string.dump is not implemented yet (binary chunks).
local function add(a, b) return a + b end
local chunk = string.dump(add)
assert(type(chunk) == "string" and chunk:sub(1, 4) == "\27Lua")
assert(load(chunk, "dumped", "b")(2, 3) == 5)
assert(load(string.dump(add, true))(4, 5) == 9)
