-- matmul: multiply two dense n x n matrices stored as arrays of row arrays;
-- measures nested loops with two-level array indexing and float multiply-add.
-- Size: n, the matrix order (the work grows like n^3).
-- LuaJIT: runs.
-- quick: 30
-- expect: matmul(350) trace -1791547.875000 corner 15268.625357
-- expect-quick: matmul(30) trace -1161.208333 corner 108.629167
local n = tonumber(arg and arg[1]) or 350

-- An n x n matrix whose entries come from f(i, j).
local function matrix(f)
  local m = {}
  for i = 1, n do
    local row = {}
    for j = 1, n do
      row[j] = f(i, j)
    end
    m[i] = row
  end
  return m
end

-- The product a * b, with the loops in i-k-j order so the inner loop walks rows.
local function multiply(a, b)
  local c = matrix(function() return 0.0 end)
  for i = 1, n do
    local ai, ci = a[i], c[i]
    for k = 1, n do
      local aik, bk = ai[k], b[k]
      for j = 1, n do
        ci[j] = ci[j] + aik * bk[j]
      end
    end
  end
  return c
end

local a = matrix(function(i, j) return (i - j) / n end)
local b = matrix(function(i, j) return (i + j) / (2 * n) end)
local c = multiply(a, b)
c = multiply(c, a)
local trace, corner = 0.0, c[n][1]
for i = 1, n do
  trace = trace + c[i][i]
end
print(string.format("matmul(%d) trace %.6f corner %.6f", n, trace, corner))
