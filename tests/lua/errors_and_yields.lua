-- Errors and yields travel as one boxed signal (ERROR-BOX in interp/src/error.rs);
-- yields reuse one box. Error values keep their identity through pcall, coroutines
-- and nesting; yields interleave with errors raised and caught in the same coroutine;
-- a yield inside pcall inside a coroutine resumes into the pcall. Run interpreted and
-- compiled.

-- Error objects of every kind arrive unchanged.
do
  local obj = {}
  for _, v in ipairs({ obj, 42, 2.5, true, "msg", print }) do
    local ok, e = pcall(error, v)
    assert(not ok and rawequal(e, v))
  end
  local ok, e = pcall(error)
  assert(not ok and e == nil)
  local ok2, e2 = pcall(error, "where", 1)
  assert(not ok2 and e2 == "where")
  local ok3, e3 = pcall(function() error("here") end)
  assert(not ok3 and e3:find("errors_and_yields.lua:%d+: here"), e3)
end

-- Many yields, with errors raised and caught between them in the coroutine.
do
  local co = coroutine.wrap(function(n)
    local caught = 0
    for i = 1, n do
      local ok, e = pcall(function()
        if i % 3 == 0 then error({ i = i }) end
        return i
      end)
      if not ok then
        caught = caught + e.i
      end
      coroutine.yield(i)
    end
    return "done", caught
  end)
  local sum = 0
  local r = co(3000)
  while r ~= "done" do
    sum = sum + r
    r = co()
  end
  assert(sum == 3000 * 3001 // 2)
end

-- A yield inside pcall inside a coroutine, then an error after the resume: the pcall
-- catches it in the coroutine.
do
  local co = coroutine.create(function()
    local results = {}
    for k = 1, 50 do
      local ok, e = pcall(function()
        local v = coroutine.yield(k)
        if v % 2 == 0 then error("even " .. v, 0) end
        return v
      end)
      results[#results + 1] = ok and e or ("E:" .. e)
    end
    return table.concat(results, " ", 1, 4)
  end)
  local ok, v = coroutine.resume(co)
  local last
  while coroutine.status(co) ~= "dead" do
    ok, last = coroutine.resume(co, v * 10 + (v % 2))
    assert(ok, last)
    v = last
  end
  assert(last == "11 E:even 20 31 E:even 40", last)
end

-- An error that ends a coroutine after yields: resume returns it, the coroutine is
-- dead, and resuming again says so; wrap raises it with its position.
do
  local err = setmetatable({}, { __tostring = function() return "custom" end })
  local co = coroutine.create(function()
    for i = 1, 10 do coroutine.yield(i) end
    error(err)
  end)
  for i = 1, 10 do
    local ok, v = coroutine.resume(co)
    assert(ok and v == i)
  end
  local ok, e = coroutine.resume(co)
  assert(not ok and rawequal(e, err))
  assert(coroutine.status(co) == "dead")
  local ok2, e2 = coroutine.resume(co)
  assert(not ok2 and e2 == "cannot resume dead coroutine")
  local w = coroutine.wrap(function() coroutine.yield(1); error("wrapped") end)
  assert(w() == 1)
  local ok3, e3 = pcall(w)
  assert(not ok3 and e3:find("wrapped"), e3)
end

-- Yields across nested coroutines (each level yields to the one below).
do
  local function level(n)
    if n == 0 then
      return coroutine.wrap(function()
        for i = 1, 5 do coroutine.yield(i) end
      end)
    end
    local inner = level(n - 1)
    return coroutine.wrap(function()
      for v in inner do coroutine.yield(v * 2) end
    end)
  end
  local got = {}
  for v in level(6) do got[#got + 1] = v end
  assert(#got == 5 and got[1] == 64 and got[5] == 320)
end

-- Runtime errors keep their messages and tracebacks (xpcall's handler sees them).
do
  local function bad() local t = nil; return t.x end
  local ok, tb = xpcall(bad, debug.traceback)
  assert(not ok and tb:find("attempt to index a nil value") and tb:find("in function"), tb)
  local ok2, e2 = pcall(function() return 1 + {} end)
  assert(not ok2 and e2:find("attempt to perform arithmetic on a table value"), e2)
  local ok3, e3 = pcall(string.rep)
  assert(not ok3 and e3:find("bad argument #1 to 'string.rep'", 1, true), e3)
end

print("errors_and_yields ok")
