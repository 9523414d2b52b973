//! Unit tests of the printf engine; expected strings come from `lua5.4` on x86-64 Linux.

use super::*;
use alloc::vec;
use alloc::vec::Vec;

/// Formats `v` with the spec text `fmt` (without the leading `%`).
fn fi(fmt: &str, v: i64) -> String {
    let (spec, used) = parse_format_spec(fmt.as_bytes()).expect(fmt);
    assert_eq!(used, fmt.len(), "{fmt}");
    let mut out = Vec::new();
    format_int(&spec, v, &mut out);
    String::from_utf8(out).expect("ascii")
}

/// Formats `v` with the spec text `fmt` (without the leading `%`).
fn ff(fmt: &str, v: f64) -> String {
    let (spec, used) = parse_format_spec(fmt.as_bytes()).expect(fmt);
    assert_eq!(used, fmt.len(), "{fmt}");
    let mut out = Vec::new();
    format_float(&spec, v, &mut out);
    String::from_utf8(out).expect("ascii")
}

/// `tostring` of a float.
fn ts(v: f64) -> String {
    let mut s = String::new();
    fmt_float(v, &mut s);
    s
}

/// The `%q` text of a number.
fn q(v: Number) -> String {
    let mut out = Vec::new();
    format_q_number(v, &mut out);
    String::from_utf8(out).expect("ascii")
}

/// The error message for a spec.
fn err(fmt: &str) -> String {
    parse_format_spec(fmt.as_bytes()).expect_err(fmt)
}

/// The NaN that x86-64 produces for 0/0 (sign bit set).
fn neg_nan() -> f64 {
    -f64::NAN.abs()
}

#[test]
fn spec_errors() {
    assert_eq!(
        err("10.123f"),
        "invalid conversion specification: '%10.123f'"
    );
    assert_eq!(err("100d"), "invalid conversion specification: '%100d'");
    assert_eq!(err(".100f"), "invalid conversion specification: '%.100f'");
    assert_eq!(err("#d"), "invalid conversion specification: '%#d'");
    assert_eq!(err("+x"), "invalid conversion specification: '%+x'");
    assert_eq!(err(".3c"), "invalid conversion specification: '%.3c'");
    assert_eq!(err("05c"), "invalid conversion specification: '%05c'");
    assert_eq!(err("5.5.5d"), "invalid conversion specification: '%5.5.5d'");
    assert_eq!(err(".-5d"), "invalid conversion specification: '%.-5d'");
    assert_eq!(err("05-d"), "invalid conversion specification: '%05-d'");
    assert_eq!(err("05s"), "invalid conversion specification: '%05s'");
    assert_eq!(err(".3p"), "invalid conversion specification: '%.3p'");
    assert_eq!(err("+u"), "invalid conversion specification: '%+u'");
    assert_eq!(err("y"), "invalid conversion '%y' to 'format'");
    assert_eq!(err(""), "invalid conversion '%' to 'format'");
    assert_eq!(err("5."), "invalid conversion '%5.' to 'format'");
    assert_eq!(err("ld"), "invalid conversion '%l' to 'format'");
    assert_eq!(err("1$d"), "invalid conversion '%1$' to 'format'");
    assert_eq!(err("-10F"), "invalid conversion '%-10F' to 'format'");
    assert_eq!(err("5%"), "invalid conversion '%5%' to 'format'");
    assert_eq!(err("5\0d"), "invalid conversion '%5' to 'format'");
    assert_eq!(err("5q"), "specifier '%q' cannot have modifiers");
    assert_eq!(err("#q"), "specifier '%q' cannot have modifiers");
    assert_eq!(err("---------------------d"), "invalid format (too long)");
    assert_eq!(err("---------------------y"), "invalid format (too long)");
    assert!(parse_format_spec(b"--------------------d").is_ok());
}

#[test]
fn spec_parsing() {
    let (spec, used) = parse_format_spec(b"-+ 0-+ 012.3fXYZ").expect("valid");
    assert_eq!(used, 13);
    assert!(spec.minus && spec.plus && spec.space && spec.zero && !spec.alt);
    assert_eq!(
        (spec.width, spec.precision, spec.conv),
        (Some(12), Some(3), b'f')
    );
    let (spec, used) = parse_format_spec(b".f").expect("valid");
    assert_eq!((spec.precision, used), (Some(0), 2));
    assert_eq!(
        parse_format_spec(b"%d").expect("percent"),
        (FormatSpec::plain(b'%'), 1)
    );
    assert_eq!(
        parse_format_spec(b"q").expect("q").0,
        FormatSpec::plain(b'q')
    );
    assert_eq!(
        parse_format_spec(b"0099d").expect("valid").0.width,
        Some(99)
    );
}

#[test]
fn integers() {
    assert_eq!(fi("99d", 1).len(), 99);
    assert_eq!(fi("0-5d", 3), "3    ");
    assert_eq!(fi("++5d", 3), "   +3");
    assert_eq!(fi("5c", 65), "    A");
    assert_eq!(fi("-5c", 65), "A    ");
    assert_eq!(fi("c", 321), "A");
    assert_eq!(fi(".5d", 3), "00003");
    assert_eq!(fi(".0d", 0), "");
    assert_eq!(fi("5.0d", 0), "     ");
    assert_eq!(fi("+.0d", 0), "+");
    assert_eq!(fi(" +d", 5), "+5");
    assert_eq!(fi("0 +5d", 5), "+0005");
    assert_eq!(fi("x", -1), "ffffffffffffffff");
    assert_eq!(fi("X", 255), "FF");
    assert_eq!(fi("#x", 255), "0xff");
    assert_eq!(fi("#X", 255), "0XFF");
    assert_eq!(fi("#x", 0), "0");
    assert_eq!(fi("#o", 8), "010");
    assert_eq!(fi("#o", 0), "0");
    assert_eq!(fi("#.0o", 0), "0");
    assert_eq!(fi("#.3o", 8), "010");
    assert_eq!(fi("#5.0x", 0), "     ");
    assert_eq!(fi("o", -1), "1777777777777777777777");
    assert_eq!(fi("5.3x", 1), "  001");
    assert_eq!(fi("#.5x", 1), "0x00001");
    assert_eq!(fi("#08x", 1), "0x000001");
    assert_eq!(fi("u", -1), "18446744073709551615");
    assert_eq!(fi("05u", 1), "00001");
    assert_eq!(fi("-+05d", 1), "+1   ");
    assert_eq!(fi("+05d", -1), "-0001");
    assert_eq!(fi("05d", i64::MIN), "-9223372036854775808");
    assert_eq!(fi(".20d", i64::MIN), "-09223372036854775808");
    assert_eq!(fi("i", i64::MAX), "9223372036854775807");
    assert_eq!(fi(" 05d", 1), " 0001");
    assert_eq!(fi("08.3d", -1), "    -001");
}

#[test]
fn fixed_and_exponent() {
    assert_eq!(ff(".99f", 1.0), format!("1.{}", "0".repeat(99)));
    assert_eq!(ff(".f", 1.5), "2");
    assert_eq!(ff("5.f", 2.5), "    2");
    assert_eq!(ff(".e", 2.5), "2e+00");
    assert_eq!(ff("-#+ 012.3f", 1.0), "+1.000      ");
    assert_eq!(ff("#.0e", 1.0), "1.e+00");
    assert_eq!(ff("#.0f", 1.0), "1.");
    assert_eq!(ff("E", 1e300), "1.000000E+300");
    assert_eq!(ff("e", 1e-300), "1.000000e-300");
    assert_eq!(ff("e", 0.0), "0.000000e+00");
    assert_eq!(ff("f", -0.0), "-0.000000");
    assert_eq!(ff("05.1f", -2.25), "-02.2");
    assert_eq!(ff(".0f", 0.5), "0");
    assert_eq!(ff(".0f", 1.5), "2");
    assert_eq!(ff(".1f", 0.35), "0.3");
    assert_eq!(ff(".2e", 1.125), "1.12e+00");
    assert_eq!(ff(".3f", 1e300).len(), 305);
    assert_eq!(
        ff(".99e", 0.1),
        format!(
            "1.000000000000000055511151231257827021181583404541015625{}e-01",
            "0".repeat(45)
        )
    );
    assert_eq!(ff("f", 5e-324), "0.000000");
    assert_eq!(ff("+f", 1.0), "+1.000000");
    assert_eq!(ff(" f", 1.0), " 1.000000");
}

#[test]
fn non_finite() {
    assert_eq!(ff("f", f64::NEG_INFINITY), "-inf");
    assert_eq!(ff("5.1f", neg_nan()), " -nan");
    assert_eq!(ff("+f", f64::NAN.abs()), "+nan");
    assert_eq!(ff("010f", f64::INFINITY), "       inf");
    assert_eq!(ff(" e", f64::INFINITY), " inf");
    assert_eq!(ff("-6G", f64::INFINITY), "INF   ");
    assert_eq!(ff("A", neg_nan()), "-NAN");
    assert_eq!(ff("a", f64::INFINITY), "inf");
}

#[test]
fn general() {
    assert_eq!(ff("g", 100000.0), "100000");
    assert_eq!(ff("g", 1000000.0), "1e+06");
    assert_eq!(ff("g", 1e-4), "0.0001");
    assert_eq!(ff("g", 1e-5), "1e-05");
    assert_eq!(ff("#g", 1.0), "1.00000");
    assert_eq!(ff("# 5g", 5.0), " 5.00000");
    assert_eq!(ff(".0g", 0.5), "0.5");
    assert_eq!(ff(".0g", 1.5), "2");
    assert_eq!(ff(".0g", 2.5), "2");
    assert_eq!(ff("g", 0.0), "0");
    assert_eq!(ff("G", 1e-10), "1E-10");
    assert_eq!(ff(".20g", 0.1), "0.10000000000000000555");
    assert_eq!(ff("g", 999999.5), "1e+06");
    assert_eq!(ff("g", 0.000123456789), "0.000123457");
    assert_eq!(ff("#.3g", 1e-5), "1.00e-05");
    assert_eq!(ff("010g", -1.5), "-0000001.5");
    // glibc's `#` quirk when rounding carries %g from f-style into e-style.
    assert_eq!(ff("#.3g", 999.9), "1.e+03");
    assert_eq!(ff("#g", 999999.9), "1.e+06");
    assert_eq!(ff("#.1g", 9.9), "1.e+01");
    assert_eq!(ff("#.3g", 9999.9), "1.00e+04");
    assert_eq!(ff("#.3g", 99.99), "100.");
    assert_eq!(ff("#.3g", 9.9999e-5), "0.000100");
    assert_eq!(ff(".3g", 999.9), "1e+03");
}

#[test]
fn hex_floats() {
    assert_eq!(ff("a", 1.0), "0x1p+0");
    assert_eq!(ff("a", 3.0), "0x1.8p+1");
    assert_eq!(ff("#5.3a", 1.0), "0x1.000p+0");
    assert_eq!(ff("#.0a", 1.0), "0x1.p+0");
    assert_eq!(ff(".0a", 1.9375), "0x2p+0");
    assert_eq!(ff(".0a", 1.5), "0x2p+0");
    assert_eq!(ff(".0a", 3.0), "0x2p+1");
    assert_eq!(ff(".1a", 1.03125), "0x1.0p+0");
    assert_eq!(ff(".1a", 1.09375), "0x1.2p+0");
    assert_eq!(ff(".1a", 1.0625), "0x1.1p+0");
    assert_eq!(ff("a", 5e-324), "0x0.0000000000001p-1022");
    assert_eq!(ff(".3a", 5e-324), "0x0.000p-1022");
    assert_eq!(ff("A", 255.5), "0X1.FFP+7");
    assert_eq!(ff(".0a", 0.0), "0x0p+0");
    assert_eq!(ff("#.0a", 0.0), "0x0.p+0");
    assert_eq!(ff("a", -0.0), "-0x0p+0");
    assert_eq!(ff("a", f64::MAX), "0x1.fffffffffffffp+1023");
    assert_eq!(ff(".15a", 1.0), "0x1.000000000000000p+0");
    assert_eq!(ff("012a", 1.0), "0x0000001p+0");
    assert_eq!(ff("a", 0.1), "0x1.999999999999ap-4");
}

#[test]
fn tostring_of_floats() {
    assert_eq!(ts(neg_nan()), "-nan");
    assert_eq!(ts(f64::NAN.abs()), "nan");
    assert_eq!(ts(1e308 * 10.0), "inf");
    assert_eq!(ts(-1e308 * 10.0), "-inf");
    assert_eq!(ts(1e100), "1e+100");
    assert_eq!(ts(1e-5), "1e-05");
    assert_eq!(ts(9.223372036854776e18), "9.2233720368548e+18");
    assert_eq!(ts(-0.0), "-0.0");
    assert_eq!(ts(1e15), "1e+15");
    assert_eq!(ts(123456789012345.0), "1.2345678901234e+14");
    assert_eq!(ts(12345678901234.0), "12345678901234.0");
    assert_eq!(ts(0.1), "0.1");
    assert_eq!(ts(1.0 / 3.0), "0.33333333333333");
    assert_eq!(ts(100.0), "100.0");
    assert_eq!(ts(5e-324), "4.9406564584125e-324");
    let mut s = String::from("x=");
    fmt_int(i64::MIN, &mut s);
    assert_eq!(s, "x=-9223372036854775808");
}

#[test]
fn quoted_numbers() {
    assert_eq!(q(Number::Float(1.0)), "0x1p+0");
    assert_eq!(q(Number::Float(1e100)), "0x1.249ad2594c37dp+332");
    assert_eq!(q(Number::Int(i64::MIN)), "0x8000000000000000");
    assert_eq!(q(Number::Int(-5)), "-5");
    assert_eq!(q(Number::Float(f64::INFINITY)), "1e9999");
    assert_eq!(q(Number::Float(f64::NEG_INFINITY)), "-1e9999");
    assert_eq!(q(Number::Float(neg_nan())), "(0/0)");
    assert_eq!(q(Number::Float(f64::NAN.abs())), "(0/0)");
    assert_eq!(q(Number::Float(-0.0)), "-0x0p+0");
    assert_eq!(q(Number::Float(5e-324)), "0x0.0000000000001p-1022");
}

#[test]
fn strings() {
    let run = |fmt: &str, s: &str| {
        let (spec, _) = parse_format_spec(fmt.as_bytes()).expect(fmt);
        let mut out = Vec::new();
        format_bytes(&spec, s.as_bytes(), &mut out);
        String::from_utf8(out).expect("ascii")
    };
    assert_eq!(run(".3s", "abcdef"), "abc");
    assert_eq!(run("5s", "ab"), "   ab");
    assert_eq!(run("-5s", "ab"), "ab   ");
    assert_eq!(run(".0s", "a"), "");
    assert_eq!(run("-8.2s", "abc"), "ab      ");
}

#[test]
fn huge_precision_is_exact_and_does_not_panic() {
    let spec = FormatSpec {
        precision: Some(5000),
        ..FormatSpec::plain(b'f')
    };
    let mut out = Vec::new();
    format_float(&spec, 0.1, &mut out);
    assert_eq!(out.len(), 5002);
    assert!(out.starts_with(b"0.1000000000000000055511151231257827"));
    let spec = FormatSpec {
        precision: Some(3000),
        ..FormatSpec::plain(b'e')
    };
    out.clear();
    format_float(&spec, 1.0, &mut out);
    assert_eq!(out.len(), 3006);
    assert!(out.ends_with(b"0e+00"));
}

#[test]
fn small_precision_fixed_digits_agree_with_exact_formatting() {
    // FIXED-FAST against core's exact digits: random magnitudes, halfway cases
    // (k / 2^n, whose expansions end in 5) and the edges of the fast range.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut values = vec![
        0.0,
        5e-324,
        0.5,
        1.5,
        2.5,
        0.125,
        0.375,
        999.9995,
        9.223_372_036_854_775e18,
        TWO_63,
        9.007_199_254_740_993e15,
        123_456.062_5,
    ];
    for _ in 0..4000 {
        let r = next();
        let mag = (r >> 11) as f64 / (1u64 << 53) as f64;
        let scale = 10f64.powi((r % 40) as i32 - 20);
        values.push(mag * scale);
        values.push(((r >> 20) % 100_000) as f64 / f64::from(1u32 << (r % 12)));
    }
    for &a in &values {
        for prec in 0..=SMALL_PREC {
            let mut fast = Body::new();
            let taken = fixed_small(a, prec, false, &mut fast);
            assert_eq!(taken, a < TWO_63, "{a}");
            if !taken {
                continue;
            }
            let mut exact = Body::new();
            let _ = write!(exact, "{:.*}", prec, a);
            assert_eq!(fast.as_slice(), exact.as_slice(), "{a:e} %.{prec}f");
        }
    }
    let mut out = Body::new();
    assert!(
        !fixed_small(1e19, 3, false, &mut out),
        "past 2^63: the general path"
    );
    assert!(!fixed_small(1.0, 10, false, &mut out), "past the precision");
    assert!(out.as_slice().is_empty());
    assert_eq!(ff("7.3f", 2.5), "  2.500");
    assert_eq!(ff("#.0f", 2.5), "2.");
}
