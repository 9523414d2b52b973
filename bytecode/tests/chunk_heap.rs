//! Heap cost of loading a large chunk in place versus copied, with a counting allocator.
//! Prints the figures (`cargo test -p moonjet-bytecode --test chunk_heap -- --nocapture`).

mod chunk_common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chunk_common::{root, Aligned};
use moonjet_bytecode::chunk::{dump, load_owned, load_shared};
use moonjet_bytecode::{Backing, Buf, Constant, LocVar, Proto, UpvalDesc};

/// Counts of what a prototype tree holds.
#[derive(Debug, Default)]
struct Totals {
    functions: usize,
    instructions: usize,
    constants: usize,
    string_bytes: usize,
    upvalues: usize,
    locals: usize,
}

/// Adds the counts of `p` and its children to `t`.
fn totals(p: &Proto, t: &mut Totals) {
    t.functions += 1;
    t.instructions += p.code.len();
    t.constants += p.constants.len();
    for k in &p.constants {
        if let Constant::Str(s) = k {
            t.string_bytes += s.len();
        }
    }
    t.upvalues += p.upvalues.len();
    t.locals += p.locals.len();
    for c in &p.protos {
        totals(c, t);
    }
}

/// The system allocator, counting live bytes.
struct Counting;

/// Bytes currently allocated.
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System` unchanged; only adds counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Live heap bytes kept by whatever `f` returns.
fn heap_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    let v = f();
    (v, LIVE.load(Ordering::Relaxed).saturating_sub(before))
}

/// A program of at least `min` source bytes: the benchmark programs, each wrapped in a
/// function, repeated in blocks.
fn big_source(min: usize) -> String {
    let mut parts = Vec::new();
    for entry in std::fs::read_dir(root().join("benches")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "lua") {
            let src = std::fs::read_to_string(&path).unwrap();
            if moonjet_compiler::compile(src.as_bytes(), b"=x").is_ok() {
                parts.push(src);
            }
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while out.len() < min {
        out.push_str("do\n");
        for p in &parts {
            out.push_str(&format!("local function f{i}(...)\n{p}\nend\n"));
            i += 1;
        }
        out.push_str("end\n");
    }
    out
}

#[test]
fn in_place_load_allocates_little() {
    let src = big_source(1 << 20);
    let p = moonjet_compiler::compile(src.as_bytes(), b"@big.lua").unwrap();
    let mut t = Totals::default();
    totals(&p, &mut t);
    println!("chunk_heap: {t:?}");
    println!(
        "chunk_heap: sizes: Proto {}, Constant {}, UpvalDesc {}, LocVar {}, Buf<u8> {}",
        size_of::<Proto>(),
        size_of::<Constant>(),
        size_of::<UpvalDesc>(),
        size_of::<LocVar>(),
        size_of::<Buf<u8>>()
    );
    for strip in [true, false] {
        let chunk = dump(&p, strip);
        let backing: Rc<dyn Backing> = Aligned::new(&chunk);
        let (shared, in_place) = heap_of(|| load_shared(Rc::clone(&backing)).unwrap());
        let (owned, copied) = heap_of(|| load_owned(&chunk).unwrap());
        let pct = |n: usize| 100.0 * n as f64 / chunk.len() as f64;
        println!(
            "chunk_heap: strip={strip}: chunk {} bytes; in place {} bytes ({:.2}%); copied {} bytes ({:.1}%)",
            chunk.len(),
            in_place,
            pct(in_place),
            copied,
            pct(copied)
        );
        assert!(
            in_place * 100 <= chunk.len(),
            "in place: at most 1% of the chunk"
        );
        assert!(in_place < copied);
        drop((shared, owned));
    }
}
