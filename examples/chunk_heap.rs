//! Heap cost and speed of loading a large binary chunk: in place (a file mapping, or a
//! `'static` buffer) versus copied (`load_owned`) versus compiling the source.
//!
//! ```sh
//! cargo run --release --example chunk_heap            # default shapes
//! cargo run --release --example chunk_heap -- 4       # scale the program size
//! ```
//!
//! A counting global allocator reports the heap bytes each load leaves allocated (the
//! prototypes, or the Lua function with its runtime prototypes and interned strings),
//! as a percentage of the chunk's size. Two program shapes: "ordinary" (thousands of
//! small functions with short and medium string constants) and "bulk" (a few hundred
//! large functions with long string constants, the shape of data-heavy firmware scripts).

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use moonjet::bytecode::chunk::{dump, load_owned, load_shared, load_static};
use moonjet::bytecode::{Constant, Proto};
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

/// Runs `f` `reps` times; returns the last result, the heap bytes it keeps allocated
/// and the fastest time. Earlier results are dropped before the next run.
fn measure<T>(reps: usize, mut f: impl FnMut() -> T) -> (T, usize, Duration) {
    let mut best = Duration::MAX;
    let mut last = None;
    let mut kept = 0;
    for _ in 0..reps.max(1) {
        drop(last.take());
        let before = LIVE.load(Ordering::Relaxed);
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        kept = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        last = Some(v);
    }
    match last {
        Some(v) => (v, kept, best),
        None => unreachable!("at least one run"),
    }
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
        "  {what:<34} heap {:>10} B  {:>7.2}% of chunk   {:>9.2} ms",
        heap,
        100.0 * heap as f64 / chunk as f64,
        t.as_secs_f64() * 1e3
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
    for strip in [true, false] {
        let chunk = dump(&p, strip);
        let n = chunk.len();
        println!("{name}, strip={strip}: chunk {n} B");
        let path =
            std::env::temp_dir().join(format!("chunk_heap_{}_{strip}.mjc", std::process::id()));
        std::fs::write(&path, &chunk).expect("write the chunk");
        let map = Rc::new(MappedChunk::open(&path).expect("map the chunk"));
        let rom = leak_aligned(&chunk);

        let (_, h, d) = measure(reps, || load_shared(map.clone()).expect("valid"));
        line("Proto, in place (mapped file)", n, h, d);
        let (_, h, d) = measure(reps, || load_static(rom).expect("valid"));
        line("Proto, in place (static)", n, h, d);
        let (_, h, d) = measure(reps, || load_owned(&chunk).expect("valid"));
        line("Proto, copied (load_owned)", n, h, d);
        if !strip {
            let (_, h, d) = measure(reps, || {
                moonjet::compiler::compile(src.as_bytes(), b"@big.lua")
            });
            line("Proto, compiled from source", n, h, d);
        }

        let mut l = moonjet::bare_state();
        let (_, h, d) = measure(reps, || {
            moonjet::load_mapped(&mut l, map.clone(), b"@big.mjc").expect("valid")
        });
        line("Lua function, in place (mapped)", n, h, d);
        let mut l = moonjet::bare_state();
        let (_, h, d) = measure(reps, || l.load_chunk_static(rom, b"=rom").expect("valid"));
        line("Lua function, in place (static)", n, h, d);
        let mut l = moonjet::bare_state();
        let (_, h, d) = measure(reps, || l.load(&chunk, b"=big", "b", None).expect("valid"));
        line("Lua function, copied (load)", n, h, d);
        if !strip {
            let mut l = moonjet::bare_state();
            let (_, h, d) = measure(reps, || {
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
