//! Type speculation at reads (anchor: SPECULATE).
//!
//! A value read from a table (GETTABLE, GETI, GETFIELD) or an upvalue (GETUPVAL,
//! GETTABUP) has no type the analysis can prove, so every arithmetic instruction or
//! comparison on it tests tags, and its result is unknown too. Where such a read feeds
//! arithmetic or an ordering comparison, the translator speculates its type: a guard
//! right after the read checks the tag and exits to the interpreter at the next
//! instruction (`spec-int` / `spec-type`, the value stored) when it differs, so the
//! analysis (`analysis::reg_states`) treats the register as an integer or a float
//! downstream and the float code stays in float registers.
//!
//! The type comes from the consumers, costing the interpreter nothing: the first
//! arithmetic or comparisons that read the register before it is written again (within
//! [`WINDOW`] instructions). A float operand on the other side (a float constant, a
//! register the analysis knows is a float) says float; a bitwise operator, or an
//! integer on the other side with no float evidence, says integer; a truth test first
//! (`if v then v + 1`: sometimes nil) says nothing; a consumer with no evidence (two
//! unknown operands, as in `a.x - b.x`) speculates the default, a float, for a table
//! element or a global (the case where compiled code gains most) and nothing for an
//! upvalue (more often a size or a counter). A second round sees the first round's
//! speculations with evidence (`c.n * 31 + t.k`: `t.k` meets an integer).
//!
//! Wrong guesses are corrected by observation: when a guard's exit gets hot
//! (`Jit::hot_exit`), the prototype is compiled again with a hint (SPEC-HINTS in
//! `jit_iface`, kept in the prototype's slot): an integer seen where a float was
//! speculated makes that read speculate an integer, or, at a read speculated by
//! default, changes the default for every such read ([`ALL_READS`]: values in one
//! function tend to be alike); a float seen where an integer was speculated makes that
//! read speculate a float, for good ([`Plan::pinned`]); any other miss drops that
//! read's speculation. So a read's speculation changes at most three times.

use moonjet_bytecode::opcodes::props;
use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::{tags, SpecHint};
use moonjet_interp::Value;

use crate::analysis::{reg_states, uses_defs, RegSet, RegState, Ty};
use crate::ops_arith::{arith_operands, BinOp, Operand};

/// How many instructions after a read are searched for its consumers.
pub const WINDOW: usize = 24;

/// What the consumers of a read say about its type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Evidence {
    /// A consumer that any numeric type serves (arithmetic, an ordering).
    numeric: bool,
    /// The other operand of a consumer is a float.
    float: bool,
    /// The other operand of a consumer is an integer.
    int: bool,
    /// A consumer is a bitwise operator.
    bitwise: bool,
    /// The value is tested for truth before any use as a number (`if v then`): it is
    /// probably nil or false at times.
    tested: bool,
}

impl Evidence {
    /// The type to speculate (`None`: the value is not used as a number nearby), and
    /// whether it is the default for a table element without evidence either way
    /// (`default`); an upvalue (more often a size or a counter) is then not speculated.
    fn verdict(self, table: bool, default: Option<Ty>) -> (Option<Ty>, bool) {
        if !self.numeric || self.tested {
            (None, false)
        } else if self.bitwise || (self.int && !self.float) {
            (Some(Ty::Int), false)
        } else if self.float {
            (Some(Ty::Float), false)
        } else if table {
            (default, default.is_some())
        } else {
            (None, false)
        }
    }

    /// Notes a consumer whose other operand has type `other`.
    fn note(&mut self, other: Ty) {
        self.numeric = true;
        self.float |= other == Ty::Float;
        self.int |= other == Ty::Int;
    }
}

/// True for the reads whose result is speculated.
fn is_read(op: OpCode) -> bool {
    use OpCode as O;
    matches!(
        op,
        O::GetTable | O::GetI | O::GetField | O::GetUpval | O::GetTabUp
    )
}

/// True for the reads of a table element (GETTABUP reads a global or a field of a
/// table in an upvalue).
fn is_table_read(op: OpCode) -> bool {
    !matches!(op, OpCode::GetUpval)
}

/// The pc of a hint that applies to every read speculated by default (no evidence).
pub const ALL_READS: u32 = u32::MAX;

/// What a function speculates.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The type speculated for the value each instruction reads (`None` for most).
    pub spec: Vec<Option<Ty>>,
    /// The reads speculated by default, without evidence (their first miss may
    /// change the default: [`ALL_READS`]).
    pub defaults: Vec<u32>,
    /// The reads speculated a float by a hint: the last correction before none, so
    /// their guard reports any miss as `spec-type`.
    pub pinned: Vec<u32>,
}

impl Plan {
    /// The speculations that have evidence or a hint (not the defaults).
    fn evidenced(&self) -> Vec<Option<Ty>> {
        let mut spec = self.spec.clone();
        for &pc in &self.defaults {
            if let Some(s) = spec.get_mut(pc as usize) {
                *s = None;
            }
        }
        spec
    }
}

/// The plan of a function and the register facts under it: a first plan from the
/// facts without speculation; then, since a speculated read makes its consumers'
/// results known, a second plan from the facts under the first one's evidenced
/// speculations (`c.x * 31 + t.y`: `t.y` meets an integer once `c.x` is one).
pub fn speculate(
    code: &[Instruction],
    consts: &[Value],
    max_stack: usize,
    entries: &[usize],
    hints: &[SpecHint],
) -> (Plan, Vec<Option<RegState>>) {
    let states = reg_states(code, consts, max_stack, entries, &[]);
    let first = plan(code, consts, &states, hints);
    if first.spec.iter().all(Option::is_none) {
        return (first, states);
    }
    let evidenced = first.evidenced();
    let second = if evidenced.iter().any(Option::is_some) {
        let st = reg_states(code, consts, max_stack, entries, &evidenced);
        plan(code, consts, &st, hints)
    } else {
        first
    };
    let states = reg_states(code, consts, max_stack, entries, &second.spec);
    (second, states)
}

/// The type speculated for the value each instruction reads: from the consumers (with
/// the facts `states`) and the engine's hints, which win.
pub fn plan(
    code: &[Instruction],
    consts: &[Value],
    states: &[Option<RegState>],
    hints: &[SpecHint],
) -> Plan {
    let mut p = Plan {
        spec: vec![None; code.len()],
        ..Plan::default()
    };
    let default = match hints.iter().find(|h| h.pc == ALL_READS) {
        Some(h) => hinted(h.ty),
        None => Some(Ty::Float),
    };
    for (pc, i) in code.iter().enumerate() {
        let Some(op) = i.opcode() else { continue };
        // A read whose next instruction exists (the guard exits there) and that
        // compiled code reaches.
        let reached = matches!(states.get(pc), Some(Some(_)));
        if !is_read(op) || pc + 1 >= code.len() || !reached {
            continue;
        }
        p.spec[pc] = match hints.iter().find(|h| h.pc as usize == pc) {
            Some(h) => {
                if h.ty == tags::FLOAT {
                    p.pinned.push(pc as u32);
                }
                hinted(h.ty)
            }
            None => {
                let ev = consumers(code, consts, states, pc, i.a());
                let (ty, by_default) = ev.verdict(is_table_read(op), default);
                if by_default {
                    p.defaults.push(pc as u32);
                }
                ty
            }
        };
    }
    p
}

/// The speculation a hint asks for.
fn hinted(tag: u8) -> Option<Ty> {
    match tag {
        tags::INT => Some(Ty::Int),
        tags::FLOAT => Some(Ty::Float),
        _ => None,
    }
}

/// A hint's type for reports.
pub fn hint_name(tag: u8) -> &'static str {
    match hinted(tag) {
        Some(Ty::Int) => "an integer",
        Some(Ty::Float) => "a float",
        _ => "nothing",
    }
}

/// What the instructions after `pc` that read register `r` before writing it say.
fn consumers(
    code: &[Instruction],
    consts: &[Value],
    states: &[Option<RegState>],
    pc: usize,
    r: u32,
) -> Evidence {
    let mut ev = Evidence::default();
    let all = |from: u32| {
        let mut s = RegSet::default();
        (from..256).for_each(|x| s.insert(x));
        s
    };
    for (j, i) in code.iter().enumerate().skip(pc + 1).take(WINDOW) {
        let Some(op) = i.opcode() else { break };
        let tys: &[Ty] = match states.get(j) {
            Some(Some(st)) => &st.ty,
            _ => &[],
        };
        consumer(*i, op, consts, tys, r, &mut ev);
        let (_, defs) = uses_defs(*i, &all);
        let clobbers = matches!(
            op,
            OpCode::Call | OpCode::TailCall | OpCode::TForCall | OpCode::VarArg
        ) && r >= i.a();
        let leaves = matches!(op, OpCode::Return | OpCode::Return0 | OpCode::Return1);
        if defs.contains(r) || clobbers || leaves {
            break;
        }
    }
    ev
}

/// Notes what instruction `i` (opcode `op`, register types `tys` before it) says if it
/// reads register `r` as a number.
fn consumer(i: Instruction, op: OpCode, consts: &[Value], tys: &[Ty], r: u32, ev: &mut Evidence) {
    use OpCode as O;
    let ty = |x: u32| tys.get(x as usize).copied().unwrap_or(Ty::Any);
    if op.has(props::ARITH) {
        let Some((bop, x, y)) = arith_operands(i, consts) else {
            return;
        };
        let is_r = |o: Operand| matches!(o, Operand::Reg(q) if q == r);
        let other = match (is_r(x), is_r(y)) {
            (true, true) => Ty::Any,
            (true, false) => y.ty(tys),
            (false, true) => x.ty(tys),
            (false, false) => return,
        };
        ev.note(other);
        ev.bitwise |= matches!(
            bop,
            BinOp::BAnd | BinOp::BOr | BinOp::BXor | BinOp::Shl | BinOp::Shr
        );
        return;
    }
    match op {
        O::Test if i.a() == r && !ev.numeric => ev.tested = true,
        O::TestSet if i.b() == r && !ev.numeric => ev.tested = true,
        O::Unm if i.b() == r => ev.note(Ty::Any),
        O::Lt | O::Le if i.a() == r || i.b() == r => {
            let other = if i.a() == r { i.b() } else { i.a() };
            ev.note(if other == r { Ty::Any } else { ty(other) });
        }
        // The immediate of an ordering with a float constant has C set.
        O::LtI | O::LeI | O::GtI | O::GeI if i.a() == r => {
            ev.note(if i.c() != 0 { Ty::Float } else { Ty::Int });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::entry_points;

    /// The speculation of `code` with `hints`.
    fn plans(code: &[Instruction], consts: &[Value], hints: &[SpecHint]) -> Vec<Option<Ty>> {
        speculate(code, consts, 8, &entry_points(code), hints)
            .0
            .spec
    }

    #[test]
    fn consumers_choose_the_type() {
        let code = [
            Instruction::abc(OpCode::GetField, 1, 0, 0, false), // 0 x = t.k
            Instruction::abc(OpCode::GetField, 2, 0, 0, false), // 1 y = t.k
            Instruction::abc(OpCode::Sub, 3, 1, 2, false),      // 2 x - y
            Instruction::abc(OpCode::GetField, 4, 0, 0, false), // 3 z = t.k
            Instruction::abc(OpCode::BAndK, 5, 4, 2, false),    // 4 z & 1
            Instruction::abc(OpCode::GetField, 6, 0, 0, false), // 5 w = t.k
            Instruction::abc(OpCode::MulK, 7, 6, 1, false),     // 6 w * 0.5
            Instruction::abc(OpCode::GetField, 6, 0, 0, false), // 7 unused
            Instruction::abc(OpCode::Return1, 3, 0, 0, false),  // 8
        ];
        let consts = [Value::Int(0), Value::Float(0.5), Value::Int(1)];
        let p = plans(&code, &consts, &[]);
        assert_eq!(p[0], Some(Ty::Float), "no evidence: a float");
        assert_eq!(p[1], Some(Ty::Float));
        assert_eq!(p[3], Some(Ty::Int), "bitwise: an integer");
        assert_eq!(p[5], Some(Ty::Float), "a float constant on the other side");
        assert_eq!(p[7], None, "not used as a number");
        assert_eq!(p[2], None, "not a read");
        // Hints win: an integer, then nothing.
        let h = [
            SpecHint {
                pc: 0,
                ty: tags::INT,
            },
            SpecHint {
                pc: 5,
                ty: tags::NIL,
            },
        ];
        // (y meets the hinted integer x in the second round.)
        let p = plans(&code, &consts, &h);
        assert_eq!((p[0], p[1], p[5]), (Some(Ty::Int), Some(Ty::Int), None));
        // A float hint is pinned (its guard's misses all drop it).
        let f = [SpecHint {
            pc: 3,
            ty: tags::FLOAT,
        }];
        let (p, _) = speculate(&code, &consts, 8, &entry_points(&code), &f);
        assert_eq!((p.spec[3], p.pinned.clone()), (Some(Ty::Float), vec![3]));
        // The analysis sees the speculated types downstream.
        let mixed = [Some(Ty::Int), Some(Ty::Float)];
        let st = reg_states(&code, &consts, 8, &entry_points(&code), &mixed);
        let at = |pc: usize, r: usize| st[pc].as_ref().map(|s| s.ty[r]);
        assert_eq!(at(2, 1), Some(Ty::Int));
        assert_eq!(at(2, 2), Some(Ty::Float));
        assert_eq!(at(3, 3), Some(Ty::Float), "int - float is a float");
    }

    #[test]
    fn defaults_truth_tests_and_the_second_round() {
        let code = [
            Instruction::abc(OpCode::GetField, 1, 0, 0, false), // 0 c = t.k
            Instruction::abc(OpCode::MulK, 2, 1, 2, false),     // 1 c * 31
            Instruction::abc(OpCode::GetField, 3, 0, 0, false), // 2 a = t.k
            Instruction::abc(OpCode::Add, 2, 2, 3, false),      // 3 c * 31 + a
            Instruction::abc(OpCode::GetField, 4, 0, 0, false), // 4 v = t.k
            Instruction::abc(OpCode::Test, 4, 0, 0, false),     // 5 if v
            Instruction::sj(OpCode::Jmp, 1),                    // 6
            Instruction::abc(OpCode::AddI, 4, 4, 1, false),     // 7 v + 1
            Instruction::abc(OpCode::GetField, 5, 0, 0, false), // 8 x = t.k
            Instruction::abc(OpCode::Lt, 5, 1, 0, false),       // 9 x < c (no evidence)
            Instruction::sj(OpCode::Jmp, 0),                    // 10
            Instruction::abc(OpCode::Return1, 2, 0, 0, false),  // 11
        ];
        let consts = [Value::Int(0), Value::Float(0.5), Value::Int(31)];
        let (p, _) = speculate(&code, &consts, 8, &entry_points(&code), &[]);
        assert_eq!(p.spec[0], Some(Ty::Int), "an integer constant");
        assert_eq!(
            p.spec[2],
            Some(Ty::Int),
            "meets an integer in the second round"
        );
        assert_eq!(p.spec[4], None, "tested for truth first");
        assert_eq!(p.spec[8], Some(Ty::Int), "meets the speculated integer c");
        assert!(p.defaults.is_empty());
        // Without evidence: the default, which a hint for every such read changes.
        let lone = [
            Instruction::abc(OpCode::GetField, 1, 0, 0, false), // 0
            Instruction::abc(OpCode::GetField, 2, 0, 0, false), // 1
            Instruction::abc(OpCode::Lt, 1, 2, 0, false),       // 2
            Instruction::sj(OpCode::Jmp, 0),                    // 3
            Instruction::abc(OpCode::Return0, 0, 0, 0, false),  // 4
        ];
        let (p, _) = speculate(&lone, &consts, 8, &entry_points(&lone), &[]);
        assert_eq!((p.spec[0], p.spec[1]), (Some(Ty::Float), Some(Ty::Float)));
        assert_eq!(p.defaults, vec![0, 1]);
        let all = [SpecHint {
            pc: ALL_READS,
            ty: tags::INT,
        }];
        let (p, _) = speculate(&lone, &consts, 8, &entry_points(&lone), &all);
        assert_eq!((p.spec[0], p.spec[1]), (Some(Ty::Int), Some(Ty::Int)));
    }

    #[test]
    fn a_redefinition_ends_the_search() {
        let code = [
            Instruction::abc(OpCode::GetField, 1, 0, 0, false), // 0 x = t.k
            Instruction::asbx(OpCode::LoadI, 1, 3),             // 1 x = 3
            Instruction::abc(OpCode::AddK, 2, 1, 1, false),     // 2 x + 0.5
            Instruction::abc(OpCode::Return1, 2, 0, 0, false),  // 3
        ];
        let consts = [Value::Int(0), Value::Float(0.5)];
        assert_eq!(plans(&code, &consts, &[])[0], None);
    }
}
