//! Strings: immutable byte strings, all interned, so equal strings are the same object
//! and string equality and hashing are pointer operations.
//!
//! The string table (`StrTable`) is an open-addressing set of every live string with
//! linear probing and backward-shift deletion. It is weak: the sweeper removes a string
//! from it just before freeing it (`Heap::free_object`). Hashes are seeded per heap and
//! cover every byte and the length, so embedded zeros and common prefixes hash apart.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ptr::NonNull;

use crate::gc::{box_layout, tail_of, Gc, GcObject, Heap, Marker, ObjKind};
use crate::value::Value;

/// A Lua string: bytes (not necessarily UTF-8) and their hash. The bytes live right
/// after the object, in the same block (`Heap::alloc_with`).
pub struct LuaStr {
    /// Hash of the bytes (computed once, at interning).
    pub(crate) hash: u32,
    /// Length in bytes.
    len: usize,
    /// The bytes (the object's tail; dangling when empty). A raw pointer taken from
    /// the block at allocation, so it carries the whole block's provenance.
    data: NonNull<u8>,
}

impl LuaStr {
    /// The bytes.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `data` points to `len` initialised bytes in this object's block,
        // written before the object was linked and never changed; the block lives as
        // long as the object (GC-INVARIANT).
        unsafe { core::slice::from_raw_parts(self.data.as_ptr(), self.len) }
    }
    /// Length in bytes.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }
    /// True for "".
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Address of the first byte (for copying out without a borrow).
    #[inline(always)]
    fn as_ptr_bytes(&self) -> *const u8 {
        self.data.as_ptr()
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
    fn tail_bytes(&self) -> usize {
        self.len
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

/// Third-lane mixing constant (see `hash_lanes`).
const K3: u64 = 0x5899_65cc_7537_4cc3;

/// Strings longer than this are hashed four lanes at a time (`hash_lanes`).
const LANES_FROM: usize = 64;

/// A little-endian word.
#[inline(always)]
fn word(b: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*b)
}

/// Hash of a byte string under `seed`: 16 bytes per round through a folded multiply
/// (four independent lanes of 16 bytes over the 64-byte blocks of a long string, so
/// the multiplies overlap), the zero-padded tail, then the length (so `"a"` and
/// `"a\0"` differ). Every byte counts: strings are interned, so a hash that skipped
/// bytes would turn families of similar long strings into long probe chains.
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u32 {
    let mut h = seed ^ K0;
    let mut rest = bytes;
    if bytes.len() > LANES_FROM {
        let (blocks, tail) = bytes.as_chunks::<64>();
        h = hash_lanes(seed, h, blocks);
        rest = tail;
    }
    let (pairs, tail) = rest.as_chunks::<16>();
    for c in pairs {
        let (a, b) = c.split_at(8);
        h = fold_mul(load_partial(a) ^ h ^ K1, load_partial(b) ^ seed ^ K2);
    }
    if !tail.is_empty() {
        let (a, b) = tail.split_at(tail.len().min(8));
        h = fold_mul(load_partial(a) ^ h ^ K1, load_partial(b) ^ seed ^ K2);
    }
    let h = fold_mul(h ^ (bytes.len() as u64), K0 ^ seed);
    (h ^ (h >> 32)) as u32
}

/// The 64-byte blocks of a long string: four lanes, each folding 16 bytes per block
/// into its own state, combined at the end (position-dependent constants, so swapping
/// lanes changes the hash).
#[inline]
fn hash_lanes(seed: u64, h: u64, blocks: &[[u8; 64]]) -> u64 {
    let mut l = [h, h ^ K1, h ^ K2, h ^ K3];
    for blk in blocks {
        let (words, _) = blk.as_chunks::<8>();
        for (j, lane) in l.iter_mut().enumerate() {
            if let (Some(a), Some(b)) = (words.get(2 * j), words.get(2 * j + 1)) {
                *lane = fold_mul(word(a) ^ *lane ^ K1, word(b) ^ seed ^ K2);
            }
        }
    }
    fold_mul(l[0] ^ K1, l[1] ^ K2) ^ fold_mul(l[2] ^ K3, l[3] ^ K0)
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
            if s.hash == hash && s.as_bytes() == bytes {
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
                Some(x) if x.addr() == s.addr() => break,
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
        let s = self.alloc_with(bytes.len(), |p| {
            // SAFETY: the tail is `bytes.len()` writable bytes, disjoint from `bytes`.
            unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), p.as_ptr(), bytes.len()) };
            LuaStr {
                hash,
                len: bytes.len(),
                data: p,
            }
        });
        self.strings.insert(s);
        s
    }

    /// The interned concatenation of `parts` if every part is a string (`None`
    /// otherwise). The bytes are copied once, straight into a new string's block; if
    /// an equal string exists already, the block is given back and that one returned.
    pub fn concat_strings(&mut self, parts: &[Value]) -> Option<Gc<LuaStr>> {
        let mut len = 0usize;
        for v in parts {
            match v {
                Value::Str(s) => len = len.checked_add(s.len())?,
                _ => return None,
            }
        }
        let layout = box_layout::<LuaStr>(len);
        let block = self.pool.alloc(layout);
        let data = tail_of::<LuaStr>(block);
        let mut at = 0;
        for v in parts {
            if let Value::Str(s) = v {
                // SAFETY: the parts' lengths sum to `len`, the tail's size; the tail is
                // a fresh block, disjoint from every existing string.
                unsafe {
                    core::ptr::copy_nonoverlapping(s.as_ptr_bytes(), data.as_ptr().add(at), s.len())
                };
                at += s.len();
            }
        }
        // SAFETY: all `len` bytes of the tail were written just above.
        let bytes = unsafe { core::slice::from_raw_parts(data.as_ptr(), len) };
        let hash = hash_bytes(self.strings.seed, bytes);
        if let Some(s) = self.strings.find(bytes, hash) {
            // SAFETY: the block came from `pool.alloc(layout)` and nothing refers to it.
            unsafe { self.pool.free(block, layout) };
            self.revive(s);
            return Some(s);
        }
        let value = LuaStr { hash, len, data };
        // SAFETY: the block has this layout and its tail holds the bytes.
        let s = unsafe { self.link_block(block, value) };
        self.strings.insert(s);
        Some(s)
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
    fn every_byte_of_a_long_string_counts() {
        let base: Vec<u8> = (0..300u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut seen = alloc::collections::BTreeSet::new();
        seen.insert(hash_bytes(3, &base));
        for pos in 0..base.len() {
            for flip in [1u8, 0x80] {
                let mut v = base.clone();
                v[pos] ^= flip;
                assert!(seen.insert(hash_bytes(3, &v)), "byte {pos} flip {flip:#x}");
            }
        }
        // The same high bit flipped in two words of one lane does not cancel out.
        let mut v = base.clone();
        v[7] ^= 0x80;
        v[71] ^= 0x80;
        assert_ne!(hash_bytes(3, &v), hash_bytes(3, &base));
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
