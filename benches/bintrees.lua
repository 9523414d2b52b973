-- bintrees: allocate and walk many complete binary trees of tables, short-lived
-- and long-lived; measures allocation and the garbage collector.
-- Size: n, the maximum tree depth.
-- LuaJIT: runs.
-- quick: 10
-- expect: bintrees depth 15: 6 passes, 6444382 nodes visited
-- expect-quick: bintrees depth 10: 4 passes, 135854 nodes visited
local max_depth = tonumber(arg and arg[1]) or 15
local min_depth = 4

-- A complete tree of the given depth; a leaf is a table with no children.
local function make(depth)
  if depth == 0 then
    return {}
  end
  depth = depth - 1
  return { make(depth), make(depth) }
end

-- Number of nodes in a tree.
local function check(tree)
  local left = tree[1]
  if not left then
    return 1
  end
  return 1 + check(left) + check(tree[2])
end

local checksum = check(make(max_depth + 1))
local long_lived = make(max_depth)
local lines = 0
for depth = min_depth, max_depth, 2 do
  local iterations = 2 ^ (max_depth - depth + min_depth)
  local sum = 0
  for _ = 1, iterations do
    sum = sum + check(make(depth))
  end
  checksum = checksum + sum
  lines = lines + 1
end
checksum = checksum + check(long_lived)
print(string.format("bintrees depth %d: %d passes, %d nodes visited", max_depth, lines, checksum))
