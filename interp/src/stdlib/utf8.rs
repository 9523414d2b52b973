//! The `utf8` library (manual §6.5), over the codec in `utf8dec`.

use alloc::vec::Vec;

use super::utf8dec::{decode, encode, is_cont, MAX_UTF};
use super::util::{
    arg_bool, arg_error, check_int, check_str, nargs, opt_int, push_bytes, rt_error,
};
use crate::error::LuaResult;
use crate::func::NativeFn;
use crate::state::Lua;
use crate::value::Value;

/// The pattern matching exactly one UTF-8 sequence.
pub const CHARPATTERN: &[u8] = b"[\x00-\x7F\xC2-\xFD][\x80-\xBF]*";

/// The functions of the `utf8` table.
pub const FUNCS: &[(&str, NativeFn)] = &[
    ("char", char),
    ("codepoint", codepoint),
    ("codes", codes),
    ("len", len),
    ("offset", offset),
];

/// `u_posrelat`: negative positions count from the end; too negative gives 0.
fn posrelat(pos: i64, len: usize) -> i64 {
    if pos >= 0 {
        pos
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        len as i64 + pos + 1
    }
}

/// True if byte `i` of `s` is a continuation byte (false past the end).
fn cont_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(|&c| is_cont(c))
}

/// `utf8.char(...)`
fn char(l: &mut Lua) -> LuaResult<usize> {
    let mut out = Vec::new();
    for i in 1..=nargs(l) {
        let c = check_int(l, i)?;
        if (c as u64) > u64::from(MAX_UTF) {
            return Err(arg_error(l, i, "value out of range"));
        }
        encode(c as u32, &mut out);
    }
    push_bytes(l, &out);
    Ok(1)
}

/// `utf8.codepoint(s [, i [, j [, lax]]])`
fn codepoint(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let bytes = s.as_bytes();
    let i = posrelat(opt_int(l, 2, 1)?, bytes.len());
    let j = posrelat(opt_int(l, 3, i)?, bytes.len());
    let strict = !arg_bool(l, 4);
    if i < 1 {
        return Err(arg_error(l, 2, "out of bounds"));
    }
    if j > bytes.len() as i64 {
        return Err(arg_error(l, 3, "out of bounds"));
    }
    if i > j {
        return Ok(0);
    }
    let mut vals = Vec::new();
    let mut p = (i - 1) as usize;
    let end = j as usize;
    while p < end {
        match decode(&bytes[p..], strict) {
            Some((c, n)) => {
                vals.push(Value::Int(i64::from(c)));
                p += n;
            }
            None => return Err(rt_error(l, "invalid UTF-8 code")),
        }
    }
    let n = vals.len();
    for v in vals {
        l.push(v);
    }
    Ok(n)
}

/// `utf8.len(s [, i [, j [, lax]]])`
fn len(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let bytes = s.as_bytes();
    let blen = bytes.len() as i64;
    let i = posrelat(opt_int(l, 2, 1)?, bytes.len());
    let j = posrelat(opt_int(l, 3, -1)?, bytes.len());
    let strict = !arg_bool(l, 4);
    if !(1 <= i && i - 1 <= blen) {
        return Err(arg_error(l, 2, "initial position out of bounds"));
    }
    if j > blen {
        return Err(arg_error(l, 3, "final position out of bounds"));
    }
    let (mut p, last) = (i - 1, j - 1);
    let mut n = 0i64;
    while p <= last {
        match decode(&bytes[p as usize..], strict) {
            Some((_, k)) => {
                p += k as i64;
                n += 1;
            }
            None => {
                l.push(Value::Nil);
                l.push(Value::Int(p + 1));
                return Ok(2);
            }
        }
    }
    l.push(Value::Int(n));
    Ok(1)
}

/// `utf8.offset(s, n [, i])`
fn offset(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let bytes = s.as_bytes();
    let blen = bytes.len() as i64;
    let mut n = check_int(l, 2)?;
    let default = if n >= 0 { 1 } else { blen + 1 };
    let i = posrelat(opt_int(l, 3, default)?, bytes.len());
    if !(1 <= i && i - 1 <= blen) {
        return Err(arg_error(l, 3, "position out of bounds"));
    }
    let mut p = (i - 1) as usize;
    if n == 0 {
        while p > 0 && cont_at(bytes, p) {
            p -= 1;
        }
    } else {
        if cont_at(bytes, p) {
            return Err(rt_error(l, "initial position is a continuation byte"));
        }
        if n < 0 {
            while n < 0 && p > 0 {
                p -= 1;
                while p > 0 && cont_at(bytes, p) {
                    p -= 1;
                }
                n += 1;
            }
        } else {
            n -= 1;
            while n > 0 && p < bytes.len() {
                p += 1;
                while cont_at(bytes, p) {
                    p += 1;
                }
                n -= 1;
            }
        }
    }
    if n == 0 {
        l.push(Value::Int(p as i64 + 1));
    } else {
        l.push(Value::Nil);
    }
    Ok(1)
}

/// One step of `utf8.codes` (strict or lax).
fn codes_step(l: &mut Lua, strict: bool) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let bytes = s.as_bytes();
    let mut n = match l.arg(2) {
        Value::Int(i) => i.max(0) as usize,
        _ => 0,
    };
    while n < bytes.len() && cont_at(bytes, n) {
        n += 1;
    }
    if n >= bytes.len() {
        return Ok(0);
    }
    match decode(&bytes[n..], strict) {
        Some((c, _)) => {
            l.push(Value::Int(n as i64 + 1));
            l.push(Value::Int(i64::from(c)));
            Ok(2)
        }
        None => Err(rt_error(l, "invalid UTF-8 code")),
    }
}

/// Iterator of `utf8.codes(s)`.
fn codes_strict(l: &mut Lua) -> LuaResult<usize> {
    codes_step(l, true)
}

/// Iterator of `utf8.codes(s, true)`.
fn codes_lax(l: &mut Lua) -> LuaResult<usize> {
    codes_step(l, false)
}

/// `utf8.codes(s [, lax])`
fn codes(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let f: NativeFn = if arg_bool(l, 2) {
        codes_lax
    } else {
        codes_strict
    };
    l.push(Value::NativeFn(f));
    l.push(Value::Str(s));
    l.push(Value::Int(0));
    Ok(3)
}
