//! Static parts: a library table's entries kept in read-only memory (see STATIC-PART in
//! `table.rs`).
//!
//! A [`StaticPart`] is a slice of `(key, value)` pairs sorted by key bytes (the
//! traversal order), plus an open-addressing index over them, both built at compile
//! time by [`static_part!`](crate::static_part) from a library's function list (and
//! optional constants). A lookup hashes the key's length and first eight bytes, probes
//! the index and compares bytes, so no key string is interned until the entries are
//! copied into the table.

use crate::func::NativeFn;
use crate::value::Value;

/// One entry of a static part: a string key and a value that owns no heap object (a
/// light function, a number, a boolean).
pub type StaticEntry = (&'static str, Value);

/// Entries of a table that live in read-only memory, sorted by key bytes, keys
/// distinct (checked when the constant is evaluated), with their index.
pub struct StaticPart {
    /// The entries, sorted by key bytes.
    entries: &'static [StaticEntry],
    /// Open addressing over `entries`: slot `key_slot(key, mask)` and the following
    /// ones (linear probing) hold entry numbers plus one, 0 ends a probe. Its length
    /// is a power of two at least twice the number of entries.
    index: &'static [u8],
    /// `first_word` of each entry's key.
    words: &'static [u64],
}

/// Empty index slot.
const EMPTY: u8 = 0;

impl StaticPart {
    /// Wraps entries sorted by key bytes with distinct keys, whose values own no heap
    /// object, with their index from [`build_index`] and key words from [`key_words`]
    /// (a compile error otherwise when used in a constant).
    pub const fn new(
        entries: &'static [StaticEntry],
        index: &'static [u8],
        words: &'static [u64],
    ) -> StaticPart {
        let mut i = 1;
        while i < entries.len() {
            assert!(
                bytes_lt(entries[i - 1].0.as_bytes(), entries[i].0.as_bytes()),
                "static part keys must be sorted and distinct"
            );
            i += 1;
        }
        let mut j = 0;
        while j < entries.len() {
            assert!(
                !owns_heap_object(&entries[j].1),
                "static part values must not be heap objects"
            );
            j += 1;
        }
        assert!(
            index.len() == index_len(entries.len()),
            "index of the wrong size"
        );
        assert!(words.len() == entries.len(), "one key word per entry");
        StaticPart {
            entries,
            index,
            words,
        }
    }

    /// The entries, in traversal order.
    #[inline]
    pub fn entries(&self) -> &'static [StaticEntry] {
        self.entries
    }

    /// Index of the entry with key `key`.
    #[inline(always)]
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        let mask = self.index.len() - 1;
        let w = first_word(key);
        let mut slot = word_slot(w, key.len(), mask);
        // Terminates: at least half of the slots are empty.
        loop {
            let n = *self.index.get(slot)?;
            if n == EMPTY {
                return None;
            }
            let i = n as usize - 1;
            if *self.words.get(i)? == w && same_tail(self.entries.get(i)?.0.as_bytes(), key) {
                return Some(i);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The value stored under `key`, as a slot that lives for the whole program.
    #[inline(always)]
    pub fn slot(&self, key: &[u8]) -> Option<&'static Value> {
        let entries = self.entries;
        self.find(key).and_then(|i| entries.get(i)).map(|e| &e.1)
    }
}

/// Length of the index of `n` entries: a power of two, at least `2 * n` and 4.
pub const fn index_len(n: usize) -> usize {
    assert!(n < u8::MAX as usize, "too many entries for a static part");
    let mut m = 4;
    while m < 2 * n {
        m *= 2;
    }
    m
}

/// The index of `entries` (see `StaticPart::index`); `M` is `index_len(entries.len())`.
pub const fn build_index<const M: usize>(entries: &[StaticEntry]) -> [u8; M] {
    assert!(M == index_len(entries.len()), "wrong index length");
    let mut index = [EMPTY; M];
    let mut i = 0;
    while i < entries.len() {
        let mut slot = key_slot(entries[i].0.as_bytes(), M - 1);
        while index[slot] != EMPTY {
            slot = (slot + 1) & (M - 1);
        }
        index[slot] = i as u8 + 1;
        i += 1;
    }
    index
}

/// `first_word` of every key of `entries`.
pub const fn key_words<const N: usize>(entries: &[StaticEntry; N]) -> [u64; N] {
    let mut out = [0u64; N];
    let mut i = 0;
    while i < N {
        out[i] = first_word(entries[i].0.as_bytes());
        i += 1;
    }
    out
}

/// The home slot of `key` in an index of `mask + 1` slots.
const fn key_slot(key: &[u8], mask: usize) -> usize {
    word_slot(first_word(key), key.len(), mask)
}

/// The home slot of a key with this first word and length: a multiplicative hash (the
/// same at compile time and at run time).
#[inline(always)]
const fn word_slot(w: u64, len: usize, mask: usize) -> usize {
    let w = w ^ ((len as u64) << 59);
    (w.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize & mask
}

/// The first eight bytes of `b`, little-endian, zero-padded (two overlapping loads
/// for 4 to 7 bytes).
#[inline(always)]
const fn first_word(b: &[u8]) -> u64 {
    let n = b.len();
    if let Some(w) = b.first_chunk::<8>() {
        return u64::from_le_bytes(*w);
    }
    if let (Some(lo), Some(hi)) = (b.first_chunk::<4>(), b.last_chunk::<4>()) {
        let (lo, hi) = (
            u32::from_le_bytes(*lo) as u64,
            u32::from_le_bytes(*hi) as u64,
        );
        return lo | hi << (8 * (n - 4));
    }
    let (mut w, mut i) = (0u64, 0);
    while i < n {
        w |= (b[i] as u64) << (8 * i);
        i += 1;
    }
    w
}

/// `a == b` for two keys whose first words are equal: the lengths and the bytes past
/// the eighth (one overlapping word load up to 16 bytes).
#[inline(always)]
fn same_tail(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() <= 8 {
        return true;
    }
    match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(x), Some(y)) if a.len() <= 16 => x == y,
        _ => a.get(8..) == b.get(8..),
    }
}

/// True for values that refer to a heap object (a `const` test).
const fn owns_heap_object(v: &Value) -> bool {
    matches!(
        v,
        Value::Str(_)
            | Value::Table(_)
            | Value::LuaFn(_)
            | Value::NativeClosure(_)
            | Value::UserData(_)
            | Value::Thread(_)
    )
}

/// `a < b` in byte order (a `const` version of `<` on byte slices).
const fn bytes_lt(a: &[u8], b: &[u8]) -> bool {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// The entries of `funcs` (as light functions) and `values`, sorted by key: the body
/// of [`static_part!`](crate::static_part). `N` must be the total count.
pub const fn sorted_entries<const N: usize>(
    funcs: &[(&'static str, NativeFn)],
    values: &[StaticEntry],
) -> [StaticEntry; N] {
    assert!(funcs.len() + values.len() == N, "wrong entry count");
    let mut out: [StaticEntry; N] = [("", Value::Nil); N];
    let mut i = 0;
    while i < funcs.len() {
        out[i] = (funcs[i].0, Value::NativeFn(funcs[i].1));
        i += 1;
    }
    while i < N {
        out[i] = values[i - funcs.len()];
        i += 1;
    }
    // Insertion sort: these lists are a few dozen entries, sorted once at compile time.
    let mut k = 1;
    while k < N {
        let mut j = k;
        while j > 0 && bytes_lt(out[j].0.as_bytes(), out[j - 1].0.as_bytes()) {
            let t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
            j -= 1;
        }
        k += 1;
    }
    out
}

/// A `&'static StaticPart` from a constant function list `&[(&str, NativeFn)]` and,
/// optionally, a constant list of entries `&[(&str, Value)]`, sorted at compile time:
/// `l.register_static_lib("mylib", static_part!(FUNCS), 0)`.
#[macro_export]
macro_rules! static_part {
    ($funcs:expr) => {
        $crate::static_part!($funcs, &[])
    };
    ($funcs:expr, $values:expr) => {{
        // Item names a caller's expression is unlikely to use (items are not hygienic).
        const STATIC_PART_FUNCS_: &[(&str, $crate::func::NativeFn)] = $funcs;
        const STATIC_PART_VALUES_: &[$crate::table::StaticEntry] = $values;
        const STATIC_PART_N_: usize = STATIC_PART_FUNCS_.len() + STATIC_PART_VALUES_.len();
        const STATIC_PART_ENTRIES_: [$crate::table::StaticEntry; STATIC_PART_N_] =
            $crate::table::sorted_entries::<STATIC_PART_N_>(
                STATIC_PART_FUNCS_,
                STATIC_PART_VALUES_,
            );
        const STATIC_PART_M_: usize = $crate::table::static_index_len(STATIC_PART_N_);
        const STATIC_PART_INDEX_: [u8; STATIC_PART_M_] =
            $crate::table::build_static_index::<STATIC_PART_M_>(&STATIC_PART_ENTRIES_);
        const STATIC_PART_WORDS_: [u64; STATIC_PART_N_] =
            $crate::table::static_key_words::<STATIC_PART_N_>(&STATIC_PART_ENTRIES_);
        const STATIC_PART_: &$crate::table::StaticPart = &$crate::table::StaticPart::new(
            &STATIC_PART_ENTRIES_,
            &STATIC_PART_INDEX_,
            &STATIC_PART_WORDS_,
        );
        STATIC_PART_
    }};
}
