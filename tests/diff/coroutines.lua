-- Coroutines: producer/consumer, generators, statuses, printed.
local function producer()
  return coroutine.create(function()
    for i = 1, 5 do coroutine.yield("item" .. i) end
    return "done"
  end)
end
local p = producer()
while true do
  local ok, v = coroutine.resume(p)
  print(ok, v, coroutine.status(p))
  if coroutine.status(p) == "dead" then break end
end
print(coroutine.resume(p))
local function perms(a, n)
  n = n or #a
  if n <= 1 then coroutine.yield(a) else
    for i = 1, n do
      a[n], a[i] = a[i], a[n]
      perms(a, n - 1)
      a[n], a[i] = a[i], a[n]
    end
  end
end
for p2 in coroutine.wrap(function() perms({1, 2, 3}) end) do print(table.concat(p2, " ")) end
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "end", d + e
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.resume(co))
local e = coroutine.create(function() local x = nil; return x.y end)
print(coroutine.resume(e))
print(coroutine.isyieldable(), coroutine.wrap(function() return coroutine.isyieldable() end)())
print(select(2, coroutine.running()))
