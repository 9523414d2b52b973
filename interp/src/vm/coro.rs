//! Coroutines (anchor: COROUTINES).
//!
//! The running thread's stack, frames, open upvalues, pending to-be-closed variables
//! and non-yieldable count are fields of `Lua`; a thread that is not running keeps them
//! in the box of its `Thread::data` (the running thread's own box is empty). A switch
//! (`switch_to`, O(1)) exchanges the running fields with the target's saved ones, then
//! the target's box (now holding the old running fields) with the old running thread's
//! empty one, and carries the values that cross (a resume's arguments, a yield's or a
//! return's results) from the old stack to the new one on the way, without a buffer. `resume` recurses on
//! the Rust stack (bounded like every Rust-level call by `MAX_CCALLS`) and drives the
//! coroutine's frames with the same loop as `Lua::call`. `coroutine.yield` is a native
//! that returns the internal yield signal; it travels up to `resume` with the frames
//! intact (a yield is allowed only when no Rust code called back into Lua on this
//! thread: `nny == 0`), leaving the yield's own native frame on top. The next `resume`
//! puts its arguments at that frame's function slot, as the call's results, pops it and
//! continues the loop.

use crate::abi::{CIST_CLOSE, CIST_FIN, CIST_LUA};
use crate::error::{LuaError, LuaResult};
use crate::gc::Gc;
use crate::state::MAX_CCALLS;
use crate::thread::{CoStatus, Thread, ThreadData};
use crate::value::Value;
use crate::Lua;

/// Where `switch_to` puts the values it carries on the new running stack.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dest {
    /// At the new thread's saved top (results back to the resumer).
    Top,
    /// Where a resumed coroutine takes its arguments: above its body (first resume,
    /// no frames yet) or in place of the yield's native function, where that call's
    /// results go.
    Resumed,
}

impl Lua {
    /// A new suspended coroutine that will run `f`.
    pub fn new_thread(&mut self, f: Value) -> Gc<Thread> {
        let mut d = ThreadData {
            stack: alloc::vec![Value::Nil; 32].into(),
            top: 1,
            ..ThreadData::default()
        };
        d.stack[0] = f;
        self.heap.alloc(Thread::new(d))
    }

    /// Makes `to` the running thread: the running fields move into the running
    /// thread's object, `to`'s saved ones into `Lua` (leaving its object empty). The
    /// `n` values at `src` of the old running stack are then copied to the new one at
    /// `dest`, which becomes the top just above them.
    #[inline]
    fn switch_to(&mut self, to: Gc<Thread>, src: usize, n: usize, dest: Dest) {
        let from = self.current;
        if from == to {
            return;
        }
        let mut f = from.data.borrow_mut();
        let mut t = to.data.borrow_mut();
        // `to`'s fields come in and the running ones go to `to`'s box, which then
        // changes places with `from`'s (empty) one: one exchange of fields, not two.
        self.swap_running(&mut t);
        core::mem::swap(&mut *f, &mut *t);
        self.current = to;
        if dest == Dest::Resumed {
            self.top = self.frames.last().map_or(1, |y| y.func as usize);
        }
        let vals = f.stack.get(src..src + n).unwrap_or_default();
        let top = self.top;
        match self.stack.get_mut(top..top + vals.len()) {
            // The usual case, room above the top: one copy.
            Some(dst) => {
                match (dst, vals) {
                    // One value (a yield's or a resume's usual count): no `memcpy` call.
                    ([d], [v]) => *d = *v,
                    (dst, vals) => dst.copy_from_slice(vals),
                }
                self.top = top + vals.len();
            }
            // Growing the stack: value by value, as `push` grows it.
            None => self.push_slow(vals),
        }
    }

    /// Exchanges the running-thread fields of `Lua` with the saved ones in `d`.
    #[inline(always)]
    fn swap_running(&mut self, d: &mut ThreadData) {
        core::mem::swap(&mut self.stack, &mut d.stack);
        core::mem::swap(&mut self.top, &mut d.top);
        core::mem::swap(&mut self.frames, &mut d.frames);
        core::mem::swap(&mut self.open_upvals, &mut d.open_upvals);
        core::mem::swap(&mut self.tbc, &mut d.tbc);
        core::mem::swap(&mut self.nny, &mut d.nny);
    }

    /// Pushes `vals` one by one, growing the stack (`switch_to`'s rare case).
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, vals: &[Value]) {
        for v in vals {
            self.push(*v);
        }
    }

    /// Resumes `co` with the top `nargs` values of the running stack as arguments.
    /// On success the arguments are replaced by the values the coroutine yielded or
    /// returned, and their count is returned; on failure the error value (from the
    /// coroutine, or "cannot resume dead coroutine") is returned and `co` is dead if it
    /// failed.
    pub fn resume(&mut self, co: Gc<Thread>, nargs: usize) -> Result<usize, Value> {
        let from = self.top.saturating_sub(nargs);
        let nargs = self.top - from;
        self.top = from;
        if co.status.get() != CoStatus::Suspended || co == self.current {
            return Err(self.resume_error(co));
        }
        if self.n_ccalls >= MAX_CCALLS {
            return Err(Value::Str(self.intern(b"C stack overflow")));
        }
        let prev = self.current;
        prev.status.set(CoStatus::Normal);
        co.status.set(CoStatus::Running);
        // The arguments move to the coroutine's stack with the switch.
        self.switch_to(co, from, nargs, Dest::Resumed);
        self.n_ccalls += 1;
        let r = self.run_coroutine();
        self.n_ccalls -= 1;
        // The results: a range of the coroutine's stack, moved back with the switch.
        let out = match r {
            Ok(()) => {
                co.status.set(CoStatus::Dead);
                Ok((0, self.top))
            }
            Err(e) if e.is_yield() => {
                // ERROR-BOX: the signal's box serves the next yield.
                self.spare_yield = Some(e);
                co.status.set(CoStatus::Suspended);
                if self.jit.active {
                    self.jit_note_interp_yield();
                }
                let base = self.frames.last().map_or(self.top, |ci| ci.base as usize);
                Ok((base, self.top))
            }
            Err(e) => {
                co.status.set(CoStatus::Dead);
                co.error.set(Some(e.value));
                self.heap.barrier_value(co, e.value);
                Err(e.value)
            }
        };
        let (lo, hi) = out.unwrap_or((0, 0));
        let n = hi.saturating_sub(lo);
        self.switch_to(prev, lo, n, Dest::Top);
        prev.status.set(CoStatus::Running);
        self.reset_stack_limit();
        out.map(|_| n)
    }

    /// The error of resuming `co`, which is not a suspended coroutine.
    #[cold]
    #[inline(never)]
    fn resume_error(&mut self, co: Gc<Thread>) -> Value {
        let msg: &[u8] = match co.status.get() {
            CoStatus::Dead => b"cannot resume dead coroutine",
            _ => b"cannot resume non-suspended coroutine",
        };
        Value::Str(self.intern(msg))
    }

    /// Starts or continues the running coroutine, whose arguments `switch_to` put
    /// where `Dest::Resumed` says.
    fn run_coroutine(&mut self) -> LuaResult<()> {
        let Some(&y) = self.frames.last() else {
            // First resume: the body is at slot 0.
            let r = self.precall_other(0, -1, 0).map(|_| ());
            return self.drive(0, r);
        };
        // Continue after a yield: its native frame returns the arguments, which
        // `switch_to` put at its function slot; only the count is adjusted.
        if let Ok(wanted) = usize::try_from(y.nresults) {
            let end = y.func as usize + wanted;
            while self.top < end {
                self.push(Value::Nil);
            }
            self.top = end;
        }
        self.frames.pop();
        let r = match self.frames.last() {
            // The usual caller, a plain Lua frame: restore its top as a return does.
            Some(ci) if y.flags & (CIST_FIN | CIST_CLOSE) == 0 && ci.flags & CIST_LUA != 0 => {
                if y.nresults >= 0 {
                    self.top = ci.top as usize;
                }
                Ok(())
            }
            _ => self.after_return(y, 0),
        };
        self.drive(0, r)
    }

    /// The body of `coroutine.yield`: checks that a yield is possible here and returns
    /// the yield signal (the values are the native's arguments, already on the stack).
    pub fn yield_signal(&mut self) -> LuaError {
        if self.current == self.main_thread {
            return self.error_str("attempt to yield from outside a coroutine");
        }
        if self.nny > 0 {
            return self.error_str("attempt to yield across a C-call boundary");
        }
        // ERROR-BOX: the box of the last yield, back from `resume`.
        self.spare_yield
            .take()
            .unwrap_or_else(LuaError::yield_signal)
    }

    /// True if the running code may yield.
    pub fn is_yieldable(&self) -> bool {
        self.current != self.main_thread && self.nny == 0
    }

    /// Closes a suspended or dead coroutine: runs its pending `__close` handlers (with
    /// the error that killed it, if any) and marks it dead. Returns the final error.
    pub fn close_thread(&mut self, co: Gc<Thread>) -> Option<Value> {
        let err = co.error.get();
        let prev = self.current;
        self.switch_to(co, 0, 0, Dest::Top);
        let r = self.close_all(0, err);
        self.frames.clear();
        self.top = 0;
        self.switch_to(prev, 0, 0, Dest::Top);
        co.status.set(CoStatus::Dead);
        co.error.set(None);
        r
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::String;

    use crate::value::Value;
    use crate::Lua;

    /// Runs `src` with the standard libraries and returns its one result as text.
    fn run(src: &str) -> String {
        let mut l = Lua::new();
        l.set_compiler(|src, name| moonjet_compiler::compile(src, name).map_err(|e| e.message));
        crate::stdlib::open_libs(&mut l);
        let f = match l.load(src.as_bytes(), b"=t", "t", None) {
            Ok(f) => f,
            Err(e) => panic!("{}", String::from_utf8_lossy(&l.tostring_basic(e.value))),
        };
        match l.call_value_1(f, &[Value::Nil]) {
            Ok(v) => String::from_utf8_lossy(&l.tostring_basic(v)).into_owned(),
            Err(e) => panic!("{}", String::from_utf8_lossy(&l.tostring_basic(e.value))),
        }
    }

    #[test]
    fn values_cross_between_threads_in_any_number() {
        // None, one, a few and many values (more than the receiving stack holds, which
        // must grow) each way, in order.
        assert_eq!(
            run("local co = coroutine.wrap(function(...)
                   local n = select('#', ...)
                   local t = {coroutine.yield()}
                   local u = {coroutine.yield(n, #t)}
                   return table.unpack(u)
                 end)
                 co(1, 2, 3)
                 local n, m = co(table.unpack({}, 1, 0))
                 local big = {}
                 for i = 1, 500 do big[i] = i end
                 local back = {co(table.unpack(big))}
                 return n .. ',' .. m .. ',' .. #back .. ',' .. back[1] .. ',' .. back[500]"),
            "3,0,500,1,500"
        );
        assert_eq!(
            run("local co = coroutine.create(function()
                   local t = {}
                   for i = 1, 300 do t[i] = i * 2 end
                   coroutine.yield(table.unpack(t))
                 end)
                 local r = {coroutine.resume(co)}
                 return #r .. ',' .. tostring(r[1]) .. ',' .. r[2] .. ',' .. r[301]"),
            "301,true,2,600"
        );
    }

    #[test]
    fn resumed_yields_adjust_to_the_count_their_call_wants() {
        // Fixed counts filled with nil or cut, all values (`{...}`), a yield as a
        // statement, an argument list's last expression, and a `for` iterator's two
        // results.
        assert_eq!(
            run("local co = coroutine.wrap(function()
                   local a, b, c = coroutine.yield()
                   local d = coroutine.yield(a, b, c)
                   local t = {coroutine.yield(d)}
                   coroutine.yield(#t)
                   local s = select('#', coroutine.yield())
                   for k, v in coroutine.yield, nil do return s .. k .. tostring(v) end
                 end)
                 co()
                 local a, b, c = co(1)
                 local d = co(4, 5, 6)
                 local n = co(7, 8, 9)
                 co('x', 'y')
                 co('p', 'q', 'r')
                 return tostring(a) .. tostring(b) .. tostring(c) .. d .. n .. co('k', 'v', 'w')"),
            "1nilnil433kv"
        );
    }

    #[test]
    fn yields_from_metamethods_pcall_and_close_resume_through_their_frames() {
        // A yield inside `__add` (an instruction to finish), inside `pcall` (a native
        // caller), and inside a `__close` handler: each resumes into the right frame.
        assert_eq!(
            run(
                "local mt = {__add = function(a, b) return coroutine.yield('add') end}
                 local co = coroutine.wrap(function()
                   local x = setmetatable({}, mt) + 1
                   local ok, y = pcall(function() return coroutine.yield('pcall') + 1 end)
                   do
                     local c <close> = setmetatable({}, {__close = function()
                       coroutine.yield('close')
                     end})
                   end
                   return x .. tostring(ok) .. y
                 end)
                 local r = co() .. co(10) .. co(20) .. co()
                 return r"
            ),
            "addpcallclose10true21"
        );
    }
}
