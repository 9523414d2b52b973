//! LEAF-INLINE (`jit/src/inline_leaf.rs`): a call through an upvalue that held a
//! small arithmetic function when the caller was compiled computes its body in place,
//! behind an identity guard on the callee's bytecode; anything else is a call.

mod common;

use common::ir_of_nested;

/// `sq` is a leaf; `sum` calls it through upvalue 0 with an integer argument, which
/// the body converts for its float multiply.
const SRC: &str = "local function sq(x) return x * 0.5 - 3 end \
                   local function sum(n) local s = 0 for i = 1, n do s = s + sq(i) end return s end \
                   local function branchy(x) if x > 0 then return x end return -x end \
                   local function sum2(n) local s = 0 for i = 1, n do s = s + branchy(i) end return s end";

/// Calls of the call helper in an IR text (its address is loaded from the helpers).
fn calls(ir: &str) -> usize {
    ir.lines().filter(|l| l.contains("call_indirect")).count()
}

#[test]
fn a_leaf_callee_is_computed_in_place_behind_its_guard() {
    let plain = ir_of_nested(SRC, 1, &[]);
    let inlined = ir_of_nested(SRC, 1, &[Some(0)]);
    // The body: the argument converted, a float multiply and subtract.
    for op in ["fcvt_from_sint", "fmul", "fsub"] {
        assert!(!plain.contains(op), "no {op} without the callee:\n{plain}");
        assert!(inlined.contains(op), "{op}: the body in place:\n{inlined}");
    }
    // The general call stays, for any other callee.
    assert!(calls(&inlined) >= 1, "{inlined}");
}

#[test]
fn a_callee_with_branches_is_called() {
    let plain = ir_of_nested(SRC, 3, &[]);
    let with = ir_of_nested(SRC, 3, &[Some(2)]);
    assert_eq!(plain, with, "a branchy callee is not translated in place");
}
