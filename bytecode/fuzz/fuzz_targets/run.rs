//! Fuzz target: the loader+run path. Any bytes are loaded as a binary chunk by a full
//! interpreter state (in place, from an 8-aligned copy); an accepted chunk is run under an
//! instruction budget (a count hook that raises an error), so it must finish, fail with a
//! Lua error or run out of budget: never panic, crash or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moonjet_interp::Lua;

/// Runs the loaded chunk (global `f`) with a budget of 20,000 instructions, after taking
/// away what could touch the machine (files, processes) or lift the budget.
const DRIVER: &[u8] = b"local sethook, f = debug.sethook, f
os, io, debug, package, require, dofile, loadfile, collectgarbage = nil
sethook(function() error('budget') end, '', 20000)
pcall(f)
sethook()";

/// The input copied to 8-aligned memory that lives for the rest of the process (a
/// stand-in for flash; one leak per input is fine for a fuzzer run).
fn leak_aligned(data: &[u8]) -> &'static [u8] {
    let words: &'static mut [u64] = Vec::leak(vec![0u64; data.len().div_ceil(8)]);
    let all: &'static mut [u8] = bytemuck::cast_slice_mut(words);
    all[..data.len()].copy_from_slice(data);
    &all[..data.len()]
}

fuzz_target!(|data: &[u8]| {
    let mut l = Lua::new();
    l.set_compiler(|src, name| moonjet_compiler::compile(src, name).map_err(|e| e.message));
    moonjet_interp::stdlib::open_libs(&mut l);
    let Ok(f) = l.load_chunk_static(leak_aligned(data), b"=fuzz") else {
        return;
    };
    let k = l.intern(b"f");
    let g = l.globals;
    g.set_str(&mut l.heap, k, f);
    let driver = l
        .load(DRIVER, b"=driver", "t", None)
        .expect("the driver compiles");
    let _ = l.call_value(driver, &[]);
});
