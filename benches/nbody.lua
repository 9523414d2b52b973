-- nbody: a leapfrog simulation of the Sun and the four giant planets; measures
-- floating-point arithmetic on fields of small tables and sqrt.
-- Size: n, the number of time steps of 0.01 days.
-- LuaJIT: runs.
-- quick: 1000
-- expect: nbody 700000 steps energy -0.169075164 -> -0.169093698
-- expect-quick: nbody 1000 steps energy -0.169075164 -> -0.169087605
local steps = tonumber(arg and arg[1]) or 700000

local PI = 3.141592653589793
local SOLAR_MASS = 4 * PI * PI
local YEAR = 365.24

-- Positions in AU, velocities in AU/year, masses in solar masses.
local function body(x, y, z, vx, vy, vz, mass)
  return {
    x = x, y = y, z = z,
    vx = vx * YEAR, vy = vy * YEAR, vz = vz * YEAR,
    mass = mass * SOLAR_MASS,
  }
end

local bodies = {
  body(0, 0, 0, 0, 0, 0, 1),
  body(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
       1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
       9.54791938424326609e-04),
  body(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
       -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
       2.85885980666130812e-04),
  body(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
       2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
       4.36624404335156298e-05),
  body(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
       2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
       5.15138902046611451e-05),
}
local count = #bodies

-- Give the Sun the momentum that makes the total momentum zero.
local function zero_momentum()
  local px, py, pz = 0.0, 0.0, 0.0
  for i = 1, count do
    local b = bodies[i]
    px = px + b.vx * b.mass
    py = py + b.vy * b.mass
    pz = pz + b.vz * b.mass
  end
  local sun = bodies[1]
  sun.vx = -px / SOLAR_MASS
  sun.vy = -py / SOLAR_MASS
  sun.vz = -pz / SOLAR_MASS
end

-- Kinetic plus potential energy of the system.
local function energy()
  local e = 0.0
  for i = 1, count do
    local a = bodies[i]
    e = e + 0.5 * a.mass * (a.vx * a.vx + a.vy * a.vy + a.vz * a.vz)
    for j = i + 1, count do
      local b = bodies[j]
      local dx, dy, dz = a.x - b.x, a.y - b.y, a.z - b.z
      e = e - a.mass * b.mass / math.sqrt(dx * dx + dy * dy + dz * dz)
    end
  end
  return e
end

-- One step: update velocities pairwise, then move every body.
local function advance(dt)
  for i = 1, count do
    local a = bodies[i]
    local ax, ay, az, am = a.x, a.y, a.z, a.mass
    for j = i + 1, count do
      local b = bodies[j]
      local dx, dy, dz = ax - b.x, ay - b.y, az - b.z
      local d2 = dx * dx + dy * dy + dz * dz
      local mag = dt / (d2 * math.sqrt(d2))
      local bm = b.mass * mag
      a.vx = a.vx - dx * bm
      a.vy = a.vy - dy * bm
      a.vz = a.vz - dz * bm
      local amag = am * mag
      b.vx = b.vx + dx * amag
      b.vy = b.vy + dy * amag
      b.vz = b.vz + dz * amag
    end
  end
  for i = 1, count do
    local b = bodies[i]
    b.x = b.x + dt * b.vx
    b.y = b.y + dt * b.vy
    b.z = b.z + dt * b.vz
  end
end

zero_momentum()
local before = energy()
for _ = 1, steps do
  advance(0.01)
end
print(string.format("nbody %d steps energy %.9f -> %.9f", steps, before, energy()))
