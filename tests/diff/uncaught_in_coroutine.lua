-- An error inside a coroutine.wrap generator propagates and ends the program (exit status 1).
local gen = coroutine.wrap(function()
  for i = 1, 3 do coroutine.yield(i) end
  error("generator exhausted badly")
end)
for i = 1, 10 do print("got", gen()) end
