//! The embedded shape of Moonjet, run on the host: the interpreter built without `std`
//! (no io/os libraries, no compiler, no JIT), a fixed 256 KiB heap, a script precompiled
//! at build time and run in place from an aligned `include_bytes!`, and a host function
//! for output. It prints the RAM the state uses after boot with the whole (no-std)
//! standard library registered, after loading the script and after running it (and
//! fails past a budget for boot and for the run).
//!
//! ```sh
//! cd examples/embedded && cargo run --release
//! cargo run --release -- --blocks   # also list each block live after boot
//! ```
//!
//! `std` is used only by this host program (`main`, the UART stand-in, the exit code);
//! the moonjet crates are built with `default-features = false`.

mod arena;

use moonjet_interp::state::Output;
use moonjet_interp::stdlib::util::check_str;
use moonjet_interp::{Lua, LuaResult, Value};

/// Most bytes the allocator may have handed out after boot (checked at the end, so
/// that CI notices a regression).
const BOOT_BUDGET: usize = 8 * 1024;

/// Most bytes the allocator may have handed out after running the script (checked at
/// the end too: a frame's registers, not a fixed window, size the Lua stack).
const RUN_BUDGET: usize = 20 * 1024;

/// The heap every allocation of this program comes from (unit tests keep the system
/// allocator: the test harness needs more than this heap).
#[cfg_attr(not(test), global_allocator)]
static HEAP: arena::Arena = arena::Arena::new();

/// Bytes aligned to 8, as in-place loading requires (a linker section on a device).
#[repr(C, align(8))]
struct Aligned<B: ?Sized>(B);

/// The precompiled script (`build.rs` compiles `lua/app.lua`), read in place.
static APP: &Aligned<[u8]> = &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/app.mjc")));

/// The device's serial port (here: standard output).
struct Uart;

impl Output for Uart {
    fn write(&mut self, bytes: &[u8]) {
        use std::io::Write;
        let _ = std::io::stdout().write_all(bytes);
    }
    fn flush(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }
}

/// `uart_write(s)`: the host function the script writes through.
fn uart_write(l: &mut Lua) -> LuaResult<usize> {
    let s = check_str(l, 1)?;
    Uart.write(s.as_bytes());
    Ok(0)
}

/// Calls the global `collectgarbage(opt)`; its first result.
fn collectgarbage(l: &mut Lua, opt: &[u8]) -> LuaResult<Value> {
    let f = l.get_global("collectgarbage");
    let o = l.new_str(opt);
    l.call_value_1(f, &[o])
}

/// Prints the heap figures at a point of the run: what the allocator handed out (the
/// RAM the firmware loses), of which the GC pool's chunks, and what the collector
/// counts (its objects and their buffers, not the Lua stack or the string table), and
/// the Lua stack's size. With `blocks`, also lists the live blocks. Returns the live
/// bytes.
fn report(l: &mut Lua, when: &str, baseline: usize, blocks: bool) -> LuaResult<usize> {
    collectgarbage(l, b"collect")?;
    let kb = match collectgarbage(l, b"count")? {
        Value::Float(f) => f,
        _ => f64::NAN,
    };
    let s = HEAP.stats();
    let live = s.live - baseline;
    println!(
        "{when}: allocator {live} B live ({:.2} KB; peak {} B), of which GC pool chunks {} B; \
         collectgarbage(\"count\") = {kb:.2} KB; Lua stack {} slots ({} B); \
         arena used {} of {} B",
        live as f64 / 1024.0,
        s.peak - baseline,
        l.heap.pool_reserved_bytes(),
        l.stack.len(),
        l.stack.capacity() * core::mem::size_of::<Value>(),
        s.used,
        arena::HEAP_SIZE
    );
    if blocks {
        list_blocks();
    }
    Ok(live)
}

/// Lists the live blocks allocated since tracking started, oldest first (`--blocks`).
fn list_blocks() {
    let mut sizes = Vec::new();
    HEAP.blocks(|n| sizes.push(n));
    let total: usize = sizes.iter().sum();
    let list: Vec<String> = sizes.iter().map(|n| n.to_string()).collect();
    println!(
        "  {} live blocks, {total} B: {}",
        sizes.len(),
        list.join(" ")
    );
}

/// Boots the interpreter, reports RAM, runs the script in place.
fn run() -> LuaResult<i64> {
    let blocks = std::env::args().any(|a| a == "--blocks");
    println!(
        "moonjet embedded example: {} KiB heap",
        arena::HEAP_SIZE / 1024
    );
    let baseline = HEAP.stats().live; // what the host runtime allocated before `main`
    HEAP.track(blocks);
    let mut l = Lua::new();
    l.stdout = Box::new(Uart);
    moonjet_interp::stdlib::open_libs(&mut l);
    let f = l.new_native_closure(uart_write, &[]);
    l.set_global("uart_write", f);
    let boot = report(&mut l, "after boot", baseline, blocks)?;

    let chunk: &'static [u8] = &APP.0;
    let main = l.load_chunk_static(chunk, b"=app")?;
    // a value held only by Rust is invisible to the collector: anchor it in the registry
    let key = l.intern(b"app.main");
    let registry = l.registry;
    registry.set_str(&mut l.heap, key, main);
    report(
        &mut l,
        "after loading the script in place",
        baseline,
        blocks,
    )?;
    let r = l.call_value_1(main, &[])?;
    let run = report(&mut l, "after running it", baseline, blocks)?;
    println!("chunk: {} bytes in flash (read in place)", chunk.len());
    if boot > BOOT_BUDGET {
        eprintln!("error: {boot} B after boot, over the budget of {BOOT_BUDGET} B");
        std::process::exit(2);
    }
    if run > RUN_BUDGET {
        eprintln!("error: {run} B after running the script, over the budget of {RUN_BUDGET} B");
        std::process::exit(2);
    }
    Ok(if let Value::Int(n) = r { n } else { -1 })
}

fn main() {
    match run() {
        Ok(ticks) => println!("script returned {ticks}"),
        Err(e) => {
            let msg = match e.value {
                Value::Str(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
                v => format!("({} error value)", v.type_name()),
            };
            eprintln!("error: {msg}");
            std::process::exit(1);
        }
    }
}
