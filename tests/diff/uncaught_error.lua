-- Prints some lines, then dies with an uncaught error (exit status 1).
for i = 1, 3 do print("line", i) end
local t = {name = "x"}
print(t.name, #t)
error("fatal: giving up")
print("never printed")
