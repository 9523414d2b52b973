//! Interpreter tests through the real compiler: calls, varargs, metamethods, errors
//! with variable names, tracebacks, coroutines, deep recursion and tail calls.

use alloc::string::String;
use alloc::vec::Vec;

use crate::value::Value;
use crate::Lua;

/// `moonjet_compiler::compile` with the `CompileFn` signature.
fn compile(src: &[u8], name: &[u8]) -> Result<moonjet_bytecode::Proto, String> {
    moonjet_compiler::compile(src, name).map_err(|e| e.message)
}

/// A state with the compiler and the base libraries.
fn state() -> Lua {
    let mut l = Lua::new();
    l.set_compiler(compile);
    l.open_base();
    l
}

/// Text of a value (strings raw, others as `tostring` without metamethods).
fn show(l: &Lua, v: Value) -> String {
    String::from_utf8_lossy(&l.tostring_basic(v)).into_owned()
}

/// Runs a chunk and returns its results as text, or the error message.
fn run(src: &str) -> Result<Vec<String>, String> {
    let mut l = state();
    let f = l
        .load(src.as_bytes(), b"=test", "t", None)
        .map_err(|e| show(&l, e.value))?;
    match l.pcall_with_traceback(f, &[]) {
        Ok(vs) => Ok(vs.iter().map(|v| show(&l, *v)).collect()),
        Err((v, _)) => Err(show(&l, v)),
    }
}

/// Runs a chunk that must return exactly `want` (joined with ",").
fn check(src: &str, want: &str) {
    match run(src) {
        Ok(v) => assert_eq!(v.join(","), want, "chunk: {src}"),
        Err(e) => panic!("error {e} in chunk: {src}"),
    }
}

/// Runs a chunk that must fail with exactly `want`.
fn check_err(src: &str, want: &str) {
    match run(src) {
        Ok(v) => panic!("expected error {want}, got {v:?}: {src}"),
        Err(e) => assert_eq!(e, want, "chunk: {src}"),
    }
}

#[test]
fn calls_returns_varargs() {
    check(
        "local function f(a, b) return b, a end return f(1, 2)",
        "2,1",
    );
    check(
        "local function f(...) return select('#', ...), ... end return f(1, nil, 3)",
        "3,1,nil,3",
    );
    check(
        "local function f(a, ...) local t = {...} return a, #t end return f(1, 2, 3)",
        "1,2",
    );
    check(
        "local function f() return 1, 2, 3 end local t = {f(), f()} return #t",
        "4",
    );
    check("local function f() end return (f())", "nil");
    check("return select(-1, 'a', 'b')", "b");
    check("local function f(n) if n == 0 then return 'done' end return f(n - 1) end return f(1000000)", "done");
}

#[test]
fn loops() {
    check("local s = 0 for i = 1, 10 do s = s + i end return s", "55");
    check(
        "local s = 0 for i = 10, 1, -3 do s = s + i end return s",
        "22",
    );
    check("local n = 0 for i = 1, 0 do n = n + 1 end return n", "0");
    check(
        "local n = 0 for i = 0x7ffffffffffffffe, 0x7fffffffffffffff do n = n + 1 end return n",
        "2",
    );
    check(
        "local s = 0 for i = 1, 2, 0.5 do s = s + i end return s",
        "4.5",
    );
    check(
        "local t = {} for k, v in next, {10, 20} do t[#t + 1] = k + v end return t[1], t[2]",
        "11,22",
    );
    check_err("for i = 1, 10, 0 do end", "test:1: 'for' step is zero");
    check_err(
        "for i = 1, {} do end",
        "test:1: bad 'for' limit (number expected, got table)",
    );
}

#[test]
fn metamethods() {
    check(
        "local t = setmetatable({}, {__index = function(t, k) return k * 2 end}) return t[21]",
        "42",
    );
    check(
        "local b = {x = 5} local t = setmetatable({}, {__index = b}) return t.x",
        "5",
    );
    check(
        "local log = {} local t = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v * 10) end}) t.a = 1 return t.a",
        "10",
    );
    check("local mt = {__add = function(a, b) return 'sum' end} local t = setmetatable({}, mt) return t + 1, 1 + t", "sum,sum");
    check("local mt = {__lt = function(a, b) return true end} local t = setmetatable({}, mt) return t < t, t > t", "true,true");
    check("local mt = {__le = function(a, b) return false end} local t = setmetatable({}, mt) return t <= 1, 2 >= t", "false,false");
    check("local mt = {__eq = function(a, b) return true end} return setmetatable({}, mt) == setmetatable({}, mt)", "true");
    check("local mt = {__concat = function(a, b) return 'c' end} local t = setmetatable({}, mt) return 'a' .. 'b' .. t .. 'd'", "abc");
    check("local mt = {__concat = function(a, b) return type(a) == 'table' and 'T' or a .. 'T' end}\n local t = setmetatable({}, mt) return 1 .. t .. 2 .. 3", "1T");
    check(
        "local t = setmetatable({}, {__call = function(self, a) return a + 1 end}) return t(41)",
        "42",
    );
    check(
        "local t = setmetatable({}, {__len = function() return 7 end}) return #t",
        "7",
    );
    check(
        "local t = setmetatable({}, {__unm = function() return 'neg' end}) return -t",
        "neg",
    );
    check(
        "return 'abc' < 'abd', 'a' <= 'a', 'b' > 'a'",
        "true,true,true",
    );
    check("return 10 .. 20, 1.5 .. ''", "1020,1.5");
}

#[test]
fn to_be_closed() {
    check(
        "local log = {}\n\
         do\n\
           local a <close> = setmetatable({}, {__close = function() log[#log + 1] = 'a' end})\n\
           local b <close> = setmetatable({}, {__close = function() log[#log + 1] = 'b' end})\n\
         end\n\
         return log[1], log[2]",
        "b,a",
    );
    check(
        "local got\n\
         local ok, e = pcall(function()\n\
           local x <close> = setmetatable({}, {__close = function(_, err) got = err end})\n\
           error('boom', 0)\n\
         end)\n\
         return ok, e, got",
        "false,boom,boom",
    );
    check(
        "local n = 0\n\
         local function f()\n\
           local x <close> = setmetatable({}, {__close = function() n = n + 1 end})\n\
           return 1, 2, 3\n\
         end\n\
         local a, b, c = f() return a, c, n",
        "1,3,1",
    );
    check_err(
        "local x <close> = 42",
        "test:1: variable 'x' got a non-closable value",
    );
}

#[test]
fn error_messages() {
    check_err(
        "return x + 1",
        "test:1: attempt to perform arithmetic on a nil value (global 'x')",
    );
    check_err(
        "local t = {} return t.a.b",
        "test:1: attempt to index a nil value (field 'a')",
    );
    check_err(
        "local s = 'x' return s()",
        "test:1: attempt to call a string value (local 's')",
    );
    check_err(
        "local t = {} t:nomethod()",
        "test:1: attempt to call a nil value (method 'nomethod')",
    );
    check_err(
        "undefined()",
        "test:1: attempt to call a nil value (global 'undefined')",
    );
    check_err(
        "return 1 < 'x'",
        "test:1: attempt to compare number with string",
    );
    check_err(
        "return {} < {}",
        "test:1: attempt to compare two table values",
    );
    check_err(
        "local a = 1 return a // 0",
        "test:1: attempt to divide by zero",
    );
    check_err(
        "local a = 1 return a % 0",
        "test:1: attempt to perform 'n%0'",
    );
    check_err(
        "local x return x .. 'a'",
        "test:1: attempt to concatenate a nil value (local 'x')",
    );
    check_err("error('msg')", "test:1: msg");
    check_err("error('msg', 0)", "msg");
    check_err("local t = {} t[nil] = 1", "test:1: table index is nil");
    check_err(
        "return setmetatable(1, {})",
        "test:1: bad argument #1 to 'setmetatable' (table expected, got number)",
    );
    check("return select('#', pcall(error, {}))", "2");
}

#[test]
fn pcall_and_xpcall() {
    check("return pcall(function(a) return a, 2 end, 1)", "true,1,2");
    check("return pcall(error, 'x', 0)", "false,x");
    check("return pcall(pcall, error, 'x')", "true,false,x");
    check(
        "return xpcall(error, function(m) return 'h:' .. m end, 'e')",
        "false,h:e",
    );
    check(
        "return select('#', xpcall(error, function(m) error('again') end, 'e'))",
        "2",
    );
    check(
        "local ok, e = pcall(nil) return ok, e",
        "false,attempt to call a nil value",
    );
}

#[test]
fn coroutines() {
    check(
        "local co = coroutine.create(function(a, b)\n\
           local c = coroutine.yield(a + b)\n\
           local d, e = coroutine.yield(c * 2)\n\
           return d + e\n\
         end)\n\
         local _, x = coroutine.resume(co, 1, 2)\n\
         local _, y = coroutine.resume(co, 10)\n\
         local _, z = coroutine.resume(co, 3, 4)\n\
         return x, y, z, coroutine.status(co), coroutine.resume(co)",
        "3,20,7,dead,false,cannot resume dead coroutine",
    );
    // yield across pcall and inside metamethods and iterators
    check(
        "local co = coroutine.wrap(function()\n\
           local ok, v = pcall(function() return coroutine.yield(1) + 1 end)\n\
           local t = setmetatable({}, {__index = function(t, k) return coroutine.yield(k) end})\n\
           local w = t.key\n\
           return ok, v, w\n\
         end)\n\
         local a = co() local b = co(41) local c, d, e = co('got')\n\
         return a, b, c, d, e",
        "1,key,true,42,got",
    );
    check(
        "local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)\n\
         local s = 0 for v in gen do s = s + v end return s",
        "6",
    );
    check_err(
        "local f = coroutine.wrap(function() error('oops') end) f()",
        "test:1: test:1: oops",
    );
    check(
        "return coroutine.isyieldable(), coroutine.running() ~= nil",
        "false,true",
    );
    check(
        "local co = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() _G.closed = true end}) coroutine.yield() end)\n\
         coroutine.resume(co) return coroutine.close(co), closed, coroutine.status(co)",
        "true,true,dead",
    );
    check_err(
        "coroutine.yield()",
        "test:1: attempt to yield from outside a coroutine",
    );
}

/// Runs `f` on a thread with a main-thread-sized Rust stack (natives calling back into
/// Lua nest up to `MAX_CCALLS` interpreter activations on it).
fn with_big_stack(f: fn()) {
    let t = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(f)
        .expect("thread");
    if let Err(e) = t.join() {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn deep_recursion_and_overflow() {
    with_big_stack(deep_recursion_and_overflow_body);
}

/// Body of `deep_recursion_and_overflow`.
fn deep_recursion_and_overflow_body() {
    check(
        "local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end return d(190000)",
        "190000",
    );
    let r = run("local function f() return 1 + f() end return f()");
    assert!(
        matches!(&r, Err(e) if e == "test:1: stack overflow"),
        "{r:?}"
    );
    check(
        "local function f() return 1 + f() end local ok = pcall(f) return ok, pcall(f)",
        "false,false,test:1: stack overflow",
    );
    // metamethods that recurse through instructions hit the C-call-like bound
    let r =
        run("local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x");
    assert!(
        matches!(&r, Err(e) if e.ends_with("C stack overflow")),
        "{r:?}"
    );
    // natives calling back into Lua recurse on the Rust stack: bounded too
    let r = run("local t = setmetatable({}, {__tostring = function(s) return tostring(s) end}) return tostring(t)");
    assert!(
        matches!(&r, Err(e) if e.contains("stack overflow")),
        "{r:?}"
    );
}

#[test]
fn tracebacks() {
    let mut l = state();
    let src = "local function f() error('boom') end\nlocal t = {g = function() f() end}\nt.g()\n";
    let f = l
        .load(src.as_bytes(), b"@t.lua", "t", None)
        .unwrap_or_default();
    let Err((_, tb)) = l.pcall_with_traceback(f, &[]) else {
        panic!("no error")
    };
    assert_eq!(
        tb,
        "t.lua:1: boom\nstack traceback:\n\t[C]: in function 'error'\n\tt.lua:1: in upvalue 'f'\n\t\
         t.lua:2: in field 'g'\n\tt.lua:3: in main chunk\n\t[C]: in ?"
    );
}

#[test]
fn resume_moves_values_between_stacks() {
    // Arguments and results travel straight between the two threads' stacks: none,
    // a few, and more than a handful, both ways; a finished coroutine's results too.
    check(
        "local co = coroutine.wrap(function(...)\n\
           local n = select('#', ...)\n\
           local t = {coroutine.yield(n, ...)}\n\
           local s = 0 for i = 1, #t do s = s + t[i] end\n\
           coroutine.yield()\n\
           return s, #t, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\n\
         end)\n\
         local a = {co(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)}\n\
         local b = select('#', co(10, 20, 30, 40, 50, 60, 70, 80, 90))\n\
         local c = {co()}\n\
         return #a, a[1], a[13], b, #c, c[1], c[2], c[12]",
        "13,12,12,0,12,450,9,10",
    );
}

#[test]
fn upvalue_and_array_reads_copy_whole_values() {
    // GETUPVAL from a closed cell, from an open slot of this thread and of another
    // thread; GETI from the array part, from a nil array slot under `__index`, from
    // the hash part.
    check(
        "local open = 5\n\
         local function mk() local c = 7 return function() return c end end\n\
         local closed = mk()\n\
         local function here() return open end\n\
         local other = coroutine.wrap(function() coroutine.yield(open + 1) end)\n\
         local t = setmetatable({1, nil, 3}, {__index = function(_, k) return k * 10 end})\n\
         local h = {[4] = 'four'}\n\
         return closed(), here(), other(), t[1], t[2], t[3], t[5], h[4]",
        "7,5,6,1,20,3,50,four",
    );
}

#[test]
fn whole_value_writes_keep_handles() {
    let mut l = state();
    let t = l.new_table(0, 0);
    let mut v = Value::Nil;
    Value::write_table(&mut v, t);
    assert!(matches!(v, Value::Table(h) if h == t));
    Value::write(&mut v, Value::Table(t));
    assert!(matches!(v, Value::Table(h) if h == t));
    Value::write_nil(&mut v);
    assert!(v.is_nil());
    // NEWTABLE, CLOSURE, LOADNIL, SETUPVAL and nil-filled parameters end to end.
    let r = run("local up = 1
        local function f(a, b, c) local x, y; up = {a, b, c, x, y}; return up end
        local t = f(7)
        return #t, t[1], t[2], type(f), up == t")
    .unwrap();
    assert_eq!(r, ["1", "7", "nil", "function", "true"]);
}

#[test]
fn array_fast_paths_keep_metamethod_rules() {
    // GETTABLE/GETI: a nil array slot consults __index, a present one does not.
    check(
        "local t = setmetatable({1, nil, 3}, {__index = function(_, k) return 'mt' .. k end})\n\
         local i = 2 return t[1], t[2], t[i], t[3], t[4]",
        "1,mt2,mt2,3,mt4",
    );
    // SETTABLE/SETI: a present array slot is overwritten raw; a nil one consults
    // __newindex.
    check(
        "local log = '' local t = setmetatable({1, nil, 3}, {__newindex = function(_, k, v) log = log .. k .. '=' .. v .. ';' end})\n\
         local i, j = 1, 2 t[1] = 10 t[i] = 11 t[2] = 20 t[j] = 21 t[3] = 'x'\n\
         return t[1], rawget(t, 2), t[3], log",
        "11,nil,x,2=20;2=21;",
    );
    // Constant values stored through the array part, and float keys normalised.
    check(
        "local t = {0, 0, 0} t[1] = 'k' t[2] = 2.5 local f = 3.0 t[f] = true return t[1], t[2], t[3]",
        "k,2.5,true",
    );
    // Out-of-array integer keys and non-table values take the general paths.
    check(
        "local t = {} for i = 1, 20 do t[i] = i * i end t[100] = 1 return #t, t[20], t[100], t[0]",
        "20,400,1,nil",
    );
    check_err(
        "local x = 5 local i = 1 return x[i]",
        "test:1: attempt to index a number value (local 'x')",
    );
    check_err(
        "local x local i = 1 x[i] = 1",
        "test:1: attempt to index a nil value (local 'x')",
    );
}

#[test]
fn integer_immediates_and_for_loops() {
    // ADDI/SHRI on integers, floats and values with metamethods.
    check(
        "local a, f = 40, 1.5 return a + 2, f + 2, a >> 1, -1 >> 60, a >> -2",
        "42,3.5,20,15,160",
    );
    check_err(
        "local s = 'x' return s >> 1",
        "test:1: attempt to perform bitwise operation on a string value (local 's')",
    );
    check(
        "local mt = {__add = function(a, b) return type(a) .. '+' .. type(b) end,\n\
         __shr = function(a, b) return type(a) .. '>>' .. b end}\n\
         local t = setmetatable({}, mt) return t + 1, 1 + t, t >> 3",
        "table+number,number+table,table>>3",
    );
    // The loop counter and index are updated in place; the visible variable is a copy.
    check(
        "local s, n = 0, 0 for i = 1, 100 do s = s + i i = i * 1000 n = n + 1 end return s, n",
        "5050,100",
    );
    check(
        "local s = '' for i = -3, 3, 2 do s = s .. i .. ';' end return s",
        "-3;-1;1;3;",
    );
}

#[test]
fn upvalues_open_closed_and_of_other_threads() {
    // Open upvalues of the running thread (GETUPVAL/SETUPVAL's straight path), then
    // the same cells closed.
    check(
        "local x, t = 1, {5} local function f() x = x + t[1] return x end\n\
         local a = f() local b = f() return a, b, x",
        "6,11,11",
    );
    check(
        "local function mk() local n = 0 return function() n = n + 1 return n end end\n\
         local c = mk() c() c() return c()",
        "3",
    );
    // An open upvalue of a suspended coroutine, read and written from the main thread.
    check(
        "local get, set\n\
         local co = coroutine.create(function()\n\
           local v = 'co'\n\
           get = function() return v end\n\
           set = function(x) v = x end\n\
           coroutine.yield()\n\
           return v\n\
         end)\n\
         coroutine.resume(co)\n\
         local before = get() set('main') local mid = get()\n\
         local _, after = coroutine.resume(co)\n\
         return before, mid, after",
        "co,main,main",
    );
}
