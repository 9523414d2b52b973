//! Calls, returns, metamethod frames and error recovery.
//!
//! # Metamethod frames (anchor: METAMETHOD-FRAMES)
//! An instruction that needs a metamethod pushes the call at the stack top with
//! `nresults = 1` and the `CIST_FIN` flag, saves its pc and lets the loop run the new
//! frame. When that frame returns, `after_return` sees the flag and `finish_op` completes
//! the interrupted instruction from the result (store into R[A], take or skip the
//! comparison's jump, continue a CONCAT). `__close` handlers run the same way with
//! `CIST_CLOSE` (their instruction is re-executed to close the next variable). `pcall`
//! and `xpcall` leave their own native frame below the callee, flagged `CIST_PCALL` /
//! `CIST_XPCALL`; when the callee returns, `finish_pcall` completes them. So nothing a
//! Lua program does recurses on the Rust stack except natives that call back through
//! `Lua::call` (bounded by `MAX_CCALLS`).
//!
//! # Errors (anchor: ERRORS)
//! An error travels as `Err(LuaError)` with the frames left in place. The first driver
//! that sees it (`drive`, on behalf of `Lua::call` or `resume`) first does the raise-time
//! work once (`on_error`: run the innermost `xpcall` handler, or capture a traceback for
//! an innermost Rust catch point) and then unwinds to the innermost `pcall`/`xpcall`
//! frame of its activation: it closes upvalues and to-be-closed variables above it and
//! returns `false, err` from it. Without one, the driver drops its frames and returns the
//! error to its Rust caller. Whoever finally catches an error closes upvalues and
//! to-be-closed variables above its level (`close_all`).

use alloc::string::String;
use alloc::vec::Vec;

use super::meta::Blame;
use super::meta::Tm;
use crate::abi::{
    CallInfo, CIST_CLOSE, CIST_FIN, CIST_LUA, CIST_META_MASK, CIST_META_SHIFT, CIST_PCALL,
    CIST_TAIL, CIST_XPCALL,
};
use crate::error::{LuaError, LuaResult};
use crate::func::{LuaClosure, NativeFn};
use crate::gc::Gc;
use crate::jit_iface::{JIT_REDISPATCH, RET_NONE, RET_WANT_ONE};
use crate::state::{CatchPoint, ERROR_STACK_EXTRA, MAX_CCALLS, MAX_STACK};
use crate::value::Value;
use crate::Lua;

/// Free slots guaranteed above the top for a native function (LUA_MINSTACK).
pub(crate) const MIN_STACK: usize = 20;
/// Free slots kept above a Lua frame for metamethod calls.
pub(crate) const EXTRA_STACK: usize = 5;

/// End of the stack a Lua frame at `base` whose prototype has `max_stack` registers
/// owns: its registers and `EXTRA_STACK` free slots (its register window, REG-WINDOW in
/// `exec.rs`). Every Lua frame push makes `stack[..frame_end]` exist.
#[inline(always)]
pub(crate) fn frame_end(base: usize, max_stack: usize) -> usize {
    base + max_stack + EXTRA_STACK
}

impl Lua {
    // ---------------------------------------------------------------- the stack

    /// Makes `stack[..end]` addressable, raising "stack overflow" past the limit.
    #[inline(always)]
    pub(crate) fn ensure_stack(&mut self, end: usize) -> LuaResult<()> {
        // The length alone cannot tell: the stack may be a little longer than the
        // limit (growth rounds up past it, and after an overflow error it keeps the
        // error-handling extra until `reset_stack_limit`).
        if end > self.stack.len() || end > self.stack_limit {
            self.grow_stack(end)
        } else {
            Ok(())
        }
    }

    /// Grows the stack (out of line).
    #[cold]
    #[inline(never)]
    fn grow_stack(&mut self, end: usize) -> LuaResult<()> {
        if end > self.stack_limit {
            if self.stack_limit == MAX_STACK {
                self.stack_limit = MAX_STACK + ERROR_STACK_EXTRA;
                return Err(self.rt_error("stack overflow"));
            }
            return Err(self.error_value_str("error in error handling"));
        }
        if end > self.stack.len() {
            let new_len = end
                .max(self.stack.len() * 2)
                .min(self.stack_limit + EXTRA_STACK + MIN_STACK);
            self.resize_stack(new_len.max(end));
        }
        Ok(())
    }

    // ---------------------------------------------------------------- calling

    /// Pushes the frame of a Lua function called at `func` with arguments up to the top
    /// (see FRAME-LAYOUT).
    #[inline]
    pub(crate) fn push_lua_frame(
        &mut self,
        func: usize,
        cl: Gc<LuaClosure>,
        nresults: i32,
        flags: u32,
    ) -> LuaResult<()> {
        let flags = self.inherit_flags(flags)?;
        let fp = cl.proto;
        fp.calls.set(fp.calls.get().wrapping_add(1));
        let nparams = fp.num_params as usize;
        let max_stack = fp.max_stack as usize;
        let mut nargs = self.top - func - 1;
        if !fp.is_vararg {
            let base = func + 1;
            let ftop = base + max_stack;
            self.ensure_stack(frame_end(base, max_stack))?;
            while nargs < nparams {
                Value::write_nil(&mut self.stack[base + nargs]);
                nargs += 1;
            }
            self.frames.push(CallInfo {
                func: func as u32,
                base: base as u32,
                top: ftop as u32,
                pc: 0,
                nresults,
                nvarargs: 0,
                flags: CIST_LUA | flags,
                aux: 0,
            });
            self.top = ftop;
            if self.hook_mask != 0 {
                return self.hook_call();
            }
            return Ok(());
        }
        self.ensure_stack(func + 1 + nargs.max(nparams) + nparams + max_stack + EXTRA_STACK)?;
        while nargs < nparams {
            Value::write_nil(&mut self.stack[func + 1 + nargs]);
            nargs += 1;
        }
        let base = func + 1 + nargs;
        self.stack.copy_within(func + 1..func + 1 + nparams, base);
        let ftop = base + max_stack;
        self.frames.push(CallInfo {
            func: func as u32,
            base: base as u32,
            top: ftop as u32,
            pc: 0,
            nresults,
            nvarargs: (nargs - nparams) as u32,
            flags: CIST_LUA | flags,
            aux: 0,
        });
        self.top = ftop;
        if self.hook_mask != 0 {
            return self.hook_call();
        }
        Ok(())
    }

    /// The common case of `push_lua_frame`, inlined into CALL (see DISPATCH in
    /// `exec.rs`): a fixed-arity Lua function called from the running Lua frame (whose
    /// flags are `caller_flags`) with its arguments up to the top, room for one more
    /// frame and no hooks. Makes sure the new frame's register window exists
    /// (REG-WINDOW). Returns false, having changed nothing, when any of that does not
    /// hold.
    #[inline(always)]
    pub(crate) fn try_push_fixed_frame(
        &mut self,
        func: usize,
        cl: Gc<LuaClosure>,
        nresults: i32,
        caller_flags: u32,
    ) -> bool {
        let nargs = self.top.wrapping_sub(func + 1);
        self.try_push_fixed(func, cl, nargs, nresults, caller_flags)
    }

    /// `try_push_fixed_frame` with the argument count given (`nargs` values above
    /// `func`): CALL knows it from its operand, and neither stores the top nor reads it
    /// back. On failure the top is unchanged; the caller sets it for the general path.
    #[inline(always)]
    pub(crate) fn try_push_fixed(
        &mut self,
        func: usize,
        cl: Gc<LuaClosure>,
        nargs: usize,
        nresults: i32,
        caller_flags: u32,
    ) -> bool {
        let pushed = self.try_push_fixed_uncounted(func, cl, nargs, nresults, caller_flags);
        if pushed {
            let fp = cl.proto;
            fp.calls.set(fp.calls.get().wrapping_add(1));
        }
        pushed
    }

    /// `try_push_fixed` without counting the call in the callee's hotness counter: the
    /// interpreter's CALL counts it only while the JIT is on (CALL-COUNT in `exec.rs`).
    #[inline(always)]
    pub(crate) fn try_push_fixed_uncounted(
        &mut self,
        func: usize,
        cl: Gc<LuaClosure>,
        mut nargs: usize,
        nresults: i32,
        caller_flags: u32,
    ) -> bool {
        let fp = cl.proto;
        let base = func + 1;
        let max_stack = fp.max_stack as usize;
        let ftop = base + max_stack;
        let len = self.frames.len();
        if fp.is_vararg
            || self.hook_mask != 0
            || ftop + EXTRA_STACK > self.stack_limit
            || len == self.frames.capacity()
        {
            return false;
        }
        // The new frame's register window (REG-WINDOW), within the limit (checked above).
        self.ensure_reg_window(base, max_stack);
        let nparams = fp.num_params as usize;
        while nargs < nparams {
            // SAFETY: `base + nargs < base + nparams <= ftop < stack.len()` (a function's
            // parameters are registers, so `num_params <= max_stack`; the window was
            // ensured just above).
            Value::write_nil(unsafe { self.stack.get_unchecked_mut(base + nargs) });
            nargs += 1;
        }
        let ci = CallInfo {
            func: func as u32,
            base: base as u32,
            top: ftop as u32,
            pc: 0,
            nresults,
            nvarargs: 0,
            flags: CIST_LUA | (caller_flags & CIST_META_MASK),
            aux: 0,
        };
        // SAFETY: `len < capacity` (checked above), so slot `len` is allocated; it is
        // initialised before the length covers it.
        unsafe {
            self.frames.as_mut_ptr().add(len).write(ci);
            self.frames.set_len(len + 1);
        }
        self.top = ftop;
        true
    }

    /// Pushes the frame of a Lua closure that a native calls (`cl` at `func`, arguments
    /// up to the top, no extra flags) and runs it to completion: the lean path of
    /// `call` for a known closure (`table.sort`'s comparator). The common case takes
    /// `try_push_fixed_frame` with the native's frame as the caller (the same flags as
    /// `inherit_flags` gives with none added); everything else `push_lua_frame`.
    #[inline]
    pub(crate) fn run_lua_closure(
        &mut self,
        func: usize,
        cl: Gc<LuaClosure>,
        nresults: i32,
    ) -> LuaResult<()> {
        let entry = self.frames.len();
        let caller_flags = self.frames.last().map_or(0, |c| c.flags);
        let r = if self.try_push_fixed_frame(func, cl, nresults, caller_flags) {
            // Code to enter (not a short leaf, which the interpreter runs: SHORT-LEAF):
            // entered at once. Otherwise the loop's frame entry decides, once.
            let fp = cl.proto;
            if self.jit.active && fp.jit.code(self.jit.generation).is_some() && !fp.jit.short_leaf()
            {
                return self.drive_entered(entry, cl, func + 1, nresults);
            }
            Ok(())
        } else {
            self.push_lua_frame(func, cl, nresults, 0)
        };
        self.drive(entry, r)
    }

    /// `drive` for the frame of `cl` just pushed above `entry` (R[0] at `base`) with
    /// the JIT on and code for `cl`: the code is entered here at once (JIT-ENTRY), without the
    /// interpreter loop's frame entry, and when the code returned to the native that
    /// called (RETURN-TO-NATIVE in `jit_iface/enter.rs`: a comparator, a callback) the call
    /// is done. Anything else goes on in `drive` as if its loop had entered the code:
    /// the same frame at the pc the code left at, the frames on top, or the error.
    fn drive_entered(
        &mut self,
        entry: usize,
        cl: Gc<LuaClosure>,
        base: usize,
        nresults: i32,
    ) -> LuaResult<()> {
        let outer = self.jit.nested_loop();
        // One result (a comparator, a callback): the code's RETURN may place it itself
        // (FAST-RETURN).
        let want = if nresults == 1 {
            RET_WANT_ONE
        } else {
            RET_NONE
        };
        let r = self.jit_enter(cl, base, 0, entry, want);
        self.jit.stack_limit = outer;
        match r {
            Ok(JIT_REDISPATCH) if self.frames.len() <= entry => Ok(()),
            Ok(JIT_REDISPATCH) => self.drive(entry, Ok(())),
            Ok(pc) => {
                // The same frame goes on at `pc` (its record is the top one).
                if let Some(ci) = self.frames.last_mut() {
                    ci.pc = pc as u32;
                }
                self.drive(entry, Ok(()))
            }
            Err(e) => self.drive(entry, Err(e)),
        }
    }

    /// The flags of a new frame: `flags` plus the metamethod depth of the caller (one
    /// more for a metamethod frame, bounded with the Rust nesting by `MAX_CCALLS`).
    #[inline(always)]
    fn inherit_flags(&mut self, flags: u32) -> LuaResult<u32> {
        let mut flags = flags | self.frames.last().map_or(0, |c| c.flags & CIST_META_MASK);
        if flags & (CIST_FIN | CIST_CLOSE) != 0 {
            flags += 1 << CIST_META_SHIFT;
            if (flags >> CIST_META_SHIFT) + self.n_ccalls >= MAX_CCALLS {
                return Err(self.rt_error("C stack overflow"));
            }
        }
        Ok(flags)
    }

    /// Marks the running native's frame as a protected boundary (`CIST_PCALL` or
    /// `CIST_XPCALL`). Like lua5.4's protected calls it counts as a nested C call.
    pub(crate) fn mark_protected(&mut self, flag: u32) -> LuaResult<()> {
        let n_ccalls = self.n_ccalls;
        let Some(ci) = self.frames.last_mut() else {
            return Ok(());
        };
        let depth = (ci.flags >> CIST_META_SHIFT) + 1;
        if depth + n_ccalls >= MAX_CCALLS {
            return Err(self.error_value_str("C stack overflow"));
        }
        ci.flags = (ci.flags & !CIST_META_MASK) | (depth << CIST_META_SHIFT) | flag;
        Ok(())
    }

    /// Calls whatever is at `func` (arguments up to the top). Natives run now; returns
    /// true if the call completed (results at `func ..`), false if a Lua frame was
    /// pushed for the loop to run.
    #[inline(never)]
    pub(crate) fn precall_other(
        &mut self,
        func: usize,
        nresults: i32,
        flags: u32,
    ) -> LuaResult<bool> {
        match self.resolve_callable(func)? {
            Value::LuaFn(cl) => {
                self.push_lua_frame(func, cl, nresults, flags)?;
                Ok(false)
            }
            Value::NativeFn(f) => self.call_native(func, f, nresults, flags),
            Value::NativeClosure(c) => self.call_native(func, c.func, nresults, flags),
            _ => Err(self.error_value_str("internal error: not callable")),
        }
    }

    /// Replaces a non-function at `func` by its `__call` handler (shifting the
    /// arguments up) until a function is there; returns it.
    pub(crate) fn resolve_callable(&mut self, func: usize) -> LuaResult<Value> {
        loop {
            let v = self.stack[func];
            if v.is_function() {
                return Ok(v);
            }
            let tm = self.get_tm(v, Tm::Call);
            if tm.is_nil() {
                return Err(self.call_error(func, v));
            }
            self.ensure_stack(self.top + 1)?;
            self.stack.copy_within(func..self.top, func + 1);
            self.top += 1;
            self.stack[func] = tm;
        }
    }

    /// "attempt to call a nil value (global 'f')".
    #[cold]
    fn call_error(&mut self, func: usize, v: Value) -> LuaError {
        self.op_type_error(v, "call", Blame::Stack(func))
    }

    /// Runs a native function called at `func`. Returns true when it completed (results
    /// moved to `func ..`), false when it left a continuation frame (pcall) with a Lua
    /// frame above it.
    #[inline(never)]
    pub(crate) fn call_native(
        &mut self,
        func: usize,
        f: NativeFn,
        nresults: i32,
        flags: u32,
    ) -> LuaResult<bool> {
        self.ensure_stack(self.top + MIN_STACK)?;
        let flags = self.inherit_flags(flags)?;
        self.frames.push(CallInfo::native(func, nresults, flags));
        let depth = self.frames.len();
        if self.hook_mask != 0 {
            self.hook_native_call()?;
        }
        let n = f(self)?;
        if self.frames.len() != depth {
            return Ok(false);
        }
        let n = n.min(self.top - func - 1);
        if self.hook_mask != 0 {
            self.hook_native_return()?;
        }
        self.poscall(self.top - n, n);
        Ok(true)
    }

    /// CALL or TFORCALL of something other than a Lua function at `func` (arguments up
    /// to the top) from the running Lua frame: natives take the short path
    /// (`call_native_from_lua`), the rest `precall_other`, whose result it returns.
    #[inline(never)]
    pub(crate) fn precall_from_lua(&mut self, func: usize, nresults: i32) -> LuaResult<bool> {
        match self.stack.get(func) {
            Some(&Value::NativeFn(f)) => self.call_native_from_lua(func, f, nresults),
            Some(&Value::NativeClosure(c)) => self.call_native_from_lua(func, c.func, nresults),
            _ => self.precall_other(func, nresults, 0),
        }
    }

    /// The common case of a native call, for CALL (see DISPATCH in `exec.rs`): a Rust
    /// function called at `func` (arguments up to the top) from the running Lua frame.
    /// Without hooks, with room on the stack and for one more frame, it pushes the
    /// frame, runs `f` and moves the results in place without the general machinery;
    /// otherwise it is `call_native`. Returns as `call_native` does.
    #[inline(always)]
    pub(crate) fn call_native_from_lua(
        &mut self,
        func: usize,
        f: NativeFn,
        nresults: i32,
    ) -> LuaResult<bool> {
        let len = self.frames.len();
        let end = self.top + MIN_STACK;
        if self.hook_mask != 0
            || end > self.stack.len()
            || end > self.stack_limit
            || len == self.frames.capacity()
            || len == 0
        {
            return self.call_native(func, f, nresults, 0);
        }
        // SAFETY: `len >= 1` (checked above): the caller's frame.
        let caller_flags = unsafe { self.frames.get_unchecked(len - 1).flags };
        let ci = CallInfo::native(func, nresults, caller_flags & CIST_META_MASK);
        // SAFETY: `len < capacity` (checked above), so slot `len` is allocated; it is
        // initialised before the length covers it.
        unsafe {
            self.frames.as_mut_ptr().add(len).write(ci);
            self.frames.set_len(len + 1);
        }
        let n = f(self)?;
        if self.frames.len() != len + 1 {
            return Ok(false);
        }
        let n = n.min(self.top.saturating_sub(func + 1));
        if self.hook_mask != 0 {
            // The native installed a hook: finish the general way.
            self.hook_native_return()?;
            self.poscall(self.top - n, n);
            return Ok(true);
        }
        self.native_results(func, n, nresults, len);
        Ok(true)
    }

    /// The end of a native call from a Lua frame without hooks: pops the native's frame
    /// (the top one, `frames[len]`) and moves its `n` results (below the top, `n` already
    /// at most what is above `func`) to its function slot `func`, adjusted to
    /// `nresults`; the top is left after them. Shared by the interpreter's CALL
    /// (`call_native_from_lua`) and compiled code's (NATIVE-CALL-LEAN in `jit_iface`).
    #[inline(always)]
    pub(crate) fn native_results(&mut self, func: usize, n: usize, nresults: i32, len: usize) {
        self.frames.truncate(len);
        let first = self.top - n;
        if nresults == 1 {
            // The usual `x = f(...)`: one value, no loops.
            let v = if n == 0 {
                Value::Nil
            } else {
                self.stack.get(first).copied().unwrap_or(Value::Nil)
            };
            if let Some(slot) = self.stack.get_mut(func) {
                *slot = v;
            }
            self.top = func + 1;
            return;
        }
        let wanted = if nresults < 0 { n } else { nresults as usize };
        let m = n.min(wanted);
        // `first + m <= first + n = top`.
        let need = (func + wanted).max(self.top);
        if need > self.stack.len() {
            self.resize_stack(need);
        }
        // Results sit above the function slot (`func < first`): a forward copy is safe.
        let p = self.stack.as_mut_ptr();
        for j in 0..m {
            // SAFETY: `func + j < first + j < first + m <= top <= stack.len()` (ensured
            // above).
            unsafe { *p.add(func + j) = *p.add(first + j) };
        }
        for j in m..wanted {
            // SAFETY: `func + j < func + wanted <= stack.len()` (ensured above).
            unsafe { Value::write_nil(&mut *p.add(func + j)) };
        }
        self.top = func + wanted;
    }

    /// Pops the top frame, moving its `n` results from `first` to its function slot and
    /// adjusting them to the wanted count. Returns the popped frame.
    pub(crate) fn poscall(&mut self, first: usize, n: usize) -> CallInfo {
        let ci = self.frames.pop().unwrap_or_default();
        let dst = ci.func as usize;
        let (m, wanted) = if ci.nresults < 0 {
            (n, n)
        } else {
            let wanted = ci.nresults as usize;
            (n.min(wanted), wanted)
        };
        // Results sit above the function slot (`dst <= first`), so a forward copy is
        // safe; a few values are moved one by one rather than through `memmove`.
        if m <= 4 {
            for j in 0..m {
                self.stack[dst + j] = self.stack[first + j];
            }
        } else {
            self.stack.copy_within(first..first + m, dst);
        }
        for j in m..wanted {
            Value::write_nil(&mut self.stack[dst + j]);
        }
        self.top = dst + wanted;
        ci
    }

    /// RETURN: pops the running Lua frame with results `ra .. ra+n` and continues with
    /// whatever it returns into.
    #[inline(never)]
    pub(crate) fn do_return(&mut self, ra: usize, n: usize, entry: usize) -> LuaResult<()> {
        if self.frames.len() == entry + 1 && self.return_one_to_native(ra, n) {
            return Ok(());
        }
        let ci = self.poscall(ra, n);
        // A return to the native that drives this loop (a comparator's, a callback's)
        // completes nothing else: `after_return`'s first test, without the call.
        if self.frames.len() <= entry {
            return Ok(());
        }
        self.after_return(ci, entry)
    }

    /// `poscall` for the frame a native's `drive` runs (its return ends the loop:
    /// `after_return` has nothing to do) when that native wants one result, as a
    /// comparator's or `call_value_1`'s caller does: moves it without the general
    /// adjustment. False, having changed nothing, for any other frame.
    #[inline(always)]
    pub(crate) fn return_one_to_native(&mut self, ra: usize, n: usize) -> bool {
        let Some(ci) = self.frames.last() else {
            return false;
        };
        let dst = ci.func as usize;
        if ci.nresults != 1 || dst >= self.stack.len() {
            return false;
        }
        let v = if n == 0 {
            Value::Nil
        } else {
            match self.stack.get(ra) {
                Some(v) => *v,
                None => return false,
            }
        };
        self.frames.pop();
        // SAFETY: `dst < stack.len()` (checked above).
        unsafe { *self.stack.get_unchecked_mut(dst) = v };
        self.top = dst + 1;
        true
    }

    /// The common case of a return (see DISPATCH in `exec.rs`): the running frame (the
    /// top one, above `entry`, neither a metamethod nor a `__close` frame) returns `n`
    /// results from `ra` to a Lua caller (that wants a fixed number of them, or all).
    /// Moves them and pops the frame, so the caller is on top, and returns the caller's
    /// function slot, base and pc; `None`, having changed nothing, otherwise. The
    /// checked form of `pop_to_lua`, for compiled code's returns.
    #[inline]
    pub(crate) fn try_pop_to_lua(
        &mut self,
        entry: usize,
        ra: usize,
        n: usize,
    ) -> Option<(usize, usize, usize)> {
        if ra + n > self.stack.len() {
            return None;
        }
        // Compiled code may return from a frame that Rust code pushed (with hooks gone,
        // a hook function's) outside RESULT-WINDOW: the wanted results are checked too.
        let ci = self.frames.last()?;
        if ci.nresults > 0 && ci.func as usize + ci.nresults as usize > self.stack.len() {
            return None;
        }
        // SAFETY: the results are in the stack (checked just above).
        let (_, cbase, cpc) = unsafe { self.pop_to_lua(entry, ra, n) }?;
        // The caller is on top now (its record was the one below).
        let func = self.frames.last().map_or(0, |c| c.func as usize);
        Some((func, cbase, cpc))
    }

    /// `try_pop_to_lua` for the interpreter's RETURN arms, which know their results are
    /// in the running frame's window: returns the caller's closure, base and pc. (Fields
    /// are read one by one: a wider load over the narrower stores that just wrote them
    /// would stall.)
    ///
    /// The caller's wanted results need no check either (RESULT-WINDOW): a Lua frame
    /// above `entry` whose caller is a Lua frame and that is neither a metamethod nor a
    /// `__close` frame was pushed by that caller's CALL or TFORCALL (by the interpreter,
    /// `precall_other` after a `__call` lookup, or compiled code; a tail call replaces a
    /// callee keeping its function slot and result count), and its results land in the
    /// caller's registers, below its `max_stack` (V-REG for CALL's C and TFORCALL's
    /// range); the caller's register window still exists (REG-WINDOW in `exec.rs`: the
    /// stack only grows while frames live). Frames that Rust code pushes through
    /// `Lua::call` (natives, hooks) sit at their `drive`'s `entry`, so they never pass
    /// the first test.
    ///
    /// # Safety
    /// `ra + n <= self.stack.len()`.
    #[inline(always)]
    pub(crate) unsafe fn pop_to_lua(
        &mut self,
        entry: usize,
        ra: usize,
        n: usize,
    ) -> Option<(Gc<LuaClosure>, usize, usize)> {
        let len = self.frames.len();
        if len <= entry + 1 {
            return None;
        }
        // SAFETY: `len >= entry + 2 >= 2`, so both indices are below `len`.
        let (ci, caller) = unsafe {
            (
                self.frames.get_unchecked(len - 1),
                self.frames.get_unchecked(len - 2),
            )
        };
        if ci.flags & (CIST_FIN | CIST_CLOSE) != 0 || caller.flags & CIST_LUA == 0 {
            return None;
        }
        let dst = ci.func as usize;
        let nresults = ci.nresults;
        let (cfunc, cbase, cpc, ctop) = (
            caller.func as usize,
            caller.base as usize,
            caller.pc as usize,
            caller.top as usize,
        );
        debug_assert!(ra + n <= self.stack.len());
        debug_assert!(cfunc < dst && dst < ra);
        let p = self.stack.as_mut_ptr();
        // SAFETY: `cfunc < dst < ra <= stack.len()` (a frame's function slot is below
        // its callee's, which is below the callee's registers; `ra + n <= stack.len()`
        // is this function's contract).
        let c = match unsafe { *p.add(cfunc) } {
            Value::LuaFn(c) => c,
            _ => return None,
        };
        // Results sit above the function slot (`dst < ra`): a forward copy is safe.
        // The usual cases first, with every result moved: the caller wants exactly the
        // values returned (one compare: a negative count never equals `n`, which is
        // below `isize::MAX`), or all of them (`f(...)` as the last argument or field:
        // the top marks their end, as CALL with C = 0 expects).
        let all_top = if nresults as isize == n as isize {
            Some(ctop)
        } else if nresults < 0 {
            Some(dst + n)
        } else {
            None
        };
        if let Some(top) = all_top {
            for j in 0..n {
                // SAFETY: `dst + j < ra + j < ra + n <= stack.len()` (contract).
                unsafe { *p.add(dst + j) = *p.add(ra + j) };
            }
            // SAFETY: shrinking by one; `CallInfo` has no destructor.
            unsafe { self.frames.set_len(len - 1) };
            self.top = top;
            return Some((c, cbase, cpc));
        }
        // Nonnegative here: fewer or more wanted than returned.
        let wanted = nresults as usize;
        let new_top = ctop;
        let m = n.min(wanted);
        debug_assert!(dst + wanted <= self.stack.len());
        for j in 0..m {
            // SAFETY: `dst + j < ra + j < ra + m <= ra + n <= stack.len()` (contract).
            unsafe { *p.add(dst + j) = *p.add(ra + j) };
        }
        for j in m..wanted {
            // A plain nil (a tag byte): zeroing whole values here turns the loop into a
            // `memset` call, which costs the inlined return path registers.
            // SAFETY: `dst + j < dst + wanted <= stack.len()` (RESULT-WINDOW above).
            unsafe { *p.add(dst + j) = Value::Nil };
        }
        // SAFETY: shrinking by one; `CallInfo` has no destructor.
        unsafe { self.frames.set_len(len - 1) };
        self.top = new_top;
        Some((c, cbase, cpc))
    }

    /// The error for a RETURN whose results would reach past the stack (never raised:
    /// the top and the saved counts stay within it).
    #[cold]
    #[inline(never)]
    pub(crate) fn results_off_stack(&mut self) -> LuaError {
        self.error_value_str("internal error: results beyond the stack")
    }

    /// RETURN's closing step when upvalues or to-be-closed variables at `>= base` are
    /// pending: closes the upvalues; true when a `__close` handler frame was pushed. The
    /// RETURN (at index `pc`) then runs again when it returns, its value count in `aux`.
    #[inline(never)]
    pub(crate) fn return_close(
        &mut self,
        base: usize,
        ra: usize,
        n: usize,
        pc: u32,
    ) -> LuaResult<bool> {
        self.close_upvals(base);
        if !self.has_tbc(base) {
            return Ok(false);
        }
        let f = self.cur_frame();
        f.aux = n as u32 + 1;
        f.pc = pc;
        self.top = (ra + n).max(f.top as usize);
        self.close_tbc_step(base)?;
        Ok(true)
    }

    /// The common case of TAILCALL, inlined into the loop (see DISPATCH in `exec.rs`):
    /// a fixed-arity Lua function at `func` (arguments up to the top) replaces the
    /// running Lua frame, which is not a metamethod frame and has nothing to close; no
    /// hooks. Returns the new frame's base; `None`, having changed nothing, otherwise.
    #[inline(always)]
    pub(crate) fn try_tail_fixed(&mut self, func: usize, cl: Gc<LuaClosure>) -> Option<usize> {
        let fp = cl.proto;
        let idx = self.frames.len().checked_sub(1)?;
        // SAFETY: `idx < frames.len()` (computed just above).
        let cur = unsafe { self.frames.get_unchecked(idx) };
        let (dst, cur_flags) = (cur.func as usize, cur.flags);
        let base = dst + 1;
        let max_stack = fp.max_stack as usize;
        let ftop = base + max_stack;
        let top = self.top;
        if fp.is_vararg
            || self.hook_mask != 0
            || cur_flags & (CIST_FIN | CIST_CLOSE) != 0
            || ftop + EXTRA_STACK > self.stack_limit
            || func >= top
            || top > self.stack.len()
        {
            return None;
        }
        // The function and its arguments.
        let n = top - func;
        // The new frame's register window (REG-WINDOW), within the limit (checked above).
        self.ensure_reg_window(base, max_stack);
        fp.calls.set(fp.calls.get().wrapping_add(1));
        if n <= 8 {
            // A few values: moved one by one rather than through `memmove`; `dst < func`,
            // so a forward copy is safe.
            let p = self.stack.as_mut_ptr();
            for j in 0..n {
                // SAFETY: `dst + j < func + j < func + n = top <= stack.len()` (checked
                // above; growing the window only lengthens the stack).
                unsafe { *p.add(dst + j) = *p.add(func + j) };
            }
        } else {
            self.stack.copy_within(func..top, dst);
        }
        let nparams = fp.num_params as usize;
        let mut nargs = n - 1;
        while nargs < nparams {
            // SAFETY: `base + nargs < base + nparams <= ftop < stack.len()` (parameters
            // are registers; the window was ensured above).
            Value::write_nil(unsafe { self.stack.get_unchecked_mut(base + nargs) });
            nargs += 1;
        }
        // SAFETY: `idx < frames.len()`: no frame was pushed or popped since it was
        // computed.
        let f = unsafe { self.frames.get_unchecked_mut(idx) };
        f.base = base as u32;
        f.restart_as_tail(ftop as u32);
        self.top = ftop;
        Some(base)
    }

    /// TAILCALL of the function at `func` (arguments up to the top) from the running
    /// frame: a Lua function replaces the frame (constant space); anything else is
    /// called and its results returned. The loop continues with the frame on top.
    #[inline(never)]
    pub(crate) fn tail_call(&mut self, func: usize, entry: usize) -> LuaResult<()> {
        let cur = *self.cur_frame();
        self.close_upvals(cur.base as usize);
        if let Value::LuaFn(f) = self.resolve_callable(func)? {
            return self.tail_call_lua(func, f);
        }
        if !self.precall_other(func, -1, 0)? {
            return Ok(());
        }
        let n = self.top - func;
        self.do_return(func, n, entry)
    }

    /// TAILCALL of the Lua function `f` at `func` (arguments up to the top) from the
    /// running frame, whose upvalues are closed: `f`'s frame replaces it (the general
    /// case of `try_tail_fixed`).
    pub(crate) fn tail_call_lua(&mut self, func: usize, f: Gc<LuaClosure>) -> LuaResult<()> {
        let cur = *self.cur_frame();
        let dst = cur.func as usize;
        let n = self.top - func;
        self.stack.copy_within(func..func + n, dst);
        self.top = dst + n;
        self.frames.pop();
        let flags = (cur.flags & (CIST_FIN | CIST_CLOSE)) | CIST_TAIL;
        self.push_lua_frame(dst, f, cur.nresults, flags)
    }

    /// Finishes what the return of frame `popped` completes: a metamethod's instruction,
    /// a `__close` step, pending `pcall`s, or just the caller's top.
    #[inline(never)]
    pub(crate) fn after_return(&mut self, mut popped: CallInfo, entry: usize) -> LuaResult<()> {
        loop {
            if self.frames.len() <= entry {
                return Ok(());
            }
            let Some(&ci) = self.frames.last() else {
                return Ok(());
            };
            if popped.flags & CIST_FIN != 0 {
                return self.finish_op(popped.func as usize);
            }
            if popped.flags & CIST_CLOSE != 0 {
                self.top = ci.top as usize;
                return Ok(());
            }
            if ci.flags & CIST_LUA != 0 {
                if popped.nresults >= 0 {
                    self.top = ci.top as usize;
                }
                return Ok(());
            }
            if ci.flags & (CIST_PCALL | CIST_XPCALL) != 0 {
                if self.hook_mask != 0 {
                    self.hook_native_return()?;
                }
                popped = self.finish_pcall();
                continue;
            }
            return Ok(());
        }
    }

    /// Completes the `pcall`/`xpcall` frame on top: its callee returned all its results
    /// at the callee slot .. top.
    fn finish_pcall(&mut self) -> CallInfo {
        let Some(&p) = self.frames.last() else {
            return CallInfo::default();
        };
        let slot = p.base as usize + usize::from(p.flags & CIST_XPCALL != 0);
        self.stack[slot - 1] = Value::Bool(true);
        let n = self.top - (slot - 1);
        self.poscall(slot - 1, n)
    }

    /// Calls `f(args)` at the stack top for an instruction or a `__close`; `Some(v)`
    /// when it completed (its first result), `None` when a Lua frame was pushed.
    #[inline(never)]
    pub(crate) fn call_meta(
        &mut self,
        f: Value,
        args: &[Value],
        nresults: i32,
        flags: u32,
    ) -> LuaResult<Option<Value>> {
        let func = self.top;
        self.ensure_stack(func + args.len() + 1 + EXTRA_STACK)?;
        self.stack[func] = f;
        self.stack[func + 1..func + 1 + args.len()].copy_from_slice(args);
        self.top = func + 1 + args.len();
        if self.precall_other(func, nresults, flags)? {
            let v = self.stack[func];
            self.top = func;
            Ok(Some(v))
        } else {
            Ok(None)
        }
    }

    // ---------------------------------------------------------- the Rust API

    /// Calls the function at `func_idx` with the arguments above it (lua_call): results
    /// are left at `func_idx ..` (`nresults` of them, or all when -1) and the top after
    /// them. Errors propagate; the caller closes upvalues above `func_idx` if it
    /// catches them (see ERRORS).
    pub fn call(&mut self, func_idx: usize, nresults: i32) -> LuaResult<()> {
        let meta = self.frames.last().map_or(0, |c| c.flags >> CIST_META_SHIFT);
        if self.n_ccalls + meta >= MAX_CCALLS {
            return Err(self.error_str("C stack overflow"));
        }
        self.n_ccalls += 1;
        self.nny += 1;
        let entry = self.frames.len();
        let r = self.precall_other(func_idx, nresults, 0).map(|_| ());
        let r = self.drive(entry, r);
        self.n_ccalls -= 1;
        self.nny -= 1;
        r
    }

    /// Calls `f(args)` and returns all its results.
    pub fn call_value(&mut self, f: Value, args: &[Value]) -> LuaResult<Vec<Value>> {
        let func = self.top;
        self.push(f);
        for a in args {
            self.push(*a);
        }
        self.call(func, -1)?;
        let out = self.stack[func..self.top].to_vec();
        self.top = func;
        Ok(out)
    }

    /// Calls `f(args)` and returns its first result.
    pub fn call_value_1(&mut self, f: Value, args: &[Value]) -> LuaResult<Value> {
        let func = self.top;
        self.push(f);
        for a in args {
            self.push(*a);
        }
        self.call(func, 1)?;
        let v = self.stack[func];
        self.top = func;
        Ok(v)
    }

    /// Protected call of the function at `func_idx` (lua_pcall without handler): on
    /// error, closes what the call left open and returns the error; the top is back at
    /// `func_idx`.
    pub fn pcall(&mut self, func_idx: usize, nresults: i32) -> LuaResult<()> {
        self.catch_points.push(CatchPoint {
            thread: self.current,
            depth: self.frames.len(),
            traceback: false,
        });
        let r = self.call(func_idx, nresults);
        self.catch_points.pop();
        r.map_err(|e| self.catch(e, func_idx))
    }

    /// Calls `f(args)` as the command line does: on error, returns the error value and
    /// the text lua.c's message handler prints (message plus traceback).
    pub fn pcall_with_traceback(
        &mut self,
        f: Value,
        args: &[Value],
    ) -> Result<Vec<Value>, (Value, String)> {
        let func = self.top;
        self.push(f);
        for a in args {
            self.push(*a);
        }
        self.catch_points.push(CatchPoint {
            thread: self.current,
            depth: self.frames.len(),
            traceback: true,
        });
        let r = self.call(func, -1);
        self.catch_points.pop();
        match r {
            Ok(()) => {
                let out = self.stack[func..self.top].to_vec();
                self.top = func;
                Ok(out)
            }
            Err(e) => {
                let tb = e.traceback.clone();
                let e = self.catch(e, func);
                let text = match tb {
                    Some(t) => t,
                    None => self.handler_message(e.value),
                };
                Err((e.value, text))
            }
        }
    }

    /// Catches an error at stack level `level`: closes upvalues and to-be-closed
    /// variables above it (with the error), resets the top, returns the final error.
    pub(crate) fn catch(&mut self, mut e: LuaError, level: usize) -> LuaError {
        if e.is_yield() {
            e = self.error_value_str("attempt to yield across a C-call boundary");
        }
        if let Some(v) = self.close_all(level, Some(e.value)) {
            e.value = v;
        }
        self.top = level;
        self.reset_stack_limit();
        e
    }

    /// Lowers the stack limit again once an overflow has been handled.
    pub(crate) fn reset_stack_limit(&mut self) {
        if self.stack_limit != MAX_STACK && self.top + 1000 < MAX_STACK {
            self.stack_limit = MAX_STACK;
            let keep = (MAX_STACK + EXTRA_STACK + MIN_STACK).max(self.top);
            self.stack.truncate(keep);
        }
    }

    // ---------------------------------------------------------- errors

    /// Runs the frames above `entry` to completion, recovering from errors at `pcall`
    /// frames of this activation (see ERRORS). A native function starts this loop (a
    /// call back into Lua, a coroutine resume): compiled code it enters gets a Rust
    /// stack budget of its own (NATIVE-STACK in `jit_iface`).
    pub(crate) fn drive(&mut self, entry: usize, r: LuaResult<()>) -> LuaResult<()> {
        let outer = self.jit.nested_loop();
        let r = match r {
            // The usual case, one `execute` that runs the frames to completion, without
            // the loop's own call (a comparator or callback pays it on every call).
            Ok(()) => match self.execute(entry) {
                Ok(()) if self.frames.len() <= entry => Ok(()),
                Err(e) if e.is_yield() => Err(e),
                r => self.drive_frames(entry, r),
            },
            r => self.drive_frames(entry, r),
        };
        self.jit.stack_limit = outer;
        r
    }

    /// `drive`'s loop, entered with the push's or a first `execute`'s result (an error
    /// there is recovered from as one the loop meets). A yield leaves at once
    /// (`recover` would pass it on), and the error travels without being copied around
    /// the loop.
    fn drive_frames(&mut self, entry: usize, r: LuaResult<()>) -> LuaResult<()> {
        if let Err(e) = r {
            self.recover(e, entry)?;
        }
        while self.frames.len() > entry {
            if let Err(e) = self.execute(entry) {
                if e.is_yield() {
                    return Err(e);
                }
                self.recover(e, entry)?;
            }
        }
        Ok(())
    }

    /// Unwinds an error to the innermost `pcall` frame at or above `entry` and returns
    /// from it; `Err` when there is none (frames above `entry` dropped) or for a yield.
    fn recover(&mut self, mut e: LuaError, entry: usize) -> LuaResult<()> {
        loop {
            if e.is_yield() {
                return Err(e);
            }
            if !e.handled {
                self.on_error(&mut e);
            }
            let found = (entry..self.frames.len())
                .rev()
                .find(|&i| self.frames[i].flags & (CIST_PCALL | CIST_XPCALL) != 0);
            let Some(p) = found else {
                self.frames.truncate(entry);
                return Err(e);
            };
            let pf = self.frames[p];
            self.frames.truncate(p + 1);
            let level = pf.base as usize;
            let mut v = e.value;
            if let Some(nv) = self.close_all(level, Some(v)) {
                v = nv;
            }
            let func = pf.func as usize;
            self.stack[func] = Value::Bool(false);
            self.stack[func + 1] = v;
            self.top = func + 2;
            self.reset_stack_limit();
            let popped = self.poscall(func, 2);
            match self.after_return(popped, entry) {
                Ok(()) => return Ok(()),
                Err(e2) => e = e2,
            }
        }
    }

    /// Raise-time work, done once per error with the erroring frames still in place:
    /// the innermost `xpcall` handler transforms the value, or the innermost Rust catch
    /// point that wants one gets a traceback.
    fn on_error(&mut self, e: &mut LuaError) {
        e.handled = true;
        let p = self
            .frames
            .iter()
            .rposition(|ci| ci.flags & (CIST_PCALL | CIST_XPCALL) != 0);
        let cp = self
            .catch_points
            .last()
            .copied()
            .filter(|c| c.thread == self.current);
        if let Some(cp) = cp {
            if p.is_none_or(|p| p < cp.depth) {
                if cp.traceback {
                    let msg = self.handler_message(e.value);
                    e.traceback = Some(self.traceback(&msg, 0, true));
                }
                return;
            }
        }
        let Some(p) = p else { return };
        let pf = self.frames[p];
        if pf.flags & CIST_XPCALL == 0 {
            return;
        }
        let handler = self.stack[pf.base as usize];
        if self.n_ccalls >= MAX_CCALLS - 1 {
            e.value = Value::Str(self.intern(b"error in error handling"));
            return;
        }
        e.value = match self.call_value_1(handler, &[e.value]) {
            Ok(v) => v,
            Err(e2) => e2.value,
        };
    }

    /// The message lua.c's handler shows for an error value (`__tostring` honoured).
    pub(crate) fn handler_message(&mut self, v: Value) -> String {
        match v {
            Value::Str(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
            Value::Int(_) | Value::Float(_) => {
                String::from_utf8_lossy(&self.tostring_basic(v)).into_owned()
            }
            _ => {
                if !self.get_tm(v, Tm::ToString).is_nil() {
                    if let Ok(s) = self.tostring(v) {
                        return String::from_utf8_lossy(s.as_bytes()).into_owned();
                    }
                }
                alloc::format!("(error object is a {} value)", self.obj_type_name(v))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;

    use crate::error::LuaResult;
    use crate::value::Value;
    use crate::Lua;

    /// A native returning its arguments' count of values: 10, 20, 30, ...
    fn counting(l: &mut Lua) -> LuaResult<usize> {
        let n = l.top - l.frames.last().map_or(0, |c| c.base as usize);
        for j in 0..n {
            l.push(Value::Int(10 * (j as i64 + 1)));
        }
        Ok(n)
    }

    /// Runs `src` (with `count` and the standard libraries) and returns its one result
    /// as text.
    fn run(src: &str) -> String {
        let mut l = Lua::new();
        l.set_compiler(|src, name| moonjet_compiler::compile(src, name).map_err(|e| e.message));
        crate::stdlib::open_libs(&mut l);
        l.set_global("count", Value::NativeFn(counting));
        let f = match l.load(src.as_bytes(), b"=t", "t", None) {
            Ok(f) => f,
            Err(e) => panic!("{}", String::from_utf8_lossy(&l.tostring_basic(e.value))),
        };
        match l.call_value_1(f, &[]) {
            Ok(v) => String::from_utf8_lossy(&l.tostring_basic(v)).into_owned(),
            Err(e) => panic!("{}", String::from_utf8_lossy(&l.tostring_basic(e.value))),
        }
    }

    #[test]
    fn native_calls_from_lua_adjust_their_results() {
        // Fewer results than wanted are filled with nil, extra ones dropped.
        assert_eq!(
            run("local a, b, c = count(1) return tostring(a)..tostring(b)..tostring(c)"),
            "10nilnil"
        );
        assert_eq!(run("local a = count(1, 2, 3) return a"), "10");
        assert_eq!(run("local a = count() return tostring(a)"), "nil");
        assert_eq!(
            run("local a, b = count(1, 2, 3, 4, 5, 6) return a + b"),
            "30"
        );
        // All results (more than a handful), and results in the middle of registers.
        assert_eq!(
            run("local t = {count(1, 2, 3, 4, 5, 6, 7)} return #t .. ':' .. t[7]"),
            "7:70"
        );
        assert_eq!(
            run("local x, y, z = 1, count(1, 2), 3 return x + y + z"),
            "14"
        );
        // Native closures, generic `for` over a native iterator and a hook set inside.
        assert_eq!(
            run("local s = 0 for w in string.gmatch('a bb ccc', '%a+') do s = s + #w end return s"),
            "6"
        );
        assert_eq!(
            run("local s = 0 for k, v in pairs({4, 5, 6}) do s = s + v end return s"),
            "15"
        );
        assert_eq!(
            run("local n = 0 local a = debug.sethook(function() n = n + 1 end, 'r') debug.sethook() return n"),
            "1"
        );
        assert_eq!(run("local ok, e = pcall(string.rep) return ok"), "false");
    }
    #[test]
    fn calls_with_arguments_to_the_top_fill_missing_parameters() {
        // CALL with B = 0 (the arguments end at the top) of a fixed-arity function: the
        // argument count comes from the top, and missing parameters are nil.
        assert_eq!(
            run(
                "local function f(a, b, c) return tostring(a)..tostring(b)..tostring(c) end
                 local function one() return 1 end
                 local function two() return 1, 2 end
                 local function none() end
                 return f(one()) .. f(two()) .. f(none()) .. f(1, two())"
            ),
            "1nilnil12nilnilnilnil112"
        );
        // More arguments than parameters: the extra ones are dropped.
        assert_eq!(
            run("local function f(a) return a end
                 local function many() return 7, 8, 9, 10 end
                 return f(many())"),
            "7"
        );
    }

    #[test]
    fn fast_returns_adjust_results_and_reach_the_right_caller() {
        // Fewer results than wanted (nil filled), more (dropped), all of them (the top),
        // through frames of different sizes, and back into a frame below a native one.
        assert_eq!(
            run("local function r0() end
                 local function r1() return 5 end
                 local function r3() return 1, 2, 3 end
                 local a, b, c = r1()
                 local d = r3()
                 local t = {r3()}
                 local e, f = r0()
                 local n = select('#', r3())
                 local s = table.concat({pcall(r3)}, ',', 2)
                 return tostring(a)..tostring(b)..tostring(c)..d..#t..tostring(e)..tostring(f)..n..s"),
            "5nilnil13nilnil31,2,3"
        );
    }

    #[test]
    fn tail_calls_move_many_arguments_and_fill_missing_ones() {
        // More than eight values (the `copy_within` path), missing parameters, and a
        // tail call from a frame whose register window is smaller than the callee's.
        assert_eq!(
            run("local function sum(a, b, c, d, e, f, g, h, i, j, k)
                   return a + b + c + d + e + f + g + h + i + j + (k or 100)
                 end
                 local function t(x) return sum(x, 1, 1, 1, 1, 1, 1, 1, 1, 1) end
                 local function u(x) return sum(x, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2) end
                 local function big(a, b, c, d, e, f, g, h, i, j, k, l, m, n)
                   return (a or 0) + (n or 40)
                 end
                 local function v() return big(1) end
                 return t(1) .. ',' .. u(1) .. ',' .. v()"),
            "110,21,41"
        );
    }

    #[test]
    fn errors_and_yields_leave_the_driving_loop_correctly() {
        // An error caught by pcall inside a coroutine, a yield across a Lua-only stack,
        // an error that kills the coroutine, and resuming the dead one.
        assert_eq!(
            run("local co = coroutine.create(function(a)
                   local ok, e = pcall(error, 'x')
                   local b = coroutine.yield(a + 1, ok)
                   error('boom ' .. b, 0)
                 end)
                 local ok1, v, okp = coroutine.resume(co, 1)
                 local ok2, e = coroutine.resume(co, 'b')
                 local ok3, e3 = coroutine.resume(co)
                 return tostring(ok1)..v..tostring(okp)..tostring(ok2)..e..tostring(ok3)..e3"),
            "true2falsefalseboom bfalsecannot resume dead coroutine"
        );
    }
}
