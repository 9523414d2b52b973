-- A numeric for takes only one name.
for a, b = 1, 2 do end
