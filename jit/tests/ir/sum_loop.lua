-- A numeric for loop: FORPREP, the loop body, FORLOOP (the loop header is an entry).
local function sum(n)
  local s = 0
  for i = 1, n do
    s = s + i
  end
  return s
end
