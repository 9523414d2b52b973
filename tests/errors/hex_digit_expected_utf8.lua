-- \u{} needs at least one hexadecimal digit.
local s = "\u{}"
