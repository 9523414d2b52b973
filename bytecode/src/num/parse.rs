//! String → number conversions: `tonumber(s)`, arithmetic coercion of strings, numeric
//! literals, and `tonumber(s, base)`.

use super::Number;

/// A byte cursor over the text being converted.
struct Cursor<'a> {
    /// The whole input.
    s: &'a [u8],
    /// Index of the next unread byte.
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `s`.
    fn new(s: &'a [u8]) -> Self {
        Cursor { s, pos: 0 }
    }

    /// The next byte, or 0 at the end (0 is never valid in a number, so it acts as an end mark).
    fn peek(&self) -> u8 {
        self.s.get(self.pos).copied().unwrap_or(0)
    }

    /// Consumes the next byte if it is one of `set`.
    fn eat_any(&mut self, set: &[u8]) -> bool {
        let hit = self.pos < self.s.len() && set.contains(&self.peek());
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Skips C `isspace` characters.
    fn skip_space(&mut self) {
        while is_space(self.peek()) {
            self.pos += 1;
        }
    }

    /// Optional sign; returns true for '-'.
    fn sign(&mut self) -> bool {
        match self.peek() {
            b'-' => {
                self.pos += 1;
                true
            }
            b'+' => {
                self.pos += 1;
                false
            }
            _ => false,
        }
    }

    /// Skips trailing whitespace and reports whether the whole input was consumed.
    fn finish(&mut self) -> bool {
        self.skip_space();
        self.pos == self.s.len()
    }
}

/// The C locale's `isspace`: space, \t, \n, \v, \f, \r.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Value of `c` as a digit in bases up to 36 (letters either case), or `None`.
fn digit_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 10),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// Value of a hexadecimal digit, or `None`.
fn hex_value(c: u8) -> Option<u32> {
    digit_value(c).filter(|&d| d < 16)
}

// ---------------------------------------------------------------------------------------------
// tonumber(s)
// ---------------------------------------------------------------------------------------------

/// Lua's string → number conversion (`tonumber(s)`, arithmetic coercion, numeric literals):
/// surrounding whitespace, an optional sign, decimal or hex integers (decimal ones that do not
/// fit `i64` become floats, hex ones wrap modulo 2^64), decimal floats with `e` exponents and
/// hex floats with optional `p` exponents. "inf", "nan", "0x", "" and embedded NULs are rejected.
pub fn str_to_number(s: &[u8]) -> Option<Number> {
    str_to_int(s)
        .map(Number::Int)
        .or_else(|| str_to_float(s).map(Number::Float))
}

/// The integer half of [`str_to_number`]: `None` if `s` is not an integer numeral that fits.
fn str_to_int(s: &[u8]) -> Option<i64> {
    let mut c = Cursor::new(s);
    c.skip_space();
    let neg = c.sign();
    let value = if c.peek() == b'0' && matches!(c.s.get(c.pos + 1), Some(b'x' | b'X')) {
        c.pos += 2;
        hex_int(&mut c)?
    } else {
        dec_int(&mut c, neg)?
    };
    if !c.finish() {
        return None;
    }
    Some(if neg { value.wrapping_neg() } else { value })
}

/// Hex digits (at least one), wrapping modulo 2^64.
fn hex_int(c: &mut Cursor) -> Option<i64> {
    let start = c.pos;
    let mut acc: u64 = 0;
    while let Some(d) = hex_value(c.peek()) {
        acc = acc.wrapping_mul(16).wrapping_add(u64::from(d));
        c.pos += 1;
    }
    (c.pos > start).then_some(acc as i64)
}

/// Decimal digits (at least one) whose magnitude fits (up to 2^63 when negative).
/// Returns the magnitude as a wrapping `i64` (2^63 is `i64::MIN`, negated later).
fn dec_int(c: &mut Cursor, neg: bool) -> Option<i64> {
    let start = c.pos;
    let limit: u64 = if neg { 1 << 63 } else { i64::MAX as u64 };
    let mut acc: u64 = 0;
    while c.peek().is_ascii_digit() {
        acc = acc
            .checked_mul(10)?
            .checked_add(u64::from(c.peek() - b'0'))?;
        if acc > limit {
            return None;
        }
        c.pos += 1;
    }
    (c.pos > start).then_some(acc as i64)
}

/// The float half of [`str_to_number`] (C `strtod` restricted to Lua's accepted forms).
fn str_to_float(s: &[u8]) -> Option<f64> {
    let mut c = Cursor::new(s);
    c.skip_space();
    let start = c.pos;
    let neg = c.sign();
    let value = if c.peek() == b'0' && matches!(c.s.get(c.pos + 1), Some(b'x' | b'X')) {
        c.pos += 2;
        hex_float(&mut c)?
    } else {
        dec_float(&mut c, start)?
    };
    if !c.finish() {
        return None;
    }
    Some(if neg { -value.abs() } else { value })
}

/// A decimal float `digits [. digits] [e [sign] digits]` (at least one mantissa digit),
/// correctly rounded. `start` is where the sign (if any) began; the result keeps that sign.
fn dec_float(c: &mut Cursor, start: usize) -> Option<f64> {
    let mut digits = 0;
    while c.peek().is_ascii_digit() {
        c.pos += 1;
        digits += 1;
    }
    if c.eat_any(b".") {
        while c.peek().is_ascii_digit() {
            c.pos += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if c.eat_any(b"eE") {
        c.eat_any(b"+-");
        let exp_start = c.pos;
        while c.peek().is_ascii_digit() {
            c.pos += 1;
        }
        if c.pos == exp_start {
            return None;
        }
    }
    let text = core::str::from_utf8(c.s.get(start..c.pos)?).ok()?;
    text.parse::<f64>().ok()
}

/// A hex float after "0x": `hexdigits [. hexdigits] [p [sign] digits]` (at least one hex
/// digit), correctly rounded to nearest-even like glibc's `strtod`. Returns the magnitude.
fn hex_float(c: &mut Cursor) -> Option<f64> {
    let mut m = HexMantissa::default();
    let mut any = false;
    while let Some(d) = hex_value(c.peek()) {
        m.push(d, false);
        c.pos += 1;
        any = true;
    }
    if c.eat_any(b".") {
        while let Some(d) = hex_value(c.peek()) {
            m.push(d, true);
            c.pos += 1;
            any = true;
        }
    }
    if !any {
        return None;
    }
    let mut exp: i64 = 0;
    if c.eat_any(b"pP") {
        let neg = c.sign();
        let exp_start = c.pos;
        while c.peek().is_ascii_digit() {
            // Saturate: anything beyond this is inf or zero anyway.
            exp = (exp * 10 + i64::from(c.peek() - b'0')).min(1 << 40);
            c.pos += 1;
        }
        if c.pos == exp_start {
            return None;
        }
        if neg {
            exp = -exp;
        }
    }
    Some(m.to_f64(exp))
}

/// The significant bits of a hex float mantissa being read.
#[derive(Default)]
struct HexMantissa {
    /// The first 16 significant hex digits.
    bits: u64,
    /// Number of significant digits stored in `bits`.
    stored: u32,
    /// A nonzero digit was dropped after the first 16.
    sticky: bool,
    /// Binary exponent adjustment: value = bits * 2^adjust (before the `p` exponent).
    adjust: i64,
}

impl HexMantissa {
    /// Adds one hex digit, from the fraction part if `fraction`.
    fn push(&mut self, d: u32, fraction: bool) {
        if self.stored == 0 && d == 0 {
            // Leading zero: only moves the point when in the fraction.
            if fraction {
                self.adjust -= 4;
            }
        } else if self.stored < 16 {
            self.bits = (self.bits << 4) | u64::from(d);
            self.stored += 1;
            if fraction {
                self.adjust -= 4;
            }
        } else {
            self.sticky |= d != 0;
            if !fraction {
                self.adjust += 4;
            }
        }
    }

    /// `bits * 2^(adjust + exp)` correctly rounded (nearest, ties to even), with subnormals.
    fn to_f64(&self, exp: i64) -> f64 {
        if self.bits == 0 {
            return 0.0;
        }
        let shift = self.bits.leading_zeros();
        let m = self.bits << shift; // top bit set: value = m * 2^(e - 63)
        let e = self
            .adjust
            .saturating_add(exp)
            .saturating_add(63 - i64::from(shift));
        if e > 1023 {
            return f64::INFINITY;
        }
        // Significant bits kept: 53 for normals, fewer for subnormals (may be <= 0).
        let keep = if e >= -1022 { 53 } else { 53 - (-1022 - e) };
        if keep < 0 {
            return 0.0;
        }
        let drop = (64 - keep) as u32; // 11..=64
        let kept = if drop == 64 { 0 } else { m >> drop };
        let half = 1u64 << (drop - 1);
        let rest = m & (half.wrapping_shl(1).wrapping_sub(1)); // the dropped bits
        let above_half = rest > half || (rest == half && self.sticky);
        let round_up = above_half || (rest == half && !self.sticky && kept & 1 == 1);
        let q = kept + u64::from(round_up);
        // value = q * 2^(e - keep + 1); both factors exact, so the product is exact (or inf).
        (q as f64) * pow2(e - keep + 1)
    }
}

/// 2^k as a float, for -1074 <= k <= 1023.
fn pow2(k: i64) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

// ---------------------------------------------------------------------------------------------
// tonumber(s, base)
// ---------------------------------------------------------------------------------------------

/// `tonumber(s, base)` for `base` in 2..=36: surrounding whitespace, an optional sign, one or
/// more digits/letters below `base`; the value wraps modulo 2^64. `None` otherwise.
pub fn str_to_int_base(s: &[u8], base: u32) -> Option<i64> {
    if !(2..=36).contains(&base) {
        return None;
    }
    let mut c = Cursor::new(s);
    c.skip_space();
    let neg = c.sign();
    let start = c.pos;
    let mut acc: u64 = 0;
    while let Some(d) = digit_value(c.peek()).filter(|&d| d < base) {
        acc = acc.wrapping_mul(u64::from(base)).wrapping_add(u64::from(d));
        c.pos += 1;
    }
    if c.pos == start || !c.finish() {
        return None;
    }
    let v = acc as i64;
    Some(if neg { v.wrapping_neg() } else { v })
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Shorthand for converting a string.
    fn n(s: &str) -> Option<Number> {
        str_to_number(s.as_bytes())
    }

    /// Shorthand for the float bits of a conversion that must give a float.
    fn fbits(s: &str) -> u64 {
        match n(s) {
            Some(Number::Float(f)) => f.to_bits(),
            other => panic!("{s:?} gave {other:?}"),
        }
    }

    #[test]
    fn integers() {
        assert_eq!(n(" 10 "), Some(Number::Int(10)));
        assert_eq!(n("+10"), Some(Number::Int(10)));
        assert_eq!(n("-0"), Some(Number::Int(0)));
        assert_eq!(n("00012"), Some(Number::Int(12)));
        assert_eq!(n("\t\n\x0b\x0c\r 5 \t\n\x0b\x0c\r"), Some(Number::Int(5)));
        assert_eq!(n("9223372036854775807"), Some(Number::Int(i64::MAX)));
        assert_eq!(n("-9223372036854775808"), Some(Number::Int(i64::MIN)));
        assert_eq!(
            n("9223372036854775808"),
            Some(Number::Float(9223372036854775808.0))
        );
        assert_eq!(
            n("-9223372036854775809"),
            Some(Number::Float(-9223372036854775808.0))
        );
        assert_eq!(
            n("12345678901234567890"),
            Some(Number::Float(12345678901234567890.0))
        );
    }

    #[test]
    fn hex_integers() {
        assert_eq!(n("0x7fffffffffffffff"), Some(Number::Int(i64::MAX)));
        assert_eq!(n("0xffffffffffffffff"), Some(Number::Int(-1)));
        assert_eq!(n("0x1ffffffffffffffff"), Some(Number::Int(-1)));
        assert_eq!(n("0xffffffffffffffffffff"), Some(Number::Int(-1)));
        assert_eq!(n("  -0x10  "), Some(Number::Int(-16)));
        assert_eq!(n("+0x10"), Some(Number::Int(16)));
        assert_eq!(n("0X1e"), Some(Number::Int(30)));
        assert_eq!(n("-0x8000000000000000"), Some(Number::Int(i64::MIN)));
    }

    #[test]
    fn rejected() {
        for s in [
            "", " ", "-", "+", "--1", "- 1", "+ 10", "1e", "1e+", ".", "0x", "0x.", "0x-1", "0x1p",
            "0x1p+", ".e5", "1e5.", "inf", "-inf", "nan", "NaN", "infinity", "1 2", "1_000",
            "0b101", "5\0", "\0", "0x\u{0}1", "1..2", "1e5e5", "0x1.2.3", "0xg", "1f", "\u{85}5",
        ] {
            assert_eq!(n(s), None, "{s:?}");
        }
    }

    #[test]
    fn decimal_floats() {
        assert_eq!(n(".5"), Some(Number::Float(0.5)));
        assert_eq!(n("5."), Some(Number::Float(5.0)));
        assert_eq!(n("-.5"), Some(Number::Float(-0.5)));
        assert_eq!(n("1.e5"), Some(Number::Float(1e5)));
        assert_eq!(n("1E2"), Some(Number::Float(100.0)));
        assert_eq!(n("3.0"), Some(Number::Float(3.0)));
        assert_eq!(fbits("-0.0"), (-0.0f64).to_bits());
        assert_eq!(n("0.1"), Some(Number::Float(0.1)));
        assert_eq!(n("1e400"), Some(Number::Float(f64::INFINITY)));
        assert_eq!(n("-1e400"), Some(Number::Float(f64::NEG_INFINITY)));
        assert_eq!(n("1e-400"), Some(Number::Float(0.0)));
        assert_eq!(
            n("1e99999999999999999999999"),
            Some(Number::Float(f64::INFINITY))
        );
        assert_eq!(n("1e-99999999999999999999999"), Some(Number::Float(0.0)));
        let long: Vec<u8> = [b"0.".as_slice(), &[b'0'; 300], b"1e301"].concat();
        assert_eq!(str_to_number(&long), Some(Number::Float(1.0)));
        assert_eq!(
            n("2.2250738585072011e-308"),
            Some(Number::Float(2.225073858507201e-308))
        );
    }

    #[test]
    fn hex_floats() {
        assert_eq!(n("0x.8p1"), Some(Number::Float(1.0)));
        assert_eq!(n("0x1p4"), Some(Number::Float(16.0)));
        assert_eq!(n("0x1P-2"), Some(Number::Float(0.25)));
        assert_eq!(n("0x1."), Some(Number::Float(1.0)));
        assert_eq!(n("0x.1"), Some(Number::Float(0.0625)));
        assert_eq!(n("0x1.8"), Some(Number::Float(1.5)));
        assert_eq!(n("0x10p-1"), Some(Number::Float(8.0)));
        assert_eq!(n("-0x1p0"), Some(Number::Float(-1.0)));
        assert_eq!(fbits("-0x0p0"), (-0.0f64).to_bits());
        assert_eq!(n("0x1.fffffffffffffp1023"), Some(Number::Float(f64::MAX)));
        assert_eq!(
            n("0x1.fffffffffffff8p1023"),
            Some(Number::Float(f64::INFINITY))
        );
        assert_eq!(n("0x1p1024"), Some(Number::Float(f64::INFINITY)));
        assert_eq!(fbits("0x1p-1074"), 1);
        assert_eq!(fbits("0x1p-1075"), 0); // tie, rounds to even (zero)
        assert_eq!(fbits("0x1.000001p-1075"), 1);
        assert_eq!(fbits("0x1.8p-1074"), 2);
        assert_eq!(fbits("0x3p-1075"), 2);
        assert_eq!(fbits("0x1p-1080"), 0);
        assert_eq!(fbits("0x1p-1022"), 1 << 52);
        assert_eq!(fbits("0x.fffffffffffff8p-1022"), 1 << 52);
        assert_eq!(fbits("0x1p99999999999999999999"), f64::INFINITY.to_bits());
        assert_eq!(fbits("0x1p-99999999999999999999"), 0);
        // 2^53 + 1 with a sticky tail: ties broken upward by the dropped nonzero digit.
        assert_eq!(
            n("0x20000000000001.0000000000001"),
            Some(Number::Float(9007199254740994.0))
        );
        assert_eq!(n("0x20000000000001"), Some(Number::Int(9007199254740993)));
        assert_eq!(
            n("0x20000000000001.0"),
            Some(Number::Float(9007199254740992.0))
        );
        assert_eq!(
            n("0x20000000000003.0"),
            Some(Number::Float(9007199254740996.0))
        );
        let long: Vec<u8> = [b"0x".as_slice(), &[b'f'; 30], b".8"].concat();
        assert_eq!(
            str_to_number(&long),
            Some(Number::Float(1.329227995784916e36))
        );
        let leading: Vec<u8> = [b"0x".as_slice(), &[b'0'; 300], b"1p3"].concat();
        assert_eq!(str_to_number(&leading), Some(Number::Float(8.0)));
        let trailing: Vec<u8> = [b"0x1".as_slice(), &[b'0'; 300], b"p-1200"].concat();
        assert_eq!(str_to_number(&trailing), Some(Number::Float(1.0)));
    }

    #[test]
    fn with_base() {
        assert_eq!(str_to_int_base(b"z", 36), Some(35));
        assert_eq!(str_to_int_base(b"Z", 36), Some(35));
        assert_eq!(str_to_int_base(b" -ff ", 16), Some(-255));
        assert_eq!(str_to_int_base(b"+ff", 16), Some(255));
        assert_eq!(str_to_int_base(b"ffffffffffffffffffff", 16), Some(-1));
        assert_eq!(
            str_to_int_base(b"99999999999999999999", 10),
            Some(7766279631452241919)
        );
        assert_eq!(str_to_int_base(b"-0", 10), Some(0));
        assert_eq!(str_to_int_base(b"\x0b1\x0c", 10), Some(1));
        assert_eq!(str_to_int_base(b"101", 2), Some(5));
        for (s, b) in [
            ("", 10),
            (" ", 10),
            ("-", 10),
            ("+ 1", 10),
            ("1.5", 10),
            ("8", 8),
        ] {
            assert_eq!(str_to_int_base(s.as_bytes(), b), None, "{s:?}");
        }
        assert_eq!(str_to_int_base(b"7\0", 8), None);
        assert_eq!(str_to_int_base(b"0x10", 16), None);
        assert_eq!(str_to_int_base(b"1", 1), None);
        assert_eq!(str_to_int_base(b"1", 37), None);
    }
}
