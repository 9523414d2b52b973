//! Where things are in a version-2 chunk: little-endian field readers that never panic,
//! string references, and [`Record`], a function record's fixed part with the absolute
//! offsets of its variable parts (computed from the counts, so any part of any function
//! is found in O(1)). Layout in `bytecode/FORMAT.md`.

use core::ops::Range;

use super::format::*;
use super::ChunkError;

/// The `n` bytes at `at`, if they lie inside `b`.
#[inline]
pub(crate) fn bytes_at(b: &[u8], at: usize, n: usize) -> Option<&[u8]> {
    b.get(at..at.checked_add(n)?)
}

/// The little-endian u32 at `at`.
#[inline]
pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let w: [u8; 4] = bytes_at(b, at, 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(w))
}

/// The little-endian u64 at `at`.
#[inline]
pub(crate) fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    let w: [u8; 8] = bytes_at(b, at, 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

/// The byte at `at`.
#[inline]
pub(crate) fn u8_at(b: &[u8], at: usize) -> Option<u8> {
    b.get(at).copied()
}

/// A string stored in the chunk's string pool: `len` bytes at offset `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StrRef {
    /// Offset from the chunk start ([`NO_NAME`] for "no name").
    pub off: u32,
    /// Length in bytes.
    pub len: u32,
}

impl StrRef {
    /// The reference stored at `at` (offset, then length).
    pub fn read(b: &[u8], at: usize) -> Option<StrRef> {
        Some(StrRef {
            off: u32_at(b, at)?,
            len: u32_at(b, at + 4)?,
        })
    }

    /// The reference packed in a constant's 8-byte slot (offset low, length high).
    pub fn unpack(v: u64) -> StrRef {
        StrRef {
            off: v as u32,
            len: (v >> 32) as u32,
        }
    }

    /// The byte range it names.
    pub fn range(self) -> Range<usize> {
        let start = self.off as usize;
        start..start.saturating_add(self.len as usize)
    }

    /// True for the "no name" reference.
    pub fn is_none(self) -> bool {
        self.off == NO_NAME && self.len == 0
    }
}

/// A function record: its fixed part, decoded, and the absolute offsets of its parts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Record {
    /// Line where the definition starts.
    pub line_defined: u32,
    /// Line where it ends.
    pub last_line_defined: u32,
    /// Fixed parameters.
    pub num_params: u8,
    /// The is-vararg byte (0 or 1 in a valid chunk).
    pub vararg: u8,
    /// Frame size.
    pub max_stack: u8,
    /// Byte 11 and the u32 at 44 (both 0 in a valid chunk).
    pub reserved: u32,
    /// Number of instructions.
    pub n_code: usize,
    /// Number of constants.
    pub n_const: usize,
    /// Number of upvalues.
    pub n_upval: usize,
    /// Number of nested functions.
    pub n_proto: usize,
    /// Number of line-info entries (0 or `n_code`).
    pub n_line: usize,
    /// Number of local variable records.
    pub n_local: usize,
    /// The source name.
    pub source: StrRef,
    /// Offset of the instructions.
    pub code: usize,
    /// Offset of the line info (follows the code).
    pub lines: usize,
    /// Offset of the constant kinds (8-aligned).
    pub kinds: usize,
    /// Offset of the 8-byte constant slots (8-aligned).
    pub values: usize,
    /// Offset of the upvalue descriptors.
    pub upvals: usize,
    /// Offset of the upvalue names (`n_upval` string references unless stripped).
    pub names: usize,
    /// Offset of the local variable records.
    pub locals: usize,
    /// Offset of the nested-function offset table.
    pub protos: usize,
    /// End of the record (8-aligned): its first nested function starts here.
    pub end: usize,
}

/// Rounds `n` up to a multiple of 8 (no overflow for the u64 sums of u32 counts).
fn up8(n: u64) -> u64 {
    (n + 7) & !7
}

impl Record {
    /// Reads the record at `at` and lays out its parts; every part must end at or before
    /// `limit` (which must lie inside `b`). Checks only what the layout needs: that `at`
    /// is 8-aligned and that the counts fit (so nothing is allocated from a bad count).
    pub fn read(b: &[u8], at: usize, limit: usize, stripped: bool) -> Result<Record, ChunkError> {
        if at & 7 != 0 {
            return Err(ChunkError::new("misaligned function record"));
        }
        let fixed = bytes_at(b, at, RECORD_SIZE)
            .filter(|_| at + RECORD_SIZE <= limit)
            .ok_or_else(ChunkError::truncated)?;
        let word = |i: usize| u32_at(fixed, i).unwrap_or(0);
        let count = |i: usize| word(i) as u64;
        let (n_code, n_line, n_const) = (count(12), count(28), count(16));
        let (n_upval, n_local, n_proto) = (count(20), count(32), count(24));
        let names = if stripped { 0 } else { n_upval };
        let at64 = at as u64;
        let code = at64 + RECORD_SIZE as u64;
        let lines = code + 4 * n_code;
        let kinds = up8(lines + 4 * n_line);
        let values = up8(kinds + n_const);
        let upvals = values + 8 * n_const;
        let names_at = upvals + UPVAL_SIZE as u64 * n_upval;
        let locals = names_at + STR_REF_SIZE as u64 * names;
        let protos = locals + LOCAL_SIZE as u64 * n_local;
        let end = up8(protos + 4 * n_proto);
        if end > limit as u64 {
            return Err(ChunkError::truncated());
        }
        // `end <= limit <= b.len()`, so every offset below fits in usize.
        let z = |v: u64| v as usize;
        Ok(Record {
            line_defined: word(0),
            last_line_defined: word(4),
            num_params: fixed[8],
            vararg: fixed[9],
            max_stack: fixed[10],
            reserved: fixed[11] as u32 | word(44),
            n_code: z(n_code),
            n_const: z(n_const),
            n_upval: z(n_upval),
            n_proto: z(n_proto),
            n_line: z(n_line),
            n_local: z(n_local),
            source: StrRef {
                off: word(36),
                len: word(40),
            },
            code: z(code),
            lines: z(lines),
            kinds: z(kinds),
            values: z(values),
            upvals: z(upvals),
            names: z(names_at),
            locals: z(locals),
            protos: z(protos),
            end: z(end),
        })
    }

    /// Byte range of the instructions.
    pub fn code_range(&self) -> Range<usize> {
        self.code..self.lines
    }

    /// Byte range of the line info.
    pub fn line_range(&self) -> Range<usize> {
        self.lines..self.lines + 4 * self.n_line
    }

    /// The instruction at `pc`.
    #[inline]
    pub fn instr(&self, b: &[u8], pc: usize) -> Option<crate::Instruction> {
        if pc >= self.n_code {
            return None;
        }
        u32_at(b, self.code + 4 * pc).map(crate::Instruction)
    }

    /// Kind byte of constant `k`.
    pub fn const_kind(&self, b: &[u8], k: usize) -> Option<u8> {
        if k >= self.n_const {
            return None;
        }
        u8_at(b, self.kinds + k)
    }

    /// The 8-byte slot of constant `k`.
    pub fn const_slot(&self, b: &[u8], k: usize) -> Option<u64> {
        if k >= self.n_const {
            return None;
        }
        u64_at(b, self.values + 8 * k)
    }

    /// Upvalue descriptor `i`: in stack, index, kind, reserved.
    pub fn upval(&self, b: &[u8], i: usize) -> Option<[u8; 4]> {
        if i >= self.n_upval {
            return None;
        }
        bytes_at(b, self.upvals + UPVAL_SIZE * i, 4)?
            .try_into()
            .ok()
    }

    /// Name reference of upvalue `i` (`None` when stripped).
    pub fn upval_name(&self, b: &[u8], i: usize) -> Option<StrRef> {
        if i >= self.n_upval || self.names == self.locals {
            return None;
        }
        StrRef::read(b, self.names + STR_REF_SIZE * i)
    }

    /// Local variable record `i`: start pc, end pc, name.
    pub fn local(&self, b: &[u8], i: usize) -> Option<(u32, u32, StrRef)> {
        if i >= self.n_local {
            return None;
        }
        let at = self.locals + LOCAL_SIZE * i;
        Some((u32_at(b, at)?, u32_at(b, at + 4)?, StrRef::read(b, at + 8)?))
    }

    /// Offset of nested function `i`'s record.
    pub fn child_at(&self, b: &[u8], i: usize) -> Option<usize> {
        if i >= self.n_proto {
            return None;
        }
        u32_at(b, self.protos + 4 * i).map(|o| o as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_never_panic() {
        let b = [1, 0, 0, 0, 2, 0, 0];
        assert_eq!(u32_at(&b, 0), Some(1));
        assert_eq!(u32_at(&b, 4), None);
        assert_eq!(u32_at(&b, usize::MAX), None);
        assert_eq!(u64_at(&b, 0), None);
    }

    #[test]
    fn records_are_laid_out_from_their_counts() {
        let mut b = [0u8; 128];
        b[12] = 3; // n_code
        b[16] = 2; // n_const
        b[20] = 1; // n_upval
        b[24] = 1; // n_proto
        let r = Record::read(&b, 0, 128, true).unwrap();
        assert_eq!(r.code, 48);
        assert_eq!(r.kinds, 64); // 48 + 12 rounded up to 8
        assert_eq!(r.values, 72);
        assert_eq!(r.upvals, 88);
        assert_eq!(r.protos, 92);
        assert_eq!(r.end, 96);
        assert!(Record::read(&b, 0, 95, true).is_err());
        assert!(Record::read(&b, 4, 128, true).is_err());
        b[12] = 0xff;
        b[13] = 0xff;
        b[14] = 0xff;
        b[15] = 0xff;
        assert_eq!(
            Record::read(&b, 0, 128, true).unwrap_err(),
            ChunkError::truncated()
        );
    }

    #[test]
    fn string_refs_pack_offset_then_length() {
        let r = StrRef::unpack(5 << 32 | 100);
        assert_eq!(r.range(), 100..105);
        assert!(StrRef {
            off: NO_NAME,
            len: 0
        }
        .is_none());
    }
}
