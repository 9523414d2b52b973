//! Self tail calls made inline (anchor: SELF-TAIL-INLINE): a TAILCALL of the running
//! closure itself, in a function with fixed parameters and nothing to close, restarts
//! the frame in the code, as the tail-call helper's `self_tail` (`TAILCALL_SELF` in
//! `interp/src/jit_iface/call.rs`) does, without calling it: the parameters are copied
//! down from the arguments (nil for missing fixed ones; open arguments, B = 0, are
//! taken inline only when they give every parameter), the call counted, the frame record
//! restarted as a tail call's (`CallInfo::restart_as_tail`) and the code goes on at
//! its entry for pc 0, which loads the registers and checks the types it assumes. A
//! recursion written with tail calls (ackermann's `return ack(m - 1, ack(m, k - 1))`)
//! is a loop in the code. Any check that fails leaves everything unchanged and falls
//! to the helper.
//!
//! Tail calls of another compiled closure made inline (anchor: TAIL-NEST-INLINE): in a
//! nested activation whose frame no tail call made, a TAILCALL of a compiled Lua
//! function does what the tail-call helper's `tail_fast` and `run_tail_first`
//! (TAIL-NEST in `interp/src/jit_iface/call.rs`) do, without calling it: the function
//! and its arguments move down to the frame's function slot, the frame record restarts
//! as the callee's (a tail call's, `CIST_TAIL`), the call and entry are counted and the
//! callee's code runs one level deeper with a context of its own (`callee_ctx`, as
//! DIRECT-CALL's). When it returned from a RETURN, its results are the running code's:
//! the code leaves with `STATUS_RETURNED` at that pc and the callee's `ret_reg` /
//! `ret_n`. Any other outcome goes to `Helpers::tail_done`, which answers as the tail
//! helper would have. The checks are `tail_fast`'s: fixed arguments (B = 0 only with
//! exactly one, the result of a call), the callee takes at most that many parameters
//! and is not vararg (DIRECT-KEY), the running function is not vararg and has nothing
//! to close (k), its register window holds the callee's, the Rust stack has room.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder};
use moonjet_bytecode::Instruction;
use moonjet_interp::abi::{
    ci_offsets as ci, CIST_CLOSE, CIST_FIN, CIST_LUA, CIST_META_MASK, CIST_TAIL,
};
use moonjet_interp::jit_iface::{
    ctx_offsets as cx, direct_offsets as d, tags, RET_DONE, STATUS_RETURNED, TAILCALL_RETURNED,
};

use crate::reasons::Reason;
use crate::translate::{mem, mem_const, mem_vec, FunctionTranslator, Helper, PAYLOAD, PTR, TAG};

/// Bytes per value.
const VALUE: i32 = 16;

/// The closure's prototype box, from the closure (what `ctx.closure` points at).
const PROTO_FROM_CLOSURE: i32 = d::CLOSURE_PROTO - d::CLOSURE;

impl FunctionTranslator<'_> {
    /// The inline self tail call of TAILCALL `i` (registers stored): when `R[A]` is the
    /// running closure and the checks hold, restarts the frame and jumps to the entry
    /// for pc 0; continues (in a new block) at the helper's path otherwise. Emits
    /// nothing when the call cannot be one statically: a vararg function (its
    /// parameters were moved), something to close (k), arguments reaching past the
    /// registers.
    pub fn emit_self_tail(&mut self, i: Instruction) {
        let Some(nparams) = self.fixed_params else {
            return;
        };
        let (a, b) = (i.a(), i.b());
        let fixed = b.checked_sub(1);
        // The parameters are read from R[A+1 ..]: inside the register window.
        if i.k()
            || a + 1 + nparams > self.max_stack
            || fixed.is_some_and(|n| a + n > self.max_stack)
        {
            return;
        }
        let helper = self.new_block();
        let (_, cl) = self.lua_fn_at(a, helper);
        let running = self.b.ins().load(PTR, mem_const(), self.ctx, cx::CLOSURE);
        let closure = self.b.ins().iadd_imm_s(cl, d::CLOSURE as i64);
        let same = self.b.ins().icmp(IntCC::Equal, closure, running);
        self.or_slow(same, helper);
        let lua = self.b.ins().load(PTR, mem_const(), self.ctx, cx::LUA);
        let fp = self.b.ins().load(PTR, mem(), running, PROTO_FROM_CLOSURE);
        // No hook, the JIT active, the running code current (`flush` makes it stale).
        self.key_check(lua, fp, nparams, true, helper);
        let nargs = match fixed {
            Some(n) => n,
            None => {
                // Open arguments: inline only when they give every parameter (the
                // common case; fewer go to the helper, which fills in nils).
                let n = self.open_args(lua, a, helper);
                let all =
                    self.b
                        .ins()
                        .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, n, nparams as i64);
                self.or_slow(all, helper);
                nparams
            }
        };
        let rec = self.top_frame(lua);
        let flags = self.b.ins().load(types::I32, mem(), rec, ci::FLAGS as i32);
        let special = self
            .b
            .ins()
            .band_imm_s(flags, (CIST_FIN | CIST_CLOSE) as i64);
        let plain = self.b.ins().icmp_imm_s(IntCC::Equal, special, 0);
        self.or_slow(plain, helper);
        self.move_params(a, nparams, nargs);
        self.restart_frame(lua, fp, rec, flags);
        let entry = self.b.create_block();
        self.b.ins().jump(entry, &[]);
        self.fill_entry(entry, 0);
        self.at(helper);
    }

    /// TAIL-NEST-INLINE for TAILCALL `i` (registers stored, followed by `RETURN A 0`):
    /// runs a compiled callee as above and leaves with its return; an outcome other
    /// than a plain return goes to `after` with `Helpers::tail_done`'s answer. Continues
    /// (in a new block) at the helper's path when a check fails; emits nothing when the
    /// call cannot be one statically.
    pub fn emit_tail_nest(&mut self, i: Instruction, after: ir::Block) {
        let (a, b) = (i.a(), i.b());
        let nargs = b.saturating_sub(1).max(u32::from(b == 0));
        if self.fixed_params.is_none() || i.k() || a + 1 + nargs > self.max_stack {
            return;
        }
        let helper = self.new_block();
        let (ra, cl) = self.lua_fn_at(a, helper);
        let lua = self.ctx_word(cx::LUA);
        // A nested activation (TAIL-NEST: the outermost one's frame is the
        // interpreter's to continue).
        let depth = self
            .b
            .ins()
            .load(types::I32, mem_const(), self.ctx, cx::DEPTH);
        let nested = self.b.ins().icmp_imm_s(IntCC::NotEqual, depth, 0);
        self.or_slow(nested, helper);
        let bidx = self.ctx_word(cx::BASE_INDEX);
        if b == 0 {
            // Exactly one argument: the top is just above R[A+1].
            let top = self.word(lua, d::TOP);
            let one = self.b.ins().iadd_imm_s(bidx, a as i64 + 2);
            let exact = self.b.ins().icmp(IntCC::Equal, top, one);
            self.or_slow(exact, helper);
        }
        let fp = self.word(cl, d::CLOSURE_PROTO);
        self.key_check(lua, fp, nargs, false, helper);
        let code = self.checks(lua, fp, helper);
        let (rec, idx) = self.top_frame_at(lua);
        let flags = self.b.ins().load(types::I32, mem(), rec, ci::FLAGS as i32);
        let special = (CIST_TAIL | CIST_FIN | CIST_CLOSE) as i64;
        let special = self.b.ins().band_imm_s(flags, special);
        let plain = self.b.ins().icmp_imm_s(IntCC::Equal, special, 0);
        self.or_slow(plain, helper);
        // The callee's window from the same base, inside the stack and its limit.
        let ms = self.b.ins().load(types::I32, mem(), fp, d::MAX_STACK);
        let ms = self.b.ins().uextend(types::I64, ms);
        let ftop = self.b.ins().iadd(bidx, ms);
        let fend = self.b.ins().iadd_imm_s(ftop, d::EXTRA_STACK);
        for off in [d::STACK_LEN, d::STACK_LIMIT] {
            let bound = self.word(lua, off);
            let inside = self
                .b
                .ins()
                .icmp(IntCC::UnsignedLessThanOrEqual, fend, bound);
            self.or_slow(inside, helper);
        }
        // The function and its arguments to the function slot: upwards, the sources
        // are above their destinations.
        let base = self.base();
        for j in 0..=nargs as i32 {
            let v = self
                .b
                .ins()
                .load(types::I64X2, mem_vec(), base, ra + j * VALUE);
            self.b.ins().store(mem_vec(), v, base, (j - 1) * VALUE);
        }
        self.count(fp, d::CALLS, types::I32);
        self.count(fp, d::ENTRIES, types::I64);
        self.count(lua, d::JIT_NATIVE_CALLS, types::I64);
        let top32 = self.b.ins().ireduce(types::I32, ftop);
        self.b.ins().store(mem(), top32, rec, ci::TOP as i32);
        self.restart_record(rec, flags);
        self.b.ins().store(mem(), ftop, lua, d::TOP);
        // FAST-RETURN passes through: the callee's results go to this frame's function
        // slot, where the caller wants them, so it gets this activation's `ret_n` (the
        // one it was entered with: the word is written only when the code leaves).
        let ret = self.word(self.ctx, cx::RET_REG);
        let cctx = self.callee_ctx(lua, fp, cl, base, bidx, ret);
        let sig = self.direct_slot().1;
        let zero = self.i32(0);
        let call = self.b.ins().call_indirect(sig, code, &[cctx, base, zero]);
        let next = self.b.inst_results(call)[0];
        self.arrays_after_call();
        self.tail_nest_outcome(cctx, idx, next, after);
        self.at(helper);
    }

    /// After the tail callee's code (context `cctx`, frame `idx`) returned `next`: a
    /// plain return is the running code's (its results described as the callee's);
    /// anything else goes to `after` with `Helpers::tail_done`'s answer.
    fn tail_nest_outcome(
        &mut self,
        cctx: ir::Value,
        idx: ir::Value,
        next: ir::Value,
        after: ir::Block,
    ) {
        // A FAST-RETURN of the callee is this activation's: the results are in place.
        let other = self.on_ret_done(next);
        let d = self.i32(RET_DONE);
        self.b.ins().return_(&[d]);
        self.at(other);
        let status = self.b.ins().load(types::I32, mem(), cctx, cx::STATUS);
        let returned = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, status, STATUS_RETURNED as i64);
        // `TAILCALL_RETURNED` is the sign bit: a pc below it fits the answer.
        const _: () = assert!(TAILCALL_RETURNED == 1 << 31);
        let fits = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, next, 0);
        let plain = self.b.ins().band(returned, fits);
        let (yes, slow) = (self.new_block(), self.new_block());
        self.branch(plain, yes, slow);
        self.at(yes);
        // `ret_reg` and `ret_n` as one word (DIRECT-CALL pins the pair).
        let w = self.b.ins().load(types::I64, mem(), cctx, cx::RET_REG);
        self.b.ins().store(mem(), w, self.ctx, cx::RET_REG);
        let st = self.i32(Reason::Returned.status());
        self.b.ins().jump(
            self.exit_block,
            &[ir::BlockArg::Value(next), ir::BlockArg::Value(st)],
        );
        self.at(slow);
        let r = self.call(Helper::TailDone, &[self.ctx, cctx, idx, next]);
        self.b.ins().jump(after, &[ir::BlockArg::Value(r)]);
    }

    /// The byte offset of R[A] and the closure's box it holds, falling to `helper` when
    /// it holds no Lua function (the first check of both inline tail calls).
    fn lua_fn_at(&mut self, a: u32, helper: ir::Block) -> (i32, ir::Value) {
        let ra = (a * VALUE as u32) as i32;
        let tag = self.tag(ra);
        let is_fn = self.is(tag, tags::LUA_FN);
        self.or_slow(is_fn, helper);
        (ra, self.payload(ra, types::I64))
    }

    /// The address of the top frame record (the running function's) and its index.
    fn top_frame_at(&mut self, lua: ir::Value) -> (ir::Value, ir::Value) {
        let frames = self.b.ins().load(PTR, mem(), lua, d::FRAMES_PTR);
        let len = self.b.ins().load(types::I64, mem(), lua, d::FRAMES_LEN);
        let idx = self.b.ins().iadd_imm_s(len, -1);
        let off = self.b.ins().imul_imm_s(idx, d::CALLINFO_SIZE);
        (self.b.ins().iadd(frames, off), idx)
    }

    /// B = 0: the arguments run from R[A+1] up to the stack top (V-TOP); their count,
    /// continuing only when the top is above R[A].
    fn open_args(&mut self, lua: ir::Value, a: u32, fail: ir::Block) -> ir::Value {
        let top = self.b.ins().load(types::I64, mem(), lua, d::TOP);
        let bidx = self
            .b
            .ins()
            .load(PTR, mem_const(), self.ctx, cx::BASE_INDEX);
        let first = self.b.ins().iadd_imm_s(bidx, a as i64 + 1);
        let above = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, top, first);
        self.or_slow(above, fail);
        self.b.ins().isub(top, first)
    }

    /// The address of the top frame record (the running function's).
    fn top_frame(&mut self, lua: ir::Value) -> ir::Value {
        let frames = self.b.ins().load(PTR, mem(), lua, d::FRAMES_PTR);
        let len = self.b.ins().load(types::I64, mem(), lua, d::FRAMES_LEN);
        let off = self.b.ins().imul_imm_s(len, d::CALLINFO_SIZE);
        let end = self.b.ins().iadd(frames, off);
        self.b.ins().iadd_imm_s(end, -d::CALLINFO_SIZE)
    }

    /// R[j] := R[A+1+j] for the `nparams` parameters, nil past the `nargs` arguments.
    /// Upwards: the sources are above their destinations.
    fn move_params(&mut self, a: u32, nparams: u32, nargs: u32) {
        let base = self.base();
        for j in 0..nparams {
            let src = ((a + 1 + j) * VALUE as u32) as i32;
            let dst = (j * VALUE as u32) as i32;
            if j < nargs {
                // The whole value at once.
                let v = self.b.ins().load(types::I64X2, mem_vec(), base, src);
                self.b.ins().store(mem_vec(), v, base, dst);
            } else {
                let nil = self.b.ins().iconst(types::I64, tags::NIL as i64);
                let zero = self.b.ins().iconst(types::I64, 0);
                self.b.ins().store(mem(), nil, base, dst + TAG);
                self.b.ins().store(mem(), zero, base, dst + PAYLOAD);
            }
        }
    }

    /// Counts the call and the entry and restarts the frame record `rec` (flags
    /// `flags`) as `CallInfo::restart_as_tail` does; the stack top goes to the frame's.
    fn restart_frame(&mut self, lua: ir::Value, fp: ir::Value, rec: ir::Value, flags: ir::Value) {
        self.count(fp, d::CALLS, types::I32);
        self.count(fp, d::ENTRIES, types::I64);
        let top = self.b.ins().load(types::I32, mem(), rec, ci::TOP as i32);
        self.restart_record(rec, flags);
        let top = self.b.ins().uextend(types::I64, top);
        self.b.ins().store(mem(), top, lua, d::TOP);
    }

    /// `CallInfo::restart_as_tail` on record `rec` (flags `flags`) but for its top: pc
    /// 0, nvarargs 0, aux 0, the flags a tail call's.
    fn restart_record(&mut self, rec: ir::Value, flags: ir::Value) {
        let zero = self.b.ins().iconst(types::I32, 0);
        self.b.ins().store(mem(), zero, rec, ci::PC as i32);
        self.b.ins().store(mem(), zero, rec, ci::NVARARGS as i32);
        self.b.ins().store(mem(), zero, rec, ci::AUX as i32);
        let meta = self.b.ins().band_imm_s(flags, CIST_META_MASK as i64);
        let flags = self.b.ins().bor_imm_s(meta, (CIST_LUA | CIST_TAIL) as i64);
        self.b.ins().store(mem(), flags, rec, ci::FLAGS as i32);
    }
}
