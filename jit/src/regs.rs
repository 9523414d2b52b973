//! Lua registers in compiled code (anchor: REG-CACHE).
//!
//! Compiled code keeps each register in three Cranelift variables: its tag (i8), its
//! payload bits (i64) and, for floats, the same bits as an f64. Every definition sets
//! all three consistently, so any of them may be read; which one an instruction reads
//! follows the register's static type before it (`analysis::reg_states`): the payload
//! of an `Int`, the f64 of a `Float` (no tag test, no conversion), the tag and bits of
//! `Any`. Cranelift turns the variables into SSA values that live in machine registers
//! across instructions and loops.
//!
//! The value stack is the truth for everything outside the code, so:
//! * **flush** before a helper that may allocate (and so collect) or run Lua code: the
//!   registers the code may hold unstored (the state's `dirty` set plus what this
//!   instruction wrote) that anyone may read — live ones and captured ones — are
//!   stored; a helper that does neither gets just the registers it reads (`Io`);
//! * **reload** after such a helper the registers it may have changed (its results,
//!   and the registers a closure may capture: called code changes them through open
//!   upvalues); the dead ones become nil;
//! * **spill** at an exit (a guard, an instruction left to the interpreter, a return):
//!   the exits of one instruction share one block per target pc that stores what a
//!   flush stores and leaves. Exits after a helper call leave **raw**: the helper's
//!   stores are newer than anything the code holds, and the stack may have moved.
//! * the **entry** of each entry point loads the live and captured registers from the
//!   stack and checks the types the code assumes there, leaving at once
//!   (`entry-type`) if the interpreter left something else.
//!
//! A register not stored keeps an older value in its stack slot; that value has been
//! a root since it was stored, so the collector never freed it, and nothing reads the
//! slot before the register is written again (it is dead and no closure reaches it).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, BlockArg, InstBuilder, MemFlagsData};
use cranelift_frontend::Variable;
use moonjet_interp::jit_iface::{ctx_offsets, tags};
use moonjet_interp::Value;

use crate::analysis::{RegSet, RegState, Ty};
use crate::reasons::Reason;
use crate::translate::{mem, mem_vec, FunctionTranslator, PAYLOAD, PTR, TAG, VALUE_SIZE};

/// The Cranelift variables of one register.
#[derive(Clone, Copy, Debug)]
pub struct RegVars {
    /// The tag (i8).
    tag: Variable,
    /// The payload bits (i64).
    bits: Variable,
    /// The payload as a float (f64; meaningful when the value is a float).
    flt: Variable,
}

/// Which registers a helper that allocates or runs Lua code may change (besides the
/// captured ones).
#[derive(Clone, Copy, Debug)]
pub enum Writes {
    /// The register at this byte offset.
    Reg(i32),
    /// Every register from this byte offset on.
    From(i32),
}

/// The registers a helper that neither allocates nor runs Lua code reads (stored
/// first, when the code may hold them unstored) and writes (reloaded after).
#[derive(Clone, Copy, Debug)]
pub struct Io<'r> {
    /// Byte offsets of the registers it reads.
    pub reads: &'r [i32],
    /// Byte offset of the register it writes.
    pub writes: Option<i32>,
}

impl<'r> Io<'r> {
    /// Reads `reads`, writes `writes`.
    pub fn new(reads: &'r [i32], writes: Option<i32>) -> Self {
        Io { reads, writes }
    }
}

/// The register number of a byte offset.
pub(crate) fn rn(off: i32) -> u32 {
    (off / VALUE_SIZE) as u32
}

/// The byte offset of register `r`.
pub(crate) fn off_of(r: u32) -> i32 {
    r as i32 * VALUE_SIZE
}

/// Per-instruction bookkeeping of the register cache.
#[derive(Debug, Default)]
pub struct RegCache {
    /// Variables of every register.
    pub vars: Vec<RegVars>,
    /// Facts before every instruction.
    pub states: Vec<Option<RegState>>,
    /// Registers closures may capture.
    pub captured: RegSet,
    /// Registers live before each instruction (`analysis::liveness`).
    pub live: Vec<RegSet>,
    /// Types before the current instruction.
    ty: Vec<Ty>,
    /// Registers the code may hold unstored (grows during the instruction).
    dirty: RegSet,
    /// Registers known to hold tables before the current instruction (LOOP-TABLES).
    tables: RegSet,
    /// Registers the current instruction wrote on some path.
    written: RegSet,
    /// The instruction being translated.
    pc: usize,
    /// Spill blocks of the current instruction, by the pc they resume at.
    spills: Vec<(usize, ir::Block)>,
}

impl RegCache {
    /// The cache of a function with `max_stack` registers.
    pub fn new(
        states: Vec<Option<RegState>>,
        captured: RegSet,
        live: Vec<RegSet>,
        max_stack: usize,
    ) -> Self {
        RegCache {
            states,
            captured,
            live,
            ty: vec![Ty::Any; max_stack],
            ..Default::default()
        }
    }
}

impl RegCache {
    /// Notes that the current instruction wrote register `r` (its type here is no
    /// longer the one before the instruction).
    pub fn mark_written(&mut self, r: u32) {
        self.written.insert(r);
    }
}

impl FunctionTranslator<'_> {
    // ------------------------------------------------------------------ set-up

    /// Declares the variables of every register.
    pub fn declare_regs(&mut self) {
        for _ in 0..self.max_stack {
            let v = RegVars {
                tag: self.b.declare_var(types::I8),
                bits: self.b.declare_var(types::I64),
                flt: self.b.declare_var(types::F64),
            };
            self.regs.vars.push(v);
        }
    }

    /// The instruction being translated.
    pub fn regs_pc(&self) -> usize {
        self.regs.pc
    }

    /// Starts translating the instruction at `pc`.
    pub fn begin(&mut self, pc: usize) {
        let n = self.max_stack as usize;
        self.regs.pc = pc;
        match self.regs.states.get(pc).cloned().flatten() {
            Some(st) => {
                self.regs.ty = st.ty;
                self.regs.dirty = st.dirty;
                self.regs.tables = st.tables;
            }
            None => {
                self.regs.ty = vec![Ty::Any; n];
                self.regs.dirty = RegSet::default();
                self.regs.tables = RegSet::default();
                (0..n as u32).for_each(|r| self.regs.dirty.insert(r));
            }
        }
        self.regs.written = RegSet::default();
    }

    /// Ends the instruction: emits its spill blocks.
    pub fn finish(&mut self) {
        let spills = std::mem::take(&mut self.regs.spills);
        for (pc, blk) in spills {
            self.at(blk);
            let reason = self.b.block_params(blk)[0];
            let need = self.to_store(pc);
            for r in need.iter() {
                self.store_reg(r);
            }
            let pc = self.i32(pc as u32);
            self.b.ins().jump(
                self.exit_block,
                &[BlockArg::Value(pc), BlockArg::Value(reason)],
            );
        }
    }

    /// The entry block of entry point `pc`: loads every register, checks the types the
    /// code assumes there, and continues at the instruction.
    pub fn emit_entry(&mut self, pc: usize) -> ir::Block {
        let blk = self.b.create_block();
        self.fill_entry(blk, pc);
        blk
    }

    /// Emits the entry block `blk` of entry point `pc` (see [`Self::emit_entry`]).
    pub fn fill_entry(&mut self, blk: ir::Block, pc: usize) {
        self.b.switch_to_block(blk);
        // Registers not loaded read as nil (the variables' zero): they are dead here and
        // no closure can reach them (a later exit may store them).
        let (mut load, n) = (self.live_at(pc), self.max_stack);
        load.union(&self.regs.captured);
        for r in load.iter().filter(|&r| r < n) {
            self.load_reg(r);
        }
        // Every loaded register's assumed type is checked (a dead captured one too: an
        // exit may store it, typed as assumed).
        let want: Vec<(u32, u8)> = match self.regs.states.get(pc).cloned().flatten() {
            Some(st) => load
                .iter()
                .filter_map(|r| match st.ty.get(r as usize) {
                    Some(Ty::Int) => Some((r, tags::INT)),
                    Some(Ty::Float) => Some((r, tags::FLOAT)),
                    _ if st.tables.contains(r) => Some((r, tags::TABLE)),
                    _ => None,
                })
                .collect(),
            None => Vec::new(),
        };
        for (r, t) in want {
            if t == tags::TABLE {
                // LOOP-TABLES: a miss compiles the function again without them.
                let tag = self.tag_var(r);
                let ok = self.is(tag, t);
                self.guard_raw(ok, pc, Reason::LoopTable);
                self.retag(r, t);
                continue;
            }
            match self.entry_speculation(pc, r) {
                Some(Reason::SpecParam) => {
                    let tag = self.tag_var(r);
                    let ok = self.is(tag, t);
                    self.guard_raw(ok, pc, Reason::SpecParam);
                }
                Some(_) => {
                    let ty = if t == tags::FLOAT { Ty::Float } else { Ty::Int };
                    self.speculation_guard(r, ty, pc, true);
                }
                None => {
                    let tag = self.tag_var(r);
                    let ok = self.is(tag, t);
                    self.guard_raw(ok, pc, Reason::EntryType);
                }
            }
            self.retag(r, t);
        }
        if let Some(Some(st)) = self.regs.states.get(pc) {
            let tables = st.tables;
            self.arrays_at_entry(pc, tables);
        }
        let to = self.blocks[pc];
        self.b.ins().jump(to, &[]);
    }

    /// Whether the type the entry block of `pc` checks in register `r` is speculated
    /// (SPECULATE): a parameter at pc 0 (`SpecParam`), or a result of the call just
    /// before `pc` (`SpecType`: its miss is reported as the call's guard
    /// would report it). `None`: a type the compiled code proved (`entry-type`).
    fn entry_speculation(&self, pc: usize, r: u32) -> Option<Reason> {
        if pc == 0 {
            let t = self.spec.params.get(r as usize).copied();
            return t.filter(|&t| t != Ty::Any).map(|_| Reason::SpecParam);
        }
        let call = self.code.get(pc - 1)?;
        let speculated = self.spec.spec.get(pc - 1).copied().flatten().is_some();
        let is_call = call.opcode() == Some(moonjet_bytecode::OpCode::Call);
        (is_call && speculated && self.speculated_regs(pc - 1).contains(&r))
            .then_some(Reason::SpecType)
    }

    /// The tag variable of register `r` (whatever the analysis knows of its type).
    pub fn tag_var(&mut self, r: u32) -> ir::Value {
        self.b.use_var(self.regs.vars[r as usize].tag)
    }

    /// After a guard proved that register `r` holds tag `t`: its tag variable becomes
    /// the shared constant (SHARED-TAGS in `translate.rs`).
    pub fn retag(&mut self, r: u32, t: u8) {
        let c = self.tag_const(t);
        self.b.def_var(self.regs.vars[r as usize].tag, c);
    }

    // ------------------------------------------------------------------ operands

    /// Byte offset of register `r` from `base` (a reason if `r >= max_stack`).
    pub fn reg(&self, r: u32) -> Result<i32, Reason> {
        if r < self.max_stack {
            Ok(off_of(r))
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

    /// R[0].
    pub fn base(&mut self) -> ir::Value {
        self.base
    }

    /// After a helper that may have moved the stack (it saved the frame's pc as
    /// `pc + 1`): continues when R[0] is where it was, else exits raw (`Unwind`) so that
    /// the interpreter re-enters the code at `pc + 1` with the new base.
    pub fn check_base(&mut self, pc: usize) {
        let now = self.b.ins().load(PTR, mem(), self.ctx, ctx_offsets::BASE);
        let same = self.b.ins().icmp(IntCC::Equal, now, self.base);
        self.guard_raw(same, pc + 1, Reason::Unwind);
    }

    /// Address of the register at byte offset `off` (for helpers, after a flush).
    pub fn addr(&mut self, off: i32) -> ir::Value {
        let base = self.base();
        self.b.ins().iadd_imm_s(base, off as i64)
    }

    /// The static type of the register at `off` here (`Any` once this instruction wrote
    /// it: its paths may differ).
    pub fn ty(&self, off: i32) -> Ty {
        let r = rn(off);
        if self.regs.written.contains(r) {
            return Ty::Any;
        }
        self.regs.ty.get(r as usize).copied().unwrap_or(Ty::Any)
    }

    /// The variables of the register at `off`.
    fn vars(&self, off: i32) -> RegVars {
        self.regs.vars[rn(off) as usize]
    }

    /// The tag of the register at `off` (an i8; a constant when the type is known).
    pub fn tag(&mut self, off: i32) -> ir::Value {
        match self.ty(off) {
            Ty::Int => self.tag_const(tags::INT),
            Ty::Float => self.tag_const(tags::FLOAT),
            Ty::Any if self.known_table(off) => self.tag_const(tags::TABLE),
            Ty::Any => self.b.use_var(self.vars(off).tag),
        }
    }

    /// Whether the register at `off` holds a table here (LOOP-TABLES; not once this
    /// instruction wrote it).
    pub(crate) fn known_table(&self, off: i32) -> bool {
        let r = rn(off);
        self.regs.tables.contains(r) && !self.regs.written.contains(r)
    }

    /// At the FORPREP at `pc` (LOOP-TABLES in `analysis.rs`): exits with `loop-table`
    /// unless every register the loop's body is analysed to find a table in, and that
    /// is not known as one here, holds a table.
    pub fn check_loop_tables(&mut self, pc: usize) {
        let body = match self.regs.states.get(pc + 1) {
            Some(Some(st)) => st.tables,
            _ => return,
        };
        let (fresh, n) = (body.minus(&self.regs.tables), self.max_stack);
        for r in fresh.iter().filter(|&r| r < n) {
            let tag = self.tag_var(r);
            let ok = self.is(tag, tags::TABLE);
            self.guard(ok, pc, Reason::LoopTable);
        }
    }

    /// `tag == t` (an i8 truth value).
    pub fn is(&mut self, tag: ir::Value, t: u8) -> ir::Value {
        match self.known(tag) {
            Some(k) => self.truth(k == t as i64),
            None => self.b.ins().icmp_imm_s(IntCC::Equal, tag, t as i64),
        }
    }

    /// The payload of the register at `off` as `ty` (I64, F64 or I8).
    pub fn payload(&mut self, off: i32, ty: ir::Type) -> ir::Value {
        let v = self.vars(off);
        let known_float = self.ty(off) == Ty::Float;
        if ty == types::F64 {
            if known_float {
                return self.b.use_var(v.flt);
            }
            let bits = self.b.use_var(v.bits);
            return self.b.ins().bitcast(types::F64, MemFlagsData::new(), bits);
        }
        let bits = if known_float {
            let f = self.b.use_var(v.flt);
            self.b.ins().bitcast(types::I64, MemFlagsData::new(), f)
        } else {
            self.b.use_var(v.bits)
        };
        if ty == types::I8 {
            self.b.ins().ireduce(types::I8, bits)
        } else {
            bits
        }
    }

    // ------------------------------------------------------------------ definitions

    /// Defines the register at `off`: tag (i8), bits (i64) and float view (f64).
    fn def(&mut self, off: i32, tag: ir::Value, bits: ir::Value, flt: ir::Value) {
        let (r, v) = (rn(off), self.vars(off));
        self.b.def_var(v.tag, tag);
        self.b.def_var(v.bits, bits);
        self.b.def_var(v.flt, flt);
        self.regs.written.insert(r);
        self.regs.dirty.insert(r);
    }

    /// Sets the register at `off` to a value with a tag known here and payload `word`.
    pub fn store_value(&mut self, off: i32, tag: u8, word: ir::Value) {
        let t = self.tag_const(tag);
        self.set_dynamic(off, t, word);
    }

    /// Sets the register at `off` to the value with tag `tag` (an i8) and bits `word`.
    pub fn set_dynamic(&mut self, off: i32, tag: ir::Value, word: ir::Value) {
        let f = self.b.ins().bitcast(types::F64, MemFlagsData::new(), word);
        self.def(off, tag, word, f);
    }

    /// Sets the register at `off` to an integer.
    pub fn store_int(&mut self, off: i32, v: ir::Value) {
        self.store_value(off, tags::INT, v);
    }

    /// Sets the register at `off` to a float.
    pub fn store_float(&mut self, off: i32, v: ir::Value) {
        let word = self.b.ins().bitcast(types::I64, MemFlagsData::new(), v);
        let t = self.tag_const(tags::FLOAT);
        self.def(off, t, word, v);
    }

    /// Sets the register at `off` to a boolean (an i8 0/1).
    pub fn store_bool(&mut self, off: i32, v: ir::Value) {
        let word = self.b.ins().uextend(types::I64, v);
        self.store_value(off, tags::BOOL, word);
    }

    /// Sets the register at `off` to nil.
    pub fn store_nil(&mut self, off: i32) {
        let zero = self.b.ins().iconst(types::I64, 0);
        self.store_value(off, tags::NIL, zero);
    }

    /// Sets the register at `dst_off` to the value stored at `src + src_off` (a
    /// constant, a table slot).
    pub fn copy_value(&mut self, src: ir::Value, src_off: i32, dst_off: i32) {
        let tag = self.b.ins().load(types::I8, mem(), src, src_off + TAG);
        let bits = self.b.ins().load(types::I64, mem(), src, src_off + PAYLOAD);
        self.set_dynamic(dst_off, tag, bits);
    }

    /// Copies the value at `src` (16 bytes, padding included) to the stack slot of the
    /// register at `dst_off`, as one load and one store.
    pub fn copy_to_slot(&mut self, src: ir::Value, dst_off: i32) {
        let v = self.b.ins().load(types::I64X2, mem_vec(), src, 0);
        let base = self.base();
        self.b.ins().store(mem_vec(), v, base, dst_off);
    }

    /// Copies register `src_off` to register `dst_off`.
    pub fn copy_reg(&mut self, src_off: i32, dst_off: i32) {
        match self.ty(src_off) {
            Ty::Int => {
                let v = self.payload(src_off, types::I64);
                self.store_int(dst_off, v);
            }
            Ty::Float => {
                let v = self.payload(src_off, types::F64);
                self.store_float(dst_off, v);
            }
            Ty::Any => {
                let v = self.vars(src_off);
                let (tag, bits) = (self.b.use_var(v.tag), self.b.use_var(v.bits));
                self.set_dynamic(dst_off, tag, bits);
            }
        }
    }

    /// Lua truthiness of the register at `off` (an i8): not nil and not false.
    pub fn truthy(&mut self, off: i32) -> ir::Value {
        if self.ty(off) != Ty::Any {
            return self.b.ins().iconst(types::I8, 1);
        }
        // One compare (TRUTH-TEST): with NIL = 0 and BOOL = 1, a value is true exactly
        // when `tag > (tag & byte & 1) ^ 1`: nil never (0 > anything is false, whatever
        // its payload), a boolean when its byte is 1 (1 > 0, not 1 > 1), any other tag
        // (2 or more) always.
        const _: () = assert!(tags::NIL == 0 && tags::BOOL == 1);
        let t = self.tag(off);
        let byte = self.payload(off, types::I8);
        let m = self.b.ins().band(t, byte);
        let m = self.b.ins().band_imm_s(m, 1);
        let m = self.b.ins().bxor_imm_s(m, 1);
        self.b.ins().icmp(IntCC::UnsignedGreaterThan, t, m)
    }

    // ------------------------------------------------------------------ the value stack

    /// Stores register `r` to the value stack: the tag word (tag byte, zero padding)
    /// and the payload in one 16-byte store, so that a later 16-byte load of the value
    /// (by a helper or the interpreter) is forwarded from the store.
    fn store_reg(&mut self, r: u32) {
        let base = self.base();
        self.store_reg_at(r, base, off_of(r));
    }

    /// Stores register `r`'s value at `at + off`, as [`Self::store_reg`] does.
    pub(crate) fn store_reg_at(&mut self, r: u32, at: ir::Value, off: i32) {
        let roff = off_of(r);
        let tag = self.tag(roff);
        let word = self.payload(roff, types::I64);
        let t = self.b.ins().uextend(types::I64, tag);
        let v = self.b.ins().scalar_to_vector(types::I64X2, t);
        let v = self.b.ins().insertlane(v, word, 1);
        self.b.ins().store(mem_vec(), v, at, off);
    }

    /// Defines register `r`'s variables from the value stack.
    fn load_reg(&mut self, r: u32) {
        let (off, v) = (off_of(r), self.regs.vars[r as usize]);
        let base = self.base();
        let tag = self.b.ins().load(types::I8, mem(), base, off + TAG);
        let bits = self.b.ins().load(types::I64, mem(), base, off + PAYLOAD);
        let flt = self.b.ins().bitcast(types::F64, MemFlagsData::new(), bits);
        self.b.def_var(v.tag, tag);
        self.b.def_var(v.bits, bits);
        self.b.def_var(v.flt, flt);
    }

    /// Stores those of the registers at `offs` the code may hold unstored (before a
    /// helper that reads them).
    pub fn store_regs(&mut self, offs: &[i32]) {
        for &off in offs {
            let r = rn(off);
            if self.regs.dirty.contains(r) && r < self.max_stack {
                self.store_reg(r);
            }
        }
    }

    /// Reloads the register at `off` after a helper wrote it (its type here is no
    /// longer the one before the instruction).
    pub fn load_reg_at(&mut self, off: i32) {
        let r = rn(off);
        if r < self.max_stack {
            self.load_reg(r);
            self.regs.written.insert(r);
        }
    }

    /// Stores every register the code may hold unstored (before a helper call).
    pub fn flush(&mut self) {
        let need = self.to_store(self.regs.pc);
        for r in need.iter() {
            self.store_reg(r);
        }
    }

    /// Stores every register the code may hold unstored and counts none as unstored
    /// any more (anchor: LOOP-FLUSH): at a loop's entry, so that the registers the loop
    /// does not write are clean inside it. Its exits then store only what the loop
    /// wrote, and the values of the enclosing code stay out of the loop's blocks
    /// instead of travelling through its header as block parameters (register
    /// pressure, spills on every iteration). `analysis::transfer` clears the dirty set
    /// at the same instructions (`analysis::flushes_at_entry`).
    pub fn flush_clean(&mut self) {
        self.flush();
        self.regs.dirty = RegSet::default();
    }

    /// At the normal exit of the loop `body` (its last instruction is the one being
    /// translated), defines again from the value stack the registers live at `next`
    /// that the loop does not read and that are stored (LOOP-FLUSH): the code after the
    /// loop then does not use the values they had before it, which would otherwise
    /// travel through the loop's header as block parameters on every iteration.
    pub fn reload_outside(&mut self, next: usize, body: core::ops::RangeInclusive<usize>) {
        let reads = crate::analysis::reads_in(self.code, body, self.max_stack as usize);
        let outside = self.live_at(next).minus(&reads).minus(&self.regs.dirty);
        let n = self.max_stack;
        for r in outside.iter().filter(|&r| r < n) {
            self.load_reg(r);
        }
    }

    /// What a flush or an exit before instruction `pc` stores: the registers the code
    /// may hold unstored that anyone may read: live ones (the interpreter after an
    /// exit runs the same bytecode) and captured ones (closures read them). A dead
    /// register's stack slot keeps an older value, which the collector kept alive
    /// since (the stack is a root), and nothing reads before it is written.
    fn to_store(&self, pc: usize) -> RegSet {
        let mut need = self.live_at(pc);
        need.union(&self.regs.captured);
        let mut dirty = self.regs.dirty;
        dirty.intersect(&need);
        dirty
    }

    /// The registers live before instruction `pc` (all of them past the end).
    fn live_at(&self, pc: usize) -> RegSet {
        match self.regs.live.get(pc) {
            Some(l) => *l,
            None => {
                let mut all = RegSet::default();
                (0..self.max_stack).for_each(|r| all.insert(r));
                all
            }
        }
    }

    /// Reloads what a helper that may allocate or run Lua code may have changed: `w`
    /// and the captured registers, those live before instruction `next` or captured
    /// (closures read them); the others become nil (their stack slots may hold
    /// anything, and a later exit may store them: never a stale reference the
    /// collector freed).
    pub fn reload(&mut self, w: Writes, next: usize) {
        let mut set = self.regs.captured;
        match w {
            Writes::Reg(off) => set.insert(rn(off)),
            Writes::From(off) => (rn(off)..self.max_stack).for_each(|r| set.insert(r)),
        }
        let (n, mut keep) = (self.max_stack, self.live_at(next));
        keep.union(&self.regs.captured);
        for r in set.iter().filter(|&r| r < n) {
            if keep.contains(r) {
                self.load_reg(r);
            } else {
                let (v, nil, zero) = (self.regs.vars[r as usize], self.truth(false), self.i64(0));
                let fzero = self.b.ins().f64const(0.0);
                self.b.def_var(v.tag, nil);
                self.b.def_var(v.bits, zero);
                self.b.def_var(v.flt, fzero);
            }
            self.regs.written.insert(r);
        }
    }

    // ------------------------------------------------------------------ exits

    /// Leaves to the interpreter at `pc` for `reason`, storing the registers the code
    /// holds unstored first (through this instruction's spill block for `pc`).
    pub fn exit(&mut self, pc: usize, reason: Reason) {
        let blk = match self.regs.spills.iter().find(|(p, _)| *p == pc) {
            Some(&(_, blk)) => blk,
            None => {
                let blk = self.b.create_block();
                self.b.set_cold_block(blk);
                self.b.append_block_param(blk, types::I32);
                self.regs.spills.push((pc, blk));
                blk
            }
        };
        let r = self.b.ins().iconst(types::I32, reason.status() as i64);
        self.b.ins().jump(blk, &[BlockArg::Value(r)]);
    }

    /// Leaves to the interpreter at `pc` for `reason` without storing anything (after
    /// a helper call: the value stack is newer than the code's registers).
    pub fn exit_raw(&mut self, pc: usize, reason: Reason) {
        let pc = self.b.ins().iconst(types::I32, pc as i64);
        let r = self.b.ins().iconst(types::I32, reason.status() as i64);
        self.b
            .ins()
            .jump(self.exit_block, &[BlockArg::Value(pc), BlockArg::Value(r)]);
    }

    /// Continues in a new block when `cond` holds, else exits at `pc` for `reason`.
    pub fn guard(&mut self, cond: ir::Value, pc: usize, reason: Reason) {
        self.guard_with(cond, |t| t.exit(pc, reason));
    }

    /// [`Self::guard`] with a raw exit.
    pub fn guard_raw(&mut self, cond: ir::Value, pc: usize, reason: Reason) {
        self.guard_with(cond, |t| t.exit_raw(pc, reason));
    }

    /// Continues in a new block when `cond` holds (nothing to emit when it is known
    /// true), else emits `leave` in a block of its own.
    fn guard_with(&mut self, cond: ir::Value, leave: impl FnOnce(&mut Self)) {
        if self.known(cond).is_some_and(|c| c != 0) {
            return;
        }
        let (ok, fail) = (self.b.create_block(), self.b.create_block());
        self.b.set_cold_block(fail);
        self.branch(cond, ok, fail);
        self.b.switch_to_block(fail);
        leave(self);
        self.b.switch_to_block(ok);
    }
}
