//! Small helpers the library bindings share: argument checking in the `luaL_check*` style,
//! raising errors, making strings, calling Lua functions and reading native upvalues.
//!
//! These are thin; where the interpreter offers the same service (aux.rs) they delegate
//! to it, so that messages ("bad argument #1 to 'sub' (number expected, got nil)") come
//! from one place.

use alloc::string::String;
use alloc::vec::Vec;

use moonjet_bytecode::num::{self, Number};

use crate::error::{LuaError, LuaResult};
use crate::gc::Gc;
use crate::state::Lua;
use crate::string::LuaStr;
use crate::table::Table;
use crate::value::Value;

/// Number of arguments of the running native function.
#[inline]
pub fn nargs(l: &Lua) -> usize {
    l.arg_count()
}

/// `luaL_error`: an error message with the caller's position prepended.
pub fn rt_error(l: &mut Lua, msg: &str) -> LuaError {
    l.error_str(msg)
}

/// "bad argument #n to 'f' (msg)".
pub fn arg_error(l: &mut Lua, n: usize, msg: &str) -> LuaError {
    l.arg_error(n, msg)
}

/// "bad argument #n to 'f' (T expected, got U)".
pub fn type_error(l: &mut Lua, n: usize, expected: &str) -> LuaError {
    l.type_error(n, expected)
}

/// A string's numeric value, if it converts.
pub fn str_number(s: &LuaStr) -> Option<Number> {
    num::str_to_number(s.as_bytes())
}

/// Value → number with string coercion.
pub fn to_number(v: Value) -> Option<Number> {
    match v {
        Value::Int(i) => Some(Number::Int(i)),
        Value::Float(f) => Some(Number::Float(f)),
        Value::Str(s) => str_number(&s),
        _ => None,
    }
}

/// Value → integer with string coercion and exact float conversion.
pub fn to_integer(v: Value) -> Option<i64> {
    to_number(v).and_then(Number::to_i64_exact)
}

/// `luaL_checkinteger`.
#[inline]
pub fn check_int(l: &mut Lua, n: usize) -> LuaResult<i64> {
    l.check_int(n)
}

/// `luaL_optinteger`.
#[inline]
pub fn opt_int(l: &mut Lua, n: usize, default: i64) -> LuaResult<i64> {
    l.opt_int(n, default)
}

/// `luaL_checknumber` keeping the subtype.
pub fn check_number(l: &mut Lua, n: usize) -> LuaResult<Number> {
    match to_number(l.arg(n)) {
        Some(x) => Ok(x),
        None => Err(type_error(l, n, "number")),
    }
}

/// `luaL_checknumber` as a float.
pub fn check_num(l: &mut Lua, n: usize) -> LuaResult<f64> {
    check_number(l, n).map(Number::to_f64)
}

/// `luaL_optnumber` as a float.
pub fn opt_num(l: &mut Lua, n: usize, default: f64) -> LuaResult<f64> {
    if l.arg(n).is_nil() {
        Ok(default)
    } else {
        check_num(l, n)
    }
}

/// The string form of a number (`tostring`).
pub fn number_bytes(x: Number) -> Vec<u8> {
    let mut s = String::new();
    x.fmt_lua(&mut s);
    s.into_bytes()
}

/// `luaL_checklstring`: a string, or a number converted to one.
#[inline]
pub fn check_str(l: &mut Lua, n: usize) -> LuaResult<Gc<LuaStr>> {
    l.check_str(n)
}

/// `luaL_optlstring` (`None` when absent or nil).
pub fn opt_str(l: &mut Lua, n: usize) -> LuaResult<Option<Gc<LuaStr>>> {
    if l.arg(n).is_nil() {
        Ok(None)
    } else {
        check_str(l, n).map(Some)
    }
}

/// `luaL_checktype(L, n, LUA_TTABLE)`.
pub fn check_table(l: &mut Lua, n: usize) -> LuaResult<Gc<Table>> {
    match l.arg(n) {
        Value::Table(t) => Ok(t),
        _ => Err(type_error(l, n, "table")),
    }
}

/// `luaL_checkany`.
pub fn check_any(l: &mut Lua, n: usize) -> LuaResult<Value> {
    l.check_any(n)
}

/// `lua_toboolean` of argument `n`.
pub fn arg_bool(l: &Lua, n: usize) -> bool {
    l.arg(n).truthy()
}

/// A new string value.
pub fn str_value(l: &mut Lua, bytes: &[u8]) -> Value {
    Value::Str(l.intern(bytes))
}

/// Pushes a new string.
pub fn push_bytes(l: &mut Lua, bytes: &[u8]) {
    let v = str_value(l, bytes);
    l.push(v);
}

/// Pushes `fail` (nil) and a message: the library's soft-error convention.
pub fn push_fail(l: &mut Lua, msg: &str) -> usize {
    l.push(Value::Nil);
    push_bytes(l, msg.as_bytes());
    2
}

/// Calls `f` with `args`, wanting `nres` results (-1: all); returns the results.
pub fn call_value(l: &mut Lua, f: Value, args: &[Value], nres: i32) -> LuaResult<Vec<Value>> {
    let func_idx = l.top;
    l.push(f);
    for &a in args {
        l.push(a);
    }
    l.call(func_idx, nres)?;
    let res: Vec<Value> = l.stack[func_idx..l.top].to_vec();
    l.top = func_idx;
    Ok(res)
}

/// Calls `f` with `args` and returns its first result.
pub fn call1(l: &mut Lua, f: Value, args: &[Value]) -> LuaResult<Value> {
    l.call_value_1(f, args)
}

/// Upvalue `i` (0-based) of the running native closure (nil if none).
pub fn upvalue(l: &Lua, i: usize) -> Value {
    l.native_upval(i)
}

/// Replaces upvalue `i` of the running native closure.
pub fn set_upvalue(l: &mut Lua, i: usize, v: Value) {
    l.set_native_upval(i, v)
}

/// A native closure value with the given upvalues.
pub fn new_closure(l: &mut Lua, func: crate::func::NativeFn, upvals: &[Value]) -> Value {
    l.new_native_closure(func, upvals)
}

/// Relative string position (`posrelat` of `string.find`'s init): 1-based, clipped at 1.
pub fn pos_relative(pos: i64, len: usize) -> usize {
    if pos > 0 {
        pos as usize
    } else if pos == 0 || pos.unsigned_abs() > len as u64 {
        1
    } else {
        (len as i64 + pos + 1) as usize
    }
}

/// End position of `string.sub` and friends: negative counts from the end, clipped to `len`.
pub fn end_relative(pos: i64, len: usize) -> usize {
    if pos > len as i64 {
        len
    } else if pos >= 0 {
        pos as usize
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        (len as i64 + pos + 1) as usize
    }
}

/// The metatable of any value (strings share `l.string_meta`).
pub fn metatable_of(l: &Lua, v: Value) -> Option<Gc<Table>> {
    l.metatable(v)
}

/// Field `name` of `v`'s metatable (raw), nil if none.
pub fn meta_field(l: &mut Lua, v: Value, name: &str) -> Value {
    match metatable_of(l, v) {
        Some(mt) => {
            let key = l.intern(name.as_bytes());
            mt.get_str(key)
        }
        None => Value::Nil,
    }
}

/// `luaL_tolstring`: `tostring(v)` honouring `__tostring` and `__name`.
pub fn tostring(l: &mut Lua, v: Value) -> LuaResult<Gc<LuaStr>> {
    l.tostring(v)
}

/// `t[k]` with `__index` (`lua_gettable`).
pub fn index(l: &mut Lua, obj: Value, key: Value) -> LuaResult<Value> {
    l.index(obj, key)
}

/// `t[k] = v` with `__newindex` (`lua_settable`).
pub fn set_index(l: &mut Lua, obj: Value, key: Value, val: Value) -> LuaResult<()> {
    l.set_index(obj, key, val)
}

/// `luaL_len`: `#v` with `__len`, which must give an integer.
pub fn len_of(l: &mut Lua, v: Value) -> LuaResult<i64> {
    let n = l.len(v)?;
    match to_integer(n) {
        Some(n) => Ok(n),
        None => Err(rt_error(l, "object length is not an integer")),
    }
}

/// `a < b` with Lua semantics (numbers, strings, then `__lt`).
pub fn less_than(l: &mut Lua, a: Value, b: Value) -> LuaResult<bool> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x < y),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::Str(x), Value::Str(y)) => Ok(x.as_bytes() < y.as_bytes()),
        _ => l.less_than(a, b),
    }
}

/// Running Lua snippets with every library open, for the library's unit tests.
#[cfg(test)]
pub(crate) mod testlua {
    use alloc::string::String;
    use alloc::vec::Vec;

    use crate::state::Lua;
    use crate::value::Value;

    /// `moonjet_compiler::compile` with the `CompileFn` signature.
    fn compile(src: &[u8], name: &[u8]) -> Result<moonjet_bytecode::Proto, String> {
        moonjet_compiler::compile(src, name).map_err(|e| e.message)
    }

    /// Runs `src` (chunk name `=t`) and returns its results as text, or the error.
    pub fn run(src: &str) -> Result<Vec<String>, String> {
        let mut l = Lua::new();
        l.set_compiler(compile);
        super::super::open_libs(&mut l);
        let show = |l: &Lua, v: Value| String::from_utf8_lossy(&l.tostring_basic(v)).into_owned();
        let f = l
            .load(src.as_bytes(), b"=t", "t", None)
            .map_err(|e| show(&l, e.value))?;
        match l.pcall_with_traceback(f, &[]) {
            Ok(vs) => Ok(vs.iter().map(|v| show(&l, *v)).collect()),
            Err((v, _)) => Err(show(&l, v)),
        }
    }

    /// Asserts that `src` returns exactly `want` (results joined with ",").
    pub fn check(src: &str, want: &str) {
        match run(src) {
            Ok(v) => assert_eq!(v.join(","), want, "chunk: {src}"),
            Err(e) => panic!("error {e} in chunk: {src}"),
        }
    }

    /// Asserts that `src` fails with exactly `want`.
    pub fn check_err(src: &str, want: &str) {
        match run(src) {
            Ok(v) => panic!("expected error {want}, got {v:?}: {src}"),
            Err(e) => assert_eq!(e, want, "chunk: {src}"),
        }
    }
}
