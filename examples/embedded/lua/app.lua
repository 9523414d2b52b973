-- The firmware script of the embedded example: precompiled at build time, run in place.
local ticks = 0

local function blink(n)
  for i = 1, n do
    ticks = ticks + 1
    uart_write(string.format("led %s (tick %d)\n", i % 2 == 1 and "on" or "off", ticks))
  end
end

local sensors = {}
for i = 1, 8 do
  sensors[i] = { id = i, value = math.sin(i) * 100 // 1 }
end
table.sort(sensors, function(a, b) return a.value < b.value end)

blink(4)
local ids = {}
for _, s in ipairs(sensors) do ids[#ids + 1] = s.id end
print("sensors by value: " .. table.concat(ids, " "))
print(("checksum %x"):format(#ids * 0x1234 + ticks))
return ticks
