//! The verifier's checks of one function's code.
//!
//! Guarantees, by name (cited by the interpreter's unchecked accesses):
//!
//! - **V-OPCODE**: every instruction has an opcode of the table.
//! - **V-REG**: every register operand is below `max_stack`, and so is every register of
//!   the ranges that `LOADNIL`, `CONCAT`, `SELF`, `CALL`, `TAILCALL`, `RETURN`, `VARARG`,
//!   `SETLIST`, the numeric and generic `for` instructions touch (`TFORCALL` A+6 at least,
//!   for a call made from a copy of A..=A+2; open ranges "to top" start below `max_stack`
//!   and the values beyond are the interpreter's to size). One exception: `RETURN A 1`
//!   returns nothing and may have A = `max_stack` (the compiler emits it when locals fill
//!   the frame).
//! - **V-K**, **V-UP**, **V-PROTO**: constant, upvalue and nested-function indices are in
//!   range (`LOADKX` through its `EXTRAARG` too).
//! - **V-KTYPE**: table keys named by `GETTABUP`/`GETFIELD`/`SETTABUP`/`SETFIELD`/`SELF`
//!   constants are strings; the constants of `ADDK`..`IDIVK` are numbers and those of
//!   `BANDK`/`BORK`/`BXORK` integers.
//! - **V-JUMP**: every jump, loop and skip lands inside the function, never on an
//!   `EXTRAARG`, on the `JMP` that belongs to a test, on an instruction that uses the stack
//!   top, or on `VARARGPREP`.
//! - **V-PAIR**: each test is followed by a `JMP`; `FORPREP` jumps to the `FORLOOP` with the
//!   same A that jumps back to just after it; `TFORPREP` jumps to a `TFORCALL` followed by a
//!   `TFORLOOP`, all with the same A, and the `TFORLOOP` jumps back to just after the
//!   `TFORPREP`.
//! - **V-EXTRA**: `LOADKX`, `NEWTABLE` and `SETLIST` with k are followed by an `EXTRAARG`,
//!   and every `EXTRAARG` follows one of them.
//! - **V-TOP**: an instruction that reads the top (`CALL`/`TAILCALL`/`SETLIST` with B=0,
//!   `RETURN` with B=0) directly follows one that sets it (`CALL` or `VARARG` with C=0; or,
//!   for `RETURN`, a `TAILCALL`) whose A is above its own (not below, for `RETURN`), and no
//!   jump lands on it; every instruction that sets the top is followed by one that reads it.
//! - **V-VARARG**: `VARARGPREP` is at pc 0 exactly in vararg functions, with A = number of
//!   parameters; `VARARG` only in vararg functions; `RETURN`/`TAILCALL` carry C = number of
//!   parameters + 1 in vararg functions and 0 otherwise; `RETURN0`/`RETURN1` only in
//!   non-vararg functions.
//! - **V-CLOSE**: a function with `TBC` or `TFORPREP` (which declares a to-be-closed
//!   variable), or one whose registers a nested function captures (checked from the
//!   nested function's upvalues in `verify.rs`), has no `RETURN0`/`RETURN1` and sets k
//!   on every `RETURN` and `TAILCALL`: only those look for something to close (CLOSE-FLAG
//!   in the interpreter).
//! - **V-END**: the last instruction is a return, so no fall-through or skip leaves the code.
//! - **V-TABLE**: `NEWTABLE`'s size hints are bounded by the code length (a constructor
//!   needs an instruction per item), so honouring them allocates at most in proportion to
//!   the chunk.

use alloc::format;
use alloc::string::String;

use super::format::kind;
use super::ChunkError;
use crate::instr::Instruction;
use crate::opcodes::{props, Format, OpCode, Operand, OP_INFO};

type R<T> = Result<T, ChunkError>;

/// What the checks need to know about a function, whether it is a [`crate::Proto`] or a
/// record read straight from chunk bytes (`verify.rs` implements both).
pub(super) trait FnShape {
    /// Number of instructions.
    fn n_code(&self) -> usize;
    /// The instruction at `pc`.
    fn instr(&self, pc: usize) -> Option<Instruction>;
    /// Frame size.
    fn max_stack(&self) -> u8;
    /// Fixed parameters.
    fn num_params(&self) -> u8;
    /// Declared with `...`.
    fn is_vararg(&self) -> bool;
    /// Number of upvalues.
    fn n_upvalues(&self) -> usize;
    /// Number of nested functions.
    fn n_protos(&self) -> usize;
    /// Kind (`format::kind`) of constant `k`, if it exists.
    fn const_kind(&self, k: usize) -> Option<u8>;
}

/// Checks the code of `f` (all the guarantees of the module docs). Allocates nothing
/// but error messages: jump targets are checked where the jump is, not in a table.
pub(super) fn check_code<F: FnShape>(f: &F) -> R<()> {
    let c = Checker {
        f,
        max_stack: f.max_stack() as i64,
        closes: closes_on_return(f),
    };
    for pc in 0..f.n_code() {
        c.instruction(pc).map_err(|m| at(f, pc, m))?;
    }
    c.check_frame()
}

/// Prefixes a message with the pc and opcode name.
fn at<F: FnShape>(f: &F, pc: usize, message: String) -> ChunkError {
    let name = f
        .instr(pc)
        .and_then(|i| i.opcode())
        .map_or("?", OpCode::name);
    ChunkError::new(format!("pc {pc} ({name}): {message}"))
}

/// A check's failure reason (wrapped with the pc by [`at`]).
type Check = Result<(), String>;

/// State of the code checks of one function.
struct Checker<'a, F> {
    /// The function.
    f: &'a F,
    /// Its frame size.
    max_stack: i64,
    /// Every return closes (V-CLOSE).
    closes: bool,
}

/// V-CLOSE: true when every return of `f` looks for something to close (no `RETURN0` or
/// `RETURN1`, k set on every `RETURN` and `TAILCALL`).
pub(super) fn closes_on_return<F: FnShape>(f: &F) -> bool {
    (0..f.n_code()).all(|pc| {
        let i = f.instr(pc).unwrap_or_default();
        match i.opcode() {
            Some(OpCode::Return0 | OpCode::Return1) => false,
            Some(OpCode::Return | OpCode::TailCall) => i.k(),
            _ => true,
        }
    })
}

/// True for a form that reads the stack top (B=0 of the four instructions that allow it).
fn uses_top(i: Instruction) -> bool {
    matches!(
        i.opcode(),
        Some(OpCode::Call | OpCode::TailCall | OpCode::Return | OpCode::SetList)
    ) && i.b() == 0
}

/// True for a form that sets the stack top (`CALL`/`VARARG` with C=0).
fn sets_top(i: Instruction) -> bool {
    matches!(i.opcode(), Some(OpCode::Call | OpCode::VarArg)) && i.c() == 0
}

impl<F: FnShape> Checker<'_, F> {
    /// The instruction at `pc`, if any.
    fn get(&self, pc: i64) -> Option<Instruction> {
        usize::try_from(pc).ok().and_then(|pc| self.f.instr(pc))
    }

    /// The opcode at `pc`, if any and valid.
    fn op_at(&self, pc: i64) -> Option<OpCode> {
        self.get(pc).and_then(|i| i.opcode())
    }

    /// All checks of the instruction at `pc`.
    fn instruction(&self, pc: usize) -> Check {
        let i = self.f.instr(pc).unwrap_or_default();
        let op = i
            .opcode()
            .ok_or_else(|| format!("invalid opcode {}", i.op_raw()))?;
        self.operands(pc, i, op)?;
        self.specific(pc as i64, i, op)?;
        if op.has(props::TEST) {
            if self.op_at(pc as i64 + 1) != Some(OpCode::Jmp) {
                return Err(String::from("test not followed by a jump"));
            }
            self.land(pc as i64 + 2)?;
        }
        if sets_top(i) && !self.get(pc as i64 + 1).is_some_and(uses_top) {
            return Err(String::from("open result not followed by its use"));
        }
        if matches!(op, OpCode::Tbc | OpCode::TForPrep) && !self.closes {
            return Err(String::from(
                "to-be-closed variable in a function whose returns do not close",
            ));
        }
        Ok(())
    }

    /// The generic checks driven by the operand roles of the opcode table.
    fn operands(&self, pc: usize, i: Instruction, op: OpCode) -> Check {
        let info = &OP_INFO[op as usize];
        let (a, b, c) = match info.format {
            Format::ABC => (i.a() as i64, i.b() as i64, i.c() as i64),
            Format::ABx => (i.a() as i64, i.bx() as i64, 0),
            Format::AsBx => (i.a() as i64, i.sbx() as i64, 0),
            Format::Ax => (i.ax_field() as i64, 0, 0),
            Format::SJ => (i.sj_field() as i64, 0, 0),
        };
        for (role, v) in [(info.a, a), (info.b, b), (info.c, c)] {
            match role {
                // `RETURN A 1` returns nothing: A is the first free register, which is
                // `max_stack` when locals fill the frame (the compiler emits this).
                Operand::Reg if op == OpCode::Return && i.b() == 1 && v == a => {
                    if a > self.max_stack {
                        self.reg(a)?;
                    }
                }
                Operand::Reg => self.reg(v)?,
                Operand::Const => self.konst(v).map(drop)?,
                Operand::Upval => self.upval(v)?,
                Operand::RegOrConst if i.k() => self.konst(v).map(drop)?,
                Operand::RegOrConst => self.reg(v)?,
                Operand::Proto => self.proto(v)?,
                Operand::Jump => self.land(pc as i64 + 1 + v)?,
                Operand::Unused | Operand::UInt | Operand::SInt | Operand::LoopJump => {}
            }
        }
        Ok(())
    }

    /// V-REG for one register.
    fn reg(&self, r: i64) -> Check {
        if (0..self.max_stack).contains(&r) {
            Ok(())
        } else {
            Err(format!(
                "register {r} out of range ({} slots)",
                self.max_stack
            ))
        }
    }

    /// V-REG for registers `first..=last` (an empty range when `last < first`).
    fn regs(&self, first: i64, last: i64) -> Check {
        self.reg(first)?;
        if last >= first {
            self.reg(last)?;
        }
        Ok(())
    }

    /// V-K: the kind of the constant with index `k`.
    fn konst(&self, k: i64) -> Result<u8, String> {
        usize::try_from(k)
            .ok()
            .and_then(|k| self.f.const_kind(k))
            .ok_or_else(|| format!("constant {k} out of range"))
    }

    /// V-KTYPE: constant `k` must be a string (a table key the instruction assumes).
    fn string_k(&self, k: i64) -> Check {
        match self.konst(k)? {
            kind::STR => Ok(()),
            _ => Err(format!("constant {k} is not a string")),
        }
    }

    /// V-KTYPE: constant `k` must be a number; an integer if `int`.
    fn number_k(&self, k: i64, int: bool) -> Check {
        match self.konst(k)? {
            kind::INT => Ok(()),
            kind::FLOAT if !int => Ok(()),
            _ if int => Err(format!("constant {k} is not an integer")),
            _ => Err(format!("constant {k} is not a number")),
        }
    }

    /// V-UP.
    fn upval(&self, u: i64) -> Check {
        if (0..self.f.n_upvalues() as i64).contains(&u) {
            Ok(())
        } else {
            Err(format!("upvalue {u} out of range"))
        }
    }

    /// V-PROTO.
    fn proto(&self, f: i64) -> Check {
        if (0..self.f.n_protos() as i64).contains(&f) {
            Ok(())
        } else {
            Err(format!("function {f} out of range"))
        }
    }

    /// V-JUMP: a landing pc must be inside the code and not on anything that must not
    /// be entered (checked here, at the jump, so no table of targets is needed).
    fn land(&self, target: i64) -> Check {
        let Some(i) = self.get(target) else {
            return Err(format!("jump to {target} outside the code"));
        };
        let after_test = self
            .get(target - 1)
            .and_then(|x| x.opcode())
            .is_some_and(|op| op.has(props::TEST));
        let bad = match i.opcode() {
            Some(OpCode::ExtraArg) => Some("an EXTRAARG"),
            Some(OpCode::VarArgPrep) => Some("VARARGPREP"),
            Some(OpCode::Jmp) if after_test => Some("the jump of a test"),
            _ if uses_top(i) => Some("an instruction that uses the top"),
            _ => None,
        };
        match bad {
            Some(what) => Err(format!("jump to {target} lands on {what}")),
            None => Ok(()),
        }
    }

    /// The checks particular to one opcode.
    fn specific(&self, pc: i64, i: Instruction, op: OpCode) -> Check {
        let (a, b, c) = (i.a() as i64, i.b() as i64, i.c() as i64);
        match op {
            OpCode::LoadNil => self.regs(a, a + b),
            OpCode::GetTabUp | OpCode::GetField => self.string_k(c),
            OpCode::SetTabUp | OpCode::SetField => self.string_k(b),
            OpCode::SelfOp if i.k() => self.regs(a, a + 1).and(self.string_k(c)),
            OpCode::SelfOp => self.regs(a, a + 1),
            OpCode::AddK
            | OpCode::SubK
            | OpCode::MulK
            | OpCode::ModK
            | OpCode::PowK
            | OpCode::DivK
            | OpCode::IDivK => self.number_k(c, false),
            OpCode::BAndK | OpCode::BOrK | OpCode::BXorK => self.number_k(c, true),
            OpCode::Concat if b < 2 => Err(String::from("concatenation of fewer than 2 values")),
            OpCode::Concat => self.regs(a, a + b - 1),
            OpCode::Call => self.call(pc, i),
            OpCode::TailCall => self.tail_call(pc, i),
            OpCode::Return => self.ret(pc, i),
            OpCode::Return0 | OpCode::Return1 if self.f.is_vararg() => {
                Err(String::from("short return in a vararg function"))
            }
            OpCode::ForPrep => self.for_prep(pc, i),
            OpCode::ForLoop => self.for_loop(pc, i),
            OpCode::TForPrep => self.tfor_prep(pc, i),
            OpCode::TForCall => self.tfor_call(pc, i),
            OpCode::TForLoop => self.tfor_loop(pc, i),
            OpCode::SetList => self.set_list(pc, i),
            OpCode::NewTable => self.new_table(pc, i),
            OpCode::LoadKX => self.load_kx(pc),
            OpCode::ExtraArg => self.extra_arg(pc),
            OpCode::VarArg => self.vararg(i),
            OpCode::VarArgPrep => self.vararg_prep(pc, i),
            OpCode::LFalseSkip => self.land(pc + 2),
            _ => Ok(()),
        }
    }

    /// V-TOP for an instruction that reads the top: what precedes it must set it.
    fn top_use(&self, pc: i64, i: Instruction) -> Check {
        let prev = self.get(pc - 1).unwrap_or_default();
        let is_return = i.opcode() == Some(OpCode::Return);
        let ok = if sets_top(prev) {
            prev.a() > i.a() || (is_return && prev.a() == i.a())
        } else {
            is_return && prev.opcode() == Some(OpCode::TailCall)
        };
        if ok {
            Ok(())
        } else {
            Err(String::from("open range not preceded by an open result"))
        }
    }

    /// V-VARARG: C of `RETURN`/`TAILCALL` (the frame adjustment on the way out).
    fn vararg_c(&self, i: Instruction) -> Check {
        let want = if self.f.is_vararg() {
            self.f.num_params() as u32 + 1
        } else {
            0
        };
        if i.c() == want {
            Ok(())
        } else {
            Err(format!("C is {} (expected {want})", i.c()))
        }
    }

    /// `CALL`: function, arguments and results.
    fn call(&self, pc: i64, i: Instruction) -> Check {
        let (a, b, c) = (i.a() as i64, i.b() as i64, i.c() as i64);
        if b == 0 {
            self.top_use(pc, i)?;
        }
        self.regs(a, a + b - 1)?;
        self.regs(a, a + c - 2)
    }

    /// `TAILCALL`: function and arguments; followed by the `RETURN` it may fall into.
    fn tail_call(&self, pc: i64, i: Instruction) -> Check {
        let (a, b) = (i.a() as i64, i.b() as i64);
        if b == 0 {
            self.top_use(pc, i)?;
        }
        self.regs(a, a + b - 1)?;
        self.vararg_c(i)?;
        if self.op_at(pc + 1) != Some(OpCode::Return) {
            return Err(String::from("tail call not followed by a return"));
        }
        Ok(())
    }

    /// `RETURN`: the values returned.
    fn ret(&self, pc: i64, i: Instruction) -> Check {
        let (a, b) = (i.a() as i64, i.b() as i64);
        if b == 0 {
            self.top_use(pc, i)?;
        }
        if b >= 2 {
            self.regs(a, a + b - 2)?;
        }
        self.vararg_c(i)
    }

    /// `FORPREP`: its `FORLOOP` (V-PAIR) and the exit after it.
    fn for_prep(&self, pc: i64, i: Instruction) -> Check {
        let a = i.a() as i64;
        self.regs(a, a + 3)?;
        let lp = pc + 1 + i.bx() as i64;
        match self.get(lp) {
            Some(l) if l.opcode() == Some(OpCode::ForLoop) && l.a() == i.a() => {
                if lp + 1 - l.bx() as i64 != pc + 1 {
                    return Err(String::from("FORLOOP does not return to its FORPREP"));
                }
            }
            _ => return Err(String::from("FORPREP not paired with a FORLOOP")),
        }
        self.land(lp + 1)
    }

    /// `FORLOOP`: jumps back to just after the `FORPREP` that jumps to it.
    fn for_loop(&self, pc: i64, i: Instruction) -> Check {
        let a = i.a() as i64;
        self.regs(a, a + 3)?;
        let body = pc + 1 - i.bx() as i64;
        match self.get(body - 1) {
            Some(p) if p.opcode() == Some(OpCode::ForPrep) && p.a() == i.a() => {
                if body + p.bx() as i64 != pc {
                    return Err(String::from("FORPREP does not jump to this FORLOOP"));
                }
            }
            _ => return Err(String::from("FORLOOP not paired with a FORPREP")),
        }
        self.land(body)
    }

    /// `TFORPREP`: jumps to its `TFORCALL` + `TFORLOOP`.
    fn tfor_prep(&self, pc: i64, i: Instruction) -> Check {
        let a = i.a() as i64;
        self.regs(a, a + 3)?;
        let call = pc + 1 + i.bx() as i64;
        let same = |x: Option<Instruction>, op| {
            x.is_some_and(|x| x.opcode() == Some(op) && x.a() == i.a())
        };
        if !same(self.get(call), OpCode::TForCall) || !same(self.get(call + 1), OpCode::TForLoop) {
            return Err(String::from(
                "TFORPREP not paired with TFORCALL and TFORLOOP",
            ));
        }
        self.land(call)
    }

    /// `TFORCALL`: the call frame above A+3 and the results; followed by its `TFORLOOP`.
    fn tfor_call(&self, pc: i64, i: Instruction) -> Check {
        let (a, c) = (i.a() as i64, i.c() as i64);
        if c < 1 {
            return Err(String::from("no loop variables"));
        }
        // the call itself is made from A+4..=A+6 (a copy of A..=A+2)
        self.regs(a, a + 3 + c.max(3))?;
        match self.get(pc + 1) {
            Some(l) if l.opcode() == Some(OpCode::TForLoop) && l.a() == i.a() => Ok(()),
            _ => Err(String::from("TFORCALL not followed by its TFORLOOP")),
        }
    }

    /// `TFORLOOP`: jumps back to just after the `TFORPREP` that jumps to its `TFORCALL`.
    fn tfor_loop(&self, pc: i64, i: Instruction) -> Check {
        let a = i.a() as i64;
        self.regs(a, a + 4)?;
        let body = pc + 1 - i.bx() as i64;
        match self.get(body - 1) {
            Some(p) if p.opcode() == Some(OpCode::TForPrep) && p.a() == i.a() => {
                if body + p.bx() as i64 != pc - 1 {
                    return Err(String::from("TFORPREP does not jump to this loop"));
                }
            }
            _ => return Err(String::from("TFORLOOP not paired with a TFORPREP")),
        }
        self.land(body)
    }

    /// `SETLIST`: the table and the values; `EXTRAARG` when k.
    fn set_list(&self, pc: i64, i: Instruction) -> Check {
        let (a, b) = (i.a() as i64, i.b() as i64);
        if b == 0 {
            self.top_use(pc, i)?;
        }
        self.regs(a, a + b)?;
        if i.k() {
            self.extra_follows(pc)?;
        }
        Ok(())
    }

    /// `NEWTABLE`: its `EXTRAARG` and V-TABLE.
    fn new_table(&self, pc: i64, i: Instruction) -> Check {
        let extra = self.extra_follows(pc)?;
        let n = self.f.n_code() as u64;
        let mut array = i.c() as u64;
        if i.k() {
            array += extra.ax_field() as u64 * 256;
        }
        let b = i.b();
        let hash_too_big = b > 32 || (b > 0 && 1u64 << (b - 1) > 2 * n);
        if array > n || hash_too_big {
            return Err(String::from("table size hint larger than the code allows"));
        }
        Ok(())
    }

    /// `LOADKX`: its `EXTRAARG` names a constant.
    fn load_kx(&self, pc: i64) -> Check {
        let extra = self.extra_follows(pc)?;
        self.konst(extra.ax_field() as i64).map(drop)
    }

    /// V-EXTRA: the instruction after `pc` is an `EXTRAARG`.
    fn extra_follows(&self, pc: i64) -> Result<Instruction, String> {
        match self.get(pc + 1) {
            Some(x) if x.opcode() == Some(OpCode::ExtraArg) => Ok(x),
            _ => Err(String::from("missing EXTRAARG")),
        }
    }

    /// V-EXTRA: an `EXTRAARG` belongs to the instruction before it.
    fn extra_arg(&self, pc: i64) -> Check {
        let owner = self.get(pc - 1).unwrap_or_default();
        match owner.opcode() {
            Some(OpCode::LoadKX | OpCode::NewTable) => Ok(()),
            Some(OpCode::SetList) if owner.k() => Ok(()),
            _ => Err(String::from("EXTRAARG without an owner")),
        }
    }

    /// `VARARG`: only in vararg functions; the registers of a fixed count.
    fn vararg(&self, i: Instruction) -> Check {
        if !self.f.is_vararg() {
            return Err(String::from("VARARG in a function without '...'"));
        }
        let (a, c) = (i.a() as i64, i.c() as i64);
        self.regs(a, a + c - 2)
    }

    /// `VARARGPREP`: first instruction of a vararg function, A = number of parameters.
    fn vararg_prep(&self, pc: i64, i: Instruction) -> Check {
        if pc != 0 || !self.f.is_vararg() || i.a() != self.f.num_params() as u32 {
            return Err(String::from("misplaced VARARGPREP"));
        }
        Ok(())
    }

    /// V-VARARG (VARARGPREP present) and V-END.
    fn check_frame(&self) -> R<()> {
        let first = self.op_at(0);
        if self.f.is_vararg() && first != Some(OpCode::VarArgPrep) {
            return Err(ChunkError::new("vararg function without VARARGPREP"));
        }
        let last = self.op_at(self.f.n_code() as i64 - 1);
        if !matches!(
            last,
            Some(OpCode::Return | OpCode::Return0 | OpCode::Return1)
        ) {
            return Err(ChunkError::new("code does not end with a return"));
        }
        Ok(())
    }
}
