local ok, msg = pcall(function() return os.difftime(1) end)
assert(not ok and msg:find("bad argument #2 to 'difftime' (number expected, got no value)", 1, true), msg)
