//! What the translator needs to know about a prototype before emitting code: where the
//! interpreter may (re)enter it, and what is known about each register before each
//! instruction (its type, whether compiled code holds it unstored).

use moonjet_bytecode::opcodes::props;
use moonjet_bytecode::{Instruction, OpCode, Proto};
use moonjet_interp::Value;

/// The pcs where the interpreter may enter compiled code (see JIT-ENTRY): pc 0, the
/// instruction after every call (the interpreter resumes there when a callee it ran
/// returns), and every target of a backward jump (loop headers: on-stack replacement
/// enters there). After a metamethod the interpreter runs on to the next of these.
/// Each entry costs an entry block that loads and checks the registers, so there are
/// few: a function longer than [`LARGE_FUNCTION`] instructions (a main chunk, say,
/// run once) has no entries after its calls, which would cost more to compile than
/// they save; the interpreter runs on to the next loop header instead. Sorted,
/// without duplicates, all `< code.len()`.
pub fn entry_points(code: &[Instruction]) -> Vec<usize> {
    let mut pcs = vec![0];
    let after_calls = code.len() <= LARGE_FUNCTION;
    for (pc, i) in code.iter().enumerate() {
        let Some(op) = i.opcode() else { continue };
        if after_calls && matches!(op, OpCode::Call | OpCode::TForCall) {
            pcs.push(pc + 1);
        }
        if let Some(t) = backward_target(op, *i, pc) {
            pcs.push(t);
        }
    }
    pcs.retain(|&p| p < code.len());
    pcs.sort_unstable();
    pcs.dedup();
    pcs
}

/// The loop headers of `code`: every target of a backward jump, sorted, without
/// duplicates.
pub fn loop_heads(code: &[Instruction]) -> Vec<usize> {
    let mut heads: Vec<usize> = (code.iter().enumerate())
        .filter_map(|(pc, i)| backward_target(i.opcode()?, *i, pc))
        .collect();
    heads.sort_unstable();
    heads.dedup();
    heads
}

/// True when `code` has a loop: an instruction that jumps backward (FORLOOP,
/// TFORLOOP, a backward JMP).
pub fn has_loop(code: &[Instruction]) -> bool {
    (code.iter().enumerate()).any(|(pc, i)| {
        i.opcode()
            .is_some_and(|op| backward_target(op, *i, pc).is_some())
    })
}

/// Length above which a function gets entry points at its loop headers only
/// ([`entry_points`]).
pub const LARGE_FUNCTION: usize = 160;

/// The target of a backward jump at `pc`, if the instruction is one.
fn backward_target(op: OpCode, i: Instruction, pc: usize) -> Option<usize> {
    match op {
        OpCode::ForLoop | OpCode::TForLoop => (pc + 1).checked_sub(i.bx() as usize),
        OpCode::Jmp if i.sj_field() < 0 => {
            usize::try_from(pc as i64 + 1 + i.sj_field() as i64).ok()
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------- register facts

/// What the translator knows about a register's value before an instruction, on every
/// path of compiled code that reaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Anything: the code reads the tag.
    Any,
    /// An integer.
    Int,
    /// A float.
    Float,
}

impl Ty {
    /// The type of a value that may be either.
    fn join(self, o: Ty) -> Ty {
        if self == o {
            self
        } else {
            Ty::Any
        }
    }

    /// The type of a constant.
    pub fn of_const(v: Option<&Value>) -> Ty {
        match v {
            Some(Value::Int(_)) => Ty::Int,
            Some(Value::Float(_)) => Ty::Float,
            _ => Ty::Any,
        }
    }
}

/// A set of registers (`max_stack` is at most 255).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegSet([u64; 4]);

impl RegSet {
    /// Adds `r`.
    pub fn insert(&mut self, r: u32) {
        if let Some(w) = self.0.get_mut((r / 64) as usize) {
            *w |= 1 << (r % 64);
        }
    }

    /// Removes `r`.
    pub fn remove(&mut self, r: u32) {
        if let Some(w) = self.0.get_mut((r / 64) as usize) {
            *w &= !(1 << (r % 64));
        }
    }

    /// True if the set has no register.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// True if `r` is in the set.
    pub fn contains(&self, r: u32) -> bool {
        self.0
            .get((r / 64) as usize)
            .is_some_and(|w| w & (1 << (r % 64)) != 0)
    }

    /// Adds every register of `o`.
    pub fn union(&mut self, o: &RegSet) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a |= b;
        }
    }

    /// Keeps only the registers also in `o`.
    pub fn intersect(&mut self, o: &RegSet) {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a &= b;
        }
    }

    /// The registers of this set not in `o`.
    pub fn minus(&self, o: &RegSet) -> RegSet {
        let mut r = *self;
        for (a, b) in r.0.iter_mut().zip(o.0) {
            *a &= !b;
        }
        r
    }

    /// The registers, in order (a word's set bits, lowest first).
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &bits)| {
            let mut rest = bits;
            core::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let b = rest.trailing_zeros();
                    rest &= rest - 1;
                    w as u32 * 64 + b
                })
            })
        })
    }
}

/// The facts before one instruction (REG-CACHE in `translate.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegState {
    /// The type of each register `0 .. max_stack`.
    pub ty: Vec<Ty>,
    /// Registers whose value compiled code may hold without having stored it to the
    /// value stack yet: what a flush or an exit must store.
    pub dirty: RegSet,
    /// Registers known to hold a table (LOOP-TABLES): checked at a loop's entry.
    pub tables: RegSet,
}

impl RegState {
    /// Nothing known, nothing to store: the state at an entry from the interpreter.
    fn unknown(n: usize) -> RegState {
        RegState {
            ty: vec![Ty::Any; n],
            dirty: RegSet::default(),
            tables: RegSet::default(),
        }
    }

    /// Merges another path's facts; true if this state changed.
    fn join(&mut self, o: &RegState) -> bool {
        let before = self.clone();
        for (a, b) in self.ty.iter_mut().zip(&o.ty) {
            *a = a.join(*b);
        }
        self.dirty.union(&o.dirty);
        self.tables.intersect(&o.tables);
        *self != before
    }

    /// Register `r` now holds a value of type `t`, not yet stored.
    fn write(&mut self, r: u32, t: Ty) {
        if let Some(slot) = self.ty.get_mut(r as usize) {
            *slot = t;
            self.dirty.insert(r);
            self.tables.remove(r);
        }
    }

    /// Every register from `r` on holds an unknown value, written by a helper.
    fn clobber_from(&mut self, r: u32) {
        for t in self.ty.iter_mut().skip(r as usize) {
            *t = Ty::Any;
        }
        (r..256).for_each(|x| self.tables.remove(x));
    }
}

/// Registers of this function a closure may capture (their open upvalues let called
/// code change them): every register up to the highest CLOSURE destination (captured
/// locals are active locals, which sit below the first free register, and a local
/// function captures its own register).
pub fn captured(code: &[Instruction]) -> RegSet {
    let mut set = RegSet::default();
    let top = code
        .iter()
        .filter(|i| i.opcode() == Some(OpCode::Closure))
        .map(|i| i.a())
        .max();
    if let Some(top) = top {
        for r in 0..=top {
            set.insert(r);
        }
    }
    set
}

/// [`captured`], exact when the nested prototypes are at hand (`protos`, the
/// function's `Proto::protos`; a prototype loaded from a binary chunk may not carry
/// them): the registers the upvalue descriptors of the functions its CLOSUREs make
/// name (`in_stack`). A CLOSURE of a callback that captures nothing then makes no
/// register captured, so calls reload and entries load far fewer registers (a main
/// chunk that passes a function literal to `gsub` late in its code, say).
pub fn captured_in(code: &[Instruction], protos: &[std::rc::Rc<Proto>]) -> RegSet {
    let mut set = RegSet::default();
    for i in code.iter().filter(|i| i.opcode() == Some(OpCode::Closure)) {
        let Some(p) = protos.get(i.bx() as usize) else {
            return captured(code);
        };
        for u in p.upvalues.iter().filter(|u| u.in_stack) {
            set.insert(u32::from(u.index));
        }
    }
    set
}

/// Instructions after which every register is in the value stack on every path that
/// continues in compiled code: they flush before their helper (which may allocate or
/// run Lua code) and reload after it, with no inline path.
fn flushes_always(op: OpCode) -> bool {
    use OpCode as O;
    matches!(
        op,
        O::Call | O::TailCall | O::TForCall | O::Concat | O::Closure | O::NewTable
    )
}

/// Whether instruction `op` stores every unstored register before it does anything
/// else (LOOP-FLUSH in `regs.rs`): a numeric loop's entry.
pub fn flushes_at_entry(op: OpCode) -> bool {
    op == OpCode::ForPrep
}

/// Every register from `from` up to `max_stack` (what `uses_defs` says an instruction
/// touches "up to the top").
fn regs_from(from: u32, max_stack: usize) -> RegSet {
    let mut s = RegSet::default();
    (from..max_stack as u32).for_each(|r| s.insert(r));
    s
}

/// `hints` pc of [`SpecHint`](moonjet_interp::jit_iface::SpecHint) that turns
/// LOOP-TABLES off for the whole function (a loop's table check missed).
pub const NO_LOOP_TABLES: u32 = u32::MAX - 3;

/// The registers the numeric loop entered by the FORPREP at `pc` indexes as tables
/// (GETTABLE, GETI, GETFIELD, SELF, SETTABLE, SETI, SETFIELD) and never writes, none
/// captured by a closure (anchor: LOOP-TABLES). The code checks once, at the FORPREP,
/// that they hold tables (exiting there otherwise, `loop-table`), and the analysis
/// then knows them as tables through the loop: its table reads and writes skip the
/// tag test, and the tags leave the loop's block parameters.
pub fn loop_tables(code: &[Instruction], pc: usize, captured: &RegSet, max_stack: usize) -> RegSet {
    use OpCode as O;
    let mut tables = RegSet::default();
    let Some(prep) = code.get(pc) else {
        return tables;
    };
    let body = pc + 1..=pc + 1 + prep.bx() as usize;
    let all = |from: u32| regs_from(from, max_stack);
    let mut writes = RegSet::default();
    for i in code.get(body).unwrap_or(&[]) {
        writes.union(&uses_defs(*i, &all).1);
        match i.opcode() {
            Some(O::GetTable | O::GetI | O::GetField | O::SelfOp) => tables.insert(i.b()),
            Some(O::SetTable | O::SetI | O::SetField) => tables.insert(i.a()),
            _ => {}
        }
    }
    tables.minus(&writes).minus(captured)
}

/// The registers the instructions `body` may read (LOOP-FLUSH in `regs.rs`).
pub fn reads_in(
    code: &[Instruction],
    body: core::ops::RangeInclusive<usize>,
    max_stack: usize,
) -> RegSet {
    let all = |from: u32| regs_from(from, max_stack);
    let mut reads = RegSet::default();
    for i in code.get(body).unwrap_or(&[]) {
        reads.union(&uses_defs(*i, &all).0);
    }
    reads
}

/// The facts before every instruction (`None`: no compiled path reaches it). A forward
/// data-flow over the instructions: pc 0 and entry points that compiled code does not
/// reach start with nothing known; other entry points get the facts of their compiled
/// predecessors, and the code's entry checks the types there (an interpreter that ran
/// part of the function may have left anything). `spec[pc]` is the type speculated for
/// the value the read at `pc` writes (SPECULATE in `speculate.rs`: a guard after the
/// read exits otherwise).
pub fn reg_states(
    code: &[Instruction],
    consts: &[Value],
    max_stack: usize,
    entries: &[usize],
    spec: &[Option<Ty>],
) -> Vec<Option<RegState>> {
    let flow = Flow {
        loop_tables: true,
        in_place: &[],
    };
    reg_states_with(code, consts, max_stack, entries, (spec, &[]), &[], flow)
}

/// Choices of the translation that the register facts follow.
#[derive(Clone, Copy, Debug)]
pub struct Flow<'a> {
    /// LOOP-TABLES is on.
    pub loop_tables: bool,
    /// The CALLs (by pc, true) computed in place on their expected path, which store
    /// nothing before it (FLUSH-SLOW in `ops_call.rs`): their result and every register
    /// unstored before them stay so after them.
    pub in_place: &'a [bool],
}

/// [`reg_states`] with the parameters' types at pc 0 (`params[r]` for register `r`,
/// speculated and checked by the entry block of pc 0: SPECULATE in `speculate.rs`).
/// `spec` also holds, for a CALL, which of its results the type applies to (bit `k`
/// for R[A+k]; none given: R[A]).
pub fn reg_states_with(
    code: &[Instruction],
    consts: &[Value],
    max_stack: usize,
    entries: &[usize],
    spec: (&[Option<Ty>], &[u64]),
    params: &[Ty],
    flow: Flow<'_>,
) -> Vec<Option<RegState>> {
    let (spec, masks) = spec;
    let captured = captured(code);
    let facts = Facts {
        captured,
        loop_tables: flow.loop_tables,
        in_place: flow.in_place,
        max_stack,
    };
    let mut states: Vec<Option<RegState>> = vec![None; code.len()];
    let mut work: Vec<usize> = Vec::new();
    let mut seeds = entries.iter().copied();
    let mut seed = Some(0);
    while let Some(s) = seed.take() {
        if s < code.len() && states[s].is_none() {
            let mut st = RegState::unknown(max_stack);
            if s == 0 {
                for (slot, &t) in st.ty.iter_mut().zip(params) {
                    *slot = t;
                }
            }
            states[s] = Some(st);
            work.push(s);
        }
        while let Some(pc) = work.pop() {
            let Some(st) = states[pc].clone() else {
                continue;
            };
            let speculated = spec.get(pc).copied().flatten();
            let mask = masks.get(pc).copied().unwrap_or(1);
            let facts_of_pc = (speculated, mask);
            for (to, out) in successors(code, consts, &facts, pc, st, facts_of_pc) {
                let Some(slot) = states.get_mut(to) else {
                    continue;
                };
                let changed = match slot {
                    Some(s) => s.join(&out),
                    None => {
                        *slot = Some(out);
                        true
                    }
                };
                if changed {
                    work.push(to);
                }
            }
        }
        seed = seeds
            .by_ref()
            .find(|&e| e < code.len() && states[e].is_none());
    }
    states
}

/// What the transfer function knows of the whole function.
struct Facts<'a> {
    /// Registers closures may capture.
    captured: RegSet,
    /// LOOP-TABLES is on.
    loop_tables: bool,
    /// The CALLs computed in place (`Flow::in_place`).
    in_place: &'a [bool],
    /// The frame size.
    max_stack: usize,
}

/// Where control goes after the instruction at `pc` in compiled code, with the facts
/// on each edge (`speculated`: the type a guard after this read ensures, in the
/// results of a call in `mask`).
fn successors(
    code: &[Instruction],
    consts: &[Value],
    facts: &Facts<'_>,
    pc: usize,
    mut st: RegState,
    (speculated, mask): (Option<Ty>, u64),
) -> Vec<(usize, RegState)> {
    use OpCode as O;
    let i = code[pc];
    let Some(op) = i.opcode() else {
        return Vec::new();
    };
    let (a, ty) = (i.a(), |st: &RegState, r: u32| {
        st.ty.get(r as usize).copied().unwrap_or(Ty::Any)
    });
    let captured = &facts.captured;
    let rel = |d: i64| usize::try_from(pc as i64 + d).ok();
    let mut next = vec![rel(1)];
    if flushes_at_entry(op) {
        st.dirty = RegSet::default();
    }
    if op == O::ForPrep && facts.loop_tables {
        st.tables
            .union(&loop_tables(code, pc, captured, facts.max_stack));
    }
    match op {
        O::Move => {
            let t = ty(&st, i.b());
            st.write(a, t);
        }
        O::LoadI => st.write(a, Ty::Int),
        O::LoadF => st.write(a, Ty::Float),
        O::LoadK => st.write(a, Ty::of_const(consts.get(i.bx() as usize))),
        O::LoadKX => {
            let k = code.get(pc + 1).map(|x| x.ax_field() as usize);
            st.write(a, Ty::of_const(k.and_then(|k| consts.get(k))));
        }
        O::LFalseSkip => {
            st.write(a, Ty::Any);
            next = vec![rel(2)];
        }
        O::LoadNil => (a..=a + i.b()).for_each(|r| st.write(r, Ty::Any)),
        O::SelfOp => (a..=a + 1).for_each(|r| st.write(r, Ty::Any)),
        O::Unm => {
            let t = ty(&st, i.b());
            st.write(a, t);
        }
        O::BNot => st.write(a, Ty::Int),
        O::Concat => (a..a + i.b().max(1)).for_each(|r| st.write(r, Ty::Any)),
        O::Call => {
            st.clobber_from(a);
            // Results whose type is speculated (guards after the call).
            for k in (0..64).filter(|k| mask & (1 << k) != 0) {
                if let (Some(t), Some(slot)) = (speculated, st.ty.get_mut((a + k) as usize)) {
                    *slot = t;
                }
            }
        }
        O::VarArg => {
            st.clobber_from(a);
            (a..st.ty.len() as u32).for_each(|r| st.dirty.insert(r));
        }
        O::TForCall => st.clobber_from(a + 3),
        // A tail call of a native function continues at the RETURN after it.
        O::TailCall => st.clobber_from(a),
        O::Return | O::Return0 | O::Return1 => next.clear(),
        O::Jmp => next = vec![rel(1 + i.sj_field() as i64)],
        O::ForPrep => {
            // The loop that does not run leaves its registers as they were.
            let mut skipped = st.clone();
            (a..=a + 3).for_each(|r| skipped.write(r, Ty::Any));
            let t = for_type(ty(&st, a), ty(&st, a + 2));
            (a..=a + 3).for_each(|r| st.write(r, t));
            let mut out = vec![(rel(1), st)];
            out.push((rel(i.bx() as i64 + 2), skipped));
            return out
                .into_iter()
                .filter_map(|(to, s)| to.map(|to| (to, s)))
                .collect();
        }
        O::ForLoop => {
            let t = for_type(ty(&st, a), ty(&st, a + 2));
            for r in [a, a + 1, a + 3] {
                st.write(r, t);
            }
            next.push(rel(1 - i.bx() as i64));
        }
        O::TForPrep => {
            st.clobber_from(a);
            next = vec![rel(i.bx() as i64 + 1)];
        }
        O::TForLoop => {
            st.write(a + 2, Ty::Any);
            next.push(rel(1 - i.bx() as i64));
        }
        _ if op.has(props::TEST) => {
            if op == O::TestSet {
                st.write(a, Ty::Any);
            }
            next.push(rel(2));
        }
        _ if op.has(props::ARITH) => {
            let t = match crate::ops_arith::arith_operands(i, consts) {
                Some((op, x, y)) => op.result_type(x.ty(&st.ty), y.ty(&st.ty)),
                None => Ty::Any,
            };
            st.write(a, t);
        }
        // The compiled LEN writes an integer or exits (a `__len` is the interpreter's:
        // `Helpers::len`).
        O::Len => st.write(a, Ty::Int),
        _ if op.has(props::WRITES_A) => st.write(a, speculated.unwrap_or(Ty::Any)),
        _ => {}
    }
    // Called code (through a helper: arithmetic and comparisons that need a
    // metamethod exit instead) may change captured registers through open upvalues.
    if op.has(props::MAY_CALL) && !op.has(props::ARITH) && !op.has(props::TEST) {
        for r in captured.iter() {
            if let Some(t) = st.ty.get_mut(r as usize) {
                *t = Ty::Any;
            }
            st.tables.remove(r);
        }
    }
    if facts.in_place.get(pc).copied().unwrap_or(false) {
        st.dirty.insert(a);
    } else if flushes_always(op) {
        st.dirty = RegSet::default();
    }
    // GETUPVAL stores its result (UPVAL-INLINE: the inline read copies the value to
    // the register's slot, the helper writes it there).
    if op == O::GetUpval {
        let mut one = RegSet::default();
        one.insert(a);
        st.dirty = st.dirty.minus(&one);
    }
    next.into_iter()
        .flatten()
        .map(|to| (to, st.clone()))
        .collect()
}

/// The type of a numeric for loop's control values from its initial value and step:
/// integers when both are (the limit is converted), floats when either is a float.
fn for_type(init: Ty, step: Ty) -> Ty {
    match (init, step) {
        (Ty::Int, Ty::Int) => Ty::Int,
        (Ty::Float, _) | (_, Ty::Float) => Ty::Float,
        _ => Ty::Any,
    }
}

// ---------------------------------------------------------------------- liveness

/// One instruction's part in liveness: what it reads, what it surely writes, its
/// successors, and the write it makes on one edge only (`loop_var_write`).
type Effects = (RegSet, RegSet, Vec<usize>, Option<(usize, u32)>);

/// The registers each instruction may read before it writes them (`live[pc]`): a
/// backward data-flow. Registers of active local variables (debug information) count
/// as live in their whole scope, since `debug.getlocal` may read them. The code loads
/// only live registers at entries and after calls; any other register is dead, so no
/// instruction (compiled or interpreted) reads what the code left there.
pub fn liveness(code: &[Instruction], max_stack: usize, locals: &[(u32, u32)]) -> Vec<RegSet> {
    let n = code.len();
    let all = |from: u32| regs_from(from, max_stack);
    let closed = tbc_registers(code);
    let effects: Vec<Effects> = (0..n)
        .map(|pc| {
            let (mut uses, defs) = uses_defs(code[pc], &all);
            if let Some(u) = closing_uses(code[pc], &closed) {
                uses = u;
            }
            let succ = successor_pcs(code, pc);
            (uses, defs, succ, loop_var_write(code[pc], pc))
        })
        .collect();
    let mut live = vec![RegSet::default(); n];
    let mut changed = true;
    while changed {
        changed = false;
        for pc in (0..n).rev() {
            let (uses, defs, succ, edge_def) = &effects[pc];
            let mut out = RegSet::default();
            for &s in succ {
                if let Some(l) = live.get(s) {
                    match edge_def {
                        Some((body, r)) if *body == s => {
                            let mut l = *l;
                            l.remove(*r);
                            out.union(&l);
                        }
                        _ => out.union(l),
                    }
                }
            }
            let mut inn = out.minus(defs);
            inn.union(uses);
            if inn != live[pc] {
                live[pc] = inn;
                changed = true;
            }
        }
    }
    for (pc, l) in live.iter_mut().enumerate() {
        let active = locals
            .iter()
            .filter(|&&(start, end)| start as usize <= pc && (pc as u32) < end)
            .count() as u32;
        (0..active.min(max_stack as u32)).for_each(|r| l.insert(r));
    }
    live
}

/// The write a numeric loop's FORPREP or FORLOOP at `pc` makes on its edge into the
/// loop's body only (anchor: LOOP-VAR-LIVE): the body's first pc and R[A+3], the
/// control variable. Liveness removes that register on that edge alone: were it
/// counted as read on both (neither instruction writes it when the loop ends or is
/// skipped), the control variable would be live everywhere outside its loop, stored
/// at every exit there and carried through the enclosing loops' headers.
fn loop_var_write(i: Instruction, pc: usize) -> Option<(usize, u32)> {
    match i.opcode()? {
        OpCode::ForPrep => Some((pc + 1, i.a() + 3)),
        OpCode::ForLoop => Some(((pc + 1).checked_sub(i.bx() as usize)?, i.a() + 3)),
        _ => None,
    }
}

/// Registers that may hold a to-be-closed value: R[A] of a TBC, the closing value
/// R[A+3] of a generic for (TFORPREP).
fn tbc_registers(code: &[Instruction]) -> RegSet {
    let mut set = RegSet::default();
    for i in code {
        match i.opcode() {
            Some(OpCode::Tbc) => set.insert(i.a()),
            Some(OpCode::TForPrep) => set.insert(i.a() + 3),
            _ => {}
        }
    }
    set
}

/// What CLOSE, TBC and TFORPREP read, for liveness (`uses_defs` says every register
/// from A, as nothing else knows which hold to-be-closed values): CLOSE the
/// to-be-closed registers (`closed`) from A up, whose `__close` the interpreter calls;
/// TBC its R[A]; TFORPREP its four control registers. Closing upvalues reads the
/// captured registers, which the code keeps stored and loads at every entry whether
/// live or not (REG-CACHE). Without this, the CLOSE after a generic `for` would make
/// every register above the loop live back to the start of the function. `None` for
/// other instructions.
fn closing_uses(i: Instruction, closed: &RegSet) -> Option<RegSet> {
    let a = i.a();
    let mut uses = RegSet::default();
    match i.opcode()? {
        OpCode::Close => closed
            .iter()
            .filter(|&r| r >= a)
            .for_each(|r| uses.insert(r)),
        OpCode::Tbc => uses.insert(a),
        OpCode::TForPrep => (a..a + 4).for_each(|r| uses.insert(r)),
        _ => return None,
    }
    Some(uses)
}

/// The pcs control may reach after `pc` (interpreted or compiled).
fn successor_pcs(code: &[Instruction], pc: usize) -> Vec<usize> {
    use OpCode as O;
    let i = code[pc];
    let rel = |d: i64| usize::try_from(pc as i64 + d).ok();
    let v = match i.opcode() {
        None => vec![],
        Some(O::Return | O::Return0 | O::Return1) => vec![],
        Some(O::Jmp) => vec![rel(1 + i.sj_field() as i64)],
        Some(O::LFalseSkip) => vec![rel(2)],
        Some(O::ForPrep) => vec![rel(1), rel(i.bx() as i64 + 2)],
        Some(O::ForLoop | O::TForLoop) => vec![rel(1), rel(1 - i.bx() as i64)],
        Some(O::TForPrep) => vec![rel(i.bx() as i64 + 1)],
        Some(op) if op.has(props::TEST) => vec![rel(1), rel(2)],
        Some(_) => vec![rel(1)],
    };
    v.into_iter()
        .flatten()
        .filter(|&t| t < code.len())
        .collect()
}

/// The registers an instruction may read, and those it surely writes.
pub(crate) fn uses_defs(i: Instruction, all: &dyn Fn(u32) -> RegSet) -> (RegSet, RegSet) {
    use moonjet_bytecode::opcodes::Operand as R;
    use OpCode as O;
    let (mut uses, mut defs) = (RegSet::default(), RegSet::default());
    let Some(op) = i.opcode() else {
        return (all(0), defs);
    };
    let a = i.a();
    let range =
        |s: &mut RegSet, from: u32, count: u32| (from..from + count).for_each(|r| s.insert(r));
    // `count` registers from A, or every register from A when B = 0 ("up to the top").
    let listed = |count: u32| {
        if i.b() == 0 {
            return all(a);
        }
        let mut s = RegSet::default();
        range(&mut s, a, count);
        s
    };
    // The results of a CALL or VARARG: C - 1 registers from `from`, or (C = 0)
    // every register from there, "up to the top": what lies above the top is read by
    // nothing but an "up to the top" B = 0 consumer (CALL, RETURN, SETLIST), which
    // reads only what this producer left below the top. Without it such a consumer,
    // which is said to read every register from its A, would make every register above
    // it live back to the start of the function (a main chunk ending in
    // `print(string.format(...))`, say): loaded at every entry and after every call.
    let results = |from: u32, c: u32| {
        if c == 0 {
            return all(from);
        }
        let mut s = RegSet::default();
        range(&mut s, from, c - 1);
        s
    };
    match op {
        O::Call => {
            uses = listed(i.b());
            defs = results(a, i.c());
        }
        O::VarArg => defs = results(a, i.c()),
        O::TailCall => uses = listed(i.b()),
        O::Return => uses = listed(i.b().saturating_sub(1)),
        O::SetList => uses = listed(i.b() + 1),
        O::Close | O::Tbc => uses = all(a),
        // Nothing reads R[A+4..A+6] between it and the TFORCALL it jumps to, which
        // writes them first.
        O::TForPrep => {
            uses = all(a);
            range(&mut defs, a + 4, 3);
        }
        O::Concat => {
            range(&mut uses, a, i.b());
            defs.insert(a);
        }
        // The compiled TFORCALL copies its three control values to R[A+4..A+6] and
        // calls from there, so those must be stored before its helper: read, as far as
        // liveness goes (TFORPREP writes them, so they are not live before the loop).
        O::TForCall => {
            range(&mut uses, a, 3);
            range(&mut uses, a + 4, 3);
        }
        O::TForLoop => uses.insert(a + 4),
        O::ForPrep | O::ForLoop => range(&mut uses, a, 3),
        O::LoadNil => range(&mut defs, a, i.b() + 1),
        O::VarArgPrep | O::ExtraArg | O::Jmp | O::Return0 => {}
        O::TestSet => uses.insert(i.b()),
        _ => {
            let info = op.info();
            if info.b == R::Reg {
                uses.insert(i.b());
            }
            if info.c == R::Reg || (info.c == R::RegOrConst && !i.k()) {
                uses.insert(i.c());
            }
            if info.a == R::Reg {
                if op.has(props::WRITES_A) {
                    defs.insert(a);
                } else {
                    uses.insert(a);
                }
            }
            if op == O::SelfOp {
                defs.insert(a + 1);
            }
        }
    }
    (uses, defs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_are_backward_jumps() {
        let straight = [
            Instruction::asbx(OpCode::LoadI, 0, 1),
            Instruction::sj(OpCode::Jmp, 1),
            Instruction::abc(OpCode::Return0, 0, 0, 0, false),
            Instruction::abc(OpCode::Return0, 0, 0, 0, false),
        ];
        assert!(!has_loop(&straight));
        let mut looping = straight;
        looping[1] = Instruction::sj(OpCode::Jmp, -2);
        assert!(has_loop(&looping), "a backward JMP");
        looping[1] = Instruction::abx(OpCode::ForLoop, 0, 1);
        assert!(has_loop(&looping), "a FORLOOP");
    }

    #[test]
    fn entries_of_a_loop_with_a_call() {
        let code = [
            Instruction::asbx(OpCode::LoadI, 0, 1),            // 0
            Instruction::abx(OpCode::ForPrep, 0, 2),           // 1
            Instruction::abc(OpCode::Call, 4, 1, 1, false),    // 2
            Instruction::abc(OpCode::Move, 5, 4, 0, false),    // 3
            Instruction::abx(OpCode::ForLoop, 0, 3),           // 4 -> 2
            Instruction::abc(OpCode::Return0, 0, 0, 0, false), // 5
        ];
        assert_eq!(entry_points(&code), vec![0, 2, 3]);
        let back = [Instruction::sj(OpCode::Jmp, -1)];
        assert_eq!(entry_points(&back), vec![0]);
        let bad = [Instruction::abx(OpCode::ForLoop, 0, 100)];
        assert_eq!(
            entry_points(&bad),
            vec![0],
            "out-of-range targets are dropped"
        );
    }

    /// `for i = 1, n do x = x + i * 0.5 end` with R0 = n (a parameter), R1 = x.
    fn float_loop() -> Vec<Instruction> {
        vec![
            Instruction::asbx(OpCode::LoadF, 1, 0),            // 0 x = 0.0
            Instruction::asbx(OpCode::LoadI, 2, 1),            // 1 init
            Instruction::abc(OpCode::Move, 3, 0, 0, false),    // 2 limit = n
            Instruction::asbx(OpCode::LoadI, 4, 1),            // 3 step
            Instruction::abx(OpCode::ForPrep, 2, 3),           // 4
            Instruction::abc(OpCode::MulK, 6, 5, 0, false),    // 5 t = i * K[0]
            Instruction::abc(OpCode::Add, 1, 1, 6, false),     // 6 x = x + t
            Instruction::abc(OpCode::Add, 7, 0, 0, false),     // 7 u = n + n
            Instruction::abx(OpCode::ForLoop, 2, 4),           // 8 -> 5
            Instruction::abc(OpCode::Return1, 1, 0, 0, false), // 9
        ]
    }

    #[test]
    fn a_loop_knows_the_tables_it_indexes_and_never_writes() {
        // R[0] is indexed and never written: a table through the loop and after it.
        // R[1] is indexed but also written in the loop: not known.
        let code = [
            Instruction::asbx(OpCode::LoadI, 2, 1),             // 0
            Instruction::asbx(OpCode::LoadI, 3, 3),             // 1
            Instruction::asbx(OpCode::LoadI, 4, 1),             // 2
            Instruction::abx(OpCode::ForPrep, 2, 3),            // 3
            Instruction::abc(OpCode::GetTable, 6, 0, 5, false), // 4
            Instruction::abc(OpCode::GetTable, 7, 1, 5, false), // 5
            Instruction::abc(OpCode::Move, 1, 6, 0, false),     // 6
            Instruction::abx(OpCode::ForLoop, 2, 4),            // 7 -> 4
            Instruction::abc(OpCode::Return0, 0, 0, 0, false),  // 8
        ];
        let none = RegSet::default();
        let want = {
            let mut s = RegSet::default();
            s.insert(0);
            s
        };
        assert_eq!(loop_tables(&code, 3, &none, 8), want);
        assert_eq!(
            loop_tables(&code, 3, &want, 8),
            none,
            "captured: never known"
        );
        let entries = entry_points(&code);
        let st = reg_states(&code, &[], 8, &entries, &[]);
        let tables = |pc: usize| st[pc].as_ref().map(|s| s.tables);
        assert_eq!(tables(3), Some(none), "before the check");
        assert_eq!(tables(4), Some(want));
        assert_eq!(tables(8), Some(want), "after the loop");
        let flow = Flow {
            loop_tables: false,
            in_place: &[],
        };
        let off = reg_states_with(&code, &[], 8, &entries, (&[], &[]), &[], flow);
        assert_eq!(off[4].as_ref().map(|s| s.tables), Some(none), "turned off");
    }

    #[test]
    fn a_register_set_lists_its_members_in_order() {
        let mut s = RegSet::default();
        for r in [255, 0, 63, 64, 130, 1] {
            s.insert(r);
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 1, 63, 64, 130, 255]);
        s.remove(64);
        assert_eq!(s.iter().count(), 5);
        assert_eq!(RegSet::default().iter().next(), None);
    }

    #[test]
    fn a_length_is_an_integer() {
        // `for i = 1, #t`: the compiled LEN writes an integer or exits, so the loop
        // is an integer loop.
        let code = [
            Instruction::asbx(OpCode::LoadI, 1, 1),            // 0
            Instruction::abc(OpCode::Len, 2, 0, 0, false),     // 1 #t
            Instruction::asbx(OpCode::LoadI, 3, 1),            // 2
            Instruction::abx(OpCode::ForPrep, 1, 0),           // 3
            Instruction::abx(OpCode::ForLoop, 1, 1),           // 4 -> 4
            Instruction::abc(OpCode::Return0, 0, 0, 0, false), // 5
        ];
        let st = reg_states(&code, &[], 8, &entry_points(&code), &[]);
        let at = |pc: usize, r: usize| st[pc].as_ref().map(|s| s.ty[r]);
        assert_eq!(at(2, 2), Some(Ty::Int));
        assert_eq!(at(4, 4), Some(Ty::Int), "the loop's control variable");
    }

    #[test]
    fn types_flow_through_a_loop() {
        let code = float_loop();
        let consts = [Value::Float(0.5)];
        let entries = entry_points(&code);
        let st = reg_states(&code, &consts, 8, &entries, &[]);
        let at = |pc: usize, r: usize| st[pc].as_ref().map(|s| s.ty[r]);
        // The control values of an integer loop, and the float accumulator, are known
        // in the body (the back edge agrees with the entry).
        assert_eq!(at(5, 5), Some(Ty::Int));
        assert_eq!(at(6, 1), Some(Ty::Float));
        assert_eq!(at(6, 6), Some(Ty::Float));
        assert_eq!(at(9, 1), Some(Ty::Float));
        // A parameter stays unknown, and so does arithmetic on it.
        assert_eq!(at(7, 0), Some(Ty::Any));
        assert_eq!(at(8, 7), Some(Ty::Any));
        // Registers written in the loop are unstored in it; nothing before it is.
        assert!(st[6].as_ref().is_some_and(|s| s.dirty.contains(6)));
        assert!(st[0].as_ref().is_some_and(|s| s.dirty == RegSet::default()));
    }

    #[test]
    fn captured_registers_are_those_closures_name() {
        let p = moonjet_compiler::compile(
            b"local a, b, c = 1, 2, 3 local f = function() return b end \
              local t = {} local g = function(x) return x end return f, g, t, a, c",
            b"=t",
        )
        .expect("compiles");
        let exact = captured_in(&p.code, &p.protos);
        assert!(exact.contains(1));
        assert!(!exact.contains(0) && !exact.contains(2) && !exact.contains(5));
        // Without the nested prototypes: every register up to the last CLOSURE's.
        let rough = captured_in(&p.code, &[]);
        assert!(rough.contains(0) && rough.contains(2) && rough.contains(5));
    }

    #[test]
    fn open_results_do_not_make_registers_above_live() {
        let p = moonjet_compiler::compile(
            b"local n = 0 for i = 1, 10 do n = n + i end \
              print(string.format('%d %d %d %d', n, n, n, n))",
            b"=t",
        )
        .expect("compiles");
        let live = liveness(&p.code, p.max_stack as usize, &[]);
        // Only n is live at the loop's end; the call's registers above it are not.
        let at_loop = p
            .code
            .iter()
            .position(|i| i.opcode() == Some(OpCode::ForLoop))
            .expect("a loop");
        assert!(live[at_loop].contains(0));
        for r in 5..p.max_stack as u32 {
            assert!(!live[at_loop].contains(r), "R{r} live at the loop");
        }
    }

    #[test]
    fn a_numeric_loop_variable_is_live_only_inside_its_loop() {
        // LOOP-VAR-LIVE: the inner loop's control variable is written on the edges
        // into its body only; it is not live before the inner FORPREP, nor anywhere in
        // the outer loop outside the inner one.
        let p = moonjet_compiler::compile(
            b"local s = 0 for i = 1, 10 do s = s + i for j = 1, i do s = s + j end end \
              return s",
            b"=t",
        )
        .expect("compiles");
        let live = liveness(&p.code, p.max_stack as usize, &[]);
        let preps: Vec<usize> = (p.code.iter().enumerate())
            .filter(|(_, i)| i.opcode() == Some(OpCode::ForPrep))
            .map(|(pc, _)| pc)
            .collect();
        let (outer, inner) = (preps[0], preps[1]);
        let j = p.code[inner].a() + 3;
        assert!(live[inner + 1].contains(j), "j is read in its body");
        assert!(!live[inner].contains(j), "j live at its FORPREP");
        assert!(!live[outer + 1].contains(j), "j live in the outer body");
        assert!(!live[0].contains(j), "j live at pc 0");
        let i = p.code[outer].a() + 3;
        assert!(live[outer + 1].contains(i) && !live[outer].contains(i));
        // A read of R[A+3] after a loop (hand-made bytecode: the compiler never emits
        // one) keeps it live along the edge that skips the loop.
        let code = [
            Instruction::asbx(OpCode::LoadI, 0, 1),
            Instruction::asbx(OpCode::LoadI, 1, 0),
            Instruction::asbx(OpCode::LoadI, 2, 1),
            Instruction::abx(OpCode::ForPrep, 0, 1),
            Instruction::abc(OpCode::Move, 4, 3, 0, false),
            Instruction::abx(OpCode::ForLoop, 0, 2),
            Instruction::abc(OpCode::Return1, 3, 0, 0, false),
        ];
        let live = liveness(&code, 5, &[]);
        assert!(live[3].contains(3), "R3 read after the skipped loop");
    }

    #[test]
    fn a_generic_for_keeps_only_its_own_registers_live() {
        let p = moonjet_compiler::compile(
            b"local n = 0 for w in string.gmatch('a b', '%a') do n = n + #w end \
              local a, b, c, d = n, n, n, n print(a, b, c, d)",
            b"=t",
        )
        .expect("compiles");
        let live = liveness(&p.code, p.max_stack as usize, &[]);
        let prep = p
            .code
            .iter()
            .position(|i| i.opcode() == Some(OpCode::TForPrep))
            .expect("a generic for");
        let a = p.code[prep].a();
        assert!((a..a + 4).all(|r| live[prep].contains(r)));
        // Nothing above the loop's registers is live when it starts, nor at pc 0.
        for r in a + 4..p.max_stack as u32 {
            assert!(!live[prep].contains(r), "R{r} live at the TFORPREP");
            assert!(!live[0].contains(r), "R{r} live at pc 0");
        }
        let closed = tbc_registers(&p.code);
        assert!(closed.contains(a + 3) && !closed.contains(a));
    }

    #[test]
    fn calls_forget_captured_registers_and_flush() {
        let code = [
            Instruction::asbx(OpCode::LoadI, 0, 1),  // 0 x = 1 (captured)
            Instruction::asbx(OpCode::LoadI, 1, 2),  // 1 y = 2
            Instruction::abx(OpCode::Closure, 2, 0), // 2 f captures x
            Instruction::abc(OpCode::Call, 2, 1, 1, false), // 3 f()
            Instruction::abc(OpCode::Return1, 0, 0, 0, false), // 4
        ];
        assert!(captured(&code).contains(0) && captured(&code).contains(2));
        let st = reg_states(&code, &[], 4, &entry_points(&code), &[]);
        let after = st[4].as_ref().map(|s| (s.ty[0], s.ty[1], s.dirty));
        // x may have been changed by f, y not; the call stored everything.
        let (tx, _, dirty) = after.unwrap_or((Ty::Int, Ty::Any, RegSet([1; 4])));
        assert_eq!(tx, Ty::Any);
        assert_eq!(dirty, RegSet::default());
    }

    #[test]
    fn a_call_computed_in_place_leaves_the_registers_unstored() {
        let code = [
            Instruction::asbx(OpCode::LoadI, 0, 1),            // 0 x = 1
            Instruction::asbx(OpCode::LoadI, 2, 2),            // 1 arg = 2
            Instruction::abc(OpCode::Call, 1, 2, 2, false),    // 2 r = f(arg)
            Instruction::abc(OpCode::Return1, 1, 0, 0, false), // 3
        ];
        let entries = entry_points(&code);
        let dirty_after = |in_place: &[bool]| {
            let flow = Flow {
                loop_tables: true,
                in_place,
            };
            let st = reg_states_with(&code, &[], 4, &entries, (&[], &[]), &[], flow);
            st[3].as_ref().map(|s| s.dirty)
        };
        assert_eq!(
            dirty_after(&[]),
            Some(RegSet::default()),
            "a call stores all"
        );
        let lean = dirty_after(&[false, false, true, false]).unwrap_or_default();
        // x and the argument stay unstored, and so does the result in R1.
        assert!(lean.contains(0) && lean.contains(1) && lean.contains(2));
    }

    #[test]
    fn liveness_of_temporaries_and_locals() {
        let code = float_loop();
        let live = liveness(&code, 8, &[]);
        // t (R6) is written before it is read: dead at the loop head, live after.
        assert!(!live[5].contains(6) && live[6].contains(6));
        // x (R1) is read around the loop and returned.
        assert!(live[5].contains(1) && live[9].contains(1));
        // u (R7) is never read.
        assert!(!live[8].contains(7));
        // An active local counts as live in its whole scope.
        let with_local = liveness(&code, 8, &[(0, 10), (0, 10)]);
        assert!(with_local[5].contains(1) && with_local[0].contains(0));
        assert!(with_local[8].contains(1) && !with_local[8].contains(7));
    }
}
