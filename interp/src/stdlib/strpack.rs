//! The engine of `string.pack`, `string.packsize` and `string.unpack` (manual §6.4.2),
//! independent of the VM: values come from and go to an [`ArgSource`] / [`Unpacked`].

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Largest integral size an option may ask for.
const MAX_INT_SIZE: usize = 16;
/// Bytes of a Lua integer.
const SZINT: usize = 8;
/// Default maximum alignment of `!` (that of a double / 64-bit integer).
const NATIVE_ALIGN: usize = 8;
/// Largest total size (C's `INT_MAX`, as `lua5.4` limits it).
const MAX_SIZE: usize = i32::MAX as usize;

/// An error of the pack functions.
#[derive(Debug)]
pub enum PackError {
    /// A plain error ("invalid format option 'y'"), raised with position information.
    Msg(String),
    /// "bad argument #n to 'pack' (msg)".
    Arg(usize, String),
    /// An error the argument source raised (a type error of the binding).
    Lua(crate::error::LuaError),
}

impl PartialEq for PackError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (PackError::Msg(a), PackError::Msg(b)) => a == b,
            (PackError::Arg(n, a), PackError::Arg(m, b)) => n == m && a == b,
            _ => false,
        }
    }
}

/// Shorthand for argument errors.
fn arg_err<T>(n: usize, msg: &str) -> Result<T, PackError> {
    Err(PackError::Arg(n, String::from(msg)))
}

/// The kind of one format option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Signed integer.
    Int,
    /// Unsigned integer.
    Uint,
    /// `f`: a C float.
    Float,
    /// `n`: a Lua float.
    Number,
    /// `d`: a C double.
    Double,
    /// `cn`: fixed-size string.
    Char,
    /// `sn`: string preceded by its length.
    Str,
    /// `z`: zero-terminated string.
    Zstr,
    /// `x`: one padding byte.
    Padding,
    /// `Xop`: align to `op`.
    PadAlign,
    /// Settings and spaces: no data.
    Nop,
}

/// One option with its size and the padding to put in front of it.
#[derive(Clone, Copy, Debug)]
struct Opt {
    kind: Kind,
    size: usize,
    align_pad: usize,
}

/// Parser state over a format string.
struct Format<'a> {
    fmt: &'a [u8],
    pos: usize,
    little: bool,
    max_align: usize,
}

impl<'a> Format<'a> {
    /// A parser at the start of `fmt`, little-endian and without alignment.
    fn new(fmt: &'a [u8]) -> Self {
        Format {
            fmt,
            pos: 0,
            little: true,
            max_align: 1,
        }
    }

    /// True when the format is exhausted.
    fn done(&self) -> bool {
        self.pos >= self.fmt.len()
    }

    /// Reads an optional decimal size (digits stop before overflowing `int`).
    fn number(&mut self, default: usize) -> usize {
        let digit = |s: &Self| {
            s.fmt
                .get(s.pos)
                .filter(|c| c.is_ascii_digit())
                .map(|c| usize::from(c - b'0'))
        };
        let Some(mut a) = digit(self) else {
            return default;
        };
        self.pos += 1;
        while let Some(d) = digit(self) {
            if a > (MAX_SIZE - 9) / 10 {
                break;
            }
            a = a * 10 + d;
            self.pos += 1;
        }
        a
    }

    /// Reads an optional integral size in `1..=16`.
    fn int_size(&mut self, default: usize) -> Result<usize, PackError> {
        let n = self.number(default);
        if n == 0 || n > MAX_INT_SIZE {
            return Err(PackError::Msg(format!(
                "integral size ({n}) out of limits [1,{MAX_INT_SIZE}]"
            )));
        }
        Ok(n)
    }

    /// Reads one option letter and its size.
    fn option(&mut self) -> Result<(Kind, usize), PackError> {
        let c = self.fmt[self.pos];
        self.pos += 1;
        Ok(match c {
            b'b' => (Kind::Int, 1),
            b'B' => (Kind::Uint, 1),
            b'h' => (Kind::Int, 2),
            b'H' => (Kind::Uint, 2),
            b'l' | b'j' => (Kind::Int, 8),
            b'L' | b'J' | b'T' => (Kind::Uint, 8),
            b'f' => (Kind::Float, 4),
            b'n' => (Kind::Number, 8),
            b'd' => (Kind::Double, 8),
            b'i' => (Kind::Int, self.int_size(4)?),
            b'I' => (Kind::Uint, self.int_size(4)?),
            b's' => (Kind::Str, self.int_size(8)?),
            b'c' => {
                let n = self.number(usize::MAX);
                if n == usize::MAX {
                    return Err(PackError::Msg(String::from(
                        "missing size for format option 'c'",
                    )));
                }
                (Kind::Char, n)
            }
            b'z' => (Kind::Zstr, 0),
            b'x' => (Kind::Padding, 1),
            b'X' => (Kind::PadAlign, 0),
            b' ' => (Kind::Nop, 0),
            b'<' | b'=' => {
                self.little = true;
                (Kind::Nop, 0)
            }
            b'>' => {
                self.little = false;
                (Kind::Nop, 0)
            }
            b'!' => {
                self.max_align = self.int_size(NATIVE_ALIGN)?;
                (Kind::Nop, 0)
            }
            other => {
                let shown = char::from(other);
                return Err(PackError::Msg(format!("invalid format option '{shown}'")));
            }
        })
    }

    /// Reads the next option and computes its alignment padding at offset `total`.
    fn next(&mut self, total: usize) -> Result<Opt, PackError> {
        let (kind, size) = self.option()?;
        let mut align = size;
        if kind == Kind::PadAlign {
            if self.done() {
                return arg_err(1, "invalid next option for option 'X'");
            }
            let (next_kind, next_size) = self.option()?;
            if next_kind == Kind::Char || next_size == 0 {
                return arg_err(1, "invalid next option for option 'X'");
            }
            align = next_size;
        }
        let mut align_pad = 0;
        if align > 1 && kind != Kind::Char {
            let align = align.min(self.max_align);
            if !align.is_power_of_two() {
                return arg_err(1, "format asks for alignment not power of 2");
            }
            align_pad = (align - (total & (align - 1))) & (align - 1);
        }
        Ok(Opt {
            kind,
            size,
            align_pad,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// pack
// ---------------------------------------------------------------------------------------------

/// Where `pack` takes its values from: argument `n` (1-based, as numbered in messages)
/// coerced as `luaL_checkinteger`, `luaL_checknumber` or `luaL_checklstring` would.
pub trait ArgSource {
    /// Argument `n` as an integer.
    fn int(&mut self, n: usize) -> Result<i64, PackError>;
    /// Argument `n` as a float.
    fn num(&mut self, n: usize) -> Result<f64, PackError>;
    /// Argument `n` as bytes.
    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, PackError>;
}

/// Appends the low `size` bytes of `v` (sign-extended past 8 bytes when `neg`).
fn put_int(out: &mut Vec<u8>, v: u64, little: bool, size: usize, neg: bool) {
    let start = out.len();
    for i in 0..size {
        let byte = if i < SZINT {
            (v >> (8 * i)) as u8
        } else if neg {
            0xff
        } else {
            0
        };
        out.push(byte);
    }
    if !little {
        out[start..].reverse();
    }
}

/// Appends a float's bytes in the chosen order.
fn put_bytes(out: &mut Vec<u8>, le_bytes: &[u8], little: bool) {
    if little {
        out.extend_from_slice(le_bytes);
    } else {
        out.extend(le_bytes.iter().rev());
    }
}

/// `string.pack(fmt, ...)`: values are arguments 2, 3, ... of `src`.
pub fn pack(fmt: &[u8], src: &mut dyn ArgSource) -> Result<Vec<u8>, PackError> {
    let mut f = Format::new(fmt);
    let mut out = Vec::new();
    let mut arg = 1;
    while !f.done() {
        let opt = f.next(out.len())?;
        out.resize(out.len() + opt.align_pad, 0);
        let size = opt.size;
        match opt.kind {
            Kind::Int | Kind::Uint => {
                arg += 1;
                let n = src.int(arg)?;
                check_int_range(n, size, opt.kind, arg)?;
                put_int(
                    &mut out,
                    n as u64,
                    f.little,
                    size,
                    opt.kind == Kind::Int && n < 0,
                );
            }
            Kind::Float => {
                arg += 1;
                put_bytes(&mut out, &(src.num(arg)? as f32).to_le_bytes(), f.little);
            }
            Kind::Number | Kind::Double => {
                arg += 1;
                put_bytes(&mut out, &src.num(arg)?.to_le_bytes(), f.little);
            }
            Kind::Char => {
                arg += 1;
                let s = src.bytes(arg)?;
                if s.len() > size {
                    return arg_err(arg, "string longer than given size");
                }
                out.extend_from_slice(&s);
                out.resize(out.len() + size - s.len(), 0);
            }
            Kind::Str => {
                arg += 1;
                let s = src.bytes(arg)?;
                if size < SZINT && s.len() as u64 >= 1u64 << (size * 8) {
                    return arg_err(arg, "string length does not fit in given size");
                }
                put_int(&mut out, s.len() as u64, f.little, size, false);
                out.extend_from_slice(&s);
            }
            Kind::Zstr => {
                arg += 1;
                let s = src.bytes(arg)?;
                if s.contains(&0) {
                    return arg_err(arg, "string contains zeros");
                }
                out.extend_from_slice(&s);
                out.push(0);
            }
            Kind::Padding => out.push(0),
            Kind::PadAlign | Kind::Nop => {}
        }
    }
    Ok(out)
}

/// Checks that `n` fits an integer option of `size` bytes.
fn check_int_range(n: i64, size: usize, kind: Kind, arg: usize) -> Result<(), PackError> {
    if size >= SZINT {
        return Ok(());
    }
    let bits = size * 8;
    if kind == Kind::Int {
        let lim = 1i64 << (bits - 1);
        if !(-lim..lim).contains(&n) {
            return arg_err(arg, "integer overflow");
        }
    } else if (n as u64) >= 1u64 << bits {
        return arg_err(arg, "unsigned overflow");
    }
    Ok(())
}

/// `string.packsize(fmt)`.
pub fn packsize(fmt: &[u8]) -> Result<usize, PackError> {
    let mut f = Format::new(fmt);
    let mut total = 0usize;
    while !f.done() {
        let opt = f.next(total)?;
        if matches!(opt.kind, Kind::Str | Kind::Zstr) {
            return arg_err(1, "variable-length format");
        }
        let size = opt.size + opt.align_pad;
        if total > MAX_SIZE - size.min(MAX_SIZE) || size > MAX_SIZE {
            return arg_err(1, "format result too large");
        }
        total += size;
    }
    Ok(total)
}

// ---------------------------------------------------------------------------------------------
// unpack
// ---------------------------------------------------------------------------------------------

/// One value `unpack` produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Unpacked {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Vec<u8>),
}

/// Reads a `size`-byte integer at `data[..size]`.
fn get_int(data: &[u8], little: bool, size: usize, signed: bool) -> Result<i64, PackError> {
    let byte = |i: usize| if little { data[i] } else { data[size - 1 - i] };
    let mut v: u64 = 0;
    for i in (0..size.min(SZINT)).rev() {
        v = (v << 8) | u64::from(byte(i));
    }
    if size < SZINT {
        if signed {
            let shift = 64 - 8 * size as u32;
            v = (((v << shift) as i64) >> shift) as u64;
        }
    } else if size > SZINT {
        let fill = if signed && (v as i64) < 0 { 0xff } else { 0 };
        if (SZINT..size).any(|i| byte(i) != fill) {
            return Err(PackError::Msg(format!(
                "{size}-byte integer does not fit into Lua Integer"
            )));
        }
    }
    Ok(v as i64)
}

/// `string.unpack(fmt, data, pos)` with `pos` already 0-based and checked: the values and
/// the 0-based position after the last byte read.
pub fn unpack(
    fmt: &[u8],
    data: &[u8],
    mut pos: usize,
) -> Result<(Vec<Unpacked>, usize), PackError> {
    let mut f = Format::new(fmt);
    let mut vals = Vec::new();
    while !f.done() {
        let opt = f.next(pos)?;
        let avail = data.len().saturating_sub(pos);
        if opt.align_pad.saturating_add(opt.size) > avail {
            return arg_err(2, "data string too short");
        }
        pos += opt.align_pad;
        let at = &data[pos..];
        let size = opt.size;
        match opt.kind {
            Kind::Int | Kind::Uint => vals.push(Unpacked::Int(get_int(
                at,
                f.little,
                size,
                opt.kind == Kind::Int,
            )?)),
            Kind::Float => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&at[..4]);
                if !f.little {
                    b.reverse();
                }
                vals.push(Unpacked::Float(f64::from(f32::from_le_bytes(b))));
            }
            Kind::Number | Kind::Double => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&at[..8]);
                if !f.little {
                    b.reverse();
                }
                vals.push(Unpacked::Float(f64::from_le_bytes(b)));
            }
            Kind::Char => vals.push(Unpacked::Str(at[..size].to_vec())),
            Kind::Str => {
                let len = get_int(at, f.little, size, false)? as u64;
                if len > (at.len() - size) as u64 {
                    return arg_err(2, "data string too short");
                }
                let len = len as usize;
                vals.push(Unpacked::Str(at[size..size + len].to_vec()));
                pos += len;
            }
            Kind::Zstr => {
                let Some(len) = at.iter().position(|&c| c == 0) else {
                    return arg_err(2, "unfinished string for format 'z'");
                };
                vals.push(Unpacked::Str(at[..len].to_vec()));
                pos += len + 1;
            }
            Kind::Padding | Kind::PadAlign | Kind::Nop => {}
        }
        pos += size;
    }
    Ok((vals, pos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// Arguments for tests: index 2 is `vals[0]`.
    struct Args(Vec<Unpacked>);

    impl Args {
        fn get(&self, n: usize) -> Result<&Unpacked, PackError> {
            self.0
                .get(n - 2)
                .ok_or_else(|| PackError::Arg(n, "no value".into()))
        }
    }

    impl ArgSource for Args {
        fn int(&mut self, n: usize) -> Result<i64, PackError> {
            match self.get(n)? {
                Unpacked::Int(i) => Ok(*i),
                Unpacked::Float(f) => Ok(*f as i64),
                Unpacked::Str(_) => arg_err(n, "number expected, got string"),
            }
        }
        fn num(&mut self, n: usize) -> Result<f64, PackError> {
            match self.get(n)? {
                Unpacked::Int(i) => Ok(*i as f64),
                Unpacked::Float(f) => Ok(*f),
                Unpacked::Str(_) => arg_err(n, "number expected, got string"),
            }
        }
        fn bytes(&mut self, n: usize) -> Result<Vec<u8>, PackError> {
            match self.get(n)? {
                Unpacked::Str(s) => Ok(s.clone()),
                _ => arg_err(n, "string expected"),
            }
        }
    }

    fn p(fmt: &str, vals: Vec<Unpacked>) -> Result<Vec<u8>, PackError> {
        pack(fmt.as_bytes(), &mut Args(vals))
    }

    use Unpacked::{Float as F, Int as I, Str as S};

    #[test]
    fn layouts_match_lua() {
        let got = p(">i3<i3=I2!4xi4Xi8d", vec![I(1), I(2), I(3), I(4), F(1.5)]).unwrap();
        assert_eq!(
            got,
            [0, 0, 1, 2, 0, 0, 3, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 248, 63]
        );
        assert_eq!(p("i16", vec![I(-2)]).unwrap()[..2], [254, 255]);
        assert_eq!(p("I16", vec![I(-1)]).unwrap()[8..], [0; 8]);
        assert_eq!(p("bXi", vec![I(1)]).unwrap(), [1]);
        assert_eq!(p("!bXi", vec![I(1)]).unwrap(), [1, 0, 0, 0]);
        assert_eq!(
            p("s1z", vec![S(b"ab".to_vec()), S(b"c".to_vec())]).unwrap(),
            b"\x02abc\0"
        );
    }

    #[test]
    fn roundtrip() {
        let fmt = "<i3>I2s1zbBhHlLjJTfdn";
        let vals = vec![
            I(-5),
            I(7),
            S(b"ab".to_vec()),
            S(b"cd".to_vec()),
            I(-1),
            I(255),
            I(-300),
            I(65535),
            I(-7),
            I(7),
            I(-8),
            I(8),
            I(9),
            F(0.5),
            F(1.25),
            F(3.5),
        ];
        let bytes = p(fmt, vals.clone()).unwrap();
        let (back, next) = unpack(fmt.as_bytes(), &bytes, 0).unwrap();
        assert_eq!(back, vals);
        assert_eq!(next, 77);
    }

    #[test]
    fn errors() {
        let msg = |s: &str| PackError::Msg(s.into());
        let arg = |n, s: &str| PackError::Arg(n, s.into());
        assert_eq!(
            p("i17", vec![I(1)]),
            Err(msg("integral size (17) out of limits [1,16]"))
        );
        assert_eq!(p("y", vec![]), Err(msg("invalid format option 'y'")));
        assert_eq!(
            p("c", vec![]),
            Err(msg("missing size for format option 'c'"))
        );
        assert_eq!(
            p("X", vec![]),
            Err(arg(1, "invalid next option for option 'X'"))
        );
        assert_eq!(
            p("!4i3", vec![I(1)]),
            Err(arg(1, "format asks for alignment not power of 2"))
        );
        assert_eq!(p("i1", vec![I(200)]), Err(arg(2, "integer overflow")));
        assert_eq!(p("I1", vec![I(-1)]), Err(arg(2, "unsigned overflow")));
        assert_eq!(
            p("c2", vec![S(b"abc".to_vec())]),
            Err(arg(2, "string longer than given size"))
        );
        assert_eq!(
            p("z", vec![S(b"a\0".to_vec())]),
            Err(arg(2, "string contains zeros"))
        );
        assert_eq!(
            packsize(b"c2147483647"),
            Err(msg("invalid format option '7'"))
        );
        assert_eq!(packsize(b"s"), Err(arg(1, "variable-length format")));
        assert_eq!(packsize(b"!8bi16d"), Ok(32));
        assert_eq!(
            unpack(b"i4", b"abc", 0),
            Err(arg(2, "data string too short"))
        );
        assert_eq!(
            unpack(b"z", b"abc", 0),
            Err(arg(2, "unfinished string for format 'z'"))
        );
        assert_eq!(
            unpack(b"s1", b"\x05abc", 0),
            Err(arg(2, "data string too short"))
        );
        assert_eq!(
            unpack(b"i9", &[0, 0, 0, 0, 0, 0, 0, 0, 1], 0),
            Err(msg("9-byte integer does not fit into Lua Integer"))
        );
        assert_eq!(unpack(b"i9", &[255; 9], 0).unwrap().0, [I(-1)]);
    }
}
