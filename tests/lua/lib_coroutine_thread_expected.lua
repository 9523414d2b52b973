-- coroutine functions name the expected type "thread" in argument errors, as lua5.4 does.
for _, name in ipairs({"resume", "status", "close"}) do
  local ok, msg = pcall(coroutine[name], 1)
  assert(not ok and msg:find("(thread expected, got number)", 1, true), name .. ": " .. tostring(msg))
end
