//! Function prototypes: what the compiler produces and the interpreter runs.
//!
//! The arrays that a chunk can supply in place (code, line info, string bytes) are held
//! in [`Buf`], which either owns its elements or borrows them from memory that outlives
//! the prototype (a `&'static` flash image, or a mapping kept alive by the chunk loader:
//! see [`crate::chunk`] and `FORMAT.md`). A `Proto` built from a chunk used in place
//! (`chunk::ChunkFn::proto`) describes one function: its `protos` is empty and its nested
//! functions are reached through the `ChunkFn`.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::ops::Deref;

use bytemuck::Pod;

use crate::instr::Instruction;

/// Memory that loaded prototypes borrow in place: a file mapping, a buffer kept alive.
///
/// Contract: `bytes` returns the same slice (same address, length and contents) every time
/// it is called, for as long as the value lives. The chunk loader checks alignment and
/// lengths once and [`Buf::Shared`] relies on that; a backing that breaks the contract
/// makes the affected arrays read as empty, never misaligned or out of bounds.
pub trait Backing {
    /// The whole chunk.
    fn bytes(&self) -> &[u8];
}

/// An immutable array that is either owned or borrowed from long-lived memory.
pub enum Buf<T: 'static> {
    /// Allocated on the heap.
    Owned(Box<[T]>),
    /// Borrowed from memory that lives at least as long as the prototype.
    Static(&'static [T]),
    /// `len` bytes at `offset` of a shared backing (a mapped chunk), viewed as `[T]`; the
    /// `Rc` keeps the mapping alive as long as any prototype uses it.
    Shared {
        /// The memory.
        backing: Rc<dyn Backing>,
        /// Byte offset of the first element.
        offset: u32,
        /// Length in bytes.
        len: u32,
    },
}

/// Views bytes as `[T]`; `None` if the address is not aligned for `T` or the length is not
/// a multiple of its size. The one place where chunk bytes are reinterpreted (through
/// bytemuck's checked cast); callers pass only little-endian data on little-endian hosts.
#[inline]
pub fn view<T: Pod>(bytes: &[u8]) -> Option<&[T]> {
    bytemuck::try_cast_slice(bytes).ok()
}

/// Copies native-order bytes into a new `Vec<T>` (any alignment); the owned counterpart
/// of [`view`]. Trailing bytes that do not fill an element are ignored.
pub fn copy_of<T: Pod>(bytes: &[u8]) -> Vec<T> {
    let n = bytes.len() / core::mem::size_of::<T>().max(1);
    let mut v = alloc::vec![T::zeroed(); n];
    let dst: &mut [u8] = bytemuck::cast_slice_mut(&mut v);
    if let Some(src) = bytes.get(..dst.len()) {
        dst.copy_from_slice(src);
    }
    v
}

impl<T: Pod> Buf<T> {
    /// The bytes of a [`Buf::Shared`] range; empty if the backing broke its contract.
    #[inline]
    fn shared_slice(backing: &dyn Backing, offset: u32, len: u32) -> &[T] {
        let start = offset as usize;
        let range = start..start.saturating_add(len as usize);
        backing.bytes().get(range).and_then(view).unwrap_or(&[])
    }
}

impl<T: Pod> Deref for Buf<T> {
    type Target = [T];
    #[inline(always)]
    fn deref(&self) -> &[T] {
        match self {
            Buf::Owned(b) => b,
            Buf::Static(s) => s,
            Buf::Shared {
                backing,
                offset,
                len,
            } => Self::shared_slice(&**backing, *offset, *len),
        }
    }
}

impl<T> From<Vec<T>> for Buf<T> {
    fn from(v: Vec<T>) -> Self {
        Buf::Owned(v.into_boxed_slice())
    }
}

impl<T: Clone> Clone for Buf<T> {
    fn clone(&self) -> Self {
        match self {
            Buf::Owned(b) => Buf::Owned(b.clone()),
            Buf::Static(s) => Buf::Static(s),
            Buf::Shared {
                backing,
                offset,
                len,
            } => Buf::Shared {
                backing: Rc::clone(backing),
                offset: *offset,
                len: *len,
            },
        }
    }
}

impl<T: Pod + core::fmt::Debug> core::fmt::Debug for Buf<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: Pod + PartialEq> PartialEq for Buf<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// A constant of a prototype.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// `nil`
    Nil,
    /// `true` / `false`
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Float(f64),
    /// A byte string (not necessarily UTF-8).
    Str(Buf<u8>),
}

/// Where a closure finds one of its upvalues when it is created.
#[derive(Clone, Debug, PartialEq)]
pub struct UpvalDesc {
    /// True: a register of the enclosing function; false: an upvalue of it.
    pub in_stack: bool,
    /// The register or upvalue index in the enclosing function.
    pub index: u8,
    /// Variable kind: 0 regular, 1 `<const>`, 2 `<close>`, 3 compile-time constant.
    pub kind: u8,
    /// Name for debug info (`None` when stripped).
    pub name: Option<Buf<u8>>,
}

/// Debug info for a local variable: its name and the pc range where it is active.
#[derive(Clone, Debug, PartialEq)]
pub struct LocVar {
    /// Variable name.
    pub name: Buf<u8>,
    /// First pc where the variable is active.
    pub start_pc: u32,
    /// First pc where the variable is dead.
    pub end_pc: u32,
}

/// A compiled function.
#[derive(Clone, Debug)]
pub struct Proto {
    /// Chunk name (`@file.lua`, `=stdin`, or the source text for strings).
    pub source: Rc<[u8]>,
    /// Line where the function's definition starts (0 for the main chunk).
    pub line_defined: u32,
    /// Line where it ends.
    pub last_line_defined: u32,
    /// Number of fixed parameters.
    pub num_params: u8,
    /// Declared with `...`.
    pub is_vararg: bool,
    /// Registers needed by the function (frame size).
    pub max_stack: u8,
    /// The instructions.
    pub code: Buf<Instruction>,
    /// Constants referenced by K operands.
    pub constants: Vec<Constant>,
    /// Upvalue descriptors.
    pub upvalues: Vec<UpvalDesc>,
    /// Nested functions, referenced by CLOSURE.
    pub protos: Vec<Rc<Proto>>,
    /// Source line of each instruction (empty when stripped).
    pub line_info: Buf<u32>,
    /// Local variable debug info (empty when stripped).
    pub locals: Vec<LocVar>,
}

impl Proto {
    /// The source line of instruction `pc`, if debug info is present.
    pub fn line_at(&self, pc: usize) -> Option<u32> {
        self.line_info.get(pc).copied()
    }

    /// Name of the `n`-th (1-based) local variable active at `pc`, as PUC's
    /// `luaF_getlocalname`.
    pub fn local_name(&self, mut n: usize, pc: usize) -> Option<&[u8]> {
        for lv in &self.locals {
            if lv.start_pc as usize > pc {
                break;
            }
            if pc < lv.end_pc as usize {
                n -= 1;
                if n == 0 {
                    return Some(&lv.name);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;

    /// A backing over a fixed aligned buffer that can be made to misbehave.
    struct Words {
        /// Storage (u32 for alignment).
        words: [u32; 4],
        /// When set, `bytes` returns a shorter slice (breaking the contract).
        shrink: Cell<bool>,
    }

    impl Backing for Words {
        fn bytes(&self) -> &[u8] {
            let all: &[u8] = bytemuck::cast_slice(&self.words);
            if self.shrink.get() {
                &all[..4]
            } else {
                all
            }
        }
    }

    #[test]
    fn shared_buf_views_its_range() {
        let w = Rc::new(Words {
            words: [1, 2, 3, 4],
            shrink: Cell::new(false),
        });
        let b: Buf<u32> = Buf::Shared {
            backing: w.clone(),
            offset: 4,
            len: 8,
        };
        assert_eq!(&b[..], &[2, 3]);
        assert_eq!(b.clone(), Buf::from(alloc::vec![2, 3]));
        // misaligned or out-of-range views read as empty, never panic
        let odd: Buf<u32> = Buf::Shared {
            backing: w.clone(),
            offset: 1,
            len: 4,
        };
        assert!(odd.is_empty());
        w.shrink.set(true);
        assert!(b.is_empty());
    }

    #[test]
    fn copy_of_handles_any_alignment() {
        let bytes = [0u8, 1, 0, 0, 0, 2, 0, 0, 0];
        assert_eq!(copy_of::<u32>(&bytes[1..]), alloc::vec![1, 2]);
        assert_eq!(
            view::<u32>(&bytes[1..5]).is_some(),
            bytes[1..].as_ptr() as usize & 3 == 0
        );
    }
}
