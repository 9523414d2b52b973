//! The coroutine library (manual §6.2); the machinery is in `vm/coro.rs`.

use crate::error::{LuaError, LuaResult};
use crate::func::NativeFn;
use crate::gc::Gc;
use crate::thread::{CoStatus, Thread};
use crate::value::Value;
use crate::Lua;

/// The functions of the coroutine library.
const FUNCS: &[(&str, NativeFn)] = &[
    ("close", close),
    ("create", create),
    ("isyieldable", isyieldable),
    ("resume", resume),
    ("running", running),
    ("status", status),
    ("wrap", wrap),
    ("yield", yield_),
];

/// Registers the library.
pub fn open(l: &mut Lua) {
    l.register_static_lib("coroutine", crate::static_part!(FUNCS), 0);
}

/// The first coroutine made through the library turns the library's table into an
/// ordinary one (STATIC-PART in `table.rs`): coroutine bodies look `coroutine.yield`
/// up on every pass, and a hash hit costs a fraction of a static part's probe, which
/// interpreted code would pay on each (compiled code's reads materialize the table
/// anyway). Until then the table stays static, as boot wants.
fn warm_lib(l: &mut Lua) {
    if l.coroutine_lib_warm {
        return;
    }
    l.coroutine_lib_warm = true;
    let loaded = l.loaded_table();
    let k = l.intern(b"coroutine");
    if let Value::Table(t) = loaded.get_str(k) {
        t.materialize(&mut l.heap);
    }
}

/// Argument `n` as a coroutine.
fn check_co(l: &mut Lua, n: usize) -> LuaResult<Gc<Thread>> {
    match l.arg(n) {
        Value::Thread(t) => Ok(t),
        _ => Err(l.type_error(n, "thread")),
    }
}

/// coroutine.create(f)
fn create(l: &mut Lua) -> LuaResult<usize> {
    let f = l.check_function(1)?;
    warm_lib(l);
    let co = l.new_thread(f);
    l.push(Value::Thread(co));
    Ok(1)
}

/// coroutine.resume(co, ...)
fn resume(l: &mut Lua) -> LuaResult<usize> {
    let co = check_co(l, 1)?;
    let base = l.frame_base();
    let nargs = l.arg_count() - 1;
    match l.resume(co, nargs) {
        Ok(n) => {
            l.stack[base] = Value::Bool(true);
            Ok(n + 1)
        }
        Err(v) => {
            l.push(Value::Bool(false));
            l.push(v);
            Ok(2)
        }
    }
}

/// coroutine.yield(...)
fn yield_(l: &mut Lua) -> LuaResult<usize> {
    Err(l.yield_signal())
}

/// The function `coroutine.wrap` returns: resumes, and raises the coroutine's errors
/// (with the caller's position prepended to string messages).
fn wrap_aux(l: &mut Lua) -> LuaResult<usize> {
    let Value::Thread(co) = l.native_upval(0) else {
        return Err(l.error_str("wrapped coroutine lost"));
    };
    let nargs = l.arg_count();
    match l.resume(co, nargs) {
        Ok(n) => Ok(n),
        Err(mut v) => {
            if co.status.get() == CoStatus::Dead && co.error.get().is_some() {
                if let Some(e) = l.close_thread(co) {
                    v = e;
                }
            }
            if let Value::Str(s) = v {
                let mut text = l.where_(1).into_bytes();
                text.extend_from_slice(s.as_bytes());
                v = l.new_str(&text);
            }
            Err(LuaError::new(v))
        }
    }
}

/// coroutine.wrap(f)
fn wrap(l: &mut Lua) -> LuaResult<usize> {
    let f = l.check_function(1)?;
    warm_lib(l);
    let co = l.new_thread(f);
    let c = l.new_native_closure(wrap_aux, &[Value::Thread(co)]);
    l.push(c);
    Ok(1)
}

/// coroutine.status(co)
fn status(l: &mut Lua) -> LuaResult<usize> {
    let co = check_co(l, 1)?;
    let s: &[u8] = if co == l.current {
        b"running"
    } else {
        match co.status.get() {
            CoStatus::Suspended => b"suspended",
            CoStatus::Running => b"running",
            CoStatus::Normal => b"normal",
            CoStatus::Dead => b"dead",
        }
    };
    l.push_str(s);
    Ok(1)
}

/// coroutine.isyieldable([co])
fn isyieldable(l: &mut Lua) -> LuaResult<usize> {
    /// No argument at all (an explicit nil is checked as a thread).
    fn nargs_is_zero(l: &Lua) -> bool {
        l.arg_count() == 0
    }
    let r = match l.arg(1) {
        _ if nargs_is_zero(l) => l.is_yieldable(),
        _ => {
            let co = check_co(l, 1)?;
            if co == l.current {
                l.is_yieldable()
            } else {
                co != l.main_thread
            }
        }
    };
    l.push(Value::Bool(r));
    Ok(1)
}

/// coroutine.running()
fn running(l: &mut Lua) -> LuaResult<usize> {
    let (cur, main) = (l.current, l.main_thread);
    l.push(Value::Thread(cur));
    l.push(Value::Bool(cur == main));
    Ok(2)
}

/// coroutine.close(co)
fn close(l: &mut Lua) -> LuaResult<usize> {
    let co = check_co(l, 1)?;
    match co.status.get() {
        CoStatus::Suspended | CoStatus::Dead if co != l.current => {}
        CoStatus::Normal => return Err(l.error_str("cannot close a normal coroutine")),
        _ => return Err(l.error_str("cannot close a running coroutine")),
    }
    match l.close_thread(co) {
        None => {
            l.push(Value::Bool(true));
            Ok(1)
        }
        Some(e) => {
            l.push(Value::Bool(false));
            l.push(e);
            Ok(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::value::Value;
    use crate::Lua;

    /// The `coroutine` library table of `l`.
    fn lib(l: &mut Lua) -> crate::gc::Gc<crate::table::Table> {
        match l.get_global("coroutine") {
            Value::Table(t) => t,
            _ => panic!("no coroutine table"),
        }
    }

    #[test]
    fn the_first_coroutine_made_turns_the_library_table_ordinary() {
        let mut l = Lua::new();
        l.set_compiler(|src, name| moonjet_compiler::compile(src, name).map_err(|e| e.message));
        crate::stdlib::open_libs(&mut l);
        assert!(lib(&mut l).has_static.get());
        let f = l
            .load(
                b"local co = coroutine.wrap(function() coroutine.yield(1) end) return co()",
                b"=t",
                "t",
                None,
            )
            .unwrap_or_else(|_| panic!("compiles"));
        let r = l.call_value_1(f, &[]);
        assert!(matches!(r, Ok(Value::Int(1))));
        assert!(!lib(&mut l).has_static.get());
        // The entries are all there, in the hash part.
        let k = l.intern(b"isyieldable");
        assert!(matches!(lib(&mut l).get_str(k), Value::NativeFn(_)));
    }
}
