//! Self tail calls made inline (anchor: SELF-TAIL-INLINE): a TAILCALL of the running
//! closure itself, in a function with fixed parameters and nothing to close, restarts
//! the frame in the code, as the tail-call helper's `self_tail` (`TAILCALL_SELF` in
//! `interp/src/jit_iface/call.rs`) does, without calling it: the parameters are copied
//! down from the arguments (nil for missing ones), the call counted, the frame record
//! restarted as a tail call's (`CallInfo::restart_as_tail`) and the code goes on at
//! its entry for pc 0, which loads the registers and checks the types it assumes. A
//! recursion written with tail calls (ackermann's `return ack(m - 1, ack(m, k - 1))`)
//! is a loop in the code. Any check that fails leaves everything unchanged and falls
//! to the helper.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder};
use moonjet_bytecode::Instruction;
use moonjet_interp::abi::{
    ci_offsets as ci, CIST_CLOSE, CIST_FIN, CIST_LUA, CIST_META_MASK, CIST_TAIL,
};
use moonjet_interp::jit_iface::{ctx_offsets as cx, direct_offsets as d, tags};

use crate::translate::{mem, mem_const, FunctionTranslator, PAYLOAD, PTR, TAG};

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
        let ra = (a * VALUE as u32) as i32;
        let tag = self.tag(ra);
        let is_fn = self.is(tag, tags::LUA_FN);
        self.or_slow(is_fn, helper);
        let cl = self.payload(ra, types::I64);
        let running = self.b.ins().load(PTR, mem_const(), self.ctx, cx::CLOSURE);
        let closure = self.b.ins().iadd_imm_s(cl, d::CLOSURE as i64);
        let same = self.b.ins().icmp(IntCC::Equal, closure, running);
        self.or_slow(same, helper);
        let lua = self.b.ins().load(PTR, mem_const(), self.ctx, cx::LUA);
        let fp = self.b.ins().load(PTR, mem(), running, PROTO_FROM_CLOSURE);
        // No hook, the JIT active, the running code current (`flush` makes it stale).
        self.runnable_code(lua, fp, helper);
        let nargs = match fixed {
            Some(n) => Nargs::Fixed(n),
            None => Nargs::Dynamic(self.open_args(lua, a, helper)),
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

    /// R[j] := R[A+1+j] for the `nparams` parameters, nil past the arguments. Upwards:
    /// the sources are above their destinations.
    fn move_params(&mut self, a: u32, nparams: u32, nargs: Nargs) {
        let base = self.base();
        for j in 0..nparams {
            let src = ((a + 1 + j) * VALUE as u32) as i32;
            let dst = (j * VALUE as u32) as i32;
            let present = match nargs {
                Nargs::Fixed(n) if j < n => None,
                Nargs::Fixed(_) => Some(self.truth(false)),
                Nargs::Dynamic(n) => Some(self.b.ins().icmp_imm_s(
                    IntCC::UnsignedGreaterThan,
                    n,
                    j as i64,
                )),
            };
            let tag = self.b.ins().load(types::I64, mem(), base, src + TAG);
            let bits = self.b.ins().load(types::I64, mem(), base, src + PAYLOAD);
            let (tag, bits) = match present {
                None => (tag, bits),
                Some(p) => {
                    let nil = self.b.ins().iconst(types::I64, tags::NIL as i64);
                    let zero = self.b.ins().iconst(types::I64, 0);
                    (
                        self.b.ins().select(p, tag, nil),
                        self.b.ins().select(p, bits, zero),
                    )
                }
            };
            self.b.ins().store(mem(), tag, base, dst + TAG);
            self.b.ins().store(mem(), bits, base, dst + PAYLOAD);
        }
    }

    /// Counts the call and the entry and restarts the frame record `rec` (flags
    /// `flags`) as `CallInfo::restart_as_tail` does; the stack top goes to the frame's.
    fn restart_frame(&mut self, lua: ir::Value, fp: ir::Value, rec: ir::Value, flags: ir::Value) {
        self.count(fp, d::CALLS, types::I32, false);
        self.count(fp, d::ENTRIES, types::I32, true);
        // pc 0 beside the unchanged top, nvarargs 0 beside nresults, aux 0 beside flags.
        let top = self.b.ins().load(types::I32, mem(), rec, ci::TOP as i32);
        let zero = self.b.ins().iconst(types::I32, 0);
        self.b.ins().store(mem(), zero, rec, ci::PC as i32);
        self.b.ins().store(mem(), zero, rec, ci::NVARARGS as i32);
        self.b.ins().store(mem(), zero, rec, ci::AUX as i32);
        let meta = self.b.ins().band_imm_s(flags, CIST_META_MASK as i64);
        let flags = self.b.ins().bor_imm_s(meta, (CIST_LUA | CIST_TAIL) as i64);
        self.b.ins().store(mem(), flags, rec, ci::FLAGS as i32);
        let top = self.b.ins().uextend(types::I64, top);
        self.b.ins().store(mem(), top, lua, d::TOP);
    }
}

/// How many arguments a self tail call passes.
#[derive(Clone, Copy)]
enum Nargs {
    /// B - 1, known.
    Fixed(u32),
    /// Up to the stack top (B = 0): the count at run time.
    Dynamic(ir::Value),
}
