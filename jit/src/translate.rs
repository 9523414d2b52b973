//! The function translator: one Cranelift function per prototype, one Cranelift block
//! per bytecode instruction, one `translate_<op>` per opcode found through [`translator`].
//!
//! Shape of the generated function (JIT-ENTRY in `jit_iface.rs`):
//! ```text
//!   entry(ctx, base, entry_pc):  switch entry_pc { entry pcs -> entry blocks, _ -> not_entry }
//!   entry block of pc:           load the registers, check their assumed types, go to pc
//!   pc block n:                  the instruction at n; falls to block n+1 or branches
//!   spill blocks of n:           store the unstored registers, then exit at their pc
//!   exit(pc, reason):            ctx.status = reason; return pc
//! ```
//! Registers live in Cranelift variables between instructions, typed by what the
//! analysis proved (REG-CACHE in `regs.rs`); the value stack is brought up to date
//! before helpers and at exits.
//!
//! A `translate_<op>` either emits the instruction (guards exit at its own pc, before
//! any side effect) or returns a [`Reason`] before emitting anything; the driver then
//! makes the block an exit with that reason. Never a whole function refused.

use std::collections::HashMap;

use cranelift_codegen::entity::EntityRef;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, types, AbiParam, BlockArg, InstBuilder, MemFlagsData, Signature,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, Switch};
use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::{ctx_offsets, helper_offsets, tags};
use moonjet_interp::Value;

use crate::analysis::Ty;
use crate::reasons::Reason;
use crate::regs::{Io, RegCache};

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
    /// `call_done(ctx, callee, idx, next)`
    CallDone,
    /// `new_table(ctx, a, narr, nhash, pc)`
    NewTable,
    /// `closure(ctx, a, bx, pc)`
    Closure,
    /// `concat(ctx, a, n, pc)`
    Concat,
    /// `close(ctx, ra)`
    Close,
    /// `tail_call(ctx, ra, b, pc)`
    TailCall,
    /// `tail_done(ctx, callee, idx, next)`
    TailDone,
    /// `vararg(ctx, a, c, pc)`
    VarArg,
    /// `str_less(a, b, le)`
    StrLess,
    /// `set_list(ctx, a, n, first)`
    SetList,
    /// `index_field(ctx, h, s, dst)`
    IndexField,
}

/// Tags with a shared constant (SHARED-TAGS): every tag of `jit_iface::tags`.
const TAG_CONSTS: u8 = 16;

/// Pointer type (the engine only runs on 64-bit targets).
pub const PTR: ir::Type = types::I64;

impl Helper {
    /// Whether compiled code calls it through its register-preserving wrapper
    /// (PRESERVING in `preserving.rs`).
    pub fn preserving(self) -> bool {
        crate::preserving::WRAPPED.contains(&self)
    }

    /// Its word index in `Helpers` (its slot in `Helpers::preserving`).
    pub fn word(self) -> usize {
        self.offset() as usize / 8
    }

    /// Offset of its pointer in `Helpers`.
    pub fn offset(self) -> i32 {
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
            Helper::CallDone => o::CALL_DONE,
            Helper::NewTable => o::NEW_TABLE,
            Helper::Closure => o::CLOSURE,
            Helper::Concat => o::CONCAT,
            Helper::TailCall => o::TAIL_CALL,
            Helper::TailDone => o::TAIL_DONE,
            Helper::Close => o::CLOSE,
            Helper::VarArg => o::VARARG,
            Helper::StrLess => o::STR_LESS,
            Helper::SetList => o::SET_LIST,
            Helper::IndexField => o::INDEX_FIELD,
        }
    }

    /// Parameter types and result type (the `extern "C"` signature).
    pub fn signature(self) -> (&'static [ir::Type], ir::Type) {
        use types::{F64, I32, I64};
        match self {
            Helper::GetUpval | Helper::SetUpval => (&[PTR, I32, PTR], I32),
            Helper::GetTable | Helper::SetTable => (&[PTR, PTR, PTR, PTR], I32),
            Helper::GetInt | Helper::SetInt => (&[PTR, PTR, I64, PTR], I32),
            Helper::GetField | Helper::SetField => (&[PTR, PTR, I32, PTR], I32),
            Helper::GetTabUp | Helper::SetTabUp => (&[PTR, I32, I32, PTR], I32),
            Helper::Len => (&[PTR, PTR, PTR], I32),
            Helper::Close => (&[PTR, PTR], I32),
            Helper::ForPrep => (&[PTR, PTR], I32),
            Helper::Pow | Helper::FMod => (&[F64, F64], F64),
            Helper::CmpMixed => (&[I32, I64, F64], I32),
            Helper::StrLess => (&[I64, I64, I32], I32),
            Helper::Call => (&[PTR, PTR, I32, I32, I32], I32),
            Helper::CallDone | Helper::TailDone => (&[PTR, PTR, I64, I32], I32),
            Helper::NewTable => (&[PTR, I32, I32, I32, I32], I32),
            Helper::Closure | Helper::Concat | Helper::VarArg => (&[PTR, I32, I32, I32], I32),
            Helper::TailCall => (&[PTR, PTR, I32, I32], I32),
            Helper::SetList => (&[PTR, I32, I32, I64], I32),
            Helper::IndexField => (&[PTR, I64, I64, PTR], I32),
        }
    }
}

/// The clean-up after SSA construction: trivial block parameters, then dead loads.
pub fn tidy(func: &mut ir::Function) {
    remove_trivial_params(func);
    drop_unused_loads(func);
}

/// Removes every block parameter that stands for one value (anchor: TRIVIAL-PARAMS):
/// each jump to its block passes either that value or the parameter itself. Cranelift's
/// SSA construction, which here runs once every block is filled, decides on a loop
/// header's parameter before the parameters of the loop's own blocks are settled, and
/// keeps some whose every argument turns out to be the parameter itself or one other
/// parameter (of a landing block, LANDING); its `remove_constant_phis` pass removes a
/// parameter only when a single instruction's value reaches it. Each kept parameter of
/// a loop's header is a value moved (or spilled and reloaded) on every iteration.
/// Replacing such a parameter by its one value is sound: that value reaches the block
/// on every path from the function's start, so its definition dominates the block.
fn remove_trivial_params(func: &mut ir::Function) {
    let Some(entry) = func.layout.entry_block() else {
        return;
    };
    // Every edge once, by target block: (branch, index among its destinations,
    // whether the entry reaches its block). Only live edges count: a value passed from
    // code that cannot run need not dominate anything.
    let live = reachable_blocks(func);
    let mut preds: Vec<Vec<(ir::Inst, usize, bool)>> = vec![Vec::new(); func.dfg.num_blocks()];
    for blk in func.layout.blocks() {
        for inst in func.layout.block_insts(blk) {
            let dfg = &func.dfg;
            let dests = dfg.insts[inst].branch_destination(&dfg.jump_tables, &dfg.exception_tables);
            for (n, d) in dests.iter().enumerate() {
                let to = d.block(&dfg.value_lists);
                preds[to.index()].push((inst, n, live[blk.index()]));
            }
        }
    }
    let blocks: Vec<ir::Block> = func.layout.blocks().filter(|&b| b != entry).collect();
    loop {
        let mut changed = false;
        for &blk in &blocks {
            let edges = &preds[blk.index()];
            for k in (0..func.dfg.num_block_params(blk)).rev() {
                let p = func.dfg.block_params(blk)[k];
                let live_edges = edges.iter().filter(|e| e.2).map(|&(i, n, _)| (i, n));
                let Some(v) = sole_argument(func, live_edges, k, p) else {
                    continue;
                };
                for &(inst, at, _) in edges {
                    let dfg = &mut func.dfg;
                    let dests = dfg.insts[inst]
                        .branch_destination_mut(&mut dfg.jump_tables, &mut dfg.exception_tables);
                    dests[at].remove(k, &mut dfg.value_lists);
                }
                func.dfg.remove_block_param(p);
                func.dfg.change_to_alias(p, v);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// For each block (by index), whether the function's entry reaches it.
fn reachable_blocks(func: &ir::Function) -> Vec<bool> {
    let mut live = vec![false; func.dfg.num_blocks()];
    let mut work: Vec<ir::Block> = func.layout.entry_block().into_iter().collect();
    while let Some(blk) = work.pop() {
        if std::mem::replace(&mut live[blk.index()], true) {
            continue;
        }
        for inst in func.layout.block_insts(blk) {
            let dfg = &func.dfg;
            let dests = dfg.insts[inst].branch_destination(&dfg.jump_tables, &dfg.exception_tables);
            work.extend(dests.iter().map(|d| d.block(&dfg.value_lists)));
        }
    }
    live
}

/// The one value other than `p` itself that `edges` pass as argument `k` (`p`, the
/// block's parameter there), if there is exactly one.
fn sole_argument(
    func: &ir::Function,
    edges: impl Iterator<Item = (ir::Inst, usize)>,
    k: usize,
    p: ir::Value,
) -> Option<ir::Value> {
    let dfg = &func.dfg;
    let mut one = None;
    for (inst, at) in edges {
        let dests = dfg.insts[inst].branch_destination(&dfg.jump_tables, &dfg.exception_tables);
        let arg = dests[at].args(&dfg.value_lists).nth(k)?;
        let ir::BlockArg::Value(x) = arg else {
            return None;
        };
        let x = dfg.resolve_aliases(x);
        if x == p || one == Some(x) {
            continue;
        }
        if one.is_some() {
            return None;
        }
        one = Some(x);
    }
    one
}

/// Removes every load whose value nothing uses (anchor: DEAD-LOADS). Entry blocks and
/// loop exits load whole registers (tag and payload) of which the code often reads
/// half, or which it redefines before reading; Cranelift keeps a load that is not
/// `readonly` even when its value is dead, and each costs an instruction there. Loads
/// of compiled code never trap ([`mem`]), so dropping one changes nothing else.
fn drop_unused_loads(func: &mut ir::Function) {
    loop {
        let mut used = vec![false; func.dfg.num_values()];
        let mut loads = Vec::new();
        for blk in func.layout.blocks() {
            for inst in func.layout.block_insts(blk) {
                for v in func.dfg.inst_values(inst) {
                    used[func.dfg.resolve_aliases(v).index()] = true;
                }
                if func.dfg.insts[inst].opcode() == ir::Opcode::Load {
                    loads.push(inst);
                }
            }
        }
        let mut dropped = false;
        for inst in loads {
            if func.dfg.inst_results(inst).iter().all(|r| !used[r.index()]) {
                func.layout.remove_inst(inst);
                dropped = true;
            }
        }
        if !dropped {
            return;
        }
    }
}

/// Memory flags of every access compiled code makes: aligned, never trapping (the
/// translator only forms addresses of registers below `max_stack` and of constants).
pub fn mem() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Memory flags of reads of words fixed for the whole activation (the context's
/// `closure`, `thread` and `base_index`, the running closure's cells pointer):
/// aligned, never trapping, and pure (`readonly`, `can_move`), so Cranelift shares,
/// moves or drops them. (`consts` and the helper table's words are read with [`mem`]
/// at each use instead: KEEP-SHORT in `FunctionTranslator::kbase` and `helper_word`;
/// the helper table's address is an immediate, HELPERS-IMM.)
pub fn mem_const() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
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
    pub max_stack: u32,
    /// Calling convention of helpers.
    call_conv: CallConv,
    /// `ctx` parameter.
    pub ctx: ir::Value,
    /// A stack slot holding `ctx`, read by the calls of register-preserving wrappers
    /// (CTX-SLOT).
    pub ctx_slot: ir::StackSlot,
    /// R[0], the `base` parameter. A call or allocating helper may move the stack
    /// (it then rewrites `ctx.base`): the code checks and, if so, leaves (`Unwind`) to
    /// be re-entered with the new base, which happens only when the stack grows.
    pub base: ir::Value,
    /// The constants' address (`ctx.consts`).
    /// One block per pc.
    pub blocks: Vec<ir::Block>,
    /// The exit block `(pc, reason)`.
    pub exit_block: ir::Block,
    /// The registers' variables and facts (REG-CACHE in `regs.rs`).
    pub regs: RegCache,
    /// Imported helper signatures.
    sigs: HashMap<Helper, ir::SigRef>,
    /// What became of each instruction.
    pub outcome: Vec<Outcome>,
    /// The type speculated for the value each read writes (SPECULATE); set before
    /// `translate_all`.
    pub spec: crate::speculate::Plan,
    /// Entry blocks of the entry points, filled by `translate_all`.
    pending_entries: Vec<(usize, ir::Block)>,
    /// LANDING: the block holding the code of each loop header with an entry point,
    /// which the loop's back edges jump to (`blocks` holds its landing block there).
    bodies: HashMap<usize, ir::Block>,
    /// One `iconst.i8` per tag, defined at the start (SHARED-TAGS).
    tag_consts: Vec<ir::Value>,
    /// The callee's context of the calls the code makes itself (DIRECT-CALL), one slot
    /// shared by every call site, and the compiled code's signature; made at the first.
    pub direct: Option<(ir::StackSlot, ir::SigRef)>,
    /// The function's parameter count, `None` for a vararg function (SELF-TAIL-INLINE
    /// in `self_tail.rs`); set before `translate_all`.
    pub fixed_params: Option<u32>,
    /// The instructions left to the interpreter as cold code (COLD-CODE in `cold.rs`),
    /// by pc (empty: none); set before `translate_all`.
    pub cold: Vec<bool>,
    /// What the bytecode says about each call's callee (CALLEE-NAMES in `callee.rs`),
    /// by pc (empty: nothing); set before `translate_all`.
    pub calls: Vec<crate::callee::CallSite>,
    /// What each upvalue of the closure compiled held (LEAF-INLINE in
    /// `inline_leaf.rs`); set before `translate_all`.
    pub callees: &'a [Option<std::rc::Rc<moonjet_bytecode::Proto>>],
    /// The CALLs that store nothing before their in-place path (FLUSH-SLOW in
    /// `ops_call.rs`), by pc (empty: none), as the register facts assume; set before
    /// `translate_all`.
    pub in_place: Vec<bool>,
    /// The array parts cached in innermost loops (ARRAY-CACHE in `array_cache.rs`),
    /// planned at the start of `translate_all`.
    pub arrays: crate::array_cache::ArrayCache,
    /// Marks each instruction's IR with its pc + 1 as the source location (`-jdump`:
    /// the IR text shows `@xxxx`, hex, before it; entry code has none).
    pub mark_pcs: bool,
}

impl<'a> FunctionTranslator<'a> {
    // ------------------------------------------------------------------ driver

    /// Sets up the registers' variables, the entry switch over `entries` (each through
    /// its entry block) and the exit block.
    pub fn new(
        mut b: FunctionBuilder<'a>,
        code: &'a [Instruction],
        consts: &'a [Value],
        max_stack: u32,
        call_conv: CallConv,
        entries: &[usize],
        regs: RegCache,
    ) -> Self {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let (ctx, base, entry_pc) = (params[0], params[1], params[2]);
        let blocks: Vec<ir::Block> = code.iter().map(|_| b.create_block()).collect();
        let tag_consts = (0..TAG_CONSTS)
            .map(|t| b.ins().iconst(types::I8, t as i64))
            .collect();
        let exit_block = b.create_block();
        b.set_cold_block(exit_block);
        b.append_block_param(exit_block, types::I32);
        b.append_block_param(exit_block, types::I32);
        let not_entry = b.create_block();
        let dispatch = b.create_block();
        let ctx_slot = b.create_sized_stack_slot(ir::StackSlotData::new(
            ir::StackSlotKind::ExplicitSlot,
            8,
            3,
        ));
        b.ins().stack_store(PTR, ctx, ctx_slot, 0);
        b.ins().jump(dispatch, &[]);
        let outcome = vec![Outcome::Native; code.len()];
        let mut t = FunctionTranslator {
            b,
            code,
            consts,
            max_stack,
            call_conv,
            ctx,
            ctx_slot,
            base,
            blocks,
            exit_block,
            sigs: HashMap::new(),
            outcome,
            regs,
            spec: Default::default(),
            pending_entries: Vec::new(),
            bodies: HashMap::new(),
            tag_consts,
            direct: None,
            fixed_params: None,
            cold: Vec::new(),
            calls: Vec::new(),
            callees: &[],
            in_place: Vec::new(),
            mark_pcs: false,
            arrays: Default::default(),
        };
        t.declare_regs();
        // pc 0 first: every call enters there, other entries (after a call, loop
        // headers) only when the interpreter resumes the code.
        let mut sw = Switch::new();
        let mut start = None;
        // The entry blocks are filled by `translate_all`, once the plan is set.
        let heads = crate::analysis::loop_heads(code);
        for &pc in entries {
            let blk = t.b.create_block();
            t.pending_entries.push((pc, blk));
            if heads.binary_search(&pc).is_ok() {
                t.bodies.insert(pc, t.b.create_block());
            }
            match pc {
                0 => start = Some(blk),
                _ => sw.set_entry(pc as u128, blk),
            }
        }
        t.b.switch_to_block(dispatch);
        if let Some(start) = start {
            let others = t.new_block();
            let at_start = t.b.ins().icmp_imm_s(IntCC::Equal, entry_pc, 0);
            t.b.ins().brif(at_start, start, &[], others, &[]);
            t.b.switch_to_block(others);
        }
        sw.emit(&mut t.b, entry_pc, not_entry);
        t.b.switch_to_block(not_entry);
        let reason =
            t.b.ins()
                .iconst(types::I32, Reason::NotEntry.status() as i64);
        t.b.ins().jump(
            exit_block,
            &[BlockArg::Value(entry_pc), BlockArg::Value(reason)],
        );
        t.b.switch_to_block(exit_block);
        let p = t.b.block_params(exit_block).to_vec();
        t.b.ins().store(mem(), p[1], ctx, ctx_offsets::STATUS);
        t.b.ins().return_(&[p[0]]);
        t
    }

    /// Translates every instruction, then seals and finalises the function.
    pub fn translate_all(mut self, config: TargetFrontendConfig) -> Vec<Outcome> {
        self.plan_array_cache();
        for (pc, blk) in std::mem::take(&mut self.pending_entries) {
            self.fill_entry(blk, pc);
        }
        for pc in 0..self.code.len() {
            self.b.switch_to_block(self.blocks[pc]);
            if let Some(&body) = self.bodies.get(&pc) {
                self.b.ins().jump(body, &[]);
                self.b.switch_to_block(body);
            }
            if self.mark_pcs {
                self.b.set_srcloc(ir::SourceLoc::new(pc as u32 + 1));
            }
            self.begin(pc);
            let i = self.code[pc];
            if i.opcode().is_some_and(crate::analysis::flushes_at_entry) {
                self.flush_clean();
            }
            match i.opcode() {
                _ if self.cold.get(pc).copied().unwrap_or(false) => self.fallback(pc, Reason::Cold),
                None => self.fallback(pc, Reason::Invalid),
                Some(op) => self.translate_one(op, i, pc),
            }
            self.finish();
        }
        self.unlink_dead_paths();
        self.b.seal_all_blocks();
        self.b.finalize(config);
        self.outcome
    }

    /// Points every jump from a block that cannot run into a live block at a trap
    /// instead (anchor: DEAD-PATHS), before the blocks are sealed. The translator
    /// emits both sides of a test whose outcome the analysis knows (a FORLOOP's float
    /// path in an integer loop, a type test of a known type) and branches to one; the
    /// other side's code still jumps into the function, and Cranelift's SSA
    /// construction, seeing that jump as a predecessor whose variables are undefined
    /// (zero), gives the live block a parameter for every variable it reads: a loop's
    /// header then carries each value of the loop, invariant or not, around every
    /// iteration, in a register or a spill slot. (Jumps with arguments, to exit and
    /// spill blocks, stay: those blocks are off the hot paths.)
    fn unlink_dead_paths(&mut self) {
        let func = &self.b.func;
        let live = reachable_blocks(func);
        let mut edges = Vec::new();
        for blk in func.layout.blocks().filter(|b| !live[b.index()]) {
            for inst in func.layout.block_insts(blk) {
                let dfg = &func.dfg;
                let dests =
                    dfg.insts[inst].branch_destination(&dfg.jump_tables, &dfg.exception_tables);
                for d in dests {
                    let (to, plain) = (d.block(&dfg.value_lists), d.len(&dfg.value_lists) == 0);
                    if plain && live[to.index()] {
                        edges.push((inst, to));
                    }
                }
            }
        }
        if edges.is_empty() {
            return;
        }
        let dead_end = self.b.create_block();
        for (inst, to) in edges {
            self.b.change_jump_destination(inst, to, dead_end);
        }
        self.b.switch_to_block(dead_end);
        self.b.ins().trap(ir::TrapCode::unwrap_user(1));
    }

    /// Translates the instruction at `pc`; a read or a call with a speculated type
    /// continues to a guard block (SPECULATE; one guard per speculated result) instead
    /// of the next instruction's block.
    fn translate_one(&mut self, op: OpCode, i: Instruction, pc: usize) {
        let spec = self.spec.spec.get(pc).copied().flatten();
        let (Some(ty), Some(&next)) = (spec, self.blocks.get(pc + 1)) else {
            if let Err(r) = translator(op)(self, i, pc) {
                self.fallback(pc, r);
            }
            return;
        };
        let post = self.b.create_block();
        self.blocks[pc + 1] = post;
        let done = translator(op)(self, i, pc);
        self.blocks[pc + 1] = next;
        match done {
            Err(r) => self.fallback(pc, r),
            Ok(()) => {
                self.at(post);
                // After a call every register anyone reads is in the value stack (the
                // call stored them and loaded its results): the exits store nothing;
                // unless the call may have been computed in place, which stores
                // nothing (FLUSH-SLOW in `ops_call.rs`; its general path checked that
                // the stack did not move).
                let raw = op == OpCode::Call && !self.lean(pc);
                for r in self.speculated_regs(pc) {
                    self.regs.mark_written(r);
                    self.speculation_guard(r, ty, pc + 1, raw);
                }
                self.jump(next);
            }
        }
    }

    /// The registers whose type is speculated after the instruction at `pc`: the one a
    /// read writes, the results of a call in its mask (SPECULATE).
    pub fn speculated_regs(&self, pc: usize) -> Vec<u32> {
        let Some(i) = self.code.get(pc) else {
            return Vec::new();
        };
        if i.opcode() != Some(OpCode::Call) {
            return vec![i.a()];
        }
        let mask = self.spec.masks.get(pc).copied().unwrap_or(0);
        (0..64u32)
            .filter(|k| mask & (1 << k) != 0)
            .map(|k| i.a() + k)
            .collect()
    }

    /// The guard after a read or a call at `next_pc - 1` (SPECULATE):
    /// continues when register `r` holds a value of type `ty`, else exits at `next_pc`
    /// with the value stored (`raw`: already stored, at an entry): `spec-int` when a
    /// float was speculated and the value is an integer, `spec-float` for the converse
    /// (unless the speculation is pinned), `spec-type` otherwise.
    pub fn speculation_guard(&mut self, r: u32, ty: Ty, next_pc: usize, raw: bool) {
        if self.reg(r).is_err() {
            return;
        }
        let read_pc = next_pc.saturating_sub(1) as u32;
        let pinned = self.spec.pinned.contains(&read_pc);
        let leave = |t: &mut Self, reason| {
            if raw {
                t.exit_raw(next_pc, reason);
            } else {
                t.exit(next_pc, reason);
            }
        };
        let tag = self.tag_var(r);
        let want = if ty == Ty::Float {
            tags::FLOAT
        } else {
            tags::INT
        };
        let ok = self.is(tag, want);
        let (cont, fail) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(fail);
        self.branch(ok, cont, fail);
        self.at(fail);
        if !pinned {
            let (seen, reason) = match ty {
                Ty::Float => (tags::INT, Reason::SpecInt),
                _ => (tags::FLOAT, Reason::SpecFloat),
            };
            let is_seen = self.is(tag, seen);
            let (seen_blk, other) = (self.b.create_block(), self.b.create_block());
            self.branch(is_seen, seen_blk, other);
            self.at(seen_blk);
            leave(self, reason);
            self.at(other);
        }
        leave(self, Reason::SpecType);
        self.at(cont);
        self.retag(r, want);
    }

    /// Makes the current (still empty) block an exit at `pc` for `reason`.
    fn fallback(&mut self, pc: usize, reason: Reason) {
        self.outcome[pc] = Outcome::Fallback(reason);
        self.exit(pc, reason);
    }

    // ------------------------------------------------------------------ control flow

    /// The block of instruction `pc` (checked: a reason if out of range).
    pub fn block_at(&self, pc: usize) -> Result<ir::Block, Reason> {
        self.blocks.get(pc).copied().ok_or(Reason::BadOperand)
    }

    /// The block of the instruction `delta` after `pc` (negative: before).
    pub fn block_rel(&self, pc: usize, delta: i64) -> Result<ir::Block, Reason> {
        let t = usize::try_from(pc as i64 + delta).map_err(|_| Reason::BadOperand)?;
        match self.bodies.get(&t) {
            Some(&body) if t <= pc => Ok(body),
            _ => self.block_at(t),
        }
    }

    /// The shared constant of tag `t` (anchor: SHARED-TAGS). Every definition of a
    /// register's tag with a known tag uses the same SSA value, and an entry block
    /// redefines the tags it checked with it, so that where paths meet with the same
    /// known tag (a loop's header, its entry and its back edge) Cranelift's SSA
    /// construction finds one value and adds no block parameter: a tag carried around
    /// a loop as a parameter takes a register or a spill slot written every iteration.
    pub fn tag_const(&mut self, t: u8) -> ir::Value {
        match self.tag_consts.get(t as usize) {
            Some(&v) => v,
            None => self.b.ins().iconst(types::I8, t as i64),
        }
    }

    /// Jumps to a block.
    pub fn jump(&mut self, to: ir::Block) {
        self.b.ins().jump(to, &[]);
    }

    /// Branches on `cond` (a jump when it is a constant: a type the analysis proved).
    pub fn branch(&mut self, cond: ir::Value, then: ir::Block, otherwise: ir::Block) {
        match self.known(cond) {
            Some(c) => self.jump(if c != 0 { then } else { otherwise }),
            None => {
                self.b.ins().brif(cond, then, &[], otherwise, &[]);
            }
        }
    }

    // ------------------------------------------------------------------ folding

    /// The value of `v` if an `iconst` defines it. Tags of registers whose type the
    /// analysis proved are constants, so tag tests fold while the code is built and
    /// the paths for other types are never emitted reachable.
    pub fn known(&self, v: ir::Value) -> Option<i64> {
        let inst = self.b.func.dfg.value_def(v).inst()?;
        match self.b.func.dfg.insts[inst] {
            ir::InstructionData::UnaryImm {
                opcode: ir::Opcode::Iconst,
                imm,
            } => Some(imm.bits()),
            _ => None,
        }
    }

    /// An i8 truth constant.
    pub fn truth(&mut self, c: bool) -> ir::Value {
        self.b.ins().iconst(types::I8, c as i64)
    }

    /// `x and y` of two i8 truth values (folded when either is known).
    pub fn and(&mut self, x: ir::Value, y: ir::Value) -> ir::Value {
        match (self.known(x), self.known(y)) {
            (Some(0), _) | (_, Some(0)) => self.truth(false),
            (Some(_), _) => y,
            (_, Some(_)) => x,
            _ => self.b.ins().band(x, y),
        }
    }

    /// `x or y` of two i8 truth values (folded when either is known).
    pub fn or(&mut self, x: ir::Value, y: ir::Value) -> ir::Value {
        match (self.known(x), self.known(y)) {
            (Some(0), _) => y,
            (_, Some(0)) => x,
            (Some(_), _) | (_, Some(_)) => self.truth(true),
            _ => self.b.ins().bor(x, y),
        }
    }

    /// A fresh block (for the paths inside one instruction).
    pub fn new_block(&mut self) -> ir::Block {
        self.b.create_block()
    }

    /// Continues emitting in `blk`.
    pub fn at(&mut self, blk: ir::Block) {
        self.b.switch_to_block(blk);
    }

    // ------------------------------------------------------------------ helpers

    /// Calls a runtime helper through the table in the context; returns its result.
    pub fn call(&mut self, h: Helper, args: &[ir::Value]) -> ir::Value {
        let sig = match self.sigs.get(&h) {
            Some(s) => *s,
            None => {
                let s = if h.preserving() {
                    crate::preserving::wrapper_signature()
                } else {
                    let (params, ret) = h.signature();
                    let mut s = Signature::new(self.call_conv);
                    s.params.extend(params.iter().map(|t| AbiParam::new(*t)));
                    s.returns.push(AbiParam::new(ret));
                    s
                };
                let r = self.b.import_signature(s);
                self.sigs.insert(h, r);
                r
            }
        };
        if h.preserving() {
            // PRESERVING: the wrapper's address, the call (no register clobbered),
            // the answer from the running frame's context.
            debug_assert_eq!(args.first(), Some(&self.ctx));
            // CTX-SLOT: the context read from the stack here, so that the wrapper's
            // argument register does not bind the context's value on the fast paths
            // (the register allocator would otherwise keep it in that register, or in
            // a spill slot reloaded on every iteration of a loop).
            // ARGS-IN-CTX: the other arguments go through the context's memory, so
            // that no value of the fast paths (a loop's index, the table, the base) is
            // bound to an argument register either.
            let ctx = self.b.ins().stack_load(PTR, PTR, self.ctx_slot, 0);
            for (i, &v) in args.iter().enumerate().skip(1) {
                let at = crate::preserving::arg_offset(i);
                self.b.ins().store(mem(), v, ctx, at);
            }
            let helpers = self.helpers_addr();
            let at = helper_offsets::PRESERVING + 8 * h.word() as i32;
            let f = self.b.ins().load(PTR, mem(), helpers, at);
            self.b.ins().call_indirect(sig, f, &[ctx]);
            let answer = self
                .b
                .ins()
                .load(types::I32, mem(), ctx, ctx_offsets::ANSWER);
            self.arrays_after_call();
            return answer;
        }
        let helpers = self.helpers_addr();
        let f = self.b.ins().load(PTR, mem(), helpers, h.offset());
        let call = self.b.ins().call_indirect(sig, f, args);
        let r = self.b.inst_results(call)[0];
        self.arrays_after_call();
        r
    }

    /// Calls a helper that answers `HELPER_OK` / `HELPER_EXIT` and neither allocates
    /// nor runs Lua code: the registers it reads are stored first, the one it writes
    /// reloaded after; unless it succeeded, exits at `pc` for `reason` (it changed
    /// nothing).
    pub fn call_checked(
        &mut self,
        h: Helper,
        args: &[ir::Value],
        pc: usize,
        reason: Reason,
        io: Io,
    ) {
        self.store_regs(io.reads);
        let r = self.call(h, args);
        let ok =
            self.b
                .ins()
                .icmp_imm_s(IntCC::Equal, r, moonjet_interp::jit_iface::HELPER_OK as i64);
        self.guard(ok, pc, reason);
        if let Some(off) = io.writes {
            self.load_reg_at(off);
        }
    }

    /// The word at byte offset `off` of the helper table (`jit_iface::helper_offsets`).
    pub fn helper_word(&mut self, off: i32) -> ir::Value {
        let helpers = self.helpers_addr();
        // Not pure: Cranelift would share one load of a word among all its uses, a
        // value live across the function (KEEP-SHORT).
        self.b.ins().load(PTR, mem(), helpers, off)
    }

    /// The helper table's address, an immediate (HELPERS-IMM): `HELPERS` is one static
    /// of the process, and the code never outlives the process. `Jit::ir_text` prints
    /// it as `HELPERS`, so that golden IR does not depend on where the binary is loaded.
    pub fn helpers_addr(&mut self) -> ir::Value {
        self.b.ins().iconst(PTR, helpers_address())
    }

    /// The address of the prototype's constants (`ctx.consts`), read where it is used
    /// (anchor: KEEP-SHORT). Neither this nor the helper table's address is one value
    /// of the whole function: a value defined at the start is live everywhere, so it
    /// takes a register, or a spill slot reloaded in hot loops, across every helper
    /// call; a load at the use costs one L1 hit. Not pure ([`mem`]), so that Cranelift
    /// does not share the loads again.
    pub fn kbase(&mut self) -> ir::Value {
        self.b.ins().load(PTR, mem(), self.ctx, ctx_offsets::CONSTS)
    }

    /// The payload word of the constant at byte offset `koff`: an immediate for a
    /// number, a boolean or a string, else read from the constants.
    ///
    /// A string constant's payload is the address of its box (K-ADDR): the prototype's
    /// constants keep it alive and are never replaced, the code is dropped with the
    /// prototype (CODE-CACHE), and the collector never moves an object, so the address
    /// is the constant's for as long as the code can run. A field access then needs no
    /// load of the context and the constants to find its key.
    pub fn const_word(&mut self, koff: i32) -> ir::Value {
        match self.consts.get((koff / VALUE_SIZE) as usize) {
            Some(Value::Int(n)) => self.i64(*n),
            Some(Value::Float(f)) => self.i64(f.to_bits() as i64),
            Some(Value::Bool(b)) => self.i64(*b as i64),
            Some(Value::Str(s)) => self.i64(s.addr() as i64),
            _ => {
                let k = self.kbase();
                self.b.ins().load(types::I64, mem(), k, koff + PAYLOAD)
            }
        }
    }

    /// The calling convention of helpers and compiled code.
    pub fn call_conv(&self) -> CallConv {
        self.call_conv
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
        OpCode::Close => T::translate_close,
        OpCode::Tbc => |_, _, _| Err(Reason::Close),
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
        OpCode::TForPrep => T::translate_tforprep,
        OpCode::TForCall => T::translate_tforcall,
        OpCode::TForLoop => T::translate_tforloop,
        OpCode::SetList => T::translate_setlist,
        OpCode::Closure => T::translate_closure,
        OpCode::VarArg => T::translate_vararg,
        OpCode::VarArgPrep => T::translate_varargprep,
        OpCode::ExtraArg => |_, _, _| Err(Reason::Invalid),
    }
}

/// The address of `HELPERS` (HELPERS-IMM in [`FunctionTranslator::helpers_addr`]).
pub fn helpers_address() -> i64 {
    &moonjet_interp::jit_iface::HELPERS as *const _ as i64
}
