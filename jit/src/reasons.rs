//! Every reason compiled code hands control back to the interpreter, and every reason
//! the JIT gives up on a function: one table, one row each, with its message.
//!
//! A reason's number is the status compiled code leaves in `JitCtx::status` (row 0 is
//! `jit_iface::STATUS_NOT_ENTRY`). Kinds:
//! * `Call`: control passed through a native call (NATIVE-CALLS): a nested activation
//!   returned, or activations unwound to the interpreter;
//! * `Exit`: the instruction is always run by the interpreter (calls, returns, ...);
//! * `Guard`: a run-time check failed (an operand's type, a zero divisor, a table that
//!   needs a metamethod); the interpreter runs the instruction;
//! * `GiveUp`: the whole function stays interpreted.

use moonjet_interp::jit_iface::{
    MAX_STATUS, STATUS_NOT_ENTRY, STATUS_RETURNED, STATUS_TAILCALLED, STATUS_UNWIND,
};

/// What a reason stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The entry pc is not an entry point.
    Entry,
    /// A native call's control transfer (not an exit of the function's own code).
    Call,
    /// The instruction is not compiled natively.
    Exit,
    /// A guard of a natively compiled instruction failed.
    Guard,
    /// The function is not compiled.
    GiveUp,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct ReasonInfo {
    /// Short name (stats keys, `-jv`).
    pub name: &'static str,
    /// Kind.
    pub kind: Kind,
    /// What it means.
    pub message: &'static str,
}

macro_rules! reasons {
    ($( $var:ident $name:literal $kind:ident $msg:literal; )*) => {
        /// A reason (row number = status value).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum Reason { $( #[doc = $msg] $var ),* }

        /// The rows, indexed by `Reason as usize`.
        pub const REASONS: &[ReasonInfo] = &[ $( ReasonInfo {
            name: $name,
            kind: Kind::$kind,
            message: $msg,
        } ),* ];
    };
}

reasons! {
    // variant      name            kind    message
    NotEntry      "not-entry"     Entry   "the interpreter's pc is not an entry point of the code";
    Returned      "returned"      Call    "a natively called function returned natively";
    Unwind        "unwind"        Call    "a natively called function left compiled code; back to the interpreter";
    Call          "call"          Exit    "CALL: a callee without compiled code, past the nesting limit, or under a hook";
    TailCall      "tailcall"      Exit    "TAILCALL of a callable the tail-call helper leaves to the interpreter (__call, hooks)";
    Return        "return"        Exit    "RETURN left to the interpreter (no longer taken: every RETURN leaves with `returned`; the row keeps the numbering)";
    Concat        "concat"        Exit    "CONCAT of a value that may have __concat";
    Closure       "closure"       Exit    "CLOSURE: a prototype index out of range";
    NewTable      "newtable"      Exit    "NEWTABLE: never (the helper always succeeds)";
    SetList       "setlist"       Exit    "SETLIST: the list helper declined (operands not on the stack)";
    VarArg        "vararg"        Exit    "VARARG: the stack cannot grow for the varargs (the interpreter raises the error)";
    SelfOp        "self"          Exit    "SELF with a key that is not a string constant";
    Close         "close"         Exit    "TBC, or CLOSE with a pending to-be-closed variable";
    GenericFor    "generic-for"   Exit    "generic for: a closing value to mark (TFORPREP), or its iterator call left to the interpreter (TFORCALL)";
    BadOperand    "bad-operand"   Exit    "operand out of range for this prototype";
    MissingJump   "missing-jump"  Exit    "a test instruction not followed by JMP";
    Invalid       "invalid"       Exit    "EXTRAARG executed on its own";
    ArithType     "arith-type"    Guard   "arithmetic operand is not a number (metamethod or coercion)";
    BitType       "bit-type"      Guard   "bitwise operand is not an integer (conversion or metamethod)";
    DivZero       "div-zero"      Guard   "integer division or modulo by zero (error)";
    CompareType   "compare-type"  Guard   "comparison operands are not two numbers or two strings";
    EqualType     "equal-type"    Guard   "equality of two different tables or full userdata (__eq may apply)";
    Table         "table"         Guard   "table access is not a plain table hit (metamethod or error)";
    Length        "length"        Guard   "length of a value with __len or not a string/table";
    Upvalue       "upvalue"       Guard   "upvalue access failed";
    ForPrep       "for-prep"      Guard   "for loop with non-numeric control values or a zero step";
    ForLoop       "for-loop"      Guard   "for loop control values changed type";
    Codegen       "codegen"       GiveUp  "Cranelift rejected the function";
    TooLarge      "too-large"     GiveUp  "function too large to compile";
    CacheFull     "cache-full"    GiveUp  "the code cache is full";
    // Appended so that the rows above keep their numbers (STATUS_TAILCALLED).
    TailCalled    "tailcalled"    Call    "a TAILCALL replaced the frame; its caller runs the callee";
    EntryType     "entry-type"    Guard   "entering compiled code, a register's type is not the one the code assumes there";
    SpecInt       "spec-int"      Guard   "a value read where the code speculated a float is an integer (SPECULATE); resumes after the read";
    SpecType      "spec-type"     Guard   "a value read has not the type the code speculated (SPECULATE); resumes after the read";
    SpecFloat     "spec-float"    Guard   "a value read where the code speculated an integer is a float (SPECULATE); resumes after the read";
    SpecParam     "spec-param"    Guard   "entering at pc 0, a parameter has not the type the code speculated (SPECULATE); the interpreter runs the call";
    Cold          "cold"          Exit    "outside every loop of a function compiled for its loops (COLD-CODE): the interpreter runs it";
    LoopTable     "loop-table"    Guard   "a register a loop indexes and never writes is not a table on entry to the loop (LOOP-TABLES); compiled again without that assumption";
}

// Status values must fit the interpreter's counters, and row 0 is "not an entry".
const _: () = assert!(REASONS.len() <= MAX_STATUS);
const _: () = assert!(Reason::NotEntry as u32 == STATUS_NOT_ENTRY);
const _: () = assert!(Reason::Returned as u32 == STATUS_RETURNED);
const _: () = assert!(Reason::Unwind as u32 == STATUS_UNWIND);
const _: () = assert!(Reason::TailCalled as u32 == STATUS_TAILCALLED);

impl Reason {
    /// Its row.
    pub fn info(self) -> &'static ReasonInfo {
        &REASONS[self as usize]
    }

    /// The status value compiled code stores.
    pub fn status(self) -> u32 {
        self as u32
    }
}

/// The row of a status value (`None` if out of range).
pub fn by_status(status: u32) -> Option<&'static ReasonInfo> {
    REASONS.get(status as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_names() {
        assert_eq!(Reason::Call.info().name, "call");
        assert_eq!(
            by_status(Reason::DivZero.status()).map(|r| r.kind),
            Some(Kind::Guard)
        );
        assert!(by_status(REASONS.len() as u32).is_none());
        let mut names: Vec<_> = REASONS.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REASONS.len(), "names are unique");
    }
}
