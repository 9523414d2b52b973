//! Cold code (anchor: COLD-CODE): a function compiled because one of its loops got hot
//! during one of its first activations (a main chunk, a generator's body) runs the
//! instructions outside its loops at most once per activation so far. Compiling them
//! costs far more than interpreting them, so they are not compiled: each is an exit
//! (`cold`) that leaves to the interpreter, which runs on to the next loop's back-edge
//! and enters the code at that loop's header. Only pc 0 and the entry points inside
//! loops have entry blocks; the facts the loops start from are still computed over the whole
//! function (the entry blocks check them), so the loops' code is what it was.
//!
//! Should the cold code turn hot after all (the function called often once compiled),
//! a cold exit reaches the engine's first hot mark and the function is compiled again
//! whole (the [`WARM`] hint, kept across later recompiles).

use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::SpecHint;

/// The pc of the hint that asks for the whole function to be compiled (no cold code).
pub const WARM: u32 = u32::MAX - 2;

/// Most calls of a function compiled for its loops that still has cold code: a main
/// chunk runs once, a generator's body once per generator; a function called more
/// often before its loop got hot is likely to be called again (its code outside loops
/// would turn hot, and the function be compiled a second time).
pub const COLD_MAX_CALLS: u32 = 2;

/// Which instructions are cold (`true`): those outside every loop of a function compiled
/// for its loops (`from_loop`) and called at most [`COLD_MAX_CALLS`] times so far,
/// unless a [`WARM`] hint says the cold code got hot. None otherwise.
pub fn cold_pcs(
    code: &[Instruction],
    from_loop: bool,
    calls: u32,
    hints: &[SpecHint],
) -> Vec<bool> {
    let warm = hints.iter().any(|h| h.pc == WARM);
    if !from_loop || calls > COLD_MAX_CALLS || warm {
        return vec![false; code.len()];
    }
    let mut cold = vec![true; code.len()];
    for (pc, i) in code.iter().enumerate() {
        let Some(head) = loop_head(*i, pc) else {
            continue;
        };
        for c in cold.iter_mut().take(pc + 1).skip(head) {
            *c = false;
        }
    }
    cold
}

/// The entry points that get an entry block: pc 0 and those inside loops (a cold one
/// is never entered: its instruction exits at once). The entries after the calls
/// inside loops stay: a coroutine body resumed after a yield, or a loop whose call the
/// interpreter made, continues in the code there (without them it would run on to the
/// back-edge interpreted, and yield-bound bodies would no longer look yield-bound to
/// YIELD-BLACKLIST, which counts entries).
///
/// A main chunk compiled for its loops (`main_once`: it runs once, and never as a
/// generator's body in practice) keeps only pc 0 and its loop headers (`heads`): after
/// a call inside a loop that left its code (a callee's exit) the interpreter runs on to
/// the back-edge and enters there. Each entry block loads and checks every live
/// register, and a main chunk's loops hold many: bits' main chunk compiled in a third
/// less time without its four after-call entries.
pub fn native_entries(
    entries: &[usize],
    cold: &[bool],
    main_once: bool,
    heads: &[usize],
) -> Vec<usize> {
    (entries.iter().copied())
        .filter(|&pc| pc == 0 || !cold.get(pc).copied().unwrap_or(false))
        .filter(|&pc| pc == 0 || !main_once || heads.contains(&pc))
        .collect()
}

/// The header of the loop a backward jump at `pc` closes (the loop is `head ..= pc`),
/// if the instruction is one.
fn loop_head(i: Instruction, pc: usize) -> Option<usize> {
    let head = match i.opcode()? {
        OpCode::ForLoop | OpCode::TForLoop => (pc + 1).checked_sub(i.bx() as usize)?,
        OpCode::Jmp if i.sj_field() < 0 => {
            usize::try_from(pc as i64 + 1 + i.sj_field() as i64).ok()?
        }
        _ => return None,
    };
    (head <= pc).then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reasons::Reason;
    use crate::translate::Outcome;
    use moonjet_interp::jit_iface::tags;

    /// The bytecode of a chunk.
    fn code_of(src: &str) -> Vec<Instruction> {
        moonjet_compiler::compile(src.as_bytes(), b"=t")
            .expect("compiles")
            .code
            .to_vec()
    }

    /// Only the instructions of the loop body (numeric for: the body and FORLOOP, not
    /// FORPREP) are compiled in a function compiled for its loop.
    #[test]
    fn only_loop_bodies_are_warm() {
        let code = code_of("local s = 0 for i = 1, 10 do s = s + i end print(s)");
        let cold = cold_pcs(&code, true, 1, &[]);
        let prep = code
            .iter()
            .position(|i| i.opcode() == Some(OpCode::ForPrep))
            .expect("forprep");
        let back = code
            .iter()
            .position(|i| i.opcode() == Some(OpCode::ForLoop))
            .expect("forloop");
        assert!(cold[prep], "FORPREP runs once per activation");
        assert!(cold[0] && cold[code.len() - 1]);
        assert!(cold[prep + 1..=back].iter().all(|c| !c), "{cold:?}");
        assert!(cold[back + 1..].iter().all(|c| *c));
    }

    /// A while loop (backward JMP) and a repeat loop are warm from their first test.
    #[test]
    fn while_and_repeat_loops_are_warm() {
        let code = code_of(
            "local i = 0 while i < 5 do i = i + 1 end repeat i = i - 1 until i == 0 return i",
        );
        let cold = cold_pcs(&code, true, 1, &[]);
        let warm = cold.iter().filter(|c| !**c).count();
        assert!(warm >= 6, "{cold:?}");
        assert!(cold[0] && cold[code.len() - 1]);
    }

    /// With cold code, pc 0 and the entries inside loops are entry points: not the
    /// pcs after calls outside loops.
    #[test]
    fn cold_functions_enter_at_pc_0_and_inside_loops_only() {
        let code = code_of(
            "local s = tostring(1) for i = 1, 10 do s = s .. tostring(i) end print(s) return s",
        );
        let entries = crate::analysis::entry_points(&code);
        let cold = cold_pcs(&code, true, 1, &[]);
        let native = native_entries(&entries, &cold, false, &[]);
        let head = code
            .iter()
            .position(|i| i.opcode() == Some(OpCode::ForPrep))
            .expect("forprep")
            + 1;
        let calls: Vec<usize> = (code.iter().enumerate())
            .filter(|(_, i)| i.opcode() == Some(OpCode::Call))
            .map(|(pc, _)| pc)
            .collect();
        // `tostring(1)` before the loop, `tostring(i)` inside it.
        assert!(entries.contains(&(calls[0] + 1)) && !native.contains(&(calls[0] + 1)));
        assert!(native.contains(&(calls[1] + 1)), "{native:?}");
        assert_eq!(native.first(), Some(&0));
        assert!(native.contains(&head), "{native:?}");
        assert!(native.iter().all(|&pc| pc == 0 || !cold[pc]), "{native:?}");
        assert!(entries.len() > native.len(), "{entries:?} {native:?}");
        assert_eq!(native_entries(&entries, &[], false, &[]), entries);
        // A main chunk run once keeps pc 0 and its loop header, not the pc after the
        // call inside the loop.
        let heads = crate::analysis::loop_heads(&code);
        let once = native_entries(&entries, &cold, true, &heads);
        assert_eq!(heads, vec![head]);
        assert_eq!(once, vec![0, head], "{once:?}");
    }

    /// A state whose JIT compiles functions for their loops (at the first back-edge)
    /// long before their calls (`hotcall` 100).
    fn loop_state() -> moonjet_interp::Lua {
        let mut l = moonjet_interp::Lua::new();
        l.set_compiler(|src, name| moonjet_compiler::compile(src, name).map_err(|e| e.message));
        moonjet_interp::stdlib::open_libs(&mut l);
        let mut j = crate::Jit::new().expect("host supported");
        j.keep_records = true;
        l.jit.install(Box::new(j));
        l.jit.hotcall = 100;
        l.jit.hotloop = 1;
        l
    }

    /// The engine's records and stats.
    fn engine(l: &moonjet_interp::Lua) -> &crate::Jit {
        let e = l.jit.engine.as_deref().expect("engine installed");
        e.as_any()
            .downcast_ref::<crate::Jit>()
            .expect("moonjet-jit")
    }

    /// A function compiled for its loop runs the code around the loop interpreted (cold
    /// exits) with the right results; called often afterwards, it is compiled again
    /// whole (the WARM hint), with no cold instruction left.
    #[test]
    fn cold_code_runs_interpreted_then_compiles_whole_when_hot() {
        let mut l = loop_state();
        let src = "local function f(n)                      local s = tostring(n):len()                      for i = 1, n do s = s + i end                      local t = {s}                      return t[1] * 2                    end                    local total = 0                    for k = 1, 3000 do total = total + f(k % 7 + 20) end                    return total, f(100)";
        let f = l.load(src.as_bytes(), b"=cold", "t", None).expect("loads");
        let out = l.call_value(f, &[]).expect("runs");
        let ints: Vec<i64> = out.iter().filter_map(|v| v.as_int()).collect();
        let want: i64 = (1..=3000)
            .map(|k| {
                let n = k % 7 + 20;
                (2 + n * (n + 1) / 2) * 2
            })
            .sum();
        assert_eq!(ints, vec![want, (3 + 5050) * 2]);
        let jit = engine(&l);
        let of_f: Vec<&crate::Record> = jit.records.iter().filter(|r| r.name == "cold:1").collect();
        assert!(of_f.len() >= 2, "compiled for its loop, then whole");
        let first = of_f[0];
        let cold = |r: &crate::Record| {
            (r.outcome.iter())
                .filter(|o| **o == Outcome::Fallback(Reason::Cold))
                .count()
        };
        assert!(cold(first) >= 4, "{:?}", first.outcome);
        assert!(first.native(OpCode::ForLoop));
        assert_eq!(cold(of_f[of_f.len() - 1]), 0);
        assert!(l.jit.exits[Reason::Cold as usize] >= 1000);
    }

    /// Nothing is cold in a function compiled at a call, or after the `WARM` hint.
    #[test]
    fn called_or_warmed_functions_have_no_cold_code() {
        let code = code_of("local s = 0 for i = 1, 10 do s = s + i end return s");
        assert!(cold_pcs(&code, false, 1, &[]).iter().all(|c| !c));
        let often = cold_pcs(&code, true, COLD_MAX_CALLS + 1, &[]);
        assert!(
            often.iter().all(|c| !c),
            "called often before its loop got hot"
        );
        let warm = [SpecHint {
            pc: WARM,
            ty: tags::NIL,
        }];
        assert!(cold_pcs(&code, true, 1, &warm).iter().all(|c| !c));
    }
}
