//! The shape of the code of a recursive call (`fib`): what runs per call and per
//! upvalue read (issue 6). Counts lines of the Cranelift IR text.

mod common;

use common::ir_of_first;
use moonjet_interp::jit_iface::{ctx_offsets, helper_offsets};

/// The IR's blocks, each as its lines.
fn blocks(ir: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    for line in ir.lines() {
        if line.starts_with("block") {
            out.push(Vec::new());
        }
        if let Some(b) = out.last_mut() {
            b.push(line.trim());
        }
    }
    out
}

/// True for a line loading the helper table's word at `off` (the table's address is
/// an immediate, shown as `HELPERS`: HELPERS-IMM), not another field at that offset.
fn helper_word(line: &str, off: i32) -> bool {
    line.starts_with('v')
        && line.ends_with(&format!("+{off}  ; {} = HELPERS", {
            // The base value's name: the operand before `+`.
            let at = line.rfind('+').unwrap_or(0);
            line[..at].rsplit(' ').next().unwrap_or("")
        }))
}

const FIB: &str = "local function fib(k) if k < 2 then return k end \
                   return fib(k - 1) + fib(k - 2) end";

#[test]
fn registers_are_stored_once_before_a_call() {
    let ir = ir_of_first(FIB);
    let calls: Vec<_> = blocks(&ir)
        .into_iter()
        .filter(|b| b.iter().any(|l| helper_word(l, helper_offsets::CALL)))
        .collect();
    assert_eq!(calls.len(), 2, "{ir}");
    for b in calls {
        // The flush happened before the callee's tag test, on the way here.
        assert!(!b.iter().any(|l| l.starts_with("store")), "{b:#?}");
    }
}

#[test]
fn sqrt_is_checked_only_for_callees_named_sqrt() {
    let is_sqrt = |l: &&str| helper_word(l, helper_offsets::MATH_SQRT);
    // fib's calls name `fib` (CALLEE-NAMES in `callee.rs`): no intrinsic check.
    let ir = ir_of_first(FIB);
    assert_eq!(ir.lines().filter(|l| is_sqrt(&l.trim())).count(), 0, "{ir}");
    let ir = ir_of_first("local sqrt = math.sqrt local function f(x) return sqrt(x) + 1 end");
    for b in blocks(&ir) {
        if b.iter().any(is_sqrt) {
            // Reached only through a tag test: the block loads the word, it is not
            // the block of the GETUPVAL's copy or of the flush.
            assert!(!b.iter().any(|l| l.starts_with("store")), "{b:#?}");
        }
    }
    let tests = ir.lines().filter(|l| is_sqrt(&l.trim())).count();
    assert_eq!(tests, 1, "{ir}");
}

#[test]
fn unused_constants_are_not_loaded_and_upvalues_not_counted() {
    let ir = ir_of_first(FIB);
    let consts = format!("v0+{}", ctx_offsets::CONSTS);
    assert!(!ir.contains(&consts), "{ir}");
    // GETUPVAL: closure, cells, cell, tag... but no compare with the cell count
    // (V-UP): the only unsigned compares are the open upvalue's index checks.
    assert_eq!(ir.matches("icmp ugt").count(), 0, "{ir}");
}
