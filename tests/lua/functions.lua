-- Function definitions and calls: syntax sugar, methods, scoping, multiple returns.

-- call sugar: string and table arguments
local function id(...) return ... end
assert(id"str" == "str")
assert(id[[long]] == "long")
assert(id{1, 2}[2] == 2)
assert(type(id{}) == "table")
local s = ("x"):rep(3)
assert(s == "xxx")

-- function statement forms
local M = {sub = {}}
function M.f(a) return a end
function M.sub.g(a) return a * 2 end
function M:method(a) return self, a end
function M.sub:deep() return self end
assert(M.f(1) == 1 and M.sub.g(2) == 4)
local self_, a = M:method(5)
assert(self_ == M and a == 5)
assert(M.sub:deep() == M.sub)
assert(M.method(M, 6) == M)

-- global function definitions
function global_fn_for_test() return "g" end
assert(global_fn_for_test() == "g")
global_fn_for_test = nil

-- methods receive self through ":" and the object expression is evaluated once
local evals = 0
local obj = {v = 3}
function obj:get() return self.v end
local function getobj() evals = evals + 1; return obj end
assert(getobj():get() == 3 and evals == 1)

-- chained calls
local function chain(n) return function(m) return function(k) return n + m + k end end end
assert(chain(1)(2)(3) == 6)
local builder = {parts = {}}
function builder:add(p) self.parts[#self.parts + 1] = p; return self end
builder:add("a"):add("b"):add("c")
assert(table.concat(builder.parts) == "abc")

-- return with parentheses, empty return, return in the middle of a block via do ... end
local function early(x)
  if x then return "early" end
  do return "do-block" end
end
assert(early(true) == "early" and early(false) == "do-block")
local function nothing() return end
assert(select("#", nothing()) == 0)
local function nothing2() end
assert(select("#", nothing2()) == 0)

-- arguments are evaluated left to right
local order = {}
local function rec(x) order[#order + 1] = x; return x end
local function args(...) return ... end
args(rec(1), rec(2), rec(3))
assert(table.concat(order) == "123")

-- functions are first class values
local ops = {add = function(x, y) return x + y end, mul = function(x, y) return x * y end}
assert(ops.add(2, 3) == 5 and ops["mul"](2, 3) == 6)
local function apply(fn, ...) return fn(...) end
assert(apply(math.max, 3, 9, 2) == 9)

-- scoping: locals shadow, blocks end scope
local x = 1
do
  local x = 2
  assert(x == 2)
  do
    local x = x + 1
    assert(x == 3)
  end
  assert(x == 2)
end
assert(x == 1)
local x = x + 10 -- new local initialised from the old one
assert(x == 11)

-- many locals and many arguments
local function many(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16)
  return a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15 + a16
end
assert(many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16) == 136)
do
  local l1, l2, l3, l4, l5, l6, l7, l8, l9, l10 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  local l11, l12, l13, l14, l15, l16, l17, l18, l19, l20 = 11, 12, 13, 14, 15, 16, 17, 18, 19, 20
  assert(l1 + l20 == 21 and l10 + l11 == 21)
end

-- a function with 150 locals and 250 arguments built with load
local names = {}
for i = 1, 150 do names[i] = "v" .. i end
local src = "local " .. table.concat(names, ", ") .. " = " ..
  string.rep("1, ", 149) .. "1\nreturn " .. table.concat(names, " + ")
assert(load(src)() == 150)
local params = {}
for i = 1, 200 do params[i] = "p" .. i end
local f = load("return function(" .. table.concat(params, ",") .. ") return p1 + p200 end")()
local argv = {}
for i = 1, 200 do argv[i] = i end
assert(f(table.unpack(argv)) == 201)

-- semicolons and empty statements
;;; local y = 1; ; assert(y == 1);

-- recursive anonymous function through a local declared first
local fib
fib = function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
assert(fib(20) == 6765)

-- function values compare by identity
local g1 = function() end
local g2 = g1
assert(g1 == g2)
