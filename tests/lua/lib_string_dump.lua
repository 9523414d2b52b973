-- string.dump round trips (the header is implementation-specific: only the ESC byte that marks a binary chunk is checked).
local function add(a, b) return a + b end
local chunk = string.dump(add)
assert(type(chunk) == "string" and chunk:sub(1, 1) == "\27")
assert(load(chunk, "dumped", "b")(2, 3) == 5)
assert(load(string.dump(add, true))(4, 5) == 9)
