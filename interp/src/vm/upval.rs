//! Upvalues, closures, to-be-closed variables, and the continuation of interrupted
//! instructions (`finish_op`, see METAMETHOD-FRAMES in `call.rs`).

use alloc::vec::Vec;
use core::cell::Cell;

use moonjet_bytecode::OpCode;

use super::meta::{append_strnum, is_strnum, Blame, Tm};
use crate::abi::CIST_CLOSE;
use crate::error::LuaResult;
use crate::func::{FnProto, LuaClosure, UpState, UpVal};
use crate::gc::Gc;
use crate::string::LuaStr;
use crate::value::Value;
use crate::Lua;

impl Lua {
    // ---------------------------------------------------------------- upvalues

    /// Reads an upvalue (through its slot, UPVAL-SLOT).
    #[inline(always)]
    pub(crate) fn upval_get(&self, uv: Gc<UpVal>) -> Value {
        // SAFETY: UPVAL-SLOT: the slot of a live upvalue (the caller's closure keeps it
        // alive) points at its current, initialised value; nothing writes it meanwhile.
        unsafe { *uv.slot() }
    }

    /// Writes an upvalue (through its slot); a closed one is a heap object, so the
    /// write barrier runs for it (a stack slot is a root and needs none).
    #[inline(always)]
    pub(crate) fn upval_set(&mut self, uv: Gc<UpVal>, v: Value) {
        // SAFETY: UPVAL-SLOT, as in `upval_get`; no reference to the slot is alive.
        // One 16-byte write: GETUPVAL reads the value back as one 16-byte copy.
        unsafe { Value::write(&mut *uv.slot(), v) };
        if uv.is_closed() {
            self.heap.barrier_value(uv, v);
        }
    }

    /// The stack index of an open upvalue (usize::MAX when closed).
    #[inline]
    fn open_index(uv: Gc<UpVal>) -> usize {
        match uv.state() {
            UpState::Open { index, .. } => index,
            UpState::Closed(_) => usize::MAX,
        }
    }

    /// The open upvalue for stack slot `idx` (below the stack's length), created if
    /// needed.
    #[inline(never)]
    pub(crate) fn find_upval(&mut self, idx: usize) -> Gc<UpVal> {
        let mut pos = self.open_upvals.len();
        while pos > 0 {
            let u = self.open_upvals[pos - 1];
            let i = Self::open_index(u);
            if i == idx {
                return u;
            }
            if i < idx {
                break;
            }
            pos -= 1;
        }
        let u = self.heap.alloc(UpVal::open(self.current, idx));
        // UPVAL-SLOT: the slot of `idx` in the running stack, which holds it (a
        // register of a live frame); `resize_stack` follows it when the stack moves.
        u.set_open_slot(self.stack.as_mut_ptr().wrapping_add(idx));
        self.open_upvals.insert(pos, u);
        u
    }

    /// Resizes the running thread's value stack to `len` slots (new ones nil). When
    /// the buffer moves, every open upvalue of the thread (each in `open_upvals`)
    /// has its slot pointed at its index in the new buffer (UPVAL-SLOT). Every
    /// resize of the stack goes through here.
    pub(crate) fn resize_stack(&mut self, len: usize) {
        let old = self.stack.as_ptr();
        self.stack.resize(len, Value::Nil);
        let p = self.stack.as_mut_ptr();
        if !core::ptr::eq(old, p) {
            for u in self.open_upvals.iter() {
                u.set_open_slot(p.wrapping_add(Self::open_index(*u)));
            }
        }
    }

    /// Closes the open upvalues at stack slots `>= level`.
    #[inline]
    pub(crate) fn close_upvals(&mut self, level: usize) {
        while let Some(&u) = self.open_upvals.last() {
            let i = Self::open_index(u);
            if i < level {
                break;
            }
            let v = self.stack.get(i).copied().unwrap_or_default();
            u.close(v);
            self.heap.barrier_value(u, v);
            self.open_upvals.pop();
        }
    }

    /// True if upvalues or to-be-closed variables at `>= level` are pending.
    #[inline(always)]
    pub(crate) fn needs_close(&self, level: usize) -> bool {
        self.open_upvals
            .last()
            .is_some_and(|&u| Self::open_index(u) >= level)
            || self.has_tbc(level)
    }

    /// True if a to-be-closed variable at `>= level` is pending.
    #[inline(always)]
    pub(crate) fn has_tbc(&self, level: usize) -> bool {
        self.tbc.last().is_some_and(|&t| t as usize >= level)
    }

    /// CLOSURE: a new closure of `p` capturing from the frame at `base` or from the
    /// enclosing closure's `upvals`.
    #[inline(never)]
    pub(crate) fn make_closure(
        &mut self,
        p: Gc<FnProto>,
        base: usize,
        upvals: &[Cell<Gc<UpVal>>],
    ) -> Gc<LuaClosure> {
        let descs = &p.proto.upvalues;
        let mut ups = self.heap.closure_builder(p);
        for d in descs.iter() {
            let u = if d.in_stack {
                self.find_upval(base + d.index as usize)
            } else {
                match upvals.get(d.index as usize) {
                    Some(u) => u.get(),
                    None => self.heap.new_closed_upval(Value::Nil),
                }
            };
            ups.push(u);
        }
        ups.finish(&mut self.heap)
    }

    // ------------------------------------------------------- to-be-closed variables

    /// `new_tbc(at + off)`, the addition made here (TFORPREP's slot `R[A] + 3`: see
    /// there).
    #[inline(never)]
    pub(crate) fn new_tbc_at(&mut self, at: usize, off: usize) -> LuaResult<()> {
        self.new_tbc(at + off)
    }

    /// TBC: registers stack slot `idx` as to-be-closed ("variable 'x' got a
    /// non-closable value" unless false, nil or with `__close`).
    #[inline(never)]
    pub(crate) fn new_tbc(&mut self, idx: usize) -> LuaResult<()> {
        let v = self.stack[idx];
        if !v.truthy() {
            return Ok(());
        }
        if self.get_tm(v, Tm::Close).is_nil() {
            let name = self
                .local_name_at(idx)
                .unwrap_or_else(|| alloc::string::String::from("?"));
            return Err(self.rt_error(&alloc::format!(
                "variable '{name}' got a non-closable value"
            )));
        }
        self.tbc.push(idx as u32);
        Ok(())
    }

    /// Closes the innermost pending to-be-closed variable at `>= level` from the loop:
    /// its `__close(v, nil)` runs in a frame of its own (flag `CIST_CLOSE`); the caller
    /// has set its pc to re-execute the closing instruction afterwards.
    #[inline(never)]
    pub(crate) fn close_tbc_step(&mut self, level: usize) -> LuaResult<()> {
        let Some(idx) = self.tbc.pop() else {
            return Ok(());
        };
        debug_assert!(idx as usize >= level);
        let v = self.stack.get(idx as usize).copied().unwrap_or_default();
        let tm = self.get_tm(v, Tm::Close);
        self.call_meta(tm, &[v, Value::Nil], 0, CIST_CLOSE)?;
        Ok(())
    }

    /// Closes upvalues and to-be-closed variables at `>= level` from Rust (error
    /// unwinding, coroutine.close): each `__close(v, err)` is called through
    /// `Lua::call`; an error in one becomes the error passed to the next. Returns the
    /// final error (`err` or a newer one), `None` if there was none.
    pub(crate) fn close_all(&mut self, level: usize, mut err: Option<Value>) -> Option<Value> {
        self.close_upvals(level);
        while self.has_tbc(level) {
            let Some(idx) = self.tbc.pop() else { break };
            let v = self.stack.get(idx as usize).copied().unwrap_or_default();
            let tm = self.get_tm(v, Tm::Close);
            let keep = self.top;
            self.push(err.unwrap_or_default());
            if let Err(e) = self.call_value(tm, &[v, err.unwrap_or_default()]) {
                err = Some(e.value);
            }
            self.top = keep;
        }
        err
    }

    // ---------------------------------------------------------------- concat

    /// Concatenates `stack[first .. first+n]` into `stack[first]`, right to left,
    /// calling `__concat` in frames of their own: true when done, false when a frame was
    /// pushed (CONCAT continues in `finish_op`, with the remaining count in `aux`).
    #[inline(never)]
    pub(crate) fn concat_run(&mut self, first: usize, mut n: usize) -> LuaResult<bool> {
        while n > 1 {
            let top = first + n;
            let (x, y) = (self.stack[top - 2], self.stack[top - 1]);
            if is_strnum(x) && is_strnum(y) {
                let mut k = 2;
                while k < n && is_strnum(self.stack[top - k - 1]) {
                    k += 1;
                }
                let parts = top - k..top;
                if let Some(s) = self.concat_short(parts.clone()) {
                    self.stack[top - k] = Value::Str(s);
                    n -= k - 1;
                    continue;
                }
                // Numbers become strings in their (temporary) registers first, so the
                // strings are joined in one copy that continues the first one's hash
                // (STR-LANES in `string.rs`): `s = s .. i .. ","` stays linear per step.
                for j in parts {
                    self.number_to_str(j);
                }
                let s = match self.heap.concat_strings(&self.stack[top - k..top]) {
                    Some(s) => s,
                    None => {
                        let mut out = Vec::new();
                        for j in top - k..top {
                            append_strnum(self.stack[j], &mut out);
                        }
                        self.intern(&out)
                    }
                };
                self.stack[top - k] = Value::Str(s);
                n -= k - 1;
            } else {
                let m = self.concat_meta(x, y, (Blame::Stack(top - 2), Blame::Stack(top - 1)))?;
                if let Some(f) = self.frames.last_mut() {
                    f.aux = n as u32;
                }
                match self.meta_value(m)? {
                    Some(v) => {
                        self.stack[top - 2] = v;
                        n -= 1;
                    }
                    None => return Ok(false),
                }
            }
        }
        Ok(true)
    }

    /// CONCAT-SHORT: the concatenation of the strings and numbers in stack slots
    /// `parts` when a number is among them and the strings are short: the pieces are
    /// written into one stack buffer (numbers as `..` shows them) and interned once,
    /// where the general path would intern each number's text first (`"k" .. i`: two
    /// strings made and hashed for one kept). `None` otherwise.
    #[inline]
    fn concat_short(&mut self, parts: core::ops::Range<usize>) -> Option<Gc<LuaStr>> {
        /// Longest string bytes joined this way: with the numbers' text, the result
        /// stays short enough to be hashed whole.
        const SHORT: usize = 40;
        let mut bytes = 0usize;
        let mut numbers = false;
        for v in self.stack.get(parts.clone())? {
            match v {
                Value::Str(s) => bytes += s.len(),
                _ => numbers = true,
            }
        }
        if !numbers || bytes > SHORT {
            return None;
        }
        let mut out = moonjet_bytecode::num::StackBuf::<128>::new();
        for j in parts {
            append_strnum(self.stack[j], &mut out);
        }
        Some(self.intern(out.as_slice()))
    }

    /// Replaces a number in stack slot `i` by its string form, as `..` shows it.
    #[inline]
    fn number_to_str(&mut self, i: usize) {
        let v = self.stack[i];
        if matches!(v, Value::Int(_) | Value::Float(_)) {
            // A number's text fits the stack buffer: no heap allocation but the string.
            let mut out = moonjet_bytecode::num::StackBuf::<48>::new();
            append_strnum(v, &mut out);
            self.stack[i] = Value::Str(self.intern(out.as_slice()));
        }
    }

    // ---------------------------------------------------------------- finishing

    /// Completes the instruction of the top Lua frame that a metamethod frame
    /// (returned with its result at `res_slot`) interrupted.
    #[inline(never)]
    pub(crate) fn finish_op(&mut self, res_slot: usize) -> LuaResult<()> {
        let res = self.stack[res_slot];
        let Some(&ci) = self.frames.last() else {
            return Ok(());
        };
        let Value::LuaFn(cl) = self.stack[ci.func as usize] else {
            return Ok(());
        };
        let Some(&i) = cl.proto.proto.code.get(ci.pc as usize - 1) else {
            return Ok(());
        };
        let base = ci.base as usize;
        let a = i.a() as usize;
        self.top = ci.top as usize;
        let Some(op) = i.opcode() else { return Ok(()) };
        match op {
            OpCode::Eq
            | OpCode::Lt
            | OpCode::Le
            | OpCode::LtI
            | OpCode::LeI
            | OpCode::GtI
            | OpCode::GeI
                if res.truthy() != i.k() =>
            {
                if let Some(f) = self.frames.last_mut() {
                    f.pc += 1;
                }
            }
            OpCode::Eq
            | OpCode::Lt
            | OpCode::Le
            | OpCode::LtI
            | OpCode::LeI
            | OpCode::GtI
            | OpCode::GeI => {}
            OpCode::Concat => {
                let n = ci.aux as usize;
                self.stack[base + a + n - 2] = res;
                if let Some(f) = self.frames.last_mut() {
                    f.aux = 0;
                }
                self.concat_run(base + a, n - 1)?;
            }
            OpCode::SetTabUp | OpCode::SetTable | OpCode::SetI | OpCode::SetField => {}
            _ if op.has(moonjet_bytecode::opcodes::props::WRITES_A) => self.stack[base + a] = res,
            _ => {}
        }
        Ok(())
    }
}
