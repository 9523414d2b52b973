//! The instruction set: one table, one row per opcode.
//!
//! Everything else that knows about opcodes (the enum, the names, the operand roles the
//! listing decodes and the verifier checks, the properties the compiler and JIT rely on)
//! is expanded from [`opcodes!`] below, so no two lists are kept in step by hand.
//!
//! Notation of the descriptions (register transfer, as in the manual's style):
//! `R[X]` register X of the current frame, `K[X]` constant X, `Up[X]` upvalue X,
//! `RK(C)` is `K[C]` when the k bit is set and `R[C]` otherwise, `sB`/`sC`/`sBx`/`sJ`
//! are signed operands, `pc` is the index of the *next* instruction.

/// How the 32 bits of an instruction are divided (see `instr.rs` for the bit layout).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `op:7 A:8 k:1 B:8 C:8`
    ABC,
    /// `op:7 A:8 Bx:17` (unsigned)
    ABx,
    /// `op:7 A:8 sBx:17` (signed, excess-K)
    AsBx,
    /// `op:7 Ax:25`
    Ax,
    /// `op:7 sJ:25` (signed jump)
    SJ,
}

/// The role of one operand field; drives the listing and the verifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// Field not used.
    Unused,
    /// A register of the current frame.
    Reg,
    /// An index into the constant table.
    Const,
    /// An index into the closure's upvalues.
    Upval,
    /// A plain unsigned integer (count, table index, flag).
    UInt,
    /// A signed immediate (sB, sC, sBx).
    SInt,
    /// `K[C]` if the k bit is set, else `R[C]`.
    RegOrConst,
    /// An index into the nested prototypes.
    Proto,
    /// A signed jump offset relative to the next instruction.
    Jump,
    /// A backward-or-forward loop offset (Bx), direction given by the opcode.
    LoopJump,
}

/// Property bits of an opcode (combine with `|`).
pub mod props {
    /// The instruction writes register A.
    pub const WRITES_A: u16 = 1 << 0;
    /// A test: the next instruction is a `JMP` that is skipped when the test fails.
    pub const TEST: u16 = 1 << 1;
    /// May call a metamethod (or another function) and so reenter Lua.
    pub const MAY_CALL: u16 = 1 << 2;
    /// B == 0 means "up to the stack top" (set by the previous instruction).
    pub const USES_TOP: u16 = 1 << 3;
    /// Leaves a variable number of values and sets the stack top for the next instruction.
    pub const SETS_TOP: u16 = 1 << 4;
    /// Followed by an `EXTRAARG` instruction (always or when k is set).
    pub const EXTRA: u16 = 1 << 5;
    /// Transfers control (jump, loop, return).
    pub const BRANCH: u16 = 1 << 6;
    /// Arithmetic or bitwise operation with a numeric fast path.
    pub const ARITH: u16 = 1 << 7;
}

/// Static facts about one opcode, expanded from its row.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    /// Upper-case name used by the listing.
    pub name: &'static str,
    /// Bit layout.
    pub format: Format,
    /// Role of A (or Ax / sJ for those formats).
    pub a: Operand,
    /// Role of B (or Bx / sBx).
    pub b: Operand,
    /// Role of C.
    pub c: Operand,
    /// [`props`] bits.
    pub props: u16,
    /// Register-transfer description.
    pub desc: &'static str,
}

macro_rules! opcodes {
    ($( $var:ident $name:literal $fmt:ident ($a:ident, $b:ident, $c:ident) [$($p:ident)|*] $desc:literal; )*) => {
        /// One opcode. The numbering is the row order of the table.
        #[repr(u8)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OpCode { $( #[doc = $desc] $var ),* }

        /// Facts about every opcode, indexed by `OpCode as usize`.
        pub const OP_INFO: &[OpInfo] = &[ $( OpInfo {
            name: $name,
            format: Format::$fmt,
            a: Operand::$a,
            b: Operand::$b,
            c: Operand::$c,
            props: 0 $( | props::$p )*,
            desc: $desc,
        } ),* ];

        const ALL_OPS: &[OpCode] = &[ $( OpCode::$var ),* ];
    };
}

opcodes! {
    // variant    name          fmt   (A, B, C)                     [properties]              description
    Move       "MOVE"       ABC  (Reg, Reg, Unused)               [WRITES_A]              "R[A] := R[B]";
    LoadI      "LOADI"      AsBx (Reg, SInt, Unused)              [WRITES_A]              "R[A] := sBx (integer)";
    LoadF      "LOADF"      AsBx (Reg, SInt, Unused)              [WRITES_A]              "R[A] := (float)sBx";
    LoadK      "LOADK"      ABx  (Reg, Const, Unused)             [WRITES_A]              "R[A] := K[Bx]";
    LoadKX     "LOADKX"     ABx  (Reg, Unused, Unused)            [WRITES_A | EXTRA]      "R[A] := K[Ax of the next EXTRAARG]";
    LoadFalse  "LOADFALSE"  ABC  (Reg, Unused, Unused)            [WRITES_A]              "R[A] := false";
    LFalseSkip "LFALSESKIP" ABC  (Reg, Unused, Unused)            [WRITES_A]              "R[A] := false; pc++";
    LoadTrue   "LOADTRUE"   ABC  (Reg, Unused, Unused)            [WRITES_A]              "R[A] := true";
    LoadNil    "LOADNIL"    ABC  (Reg, UInt, Unused)              [WRITES_A]              "R[A], R[A+1], ..., R[A+B] := nil";
    GetUpval   "GETUPVAL"   ABC  (Reg, Upval, Unused)             [WRITES_A]              "R[A] := Up[B]";
    SetUpval   "SETUPVAL"   ABC  (Reg, Upval, Unused)             []                      "Up[B] := R[A]";
    GetTabUp   "GETTABUP"   ABC  (Reg, Upval, Const)              [WRITES_A | MAY_CALL]   "R[A] := Up[B][K[C]] (K[C] a string)";
    GetTable   "GETTABLE"   ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL]   "R[A] := R[B][R[C]]";
    GetI       "GETI"       ABC  (Reg, Reg, UInt)                 [WRITES_A | MAY_CALL]   "R[A] := R[B][C]";
    GetField   "GETFIELD"   ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL]   "R[A] := R[B][K[C]] (K[C] a string)";
    SetTabUp   "SETTABUP"   ABC  (Upval, Const, RegOrConst)       [MAY_CALL]              "Up[A][K[B]] := RK(C) (K[B] a string)";
    SetTable   "SETTABLE"   ABC  (Reg, Reg, RegOrConst)           [MAY_CALL]              "R[A][R[B]] := RK(C)";
    SetI       "SETI"       ABC  (Reg, UInt, RegOrConst)          [MAY_CALL]              "R[A][B] := RK(C)";
    SetField   "SETFIELD"   ABC  (Reg, Const, RegOrConst)         [MAY_CALL]              "R[A][K[B]] := RK(C) (K[B] a string)";
    NewTable   "NEWTABLE"   ABC  (Reg, UInt, UInt)                [WRITES_A | EXTRA]      "R[A] := {} (B: hash size hint, log2+1; C: array size, plus EXTRAARG*256 when k)";
    SelfOp     "SELF"       ABC  (Reg, Reg, RegOrConst)           [WRITES_A | MAY_CALL]   "R[A+1] := R[B]; R[A] := R[B][RK(C)] (a string)";

    AddI       "ADDI"       ABC  (Reg, Reg, SInt)                 [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] + sC (k: operands swapped in the source, for __add)";
    AddK       "ADDK"       ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] + K[C] (k: swapped)";
    SubK       "SUBK"       ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] - K[C] (k: swapped)";
    MulK       "MULK"       ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] * K[C] (k: swapped)";
    ModK       "MODK"       ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] % K[C] (k: swapped)";
    PowK       "POWK"       ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] ^ K[C] (k: swapped)";
    DivK       "DIVK"       ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] / K[C] (k: swapped)";
    IDivK      "IDIVK"      ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] // K[C] (k: swapped)";
    BAndK      "BANDK"      ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] & K[C] (k: swapped)";
    BOrK       "BORK"       ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] | K[C] (k: swapped)";
    BXorK      "BXORK"      ABC  (Reg, Reg, Const)                [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] ~ K[C] (k: swapped)";
    ShrI       "SHRI"       ABC  (Reg, Reg, SInt)                 [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] >> sC (k: `R[B] << -sC` in the source, for __shl)";
    ShlI       "SHLI"       ABC  (Reg, Reg, SInt)                 [WRITES_A | MAY_CALL | ARITH] "R[A] := sC << R[B]";
    Add        "ADD"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] + R[C]";
    Sub        "SUB"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] - R[C]";
    Mul        "MUL"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] * R[C]";
    Mod        "MOD"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] % R[C]";
    Pow        "POW"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] ^ R[C]";
    Div        "DIV"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] / R[C]";
    IDiv       "IDIV"       ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] // R[C]";
    BAnd       "BAND"       ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] & R[C]";
    BOr        "BOR"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] | R[C]";
    BXor       "BXOR"       ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] ~ R[C]";
    Shl        "SHL"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] << R[C]";
    Shr        "SHR"        ABC  (Reg, Reg, Reg)                  [WRITES_A | MAY_CALL | ARITH] "R[A] := R[B] >> R[C]";
    Unm        "UNM"        ABC  (Reg, Reg, Unused)               [WRITES_A | MAY_CALL | ARITH] "R[A] := -R[B]";
    BNot       "BNOT"       ABC  (Reg, Reg, Unused)               [WRITES_A | MAY_CALL | ARITH] "R[A] := ~R[B]";
    Not        "NOT"        ABC  (Reg, Reg, Unused)               [WRITES_A]              "R[A] := not R[B]";
    Len        "LEN"        ABC  (Reg, Reg, Unused)               [WRITES_A | MAY_CALL]   "R[A] := #R[B] (length operator)";
    Concat     "CONCAT"     ABC  (Reg, UInt, Unused)              [WRITES_A | MAY_CALL]   "R[A] := R[A] .. ... .. R[A+B-1]";

    Close      "CLOSE"      ABC  (Reg, Unused, Unused)            [MAY_CALL]              "close upvalues and to-be-closed variables >= R[A]";
    Tbc        "TBC"        ABC  (Reg, Unused, Unused)            []                      "mark R[A] as to-be-closed";
    Jmp        "JMP"        SJ   (Jump, Unused, Unused)           [BRANCH]                "pc += sJ";
    Eq         "EQ"         ABC  (Reg, Reg, Unused)               [TEST | MAY_CALL]       "if ((R[A] == R[B]) ~= k) then pc++";
    Lt         "LT"         ABC  (Reg, Reg, Unused)               [TEST | MAY_CALL]       "if ((R[A] <  R[B]) ~= k) then pc++";
    Le         "LE"         ABC  (Reg, Reg, Unused)               [TEST | MAY_CALL]       "if ((R[A] <= R[B]) ~= k) then pc++";
    EqK        "EQK"        ABC  (Reg, Const, Unused)             [TEST]                  "if ((R[A] == K[B]) ~= k) then pc++";
    EqI        "EQI"        ABC  (Reg, SInt, UInt)                [TEST]                  "if ((R[A] == sB) ~= k) then pc++ (C: 1 if sB came from a float literal)";
    LtI        "LTI"        ABC  (Reg, SInt, UInt)                [TEST | MAY_CALL]       "if ((R[A] < sB) ~= k) then pc++ (C: 1 if float)";
    LeI        "LEI"        ABC  (Reg, SInt, UInt)                [TEST | MAY_CALL]       "if ((R[A] <= sB) ~= k) then pc++ (C: 1 if float)";
    GtI        "GTI"        ABC  (Reg, SInt, UInt)                [TEST | MAY_CALL]       "if ((R[A] > sB) ~= k) then pc++ (C: 1 if float)";
    GeI        "GEI"        ABC  (Reg, SInt, UInt)                [TEST | MAY_CALL]       "if ((R[A] >= sB) ~= k) then pc++ (C: 1 if float)";
    Test       "TEST"       ABC  (Reg, Unused, Unused)            [TEST]                  "if (not R[A] == k) then pc++";
    TestSet    "TESTSET"    ABC  (Reg, Reg, Unused)               [TEST]                  "if (not R[B] == k) then pc++ else R[A] := R[B]";

    Call       "CALL"       ABC  (Reg, UInt, UInt)                [MAY_CALL | USES_TOP | SETS_TOP] "R[A], ..., R[A+C-2] := R[A](R[A+1], ..., R[A+B-1]) (B=0: args to top; C=0: all results, sets top)";
    TailCall   "TAILCALL"   ABC  (Reg, UInt, UInt)                [MAY_CALL | USES_TOP | BRANCH]   "return R[A](R[A+1], ..., R[A+B-1]) (k: close upvalues first; C: nparams+1 if vararg)";
    Return     "RETURN"     ABC  (Reg, UInt, UInt)                [USES_TOP | BRANCH | MAY_CALL]   "return R[A], ..., R[A+B-2] (B=0: to top; k: close first; C: nparams+1 if vararg)";
    Return0    "RETURN0"    ABC  (Unused, Unused, Unused)         [BRANCH]                "return";
    Return1    "RETURN1"    ABC  (Reg, Unused, Unused)            [BRANCH]                "return R[A]";
    ForLoop    "FORLOOP"    ABx  (Reg, LoopJump, Unused)          [BRANCH]                "numeric loop step: if the loop continues then { R[A+3] := index; pc -= Bx }";
    ForPrep    "FORPREP"    ABx  (Reg, LoopJump, Unused)          [BRANCH]                "check and prepare R[A] (init), R[A+1] (limit), R[A+2] (step); if the loop runs zero times then pc += Bx + 1";
    TForPrep   "TFORPREP"   ABx  (Reg, LoopJump, Unused)          [BRANCH]                "mark R[A+3] to-be-closed; pc += Bx";
    TForCall   "TFORCALL"   ABC  (Reg, Unused, UInt)              [MAY_CALL]              "R[A+4], ..., R[A+3+C] := R[A](R[A+1], R[A+2])";
    TForLoop   "TFORLOOP"   ABx  (Reg, LoopJump, Unused)          [BRANCH]                "if R[A+4] ~= nil then { R[A+2] := R[A+4]; pc -= Bx }";
    SetList    "SETLIST"    ABC  (Reg, UInt, UInt)                [USES_TOP | EXTRA]      "R[A][C+i] := R[A+i], 1 <= i <= B (B=0: to top; k: C += EXTRAARG*256)";
    Closure    "CLOSURE"    ABx  (Reg, Proto, Unused)             [WRITES_A]              "R[A] := closure(KPROTO[Bx])";
    VarArg     "VARARG"     ABC  (Reg, Unused, UInt)              [SETS_TOP]              "R[A], R[A+1], ..., R[A+C-2] = vararg (C=0: all, sets top)";
    VarArgPrep "VARARGPREP" ABC  (UInt, Unused, Unused)           []                      "adjust the frame for varargs (A: number of fixed parameters)";
    ExtraArg   "EXTRAARG"   Ax   (UInt, Unused, Unused)           []                      "extra (larger) argument for the previous opcode";
}

impl OpCode {
    /// Number of opcodes.
    pub const COUNT: usize = ALL_OPS.len();

    /// Decodes an opcode number; `None` if no row has that number.
    #[inline]
    pub fn from_u8(n: u8) -> Option<OpCode> {
        ALL_OPS.get(n as usize).copied()
    }

    /// The row of this opcode.
    #[inline]
    pub fn info(self) -> &'static OpInfo {
        &OP_INFO[self as usize]
    }

    /// Upper-case listing name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// True if the opcode has property `p` (a [`props`] bit).
    #[inline]
    pub fn has(self, p: u16) -> bool {
        self.info().props & p != 0
    }
}

// The opcode field is 7 bits wide.
const _: () = assert!(ALL_OPS.len() <= 128);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_enum_agree() {
        for (i, op) in ALL_OPS.iter().enumerate() {
            assert_eq!(*op as usize, i);
            assert_eq!(OpCode::from_u8(i as u8), Some(*op));
        }
        assert_eq!(OpCode::from_u8(OpCode::COUNT as u8), None);
        assert_eq!(OpCode::Move.name(), "MOVE");
        assert!(OpCode::Eq.has(props::TEST));
    }
}
