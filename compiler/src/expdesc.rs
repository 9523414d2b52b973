//! Expression descriptors: an expression whose code is not yet fixed to a register, and the
//! operator tables of the expression grammar.

use crate::lexer::{StrId, Tok};

/// Marks the end of a jump list.
pub(crate) const NO_JUMP: i32 = -1;

/// "No register" for `TESTSET` patching.
pub(crate) const NO_REG: u32 = 255;

/// Where an expression's value is, or how to get it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ExpKind {
    /// No value (empty expression list).
    Void,
    /// `nil`.
    Nil,
    /// `true`.
    True,
    /// `false`.
    False,
    /// Constant `K[idx]`.
    K(u32),
    /// A float literal.
    KFlt(f64),
    /// An integer literal.
    KInt(i64),
    /// A string literal (not yet in the constant table).
    KStr(StrId),
    /// Value already in a register (which it owns if above the locals).
    NonReloc(u32),
    /// A local variable: its register and index among the function's active variables.
    Local {
        /// Register.
        reg: u32,
        /// Index among the function's active variables.
        vidx: u32,
    },
    /// An upvalue.
    Upval(u32),
    /// A compile-time constant local: absolute index in the parser's active-variable list.
    Const(u32),
    /// `R[t][R[key]]`.
    Indexed {
        /// Table register.
        t: u32,
        /// Key register.
        key: u32,
    },
    /// `Up[t][K[key]]`, key a string.
    IndexUp {
        /// Table upvalue.
        t: u32,
        /// Key constant.
        key: u32,
    },
    /// `R[t][idx]`, idx a small integer.
    IndexI {
        /// Table register.
        t: u32,
        /// Integer key.
        idx: u32,
    },
    /// `R[t][K[key]]`, key a string.
    IndexStr {
        /// Table register.
        t: u32,
        /// Key constant.
        key: u32,
    },
    /// A comparison: the pc of its jump.
    Jmp(i32),
    /// Instruction at pc whose destination register A is still open.
    Reloc(i32),
    /// A call instruction at pc.
    Call(i32),
    /// A `VARARG` instruction at pc.
    Vararg(i32),
}

/// An expression descriptor: kind plus the jump lists "exit when true" and "exit when false".
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ExpDesc {
    /// Where the value is.
    pub k: ExpKind,
    /// Patch list of "exit when true".
    pub t: i32,
    /// Patch list of "exit when false".
    pub f: i32,
}

impl ExpDesc {
    /// A descriptor of kind `k` without jumps.
    pub(crate) fn new(k: ExpKind) -> Self {
        ExpDesc {
            k,
            t: NO_JUMP,
            f: NO_JUMP,
        }
    }

    /// The empty expression.
    pub(crate) fn void() -> Self {
        Self::new(ExpKind::Void)
    }

    /// True if the expression has pending jumps.
    pub(crate) fn has_jumps(&self) -> bool {
        self.t != NO_JUMP || self.f != NO_JUMP
    }

    /// True for calls and `...` (which can give many values).
    pub(crate) fn has_multret(&self) -> bool {
        matches!(self.k, ExpKind::Call(_) | ExpKind::Vararg(_))
    }

    /// The numeric value if the expression is a numeral without jumps.
    pub(crate) fn numeral(&self) -> Option<ExpKind> {
        match self.k {
            ExpKind::KInt(_) | ExpKind::KFlt(_) if !self.has_jumps() => Some(self.k),
            _ => None,
        }
    }

    /// True for an assignable expression.
    pub(crate) fn is_var(&self) -> bool {
        matches!(
            self.k,
            ExpKind::Local { .. }
                | ExpKind::Upval(_)
                | ExpKind::Const(_)
                | ExpKind::Indexed { .. }
                | ExpKind::IndexUp { .. }
                | ExpKind::IndexI { .. }
                | ExpKind::IndexStr { .. }
        )
    }

    /// True for the indexed kinds.
    pub(crate) fn is_indexed(&self) -> bool {
        matches!(
            self.k,
            ExpKind::Indexed { .. }
                | ExpKind::IndexUp { .. }
                | ExpKind::IndexI { .. }
                | ExpKind::IndexStr { .. }
        )
    }
}

/// Binary operators, in the order arithmetic first (their folding uses this order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOpr {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// `/`
    Div,
    /// `//`
    IDiv,
    /// `&`
    BAnd,
    /// `|`
    BOr,
    /// `~`
    BXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `..`
    Concat,
    /// `==`
    Eq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `~=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`
    And,
    /// `or`
    Or,
}

impl BinOpr {
    /// The binary operator a token stands for.
    pub(crate) fn from_token(t: Tok) -> Option<BinOpr> {
        Some(match t {
            Tok::Char(b'+') => BinOpr::Add,
            Tok::Char(b'-') => BinOpr::Sub,
            Tok::Char(b'*') => BinOpr::Mul,
            Tok::Char(b'%') => BinOpr::Mod,
            Tok::Char(b'^') => BinOpr::Pow,
            Tok::Char(b'/') => BinOpr::Div,
            Tok::IDiv => BinOpr::IDiv,
            Tok::Char(b'&') => BinOpr::BAnd,
            Tok::Char(b'|') => BinOpr::BOr,
            Tok::Char(b'~') => BinOpr::BXor,
            Tok::Shl => BinOpr::Shl,
            Tok::Shr => BinOpr::Shr,
            Tok::Concat => BinOpr::Concat,
            Tok::Ne => BinOpr::Ne,
            Tok::Eq => BinOpr::Eq,
            Tok::Char(b'<') => BinOpr::Lt,
            Tok::Le => BinOpr::Le,
            Tok::Char(b'>') => BinOpr::Gt,
            Tok::Ge => BinOpr::Ge,
            Tok::And => BinOpr::And,
            Tok::Or => BinOpr::Or,
            _ => return None,
        })
    }

    /// (left, right) priority: left > limit continues the chain; right < left makes the
    /// operator right associative.
    pub(crate) fn priority(self) -> (u8, u8) {
        match self {
            BinOpr::Add | BinOpr::Sub => (10, 10),
            BinOpr::Mul | BinOpr::Mod | BinOpr::Div | BinOpr::IDiv => (11, 11),
            BinOpr::Pow => (14, 13),
            BinOpr::BAnd => (6, 6),
            BinOpr::BOr => (4, 4),
            BinOpr::BXor => (5, 5),
            BinOpr::Shl | BinOpr::Shr => (7, 7),
            BinOpr::Concat => (9, 8),
            BinOpr::Eq | BinOpr::Lt | BinOpr::Le | BinOpr::Ne | BinOpr::Gt | BinOpr::Ge => (3, 3),
            BinOpr::And => (2, 2),
            BinOpr::Or => (1, 1),
        }
    }

    /// True for the operators that can be folded on numeric constants.
    pub(crate) fn is_foldable(self) -> bool {
        (self as u8) <= (BinOpr::Shr as u8)
    }
}

/// Priority of the unary operators (binds tighter than everything but `^`).
pub(crate) const UNARY_PRIORITY: u8 = 12;

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnOpr {
    /// `-`
    Minus,
    /// `~`
    BNot,
    /// `not`
    Not,
    /// `#`
    Len,
}

impl UnOpr {
    /// The unary operator a token stands for.
    pub(crate) fn from_token(t: Tok) -> Option<UnOpr> {
        Some(match t {
            Tok::Not => UnOpr::Not,
            Tok::Char(b'-') => UnOpr::Minus,
            Tok::Char(b'~') => UnOpr::BNot,
            Tok::Char(b'#') => UnOpr::Len,
            _ => return None,
        })
    }
}
