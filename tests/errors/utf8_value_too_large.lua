-- \u{} stops at 2^31 - 1.
local ok = "\u{7FFFFFFF}"
local s = "\u{80000000}"
