//! The `string` library (manual §6.4) minus patterns (`strmatch`) and `format`
//! (`strformat`), plus the string metatable and its arithmetic coercion metamethods.

use alloc::vec::Vec;

use moonjet_bytecode::num::{self, Number, Sink, StackBuf};

use super::strpack::{self, ArgSource, PackError, Unpacked};
use super::util::{
    arg_error, call1, check_int, check_num, check_str, end_relative, meta_field, nargs, opt_int,
    opt_str, pos_relative, push_bytes, rt_error, str_value, to_number,
};
use super::{strformat, strmatch};
use crate::error::{LuaError, LuaResult};
use crate::func::NativeFn;
use crate::state::Lua;
use crate::value::Value;

/// Results up to this many bytes are built on the stack.
const SHORT: usize = 128;

/// Largest string `rep` (and other builders) may produce (C's `INT_MAX`, as `lua5.4`).
const MAX_STRING: usize = i32::MAX as usize;

/// The functions of the `string` table.
pub const FUNCS: &[(&str, NativeFn)] = &[
    ("byte", byte),
    ("char", char),
    ("dump", dump),
    ("find", strmatch::find),
    ("format", strformat::format),
    ("gmatch", strmatch::gmatch),
    ("gsub", strmatch::gsub),
    ("len", len),
    ("lower", lower),
    ("match", strmatch::str_match),
    ("pack", pack),
    ("packsize", packsize),
    ("rep", rep),
    ("reverse", reverse),
    ("sub", sub),
    ("unpack", unpack),
    ("upper", upper),
];

/// `string.len(s)`
fn len(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    l.push(Value::Int(s.len() as i64));
    Ok(1)
}

/// `string.sub(s, i [, j])`
fn sub(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let i = check_int(l, 2)?;
    let j = opt_int(l, 3, -1)?;
    let len = s.len();
    let start = pos_relative(i, len);
    let end = end_relative(j, len);
    let v = if start == 1 && end == len {
        Value::Str(s)
    } else {
        let piece = s.as_bytes().get(start - 1..end).unwrap_or_default();
        str_value(l, piece)
    };
    l.push(v);
    Ok(1)
}

/// `string.byte`'s function, whose identity compiled code tests (`Helpers::string_byte`).
pub(crate) const BYTE: crate::func::NativeFn = byte;

/// `string.byte(s [, i [, j]])`
fn byte(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let i = opt_int(l, 2, 1)?;
    let start = pos_relative(i, s.len());
    // The end defaults to `i` as given (`s:byte(0)` is empty, as in lua5.4), not to
    // the start it is turned into.
    let j = match l.arg(3) {
        Value::Nil => i,
        _ => check_int(l, 3)?,
    };
    let end = end_relative(j, s.len());
    if start > end {
        return Ok(0);
    }
    if end - start >= i32::MAX as usize {
        return Err(rt_error(l, "string slice too long"));
    }
    let bytes = s.as_bytes().get(start - 1..end).unwrap_or_default();
    if let [b] = bytes {
        l.push(Value::Int(i64::from(*b)));
        return Ok(1);
    }
    if l.ensure_stack(l.top + bytes.len()).is_err() {
        return Err(rt_error(l, "stack overflow (string slice too long)"));
    }
    for &b in bytes {
        l.push(Value::Int(i64::from(b)));
    }
    Ok(bytes.len())
}

/// `string.char(...)`
fn char(l: &mut Lua) -> LuaResult<usize> {
    let n = nargs(l);
    let mut out = StackBuf::<SHORT>::new();
    for i in 1..=n {
        let c = check_int(l, i)?;
        if !(0..=255).contains(&c) {
            return Err(arg_error(l, i, "value out of range"));
        }
        out.put(c as u8);
    }
    push_bytes(l, out.as_slice());
    Ok(1)
}

/// `string.dump(f [, strip])`: the binary chunk of a Lua function (format of
/// `moonjet_bytecode::chunk`); native functions cannot be dumped.
fn dump(l: &mut Lua) -> LuaResult<usize> {
    let strip = super::util::arg_bool(l, 2);
    match l.arg(1) {
        Value::LuaFn(c) => {
            let bytes = c.proto.dump(strip);
            push_bytes(l, &bytes);
            Ok(1)
        }
        v if v.is_function() => Err(rt_error(l, "unable to dump given function")),
        _ => Err(super::util::type_error(l, 1, "function")),
    }
}

/// Applies a byte mapping to argument 1.
fn map_bytes(l: &mut Lua, f: fn(u8) -> u8) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let bytes = s.as_bytes();
    let mut small = [0u8; SHORT];
    let long: Vec<u8>;
    let out: &[u8] = match small.get_mut(..bytes.len()) {
        Some(dst) => {
            for (d, &c) in dst.iter_mut().zip(bytes) {
                *d = f(c);
            }
            dst
        }
        None => {
            long = bytes.iter().map(|&c| f(c)).collect();
            &long
        }
    };
    push_bytes(l, out);
    Ok(1)
}

/// `string.lower(s)`
fn lower(l: &mut Lua) -> LuaResult<usize> {
    map_bytes(l, |c| c.to_ascii_lowercase())
}

/// `string.upper(s)`
fn upper(l: &mut Lua) -> LuaResult<usize> {
    map_bytes(l, |c| c.to_ascii_uppercase())
}

/// `string.reverse(s)`
fn reverse(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let mut out = s.as_bytes().to_vec();
    out.reverse();
    push_bytes(l, &out);
    Ok(1)
}

/// `string.rep(s, n [, sep])`
fn rep(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let n = check_int(l, 2)?;
    let sep = opt_str(l, 3)?;
    let sep = sep.as_ref().map_or(&b""[..], |s| s.as_bytes());
    if n <= 0 || s.len() + sep.len() == 0 {
        push_bytes(l, b"");
        return Ok(1);
    }
    let unit = s.len() + sep.len();
    let n = n as u64;
    if unit as u64 > (MAX_STRING as u64) / n {
        return Err(rt_error(l, "resulting string too large"));
    }
    let total = (unit as u64 * n) as usize - sep.len();
    let mut out = Vec::new();
    if out.try_reserve_exact(total).is_err() {
        return Err(rt_error(l, "not enough memory"));
    }
    for i in 0..n {
        out.extend_from_slice(s.as_bytes());
        if i + 1 < n {
            out.extend_from_slice(sep);
        }
    }
    push_bytes(l, &out);
    Ok(1)
}

// ---------------------------------------------------------------------------------------------
// pack / unpack
// ---------------------------------------------------------------------------------------------

/// `pack`'s view of the Lua arguments.
struct LuaArgs<'a>(&'a mut Lua);

/// Converts a Lua error raised while reading an argument into a pack error.
fn lua_err(e: LuaError) -> PackError {
    PackError::Lua(e)
}

impl LuaArgs<'_> {
    /// `lua5.4`'s pack sees a nil (not "no value") past the last argument.
    fn absent(&mut self, n: usize, expected: &str) -> Option<PackError> {
        (n > nargs(self.0))
            .then(|| PackError::Arg(n, alloc::format!("{expected} expected, got nil")))
    }
}

impl ArgSource for LuaArgs<'_> {
    fn int(&mut self, n: usize) -> Result<i64, PackError> {
        if let Some(e) = self.absent(n, "number") {
            return Err(e);
        }
        check_int(self.0, n).map_err(lua_err)
    }
    fn num(&mut self, n: usize) -> Result<f64, PackError> {
        if let Some(e) = self.absent(n, "number") {
            return Err(e);
        }
        check_num(self.0, n).map_err(lua_err)
    }
    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, PackError> {
        if let Some(e) = self.absent(n, "string") {
            return Err(e);
        }
        check_str(self.0, n)
            .map(|s| s.as_bytes().to_vec())
            .map_err(lua_err)
    }
}

/// Raises a pack error as a Lua error.
fn raise_pack(l: &mut Lua, e: PackError) -> LuaError {
    match e {
        PackError::Msg(m) => rt_error(l, &m),
        PackError::Arg(n, m) => arg_error(l, n, &m),
        PackError::Lua(e) => e,
    }
}

/// `string.pack(fmt, v1, ...)`
fn pack(l: &mut Lua) -> LuaResult<usize> {
    let fmt = check_str(l, 1)?;
    match strpack::pack(fmt.as_bytes(), &mut LuaArgs(l)) {
        Ok(bytes) => {
            push_bytes(l, &bytes);
            Ok(1)
        }
        Err(e) => Err(raise_pack(l, e)),
    }
}

/// `string.packsize(fmt)`
fn packsize(l: &mut Lua) -> LuaResult<usize> {
    let fmt = check_str(l, 1)?;
    match strpack::packsize(fmt.as_bytes()) {
        Ok(n) => {
            l.push(Value::Int(n as i64));
            Ok(1)
        }
        Err(e) => Err(raise_pack(l, e)),
    }
}

/// `string.unpack(fmt, s [, pos])`
fn unpack(l: &mut Lua) -> LuaResult<usize> {
    let fmt = check_str(l, 1)?;
    let data = check_str(l, 2)?;
    let pos = opt_int(l, 3, 1)?;
    let pos = pos_relative(pos, data.len()) - 1;
    if pos > data.len() {
        return Err(arg_error(l, 3, "initial position out of string"));
    }
    let (vals, next) =
        strpack::unpack(fmt.as_bytes(), data.as_bytes(), pos).map_err(|e| raise_pack(l, e))?;
    let n = vals.len();
    for v in vals {
        let v = match v {
            Unpacked::Int(i) => Value::Int(i),
            Unpacked::Float(f) => Value::Float(f),
            Unpacked::Str(s) => str_value(l, &s),
        };
        l.push(v);
    }
    l.push(Value::Int(next as i64 + 1));
    Ok(n + 1)
}

// ---------------------------------------------------------------------------------------------
// The string metatable
// ---------------------------------------------------------------------------------------------

/// Arithmetic metamethods of strings: (event name, operator name in messages, operator).
const ARITH: &[(&str, NativeFn)] = &[
    ("__add", arith_add),
    ("__sub", arith_sub),
    ("__mul", arith_mul),
    ("__div", arith_div),
    ("__mod", arith_mod),
    ("__pow", arith_pow),
    ("__unm", arith_unm),
    ("__idiv", arith_idiv),
];

/// The arithmetic operators strings coerce for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Unm,
    Idiv,
}

impl Op {
    /// Event name without underscores, as messages show it ("attempt to add ...").
    fn name(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul => "mul",
            Op::Div => "div",
            Op::Mod => "mod",
            Op::Pow => "pow",
            Op::Unm => "unm",
            Op::Idiv => "idiv",
        }
    }
}

/// `__add` of strings.
fn arith_add(l: &mut Lua) -> LuaResult<usize> {
    string_arith(l, Op::Add)
}
/// `__sub` of strings.
fn arith_sub(l: &mut Lua) -> LuaResult<usize> {
    string_arith(l, Op::Sub)
}
/// `__mul` of strings.
fn arith_mul(l: &mut Lua) -> LuaResult<usize> {
    string_arith(l, Op::Mul)
}
/// `__div` of strings.
fn arith_div(l: &mut Lua) -> LuaResult<usize> {
    string_arith(l, Op::Div)
}
/// `__mod` of strings.
fn arith_mod(l: &mut Lua) -> LuaResult<usize> {
    string_arith(l, Op::Mod)
}
/// `__pow` of strings.
fn arith_pow(l: &mut Lua) -> LuaResult<usize> {
    string_arith(l, Op::Pow)
}
/// `__unm` of strings.
fn arith_unm(l: &mut Lua) -> LuaResult<usize> {
    string_arith(l, Op::Unm)
}
/// `__idiv` of strings.
fn arith_idiv(l: &mut Lua) -> LuaResult<usize> {
    string_arith(l, Op::Idiv)
}

/// Converts both operands to numbers and applies `op`; otherwise tries the second
/// operand's metamethod, otherwise raises "attempt to add a 'string' with a 'table'".
fn string_arith(l: &mut Lua, op: Op) -> LuaResult<usize> {
    let a = l.arg(1);
    let b = if op == Op::Unm { a } else { l.arg(2) };
    if let (Some(x), Some(y)) = (to_number(a), to_number(b)) {
        let r = arith(l, op, x, y)?;
        l.push(r);
        return Ok(1);
    }
    let event = alloc::format!("__{}", op.name());
    let mm = if matches!(b, Value::Str(_)) {
        Value::Nil
    } else {
        meta_field(l, b, &event)
    };
    if mm.is_nil() {
        let msg = alloc::format!(
            "attempt to {} a '{}' with a '{}'",
            op.name(),
            a.type_name(),
            b.type_name()
        );
        return Err(rt_error(l, &msg));
    }
    let r = call1(l, mm, &[a, b])?;
    l.push(r);
    Ok(1)
}

/// Lua arithmetic on two numbers.
fn arith(l: &mut Lua, op: Op, x: Number, y: Number) -> LuaResult<Value> {
    use Number::Int as I;
    Ok(match (op, x, y) {
        (Op::Add, I(a), I(b)) => Value::Int(a.wrapping_add(b)),
        (Op::Sub, I(a), I(b)) => Value::Int(a.wrapping_sub(b)),
        (Op::Mul, I(a), I(b)) => Value::Int(a.wrapping_mul(b)),
        (Op::Unm, I(a), _) => Value::Int(a.wrapping_neg()),
        (Op::Mod, I(a), I(b)) => match num::int_mod(a, b) {
            Some(r) => Value::Int(r),
            None => return Err(l.rt_error("attempt to perform 'n%0'")),
        },
        (Op::Idiv, I(a), I(b)) => match num::int_idiv(a, b) {
            Some(r) => Value::Int(r),
            None => return Err(l.rt_error("attempt to divide by zero")),
        },
        (op, x, y) => {
            let (a, b) = (x.to_f64(), y.to_f64());
            Value::Float(match op {
                Op::Add => a + b,
                Op::Sub => a - b,
                Op::Mul => a * b,
                Op::Div => a / b,
                Op::Mod => num::float_mod(a, b),
                Op::Pow => num::float_pow(a, b),
                Op::Unm => -a,
                Op::Idiv => num::float_idiv(a, b),
            })
        }
    })
}

/// Builds the string metatable (`__index = string` plus the arithmetic metamethods) and
/// installs it as `l.string_meta`.
pub fn set_string_meta(l: &mut Lua, string_lib: Value) {
    let mt = l.new_table(0, 1);
    let key = l.intern_tm_name(crate::vm::meta::Tm::Index);
    mt.set_str(&mut l.heap, key, string_lib);
    mt.add_static(&mut l.heap, crate::static_part!(ARITH));
    l.string_meta = Some(mt);
}

#[cfg(test)]
mod tests {
    use crate::stdlib::util::testlua::{check, check_err};

    #[test]
    fn rep_of_nothing_is_immediate() {
        check(
            "return #string.rep('', 1 << 60), string.rep('ab', 3, ','), string.rep('x', 0)",
            "0,ab,ab,ab,",
        );
        check_err(
            "return string.rep('x', 1 << 40)",
            "t:1: resulting string too large",
        );
    }

    #[test]
    fn dump_gives_a_chunk_for_lua_functions_only() {
        check(
            "return type(string.dump(function() end, true)), select(2, pcall(string.dump, print))",
            "string,unable to dump given function",
        );
    }
}
