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
            let kb = int_param(l, 2)?;
            Value::Bool(l.gc_step(i64::from(kb)))
        }
        "setpause" | "setstepmul" => {
            let n = Some(gc_param(int_param(l, 2)?));
            let (pause, stepmul) = if name == "setpause" {
                l.gc_set_params(n, None)
            } else {
                l.gc_set_params(None, n)
            };
            Value::Int(i64::from(if name == "setpause" { pause } else { stepmul }))
        }
        "isrunning" => Value::Bool(l.gc_is_running()),
        _ => return set_mode(l, name == "generational"),
    };
    l.push(v);
    Ok(1)
}

/// An optional integer argument as the C `int` lua5.4 passes to `lua_gc` (wrapped).
fn int_param(l: &mut Lua, n: usize) -> LuaResult<i32> {
    Ok(l.opt_int(n, 0)? as i32)
}

/// A pause or step multiplier as lua5.4 stores it: a quarter of the value in one byte, so
/// reading it back gives a multiple of 4 (150 reads back as 148).
fn gc_param(v: i32) -> u32 {
    u32::from((v / 4) as u8) * 4
}

/// `collectgarbage("incremental" [, pause [, stepmul [, stepsize]]])` or
/// `collectgarbage("generational" [, minormul [, majormul]])`: returns the previous
/// mode's name. The incremental parameters (0 = unchanged) are applied; the generational
/// ones are checked and ignored, because the collector always works incrementally (the
/// mode is only reported).
fn set_mode(l: &mut Lua, generational: bool) -> LuaResult<usize> {
    let a = int_param(l, 2)?;
    let b = int_param(l, 3)?;
    if !generational {
        int_param(l, 4)?;
        let param = |x: i32| (x != 0).then(|| gc_param(x));
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

#[cfg(test)]
mod tests {
    use super::gc_param;
    use crate::stdlib::util::testlua::{check, check_err};

    #[test]
    fn parameters_read_back_as_lua_stores_them() {
        assert_eq!(gc_param(150), 148);
        assert_eq!(gc_param(1000), 1000);
        assert_eq!(gc_param(2000), 976);
        assert_eq!(gc_param(-4), 1020);
        check(
            "collectgarbage('setpause', 150) return collectgarbage('setpause', 200), \
             collectgarbage('generational'), collectgarbage('incremental', 0, 0, 0), \
             collectgarbage('incremental')",
            "148,incremental,generational,incremental",
        );
        check_err(
            "collectgarbage('generational', 'x')",
            "t:1: bad argument #2 to 'collectgarbage' (number expected, got string)",
        );
    }
}
