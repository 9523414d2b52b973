//! The basic library (manual §6.1): print, type, tostring, tonumber, pairs, ipairs,
//! next, select, raw access, metatables, assert, error, pcall, xpcall, load, loadfile,
//! dofile, collectgarbage, `_G` and `_VERSION`.

use alloc::string::String;
use alloc::vec::Vec;

use moonjet_bytecode::num;

use crate::abi::{CIST_PCALL, CIST_XPCALL};
use crate::error::{LuaError, LuaResult};
use crate::func::NativeFn;
use crate::value::{LuaType, Value};
use crate::vm::meta::Tm;
use crate::Lua;

/// The functions of the basic library.
const FUNCS: &[(&str, NativeFn)] = &[
    ("assert", assert),
    ("collectgarbage", super::gcfunc::collectgarbage),
    #[cfg(feature = "std")]
    ("dofile", dofile),
    ("error", error),
    ("getmetatable", getmetatable),
    ("ipairs", ipairs),
    ("load", load),
    #[cfg(feature = "std")]
    ("loadfile", loadfile),
    ("next", next),
    ("pairs", pairs),
    ("pcall", pcall),
    ("print", print),
    ("rawequal", rawequal),
    ("rawget", rawget),
    ("rawlen", rawlen),
    ("rawset", rawset),
    ("select", select),
    ("setmetatable", setmetatable),
    ("tonumber", tonumber),
    ("tostring", tostring),
    ("type", type_),
    ("xpcall", xpcall),
];

impl Lua {
    /// Opens the basic and coroutine libraries (into `_G` and `package.loaded`).
    pub fn open_base(&mut self) {
        let g = self.globals;
        // The functions stay in read-only memory until _G is traversed or one of them
        // is assigned (STATIC-PART in table.rs).
        let funcs = crate::static_part!(FUNCS, &[("warn", Value::NativeFn(warn))]);
        g.add_static(&mut self.heap, funcs);
        let k = self.heap.intern_static(b"_G");
        g.set_str(&mut self.heap, k, Value::Table(g));
        let loaded = self.loaded_table();
        loaded.set_str(&mut self.heap, k, Value::Table(g));
        let v = Value::Str(self.heap.intern_static(b"Lua 5.4"));
        let k = self.heap.intern_static(b"_VERSION");
        g.set_str(&mut self.heap, k, v);
        super::coroutine::open(self);
        self.set_gc_warn(Some(emit_warning));
    }

    /// Index of the running native's first argument on the stack.
    pub(crate) fn frame_base(&self) -> usize {
        self.frames.last().map_or(0, |ci| ci.base as usize)
    }
}

/// Writes one warning line to stderr when warnings are on (`lua_warning`'s sink).
fn emit_warning(l: &mut Lua, msg: &[u8]) {
    if !l.warnings_on {
        return;
    }
    l.flush_stdout();
    #[cfg(feature = "std")]
    {
        use std::io::Write;
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(b"Lua warning: ");
        let _ = e.write_all(msg);
        let _ = e.write_all(b"\n");
    }
    // Without std there is no stderr: warnings are dropped.
    #[cfg(not(feature = "std"))]
    let _ = msg;
}

/// warn(msg1, ...): a warning made of the concatenated strings; a single argument
/// "@on" / "@off" turns warnings on or off (other "@" messages are ignored).
fn warn(l: &mut Lua) -> LuaResult<usize> {
    let n = l.arg_count();
    l.check_str(1)?;
    let mut msg: Vec<u8> = Vec::new();
    for i in 1..=n {
        msg.extend_from_slice(l.check_str(i)?.as_bytes());
    }
    if n == 1 && msg.first() == Some(&b'@') {
        match &msg[..] {
            b"@on" => l.warnings_on = true,
            b"@off" => l.warnings_on = false,
            _ => {}
        }
        return Ok(0);
    }
    emit_warning(l, &msg);
    Ok(0)
}

/// print(...)
fn print(l: &mut Lua) -> LuaResult<usize> {
    let n = l.arg_count();
    let mut out: Vec<u8> = Vec::new();
    for i in 1..=n {
        if i > 1 {
            out.push(b'\t');
        }
        let v = l.arg(i);
        match v {
            Value::Str(s) => out.extend_from_slice(s.as_bytes()),
            _ => {
                let s = l.tostring(v)?;
                out.extend_from_slice(s.as_bytes());
            }
        }
    }
    out.push(b'\n');
    l.stdout.write(&out);
    Ok(0)
}

/// type(v)
fn type_(l: &mut Lua) -> LuaResult<usize> {
    let v = l.check_any(1)?;
    l.push_str(v.type_name().as_bytes());
    Ok(1)
}

/// tostring(v)
fn tostring(l: &mut Lua) -> LuaResult<usize> {
    let v = l.check_any(1)?;
    let s = match v {
        // Numbers without a metatable (none unless `debug.setmetatable` gave one) are
        // formatted on the stack and interned once.
        Value::Int(_) | Value::Float(_) if l.metatable(v).is_none() => {
            let mut buf = moonjet_bytecode::num::StackBuf::<32>::new();
            match v {
                Value::Int(i) => moonjet_bytecode::num::push_int(i, &mut buf),
                Value::Float(f) => moonjet_bytecode::num::push_float(f, &mut buf),
                _ => {}
            }
            l.intern(buf.as_slice())
        }
        _ => l.tostring(v)?,
    };
    l.push(Value::Str(s));
    Ok(1)
}

/// tonumber(v [, base])
fn tonumber(l: &mut Lua) -> LuaResult<usize> {
    if l.arg(2).is_nil() {
        let v = l.check_any(1)?;
        let r = match v {
            Value::Int(_) | Value::Float(_) => v,
            Value::Str(_) => v.to_number().unwrap_or(Value::Nil),
            _ => Value::Nil,
        };
        l.push(r);
        return Ok(1);
    }
    let base = l.check_int(2)?;
    let s = match l.arg(1) {
        Value::Str(s) => s,
        _ => return Err(l.type_error(1, "string")),
    };
    l.arg_check((2..=36).contains(&base), 2, "base out of range")?;
    let r = num::str_to_int_base(s.as_bytes(), base as u32).map_or(Value::Nil, Value::Int);
    l.push(r);
    Ok(1)
}

/// The iterator of ipairs: (t, i) -> i+1, t[i+1] (stops at nil).
fn ipairs_aux(l: &mut Lua) -> LuaResult<usize> {
    let i = l.check_int(2)?.wrapping_add(1);
    let t = l.arg(1);
    let v = l.index(t, Value::Int(i))?;
    if v.is_nil() {
        l.push(Value::Nil);
        return Ok(1);
    }
    l.push(Value::Int(i));
    l.push(v);
    Ok(2)
}

/// ipairs(t)
fn ipairs(l: &mut Lua) -> LuaResult<usize> {
    let t = l.check_any(1)?;
    l.push(Value::NativeFn(ipairs_aux));
    l.push(t);
    l.push(Value::Int(0));
    Ok(3)
}

/// pairs(t): `__pairs(t)` or next, t, nil.
fn pairs(l: &mut Lua) -> LuaResult<usize> {
    let t = l.check_any(1)?;
    let tm = l.get_tm(t, Tm::Pairs);
    if tm.is_nil() {
        l.push(Value::NativeFn(next));
        l.push(t);
        l.push(Value::Nil);
        return Ok(3);
    }
    let r = l.call_value(tm, &[t])?;
    for j in 0..3 {
        l.push(r.get(j).copied().unwrap_or_default());
    }
    Ok(3)
}

/// next(t [, k])
fn next(l: &mut Lua) -> LuaResult<usize> {
    let t = l.check_table(1)?;
    let key = l.arg(2);
    match t.next(&mut l.heap, key) {
        Ok(Some((k, v))) => {
            l.push(k);
            l.push(v);
            Ok(2)
        }
        Ok(None) => {
            l.push(Value::Nil);
            Ok(1)
        }
        Err(()) => Err(l.error_value_str("invalid key to 'next'")),
    }
}

/// select(n, ...) / select('#', ...)
fn select(l: &mut Lua) -> LuaResult<usize> {
    let n = l.arg_count() as i64 - 1;
    if let Value::Str(s) = l.arg(1) {
        if s.as_bytes() == b"#" {
            l.push(Value::Int(n));
            return Ok(1);
        }
    }
    let i = l.check_int(1)?;
    let i = if i < 0 {
        n + i
    } else if i > n {
        n
    } else {
        i - 1
    };
    l.arg_check(i >= 0, 1, "index out of range")?;
    Ok((n - i) as usize)
}

/// rawequal(a, b)
fn rawequal(l: &mut Lua) -> LuaResult<usize> {
    let a = l.check_any(1)?;
    let b = l.check_any(2)?;
    l.push(Value::Bool(a.raw_eq(&b)));
    Ok(1)
}

/// rawget(t, k)
fn rawget(l: &mut Lua) -> LuaResult<usize> {
    let t = l.check_table(1)?;
    let k = l.check_any(2)?;
    l.push(t.get(k));
    Ok(1)
}

/// rawset(t, k, v)
fn rawset(l: &mut Lua) -> LuaResult<usize> {
    let t = l.check_table(1)?;
    let k = l.check_any(2)?;
    let v = l.check_any(3)?;
    l.raw_set(t, k, v)?;
    l.push(Value::Table(t));
    Ok(1)
}

/// rawlen(v)
fn rawlen(l: &mut Lua) -> LuaResult<usize> {
    let n = match l.arg(1) {
        Value::Table(t) => t.len(),
        Value::Str(s) => s.len() as i64,
        _ => return Err(l.type_error(1, "table or string")),
    };
    l.push(Value::Int(n));
    Ok(1)
}

/// setmetatable(t, mt)
fn setmetatable(l: &mut Lua) -> LuaResult<usize> {
    let t = l.check_table(1)?;
    let mt = match l.arg(2) {
        Value::Nil if l.arg_count() >= 2 => None,
        Value::Table(m) => Some(m),
        _ => return Err(l.type_error(2, "nil or table")),
    };
    if let Some(old) = t.metatable() {
        if !l.raw_tm(old, Tm::Metatable).is_nil() {
            return Err(l.error_str("cannot change a protected metatable"));
        }
    }
    t.set_metatable(mt);
    if let Some(m) = mt {
        l.heap.barrier_value(t, Value::Table(m));
        if !l.raw_tm(m, Tm::Gc).is_nil() {
            l.check_finalizer(Value::Table(t));
        }
    }
    l.push(Value::Table(t));
    Ok(1)
}

/// getmetatable(v)
fn getmetatable(l: &mut Lua) -> LuaResult<usize> {
    let v = l.check_any(1)?;
    let r = match l.metatable(v) {
        None => Value::Nil,
        Some(mt) => {
            let protected = l.raw_tm(mt, Tm::Metatable);
            if protected.is_nil() {
                Value::Table(mt)
            } else {
                protected
            }
        }
    };
    l.push(r);
    Ok(1)
}

/// assert(v [, message, ...])
fn assert(l: &mut Lua) -> LuaResult<usize> {
    let v = l.check_any(1)?;
    if v.truthy() {
        return Ok(l.arg_count());
    }
    // As lua5.4, the message is raised like error(msg, 1): strings get the position.
    let msg = if l.arg_count() >= 2 {
        l.arg(2)
    } else {
        l.new_str(b"assertion failed!")
    };
    if let Value::Str(s) = msg {
        let mut text = l.where_(1).into_bytes();
        text.extend_from_slice(s.as_bytes());
        return Err(LuaError::new(l.new_str(&text)));
    }
    Err(LuaError::new(msg))
}

/// error(v [, level])
fn error(l: &mut Lua) -> LuaResult<usize> {
    let v = l.arg(1);
    let level = l.opt_int(2, 1)?;
    if let (Value::Str(s), true) = (v, level > 0) {
        let w = l.where_(level as usize);
        if !w.is_empty() {
            let mut text = w.into_bytes();
            text.extend_from_slice(s.as_bytes());
            return Err(LuaError::new(l.new_str(&text)));
        }
    }
    Err(LuaError::new(v))
}

/// pcall(f, ...): a protected frame (see METAMETHOD-FRAMES); the callee runs in the
/// same loop, so it may yield.
fn pcall(l: &mut Lua) -> LuaResult<usize> {
    l.check_any(1)?;
    let base = l.frame_base();
    l.mark_protected(CIST_PCALL)?;
    if !l.precall_other(base, -1, 0)? {
        return Ok(0);
    }
    let n = l.top - base;
    l.push(Value::Nil);
    l.stack.copy_within(base..base + n, base + 1);
    l.stack[base] = Value::Bool(true);
    Ok(n + 1)
}

/// xpcall(f, msgh, ...)
fn xpcall(l: &mut Lua) -> LuaResult<usize> {
    l.check_type(2, LuaType::Function)?;
    let base = l.frame_base();
    l.stack.swap(base, base + 1);
    l.mark_protected(CIST_XPCALL)?;
    if !l.precall_other(base + 1, -1, 0)? {
        return Ok(0);
    }
    l.stack[base] = Value::Bool(true);
    Ok(l.top - base)
}

/// Pushes `nil, msg` (the failure result of load functions).
fn push_fail(l: &mut Lua, msg: Value) -> LuaResult<usize> {
    l.push(Value::Nil);
    l.push(msg);
    Ok(2)
}

/// load(chunk [, chunkname [, mode [, env]]])
fn load(l: &mut Lua) -> LuaResult<usize> {
    let mode = match l.opt_str(3)? {
        Some(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        None => String::from("bt"),
    };
    let env = if l.arg_count() >= 4 {
        Some(l.arg(4))
    } else {
        None
    };
    // As lua5.4: the mode, then the chunk name, then the chunk's type.
    let given_name: Option<Vec<u8>> = l.opt_str(2)?.map(|s| s.as_bytes().into());
    let chunk = l.arg(1);
    let (text, default_name): (Vec<u8>, Vec<u8>) = match chunk {
        Value::Str(s) => (s.as_bytes().into(), s.as_bytes().into()),
        Value::Int(_) | Value::Float(_) => {
            let t = l.tostring_basic(chunk);
            (t.clone(), t)
        }
        f if f.is_function() => match read_chunk(l, f) {
            Ok(t) => (t, b"=(load)".to_vec()),
            Err(e) => return push_fail(l, e.value),
        },
        _ => return Err(l.type_error(1, "function")),
    };
    let name = given_name.unwrap_or(default_name);
    match l.load(&text, &name, &mode, env) {
        Ok(f) => {
            l.push(f);
            Ok(1)
        }
        Err(e) => push_fail(l, e.value),
    }
}

/// Calls a reader function until it returns nil or "" and joins the pieces.
fn read_chunk(l: &mut Lua, f: Value) -> LuaResult<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match l.call_value_1(f, &[])? {
            Value::Nil => return Ok(out),
            Value::Str(s) if s.is_empty() => return Ok(out),
            Value::Str(s) => out.extend_from_slice(s.as_bytes()),
            _ => return Err(l.error_value_str("reader function must return a string")),
        }
    }
}

/// Reads and compiles a file (`None`: standard input), skipping a first `#` line.
#[cfg(feature = "std")]
pub fn load_file(
    l: &mut Lua,
    path: Option<&[u8]>,
    mode: &str,
    env: Option<Value>,
) -> LuaResult<Value> {
    use std::io::Read;
    let (bytes, name) = match path {
        Some(p) => {
            if let Some(r) = l.load_mapped_file(p, &[b"@", p].concat(), mode, env) {
                return r; // a binary chunk file, mapped and used in place
            }
            let ps = String::from_utf8_lossy(p).into_owned();
            match std::fs::read(&ps) {
                Ok(b) => (b, [b"@", p].concat()),
                Err(e) => {
                    let msg = alloc::format!("cannot open {ps}: {}", io_error_text(&e));
                    return Err(l.error_value_str(&msg));
                }
            }
        }
        None => {
            let mut b = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut b) {
                let msg = alloc::format!("cannot read stdin: {}", io_error_text(&e));
                return Err(l.error_value_str(&msg));
            }
            (b, b"=stdin".to_vec())
        }
    };
    let text: &[u8] = if bytes.first() == Some(&b'#') {
        let nl = bytes
            .iter()
            .position(|&c| c == b'\n')
            .unwrap_or(bytes.len());
        &bytes[nl..]
    } else {
        &bytes
    };
    l.load(text, &name, mode, env)
}

/// The C library's wording of an I/O error ("No such file or directory").
#[cfg(feature = "std")]
fn io_error_text(e: &std::io::Error) -> String {
    let s = alloc::format!("{e}");
    match s.find(" (os error") {
        Some(i) => String::from(&s[..i]),
        None => s,
    }
}

/// loadfile([filename [, mode [, env]]])
#[cfg(feature = "std")]
fn loadfile(l: &mut Lua) -> LuaResult<usize> {
    let path = l.opt_str(1)?.map(|s| s.as_bytes().to_vec());
    let mode = match l.opt_str(2)? {
        Some(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        None => String::from("bt"),
    };
    let env = if l.arg_count() >= 3 {
        Some(l.arg(3))
    } else {
        None
    };
    match load_file(l, path.as_deref(), &mode, env) {
        Ok(f) => {
            l.push(f);
            Ok(1)
        }
        Err(e) => push_fail(l, e.value),
    }
}

/// dofile([filename])
#[cfg(feature = "std")]
fn dofile(l: &mut Lua) -> LuaResult<usize> {
    let path = l.opt_str(1)?.map(|s| s.as_bytes().to_vec());
    let f = load_file(l, path.as_deref(), "bt", None)?;
    let func = l.top;
    l.push(f);
    l.call(func, -1)?;
    Ok(l.top - func)
}
