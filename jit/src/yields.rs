//! Coroutine bodies that yield on every pass (anchor: YIELD-BLACKLIST).
//!
//! A yield from compiled code unwinds every compiled activation (NATIVE-CALLS in
//! `interp/src/jit_iface/call.rs`); the next resume re-enters the code through an entry
//! block. When a function's activations keep ending in a yield after a short straight
//! run (a generator's loop body), each pass pays the entry and the unwind for little
//! native work: the interpreter runs such a function faster. The interpreter reports
//! yield unwinds of the outermost activation as exits (`unwind` at the pc after the
//! yielding call); this module decides whether the pass is short: the yielding call
//! sits in a loop that holds no other loop (or, outside loops, after none). Compiled
//! code counts no loop iterations, so a flat loop that yields only every n-th pass is
//! taken for a short one. The interpreter asks the same question before a compile, about
//! the yields of interpreted activations (`interp/src/jit_iface/yields.rs`), so that a
//! generator seen yielding before it turns hot is never compiled.

use moonjet_bytecode::{Instruction, OpCode};

/// The pc a back-edge at `pc` jumps to, if `i` is one (FORLOOP, TFORLOOP or a
/// backward JMP).
fn back_target(i: Instruction, pc: usize) -> Option<usize> {
    match i.opcode()? {
        OpCode::ForLoop | OpCode::TForLoop => (pc + 1).checked_sub(i.bx() as usize),
        OpCode::Jmp if i.sj_field() < 0 => {
            usize::try_from(pc as i64 + 1 + i.sj_field() as i64).ok()
        }
        _ => None,
    }
}

/// True when the call just before `resume` (the pc after a call that yielded) runs in
/// a loop with no loop inside it, or outside every loop with no loop before it: the
/// code between two yields is then one straight pass.
pub fn yields_from_flat_loop(code: &[Instruction], resume: usize) -> bool {
    let site = resume.saturating_sub(1);
    let edges: Vec<(usize, usize)> = code
        .iter()
        .enumerate()
        .filter_map(|(pc, &i)| back_target(i, pc).map(|t| (t, pc)))
        .collect();
    // The innermost loop around the site: its first pc and its back-edge.
    let (first, last) = edges
        .iter()
        .filter(|&&(t, b)| t <= site && site <= b)
        .min_by_key(|&&(t, b)| b - t)
        .copied()
        .unwrap_or((0, site));
    !edges
        .iter()
        .any(|&(t, b)| b != last && first <= t && b <= last)
}

#[cfg(test)]
mod tests {
    use super::yields_from_flat_loop;
    use moonjet_bytecode::Instruction;

    /// The main function's code of `src`.
    fn code_of(src: &str) -> Vec<Instruction> {
        let p = moonjet_compiler::compile(src.as_bytes(), b"=t").expect("compiles");
        p.protos[0].code.to_vec()
    }

    /// The pc after the first CALL (of `yield`) in `code`.
    fn after_yield(code: &[Instruction]) -> usize {
        let call = code
            .iter()
            .position(|i| i.opcode() == Some(moonjet_bytecode::OpCode::Call))
            .expect("a call");
        call + 1
    }

    #[test]
    fn a_generator_loop_is_flat() {
        let c = code_of("local f = function(n) for i = 1, n do coroutine.yield(i) end end");
        assert!(yields_from_flat_loop(&c, after_yield(&c)));
        let c = code_of("local f = function(t) while true do t = coroutine.yield(t + 1) end end");
        assert!(yields_from_flat_loop(&c, after_yield(&c)));
    }

    #[test]
    fn an_inner_loop_before_the_yield_is_not() {
        let c = code_of(
            "local f = function(n) for i = 1, n do coroutine.yield(i) local s = 0 \
             for j = 1, 100 do s = s + j end end end",
        );
        assert!(!yields_from_flat_loop(&c, after_yield(&c)));
        let c = code_of(
            "local f = function(n) local s = 0 for j = 1, 100 do s = s + j end \
             coroutine.yield(s) end",
        );
        assert!(!yields_from_flat_loop(&c, after_yield(&c)));
    }
}
