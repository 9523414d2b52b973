//! In-process micro-benchmarks (criterion): the compiler, chunk dump/load, `Lua::load`,
//! and a few interpreter operations timed through `Lua::call_value`.
//!
//! `cargo bench --bench micro` runs them all in well under two minutes; add a filter
//! (`cargo bench --bench micro -- table/`) to run some. Every Lua function is run once
//! and its result checked before it is timed, so a wrong answer stops the run instead
//! of producing a fast figure. See `benches/README.md`, "Micro-benchmarks".

mod front;
mod gen;
mod ops;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use moonjet::interp::{Lua, LuaError, Value};

/// Short runs: 20 samples, 0.3 s warm-up and 1 s of measurement per benchmark.
fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .noise_threshold(0.03)
}

criterion_group! {
    name = micro;
    config = config();
    targets = front::bench, ops::bench
}
criterion_main!(micro);

// ------------------------------------------------------------------------ helpers

/// The message of a Lua error, for setup failures.
fn error_text(e: &LuaError) -> String {
    match e.value {
        Value::Str(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        v => format!("(error object is a {} value)", v.type_name()),
    }
}

/// Stops the run with a message saying which setup step failed (a bug, not bad input:
/// every benchmark's input is fixed).
fn fail(what: &str, why: &str) -> ! {
    eprintln!("micro-benchmark setup failed: {what}: {why}");
    std::process::exit(1)
}

/// Unwraps a Lua result or stops the run with a message.
fn lua_ok<T>(r: Result<T, LuaError>, what: &str) -> T {
    r.unwrap_or_else(|e| fail(what, &error_text(&e)))
}

/// Runs `source` as a chunk in `l` (its results are dropped).
fn run_chunk(l: &mut Lua, source: &str, name: &str) {
    let f = lua_ok(l.load(source.as_bytes(), name.as_bytes(), "t", None), name);
    lua_ok(l.call_value(f, &[]), name);
}

/// A global function defined by an earlier `run_chunk` (globals keep it alive).
fn global_fn(l: &mut Lua, name: &str) -> Value {
    let f = l.get_global(name);
    if !f.is_function() {
        fail(name, "the setup chunk did not define this global function");
    }
    f
}

/// Calls `f(n)` once and checks that its first result is the integer `want`.
fn check_int(l: &mut Lua, f: Value, n: i64, want: i64, what: &str) {
    let got = lua_ok(l.call_value_1(f, &[Value::Int(n)]), what);
    if got.as_int() != Some(want) {
        fail(what, &format!("returned {got:?}, expected {want}"));
    }
}
