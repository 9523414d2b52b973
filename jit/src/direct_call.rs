//! Calls the code makes itself (anchor: DIRECT-CALL in `interp/src/jit_iface/direct.rs`,
//! which states the conditions and the layout): a CALL of a compiled Lua function
//! with fixed arguments and a few fixed results pushes the callee's frame, calls its
//! code and takes its result without going through `Helpers::call`. Every check that
//! fails before the push falls back to that helper; every outcome other than a
//! FAST-RETURN (`RET_DONE`) goes to `Helpers::call_done`, which ends the call as the
//! helper would.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, AbiParam, InstBuilder, Signature};
use cranelift_codegen::ir::{StackSlotData, StackSlotKind};
use moonjet_interp::abi::{ci_offsets as ci, CIST_LUA, CIST_META_MASK};
use moonjet_interp::jit_iface::{
    ctx_offsets as cx, direct_offsets as d, tags, JitCtx, HELPER_OK, RET_DONE, STATUS_NOT_ENTRY,
};

use crate::translate::{mem, mem_const, FunctionTranslator, Helper, PTR};

/// The largest C (results wanted plus one) of a call made inline.
pub const DIRECT_MAX_C: u32 = 4;

/// Bytes per value.
const VALUE: i64 = 16;

/// The context's field pairs stored as one 8-byte word (little-endian x86-64/aarch64).
const _: () = assert!(
    cx::DEPTH == cx::STATUS + 4 && cx::RET_N == cx::RET_REG + 4 && cfg!(target_endian = "little")
);
/// The frame record's field pairs stored as one 8-byte word.
const _: () = assert!(
    ci::BASE == ci::FUNC + 4
        && ci::PC == ci::TOP + 4
        && ci::NVARARGS == ci::NRESULTS + 4
        && ci::AUX == ci::FLAGS + 4
        && ci::FUNC % 8 == 0
        && ci::TOP % 8 == 0
        && ci::NRESULTS % 8 == 0
        && ci::FLAGS % 8 == 0
);

/// Where an inline call goes on: `general` (nothing done: the call helper makes the
/// call), `done` (the call finished, `ctx.base` set), `other` (with the `call_done`
/// helper's answer as its parameter).
pub struct CallPaths {
    /// Before the push, when a check fails.
    pub general: ir::Block,
    /// After the call.
    pub done: ir::Block,
    /// Any other answer of `call_done`.
    pub other: ir::Block,
}

/// The values of one inline call its steps share.
struct Site {
    /// The state.
    lua: ir::Value,
    /// The callee's prototype (its box).
    fp: ir::Value,
    /// The frame count before the push (the callee's frame index).
    flen: ir::Value,
    /// Stack index of the callee's R[0].
    nbase: ir::Value,
    /// The callee's frame top.
    ftop: ir::Value,
    /// `nbase - bidx`.
    delta: i64,
}

impl FunctionTranslator<'_> {
    /// The inline call of `R[A]` at byte offset `ra` with `nargs` fixed arguments and C
    /// = `c` (0, all results, to [`DIRECT_MAX_C`]) at `pc`, the registers stored: falls to `general` (nothing done)
    /// when a check fails before the push, else ends in `done` (the call finished,
    /// `ctx.base` set) or in `other` with the `call_done` helper's answer.
    pub fn emit_direct_call(&mut self, ra: i32, nargs: u32, c: u32, pc: usize, paths: CallPaths) {
        let general = paths.general;
        let tag = self.tag(ra);
        let is_fn = self.is(tag, tags::LUA_FN);
        let check = self.new_block();
        self.branch(is_fn, check, general);
        self.at(check);
        let cl = self.payload(ra, types::I64);
        let (fp, lua) = (self.word(cl, d::CLOSURE_PROTO), self.ctx_word(cx::LUA));
        self.key_check(lua, fp, nargs, false, general);
        let code = self.checks(lua, fp, general);
        // The callee's window: R[0] at stack index `nbase`, up to `ftop` (and
        // EXTRA_STACK more) inside the stack and its limit.
        let bidx = self.ctx_word(cx::BASE_INDEX);
        let nbase = self.b.ins().iadd_imm_s(bidx, ra as i64 / VALUE + 1);
        let ms = self.b.ins().load(types::I32, mem(), fp, d::MAX_STACK);
        let ms = self.b.ins().uextend(types::I64, ms);
        let ftop = self.b.ins().iadd(nbase, ms);
        let fend = self.b.ins().iadd_imm_s(ftop, d::EXTRA_STACK);
        let (slen, slimit) = (self.word(lua, d::STACK_LEN), self.word(lua, d::STACK_LIMIT));
        let in_stack = self
            .b
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, fend, slen);
        self.or_slow(in_stack, general);
        let in_limit = self
            .b
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, fend, slimit);
        self.or_slow(in_limit, general);
        let (flen, fcap) = (self.word(lua, d::FRAMES_LEN), self.word(lua, d::FRAMES_CAP));
        let room = self.b.ins().icmp(IntCC::UnsignedLessThan, flen, fcap);
        self.or_slow(room, general);
        let site = Site {
            lua,
            fp,
            flen,
            nbase,
            ftop,
            delta: ra as i64 / VALUE + 1,
        };
        self.push_frame(&site, c, pc);
        let regs = self.addr(ra + VALUE as i32);
        let ret = self.ret_want(c);
        let cctx = self.callee_ctx(lua, fp, cl, regs, nbase, ret);
        let zero = self.i32(0);
        let sig = self.direct_slot().1;
        let call = self.b.ins().call_indirect(sig, code, &[cctx, regs, zero]);
        let next = self.b.inst_results(call)[0];
        self.arrays_after_call();
        self.finish_direct(&site, cctx, c, next, paths);
    }

    /// The word (8 bytes) at `off` from `p`.
    pub(crate) fn word(&mut self, p: ir::Value, off: i32) -> ir::Value {
        self.b.ins().load(types::I64, mem(), p, off)
    }

    /// The context's word at `off`, fixed for the activation.
    pub(crate) fn ctx_word(&mut self, off: i32) -> ir::Value {
        self.b.ins().load(PTR, mem_const(), self.ctx, off)
    }

    /// Falls to `fail` unless prototype `fp` (its box) has code that can run now with
    /// `nargs` arguments, in one subtraction (DIRECT-KEY in
    /// `interp/src/jit_iface/direct.rs`): the code exists in the current generation, no
    /// hook is set, the JIT is active, the function is not vararg and takes at most
    /// `nargs` parameters (exactly `nargs` when `exact`: SELF-TAIL-INLINE's check of
    /// the running prototype, whose parameter count it knows).
    pub(crate) fn key_check(
        &mut self,
        lua: ir::Value,
        fp: ir::Value,
        nargs: u32,
        exact: bool,
        fail: ir::Block,
    ) {
        let key = self.word(fp, d::KEY);
        let live = self.word(lua, d::LIVE_KEY);
        let diff = self.b.ins().isub(key, live);
        let cc = if exact {
            IntCC::Equal
        } else {
            IntCC::UnsignedLessThanOrEqual
        };
        let ok = self.b.ins().icmp_imm_s(cc, diff, nargs as i64);
        self.or_slow(ok, fail);
    }

    /// The callee's code after [`Self::key_check`] passed (DIRECT-KEY: a live key
    /// implies code): falls to `fail` while the Rust stack is below the native limit
    /// (NATIVE-STACK).
    pub(crate) fn checks(&mut self, lua: ir::Value, fp: ir::Value, fail: ir::Block) -> ir::Value {
        let limit = self.word(lua, d::JIT_STACK_LIMIT);
        let sp = self.b.ins().get_stack_pointer(PTR);
        let room = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, sp, limit);
        self.or_slow(room, fail);
        self.word(fp, d::CODE)
    }

    /// Pushes the callee's frame as `Lua::try_push_fixed` does (the caller's pc saved
    /// as `pc + 1`, the call counted, the stack top at `ftop`).
    fn push_frame(&mut self, site: &Site, c: u32, pc: usize) {
        let (lua, fp, flen, nbase, ftop) = (site.lua, site.fp, site.flen, site.nbase, site.ftop);
        let frames = self.word(lua, d::FRAMES_PTR);
        let off = self.b.ins().imul_imm_s(flen, d::CALLINFO_SIZE);
        let rec = self.b.ins().iadd(frames, off);
        let caller = -(d::CALLINFO_SIZE as i32);
        let next_pc = self.i32(pc as u32 + 1);
        self.b
            .ins()
            .store(mem(), next_pc, rec, caller + ci::PC as i32);
        let i32 = types::I32;
        let cflags = self
            .b
            .ins()
            .load(i32, mem(), rec, caller + ci::FLAGS as i32);
        // func | base << 32, top | pc 0, nresults | nvarargs 0, flags | aux 0.
        let func = self.b.ins().iadd_imm_s(nbase, -1);
        let hi = self.b.ins().ishl_imm_s(nbase, 32);
        let w0 = self.b.ins().bor(func, hi);
        let meta = self
            .b
            .ins()
            .band_imm_s(cflags, CIST_META_MASK as i32 as i64);
        let flags = self.b.ins().bor_imm_s(meta, CIST_LUA as i64);
        let w3 = self.b.ins().uextend(types::I64, flags);
        // nresults is C - 1 (-1: all), nvarargs 0.
        let w2 = self.i64((c as i32 - 1) as u32 as i64);
        for (w, at) in [
            (w0, ci::FUNC),
            (ftop, ci::TOP),
            (w2, ci::NRESULTS),
            (w3, ci::FLAGS),
        ] {
            self.b.ins().store(mem(), w, rec, at as i32);
        }
        let len = self.b.ins().iadd_imm_s(flen, 1);
        self.b.ins().store(mem(), len, lua, d::FRAMES_LEN);
        self.b.ins().store(mem(), ftop, lua, d::TOP);
        self.count(fp, d::CALLS, types::I32);
        self.count(fp, d::ENTRIES, types::I64);
        self.count(lua, d::JIT_NATIVE_CALLS, types::I64);
    }

    /// Adds one (wrapping, as the interpreter counts) to the counter of type `ty` at
    /// `off` from `p`.
    pub(crate) fn count(&mut self, p: ir::Value, off: i32, ty: ir::Type) {
        let n = self.b.ins().load(ty, mem(), p, off);
        let m = self.b.ins().iadd_imm_s(n, 1);
        self.b.ins().store(mem(), m, p, off);
    }

    /// The stack slot for callees' contexts and the compiled code's signature, made at
    /// the first call site.
    pub(crate) fn direct_slot(&mut self) -> (ir::StackSlot, ir::SigRef) {
        if let Some(d) = self.direct {
            return d;
        }
        let size = core::mem::size_of::<JitCtx>() as u32;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            size,
            3,
        ));
        let mut s = Signature::new(self.call_conv());
        s.params.extend([PTR, PTR, types::I32].map(AbiParam::new));
        s.returns.push(AbiParam::new(types::I32));
        let sig = self.b.import_signature(s);
        self.direct = Some((slot, sig));
        (slot, sig)
    }

    /// Fills the context of closure `cl` (its box; prototype box `fp`) with R[0] at
    /// `regs`, stack index `nbase`, as `call.rs`'s `enter` does, with `ret` as its
    /// `ret_reg` / `ret_n` word (FAST-RETURN: [`Self::ret_want`]); its address.
    pub(crate) fn callee_ctx(
        &mut self,
        lua: ir::Value,
        fp: ir::Value,
        cl: ir::Value,
        regs: ir::Value,
        nbase: ir::Value,
        ret: ir::Value,
    ) -> ir::Value {
        let slot = self.direct_slot().0;
        let cctx = self.b.ins().stack_addr(PTR, slot, 0);
        let closure = self.b.ins().iadd_imm_s(cl, d::CLOSURE as i64);
        let consts = self.word(fp, d::CONSTS);
        let depth = self.b.ins().load(types::I32, mem(), self.ctx, cx::DEPTH);
        let depth = self.b.ins().iadd_imm_s(depth, 1);
        let depth = self.b.ins().uextend(types::I64, depth);
        let depth = self.b.ins().ishl_imm_s(depth, 32);
        let status = self.b.ins().bor_imm_s(depth, STATUS_NOT_ENTRY as i64);
        let thread = self.ctx_word(cx::THREAD);
        let fields = [
            (lua, cx::LUA),
            (closure, cx::CLOSURE),
            (consts, cx::CONSTS),
            (status, cx::STATUS),
            (regs, cx::BASE),
            (ret, cx::RET_REG),
            (thread, cx::THREAD),
            (nbase, cx::BASE_INDEX),
        ];
        for (v, at) in fields {
            self.b.ins().store(mem(), v, cctx, at);
        }
        cctx
    }

    /// Continues in a new block when the callee's code answered `next` = `RET_DONE` (a
    /// FAST-RETURN placed its results); returns the block for any other answer.
    pub(crate) fn on_ret_done(&mut self, next: ir::Value) -> ir::Block {
        let (done, other) = (self.new_block(), self.new_block());
        let is_done = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, next, RET_DONE as i32 as i64);
        self.branch(is_done, done, other);
        self.at(done);
        other
    }

    /// The `ret_reg` / `ret_n` word of a callee's context wanting `k` results
    /// (FAST-RETURN): `ret_reg` 0, `ret_n` the code of a call with C = `c`
    /// (RET-DISCARD): `2 * (c - 1)` for a fixed count, 1 for all results.
    pub(crate) fn ret_want(&mut self, c: u32) -> ir::Value {
        let code = if c == 0 { 1 } else { (c - 1) << 1 };
        self.i64((code as i64) << 32)
    }

    /// After the callee's code returned `next`: `RET_DONE` (FAST-RETURN: the callee
    /// placed exactly the results wanted in its function slot) pops the frame, then
    /// `done`; anything else is `call_done`'s, whose answer goes to `done` or `other`.
    /// (A RETURN that FAST-RETURN does not take, with another count, something to
    /// close or a hook set, is rare enough that the helper's general return costs less
    /// than the code and compile time an inline check of each of those would.)
    fn finish_direct(
        &mut self,
        site: &Site,
        cctx: ir::Value,
        c: u32,
        next: ir::Value,
        paths: CallPaths,
    ) {
        let (done, other) = (paths.done, paths.other);
        let slow = self.on_ret_done(next);
        // The state and the caller's base index read again rather than kept across
        // the call (fewer spills): the context's words do not change.
        let lua = self.b.ins().load(PTR, mem(), self.ctx, cx::LUA);
        let bidx = self.b.ins().load(PTR, mem(), self.ctx, cx::BASE_INDEX);
        self.pop_direct(lua, bidx, site, c);
        self.jump(done);
        self.at(slow);
        let r = self.call(Helper::CallDone, &[self.ctx, cctx, site.flen, next]);
        let is_ok = self.b.ins().icmp_imm_s(IntCC::Equal, r, HELPER_OK as i64);
        self.b
            .ins()
            .brif(is_ok, done, &[], other, &[ir::BlockArg::Value(r)]);
    }

    /// Pops the callee's frame of `site` (its results placed) as `finish_return` does:
    /// the frame count, the stack top and the caller's base (`ctx.base`, the stack may
    /// have moved) back to the caller's, whose R[0] is at stack index `bidx`.
    fn pop_direct(&mut self, lua: ir::Value, bidx: ir::Value, site: &Site, c: u32) {
        self.b.ins().store(mem(), site.flen, lua, d::FRAMES_LEN);
        // The caller's frame top is its R[0] plus its frame size, as for every Lua
        // frame (`try_push_fixed`, `restart_as_tail`); with all results, just above the
        // one result.
        let top = if c == 0 {
            self.b.ins().iadd_imm_s(bidx, site.delta)
        } else {
            self.b.ins().iadd_imm_s(bidx, self.max_stack as i64)
        };
        self.b.ins().store(mem(), top, lua, d::TOP);
        let stack = self.word(lua, d::STACK_PTR);
        let base = self.slot_addr(stack, bidx, 0);
        self.b.ins().store(mem(), base, self.ctx, cx::BASE);
    }

    /// FAST-RETURN (`interp/src/jit_iface.rs`) at a RETURN of the `n` values from
    /// R[`ra`] with nothing to close: when the inline call that entered the code wants
    /// exactly `n` (`ctx.ret_n`) and no hook is set, stores them to the function slot
    /// and up (below R[`ra`], so in increasing order) and returns `RET_DONE`; continues
    /// in a new block otherwise.
    ///
    /// A call that wants fewer values (a call as a statement: `inc(k)`, `t:add(x)`)
    /// takes it too (anchor: RET-DISCARD): all `n` values are stored, the ones past
    /// those it wants into slots it no longer uses (a CALL's registers from R[A] up are
    /// temporaries; the callee's frame overwrote them when interpreted too). A call
    /// that wants all results takes it only for exactly one. So with the code of
    /// [`Self::ret_want`] (`RET_NONE`, the largest, when no inline call entered), one
    /// compare: code 0 for no value; code at most 2 (none, one, all) for one; for more,
    /// the code rotated right by one bit (a fixed count `k` becomes `k`, "all" and
    /// `RET_NONE` huge numbers) at most `n`.
    pub(crate) fn fast_return(&mut self, ra: u32, n: u32) {
        let code = self.b.ins().load(types::I32, mem(), self.ctx, cx::RET_N);
        let (code, most) = match n {
            0 => (code, 0),
            1 => (code, 2),
            _ => (self.b.ins().rotr_imm_u(code, 1), n as i64),
        };
        let taken = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThanOrEqual, code, most);
        let (check, fast, normal) = (self.new_block(), self.new_block(), self.new_block());
        self.branch(taken, check, normal);
        self.at(check);
        let lua = self.ctx_word(cx::LUA);
        let hook = self.b.ins().load(types::I8, mem(), lua, d::HOOK_MASK);
        let no_hook = self.b.ins().icmp_imm_s(IntCC::Equal, hook, 0);
        self.branch(no_hook, fast, normal);
        self.at(fast);
        let base = self.base();
        for k in 0..n {
            self.store_reg_at(ra + k, base, (k as i32 - 1) * VALUE as i32);
        }
        let done = self.i32(RET_DONE);
        self.b.ins().return_(&[done]);
        self.at(normal);
    }

    /// The address of stack slot `index` (plus `delta` bytes) from the stack's start.
    fn slot_addr(&mut self, stack: ir::Value, index: ir::Value, delta: i64) -> ir::Value {
        let off = self.b.ins().ishl_imm_s(index, 4);
        let a = self.b.ins().iadd(stack, off);
        self.b.ins().iadd_imm_s(a, delta)
    }
}
