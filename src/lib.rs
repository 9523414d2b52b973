//! Moonjet facade: the crates that make up the runtime, and a ready-to-use state.
//!
//! ```no_run
//! let mut l = moonjet::new_state();
//! let f = l.load(b"print('hello')", b"=example", "t", None).unwrap();
//! l.call_value(f, &[]).unwrap();
//! ```

pub use moonjet_bytecode as bytecode;
pub use moonjet_compiler as compiler;
pub use moonjet_interp as interp;

use moonjet_interp::Lua;

/// Compiles Lua source for the interpreter (`Lua::set_compiler`'s signature).
pub fn compile_source(source: &[u8], chunkname: &[u8]) -> Result<bytecode::Proto, String> {
    compiler::compile(source, chunkname).map_err(|e| e.message)
}

/// A bare state with the compiler wired in and no libraries.
pub fn bare_state() -> Lua {
    let mut l = Lua::new();
    l.set_compiler(compile_source);
    l
}

/// A state with the compiler wired in and every standard library open.
pub fn new_state() -> Lua {
    let mut l = bare_state();
    moonjet_interp::stdlib::open_libs(&mut l);
    l
}
