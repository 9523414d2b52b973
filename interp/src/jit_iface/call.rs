//! Calls and returns made by compiled code (anchor: NATIVE-CALLS).
//!
//! A CALL in compiled code goes to [`h_call`]. When the callee is a Lua function with
//! compiled code, the helper pushes its frame exactly as the interpreter would
//! (FRAME-LAYOUT: same `CallInfo`, the caller's pc saved after the CALL) and calls the
//! callee's code with a context one level deeper; the callee's RETURN then runs
//! natively too (the code leaves `STATUS_RETURNED` and where its results are; this
//! helper pops the frame and places them, `finish_return`) and the caller's code
//! continues after the CALL. A native function is called in place, as the interpreter's
//! CALL does. Anything else is left to the interpreter (`HELPER_EXIT`).
//!
//! The common case stays inline in `h_call` (anchor: CALL-FAST-PATH): fixed arguments
//! pushed by `Lua::try_push_fixed` (the interpreter's push, given the argument count
//! from B rather than the stack top), and one result placed by `fast_return`, which looks for
//! something to close only when the RETURN has k: k says whether the frame may have
//! open upvalues or to-be-closed variables (CLOSE-FLAG, V-CLOSE), and compiled code
//! passes it on as `RET_CLOSES` in `JitCtx::ret_reg`. Every other push and return takes
//! the general path (`push_general`, `after_call_slow`).
//!
//! When a nested callee leaves compiled code (a guard, an instruction the translator
//! does not compile) its frame keeps the pc to resume at and the helper runs the
//! interpreter loop on it (`execute` down to the callee's frame) until it returns; a
//! native function that pushed frames (`pcall`, `__call`) is run to its end the same
//! way. The Rust stack holds no Lua state (every frame, pc and register is in the
//! thread's frames and value stack), so when anything else happens (an error, a yield,
//! a hook set, `jit.off()`, `jit.flush()`) every compiled activation on the way
//! returns at once with `STATUS_UNWIND` (each one's pc is already saved in its frame)
//! and the outer interpreter loop continues with the frame on top: errors, `pcall`,
//! yields, hooks and tracebacks are exactly the interpreter's. An error or yield
//! travels in `JitState::pending` and is returned by `jit_enter`.
//!
//! TAILCALL goes to [`h_tail_call`]: a Lua callee's frame replaces the running one as in
//! the interpreter. When the callee is the running closure itself (self tail recursion,
//! `TAILCALL_SELF`, done in place by `self_tail`, anchor: SELF-TAIL) the code jumps to
//! its own entry for pc 0, a loop; otherwise it
//! leaves with `STATUS_TAILCALLED`; whoever ran that code
//! continues with the frame on top (`finish_call_slow`'s loop runs the callee's code in
//! the same activation slot, or the interpreter; at depth 0 the interpreter's JIT entry
//! redispatches), so a chain of tail calls never grows the Rust stack. In a nested
//! activation whose frame no tail call made, the helper runs a compiled callee's code
//! itself (`tail_fast`, `run_tail_first`, anchor: TAIL-NEST) and the code leaves as if
//! its own RETURN had run (`TAILCALL_RETURNED`); the callee's frame has `CIST_TAIL`, so
//! its own tail calls leave and the helper's loop runs them: one extra level, never
//! more. A native callee is called in place like a CALL with all results, and the
//! RETURN after the TAILCALL returns them.
//!
//! Short leaves (anchor: SHORT-LEAF): a function of at most [`SHORT_LEAF_MAX`]
//! instructions with no loop and no call ([`is_short_leaf`]: an accessor, a predicate, a
//! closure adding its upvalue) runs in fewer instructions interpreted than the
//! interpreter spends entering and leaving its code (`jit_run`: a context, the stack
//! budget, the return done outside the code; about 100 instructions, measured with
//! callgrind). Its code is still compiled and compiled callers call it natively
//! (`h_call`, far cheaper than leaving their own code), but the interpreter never enters
//! it (`Lua::jit_enter`): calls of it from interpreted code (a coroutine body that
//! yields, a `table.sort` comparator, a metamethod) stay interpreted, and are counted in
//! `JitState::leaf_entries` (`-jstats`).
//!
//! Nesting is bounded by Rust stack bytes (anchor: NATIVE-STACK): the outermost compiled
//! activation (entered by the interpreter) records `JitState::stack_limit`, its stack
//! address less `JitState::stack_budget` (`DEFAULT_NATIVE_STACK`, 64 KB: a small
//! budget is the fast one, see there). An interpreter loop that a native function starts
//! from compiled code (a coroutine resumed, a function called back: `Lua::drive`) gives
//! its compiled code a budget of its own and restores the limit when it ends; all of
//! them stay within `NATIVE_STACK_TOTAL` below the outermost activation (they recurse on
//! the same Rust stack). A CALL made
//! below the limit exits once and the interpreter makes it; below the limit the
//! interpreter enters no compiled code (`JitState::stack_ok`): the whole subtree of
//! calls runs interpreted, whose Lua-to-Lua calls use no Rust stack, and the caller's
//! code continues when it returns. Deep Lua recursion never overflows the Rust stack
//! and pays one exit at the limit, not one per call.

use super::{
    stack_address, JitCtx, CALL_UNWIND, HELPER_EXIT, HELPER_OK, RET_CLOSES, RET_NONE, RET_TO_TOP,
    STATUS_NOT_ENTRY, STATUS_RETURNED, STATUS_TAILCALLED, STATUS_UNWIND, TAILCALL_DONE,
    TAILCALL_SELF,
};
use crate::abi::{CallInfo, CIST_CLOSE, CIST_FIN, CIST_META_MASK, CIST_TAIL};
use crate::error::LuaResult;
use crate::func::{FnProto, LuaClosure, NativeFn};
use crate::gc::Gc;
use crate::state::Lua;
use crate::value::Value;
use crate::vm::call::MIN_STACK;
use moonjet_bytecode::{Instruction, OpCode};

/// Most instructions of a short leaf (SHORT-LEAF): below the cost of a compiled entry
/// from the interpreter at about 10 interpreted instructions each, with room for
/// the compiled code's own prologue.
pub(super) const SHORT_LEAF_MAX: usize = 10;

/// SHORT-LEAF: true when `code` is at most [`SHORT_LEAF_MAX`] instructions with no call
/// (CALL, TAILCALL: compiled code calls natively, the interpreter through an entry per
/// callee) and no loop (a numeric or generic for, a backward jump), so one pass through it is all
/// the native work an entry could buy.
pub(super) fn is_short_leaf(code: &[Instruction]) -> bool {
    code.len() <= SHORT_LEAF_MAX
        && code.iter().all(|i| match i.opcode() {
            Some(
                OpCode::Call
                | OpCode::TailCall
                | OpCode::ForPrep
                | OpCode::ForLoop
                | OpCode::TForPrep
                | OpCode::TForCall
                | OpCode::TForLoop,
            )
            | None => false,
            Some(OpCode::Jmp) => i.sj_field() >= 0,
            Some(_) => true,
        })
}

/// See [`super::Helpers::call`]. Only a dispatch on the callee's tag, saving no
/// register: a Lua callee goes to `call_lua_checked`, a native one to `call_native`
/// (NATIVE-CALL-LEAN); a callee that leaves compiled code or tail-calls is out of line
/// there.
///
/// # Safety
/// `ctx` is the live context of running compiled code and `ra` a register of its frame
/// (JIT-ENTRY); the frame is the top one.
pub(super) unsafe extern "C" fn h_call(
    ctx: *mut JitCtx,
    ra: *mut Value,
    b: u32,
    c: u32,
    pc: u32,
) -> u32 {
    // Only a dispatch on the callee, so that each path is a tail call and this
    // function saves no register (NATIVE-CALL-LEAN).
    // SAFETY: `ra` is a register of the frame.
    match unsafe { ra.read() } {
        // SAFETY: per the contract; `f` is the Lua function in `ra`.
        Value::LuaFn(f) => unsafe { call_lua_checked(ctx, ra, f, b, c, pc) },
        // SAFETY: per the contract; `f` is the native function in `ra`.
        Value::NativeFn(f) => unsafe { call_native(ctx, ra, f, b, c, pc) },
        // SAFETY: as above, `cl.func` is the closure's function.
        Value::NativeClosure(cl) => unsafe { call_native(ctx, ra, cl.func, b, c, pc) },
        _ => HELPER_EXIT,
    }
}

/// `h_call` of the Lua function `f` in `ra`: `call_lua` when the call may be made
/// natively and `f` has code in the current generation.
///
/// # Safety
/// As [`h_call`]; `f` is the closure in `ra`.
#[inline(never)]
unsafe fn call_lua_checked(
    ctx: *mut JitCtx,
    ra: *mut Value,
    f: Gc<LuaClosure>,
    b: u32,
    c: u32,
    pc: u32,
) -> u32 {
    // SAFETY: per the contract.
    let lua = unsafe { (*ctx).lua };
    // SAFETY: as in `super::parts`; this reference ends before any compiled code runs.
    let l = unsafe { &mut *lua };
    if !may_call(l) {
        return HELPER_EXIT;
    }
    match f.proto.jit.code(l.jit.generation) {
        // SAFETY: per the contract; `code` is `f`'s in the current generation.
        Some(code) => unsafe { call_lua(ctx, ra, f, code, b, c, pc) },
        None => HELPER_EXIT,
    }
}

/// Whether compiled code may make a call natively: no hook, the JIT on and Rust stack
/// left (NATIVE-STACK); otherwise the interpreter makes it (`HELPER_EXIT`).
#[inline(always)]
fn may_call(l: &Lua) -> bool {
    l.hook_mask == 0 && l.jit.active && stack_address() >= l.jit.stack_limit
}

/// `h_call` of the native function `f` in `ra` (anchor: NATIVE-CALL-LEAN): called in
/// place, as the interpreter's CALL does (`Lua::call_native_from_lua`), in one
/// function. The caller's pc is saved, the native's frame pushed, `f` run and its
/// results placed (`Lua::native_results`) with no other layer in between (about 75
/// instructions fewer per call than going through `precall_from_lua`, callgrind). When the stack or the frame
/// records must grow, the general path makes the call (`call_native_general`); when
/// `f` pushed frames (`pcall`, `__call`) or set a hook, `native_end_slow` finishes it.
/// An error or a yield leaves the native's frame in place for the traceback and
/// unwinds; a hook set, `jit.off()` or `jit.flush()` during the call unwinds after it.
///
/// # Safety
/// As [`h_call`] (the hook, JIT and stack checks not made yet); `f` is the function
/// of the native function or closure in `ra`.
#[inline(never)]
unsafe fn call_native(
    ctx: *mut JitCtx,
    ra: *mut Value,
    f: NativeFn,
    b: u32,
    c: u32,
    pc: u32,
) -> u32 {
    // SAFETY: per the contract.
    let lua = unsafe { (*ctx).lua };
    // SAFETY: as in `h_call`.
    let l = unsafe { &mut *lua };
    if !may_call(l) {
        return HELPER_EXIT;
    }
    // SAFETY: `ra` points into `l.stack` (JIT-ENTRY), at or above its start.
    let func = unsafe { ra.offset_from(l.stack.as_ptr()) } as usize;
    let len = l.frames.len();
    let Some(caller) = l.frames.last_mut() else {
        return HELPER_EXIT;
    };
    caller.pc = pc + 1;
    let (flags, caller_base, caller_top) = (caller.flags, caller.base, caller.top);
    if b != 0 {
        l.top = func + b as usize;
    }
    let nresults = c as i32 - 1;
    let end = l.top + MIN_STACK;
    if end > l.stack.len() || end > l.stack_limit || len == l.frames.capacity() {
        // SAFETY: per the contract; the caller's pc and the top are set.
        return unsafe { call_native_general(ctx, func, nresults) };
    }
    l.jit.native_calls += 1;
    let generation = l.jit.generation;
    let ci = CallInfo::native(func, nresults, flags & CIST_META_MASK);
    // SAFETY: `len < capacity` (checked above), so slot `len` is allocated; it is
    // initialised before the length covers it.
    unsafe {
        l.frames.as_mut_ptr().add(len).write(ci);
        l.frames.set_len(len + 1);
    }
    let n = match f(l) {
        Ok(n) => n,
        Err(e) => {
            l.jit.pending = Some(e);
            return CALL_UNWIND;
        }
    };
    if l.frames.len() != len + 1 || l.hook_mask != 0 {
        if let Err(e) = native_end_slow(l, func, n, len) {
            l.jit.pending = Some(e);
            return CALL_UNWIND;
        }
    } else {
        let n = n.min(l.top.saturating_sub(func + 1));
        l.native_results(func, n, nresults, len);
    }
    if nresults >= 0 {
        l.top = caller_top as usize;
    }
    l.gc_check();
    if l.hook_mask != 0 || !l.jit.active || l.jit.generation != generation {
        return CALL_UNWIND;
    }
    // SAFETY: per the contract; the caller's registers start at `caller_base`, inside
    // the stack.
    unsafe { (*ctx).base = l.stack.as_mut_ptr().add(caller_base as usize) };
    HELPER_OK
}

/// The end of a native call (`frames[len]`, at `func`, `n` results) that pushed frames
/// (`pcall`, `__call`: run them to the end, as the interpreter's loop would) or set a
/// hook (the return hook runs and the results are placed the general way).
#[cold]
#[inline(never)]
fn native_end_slow(l: &mut Lua, func: usize, n: usize, len: usize) -> LuaResult<()> {
    if l.frames.len() != len + 1 {
        return l.execute(len);
    }
    let n = n.min(l.top.saturating_sub(func + 1));
    l.hook_native_return()?;
    l.poscall(l.top - n, n);
    Ok(())
}

/// `call_native`'s general path (the stack or the frame records must grow): the
/// interpreter's native call (`precall_from_lua`), the caller's pc and the top set.
///
/// # Safety
/// As [`h_call`]; the callee is at stack index `func`.
#[cold]
#[inline(never)]
unsafe fn call_native_general(ctx: *mut JitCtx, func: usize, nresults: i32) -> u32 {
    // SAFETY: per the contract.
    let lua = unsafe { (*ctx).lua };
    // SAFETY: as in `h_call`.
    let l = unsafe { &mut *lua };
    let Some(caller_idx) = l.frames.len().checked_sub(1) else {
        return HELPER_EXIT;
    };
    let generation = l.jit.generation;
    l.jit.native_calls += 1;
    match l.precall_from_lua(func, nresults) {
        Ok(true) => {}
        // The callable pushed frames (`pcall`, `__call`): run them to the end.
        Ok(false) => {
            if let Err(e) = l.execute(caller_idx + 1) {
                l.jit.pending = Some(e);
                return CALL_UNWIND;
            }
        }
        Err(e) => {
            l.jit.pending = Some(e);
            return CALL_UNWIND;
        }
    }
    if nresults >= 0 {
        l.top = l.frames[caller_idx].top as usize;
    }
    l.gc_check();
    if l.hook_mask != 0 || !l.jit.active || l.jit.generation != generation {
        return CALL_UNWIND;
    }
    // SAFETY: per the contract.
    unsafe { rebase(l, ctx, caller_idx) }
}

/// What the interpreter's CALL does before calling: saves the caller's pc (the
/// instruction after the CALL) and sets the top after the arguments.
#[inline(always)]
fn prepare(l: &mut Lua, caller_idx: usize, func: usize, b: u32, pc: u32) {
    l.frames[caller_idx].pc = pc + 1;
    if b != 0 {
        l.top = func + b as usize;
    }
}

/// The caller's code continues after a completed call: `ctx.base` is its R[0] again
/// (the stack may have moved).
///
/// # Safety
/// `ctx` is the caller's live context; `frames[caller_idx]` is its frame.
#[inline(always)]
unsafe fn rebase(l: &mut Lua, ctx: *mut JitCtx, caller_idx: usize) -> u32 {
    let base = l.frames[caller_idx].base as usize;
    // SAFETY: per the contract; `base` is the start of the caller's registers, which
    // are inside the stack.
    unsafe { (*ctx).base = l.stack.as_mut_ptr().add(base) };
    HELPER_OK
}

/// Calls the compiled Lua function `f` in `ra` from the caller's code (see the module
/// comment). Only the common case is inline: fixed arguments (B > 0), the frame pushed
/// by `Lua::try_push_fixed`, and the callee's code returning one result from a RETURN with
/// nothing to close (`fast_return`; anchor: CALL-FAST-PATH). Everything else
/// goes through the general push (`push_general`) and return (`after_call_slow`).
///
/// # Safety
/// As [`h_call`]; `f` is the closure in `ra` and `code` its compiled code in the
/// current generation.
#[inline(always)]
unsafe fn call_lua(
    ctx: *mut JitCtx,
    ra: *mut Value,
    f: Gc<LuaClosure>,
    code: super::JitFn,
    b: u32,
    c: u32,
    pc: u32,
) -> u32 {
    // SAFETY: per the contract.
    let lua = unsafe { (*ctx).lua };
    // SAFETY: as in `h_call`; this reference ends before the callee's code runs.
    let l = unsafe { &mut *lua };
    // SAFETY: `ra` points into `l.stack` (JIT-ENTRY), at or above its start.
    let func = unsafe { ra.offset_from(l.stack.as_ptr()) } as usize;
    let idx = l.frames.len();
    let Some(caller) = l.frames.last_mut() else {
        return HELPER_EXIT;
    };
    caller.pc = pc + 1;
    let (caller_flags, caller_top) = (caller.flags, caller.top);
    let nresults = c as i32 - 1;
    let pushed = b != 0 && l.try_push_fixed(func, f, b as usize - 1, nresults, caller_flags);
    let base = if pushed {
        func + 1
    } else {
        match push_general(l, func, f, b, nresults, caller_flags) {
            Some(base) => base,
            None => return CALL_UNWIND,
        }
    };
    // SAFETY: per the contract.
    let (depth, thread) = unsafe { ((*ctx).depth + 1, (*ctx).thread) };
    // SAFETY: JIT-ENTRY for the frame just pushed at `idx` (its R[0] at `base`), whose
    // closure is `f` and whose code is `code`; the caller's activation runs on the same
    // thread.
    let out = unsafe { enter(lua, f, code, base, depth, thread) };
    let callee = Callee {
        idx,
        func,
        base,
        nresults,
        caller_top,
    };
    // SAFETY: the callee's code returned; no other reference to the state is alive;
    // `callee` describes the frame it ran in and `ctx` is the caller's.
    if unsafe { fast_return(&mut *lua, ctx, callee, out) } {
        return HELPER_OK;
    }
    if out.status == STATUS_TAILCALLED {
        // SAFETY: per the contract; the tail callee's frame replaced `frames[idx]`.
        return unsafe { finish_call_slow(lua, ctx, Nested::TailCalled, idx, depth) };
    }
    // SAFETY: per the contract; `frames[idx]` is the frame `enter` ran.
    unsafe { after_call_slow(lua, ctx, f.proto, idx, out, depth) }
}

/// See [`super::Helpers::call_done`]: what `call_lua` does once the callee's code
/// returned, for a call the caller's code made itself (DIRECT-CALL in `direct.rs`).
///
/// # Safety
/// `ctx` is the caller's live context and `callee` the context the callee's code ran
/// with, which has returned; the callee's frame was pushed at `idx` (the caller's is
/// below it); no reference to the state is alive.
pub(super) unsafe extern "C" fn h_call_done(
    ctx: *mut JitCtx,
    callee: *const JitCtx,
    idx: usize,
    next: u32,
) -> u32 {
    // SAFETY: per the contract, `callee` is a context the callee's code filled in.
    let (out, depth, closure) = unsafe {
        let c = &*callee;
        (Outcome::of(c, next), c.depth, c.closure)
    };
    // SAFETY: `closure` is the callee's closure, which its function slot keeps alive
    // (the code only reads it; the slot is below the registers it writes).
    let fp = unsafe { (*closure).proto };
    // SAFETY: per the contract (`ctx` is live; no reference to the state is alive).
    let lua = unsafe { (*ctx).lua };
    // SAFETY: as above.
    let l = unsafe { &mut *lua };
    let Some(frame) = Callee::at(l, idx) else {
        return CALL_UNWIND;
    };
    // SAFETY: per the contract; `frame` describes the callee's frame.
    if unsafe { fast_return(l, ctx, frame, out) } {
        return HELPER_OK;
    }
    if out.status == STATUS_TAILCALLED {
        // SAFETY: per the contract; the tail callee's frame replaced `frames[idx]`.
        return unsafe { finish_call_slow(lua, ctx, Nested::TailCalled, idx, depth) };
    }
    // SAFETY: per the contract; `frames[idx]` is the frame the callee's code ran.
    unsafe { after_call_slow(lua, ctx, fp, idx, out, depth) }
}

/// The common return of a natively called frame `callee` (the top one), done inline:
/// one result to a caller that wants one or all (a call as the last argument), no hook,
/// no to-be-closed variable pending (upvalues are closed when the RETURN has k:
/// `RET_CLOSES`; without it nothing can be open); the frame is popped, the result
/// placed, the stack top and the caller's base (`ctx.base`) restored. False, having
/// changed nothing, otherwise.
///
/// # Safety
/// `ctx` is the caller's live context; `callee` describes the frame whose code left
/// `out`.
#[inline(always)]
unsafe fn fast_return(l: &mut Lua, ctx: *mut JitCtx, callee: Callee, out: Outcome) -> bool {
    if out.status != STATUS_RETURNED
        || out.ret_n != 1
        || !matches!(callee.nresults, 1 | -1)
        || l.hook_mask != 0
        || l.frames.len() != callee.idx + 1
    {
        return false;
    }
    let first = callee.base + (out.ret_reg & !RET_CLOSES) as usize;
    if first >= l.stack.len() {
        return false;
    }
    // Last check, as it changes things when it passes.
    if out.ret_reg & RET_CLOSES != 0 && !close_for_return(l, callee.base) {
        return false;
    }
    // SAFETY: `func < base <= first < stack.len()` (a frame's function slot is below
    // its registers); `frames.len() == idx + 1` (checked above) and `CallInfo` is
    // `Copy`, so shortening the vector by one pops the callee's frame. `ctx.base_index`
    // is the stack index of the caller's R[0], inside the stack.
    unsafe {
        let stack = l.stack.as_mut_ptr();
        *stack.add(callee.func) = *stack.add(first);
        l.frames.set_len(callee.idx);
        (*ctx).base = stack.add((*ctx).base_index);
    }
    // All results (a call as the last argument): the top is after the one.
    l.top = if callee.nresults < 0 {
        callee.func + 1
    } else {
        callee.caller_top as usize
    };
    true
}

/// The closing a RETURN with k does (CLOSE-FLAG) for the frame at `base`: closes its
/// open upvalues and is true, or false, having changed nothing, when a to-be-closed
/// variable is pending (the interpreter runs the RETURN and its `__close`).
#[inline(never)]
fn close_for_return(l: &mut Lua, base: usize) -> bool {
    if l.has_tbc(base) {
        return false;
    }
    if l.needs_close(base) {
        l.close_upvals(base);
    }
    true
}

/// The general end of `call_lua` (any return `fast_return` does not do, an unwind, an
/// exit) of the frame `frames[idx]` running the code of `fp`: finishes
/// the return, or runs the rest (`finish_call_slow`). (It reads the frame back rather
/// than take `call_lua`'s `Callee`: passing that costs the hot path a spill.)
///
/// # Safety
/// As [`h_call`]; `frames[idx]` is the frame whose code left `out`, its caller's the
/// frame below; no reference to the state is alive.
#[cold]
#[inline(never)]
unsafe fn after_call_slow(
    lua: *mut Lua,
    ctx: *mut JitCtx,
    fp: Gc<FnProto>,
    idx: usize,
    out: Outcome,
    depth: u32,
) -> u32 {
    // SAFETY: the callee's code returned; no other reference to the state is alive.
    let l = unsafe { &mut *lua };
    let Some(callee) = Callee::at(l, idx) else {
        return CALL_UNWIND;
    };
    match settle(l, fp, callee, out) {
        Nested::Returned => {
            // SAFETY: `ctx.base_index` is the stack index of the caller's R[0], inside
            // the stack.
            unsafe { (*ctx).base = l.stack.as_mut_ptr().add((*ctx).base_index) };
            HELPER_OK
        }
        Nested::Unwind => CALL_UNWIND,
        // SAFETY: per the contract.
        other => unsafe { finish_call_slow(lua, ctx, other, idx, depth) },
    }
}

/// The push `Lua::try_push_fixed` declined or cannot make (B = 0): the interpreter's
/// (`try_push_fixed_frame`, else `push_lua_frame`); the new frame's base, or `None`,
/// with the error pending, when it fails.
#[cold]
#[inline(never)]
fn push_general(
    l: &mut Lua,
    func: usize,
    f: Gc<LuaClosure>,
    b: u32,
    nresults: i32,
    caller_flags: u32,
) -> Option<usize> {
    if b != 0 {
        l.top = func + b as usize;
    }
    if l.try_push_fixed_frame(func, f, nresults, caller_flags) {
        return Some(func + 1);
    }
    match l.push_lua_frame(func, f, nresults, 0) {
        Ok(()) => l.frames.last().map(|ci| ci.base as usize),
        Err(e) => {
            l.jit.pending = Some(e);
            None
        }
    }
}

/// A natively called Lua frame, as its return needs it (`finish_return`): known when it
/// is pushed, so the return reads no frame record back.
#[derive(Clone, Copy)]
struct Callee {
    /// Its index in `Lua::frames` (the caller's is one less).
    idx: usize,
    /// Stack index of its function slot (where its results go).
    func: usize,
    /// Stack index of its R[0].
    base: usize,
    /// Results the caller wants (-1: all).
    nresults: i32,
    /// The caller's `CallInfo::top` (the stack top when it continues).
    caller_top: u32,
}

impl Callee {
    /// The frame `frames[idx]`, called by the Lua frame below it.
    fn at(l: &Lua, idx: usize) -> Option<Callee> {
        let ci = l.frames.get(idx)?;
        let caller = l.frames.get(idx.checked_sub(1)?)?;
        Some(Callee {
            idx,
            func: ci.func as usize,
            base: ci.base as usize,
            nresults: ci.nresults,
            caller_top: caller.top,
        })
    }
}

/// The rest of `call_lua` when the callee's code tail-called or left compiled code
/// (`status`): runs tail callees' code in the same activation slot (a loop, so endless
/// tail recursion never grows the Rust stack), then the interpreter when needed, and
/// the caller's code continues.
///
/// # Safety
/// As [`h_call`]; `frames[idx]` is the callee's frame (or its tail callee's), whose
/// caller (the frame below it) is the caller's.
#[cold]
#[inline(never)]
unsafe fn finish_call_slow(
    lua: *mut Lua,
    ctx: *mut JitCtx,
    mut status: Nested,
    idx: usize,
    depth: u32,
) -> u32 {
    let Some(caller_idx) = idx.checked_sub(1) else {
        return CALL_UNWIND;
    };
    loop {
        // SAFETY: the callee's code returned; no other reference to the state is alive.
        let l = unsafe { &mut *lua };
        match status {
            Nested::Returned => {
                // SAFETY: per the contract.
                return unsafe { rebase(l, ctx, caller_idx) };
            }
            Nested::Unwind => return CALL_UNWIND,
            // A tail call replaced the frame: run the new callee's code if it has some.
            Nested::TailCalled => match tail_callee_code(l, idx) {
                Some((g, gcode, callee)) => {
                    // SAFETY: per the contract.
                    let thread = unsafe { (*ctx).thread };
                    // SAFETY: JIT-ENTRY for the frame described by `callee`, whose
                    // closure is `g` and whose code is `gcode` (see `tail_callee_code`).
                    let out = unsafe { enter(lua, g, gcode, callee.base, depth, thread) };
                    // SAFETY: the code returned; no other reference to the state is
                    // alive; `ctx` is the caller's live context.
                    if unsafe { fast_return(&mut *lua, ctx, callee, out) } {
                        return HELPER_OK;
                    }
                    // SAFETY: as above.
                    status = settle(unsafe { &mut *lua }, g.proto, callee, out);
                }
                None => break,
            },
            Nested::Left => break,
        }
    }
    // SAFETY: as above.
    let l = unsafe { &mut *lua };
    // The callee left compiled code: the interpreter runs it to its return, then the
    // caller's code continues.
    let Some(callee) = Callee::at(l, idx) else {
        return CALL_UNWIND;
    };
    let generation = l.jit.generation;
    if let Err(e) = l.execute(callee.idx) {
        l.jit.pending = Some(e);
        return CALL_UNWIND;
    }
    if callee.nresults >= 0 {
        l.top = callee.caller_top as usize;
    }
    if l.hook_mask != 0 || !l.jit.active || l.jit.generation != generation {
        return CALL_UNWIND;
    }
    // SAFETY: per the contract.
    unsafe { rebase(l, ctx, caller_idx) }
}

/// How a natively called activation ended (`settle`).
enum Nested {
    /// It returned; its frame is popped and its results are in place.
    Returned,
    /// It unwound (STATUS_UNWIND).
    Unwind,
    /// Its TAILCALL replaced its frame by the callee's (at pc 0).
    TailCalled,
    /// It left compiled code; its frame holds the pc to resume at.
    Left,
}

/// What a nested activation's code left (`enter`).
#[derive(Clone, Copy)]
struct Outcome {
    /// `JitCtx::status`.
    status: u32,
    /// `JitCtx::ret_reg` (with `RET_CLOSES`).
    ret_reg: u32,
    /// `JitCtx::ret_n`.
    ret_n: u32,
    /// The pc the code returned.
    next: u32,
}

impl Outcome {
    /// What the code that ran with context `c` and returned `next` reported.
    fn of(c: &JitCtx, next: u32) -> Outcome {
        Outcome {
            status: c.status,
            ret_reg: c.ret_reg,
            ret_n: c.ret_n,
            next,
        }
    }
}

/// Runs the compiled code `code` of closure `f`, whose frame (the top one) has its
/// R[0] at stack index `base`, as a nested activation at native depth `depth` on the
/// thread `thread` (the caller's `JitCtx::thread`).
///
/// # Safety
/// JIT-ENTRY: the top frame's R[0] is at `base`, `f` is its closure (in its function
/// slot) and `code` was compiled from `f.proto` in the current generation; `thread` is
/// the running thread's address; no reference to the state is alive.
#[inline(always)]
unsafe fn enter(
    lua: *mut Lua,
    f: Gc<LuaClosure>,
    code: super::JitFn,
    base: usize,
    depth: u32,
    thread: usize,
) -> Outcome {
    // SAFETY: per the contract; this reference ends before the code runs.
    let l = unsafe { &mut *lua };
    let fp = f.proto;
    let regs = l.stack.as_mut_ptr().wrapping_add(base);
    fp.jit.count_entry();
    l.jit.native_calls += 1;
    let closure: &LuaClosure = &f;
    let mut cctx = JitCtx {
        lua,
        closure,
        consts: fp.consts.as_ptr(),
        status: STATUS_NOT_ENTRY,
        depth,
        base: regs,
        ret_reg: 0,
        ret_n: RET_NONE,
        thread,
        base_index: base,
        answer: 0,
        args: [0; 3],
    };
    // SAFETY: JIT-ENTRY for the frame: `f` is its closure (in its function slot, so
    // alive), its registers exist (the push ensured them), `code` was compiled from
    // `fp`. `l` is not used again; the state is re-borrowed from `lua` afterwards. The
    // outermost activation (`jit_run`) counts in `native_frames`, so a `jit.flush()`
    // keeps this code alive.
    let next = unsafe { code(&mut cctx, regs, 0) };
    Outcome::of(&cctx, next)
}

/// How the nested activation of frame `callee` (code of `fp`) ended, its return
/// finished (`finish_return`) or its exit noted.
#[inline(always)]
fn settle(l: &mut Lua, fp: Gc<FnProto>, callee: Callee, out: Outcome) -> Nested {
    match out.status {
        STATUS_RETURNED if finish_return(l, callee, out.ret_reg & !RET_CLOSES, out.ret_n) => {
            Nested::Returned
        }
        STATUS_UNWIND => Nested::Unwind,
        STATUS_TAILCALLED => Nested::TailCalled,
        status => note_left(l, fp, callee.idx, out.next, status),
    }
}

/// The nested activation of frame `idx` left compiled code at `next` (`status`): notes
/// the exit and saves the pc to resume at.
#[cold]
#[inline(never)]
fn note_left(l: &mut Lua, fp: Gc<FnProto>, idx: usize, next: u32, status: u32) -> Nested {
    if status != STATUS_RETURNED {
        l.jit_note_exit(fp, next, status);
    }
    if let Some(ci) = l.frames.get_mut(idx) {
        ci.pc = next;
    }
    Nested::Left
}

/// After a tail call replaced the nested frame `idx`: the new frame's closure, the code
/// to run it with from its start (compiled now if it became hot) and the frame (its
/// base moves for a vararg function); `None` when the interpreter must run it (also
/// when the frame no longer starts at pc 0: its code left it, TAIL-NEST).
fn tail_callee_code(l: &mut Lua, idx: usize) -> Option<(Gc<LuaClosure>, super::JitFn, Callee)> {
    if l.hook_mask != 0 || !l.jit.active || !l.jit.stack_ok() || l.frames.len() != idx + 1 {
        return None;
    }
    if l.frames.get(idx)?.pc != 0 {
        return None;
    }
    let next = Callee::at(l, idx)?;
    let Some(&Value::LuaFn(f)) = l.stack.get(next.func) else {
        return None;
    };
    let code = l.entry_code(f, 0)?;
    Some((f, code, next))
}

/// See [`super::Helpers::tail_call`]. A Lua callee's frame replaces the running one
/// exactly as the interpreter's TAILCALL does (`try_tail_fixed`, else `tail_call_lua`);
/// a native callee is `h_call` with all results.
///
/// # Safety
/// As [`h_call`].
pub(super) unsafe extern "C" fn h_tail_call(
    ctx: *mut JitCtx,
    ra: *mut Value,
    b: u32,
    pc: u32,
) -> u32 {
    // SAFETY: per the contract.
    let lua = unsafe { (*ctx).lua };
    // SAFETY: as in `super::parts`; this reference ends before any compiled code runs.
    let l = unsafe { &mut *lua };
    if l.hook_mask != 0 || !l.jit.active {
        return HELPER_EXIT;
    }
    // SAFETY: `ra` is a register of the frame.
    let f = match unsafe { ra.read() } {
        Value::LuaFn(f) => f,
        Value::NativeFn(_) | Value::NativeClosure(_) => {
            // SAFETY: per the contract (h_call's); C = 0: all results, up to the top.
            return unsafe { h_call(ctx, ra, b, 0, pc) };
        }
        _ => return HELPER_EXIT,
    };
    // SAFETY: `ra` points into `l.stack` (JIT-ENTRY), at or above its start.
    let func = unsafe { ra.offset_from(l.stack.as_ptr()) } as usize;
    // SAFETY: per the contract (`ctx` is live).
    let running = unsafe { (*ctx).closure };
    if core::ptr::eq::<LuaClosure>(&*f, running)
        && f.proto.jit.code(l.jit.generation).is_some()
        && self_tail(l, f, func, b)
    {
        f.proto.jit.count_entry();
        return TAILCALL_SELF;
    }
    let Some(idx) = l.frames.len().checked_sub(1) else {
        return HELPER_EXIT;
    };
    // SAFETY: per the contract (`ctx` is live).
    let depth = unsafe { (*ctx).depth };
    if let Some((code, base)) = tail_fast(l, f, func, b, depth) {
        // SAFETY: per the contract; `tail_fast` replaced the top frame, `frames[idx]`,
        // by `f`'s, whose R[0] is at `base` as the running frame's was and whose code
        // is `code`; the activation is nested (`depth > 0`, checked there).
        return unsafe { run_tail_first(lua, ctx, f, code, idx, base) };
    }
    prepare(l, idx, func, b, pc);
    let (base, flags) = (l.frames[idx].base as usize, l.frames[idx].flags);
    let stack = l.stack.as_ptr();
    if !l.needs_close(base) {
        if let Some(new_base) = l.try_tail_fixed(func, f) {
            // SAFETY: per the contract (`ctx` is live).
            let running = unsafe { (*ctx).closure };
            let itself = core::ptr::eq::<LuaClosure>(&*f, running)
                && new_base == base
                && core::ptr::eq(l.stack.as_ptr(), stack)
                && f.proto.jit.code(l.jit.generation).is_some();
            if itself {
                f.proto.jit.count_entry();
                return TAILCALL_SELF;
            }
            // A frame no tail call made, in a nested activation: run the callee here
            // (TAIL-NEST).
            // SAFETY: per the contract (`ctx` is live).
            let nested = unsafe { (*ctx).depth } > 0;
            if nested && flags & CIST_TAIL == 0 && new_base == base {
                // SAFETY: per the contract; the callee's frame replaced `frames[idx]`.
                return unsafe { run_tail_callees(lua, ctx, idx, base) };
            }
            return TAILCALL_DONE;
        }
    }
    l.close_upvals(base);
    match l.tail_call_lua(func, f) {
        Ok(()) => TAILCALL_DONE,
        Err(e) => {
            l.jit.pending = Some(e);
            CALL_UNWIND
        }
    }
}

/// TAIL-NEST's common case, done inline: a nested activation (`depth > 0`) whose frame
/// no tail call made tail-calls the compiled, non-vararg Lua function `f` at stack index
/// `func` with `b - 1` arguments (B = 0: up to the stack top), nothing to close, the frame's register window
/// large enough for `f`'s. The frame is replaced exactly as `Lua::try_tail_fixed` does
/// (same base: the running function is not vararg either) and `f`'s code and the base
/// are returned. `None`, having changed nothing, otherwise.
#[inline(always)]
fn tail_fast(
    l: &mut Lua,
    f: Gc<LuaClosure>,
    func: usize,
    b: u32,
    depth: u32,
) -> Option<(super::JitFn, usize)> {
    let fp = f.proto;
    let code = fp.jit.code(l.jit.generation)?;
    let ci = *l.frames.last()?;
    let (dst, base, flags) = (ci.func as usize, ci.base as usize, ci.flags);
    // The function and its arguments (B = 0: up to the top, the results of a call).
    let n = if b != 0 {
        b as usize
    } else {
        l.top.saturating_sub(func)
    };
    let nparams = fp.num_params as usize;
    let ftop = base + fp.max_stack as usize;
    let end = crate::vm::call::frame_end(base, fp.max_stack as usize);
    if depth == 0
        || n == 0
        || fp.is_vararg
        || flags & (CIST_TAIL | CIST_FIN | CIST_CLOSE) != 0
        || dst + 1 != base
        || func <= dst
        || base + nparams > ftop
        || end > l.stack_limit
        || end > l.stack.len()
        || func + n > l.stack.len()
        || !l.jit.stack_ok()
        || l.needs_close(base)
    {
        return None;
    }
    let p = l.stack.as_mut_ptr();
    // The function moves to the frame's slot with its arguments; `dst < func`: a
    // forward copy is safe.
    for j in 0..n {
        // SAFETY: `dst + j < func + j < func + n <= stack.len()` (checked above).
        unsafe { *p.add(dst + j) = *p.add(func + j) };
    }
    for j in n - 1..nparams {
        // SAFETY: `base + j < base + nparams <= ftop < end <= stack.len()` (checked).
        Value::write_nil(unsafe { &mut *p.add(base + j) });
    }
    fp.calls.set(fp.calls.get().wrapping_add(1));
    l.frames.last_mut()?.restart_as_tail(ftop as u32);
    l.top = ftop;
    Some((code, base))
}

/// Runs the code `code` of `f`, whose frame `tail_fast` just made at `frames[idx]`
/// (R[0] at `base`), then any tail callees it leaves (`run_tail_callees`): see there.
///
/// # Safety
/// As [`run_tail_callees`]; `f` is the top frame's closure and `code` its code.
#[inline(never)]
unsafe fn run_tail_first(
    lua: *mut Lua,
    ctx: *mut JitCtx,
    f: Gc<LuaClosure>,
    code: super::JitFn,
    idx: usize,
    base: usize,
) -> u32 {
    // SAFETY: per the contract.
    let (depth, thread) = unsafe { ((*ctx).depth + 1, (*ctx).thread) };
    // SAFETY: JIT-ENTRY for the top frame, whose closure is `f`, whose code is `code`
    // and whose R[0] is at `base`; same thread.
    let out = unsafe { enter(lua, f, code, base, depth, thread) };
    // SAFETY: per the contract; the code returned.
    match unsafe { tail_outcome(lua, ctx, f.proto, idx, out) } {
        Some(r) => r,
        // SAFETY: per the contract; its tail call replaced the frame again.
        None => unsafe { run_tail_callees(lua, ctx, idx, base) },
    }
}

/// See [`super::Helpers::tail_done`]: what `run_tail_first` does once the tail callee's
/// code returned, for a tail call the running code made itself (TAIL-NEST-INLINE in
/// `jit/src/self_tail.rs`, the same replacement as `tail_fast`'s).
///
/// # Safety
/// As [`run_tail_callees`]; `callee` is the context the tail callee's code (in frame
/// `frames[idx]`, R[0] at the running frame's base) ran with, which has returned.
pub(super) unsafe extern "C" fn h_tail_done(
    ctx: *mut JitCtx,
    callee: *const JitCtx,
    idx: usize,
    next: u32,
) -> u32 {
    // SAFETY: per the contract, `callee` is a context the callee's code filled in.
    let (out, closure, base) = unsafe {
        let c = &*callee;
        (Outcome::of(c, next), c.closure, c.base_index)
    };
    // SAFETY: per the contract (`ctx` is live; no reference to the state is alive).
    let lua = unsafe { (*ctx).lua };
    // A callee that tail-called in turn has had its function slot overwritten, so its
    // closure may be garbage: it is read only when it did not.
    if out.status != STATUS_TAILCALLED {
        // SAFETY: `closure` is the callee's closure, which its function slot keeps alive
        // until a tail call replaces it (the code only reads the slot, below the
        // registers it writes), and this callee made none.
        let fp = unsafe { (*closure).proto };
        // SAFETY: per the contract; the code returned.
        if let Some(r) = unsafe { tail_outcome(lua, ctx, fp, idx, out) } {
            return r;
        }
    }
    // SAFETY: per the contract; its tail call replaced the frame again.
    unsafe { run_tail_callees(lua, ctx, idx, base) }
}

/// How a tail callee run by TAIL-NEST (prototype `fp`, frame `frames[idx]`) ended (`out`),
/// as the running code's helper answers it; `None` when it tail-called in turn (the
/// frame holds the next callee).
///
/// # Safety
/// `ctx` is the running code's live context; no reference to the state is alive.
#[inline(always)]
unsafe fn tail_outcome(
    lua: *mut Lua,
    ctx: *mut JitCtx,
    fp: Gc<FnProto>,
    idx: usize,
    out: Outcome,
) -> Option<u32> {
    Some(match out.status {
        STATUS_RETURNED if out.next < super::TAILCALL_RETURNED => {
            // SAFETY: per the contract (`ctx` is live).
            unsafe {
                (*ctx).ret_reg = out.ret_reg;
                (*ctx).ret_n = out.ret_n;
            }
            super::TAILCALL_RETURNED | out.next
        }
        STATUS_TAILCALLED => return None,
        STATUS_UNWIND => CALL_UNWIND,
        status => {
            // SAFETY: no other reference to the state is alive.
            note_left(unsafe { &mut *lua }, fp, idx, out.next, status);
            TAILCALL_DONE
        }
    })
}

/// The tail callee's frame `frames[idx]` (R[0] at `base`, as the running code's)
/// replaced a frame that no tail call made (anchor: TAIL-NEST): its code runs here, one
/// level deeper, rather than after the running code leaves with `STATUS_TAILCALLED`
/// (about 150 instructions fewer per call: no exit, no trampoline in the caller's call
/// helper). The frame now has `CIST_TAIL`, so tail calls made by code run here are not
/// nested again: they leave, and this loop runs their callees in the same slot, so a
/// chain of tail calls takes one extra level of Rust stack, never more. When the callee
/// returns, its results (same base) are the running code's: `TAILCALL_RETURNED` with
/// its RETURN's pc. Otherwise `TAILCALL_DONE` (the frame is left to the caller's
/// trampoline or the interpreter, at its saved pc) or `CALL_UNWIND`. Only in a nested
/// activation (depth > 0): the caller's call helper finishes a return whatever frame
/// made it, where the interpreter, after an outermost activation, would continue the
/// frame it entered.
///
/// # Safety
/// As [`h_call`]; the running activation is nested (`ctx.depth > 0`); the top frame, `frames[idx]`, was just made by a tail call from the
/// running code's frame and has its R[0] at stack index `base`, as that frame had.
#[inline(never)]
unsafe fn run_tail_callees(lua: *mut Lua, ctx: *mut JitCtx, idx: usize, base: usize) -> u32 {
    // SAFETY: per the contract.
    let (depth, thread) = unsafe { ((*ctx).depth + 1, (*ctx).thread) };
    loop {
        // SAFETY: no other reference to the state is alive.
        let l = unsafe { &mut *lua };
        let Some((g, code, callee)) = tail_callee_code(l, idx) else {
            return TAILCALL_DONE;
        };
        if callee.base != base {
            return TAILCALL_DONE;
        }
        // SAFETY: JIT-ENTRY for the top frame, whose closure is `g`, whose code is
        // `code` and whose R[0] is at `base` (see `tail_callee_code`); same thread.
        let out = unsafe { enter(lua, g, code, base, depth, thread) };
        // SAFETY: per the contract; the code returned.
        if let Some(r) = unsafe { tail_outcome(lua, ctx, g.proto, idx, out) } {
            return r;
        }
    }
}

/// The common self tail call (anchor: SELF-TAIL): the running closure `f` at stack
/// index `func` calls itself with `b - 1` arguments (B = 0: up to the stack top, the
/// results of a call just made), and nothing stands in the way
/// (not vararg, nothing open to close, not a finalizer or `__close` frame). The frame
/// keeps its base and register window, so only the function and arguments move down
/// to its function slot, missing parameters become nil and the record restarts at pc 0
/// as a tail call, as `Lua::try_tail_fixed` would leave it. False, having changed
/// nothing, otherwise (`h_tail_call` takes the general path).
#[inline(always)]
fn self_tail(l: &mut Lua, f: Gc<LuaClosure>, func: usize, b: u32) -> bool {
    let fp = f.proto;
    let Some(ci) = l.frames.last() else {
        return false;
    };
    let (dst, base, ftop, flags) = (
        ci.func as usize,
        ci.base as usize,
        ci.top as usize,
        ci.flags,
    );
    let nparams = fp.num_params as usize;
    // The function and its arguments.
    let b = if b != 0 {
        b as usize
    } else {
        l.top.saturating_sub(func)
    };
    if b == 0
        || fp.is_vararg
        || flags & (CIST_FIN | CIST_CLOSE) != 0
        || dst + 1 != base
        || func <= dst
        || base + nparams > ftop
        || ftop > l.stack.len()
        || func + b > l.stack.len()
        || l.needs_close(base)
    {
        return false;
    }
    // `dst < func`: a forward copy is safe.
    for j in 0..b {
        l.stack[dst + j] = l.stack[func + j];
    }
    for j in b - 1..nparams {
        Value::write_nil(&mut l.stack[base + j]);
    }
    fp.calls.set(fp.calls.get().wrapping_add(1));
    if let Some(ci) = l.frames.last_mut() {
        ci.restart_as_tail(ftop as u32);
    }
    l.top = ftop;
    true
}

/// The interpreter's RETURN for the nested frame `callee` (the top one, whose caller
/// is a Lua frame): `n` results from register `reg` (or up to the top). False, having
/// changed nothing, when the interpreter must run the RETURN (to-be-closed variables,
/// a hook).
#[inline(always)]
fn finish_return(l: &mut Lua, callee: Callee, reg: u32, n: u32) -> bool {
    let base = callee.base;
    if l.hook_mask != 0 || callee.idx + 1 != l.frames.len() {
        return false;
    }
    // Most frames have nothing open: one check instead of the closing walk.
    if l.needs_close(base) {
        if l.has_tbc(base) {
            return false;
        }
        l.close_upvals(base);
    }
    // No result wanted (a call statement): nothing to move.
    if callee.nresults == 0 {
        l.frames.truncate(callee.idx);
        l.top = callee.caller_top as usize;
        return true;
    }
    let first = base + reg as usize;
    // One result to a caller that wants one, or all (a call as the last argument).
    if n == 1 && matches!(callee.nresults, 1 | -1) && first < l.stack.len() {
        // SAFETY: `func < base <= first < stack.len()` (a frame's function slot is below
        // its registers); `callee.idx + 1 == frames.len()` (checked above) and
        // `CallInfo` is `Copy`, so shortening the vector by one pops the callee's frame.
        unsafe {
            let stack = l.stack.as_mut_ptr();
            *stack.add(callee.func) = *stack.add(first);
            l.frames.set_len(callee.idx);
        }
        l.top = if callee.nresults < 0 {
            callee.func + 1
        } else {
            callee.caller_top as usize
        };
        return true;
    }
    let n = if n == RET_TO_TOP {
        l.top.saturating_sub(first)
    } else {
        n as usize
    };
    l.poscall(first, n);
    if callee.nresults >= 0 {
        l.top = callee.caller_top as usize;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::is_short_leaf;

    /// Whether the first nested function of the chunk `src` is a short leaf.
    fn leaf(src: &str) -> bool {
        let p = moonjet_compiler::compile(src.as_bytes(), b"=t").expect("compiles");
        is_short_leaf(&p.protos[0].code)
    }

    #[test]
    fn accessors_predicates_and_adders_are_short_leaves() {
        assert!(leaf("local f = function(x) return x + 1 end"));
        assert!(leaf("local k = 2 local f = function(x) return x * k end"));
        assert!(leaf("local f = function(v) return v % 3 ~= 0 end"));
        assert!(leaf("local f = function(t) return t.x end"));
        assert!(leaf(
            "local f = function(a, b) if a < b then return a end return b end"
        ));
    }

    #[test]
    fn calls_loops_and_long_bodies_are_not() {
        assert!(!leaf("local f = function(g, x) return g(x) end"));
        assert!(!leaf("local f = function(g, x) g(x) return x end"));
        assert!(!leaf(
            "local f = function(n) local s = 0 for i = 1, n do s = s + i end return s end"
        ));
        assert!(!leaf("local f = function(t) for k in next, t do end end"));
        assert!(!leaf(
            "local f = function(n) while n > 0 do n = n - 1 end return n end"
        ));
        assert!(!leaf(
            "local f = function(a, b, c, d) local x = a + b local y = c + d local z = x * y \
             local w = z - a local v = w + b local u = v * c return u + d, x, y, z end"
        ));
    }
}
