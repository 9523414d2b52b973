-- lib/patterns: string.find (plain and pattern), match, gmatch and gsub on short
-- and medium subjects.
-- Size: n, the number of outer iterations.
local n = tonumber(arg and arg[1]) or 20000
local line = "2024-05-17 12:34:56 user=alice id=4711 msg=hello world, again"
local h = 0
for i = 1, n do
  h = h + (line:find("id=", 1, true) or 0)
  h = h + (line:find("%d+", 20) or 0)
  local y, m, d = line:match("^(%d+)-(%d+)-(%d+)")
  h = h + #y + #m + #d
  local user = line:match("user=(%w+)")
  h = h + #user
  for k, v in line:gmatch("(%w+)=(%w+)") do
    h = h + #k + #v
  end
  local r, c = line:gsub("%s+", " ")
  h = h + #r + c
  local r2 = line:gsub("(%w+)=(%w+)", "%2=%1")
  h = h + #r2
  h = h % 1000003
end
print("patterns", n, h)
