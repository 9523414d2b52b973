//! Type speculation at reads, call results and parameters (anchor: SPECULATE).
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
//!
//! Two more kinds of values are speculated the same way:
//! * **Call results** (a CALL with a fixed number of results, at most
//!   [`MAX_RESULTS`]): the results used as numbers before any truth test
//!   ([`Plan::masks`]) get one type, judged from all their consumers like a read's, with
//!   the reads speculated by default counted as evidence (`f(j) * v[j]`), and an
//!   integer without evidence either way (`fib(k - 1) + fib(k - 2)`). The guards right
//!   after the call exit at the next instruction without storing anything (the call
//!   left every register in the value stack); an interpreter that resumes the code
//!   there meets the same checks in the entry block (same reasons), so misses are
//!   corrected by the same hints, at the call's pc (for all its results).
//! * **Parameters** (anchor SPEC-PARAMS): at pc 0 each parameter of a function that is
//!   not vararg gets the verdict of its consumers from pc 0 on (a float next to a
//!   float constant, else an integer, with evidence or not), and the analysis starts
//!   from those types, so the whole body is specialised. The entry block of pc 0 checks
//!   them before any side effect (a self tail call re-enters through it too) and exits
//!   at pc 0 (`spec-param`): the interpreter runs the whole call. A hot `spec-param`
//!   makes the function compile again with no parameter speculated ([`PARAMS`]), so a
//!   function called with several types pays at most one recompile.

use moonjet_bytecode::opcodes::props;
use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::{tags, SpecHint};
use moonjet_interp::Value;

use crate::analysis::{reg_states_with, uses_defs, Flow, RegSet, RegState, Ty};
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
    /// The other operand of a consumer is a float constant.
    float_const: bool,
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

    /// The verdict for a parameter: a float next to a float constant (`x * 0.5`);
    /// otherwise an integer, with evidence or without (`i + j`); a float register on
    /// the other side says nothing (integers often meet floats computed from them:
    /// `s / 2 + i`). A miss drops every parameter's speculation.
    fn param_verdict(self) -> Option<Ty> {
        if !self.numeric || self.tested {
            None
        } else if self.float_const && !self.bitwise {
            Some(Ty::Float)
        } else {
            Some(Ty::Int)
        }
    }

    /// The verdict for the results of a call: an integer without evidence
    /// either way (`f(n - 1) + f(n - 2)`: recursive integer functions), as a default.
    fn call_verdict(self) -> (Option<Ty>, bool) {
        match self.verdict(false, None) {
            (None, _) if self.numeric && !self.tested => (Some(Ty::Int), true),
            v => v,
        }
    }

    /// Adds another value's evidence.
    fn merge(&mut self, o: Evidence) {
        self.numeric |= o.numeric;
        self.float |= o.float;
        self.int |= o.int;
        self.float_const |= o.float_const;
        self.bitwise |= o.bitwise;
        self.tested |= o.tested;
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

/// The most results of a CALL whose types are speculated.
const MAX_RESULTS: u32 = 8;

/// The number of results of a CALL whose results are speculated like reads (a fixed
/// number, at most [`MAX_RESULTS`]); 0 for other instructions.
fn call_results(op: OpCode, i: Instruction) -> u32 {
    match (op, i.c()) {
        (OpCode::Call, c) if (2..=MAX_RESULTS + 1).contains(&c) => c - 1,
        _ => 0,
    }
}

/// True for the reads of a table element (GETTABUP reads a global or a field of a
/// table in an upvalue).
fn is_table_read(op: OpCode) -> bool {
    !matches!(op, OpCode::GetUpval)
}

/// The pc of a hint that applies to every read speculated by default (no evidence).
pub const ALL_READS: u32 = u32::MAX;

/// The pc of a hint about the parameters (SPEC-PARAMS): with `tags::NIL`, no parameter
/// is speculated.
pub const PARAMS: u32 = u32::MAX - 1;

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
    /// For a CALL, which results the type in `spec` applies to (bit `k`: R[A+k]; the
    /// results used as numbers).
    pub masks: Vec<u64>,
    /// The type speculated for each parameter register at pc 0 (`Ty::Any`: none),
    /// checked by the entry block of pc 0 (`spec-param`).
    pub params: Vec<Ty>,
}

impl Plan {
    /// The speculations at reads, defaults included (not at calls without evidence).
    fn reads(&self, code: &[Instruction]) -> Vec<Option<Ty>> {
        let mut spec = self.spec.clone();
        for &pc in &self.defaults {
            let call = code.get(pc as usize).and_then(|i| i.opcode()) == Some(OpCode::Call);
            if let (true, Some(s)) = (call, spec.get_mut(pc as usize)) {
                *s = None;
            }
        }
        spec
    }

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
///
/// The parameters (`nparams` registers from R[0]; 0 for a vararg function) are
/// speculated first, from their consumers after pc 0 (SPEC-PARAMS), unless a hint
/// ([`PARAMS`]) says their guard missed.
#[cfg(test)]
pub fn speculate(
    code: &[Instruction],
    consts: &[Value],
    max_stack: usize,
    entries: &[usize],
    nparams: usize,
    hints: &[SpecHint],
) -> (Plan, Vec<Option<RegState>>) {
    let none = |_: &[Option<RegState>]| Vec::new();
    speculate_with(code, consts, max_stack, entries, nparams, hints, &none)
}

/// The result types of calls known from the facts before speculation, by pc
/// ([`speculate_with`]).
pub type KnownCalls<'k> = &'k dyn Fn(&[Option<RegState>]) -> Vec<Option<Ty>>;

/// [`speculate`] where `known` gives, from the facts before speculation, the result
/// type some calls certainly have when they take their fast path (LEAF-INLINE's
/// leaves, by pc): such a call's result used as a number speculates that type, not
/// its consumers' verdict, unless a hint corrected it.
pub fn speculate_with(
    code: &[Instruction],
    consts: &[Value],
    max_stack: usize,
    entries: &[usize],
    nparams: usize,
    hints: &[SpecHint],
    known: KnownCalls<'_>,
) -> (Plan, Vec<Option<RegState>>) {
    let flow = Flow {
        loop_tables: loop_tables_on(hints),
        in_place: &[],
    };
    let states = |spec: &[Option<Ty>], masks: &[u64], params: &[Ty]| {
        let spec = (spec, masks);
        reg_states_with(code, consts, max_stack, entries, spec, params, flow)
    };
    let mut st = states(&[], &[], &[]);
    let params = param_types(code, consts, &st, nparams.min(max_stack), hints);
    if params.iter().any(|&t| t != Ty::Any) {
        st = states(&[], &[], &params);
    }
    let known = known(&st);
    let mut first = plan(code, consts, &st, &st, hints, &known);
    first.params = params;
    if first.spec.iter().all(Option::is_none) {
        return (first, st);
    }
    let evidenced = first.evidenced();
    let reads = first.reads(code);
    // Calls without evidence may meet reads speculated by default.
    let calls_meet_defaults = reads != evidenced && reads != first.spec;
    let second = if evidenced.iter().any(Option::is_some) || calls_meet_defaults {
        let st = states(&evidenced, &first.masks, &first.params);
        let call_st = if calls_meet_defaults {
            states(&reads, &first.masks, &first.params)
        } else {
            st.clone()
        };
        let mut p = plan(code, consts, &st, &call_st, hints, &known);
        p.params = first.params;
        p
    } else {
        first
    };
    let st = states(&second.spec, &second.masks, &second.params);
    (second, st)
}

/// Whether LOOP-TABLES is on: no hint says a loop's table check missed.
fn loop_tables_on(hints: &[SpecHint]) -> bool {
    !hints
        .iter()
        .any(|h| h.pc == crate::analysis::NO_LOOP_TABLES)
}

/// The register facts under `plan` (as [`speculate_with`] returns them) when the CALLs
/// marked in `in_place` are computed in place on their expected path (FLUSH-SLOW in
/// `ops_call.rs`): the types are the same, the registers unstored after those calls
/// are more.
pub fn states_in_place(
    code: &[Instruction],
    consts: &[Value],
    max_stack: usize,
    entries: &[usize],
    plan: &Plan,
    hints: &[SpecHint],
    in_place: &[bool],
) -> Vec<Option<RegState>> {
    let flow = Flow {
        loop_tables: loop_tables_on(hints),
        in_place,
    };
    let spec = (&plan.spec[..], &plan.masks[..]);
    reg_states_with(code, consts, max_stack, entries, spec, &plan.params, flow)
}

/// The type speculated for each of the first `nparams` registers at pc 0 (SPEC-PARAMS):
/// the consumers' verdict, with no default (an argument without evidence either way
/// may be anything); none at all once a parameter guard missed ([`PARAMS`]).
fn param_types(
    code: &[Instruction],
    consts: &[Value],
    states: &[Option<RegState>],
    nparams: usize,
    hints: &[SpecHint],
) -> Vec<Ty> {
    if nparams == 0 || hints.iter().any(|h| h.pc == PARAMS) {
        return Vec::new();
    }
    (0..nparams as u32)
        .map(|r| {
            let ev = consumers(code, consts, states, 0, r);
            ev.param_verdict().unwrap_or(Ty::Any)
        })
        .collect()
}

/// The type speculated for the value each instruction reads: from the consumers (with
/// the facts `states`) and the engine's hints, which win.
/// The results of calls are judged with `call_states`, facts under which
/// the reads speculated by default have their type (a call result meeting `v[j]` or
/// `d2` of table fields is a float).
pub fn plan(
    code: &[Instruction],
    consts: &[Value],
    states: &[Option<RegState>],
    call_states: &[Option<RegState>],
    hints: &[SpecHint],
    known: &[Option<Ty>],
) -> Plan {
    let mut p = Plan {
        spec: vec![None; code.len()],
        masks: vec![0; code.len()],
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
        let nres = call_results(op, *i);
        let call = nres > 0;
        if !(is_read(op) || call) || pc + 1 >= code.len() || !reached {
            continue;
        }
        // The results of a call used as numbers, and what their consumers say.
        let (mask, call_ev) = if call {
            call_evidence(code, consts, call_states, pc, i.a(), nres)
        } else {
            (0, Evidence::default())
        };
        if call && mask == 0 {
            continue;
        }
        p.masks[pc] = mask;
        p.spec[pc] = match hints.iter().find(|h| h.pc as usize == pc) {
            Some(h) => {
                if h.ty == tags::FLOAT {
                    p.pinned.push(pc as u32);
                }
                hinted(h.ty)
            }
            None if call && nres == 1 && known.get(pc).copied().flatten().is_some() => {
                known.get(pc).copied().flatten()
            }
            None => {
                let (ty, by_default) = if call {
                    call_ev.call_verdict()
                } else {
                    let ev = consumers(code, consts, states, pc + 1, i.a());
                    let v = ev.verdict(is_table_read(op), default);
                    if v.0.is_some() && stores_float(code, consts, states, op, *i) {
                        (Some(Ty::Float), false)
                    } else {
                        v
                    }
                };
                if by_default {
                    p.defaults.push(pc as u32);
                }
                ty
            }
        };
    }
    p
}

/// True when `i` (opcode `op`) is a GETFIELD `R[B][K[C]]` whose field the function
/// also sets to a value the analysis knows is a float (`SETFIELD R[B] K[C] v`, `v`
/// a float register or constant): a read used as a number then speculates a float
/// (FIELD-STORES: `self.seed = s / 2` stores the float the next call reads), whatever
/// its consumers say, which saves the correcting recompile a hint would cost.
fn stores_float(
    code: &[Instruction],
    consts: &[Value],
    states: &[Option<RegState>],
    op: OpCode,
    i: Instruction,
) -> bool {
    if op != OpCode::GetField {
        return false;
    }
    code.iter().zip(states).any(|(s, st)| {
        if s.opcode() != Some(OpCode::SetField) || s.a() != i.b() || s.b() != i.c() {
            return false;
        }
        if s.k() {
            return matches!(consts.get(s.c() as usize), Some(Value::Float(_)));
        }
        let ty = st
            .as_ref()
            .and_then(|st| st.ty.get(s.c() as usize).copied());
        ty == Some(Ty::Float)
    })
}

/// The results of the call at `pc` (R[a] .. R[a + nres - 1]) that are used as
/// numbers before any truth test (bit `k` for R[a + k]), and their consumers'
/// evidence together (one type for all of them).
fn call_evidence(
    code: &[Instruction],
    consts: &[Value],
    states: &[Option<RegState>],
    pc: usize,
    a: u32,
    nres: u32,
) -> (u64, Evidence) {
    let (mut mask, mut all) = (0u64, Evidence::default());
    for k in 0..nres {
        let ev = consumers(code, consts, states, pc + 1, a + k);
        if ev.numeric && !ev.tested {
            mask |= 1 << k;
            all.merge(ev);
        }
    }
    (mask, all)
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

/// What the instructions from `from` on that read register `r` before writing it say,
/// or a copy of it that a MOVE made meanwhile (`local n = limit` or the MOVE of a
/// parameter into a numeric `for`'s limit: MOVE-ALIASES).
fn consumers(
    code: &[Instruction],
    consts: &[Value],
    states: &[Option<RegState>],
    from: usize,
    r: u32,
) -> Evidence {
    let mut ev = Evidence::default();
    let all = |from: u32| {
        let mut s = RegSet::default();
        (from..256).for_each(|x| s.insert(x));
        s
    };
    let mut holders = RegSet::default();
    holders.insert(r);
    for (j, i) in code.iter().enumerate().skip(from).take(WINDOW) {
        let Some(op) = i.opcode() else { break };
        let tys: &[Ty] = match states.get(j) {
            Some(Some(st)) => &st.ty,
            _ => &[],
        };
        for x in holders.iter() {
            consumer(*i, op, consts, tys, x, &mut ev);
        }
        let (_, defs) = uses_defs(*i, &all);
        let copy = op == OpCode::Move && holders.contains(i.b());
        let leaves = matches!(op, OpCode::Return | OpCode::Return0 | OpCode::Return1);
        let clobbered = matches!(
            op,
            OpCode::Call | OpCode::TailCall | OpCode::TForCall | OpCode::VarArg
        );
        let before = holders;
        for x in before.iter() {
            if defs.contains(x) || (clobbered && x >= i.a()) {
                holders.remove(x);
            }
        }
        if copy {
            holders.insert(i.a());
        }
        if holders == RegSet::default() || leaves {
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
        ev.float_const |= matches!((x, y), (Operand::Float(_), _) | (_, Operand::Float(_)));
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
        // A numeric `for`'s operand: an integer loop unless its start or step is a
        // float.
        O::ForPrep if (i.a()..i.a() + 3).contains(&r) => {
            let float = ty(i.a()) == Ty::Float || ty(i.a() + 2) == Ty::Float;
            ev.note(if float { Ty::Float } else { Ty::Int });
        }
        O::Lt | O::Le if i.a() == r || i.b() == r => {
            let other = if i.a() == r { i.b() } else { i.a() };
            ev.note(if other == r { Ty::Any } else { ty(other) });
        }
        // The immediate of an ordering with a float constant has C set.
        O::LtI | O::LeI | O::GtI | O::GeI if i.a() == r => {
            ev.note(if i.c() != 0 { Ty::Float } else { Ty::Int });
            ev.float_const |= i.c() != 0;
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
        speculate(code, consts, 8, &entry_points(code), 0, hints)
            .0
            .spec
    }

    #[test]
    fn a_field_stored_as_a_float_is_read_as_one() {
        let code = |op| {
            [
                Instruction::abc(OpCode::GetField, 1, 0, 0, false), // 0 s = t.k
                Instruction::abc(OpCode::ModK, 2, 1, 1, false),     // 1 s % 2
                Instruction::abc(op, 1, 1, 1, false),               // 2 s = s op 2
                Instruction::abc(OpCode::SetField, 0, 0, 1, false), // 3 t.k = s
                Instruction::abc(OpCode::Return0, 0, 0, 0, false),  // 4
            ]
        };
        let consts = [Value::Int(0), Value::Int(2)];
        let p = plans(&code(OpCode::DivK), &consts, &[]);
        assert_eq!(p[0], Some(Ty::Float), "`/` stores a float: FIELD-STORES");
        let p = plans(&code(OpCode::AddK), &consts, &[]);
        assert_eq!(
            p[0],
            Some(Ty::Int),
            "an integer stored: the consumer's integer"
        );
        let h = [SpecHint {
            pc: 0,
            ty: tags::INT,
        }];
        let p = plans(&code(OpCode::DivK), &consts, &h);
        assert_eq!(p[0], Some(Ty::Int), "a hint wins");
        // Another register's field is not the read's.
        let mut other = code(OpCode::DivK);
        other[3] = Instruction::abc(OpCode::SetField, 3, 0, 1, false);
        assert_eq!(plans(&other, &consts, &[])[0], Some(Ty::Int));
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
        let (p, _) = speculate(&code, &consts, 8, &entry_points(&code), 0, &f);
        assert_eq!((p.spec[3], p.pinned.clone()), (Some(Ty::Float), vec![3]));
        // The analysis sees the speculated types downstream.
        let mixed = [Some(Ty::Int), Some(Ty::Float)];
        let st = crate::analysis::reg_states(&code, &consts, 8, &entry_points(&code), &mixed);
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
        let (p, _) = speculate(&code, &consts, 8, &entry_points(&code), 0, &[]);
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
        let (p, _) = speculate(&lone, &consts, 8, &entry_points(&lone), 0, &[]);
        assert_eq!((p.spec[0], p.spec[1]), (Some(Ty::Float), Some(Ty::Float)));
        assert_eq!(p.defaults, vec![0, 1]);
        let all = [SpecHint {
            pc: ALL_READS,
            ty: tags::INT,
        }];
        let (p, _) = speculate(&lone, &consts, 8, &entry_points(&lone), 0, &all);
        assert_eq!((p.spec[0], p.spec[1]), (Some(Ty::Int), Some(Ty::Int)));
    }

    #[test]
    fn a_parameter_moved_into_a_loop_limit_is_an_integer() {
        // `for i = 1, n do s = s + 1.5 end` with n = R[0], moved to the limit R[3]
        // (MOVE-ALIASES); a float start makes it a float loop.
        let code = |start: OpCode| {
            [
                Instruction::abx(OpCode::LoadK, 1, 0),             // 0 s = 1.5
                Instruction::asbx(start, 2, 1),                    // 1 start
                Instruction::abc(OpCode::Move, 3, 0, 0, false),    // 2 limit = n
                Instruction::asbx(OpCode::LoadI, 4, 1),            // 3 step 1
                Instruction::abx(OpCode::ForPrep, 2, 1),           // 4
                Instruction::abc(OpCode::AddK, 1, 1, 0, false),    // 5 s + 1.5
                Instruction::abx(OpCode::ForLoop, 2, 2),           // 6
                Instruction::abc(OpCode::Return1, 1, 0, 0, false), // 7
            ]
        };
        let consts = [Value::Float(1.5)];
        let run = |c: &[Instruction]| speculate(c, &consts, 6, &entry_points(c), 1, &[]).0;
        assert_eq!(run(&code(OpCode::LoadI)).params, vec![Ty::Int]);
        // A float loop: the limit's evidence is a float, which says nothing for a
        // parameter (only a float constant next to it does): an integer still.
        assert_eq!(run(&code(OpCode::LoadF)).params, vec![Ty::Int]);
        // The copy overwritten before the loop: no evidence, no speculation.
        let mut c = code(OpCode::LoadI);
        c[3] = Instruction::asbx(OpCode::LoadI, 3, 1);
        assert_eq!(run(&c).params, vec![Ty::Any]);
    }

    #[test]
    fn parameters_and_call_results() {
        // fib: `if k < 2 then return k end return f(k - 1) + f(k - 2)` (R0 = k).
        let code = [
            Instruction::abc(OpCode::LtI, 0, 2 + 127, 0, false), // 0 k < 2
            Instruction::sj(OpCode::Jmp, 1),                     // 1
            Instruction::abc(OpCode::Return1, 0, 0, 0, false),   // 2
            Instruction::abc(OpCode::GetUpval, 1, 0, 0, false),  // 3 f
            Instruction::abc(OpCode::AddI, 2, 0, 127 - 1, false), // 4 k - 1
            Instruction::abc(OpCode::Call, 1, 2, 2, false),      // 5 f(k - 1)
            Instruction::abc(OpCode::GetUpval, 2, 0, 0, false),  // 6 f
            Instruction::abc(OpCode::AddI, 3, 0, 127 - 2, false), // 7 k - 2
            Instruction::abc(OpCode::Call, 2, 2, 2, false),      // 8 f(k - 2)
            Instruction::abc(OpCode::Add, 1, 1, 2, false),       // 9
            Instruction::abc(OpCode::Return1, 1, 0, 0, false),   // 10
        ];
        let entries = entry_points(&code);
        let (p, st) = speculate(&code, &[], 4, &entries, 1, &[]);
        assert_eq!(p.params, vec![Ty::Int], "compared with an integer");
        assert_eq!(st[0].as_ref().map(|s| s.ty[0]), Some(Ty::Int));
        // Both results meet only each other: the default for calls, an integer.
        assert_eq!((p.spec[5], p.spec[8]), (Some(Ty::Int), Some(Ty::Int)));
        assert_eq!(p.defaults, vec![5, 8]);
        assert_eq!(
            st[9].as_ref().map(|s| (s.ty[1], s.ty[2])),
            Some((Ty::Int, Ty::Int))
        );
        assert_eq!(st[10].as_ref().map(|s| s.ty[1]), Some(Ty::Int));
        // No parameter of a vararg function (nparams 0), none after a miss (PARAMS),
        // and a call result speculated a float by a hint is pinned.
        assert!(speculate(&code, &[], 4, &entries, 0, &[])
            .0
            .params
            .is_empty());
        let h = [
            SpecHint {
                pc: PARAMS,
                ty: tags::NIL,
            },
            SpecHint {
                pc: 5,
                ty: tags::FLOAT,
            },
        ];
        let (p, st) = speculate(&code, &[], 4, &entries, 1, &h);
        assert!(p.params.iter().all(|&t| t == Ty::Any));
        assert_eq!(st[0].as_ref().map(|s| s.ty[0]), Some(Ty::Any));
        assert_eq!((p.spec[5], p.pinned.clone()), (Some(Ty::Float), vec![5]));
        // A float parameter only next to a float constant; a call result that meets a
        // table element speculated by default is a float.
        let code = [
            Instruction::abc(OpCode::MulK, 2, 0, 0, false), // 0 x * 0.5
            Instruction::abc(OpCode::Div, 3, 2, 2, false),  // 1 (a float)
            Instruction::abc(OpCode::Add, 3, 3, 1, false),  // 2 float + y
            Instruction::abc(OpCode::GetField, 4, 0, 1, false), // 3 t.k (default)
            Instruction::abc(OpCode::Call, 5, 1, 2, false), // 4 g()
            Instruction::abc(OpCode::Mul, 5, 5, 4, false),  // 5 g() * t.k
            Instruction::abc(OpCode::Return1, 5, 0, 0, false), // 6
        ];
        let consts = [Value::Float(0.5), Value::Int(0)];
        let (p, _) = speculate(&code, &consts, 8, &entry_points(&code), 2, &[]);
        assert_eq!(
            p.params,
            vec![Ty::Float, Ty::Int],
            "a float register says nothing"
        );
        assert_eq!((p.spec[3], p.spec[4]), (Some(Ty::Float), Some(Ty::Float)));
    }

    #[test]
    fn the_results_of_a_call_used_as_numbers() {
        let code = [
            Instruction::abc(OpCode::Call, 1, 1, 4, false), // 0 a, b, c = f()
            Instruction::abc(OpCode::Test, 3, 0, 0, false), // 1 if c
            Instruction::sj(OpCode::Jmp, 0),                // 2
            Instruction::abc(OpCode::Add, 4, 1, 2, false),  // 3 a + b
            Instruction::abc(OpCode::AddI, 4, 3, 128, false), // 4 c + 1
            Instruction::abc(OpCode::Return1, 4, 0, 0, false), // 5
        ];
        let (p, st) = speculate(&code, &[], 8, &entry_points(&code), 0, &[]);
        assert_eq!(p.spec[0], Some(Ty::Int));
        assert_eq!(p.masks[0], 0b011, "c is tested for truth first");
        let at = |pc: usize, r: usize| st[pc].as_ref().map(|s| s.ty[r]);
        assert_eq!(
            (at(3, 1), at(3, 2), at(3, 3)),
            (Some(Ty::Int), Some(Ty::Int), Some(Ty::Any))
        );
        // A call whose results are not used as numbers is not speculated.
        let plain = [
            Instruction::abc(OpCode::Call, 1, 1, 3, false),   // 0
            Instruction::abc(OpCode::Return, 1, 3, 0, false), // 1
        ];
        let (p, _) = speculate(&plain, &[], 8, &entry_points(&plain), 0, &[]);
        assert_eq!((p.spec[0], p.masks[0]), (None, 0));
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
