-- package library and require (manual §6.3). Runs with tests/lua as the working
-- directory; fixture modules live in tests/lua/modules/.

-- The library's shape --------------------------------------------------------

assert(type(package) == "table")
assert(type(require) == "function")
assert(package.config == "/\n;\n?\n!\n-\n")
assert(type(package.path) == "string" and type(package.cpath) == "string")
assert(type(package.preload) == "table")
assert(type(package.searchers) == "table" and #package.searchers == 4)
for i = 1, 4 do assert(type(package.searchers[i]) == "function") end
assert(package.loaded.package == package)
assert(package.loaded._G == _G)
assert(package.loaded.string == string)
assert(package.loaded.table == table)
assert(package.loaded.math == math)

-- Already loaded modules: one result, no search.
assert(require("string") == string)
assert(select("#", require("string")) == 1)
assert(require("_G") == _G)

-- package.loadlib: no dynamic libraries.
do
  local f, msg, where = package.loadlib("./nosuch.so", "luaopen_nosuch")
  assert(f == nil)
  assert(type(msg) == "string" and #msg > 0)
  assert(where == "absent" or where == "open")
end

-- package.searchpath ------------------------------------------------------------

do
  local f, msg = package.searchpath("a.b", "x/?.lua;y/?/z.lua")
  assert(f == nil)
  assert(msg == "no file 'x/a/b.lua'\n\tno file 'y/a/b/z.lua'", msg)

  f, msg = package.searchpath("a.b", "x/?.lua;y/?/z.lua", "", "_")
  assert(f == nil and msg == "no file 'x/a.b.lua'\n\tno file 'y/a.b/z.lua'", msg)

  f, msg = package.searchpath("a.b", "x/?.lua;;y/?/z.lua;", ".", "+")
  assert(f == nil)
  assert(msg == "no file 'x/a+b.lua'\n\tno file ''\n\tno file 'y/a+b/z.lua'\n\tno file ''", msg)

  f, msg = package.searchpath("a.b.c", "?", "b", "")
  assert(f == nil and msg == "no file 'a..c'", msg)

  f, msg = package.searchpath("m", "")
  assert(f == nil and msg == "no file ''", msg)

  -- Found: the first readable template wins; every '?' is replaced.
  f = package.searchpath("pk_simple", "./nowhere/?.lua;./modules/?.lua;./modules/?.txt")
  assert(f == "./modules/pk_simple.lua", f)
  f = package.searchpath("pkdir.sub", "./modules/?.lua")
  assert(f == "./modules/pkdir/sub.lua", f)
  f = package.searchpath("pkdir", "./modules/?.lua;./modules/?/init.lua")
  assert(f == "./modules/pkdir/init.lua", f)
  f = package.searchpath("pk", "./modules/?_simple.lua")
  assert(f == "./modules/pk_simple.lua", f)
  f = package.searchpath(12, "./?.nothing")
  assert(f == nil)
end

-- Argument errors.
do
  local ok, err = pcall(require)
  assert(not ok and err == "bad argument #1 to 'require' (string expected, got no value)", err)
  ok, err = pcall(require, nil)
  assert(not ok and err == "bad argument #1 to 'require' (string expected, got nil)", err)
  ok, err = pcall(require, {})
  assert(not ok and err == "bad argument #1 to 'require' (string expected, got table)", err)
  ok, err = pcall(package.searchpath, "a")
  assert(not ok and err:find("bad argument #2 to '[%w.]*searchpath' %(string expected, got no value%)"), err)
  ok, err = pcall(package.searchpath, "a", "?", 1, {})
  assert(not ok and err:find("bad argument #4 to '[%w.]*searchpath' %(string expected, got table%)"), err)
  ok, err = pcall(package.loadlib)
  assert(not ok and err:find("bad argument #1 to '[%w.]*loadlib' %(string expected, got no value%)"), err)
end

-- Loading Lua files ----------------------------------------------------------

package.path = "./modules/?.lua;./modules/?/init.lua"
package.cpath = "./modules/?.so"

-- The loader gets (name, file name); require returns the value and the file name.
do
  local m, file = require("pk_simple")
  assert(type(m) == "table")
  assert(m.name == "pk_simple" and m.file == "./modules/pk_simple.lua" and m.nargs == 2)
  assert(file == "./modules/pk_simple.lua")
  assert(package.loaded.pk_simple == m)
  assert(require("pk_simple") == m)
  assert(select("#", require("pk_simple")) == 1)
end

-- Modules run once; clearing package.loaded runs them again.
do
  PK_COUNTER_LOADS = nil
  assert(require("pk_counter") == 1)
  assert(require("pk_counter") == 1)
  assert(PK_COUNTER_LOADS == 1)
  package.loaded.pk_counter = nil
  assert(require("pk_counter") == 2)
  package.loaded.pk_counter = false -- false counts as not loaded
  assert(require("pk_counter") == 3)
end

-- No result: true is stored; a module may set package.loaded itself.
do
  local v, file = require("pk_nil")
  assert(v == true and PK_NIL_RAN == true and file == "./modules/pk_nil.lua")
  assert(package.loaded.pk_nil == true)
  assert(require("pk_setloaded") == "set by module")
  assert(package.loaded.pk_setloaded == "set by module")
  -- false is a value like any other, kept as is (and so loaded again next time).
  assert(require("pk_false") == false)
  assert(package.loaded.pk_false == false)
  -- Only the loader's first result counts.
  local a, b = require("pk_twice")
  assert(a == "first" and b == "./modules/pk_twice.lua")
end

-- ?/init.lua templates and dotted names.
do
  local init = require("pkdir")
  assert(init.kind == "init" and init.file == "./modules/pkdir/init.lua")
  local sub = require("pkdir.sub")
  assert(sub.kind == "sub" and sub.name == "pkdir.sub" and sub.parent == init)
end

-- Errors while running a module propagate; nothing is stored.
do
  local ok, err = pcall(require, "pk_error")
  assert(not ok and err == "./modules/pk_error.lua:2: pk_error failed", err)
  assert(package.loaded.pk_error == nil)
end

-- Syntax errors are reported with the module and file name.
do
  local ok, err = pcall(require, "pk_syntax")
  assert(not ok)
  local prefix = "error loading module 'pk_syntax' from file './modules/pk_syntax.lua':\n\t"
  assert(err:sub(1, #prefix) == prefix, err)
  assert(err:find("./modules/pk_syntax.lua:3:", #prefix, true), err)
  assert(err:find("<eof>", #prefix, true), err)
end

-- A first line starting with '#' is skipped, line numbers unchanged.
do
  PK_SHEBANG_FAIL = true
  local ok, err = pcall(require, "pk_shebang")
  assert(not ok and err == "./modules/pk_shebang.lua:3: shebang line 3", err)
  PK_SHEBANG_FAIL = nil
  assert(require("pk_shebang") == "shebang ok")
end

-- Module not found: every searcher's places, in order -----------------------

do
  local ok, err = pcall(require, "pk_missing")
  assert(not ok)
  assert(err == "module 'pk_missing' not found:\n"
    .. "\tno field package.preload['pk_missing']\n"
    .. "\tno file './modules/pk_missing.lua'\n"
    .. "\tno file './modules/pk_missing/init.lua'\n"
    .. "\tno file './modules/pk_missing.so'", err)

  -- A dotted name also tries the root's C library (searcher 4).
  ok, err = pcall(require, "pk_missing.deep.mod")
  assert(not ok)
  assert(err == "module 'pk_missing.deep.mod' not found:\n"
    .. "\tno field package.preload['pk_missing.deep.mod']\n"
    .. "\tno file './modules/pk_missing/deep/mod.lua'\n"
    .. "\tno file './modules/pk_missing/deep/mod/init.lua'\n"
    .. "\tno file './modules/pk_missing/deep/mod.so'\n"
    .. "\tno file './modules/pk_missing.so'", err)

  -- Called from Lua code (not through pcall), the error carries the caller's position;
  -- errors raised inside a searcher (called by require) do not.
  ok, err = pcall(function() return require("pk_missing") end)
  assert(not ok and err:find("^package_require%.lua:%d+: module 'pk_missing' not found:\n"), err)
  ok, err = pcall(function() return require("pk_syntax") end)
  assert(not ok and err:find("^error loading module 'pk_syntax'"), err)

  -- A number is converted to a string name.
  ok, err = pcall(require, 12)
  assert(not ok and err:find("module '12' not found:", 1, true), err)
end

-- The searchers read package.path/cpath at each call.
do
  local saved = package.path
  package.path = "./nowhere/?.lua"
  local ok, err = pcall(require, "pk_simple_again")
  assert(not ok and err:find("\n\tno file './nowhere/pk_simple_again.lua'\n", 1, true), err)
  package.path = 42
  ok, err = pcall(require, "pk_x")
  assert(not ok and err:find("no file '42'", 1, true), err)
  package.path = {}
  ok, err = pcall(require, "pk_x")
  assert(not ok and err == "'package.path' must be a string", err)
  package.path = saved
  package.cpath = nil
  ok, err = pcall(require, "pk_x")
  assert(not ok and err == "'package.cpath' must be a string", err)
  package.cpath = "./modules/?.so"
end

-- package.preload -----------------------------------------------------------

do
  local got
  package.preload.pk_pre = function(...)
    got = table.pack(...)
    return { preloaded = true }
  end
  local m, data = require("pk_pre")
  assert(m.preloaded and data == ":preload:")
  assert(got.n == 2 and got[1] == "pk_pre" and got[2] == ":preload:")
  assert(package.loaded.pk_pre == m)
  -- preload wins over files.
  package.preload.pk_counter = function() return "from preload" end
  package.loaded.pk_counter = nil
  assert(require("pk_counter") == "from preload")
  package.preload.pk_counter = nil
  -- A preload loader that returns nothing stores true.
  package.preload.pk_pre_nil = function() end
  assert(require("pk_pre_nil") == true)
end

-- package.loaded and package.preload are the registry tables: replacing the fields
-- does not change what require uses.
do
  local loaded, preload = package.loaded, package.preload
  package.loaded = {}
  package.preload = {}
  assert(require("string") == string)
  preload.pk_reg = function() return "registry preload" end
  assert(require("pk_reg") == "registry preload")
  assert(loaded.pk_reg == "registry preload")
  package.loaded, package.preload = loaded, preload
end

-- Custom searchers ----------------------------------------------------------

do
  local saved = package.searchers
  local calls = {}
  package.searchers = {
    function(name) calls[#calls + 1] = "s1 " .. name; return "first message" end,
    function(name) calls[#calls + 1] = "s2 " .. name; return nil end,
    function(name) calls[#calls + 1] = "s3 " .. name; return 7 end,
    function(name) calls[#calls + 1] = "s4 " .. name; return "\n\tindented" end,
  }
  local ok, err = pcall(require, "pk_custom")
  assert(not ok)
  assert(err == "module 'pk_custom' not found:\n\tfirst message\n\t7\n\t\n\tindented", err)
  assert(#calls == 4 and calls[1] == "s1 pk_custom" and calls[4] == "s4 pk_custom")

  -- The first searcher returning a function provides the loader and its data.
  package.searchers = {
    function() return "skipped" end,
    function(name) return function(n, extra) return n .. "|" .. extra end, "extra-" .. name end,
    function() error("not reached") end,
  }
  local v, data = require("pk_custom")
  assert(v == "pk_custom|extra-pk_custom" and data == "extra-pk_custom")

  -- Loader data may be absent.
  package.searchers = { function() return function(n, extra) return extra == nil end end }
  v, data = require("pk_custom2")
  assert(v == true and data == nil)

  package.searchers = {}
  ok, err = pcall(require, "pk_none")
  assert(not ok and err == "module 'pk_none' not found:", err)

  package.searchers = nil
  ok, err = pcall(require, "pk_none")
  assert(not ok and err == "'package.searchers' must be a table", err)

  -- Searcher errors propagate.
  package.searchers = { function() error("searcher failed", 0) end }
  ok, err = pcall(require, "pk_none")
  assert(not ok and err == "searcher failed", err)

  package.searchers = saved
end

-- require keeps working without the global package table.
do
  local pkg = package
  package = nil
  assert(require("pk_simple") == pkg.loaded.pk_simple)
  local ok, err = pcall(require, "pk_missing")
  assert(not ok and err:find("no file './modules/pk_missing.lua'", 1, true), err)
  package = pkg
end

-- The standard searchers can be called directly.
do
  local loader, file = package.searchers[2]("pk_simple")
  assert(type(loader) == "function" and file == "./modules/pk_simple.lua")
  local m = loader("direct", file)
  assert(m.name == "direct" and m.file == file)
  local msg = package.searchers[1]("pk_nothing")
  assert(msg == "no field package.preload['pk_nothing']", msg)
  msg = package.searchers[2]("pk_nothing")
  assert(msg == "no file './modules/pk_nothing.lua'\n\tno file './modules/pk_nothing/init.lua'", msg)
  msg = package.searchers[3]("pk_nothing")
  assert(msg == "no file './modules/pk_nothing.so'", msg)
  assert(select("#", package.searchers[4]("pk_nothing")) == 0)
  msg = package.searchers[4]("pk_nothing.x")
  assert(msg == "no file './modules/pk_nothing.so'", msg)
end

-- A C library that exists is an error (moonjet cannot load C libraries; lua5.4 fails
-- on this empty file too).
do
  local ok, err = pcall(require, "pk_clib")
  local prefix = "error loading module 'pk_clib' from file './modules/pk_clib.so':\n\t"
  assert(not ok and err:sub(1, #prefix) == prefix, err)
  -- Found by the root searcher (4) for a dotted name.
  ok, err = pcall(require, "pk_clib.sub")
  prefix = "error loading module 'pk_clib.sub' from file './modules/pk_clib.so':\n\t"
  assert(not ok and err:sub(1, #prefix) == prefix, err)
end
