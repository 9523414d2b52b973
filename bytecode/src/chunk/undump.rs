//! The chunk reader: bytes to a prototype tree, in place or copied (layout in `FORMAT.md`).
//!
//! Every read goes through [`Reader`], which checks each length against the bytes that
//! remain *before* anything is allocated, checks that padding is zero (so a chunk has one
//! spelling), and bounds the nesting depth. Arrays used in place become [`Buf::Static`] or
//! [`Buf::Shared`] views made by [`crate::proto::view`], the one reinterpreting cast.

use alloc::boxed::Box;
use alloc::format;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::ops::Range;

use bytemuck::Pod;

use super::format::*;
use super::{verify, ChunkError};
use crate::instr::Instruction;
use crate::proto::{view, Backing, Buf, Constant, LocVar, Proto, UpvalDesc};

type R<T> = Result<T, ChunkError>;

/// Loads a chunk by copying everything out of `bytes` (any alignment, any host byte order),
/// then verifies it.
pub fn load_owned(bytes: &[u8]) -> R<Proto> {
    load(bytes, Mode::Owned)
}

/// Loads a chunk in place from memory that lives forever (flash, ROM, an aligned
/// `include_bytes!`): code, line info and all string bytes are borrowed, not copied.
/// `bytes` must start at an 8-aligned address and the host must be little-endian.
pub fn load_static(bytes: &'static [u8]) -> R<Proto> {
    check_in_place(bytes)?;
    load(bytes, Mode::Static(bytes))
}

/// Loads a chunk in place from shared memory (a file mapping): the prototypes hold the
/// `Rc`, so the memory lives as long as anything loaded from it. Same alignment and
/// byte-order requirements as [`load_static`].
pub fn load_shared(backing: Rc<dyn Backing>) -> R<Proto> {
    let bytes = backing.bytes();
    check_in_place(bytes)?;
    load(bytes, Mode::Shared(&backing))
}

/// Requirements of in-place loading: an 8-aligned base and a little-endian host.
fn check_in_place(bytes: &[u8]) -> R<()> {
    if cfg!(target_endian = "big") {
        return Err(ChunkError::new(
            "chunks are little-endian and this host is big-endian: load a copy instead",
        ));
    }
    let addr = bytes.as_ptr() as usize;
    if addr & 7 != 0 {
        return Err(ChunkError::new(format!(
            "chunk at address {addr:#x} is not 8-byte aligned: it cannot be used in place"
        )));
    }
    Ok(())
}

/// Parses the header and the main function, checks that nothing follows, then verifies.
fn load(bytes: &[u8], mode: Mode<'_>) -> R<Proto> {
    let mut r = Reader {
        bytes,
        pos: 0,
        mode,
        stripped: false,
    };
    r.header()?;
    let main = r.function(None, 0)?;
    if r.pos != r.bytes.len() {
        return Err(ChunkError::new("chunk length does not match its contents"));
    }
    verify(&main)?;
    Ok(main)
}

/// Where the arrays of loaded prototypes live.
enum Mode<'a> {
    /// Copied to the heap.
    Owned,
    /// Borrowed from the `'static` chunk (the same bytes the reader walks).
    Static(&'static [u8]),
    /// Borrowed from a shared backing.
    Shared(&'a Rc<dyn Backing>),
}

/// An element type of an array that may be used in place.
trait Elem: Pod {
    /// Decodes one element from its little-endian bytes (`size_of::<Self>()` of them).
    fn decode_le(b: &[u8]) -> Self;
}

impl Elem for u8 {
    fn decode_le(b: &[u8]) -> Self {
        b.first().copied().unwrap_or(0)
    }
}

impl Elem for u32 {
    fn decode_le(b: &[u8]) -> Self {
        let mut w = [0u8; 4];
        for (d, s) in w.iter_mut().zip(b) {
            *d = *s;
        }
        u32::from_le_bytes(w)
    }
}

impl Elem for Instruction {
    fn decode_le(b: &[u8]) -> Self {
        Instruction(u32::decode_le(b))
    }
}

/// Decodes 8 little-endian bytes (missing bytes read as zero).
fn le_u64(b: &[u8]) -> u64 {
    let lo = u32::decode_le(b.get(..4).unwrap_or(&[])) as u64;
    let hi = u32::decode_le(b.get(4..).unwrap_or(&[])) as u64;
    lo | hi << 32
}

/// A cursor over the chunk with bounds checks.
struct Reader<'a> {
    /// The whole chunk (offsets and alignment count from its start).
    bytes: &'a [u8],
    /// Next byte to read.
    pos: usize,
    /// How arrays are made.
    mode: Mode<'a>,
    /// The header's stripped flag.
    stripped: bool,
}

impl Reader<'_> {
    /// Bytes not yet read.
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Consumes `n` bytes and returns their range.
    fn take(&mut self, n: usize) -> R<Range<usize>> {
        if n > self.remaining() {
            return Err(ChunkError::truncated());
        }
        let start = self.pos;
        self.pos += n;
        Ok(start..self.pos)
    }

    /// Consumes `n` bytes and returns them.
    fn slice(&mut self, n: usize) -> R<&[u8]> {
        let range = self.take(n)?;
        self.bytes.get(range).ok_or_else(ChunkError::truncated)
    }

    /// Reads a byte.
    fn u8(&mut self) -> R<u8> {
        Ok(u8::decode_le(self.slice(1)?))
    }

    /// Reads a little-endian u32.
    fn u32(&mut self) -> R<u32> {
        Ok(u32::decode_le(self.slice(4)?))
    }

    /// Reads a little-endian u64.
    fn u64(&mut self) -> R<u64> {
        Ok(le_u64(self.slice(8)?))
    }

    /// Skips the zero padding up to a multiple of `align`.
    fn align(&mut self, align: usize) -> R<()> {
        let at = self.pos;
        let pad = self.slice(padding(at, align))?;
        if pad.iter().any(|&b| b != 0) {
            return Err(ChunkError::new(format!("nonzero padding at offset {at}")));
        }
        Ok(())
    }

    /// Reads a count of items of at least `min_size` bytes each, refusing counts that the
    /// remaining bytes cannot hold (so no allocation is driven by a bad length).
    fn count(&mut self, min_size: usize) -> R<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.remaining() {
            return Err(ChunkError::truncated());
        }
        Ok(n)
    }

    /// An array of `n` elements at the current (aligned) position, in place or copied.
    fn array<T: Elem>(&mut self, n: usize) -> R<Buf<T>> {
        let size = core::mem::size_of::<T>();
        self.align(size)?;
        let range = self.take(n.checked_mul(size).ok_or_else(ChunkError::truncated)?)?;
        match self.mode {
            Mode::Owned => {
                let bytes = self.bytes.get(range).ok_or_else(ChunkError::truncated)?;
                let v: Vec<T> = if cfg!(target_endian = "little") {
                    crate::proto::copy_of(bytes)
                } else {
                    bytes.chunks_exact(size).map(T::decode_le).collect()
                };
                Ok(Buf::Owned(v.into_boxed_slice()))
            }
            Mode::Static(all) => all
                .get(range)
                .and_then(view)
                .map(Buf::Static)
                .ok_or_else(misaligned),
            Mode::Shared(backing) => {
                let bytes = self.bytes.get(range.clone()).unwrap_or(&[]);
                if view::<T>(bytes).is_none() {
                    return Err(misaligned());
                }
                let offset = u32::try_from(range.start).map_err(|_| too_big())?;
                let len = u32::try_from(range.len()).map_err(|_| too_big())?;
                Ok(Buf::Shared {
                    backing: Rc::clone(backing),
                    offset,
                    len,
                })
            }
        }
    }

    /// A length-prefixed string padded to 4; `None` for the [`NO_NAME`] length.
    fn opt_string(&mut self) -> R<Option<Buf<u8>>> {
        self.align(4)?;
        let n = self.u32()?;
        if n == NO_NAME {
            return Ok(None);
        }
        let s = self.array::<u8>(n as usize)?;
        self.align(4)?;
        Ok(Some(s))
    }

    /// A length-prefixed string padded to 4.
    fn string(&mut self) -> R<Buf<u8>> {
        self.opt_string()?
            .ok_or_else(|| ChunkError::new("missing string"))
    }

    /// Checks the header; sets the stripped flag.
    fn header(&mut self) -> R<()> {
        let start = &self.bytes[..self.bytes.len().min(MAGIC.len())];
        if !MAGIC.starts_with(start) || start.is_empty() {
            return Err(ChunkError::new("not a binary chunk"));
        }
        let total = self.bytes.len();
        if total < HEADER_SIZE {
            return Err(ChunkError::truncated());
        }
        self.take(MAGIC.len())?;
        let version = self.u8()?;
        if version != FORMAT_VERSION {
            return Err(ChunkError::new(format!(
                "format version {version} (this build reads version {FORMAT_VERSION})"
            )));
        }
        let flags = self.u8()?;
        if flags & !FLAG_STRIPPED != 0 {
            return Err(ChunkError::new(format!("unknown flags {flags:#04x}")));
        }
        self.stripped = flags & FLAG_STRIPPED != 0;
        if self.slice(SIZES.len())? != SIZES {
            return Err(ChunkError::new("instruction or number size mismatch"));
        }
        if self.slice(TEXT_CHECK.len())? != TEXT_CHECK {
            return Err(ChunkError::new("corrupted chunk (text-mode conversion?)"));
        }
        self.check_values()?;
        let declared = self.u32()? as usize;
        if declared > total {
            return Err(ChunkError::truncated());
        }
        if declared < total {
            return Err(ChunkError::new("chunk length does not match its contents"));
        }
        if self.u32()? != 0 {
            return Err(ChunkError::new("nonzero reserved header field"));
        }
        Ok(())
    }

    /// The integer and float check values (little-endian, and natively for in-place use).
    fn check_values(&mut self) -> R<()> {
        let at = self.pos;
        if self.u64()? as i64 != CHECK_INT {
            return Err(ChunkError::new("integer format mismatch"));
        }
        if f64::from_bits(self.u64()?) != CHECK_FLOAT {
            return Err(ChunkError::new("float format mismatch"));
        }
        if !matches!(self.mode, Mode::Owned) {
            let native = self.bytes.get(at..at + 8).and_then(view::<i64>);
            if native != Some(&[CHECK_INT][..]) {
                return Err(ChunkError::new("byte order mismatch"));
            }
        }
        Ok(())
    }

    /// One function record and, recursively, its nested functions.
    fn function(&mut self, parent_source: Option<&Rc<[u8]>>, depth: usize) -> R<Proto> {
        if depth > MAX_DEPTH {
            return Err(ChunkError::new("functions nested too deeply"));
        }
        self.align(8)?;
        let line_defined = self.u32()?;
        let last_line_defined = self.u32()?;
        let [num_params, vararg, max_stack, reserved] =
            [self.u8()?, self.u8()?, self.u8()?, self.u8()?];
        if vararg > 1 || reserved != 0 {
            return Err(ChunkError::new("bad function flags"));
        }
        let n_code = self.count(4)?;
        let n_const = self.count(1)?;
        let n_upval = self.count(4)?;
        let n_proto = self.count(RECORD_SIZE)?;
        let n_line = self.count(4)?;
        let n_local = self.count(12)?;
        if n_upval > 255 {
            return Err(ChunkError::new("too many upvalues"));
        }
        if self.stripped && (n_line != 0 || n_local != 0) {
            return Err(ChunkError::new("debug info in a stripped chunk"));
        }
        let source = self.source(parent_source)?;
        let code = self.array::<Instruction>(n_code)?;
        let line_info = self.array::<u32>(n_line)?;
        let constants = self.constants(n_const)?;
        let upvalues = self.upvalues(n_upval)?;
        let locals = self.locals(n_local)?;
        self.align(8)?;
        let mut protos = Vec::with_capacity(n_proto);
        for _ in 0..n_proto {
            protos.push(Rc::new(self.function(Some(&source), depth + 1)?));
        }
        Ok(Proto {
            source,
            line_defined,
            last_line_defined,
            num_params,
            is_vararg: vararg == 1,
            max_stack,
            code,
            constants,
            upvalues,
            protos,
            line_info,
            locals,
        })
    }

    /// The source name: explicit (copied: `Proto::source` is an `Rc`) or the parent's.
    fn source(&mut self, parent_source: Option<&Rc<[u8]>>) -> R<Rc<[u8]>> {
        let n = self.u32()?;
        if n == SAME_SOURCE {
            return parent_source
                .cloned()
                .ok_or_else(|| ChunkError::new("main function without a source"));
        }
        let range = self.take(n as usize)?;
        let bytes = self.bytes.get(range).ok_or_else(ChunkError::truncated)?;
        let source = Rc::from(bytes);
        self.align(4)?;
        Ok(source)
    }

    /// Kinds array, numbers array, then the strings, rebuilt in table order.
    fn constants(&mut self, n: usize) -> R<Vec<Constant>> {
        let kinds = self.take(n)?;
        self.align(8)?;
        let kinds = self.bytes.get(kinds).ok_or_else(ChunkError::truncated)?;
        let n_num = kinds
            .iter()
            .filter(|&&k| k == kind::INT || k == kind::FLOAT)
            .count();
        let nums = self.take(n_num.saturating_mul(8))?;
        let mut nums = self
            .bytes
            .get(nums)
            .ok_or_else(ChunkError::truncated)?
            .chunks_exact(8);
        let mut out = Vec::with_capacity(n);
        for &k in kinds {
            let mut num = || le_u64(nums.next().unwrap_or(&[]));
            out.push(match k {
                kind::NIL => Constant::Nil,
                kind::FALSE => Constant::Bool(false),
                kind::TRUE => Constant::Bool(true),
                kind::INT => Constant::Int(num() as i64),
                kind::FLOAT => Constant::Float(f64::from_bits(num())),
                kind::STR => Constant::Str(Buf::Owned(Box::new([]))),
                _ => return Err(ChunkError::new(format!("bad constant kind {k}"))),
            });
        }
        for k in out.iter_mut() {
            if let Constant::Str(s) = k {
                *s = self.string()?;
            }
        }
        Ok(out)
    }

    /// Upvalue descriptors, then their names unless stripped.
    fn upvalues(&mut self, n: usize) -> R<Vec<UpvalDesc>> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let [in_stack, index, kind, reserved] =
                [self.u8()?, self.u8()?, self.u8()?, self.u8()?];
            if in_stack > 1 || reserved != 0 {
                return Err(ChunkError::new("bad upvalue descriptor"));
            }
            out.push(UpvalDesc {
                in_stack: in_stack == 1,
                index,
                kind,
                name: None,
            });
        }
        if !self.stripped {
            for u in out.iter_mut() {
                u.name = self.opt_string()?;
            }
        }
        Ok(out)
    }

    /// Local variable records.
    fn locals(&mut self, n: usize) -> R<Vec<LocVar>> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let start_pc = self.u32()?;
            let end_pc = self.u32()?;
            let name = self.string()?;
            out.push(LocVar {
                name,
                start_pc,
                end_pc,
            });
        }
        Ok(out)
    }
}

/// The error for an array whose address is not aligned for its elements.
fn misaligned() -> ChunkError {
    ChunkError::new("misaligned array")
}

/// The error for offsets beyond the 32-bit range of the format.
fn too_big() -> ChunkError {
    ChunkError::new("chunk larger than 4 GiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader over `bytes` in owned mode.
    fn reader(bytes: &[u8]) -> Reader<'_> {
        Reader {
            bytes,
            pos: 0,
            mode: Mode::Owned,
            stripped: false,
        }
    }

    #[test]
    fn counts_are_checked_before_allocating() {
        let bytes = [0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0];
        assert_eq!(reader(&bytes).count(1), Err(ChunkError::truncated()));
        let bytes = [4, 0, 0, 0, 1, 2, 3, 4];
        assert_eq!(reader(&bytes).count(1), Ok(4));
        assert_eq!(reader(&bytes).count(2), Err(ChunkError::truncated()));
    }

    #[test]
    fn padding_must_be_zero() {
        let bytes = [1, 0, 0, 0];
        let mut r = reader(&bytes);
        r.pos = 1;
        assert!(r.align(4).is_ok());
        let bytes = [1, 0, 9, 0];
        let mut r = reader(&bytes);
        r.pos = 1;
        assert!(r.align(4).unwrap_err().message.contains("padding"));
    }

    #[test]
    fn owned_arrays_decode_little_endian() {
        let bytes = [1, 0, 0, 0, 0, 1, 0, 0];
        let b = reader(&bytes).array::<u32>(2).unwrap();
        assert_eq!(&b[..], &[1, 256]);
        assert!(reader(&bytes).array::<u32>(3).is_err());
    }
}
