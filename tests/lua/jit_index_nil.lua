-- Field reads that find nothing (INDEX-INLINE in jit/src/inline_table.rs): a key the
-- object lacks or holds as a dead key (assigned nil), looked for up an `__index` chain
-- of class tables that ends without it, reads nil inline. Everything around it must
-- behave as interpreted: a chain that changes after compilation (a method or default
-- added, `__index` replaced by a function, a metatable added to the base class), a
-- metatable whose `__index` is false or nil, a static-part metatable, and errors with
-- their line numbers. Run interpreted and with every function compiled.

local Base = {}
Base.__index = Base
local Sub = setmetatable({}, { __index = Base })
Sub.__index = Sub

function Base:get() return self.work end
function Base:next_of() return self.next end

local function new(fields) return setmetatable(fields, Sub) end

-- Absent everywhere, and a dead key in the object itself.
local o = new({ a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7 })
for _ = 1, 50 do assert(o:get() == nil) end
o.work = 10
for _ = 1, 50 do assert(o:get() == 10) end
o.work = nil -- a dead key now
for _ = 1, 50 do assert(o:get() == nil) end

-- A default added to the base class after compilation is found through the chain.
Base.work = "default"
for _ = 1, 50 do assert(o:get() == "default") end
Sub.work = "sub"
assert(o:get() == "sub")
Sub.work = nil
assert(o:get() == "default")
Base.work = nil
assert(o:get() == nil)

-- A function __index at the end of the chain is called, not skipped.
local calls = 0
setmetatable(Base, { __index = function(t, k)
  calls = calls + 1
  return k .. "!"
end })
for _ = 1, 20 do assert(o:get() == "work!") end
assert(calls == 20, calls)
setmetatable(Base, nil)
assert(o:get() == nil)

-- A longer chain: three classes up, found and not found.
local Deep = setmetatable({}, { __index = Sub })
Deep.__index = Deep
local d = setmetatable({}, Deep)
for _ = 1, 30 do assert(d:get() == nil) end
Base.work = 42
for _ = 1, 30 do assert(d:get() == 42) end
Base.work = nil

-- __index nil in a metatable: the read is nil; __index false: indexing it fails.
local p = setmetatable({ x = 1 }, { __index = false })
local q = setmetatable({ x = 1 }, { __index = nil })
local function getw(t) return t.work end
for _ = 1, 30 do
  assert(not pcall(getw, p))
  assert(getw(q) == nil)
  assert(getw({}) == nil)
end

-- A metatable with a static part (the string metatable): its __index holds the
-- string library, so a table using it finds `format` there.
local smt = getmetatable("")
local t = setmetatable({}, smt)
local function fmt(x) return x.format end
for _ = 1, 30 do assert(fmt(t) == string.format) end

-- A linked list walked through `next` fields that end in nil.
local Node = {}
Node.__index = Node
local head = setmetatable({ v = 1 }, Node)
local last = head
for i = 2, 10 do
  local n = setmetatable({ v = i }, Node)
  last.next = n
  last = n
end
local function sum(h)
  local s = 0
  while h do
    s = s + h.v
    h = h.next
  end
  return s
end
for _ = 1, 30 do assert(sum(head) == 55) end
head.next.next = nil
for _ = 1, 30 do assert(sum(head) == 3) end

-- Indexing the nil a missing field gave: the error names the field and the line.
local function bad(x) return x.missing.deeper end
local ok, err = pcall(bad, o)
assert(not ok and err:find("jit_index_nil.lua:%d+:") and err:find("missing"), err)

print("ok")
