//! DIRECT-KEY (`interp/src/jit_iface/direct.rs`): the state's key follows every switch
//! that forbids native calls (a hook, `jit.off()`, a flush), and a compiled call checks
//! its callee with the one subtraction instead of the separate loads.

mod common;

use common::{compile, ir_of_first};
use moonjet_interp::jit_iface::{direct_offsets as d, NOT_LIVE};
use moonjet_interp::{Lua, Value};
use moonjet_jit::Jit;

/// A state with the libraries and the JIT installed.
fn state() -> Lua {
    let mut l = Lua::new();
    l.set_compiler(compile);
    moonjet_interp::stdlib::open_libs(&mut l);
    l.jit.install(Box::new(Jit::new().expect("host supported")));
    l
}

#[test]
fn the_live_key_follows_hooks_switches_and_flushes() {
    let mut l = state();
    assert_eq!(l.jit.direct_key, 0, "generation 0, live");
    let f = l
        .load(b"return function() end", b"=t", "t", None)
        .expect("compiles");
    let hook = l.call_value(f, &[]).expect("runs")[0];
    l.set_hook(Some(hook), 1, 0, None);
    assert_eq!(l.jit.direct_key, NOT_LIVE, "a hook forbids native calls");
    l.set_hook(None, 0, 0, None);
    assert_eq!(l.jit.direct_key, 0);
    l.jit.set_enabled(false);
    assert_eq!(l.jit.direct_key, NOT_LIVE, "jit.off()");
    l.jit.set_enabled(true);
    l.jit.flush();
    assert_eq!(l.jit.direct_key, 1 << 32, "the next generation");
    l.set_hook(Some(hook), 1, 0, None);
    l.jit.flush();
    assert_eq!(l.jit.direct_key, NOT_LIVE, "still hooked after a flush");
}

#[test]
fn a_prototype_key_names_its_generation_and_parameters() {
    let mut l = state();
    l.jit.hotcall = 1;
    let src = b"local function two(a, b) return a end \
                local function va(...) return ... end \
                two(1, 2) va(1) return two, va";
    let f = l.load(src, b"=t", "t", None).expect("compiles");
    let r = l.call_value(f, &[]).expect("runs");
    let key = |v: Value| match v {
        Value::LuaFn(c) => c.proto.jit.direct_key(),
        _ => panic!("not a Lua function"),
    };
    assert_eq!(key(r[0]), 2, "generation 0, two parameters");
    assert_eq!(key(r[1]), u32::MAX as u64, "vararg: never called directly");
    l.jit.flush();
    // Stale: at least 2^32 away from the live key whatever the arguments.
    assert!(key(r[0]).wrapping_sub(l.jit.direct_key) > u32::MAX as u64);
}

#[test]
fn a_direct_call_checks_its_callee_with_one_key() {
    let ir = ir_of_first(
        "local function fib(k) if k < 2 then return k end \
         return fib(k - 1) + fib(k - 2) end",
    );
    let ends = |off: i32| {
        ir.lines()
            .filter(|s| s.ends_with(&format!("+{off}")))
            .count()
    };
    assert_eq!(ends(d::KEY), 2, "one key per call site:\n{ir}");
    assert_eq!(ends(d::LIVE_KEY), 2, "{ir}");
    assert_eq!(ends(d::JIT_ACTIVE), 0, "no separate JIT-active test:\n{ir}");
    assert_eq!(ends(d::NUM_PARAMS), 0, "no separate parameter test:\n{ir}");
}
