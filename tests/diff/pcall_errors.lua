-- Error messages caught by pcall and printed.
local t = {}
local up
local cases = {
  function() return x + 1 end,
  function() local x; return x .. "a" end,
  function() return t.field.sub end,
  function() return up() end,
  function() t:method() end,
  function() return 1 < "x" end,
  function() return {} < {} end,
  function() return #5 end,
  function() return -{} end,
  function() return 1 // 0 end,
  function() return 1 % 0 end,
  function() return 1.5 | 0 end,
  function() local a = {}; a[nil] = 1 end,
  function() error("plain message") end,
  function() error("no position", 0) end,
  function() error({code = 1}) end,
  function() error() end,
  function() error(42) end,
  function() for i = 1, 10, 0 do end end,
  function() local s <close> = 1 end,
  function() setmetatable(1, {}) end,
  function() ("x"):bad() end,
  function() return math.floor("a") end,
  function() string.rep() end,
  function() return tostring() end,
  function() select(0) end,
  function() return nil .. nil end,
  function() local a = "a" + 1 end,
  function() assert(false) end,
  function() assert(nil, "custom assert") end,
  function() assert(false, 7) end,
}
for i, f in ipairs(cases) do
  local ok, err = pcall(f)
  if type(err) == "table" then err = "table with code " .. tostring(err.code) end
  print(i, ok, err)
end
print(select("#", pcall(error)))
print(xpcall(function() error("in xpcall") end, function(m) return "handled: " .. m end))
print(xpcall(function(a, b) return a + b end, print, 2, 3))
print(pcall(pcall, error, "nested"))
