//! The function translator: one Cranelift function per prototype, one Cranelift block
//! per bytecode instruction, one `translate_<op>` per opcode found through [`translator`].
//!
//! Shape of the generated function (JIT-ENTRY in `jit_iface.rs`):
//! ```text
//!   entry(ctx, base, entry_pc):  switch entry_pc { entry pcs -> pc blocks, _ -> not_entry }
//!   pc block n:                  the instruction at n; falls to block n+1 or branches
//!   exit(pc, reason):            ctx.status = reason; return pc
//! ```
//! Registers live in the value stack: every instruction loads its operands from
//! `base + 16 * r` and stores its result there, so nothing is live across blocks and
//! an exit is a jump to `exit` with the pc of the instruction to resume at.
//!
//! A `translate_<op>` either emits the instruction (guards exit at its own pc, before
//! any side effect) or returns a [`Reason`] before emitting anything; the driver then
//! makes the block an exit with that reason. Never a whole function refused.

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, types, AbiParam, BlockArg, InstBuilder, MemFlagsData, Signature,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, Switch};
use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::{ctx_offsets, helper_offsets, tags};
use moonjet_interp::Value;

use crate::reasons::Reason;

/// Bytes per `Value` (FRAME-LAYOUT).
pub const VALUE_SIZE: i32 = 16;
/// Offset of the tag byte in a `Value`.
pub const TAG: i32 = moonjet_interp::abi::value_offsets::TAG as i32;
/// Offset of the payload in a `Value`.
pub const PAYLOAD: i32 = moonjet_interp::abi::value_offsets::PAYLOAD as i32;

const _: () = assert!(core::mem::size_of::<Value>() == VALUE_SIZE as usize);

/// What became of one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Compiled natively (it may still exit through a guard).
    Native,
    /// Always handed to the interpreter, for this reason.
    Fallback(Reason),
}

/// A translation function: emits the instruction at `pc` or names why not.
pub type Translate<'a> = fn(&mut FunctionTranslator<'a>, Instruction, usize) -> Result<(), Reason>;

/// The runtime helpers of `jit_iface::Helpers` and their signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Helper {
    /// `get_upval(ctx, up, dst)`
    GetUpval,
    /// `set_upval(ctx, up, val)`
    SetUpval,
    /// `get_table(ctx, t, key, dst)`
    GetTable,
    /// `get_int(ctx, t, i, dst)`
    GetInt,
    /// `get_field(ctx, t, k, dst)`
    GetField,
    /// `get_tabup(ctx, up, k, dst)`
    GetTabUp,
    /// `set_table(ctx, t, key, val)`
    SetTable,
    /// `set_int(ctx, t, i, val)`
    SetInt,
    /// `set_field(ctx, t, k, val)`
    SetField,
    /// `set_tabup(ctx, up, k, val)`
    SetTabUp,
    /// `len(ctx, src, dst)`
    Len,
    /// `for_prep(ctx, ra)`
    ForPrep,
    /// `pow(a, b)`
    Pow,
    /// `fmod(a, b)`
    FMod,
    /// `cmp_mixed(op, i, f)`
    CmpMixed,
    /// `call(ctx, ra, b, c, pc)`
    Call,
    /// `new_table(ctx, a, narr, nhash, pc)`
    NewTable,
    /// `closure(ctx, a, bx, pc)`
    Closure,
    /// `concat(ctx, a, n, pc)`
    Concat,
    /// `tail_call(ctx, ra, b, pc)`
    TailCall,
}

/// Pointer type (the engine only runs on 64-bit targets).
pub const PTR: ir::Type = types::I64;

impl Helper {
    /// Offset of its pointer in `Helpers`.
    fn offset(self) -> i32 {
        use helper_offsets as o;
        match self {
            Helper::GetUpval => o::GET_UPVAL,
            Helper::SetUpval => o::SET_UPVAL,
            Helper::GetTable => o::GET_TABLE,
            Helper::GetInt => o::GET_INT,
            Helper::GetField => o::GET_FIELD,
            Helper::GetTabUp => o::GET_TABUP,
            Helper::SetTable => o::SET_TABLE,
            Helper::SetInt => o::SET_INT,
            Helper::SetField => o::SET_FIELD,
            Helper::SetTabUp => o::SET_TABUP,
            Helper::Len => o::LEN,
            Helper::ForPrep => o::FOR_PREP,
            Helper::Pow => o::POW,
            Helper::FMod => o::FMOD,
            Helper::CmpMixed => o::CMP_MIXED,
            Helper::Call => o::CALL,
            Helper::NewTable => o::NEW_TABLE,
            Helper::Closure => o::CLOSURE,
            Helper::Concat => o::CONCAT,
            Helper::TailCall => o::TAIL_CALL,
        }
    }

    /// Parameter types and result type (the `extern "C"` signature).
    fn signature(self) -> (&'static [ir::Type], ir::Type) {
        use types::{F64, I32, I64};
        match self {
            Helper::GetUpval | Helper::SetUpval => (&[PTR, I32, PTR], I32),
            Helper::GetTable | Helper::SetTable => (&[PTR, PTR, PTR, PTR], I32),
            Helper::GetInt | Helper::SetInt => (&[PTR, PTR, I64, PTR], I32),
            Helper::GetField | Helper::SetField => (&[PTR, PTR, I32, PTR], I32),
            Helper::GetTabUp | Helper::SetTabUp => (&[PTR, I32, I32, PTR], I32),
            Helper::Len => (&[PTR, PTR, PTR], I32),
            Helper::ForPrep => (&[PTR, PTR], I32),
            Helper::Pow | Helper::FMod => (&[F64, F64], F64),
            Helper::CmpMixed => (&[I32, I64, F64], I32),
            Helper::Call => (&[PTR, PTR, I32, I32, I32], I32),
            Helper::NewTable => (&[PTR, I32, I32, I32, I32], I32),
            Helper::Closure | Helper::Concat => (&[PTR, I32, I32, I32], I32),
            Helper::TailCall => (&[PTR, PTR, I32, I32], I32),
        }
    }
}

/// Memory flags of every access compiled code makes: aligned, never trapping (the
/// translator only forms addresses of registers below `max_stack` and of constants).
pub fn mem() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Memory flags of 16-byte (whole value) accesses: never trapping, only 8-byte aligned.
pub fn mem_vec() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// Translates one prototype into the Cranelift function a builder is building.
pub struct FunctionTranslator<'a> {
    /// The builder.
    pub b: FunctionBuilder<'a>,
    /// The bytecode.
    pub code: &'a [Instruction],
    /// The constants (their types drive the K forms).
    pub consts: &'a [Value],
    /// Registers are `0 .. max_stack`.
    max_stack: u32,
    /// Calling convention of helpers.
    call_conv: CallConv,
    /// `ctx` parameter.
    pub ctx: ir::Value,
    /// R[0], the `base` parameter. A call or allocating helper may move the stack
    /// (it then rewrites `ctx.base`): the code checks and, if so, leaves (`Unwind`) to
    /// be re-entered with the new base, which happens only when the stack grows.
    base: ir::Value,
    /// The constants' address (`ctx.consts`).
    pub kbase: ir::Value,
    /// The helper table's address (`ctx.helpers`).
    helpers: ir::Value,
    /// One block per pc.
    blocks: Vec<ir::Block>,
    /// The exit block `(pc, reason)`.
    exit_block: ir::Block,
    /// Imported helper signatures.
    sigs: HashMap<Helper, ir::SigRef>,
    /// What became of each instruction.
    pub outcome: Vec<Outcome>,
}

impl<'a> FunctionTranslator<'a> {
    // ------------------------------------------------------------------ driver

    /// Sets up the entry switch over `entries` and the exit block.
    pub fn new(
        mut b: FunctionBuilder<'a>,
        code: &'a [Instruction],
        consts: &'a [Value],
        max_stack: u32,
        call_conv: CallConv,
        entries: &[usize],
    ) -> Self {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let (ctx, base, entry_pc) = (params[0], params[1], params[2]);
        let kbase = b.ins().load(PTR, mem(), ctx, ctx_offsets::CONSTS);
        let helpers = b.ins().load(PTR, mem(), ctx, ctx_offsets::HELPERS);
        let blocks: Vec<ir::Block> = code.iter().map(|_| b.create_block()).collect();
        let exit_block = b.create_block();
        b.append_block_param(exit_block, types::I32);
        b.append_block_param(exit_block, types::I32);
        let not_entry = b.create_block();
        let mut sw = Switch::new();
        for &pc in entries {
            sw.set_entry(pc as u128, blocks[pc]);
        }
        sw.emit(&mut b, entry_pc, not_entry);
        b.switch_to_block(not_entry);
        let reason = b.ins().iconst(types::I32, Reason::NotEntry.status() as i64);
        b.ins().jump(
            exit_block,
            &[BlockArg::Value(entry_pc), BlockArg::Value(reason)],
        );
        b.switch_to_block(exit_block);
        let p = b.block_params(exit_block).to_vec();
        b.ins().store(mem(), p[1], ctx, ctx_offsets::STATUS);
        b.ins().return_(&[p[0]]);
        let outcome = vec![Outcome::Native; code.len()];
        FunctionTranslator {
            b,
            code,
            consts,
            max_stack,
            call_conv,
            ctx,
            base,
            kbase,
            helpers,
            blocks,
            exit_block,
            sigs: HashMap::new(),
            outcome,
        }
    }

    /// Translates every instruction, then seals and finalises the function.
    pub fn translate_all(mut self, config: TargetFrontendConfig) -> Vec<Outcome> {
        for pc in 0..self.code.len() {
            self.b.switch_to_block(self.blocks[pc]);
            let i = self.code[pc];
            let Some(op) = i.opcode() else {
                self.fallback(pc, Reason::Invalid);
                continue;
            };
            if let Err(r) = translator(op)(&mut self, i, pc) {
                self.fallback(pc, r);
            }
        }
        self.b.seal_all_blocks();
        self.b.finalize(config);
        self.outcome
    }

    /// Makes the current (still empty) block an exit at `pc` for `reason`.
    fn fallback(&mut self, pc: usize, reason: Reason) {
        self.outcome[pc] = Outcome::Fallback(reason);
        self.exit(pc, reason);
    }

    // ------------------------------------------------------------------ control flow

    /// Jumps to the exit block: resume the interpreter at `pc`, for `reason`.
    pub fn exit(&mut self, pc: usize, reason: Reason) {
        let pc = self.b.ins().iconst(types::I32, pc as i64);
        let r = self.b.ins().iconst(types::I32, reason.status() as i64);
        self.b
            .ins()
            .jump(self.exit_block, &[BlockArg::Value(pc), BlockArg::Value(r)]);
    }

    /// Continues in a new block when `cond` holds, else exits at `pc` for `reason`.
    pub fn guard(&mut self, cond: ir::Value, pc: usize, reason: Reason) {
        let ok = self.b.create_block();
        let fail = self.b.create_block();
        self.b.ins().brif(cond, ok, &[], fail, &[]);
        self.b.switch_to_block(fail);
        self.exit(pc, reason);
        self.b.switch_to_block(ok);
    }

    /// The block of instruction `pc` (checked: a reason if out of range).
    pub fn block_at(&self, pc: usize) -> Result<ir::Block, Reason> {
        self.blocks.get(pc).copied().ok_or(Reason::BadOperand)
    }

    /// The block of the instruction `delta` after `pc` (negative: before).
    pub fn block_rel(&self, pc: usize, delta: i64) -> Result<ir::Block, Reason> {
        let t = usize::try_from(pc as i64 + delta).map_err(|_| Reason::BadOperand)?;
        self.block_at(t)
    }

    /// Jumps to a block.
    pub fn jump(&mut self, to: ir::Block) {
        self.b.ins().jump(to, &[]);
    }

    /// Branches on `cond`.
    pub fn branch(&mut self, cond: ir::Value, then: ir::Block, otherwise: ir::Block) {
        self.b.ins().brif(cond, then, &[], otherwise, &[]);
    }

    /// A fresh block (for the paths inside one instruction).
    pub fn new_block(&mut self) -> ir::Block {
        self.b.create_block()
    }

    /// Continues emitting in `blk`.
    pub fn at(&mut self, blk: ir::Block) {
        self.b.switch_to_block(blk);
    }

    // ------------------------------------------------------------------ operands

    /// Byte offset of register `r` from `base` (a reason if `r >= max_stack`).
    pub fn reg(&self, r: u32) -> Result<i32, Reason> {
        if r < self.max_stack {
            Ok(r as i32 * VALUE_SIZE)
        } else {
            Err(Reason::BadOperand)
        }
    }

    /// Constant `k` (a reason if out of range).
    pub fn konst(&self, k: u32) -> Result<Value, Reason> {
        self.consts
            .get(k as usize)
            .copied()
            .ok_or(Reason::BadOperand)
    }

    /// Byte offset of constant `k` from `kbase`.
    pub fn konst_off(&self, k: u32) -> Result<i32, Reason> {
        self.konst(k)?;
        i32::try_from(k as i64 * VALUE_SIZE as i64).map_err(|_| Reason::BadOperand)
    }

    /// R[0] (see `base_var`).
    pub fn base(&mut self) -> ir::Value {
        self.base
    }

    /// After a helper that may have moved the stack (it saved the frame's pc as
    /// `pc + 1`): continues when R[0] is where it was, else exits (`Unwind`) so that
    /// the interpreter re-enters the code at `pc + 1` with the new base.
    pub fn check_base(&mut self, pc: usize) {
        let now = self.b.ins().load(PTR, mem(), self.ctx, ctx_offsets::BASE);
        let same = self.b.ins().icmp(IntCC::Equal, now, self.base);
        self.guard(same, pc + 1, Reason::Unwind);
    }

    /// Address of the register at byte offset `off`.
    pub fn addr(&mut self, off: i32) -> ir::Value {
        let base = self.base();
        self.b.ins().iadd_imm_s(base, off as i64)
    }

    /// The tag byte of the register at `off` (an i8).
    pub fn tag(&mut self, off: i32) -> ir::Value {
        let base = self.base();
        self.b.ins().load(types::I8, mem(), base, off + TAG)
    }

    /// `tag == t` (an i8 truth value).
    pub fn is(&mut self, tag: ir::Value, t: u8) -> ir::Value {
        self.b.ins().icmp_imm_s(IntCC::Equal, tag, t as i64)
    }

    /// The payload of the register at `off` as `ty` (I64, F64 or I8).
    pub fn payload(&mut self, off: i32, ty: ir::Type) -> ir::Value {
        let base = self.base();
        self.b.ins().load(ty, mem(), base, off + PAYLOAD)
    }

    /// Stores a whole value: the tag word (tag byte, zero padding) and the 8-byte payload
    /// `word` in one 16-byte store, so that a later 16-byte load of the value (by a helper
    /// or the interpreter) is forwarded from the store instead of stalling on two.
    pub fn store_value(&mut self, off: i32, tag: u8, word: ir::Value) {
        let t = self.b.ins().iconst(types::I64, tag as i64);
        let v = self.b.ins().scalar_to_vector(types::I64X2, t);
        let v = self.b.ins().insertlane(v, word, 1);
        let base = self.base();
        self.b.ins().store(mem_vec(), v, base, off);
    }

    /// Stores an integer into the register at `off`.
    pub fn store_int(&mut self, off: i32, v: ir::Value) {
        self.store_value(off, tags::INT, v);
    }

    /// Stores a float into the register at `off`.
    pub fn store_float(&mut self, off: i32, v: ir::Value) {
        let word = self.b.ins().bitcast(types::I64, MemFlagsData::new(), v);
        self.store_value(off, tags::FLOAT, word);
    }

    /// Stores a boolean (an i8 0/1) into the register at `off`.
    pub fn store_bool(&mut self, off: i32, v: ir::Value) {
        let word = self.b.ins().uextend(types::I64, v);
        self.store_value(off, tags::BOOL, word);
    }

    /// Stores nil into the register at `off`.
    pub fn store_nil(&mut self, off: i32) {
        let zero = self.b.ins().iconst(types::I64, 0);
        self.store_value(off, tags::NIL, zero);
    }

    /// Copies the 16-byte value at `src + src_off` to the register at `dst_off`.
    pub fn copy_value(&mut self, src: ir::Value, src_off: i32, dst_off: i32) {
        let v = self.b.ins().load(types::I64X2, mem_vec(), src, src_off);
        let base = self.base();
        self.b.ins().store(mem_vec(), v, base, dst_off);
    }

    /// Copies register `src_off` to register `dst_off`.
    pub fn copy_reg(&mut self, src_off: i32, dst_off: i32) {
        let base = self.base();
        self.copy_value(base, src_off, dst_off);
    }

    /// Lua truthiness of the register at `off` (an i8): not nil and not false.
    pub fn truthy(&mut self, off: i32) -> ir::Value {
        let t = self.tag(off);
        let nil = self.is(t, tags::NIL);
        let boolean = self.is(t, tags::BOOL);
        let byte = self.payload(off, types::I8);
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, byte, 0);
        let is_false = self.b.ins().band(boolean, zero);
        let falsy = self.b.ins().bor(nil, is_false);
        self.b.ins().bxor_imm_s(falsy, 1)
    }

    // ------------------------------------------------------------------ helpers

    /// Calls a runtime helper through the table in the context; returns its result.
    pub fn call(&mut self, h: Helper, args: &[ir::Value]) -> ir::Value {
        let sig = match self.sigs.get(&h) {
            Some(s) => *s,
            None => {
                let (params, ret) = h.signature();
                let mut s = Signature::new(self.call_conv);
                s.params.extend(params.iter().map(|t| AbiParam::new(*t)));
                s.returns.push(AbiParam::new(ret));
                let r = self.b.import_signature(s);
                self.sigs.insert(h, r);
                r
            }
        };
        let f = self.b.ins().load(PTR, mem(), self.helpers, h.offset());
        let call = self.b.ins().call_indirect(sig, f, args);
        self.b.inst_results(call)[0]
    }

    /// Calls a helper that answers `HELPER_OK` / `HELPER_EXIT` and exits at `pc` for
    /// `reason` unless it succeeded.
    pub fn call_checked(&mut self, h: Helper, args: &[ir::Value], pc: usize, reason: Reason) {
        let r = self.call(h, args);
        let ok =
            self.b
                .ins()
                .icmp_imm_s(IntCC::Equal, r, moonjet_interp::jit_iface::HELPER_OK as i64);
        self.guard(ok, pc, reason);
    }

    /// An `i32` constant.
    pub fn i32(&mut self, v: u32) -> ir::Value {
        self.b.ins().iconst(types::I32, v as i64)
    }

    /// An `i64` constant.
    pub fn i64(&mut self, v: i64) -> ir::Value {
        self.b.ins().iconst(types::I64, v)
    }
}

/// The translation function of every opcode: one row per opcode.
pub fn translator<'a>(op: OpCode) -> Translate<'a> {
    use FunctionTranslator as T;
    match op {
        OpCode::Move => T::translate_move,
        OpCode::LoadI => T::translate_loadi,
        OpCode::LoadF => T::translate_loadf,
        OpCode::LoadK => T::translate_loadk,
        OpCode::LoadKX => T::translate_loadkx,
        OpCode::LoadFalse => T::translate_loadfalse,
        OpCode::LFalseSkip => T::translate_lfalseskip,
        OpCode::LoadTrue => T::translate_loadtrue,
        OpCode::LoadNil => T::translate_loadnil,
        OpCode::GetUpval => T::translate_getupval,
        OpCode::SetUpval => T::translate_setupval,
        OpCode::GetTabUp => T::translate_gettabup,
        OpCode::GetTable => T::translate_gettable,
        OpCode::GetI => T::translate_geti,
        OpCode::GetField => T::translate_getfield,
        OpCode::SetTabUp => T::translate_settabup,
        OpCode::SetTable => T::translate_settable,
        OpCode::SetI => T::translate_seti,
        OpCode::SetField => T::translate_setfield,
        OpCode::NewTable => T::translate_newtable,
        OpCode::SelfOp => T::translate_self,
        OpCode::AddI
        | OpCode::AddK
        | OpCode::SubK
        | OpCode::MulK
        | OpCode::ModK
        | OpCode::PowK
        | OpCode::DivK
        | OpCode::IDivK
        | OpCode::BAndK
        | OpCode::BOrK
        | OpCode::BXorK
        | OpCode::ShrI
        | OpCode::ShlI
        | OpCode::Add
        | OpCode::Sub
        | OpCode::Mul
        | OpCode::Mod
        | OpCode::Pow
        | OpCode::Div
        | OpCode::IDiv
        | OpCode::BAnd
        | OpCode::BOr
        | OpCode::BXor
        | OpCode::Shl
        | OpCode::Shr => T::translate_arith,
        OpCode::Unm => T::translate_unm,
        OpCode::BNot => T::translate_bnot,
        OpCode::Not => T::translate_not,
        OpCode::Len => T::translate_len,
        OpCode::Concat => T::translate_concat,
        OpCode::Close | OpCode::Tbc => |_, _, _| Err(Reason::Close),
        OpCode::Jmp => T::translate_jmp,
        OpCode::Eq => T::translate_eq,
        OpCode::Lt | OpCode::Le => T::translate_lt_le,
        OpCode::EqK => T::translate_eqk,
        OpCode::EqI => T::translate_eqi,
        OpCode::LtI | OpCode::LeI | OpCode::GtI | OpCode::GeI => T::translate_cmp_imm,
        OpCode::Test => T::translate_test,
        OpCode::TestSet => T::translate_testset,
        OpCode::Call => T::translate_call,
        OpCode::TailCall => T::translate_tailcall,
        OpCode::Return | OpCode::Return0 | OpCode::Return1 => T::translate_return,
        OpCode::ForLoop => T::translate_forloop,
        OpCode::ForPrep => T::translate_forprep,
        OpCode::TForPrep => |_, _, _| Err(Reason::GenericFor),
        OpCode::TForCall => T::translate_tforcall,
        OpCode::TForLoop => T::translate_tforloop,
        OpCode::SetList => |_, _, _| Err(Reason::SetList),
        OpCode::Closure => T::translate_closure,
        OpCode::VarArg => |_, _, _| Err(Reason::VarArg),
        OpCode::VarArgPrep => T::translate_varargprep,
        OpCode::ExtraArg => |_, _, _| Err(Reason::Invalid),
    }
}
