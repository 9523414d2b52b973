//! The pattern-matching functions of the string library: `find`, `match`, `gmatch` and
//! `gsub`, binding the matcher of `lpattern` to Lua values.

use alloc::vec::Vec;

use super::lpattern::{find_plain, is_plain, Capture, Matcher};
use super::util::{
    arg_bool, check_int, check_str, index, nargs, new_closure, number_bytes, opt_int, pos_relative,
    push_bytes, rt_error, set_upvalue, str_value, type_error, upvalue,
};
use crate::error::{LuaError, LuaResult};
use crate::gc::Gc;
use crate::state::Lua;
use crate::string::LuaStr;
use crate::value::Value;

use moonjet_bytecode::num::Number;

/// Turns a matcher error message into a Lua error.
fn pat_err(l: &mut Lua, msg: alloc::string::String) -> LuaError {
    rt_error(l, &msg)
}

/// Capture `i` of match `s..e` as a Lua value.
fn capture_value(
    l: &mut Lua,
    m: &Matcher,
    src: &[u8],
    i: usize,
    s: usize,
    e: usize,
) -> LuaResult<Value> {
    match m.capture(i, s, e) {
        Ok(Capture::Span(a, b)) => Ok(str_value(l, &src[a..b])),
        Ok(Capture::Position(p)) => Ok(Value::Int(p as i64)),
        Err(msg) => Err(pat_err(l, msg)),
    }
}

/// Pushes the captures of match `s..e` (the whole match when there are none and
/// `whole`); returns how many.
fn push_captures(
    l: &mut Lua,
    m: &Matcher,
    src: &[u8],
    s: usize,
    e: usize,
    whole: bool,
) -> LuaResult<usize> {
    let n = if m.capture_count() == 0 && whole {
        1
    } else {
        m.capture_count()
    };
    for i in 0..n {
        let v = capture_value(l, m, src, i, s, e)?;
        l.push(v);
    }
    Ok(n)
}

/// Shared body of `find` and `match`.
fn find_aux(l: &mut Lua, find: bool) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let p = check_str(l, 2)?;
    let init = opt_int(l, 3, 1)?;
    let plain = arg_bool(l, 4);
    let (src, pat) = (s.as_bytes(), p.as_bytes());
    let init = pos_relative(init, src.len());
    if init > src.len() + 1 {
        l.push(Value::Nil);
        return Ok(1);
    }
    let init = init - 1;
    if find && (plain || is_plain(pat)) {
        return Ok(match find_plain(src, pat, init) {
            Some(at) => {
                l.push(Value::Int(at as i64 + 1));
                l.push(Value::Int((at + pat.len()) as i64));
                2
            }
            None => {
                l.push(Value::Nil);
                1
            }
        });
    }
    let anchor = pat.first() == Some(&b'^');
    let p0 = usize::from(anchor);
    let mut m = Matcher::new(src, pat);
    let first = if anchor { None } else { m.first_class(p0) };
    let mut s1 = init;
    loop {
        if let Some(f) = first {
            s1 = m.skip_to(s1, f);
        }
        let r = m.match_at(s1, p0).map_err(|e| pat_err(l, e))?;
        if let Some(e) = r {
            if find {
                l.push(Value::Int(s1 as i64 + 1));
                l.push(Value::Int(e as i64));
                return Ok(2 + push_captures(l, &m, src, s1, e, false)?);
            }
            return push_captures(l, &m, src, s1, e, true);
        }
        s1 += 1;
        if anchor || s1 > src.len() {
            break;
        }
    }
    l.push(Value::Nil);
    Ok(1)
}

/// `string.find(s, pattern [, init [, plain]])`
pub fn find(l: &mut Lua) -> LuaResult<usize> {
    find_aux(l, true)
}

/// `string.match(s, pattern [, init])`
pub fn str_match(l: &mut Lua) -> LuaResult<usize> {
    find_aux(l, false)
}

// ---------------------------------------------------------------------------------------------
// gmatch
// ---------------------------------------------------------------------------------------------

/// `string.gmatch(s, pattern [, init])`: an iterator closure over (s, p, pos, lastmatch).
pub fn gmatch(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let p = check_str(l, 2)?;
    let init = opt_int(l, 3, 1)?;
    let init = pos_relative(init, s.len());
    let pos = if init > s.len() + 1 {
        s.len() + 1
    } else {
        init - 1
    };
    let f = new_closure(
        l,
        gmatch_step,
        &[
            Value::Str(s),
            Value::Str(p),
            Value::Int(pos as i64),
            Value::Int(-1),
        ],
    );
    l.push(f);
    Ok(1)
}

/// One step of a `gmatch` iterator.
fn gmatch_step(l: &mut Lua) -> LuaResult<usize> {
    let (Value::Str(s), Value::Str(p)) = (upvalue(l, 0), upvalue(l, 1)) else {
        return Ok(0);
    };
    let pos = upvalue_usize(l, 2).unwrap_or(usize::MAX);
    let last = upvalue_usize(l, 3);
    let (src, pat) = (s.as_bytes(), p.as_bytes());
    let mut m = Matcher::new(src, pat);
    let first = m.first_class(0);
    let mut at = pos;
    while at <= src.len() {
        if let Some(f) = first {
            at = m.skip_to(at, f);
        }
        let r = m.match_at(at, 0).map_err(|e| pat_err(l, e))?;
        if let Some(e) = r.filter(|&e| Some(e) != last) {
            set_upvalue(l, 2, Value::Int(e as i64));
            set_upvalue(l, 3, Value::Int(e as i64));
            return push_captures(l, &m, src, at, e, true);
        }
        at += 1;
    }
    set_upvalue(l, 2, Value::Int(src.len() as i64 + 1));
    Ok(0)
}

/// A non-negative integer upvalue as `usize`.
fn upvalue_usize(l: &Lua, i: usize) -> Option<usize> {
    match upvalue(l, i) {
        Value::Int(n) if n >= 0 => Some(n as usize),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// gsub
// ---------------------------------------------------------------------------------------------

/// `string.gsub(s, pattern, repl [, n])`
pub fn gsub(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    let p = check_str(l, 2)?;
    let repl = l.arg(3);
    if !matches!(
        repl,
        Value::Int(_)
            | Value::Float(_)
            | Value::Str(_)
            | Value::Table(_)
            | Value::LuaFn(_)
            | Value::NativeFn(_)
            | Value::NativeClosure(_)
    ) {
        return Err(type_error(l, 3, "string/function/table"));
    }
    let repl = match repl {
        Value::Int(_) | Value::Float(_) => Value::Str(check_str(l, 3)?),
        r => r,
    };
    let max_n = if nargs(l) >= 4 && !l.arg(4).is_nil() {
        check_int(l, 4)?
    } else {
        s.len() as i64 + 1
    };
    let (src, pat) = (s.as_bytes(), p.as_bytes());
    let anchor = pat.first() == Some(&b'^');
    let p0 = usize::from(anchor);
    let mut m = Matcher::new(src, pat);
    let first = if anchor { None } else { m.first_class(p0) };
    let mut out = Vec::with_capacity(src.len());
    let mut at = 0;
    let mut last: Option<usize> = None;
    let mut n: i64 = 0;
    while n < max_n {
        if let Some(f) = first {
            let next = m.skip_to(at, f);
            out.extend_from_slice(src.get(at..next).unwrap_or_default());
            at = next;
        }
        let r = m.match_at(at, p0).map_err(|e| pat_err(l, e))?;
        match r.filter(|&e| Some(e) != last) {
            Some(e) => {
                n += 1;
                add_value(l, &m, src, at, e, repl, &mut out)?;
                at = e;
                last = Some(e);
            }
            None if at < src.len() => {
                out.push(src[at]);
                at += 1;
            }
            None => break,
        }
        if anchor {
            break;
        }
    }
    out.extend_from_slice(src.get(at..).unwrap_or_default());
    push_bytes(l, &out);
    l.push(Value::Int(n));
    Ok(2)
}

/// Appends the replacement for match `s..e`.
fn add_value(
    l: &mut Lua,
    m: &Matcher,
    src: &[u8],
    s: usize,
    e: usize,
    repl: Value,
    out: &mut Vec<u8>,
) -> LuaResult<()> {
    let v = match repl {
        Value::Str(r) => return add_string(l, m, src, s, e, r, out),
        Value::Table(_) => {
            let key = capture_value(l, m, src, 0, s, e)?;
            index(l, repl, key)?
        }
        f => {
            let func = l.top;
            l.push(f);
            push_captures(l, m, src, s, e, true)?;
            l.call(func, 1)?;
            let v = l.stack.get(func).copied().unwrap_or_default();
            l.top = func;
            v
        }
    };
    match v {
        Value::Nil | Value::Bool(false) => out.extend_from_slice(&src[s..e]),
        Value::Str(r) => out.extend_from_slice(r.as_bytes()),
        Value::Int(i) => out.extend_from_slice(&number_bytes(Number::Int(i))),
        Value::Float(f) => out.extend_from_slice(&number_bytes(Number::Float(f))),
        other => {
            let msg = alloc::format!("invalid replacement value (a {})", other.type_name());
            return Err(rt_error(l, &msg));
        }
    }
    Ok(())
}

/// Appends a replacement string, expanding `%0`-`%9` and `%%`.
fn add_string(
    l: &mut Lua,
    m: &Matcher,
    src: &[u8],
    s: usize,
    e: usize,
    r: Gc<LuaStr>,
    out: &mut Vec<u8>,
) -> LuaResult<()> {
    let r = r.as_bytes();
    let mut i = 0;
    while i < r.len() {
        let c = r[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        let Some(&d) = r.get(i) else {
            return Err(rt_error(l, "invalid use of '%' in replacement string"));
        };
        i += 1;
        if d == b'%' {
            out.push(b'%');
        } else if d.is_ascii_digit() {
            let idx = usize::from(d - b'0');
            let cap = if idx == 0 {
                Ok(Capture::Span(s, e))
            } else {
                m.capture(idx - 1, s, e)
            };
            match cap {
                Ok(Capture::Span(a, b)) => out.extend_from_slice(&src[a..b]),
                Ok(Capture::Position(p)) => {
                    out.extend_from_slice(&number_bytes(Number::Int(p as i64)))
                }
                Err(msg) => return Err(pat_err(l, msg)),
            }
        } else {
            return Err(rt_error(l, "invalid use of '%' in replacement string"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::stdlib::util::testlua::check;

    #[test]
    fn scanning_skips_only_positions_that_cannot_match() {
        check(
            r#"local t = {}
            for w in ("The year 1999, 2024-05-06 and x@host1.org!"):gmatch("%f[%w]%d+%f[%W]") do
              t[#t + 1] = w
            end
            return table.concat(t, "|"), ("ab, cd; ef"):gsub("%f[%a]%a", string.upper)"#,
            "1999|2024|05|06,Ab, Cd; Ef,3",
        );
        check(
            r#"return ("hello world"):gsub("(o)(%s?)", "[%1%2]")"#,
            "hell[o ]w[o]rld,2",
        );
        check(r#"return ("abc"):gsub("%w", {a = 1, b = false})"#, "1bc,3");
        check(r#"return ("abc"):find("(%a)(c)")"#, "2,3,b,c");
        check(
            r#"return ("x = 1, y = 22"):gsub("(%w+) = (%d+)", function(k, v) return v .. "=" .. k end)"#,
            "1=x, 22=y,2",
        );
        check(
            r#"return ("ab"):find("%f[%W]"), ("a\0"):find("%f[%z]")"#,
            "3,2,1",
        );
    }
}
