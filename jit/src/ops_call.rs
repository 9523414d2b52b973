//! Translations of calls and returns (NATIVE-CALLS in `jit_iface/call.rs`): CALL goes
//! through the call helper, which runs a compiled callee's code directly; RETURN of a
//! natively called function hands its results to the call helper; SELF is a field read and a move.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder};
use moonjet_bytecode::{Instruction, OpCode, Proto};
use moonjet_interp::jit_iface::{
    ctx_offsets, helper_offsets, str_offsets, tags, HELPER_EXIT, HELPER_OK, RET_CLOSES, RET_TO_TOP,
    TAILCALL_DONE, TAILCALL_RETURNED, TAILCALL_SELF,
};
use moonjet_interp::Value;
use std::rc::Rc;

use crate::analysis::{RegState, Ty};
use crate::callee::CallSite;
use crate::direct_call::{CallPaths, DIRECT_MAX_C};
use crate::reasons::Reason;
use crate::regs::{Io, Writes};
use crate::translate::{mem, FunctionTranslator, Helper};

const _: () =
    assert!(ctx_offsets::RET_N == ctx_offsets::RET_REG + 4 && cfg!(target_endian = "little"));

impl FunctionTranslator<'_> {
    /// CALL: `R[A], ..., R[A+C-2] := R[A](R[A+1], ..., R[A+B-1])` through the call
    /// helper, or computed in place ([`in_place_call`]).
    pub fn translate_call(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let a = self.reg(i.a())?;
        let (states, callees) = (&self.regs.states, self.callees);
        match in_place_call(i, pc, states, &self.calls, callees) {
            Some(InPlace::Leaf(p)) => self.call_or_leaf(i, pc, p),
            Some(InPlace::Sqrt) => {
                let x = self.reg(i.a() + 1)?;
                self.call_or_sqrt(a, x, pc)
            }
            Some(InPlace::Byte) => {
                self.reg(i.a() + 2)?;
                self.call_or_byte(a, pc)
            }
            None => self.emit_call(a, i.b(), i.c(), pc, Reason::Call),
        }
    }

    /// A CALL with one argument and one result (anchor: INTRINSICS): when the callee
    /// is exactly `math.sqrt`'s native function and the argument a number, the square
    /// root is computed inline (the library converts an integer to a float, as
    /// `fcvt_from_sint` does, and both roots are correctly rounded); anything else is
    /// the general call. The registers are stored first (once, for both paths), as a
    /// call leaves them, and so is the result.
    fn call_or_sqrt(&mut self, a: i32, x: i32, pc: usize) -> Result<(), Reason> {
        let next = self.block_rel(pc, 1)?;
        // Other callees pay one compare of a tag the code holds: a Lua function is
        // not a native one.
        let (addr, slow) = self.callee_with_tag(a, tags::NATIVE_FN, pc);
        let fast = self.new_block();
        let sqrt = self.helper_word(helper_offsets::MATH_SQRT);
        let same = self.b.ins().icmp(IntCC::Equal, addr, sqrt);
        let xt = self.tag(x);
        let (is_float, is_int) = (self.is(xt, tags::FLOAT), self.is(xt, tags::INT));
        let number = self.or(is_float, is_int);
        let ok = self.and(same, number);
        self.branch(ok, fast, slow);
        // The fast path is emitted before the call, whose reload would make the
        // argument's type unknown here.
        self.at(fast);
        let f = self.payload(x, types::F64);
        let int = self.payload(x, types::I64);
        let from_int = self.b.ins().fcvt_from_sint(types::F64, int);
        let operand = self.b.ins().select(is_float, f, from_int);
        let root = self.b.ins().sqrt(operand);
        self.store_float(a, root);
        self.in_place_done(a, pc, next);
        self.call_slow(slow, a, 2, 2, pc)
    }

    /// Whether the CALL at `pc` stores nothing before its in-place path (FLUSH-SLOW).
    pub(crate) fn lean(&self, pc: usize) -> bool {
        self.in_place.get(pc).copied().unwrap_or(false)
    }

    /// The start of a CALL that may be made in place (INTRINSICS, LEAF-INLINE in
    /// `inline_leaf.rs`): the registers stored first (once, for both paths, as a call
    /// leaves them) unless the in-place path is the expected one (FLUSH-SLOW), then
    /// the callee at `a` tested for `tag`. Continues in a new block where it has it,
    /// with its payload; returns that and the block of the general call.
    pub(crate) fn callee_with_tag(&mut self, a: i32, tag: u8, pc: usize) -> (ir::Value, ir::Block) {
        if !self.lean(pc) {
            self.flush();
        }
        let t = self.tag(a);
        let is = self.is(t, tag);
        let (check, slow) = (self.new_block(), self.new_block());
        self.branch(is, check, slow);
        self.at(check);
        (self.payload(a, types::I64), slow)
    }

    /// The end of the in-place path of the CALL at `pc`, whose result is in register
    /// `a`: stored as the general call leaves it, unless the analysis counts it
    /// unstored (FLUSH-SLOW); then on to `next`.
    pub(crate) fn in_place_done(&mut self, a: i32, pc: usize, next: ir::Block) {
        if !self.lean(pc) {
            self.store_regs(&[a]);
        }
        self.jump(next);
    }

    /// The general call of a CALL that may be made in place, in block `slow`: the
    /// registers are stored there when its start did not store them (FLUSH-SLOW).
    pub(crate) fn call_slow(
        &mut self,
        slow: ir::Block,
        a: i32,
        b: u32,
        c: u32,
        pc: usize,
    ) -> Result<(), Reason> {
        self.at(slow);
        let lean = self.lean(pc);
        if lean {
            self.flush();
        }
        // LEAN-SLOW: no inline DIRECT-CALL where the in-place path is the expected one.
        self.emit_call_flushed(a, b, c, pc, Reason::Call, !lean)
    }

    /// `s:byte(k)` or `string.byte(s, k)`: a CALL of two arguments and one result
    /// (INTRINSICS): when the callee is exactly `string.byte`'s native function, the
    /// first argument a string and the second an integer from 1 to its length, the byte
    /// is read inline; anything else (a negative or outside position, other callees)
    /// is the general call. Stored first as `call_or_sqrt` does.
    fn call_or_byte(&mut self, a: i32, pc: usize) -> Result<(), Reason> {
        let next = self.block_rel(pc, 1)?;
        let (s_off, k_off) = (a + 16, a + 32);
        let (addr, slow) = self.callee_with_tag(a, tags::NATIVE_FN, pc);
        let fast = self.new_block();
        let byte = self.helper_word(helper_offsets::STRING_BYTE);
        let same = self.b.ins().icmp(IntCC::Equal, addr, byte);
        let (st, kt) = (self.tag(s_off), self.tag(k_off));
        let (is_str, is_int) = (self.is(st, tags::STR), self.is(kt, tags::INT));
        let args = self.and(is_str, is_int);
        let ok = self.and(same, args);
        let inside = self.new_block();
        self.branch(ok, inside, slow);
        self.at(inside);
        let s = self.payload(s_off, types::I64);
        let k = self.payload(k_off, types::I64);
        let len = self.b.ins().load(types::I64, mem(), s, str_offsets::LEN);
        let at = self.b.ins().iadd_imm_s(k, -1);
        let within = self.b.ins().icmp(IntCC::UnsignedLessThan, at, len);
        self.branch(within, fast, slow);
        self.at(fast);
        let data = self.b.ins().load(types::I64, mem(), s, str_offsets::DATA);
        let p = self.b.ins().iadd(data, at);
        let v = self.b.ins().uload8(types::I64, mem(), p, 0);
        self.store_int(a, v);
        self.in_place_done(a, pc, next);
        self.call_slow(slow, a, 3, 2, pc)
    }

    /// TFORCALL: `R[A+4], ..., R[A+3+C] := R[A](R[A+1], R[A+2])`: the three control
    /// values are copied above the loop variables and called like a CALL with B = 3.
    pub fn translate_tforcall(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let a = i.a();
        let (src, dst) = (self.reg(a)?, self.reg(a + 4)?);
        self.reg(a + 6)?;
        self.reg(a + 3 + i.c().max(1))?;
        for j in 0..3 {
            self.copy_reg(src + j * 16, dst + j * 16);
        }
        self.emit_call(dst, 3, i.c() + 1, pc, Reason::GenericFor)
    }

    /// Calls the helper for a call at register offset `ra` with operands B and C: done
    /// (continue at pc + 1, R[0] checked), left to the interpreter (exit here for
    /// `reason`), or unwound (exit after the call, whose pc the frame already holds).
    fn emit_call(
        &mut self,
        ra: i32,
        b: u32,
        c: u32,
        pc: usize,
        reason: Reason,
    ) -> Result<(), Reason> {
        self.block_rel(pc, 1)?;
        self.flush();
        self.emit_call_flushed(ra, b, c, pc, reason, true)
    }

    /// [`Self::emit_call`] once the registers are stored (a flush before it on every
    /// path to here), with the inline DIRECT-CALL only when `direct`: the general path
    /// of a lean call computed in place (a leaf whose upvalue changed, a callee named
    /// `sqrt` that is not `math.sqrt` after all) is rare, and the helper alone makes it
    /// at a fraction of the code and compile time (LEAN-SLOW). A call that may be
    /// `math.sqrt` only because nothing is known of its callee keeps it: its general
    /// path is the likely one.
    pub(crate) fn emit_call_flushed(
        &mut self,
        ra: i32,
        b: u32,
        c: u32,
        pc: usize,
        reason: Reason,
        direct: bool,
    ) -> Result<(), Reason> {
        let next = self.block_rel(pc, 1)?;
        let ra_off = ra;
        let (done, other) = (self.new_block(), self.new_block());
        let r = self.b.append_block_param(other, types::I32);
        // DIRECT-CALL: a compiled Lua callee with fixed arguments and a few results (or
        // all, C = 0) is called inline; the helper makes every other call, and every
        // call of a library function (CALLEE-NAMES in `callee.rs`).
        if direct && b > 0 && c <= DIRECT_MAX_C && !self.call_site(pc).native {
            let general = self.new_block();
            let paths = CallPaths {
                general,
                done,
                other,
            };
            self.emit_direct_call(ra_off, b - 1, c, pc, paths);
            self.at(general);
        }
        let ra = self.addr(ra);
        let (b, c, at) = (self.i32(b), self.i32(c), self.i32(pc as u32));
        let res = self.call(Helper::Call, &[self.ctx, ra, b, c, at]);
        let is_ok = self.b.ins().icmp_imm_s(IntCC::Equal, res, HELPER_OK as i64);
        self.b
            .ins()
            .brif(is_ok, done, &[], other, &[ir::BlockArg::Value(res)]);
        self.at(done);
        self.check_base(pc);
        self.reload(Writes::From(ra_off), pc + 1);
        self.jump(next);
        self.at(other);
        self.exit_or_unwind(r, pc, reason);
        Ok(())
    }

    /// What the bytecode says about the callee of the call at `pc` (CALLEE-NAMES).
    fn call_site(&self, pc: usize) -> CallSite {
        self.calls.get(pc).copied().unwrap_or_default()
    }

    /// Branches on a helper's status `r`: the first block when it is `status`, the
    /// second otherwise (both still empty).
    fn split_status(&mut self, r: ir::Value, status: u32) -> (ir::Block, ir::Block) {
        let is = self.b.ins().icmp_imm_s(IntCC::Equal, r, status as i64);
        let (yes, no) = (self.new_block(), self.new_block());
        self.branch(is, yes, no);
        (yes, no)
    }

    /// The last answers of a call helper, `r`: `HELPER_EXIT` leaves here for `reason`
    /// (the interpreter runs the call), anything else unwound after the call, whose pc
    /// the frame already holds. Raw exits: the stack is up to date.
    fn exit_or_unwind(&mut self, r: ir::Value, pc: usize, reason: Reason) {
        let (here, unwind) = self.split_status(r, HELPER_EXIT);
        self.at(here);
        self.exit_raw(pc, reason);
        self.at(unwind);
        self.exit_raw(pc + 1, Reason::Unwind);
    }

    /// TAILCALL `R[A](R[A+1], ..., R[A+B-1])`, followed by `RETURN A 0`, through the
    /// tail-call helper: a Lua callee replaced the frame (leave at once with
    /// `TailCalled`, touching no register: they are the callee's now; whoever called
    /// this code runs the callee; the running closure itself: start over at pc 0; the
    /// helper ran the callee to its RETURN: leave as that RETURN), a
    /// native one left its results from R[A] up to the
    /// top (continue with the RETURN, R[0] checked), or as `emit_call`.
    pub fn translate_tailcall(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let ret = self.code.get(pc + 1).copied();
        let followed_by_return =
            ret.is_some_and(|r| r.opcode() == Some(OpCode::Return) && r.a() == i.a() && r.b() == 0);
        if !followed_by_return {
            return Err(Reason::TailCall);
        }
        let ra = self.reg(i.a())?;
        if i.b() != 0 {
            self.reg(i.a() + i.b() - 1)?;
        }
        let next = self.block_rel(pc, 1)?;
        let ra_off = ra;
        let ra = self.addr(ra);
        let (b, at) = (self.i32(i.b()), self.i32(pc as u32));
        self.flush();
        self.emit_self_tail(i);
        // The helper's answer, or `tail_done`'s after an inline tail call.
        let after = self.new_block();
        let r = self.b.append_block_param(after, types::I32);
        self.emit_tail_nest(i, after);
        let h = self.call(Helper::TailCall, &[self.ctx, ra, b, at]);
        self.b.ins().jump(after, &[ir::BlockArg::Value(h)]);
        self.at(after);
        let (native, other) = self.split_status(r, HELPER_OK);
        self.at(native);
        self.check_base(pc);
        self.reload(Writes::From(ra_off), pc + 1);
        self.jump(next);
        // Every exit below is raw: after `TAILCALL_DONE` the registers are the
        // callee's arguments (same base), and otherwise the stack is up to date.
        self.at(other);
        self.tail_returned(r);
        let (replaced, rest) = self.split_status(r, TAILCALL_DONE);
        self.at(replaced);
        self.exit_raw(pc, Reason::TailCalled);
        self.at(rest);
        let (again, rest) = self.split_status(r, TAILCALL_SELF);
        self.self_tail_call(again);
        self.at(rest);
        self.exit_or_unwind(r, pc, Reason::TailCall);
        Ok(())
    }

    /// A TAILCALL whose helper answered `TAILCALL_RETURNED` plus a pc (TAIL-NEST in
    /// `jit_iface/call.rs`): the helper ran the callee, whose results `ctx.ret_reg` /
    /// `ctx.ret_n` describe; the code leaves with `STATUS_RETURNED` at that pc (in the
    /// callee's code), touching no register. Continues in a new block otherwise.
    fn tail_returned(&mut self, r: ir::Value) {
        const _: () = assert!(TAILCALL_RETURNED == 1 << 31);
        let returned = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0);
        let (yes, no) = (self.new_block(), self.new_block());
        self.branch(returned, yes, no);
        self.at(yes);
        let pc = self.b.ins().band_imm_u(r, i32::MAX as i64);
        let status = self.i32(Reason::Returned.status());
        self.b.ins().jump(
            self.exit_block,
            &[ir::BlockArg::Value(pc), ir::BlockArg::Value(status)],
        );
        self.at(no);
    }

    /// The (still empty) block `again` of a TAILCALL whose helper answered
    /// `TAILCALL_SELF`: the running closure called itself, its arguments are the frame's
    /// first registers (same base, written by the helper), and the code starts over
    /// through an entry block for pc 0 (registers loaded, assumed types checked), as the
    /// code would be entered for the callee: self tail recursion is a loop.
    fn self_tail_call(&mut self, again: ir::Block) {
        let entry = self.emit_entry(0);
        self.at(again);
        self.b.ins().jump(entry, &[]);
    }

    /// RETURN / RETURN0 / RETURN1: the code leaves where its results are and
    /// `STATUS_RETURNED`, the registers stored; the call helper pops the frame of an
    /// activation called natively, `jit_run` that of one the interpreter entered (or
    /// the interpreter runs the RETURN: see `Lua::jit_return`).
    pub fn translate_return(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (ra, n) = match i.opcode() {
            Some(OpCode::Return0) => (0, 0),
            Some(OpCode::Return1) => (i.a(), 1),
            _ if i.b() == 0 => (i.a(), RET_TO_TOP),
            _ => (i.a(), i.b() - 1),
        };
        self.reg(ra)?;
        if n != RET_TO_TOP && n > 0 {
            self.reg(ra + n - 1)?;
        }
        // k: something may need closing (CLOSE-FLAG); the call helper's fast return
        // skips the closing check without the flag.
        let closes = i.opcode() == Some(OpCode::Return) && i.k();
        if !closes && n != RET_TO_TOP {
            self.fast_return(ra, n);
        }
        let reg = if closes { ra | RET_CLOSES } else { ra };
        // Both words in one store: `ret_n` follows `ret_reg` (little-endian target).
        let both = self.i64((((n as u64) << 32) | reg as u64) as i64);
        self.b
            .ins()
            .store(mem(), both, self.ctx, ctx_offsets::RET_REG);
        self.exit(pc, Reason::Returned);
        Ok(())
    }

    /// SELF: `R[A+1] := R[B]; R[A] := R[B][K[C]]` (GETFIELD's read). When the read
    /// exits, the interpreter repeats the copy, which gives the same value.
    pub fn translate_self(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, a1, b) = (self.reg(i.a())?, self.reg(i.a() + 1)?, self.reg(i.b())?);
        let next = self.block_rel(pc, 1)?;
        let key_is_string = matches!(self.konst(i.c()), Ok(Value::Str(_)));
        if !i.k() || !key_is_string {
            return Err(Reason::SelfOp);
        }
        // Read through the copy in R[A+1]: R[A] may be R[B].
        self.copy_reg(b, a1);
        let (t, k, dst) = (self.addr(a1), self.i32(i.c()), self.addr(a));
        self.inline_get_field(a1, i.c(), a, next);
        self.call_checked(
            Helper::GetField,
            &[self.ctx, t, k, dst],
            pc,
            Reason::Table,
            Io::new(&[a1], Some(a)),
        );
        self.jump(next);
        Ok(())
    }

    // ------------------------------------------------------------------ allocation

    /// Calls an allocating helper (flushing first; it may move the stack: R[0] is
    /// checked, resuming at `resume + 1` if it moved) and reloads what it wrote (`w`),
    /// or exits at `pc` for `reason`.
    fn alloc_call(
        &mut self,
        h: Helper,
        args: &[ir::Value],
        pc: usize,
        resume: usize,
        reason: Reason,
        w: Writes,
    ) {
        self.flush();
        let r = self.call(h, args);
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, r, HELPER_OK as i64);
        self.guard_raw(ok, pc, reason);
        self.check_base(resume);
        self.reload(w, resume + 1);
    }

    /// NEWTABLE: `R[A] := {}` (helper), sized like the interpreter does; an EXTRAARG
    /// after it is skipped.
    pub fn translate_newtable(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        self.reg(i.a())?;
        let nhash = if i.b() > 0 {
            1u32 << (i.b() - 1).min(30)
        } else {
            0
        };
        let mut narr = i.c();
        let mut skip = 1;
        if let Some(x) = self
            .code
            .get(pc + 1)
            .filter(|x| x.opcode() == Some(OpCode::ExtraArg))
        {
            if i.k() {
                narr = narr.saturating_add(x.ax_field().saturating_mul(256));
            }
            skip = 2;
        }
        let next = self.block_rel(pc, skip)?;
        // The helper saves (and a moved stack resumes at) the pc after `last`.
        let last = pc + skip as usize - 1;
        let (a, narr, nhash, at) = (
            self.i32(i.a()),
            self.i32(narr),
            self.i32(nhash),
            self.i32(last as u32),
        );
        let dst = self.reg(i.a())?;
        self.alloc_call(
            Helper::NewTable,
            &[self.ctx, a, narr, nhash, at],
            pc,
            last,
            Reason::NewTable,
            Writes::Reg(dst),
        );
        self.jump(next);
        Ok(())
    }

    /// CLOSURE: `R[A] := closure(KPROTO[Bx])` (helper).
    pub fn translate_closure(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        self.reg(i.a())?;
        let next = self.block_rel(pc, 1)?;
        let (a, bx, at) = (self.i32(i.a()), self.i32(i.bx()), self.i32(pc as u32));
        let dst = self.reg(i.a())?;
        self.alloc_call(
            Helper::Closure,
            &[self.ctx, a, bx, at],
            pc,
            pc,
            Reason::Closure,
            Writes::Reg(dst),
        );
        self.jump(next);
        Ok(())
    }

    /// CONCAT: `R[A] := R[A].. ... ..R[A+B-1]` of strings and numbers (helper; other
    /// operands exit: `__concat`).
    pub fn translate_concat(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        if i.b() == 0 {
            return Err(Reason::Concat);
        }
        self.reg(i.a() + i.b() - 1)?;
        let next = self.block_rel(pc, 1)?;
        let (a, n, at) = (self.i32(i.a()), self.i32(i.b()), self.i32(pc as u32));
        let first = self.reg(i.a())?;
        self.alloc_call(
            Helper::Concat,
            &[self.ctx, a, n, at],
            pc,
            pc,
            Reason::Concat,
            Writes::From(first),
        );
        self.jump(next);
        Ok(())
    }
}

/// A CALL that may be computed in place instead of called (INTRINSICS, LEAF-INLINE).
#[derive(Clone, Copy)]
pub(crate) enum InPlace<'p> {
    /// The body of this leaf.
    Leaf(&'p Proto),
    /// `math.sqrt` of one number.
    Sqrt,
    /// `string.byte` of one position.
    Byte,
}

/// How the CALL `i` at `pc` may be computed in place, under the register facts
/// `states`, the call sites and the upvalues' callees: a leaf whose result agrees with
/// what the analysis expects after the call, `math.sqrt` (one argument, one result) or
/// `string.byte` (two arguments, one result that nothing expects to be other than an
/// integer). `None`: the general call.
pub(crate) fn in_place_call<'p>(
    i: Instruction,
    pc: usize,
    states: &[Option<RegState>],
    sites: &[CallSite],
    callees: &'p [Option<Rc<Proto>>],
) -> Option<InPlace<'p>> {
    if i.opcode() != Some(OpCode::Call) {
        return None;
    }
    if let Some(p) = crate::inline_leaf::leaf_callee(i, pc, states, sites, callees) {
        return Some(InPlace::Leaf(p));
    }
    let site = sites.get(pc).copied().unwrap_or_default();
    let after = (states.get(pc + 1))
        .and_then(|s| s.as_ref())
        .and_then(|s| s.ty.get(i.a() as usize).copied());
    let int_after = matches!(after, None | Some(Ty::Any) | Some(Ty::Int));
    match (i.b(), i.c()) {
        (2, 2) if site.maybe_sqrt => Some(InPlace::Sqrt),
        (3, 2) if site.maybe_byte && int_after => Some(InPlace::Byte),
        _ => None,
    }
}

/// The CALLs (by pc, true) whose in-place path is the expected one, so that they
/// store nothing before it (anchor: FLUSH-SLOW): a leaf's (its identity guard was
/// right when compiling), and an intrinsic's when the callee was read under its name.
/// A call that may be `math.sqrt` only because nothing is known of its callee stores
/// first, as a general call does: its general path, the likely one, then leaves
/// every register stored. The analysis counts the registers unstored before a lean
/// call, and its result, as still unstored after it (`analysis::Flow::in_place`);
/// its general path stores them before the call helper (`call_slow`).
pub(crate) fn lean_calls(
    code: &[Instruction],
    states: &[Option<RegState>],
    sites: &[CallSite],
    callees: &[Option<Rc<Proto>>],
) -> Vec<bool> {
    (code.iter().enumerate())
        .map(|(pc, &i)| {
            let named = sites.get(pc).is_some_and(|s| s.named_sqrt);
            match in_place_call(i, pc, states, sites, callees) {
                Some(InPlace::Leaf(_) | InPlace::Byte) => true,
                Some(InPlace::Sqrt) => named,
                None => false,
            }
        })
        .collect()
}
