//! Strings: immutable byte strings, all interned, so equal strings are the same object
//! and string equality and hashing are pointer operations.
//!
//! The string table (`StrTable`) is an open-addressing set of every live string with
//! linear probing and backward-shift deletion. It is weak: the sweeper removes a string
//! from it just before freeing it (`Heap::free_object`). Hashes are seeded per heap and
//! cover every byte and the length, so embedded zeros and common prefixes hash apart.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::gc::{Gc, GcObject, Heap, Marker, ObjKind};

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

// ------------------------------------------------------------------------ hashing

/// Mixing constants (odd, high-entropy 64-bit values).
const K0: u64 = 0xa076_1d64_78bd_642f;
/// Second mixing constant.
const K1: u64 = 0xe703_7ed1_a0b4_28db;
/// Third mixing constant.
const K2: u64 = 0x8ebc_6af0_9c88_c6e3;

/// 64x64 -> 128 bit multiply, folded back to 64 bits by xoring the halves.
#[inline(always)]
pub(crate) fn fold_mul(a: u64, b: u64) -> u64 {
    let r = (a as u128).wrapping_mul(b as u128);
    (r as u64) ^ ((r >> 64) as u64)
}

/// Little-endian load of up to 8 bytes, zero-padded.
#[inline(always)]
fn load_partial(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    let n = b.len().min(8);
    w[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(w)
}

/// Hash of a byte string under `seed`: 16 bytes per round through a folded multiply,
/// the zero-padded tail, then the length (so `"a"` and `"a\0"` differ).
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u32 {
    let mut h = seed ^ K0;
    let mut chunks = bytes.chunks_exact(16);
    for c in &mut chunks {
        let (a, b) = c.split_at(8);
        h = fold_mul(load_partial(a) ^ h ^ K1, load_partial(b) ^ seed ^ K2);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let (a, b) = rest.split_at(rest.len().min(8));
        h = fold_mul(load_partial(a) ^ h ^ K1, load_partial(b) ^ seed ^ K2);
    }
    let h = fold_mul(h ^ (bytes.len() as u64), K0 ^ seed);
    (h ^ (h >> 32)) as u32
}

/// A per-heap seed from addresses (ASLR) of a stack slot and a fresh allocation.
fn make_seed() -> u64 {
    let probe = Box::new(0u8);
    let local = 0u8;
    let a = &*probe as *const u8 as u64;
    let b = &local as *const u8 as u64;
    fold_mul(a ^ K1, b ^ K2) ^ K0
}

// ------------------------------------------------------------------- string table

/// The set of interned strings: open addressing, linear probing, power-of-two size.
pub(crate) struct StrTable {
    /// Slots (`None` = empty).
    slots: Vec<Option<Gc<LuaStr>>>,
    /// Occupied slots.
    count: usize,
    /// Hash seed of this heap.
    pub(crate) seed: u64,
}

impl StrTable {
    /// An empty table with a fresh seed.
    pub(crate) fn new() -> StrTable {
        StrTable {
            slots: alloc::vec![None; 64],
            count: 0,
            seed: make_seed(),
        }
    }

    /// The slot mask (`slots.len()` is a power of two).
    #[inline(always)]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The interned string with these bytes and hash, if any.
    fn find(&self, bytes: &[u8], hash: u32) -> Option<Gc<LuaStr>> {
        let mask = self.mask();
        let mut i = hash as usize & mask;
        while let Some(s) = self.slots.get(i).copied().flatten() {
            if s.hash == hash && *s.bytes == *bytes {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Adds a string known to be absent, growing at 1/2 load.
    fn insert(&mut self, s: Gc<LuaStr>) {
        if (self.count + 1) * 2 > self.slots.len() {
            self.resize(self.slots.len() * 2);
        }
        self.place(s);
        self.count += 1;
    }

    /// Puts `s` in the first empty slot of its probe sequence.
    fn place(&mut self, s: Gc<LuaStr>) {
        let mask = self.mask();
        let mut i = s.hash as usize & mask;
        while let Some(slot) = self.slots.get_mut(i) {
            if slot.is_none() {
                *slot = Some(s);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Rebuilds with `n` slots (a power of two above the count).
    fn resize(&mut self, n: usize) {
        let old = core::mem::replace(&mut self.slots, alloc::vec![None; n]);
        for s in old.into_iter().flatten() {
            self.place(s);
        }
    }

    /// Removes `s` (by identity) with backward-shift deletion, so no tombstones exist.
    pub(crate) fn remove(&mut self, s: Gc<LuaStr>) {
        let mask = self.mask();
        let mut i = s.hash as usize & mask;
        loop {
            match self.slots.get(i).copied().flatten() {
                None => return,
                Some(x) if x == s => break,
                Some(_) => i = (i + 1) & mask,
            }
        }
        // Shift later members of the cluster back over the hole when their home slot
        // does not lie cyclically in (hole, j].
        let mut hole = i;
        let mut j = (i + 1) & mask;
        while let Some(x) = self.slots.get(j).copied().flatten() {
            let home = x.hash as usize & mask;
            let between = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !between {
                self.slots[hole] = Some(x);
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.slots[hole] = None;
        self.count -= 1;
    }

    /// Halves the table while it is at most 1/8 full (called after a sweep).
    pub(crate) fn shrink_if_sparse(&mut self) {
        let mut n = self.slots.len();
        while n > 64 && self.count * 8 <= n {
            n /= 2;
        }
        if n != self.slots.len() {
            self.resize(n);
        }
    }
}

// ----------------------------------------------------------------------- interning

impl Heap {
    /// The unique string object with these bytes, created if needed. A string the
    /// sweeper has found dead but not yet freed is revived (see `Heap::revive`).
    pub fn intern_bytes(&mut self, bytes: &[u8]) -> Gc<LuaStr> {
        let hash = hash_bytes(self.strings.seed, bytes);
        if let Some(s) = self.strings.find(bytes, hash) {
            self.revive(s);
            return s;
        }
        let s = self.alloc(LuaStr {
            hash,
            bytes: bytes.into(),
        });
        self.strings.insert(s);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_gives_identity() {
        let mut h = Heap::default();
        let a = h.intern_bytes(b"hello");
        let b = h.intern_bytes(b"hello");
        let c = h.intern_bytes(b"hellp");
        assert!(a == b);
        assert!(a != c);
        assert_eq!(a.as_bytes(), b"hello");
        assert_eq!(a.hash(), hash_bytes(h.strings.seed, b"hello"));
    }

    #[test]
    fn embedded_zeros_and_lengths_hash_apart() {
        let mut h = Heap::default();
        let keys: [&[u8]; 7] = [b"", b"\0", b"\0\0", b"a", b"a\0", b"a\0b", b"a\0c"];
        let strs: Vec<_> = keys.iter().map(|k| h.intern_bytes(k)).collect();
        for (i, s) in strs.iter().enumerate() {
            assert_eq!(s.as_bytes(), keys[i]);
            for (j, t) in strs.iter().enumerate() {
                assert_eq!(i == j, s == t, "{i} {j}");
                if i != j {
                    assert_ne!(s.hash(), t.hash(), "{i} {j}");
                }
            }
        }
        // Every length up to a few rounds, all-zero bytes: distinct hashes.
        let zeros = [0u8; 80];
        let hs: Vec<u32> = (0..=80).map(|n| hash_bytes(7, &zeros[..n])).collect();
        for i in 0..hs.len() {
            for j in i + 1..hs.len() {
                assert_ne!(hs[i], hs[j]);
            }
        }
    }

    #[test]
    fn seeds_change_hashes() {
        assert_ne!(hash_bytes(1, b"some key"), hash_bytes(2, b"some key"));
    }

    #[test]
    fn table_survives_growth_and_removal() {
        let mut h = Heap::default();
        let base = h.strings.count;
        let strs: Vec<_> = (0..5000)
            .map(|i| h.intern_bytes(alloc::format!("k{i}").as_bytes()))
            .collect();
        assert_eq!(h.strings.count, base + 5000);
        // Remove every other one (backward-shift deletion) and find the rest again.
        for s in strs.iter().step_by(2) {
            h.strings.remove(*s);
        }
        assert_eq!(h.strings.count, base + 2500);
        for (i, s) in strs.iter().enumerate() {
            let key = alloc::format!("k{i}");
            let found = h.strings.find(key.as_bytes(), s.hash());
            assert_eq!(found.is_some(), i % 2 == 1, "{key}");
        }
        h.strings.shrink_if_sparse();
        for s in strs.iter().skip(1).step_by(2) {
            assert!(h.strings.find(s.as_bytes(), s.hash()) == Some(*s));
        }
    }
}
