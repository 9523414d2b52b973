-- mandelbrot: escape-time iteration over a grid of the complex plane; measures
-- tight floating-point loops with comparisons and no allocation.
-- Size: n, the grid is n x n points over [-2, 0.5] x [-1.25, 1.25], 100 iterations max.
-- LuaJIT: runs.
-- groups: core
-- quick: 40
-- expect: mandelbrot 1200x1200 inside = 356781 iterations = 42103247
-- expect-quick: mandelbrot 40x40 inside = 413 iterations = 48059
local n = tonumber(arg and arg[1]) or 1200
local max_iter = 100

local inside, total = 0, 0
for py = 0, n - 1 do
  local ci = -1.25 + 2.5 * py / n
  for px = 0, n - 1 do
    local cr = -2.0 + 2.5 * px / n
    local zr, zi = 0.0, 0.0
    local iter = 0
    while iter < max_iter do
      local zr2, zi2 = zr * zr, zi * zi
      if zr2 + zi2 > 4.0 then
        break
      end
      zi = 2.0 * zr * zi + ci
      zr = zr2 - zi2 + cr
      iter = iter + 1
    end
    if iter == max_iter then
      inside = inside + 1
    end
    total = total + iter
  end
end
print(string.format("mandelbrot %dx%d inside = %d iterations = %d", n, n, inside, total))
