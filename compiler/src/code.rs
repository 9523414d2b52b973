//! Code generation: emitting instructions, registers, jump lists, constants, and turning
//! expression descriptors into values in registers.

use moonjet_bytecode::instr::{MAX_AX, MAX_BX, MAX_C, OFFSET_SBX, OFFSET_SJ};
use moonjet_bytecode::{Buf, Constant, Instruction, OpCode};

use crate::expdesc::{ExpDesc, ExpKind, NO_JUMP, NO_REG};
use crate::func::ConstKey;
use crate::lexer::StrId;
use crate::parser::{Parser, R};

/// Most registers a function may use.
const MAX_REGS: u32 = 255;
/// Largest constant index usable as an RK operand.
pub(crate) const MAX_INDEX_RK: u32 = MAX_C;

/// True if `i` fits in sBx.
fn fits_bx(i: i64) -> bool {
    (-(OFFSET_SBX as i64)..=(MAX_BX as i64 - OFFSET_SBX as i64)).contains(&i)
}

/// True if `i` fits in sB/sC.
pub(crate) fn fits_c(i: i64) -> bool {
    (-127..=128).contains(&i)
}

/// Encodes `i` (which fits) as an excess-127 sB/sC field.
pub(crate) fn int_to_sc(i: i64) -> u32 {
    (i + 127) as u32
}

impl<'s> Parser<'s> {
    // -----------------------------------------------------------------------------------------
    // Emission
    // -----------------------------------------------------------------------------------------

    /// Emits `i` with the line of the last token read.
    pub(crate) fn code(&mut self, i: Instruction) -> i32 {
        let line = self.lex.lastline;
        self.fs.emit(i, line)
    }

    /// Emits an ABC instruction with k clear.
    pub(crate) fn code_abc(&mut self, op: OpCode, a: u32, b: u32, c: u32) -> i32 {
        self.code(Instruction::abc(op, a, b, c, false))
    }

    /// Emits an ABC instruction.
    pub(crate) fn code_abck(&mut self, op: OpCode, a: u32, b: u32, c: u32, k: bool) -> i32 {
        self.code(Instruction::abc(op, a, b, c, k))
    }

    /// Emits an ABx instruction.
    pub(crate) fn code_abx(&mut self, op: OpCode, a: u32, bx: u32) -> i32 {
        self.code(Instruction::abx(op, a, bx))
    }

    /// Emits `op A sBx`.
    fn code_asbx(&mut self, op: OpCode, a: u32, sbx: i64) -> i32 {
        self.code(Instruction::asbx(op, a, sbx as i32))
    }

    /// Emits `EXTRAARG ax`.
    pub(crate) fn code_extraarg(&mut self, ax: u32) -> i32 {
        self.code(Instruction::ax(OpCode::ExtraArg, ax))
    }

    /// `R[reg] := K[k]` (LOADKX + EXTRAARG beyond Bx).
    fn code_k(&mut self, reg: u32, k: u32) -> i32 {
        if k <= MAX_BX {
            self.code_abx(OpCode::LoadK, reg, k)
        } else {
            let p = self.code_abx(OpCode::LoadKX, reg, 0);
            self.code_extraarg(k);
            p
        }
    }

    /// `return R[first], ..., R[first+nret-1]` (nret < 0: to top).
    pub(crate) fn ret(&mut self, first: u32, nret: i32) {
        let op = match nret {
            0 => OpCode::Return0,
            1 => OpCode::Return1,
            _ => OpCode::Return,
        };
        self.code_abc(op, first, (nret + 1) as u32, 0);
    }

    // -----------------------------------------------------------------------------------------
    // Registers
    // -----------------------------------------------------------------------------------------

    /// Makes sure `n` more registers above `freereg` fit in the frame.
    pub(crate) fn check_stack(&mut self, n: u32) -> R<()> {
        let newstack = self.fs.freereg + n;
        if newstack > self.fs.max_stack {
            if newstack >= MAX_REGS {
                return Err(self.syntax_error("function or expression needs too many registers"));
            }
            self.fs.max_stack = newstack;
        }
        Ok(())
    }

    /// Reserves `n` registers.
    pub(crate) fn reserve_regs(&mut self, n: u32) -> R<()> {
        self.check_stack(n)?;
        self.fs.freereg += n;
        Ok(())
    }

    /// Frees `reg` if it is a temporary (above the locals).
    fn free_reg(&mut self, reg: u32) {
        if reg >= self.nvarstack() && self.fs.freereg > 0 {
            self.fs.freereg -= 1;
        }
    }

    /// Frees two registers, higher first.
    fn free_regs(&mut self, r1: u32, r2: u32) {
        if r1 > r2 {
            self.free_reg(r1);
            self.free_reg(r2);
        } else {
            self.free_reg(r2);
            self.free_reg(r1);
        }
    }

    /// Frees the register of `e` if it holds a temporary.
    pub(crate) fn free_exp(&mut self, e: &ExpDesc) {
        if let ExpKind::NonReloc(r) = e.k {
            self.free_reg(r);
        }
    }

    /// Frees the registers of two expressions, higher first.
    pub(crate) fn free_exps(&mut self, e1: &ExpDesc, e2: &ExpDesc) {
        match (e1.k, e2.k) {
            (ExpKind::NonReloc(r1), ExpKind::NonReloc(r2)) => self.free_regs(r1, r2),
            (ExpKind::NonReloc(r1), _) => self.free_reg(r1),
            (_, ExpKind::NonReloc(r2)) => self.free_reg(r2),
            _ => {}
        }
    }

    /// `R[from], ..., R[from+n-1] := nil`, merged into a previous LOADNIL when adjacent.
    pub(crate) fn nil(&mut self, from: u32, n: u32) {
        let mut from = from;
        let mut last = from + n - 1;
        if let Some(prev) = self.fs.previous_instruction() {
            if prev.opcode() == Some(OpCode::LoadNil) {
                let pfrom = prev.a();
                let plast = pfrom + prev.b();
                if (pfrom <= from && from <= plast + 1) || (from <= pfrom && pfrom <= last + 1) {
                    from = from.min(pfrom);
                    last = last.max(plast);
                    let pc = self.fs.pc() - 1;
                    self.fs.set(pc, prev.with_a(from).with_b(last - from));
                    return;
                }
            }
        }
        self.code_abc(OpCode::LoadNil, from, n - 1, 0);
    }

    // -----------------------------------------------------------------------------------------
    // Jumps
    // -----------------------------------------------------------------------------------------

    /// Emits a jump to be patched; returns its pc.
    pub(crate) fn jump(&mut self) -> i32 {
        self.code(Instruction::sj(OpCode::Jmp, NO_JUMP))
    }

    /// Emits a test followed by a jump; returns the jump's pc.
    pub(crate) fn cond_jump(&mut self, op: OpCode, a: u32, b: u32, c: u32, k: bool) -> i32 {
        self.code_abck(op, a, b, c, k);
        self.jump()
    }

    /// Makes the jump at `pc` go to `dest`.
    pub(crate) fn fix_jump(&mut self, pc: i32, dest: i32) -> R<()> {
        let offset = dest - (pc + 1);
        if !(-OFFSET_SJ..=(MAX_AX as i32 - OFFSET_SJ)).contains(&offset) {
            return Err(self.syntax_error("control structure too long"));
        }
        let i = self.fs.get(pc).with_sj(offset);
        self.fs.set(pc, i);
        Ok(())
    }

    /// Appends jump list `l2` to list `l1`.
    pub(crate) fn concat_jumps(&mut self, l1: &mut i32, l2: i32) -> R<()> {
        if l2 == NO_JUMP {
            return Ok(());
        }
        if *l1 == NO_JUMP {
            *l1 = l2;
            return Ok(());
        }
        let mut list = *l1;
        loop {
            let next = self.fs.get_jump(list);
            if next == NO_JUMP {
                break;
            }
            list = next;
        }
        self.fix_jump(list, l2)
    }

    /// If the jump at `node` is controlled by TESTSET, makes it store into `reg` (or turns it
    /// into a TEST when `reg` is `NO_REG` or the tested register). False if not a TESTSET.
    fn patch_test_reg(&mut self, node: i32) -> Option<Instruction> {
        let at = self.fs.jump_control(node);
        let i = self.fs.get(at);
        (i.opcode() == Some(OpCode::TestSet)).then_some(i)
    }

    /// Applies [`Self::patch_test_reg`] with `reg`; returns whether the jump was a TESTSET.
    fn patch_test_reg_to(&mut self, node: i32, reg: u32) -> bool {
        let Some(i) = self.patch_test_reg(node) else {
            return false;
        };
        let at = self.fs.jump_control(node);
        let new = if reg != NO_REG && reg != i.b() {
            i.with_a(reg)
        } else {
            Instruction::abc(OpCode::Test, i.b(), 0, 0, i.k())
        };
        self.fs.set(at, new);
        true
    }

    /// Turns every TESTSET of a list into TEST (the value is not needed).
    pub(crate) fn remove_values(&mut self, mut list: i32) {
        while list != NO_JUMP {
            self.patch_test_reg_to(list, NO_REG);
            list = self.fs.get_jump(list);
        }
    }

    /// Patches a list: value-producing tests go to `vtarget` storing into `reg`, the others
    /// to `dtarget`.
    fn patch_list_aux(&mut self, mut list: i32, vtarget: i32, reg: u32, dtarget: i32) -> R<()> {
        while list != NO_JUMP {
            let next = self.fs.get_jump(list);
            if self.patch_test_reg_to(list, reg) {
                self.fix_jump(list, vtarget)?;
            } else {
                self.fix_jump(list, dtarget)?;
            }
            list = next;
        }
        Ok(())
    }

    /// Makes every jump of `list` go to `target`.
    pub(crate) fn patch_list(&mut self, list: i32, target: i32) -> R<()> {
        self.patch_list_aux(list, target, NO_REG, target)
    }

    /// Makes every jump of `list` go to the next instruction.
    pub(crate) fn patch_to_here(&mut self, list: i32) -> R<()> {
        let here = self.fs.get_label();
        self.patch_list(list, here)
    }

    /// Emits a jump to `target`.
    pub(crate) fn jump_to(&mut self, target: i32) -> R<()> {
        let j = self.jump();
        self.patch_list(j, target)
    }

    /// True if some jump of the list needs a produced value (is not a TESTSET).
    fn need_value(&mut self, mut list: i32) -> bool {
        while list != NO_JUMP {
            if self.patch_test_reg(list).is_none() {
                return true;
            }
            list = self.fs.get_jump(list);
        }
        false
    }

    // -----------------------------------------------------------------------------------------
    // Constants
    // -----------------------------------------------------------------------------------------

    /// Index of constant `c` (cached by `key`).
    fn add_k(&mut self, key: ConstKey, c: Constant) -> R<u32> {
        if let Some(&i) = self.fs.kcache.get(&key) {
            return Ok(i);
        }
        let i = self.fs.constants.len() as u32;
        if i >= MAX_AX {
            return Err(self.syntax_error("too many constants"));
        }
        self.fs.constants.push(c);
        self.fs.kcache.insert(key, i);
        Ok(i)
    }

    /// Constant index of a string.
    pub(crate) fn string_k(&mut self, s: StrId) -> R<u32> {
        let c = Constant::Str(Buf::from(self.lex.strings.get(s).to_vec()));
        self.add_k(ConstKey::Str(s), c)
    }

    /// Constant index of an integer.
    fn int_k(&mut self, i: i64) -> R<u32> {
        self.add_k(ConstKey::Int(i), Constant::Int(i))
    }

    /// Constant index of a float.
    fn float_k(&mut self, f: f64) -> R<u32> {
        self.add_k(ConstKey::Flt(f.to_bits()), Constant::Float(f))
    }

    /// `R[reg] := i`.
    pub(crate) fn load_int(&mut self, reg: u32, i: i64) -> R<()> {
        if fits_bx(i) {
            self.code_asbx(OpCode::LoadI, reg, i);
        } else {
            let k = self.int_k(i)?;
            self.code_k(reg, k);
        }
        Ok(())
    }

    /// `R[reg] := f`.
    fn load_float(&mut self, reg: u32, f: f64) -> R<()> {
        let fi = f as i64;
        if fi as f64 == f && fits_bx(fi) && !(f == 0.0 && f.is_sign_negative()) {
            self.code_asbx(OpCode::LoadF, reg, fi);
        } else {
            let k = self.float_k(f)?;
            self.code_k(reg, k);
        }
        Ok(())
    }

    /// Puts a string literal in the constant table: `e` becomes a `K`.
    pub(crate) fn str_to_k(&mut self, e: &mut ExpDesc) -> R<()> {
        if let ExpKind::KStr(s) = e.k {
            e.k = ExpKind::K(self.string_k(s)?);
        }
        Ok(())
    }

    /// Makes a constant expression a `K` that fits an RK operand; false if it cannot.
    pub(crate) fn exp_to_k(&mut self, e: &mut ExpDesc) -> R<bool> {
        if e.has_jumps() {
            return Ok(false);
        }
        let info = match e.k {
            ExpKind::True => self.add_k(ConstKey::Bool(true), Constant::Bool(true))?,
            ExpKind::False => self.add_k(ConstKey::Bool(false), Constant::Bool(false))?,
            ExpKind::Nil => self.add_k(ConstKey::Nil, Constant::Nil)?,
            ExpKind::KInt(i) => self.int_k(i)?,
            ExpKind::KFlt(f) => self.float_k(f)?,
            ExpKind::KStr(s) => self.string_k(s)?,
            ExpKind::K(i) => i,
            _ => return Ok(false),
        };
        if info <= MAX_INDEX_RK {
            e.k = ExpKind::K(info);
            return Ok(true);
        }
        Ok(false)
    }

    /// True if `e` is a string constant usable as a K operand.
    pub(crate) fn is_kstr(&self, e: &ExpDesc) -> bool {
        match e.k {
            ExpKind::K(i) if !e.has_jumps() && i <= MAX_INDEX_RK => {
                matches!(self.fs.constants.get(i as usize), Some(Constant::Str(_)))
            }
            _ => false,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Discharging expressions
    // -----------------------------------------------------------------------------------------

    /// Fixes the number of results of a call or `...` (`n < 0`: all).
    pub(crate) fn set_returns(&mut self, e: &mut ExpDesc, n: i32) -> R<()> {
        match e.k {
            ExpKind::Call(pc) => {
                let i = self.fs.get(pc).with_c((n + 1) as u32);
                self.fs.set(pc, i);
            }
            ExpKind::Vararg(pc) => {
                let i = self
                    .fs
                    .get(pc)
                    .with_c((n + 1) as u32)
                    .with_a(self.fs.freereg);
                self.fs.set(pc, i);
                self.reserve_regs(1)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// A multi-value expression used as a single value.
    pub(crate) fn set_one_ret(&mut self, e: &mut ExpDesc) {
        match e.k {
            ExpKind::Call(pc) => e.k = ExpKind::NonReloc(self.fs.get(pc).a()),
            ExpKind::Vararg(pc) => {
                let i = self.fs.get(pc).with_c(2);
                self.fs.set(pc, i);
                e.k = ExpKind::Reloc(pc);
            }
            _ => {}
        }
    }

    /// Turns a variable into a value (emitting its load where needed).
    pub(crate) fn discharge_vars(&mut self, e: &mut ExpDesc) -> R<()> {
        e.k = match e.k {
            ExpKind::Const(abs) => self.const_value(abs),
            ExpKind::Local { reg, .. } => ExpKind::NonReloc(reg),
            ExpKind::Upval(u) => ExpKind::Reloc(self.code_abc(OpCode::GetUpval, 0, u, 0)),
            ExpKind::IndexUp { t, key } => {
                ExpKind::Reloc(self.code_abc(OpCode::GetTabUp, 0, t, key))
            }
            ExpKind::IndexI { t, idx } => {
                self.free_reg(t);
                ExpKind::Reloc(self.code_abc(OpCode::GetI, 0, t, idx))
            }
            ExpKind::IndexStr { t, key } => {
                self.free_reg(t);
                ExpKind::Reloc(self.code_abc(OpCode::GetField, 0, t, key))
            }
            ExpKind::Indexed { t, key } => {
                self.free_regs(t, key);
                ExpKind::Reloc(self.code_abc(OpCode::GetTable, 0, t, key))
            }
            ExpKind::Call(_) | ExpKind::Vararg(_) => {
                self.set_one_ret(e);
                return Ok(());
            }
            k => k,
        };
        Ok(())
    }

    /// Puts the value of `e` into `reg` (jumps aside).
    fn discharge_to_reg(&mut self, e: &mut ExpDesc, reg: u32) -> R<()> {
        self.discharge_vars(e)?;
        match e.k {
            ExpKind::Nil => self.nil(reg, 1),
            ExpKind::False => {
                self.code_abc(OpCode::LoadFalse, reg, 0, 0);
            }
            ExpKind::True => {
                self.code_abc(OpCode::LoadTrue, reg, 0, 0);
            }
            ExpKind::KStr(s) => {
                let k = self.string_k(s)?;
                self.code_k(reg, k);
            }
            ExpKind::K(k) => {
                self.code_k(reg, k);
            }
            ExpKind::KFlt(f) => self.load_float(reg, f)?,
            ExpKind::KInt(i) => self.load_int(reg, i)?,
            ExpKind::Reloc(pc) => {
                let i = self.fs.get(pc).with_a(reg);
                self.fs.set(pc, i);
            }
            ExpKind::NonReloc(r) => {
                if r != reg {
                    self.code_abc(OpCode::Move, reg, r, 0);
                }
            }
            _ => return Ok(()), // a jump: nothing to do yet
        }
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    /// Puts the value of `e` in some register (a new one unless it is already in one).
    fn discharge_to_any_reg(&mut self, e: &mut ExpDesc) -> R<()> {
        if !matches!(e.k, ExpKind::NonReloc(_)) {
            self.reserve_regs(1)?;
            let reg = self.fs.freereg - 1;
            self.discharge_to_reg(e, reg)?;
        }
        Ok(())
    }

    /// Emits `R[a] := bool` as a jump target; returns its pc.
    fn code_loadbool(&mut self, a: u32, op: OpCode) -> i32 {
        self.fs.get_label();
        self.code_abc(op, a, 0, 0)
    }

    /// Puts the whole value of `e` (jumps included) into `reg`.
    pub(crate) fn exp_to_reg(&mut self, e: &mut ExpDesc, reg: u32) -> R<()> {
        self.discharge_to_reg(e, reg)?;
        if let ExpKind::Jmp(pc) = e.k {
            let mut t = e.t;
            self.concat_jumps(&mut t, pc)?;
            e.t = t;
        }
        if e.has_jumps() {
            let mut p_f = NO_JUMP;
            let mut p_t = NO_JUMP;
            if self.need_value(e.t) || self.need_value(e.f) {
                let fj = if matches!(e.k, ExpKind::Jmp(_)) {
                    NO_JUMP
                } else {
                    self.jump()
                };
                p_f = self.code_loadbool(reg, OpCode::LFalseSkip);
                p_t = self.code_loadbool(reg, OpCode::LoadTrue);
                self.patch_to_here(fj)?;
            }
            let end = self.fs.get_label();
            self.patch_list_aux(e.f, end, reg, p_f)?;
            self.patch_list_aux(e.t, end, reg, p_t)?;
        }
        e.t = NO_JUMP;
        e.f = NO_JUMP;
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    /// Puts the value of `e` into the next free register.
    pub(crate) fn exp_to_next_reg(&mut self, e: &mut ExpDesc) -> R<()> {
        self.discharge_vars(e)?;
        self.free_exp(e);
        self.reserve_regs(1)?;
        let reg = self.fs.freereg - 1;
        self.exp_to_reg(e, reg)
    }

    /// Puts the value of `e` in some register and returns it.
    pub(crate) fn exp_to_any_reg(&mut self, e: &mut ExpDesc) -> R<u32> {
        self.discharge_vars(e)?;
        if let ExpKind::NonReloc(r) = e.k {
            if !e.has_jumps() {
                return Ok(r);
            }
            if r >= self.nvarstack() {
                self.exp_to_reg(e, r)?;
                return Ok(r);
            }
        }
        self.exp_to_next_reg(e)?;
        Ok(reg_of(e))
    }

    /// Like [`Self::exp_to_any_reg`] but leaves an upvalue alone.
    pub(crate) fn exp_to_any_reg_up(&mut self, e: &mut ExpDesc) -> R<()> {
        if !matches!(e.k, ExpKind::Upval(_)) || e.has_jumps() {
            self.exp_to_any_reg(e)?;
        }
        Ok(())
    }

    /// Makes `e` a value: in a register if it has jumps, else discharged.
    pub(crate) fn exp_to_val(&mut self, e: &mut ExpDesc) -> R<()> {
        if e.has_jumps() {
            self.exp_to_any_reg(e)?;
            Ok(())
        } else {
            self.discharge_vars(e)
        }
    }

    /// Makes `e` a K operand if possible (true), else puts it in a register (false).
    pub(crate) fn exp_to_rk(&mut self, e: &mut ExpDesc) -> R<bool> {
        if self.exp_to_k(e)? {
            Ok(true)
        } else {
            self.exp_to_any_reg(e)?;
            Ok(false)
        }
    }

    /// Emits `op A B RK(C)` with `ec` as the C operand.
    fn code_abrk(&mut self, op: OpCode, a: u32, b: u32, ec: &mut ExpDesc) -> R<()> {
        let k = self.exp_to_rk(ec)?;
        let c = reg_or_k(ec);
        self.code_abck(op, a, b, c, k);
        Ok(())
    }

    /// Emits the store of `ex` into variable `var`.
    pub(crate) fn store_var(&mut self, var: &ExpDesc, ex: &mut ExpDesc) -> R<()> {
        match var.k {
            ExpKind::Local { reg, .. } => {
                self.free_exp(ex);
                return self.exp_to_reg(ex, reg);
            }
            ExpKind::Upval(u) => {
                let e = self.exp_to_any_reg(ex)?;
                self.code_abc(OpCode::SetUpval, e, u, 0);
            }
            ExpKind::IndexUp { t, key } => self.code_abrk(OpCode::SetTabUp, t, key, ex)?,
            ExpKind::IndexI { t, idx } => self.code_abrk(OpCode::SetI, t, idx, ex)?,
            ExpKind::IndexStr { t, key } => self.code_abrk(OpCode::SetField, t, key, ex)?,
            ExpKind::Indexed { t, key } => self.code_abrk(OpCode::SetTable, t, key, ex)?,
            _ => {}
        }
        self.free_exp(ex);
        Ok(())
    }

    /// `e:key` — SELF: `R[A+1] := e; R[A] := e[key]`.
    pub(crate) fn self_op(&mut self, e: &mut ExpDesc, key: &mut ExpDesc) -> R<()> {
        let ereg = self.exp_to_any_reg(e)?;
        self.free_exp(e);
        let base = self.fs.freereg;
        e.k = ExpKind::NonReloc(base);
        self.reserve_regs(2)?;
        self.code_abrk(OpCode::SelfOp, base, ereg, key)?;
        self.free_exp(key);
        Ok(())
    }

    /// `t[k]`: makes `t` an indexed expression (t is in a register or an upvalue).
    pub(crate) fn indexed(&mut self, t: &mut ExpDesc, k: &mut ExpDesc) -> R<()> {
        self.str_to_k(k)?;
        let kstr = self.is_kstr(k);
        if matches!(t.k, ExpKind::Upval(_)) && !kstr {
            self.exp_to_any_reg(t)?;
        }
        if let ExpKind::Upval(u) = t.k {
            t.k = ExpKind::IndexUp {
                t: u,
                key: reg_or_k(k),
            };
            return Ok(());
        }
        let treg = match t.k {
            ExpKind::Local { reg, .. } => reg,
            ExpKind::NonReloc(r) => r,
            _ => self.exp_to_any_reg(t)?,
        };
        t.k = match k.k {
            _ if kstr => ExpKind::IndexStr {
                t: treg,
                key: reg_or_k(k),
            },
            ExpKind::KInt(i) if !k.has_jumps() && (0..=MAX_C as i64).contains(&i) => {
                ExpKind::IndexI {
                    t: treg,
                    idx: i as u32,
                }
            }
            _ => ExpKind::Indexed {
                t: treg,
                key: self.exp_to_any_reg(k)?,
            },
        };
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Conditions
    // -----------------------------------------------------------------------------------------

    /// Inverts the test that controls the jump at `pc`.
    pub(crate) fn negate_condition(&mut self, pc: i32) {
        let at = self.fs.jump_control(pc);
        let i = self.fs.get(at);
        self.fs.set(at, i.with_k(!i.k()));
    }

    /// Emits a jump taken when `e` is `cond`; returns it.
    fn jump_on_cond(&mut self, e: &mut ExpDesc, cond: bool) -> R<i32> {
        if let ExpKind::Reloc(pc) = e.k {
            let ie = self.fs.get(pc);
            if ie.opcode() == Some(OpCode::Not) && pc == self.fs.pc() - 1 {
                self.fs.code.pop();
                self.fs.lines.pop();
                return Ok(self.cond_jump(OpCode::Test, ie.b(), 0, 0, !cond));
            }
        }
        self.discharge_to_any_reg(e)?;
        self.free_exp(e);
        Ok(self.cond_jump(OpCode::TestSet, NO_REG, reg_of(e), 0, cond))
    }

    /// Code to go on when `e` is true and jump (through `e.f`) when false.
    pub(crate) fn go_if_true(&mut self, e: &mut ExpDesc) -> R<()> {
        self.discharge_vars(e)?;
        let pc = match e.k {
            ExpKind::Jmp(pc) => {
                self.negate_condition(pc);
                pc
            }
            ExpKind::K(_)
            | ExpKind::KFlt(_)
            | ExpKind::KInt(_)
            | ExpKind::KStr(_)
            | ExpKind::True => NO_JUMP,
            _ => self.jump_on_cond(e, false)?,
        };
        let mut f = e.f;
        self.concat_jumps(&mut f, pc)?;
        e.f = f;
        self.patch_to_here(e.t)?;
        e.t = NO_JUMP;
        Ok(())
    }

    /// Code to go on when `e` is false and jump (through `e.t`) when true.
    pub(crate) fn go_if_false(&mut self, e: &mut ExpDesc) -> R<()> {
        self.discharge_vars(e)?;
        let pc = match e.k {
            ExpKind::Jmp(pc) => pc,
            ExpKind::Nil | ExpKind::False => NO_JUMP,
            _ => self.jump_on_cond(e, true)?,
        };
        let mut t = e.t;
        self.concat_jumps(&mut t, pc)?;
        e.t = t;
        self.patch_to_here(e.f)?;
        e.f = NO_JUMP;
        Ok(())
    }

    /// `not e`.
    pub(crate) fn code_not(&mut self, e: &mut ExpDesc) -> R<()> {
        match e.k {
            ExpKind::Nil | ExpKind::False => e.k = ExpKind::True,
            ExpKind::K(_)
            | ExpKind::KFlt(_)
            | ExpKind::KInt(_)
            | ExpKind::KStr(_)
            | ExpKind::True => e.k = ExpKind::False,
            ExpKind::Jmp(pc) => self.negate_condition(pc),
            ExpKind::Reloc(_) | ExpKind::NonReloc(_) => {
                self.discharge_to_any_reg(e)?;
                self.free_exp(e);
                let r = reg_of(e);
                e.k = ExpKind::Reloc(self.code_abc(OpCode::Not, 0, r, 0));
            }
            _ => {}
        }
        core::mem::swap(&mut e.t, &mut e.f);
        self.remove_values(e.f);
        self.remove_values(e.t);
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Final pass
    // -----------------------------------------------------------------------------------------

    /// Final fix-ups: returns get their close/vararg information, jumps to jumps are
    /// short-circuited.
    pub(crate) fn finish(&mut self) -> R<()> {
        let need_close = self.fs.need_close;
        let vararg = self.fs.is_vararg;
        let nparams = self.fs.num_params as u32;
        for pc in 0..self.fs.pc() {
            let i = self.fs.get(pc);
            match i.opcode() {
                Some(
                    op @ (OpCode::Return0 | OpCode::Return1 | OpCode::Return | OpCode::TailCall),
                ) => {
                    let simple = matches!(op, OpCode::Return0 | OpCode::Return1);
                    if simple && !(need_close || vararg) {
                        continue;
                    }
                    let op = if simple { OpCode::Return } else { op };
                    let c = if vararg { nparams + 1 } else { i.c() };
                    let k = i.k() || need_close;
                    self.fs.set(pc, Instruction::abc(op, i.a(), i.b(), c, k));
                }
                Some(OpCode::Jmp) => {
                    let target = self.final_target(pc);
                    self.fix_jump(pc, target)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Where a chain of jumps starting at `pc` finally lands.
    fn final_target(&self, pc: i32) -> i32 {
        let mut i = pc;
        for _ in 0..100 {
            let ins = self.fs.get(i);
            if ins.opcode() != Some(OpCode::Jmp) {
                break;
            }
            i += ins.sj_field() + 1;
        }
        i
    }
}

/// The register of an expression known to be in one.
pub(crate) fn reg_of(e: &ExpDesc) -> u32 {
    match e.k {
        ExpKind::NonReloc(r) | ExpKind::Local { reg: r, .. } => r,
        _ => 0,
    }
}

/// The register or constant index of an expression that is `NonReloc` or `K`.
pub(crate) fn reg_or_k(e: &ExpDesc) -> u32 {
    match e.k {
        ExpKind::K(k) => k,
        _ => reg_of(e),
    }
}
