//! The `string.format` engine for numbers (C printf as glibc does it), `tostring` of numbers
//! and the `%q` form of numbers.
//!
//! Decimal digits of floats come from core's float formatting (`{:.*e}` and `{:.*}`),
//! which is exact and rounds ties to even like glibc; this module only reshapes them into
//! C's layouts. The common `%.Nf` with N up to 9 of a magnitude below 2^63 is computed
//! here with the same exact rounding in 128-bit integers (FIXED-FAST: core's exact
//! mode falls back to bignums for many such values). Integers are converted by hand. Nothing here allocates for output that
//! fits the stack buffers ([`StackBuf`]); every engine function writes to any [`Sink`].

use super::buf::{push_ascii, Sink, StackBuf};
use super::Number;
use alloc::format;
use alloc::string::String;
use core::fmt::Write;

/// Stack room for one conversion's body (digits, point, exponent); longer bodies (huge
/// precisions, `%f` of huge numbers) move to the heap.
type Body = StackBuf<128>;

/// Longest run of flag/width/precision characters `string.format` accepts in one spec.
const MAX_SPEC_RUN: usize = 20;

/// Precision beyond which every double's `%e`/`%f` digits are zeros (a double's exact decimal
/// expansion has at most 1074 fractional digits and 767 significant digits).
const MAX_EXACT_DIGITS: usize = 1100;

// ---------------------------------------------------------------------------------------------
// Conversion specs
// ---------------------------------------------------------------------------------------------

/// One conversion spec as `string.format` accepts it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormatSpec {
    /// `-`: left-justify within the width.
    pub minus: bool,
    /// `+`: always print a sign for signed conversions.
    pub plus: bool,
    /// ` `: print a space where a `+` sign would go.
    pub space: bool,
    /// `#`: alternate form (`0x` prefix, leading octal 0, always a decimal point).
    pub alt: bool,
    /// `0`: pad with zeros after the sign/prefix instead of spaces before.
    pub zero: bool,
    /// Minimum field width.
    pub width: Option<u32>,
    /// Precision (digits after the point, significant digits, minimum digits, max chars).
    pub precision: Option<u32>,
    /// The conversion character (`d`, `x`, `g`, `s`, `q`, ... or `%` for a literal percent).
    pub conv: u8,
}

impl FormatSpec {
    /// A spec with no flags, width or precision.
    pub fn plain(conv: u8) -> Self {
        FormatSpec {
            conv,
            ..FormatSpec::default()
        }
    }
}

/// Is `c` a flag character (`-+ #0`)?
#[inline]
fn is_flag(c: u8) -> bool {
    matches!(c, b'-' | b'+' | b' ' | b'#' | b'0')
}

/// Length of the run of flag, width and precision characters at the start of `fmt`.
#[inline]
pub fn spec_run(fmt: &[u8]) -> usize {
    fmt.iter()
        .take_while(|&&c| is_flag(c) || c.is_ascii_digit() || c == b'.')
        .count()
}

/// Per-conversion rules: the flags allowed and whether a precision is allowed.
fn conv_rules(conv: u8) -> Option<(&'static [u8], bool)> {
    match conv {
        b'c' | b'p' => Some((b"-", false)),
        b's' => Some((b"-", true)),
        b'd' | b'i' => Some((b"-+ 0", true)),
        b'u' => Some((b"-0", true)),
        b'o' | b'x' | b'X' => Some((b"-#0", true)),
        b'a' | b'A' | b'e' | b'E' | b'f' | b'g' | b'G' => Some((b"-+ #0", true)),
        b'q' => Some((b"", false)),
        _ => None,
    }
}

/// Parses a spec starting just after a `%`: flags from "-+ #0", at most two width digits,
/// optionally `.` and at most two precision digits, then the conversion character.
/// Returns the spec and the bytes consumed, or the error message `lua5.4` raises.
/// A `%` right after the `%` gives `conv == b'%'` (a literal percent).
pub fn parse_format_spec(fmt: &[u8]) -> Result<(FormatSpec, usize), String> {
    if fmt.first() == Some(&b'%') {
        return Ok((FormatSpec::plain(b'%'), 1));
    }
    let run = spec_run(fmt);
    if run > MAX_SPEC_RUN {
        return Err(String::from("invalid format (too long)"));
    }
    let conv = fmt.get(run).copied().unwrap_or(0);
    let spec_text = || {
        let end = if conv == 0 { run } else { run + 1 };
        String::from_utf8_lossy(fmt.get(..end).unwrap_or(fmt)).into_owned()
    };
    let Some((allowed, precision_ok)) = conv_rules(conv) else {
        return Err(format!("invalid conversion '%{}' to 'format'", spec_text()));
    };
    if conv == b'q' && run > 0 {
        return Err(String::from("specifier '%q' cannot have modifiers"));
    }
    parse_modifiers(
        fmt.get(..run).unwrap_or_default(),
        conv,
        allowed,
        precision_ok,
    )
    .map(|spec| (spec, run + 1))
    .ok_or_else(|| format!("invalid conversion specification: '%{}'", spec_text()))
}

/// Checks and decodes the flags/width/precision run of a spec for conversion `conv`.
fn parse_modifiers(run: &[u8], conv: u8, allowed: &[u8], precision_ok: bool) -> Option<FormatSpec> {
    let mut spec = FormatSpec::plain(conv);
    let mut i = 0;
    while let Some(&c) = run.get(i).filter(|&&c| is_flag(c)) {
        if !allowed.contains(&c) {
            return None;
        }
        match c {
            b'-' => spec.minus = true,
            b'+' => spec.plus = true,
            b' ' => spec.space = true,
            b'#' => spec.alt = true,
            _ => spec.zero = true,
        }
        i += 1;
    }
    spec.width = two_digits(run, &mut i);
    if run.get(i) == Some(&b'.') {
        if !precision_ok {
            return None;
        }
        i += 1;
        spec.precision = Some(two_digits(run, &mut i).unwrap_or(0));
    }
    (i == run.len()).then_some(spec)
}

/// Reads up to two decimal digits at `run[*i..]`.
fn two_digits(run: &[u8], i: &mut usize) -> Option<u32> {
    let mut value = None;
    for _ in 0..2 {
        match run.get(*i) {
            Some(c) if c.is_ascii_digit() => {
                value = Some(value.unwrap_or(0) * 10 + u32::from(c - b'0'));
                *i += 1;
            }
            _ => break,
        }
    }
    value
}

// ---------------------------------------------------------------------------------------------
// Padding
// ---------------------------------------------------------------------------------------------

/// Writes `prefix` (sign, `0x`), `zeros` zeros and `body` padded to the spec's width:
/// spaces on the right for `-`, zeros after the prefix when `zero_pad`, else spaces on
/// the left.
#[inline]
fn pad<S: Sink + ?Sized>(
    out: &mut S,
    spec: &FormatSpec,
    prefix: &[u8],
    zeros: usize,
    body: &[u8],
    zero_pad: bool,
) {
    let len = prefix.len() + zeros + body.len();
    let fill = (spec.width.unwrap_or(0) as usize).saturating_sub(len);
    if fill == 0 {
        out.put_slice(prefix);
        out.fill(b'0', zeros);
        out.put_slice(body);
    } else if spec.minus {
        out.put_slice(prefix);
        out.fill(b'0', zeros);
        out.put_slice(body);
        out.fill(b' ', fill);
    } else if zero_pad {
        out.put_slice(prefix);
        out.fill(b'0', fill + zeros);
        out.put_slice(body);
    } else {
        out.fill(b' ', fill);
        out.put_slice(prefix);
        out.fill(b'0', zeros);
        out.put_slice(body);
    }
}

/// The sign prefix of a signed conversion: `-`, or `+`/space per the flags, or nothing.
fn sign_prefix(spec: &FormatSpec, negative: bool) -> &'static [u8] {
    if negative {
        b"-"
    } else if spec.plus {
        b"+"
    } else if spec.space {
        b" "
    } else {
        b""
    }
}

/// `%s`: `s` truncated to the precision (if any) and padded to the width.
pub fn format_bytes<S: Sink + ?Sized>(spec: &FormatSpec, s: &[u8], out: &mut S) {
    let s = match spec.precision {
        Some(p) => s.get(..p as usize).unwrap_or(s),
        None => s,
    };
    pad(out, spec, b"", 0, s, false);
}

// ---------------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------------

/// Room for the digits of any `u64` in any base the engine uses (22 octal digits).
const DIGITS: usize = 24;

/// "00" "01" ... "99": two decimal digits at a time.
const DEC_PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Writes the decimal digits of `n` right-aligned in `buf`; returns where they start.
#[inline]
fn decimal_digits(mut n: u64, buf: &mut [u8; DIGITS]) -> usize {
    let mut i = DIGITS;
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i] = DEC_PAIRS[d];
        buf[i + 1] = DEC_PAIRS[d + 1];
    }
    if n >= 10 {
        let d = n as usize * 2;
        i -= 2;
        buf[i] = DEC_PAIRS[d];
        buf[i + 1] = DEC_PAIRS[d + 1];
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    i
}

/// Writes the digits of `n` in base `1 << bits` (3: octal, 4: hex with `digits`)
/// right-aligned in `buf`; returns where they start.
fn power_of_two_digits(mut n: u64, bits: u32, digits: &[u8; 16], buf: &mut [u8; DIGITS]) -> usize {
    let mask = (1u64 << bits) - 1;
    let mut i = DIGITS;
    loop {
        i -= 1;
        buf[i] = digits[(n & mask) as usize];
        n >>= bits;
        if n == 0 {
            return i;
        }
    }
}

/// Lower-case hexadecimal digits.
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
/// Upper-case hexadecimal digits.
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The digits of `mag` for conversion `conv` (`o`, `x`, `X`, else decimal) in `buf`;
/// returns where they start.
fn int_digits(mag: u64, conv: u8, buf: &mut [u8; DIGITS]) -> usize {
    match conv {
        b'o' => power_of_two_digits(mag, 3, HEX_LOWER, buf),
        b'x' => power_of_two_digits(mag, 4, HEX_LOWER, buf),
        b'X' => power_of_two_digits(mag, 4, HEX_UPPER, buf),
        _ => decimal_digits(mag, buf),
    }
}

/// `%d %i %u %c %o %x %X` of an integer with all flags, width and precision, like glibc
/// (`%u`, `%o`, `%x` see the two's-complement bits; `%c` writes the low byte).
pub fn format_int<S: Sink + ?Sized>(spec: &FormatSpec, v: i64, out: &mut S) {
    if spec.conv == b'c' {
        pad(out, spec, b"", 0, &[v as u8], false);
        return;
    }
    let (negative, mag) = match spec.conv {
        b'd' | b'i' => (v < 0, v.unsigned_abs()),
        _ => (false, v as u64),
    };
    let mut buf = [0u8; DIGITS];
    let start = if mag == 0 && spec.precision == Some(0) {
        DIGITS
    } else {
        int_digits(mag, spec.conv, &mut buf)
    };
    let body = buf.get(start..).unwrap_or_default();
    let mut zeros = (spec.precision.unwrap_or(0) as usize).saturating_sub(body.len());
    if spec.alt && spec.conv == b'o' && zeros == 0 && body.first() != Some(&b'0') {
        zeros = 1;
    }
    let prefix: &[u8] = match spec.conv {
        b'd' | b'i' => sign_prefix(spec, negative),
        b'x' if spec.alt && mag != 0 => b"0x",
        b'X' if spec.alt && mag != 0 => b"0X",
        _ => b"",
    };
    let zero_pad = spec.zero && spec.precision.is_none();
    pad(out, spec, prefix, zeros, body, zero_pad);
}

/// Appends `tostring()` of an integer (`%d`) to any sink.
#[inline]
pub fn push_int<S: Sink + ?Sized>(i: i64, out: &mut S) {
    let mut buf = [0u8; DIGITS];
    let start = decimal_digits(i.unsigned_abs(), &mut buf);
    if i < 0 {
        out.put(b'-');
    }
    out.put_slice(buf.get(start..).unwrap_or_default());
}

/// Appends `tostring()` of an integer.
pub fn fmt_int(i: i64, out: &mut String) {
    let mut b = StackBuf::<DIGITS>::new();
    push_int(i, &mut b);
    push_ascii(out, b.as_slice());
}

// ---------------------------------------------------------------------------------------------
// Floats
// ---------------------------------------------------------------------------------------------

/// `%a %A %e %E %f %F %g %G` of a float with all flags, width and precision, like glibc
/// (`inf`/`nan` with the sign bit shown, `-nan` included; never zero-padded).
pub fn format_float<S: Sink + ?Sized>(spec: &FormatSpec, v: f64, out: &mut S) {
    let upper = spec.conv.is_ascii_uppercase();
    let sign = sign_prefix(spec, v.is_sign_negative());
    if !v.is_finite() {
        let word: &[u8] = match (v.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        pad(out, spec, sign, 0, word, false);
        return;
    }
    let a = v.abs();
    let mut body = Body::new();
    let lower = spec.conv.to_ascii_lowercase();
    match lower {
        b'a' => hex_body(a, spec.precision, spec.alt, &mut body),
        b'e' => exp_body(a, spec.precision.unwrap_or(6) as usize, spec.alt, &mut body),
        b'g' => general_body(a, spec.precision.unwrap_or(6) as usize, spec.alt, &mut body),
        _ => fixed_body(a, spec.precision.unwrap_or(6) as usize, spec.alt, &mut body),
    }
    if upper {
        body.as_mut_slice().make_ascii_uppercase();
    }
    if lower == b'a' {
        let mut prefix = [0u8; 3];
        let n = sign.len();
        prefix[..n].copy_from_slice(sign);
        prefix[n..n + 2].copy_from_slice(if upper { b"0X" } else { b"0x" });
        pad(out, spec, &prefix[..n + 2], 0, body.as_slice(), spec.zero);
    } else {
        pad(out, spec, sign, 0, body.as_slice(), spec.zero);
    }
}

/// Decimal digits of `a` rounded to `prec + 1` significant digits, written to `digits`,
/// and the decimal exponent of the first digit (`a == 0` gives exponent 0).
fn exp_digits<const N: usize>(a: f64, prec: usize, digits: &mut StackBuf<N>) -> i32 {
    let _ = write!(digits, "{:.*e}", prec.min(MAX_EXACT_DIGITS), a);
    let text = digits.as_slice();
    let epos = text.iter().rposition(|&c| c == b'e').unwrap_or(text.len());
    let exp = parse_exponent(text.get(epos + 1..).unwrap_or_default());
    let cut = text.len() - epos;
    digits.truncate_by(cut);
    if digits.as_slice().get(1) == Some(&b'.') {
        digits.as_mut_slice().copy_within(2.., 1);
        digits.truncate_by(1);
    }
    let have = digits.len();
    if have < prec + 1 {
        digits.fill(b'0', prec + 1 - have);
    }
    exp
}

/// The value of an exponent as core prints it (`5`, `-300`).
fn parse_exponent(text: &[u8]) -> i32 {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mag = digits.iter().fold(0i32, |e, &d| {
        e.saturating_mul(10).saturating_add(i32::from(d - b'0'))
    });
    if negative {
        -mag
    } else {
        mag
    }
}

/// Writes the exponent part `e+05` / `e-123` (sign always, at least two digits).
fn push_exponent<S: Sink + ?Sized>(body: &mut S, letter: u8, exp: i32) {
    body.put(letter);
    body.put(if exp < 0 { b'-' } else { b'+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        body.put(b'0');
    }
    let mut buf = [0u8; DIGITS];
    let start = decimal_digits(u64::from(e), &mut buf);
    body.put_slice(buf.get(start..).unwrap_or_default());
}

/// Writes `first[.rest]`, with the point when `rest` is nonempty or `alt` asks for it.
fn push_mantissa<S: Sink + ?Sized>(body: &mut S, first: &[u8], rest: &[u8], alt: bool) {
    body.put_slice(first);
    if !rest.is_empty() || alt {
        body.put(b'.');
    }
    body.put_slice(rest);
}

/// `%e` of the magnitude `a`: `d.ddde+XX` with `prec` digits after the point.
fn exp_body(a: f64, prec: usize, alt: bool, body: &mut Body) {
    let mut digits = Body::new();
    let exp = exp_digits(a, prec, &mut digits);
    let (first, rest) = digits.as_slice().split_at(1);
    push_mantissa(body, first, rest, alt);
    push_exponent(body, b'e', exp);
}

/// `%f` of the magnitude `a`: all integer digits, `prec` digits after the point.
fn fixed_body(a: f64, prec: usize, alt: bool, body: &mut Body) {
    if fixed_small(a, prec, alt, body) {
        return;
    }
    let _ = write!(body, "{:.*}", prec.min(MAX_EXACT_DIGITS), a);
    if prec > MAX_EXACT_DIGITS {
        body.fill(b'0', prec - MAX_EXACT_DIGITS);
    }
    if prec == 0 && alt {
        body.put(b'.');
    }
}

/// The largest precision [`fixed_small`] handles: `10^9 < 2^30`, so a 53-bit mantissa
/// times it fits 83 bits.
const SMALL_PREC: usize = 9;

/// 2^63, past which [`fixed_small`]'s integer part may not fit 64 bits.
const TWO_63: f64 = (1u64 << 63) as f64;

/// `%f` of the magnitude `a` (finite) by exact integer arithmetic when `prec` is at most
/// [`SMALL_PREC`] and `a < 2^63` (anchor: FIXED-FAST): `a = m * 2^e` exactly, so
/// `a * 10^prec` is `m * 10^prec` shifted by `e`, and the digits are its quotient
/// rounded half to even on the remainder, as glibc rounds the exact value (and as
/// core's exact formatting does, which a common `%.3f` otherwise reaches through its
/// slower bignum fallback). False, with nothing written, otherwise.
fn fixed_small(a: f64, prec: usize, alt: bool, body: &mut Body) -> bool {
    if prec > SMALL_PREC || a >= TWO_63 {
        return false;
    }
    let bits = a.to_bits();
    let (exp, frac) = (((bits >> 52) & 0x7ff) as i32, bits & ((1 << 52) - 1));
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, exp - 1075)
    };
    let scale = 10u64.pow(prec as u32);
    let (int, fract) = if e >= 0 {
        // An integer below 2^63.
        (m << e, 0)
    } else {
        let num = u128::from(m) * u128::from(scale);
        let s = e.unsigned_abs();
        let q = if s >= 128 {
            // Below 2^83 / 2^127: less than half of the last digit.
            0
        } else {
            let q = num >> s;
            let r = num & ((1u128 << s) - 1);
            let half = 1u128 << (s - 1);
            if r > half || (r == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        };
        // q <= (2^63 - 1) * 10^prec / 10^prec rounded: the parts fit 64 bits.
        (
            (q / u128::from(scale)) as u64,
            (q % u128::from(scale)) as u64,
        )
    };
    let mut buf = [0u8; DIGITS];
    let start = decimal_digits(int, &mut buf);
    body.put_slice(buf.get(start..).unwrap_or_default());
    if prec > 0 || alt {
        body.put(b'.');
    }
    if prec > 0 {
        let start = decimal_digits(fract, &mut buf);
        body.fill(b'0', prec - (DIGITS - start));
        body.put_slice(buf.get(start..).unwrap_or_default());
    }
    true
}

/// `%g` of the magnitude `a`: `prec` significant digits (0 means 1) in `%f` style when the
/// exponent X satisfies -4 <= X < prec, else `%e` style; trailing zeros removed unless `alt`.
fn general_body(a: f64, prec: usize, alt: bool, body: &mut Body) {
    let p = prec.max(1);
    let mut digits = Body::new();
    let exp = exp_digits(a, p - 1, &mut digits);
    let digits = digits.as_slice();
    if exp < -4 || exp as i64 >= p as i64 {
        let (first, mut rest) = digits.split_at(1);
        if alt && exp as i64 == p as i64 && rounded_up_a_decade(a, exp) {
            rest = &[]; // glibc: `%#.3g` of 999.9 is "1.e+03", not "1.00e+03"
        }
        push_mantissa(body, first, trim_zeros(rest, alt), alt);
        push_exponent(body, b'e', exp);
    } else if exp >= 0 {
        let (int, frac) = digits.split_at((exp as usize + 1).min(digits.len()));
        push_mantissa(body, int, trim_zeros(frac, alt), alt);
    } else {
        let lead = (-exp - 1) as usize;
        let frac = trim_zeros(digits, alt);
        body.put_slice(b"0");
        if !frac.is_empty() || alt {
            body.put(b'.');
            body.fill(b'0', lead);
        }
        body.put_slice(frac);
    }
}

/// Whether `a`, rounded to a decimal exponent of `exp`, was below `10^exp` before rounding.
fn rounded_up_a_decade(a: f64, exp: i32) -> bool {
    // With this many digits the expansion is exact, so its exponent is `a`'s own.
    let mut digits = StackBuf::<0>::new();
    exp_digits(a, MAX_EXACT_DIGITS, &mut digits) < exp
}

/// `digits` without trailing zeros, unless `keep`.
fn trim_zeros(digits: &[u8], keep: bool) -> &[u8] {
    if keep {
        return digits;
    }
    let len = digits.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
    digits.get(..len).unwrap_or(digits)
}

/// `%a` of the magnitude `a` after the `0x`: `1.8p+1`, subnormals as `0x0.xxxp-1022`,
/// zero as `0p+0`; with a precision the fraction is rounded to nearest-even (a carry makes
/// the leading digit 2, as glibc prints it).
fn hex_body(a: f64, precision: Option<u32>, alt: bool, body: &mut Body) {
    let bits = a.to_bits();
    let biased = (bits >> 52) as i32;
    let mut frac = bits & ((1 << 52) - 1);
    let mut lead = u64::from(biased != 0);
    let exp = match (biased, frac) {
        (0, 0) => 0,
        (0, _) => -1022,
        _ => biased - 1023,
    };
    let ndigits = match precision {
        Some(p) => p as usize,
        None => 13 - (frac.trailing_zeros().min(52) / 4) as usize,
    };
    if ndigits < 13 {
        let drop = 52 - 4 * ndigits as u32;
        let kept = frac >> drop;
        let rest = frac & ((1 << drop) - 1);
        let half = 1u64 << (drop - 1);
        let odd = if ndigits == 0 { lead & 1 } else { kept & 1 };
        let up = rest > half || (rest == half && odd == 1);
        frac = kept + u64::from(up);
        if frac >> (4 * ndigits) != 0 {
            frac = 0;
            lead += 1;
        }
    }
    body.put(b'0' + lead as u8);
    if ndigits > 0 || alt {
        body.put(b'.');
    }
    if ndigits > 0 {
        let shown = ndigits.min(13);
        let mut buf = [0u8; DIGITS];
        let start = power_of_two_digits(frac, 4, HEX_LOWER, &mut buf);
        let len = DIGITS - start;
        body.fill(b'0', shown.saturating_sub(len));
        body.put_slice(buf.get(start..).unwrap_or_default());
        body.fill(b'0', ndigits - shown);
    }
    body.put(b'p');
    body.put(if exp < 0 { b'-' } else { b'+' });
    let mut buf = [0u8; DIGITS];
    let start = decimal_digits(u64::from(exp.unsigned_abs()), &mut buf);
    body.put_slice(buf.get(start..).unwrap_or_default());
}

/// Largest magnitude below which an integral float's `%.14g` is its integer digits.
const INTEGRAL_FAST: f64 = 1e14;

/// Appends `tostring()` of a float to any sink: `%.14g`, plus `.0` when that looks like
/// an integer.
pub fn push_float<S: Sink + ?Sized>(f: f64, out: &mut S) {
    if f.abs() < INTEGRAL_FAST && f == libm::trunc(f) {
        // An integral value with at most 14 digits prints as them (a zero keeps its sign).
        if f.is_sign_negative() {
            out.put(b'-');
        }
        push_int(f.abs() as i64, out);
        out.put_slice(b".0");
        return;
    }
    let spec = FormatSpec {
        precision: Some(14),
        ..FormatSpec::plain(b'g')
    };
    let mut buf = Body::new();
    format_float(&spec, f, &mut buf);
    let text = buf.as_slice();
    out.put_slice(text);
    if text.iter().all(|c| c.is_ascii_digit() || *c == b'-') {
        out.put_slice(b".0");
    }
}

/// Appends `tostring()` of a float: `%.14g`, plus `.0` when that looks like an integer.
pub fn fmt_float(f: f64, out: &mut String) {
    let mut buf = Body::new();
    push_float(f, &mut buf);
    push_ascii(out, buf.as_slice());
}

/// The `%q` form of a number: integers in decimal (`math.mininteger` as
/// `0x8000000000000000`), floats as `%a` hex floats, `1e9999`, `-1e9999` or `(0/0)`.
pub fn format_q_number<S: Sink + ?Sized>(v: Number, out: &mut S) {
    match v {
        Number::Int(i64::MIN) => out.put_slice(b"0x8000000000000000"),
        Number::Int(i) => push_int(i, out),
        Number::Float(f) if f.is_nan() => out.put_slice(b"(0/0)"),
        Number::Float(f) if f == f64::INFINITY => out.put_slice(b"1e9999"),
        Number::Float(f) if f == f64::NEG_INFINITY => out.put_slice(b"-1e9999"),
        Number::Float(f) => format_float(&FormatSpec::plain(b'a'), f, out),
    }
}

#[cfg(test)]
#[path = "printf_tests.rs"]
mod tests;
