//! Operators: constant folding, and the code of unary, binary, comparison and concatenation
//! operators with their immediate and constant-operand forms.

use moonjet_bytecode::num::{self, Number};
use moonjet_bytecode::OpCode;

use crate::code::{fits_c, int_to_sc, reg_of};
use crate::expdesc::{BinOpr, ExpDesc, ExpKind, UnOpr};
use crate::parser::{Parser, R};

/// The number of a numeral kind.
fn number_of(k: ExpKind) -> Option<Number> {
    match k {
        ExpKind::KInt(i) => Some(Number::Int(i)),
        ExpKind::KFlt(f) => Some(Number::Float(f)),
        _ => None,
    }
}

/// Integer value of a number when it has an exact one.
fn to_int(n: Number) -> Option<i64> {
    match n {
        Number::Int(i) => Some(i),
        Number::Float(f) => num::float_to_int_exact(f),
    }
}

/// Folds `a op b` when that is safe: no division by zero, bitwise operands with exact integer
/// values, and no NaN or zero float results (those stay for run time).
pub(crate) fn fold(op: BinOpr, a: Number, b: Number) -> Option<ExpKind> {
    use Number::{Float, Int};
    let r = match op {
        BinOpr::BAnd | BinOpr::BOr | BinOpr::BXor | BinOpr::Shl | BinOpr::Shr => {
            let (x, y) = (to_int(a)?, to_int(b)?);
            Int(match op {
                BinOpr::BAnd => x & y,
                BinOpr::BOr => x | y,
                BinOpr::BXor => x ^ y,
                BinOpr::Shl => num::shift_left(x, y),
                _ => num::shift_right(x, y),
            })
        }
        BinOpr::Div | BinOpr::IDiv | BinOpr::Mod if b.to_f64() == 0.0 => return None,
        BinOpr::Pow => Float(num::float_pow(a.to_f64(), b.to_f64())),
        BinOpr::Div => Float(a.to_f64() / b.to_f64()),
        _ => match (a, b) {
            (Int(x), Int(y)) => Int(match op {
                BinOpr::Add => x.wrapping_add(y),
                BinOpr::Sub => x.wrapping_sub(y),
                BinOpr::Mul => x.wrapping_mul(y),
                BinOpr::Mod => num::int_mod(x, y)?,
                BinOpr::IDiv => num::int_idiv(x, y)?,
                _ => return None,
            }),
            _ => {
                let (x, y) = (a.to_f64(), b.to_f64());
                Float(match op {
                    BinOpr::Add => x + y,
                    BinOpr::Sub => x - y,
                    BinOpr::Mul => x * y,
                    BinOpr::Mod => num::float_mod(x, y),
                    BinOpr::IDiv => num::float_idiv(x, y),
                    _ => return None,
                })
            }
        },
    };
    match r {
        Int(i) => Some(ExpKind::KInt(i)),
        Float(f) if f.is_nan() || f == 0.0 => None,
        Float(f) => Some(ExpKind::KFlt(f)),
    }
}

/// Folds a unary minus or bitwise not of a number.
fn fold_unary(op: UnOpr, a: Number) -> Option<ExpKind> {
    match (op, a) {
        (UnOpr::Minus, Number::Int(i)) => Some(ExpKind::KInt(i.wrapping_neg())),
        (UnOpr::Minus, Number::Float(f)) if !f.is_nan() && f != 0.0 => Some(ExpKind::KFlt(-f)),
        (UnOpr::BNot, n) => Some(ExpKind::KInt(!to_int(n)?)),
        _ => None,
    }
}

/// If `e` is a numeral whose integer value fits sB/sC: (encoded value, came from a float).
fn is_sc_number(e: &ExpDesc) -> Option<(u32, bool)> {
    let (i, is_float) = match e.numeral()? {
        ExpKind::KInt(i) => (i, false),
        ExpKind::KFlt(f) => (num::float_to_int_exact(f)?, true),
        _ => return None,
    };
    fits_c(i).then(|| (int_to_sc(i), is_float))
}

/// True if `e` is an integer literal that fits sC.
fn is_sc_int(e: &ExpDesc) -> bool {
    matches!(e.numeral(), Some(ExpKind::KInt(i)) if fits_c(i))
}

/// `-e` as the sC operand of an immediate instruction, when `e` is an integer numeral
/// whose negation fits.
fn neg_sc_int(e: &ExpDesc) -> Option<u32> {
    match e.numeral() {
        Some(ExpKind::KInt(i)) if i != i64::MIN && fits_c(-i) => Some(int_to_sc(-i)),
        _ => None,
    }
}

/// The `K` form of an arithmetic or bitwise operator.
fn k_opcode(op: BinOpr) -> OpCode {
    match op {
        BinOpr::Add => OpCode::AddK,
        BinOpr::Sub => OpCode::SubK,
        BinOpr::Mul => OpCode::MulK,
        BinOpr::Mod => OpCode::ModK,
        BinOpr::Pow => OpCode::PowK,
        BinOpr::Div => OpCode::DivK,
        BinOpr::IDiv => OpCode::IDivK,
        BinOpr::BAnd => OpCode::BAndK,
        BinOpr::BOr => OpCode::BOrK,
        _ => OpCode::BXorK,
    }
}

/// The register-register form of an arithmetic or bitwise operator.
fn rr_opcode(op: BinOpr) -> OpCode {
    match op {
        BinOpr::Add => OpCode::Add,
        BinOpr::Sub => OpCode::Sub,
        BinOpr::Mul => OpCode::Mul,
        BinOpr::Mod => OpCode::Mod,
        BinOpr::Pow => OpCode::Pow,
        BinOpr::Div => OpCode::Div,
        BinOpr::IDiv => OpCode::IDiv,
        BinOpr::BAnd => OpCode::BAnd,
        BinOpr::BOr => OpCode::BOr,
        BinOpr::BXor => OpCode::BXor,
        BinOpr::Shl => OpCode::Shl,
        _ => OpCode::Shr,
    }
}

impl<'s> Parser<'s> {
    /// Folds `e1 op e2` into `e1` if both are numerals and folding is safe.
    fn const_folding(&mut self, op: BinOpr, e1: &mut ExpDesc, e2: &ExpDesc) -> bool {
        let (Some(a), Some(b)) = (
            e1.numeral().and_then(number_of),
            e2.numeral().and_then(number_of),
        ) else {
            return false;
        };
        match fold(op, a, b) {
            Some(k) => {
                e1.k = k;
                true
            }
            None => false,
        }
    }

    /// Applies unary operator `op` to `e` (line of the operator for the instruction).
    pub(crate) fn prefix(&mut self, op: UnOpr, e: &mut ExpDesc, line: u32) -> R<()> {
        self.discharge_vars(e)?;
        match op {
            UnOpr::Minus | UnOpr::BNot => {
                if let Some(k) = e
                    .numeral()
                    .and_then(number_of)
                    .and_then(|n| fold_unary(op, n))
                {
                    e.k = k;
                    return Ok(());
                }
                let opc = if op == UnOpr::Minus {
                    OpCode::Unm
                } else {
                    OpCode::BNot
                };
                self.code_unexp_val(opc, e, line)
            }
            UnOpr::Len => self.code_unexp_val(OpCode::Len, e, line),
            UnOpr::Not => self.code_not(e),
        }
    }

    /// `R[A] := op R[B]` with `e` as the operand.
    fn code_unexp_val(&mut self, op: OpCode, e: &mut ExpDesc, line: u32) -> R<()> {
        let r = self.exp_to_any_reg(e)?;
        self.free_exp(e);
        e.k = ExpKind::Reloc(self.code_abc(op, 0, r, 0));
        self.fs.fix_line(line);
        Ok(())
    }

    /// Prepares the left operand `v` of `op` before the right one is read.
    pub(crate) fn infix(&mut self, op: BinOpr, v: &mut ExpDesc) -> R<()> {
        self.discharge_vars(v)?;
        match op {
            BinOpr::And => self.go_if_true(v)?,
            BinOpr::Or => self.go_if_false(v)?,
            BinOpr::Concat => self.exp_to_next_reg(v)?,
            BinOpr::Eq | BinOpr::Ne => {
                if v.numeral().is_none() {
                    self.exp_to_rk(v)?;
                }
            }
            BinOpr::Lt | BinOpr::Le | BinOpr::Gt | BinOpr::Ge => {
                if is_sc_number(v).is_none() {
                    self.exp_to_any_reg(v)?;
                }
            }
            _ => {
                if v.numeral().is_none() {
                    self.exp_to_any_reg(v)?;
                }
            }
        }
        Ok(())
    }

    /// Finishes `e1 op e2` into `e1` (line of the operator).
    pub(crate) fn posfix(
        &mut self,
        op: BinOpr,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> R<()> {
        self.discharge_vars(e2)?;
        if op.is_foldable() && self.const_folding(op, e1, e2) {
            return Ok(());
        }
        match op {
            BinOpr::And => {
                self.concat_jumps(&mut e2.f, e1.f)?;
                *e1 = *e2;
            }
            BinOpr::Or => {
                self.concat_jumps(&mut e2.t, e1.t)?;
                *e1 = *e2;
            }
            BinOpr::Concat => {
                self.exp_to_next_reg(e2)?;
                self.code_concat(e1, e2, line)?;
            }
            BinOpr::Add | BinOpr::Mul => self.code_commutative(op, e1, e2, line)?,
            BinOpr::Sub | BinOpr::Div | BinOpr::IDiv | BinOpr::Mod | BinOpr::Pow => {
                self.code_arith(op, e1, e2, false, line)?
            }
            BinOpr::BAnd | BinOpr::BOr | BinOpr::BXor => self.code_bitwise(op, e1, e2, line)?,
            BinOpr::Shl => {
                if is_sc_int(e1) {
                    core::mem::swap(e1, e2);
                    self.code_bin_imm(OpCode::ShlI, e1, e2, false, line)?; // imm << x
                } else if let Some(sc) = neg_sc_int(e2) {
                    // x << imm is x >> -imm (a negative count shifts the other way); k
                    // says so, for the `__shl` metamethod.
                    self.finish_bin_exp_val(e1, e2, OpCode::ShrI, sc, true, line)?;
                } else {
                    self.code_bin_exp_val(OpCode::Shl, e1, e2, line)?;
                }
            }
            BinOpr::Shr => {
                if is_sc_int(e2) {
                    self.code_bin_imm(OpCode::ShrI, e1, e2, false, line)?; // x >> imm
                } else {
                    self.code_bin_exp_val(OpCode::Shr, e1, e2, line)?;
                }
            }
            BinOpr::Eq | BinOpr::Ne => self.code_eq(op, e1, e2)?,
            BinOpr::Gt | BinOpr::Ge => {
                // (a > b) is (b < a)
                core::mem::swap(e1, e2);
                let op = if op == BinOpr::Gt {
                    BinOpr::Lt
                } else {
                    BinOpr::Le
                };
                self.code_order(op, e1, e2)?;
            }
            BinOpr::Lt | BinOpr::Le => self.code_order(op, e1, e2)?,
        }
        Ok(())
    }

    /// Emits `op A B C` with `e1` in register B and operand C given; result relocatable.
    fn finish_bin_exp_val(
        &mut self,
        e1: &mut ExpDesc,
        e2: &ExpDesc,
        op: OpCode,
        v2: u32,
        flip: bool,
        line: u32,
    ) -> R<()> {
        let v1 = self.exp_to_any_reg(e1)?;
        let pc = self.code_abck(op, 0, v1, v2, flip);
        self.free_exps(e1, e2);
        e1.k = ExpKind::Reloc(pc);
        self.fs.fix_line(line);
        Ok(())
    }

    /// Both operands in registers.
    fn code_bin_exp_val(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> R<()> {
        let v2 = self.exp_to_any_reg(e2)?;
        self.finish_bin_exp_val(e1, e2, op, v2, false, line)
    }

    /// Second operand an immediate sC.
    fn code_bin_imm(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc,
        e2: &ExpDesc,
        flip: bool,
        line: u32,
    ) -> R<()> {
        let v2 = match e2.k {
            ExpKind::KInt(i) => int_to_sc(i),
            _ => 0,
        };
        self.finish_bin_exp_val(e1, e2, op, v2, flip, line)
    }

    /// Second operand a constant `K[C]` (already made a K).
    fn code_bin_k(
        &mut self,
        op: BinOpr,
        e1: &mut ExpDesc,
        e2: &ExpDesc,
        flip: bool,
        line: u32,
    ) -> R<()> {
        let v2 = match e2.k {
            ExpKind::K(k) => k,
            _ => 0,
        };
        self.finish_bin_exp_val(e1, e2, k_opcode(op), v2, flip, line)
    }

    /// Arithmetic: K form when the second operand is a numeral, else registers. `flip` says the
    /// operands were swapped (only for commutative operators).
    fn code_arith(
        &mut self,
        op: BinOpr,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        flip: bool,
        line: u32,
    ) -> R<()> {
        if e2.numeral().is_some() && self.exp_to_k(e2)? {
            return self.code_bin_k(op, e1, e2, flip, line);
        }
        if flip {
            core::mem::swap(e1, e2);
        }
        self.code_bin_exp_val(rr_opcode(op), e1, e2, line)
    }

    /// `+` and `*`: a numeral on the left moves to the right (k marks the swap).
    fn code_commutative(
        &mut self,
        op: BinOpr,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> R<()> {
        let mut flip = false;
        if e1.numeral().is_some() {
            core::mem::swap(e1, e2);
            flip = true;
        }
        if op == BinOpr::Add && is_sc_int(e2) {
            self.code_bin_imm(OpCode::AddI, e1, e2, flip, line)
        } else {
            self.code_arith(op, e1, e2, flip, line)
        }
    }

    /// `& | ~`: an integer constant operand becomes K (moved right, k marks the swap).
    fn code_bitwise(&mut self, op: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc, line: u32) -> R<()> {
        let mut flip = false;
        if matches!(e1.k, ExpKind::KInt(_)) {
            core::mem::swap(e1, e2);
            flip = true;
        }
        if matches!(e2.k, ExpKind::KInt(_)) && self.exp_to_k(e2)? {
            return self.code_bin_k(op, e1, e2, flip, line);
        }
        if flip {
            core::mem::swap(e1, e2);
        }
        self.code_bin_exp_val(rr_opcode(op), e1, e2, line)
    }

    /// `<` and `<=` (after `>`/`>=` were swapped), with immediate forms.
    fn code_order(&mut self, op: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc) -> R<()> {
        let lt = op == BinOpr::Lt;
        let (opc, r1, r2, is_float) = if let Some((im, fl)) = is_sc_number(e2) {
            let r1 = self.exp_to_any_reg(e1)?;
            (if lt { OpCode::LtI } else { OpCode::LeI }, r1, im, fl)
        } else if let Some((im, fl)) = is_sc_number(e1) {
            // (k < x) is (x > k)
            let r1 = self.exp_to_any_reg(e2)?;
            (if lt { OpCode::GtI } else { OpCode::GeI }, r1, im, fl)
        } else {
            let r1 = self.exp_to_any_reg(e1)?;
            let r2 = self.exp_to_any_reg(e2)?;
            (if lt { OpCode::Lt } else { OpCode::Le }, r1, r2, false)
        };
        self.free_exps(e1, e2);
        e1.k = ExpKind::Jmp(self.cond_jump(opc, r1, r2, is_float as u32, true));
        Ok(())
    }

    /// `==` and `~=`, with immediate and constant forms.
    fn code_eq(&mut self, op: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc) -> R<()> {
        if !matches!(e1.k, ExpKind::NonReloc(_)) {
            // e1 is a constant: put the other operand first
            core::mem::swap(e1, e2);
        }
        let r1 = self.exp_to_any_reg(e1)?;
        let (opc, r2, is_float) = if let Some((im, fl)) = is_sc_number(e2) {
            (OpCode::EqI, im, fl)
        } else if self.exp_to_rk(e2)? {
            (OpCode::EqK, crate::code::reg_or_k(e2), false)
        } else {
            (OpCode::Eq, reg_of(e2), false)
        };
        self.free_exps(e1, e2);
        e1.k = ExpKind::Jmp(self.cond_jump(opc, r1, r2, is_float as u32, op == BinOpr::Eq));
        Ok(())
    }

    /// `e1 .. e2` with both in consecutive registers; merges into a following CONCAT.
    fn code_concat(&mut self, e1: &mut ExpDesc, e2: &mut ExpDesc, line: u32) -> R<()> {
        let r1 = reg_of(e1);
        if let Some(ie2) = self.fs.previous_instruction() {
            if ie2.opcode() == Some(OpCode::Concat) && ie2.a() == r1 + 1 {
                let n = ie2.b();
                self.free_exp(e2);
                let pc = self.fs.pc() - 1;
                self.fs.set(pc, ie2.with_a(r1).with_b(n + 1));
                return Ok(());
            }
        }
        self.code_abc(OpCode::Concat, r1, 2, 0);
        self.free_exp(e2);
        self.fs.fix_line(line);
        Ok(())
    }
}
