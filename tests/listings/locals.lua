local a <const> = 10
local b <const> = a * 2
local c <const> = "str"
local d <close> = nil
local e <const> = {}
local f <const>, g = 1, 2
local h <const> = 1 + a
local function k() return a + b, c, e end
x = a + b + h
local i <const> = 0.5
local j <const> = -0.0
y = i + j
local m <const> = nil
local n <const> = true
z = m or n
return k
