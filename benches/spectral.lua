-- spectral: the spectral norm of an infinite matrix by power iteration; measures
-- float division and multiplication in nested loops over arrays, and function calls.
-- Size: n, the order of the truncated matrix (the work grows like n^2).
-- LuaJIT: runs.
-- quick: 50
-- expect: spectral norm(900) = 1.274224146
-- expect-quick: spectral norm(50) = 1.274193837
local n = tonumber(arg and arg[1]) or 900

-- Entry (i, j) of the matrix, 1-based.
local function entry(i, j)
  local s = i + j - 2
  return 1.0 / (s * (s + 1) / 2 + i)
end

-- out := A * v
local function mul_a(v, out)
  for i = 1, n do
    local sum = 0.0
    for j = 1, n do
      sum = sum + entry(i, j) * v[j]
    end
    out[i] = sum
  end
end

-- out := transpose(A) * v
local function mul_at(v, out)
  for i = 1, n do
    local sum = 0.0
    for j = 1, n do
      sum = sum + entry(j, i) * v[j]
    end
    out[i] = sum
  end
end

-- out := transpose(A) * A * v, using tmp as scratch.
local function mul_ata(v, out, tmp)
  mul_a(v, tmp)
  mul_at(tmp, out)
end

local u, v, tmp = {}, {}, {}
for i = 1, n do
  u[i], v[i], tmp[i] = 1.0, 0.0, 0.0
end
for _ = 1, 10 do
  mul_ata(u, v, tmp)
  mul_ata(v, u, tmp)
end
local uv, vv = 0.0, 0.0
for i = 1, n do
  uv = uv + u[i] * v[i]
  vv = vv + v[i] * v[i]
end
print(string.format("spectral norm(%d) = %.9f", n, math.sqrt(uv / vv)))
