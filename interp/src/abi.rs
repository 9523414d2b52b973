//! The one door into the interpreter's data for compiled code (anchor: FRAME-LAYOUT).
//!
//! ```text
//!  value stack of the running thread (Lua::stack), 16-byte Values:
//!
//!   ... | func | arg1 | ... | argN | (varargs) | R[0] R[1] ... R[max_stack-1] | ...
//!         ^ CallInfo::func                       ^ CallInfo::base
//! ```
//! `Value` is `#[repr(C, u8)]`: tag byte at offset 0 (see `Value`'s discriminants),
//! payload at offset 8. A frame's registers are `stack[base .. base + max_stack]`.

/// One call frame.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct CallInfo {
    /// Stack index of the called function value.
    pub func: u32,
    /// Stack index of register 0.
    pub base: u32,
    /// Saved program counter (index of the next instruction) of a Lua frame.
    pub pc: u32,
    /// Results the caller wants (-1: all of them).
    pub nresults: i32,
    /// Number of extra arguments (varargs) of a vararg Lua function.
    pub nvarargs: u32,
    /// Frame flags (`CIST_*`).
    pub flags: u32,
}

/// The frame runs a Lua function.
pub const CIST_LUA: u32 = 1 << 0;
/// The frame was entered from Rust (a fresh interpreter activation returns here).
pub const CIST_FRESH: u32 = 1 << 1;
/// The frame was reached by a tail call.
pub const CIST_TAIL: u32 = 1 << 2;
