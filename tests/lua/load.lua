-- load: text chunks, chunk names, modes, environments, reader functions.

-- a text chunk is a vararg function
local f = load("return 1 + 1")
assert(type(f) == "function" and f() == 2)
f = load("local a, b = ...; return b, a")
local x, y = f(1, 2)
assert(x == 2 and y == 1)
f = load("return select('#', ...)")
assert(f(nil, nil, nil) == 3)

-- a chunk can define globals
load("loaded_global = 'yes'")()
assert(loaded_global == "yes")
loaded_global = nil

-- syntax errors: nil plus message with chunk name
local fn, err = load("return +", "=name")
assert(fn == nil and err == "name:1: unexpected symbol near '+'", err)
fn, err = load("return +")
assert(fn == nil and err == [[[string "return +"]:1: unexpected symbol near '+']], err)
fn, err = load("x = ", "@file.lua")
assert(fn == nil and err == "file.lua:1: unexpected symbol near <eof>", err)
fn, err = load("\n\nx = = 1", "=lines")
assert(err == "lines:3: unexpected symbol near '='", err)

-- chunk names in runtime errors
local ok, msg = pcall(load("error('x')", "=(custom)"))
assert(not ok and msg == "(custom):1: x", msg)
ok, msg = pcall(load("error('x')", "@path/to/script.lua"))
assert(msg == "path/to/script.lua:1: x", msg)
ok, msg = pcall(load(" error('x')"))
assert(msg == [[[string " error('x')"]:1: x]], msg)
ok, msg = pcall(load("\n error('x')"))
assert(msg == [[[string "..."]:2: x]], msg)
ok, msg = pcall(load("error('x') -- first line\n-- second line"))
assert(msg == [[[string "error('x') -- first line..."]:1: x]], msg)
ok, msg = pcall(load("error('x')", "a chunk name that is much too long to be shown in full in an error message, really"))
assert(string.find(msg, '^%[string "a chunk name that is much too long.-%.%.%."%]:1: x$'), msg)

-- mode argument
fn, err = load("return 1", "c", "b")
assert(fn == nil and err == "attempt to load a text chunk (mode is 'b')", err)
fn, err = load("\27Lua binary-looking", "c", "t")
assert(fn == nil and err == "attempt to load a binary chunk (mode is 't')", err)
assert(load("return 1", "c", "t")() == 1)
assert(load("return 1", "c", "bt")() == 1)
fn = load("\27not really a chunk")
assert(fn == nil)

-- env argument becomes the _ENV upvalue
local env = {y = 5}
f = load("x = 10; return y", "=env", "t", env)
assert(f() == 5 and env.x == 10 and rawget(_G, "x") == nil)
f = load("return print", "=env", "t", {})
assert(f() == nil)
f = load("return _ENV", "=env", "t", env)
assert(f() == env)
-- nil env: globals are inaccessible
f = load("return x", "=nilenv", "t", nil)
ok, msg = pcall(f)
assert(ok == false or msg == nil) -- indexing a nil _ENV is an error
f = load("return x", "=nilenv", "t", nil)
ok, msg = pcall(f)
assert(not ok and string.find(msg, "attempt to index a nil value (upvalue '_ENV')", 1, true), msg)
-- env shared with the caller's table
local shared = setmetatable({}, {__index = _G})
load("counter = (counter or 0) + 1", "=s", "t", shared)()
load("counter = (counter or 0) + 1", "=s", "t", shared)()
assert(shared.counter == 2 and rawget(_G, "counter") == nil)

-- _ENV as a local changes global resolution
do
  local _ENV = {tostring = tostring, assert = assert}
  z = 1
  assert(z == 1)
  local _ = tostring(1)
end
assert(rawget(_G, "z") == nil)
local function with_env()
  local _ENV <const> = {a = "A"}
  return a
end
assert(with_env() == "A")

-- reader function: pieces are concatenated; nil or "" ends
local pieces = {"ret", "urn ", "4", "2", nil}
local i = 0
f = load(function() i = i + 1; return pieces[i] end)
assert(f() == 42)
local parts = {"local a = 1\n", "", "return a"}
i = 0
f = load(function() i = i + 1; return parts[i] end)
assert(f() == nil) -- the empty string ends the chunk early: "local a = 1\n"
i = 0
f = load(function() i = i + 1; if i == 1 then return "return 'one char at a time'" end end, "=reader")
assert(f() == "one char at a time")
-- a reader returning a non-string is an error
fn, err = load(function() return {} end)
assert(fn == nil and string.find(err, "reader function must return a string", 1, true), err)
-- a reader raising an error: load returns it (inside pcall, so that lua5.4's
-- standalone message handler does not decorate it)
ok, fn, err = pcall(load, function() error("reader broke", 0) end)
assert(ok and fn == nil and err == "reader broke", err)
-- a reader giving the code one byte at a time
local src = "local t = {} for k = 1, 10 do t[k] = k * k end return t[10]"
i = 0
f = load(function() i = i + 1; return src:sub(i, i) end)
assert(f() == 100)

-- load does not run the chunk; each call gives a fresh closure
local runs = 0
_G.bump = function() runs = runs + 1 end
f = load("bump()")
assert(runs == 0)
f(); f()
assert(runs == 2)
assert(load("return 1") ~= load("return 1"))
_G.bump = nil

-- shebang lines are only skipped by the standalone interpreter, not load
assert(load("#!/bin/lua\nreturn 1") == nil)

-- bad arguments
ok = pcall(load)
assert(not ok)
ok = pcall(load, 5)  -- numbers are converted to strings: "5" is a syntax error, not a raise
assert(ok)

-- a chunk returning many values
f = load("return 1, 2, 3, ...")
assert(select("#", f(4, 5)) == 5)
