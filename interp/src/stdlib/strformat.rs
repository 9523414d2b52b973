//! `string.format`: walks the format string and drives the number printf engine of
//! `moonjet_bytecode::num` for each conversion; `%q` and `%s` are done here.

use moonjet_bytecode::num::{self, FormatSpec, Sink, StackBuf};

use super::util::{
    arg_error, check_int, check_num, check_str, nargs, push_bytes, rt_error, to_number, tostring,
};
use crate::error::{LuaError, LuaResult};
use crate::state::Lua;
use crate::value::Value;

/// `%s` strings at least this long are copied whole when no precision is given.
const LONG_STRING: usize = 100;

/// Is `c` a conversion `parse_format_spec` accepts? One right after `%` is a spec
/// without modifiers, formatted without parsing (pinned by a test against the parser).
fn is_conversion(c: u8) -> bool {
    matches!(
        c,
        b'a' | b'A'
            | b'c'
            | b'd'
            | b'e'
            | b'E'
            | b'f'
            | b'g'
            | b'G'
            | b'i'
            | b'o'
            | b'p'
            | b'q'
            | b's'
            | b'u'
            | b'x'
            | b'X'
    )
}

/// Bytes of output `string.format` keeps on the stack before moving to the heap.
const OUT_INLINE: usize = 256;

/// The output buffer of one `string.format` call.
type Out = StackBuf<OUT_INLINE>;

/// `string.format(fmt, ...)`
pub fn format(l: &mut Lua) -> LuaResult<usize> {
    let fmt = check_str(l, 1)?;
    let fmt = fmt.as_bytes();
    let top = nargs(l);
    let mut out = Out::new();
    let mut arg = 1;
    let mut i = 0;
    while i < fmt.len() {
        let rest = fmt.get(i..).unwrap_or_default();
        let Some(pct) = rest.iter().position(|&c| c == b'%') else {
            out.put_slice(rest);
            break;
        };
        out.put_slice(rest.get(..pct).unwrap_or_default());
        i += pct + 1;
        if fmt.get(i) == Some(&b'%') {
            out.put(b'%');
            i += 1;
            continue;
        }
        arg += 1;
        if arg > top {
            return Err(arg_error(l, arg, "no value"));
        }
        let (spec, used) = match fmt.get(i) {
            Some(&c) if is_conversion(c) => (FormatSpec::plain(c), 1),
            _ => match num::parse_format_spec(fmt.get(i..).unwrap_or_default()) {
                Ok(r) => r,
                Err(msg) => return Err(spec_error(l, fmt.get(i..).unwrap_or_default(), arg, &msg)),
            },
        };
        i += used;
        format_one(l, &spec, arg, &mut out)?;
    }
    push_bytes(l, out.as_slice());
    Ok(1)
}

/// The error for a spec `parse_format_spec` rejected with `msg`. Like lua5.4, a spec whose
/// conversion is known but whose modifiers are not allowed first checks its argument, so
/// a wrong argument is reported before the bad modifiers.
fn spec_error(l: &mut Lua, rest: &[u8], arg: usize, msg: &str) -> LuaError {
    if msg.starts_with("invalid conversion specification") {
        let run = num::spec_run(rest);
        if let Err(e) = check_arg(l, rest.get(run).copied().unwrap_or(0), arg) {
            return e;
        }
    }
    rt_error(l, msg)
}

/// Checks argument `arg` the way conversion `conv` reads it (a `%s` with modifiers must
/// hold no zeros), without formatting it. `%a`, `%A`, `%c` and `%p` check their spec
/// first in lua5.4, so they check nothing here.
fn check_arg(l: &mut Lua, conv: u8, arg: usize) -> LuaResult<()> {
    match conv {
        b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => check_int(l, arg).map(drop),
        b'e' | b'E' | b'f' | b'g' | b'G' => check_num(l, arg).map(drop),
        b's' => {
            let v = l.arg(arg);
            let s = tostring(l, v)?;
            if s.as_bytes().contains(&0) {
                return Err(arg_error(l, arg, "string contains zeros"));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Argument `arg` as an integer: the common case inline, conversions and errors in
/// `check_int`.
#[inline]
fn int_arg(l: &mut Lua, arg: usize) -> LuaResult<i64> {
    match l.arg(arg) {
        Value::Int(i) => Ok(i),
        _ => check_int(l, arg),
    }
}

/// Argument `arg` as a float, as `int_arg`.
#[inline]
fn float_arg(l: &mut Lua, arg: usize) -> LuaResult<f64> {
    match l.arg(arg) {
        Value::Float(f) => Ok(f),
        Value::Int(i) => Ok(i as f64),
        _ => check_num(l, arg),
    }
}

/// Formats argument `arg` by `spec` onto `out`.
fn format_one(l: &mut Lua, spec: &FormatSpec, arg: usize, out: &mut Out) -> LuaResult<()> {
    match spec.conv {
        b'c' | b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
            let v = int_arg(l, arg)?;
            num::format_int(spec, v, out);
        }
        b'a' | b'A' | b'e' | b'E' | b'f' | b'F' | b'g' | b'G' => {
            let v = float_arg(l, arg)?;
            num::format_float(spec, v, out);
        }
        b'p' => {
            let v = l.arg(arg);
            let addr = match v {
                Value::Str(_) | Value::Table(_) | Value::LuaFn(_) | Value::NativeFn(_) => {
                    v.address()
                }
                Value::NativeClosure(_) | Value::UserData(_) | Value::Thread(_) => v.address(),
                Value::LightUserData(p) => Some(p),
                _ => None,
            };
            match addr.filter(|&a| a != 0) {
                Some(a) => num::format_bytes(spec, alloc::format!("{a:#x}").as_bytes(), out),
                None => num::format_bytes(spec, b"(null)", out),
            }
        }
        b'q' => add_quoted(l, arg, out)?,
        _ => add_string(l, spec, arg, out)?,
    }
    Ok(())
}

/// `%s`: `tostring` of the argument (numbers formatted in place, without making a
/// string), truncated and padded by the spec.
fn add_string(l: &mut Lua, spec: &FormatSpec, arg: usize, out: &mut Out) -> LuaResult<()> {
    let plain = *spec == FormatSpec::plain(b's');
    let v = l.arg(arg);
    let mut digits = StackBuf::<32>::new();
    // Numbers are formatted here unless a metatable (debug.setmetatable) could give
    // them a `__tostring`.
    let bare_number = matches!(v, Value::Int(_) | Value::Float(_)) && l.metatable(v).is_none();
    let s = match v {
        Value::Str(s) => s,
        _ if !bare_number => tostring(l, v)?,
        Value::Int(i) if plain => {
            num::push_int(i, out);
            return Ok(());
        }
        Value::Float(f) if plain => {
            num::push_float(f, out);
            return Ok(());
        }
        Value::Int(i) => {
            num::push_int(i, &mut digits);
            num::format_bytes(spec, digits.as_slice(), out);
            return Ok(());
        }
        Value::Float(f) => {
            num::push_float(f, &mut digits);
            num::format_bytes(spec, digits.as_slice(), out);
            return Ok(());
        }
        _ => tostring(l, v)?,
    };
    let bytes = s.as_bytes();
    if plain {
        out.put_slice(bytes);
        return Ok(());
    }
    if bytes.contains(&0) {
        return Err(arg_error(l, arg, "string contains zeros"));
    }
    if spec.precision.is_none() && bytes.len() >= LONG_STRING {
        out.put_slice(bytes);
    } else {
        num::format_bytes(spec, bytes, out);
    }
    Ok(())
}

/// `%q`: a literal that reads back as the same value.
fn add_quoted<S: Sink>(l: &mut Lua, arg: usize, out: &mut S) -> LuaResult<()> {
    match l.arg(arg) {
        Value::Str(s) => quote_string(s.as_bytes(), out),
        v @ (Value::Int(_) | Value::Float(_)) => {
            if let Some(n) = to_number(v) {
                num::format_q_number(n, out);
            }
        }
        Value::Nil => out.put_slice(b"nil"),
        Value::Bool(b) => out.put_slice(if b { b"true" } else { b"false" }),
        _ => return Err(arg_error(l, arg, "value has no literal form")),
    }
    Ok(())
}

/// Appends `s` as a double-quoted Lua string literal, escaping what must be.
pub fn quote_string<S: Sink + ?Sized>(s: &[u8], out: &mut S) {
    out.put(b'"');
    for (i, &c) in s.iter().enumerate() {
        match c {
            b'"' | b'\\' | b'\n' => {
                out.put(b'\\');
                out.put(c);
            }
            _ if c.is_ascii_control() => {
                out.put(b'\\');
                let next_digit = s.get(i + 1).is_some_and(|d| d.is_ascii_digit());
                if next_digit {
                    out.put_slice(&[b'0' + c / 100, b'0' + c / 10 % 10, b'0' + c % 10]);
                } else {
                    num::push_int(i64::from(c), out);
                }
            }
            _ => out.put(c),
        }
    }
    out.put(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    use alloc::vec::Vec;

    #[test]
    fn quoting() {
        let mut out = Vec::new();
        quote_string(b"a\0b\n\r\"\\\x01\xff9\x001", &mut out);
        assert_eq!(out, b"\"a\\0b\\\n\\13\\\"\\\\\\1\xff9\\0001\"");
    }

    #[test]
    fn argument_is_checked_before_the_spec() {
        use crate::stdlib::util::testlua::check_err;
        check_err(
            "return string.format('%')",
            "t:1: bad argument #2 to 'format' (no value)",
        );
        check_err(
            "return string.format('%5%')",
            "t:1: bad argument #2 to 'format' (no value)",
        );
        check_err(
            "return string.format('%5%', 1)",
            "t:1: invalid conversion '%5%' to 'format'",
        );
        check_err(
            "return string.format('%#s', 'a\\0')",
            "t:1: bad argument #2 to 'format' (string contains zeros)",
        );
        check_err(
            "return string.format('%#s', 'a')",
            "t:1: invalid conversion specification: '%#s'",
        );
        check_err(
            "return string.format('%+u', true)",
            "t:1: bad argument #2 to 'format' (number expected, got boolean)",
        );
        check_err(
            "return string.format('%100e', {})",
            "t:1: bad argument #2 to 'format' (number expected, got table)",
        );
        // %a, %c and %p check the spec first.
        check_err(
            "return string.format('%100a', {})",
            "t:1: invalid conversion specification: '%100a'",
        );
        check_err(
            "return string.format('%.3c', 'x')",
            "t:1: invalid conversion specification: '%.3c'",
        );
    }

    #[test]
    fn conversions_match_the_parser() {
        for c in 0..=255u8 {
            let plain = num::parse_format_spec(&[c]).is_ok_and(|(spec, _)| spec.conv != b'%');
            assert_eq!(is_conversion(c), plain, "conversion {:?}", c as char);
        }
    }
}
