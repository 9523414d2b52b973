//! VARARG from compiled code: the interpreter's copy of the frame's extra arguments
//! (kept below its R[0], FRAME-LAYOUT) into the registers from R[A].

use super::{parts, JitCtx, HELPER_EXIT, HELPER_OK};

/// VARARG at `pc`: `R[a], ..., R[a+c-2] := ...`, or every extra argument up to a new
/// top when `c` is 0. Neither allocates nor runs Lua code, but growing the stack for
/// `c = 0` may move it: `ctx.base` follows, and the frame's pc is the next instruction
/// (the code leaves for the interpreter when R[0] moved). `HELPER_EXIT`, with nothing
/// changed, when the stack cannot grow (the interpreter raises the error).
///
/// # Safety
/// `ctx` is the live context of running compiled code (JIT-ENTRY); `a + c - 1 <=
/// max_stack` (the translator checks).
pub(super) unsafe extern "C" fn h_vararg(ctx: *mut JitCtx, a: u32, c: u32, pc: u32) -> u32 {
    // SAFETY: per the contract.
    let (l, _) = unsafe { parts(ctx) };
    // SAFETY: per the contract: `base_index` is the stack index of the frame's R[0].
    let base = unsafe { (*ctx).base_index };
    if l.varargs(base + a as usize, c as i32 - 1).is_err() {
        return HELPER_EXIT;
    }
    if let Some(ci) = l.frames.last_mut() {
        ci.pc = pc + 1;
        if c != 0 {
            l.top = ci.top as usize;
        }
    }
    // SAFETY: the frame's registers are inside the stack (it may have moved).
    unsafe { (*ctx).base = l.stack.as_mut_ptr().add(base) };
    HELPER_OK
}
