-- Varargs: counts, select, packing and truncation printed.
local function show(...)
  print(select("#", ...), ...)
end
show()
show(nil)
show(1, nil, 3)
show(nil, nil)
local function pass(...) return ... end
show(pass(1, 2, 3))
show(pass(1, 2, 3), 4)
show((pass(1, 2, 3)))
show(select(2, "a", "b", "c"))
show(select(-2, "a", "b", "c"))
show(table.unpack({1, 2, nil, 4}, 1, 4))
local function tail(...) return select("#", ...), ... end
show(tail(nil, nil, nil))
local t = {pass(1, 2), pass(3, 4)}
print(#t, t[1], t[2], t[3])
local function sum(...)
  local s = 0
  for _, v in ipairs({...}) do s = s + v end
  return s
end
print(sum(), sum(1), sum(1, 2, 3, 4, 5))
print(string.format("%d %s %q", 1, "two", "three"))
