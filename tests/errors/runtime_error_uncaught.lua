-- A runtime error (not a syntax error) also exits with status 1.
local t = {}
local v = t.field.sub
