//! The one door into the interpreter's data for compiled code (anchor: FRAME-LAYOUT).
//!
//! ```text
//!  value stack of the running thread (Lua::stack), 16-byte Values:
//!
//!  fixed-arity Lua function:
//!   ... | func | arg1 .. argN = R[0] .. R[N-1] | R[N] .. R[max_stack-1] | ...
//!         ^ func  ^ base                                                 ^ top
//!
//!  vararg Lua function called with M >= N arguments (the fixed parameters are copied
//!  above the extra arguments, which stay where the caller put them):
//!   ... | func | arg1 .. argN | extra1 .. extraK | R[0] .. R[max_stack-1] | ...
//!         ^ func                ^ base - nvarargs   ^ base                 ^ top
//!
//!  native function: arguments are base .. Lua::top, results are pushed above them.
//! ```
//! `Value` is `#[repr(C, u8)]`: tag byte at offset 0 (see `Value`'s discriminants),
//! payload at offset 8. A Lua frame's registers are `stack[base .. base + max_stack]`
//! and, while it runs, `Lua::top == CallInfo::top == base + max_stack` except between an
//! instruction that sets the top (CALL/VARARG with C = 0) and the one that consumes it.
//! Results of a call are moved to `func ..` when the callee returns.

use core::mem::offset_of;

/// The JIT-facing half of the ABI (JIT-ENTRY): compiled code's signature and context,
/// the runtime helpers and their offsets, the value tags.
pub use crate::jit_iface::{ctx_offsets, helper_offsets, tags, Helpers, JitCtx, JitFn};

/// One call frame.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct CallInfo {
    /// Stack index of the called function value (results go here).
    pub func: u32,
    /// Stack index of register 0 (native: of the first argument).
    pub base: u32,
    /// End of a Lua frame's registers (`base + max_stack`).
    pub top: u32,
    /// Saved program counter (index of the next instruction) of a Lua frame.
    pub pc: u32,
    /// Results the caller wants (-1: all of them).
    pub nresults: i32,
    /// Number of extra arguments (varargs) of a vararg Lua function.
    pub nvarargs: u32,
    /// Frame flags (`CIST_*`).
    pub flags: u32,
    /// Continuation data of an interrupted instruction: CONCAT's remaining operand count,
    /// RETURN's value count while `__close` handlers run.
    pub aux: u32,
}

impl CallInfo {
    /// The record after a tail call put a new Lua function in this frame: it restarts
    /// at pc 0 as a tail call with its registers ending at `top`, no varargs and no
    /// continuation, keeping the frame's metamethod depth.
    #[inline(always)]
    pub fn restart_as_tail(&mut self, top: u32) {
        self.top = top;
        self.pc = 0;
        self.nvarargs = 0;
        self.aux = 0;
        self.flags = CIST_LUA | CIST_TAIL | (self.flags & CIST_META_MASK);
    }

    /// The record of a native function's frame: its arguments start above `func`.
    #[inline(always)]
    pub fn native(func: usize, nresults: i32, flags: u32) -> CallInfo {
        CallInfo {
            func: func as u32,
            base: func as u32 + 1,
            top: 0,
            pc: 0,
            nresults,
            nvarargs: 0,
            flags,
            aux: 0,
        }
    }
}

/// Byte offsets of `CallInfo`'s fields, for compiled code.
pub mod ci_offsets {
    use super::*;
    /// `CallInfo::func`.
    pub const FUNC: usize = offset_of!(CallInfo, func);
    /// `CallInfo::base`.
    pub const BASE: usize = offset_of!(CallInfo, base);
    /// `CallInfo::top`.
    pub const TOP: usize = offset_of!(CallInfo, top);
    /// `CallInfo::pc`.
    pub const PC: usize = offset_of!(CallInfo, pc);
    /// `CallInfo::nresults`.
    pub const NRESULTS: usize = offset_of!(CallInfo, nresults);
    /// `CallInfo::nvarargs`.
    pub const NVARARGS: usize = offset_of!(CallInfo, nvarargs);
    /// `CallInfo::flags`.
    pub const FLAGS: usize = offset_of!(CallInfo, flags);
    /// `CallInfo::aux`.
    pub const AUX: usize = offset_of!(CallInfo, aux);
}

const _: () = assert!(core::mem::size_of::<CallInfo>() == 32);

/// The frame runs a Lua function.
pub const CIST_LUA: u32 = 1 << 0;
/// The frame was entered from Rust through `Lua::call` (an activation boundary).
pub const CIST_FRESH: u32 = 1 << 1;
/// The frame was reached by a tail call.
pub const CIST_TAIL: u32 = 1 << 2;
/// The frame runs a metamethod for an instruction of the Lua frame below it; when it
/// returns, that instruction is finished from its result (`vm::finish_op`).
pub const CIST_FIN: u32 = 1 << 3;
/// A `pcall` frame: a protected boundary; the callee's results come back to it.
pub const CIST_PCALL: u32 = 1 << 4;
/// An `xpcall` frame: like `CIST_PCALL`, with the message handler at `base`.
pub const CIST_XPCALL: u32 = 1 << 5;
/// The frame runs a `__close` handler whose results are discarded.
pub const CIST_CLOSE: u32 = 1 << 6;

/// The upper bits of `flags` count the metamethod frames (`CIST_FIN`/`CIST_CLOSE`) at
/// or below this frame: with the Rust-level nesting they are bounded by `MAX_CCALLS`
/// ("C stack overflow"), as lua5.4 bounds its C calls.
pub const CIST_META_SHIFT: u32 = 16;
/// Mask of the metamethod depth in `flags`.
pub const CIST_META_MASK: u32 = !0 << CIST_META_SHIFT;

/// Value offsets for compiled code: tag byte and payload.
pub mod value_offsets {
    /// Offset of the tag byte.
    pub const TAG: usize = 0;
    /// Offset of the 8-byte payload.
    pub const PAYLOAD: usize = 8;
}
