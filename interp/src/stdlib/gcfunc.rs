//! `collectgarbage`, the base library's interface to the collector (`gc/collector.rs`).

use crate::error::LuaResult;
use crate::state::Lua;
use crate::value::Value;

/// The options, in the order `collectgarbage` matches them.
const OPTS: &[&str] = &[
    "collect",
    "stop",
    "restart",
    "count",
    "step",
    "setpause",
    "setstepmul",
    "isrunning",
    "generational",
    "incremental",
];

/// `collectgarbage([opt [, arg]])`. Inside a finalizer the collector is off and every
/// option returns nil (as lua5.4 does).
pub fn collectgarbage(l: &mut Lua) -> LuaResult<usize> {
    let opt = l.check_option(1, Some("collect"), OPTS)?;
    let name = OPTS.get(opt).copied().unwrap_or("collect");
    if l.gc_in_finalizer() {
        l.push(Value::Nil);
        return Ok(1);
    }
    let v = match name {
        "collect" => {
            l.full_gc();
            Value::Int(0)
        }
        "stop" | "restart" => {
            l.gc_set_running(name == "restart");
            Value::Int(0)
        }
        "count" => Value::Float(l.heap.bytes_in_use() as f64 / 1024.0),
        "step" => {
            let kb = l.opt_int(2, 0)?;
            Value::Bool(l.gc_step(kb))
        }
        "setpause" | "setstepmul" => {
            let n = l.opt_int(2, 0)?.clamp(0, i64::from(u32::MAX)) as u32;
            let (pause, stepmul) = if name == "setpause" {
                l.gc_set_params(Some(n), None)
            } else {
                l.gc_set_params(None, Some(n))
            };
            Value::Int(i64::from(if name == "setpause" { pause } else { stepmul }))
        }
        "isrunning" => Value::Bool(l.gc_is_running()),
        _ => return set_mode(l, name == "generational"),
    };
    l.push(v);
    Ok(1)
}

/// `collectgarbage("incremental"|"generational", ...)`: returns the previous mode's name.
/// The incremental parameters (pause, step multiplier; 0 = unchanged) are applied; the
/// collector stays incremental either way.
fn set_mode(l: &mut Lua, generational: bool) -> LuaResult<usize> {
    let a = l.opt_int(2, 0)?;
    let b = l.opt_int(3, 0)?;
    l.opt_int(4, 0)?;
    if !generational {
        let param = |x: i64| (x > 0).then(|| x.min(i64::from(u32::MAX)) as u32);
        l.gc_set_params(param(a), param(b));
    }
    let was_gen = l.gc_set_generational(generational);
    l.push_str(if was_gen {
        b"generational"
    } else {
        b"incremental"
    });
    Ok(1)
}
