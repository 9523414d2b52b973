//! Coroutines (anchor: COROUTINES).
//!
//! The running thread's stack, frames, open upvalues, pending to-be-closed variables
//! and non-yieldable count are fields of `Lua`; a thread that is not running keeps them
//! in its `Thread::data`, and switching swaps the two (O(1)). `resume` recurses on the
//! Rust stack (bounded like every Rust-level call by `MAX_CCALLS`) and drives the
//! coroutine's frames with the same loop as `Lua::call`. `coroutine.yield` is a native
//! that returns the internal yield signal; it travels up to `resume` with the frames
//! intact (a yield is allowed only when no Rust code called back into Lua on this
//! thread: `nny == 0`), leaving the yield's own native frame on top. The next `resume`
//! returns its arguments from that frame and continues the loop.

use crate::error::{LuaError, LuaResult};
use crate::gc::Gc;
use crate::state::MAX_CCALLS;
use crate::thread::{CoStatus, Thread, ThreadData};
use crate::value::Value;
use crate::Lua;

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

    /// Exchanges the running-thread fields of `Lua` with `t`'s saved data.
    fn swap_thread_data(&mut self, t: Gc<Thread>) {
        let mut d = t.data.borrow_mut();
        core::mem::swap(&mut self.stack, &mut d.stack);
        core::mem::swap(&mut self.top, &mut d.top);
        core::mem::swap(&mut self.frames, &mut d.frames);
        core::mem::swap(&mut self.open_upvals, &mut d.open_upvals);
        core::mem::swap(&mut self.tbc, &mut d.tbc);
        core::mem::swap(&mut self.nny, &mut d.nny);
    }

    /// Makes `to` the running thread (the current one keeps its data in its object).
    fn switch_to(&mut self, to: Gc<Thread>) {
        let from = self.current;
        self.swap_thread_data(from);
        self.swap_thread_data(to);
        self.current = to;
    }

    /// Pushes `n` values of thread `t`'s saved stack, from index `from`, onto the
    /// running stack (values move between two threads' stacks without a buffer).
    fn push_from_thread(&mut self, t: Gc<Thread>, from: usize, n: usize) {
        let d = t.data.borrow();
        let vals = d.stack.get(from..from + n).unwrap_or_default();
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
            None => {
                for v in vals {
                    self.push(*v);
                }
            }
        }
    }

    /// Resumes `co` with the top `nargs` values of the running stack as arguments.
    /// On success the arguments are replaced by the values the coroutine yielded or
    /// returned, and their count is returned; on failure the error value (from the
    /// coroutine, or "cannot resume dead coroutine") is returned and `co` is dead if it
    /// failed.
    pub fn resume(&mut self, co: Gc<Thread>, nargs: usize) -> Result<usize, Value> {
        // The arguments stay in place above the top: the coroutine's first step copies
        // them from this thread's saved stack, which nothing touches meanwhile.
        let from = self.top.saturating_sub(nargs);
        let nargs = self.top - from;
        self.top = from;
        let msg: &[u8] = match co.status.get() {
            CoStatus::Suspended if co != self.current => b"",
            CoStatus::Dead => b"cannot resume dead coroutine",
            _ => b"cannot resume non-suspended coroutine",
        };
        if !msg.is_empty() {
            return Err(Value::Str(self.intern(msg)));
        }
        if self.n_ccalls >= MAX_CCALLS {
            return Err(Value::Str(self.intern(b"C stack overflow")));
        }
        let prev = self.current;
        prev.status.set(CoStatus::Normal);
        co.status.set(CoStatus::Running);
        self.switch_to(co);
        self.n_ccalls += 1;
        let r = self.run_coroutine(prev, from, nargs);
        self.n_ccalls -= 1;
        // The results: a range of the coroutine's stack, copied once back on `prev`.
        let out = match r {
            Ok(()) => {
                co.status.set(CoStatus::Dead);
                Ok((0, self.top))
            }
            Err(e) if e.is_yield() => {
                co.status.set(CoStatus::Suspended);
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
        self.switch_to(prev);
        prev.status.set(CoStatus::Running);
        self.reset_stack_limit();
        let (lo, hi) = out?;
        let n = hi.saturating_sub(lo);
        self.push_from_thread(co, lo, n);
        Ok(n)
    }

    /// Starts or continues the running coroutine with the `nargs` values at `from` in
    /// the stack of the resuming thread `prev`.
    fn run_coroutine(&mut self, prev: Gc<Thread>, from: usize, nargs: usize) -> LuaResult<()> {
        let Some(&y) = self.frames.last() else {
            // First resume: the body is at slot 0.
            self.top = 1;
            self.push_from_thread(prev, from, nargs);
            let r = self.precall_other(0, -1, 0).map(|_| ());
            return self.drive(0, r);
        };
        // Continue after a yield: the yield's native frame returns the arguments.
        self.top = y.base as usize;
        self.push_from_thread(prev, from, nargs);
        let popped = self.poscall(y.base as usize, nargs);
        let r = self.after_return(popped, 0);
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
        LuaError::yield_signal()
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
        self.switch_to(co);
        let r = self.close_all(0, err);
        self.frames.clear();
        self.top = 0;
        self.switch_to(prev);
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
}
