//! The `jit` Lua library (LuaJIT's names): switches, flush, status and statistics over
//! `Lua::jit` (the engine's state in `jit_iface`).

use crate::error::LuaResult;
use crate::state::Lua;
use crate::value::Value;

use super::{codecache, MAX_STATUS};

/// Opens the `jit` library: `jit.on()`, `jit.off()`, `jit.flush()`, `jit.status()`,
/// `jit.stats()`, `jit.opt.start(...)`, `jit.version`, `jit.arch` (LuaJIT's names).
pub fn open_jit(l: &mut Lua) {
    const FUNCS: &[(&str, crate::func::NativeFn)] = &[
        ("on", jit_on),
        ("off", jit_off),
        ("flush", jit_flush),
        ("status", jit_status),
        ("stats", jit_stats),
    ];
    let t = l.register_static_lib("jit", crate::static_part!(FUNCS), 3);
    let opt = l.new_table(0, 1);
    let start = l.intern(b"start");
    opt.set_str(
        &mut l.heap,
        start,
        Value::NativeFn(codecache::jit_opt_start),
    );
    let key = l.intern(b"opt");
    t.set_str(&mut l.heap, key, Value::Table(opt));
    let (version, arch) = match l.jit.engine.as_ref() {
        Some(e) => (e.version(), e.arch()),
        None => ("none", "none"),
    };
    for (k, v) in [("version", version), ("arch", arch)] {
        let key = l.intern(k.as_bytes());
        let val = l.new_str(v.as_bytes());
        t.set_str(&mut l.heap, key, val);
    }
}

/// `jit.on()`
fn jit_on(l: &mut Lua) -> LuaResult<usize> {
    l.jit.set_enabled(true);
    Ok(0)
}

/// `jit.off()`
fn jit_off(l: &mut Lua) -> LuaResult<usize> {
    l.jit.set_enabled(false);
    Ok(0)
}

/// `jit.flush()`
fn jit_flush(l: &mut Lua) -> LuaResult<usize> {
    l.jit.flush();
    Ok(0)
}

/// `jit.status()`: whether the JIT is on.
fn jit_status(l: &mut Lua) -> LuaResult<usize> {
    let on = l.jit.enabled();
    l.push(Value::Bool(on));
    Ok(1)
}

/// `jit.stats()`: a table of counters, with `exits` by reason name.
fn jit_stats(l: &mut Lua) -> LuaResult<usize> {
    let t = l.new_table(0, 8);
    let s = l.jit.engine.as_ref().map(|e| e.stats()).unwrap_or_default();
    let rows = [
        ("compiled", Value::Int(s.compiled as i64)),
        ("gave_up", Value::Int(s.gave_up as i64)),
        ("blacklisted", Value::Int(s.blacklisted as i64)),
        ("compile_ms", Value::Float(s.compile_nanos as f64 / 1e6)),
        ("code_bytes", Value::Int(s.code_bytes as i64)),
        ("native_instrs", Value::Int(s.native_instrs as i64)),
        ("exit_instrs", Value::Int(s.exit_instrs as i64)),
        ("code_flushes", Value::Int(i64::from(l.jit.auto_flushes))),
    ];
    for (k, v) in rows {
        let key = l.intern(k.as_bytes());
        t.set_str(&mut l.heap, key, v);
    }
    let exits = l.new_table(0, 8);
    for status in 1..MAX_STATUS {
        let n = l.jit.exits[status];
        let name = l.jit.engine.as_ref().map(|e| e.reason(status as u32).0);
        if let (true, Some(name)) = (n > 0, name) {
            let key = l.intern(name.as_bytes());
            exits.set_str(&mut l.heap, key, Value::Int(n as i64));
        }
    }
    let key = l.intern(b"exits");
    t.set_str(&mut l.heap, key, Value::Table(exits));
    l.push(Value::Table(t));
    Ok(1)
}
