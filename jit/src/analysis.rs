//! What the translator needs to know about a prototype before emitting code: where the
//! interpreter may (re)enter it.

use moonjet_bytecode::opcodes::props;
use moonjet_bytecode::{Instruction, OpCode};

/// The pcs where the interpreter may enter compiled code (see JIT-ENTRY): pc 0, the
/// instruction after every instruction that may call (the interpreter resumes there when
/// a callee or metamethod returns), and every target of a backward jump (loop headers:
/// on-stack replacement enters there). Sorted, without duplicates, all `< code.len()`.
pub fn entry_points(code: &[Instruction]) -> Vec<usize> {
    let mut pcs = vec![0];
    for (pc, i) in code.iter().enumerate() {
        let Some(op) = i.opcode() else { continue };
        if op.has(props::MAY_CALL) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
