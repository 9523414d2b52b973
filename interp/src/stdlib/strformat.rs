//! `string.format`: walks the format string and drives the number printf engine of
//! `moonjet_bytecode::num` for each conversion; `%q` and `%s` are done here.

use alloc::vec::Vec;

use moonjet_bytecode::num::{self, FormatSpec};

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

/// `string.format(fmt, ...)`
pub fn format(l: &mut Lua) -> LuaResult<usize> {
    let fmt = check_str(l, 1)?;
    let fmt = fmt.as_bytes();
    let top = nargs(l);
    let mut out = Vec::with_capacity(fmt.len() + 16);
    let mut arg = 1;
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        if fmt.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        arg += 1;
        if arg > top {
            return Err(arg_error(l, arg, "no value"));
        }
        let (spec, used) = match fmt.get(i) {
            Some(&c) if is_conversion(c) => (FormatSpec::plain(c), 1),
            _ => match num::parse_format_spec(&fmt[i..]) {
                Ok(r) => r,
                Err(msg) => return Err(spec_error(l, &fmt[i..], arg, &msg)),
            },
        };
        i += used;
        format_one(l, &spec, arg, &mut out)?;
    }
    push_bytes(l, &out);
    Ok(1)
}

/// The error for a spec `parse_format_spec` rejected with `msg`. Like lua5.4, a spec whose
/// conversion is known but whose modifiers are not allowed first checks its argument, so
/// a wrong argument is reported before the bad modifiers.
fn spec_error(l: &mut Lua, rest: &[u8], arg: usize, msg: &str) -> LuaError {
    if msg.starts_with("invalid conversion specification") {
        let run = rest
            .iter()
            .take_while(|c| b"-+ #0123456789.".contains(c))
            .count();
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

/// Formats argument `arg` by `spec` onto `out`.
fn format_one(l: &mut Lua, spec: &FormatSpec, arg: usize, out: &mut Vec<u8>) -> LuaResult<()> {
    match spec.conv {
        b'c' | b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
            let v = check_int(l, arg)?;
            num::format_int(spec, v, out);
        }
        b'a' | b'A' | b'e' | b'E' | b'f' | b'F' | b'g' | b'G' => {
            let v = check_num(l, arg)?;
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
        _ => {
            let v = l.arg(arg);
            let s = tostring(l, v)?;
            let bytes = s.as_bytes();
            let plain = *spec == FormatSpec::plain(b's');
            if plain {
                out.extend_from_slice(bytes);
            } else {
                if bytes.contains(&0) {
                    return Err(arg_error(l, arg, "string contains zeros"));
                }
                if spec.precision.is_none() && bytes.len() >= LONG_STRING {
                    out.extend_from_slice(bytes);
                } else {
                    num::format_bytes(spec, bytes, out);
                }
            }
        }
    }
    Ok(())
}

/// `%q`: a literal that reads back as the same value.
fn add_quoted(l: &mut Lua, arg: usize, out: &mut Vec<u8>) -> LuaResult<()> {
    match l.arg(arg) {
        Value::Str(s) => quote_string(s.as_bytes(), out),
        v @ (Value::Int(_) | Value::Float(_)) => {
            if let Some(n) = to_number(v) {
                num::format_q_number(n, out);
            }
        }
        Value::Nil => out.extend_from_slice(b"nil"),
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        _ => return Err(arg_error(l, arg, "value has no literal form")),
    }
    Ok(())
}

/// Appends `s` as a double-quoted Lua string literal, escaping what must be.
pub fn quote_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for (i, &c) in s.iter().enumerate() {
        match c {
            b'"' | b'\\' | b'\n' => {
                out.push(b'\\');
                out.push(c);
            }
            _ if c.is_ascii_control() => {
                let next_digit = s.get(i + 1).is_some_and(|d| d.is_ascii_digit());
                let text = if next_digit {
                    alloc::format!("\\{c:03}")
                } else {
                    alloc::format!("\\{c}")
                };
                out.extend_from_slice(text.as_bytes());
            }
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

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
