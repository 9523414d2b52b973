-- The life of machine code (CODE-CACHE in interp/src/jit_iface/codecache.rs): code of
-- collected functions is freed by starting a new generation, and jit.opt.start sets
-- the JIT's options. Run interpreted (-joff: the JIT's counters stay still, only the
-- results are checked) and with every function compiled at its first call.

local compiling = jit ~= nil and jit.status()

-- jit.opt.start takes `name=value` strings and refuses anything else.
if jit then
  jit.opt.start() -- nothing to set
  for _, bad in ipairs({ "nosuch=1", "hotcall", "hotcall=x", "maxmcode=-1", "=3" }) do
    local ok, err = pcall(jit.opt.start, bad)
    assert(not ok, bad)
    assert(err:find("unknown or malformed optimization flag '" .. bad .. "'", 1, true), err)
  end
  local ok, err = pcall(jit.opt.start, "hotloop=1", {})
  assert(not ok and err:find("bad argument #2 to '", 1, true), err)
  assert(err:find("(string expected, got table)", 1, true), err)
end

-- Many short-lived functions, each compiled (in the compiled run) and then collected,
-- under a small cap: their code must be freed and compiling must go on.
do
  if jit then
    jit.opt.start("maxmcode=256") -- KiB per generation
  end
  local before = jit and jit.stats()
  local total = 0
  for i = 1, 600 do
    local f = load("local a, b = ... local s = 0 for k = a, b do s = s + k * " .. i .. " end return s")
    total = total + f(1, 10)
    if i % 5 == 0 then
      collectgarbage()
    end
  end
  assert(total == 55 * (600 * 601 // 2), total)
  if compiling then
    local after = jit.stats()
    assert(after.code_flushes > before.code_flushes, "the code of collected functions was never freed")
    assert(after.compiled - before.compiled >= 600, "compiling stopped: " .. (after.compiled - before.compiled))
  end
  if jit then
    jit.opt.start("maxmcode=65536")
  end
end

-- A flush (explicit or automatic) while compiled code is running on the stack: the
-- running activations finish correctly.
do
  local function inner(n)
    if jit then
      jit.flush()
    end
    return n * 2
  end
  local function outer(n)
    local s = 0
    for i = 1, n do
      s = s + inner(i)
    end
    return s
  end
  assert(outer(100) == 10100)
  assert(outer(100) == 10100)
end

print("jit_codecache ok")
