//! Numeric arithmetic on values: the fast paths the dispatch loop inlines, without
//! metamethods or string coercion (those live in `meta.rs`).

use moonjet_bytecode::num;

use crate::value::Value;

/// The arithmetic and bitwise operators, in metamethod order (`Tm::Add` onwards).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ArithOp {
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
    /// unary `-`
    Unm,
    /// unary `~`
    BNot,
}

impl ArithOp {
    /// True for the bitwise operators (integer operands only).
    #[inline(always)]
    pub fn is_bitwise(self) -> bool {
        matches!(
            self,
            ArithOp::BAnd
                | ArithOp::BOr
                | ArithOp::BXor
                | ArithOp::Shl
                | ArithOp::Shr
                | ArithOp::BNot
        )
    }

    /// The metamethod event name without `__` (as the string library's errors say it),
    /// taken from the one table of event names.
    pub fn event(self) -> &'static str {
        let name = super::meta::TM_NAMES[self.tm() as usize];
        name.strip_prefix("__").unwrap_or(name)
    }
}

/// A numeric result as plain parts, so the dispatch loop builds the `Value` directly in
/// its register (an `Option<Value>` temporary makes the compiler copy it bytewise).
#[derive(Clone, Copy)]
pub enum Num {
    /// An integer result.
    I(i64),
    /// A float result.
    F(f64),
}

impl Num {
    /// The result as a `Value`.
    #[inline(always)]
    pub fn into_value(self) -> Value {
        match self {
            Num::I(i) => Value::Int(i),
            Num::F(f) => Value::Float(f),
        }
    }
}

/// Fast path of `op` on two integers: `None` for a division or modulo by zero.
#[inline(always)]
pub fn int_fast(op: ArithOp, a: i64, b: i64) -> Option<Num> {
    Some(match op {
        ArithOp::Add => Num::I(a.wrapping_add(b)),
        ArithOp::Sub => Num::I(a.wrapping_sub(b)),
        ArithOp::Mul => Num::I(a.wrapping_mul(b)),
        ArithOp::Mod => {
            if b == 0 {
                return None;
            }
            if b == -1 {
                return Some(Num::I(0));
            }
            let r = a % b;
            Num::I(if r != 0 && (r ^ b) < 0 { r + b } else { r })
        }
        ArithOp::IDiv => Num::I(num::int_idiv(a, b)?),
        ArithOp::Div => Num::F(a as f64 / b as f64),
        ArithOp::Pow => Num::F(num::float_pow(a as f64, b as f64)),
        ArithOp::BAnd => Num::I(a & b),
        ArithOp::BOr => Num::I(a | b),
        ArithOp::BXor => Num::I(a ^ b),
        ArithOp::Shl => Num::I(num::shift_left(a, b)),
        ArithOp::Shr => Num::I(num::shift_right(a, b)),
        ArithOp::Unm => Num::I(a.wrapping_neg()),
        ArithOp::BNot => Num::I(!a),
    })
}

/// Fast path of `op` on two floats: `None` for the bitwise operators.
#[inline(always)]
pub fn float_fast(op: ArithOp, a: f64, b: f64) -> Option<Num> {
    Some(Num::F(match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        ArithOp::Mod => num::float_mod(a, b),
        ArithOp::IDiv => num::float_idiv(a, b),
        ArithOp::Div => a / b,
        ArithOp::Pow => num::float_pow(a, b),
        ArithOp::Unm => -a,
        _ => return None,
    }))
}

/// `op` on two integers; `None` for an integer division or modulo by zero.
#[inline(always)]
pub fn int_arith(op: ArithOp, a: i64, b: i64) -> Option<Value> {
    int_fast(op, a, b).map(Num::into_value)
}

/// `op` on two floats; `None` for a bitwise operator on a float without an exact
/// integer value.
#[inline(always)]
pub fn float_arith(op: ArithOp, a: f64, b: f64) -> Option<Value> {
    match float_fast(op, a, b) {
        Some(n) => Some(n.into_value()),
        None => {
            let x = num::float_to_int_exact(a)?;
            let y = num::float_to_int_exact(b)?;
            int_arith(op, x, y)
        }
    }
}

/// `op` on two numbers (no strings, no metamethods); `None` when an operand is not a
/// number or the operation fails (see `int_arith` / `float_arith`).
#[inline(always)]
pub fn arith_num(op: ArithOp, x: Value, y: Value) -> Option<Value> {
    match (x, y) {
        (Value::Int(a), Value::Int(b)) => int_arith(op, a, b),
        (Value::Float(a), Value::Float(b)) => float_arith(op, a, b),
        (Value::Int(a), Value::Float(b)) => mixed(op, a, b, false),
        (Value::Float(b), Value::Int(a)) => mixed(op, a, b, true),
        _ => None,
    }
}

/// `op` on an integer and a float (`swapped`: the float was the left operand).
#[inline(never)]
fn mixed(op: ArithOp, i: i64, f: f64, swapped: bool) -> Option<Value> {
    if op.is_bitwise() {
        let g = num::float_to_int_exact(f)?;
        return if swapped {
            int_arith(op, g, i)
        } else {
            int_arith(op, i, g)
        };
    }
    if swapped {
        float_arith(op, f, i as f64)
    } else {
        float_arith(op, i as f64, f)
    }
}

/// Less-than on two numbers of any subtype.
#[inline]
pub fn num_lt(x: Value, y: Value) -> Option<bool> {
    Some(match (x, y) {
        (Value::Int(a), Value::Int(b)) => a < b,
        (Value::Float(a), Value::Float(b)) => a < b,
        (Value::Int(a), Value::Float(b)) => num::lt_int_float(a, b),
        (Value::Float(a), Value::Int(b)) => num::lt_float_int(a, b),
        _ => return None,
    })
}

/// Less-or-equal on two numbers of any subtype.
#[inline]
pub fn num_le(x: Value, y: Value) -> Option<bool> {
    Some(match (x, y) {
        (Value::Int(a), Value::Int(b)) => a <= b,
        (Value::Float(a), Value::Float(b)) => a <= b,
        (Value::Int(a), Value::Float(b)) => num::le_int_float(a, b),
        (Value::Float(a), Value::Int(b)) => num::le_float_int(a, b),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_and_bitwise() {
        assert!(
            matches!(arith_num(ArithOp::Add, Value::Int(1), Value::Float(0.5)), Some(Value::Float(f)) if f == 1.5)
        );
        assert!(
            matches!(arith_num(ArithOp::Sub, Value::Float(0.5), Value::Int(1)), Some(Value::Float(f)) if f == -0.5)
        );
        assert!(matches!(
            arith_num(ArithOp::BOr, Value::Float(2.0), Value::Int(1)),
            Some(Value::Int(3))
        ));
        assert!(arith_num(ArithOp::BOr, Value::Float(2.5), Value::Int(1)).is_none());
        assert!(arith_num(ArithOp::IDiv, Value::Int(1), Value::Int(0)).is_none());
        assert!(matches!(
            arith_num(ArithOp::Shl, Value::Int(1), Value::Int(64)),
            Some(Value::Int(0))
        ));
        for (a, b) in [
            (7i64, 3i64),
            (-7, 3),
            (7, -3),
            (-7, -3),
            (i64::MIN, -1),
            (5, 5),
        ] {
            let want = num::int_mod(a, b).map(Num::I);
            assert!(
                matches!((int_fast(ArithOp::Mod, a, b), want), (Some(Num::I(x)), Some(Num::I(y))) if x == y)
            );
        }
        assert!(int_fast(ArithOp::Mod, 1, 0).is_none());
        assert_eq!(num_lt(Value::Int(1), Value::Float(1.5)), Some(true));
        assert_eq!(num_le(Value::Float(f64::NAN), Value::Int(1)), Some(false));
    }
}
