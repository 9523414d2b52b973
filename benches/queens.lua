-- queens: count all placements of n non-attacking queens by backtracking; measures
-- recursion with array reads and writes used as boolean sets.
-- Size: n, the board size (the work grows roughly like n!).
-- LuaJIT: runs.
-- quick: 6
-- expect: queens(12) = 14200 solutions, hash 986515
-- expect-quick: queens(6) = 4 solutions, hash 274512
local n = tonumber(arg and arg[1]) or 12

local cols, up, down = {}, {}, {}
for i = 1, n do
  cols[i] = false
end
for i = 1, 2 * n do
  up[i] = false
  down[i] = false
end

local placed = {}

-- Number of ways to complete the board from this row; also sums a position hash.
local function place(row)
  if row > n then
    local h = 0
    for r = 1, n do
      h = (h * 7 + placed[r]) % 1000003
    end
    return 1, h
  end
  local found, hash = 0, 0
  for c = 1, n do
    local u, d = row + c, row - c + n
    if not cols[c] and not up[u] and not down[d] then
      cols[c], up[u], down[d] = true, true, true
      placed[row] = c
      local f, h = place(row + 1)
      found = found + f
      hash = (hash + h) % 1000003
      cols[c], up[u], down[d] = false, false, false
    end
  end
  return found, hash
end

local solutions, hash
for _ = 1, 3 do
  solutions, hash = place(1)
end
print(string.format("queens(%d) = %d solutions, hash %d", n, solutions, hash))
