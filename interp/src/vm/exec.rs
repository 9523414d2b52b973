//! The dispatch loop: one `match` arm per opcode of `bytecode/src/opcodes.rs`, each a
//! few lines; slow paths (metamethods, coercions, errors) are out-of-line methods.
//!
//! # The running frame (anchor: DISPATCH)
//! The loop keeps the running Lua frame in locals: its closure, base, code and constants
//! (fixed while the frame runs), `pc` (a pointer to the next instruction) and `regs` (a
//! pointer to R[0]); only `pc` and `regs` change inside the inner loop, so they stay in
//! machine registers. Its `CallInfo` is the top of `frames`. Lua-to-Lua calls and
//! returns never recurse on the Rust stack. The common ones switch the loop's locals to
//! the next frame in place (`switch_frame!`; through the outer loop's short entry
//! `next` only when compiled code may take over): CALL of a fixed-arity Lua function
//! pushes its frame (`try_push_fixed`), TAILCALL of one replaces the running frame
//! (`try_tail_fixed`), and a return into a Lua caller pops the frame (`pop_to_lua`,
//! which needs no bounds checks: REG-WINDOW and RESULT-WINDOW in `call.rs`); CALL and
//! TFORCALL of a Rust function run it through a
//! short path (`call_native_from_lua`) and continue in the same frame. Everything else
//! that pushes or pops frames (metamethods, natives that call back, vararg functions,
//! `pcall` boundaries, hooks) lets the outer loop derive the frame from the top
//! `CallInfo`. Metamethods run in
//! frames of their own (see METAMETHOD-FRAMES in `call.rs`).
//!
//! # Hotness of calls (anchor: CALL-COUNT)
//! Only the JIT reads a prototype's call counter (JIT-ENTRY in `jit_iface.rs`), so the
//! fast CALL counts a call only while the JIT is on, in the branch of `switch_frame!`
//! that hands the new frame to the outer loop's JIT entry anyway
//! (`try_push_fixed_uncounted`); every other push counts as before.
//!
//! # Closing on return (anchor: CLOSE-FLAG)
//! As in the reference design, the compiler emits RETURN0/RETURN1 only in functions
//! that never capture a local in a closure nor declare a to-be-closed variable (a
//! generic `for` declares one), and sets k on every RETURN and TAILCALL of the others;
//! only those look for upvalues and to-be-closed variables to close. The verifier holds
//! every binary chunk to the same rule (V-CLOSE); were one to break it, upvalues would
//! stay open and variables pending after the frame is gone: wrong values, never
//! unsafety (open upvalues reach the stack through checked accesses, see `upval_get`).

use core::cell::Cell;

use moonjet_bytecode::{Instruction, OpCode};

use super::arith::{float_fast, int_fast, ArithOp, Num};
use super::call::frame_end;
use super::meta::{Blame, Meta};
use crate::abi::{CallInfo, CIST_FIN};
use crate::error::LuaResult;
use crate::func::{LuaClosure, UpVal};
use crate::gc::Gc;
use crate::table::Table;
use crate::value::Value;
use crate::Lua;

/// Decodes the opcode of an instruction the loop fetched.
#[inline(always)]
fn decode(i: Instruction) -> OpCode {
    let raw = i.op_raw();
    debug_assert!((raw as usize) < OpCode::COUNT);
    // SAFETY: V-OPCODE: every instruction of a function's code has an opcode of the
    // table (binary chunks are verified before they run; the compiler builds its
    // instructions from `OpCode` values only, and its output is verified too, see
    // `verify_compiled` in `load.rs`). `OpCode` is `#[repr(u8)]` with the implicit discriminants
    // 0..COUNT (row order of the table, pinned by the opcode table's own test).
    unsafe { core::mem::transmute::<u8, OpCode>(raw) }
}

/// Copies the value at `src` to `dst` as one 16-byte copy. A value read into machine
/// registers and stored back is written as a tag byte plus payload words, and a later
/// 16-byte read of that slot then misses the processor's store forwarding (see
/// `write_words` in `value.rs`); a copy between memory slots never splits the value.
///
/// # Safety
/// `src` and `dst` are valid for reads and writes of one `Value` (they may overlap).
#[inline(always)]
unsafe fn copy_value(dst: *mut Value, src: *const Value) {
    // SAFETY: the caller guarantees both pointers are valid for one `Value`.
    unsafe { core::ptr::copy(src, dst, 1) }
}

impl Lua {
    /// Makes sure the register window of a Lua frame at `base` whose prototype has
    /// `max_stack` registers exists: `stack[base .. frame_end(base, max_stack)]`
    /// (REG-WINDOW). Frame pushes have already ensured it within the overflow limit
    /// (`push_lua_frame`, `try_push_fixed_frame`, `try_tail_fixed`), so this only grows
    /// the stack when something else left it shorter.
    #[inline(always)]
    pub(crate) fn ensure_reg_window(&mut self, base: usize, max_stack: usize) {
        let end = frame_end(base, max_stack);
        if self.stack.len() < end {
            self.grow_reg_window(end);
        }
    }

    /// Out-of-line part of `ensure_reg_window`: grows the stack to `end`.
    #[cold]
    #[inline(never)]
    fn grow_reg_window(&mut self, end: usize) {
        self.resize_stack(end);
    }

    /// Runs Lua frames until the frame count drops to `entry` (see FRAME-LAYOUT and
    /// DISPATCH in the module docs). Errors are returned with the frames intact; `drive`
    /// recovers from them.
    pub(crate) fn execute(&mut self, entry: usize) -> LuaResult<()> {
        // The frame to run next when a fast call or return already knows it: its
        // closure, base and instruction index (see DISPATCH).
        let mut next: Option<(Gc<LuaClosure>, usize, usize)> = None;
        'frames: loop {
            let (mut cl, mut base, pc0) = match next.take() {
                Some(n) => n,
                None => {
                    // Full entry: the frame on top, whatever pushed or popped frames.
                    let nframes = self.frames.len();
                    if nframes <= entry {
                        return Ok(());
                    }
                    // SAFETY: `nframes - 1 < frames.len()` (checked just above).
                    let ci = unsafe { *self.frames.get_unchecked(nframes - 1) };
                    let base = ci.base as usize;
                    let c = match self.stack.get(ci.func as usize) {
                        Some(Value::LuaFn(c)) => *c,
                        _ => return Err(self.not_lua_frame()),
                    };
                    self.ensure_reg_window(base, c.proto.max_stack as usize);
                    (c, base, ci.pc as usize)
                }
            };
            // The running frame's state (anchor: DISPATCH): `cl` and `base` above, its
            // code and constants, the pointer `pc` to the next instruction and `regs`, a
            // pointer to R[0]; its record is the top of `frames`. Only `pc` and `regs`
            // change while the frame runs. Registers are reached through `regs` (anchor:
            // REG-WINDOW). Invariant: `stack.len() >= frame_end(base, max_stack)` (the
            // frame's registers plus `EXTRA_STACK`, see `call.rs`) whenever `regs` is
            // used; it is established here and re-established by `refresh!` after
            // anything that may reallocate or resize the stack. Every register index the
            // loop uses is below `max_stack` (see `reg!`), so the window is exactly the
            // frame's own size, not a fixed maximum: a script that only ever runs small
            // functions keeps a small stack.
            let mut code: *const Instruction = cl.proto.code().as_ptr();
            let mut k: *const Value = cl.proto.consts.as_ptr();
            let mut pc0 = pc0;
            if self.jit.active {
                pc0 = self.jit_enter(cl, base, pc0, entry, crate::jit_iface::RET_NONE)?; // JIT-ENTRY in jit_iface.rs
                if pc0 == crate::jit_iface::JIT_REDISPATCH {
                    continue 'frames; // NATIVE-CALLS: the frames changed
                }
                self.ensure_reg_window(base, cl.proto.max_stack as usize);
            }
            // The window exists here: the full entry ensured it just above; a fast call
            // or tail call ensured the new frame's (`try_push_fixed_frame`,
            // `try_tail_fixed`); a fast return resumes a caller whose window was ensured
            // when it was entered and still holds: the stack only grows while frames
            // live (`reset_stack_limit` truncates it after an error, but never below
            // `MAX_STACK + EXTRA_STACK`, and every frame ends within the limit it was
            // pushed under, far below that when the truncation runs).
            debug_assert!(self.stack.len() >= frame_end(base, cl.proto.max_stack as usize));
            let mut pc: *const Instruction = code.wrapping_add(pc0);
            let mut regs: *mut Value = self.stack.as_mut_ptr().wrapping_add(base);

            // After anything that may have moved the stack: the window still exists
            // (the stack only grows while frames live, as above), only its address
            // may have changed.
            macro_rules! refresh {
                () => {{
                    debug_assert!(self.stack.len() >= frame_end(base, cl.proto.max_stack as usize));
                    regs = self.stack.as_mut_ptr().wrapping_add(base);
                }};
            }
            // Index of the instruction `pc` points at.
            macro_rules! pc_index {
                () => {
                    (pc as usize - code as usize) / core::mem::size_of::<Instruction>()
                };
            }
            // Instruction at `$p` (CODE-RANGE): the loop only fetches at the start of the
            // function, the successor of a non-final instruction, a jump target or the
            // EXTRAARG/JMP paired with the previous instruction, and V-JUMP, V-PAIR,
            // V-EXTRA and V-END (the verifier's guarantees, which the compiler's output
            // meets by construction; binary chunks are verified before they run) keep
            // all of these inside the code.
            macro_rules! code_at {
                ($p:expr) => {{
                    let p: *const Instruction = $p;
                    debug_assert!(cl.proto.code().as_ptr_range().contains(&p));
                    // SAFETY: CODE-RANGE (see the macro's comment): `p` points into the
                    // running function's code, which its prototype keeps alive.
                    unsafe { *p }
                }};
            }
            // Constant `$x`, a place (so `&kst!(x)` reads it in place, without a copy):
            // V-K guarantees every constant operand is in range.
            macro_rules! kst {
                ($x:expr) => {
                    *{
                        let x = ($x) as usize;
                        debug_assert!(x < cl.proto.consts.len());
                        // SAFETY: V-K (constant operands index the prototype's constants,
                        // which `FnProto::consts` holds one-to-one; `k` points at them,
                        // and nothing writes them while the frame runs).
                        unsafe { &*k.add(x) }
                    }
                };
            }
            // Upvalue cell `$x`: V-UP guarantees every upvalue operand is in range.
            macro_rules! upv {
                ($x:expr) => {{
                    let x = ($x) as usize;
                    let upvals: &[Cell<Gc<UpVal>>] = &cl.upvals;
                    debug_assert!(x < upvals.len());
                    // SAFETY: V-UP (upvalue operands are below the prototype's upvalue
                    // count, and a closure has one cell per upvalue descriptor).
                    unsafe { upvals.get_unchecked(x).get() }
                }};
            }
            // Register `$x`: every index the loop passes here is below the prototype's
            // `max_stack` (REG-WINDOW). The kinds of index, and what bounds each: a
            // register operand A, B or C of the current instruction (V-REG); `A + j` for
            // `j <= B` in LOADNIL (V-REG, its range); `A + 1` of SELF (V-REG, its range);
            // `A + 1 ..= A + 3` of FORLOOP (V-REG, the numeric `for` range); `A + 2`,
            // `A + 4 ..= A + 6` of TFORCALL/TFORLOOP (V-REG, the generic `for` range
            // including the call copy up to A+6). Nothing reads a register through this
            // macro at or past `max_stack`: RETURN A 1 with A = `max_stack` (the one V-REG
            // exception) returns no value, so its A only becomes a stack index for `ret!`
            // (checked accesses). Ranges "to the top" (B = 0 / C = 0, VARARG) go through
            // `ensure_stack` in the call and vararg paths, never through here. For
            // binary chunks V-REG is checked by the verifier before they run; for source
            // the compiler allocates every register it names through `check_stack`,
            // which raises `max_stack` to cover it (below 255), and its output is
            // verified like a chunk in every build (`verify_compiled` in `load.rs`).
            macro_rules! reg {
                ($x:expr) => {
                    *{
                        let x = ($x) as usize;
                        debug_assert!(x < cl.proto.max_stack as usize);
                        // SAFETY: REG-WINDOW: `x < max_stack` (see the macro's comment)
                        // and `stack.len() >= frame_end(base, max_stack)`, so `base + x`
                        // is an initialised element of the stack, which `regs` points
                        // into; no other reference to the stack is alive across this
                        // access.
                        unsafe { &mut *regs.add(x) }
                    }
                };
            }
            macro_rules! savepc {
                () => {
                    self.cur_frame().pc = pc_index!() as u32
                };
            }
            // The running frame's end of registers (its `CallInfo::top`).
            macro_rules! ci_top {
                () => {
                    self.cur_frame().top as usize
                };
            }
            // A loop back-edge: count it; a hot or compiled loop continues in compiled code.
            // (Only the JIT reads the count, so the interpreter alone skips it.)
            macro_rules! backedge {
                () => {
                    if self.jit.active {
                        let fp = cl.proto;
                        fp.backedges.set(fp.backedges.get().wrapping_add(1));
                        if self.jit_backedge(cl) {
                            savepc!();
                            continue 'frames;
                        }
                    }
                };
            }
            // Continues with the frame of closure `$c` whose R[0] is `stack[$base]` at
            // instruction `$pc` (a fast call or return pushed or popped it): in place,
            // or through the outer loop when compiled code may take over (JIT-ENTRY).
            // The frame's register window exists (see REG-WINDOW above).
            // `$count`: a call to count in the callee's hotness counter (CALL-COUNT).
            macro_rules! switch_frame {
                ($c:expr, $base:expr, $pc:expr) => {
                    switch_frame!($c, $base, $pc, false)
                };
                ($c:expr, $base:expr, $pc:expr, $count:expr) => {{
                    let (c, b, p) = ($c, $base, $pc);
                    if self.jit.active {
                        if $count {
                            let fp = c.proto;
                            fp.calls.set(fp.calls.get().wrapping_add(1));
                        }
                        // (Below the JIT's stack limit no compiled code is entered:
                        // NATIVE-STACK.)
                        if self.jit.stack_ok() {
                            next = Some((c, b, p));
                            continue 'frames;
                        }
                    }
                    cl = c;
                    base = b;
                    code = cl.proto.code().as_ptr();
                    k = cl.proto.consts.as_ptr();
                    pc = code.wrapping_add(p);
                    regs = self.stack.as_mut_ptr().wrapping_add(base);
                    debug_assert!(self.stack.len() >= frame_end(base, cl.proto.max_stack as usize));
                    // The dispatch loop (every use is directly in an instruction's arm).
                    continue;
                }};
            }
            // Calls Lua function `$f` at stack slot `$func`: the common case continues
            // with the new frame, the others let the outer loop find the frame on top.
            // Saves the pc (as `savepc!`) and returns the running frame's flags: one
            // access to its record for both.
            macro_rules! savepc_flags {
                () => {{
                    let at = pc_index!() as u32;
                    let n = self.frames.len();
                    debug_assert!(n >= 1);
                    // SAFETY: DISPATCH: the running frame's record is the top of
                    // `frames` whenever an instruction starts, so `frames` is not empty.
                    let ci = unsafe { self.frames.get_unchecked_mut(n.wrapping_sub(1)) };
                    ci.pc = at;
                    ci.flags
                }};
            }
            macro_rules! call_lua {
                ($func:expr, $f:expr, $nresults:expr, $caller_flags:expr) => {{
                    let (func, f, nresults) = ($func, $f, $nresults);
                    if self.try_push_fixed_frame(func, f, nresults, $caller_flags) {
                        switch_frame!(f, func + 1, 0);
                    }
                    self.push_lua_frame(func, f, nresults, 0)?;
                    continue 'frames;
                }};
            }
            // Returns `$n` results from R[$ra]: the common case tells the outer loop the
            // Lua caller to resume, the others go through `do_return`.
            macro_rules! ret {
                ($ra:expr, $n:expr) => {{
                    let (ra, n) = (base + $ra, $n);
                    // SAFETY: `ra + n <= stack.len()`: the arms check it, or the results
                    // are registers (REG-WINDOW).
                    if let Some((c, cbase, cpc)) = unsafe { self.pop_to_lua(entry, ra, n) } {
                        switch_frame!(c, cbase, cpc);
                    }
                    self.do_return(ra, n, entry)?;
                    continue 'frames;
                }};
            }
            // Runs a slow path that yields `Option<T>`: `None` means a metamethod frame
            // was pushed and the loop must continue with it.
            macro_rules! slow {
                ($e:expr) => {{
                    savepc!();
                    let r = $e?;
                    refresh!();
                    match r {
                        Some(v) => v,
                        None => continue 'frames,
                    }
                }};
            }
            macro_rules! meta_val {
                ($m:expr) => {
                    slow!({
                        let m = $m?;
                        self.meta_value(m)
                    })
                };
            }
            // Takes the jump that follows a test instruction when `cond == k`. A backward
            // one is a loop's back-edge (`repeat ... until c`, `while` loops whose
            // test ends the body) and is counted like a JMP's.
            macro_rules! cond_jump {
                ($cond:expr, $i:expr) => {
                    if $cond != $i.k() {
                        pc = pc.wrapping_add(1);
                    } else {
                        let sj = code_at!(pc).sj_field();
                        pc = pc.wrapping_offset(1 + sj as isize);
                        if sj < 0 && self.jit.active && self.jit_cond_backedge(cl) {
                            savepc!();
                            continue 'frames;
                        }
                    }
                };
            }
            // Stores a fast-path numeric result, or runs `$slow` when there is none.
            macro_rules! store_num {
                ($dst:expr, $r:expr, $slow:expr) => {
                    match $r {
                        Some(Num::I(v)) => Value::write_int(&mut reg!($dst), v),
                        Some(Num::F(v)) => Value::write_float(&mut reg!($dst), v),
                        None => {
                            let v = $slow;
                            reg!($dst) = v;
                        }
                    }
                };
            }
            // Numeric fast path of `x op y` (same subtypes only).
            macro_rules! fast_num {
                ($op:expr, $x:expr, $y:expr) => {
                    match (&$x, &$y) {
                        (Value::Int(p), Value::Int(q)) => int_fast($op, *p, *q),
                        (Value::Float(p), Value::Float(q)) => float_fast($op, *p, *q),
                        (Value::Int(p), Value::Float(q)) => float_fast($op, *p as f64, *q),
                        (Value::Float(p), Value::Int(q)) => float_fast($op, *p, *q as f64),
                        _ => None,
                    }
                };
            }
            // `R[A] op sB` with a jump; the metamethod gets the operands in source order
            // (`$swap`: the immediate is the left one, as `a > 1` is `1 < a`).
            macro_rules! cmp_imm {
                ($i:expr, $cmp:tt, $swap:expr, $le:expr) => {{
                    let imm = $i.sb() as i64;
                    if let Value::Int(p) = reg!($i.a()) {
                        let r = p $cmp imm;
                        cond_jump!(r, $i);
                        continue;
                    }
                    let r = match reg!($i.a()) {
                        Value::Int(p) => p $cmp imm,
                        Value::Float(f) => f $cmp imm as f64,
                        _ => slow!({
                            let x = reg!($i.a());
                            let y = if $i.c() != 0 { Value::Float(imm as f64) } else { Value::Int(imm) };
                            let m = if $swap { self.compare_meta(y, x, $le)? } else { self.compare_meta(x, y, $le)? };
                            self.meta_bool(m)
                        }),
                    };
                    cond_jump!(r, $i);
                }};
            }
            // `R[A] op R[B]` with a jump (`$le`: the metamethod is `__le`).
            macro_rules! cmp_rr {
                ($i:expr, $cmp:tt, $le:expr) => {{
                    if let (Value::Int(p), Value::Int(q)) = (&reg!($i.a()), &reg!($i.b())) {
                        let r = p $cmp q;
                        cond_jump!(r, $i);
                        continue;
                    }
                    let r = match (&reg!($i.a()), &reg!($i.b())) {
                        (Value::Int(p), Value::Int(q)) => p $cmp q,
                        (Value::Float(p), Value::Float(q)) => p $cmp q,
                        _ => slow!({
                            let (x, y) = (reg!($i.a()), reg!($i.b()));
                            let m = self.compare_meta(x, y, $le)?;
                            self.meta_bool(m)
                        }),
                    };
                    cond_jump!(r, $i);
                }};
            }
            // `R[A] := R[B] op sC` (an integer immediate): the immediate becomes a
            // `Value` only on the slow path, so the fast path keeps it in a machine register.
            macro_rules! arith_imm {
                ($op:expr, $i:expr) => {{
                    let imm = $i.sc() as i64;
                    if let Value::Int(p) = reg!($i.b()) {
                        if let Some(Num::I(v)) = int_fast($op, p, imm) {
                            Value::write_int(&mut reg!($i.a()), v);
                            continue;
                        }
                    }
                    let r = match &reg!($i.b()) {
                        Value::Int(p) => int_fast($op, *p, imm),
                        Value::Float(p) => float_fast($op, *p, imm as f64),
                        _ => None,
                    };
                    store_num!($i.a(), r, {
                        let (x, kv) = (reg!($i.b()), Value::Int(imm));
                        let bb = Blame::Stack(base + $i.b() as usize);
                        savepc!();
                        let m = if $i.k() && matches!($op, ArithOp::Shr) {
                            // SHRI with k is `x << -sC` in the source: `__shl`.
                            let n = Value::Int(imm.wrapping_neg());
                            self.arith_meta(ArithOp::Shl, x, n, (bb, Blame::None))
                        } else if $i.k() {
                            self.arith_meta($op, kv, x, (Blame::None, bb))
                        } else {
                            self.arith_meta($op, x, kv, (bb, Blame::None))
                        };
                        meta_val!(m)
                    });
                }};
            }
            // Copies array slot `$n` of table `$h` into R[$dst] and continues with the next
            // instruction when the slot exists and its value stands (not nil, or no
            // metatable to consult); falls through otherwise.
            macro_rules! get_array {
                ($h:expr, $n:expr, $dst:expr) => {
                    if let Some(p) = $h.array_slot($n) {
                        // SAFETY: `array_slot` returned a pointer to a live value of the
                        // array part, and nothing that could resize it runs before the
                        // copy; the destination is a register (REG-WINDOW).
                        if !unsafe { &*p }.is_nil() || $h.metatable().is_none() {
                            let dst: *mut Value = &mut reg!($dst);
                            // SAFETY: as above.
                            unsafe { copy_value(dst, p) };
                            continue;
                        }
                    }
                };
            }
            // Stores `$src` (a pointer to a register or constant) into array slot `$n`
            // of table `$h` and continues when the slot exists and the store is raw (no
            // metatable, or the slot holds a value so `__newindex` is not consulted).
            macro_rules! set_array {
                ($h:expr, $n:expr, $src:expr) => {
                    if let Some(p) = $h.array_slot($n) {
                        // SAFETY: `p` points at a live value of the array part (see
                        // `array_slot`); nothing runs between the check and the copy.
                        if $h.metatable().is_none() || !unsafe { &*p }.is_nil() {
                            // SAFETY: as above; `$src` is a register (REG-WINDOW) or a
                            // constant (V-K), which cannot overlap the array part.
                            unsafe { copy_value(p, $src) };
                            $h.barrier(&mut self.heap);
                            continue;
                        }
                    }
                };
            }
            // `R[A] := op R[B]`.
            macro_rules! arith_un {
                ($op:expr, $i:expr) => {{
                    let x = reg!($i.b());
                    store_num!($i.a(), fast_num!($op, x, x), {
                        let bb = Blame::Stack(base + $i.b() as usize);
                        meta_val!(self.arith_meta($op, x, x, (bb, bb)))
                    });
                }};
            }
            // (The integer-integer case is tested first and finishes on its own, so the
            // compiler lays it out as the straight path of each arithmetic instruction; a
            // shared `match` put it behind two taken jumps.)
            macro_rules! arith_rr {
                ($op:expr, $i:expr) => {{
                    if let (Value::Int(p), Value::Int(q)) = (&reg!($i.b()), &reg!($i.c())) {
                        if let Some(Num::I(v)) = int_fast($op, *p, *q) {
                            Value::write_int(&mut reg!($i.a()), v);
                            continue;
                        }
                    }
                    if let (Value::Float(p), Value::Float(q)) = (&reg!($i.b()), &reg!($i.c())) {
                        if let Some(Num::F(v)) = float_fast($op, *p, *q) {
                            Value::write_float(&mut reg!($i.a()), v);
                            continue;
                        }
                    }
                    store_num!($i.a(), fast_num!($op, reg!($i.b()), reg!($i.c())), {
                        let (x, y) = (reg!($i.b()), reg!($i.c()));
                        let blame = (
                            Blame::Stack(base + $i.b() as usize),
                            Blame::Stack(base + $i.c() as usize),
                        );
                        meta_val!(self.arith_meta($op, x, y, blame))
                    });
                }};
            }
            // `R[A] := R[B] op K[C]`, with the source order swapped when k is set.
            macro_rules! arith_rk {
                ($op:expr, $i:expr, $kv:expr) => {{
                    if let (Value::Int(p), Value::Int(q)) = (&reg!($i.b()), &$kv) {
                        if let Some(Num::I(v)) = int_fast($op, *p, *q) {
                            Value::write_int(&mut reg!($i.a()), v);
                            continue;
                        }
                    }
                    if let (Value::Float(p), Value::Float(q)) = (&reg!($i.b()), &$kv) {
                        if let Some(Num::F(v)) = float_fast($op, *p, *q) {
                            Value::write_float(&mut reg!($i.a()), v);
                            continue;
                        }
                    }
                    store_num!($i.a(), fast_num!($op, reg!($i.b()), $kv), {
                        let (x, kv) = (reg!($i.b()), $kv);
                        let bb = Blame::Stack(base + $i.b() as usize);
                        savepc!();
                        let m = if $i.k() {
                            self.arith_meta($op, kv, x, (Blame::None, bb))
                        } else {
                            self.arith_meta($op, x, kv, (bb, Blame::None))
                        };
                        meta_val!(m)
                    });
                }};
            }

            loop {
                if self.hook_mask != 0 {
                    // HOOKS (stdlib/debughook.rs): the pc saved is the one an error
                    // or `debug.getinfo` reports for the instruction about to run.
                    self.cur_frame().pc = pc_index!() as u32 + 1;
                    self.hook_instr()?;
                    refresh!();
                }
                let i = code_at!(pc);
                pc = pc.wrapping_add(1);
                let a = i.a() as usize;
                match decode(i) {
                    OpCode::Move => reg!(a) = reg!(i.b()),
                    OpCode::LoadI => Value::write_int(&mut reg!(a), i.sbx() as i64),
                    OpCode::LoadF => Value::write_float(&mut reg!(a), i.sbx() as f64),
                    OpCode::LoadK => reg!(a) = kst!(i.bx() as usize),
                    OpCode::LoadKX => {
                        reg!(a) = kst!(code_at!(pc).ax_field() as usize);
                        pc = pc.wrapping_add(1);
                    }
                    OpCode::LoadFalse => Value::write_bool(&mut reg!(a), false),
                    OpCode::LFalseSkip => {
                        Value::write_bool(&mut reg!(a), false);
                        pc = pc.wrapping_add(1);
                    }
                    OpCode::LoadTrue => Value::write_bool(&mut reg!(a), true),
                    OpCode::LoadNil => {
                        for j in 0..=i.b() as usize {
                            Value::write_nil(&mut reg!(a + j));
                        }
                    }
                    OpCode::GetUpval => {
                        let uv = upv!(i.b() as usize);
                        let dst: *mut Value = &mut reg!(a);
                        // SAFETY: UPVAL-SLOT: the slot of a live upvalue (the closure
                        // keeps it) points at its current value; `dst` is a register
                        // (REG-WINDOW); nothing ran between.
                        unsafe { copy_value(dst, uv.slot()) };
                    }
                    OpCode::SetUpval => {
                        let uv = upv!(i.b() as usize);
                        let v = reg!(a);
                        self.upval_set(uv, v);
                    }
                    OpCode::GetTabUp => {
                        let t = self.upval_get(upv!(i.b() as usize));
                        let key = kst!(i.c() as usize);
                        if let (Value::Table(h), Value::Str(s)) = (t, key) {
                            let v = h.get_str(s);
                            if !v.is_nil() || h.metatable().is_none() {
                                reg!(a) = v;
                                continue;
                            }
                            if let Some(v) = self.index_str_chain(h, s) {
                                reg!(a) = v;
                                continue;
                            }
                        }
                        reg!(a) = meta_val!(self.index_meta(t, key, Blame::Upval(i.b() as usize)));
                    }
                    OpCode::GetTable => {
                        if let (Value::Table(h), Value::Int(n)) = (&reg!(i.b()), &reg!(i.c())) {
                            get_array!(*h, *n, a);
                        }
                        let (t, key) = (reg!(i.b()), reg!(i.c()));
                        if let Value::Table(h) = t {
                            let v = match key {
                                Value::Int(n) => h.get_int(n),
                                Value::Str(s) => h.get_str(s),
                                _ => h.get(key),
                            };
                            if !v.is_nil() || h.metatable().is_none() {
                                reg!(a) = v;
                                continue;
                            }
                        }
                        let blame = Blame::Stack(base + i.b() as usize);
                        reg!(a) = meta_val!(self.index_meta(t, key, blame));
                    }
                    OpCode::GetI => {
                        if let Value::Table(h) = reg!(i.b()) {
                            get_array!(h, i.c() as i64, a);
                        }
                        let t = reg!(i.b());
                        if let Value::Table(h) = t {
                            let v = h.get_int(i.c() as i64);
                            if !v.is_nil() || h.metatable().is_none() {
                                reg!(a) = v;
                                continue;
                            }
                        }
                        let (key, blame) = (
                            Value::Int(i.c() as i64),
                            Blame::Stack(base + i.b() as usize),
                        );
                        reg!(a) = meta_val!(self.index_meta(t, key, blame));
                    }
                    OpCode::GetField => {
                        let (t, key) = (reg!(i.b()), kst!(i.c() as usize));
                        if let (Value::Table(h), Value::Str(s)) = (t, key) {
                            let v = h.get_str(s);
                            if !v.is_nil() || h.metatable().is_none() {
                                reg!(a) = v;
                                continue;
                            }
                            if let Some(v) = self.index_str_chain(h, s) {
                                reg!(a) = v;
                                continue;
                            }
                        }
                        let blame = Blame::Stack(base + i.b() as usize);
                        reg!(a) = meta_val!(self.index_meta(t, key, blame));
                    }
                    OpCode::SetTabUp => {
                        let t = self.upval_get(upv!(a));
                        let key = kst!(i.b() as usize);
                        let v = if i.k() {
                            kst!(i.c() as usize)
                        } else {
                            reg!(i.c())
                        };
                        if let (Value::Table(h), Value::Str(s)) = (t, key) {
                            if h.metatable().is_none() || self.newindex_is_raw(h, s) {
                                h.set_str(&mut self.heap, s, v);
                                continue;
                            }
                        }
                        meta_val!(self.newindex_meta(t, key, v, Blame::Upval(a)));
                    }
                    OpCode::SetTable => {
                        if let (Value::Table(h), Value::Int(n)) = (&reg!(a), &reg!(i.b())) {
                            let src: *const Value = if i.k() {
                                &kst!(i.c() as usize)
                            } else {
                                &reg!(i.c())
                            };
                            set_array!(*h, *n, src);
                        }
                        let (t, key) = (reg!(a), reg!(i.b()));
                        let v = if i.k() {
                            kst!(i.c() as usize)
                        } else {
                            reg!(i.c())
                        };
                        if let Value::Table(h) = t {
                            if h.metatable().is_none() {
                                if let Value::Int(n) = key {
                                    h.set_int(&mut self.heap, n, v);
                                    continue;
                                }
                                savepc!();
                                self.raw_set(h, key, v)?;
                                continue;
                            }
                        }
                        meta_val!(self.newindex_meta(t, key, v, Blame::Stack(base + a)));
                    }
                    OpCode::SetI => {
                        if let Value::Table(h) = reg!(a) {
                            let src: *const Value = if i.k() {
                                &kst!(i.c() as usize)
                            } else {
                                &reg!(i.c())
                            };
                            set_array!(h, i.b() as i64, src);
                        }
                        let t = reg!(a);
                        let v = if i.k() {
                            kst!(i.c() as usize)
                        } else {
                            reg!(i.c())
                        };
                        if let Value::Table(h) = t {
                            if h.metatable().is_none() {
                                h.set_int(&mut self.heap, i.b() as i64, v);
                                continue;
                            }
                        }
                        let key = Value::Int(i.b() as i64);
                        meta_val!(self.newindex_meta(t, key, v, Blame::Stack(base + a)));
                    }
                    OpCode::SetField => {
                        let (t, key) = (reg!(a), kst!(i.b() as usize));
                        let v = if i.k() {
                            kst!(i.c() as usize)
                        } else {
                            reg!(i.c())
                        };
                        if let (Value::Table(h), Value::Str(s)) = (t, key) {
                            if h.metatable().is_none() || self.newindex_is_raw(h, s) {
                                h.set_str(&mut self.heap, s, v);
                                continue;
                            }
                        }
                        meta_val!(self.newindex_meta(t, key, v, Blame::Stack(base + a)));
                    }
                    OpCode::NewTable => {
                        // V-END: NEWTABLE is not the last instruction, so `pc` is in the
                        // code; an EXTRAARG there belongs to it (V-EXTRA).
                        let next = code_at!(pc);
                        let extra = decode(next) == OpCode::ExtraArg;
                        if extra {
                            pc = pc.wrapping_add(1);
                        }
                        savepc!();
                        let t = self.new_table_op(i, extra.then_some(next));
                        Value::write_table(&mut reg!(a), t);
                        // GC-INVARIANT: a safepoint, after the new table is in a register.
                        self.gc_check();
                        refresh!();
                    }
                    OpCode::SelfOp => {
                        let t = reg!(i.b());
                        let key = if i.k() {
                            kst!(i.c() as usize)
                        } else {
                            reg!(i.c())
                        };
                        reg!(a + 1) = t;
                        if let (Value::Table(h), Value::Str(s)) = (t, key) {
                            let v = h.get_str(s);
                            if !v.is_nil() || h.metatable().is_none() {
                                reg!(a) = v;
                                continue;
                            }
                            if let Some(v) = self.index_str_chain(h, s) {
                                reg!(a) = v;
                                continue;
                            }
                        }
                        let blame = Blame::Stack(base + i.b() as usize);
                        reg!(a) = meta_val!(self.index_meta(t, key, blame));
                    }

                    OpCode::AddI => arith_imm!(ArithOp::Add, i),
                    OpCode::AddK => arith_rk!(ArithOp::Add, i, kst!(i.c() as usize)),
                    OpCode::SubK => arith_rk!(ArithOp::Sub, i, kst!(i.c() as usize)),
                    OpCode::MulK => arith_rk!(ArithOp::Mul, i, kst!(i.c() as usize)),
                    OpCode::ModK => arith_rk!(ArithOp::Mod, i, kst!(i.c() as usize)),
                    OpCode::PowK => arith_rk!(ArithOp::Pow, i, kst!(i.c() as usize)),
                    OpCode::DivK => arith_rk!(ArithOp::Div, i, kst!(i.c() as usize)),
                    OpCode::IDivK => arith_rk!(ArithOp::IDiv, i, kst!(i.c() as usize)),
                    OpCode::BAndK => arith_rk!(ArithOp::BAnd, i, kst!(i.c() as usize)),
                    OpCode::BOrK => arith_rk!(ArithOp::BOr, i, kst!(i.c() as usize)),
                    OpCode::BXorK => arith_rk!(ArithOp::BXor, i, kst!(i.c() as usize)),
                    OpCode::ShrI => arith_imm!(ArithOp::Shr, i),
                    OpCode::ShlI => {
                        // sC << R[B]
                        let x = reg!(i.b());
                        let imm = Value::Int(i.sc() as i64);
                        store_num!(a, fast_num!(ArithOp::Shl, imm, x), {
                            let blame = (Blame::None, Blame::Stack(base + i.b() as usize));
                            meta_val!(self.arith_meta(ArithOp::Shl, imm, x, blame))
                        });
                    }
                    OpCode::Add => arith_rr!(ArithOp::Add, i),
                    OpCode::Sub => arith_rr!(ArithOp::Sub, i),
                    OpCode::Mul => arith_rr!(ArithOp::Mul, i),
                    OpCode::Mod => arith_rr!(ArithOp::Mod, i),
                    OpCode::Pow => arith_rr!(ArithOp::Pow, i),
                    OpCode::Div => arith_rr!(ArithOp::Div, i),
                    OpCode::IDiv => arith_rr!(ArithOp::IDiv, i),
                    OpCode::BAnd => arith_rr!(ArithOp::BAnd, i),
                    OpCode::BOr => arith_rr!(ArithOp::BOr, i),
                    OpCode::BXor => arith_rr!(ArithOp::BXor, i),
                    OpCode::Shl => arith_rr!(ArithOp::Shl, i),
                    OpCode::Shr => arith_rr!(ArithOp::Shr, i),
                    OpCode::Unm => arith_un!(ArithOp::Unm, i),
                    OpCode::BNot => arith_un!(ArithOp::BNot, i),
                    OpCode::Not => {
                        let t = reg!(i.b()).truthy();
                        Value::write_bool(&mut reg!(a), !t);
                    }
                    OpCode::Len => {
                        let v = reg!(i.b());
                        reg!(a) = match v {
                            Value::Str(s) => Value::Int(s.len() as i64),
                            Value::Table(h) if h.metatable().is_none() => Value::Int(h.len()),
                            _ => meta_val!(self.len_meta(v, Blame::Stack(base + i.b() as usize))),
                        };
                    }
                    OpCode::Concat => {
                        savepc!();
                        if !self.concat_run(base + a, i.b() as usize)? {
                            continue 'frames;
                        }
                        self.gc_check();
                        refresh!();
                    }

                    OpCode::Close => {
                        savepc!();
                        if self.close_op(base + a)? {
                            continue 'frames;
                        }
                    }
                    OpCode::Tbc => {
                        savepc!();
                        self.new_tbc(base + a)?;
                    }
                    OpCode::Jmp => {
                        let sj = i.sj_field();
                        pc = pc.wrapping_offset(sj as isize);
                        if sj < 0 {
                            backedge!();
                        }
                    }
                    OpCode::Eq => {
                        if let (Value::Int(p), Value::Int(q)) = (&reg!(a), &reg!(i.b())) {
                            let eq = p == q;
                            cond_jump!(eq, i);
                            continue;
                        }
                        let eq = match (&reg!(a), &reg!(i.b())) {
                            (Value::Int(p), Value::Int(q)) => p == q,
                            (Value::Str(p), Value::Str(q)) => p == q,
                            _ => slow!({
                                let (x, y) = (reg!(a), reg!(i.b()));
                                let m = self.eq_meta(x, y);
                                self.meta_bool(m)
                            }),
                        };
                        cond_jump!(eq, i);
                    }
                    OpCode::Lt => cmp_rr!(i, <, false),
                    OpCode::Le => cmp_rr!(i, <=, true),
                    OpCode::EqK => {
                        let eq = reg!(a).raw_eq(&kst!(i.b() as usize));
                        cond_jump!(eq, i);
                    }
                    OpCode::EqI => {
                        if let Value::Int(p) = reg!(a) {
                            let eq = p == i.sb() as i64;
                            cond_jump!(eq, i);
                            continue;
                        }
                        let eq = match reg!(a) {
                            Value::Int(p) => p == i.sb() as i64,
                            Value::Float(f) => f == i.sb() as f64,
                            _ => false,
                        };
                        cond_jump!(eq, i);
                    }
                    OpCode::LtI => cmp_imm!(i, <, false, false),
                    OpCode::LeI => cmp_imm!(i, <=, false, true),
                    OpCode::GtI => cmp_imm!(i, >, true, false),
                    OpCode::GeI => cmp_imm!(i, >=, true, true),
                    OpCode::Test => cond_jump!(reg!(a).truthy(), i),
                    OpCode::TestSet => {
                        let v = reg!(i.b());
                        if v.truthy() == i.k() {
                            reg!(a) = v;
                            let sj = code_at!(pc).sj_field();
                            pc = pc.wrapping_offset(1 + sj as isize);
                            if sj < 0 && self.jit.active && self.jit_cond_backedge(cl) {
                                savepc!();
                                continue 'frames;
                            }
                        } else {
                            pc = pc.wrapping_add(1);
                        }
                    }

                    OpCode::Call => {
                        let func = base + a;
                        let nresults = i.c() as i32 - 1;
                        let caller_flags = savepc_flags!();
                        if let Value::LuaFn(f) = reg!(a) {
                            // The arguments: B - 1 of them, or up to the top (V-TOP).
                            let nargs = match i.b() as usize {
                                0 => self.top.wrapping_sub(func + 1),
                                b => b - 1,
                            };
                            if self.try_push_fixed_uncounted(func, f, nargs, nresults, caller_flags)
                            {
                                switch_frame!(f, func + 1, 0, true);
                            }
                            self.top = func + 1 + nargs;
                            self.push_lua_frame(func, f, nresults, 0)?;
                            continue 'frames;
                        }
                        if i.b() != 0 {
                            self.top = func + i.b() as usize;
                        }
                        if !self.precall_from_lua(func, nresults)? {
                            continue 'frames;
                        }
                        if nresults >= 0 {
                            self.top = ci_top!();
                        }
                        self.gc_check();
                        refresh!();
                        if self.jit_has_code(cl.proto) {
                            savepc!();
                            continue 'frames;
                        }
                    }
                    OpCode::TailCall => {
                        let func = base + a;
                        if i.b() != 0 {
                            self.top = func + i.b() as usize;
                        }
                        savepc!();
                        if let Value::LuaFn(f) = reg!(a) {
                            if !i.k() || !self.needs_close(base) {
                                if let Some(new_base) = self.try_tail_fixed(func, f) {
                                    switch_frame!(f, new_base, 0);
                                }
                            }
                        }
                        self.tail_call(func, entry)?;
                        continue 'frames;
                    }
                    OpCode::Return => {
                        // B - 1 results (registers: REG-WINDOW), or up to the top (V-TOP),
                        // or as many as a `__close` step saved (`return_close`).
                        let n = if i.b() != 0 {
                            i.b() as usize - 1
                        } else {
                            let n = match self.cur_frame().aux {
                                0 => self.top.wrapping_sub(base + a),
                                aux => aux as usize - 1,
                            };
                            if n > self.stack.len().saturating_sub(base + a) {
                                return Err(self.results_off_stack());
                            }
                            n
                        };
                        if i.k() && self.needs_close(base) {
                            let at = pc_index!() as u32 - 1;
                            if self.return_close(base, base + a, n, at)? {
                                continue 'frames;
                            }
                        }
                        ret!(a, n);
                    }
                    // RETURN0 and RETURN1 appear only in functions with nothing to close,
                    // and RETURN and TAILCALL have k set in those that may have something
                    // (CLOSE-FLAG in the module docs).
                    OpCode::Return0 => ret!(0, 0),
                    OpCode::Return1 => ret!(a, 1),
                    OpCode::ForLoop => {
                        if let Value::Int(step) = reg!(a + 2) {
                            // The counter and the internal index are updated in place
                            // (payload only): only FORLOOP reads them, with narrow loads,
                            // so no 16-byte read of them meets the narrow store. The
                            // visible copy R[A+3] gets a whole-value write.
                            if let Value::Int(count) = &mut reg!(a + 1) {
                                if *count != 0 {
                                    *count = count.wrapping_sub(1);
                                    if let Value::Int(idx) = &mut reg!(a) {
                                        let n = idx.wrapping_add(step);
                                        *idx = n;
                                        Value::write_int(&mut reg!(a + 3), n);
                                    }
                                    pc = pc.wrapping_sub(i.bx() as usize);
                                    backedge!();
                                }
                            }
                        } else if self.float_for_loop(base + a) {
                            pc = pc.wrapping_sub(i.bx() as usize);
                            backedge!();
                        }
                    }
                    OpCode::ForPrep => {
                        // Fast path: integer start and limit, step 1 (no division, no call).
                        if let (Value::Int(i0), Value::Int(lim), Value::Int(1)) =
                            (reg!(a), reg!(a + 1), reg!(a + 2))
                        {
                            if i0 <= lim {
                                Value::write_int(&mut reg!(a + 1), lim.wrapping_sub(i0));
                                Value::write_int(&mut reg!(a + 3), i0);
                            } else {
                                pc = pc.wrapping_add(i.bx() as usize + 1);
                            }
                            continue;
                        }
                        savepc!();
                        if !self.for_prep(base + a)? {
                            pc = pc.wrapping_add(i.bx() as usize + 1);
                        }
                    }
                    OpCode::TForPrep => {
                        savepc!();
                        // The closing value R[A+3]; the offset is added in the callee,
                        // so that `base + 3` is not hoisted into the dispatch loop.
                        self.new_tbc_at(base + a, 3)?;
                        pc = pc.wrapping_add(i.bx() as usize);
                    }
                    OpCode::TForCall => {
                        reg!(a + 4) = reg!(a);
                        reg!(a + 5) = reg!(a + 1);
                        reg!(a + 6) = reg!(a + 2);
                        let func = base + a + 4;
                        self.top = func + 3;
                        let caller_flags = savepc_flags!();
                        let nresults = i.c() as i32;
                        if let Value::LuaFn(f) = reg!(a + 4) {
                            call_lua!(func, f, nresults, caller_flags);
                        }
                        if !self.precall_from_lua(func, nresults)? {
                            continue 'frames;
                        }
                        refresh!();
                        self.top = ci_top!();
                        if self.jit_has_code(cl.proto) {
                            savepc!();
                            continue 'frames;
                        }
                    }
                    OpCode::TForLoop => {
                        let v = reg!(a + 4);
                        if !v.is_nil() {
                            reg!(a + 2) = v;
                            pc = pc.wrapping_sub(i.bx() as usize);
                            backedge!();
                        }
                    }
                    OpCode::SetList => {
                        let n = if i.b() == 0 {
                            self.top - (base + a) - 1
                        } else {
                            i.b() as usize
                        };
                        let mut first = i.c() as i64;
                        if i.k() {
                            first += code_at!(pc).ax_field() as i64 * 256;
                            pc = pc.wrapping_add(1);
                        }
                        self.set_list(base + a, n, first);
                        self.top = ci_top!();
                    }
                    OpCode::Closure => {
                        savepc!();
                        let c = self.nested_closure(cl.proto, i.bx() as usize, base, &cl.upvals)?;
                        Value::write_lua_fn(&mut reg!(a), c);
                        savepc!();
                        self.gc_check();
                        refresh!();
                    }
                    OpCode::VarArg => {
                        savepc!();
                        self.varargs(base + a, i.c() as i32 - 1)?;
                        refresh!();
                        if i.c() != 0 {
                            self.top = ci_top!();
                        }
                    }
                    OpCode::VarArgPrep => {}
                    OpCode::ExtraArg => {
                        savepc!();
                        return Err(self.rt_error("invalid instruction"));
                    }
                }
            }
        }
    }

    /// NEWTABLE: a table with the instruction's size hints (`extra`: its EXTRAARG).
    /// (Returns the handle, not a `Value`: a `Value` comes back through memory written as
    /// tag and payload, which the caller's 16-byte copy would read with a stall.)
    #[inline(never)]
    fn new_table_op(&mut self, i: Instruction, extra: Option<Instruction>) -> Gc<Table> {
        let nhash = if i.b() > 0 {
            1usize << (i.b() - 1).min(30)
        } else {
            0
        };
        let mut narr = i.c() as usize;
        if let Some(x) = extra.filter(|_| i.k()) {
            narr += x.ax_field() as usize * 256;
        }
        self.new_table(narr, nhash)
    }

    /// SETLIST: stores `stack[ra + 1 ..= ra + n]` into the table at `ra` from index
    /// `first + 1` on.
    #[inline(never)]
    fn set_list(&mut self, ra: usize, n: usize, first: i64) {
        if let Value::Table(h) = self.stack[ra] {
            h.set_list(&mut self.heap, first, &self.stack[ra + 1..ra + 1 + n]);
        }
    }

    /// The running frame's record: the loop always runs the top frame (DISPATCH).
    #[inline(always)]
    pub(crate) fn cur_frame(&mut self) -> &mut CallInfo {
        let n = self.frames.len();
        &mut self.frames[n.wrapping_sub(1)]
    }

    /// CLOSE in the running frame (its pc saved, just after the CLOSE): closes upvalues
    /// at `>= level`; true when a `__close` handler frame was pushed (the CLOSE runs
    /// again when it returns).
    #[inline(never)]
    fn close_op(&mut self, level: usize) -> LuaResult<bool> {
        self.close_upvals(level);
        if !self.has_tbc(level) {
            return Ok(false);
        }
        self.cur_frame().pc -= 1;
        self.close_tbc_step(level)?;
        Ok(true)
    }

    /// The error for a frame whose function slot does not hold a Lua function.
    #[cold]
    #[inline(never)]
    fn not_lua_frame(&mut self) -> crate::error::LuaError {
        self.error_value_str("internal error: frame is not a Lua function")
    }

    /// Runs a slow path's metamethod call in a frame of its own: `Some(v)` when the
    /// value is ready, `None` when a Lua frame was pushed (finished by `finish_op`).
    #[cold]
    #[inline(never)]
    pub(crate) fn meta_value(&mut self, m: Meta) -> LuaResult<Option<Value>> {
        match m {
            Meta::Done(v) => Ok(Some(v)),
            Meta::Call { f, args, n } => self.call_meta(f, &args[..n as usize], 1, CIST_FIN),
        }
    }

    /// `meta_value` for comparisons: the truth of the result.
    fn meta_bool(&mut self, m: Meta) -> LuaResult<Option<bool>> {
        Ok(self.meta_value(m)?.map(|v| v.truthy()))
    }

    /// VARARG: copies the frame's extra arguments to `ra ..` (`wanted` < 0: all, and
    /// sets the top).
    #[inline(never)]
    pub(crate) fn varargs(&mut self, ra: usize, wanted: i32) -> LuaResult<()> {
        let Some(ci) = self.frames.last().copied() else {
            return Ok(());
        };
        let n = ci.nvarargs as usize;
        let from = ci.base as usize - n;
        let count = if wanted < 0 { n } else { wanted as usize };
        self.ensure_stack(ra + count + 1)?;
        for j in 0..count {
            self.stack[ra + j] = if j < n {
                self.stack[from + j]
            } else {
                Value::Nil
            };
        }
        if wanted < 0 {
            self.top = ra + n;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The fast call, return and tail-call paths of the loop (DISPATCH) against the
    //! general ones: result counts, missing arguments, metamethod frames, closing.

    use alloc::string::String;
    use alloc::vec::Vec;

    use crate::Lua;

    /// Runs a chunk with the base library and returns its results as text.
    fn run(src: &str) -> Vec<String> {
        let mut l = Lua::new();
        l.set_compiler(|s, n| moonjet_compiler::compile(s, n).map_err(|e| e.message));
        l.open_base();
        let f = match l.load(src.as_bytes(), b"=t", "t", None) {
            Ok(f) => f,
            Err(e) => panic!(
                "load: {}",
                String::from_utf8_lossy(&l.tostring_basic(e.value))
            ),
        };
        match l.pcall_with_traceback(f, &[]) {
            Ok(vs) => vs
                .iter()
                .map(|v| String::from_utf8_lossy(&l.tostring_basic(*v)).into_owned())
                .collect(),
            Err((_, tb)) => panic!("error: {tb}"),
        }
    }

    #[test]
    fn returns_adjust_to_what_the_caller_wants() {
        let src = "local function three() return 1, 2, 3 end
            local function one() return 7 end
            local function none() end
            local a, b, c, d = three()
            local x = three()
            local p, q, r = one()
            local s, t = none()
            one() none() three()
            return a, b, c, d, x, p, q, r, s, t, select('#', three()), select('#', one())";
        assert_eq!(run(src).join(","), "1,2,3,nil,1,7,nil,nil,nil,nil,3,1");
    }

    #[test]
    fn all_results_returns_set_the_top_for_the_caller() {
        // A Lua function returning into a CALL/TAILCALL that wants all its results (the
        // last argument): the values count, and the registers above them do not.
        let src = "local function three() return 1, 2, 3 end
            local function none() end
            local function pass(...) return select('#', ...), ... end
            local function ack(m, k)
              if m == 0 then return k + 1 elseif k == 0 then return ack(m - 1, 1) end
              return ack(m - 1, ack(m, k - 1))
            end
            local n1, a, b, c = pass(three())
            local n2 = pass(none())
            local n3 = pass(0, three())
            return n1, a, b, c, n2, n3, ack(2, 3), #{three(), three()}";
        assert_eq!(run(src).join(","), "3,1,2,3,0,4,9,4");
    }

    #[test]
    fn fast_calls_fill_missing_arguments_and_nest() {
        let src = "local function f(a, b, c) return c end
            local function g(n) if n == 0 then return 0 end return 1 + g(n - 1) end
            return f(1), f(1, 2, 3, 4), g(10000)";
        assert_eq!(run(src).join(","), "nil,3,10000");
    }

    #[test]
    fn tail_calls_run_in_constant_space() {
        let src = "local function t(n, acc) if n == 0 then return acc end
                return t(n - 1, (acc or 0) + 1) end
            local function u(n) if n == 0 then return 'u' end return t(n) end
            local function v(n, x) if n == 0 then return x end return v(n - 1) end
            return t(2000000), u(5), v(3, 'kept'), v(0, 'kept')";
        assert_eq!(run(src).join(","), "2000000,5,nil,kept");
    }

    #[test]
    fn slow_paths_still_apply() {
        // A tail call with an open upvalue, one from a metamethod frame, a vararg callee.
        let src = "local function f(n) local x = n local g = function() return x end
                if n == 0 then return g() end return f(n - 1) end
            local mt = {__index = function(t, k) return f(k) end}
            local o = setmetatable({}, mt)
            local function va(...) return select('#', ...), ... end
            local function tv(...) return va(...) end
            return f(50), o[3], va(1, nil), tv(4, 5)";
        assert_eq!(run(src).join(","), "0,0,2,2,4,5");
    }

    /// A state with the compiler and the base library.
    fn state() -> Lua {
        let mut l = Lua::new();
        l.set_compiler(|s, n| moonjet_compiler::compile(s, n).map_err(|e| e.message));
        l.open_base();
        l
    }

    #[test]
    fn small_frames_keep_the_stack_small() {
        // REG-WINDOW: a frame needs its own registers (plus `EXTRA_STACK`), not a fixed
        // window of the largest frame an instruction could name.
        let mut l = state();
        let src = b"local function add(a, b) return a + b end
            local t = {}
            for i = 1, 10 do t[i] = add(i, i) end
            return t[10]";
        let f = l.load(src, b"=t", "t", None).ok().unwrap();
        let r = l.pcall_with_traceback(f, &[]).ok().unwrap();
        assert!(matches!(r.first(), Some(crate::Value::Int(20))));
        assert!(l.stack.len() <= 64, "stack grew to {} slots", l.stack.len());
    }

    #[test]
    fn large_frames_grow_the_stack_and_deep_recursion_overflows_cleanly() {
        // Frames of about 200 registers, recursing: each call grows the stack for its
        // own window; past the limit a Lua error, after which the state keeps working.
        let mut locals = String::from("local a0");
        for i in 1..190 {
            locals.push_str(&alloc::format!(", a{i}"));
        }
        let src = alloc::format!(
            "{locals} = 1
            local function r(n)
              {locals} = n
              a189 = a0
              if n == 0 then return a189 end
              return a0 + r(n - 1) - a189
            end
            local ok, e = pcall(r, 1e7)
            return r(2000), ok, e, r(3000)"
        );
        let out = run(&src);
        assert_eq!(out[0], "0");
        assert_eq!(out[1], "false");
        assert!(out[2].contains("stack overflow"), "{}", out[2]);
        assert_eq!(out[3], "0");
    }

    #[test]
    fn exact_and_all_results_returns_leave_the_callers_top() {
        // `pop_to_lua`'s branches: exactly the values wanted, all of them (C = 0), fewer
        // wanted, more wanted; the top after each must be the caller's again.
        let src = "local function two() return 'x', 'y' end
            local function pass(...) return select('#', ...) end
            local a, b = two()
            local n = pass(two())
            local c, d, e = two()
            local t = {two(), two()}
            local p = two()
            return a, b, n, c, d, e, #t, p, pass(a, two()), pass(two(), a)";
        assert_eq!(run(src).join(","), "x,y,2,x,y,nil,3,x,3,2");
    }

    #[test]
    fn the_interpreter_counts_calls_only_while_the_jit_is_on() {
        // CALL-COUNT: without a JIT engine the fast CALL leaves the counter alone.
        let mut l = state();
        let src = b"local function f(x) return x end
            for i = 1, 100 do f(i) end
            return f";
        let f = l.load(src, b"=t", "t", None).ok().unwrap();
        let r = l.pcall_with_traceback(f, &[]).ok().unwrap();
        match r.first() {
            Some(crate::Value::LuaFn(c)) => assert_eq!(c.proto.calls.get(), 0),
            _ => panic!("expected a Lua function"),
        }
    }

    #[test]
    fn for_prep_step_one_fast_path_matches_the_general_loop() {
        // FORPREP's inline path (integer start and limit, step 1): empty, single and
        // extreme ranges, and the float-limit loop that still takes `for_prep`.
        let src = "local n = 0
            for i = 1, 0 do n = n + 1 end
            for i = 3, 3 do n = n + 10 end
            local s, e, f, last = 0, 0, 0, nil
            for i = 9223372036854775805, 9223372036854775807 do s = s + 1 end
            local lo = -9223372036854775807 - 1
            for i = lo, lo + 1 do e = e + 1 end
            for i = 1, 3.5 do f = f + i end
            for i = 1, 3, 1 do last = i end
            for i = 7, 6, 1 do last = 0 end
            return n, s, e, f, last";
        assert_eq!(run(src).join(","), "10,3,2,6,3");
    }
}
