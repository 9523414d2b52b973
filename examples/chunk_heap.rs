//! Heap cost and speed of loading a large binary chunk: in place (a file mapping, or a
//! `'static` buffer) versus copied (`load_owned`) versus compiling the source.
//!
//! ```sh
//! cargo run --release --example chunk_heap            # default shapes
//! cargo run --release --example chunk_heap -- 4       # scale the program size
//! ```
//!
//! A counting global allocator reports the heap bytes each load leaves allocated (the
//! verification alone, the prototype tree of a copy, or the Lua function with its runtime
//! prototypes and interned strings), as a percentage of the chunk's size; then the heap
//! kept after running the main function (which makes a closure of every function, so
//! every runtime prototype is built) and after calling 1% of the functions. Two program shapes: "ordinary" (thousands of
//! small functions with short and medium string constants) and "bulk" (a few hundred
//! large functions with long string constants, the shape of data-heavy firmware scripts).

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use moonjet::bytecode::chunk::{dump, load_owned, load_shared, load_static};
use moonjet::bytecode::{Constant, Proto};
use moonjet::interp::{Lua, Value};
use moonjet::MappedChunk;

// ---------------------------------------------------------------------------------------
// Counting allocator
// ---------------------------------------------------------------------------------------

/// The system allocator, counting live bytes.
struct Counting;

/// Bytes currently allocated.
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to `System` unchanged; it only adds counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout (caller's contract).
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which we pass on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap bytes allocated now.
fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Runs `f` `reps` times, each on a fresh bare state made outside the measurement;
/// returns the last state with `f`'s result, the heap bytes `f` kept allocated and the
/// fastest time. Earlier states are dropped before the next run.
fn measure<T>(reps: usize, mut f: impl FnMut(&mut Lua) -> T) -> ((Lua, T), usize, Duration) {
    let mut best = Duration::MAX;
    let mut last = None;
    let mut kept = 0;
    for _ in 0..reps.max(1) {
        drop(last.take());
        let mut l = moonjet::bare_state();
        let before = live();
        let t = Instant::now();
        let v = f(&mut l);
        best = best.min(t.elapsed());
        kept = live().saturating_sub(before);
        last = Some((l, v));
    }
    match last {
        Some(v) => (v, kept, best),
        None => unreachable!("at least one run"),
    }
}

/// Runs `f` `reps` times with no state; as [`measure`].
fn measure_plain<T>(reps: usize, mut f: impl FnMut() -> T) -> (usize, Duration) {
    let ((_, _), kept, t) = measure(reps, |_| f());
    (kept, t)
}

// ---------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------

/// A program of `n` functions, each with `stmts` statements and `strings` string
/// constants of `str_len` bytes (all distinct).
fn program(n: usize, stmts: usize, strings: usize, str_len: usize) -> String {
    let mut s = String::from("local M = {}\n");
    for f in 0..n {
        let _ = writeln!(s, "M[{f}] = function(a, b, c)");
        let _ = writeln!(s, "  local x, y, t = a or 0, b or 1, {{}}");
        for i in 0..stmts {
            let _ = writeln!(
                s,
                "  x = (x * {} + y) % 65521; if x > {} then y = y + {}.5 end",
                i + 3,
                i * 7 + f,
                i
            );
        }
        for i in 0..strings {
            let body: String = (0..str_len)
                .map(|k| char::from(b'a' + ((f * 31 + i * 7 + k) % 26) as u8))
                .collect();
            let _ = writeln!(s, "  t[{i}] = \"{f}:{i}:{body}\"");
        }
        let _ = writeln!(s, "  return x, y, t\nend");
    }
    s.push_str("return M\n");
    s
}

/// Functions, instructions, constants and string-constant bytes of a prototype tree.
fn totals(p: &Proto, t: &mut [usize; 4]) {
    t[0] += 1;
    t[1] += p.code.len();
    t[2] += p.constants.len();
    for k in &p.constants {
        if let Constant::Str(s) = k {
            t[3] += s.len();
        }
    }
    for c in &p.protos {
        totals(c, t);
    }
}

/// A leaked copy of `bytes` at an 8-aligned address (a stand-in for flash).
fn leak_aligned(bytes: &[u8]) -> &'static [u8] {
    let buf: &'static mut [u8] = Vec::leak(vec![0u8; bytes.len() + 8]);
    let off = buf.as_ptr().align_offset(8);
    let out = &mut buf[off..off + bytes.len()];
    out.copy_from_slice(bytes);
    out
}

// ---------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------

/// One line of the report.
fn line(what: &str, chunk: usize, heap: usize, t: Duration) {
    println!(
        "  {what:<44} heap {:>10} B  {:>7.2}% of chunk   {:>9.2} ms",
        heap,
        100.0 * heap as f64 / chunk as f64,
        t.as_secs_f64() * 1e3
    );
}

/// Stores `v` as global `name` (so the collector keeps it).
fn set_global(l: &mut Lua, name: &str, v: Value) {
    let k = l.intern(name.as_bytes());
    let g = l.globals;
    g.set_str(&mut l.heap, k, v);
}

/// Runs the loaded main function `f` (which defines the program's functions in table
/// `M`), then calls `calls` of them; reports the heap kept after each step, counted from
/// `origin`, the heap allocated before the load.
fn run_part(l: &mut Lua, f: Value, n: usize, calls: usize, origin: usize, what: &str) {
    set_global(l, "main", f);
    let t = Instant::now();
    let m = l.call_value(f, &[]).expect("main runs")[0];
    let d = t.elapsed();
    set_global(l, "M", m);
    l.full_gc();
    let kept = || live().saturating_sub(origin);
    line(&format!("{what}: after running main"), n, kept(), d);
    let caller = l
        .load(
            format!("for i = 0, {} do M[i](i, 2) end", calls - 1).as_bytes(),
            b"=run",
            "t",
            None,
        )
        .expect("compiles");
    let t = Instant::now();
    l.call_value(caller, &[]).expect("functions run");
    let d = t.elapsed();
    l.full_gc();
    line(
        &format!("{what}: after calling {calls} functions"),
        n,
        kept(),
        d,
    );
}

/// Measures one program shape, stripped and not.
fn shape(name: &str, src: &str, reps: usize) {
    let p = moonjet::compiler::compile(src.as_bytes(), b"@big.lua").expect("program compiles");
    let mut t = [0; 4];
    totals(&p, &mut t);
    println!(
        "{name}: source {} B; {} functions, {} instructions, {} constants, {} string bytes",
        src.len(),
        t[0],
        t[1],
        t[2],
        t[3]
    );
    let calls = (t[0] / 100).max(1);
    for strip in [true, false] {
        let chunk = dump(&p, strip);
        let n = chunk.len();
        println!("{name}, strip={strip}: chunk {n} B");
        let path =
            std::env::temp_dir().join(format!("chunk_heap_{}_{strip}.mjc", std::process::id()));
        std::fs::write(&path, &chunk).expect("write the chunk");
        let map = Rc::new(MappedChunk::open(&path).expect("map the chunk"));
        let rom = leak_aligned(&chunk);

        let (h, d) = measure_plain(reps, || load_shared(map.clone()).expect("valid"));
        line("verify in place (load_shared)", n, h, d);
        let (h, d) = measure_plain(reps, || load_static(rom).expect("valid"));
        line("verify in place (load_static)", n, h, d);
        let (h, d) = measure_plain(reps, || load_owned(&chunk).expect("valid"));
        line("Proto tree, copied (load_owned)", n, h, d);

        let ((_, _), h, d) = measure(reps, |l| l.load_chunk_static(rom, b"=rom").expect("ok"));
        line("Lua function, in place (static)", n, h, d);
        let ((mut l, f), at_load, d) = measure(reps, |l| {
            moonjet::load_mapped(l, map.clone(), b"@big.mjc").expect("valid")
        });
        line("Lua function, in place (mapped)", n, at_load, d);
        let origin = live().saturating_sub(at_load);
        run_part(&mut l, f, n, calls, origin, "  in place");
        drop(l);
        let ((mut l, f), at_load, d) =
            measure(reps, |l| l.load(&chunk, b"=big", "b", None).expect("valid"));
        line("Lua function, copied (load)", n, at_load, d);
        let origin = live().saturating_sub(at_load);
        run_part(&mut l, f, n, calls, origin, "  copied");
        drop(l);
        if !strip {
            let (h, d) = measure_plain(reps, || {
                moonjet::compiler::compile(src.as_bytes(), b"@big.lua")
            });
            line("Proto tree, compiled from source", n, h, d);
            let (_, h, d) = measure(reps, |l| {
                l.load(src.as_bytes(), b"@big.lua", "t", None)
                    .expect("valid")
            });
            line("Lua function, compiled (load)", n, h, d);
        }
        let _ = std::fs::remove_file(&path);
    }
}

fn main() {
    let scale: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1)
        .max(1);
    let reps = 5;
    shape("ordinary", &program(2000 * scale, 12, 4, 24), reps);
    println!();
    shape("bulk", &program(100 * scale, 400, 20, 400), reps);
}
