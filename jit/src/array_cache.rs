//! The array parts of an innermost loop's tables, read once (anchor: ARRAY-CACHE).
//!
//! An innermost numeric loop that indexes tables held in registers it never writes
//! (LOOP-TABLES in `analysis.rs`: known tables through the loop) reads each such
//! table's array address and length into variables at the loop's FORPREP, and its
//! array accesses (`t[i]`, `t[i] = v` with an integer key) use the variables instead
//! of loading both from the table at every access. The array part moves or changes
//! size only when something stores a new key or resizes the table, and compiled code
//! itself never does either: its inline stores only overwrite slots that exist
//! (`inline_table.rs`). Everything else that could (a helper, which may run a
//! metamethod, collect garbage or grow a table; a Lua call) is a call the code
//! makes, so the variables are read again right after every call the code emits
//! while inside such a loop (`FunctionTranslator::call`, DIRECT-CALL, SELF-TAIL), and
//! at every entry point inside the loop (the interpreter may have run anything
//! before). A variable is read only where the table register is known to hold a table
//! (`known_table`), inside the loop whose FORPREP or entry defined it.
//!
//! Only innermost loops cache, so that the extra values live across a loop are those
//! its own accesses use (register pressure): matmul's inner `ci[j] = ci[j] + aik *
//! bk[j]` loads two words per access fewer.

use cranelift_codegen::ir::{types, InstBuilder};
use cranelift_frontend::Variable;
use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::table_offsets as t;

use crate::analysis::{RegSet, RegState, Ty};
use crate::regs::off_of;
use crate::translate::{mem, FunctionTranslator};

/// An innermost numeric loop whose tables' array parts are cached.
#[derive(Clone, Debug)]
struct CachedLoop {
    /// The FORPREP's pc.
    prep: usize,
    /// The FORLOOP's pc (the body's last instruction).
    end: usize,
    /// The table registers cached.
    set: RegSet,
}

/// The plan and the variables (per register: array address, length).
#[derive(Default)]
pub struct ArrayCache {
    /// The cached loops, in pc order.
    loops: Vec<CachedLoop>,
    /// Each register's variables, declared at the first need.
    vars: Vec<Option<(Variable, Variable)>>,
}

/// Whether register `k` holds an integer before the instruction whose facts are `st`.
fn int_key(st: Option<&RegState>, k: u32) -> bool {
    st.is_some_and(|st| st.ty.get(k as usize) == Some(&Ty::Int))
}

/// The register whose table instruction `i` indexes with an integer key: GETI and
/// SETI, and GETTABLE and SETTABLE whose key register is known as an integer before it
/// (`st`). A loop that indexes a table only by other keys (a map by strings) would
/// pay the reads after its calls for nothing.
fn array_access(i: Instruction, st: Option<&RegState>) -> Option<u32> {
    let int_key = |k| int_key(st, k);
    match i.opcode()? {
        OpCode::GetI => Some(i.b()),
        OpCode::SetI => Some(i.a()),
        OpCode::GetTable if int_key(i.c()) => Some(i.b()),
        OpCode::SetTable if int_key(i.b()) => Some(i.a()),
        _ => None,
    }
}

/// Whether instruction `i` always makes a call (of a Lua function or a helper):
/// a call, a concatenation, a table access by a key not known as an integer.
fn calls_always(i: Instruction, st: Option<&RegState>) -> bool {
    let int_key = |k| int_key(st, k);
    match i.opcode() {
        Some(OpCode::Call | OpCode::TForCall | OpCode::Concat) => true,
        Some(OpCode::GetTable) => !int_key(i.c()),
        Some(OpCode::SetTable) => !int_key(i.b()),
        _ => false,
    }
}

impl FunctionTranslator<'_> {
    /// Plans ARRAY-CACHE from the bytecode and the register facts: every innermost
    /// numeric loop, with the registers its body indexes as arrays that the facts
    /// know as tables throughout the body.
    pub fn plan_array_cache(&mut self) {
        let code = self.code;
        let mut loops = Vec::new();
        for (prep, i) in code.iter().enumerate() {
            if i.opcode() != Some(OpCode::ForPrep) {
                continue;
            }
            let end = prep + 1 + i.bx() as usize;
            let Some(body) = code.get(prep + 1..=end) else {
                continue;
            };
            if body.iter().any(|j| j.opcode() == Some(OpCode::ForPrep)) {
                continue;
            }
            let Some(Some(st)) = self.regs.states.get(prep + 1) else {
                continue;
            };
            let (mut set, mut uses, mut calls) = (RegSet::default(), 0, 0);
            for (pc, &j) in code.iter().enumerate().take(end + 1).skip(prep + 1) {
                let here = self.regs.states.get(pc).and_then(|s| s.as_ref());
                match array_access(j, here) {
                    Some(r) if st.tables.contains(r) && r < self.max_stack => {
                        set.insert(r);
                        uses += 1;
                    }
                    // A call computed in place (FLUSH-SLOW) calls nothing on its way.
                    _ if calls_always(j, here) && !self.in_place.get(pc).is_some_and(|&p| p) => {
                        calls += 1
                    }
                    _ => {}
                }
            }
            // Each call reads every cached array again: worth it only where the
            // accesses outnumber the calls (a loop of `t[i]` with no call at all).
            if !set.is_empty() && uses > calls {
                loops.push(CachedLoop { prep, end, set });
            }
        }
        self.arrays.loops = loops;
        self.arrays.vars = vec![None; self.max_stack as usize];
    }

    /// The cached loop whose FORPREP or body holds `pc` (`body_only`: its body).
    fn cached_loop(&self, pc: usize, body_only: bool) -> Option<&CachedLoop> {
        let from = |l: &CachedLoop| if body_only { l.prep + 1 } else { l.prep };
        self.arrays
            .loops
            .iter()
            .find(|l| from(l) <= pc && pc <= l.end)
    }

    /// Register `r`'s variables (array address, length), declared now if new.
    fn array_vars(&mut self, r: u32) -> (Variable, Variable) {
        if let Some(Some(v)) = self.arrays.vars.get(r as usize) {
            return *v;
        }
        let v = (
            self.b.declare_var(types::I64),
            self.b.declare_var(types::I64),
        );
        if let Some(slot) = self.arrays.vars.get_mut(r as usize) {
            *slot = Some(v);
        }
        v
    }

    /// Reads the array address and length of the tables in `set` known to hold
    /// tables here into their variables.
    fn read_arrays(&mut self, set: RegSet) {
        let known: Vec<u32> = (set.iter())
            .filter(|&r| self.known_table(off_of(r)))
            .collect();
        for r in known {
            self.read_array(r);
        }
    }

    /// Reads the array address and length of the table in register `r` (which must
    /// hold a table) into its variables.
    fn read_array(&mut self, r: u32) {
        let (arr_v, len_v) = self.array_vars(r);
        let h = self.payload(off_of(r), types::I64);
        let len = self.b.ins().load(types::I32, mem(), h, t::ARR_LEN);
        let len = self.b.ins().uextend(types::I64, len);
        let arr = self.b.ins().load(types::I64, mem(), h, t::ARR);
        self.b.def_var(len_v, len);
        self.b.def_var(arr_v, arr);
    }

    /// At the FORPREP at `pc`, after its table checks (`check_loop_tables`): reads the
    /// arrays of the loop it enters, if that loop caches.
    pub fn arrays_at_forprep(&mut self, pc: usize) {
        if let Some(l) = self.cached_loop(pc, false).filter(|l| l.prep == pc) {
            // Every register of the set holds a table now: the set is part of the
            // body's known tables, which the FORPREP's checks just established.
            for r in l.set.iter().collect::<Vec<_>>() {
                self.read_array(r);
            }
        }
    }

    /// In the entry block of entry point `pc`, after its type checks (the registers
    /// known as tables there, `tables`, checked): reads the arrays of the loop whose
    /// body holds `pc`.
    pub fn arrays_at_entry(&mut self, pc: usize, tables: RegSet) {
        if let Some(l) = self.cached_loop(pc, true) {
            let mut set = l.set;
            set.intersect(&tables);
            for r in set.iter() {
                self.read_array(r);
            }
        }
    }

    /// Right after a call the code made (a helper, a Lua function): reads the arrays
    /// again when inside a caching loop (the call may have changed any table).
    pub fn arrays_after_call(&mut self) {
        let pc = self.regs_pc();
        if let Some(l) = self.cached_loop(pc, false) {
            let (set, at_prep) = (l.set, l.prep == pc);
            if at_prep {
                // The FORPREP's own helper: it comes after the FORPREP's table checks,
                // so every register of the set holds a table (not yet known as one
                // before the FORPREP).
                for r in set.iter().collect::<Vec<_>>() {
                    self.read_array(r);
                }
            } else {
                self.read_arrays(set);
            }
        }
    }

    /// The variables (array address, length) of the table in the register at `t_off`
    /// when the current instruction may use them: inside a caching loop's body, a
    /// cached register known to hold a table here.
    pub fn cached_array(&mut self, t_off: i32) -> Option<(Variable, Variable)> {
        let r = crate::regs::rn(t_off);
        let pc = self.regs_pc();
        let l = self.cached_loop(pc, true)?;
        if !l.set.contains(r) || !self.known_table(t_off) {
            return None;
        }
        self.arrays.vars.get(r as usize).copied().flatten()
    }
}
