-- A vector class with metamethods, printed.
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
V.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, b)
  if type(a) == "number" then return vec(a * b.x, a * b.y) end
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__unm = function(a) return vec(-a.x, -a.y) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__lt = function(a, b) return a:len() < b:len() end
V.__le = function(a, b) return a:len() <= b:len() end
V.__len = function(a) return 2 end
V.__tostring = function(a) return "(" .. a.x .. ", " .. a.y .. ")" end
V.__concat = function(a, b) return tostring(a) .. tostring(b) end
V.__call = function(a, k) return a[k] end
V.__name = "Vector"
function V:len() return math.sqrt(self.x * self.x + self.y * self.y) end
local a, b = vec(3, 4), vec(1, 2)
print(a, b, a + b, a - b, a * b, 2 * a, a * 3, -a)
print(a == vec(3, 4), a ~= b, a < b, b < a, a <= a, #a, a("x"), a("y"))
print(a .. b, a .. "!", "v=" .. b)
print(a:len(), tostring(vec(0.5, -0.0)))
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "get " .. tostring(k); return k end,
  __newindex = function(t, k, v) log[#log + 1] = "set " .. tostring(k); rawset(t, k, v) end,
})
print(proxy.a, proxy[1])
proxy.b = 2
proxy.b = 3
print(proxy.b, table.concat(log, "; "))
local ro = setmetatable({}, {__index = {x = 1}, __newindex = function() error("read-only table", 2) end})
print(ro.x, pcall(function() ro.x = 2 end))
print(getmetatable(setmetatable({}, {__metatable = "hidden"})))
local default = setmetatable({}, {__index = function() return 0 end})
default.hits = default.hits + 1
default.hits = default.hits + 1
print(default.hits, default.misses)
