//! Strings: immutable byte strings, all interned, so equal strings are the same object
//! and string equality and hashing are pointer operations.
//!
//! The string table (`StrTable`) is an open-addressing set of every live string with
//! linear probing and backward-shift deletion. It is weak: the sweeper removes a string
//! from it just before freeing it (`Heap::free_object`). Hashes are seeded per heap and
//! cover every byte and the length, so embedded zeros and common prefixes hash apart.
//!
//! # Where the bytes live (anchor: STR-STORAGE)
//! A string's bytes are usually in its own block, right after the object. The string
//! constants of a chunk used in place (`Lua::load_chunk_static`, `load_chunk_shared`)
//! keep theirs in the chunk instead: `'static` memory, or a range of a shared backing
//! whose `Rc` the string holds in its tail. They are interned like any other string (an
//! equal string already interned is used instead), so nothing but `as_bytes` can tell.
//!
//! # Extendable hashes (anchor: STR-LANES)
//! A long string's hash absorbs its 64-byte blocks in four lanes, then the tail and the
//! length. A long string made by concatenation keeps its lane state in its tail (32
//! bytes), so `a .. b` hashes only what follows `a`'s last full block: a loop that
//! appends to a string costs the copy, not a rehash of everything built so far.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::ptr::NonNull;

use moonjet_bytecode::{Backing, Buf};

use crate::gc::{box_layout, tail_of, Gc, GcObject, Heap, Marker, ObjKind};
use crate::value::Value;

/// Where a string's bytes live and what its tail holds (STR-STORAGE).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Storage {
    /// The tail is the bytes.
    Inline,
    /// The tail is the lane state of the bytes' 64-byte blocks (`Lanes`), then the
    /// bytes (long strings made by concatenation, STR-LANES).
    InlineLanes,
    /// The bytes are `'static` (a chunk in flash); no tail.
    Static,
    /// The bytes lie in a shared backing; the tail is the `Rc<dyn Backing>` that keeps
    /// it alive.
    Shared,
}

/// Tail bytes of a string's lane state.
const LANES_BYTES: usize = core::mem::size_of::<Lanes>();
/// Tail bytes of a string whose bytes lie in a shared backing.
const SHARED_BYTES: usize = core::mem::size_of::<Rc<dyn Backing>>();

/// A Lua string: bytes (not necessarily UTF-8) and their hash. The bytes usually live
/// right after the object, in the same block (`Heap::alloc_with`); see STR-STORAGE.
pub struct LuaStr {
    /// Hash of the bytes (computed once, at interning).
    pub(crate) hash: u32,
    /// Where the bytes live and what the tail holds.
    storage: Storage,
    /// Length in bytes.
    pub(crate) len: usize,
    /// The bytes (dangling when empty). For inline bytes, a raw pointer taken from the
    /// block at allocation, so it carries the whole block's provenance.
    pub(crate) data: NonNull<u8>,
}

impl LuaStr {
    /// The bytes.
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `data` points to `len` initialised bytes that never change and live as
        // long as the object: in its block (written before it was linked; GC-INVARIANT),
        // in `'static` memory, or in a backing the object keeps alive through the `Rc` in
        // its tail (a `Backing` hands out its bytes through `&self`, so they stay valid
        // and unchanged while the backing lives: see `Heap::intern_shared`).
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
    /// True if the bytes live outside the heap, in a chunk used in place (STR-STORAGE).
    pub fn is_in_place(&self) -> bool {
        matches!(self.storage, Storage::Static | Storage::Shared)
    }
    /// The lane state of the bytes' 64-byte blocks, if the string keeps it (STR-LANES).
    #[inline]
    fn lanes(&self) -> Option<Lanes> {
        if self.storage != Storage::InlineLanes {
            return None;
        }
        // SAFETY: an `InlineLanes` string's tail starts with its lane state, written
        // before it was linked, and `data` (which carries the block's provenance) points
        // `LANES_BYTES` further on; the tail is 8-aligned (`box_layout`).
        Some(unsafe { data_lanes(self.data).read() })
    }
}

/// Where the lane state of an `InlineLanes` string or block whose bytes start at `data`
/// lies.
///
/// # Safety
/// `data` is the bytes' address in an `InlineLanes` block: `LANES_BYTES` past the start
/// of the tail, in the same block.
#[inline(always)]
unsafe fn data_lanes(data: NonNull<u8>) -> NonNull<Lanes> {
    // SAFETY: per the contract, the result is the start of the tail, in the same block.
    unsafe { data.sub(LANES_BYTES) }.cast()
}

impl GcObject for LuaStr {
    const KIND: ObjKind = ObjKind::Str;
    fn trace(&self, _m: &mut Marker) {}
    fn tail_bytes(&self) -> usize {
        match self.storage {
            Storage::Inline => self.len,
            Storage::InlineLanes => LANES_BYTES + self.len,
            Storage::Static => 0,
            Storage::Shared => SHARED_BYTES,
        }
    }
    unsafe fn drop_tail(&self, tail: NonNull<u8>) {
        if self.storage == Storage::Shared {
            // SAFETY: a `Shared` string's tail holds the `Rc` written by `intern_shared`
            // (8-aligned, `box_layout`); per the contract it is dropped once, here.
            unsafe { core::ptr::drop_in_place(tail.cast::<Rc<dyn Backing>>().as_ptr()) };
        }
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

/// Third-lane mixing constant (see `Lanes`).
const K3: u64 = 0x5899_65cc_7537_4cc3;

/// Strings longer than this are hashed four lanes at a time (`Lanes`).
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
    if bytes.len() > LANES_FROM {
        let mut l = Lanes::new(seed);
        l.absorb(seed, bytes.as_chunks::<64>().0);
        return l.finish(seed, bytes);
    }
    finish(seed, seed ^ K0, bytes, bytes.len())
}

/// The last rounds of a hash from state `h`: `rest` (the bytes after the blocks, if
/// any) 16 bytes at a time, then the whole string's length `len`.
#[inline(always)]
fn finish(seed: u64, mut h: u64, rest: &[u8], len: usize) -> u32 {
    let (pairs, tail) = rest.as_chunks::<16>();
    for c in pairs {
        let (a, b) = c.split_at(8);
        h = fold_mul(load_partial(a) ^ h ^ K1, load_partial(b) ^ seed ^ K2);
    }
    if !tail.is_empty() {
        let (a, b) = tail.split_at(tail.len().min(8));
        h = fold_mul(load_partial(a) ^ h ^ K1, load_partial(b) ^ seed ^ K2);
    }
    let h = fold_mul(h ^ (len as u64), K0 ^ seed);
    (h ^ (h >> 32)) as u32
}

/// The running hash of a long string's 64-byte blocks: four lanes, each folding 16
/// bytes per block into its own state, combined at the end (position-dependent
/// constants, so swapping lanes changes the hash). Absorbing blocks one call or many
/// gives the same state, which is what lets a concatenation continue its first part's
/// hash (STR-LANES).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
struct Lanes([u64; 4]);

impl Lanes {
    /// The state before any block.
    #[inline(always)]
    fn new(seed: u64) -> Lanes {
        let h = seed ^ K0;
        Lanes([h, h ^ K1, h ^ K2, h ^ K3])
    }

    /// Absorbs the next blocks.
    #[inline]
    fn absorb(&mut self, seed: u64, blocks: &[[u8; 64]]) {
        let l = &mut self.0;
        for blk in blocks {
            let (words, _) = blk.as_chunks::<8>();
            for (j, lane) in l.iter_mut().enumerate() {
                if let (Some(a), Some(b)) = (words.get(2 * j), words.get(2 * j + 1)) {
                    *lane = fold_mul(word(a) ^ *lane ^ K1, word(b) ^ seed ^ K2);
                }
            }
        }
    }

    /// The hash of the long string `bytes` (over `LANES_FROM` bytes), all of whose
    /// full blocks this state has absorbed.
    #[inline]
    fn finish(&self, seed: u64, bytes: &[u8]) -> u32 {
        let l = &self.0;
        let h = fold_mul(l[0] ^ K1, l[1] ^ K2) ^ fold_mul(l[2] ^ K3, l[3] ^ K0);
        let rest = bytes.as_chunks::<64>().1;
        finish(seed, h, rest, bytes.len())
    }
}

/// A per-heap seed from addresses (ASLR) of a stack slot and a fresh allocation; with
/// `std`, the environment variable `MOONJET_HASH_SEED` (an integer) fixes it instead.
///
/// The seed decides which keys of a table collide, so a program's speed varies a
/// little from run to run (a field found at the second probe costs a few more
/// instructions). A fixed seed makes runs comparable: instruction counts of two builds,
/// or a `pairs` order to reproduce.
fn make_seed() -> u64 {
    #[cfg(feature = "std")]
    if let Some(n) = std::env::var("MOONJET_HASH_SEED")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return fold_mul(n ^ K1, K2) ^ K0;
    }
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
    /// The interned string with these bytes and hash, revived if the sweeper has found
    /// it dead but not yet freed it (see `Heap::revive`).
    #[inline]
    fn find_str(&mut self, bytes: &[u8], hash: u32) -> Option<Gc<LuaStr>> {
        let s = self.strings.find(bytes, hash)?;
        self.revive(s);
        Some(s)
    }

    /// The interned string with these bytes, if any (revived like `find_str`); creates
    /// nothing.
    pub(crate) fn find_interned(&self, bytes: &[u8]) -> Option<Gc<LuaStr>> {
        let s = self
            .strings
            .find(bytes, hash_bytes(self.strings.seed, bytes))?;
        self.revive(s);
        Some(s)
    }

    /// Links a new string object (its tail ready) and adds it to the string table.
    fn add_str(&mut self, tail: usize, make: impl FnOnce(NonNull<u8>) -> LuaStr) -> Gc<LuaStr> {
        let s = self.alloc_with(tail, make);
        self.strings.insert(s);
        s
    }

    /// The unique string object with these bytes, created (with a copy of them) if
    /// needed.
    pub fn intern_bytes(&mut self, bytes: &[u8]) -> Gc<LuaStr> {
        let hash = hash_bytes(self.strings.seed, bytes);
        if let Some(s) = self.find_str(bytes, hash) {
            return s;
        }
        self.add_str(bytes.len(), |p| {
            // SAFETY: the tail is `bytes.len()` writable bytes, disjoint from `bytes`.
            unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), p.as_ptr(), bytes.len()) };
            LuaStr {
                hash,
                storage: Storage::Inline,
                len: bytes.len(),
                data: p,
            }
        })
    }

    /// The unique string object with these bytes; if it must be created, its bytes stay
    /// where they are (STR-STORAGE).
    pub fn intern_static(&mut self, bytes: &'static [u8]) -> Gc<LuaStr> {
        let hash = hash_bytes(self.strings.seed, bytes);
        if let Some(s) = self.find_str(bytes, hash) {
            return s;
        }
        self.add_str(0, |_| LuaStr {
            hash,
            storage: Storage::Static,
            len: bytes.len(),
            data: NonNull::from(bytes).cast(),
        })
    }

    /// The unique string object with the `len` bytes at `offset` of `backing`; if it
    /// must be created, its bytes stay in the backing, which it keeps alive
    /// (STR-STORAGE). Strings no longer than the reference to the backing are copied:
    /// that costs no more heap. A range the backing does not hold (it broke its
    /// contract) reads as empty.
    pub fn intern_shared(
        &mut self,
        backing: &Rc<dyn Backing>,
        offset: u32,
        len: u32,
    ) -> Gc<LuaStr> {
        let start = offset as usize;
        let range = start..start.saturating_add(len as usize);
        let bytes = backing.bytes().get(range).unwrap_or(&[]);
        if bytes.len() <= SHARED_BYTES {
            return self.intern_bytes(bytes);
        }
        let hash = hash_bytes(self.strings.seed, bytes);
        if let Some(s) = self.find_str(bytes, hash) {
            return s;
        }
        let keep = Rc::clone(backing);
        self.add_str(SHARED_BYTES, |p| {
            // SAFETY: the tail is `SHARED_BYTES` writable bytes, 8-aligned (`box_layout`);
            // `drop_tail` drops the `Rc` when the string is freed.
            unsafe { p.cast::<Rc<dyn Backing>>().write(keep) };
            LuaStr {
                hash,
                storage: Storage::Shared,
                len: bytes.len(),
                // `bytes` was handed out by the backing through `&self`: memory reached
                // that way cannot be changed or freed while the backing lives (no `&mut`
                // exists while the `Rc` is shared), and the string keeps the backing
                // alive, so the address stays good for the string's whole life.
                data: NonNull::from(bytes).cast(),
            }
        })
    }

    /// The unique string object of a prototype's string constant: in place for a chunk
    /// used in place (`intern_static`, `intern_shared`), else a copy.
    pub fn intern_const(&mut self, s: &Buf<u8>) -> Gc<LuaStr> {
        match s {
            Buf::Static(b) => self.intern_static(b),
            Buf::Shared {
                backing,
                offset,
                len,
            } => self.intern_shared(backing, *offset, *len),
            Buf::Owned(b) => self.intern_bytes(b),
        }
    }

    /// The interned concatenation of `parts` if every part is a string (`None`
    /// otherwise). The bytes are copied once, straight into a new string's block; if
    /// an equal string exists already, the block is given back and that one returned.
    /// A long result keeps its lane state, and continues the first part's when it has
    /// one (STR-LANES).
    pub fn concat_strings(&mut self, parts: &[Value]) -> Option<Gc<LuaStr>> {
        let mut len = 0usize;
        for v in parts {
            match v {
                Value::Str(s) => len = len.checked_add(s.len())?,
                _ => return None,
            }
        }
        let long = len > LANES_FROM;
        let tail = if long {
            len.checked_add(LANES_BYTES)?
        } else {
            len
        };
        let layout = box_layout::<LuaStr>(tail);
        let block = self.pool.alloc(layout);
        let at_tail = tail_of::<LuaStr>(block);
        let data = if long {
            // SAFETY: the tail is `LANES_BYTES + len` bytes, so skipping the lane state
            // stays inside it.
            unsafe { at_tail.add(LANES_BYTES) }
        } else {
            at_tail
        };
        let mut at = 0;
        for v in parts {
            if let Value::Str(s) = v {
                // SAFETY: the parts' lengths sum to `len`, the bytes' room in the tail; the
                // tail is a fresh block, disjoint from every existing string.
                unsafe {
                    core::ptr::copy_nonoverlapping(s.as_ptr_bytes(), data.as_ptr().add(at), s.len())
                };
                at += s.len();
            }
        }
        // SAFETY: all `len` bytes were written just above.
        let bytes = unsafe { core::slice::from_raw_parts(data.as_ptr(), len) };
        let seed = self.strings.seed;
        let (hash, lanes) = if long {
            let lanes = continued_lanes(seed, parts.first(), bytes);
            (lanes.finish(seed, bytes), Some(lanes))
        } else {
            (hash_bytes(seed, bytes), None)
        };
        if let Some(s) = self.find_str(bytes, hash) {
            // SAFETY: the block came from `pool.alloc(layout)` and nothing refers to it.
            unsafe { self.pool.free(block, layout) };
            return Some(s);
        }
        let storage = match lanes {
            Some(l) => {
                // SAFETY: `data` is `LANES_BYTES` into this block's tail, which is
                // 8-aligned and has room for the state there.
                unsafe { data_lanes(data).write(l) };
                Storage::InlineLanes
            }
            None => Storage::Inline,
        };
        let value = LuaStr {
            hash,
            storage,
            len,
            data,
        };
        // SAFETY: the block has the layout of this value's tail, which holds its bytes
        // (and lane state).
        let s = unsafe { self.link_block(block, value) };
        self.strings.insert(s);
        Some(s)
    }
}

/// The lane state of the long string `bytes`, which starts with the string `first`:
/// `first`'s own state extended by the blocks after it when it keeps one, else computed
/// from the start (STR-LANES).
#[inline]
fn continued_lanes(seed: u64, first: Option<&Value>, bytes: &[u8]) -> Lanes {
    let blocks = bytes.as_chunks::<64>().0;
    let (mut lanes, done) = match first {
        Some(Value::Str(a)) => a
            .lanes()
            .map_or((Lanes::new(seed), 0), |l| (l, a.len() / 64)),
        _ => (Lanes::new(seed), 0),
    };
    lanes.absorb(seed, blocks.get(done..).unwrap_or(&[]));
    lanes
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

    #[test]
    fn concatenation_continues_the_hash_of_its_first_part() {
        let mut h = Heap::default();
        let seed = h.strings.seed;
        let bytes: Vec<u8> = (0..700u32).map(|i| (i * 13 % 251) as u8).collect();
        // Build strings by appending pieces of many lengths (crossing block bounds
        // anywhere): each result hashes as if interned from its bytes.
        for step in [1usize, 7, 63, 64, 65, 130] {
            let mut s = h.intern_bytes(b"");
            let mut n = 0;
            while n < bytes.len() {
                let m = (n + step).min(bytes.len());
                let piece = h.intern_bytes(&bytes[n..m]);
                let parts = [Value::Str(s), Value::Str(piece), Value::Str(piece)];
                let Some(t) = h.concat_strings(&parts[..2]) else {
                    panic!("strings concatenate")
                };
                assert_eq!(t.as_bytes(), &bytes[..m]);
                assert_eq!(
                    t.hash(),
                    hash_bytes(seed, &bytes[..m]),
                    "step {step} len {m}"
                );
                assert_eq!(t.lanes().is_some(), m > LANES_FROM);
                assert!(h.intern_bytes(&bytes[..m]) == t);
                // Three parts, the first with a lane state.
                let Some(u) = h.concat_strings(&parts) else {
                    panic!("strings concatenate")
                };
                let mut want = bytes[..m].to_vec();
                want.extend_from_slice(&bytes[n..m]);
                assert_eq!(u.hash(), hash_bytes(seed, &want));
                assert!(h.intern_bytes(&want) == u);
                s = t;
                n = m;
            }
        }
        // A non-string part: no result.
        let a = h.intern_bytes(b"a");
        assert!(h.concat_strings(&[Value::Str(a), Value::Int(1)]).is_none());
    }

    /// A backing over a leaked buffer.
    struct Mem(&'static [u8]);

    impl Backing for Mem {
        fn bytes(&self) -> &[u8] {
            self.0
        }
    }

    #[test]
    fn in_place_strings_keep_their_bytes_and_are_interned() {
        let chunk: &'static [u8] =
            Vec::leak(b"short|a string long enough to stay in place".to_vec());
        let range = chunk.as_ptr_range();
        let within = |s: Gc<LuaStr>| range.contains(&s.as_bytes().as_ptr());
        let mut h = Heap::default();
        // Static: in place, and found by later interning.
        let long = &chunk[6..];
        let s = h.intern_static(long);
        assert!(within(s) && s.is_in_place() && s.as_bytes() == long);
        assert!(h.intern_bytes(long) == s);
        assert_eq!(s.tail_bytes(), 0);
        // An equal string already interned is used instead.
        let copied = h.intern_bytes(b"short");
        assert!(h.intern_static(&chunk[..5]) == copied && !copied.is_in_place());
        // Shared: in place, holding the backing until the string is freed.
        let backing: Rc<dyn Backing> = Rc::new(Mem(chunk));
        let mut h2 = Heap::default();
        let t = h2.intern_shared(&backing, 6, (chunk.len() - 6) as u32);
        assert!(within(t) && t.is_in_place() && t.as_bytes() == long);
        assert!(h2.intern_shared(&backing, 6, (chunk.len() - 6) as u32) == t);
        assert_eq!(Rc::strong_count(&backing), 2);
        // Short ones are copied (no hold on the backing); bad ranges read as empty.
        let u = h2.intern_shared(&backing, 0, 5);
        assert!(!within(u) && u.as_bytes() == b"short");
        assert!(h2.intern_shared(&backing, 40, 100).is_empty());
        assert_eq!(Rc::strong_count(&backing), 2);
        drop(h2);
        assert_eq!(Rc::strong_count(&backing), 1);
    }
}
