//! The interpreter's side of the JIT (anchor: JIT-ENTRY in `jit_iface.rs`): entering
//! compiled code from the interpreter loop (`Lua::jit_enter`, `jit_run`), the hotness
//! counters' questions (`is_hot`, `jit_backedge`), compiling (`jit_compile`), the
//! RETURN of an activation the interpreter entered (`jit_return`, RETURN-TO-NATIVE)
//! and the accounting of exits (`jit_note_exit`).

use super::{
    call, stack_address, CompileRequest, ExitVerdict, JitCtx, JitFn, HOT_EXIT_MARKS,
    JIT_REDISPATCH, NATIVE_STACK_TOTAL, RET_CLOSES, RET_DONE, RET_TO_TOP, RET_WANT_ONE,
    STATUS_NOT_ENTRY, STATUS_RETURNED, STATUS_TAILCALLED, STATUS_UNWIND,
};
use alloc::rc::Rc;
use alloc::vec::Vec;
use moonjet_bytecode::Proto;

use crate::error::LuaResult;
use crate::func::{FnProto, LuaClosure};
use crate::gc::Gc;
use crate::state::Lua;
use crate::value::Value;

impl Lua {
    /// JIT-ENTRY: runs the compiled code of the frame whose closure is `cl` and whose
    /// R[0] is `stack[base]`, from `pc` (compiling it first at its hot call). Returns
    /// the pc at which the interpreter continues the same frame, or [`JIT_REDISPATCH`]
    /// when the frames changed under native calls (NATIVE-CALLS): the interpreter then
    /// continues with whatever frame is on top. An error raised by a native function the
    /// code called is returned with the frames in place, as if the interpreter had made
    /// the call. `entry` is the frame count the interpreter loop runs down to (its
    /// `execute(entry)`). Call only when `self.jit.active`.
    ///
    /// `want` is the context's `ret_n` (FAST-RETURN): [`RET_NONE`], or for an entry by
    /// the native that runs this loop and wants one result (`Lua::run_lua_closure`: a
    /// comparator, a callback), [`RET_WANT_ONE`]: a RETURN of a value then stores it in the function
    /// slot itself and the frame is popped here (RETURN-TO-NATIVE).
    #[inline]
    pub(crate) fn jit_enter(
        &mut self,
        cl: Gc<LuaClosure>,
        base: usize,
        pc: usize,
        entry: usize,
        want: u32,
    ) -> LuaResult<usize> {
        let fp = cl.proto;
        let generation = self.jit.generation;
        // The cheap answers first: most interpreted calls are of functions without
        // code, or of short leaves, and need no look at the hook or the Rust stack.
        let code = match fp.jit.code(generation) {
            Some(c) => c,
            None if self.is_hot(fp, pc) && self.may_run_native() => match self.jit_compile(cl) {
                Some(c) => c,
                None => return Ok(pc),
            },
            None => return Ok(pc),
        };
        if fp.jit.short_leaf() {
            // SHORT-LEAF: interpreting it costs less than entering its code.
            self.jit.leaf_entries += 1;
            return Ok(pc);
        }
        if !self.may_run_native() {
            return Ok(pc);
        }
        self.jit_run(code, cl, base, pc, entry, want)
    }

    /// The code to run `fp` from `pc` with: its compiled code, or, at its start once it
    /// is hot, the code compiled now.
    #[inline(always)]
    pub(crate) fn entry_code(&mut self, cl: Gc<LuaClosure>, pc: usize) -> Option<JitFn> {
        let fp = cl.proto;
        match fp.jit.code(self.jit.generation) {
            Some(c) => Some(c),
            None if self.is_hot(fp, pc) => self.jit_compile(cl),
            None => None,
        }
    }

    /// True when `fp`, without code, should be compiled on entry at `pc`: at its start,
    /// hot, and not refused in this generation.
    #[inline(always)]
    fn is_hot(&self, fp: Gc<FnProto>, pc: usize) -> bool {
        pc == 0 && fp.calls.get() >= self.jit.hotcall && !fp.jit.refused(self.jit.generation)
    }

    /// False while a debug hook is set (it sees every instruction: HOOKS) or the Rust
    /// stack is past its budget for compiled code (the interpreter runs the frame:
    /// NATIVE-STACK).
    #[inline(always)]
    fn may_run_native(&self) -> bool {
        self.hook_mask == 0 && self.jit.stack_ok()
    }

    /// A loop back-edge was taken in `fp`: true when the loop should continue in compiled
    /// code (compiling it now if the prototype became hot). Call only when `jit.active`.
    #[inline]
    pub(crate) fn jit_backedge(&mut self, cl: Gc<LuaClosure>) -> bool {
        let fp = cl.proto;
        let generation = self.jit.generation;
        if !self.may_run_native() {
            return false;
        }
        if fp.jit.code(generation).is_some() {
            return true;
        }
        fp.backedges.get() >= self.jit.hotloop
            && !fp.jit.refused(generation)
            && self.jit_compile(cl).is_some()
    }

    /// [`Self::jit_backedge`] for the backward jump after a test instruction
    /// (`repeat ... until c`), counting it first: out of line, so that the
    /// interpreter's many test instructions stay as lean as without it.
    #[cold]
    #[inline(never)]
    pub(crate) fn jit_cond_backedge(&mut self, cl: Gc<LuaClosure>) -> bool {
        let fp = cl.proto;
        fp.backedges.set(fp.backedges.get().wrapping_add(1));
        self.jit_backedge(cl)
    }

    /// True if `fp` has compiled code to return to (after the interpreter ran a call).
    #[inline]
    pub(crate) fn jit_has_code(&self, fp: Gc<FnProto>) -> bool {
        self.jit.active
            && self.hook_mask == 0
            && fp.jit.code(self.jit.generation).is_some()
            && self.jit.stack_ok()
    }

    /// Asks the engine to compile `fp`; records the outcome in its slot.
    #[cold]
    #[inline(never)]
    fn jit_compile(&mut self, cl: Gc<LuaClosure>) -> Option<JitFn> {
        let fp = cl.proto;
        let generation = self.jit.generation;
        // What each upvalue holds now, for calls through it (LEAF-INLINE).
        let callees: Vec<Option<Rc<Proto>>> = (cl.upvals.iter())
            .map(|u| match self.upval_get(u.get()) {
                Value::LuaFn(f) => Some(f.proto.proto.clone()),
                _ => None,
            })
            .collect();
        if self.jit_yields_refuse(fp) {
            fp.jit.set(generation, None, 0, None);
            return None;
        }
        let room = self.jit.make_room();
        let engine = self.jit.engine.as_mut()?;
        let hints = fp.jit.hints.borrow();
        let req = CompileRequest {
            proto: &fp.proto,
            consts: &fp.consts,
            hints: &hints,
            from_loop: fp.calls.get() < self.jit.hotcall,
            calls: fp.calls.get(),
            callees: &callees,
        };
        let before = engine.stats().code_bytes;
        let code = if room {
            engine.compile(&req).ok()
        } else {
            None
        };
        let bytes = engine.stats().code_bytes.saturating_sub(before);
        drop(hints);
        let params = (!fp.is_vararg).then_some(fp.num_params);
        fp.jit.set(generation, code, fp.proto.code.len(), params);
        fp.jit
            .short_leaf
            .set(code.is_some() && call::is_short_leaf(&fp.proto.code));
        if code.is_some() {
            fp.jit.keep_callees(&callees);
        }
        if let (Some(_), Some(ledger)) = (code, self.jit.ledger()) {
            fp.jit.share.charge(ledger, generation, bytes);
        }
        code
    }

    /// Calls compiled code and counts its exit.
    #[inline(never)]
    fn jit_run(
        &mut self,
        code: JitFn,
        cl: Gc<LuaClosure>,
        base: usize,
        pc: usize,
        entry: usize,
        want: u32,
    ) -> LuaResult<usize> {
        let fp = cl.proto;
        fp.jit.count_entry();
        let lua: *mut Lua = self;
        let closure: &LuaClosure = &cl;
        let regs = self.stack.as_mut_ptr().wrapping_add(base);
        let mut ctx = JitCtx {
            lua,
            closure,
            consts: fp.consts.as_ptr(),
            status: STATUS_NOT_ENTRY,
            depth: 0,
            base: regs,
            ret_reg: 0,
            ret_n: want,
            thread: self.current.addr(),
            base_index: base,
            answer: 0,
            args: [0; 3],
        };
        if self.jit.native_frames == 0 {
            let sp = stack_address();
            self.jit.stack_limit = sp.saturating_sub(self.jit.stack_budget);
            let total = NATIVE_STACK_TOTAL.max(self.jit.stack_budget);
            self.jit.stack_floor = sp.saturating_sub(total);
        }
        self.jit.native_frames += 1;
        // SAFETY: JIT-ENTRY. `cl` is the closure of the running frame, whose registers
        // `stack[base .. base + max_stack]` exist (push_lua_frame ensured them). Only the
        // call helper may move the stack, and it rewrites `ctx.base` when it does. `self`
        // is not used until the code returns; the helpers reach the state through
        // `ctx.lua` only. `code` was compiled from `fp`, whose constants `ctx.consts`
        // points at.
        let next = unsafe { code(&mut ctx, regs, pc as u32) };
        self.jit.native_frames -= 1;
        self.jit.settle();
        if next == RET_DONE && want == RET_WANT_ONE {
            // FAST-RETURN to the native that runs this loop: the value is in the
            // function slot (`base - 1`, the frame being the top one), as
            // `return_one_to_native` leaves it.
            self.frames.pop();
            self.top = base;
            return Ok(JIT_REDISPATCH);
        }
        match ctx.status {
            STATUS_NOT_ENTRY => Ok(next as usize),
            STATUS_UNWIND => match self.jit.pending.take() {
                Some(e) if e.is_yield() => {
                    self.jit_note_yield(fp, base);
                    Err(e)
                }
                Some(e) => Err(e),
                None => Ok(JIT_REDISPATCH),
            },
            // The frame on top is the tail-called function's.
            STATUS_TAILCALLED => Ok(JIT_REDISPATCH),
            STATUS_RETURNED => Ok(self.jit_return(base, ctx.ret_reg, ctx.ret_n, next, entry)),
            status => {
                self.jit_note_exit(fp, next, status);
                Ok(next as usize)
            }
        }
    }

    /// The RETURN of an activation the interpreter entered (R[0] at `stack[base]`), with
    /// `n` results from register `reg`, done here as the interpreter's RETURN does
    /// (`JIT_REDISPATCH`: the caller is on top, or the loop's `entry` is reached):
    /// - to a Lua caller;
    /// - to the native that runs this loop (`frames.len() == entry + 1`: a comparator
    ///   of `table.sort`, a `gsub` callback, anything `Lua::call` runs; anchor:
    ///   RETURN-TO-NATIVE), whose loop then ends, as after the interpreter's RETURN
    ///   (`do_return` completes nothing else there, whatever the frame's flags).
    ///
    /// Otherwise (a native caller inside the loop, such as `pcall`, whose continuation
    /// the interpreter runs; a to-be-closed variable; a hook) the interpreter runs the
    /// RETURN at `pc`, the registers being stored.
    fn jit_return(&mut self, base: usize, reg: u32, n: u32, pc: u32, entry: usize) -> usize {
        let first = base + (reg & !RET_CLOSES) as usize;
        let n = match n {
            RET_TO_TOP => self.top.saturating_sub(first),
            n => n as usize,
        };
        if self.needs_close(base) && self.has_tbc(base) {
            return pc as usize;
        }
        let len = self.frames.len();
        if len < 2 || self.frames[len - 2].flags & crate::abi::CIST_LUA == 0 {
            if len != entry + 1 || self.hook_mask != 0 || first + n > self.stack.len() {
                return pc as usize;
            }
            self.close_upvals(base);
            if !self.return_one_to_native(first, n) {
                self.poscall(first, n);
            }
            return JIT_REDISPATCH;
        }
        self.close_upvals(base);
        match self.try_pop_to_lua(0, first, n) {
            Some(_) => JIT_REDISPATCH,
            None => pc as usize,
        }
    }

    /// A yield unwound the outermost compiled activation of `fp` (whose R[0] is
    /// `stack[base]`): counted as an `unwind` exit at the pc after the yielding call (its
    /// frame's saved pc), so that the engine can leave a function whose passes keep
    /// ending in a yield to the interpreter (YIELD-BLACKLIST in the JIT's `yields.rs`).
    #[cold]
    #[inline(never)]
    fn jit_note_yield(&mut self, fp: Gc<FnProto>, base: usize) {
        let frame = self.frames.iter().rev().find(|ci| ci.base as usize == base);
        if let Some(pc) = frame.map(|ci| ci.pc) {
            self.jit_note_exit(fp, pc, STATUS_UNWIND);
        }
    }

    /// Counts an exit by reason and by site; tells the engine about hot sites, and
    /// drops the code of a prototype whose guard keeps failing (it stays interpreted) or
    /// whose speculation was wrong (it is compiled again: SPEC-HINTS).
    pub(crate) fn jit_note_exit(&mut self, fp: Gc<FnProto>, pc: u32, status: u32) {
        if let Some(n) = self.jit.exits.get_mut(status as usize) {
            *n += 1;
        }
        let count = fp.jit.count_exit(pc as usize);
        if HOT_EXIT_MARKS.contains(&count) {
            let entries = fp.jit.entries();
            let verdict = match self.jit.engine.as_mut() {
                Some(e) => e.hot_exit(&fp.proto, pc, status, count, entries),
                None => ExitVerdict::Keep,
            };
            match verdict {
                ExitVerdict::Keep => {}
                ExitVerdict::Blacklist => fp.jit.set(self.jit.generation, None, 0, None),
                ExitVerdict::Respecialize(h) => fp.jit.respecialize(h),
            }
        }
    }
}
