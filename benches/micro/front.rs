//! Front-end benchmarks: compiling the large generated source, dumping and loading its
//! chunk, and `Lua::load` end to end (source text, and a binary chunk).

use std::hint::black_box;
use std::rc::Rc;

use criterion::{Criterion, Throughput};
use moonjet::bytecode::{chunk, Proto};
use moonjet::interp::Lua;

use crate::gen::{large_source, LARGE_BLOCKS, LARGE_CHECKSUM};
use crate::{fail, lua_ok};

/// Chunk name of the generated source.
const NAME: &[u8] = b"=large";

/// Registers the `compile/`, `chunk/` and `load/` benchmarks.
pub fn bench(c: &mut Criterion) {
    let src = large_source(LARGE_BLOCKS);
    let proto = moonjet::compiler::compile(src.as_bytes(), NAME)
        .unwrap_or_else(|e| fail("compiling the large source", &e.message));
    let bytes = chunk::dump(&proto, false);
    let mut l = moonjet::new_state();
    check_runs(&mut l, proto, "the compiled large source");
    let reloaded = chunk::load_owned(&bytes)
        .unwrap_or_else(|e| fail("load_owned of the dumped chunk", &e.message));
    check_runs(&mut l, reloaded, "the dumped and reloaded chunk");

    let mut g = c.benchmark_group("compile");
    g.throughput(Throughput::Bytes(src.len() as u64));
    g.bench_function("large_source", |b| {
        b.iter(|| moonjet::compiler::compile(black_box(src.as_bytes()), NAME))
    });
    g.finish();

    bench_chunk(c, &bytes);
    bench_load(c, &mut l, &src, &bytes);
}

/// Runs `proto` as a main chunk and checks that it returns `LARGE_CHECKSUM`.
fn check_runs(l: &mut Lua, proto: Proto, what: &str) {
    let f = lua_ok(l.closure_from_proto(Rc::new(proto), None), what);
    let got = lua_ok(l.call_value_1(f, &[]), what);
    if got.as_int() != Some(LARGE_CHECKSUM) {
        fail(
            what,
            &format!("returned {got:?}, expected {LARGE_CHECKSUM}"),
        );
    }
}

/// `chunk/dump` and `chunk/load_owned` (which verifies) of the large chunk.
fn bench_chunk(c: &mut Criterion, bytes: &[u8]) {
    let proto = chunk::load_owned(bytes).unwrap_or_else(|e| fail("load_owned", &e.message));
    let mut g = c.benchmark_group("chunk");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("dump", |b| b.iter(|| chunk::dump(black_box(&proto), false)));
    g.bench_function("load_owned", |b| {
        b.iter(|| chunk::load_owned(black_box(bytes)))
    });
    g.finish();
}

/// `load/source` and `load/binary`: `Lua::load` to a closure, runtime prototypes and
/// interned constants included. The closures are garbage at once; each iteration ends
/// at a GC safepoint so the collector keeps up.
fn bench_load(c: &mut Criterion, l: &mut Lua, src: &str, bytes: &[u8]) {
    let mut g = c.benchmark_group("load");
    g.throughput(Throughput::Bytes(src.len() as u64));
    g.bench_function("source", |b| {
        b.iter(|| load_and_drop(l, src.as_bytes(), "t"))
    });
    match l.load(bytes, NAME, "b", None) {
        Ok(_) => {
            g.throughput(Throughput::Bytes(bytes.len() as u64));
            g.bench_function("binary", |b| b.iter(|| load_and_drop(l, bytes, "b")));
        }
        Err(e) => eprintln!(
            "load/binary skipped: Lua::load refused the chunk: {}",
            crate::error_text(&e)
        ),
    }
    g.finish();
}

/// One `Lua::load` whose result is dropped, then a GC safepoint.
fn load_and_drop(l: &mut Lua, chunk: &[u8], mode: &str) -> bool {
    let ok = black_box(l.load(chunk, NAME, mode, None)).is_ok();
    l.gc_check();
    ok
}
