//! Layout constants of the chunk format, shared by the writer and the reader.
//!
//! `bytecode/FORMAT.md` is the prose version of this file; keep them in step.

/// First four bytes of every chunk: ESC (so `load` tells binary from text) then `MJC`.
pub const MAGIC: [u8; 4] = *b"\x1bMJC";

/// Format version; bumped on any incompatible change.
pub const FORMAT_VERSION: u8 = 2;

/// Deepest nesting of functions accepted (the main function is depth 0).
pub const MAX_DEPTH: usize = 200;

/// Header flag: debug information (line info, locals, names, source) was stripped.
pub(crate) const FLAG_STRIPPED: u8 = 1;

/// Bytes that catch text-mode conversions (CR/LF and ^Z mangling).
pub(crate) const TEXT_CHECK: [u8; 6] = *b"\x19\x93\r\n\x1a\n";

/// Size in bytes of an instruction, an integer, a float and a length field.
pub(crate) const SIZES: [u8; 4] = [4, 8, 8, 4];

/// Integer check value (distinct bytes: a byte-order or size mismatch changes it).
pub(crate) const CHECK_INT: i64 = 0x0102_0304_0506_0708;

/// Float check value (exact in binary).
pub(crate) const CHECK_FLOAT: f64 = 370.5;

/// Size of the header; the main function record follows at this offset.
pub(crate) const HEADER_SIZE: usize = 40;

/// Byte offset of the total-length field in the header.
pub(crate) const TOTAL_LEN_AT: usize = 32;

/// Byte offset of the string-pool offset field in the header.
pub(crate) const POOL_AT: usize = 36;

/// Size of the fixed part of a function record.
pub(crate) const RECORD_SIZE: usize = 48;

/// String-reference offset meaning "no name" (upvalue names of a non-stripped chunk).
pub(crate) const NO_NAME: u32 = u32::MAX;

/// Size of one upvalue descriptor (in stack, index, kind, 0).
pub(crate) const UPVAL_SIZE: usize = 4;

/// Size of one string reference (offset, length).
pub(crate) const STR_REF_SIZE: usize = 8;

/// Size of one local variable record (start pc, end pc, name reference).
pub(crate) const LOCAL_SIZE: usize = 16;

/// Constant kinds, one byte each in the kinds array.
pub(crate) mod kind {
    /// `nil`
    pub const NIL: u8 = 0;
    /// `false`
    pub const FALSE: u8 = 1;
    /// `true`
    pub const TRUE: u8 = 2;
    /// Integer: its 8-byte slot holds the i64.
    pub const INT: u8 = 3;
    /// Float: its 8-byte slot holds the f64's bits.
    pub const FLOAT: u8 = 4;
    /// String: its 8-byte slot holds a string reference (offset, then length).
    pub const STR: u8 = 5;

    /// The kind byte of a constant.
    pub fn of(c: &crate::proto::Constant) -> u8 {
        use crate::proto::Constant;
        match c {
            Constant::Nil => NIL,
            Constant::Bool(false) => FALSE,
            Constant::Bool(true) => TRUE,
            Constant::Int(_) => INT,
            Constant::Float(_) => FLOAT,
            Constant::Str(_) => STR,
        }
    }
}

/// Bytes of padding needed to bring `pos` to a multiple of `align` (a power of two).
pub(crate) fn padding(pos: usize, align: usize) -> usize {
    pos.wrapping_neg() & (align - 1)
}

const _: () = assert!(HEADER_SIZE & 7 == 0 && RECORD_SIZE & 7 == 0);
const _: () = assert!(core::mem::size_of::<crate::Instruction>() == SIZES[0] as usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_rounds_up_to_the_alignment() {
        assert_eq!(padding(0, 8), 0);
        assert_eq!(padding(1, 8), 7);
        assert_eq!(padding(13, 4), 3);
        assert_eq!(padding(16, 8), 0);
    }

    #[test]
    fn check_values_have_distinct_bytes() {
        let b = CHECK_INT.to_le_bytes();
        assert!((1..8).all(|i| !b[..i].contains(&b[i])));
        assert_eq!(CHECK_FLOAT, 370.5);
    }
}
