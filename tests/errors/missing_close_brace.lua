-- \u{ must be closed by '}'.
local s = "\u{41"
