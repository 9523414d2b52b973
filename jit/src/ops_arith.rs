//! Translations of arithmetic and bitwise instructions, with Lua 5.4 semantics: an
//! integer path when both operands are integers (wrapping `+ - *`, floored `//` and `%`,
//! shifts that give 0 past 63 bits), a float path when both are numbers (integers
//! converted), and an exit to the interpreter otherwise (strings, metamethods) or on an
//! integer division by zero (the interpreter raises the error).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData};
use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::tags;
use moonjet_interp::Value;

use crate::analysis::Ty;
use crate::reasons::Reason;
use crate::translate::{FunctionTranslator, Helper};

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// `/`
    Div,
    /// `//`
    IDiv,
    /// `&`
    BAnd,
    /// `|`
    BOr,
    /// `~`
    BXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
}

impl BinOp {
    /// Has an integer result for integer operands (not `/` and `^`).
    fn int_path(self) -> bool {
        !matches!(self, BinOp::Div | BinOp::Pow)
    }

    /// Works on floats (not the bitwise operators).
    fn float_path(self) -> bool {
        !matches!(
            self,
            BinOp::BAnd | BinOp::BOr | BinOp::BXor | BinOp::Shl | BinOp::Shr
        )
    }
}

impl BinOp {
    /// The type of the result when the operands have these types, on every path that
    /// does not exit (`analysis::reg_states`): `/` and `^` give floats, bitwise
    /// operators integers, the others an integer for two integers and a float when
    /// either operand is a float.
    pub fn result_type(self, x: Ty, y: Ty) -> Ty {
        match self {
            BinOp::Div | BinOp::Pow => Ty::Float,
            BinOp::BAnd | BinOp::BOr | BinOp::BXor | BinOp::Shl | BinOp::Shr => Ty::Int,
            _ => match (x, y) {
                (Ty::Int, Ty::Int) => Ty::Int,
                (Ty::Float, _) | (_, Ty::Float) => Ty::Float,
                _ => Ty::Any,
            },
        }
    }
}

/// An operand of an arithmetic instruction: a register or a numeric constant.
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    /// Register number.
    Reg(u32),
    /// Integer constant.
    Int(i64),
    /// Float constant.
    Float(f64),
}

impl Operand {
    /// Its type, given the registers' types.
    pub fn ty(self, regs: &[Ty]) -> Ty {
        match self {
            Operand::Reg(r) => regs.get(r as usize).copied().unwrap_or(Ty::Any),
            Operand::Int(_) => Ty::Int,
            Operand::Float(_) => Ty::Float,
        }
    }
}

/// The operator and operands of an arithmetic instruction, in evaluation order
/// (`None`: not a binary arithmetic instruction, or a K operand that is not a number).
pub fn arith_operands(i: Instruction, consts: &[Value]) -> Option<(BinOp, Operand, Operand)> {
    use OpCode as O;
    let op = i.opcode()?;
    let binop = match op {
        O::AddI | O::AddK | O::Add => BinOp::Add,
        O::SubK | O::Sub => BinOp::Sub,
        O::MulK | O::Mul => BinOp::Mul,
        O::ModK | O::Mod => BinOp::Mod,
        O::PowK | O::Pow => BinOp::Pow,
        O::DivK | O::Div => BinOp::Div,
        O::IDivK | O::IDiv => BinOp::IDiv,
        O::BAndK | O::BAnd => BinOp::BAnd,
        O::BOrK | O::BOr => BinOp::BOr,
        O::BXorK | O::BXor => BinOp::BXor,
        O::ShlI | O::Shl => BinOp::Shl,
        O::ShrI | O::Shr => BinOp::Shr,
        _ => return None,
    };
    let rb = Operand::Reg(i.b());
    let imm = Operand::Int(i.sc() as i64);
    Some(match op {
        O::AddI | O::ShrI => (binop, rb, imm),
        // sC << R[B]
        O::ShlI => (binop, imm, rb),
        O::AddK
        | O::SubK
        | O::MulK
        | O::ModK
        | O::PowK
        | O::DivK
        | O::IDivK
        | O::BAndK
        | O::BOrK
        | O::BXorK => {
            let k = match consts.get(i.c() as usize)? {
                Value::Int(n) => Operand::Int(*n),
                Value::Float(f) => Operand::Float(*f),
                _ => return None,
            };
            (binop, rb, k)
        }
        _ => (binop, rb, Operand::Reg(i.c())),
    })
}

/// An operand as the translator uses it: a register (byte offset) or a constant.
#[derive(Clone, Copy, Debug)]
enum Src {
    /// Register at this offset.
    Reg(i32),
    /// Integer constant.
    Int(i64),
    /// Float constant.
    Float(f64),
}

impl FunctionTranslator<'_> {
    /// All binary arithmetic and bitwise instructions (register, K and immediate forms).
    pub fn translate_arith(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (op, x, y) = arith_operands(i, self.consts).ok_or(Reason::ArithType)?;
        let (x, y) = (self.src(x)?, self.src(y)?);
        let (dst, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        self.emit_binop(op, x, y, dst, next, pc);
        Ok(())
    }

    /// The translator's form of an operand (a reason if a register is out of range).
    fn src(&self, o: Operand) -> Result<Src, Reason> {
        Ok(match o {
            Operand::Reg(r) => Src::Reg(self.reg(r)?),
            Operand::Int(n) => Src::Int(n),
            Operand::Float(f) => Src::Float(f),
        })
    }

    /// The static type of an operand here.
    fn src_ty(&self, s: Src) -> Ty {
        match s {
            Src::Reg(off) => self.ty(off),
            Src::Int(_) => Ty::Int,
            Src::Float(_) => Ty::Float,
        }
    }

    /// Emits `dst := x op y`, then jumps to `next`; exits at `pc` when an operand is not
    /// a number of the right kind or on an integer division by zero.
    fn emit_binop(&mut self, op: BinOp, x: Src, y: Src, dst: i32, next: ir::Block, pc: usize) {
        let (tx, ty) = (self.src_ty(x), self.src_ty(y));
        let has_float = tx == Ty::Float || ty == Ty::Float;
        if op.int_path() && !has_float {
            if tx == Ty::Int && ty == Ty::Int {
                let (a, b) = (self.int_of(x), self.int_of(y));
                let r = self.int_op(op, a, b, pc);
                self.store_int(dst, r);
                self.jump(next);
                return;
            }
            let both = self.all_tags(&[x, y], tags::INT);
            let (int_blk, other) = (self.new_block(), self.new_block());
            self.branch(both, int_blk, other);
            self.at(int_blk);
            let (a, b) = (self.int_of(x), self.int_of(y));
            let r = self.int_op(op, a, b, pc);
            self.store_int(dst, r);
            self.jump(next);
            self.at(other);
        }
        if !op.float_path() {
            self.exit(pc, Reason::BitType);
            return;
        }
        // Two operands known to be numbers: converted as their types say.
        if tx != Ty::Any && ty != Ty::Any {
            let (a, b) = (self.float_of(x), self.float_of(y));
            let r = self.float_op(op, a, b);
            self.store_float(dst, r);
            self.jump(next);
            return;
        }
        // Two floats (the common case of float code): no conversion.
        let floats = self.all_tags(&[x, y], tags::FLOAT);
        let (flt_blk, mixed) = (self.new_block(), self.new_block());
        self.branch(floats, flt_blk, mixed);
        self.at(flt_blk);
        let (a, b) = (self.known_float(x), self.known_float(y));
        let r = self.float_op(op, a, b);
        self.store_float(dst, r);
        self.jump(next);
        // Numbers of mixed subtypes: integers converted.
        self.at(mixed);
        let ok = self.all_numbers(&[x, y]);
        self.guard(ok, pc, Reason::ArithType);
        let (a, b) = (self.float_of(x), self.float_of(y));
        let r = self.float_op(op, a, b);
        self.store_float(dst, r);
        self.jump(next);
    }

    /// UNM: `R[A] := -R[B]` (wrapping for integers).
    pub fn translate_unm(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, next) = (self.reg(i.a())?, self.reg(i.b())?, self.block_rel(pc, 1)?);
        let known = self.ty(b);
        let t = self.tag(b);
        if known != Ty::Float {
            let is_int = self.is(t, tags::INT);
            let (int_blk, other) = (self.new_block(), self.new_block());
            self.branch(is_int, int_blk, other);
            self.at(int_blk);
            let v = self.payload(b, types::I64);
            let r = self.b.ins().ineg(v);
            self.store_int(a, r);
            self.jump(next);
            self.at(other);
        }
        if known == Ty::Int {
            self.exit(pc, Reason::ArithType); // unreachable: the tag test folds
            return Ok(());
        }
        let is_float = self.is(t, tags::FLOAT);
        self.guard(is_float, pc, Reason::ArithType);
        let v = self.payload(b, types::F64);
        let r = self.b.ins().fneg(v);
        self.store_float(a, r);
        self.jump(next);
        Ok(())
    }

    /// BNOT: `R[A] := ~R[B]` (integers; floats and others exit).
    pub fn translate_bnot(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, next) = (self.reg(i.a())?, self.reg(i.b())?, self.block_rel(pc, 1)?);
        if self.ty(b) != Ty::Int {
            let t = self.tag(b);
            let is_int = self.is(t, tags::INT);
            self.guard(is_int, pc, Reason::BitType);
        }
        let v = self.payload(b, types::I64);
        let r = self.b.ins().bnot(v);
        self.store_int(a, r);
        self.jump(next);
        Ok(())
    }

    // ------------------------------------------------------------------ operand tests

    /// True (i8) when every register operand has tag `t` (constants are not checked).
    fn all_tags(&mut self, srcs: &[Src], t: u8) -> ir::Value {
        let mut acc = self.b.ins().iconst(types::I8, 1);
        for s in srcs {
            if let Src::Reg(off) = *s {
                let tag = self.tag(off);
                let c = self.is(tag, t);
                acc = self.and(acc, c);
            }
        }
        acc
    }

    /// True (i8) when every register operand is an integer or a float.
    fn all_numbers(&mut self, srcs: &[Src]) -> ir::Value {
        let mut acc = self.b.ins().iconst(types::I8, 1);
        for s in srcs {
            if let Src::Reg(off) = *s {
                let tag = self.tag(off);
                let i = self.is(tag, tags::INT);
                let f = self.is(tag, tags::FLOAT);
                let c = self.or(i, f);
                acc = self.and(acc, c);
            }
        }
        acc
    }

    /// An operand known to be an integer.
    fn int_of(&mut self, s: Src) -> ir::Value {
        match s {
            Src::Reg(off) => self.payload(off, types::I64),
            Src::Int(n) => self.i64(n),
            Src::Float(f) => self.i64(f as i64), // unreachable: no int path with float constants
        }
    }

    /// An operand known to be a float (constants converted at compile time).
    fn known_float(&mut self, s: Src) -> ir::Value {
        match s {
            Src::Reg(off) => self.payload(off, types::F64),
            Src::Int(n) => self.b.ins().f64const(n as f64),
            Src::Float(f) => self.b.ins().f64const(f),
        }
    }

    /// An operand known to be a number, as a float (integers converted as `i as f64`).
    fn float_of(&mut self, s: Src) -> ir::Value {
        match s {
            Src::Reg(off) => match self.ty(off) {
                Ty::Float => self.payload(off, types::F64),
                Ty::Int => {
                    let bits = self.payload(off, types::I64);
                    self.b.ins().fcvt_from_sint(types::F64, bits)
                }
                Ty::Any => {
                    let tag = self.tag(off);
                    let is_int = self.is(tag, tags::INT);
                    let bits = self.payload(off, types::I64);
                    let from_int = self.b.ins().fcvt_from_sint(types::F64, bits);
                    let as_float = self.b.ins().bitcast(types::F64, MemFlagsData::new(), bits);
                    self.b.ins().select(is_int, from_int, as_float)
                }
            },
            Src::Int(n) => self.b.ins().f64const(n as f64),
            Src::Float(f) => self.b.ins().f64const(f),
        }
    }

    // ------------------------------------------------------------------ the operations

    /// `a op b` on integers (see `int_fast` in the interpreter).
    pub(crate) fn int_op(&mut self, op: BinOp, a: ir::Value, b: ir::Value, pc: usize) -> ir::Value {
        match op {
            BinOp::Add => self.b.ins().iadd(a, b),
            BinOp::Sub => self.b.ins().isub(a, b),
            BinOp::Mul => self.b.ins().imul(a, b),
            BinOp::BAnd => self.b.ins().band(a, b),
            BinOp::BOr => self.b.ins().bor(a, b),
            BinOp::BXor => self.b.ins().bxor(a, b),
            BinOp::Shl => self.shift_left(a, b),
            BinOp::Shr => {
                let nb = self.b.ins().ineg(b);
                self.shift_left(a, nb)
            }
            BinOp::Mod | BinOp::IDiv => self.int_floor_div(op, a, b, pc),
            BinOp::Div | BinOp::Pow => a, // unreachable: no int path
        }
    }

    /// Lua's `a << b`: logical shifts, a negative count shifts right, counts of 64 or
    /// more give 0 (`a >> b` is `a << -b`, also at minint: both give 0).
    fn shift_left(&mut self, a: ir::Value, b: ir::Value) -> ir::Value {
        let left = self.b.ins().ishl(a, b);
        let nb = self.b.ins().ineg(b);
        let right = self.b.ins().ushr(a, nb);
        let in_left = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, b, 64);
        let in_right = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, nb, 64);
        let zero = self.i64(0);
        let r = self.b.ins().select(in_right, right, zero);
        self.b.ins().select(in_left, left, r)
    }

    /// Floored `a // b` or `a % b` on integers; exits at `pc` when `b == 0`. A divisor of
    /// -1 is replaced by 1 for the hardware division (minint // -1 would trap) and the
    /// result fixed up: `a // -1 == -a` (wrapping), `a % -1 == 0`.
    fn int_floor_div(&mut self, op: BinOp, a: ir::Value, b: ir::Value, pc: usize) -> ir::Value {
        let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, b, 0);
        self.guard(nonzero, pc, Reason::DivZero);
        let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
        let one = self.i64(1);
        let d = self.b.ins().select(minus_one, one, b);
        let r = self.b.ins().srem(a, d);
        let r_nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
        let signs = self.b.ins().bxor(r, d);
        let differ = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, signs, 0);
        let adjust = self.b.ins().band(r_nonzero, differ);
        if op == BinOp::Mod {
            let moved = self.b.ins().iadd(r, d);
            return self.b.ins().select(adjust, moved, r);
        }
        let q = self.b.ins().sdiv(a, d);
        let q1 = self.b.ins().iadd_imm_s(q, -1);
        let q = self.b.ins().select(adjust, q1, q);
        let neg = self.b.ins().ineg(a);
        self.b.ins().select(minus_one, neg, q)
    }

    /// The reciprocal of `b` when `b` is a constant power of two whose reciprocal is a
    /// normal float too (anchor: DIV-POW2): `a / b` and `a * (1 / b)` are then the same
    /// rounding of the same real number for every `a` (infinities, NaNs, zeros and
    /// subnormal results included), and a multiplication is several times cheaper
    /// than a division (`s * (s + 1) / 2`, `x / 2.0`).
    fn exact_reciprocal(&self, b: ir::Value) -> Option<f64> {
        let dfg = &self.b.func.dfg;
        let inst = dfg.value_def(b).inst()?;
        let ir::InstructionData::UnaryIeee64 {
            opcode: ir::Opcode::F64const,
            imm,
        } = dfg.insts[inst]
        else {
            return None;
        };
        let bits = imm.bits();
        let exp = (bits >> 52) & 0x7ff;
        // A power of two: no fraction bits, a normal exponent whose negation is one.
        let pow2 = bits & ((1 << 52) - 1) == 0 && (1..=2045).contains(&exp);
        pow2.then(|| 1.0 / f64::from_bits(bits))
    }

    /// `a op b` on floats (see `float_fast` in the interpreter).
    pub(crate) fn float_op(&mut self, op: BinOp, a: ir::Value, b: ir::Value) -> ir::Value {
        match op {
            BinOp::Add => self.b.ins().fadd(a, b),
            BinOp::Sub => self.b.ins().fsub(a, b),
            BinOp::Mul => self.b.ins().fmul(a, b),
            BinOp::Div | BinOp::IDiv => {
                let q = match self.exact_reciprocal(b) {
                    Some(r) => {
                        let r = self.b.ins().f64const(r);
                        self.b.ins().fmul(a, r)
                    }
                    None => self.b.ins().fdiv(a, b),
                };
                match op {
                    BinOp::IDiv => self.b.ins().floor(q),
                    _ => q,
                }
            }
            BinOp::Mod => self.call(Helper::FMod, &[a, b]),
            BinOp::Pow => self.call(Helper::Pow, &[a, b]),
            // unreachable: no float path for bitwise operators
            BinOp::BAnd | BinOp::BOr | BinOp::BXor | BinOp::Shl | BinOp::Shr => a,
        }
    }
}
