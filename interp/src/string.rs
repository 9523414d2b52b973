//! Strings: immutable byte strings, all interned, so equal strings are the same object
//! and string equality and hashing are pointer operations.

use alloc::boxed::Box;

use crate::gc::{GcObject, Marker, ObjKind};

/// A Lua string: bytes (not necessarily UTF-8) and their hash.
pub struct LuaStr {
    /// Hash of the bytes (computed once, at interning).
    pub(crate) hash: u32,
    /// The bytes.
    pub(crate) bytes: Box<[u8]>,
}

impl LuaStr {
    /// The bytes.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// Length in bytes.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }
    /// True for "".
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
    /// The precomputed hash.
    #[inline(always)]
    pub fn hash(&self) -> u32 {
        self.hash
    }
}

impl GcObject for LuaStr {
    const KIND: ObjKind = ObjKind::Str;
    fn trace(&self, _m: &mut Marker) {}
    fn extra_bytes(&self) -> usize {
        self.bytes.len()
    }
}
