-- \u must be followed by '{'.
local s = "\u0041"
