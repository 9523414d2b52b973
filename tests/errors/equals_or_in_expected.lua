-- A for loop needs '=' or 'in' after its first name.
for i 1, 2 do end
