//! Lua 5.4 number semantics as pure functions, shared by the compiler (literals, constant
//! folding), the interpreter (arithmetic, coercions, `tostring`, `tonumber`, `string.format`)
//! and the JIT's helpers.
//!
//! Everything here matches `lua5.4` on x86-64 Linux (glibc printf/strtod), which
//! `tests/num_vs_lua.rs` checks differentially when the reference interpreter is installed.
//!
//! * [`parse`]: string → number (`tonumber`, literals, string coercion).
//! * [`arith`]: float ↔ integer conversions, `//`, `%`, `^`, shifts, mixed comparisons.
//! * [`printf`]: the `string.format` engine, `tostring` of numbers and `%q` of numbers,
//!   writing to any [`buf::Sink`] (a `Vec<u8>` or a [`buf::StackBuf`]).

pub mod arith;
pub mod buf;
pub mod parse;
pub mod printf;

pub use arith::{
    eq_int_float, float_idiv, float_mod, float_pow, float_to_int_ceil, float_to_int_exact,
    float_to_int_floor, int_idiv, int_mod, le_float_int, le_int_float, lt_float_int, lt_int_float,
    shift_left, shift_right,
};
pub use buf::{Sink, StackBuf};
pub use parse::{str_to_int_base, str_to_number};
pub use printf::{
    fmt_float, fmt_int, format_bytes, format_float, format_int, format_q_number, parse_format_spec,
    push_float, push_int, spec_run, FormatSpec,
};

/// A Lua number: the two subtypes of Lua 5.4.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A 64-bit two's-complement integer (`math.type(x) == "integer"`).
    Int(i64),
    /// An IEEE-754 double (`math.type(x) == "float"`).
    Float(f64),
}

impl Number {
    /// The value as a float (integers convert with round-to-nearest, as Lua's `(double)i`).
    pub fn to_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The value as an integer if it has an exact integer representation.
    pub fn to_i64_exact(self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(i),
            Number::Float(f) => float_to_int_exact(f),
        }
    }

    /// Appends `tostring()` of the number.
    pub fn fmt_lua(self, out: &mut alloc::string::String) {
        match self {
            Number::Int(i) => fmt_int(i, out),
            Number::Float(f) => fmt_float(f, out),
        }
    }
}
