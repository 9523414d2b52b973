//! Translations of jumps, tests and the compare-and-jump pairs (a test instruction and
//! the JMP after it become one branch). Integer/integer and float/float comparisons are
//! native, integer/float ones exact through a helper, and so are two strings; anything
//! that may call `__lt`, `__le` or `__eq` exits.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{self, types, InstBuilder};
use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::{tags, MixedCmp};
use moonjet_interp::Value;

use crate::reasons::Reason;
use crate::translate::{FunctionTranslator, Helper};

/// Where a test goes: the JMP's target when taken, the instruction after the JMP when
/// skipped, and the k bit that says which truth value takes the jump.
#[derive(Clone, Copy)]
pub struct Targets {
    /// Target of the JMP.
    jump: ir::Block,
    /// pc + 2.
    skip: ir::Block,
    /// The jump is taken when the condition equals k.
    k: bool,
}

impl FunctionTranslator<'_> {
    /// The targets of the test at `pc` (a reason unless a JMP follows).
    fn targets(&self, i: Instruction, pc: usize) -> Result<Targets, Reason> {
        let j = self.code.get(pc + 1).copied().ok_or(Reason::MissingJump)?;
        if j.opcode() != Some(OpCode::Jmp) {
            return Err(Reason::MissingJump);
        }
        let jump = self.block_rel(pc + 1, 1 + j.sj_field() as i64)?;
        Ok(Targets {
            jump,
            skip: self.block_rel(pc, 2)?,
            k: i.k(),
        })
    }

    /// Branches on `cond` (an i8 truth value): `if cond ~= k then skip else jump`.
    fn test_branch(&mut self, cond: ir::Value, t: Targets) {
        if t.k {
            self.branch(cond, t.jump, t.skip);
        } else {
            self.branch(cond, t.skip, t.jump);
        }
    }

    /// Calls the exact mixed comparison helper; an i8 truth value.
    fn mixed(&mut self, op: MixedCmp, i: ir::Value, f: ir::Value) -> ir::Value {
        let op = self.i32(op as u32);
        let r = self.call(Helper::CmpMixed, &[op, i, f]);
        self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0)
    }

    /// Starts a path of a multi-way type dispatch: continues in a new block when `cond`
    /// holds and returns the block for the other case.
    fn when(&mut self, cond: ir::Value) -> ir::Block {
        let (yes, no) = (self.new_block(), self.new_block());
        self.branch(cond, yes, no);
        self.at(yes);
        no
    }

    // ------------------------------------------------------------------ jumps and tests

    /// JMP: `pc += sJ`.
    pub fn translate_jmp(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let to = self.block_rel(pc, 1 + i.sj_field() as i64)?;
        self.jump(to);
        Ok(())
    }

    /// TEST: `if (not R[A] == k) then pc++`.
    pub fn translate_test(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, t) = (self.reg(i.a())?, self.targets(i, pc)?);
        let cond = self.truthy(a);
        self.test_branch(cond, t);
        Ok(())
    }

    /// TESTSET: `if (not R[B] == k) then pc++ else { R[A] := R[B]; jump }`.
    pub fn translate_testset(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, t) = (self.reg(i.a())?, self.reg(i.b())?, self.targets(i, pc)?);
        let cond = self.truthy(b);
        let take = if t.k {
            cond
        } else {
            self.b.ins().bxor_imm_s(cond, 1)
        };
        let copy = self.new_block();
        self.branch(take, copy, t.skip);
        self.at(copy);
        self.copy_reg(b, a);
        self.jump(t.jump);
        Ok(())
    }

    // ------------------------------------------------------------------ comparisons

    /// LT / LE: `if ((R[A] < R[B]) ~= k) then pc++` (and `<=`).
    pub fn translate_lt_le(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let le = i.opcode() == Some(OpCode::Le);
        let (a, b, t) = (self.reg(i.a())?, self.reg(i.b())?, self.targets(i, pc)?);
        let (ta, tb) = (self.tag(a), self.tag(b));
        let (ia, ib, fa, fb) = (
            self.is(ta, tags::INT),
            self.is(tb, tags::INT),
            self.is(ta, tags::FLOAT),
            self.is(tb, tags::FLOAT),
        );

        let both = self.and(ia, ib);
        let no = self.when(both);
        let (x, y) = (self.payload(a, types::I64), self.payload(b, types::I64));
        let cc = if le {
            IntCC::SignedLessThanOrEqual
        } else {
            IntCC::SignedLessThan
        };
        let c = self.b.ins().icmp(cc, x, y);
        self.test_branch(c, t);

        self.at(no);
        let both = self.and(fa, fb);
        let no = self.when(both);
        let (x, y) = (self.payload(a, types::F64), self.payload(b, types::F64));
        let cc = if le {
            FloatCC::LessThanOrEqual
        } else {
            FloatCC::LessThan
        };
        let c = self.b.ins().fcmp(cc, x, y);
        self.test_branch(c, t);

        // Mixed subtypes, through the helper (which takes the integer first).
        let (lt_if, lt_fi) = if le {
            (MixedCmp::IntLeFloat, MixedCmp::FloatLeInt)
        } else {
            (MixedCmp::IntLtFloat, MixedCmp::FloatLtInt)
        };
        let mut no = no;
        for (int_left, op) in [(true, lt_if), (false, lt_fi)] {
            self.at(no);
            let mixed = if int_left {
                self.and(ia, fb)
            } else {
                self.and(fa, ib)
            };
            no = self.when(mixed);
            let (ty_a, ty_b) = if int_left {
                (types::I64, types::F64)
            } else {
                (types::F64, types::I64)
            };
            let (x, y) = (self.payload(a, ty_a), self.payload(b, ty_b));
            let (int, float) = if int_left { (x, y) } else { (y, x) };
            let c = self.mixed(op, int, float);
            self.test_branch(c, t);
        }

        // Two strings, byte-wise through the helper.
        self.at(no);
        let (sa, sb) = (self.is(ta, tags::STR), self.is(tb, tags::STR));
        let both = self.and(sa, sb);
        let no = self.when(both);
        let (x, y) = (self.payload(a, types::I64), self.payload(b, types::I64));
        let le = self.i32(u32::from(le));
        let r = self.call(Helper::StrLess, &[x, y, le]);
        let c = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
        self.test_branch(c, t);

        self.at(no);
        self.exit(pc, Reason::CompareType);
        Ok(())
    }

    /// LTI / LEI / GTI / GEI: `if ((R[A] op sB) ~= k) then pc++`.
    pub fn translate_cmp_imm(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (icc, fcc) = match i.opcode() {
            Some(OpCode::LtI) => (IntCC::SignedLessThan, FloatCC::LessThan),
            Some(OpCode::LeI) => (IntCC::SignedLessThanOrEqual, FloatCC::LessThanOrEqual),
            Some(OpCode::GtI) => (IntCC::SignedGreaterThan, FloatCC::GreaterThan),
            Some(OpCode::GeI) => (IntCC::SignedGreaterThanOrEqual, FloatCC::GreaterThanOrEqual),
            _ => return Err(Reason::Invalid),
        };
        let (a, t) = (self.reg(i.a())?, self.targets(i, pc)?);
        let imm = i.sb() as i64;
        let tag = self.tag(a);
        let is_int = self.is(tag, tags::INT);
        let no = self.when(is_int);
        let x = self.payload(a, types::I64);
        let c = self.b.ins().icmp_imm_s(icc, x, imm);
        self.test_branch(c, t);

        self.at(no);
        let is_float = self.is(tag, tags::FLOAT);
        let no = self.when(is_float);
        let x = self.payload(a, types::F64);
        let y = self.b.ins().f64const(imm as f64);
        let c = self.b.ins().fcmp(fcc, x, y);
        self.test_branch(c, t);

        self.at(no);
        self.exit(pc, Reason::CompareType);
        Ok(())
    }

    /// EQ: `if ((R[A] == R[B]) ~= k) then pc++`; natively unless two different
    /// tables or full userdata are compared (`__eq` may apply: exit).
    pub fn translate_eq(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, t) = (self.reg(i.a())?, self.reg(i.b())?, self.targets(i, pc)?);
        let (ta, tb) = (self.tag(a), self.tag(b));
        let (ia, ib, fa, fb) = (
            self.is(ta, tags::INT),
            self.is(tb, tags::INT),
            self.is(ta, tags::FLOAT),
            self.is(tb, tags::FLOAT),
        );

        let both = self.and(ia, ib);
        let no = self.when(both);
        let (x, y) = (self.payload(a, types::I64), self.payload(b, types::I64));
        let c = self.b.ins().icmp(IntCC::Equal, x, y);
        self.test_branch(c, t);

        self.at(no);
        let both = self.and(fa, fb);
        let no = self.when(both);
        let (x, y) = (self.payload(a, types::F64), self.payload(b, types::F64));
        let c = self.b.ins().fcmp(FloatCC::Equal, x, y);
        self.test_branch(c, t);

        self.at(no);
        let int_float = self.and(ia, fb);
        let no = self.when(int_float);
        let (x, y) = (self.payload(a, types::I64), self.payload(b, types::F64));
        let c = self.mixed(MixedCmp::Eq, x, y);
        self.test_branch(c, t);

        self.at(no);
        let float_int = self.and(fa, ib);
        let no = self.when(float_int);
        let (x, y) = (self.payload(a, types::F64), self.payload(b, types::I64));
        let c = self.mixed(MixedCmp::Eq, y, x);
        self.test_branch(c, t);

        // Not two numbers: values of different types are different (no metamethod);
        // nil and booleans compare their payload byte; two strings (interned), two
        // functions, threads or light userdata their payload word. Two tables or two
        // full userdata are equal when they are the same object, else `__eq` may
        // apply: exit.
        self.at(no);
        let same = self.b.ins().icmp(IntCC::Equal, ta, tb);
        let no = self.when(same);
        let simple = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, ta, tags::STR as i64);
        let objects = self.when(simple);
        let nil = self.is(ta, tags::NIL);
        let (x, y) = (self.payload(a, types::I8), self.payload(b, types::I8));
        let bytes = self.b.ins().icmp(IntCC::Equal, x, y);
        let c = self.or(nil, bytes);
        self.test_branch(c, t);

        self.at(objects);
        let (x, y) = (self.payload(a, types::I64), self.payload(b, types::I64));
        let identical = self.b.ins().icmp(IntCC::Equal, x, y);
        let different = self.when(identical);
        let yes = self.truth(true);
        self.test_branch(yes, t);
        self.at(different);
        let table = self.is(ta, tags::TABLE);
        let udata = self.is(ta, tags::USERDATA);
        let may_eq = self.or(table, udata);
        let plain = self.when(may_eq);
        self.exit(pc, Reason::EqualType);
        self.at(plain);
        self.never(t);
        // Different types (not two numbers).
        self.at(no);
        self.never(t);
        Ok(())
    }

    /// The comparison is false: `if false ~= k then skip else jump`.
    fn never(&mut self, t: Targets) {
        let f = self.truth(false);
        self.test_branch(f, t);
    }

    /// EQK: `if ((R[A] == K[B]) ~= k) then pc++` (raw equality: never a metamethod).
    pub fn translate_eqk(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, t) = (self.reg(i.a())?, self.targets(i, pc)?);
        let (kv, koff) = (self.konst(i.b())?, self.konst_off(i.b())?);
        let tag = self.tag(a);
        match kv {
            Value::Nil => {
                let c = self.is(tag, tags::NIL);
                self.test_branch(c, t);
            }
            Value::Bool(v) => {
                let is_bool = self.is(tag, tags::BOOL);
                let byte = self.payload(a, types::I8);
                let same = self.b.ins().icmp_imm_s(IntCC::Equal, byte, v as i64);
                let c = self.and(is_bool, same);
                self.test_branch(c, t);
            }
            Value::Int(n) => self.eq_number(a, tag, Some(n), None, t),
            Value::Float(f) => self.eq_number(a, tag, None, Some(f), t),
            Value::Str(_) => {
                let is_str = self.is(tag, tags::STR);
                let no = self.when(is_str);
                let p = self.payload(a, types::I64);
                let q = self.const_word(koff);
                let c = self.b.ins().icmp(IntCC::Equal, p, q);
                self.test_branch(c, t);
                self.at(no);
                self.never(t);
            }
            _ => return Err(Reason::BadOperand),
        }
        Ok(())
    }

    /// `R[A] == n` (integer constant) or `R[A] == f` (float constant); values of other
    /// types are unequal.
    fn eq_number(&mut self, a: i32, tag: ir::Value, n: Option<i64>, f: Option<f64>, t: Targets) {
        let is_int = self.is(tag, tags::INT);
        let no = self.when(is_int);
        let x = self.payload(a, types::I64);
        let c = match (n, f) {
            (Some(n), _) => self.b.ins().icmp_imm_s(IntCC::Equal, x, n),
            (None, f) => {
                let y = self.b.ins().f64const(f.unwrap_or(0.0));
                self.mixed(MixedCmp::Eq, x, y)
            }
        };
        self.test_branch(c, t);

        self.at(no);
        let is_float = self.is(tag, tags::FLOAT);
        let no = self.when(is_float);
        let x = self.payload(a, types::F64);
        let c = match (n, f) {
            (Some(n), _) => {
                let n = self.i64(n);
                self.mixed(MixedCmp::Eq, n, x)
            }
            (None, f) => {
                let y = self.b.ins().f64const(f.unwrap_or(0.0));
                self.b.ins().fcmp(FloatCC::Equal, x, y)
            }
        };
        self.test_branch(c, t);

        self.at(no);
        self.never(t);
    }

    /// EQI: `if ((R[A] == sB) ~= k) then pc++`.
    pub fn translate_eqi(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, t) = (self.reg(i.a())?, self.targets(i, pc)?);
        let imm = i.sb() as i64;
        let tag = self.tag(a);
        let is_int = self.is(tag, tags::INT);
        let no = self.when(is_int);
        let x = self.payload(a, types::I64);
        let c = self.b.ins().icmp_imm_s(IntCC::Equal, x, imm);
        self.test_branch(c, t);

        self.at(no);
        let is_float = self.is(tag, tags::FLOAT);
        let no = self.when(is_float);
        let x = self.payload(a, types::F64);
        let y = self.b.ins().f64const(imm as f64);
        let c = self.b.ins().fcmp(FloatCC::Equal, x, y);
        self.test_branch(c, t);

        self.at(no);
        self.never(t);
        Ok(())
    }
}
