local function forever() return coroutine.wrap(forever)() end
local ok, msg = pcall(forever)
assert(not ok and msg:find("stack overflow"), msg)
local function forever2() local co = coroutine.create(forever2); return select(2, coroutine.resume(co)) end
ok, msg = pcall(forever2)
assert(ok and msg:find("stack overflow") or not ok, msg)
