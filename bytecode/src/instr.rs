//! The 32-bit instruction word and its typed operands.
//!
//! Bit layout (least significant bit first):
//!
//! ```text
//!  0      7        15 16       24       31
//!  | op:7 |  A:8    |k|  B:8    |  C:8   |   ABC
//!  | op:7 |  A:8    |     Bx:17          |   ABx / AsBx (sBx = Bx - OFFSET_SBX)
//!  | op:7 |          Ax:25               |   Ax
//!  | op:7 |          sJ:25               |   sJ (= Ax - OFFSET_SJ)
//! ```
//! Signed 8-bit operands (sB, sC) are stored in excess-127 form.

use crate::opcodes::OpCode;

/// A register index in the current frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reg(pub u8);

/// An index into a prototype's constant table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConstIdx(pub u32);

/// An index into a closure's upvalues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UpvalIdx(pub u8);

/// An index into a prototype's nested prototypes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProtoIdx(pub u32);

/// Width of each field.
pub const SIZE_OP: u32 = 7;
/// Width of A.
pub const SIZE_A: u32 = 8;
/// Width of B and C.
pub const SIZE_B: u32 = 8;
/// Width of Bx.
pub const SIZE_BX: u32 = 17;
/// Width of Ax and sJ.
pub const SIZE_AX: u32 = 25;

const POS_A: u32 = SIZE_OP;
const POS_K: u32 = POS_A + SIZE_A;
const POS_B: u32 = POS_K + 1;
const POS_C: u32 = POS_B + SIZE_B;
const POS_BX: u32 = POS_K;

/// Largest value of A, B and C.
pub const MAX_A: u32 = (1 << SIZE_A) - 1;
/// Largest value of B / C.
pub const MAX_C: u32 = (1 << SIZE_B) - 1;
/// Largest Bx.
pub const MAX_BX: u32 = (1 << SIZE_BX) - 1;
/// Largest Ax.
pub const MAX_AX: u32 = (1 << SIZE_AX) - 1;
/// sBx = Bx - OFFSET_SBX.
pub const OFFSET_SBX: i32 = (MAX_BX >> 1) as i32;
/// sJ = Ax - OFFSET_SJ.
pub const OFFSET_SJ: i32 = (MAX_AX >> 1) as i32;
/// sB/sC = B/C - OFFSET_SC.
pub const OFFSET_SC: i32 = (MAX_C >> 1) as i32;

// The fields tile the word exactly.
const _: () = assert!(POS_C + SIZE_B == 32);
const _: () = assert!(POS_BX + SIZE_BX == 32);
const _: () = assert!(SIZE_OP + SIZE_AX == 32);
const _: () = assert!(core::mem::size_of::<Instruction>() == 4);

/// One encoded instruction. `#[repr(transparent)]` so a `[u32]` from a chunk can be
/// viewed as `[Instruction]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(transparent)]
pub struct Instruction(pub u32);

#[inline(always)]
const fn mask(bits: u32) -> u32 {
    (1u32 << bits) - 1
}

impl Instruction {
    /// Encodes an ABC instruction.
    #[inline]
    pub const fn abc(op: OpCode, a: u32, b: u32, c: u32, k: bool) -> Self {
        Instruction(
            (op as u32)
                | ((a & MAX_A) << POS_A)
                | ((k as u32) << POS_K)
                | ((b & MAX_C) << POS_B)
                | ((c & MAX_C) << POS_C),
        )
    }
    /// Encodes an ABx instruction.
    #[inline]
    pub const fn abx(op: OpCode, a: u32, bx: u32) -> Self {
        Instruction((op as u32) | ((a & MAX_A) << POS_A) | ((bx & MAX_BX) << POS_BX))
    }
    /// Encodes an AsBx instruction.
    #[inline]
    pub const fn asbx(op: OpCode, a: u32, sbx: i32) -> Self {
        Self::abx(op, a, (sbx + OFFSET_SBX) as u32)
    }
    /// Encodes an Ax instruction.
    #[inline]
    pub const fn ax(op: OpCode, ax: u32) -> Self {
        Instruction((op as u32) | ((ax & MAX_AX) << POS_A))
    }
    /// Encodes an sJ instruction.
    #[inline]
    pub const fn sj(op: OpCode, sj: i32) -> Self {
        Self::ax(op, (sj + OFFSET_SJ) as u32)
    }

    /// The raw opcode number (may be invalid in an unverified chunk).
    #[inline(always)]
    pub const fn op_raw(self) -> u8 {
        (self.0 & mask(SIZE_OP)) as u8
    }
    /// The opcode; `None` if the number is not in the table.
    #[inline(always)]
    pub fn opcode(self) -> Option<OpCode> {
        OpCode::from_u8(self.op_raw())
    }
    /// Field A.
    #[inline(always)]
    pub const fn a(self) -> u32 {
        (self.0 >> POS_A) & MAX_A
    }
    /// Field B.
    #[inline(always)]
    pub const fn b(self) -> u32 {
        (self.0 >> POS_B) & MAX_C
    }
    /// Field C.
    #[inline(always)]
    pub const fn c(self) -> u32 {
        (self.0 >> POS_C) & MAX_C
    }
    /// Field B read as signed (sB).
    #[inline(always)]
    pub const fn sb(self) -> i32 {
        self.b() as i32 - OFFSET_SC
    }
    /// Field C read as signed (sC).
    #[inline(always)]
    pub const fn sc(self) -> i32 {
        self.c() as i32 - OFFSET_SC
    }
    /// The k bit.
    #[inline(always)]
    pub const fn k(self) -> bool {
        (self.0 >> POS_K) & 1 != 0
    }
    /// Field Bx.
    #[inline(always)]
    pub const fn bx(self) -> u32 {
        self.0 >> POS_BX
    }
    /// Field sBx.
    #[inline(always)]
    pub const fn sbx(self) -> i32 {
        self.bx() as i32 - OFFSET_SBX
    }
    /// Field Ax.
    #[inline(always)]
    pub const fn ax_field(self) -> u32 {
        self.0 >> POS_A
    }
    /// Field sJ.
    #[inline(always)]
    pub const fn sj_field(self) -> i32 {
        self.ax_field() as i32 - OFFSET_SJ
    }

    /// Returns a copy with field A replaced.
    #[inline]
    pub const fn with_a(self, a: u32) -> Self {
        Instruction((self.0 & !(MAX_A << POS_A)) | ((a & MAX_A) << POS_A))
    }
    /// Returns a copy with field B replaced.
    #[inline]
    pub const fn with_b(self, b: u32) -> Self {
        Instruction((self.0 & !(MAX_C << POS_B)) | ((b & MAX_C) << POS_B))
    }
    /// Returns a copy with field C replaced.
    #[inline]
    pub const fn with_c(self, c: u32) -> Self {
        Instruction((self.0 & !(MAX_C << POS_C)) | ((c & MAX_C) << POS_C))
    }
    /// Returns a copy with the k bit replaced.
    #[inline]
    pub const fn with_k(self, k: bool) -> Self {
        Instruction((self.0 & !(1 << POS_K)) | ((k as u32) << POS_K))
    }
    /// Returns a copy with sBx replaced (ABx/AsBx formats).
    #[inline]
    pub const fn with_sbx(self, sbx: i32) -> Self {
        Instruction((self.0 & mask(POS_BX)) | ((((sbx + OFFSET_SBX) as u32) & MAX_BX) << POS_BX))
    }
    /// Returns a copy with Bx replaced.
    #[inline]
    pub const fn with_bx(self, bx: u32) -> Self {
        Instruction((self.0 & mask(POS_BX)) | ((bx & MAX_BX) << POS_BX))
    }
    /// Returns a copy with sJ replaced.
    #[inline]
    pub const fn with_sj(self, sj: i32) -> Self {
        Instruction((self.0 & mask(POS_A)) | ((((sj + OFFSET_SJ) as u32) & MAX_AX) << POS_A))
    }
}

impl core::fmt::Debug for Instruction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.opcode() {
            Some(op) => write!(f, "{}({:#010x})", op.name(), self.0),
            None => write!(f, "INVALID({:#010x})", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let i = Instruction::abc(OpCode::Add, 255, 17, 200, true);
        assert_eq!(i.opcode(), Some(OpCode::Add));
        assert_eq!((i.a(), i.b(), i.c(), i.k()), (255, 17, 200, true));
        let j = Instruction::asbx(OpCode::LoadI, 3, -65535);
        assert_eq!(j.sbx(), -65535);
        let j = Instruction::asbx(OpCode::LoadI, 3, 65536);
        assert_eq!(j.sbx(), 65536);
        let s = Instruction::sj(OpCode::Jmp, -(1 << 24) + 1);
        assert_eq!(s.sj_field(), -(1 << 24) + 1);
        assert_eq!(s.with_sj(42).sj_field(), 42);
        let c = Instruction::abc(OpCode::AddI, 0, 0, (-5 + OFFSET_SC) as u32, false);
        assert_eq!(c.sc(), -5);
        assert_eq!(i.with_c(3).c(), 3);
        assert_eq!(i.with_c(3).b(), 17);
    }
}
