//! The `string.format` engine for numbers (C printf as glibc does it), `tostring` of numbers
//! and the `%q` form of numbers.
//!
//! Decimal digits come from core's float formatting (`{:.*e}` and `{:.*}`), which is exact
//! and rounds ties to even like glibc; this module only reshapes them into C's layouts.

use super::Number;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

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
    let run = fmt
        .iter()
        .take_while(|c| b"-+ #0123456789.".contains(c))
        .count();
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
    while let Some(&c) = run.get(i).filter(|c| b"-+ #0".contains(c)) {
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

/// Writes `prefix` (sign, `0x`) and `body` padded to the spec's width: spaces on the right for
/// `-`, zeros between prefix and body when `zero_pad`, else spaces on the left.
fn pad(out: &mut Vec<u8>, spec: &FormatSpec, prefix: &[u8], body: &[u8], zero_pad: bool) {
    let len = prefix.len() + body.len();
    let fill = (spec.width.unwrap_or(0) as usize).saturating_sub(len);
    if spec.minus {
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.resize(out.len() + fill, b' ');
    } else if zero_pad {
        out.extend_from_slice(prefix);
        out.resize(out.len() + fill, b'0');
        out.extend_from_slice(body);
    } else {
        out.resize(out.len() + fill, b' ');
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
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
pub fn format_bytes(spec: &FormatSpec, s: &[u8], out: &mut Vec<u8>) {
    let s = match spec.precision {
        Some(p) => s.get(..p as usize).unwrap_or(s),
        None => s,
    };
    pad(out, spec, b"", s, false);
}

// ---------------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------------

/// `%d %i %u %c %o %x %X` of an integer with all flags, width and precision, like glibc
/// (`%u`, `%o`, `%x` see the two's-complement bits; `%c` writes the low byte).
pub fn format_int(spec: &FormatSpec, v: i64, out: &mut Vec<u8>) {
    if spec.conv == b'c' {
        pad(out, spec, b"", &[v as u8], false);
        return;
    }
    let (negative, mag) = match spec.conv {
        b'd' | b'i' => (v < 0, v.unsigned_abs()),
        _ => (false, v as u64),
    };
    let mut body = String::new();
    if !(mag == 0 && spec.precision == Some(0)) {
        // Writing to a String cannot fail.
        let _ = match spec.conv {
            b'o' => write!(body, "{mag:o}"),
            b'x' => write!(body, "{mag:x}"),
            b'X' => write!(body, "{mag:X}"),
            _ => write!(body, "{mag}"),
        };
    }
    let min_digits = spec.precision.unwrap_or(0) as usize;
    let mut digits = Vec::with_capacity(min_digits.max(body.len()) + 1);
    digits.resize(min_digits.saturating_sub(body.len()), b'0');
    if spec.alt && spec.conv == b'o' && digits.is_empty() && !body.starts_with('0') {
        digits.push(b'0');
    }
    digits.extend_from_slice(body.as_bytes());
    let prefix: &[u8] = match spec.conv {
        b'd' | b'i' => sign_prefix(spec, negative),
        b'x' if spec.alt && mag != 0 => b"0x",
        b'X' if spec.alt && mag != 0 => b"0X",
        _ => b"",
    };
    let zero_pad = spec.zero && spec.precision.is_none();
    pad(out, spec, prefix, &digits, zero_pad);
}

/// Appends `tostring()` of an integer.
pub fn fmt_int(i: i64, out: &mut String) {
    let _ = write!(out, "{i}");
}

// ---------------------------------------------------------------------------------------------
// Floats
// ---------------------------------------------------------------------------------------------

/// `%a %A %e %E %f %F %g %G` of a float with all flags, width and precision, like glibc
/// (`inf`/`nan` with the sign bit shown, `-nan` included; never zero-padded).
pub fn format_float(spec: &FormatSpec, v: f64, out: &mut Vec<u8>) {
    let upper = spec.conv.is_ascii_uppercase();
    let negative = v.is_sign_negative();
    let mut prefix = Vec::from(sign_prefix(spec, negative));
    if !v.is_finite() {
        let word: &[u8] = match (v.is_nan(), upper) {
            (true, false) => b"nan",
            (true, true) => b"NAN",
            (false, false) => b"inf",
            (false, true) => b"INF",
        };
        pad(out, spec, &prefix, word, false);
        return;
    }
    let a = v.abs();
    let mut body = match spec.conv.to_ascii_lowercase() {
        b'a' => {
            prefix.extend_from_slice(if upper { b"0X" } else { b"0x" });
            hex_body(a, spec.precision, spec.alt)
        }
        b'e' => exp_body(a, spec.precision.unwrap_or(6) as usize, spec.alt),
        b'g' => general_body(a, spec.precision.unwrap_or(6) as usize, spec.alt),
        _ => fixed_body(a, spec.precision.unwrap_or(6) as usize, spec.alt),
    };
    if upper {
        body.make_ascii_uppercase();
    }
    pad(out, spec, &prefix, &body, spec.zero);
}

/// Decimal digits of `a` rounded to `prec + 1` significant digits, and the decimal exponent
/// of the first digit (`a == 0` gives exponent 0).
fn exp_digits(a: f64, prec: usize) -> (Vec<u8>, i32) {
    let mut text = String::new();
    let _ = write!(text, "{:.*e}", prec.min(MAX_EXACT_DIGITS), a);
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    digits.resize(prec + 1, b'0');
    (digits, exp.parse().unwrap_or(0))
}

/// Writes the exponent part `e+05` / `e-123` (sign always, at least two digits).
fn push_exponent(body: &mut Vec<u8>, letter: u8, exp: i32) {
    body.push(letter);
    body.push(if exp < 0 { b'-' } else { b'+' });
    let mut text = String::new();
    let _ = write!(text, "{:02}", exp.unsigned_abs());
    body.extend_from_slice(text.as_bytes());
}

/// Writes `first[.rest]`, with the point when `rest` is nonempty or `alt` asks for it.
fn push_mantissa(body: &mut Vec<u8>, first: &[u8], rest: &[u8], alt: bool) {
    body.extend_from_slice(first);
    if !rest.is_empty() || alt {
        body.push(b'.');
    }
    body.extend_from_slice(rest);
}

/// `%e` of the magnitude `a`: `d.ddde+XX` with `prec` digits after the point.
fn exp_body(a: f64, prec: usize, alt: bool) -> Vec<u8> {
    let (digits, exp) = exp_digits(a, prec);
    let mut body = Vec::with_capacity(prec + 8);
    let (first, rest) = digits.split_at(1);
    push_mantissa(&mut body, first, rest, alt);
    push_exponent(&mut body, b'e', exp);
    body
}

/// `%f` of the magnitude `a`: all integer digits, `prec` digits after the point.
fn fixed_body(a: f64, prec: usize, alt: bool) -> Vec<u8> {
    let mut text = String::new();
    let _ = write!(text, "{:.*}", prec.min(MAX_EXACT_DIGITS), a);
    let mut body = text.into_bytes();
    if prec > MAX_EXACT_DIGITS {
        body.resize(body.len() + prec - MAX_EXACT_DIGITS, b'0');
    }
    if prec == 0 && alt {
        body.push(b'.');
    }
    body
}

/// `%g` of the magnitude `a`: `prec` significant digits (0 means 1) in `%f` style when the
/// exponent X satisfies -4 <= X < prec, else `%e` style; trailing zeros removed unless `alt`.
fn general_body(a: f64, prec: usize, alt: bool) -> Vec<u8> {
    let p = prec.max(1);
    let (digits, exp) = exp_digits(a, p - 1);
    let mut body = Vec::with_capacity(p + 8);
    if exp < -4 || exp as i64 >= p as i64 {
        let (first, mut rest) = digits.split_at(1);
        if alt && exp as i64 == p as i64 && rounded_up_a_decade(a, exp) {
            rest = &[]; // glibc: `%#.3g` of 999.9 is "1.e+03", not "1.00e+03"
        }
        push_mantissa(&mut body, first, trim_zeros(rest, alt), alt);
        push_exponent(&mut body, b'e', exp);
    } else if exp >= 0 {
        let (int, frac) = digits.split_at(exp as usize + 1);
        push_mantissa(&mut body, int, trim_zeros(frac, alt), alt);
    } else {
        let mut frac = Vec::with_capacity(p + 4);
        frac.resize((-exp - 1) as usize, b'0');
        frac.extend_from_slice(&digits);
        push_mantissa(&mut body, b"0", trim_zeros(&frac, alt), alt);
    }
    body
}

/// Whether `a`, rounded to a decimal exponent of `exp`, was below `10^exp` before rounding.
fn rounded_up_a_decade(a: f64, exp: i32) -> bool {
    // With this many digits the expansion is exact, so its exponent is `a`'s own.
    exp_digits(a, MAX_EXACT_DIGITS).1 < exp
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
fn hex_body(a: f64, precision: Option<u32>, alt: bool) -> Vec<u8> {
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
    let mut digits = String::new();
    if ndigits > 0 {
        let shown = ndigits.min(13);
        let _ = write!(digits, "{:0width$x}", frac, width = shown);
        digits.extend((shown..ndigits).map(|_| '0'));
    }
    let mut body = Vec::with_capacity(ndigits + 10);
    push_mantissa(&mut body, &[b'0' + lead as u8], digits.as_bytes(), alt);
    body.push(b'p');
    let mut e = String::new();
    let _ = write!(e, "{exp:+}");
    body.extend_from_slice(e.as_bytes());
    body
}

/// Appends `tostring()` of a float: `%.14g`, plus `.0` when that looks like an integer.
pub fn fmt_float(f: f64, out: &mut String) {
    let spec = FormatSpec {
        precision: Some(14),
        ..FormatSpec::plain(b'g')
    };
    let mut buf = Vec::with_capacity(24);
    format_float(&spec, f, &mut buf);
    let looks_int = buf.iter().all(|c| c.is_ascii_digit() || *c == b'-');
    out.extend(buf.iter().map(|&c| char::from(c)));
    if looks_int {
        out.push_str(".0");
    }
}

/// The `%q` form of a number: integers in decimal (`math.mininteger` as
/// `0x8000000000000000`), floats as `%a` hex floats, `1e9999`, `-1e9999` or `(0/0)`.
pub fn format_q_number(v: Number, out: &mut Vec<u8>) {
    match v {
        Number::Int(i64::MIN) => out.extend_from_slice(b"0x8000000000000000"),
        Number::Int(i) => format_int(&FormatSpec::plain(b'd'), i, out),
        Number::Float(f) if f.is_nan() => out.extend_from_slice(b"(0/0)"),
        Number::Float(f) if f == f64::INFINITY => out.extend_from_slice(b"1e9999"),
        Number::Float(f) if f == f64::NEG_INFINITY => out.extend_from_slice(b"-1e9999"),
        Number::Float(f) => format_float(&FormatSpec::plain(b'a'), f, out),
    }
}

#[cfg(test)]
#[path = "printf_tests.rs"]
mod tests;
