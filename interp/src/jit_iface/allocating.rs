//! Runtime helpers for the instructions that allocate: NEWTABLE, CLOSURE and CONCAT of
//! strings and numbers. Each does what the interpreter's arm does, then the collector
//! step the interpreter takes after it (`gc_check`, with the frame's pc saved, as
//! finalizers may run Lua code); as that code may move the stack, each rewrites
//! `ctx.base` and the compiled code reloads R[0] after the call. SETLIST (the rest of a
//! table constructor) grows the table but takes no collector step, as in the
//! interpreter.

use super::{parts, JitCtx, HELPER_EXIT, HELPER_OK};
use crate::state::Lua;
use crate::value::Value;
use crate::vm::meta::is_strnum;

/// The stack index of R[0] of the running frame (from `ctx.base`).
///
/// # Safety
/// `ctx` is the live context of running compiled code (JIT-ENTRY).
unsafe fn base_index(l: &Lua, ctx: *mut JitCtx) -> usize {
    // SAFETY: `ctx.base` points into `l.stack` (JIT-ENTRY), at or above its start.
    unsafe { (*ctx).base.offset_from(l.stack.as_ptr()) as usize }
}

/// The collector step after an allocating instruction at `pc`; `ctx.base` follows the
/// stack if finalizers moved it.
///
/// # Safety
/// As [`base_index`]; `base` is the frame's R[0] index.
unsafe fn settle(l: &mut Lua, ctx: *mut JitCtx, base: usize, pc: u32) -> u32 {
    if let Some(ci) = l.frames.last_mut() {
        ci.pc = pc + 1;
    }
    l.gc_check();
    // SAFETY: per the contract; the frame's registers are still inside the stack.
    unsafe { (*ctx).base = l.stack.as_mut_ptr().add(base) };
    HELPER_OK
}

/// NEWTABLE: `R[a] := {}` with room for `narr` array and `nhash` hash entries.
///
/// # Safety
/// `ctx` is the live context of running compiled code; `a < max_stack` (JIT-ENTRY).
pub(super) unsafe extern "C" fn h_new_table(
    ctx: *mut JitCtx,
    a: u32,
    narr: u32,
    nhash: u32,
    pc: u32,
) -> u32 {
    // SAFETY: per the contract.
    let (l, _) = unsafe { parts(ctx) };
    // SAFETY: per the contract.
    let base = unsafe { base_index(l, ctx) };
    let t = l.new_table(narr as usize, nhash as usize);
    l.stack[base + a as usize] = Value::Table(t);
    // SAFETY: per the contract.
    unsafe { settle(l, ctx, base, pc) }
}

/// CLOSURE: `R[a] := closure(KPROTO[bx])`.
///
/// # Safety
/// As [`h_new_table`].
pub(super) unsafe extern "C" fn h_closure(ctx: *mut JitCtx, a: u32, bx: u32, pc: u32) -> u32 {
    // SAFETY: per the contract.
    let (l, cl) = unsafe { parts(ctx) };
    if bx as usize >= cl.proto.n_nested() {
        return HELPER_EXIT;
    }
    // SAFETY: per the contract.
    let base = unsafe { base_index(l, ctx) };
    // Making the nested runtime prototype can fail (LAZY-PROTO): the interpreter then
    // runs the instruction and raises the error.
    let Ok(c) = l.nested_closure(cl.proto, bx as usize, base, &cl.upvals) else {
        return HELPER_EXIT;
    };
    l.stack[base + a as usize] = Value::LuaFn(c);
    // SAFETY: per the contract.
    unsafe { settle(l, ctx, base, pc) }
}

/// CONCAT: `R[a] := R[a] .. ... .. R[a+n-1]` when every operand is a string or a
/// number (nothing can call a metamethod or fail); `HELPER_EXIT` otherwise.
///
/// # Safety
/// As [`h_new_table`]; `a + n <= max_stack`.
pub(super) unsafe extern "C" fn h_concat(ctx: *mut JitCtx, a: u32, n: u32, pc: u32) -> u32 {
    // SAFETY: per the contract.
    let (l, _) = unsafe { parts(ctx) };
    // SAFETY: per the contract.
    let base = unsafe { base_index(l, ctx) };
    let first = base + a as usize;
    let Some(ops) = l.stack.get(first..first + n as usize) else {
        return HELPER_EXIT;
    };
    if !ops.iter().all(|v| is_strnum(*v)) {
        return HELPER_EXIT;
    }
    match l.concat_run(first, n as usize) {
        // SAFETY: per the contract.
        Ok(true) => unsafe { settle(l, ctx, base, pc) },
        _ => HELPER_EXIT,
    }
}

/// SETLIST: `R[a][first + i] := R[a + i]` for `1 <= i <= n` (`n = 0`: up to the stack
/// top, after a call or VARARG with all results), then the top is the frame's again,
/// as the interpreter's arm does. Raises no error, runs no Lua code and takes no
/// collector step; `HELPER_EXIT`, having changed nothing, if the operands are not on the
/// stack.
///
/// # Safety
/// As [`h_new_table`]; the registers it reads are stored (the code flushes first).
pub(super) unsafe extern "C" fn h_set_list(ctx: *mut JitCtx, a: u32, n: u32, first: i64) -> u32 {
    // SAFETY: per the contract.
    let (l, _) = unsafe { parts(ctx) };
    // SAFETY: per the contract.
    let ra = unsafe { base_index(l, ctx) } + a as usize;
    let n = match n {
        0 => l.top.saturating_sub(ra + 1),
        n => n as usize,
    };
    let (Some(&t), true) = (l.stack.get(ra), ra + n < l.stack.len()) else {
        return HELPER_EXIT;
    };
    if let Value::Table(h) = t {
        h.set_list(&mut l.heap, first, &l.stack[ra + 1..ra + 1 + n]);
    }
    if let Some(ci) = l.frames.last() {
        l.top = ci.top as usize;
    }
    HELPER_OK
}
