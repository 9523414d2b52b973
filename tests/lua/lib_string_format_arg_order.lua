local ok, msg = pcall(string.format, "%")
assert(not ok and msg == "bad argument #2 to 'format' (no value)" or msg:find("bad argument #2 to 'string.format' (no value)", 1, true), msg)
