//! Float ↔ integer conversions, Lua's floor division, modulo, power, shifts and the exact
//! comparisons between integers and floats.

/// 2^63 as a float: the first float above every `i64`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

/// Converts an integral float to `i64` when it is in range (`-2^63 <= f < 2^63`); NaN fails.
fn integral_to_int(f: f64) -> Option<i64> {
    if (-TWO_POW_63..TWO_POW_63).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

/// Float → integer only when exact (no fractional part and in range): the conversion Lua uses
/// for table keys, bitwise operators, `string.format("%d")`, etc.
pub fn float_to_int_exact(f: f64) -> Option<i64> {
    if libm::floor(f) == f {
        integral_to_int(f)
    } else {
        None
    }
}

/// `floor(f)` as an integer if it fits (Lua's F2Ifloor mode, used by `math.floor` and loops).
pub fn float_to_int_floor(f: f64) -> Option<i64> {
    integral_to_int(libm::floor(f))
}

/// `ceil(f)` as an integer if it fits (Lua's F2Iceil mode, used by for-loop limits).
pub fn float_to_int_ceil(f: f64) -> Option<i64> {
    integral_to_int(libm::ceil(f))
}

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

/// Integer floor division `a // b`; `None` when `b == 0` (the caller raises
/// "attempt to perform 'n//0'"); `i64::MIN // -1` wraps to `i64::MIN`.
pub fn int_idiv(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(a.wrapping_neg());
    }
    let q = a / b;
    if (a % b != 0) && ((a ^ b) < 0) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Integer modulo `a % b` (result has the sign of `b`); `None` when `b == 0` (the caller
/// raises "attempt to perform 'n%%0'").
pub fn int_mod(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(0);
    }
    let m = a % b;
    if m != 0 && (m ^ b) < 0 {
        Some(m + b)
    } else {
        Some(m)
    }
}

/// Float floor division `a // b`: `floor(a / b)`.
pub fn float_idiv(a: f64, b: f64) -> f64 {
    libm::floor(a / b)
}

/// Float modulo `a % b`: C's `fmod`, then moved by `b` when the signs of remainder and divisor
/// differ (so `-1 % math.huge` is `inf` and `5 % 0.0` is NaN, as in Lua 5.4).
pub fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if (m > 0.0 && b < 0.0) || (m < 0.0 && b > 0.0) {
        m + b
    } else {
        m
    }
}

/// Float exponentiation `a ^ b` (`a * a` for `b == 2`, else C's `pow`).
pub fn float_pow(a: f64, b: f64) -> f64 {
    if b == 2.0 {
        a * a
    } else {
        pow(a, b)
    }
}

/// C's `pow`: the platform's (glibc's, like `lua5.4`) when `std` is linked, else `libm`'s.
#[cfg(feature = "std")]
fn pow(a: f64, b: f64) -> f64 {
    a.powf(b)
}

/// C's `pow`: the platform's (glibc's, like `lua5.4`) when `std` is linked, else `libm`'s.
#[cfg(not(feature = "std"))]
fn pow(a: f64, b: f64) -> f64 {
    libm::pow(a, b)
}

/// `a << b` on the bits of `a`: counts of 64 or more give 0, negative counts shift right.
pub fn shift_left(a: i64, b: i64) -> i64 {
    if b <= -64 || b >= 64 {
        0
    } else if b < 0 {
        ((a as u64) >> (-b) as u32) as i64
    } else {
        ((a as u64) << b as u32) as i64
    }
}

/// `a >> b`, a logical shift: counts of 64 or more give 0, negative counts shift left.
pub fn shift_right(a: i64, b: i64) -> i64 {
    if b <= -64 || b >= 64 {
        0
    } else if b < 0 {
        ((a as u64) << (-b) as u32) as i64
    } else {
        ((a as u64) >> b as u32) as i64
    }
}

// ---------------------------------------------------------------------------------------------
// Exact mixed comparisons
// ---------------------------------------------------------------------------------------------

/// `i < f` without rounding `i` to a float; false when `f` is NaN.
pub fn lt_int_float(i: i64, f: f64) -> bool {
    if f >= TWO_POW_63 {
        true
    } else if f >= -TWO_POW_63 {
        // i < f  <=>  i < ceil(f), and ceil(f) is in range here.
        i < libm::ceil(f) as i64
    } else {
        false // below every integer, or NaN
    }
}

/// `i <= f` without rounding `i` to a float; false when `f` is NaN.
pub fn le_int_float(i: i64, f: f64) -> bool {
    if f >= TWO_POW_63 {
        true
    } else if f >= -TWO_POW_63 {
        i <= libm::floor(f) as i64
    } else {
        false
    }
}

/// `f < i` without rounding `i` to a float; false when `f` is NaN.
pub fn lt_float_int(f: f64, i: i64) -> bool {
    if f >= TWO_POW_63 {
        false
    } else if f >= -TWO_POW_63 {
        (libm::floor(f) as i64) < i
    } else {
        !f.is_nan()
    }
}

/// `f <= i` without rounding `i` to a float; false when `f` is NaN.
pub fn le_float_int(f: f64, i: i64) -> bool {
    if f >= TWO_POW_63 {
        false
    } else if f >= -TWO_POW_63 {
        (libm::ceil(f) as i64) <= i
    } else {
        !f.is_nan()
    }
}

/// `i == f` exactly (a float equals an integer only if it is integral with the same value).
pub fn eq_int_float(i: i64, f: f64) -> bool {
    float_to_int_exact(f) == Some(i)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_conversion() {
        assert_eq!(float_to_int_exact(3.0), Some(3));
        assert_eq!(float_to_int_exact(-0.0), Some(0));
        assert_eq!(float_to_int_exact(3.5), None);
        assert_eq!(float_to_int_exact(f64::NAN), None);
        assert_eq!(float_to_int_exact(f64::INFINITY), None);
        assert_eq!(float_to_int_exact(-TWO_POW_63), Some(i64::MIN));
        assert_eq!(float_to_int_exact(TWO_POW_63), None);
        assert_eq!(
            float_to_int_exact(9007199254740993.0),
            Some(9007199254740992)
        );
    }

    #[test]
    fn floor_ceil_conversion() {
        assert_eq!(float_to_int_floor(-3.5), Some(-4));
        assert_eq!(float_to_int_ceil(-3.5), Some(-3));
        assert_eq!(float_to_int_floor(3.5), Some(3));
        assert_eq!(float_to_int_ceil(3.5), Some(4));
        assert_eq!(float_to_int_floor(f64::NAN), None);
        assert_eq!(float_to_int_ceil(-f64::INFINITY), None);
        assert_eq!(float_to_int_floor(1e300), None);
        assert_eq!(float_to_int_ceil(-9.3e18), None);
        assert_eq!(float_to_int_floor(-9.2e18), Some(-9200000000000000000));
    }

    #[test]
    fn integer_division_and_modulo() {
        assert_eq!(int_idiv(7, 2), Some(3));
        assert_eq!(int_idiv(-7, 2), Some(-4));
        assert_eq!(int_idiv(7, -2), Some(-4));
        assert_eq!(int_idiv(-7, -2), Some(3));
        assert_eq!(int_idiv(6, -2), Some(-3));
        assert_eq!(int_idiv(1, 0), None);
        assert_eq!(int_idiv(i64::MIN, -1), Some(i64::MIN));
        assert_eq!(int_mod(7, -2), Some(-1));
        assert_eq!(int_mod(-7, 2), Some(1));
        assert_eq!(int_mod(-6, 2), Some(0));
        assert_eq!(int_mod(i64::MIN, -1), Some(0));
        assert_eq!(int_mod(i64::MIN, i64::MAX), Some(i64::MAX - 1));
        assert_eq!(int_mod(5, 0), None);
    }

    #[test]
    fn float_division_and_modulo() {
        assert_eq!(float_idiv(7.0, 0.0), f64::INFINITY);
        assert_eq!(float_idiv(-7.0, 0.0), f64::NEG_INFINITY);
        assert_eq!(float_idiv(3.0, -0.0), f64::NEG_INFINITY);
        assert_eq!(float_idiv(-7.5, 2.0), -4.0);
        assert_eq!(float_mod(7.0, f64::INFINITY), 7.0);
        assert_eq!(float_mod(-7.0, f64::INFINITY), f64::INFINITY);
        assert_eq!(float_mod(7.0, f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(float_mod(-7.0, f64::NEG_INFINITY), -7.0);
        assert_eq!(float_mod(5.5, -2.0), -0.5);
        assert_eq!(float_mod(-5.5, 2.0), 0.5);
        assert!(float_mod(-0.0, 1.0).is_sign_negative());
        assert!(float_mod(0.0, -1.0).is_sign_positive());
        assert!(float_mod(5.0, 0.0).is_nan());
        assert!(float_mod(f64::INFINITY, 2.0).is_nan());
    }

    #[test]
    fn power() {
        assert_eq!(float_pow(2.0, 0.5), core::f64::consts::SQRT_2);
        assert_eq!(float_pow(-2.0, 2.0), 4.0);
        assert_eq!(float_pow(0.0, -1.0), f64::INFINITY);
        assert_eq!(float_pow(-0.0, -1.0), f64::NEG_INFINITY);
        assert_eq!(float_pow(10.0, 309.0), f64::INFINITY);
        assert!(float_pow(-8.0, 1.0 / 3.0).is_nan());
        assert_eq!(float_pow(2.0, -1074.0), f64::from_bits(1));
    }

    #[test]
    fn shifts() {
        assert_eq!(shift_left(1, 64), 0);
        assert_eq!(shift_left(1, 63), i64::MIN);
        assert_eq!(shift_right(-1, 1), i64::MAX);
        assert_eq!(shift_left(1, -1), 0);
        assert_eq!(shift_left(2, -1), 1);
        assert_eq!(shift_right(2, -1), 4);
        assert_eq!(shift_right(-1, 64), 0);
        assert_eq!(shift_left(-1, 63), i64::MIN);
        assert_eq!(shift_left(1, i64::MIN), 0);
        assert_eq!(shift_right(1, i64::MIN), 0);
        assert_eq!(shift_right(i64::MIN, 63), 1);
        assert_eq!(shift_right(1, i64::MAX), 0);
    }

    #[test]
    fn mixed_comparisons() {
        let big = 9007199254740993_i64; // 2^53 + 1, not representable as a float
        let f = 9007199254740992.0; // 2^53
        assert!(!lt_int_float(big, f));
        assert!(lt_float_int(f, big));
        assert!(le_float_int(f, big));
        assert!(!le_int_float(big, f));
        assert!(!eq_int_float(big, f));
        assert!(eq_int_float(big - 1, f));
        assert!(lt_int_float(i64::MAX, TWO_POW_63));
        assert!(!le_float_int(TWO_POW_63, i64::MAX));
        assert!(le_float_int(-TWO_POW_63, i64::MIN));
        assert!(!lt_float_int(-TWO_POW_63, i64::MIN));
        assert!(lt_float_int(-1e19, i64::MIN));
        assert!(!lt_int_float(i64::MIN, -1e19));
        assert!(lt_int_float(1, 1.5) && !lt_int_float(2, 1.5));
        assert!(le_int_float(1, 1.0) && !lt_int_float(1, 1.0));
        assert!(lt_float_int(1.5, 2) && !lt_float_int(1.5, 1));
        assert!(le_float_int(-1.5, -1) && !le_float_int(-1.5, -2));
        for g in [f64::NAN, -f64::NAN] {
            assert!(!lt_int_float(0, g) && !le_int_float(0, g));
            assert!(!lt_float_int(g, 0) && !le_float_int(g, 0) && !eq_int_float(0, g));
        }
        assert!(lt_int_float(i64::MAX, f64::INFINITY));
        assert!(lt_float_int(f64::NEG_INFINITY, i64::MIN));
    }
}
