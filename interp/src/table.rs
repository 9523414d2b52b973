//! Tables: an array part for the keys `1..=n` and a hash part of `#[repr(C)]` nodes with
//! open addressing (linear probing).
//!
//! # Layout (anchor: TABLE-LAYOUT)
//! * Array part: `arr_len` values at `arr`, the value of key `i` at `arr[i - 1]` (nil
//!   where absent). Its size is chosen like Lua's: on a rehash, the largest power of two
//!   `n` such that more than `n / 2` of the keys `1..=n` are present; and appending key
//!   `arr_len + 1` to a table whose last array slot is in use doubles it in place.
//! * Inline array part (anchor: INLINE-ARRAY): a table made with an array size hint
//!   of 1 to `MAX_INLINE` (a constructor's list items) gets room for that many values
//!   (2 for a hint of 1: `{x, f()}` is sized 1, then appended to) in its own block,
//!   right after the box (`GcObject::tail_bytes`), and `arr` points there: such a
//!   table is one allocation. Resizes stay in that room while they fit; a larger part
//!   moves to a pool block for good (the room stays unused: `arr` never returns to
//!   it). `arr_is_inline` tells the two apart by address; only a pool block is freed
//!   or counted in `extra_bytes`.
//! * Hash part: `node_cap` nodes (0 or a power of two) at `nodes`. A key's home slot is
//!   `hash & (node_cap - 1)`; lookups probe forward until the key or an empty node (key
//!   nil). A string key's hash is `LuaStr::hash`, so a lookup with an interned string is
//!   a load of the cached hash, then a tag and pointer compare per probe; that is the
//!   path a JIT can inline (`node_ptr`, `node_cap`, `Node`).
//! * A node whose value is nil but whose key is not is a *dead key*: assigning nil to a
//!   field keeps its key so that `next` can continue from it during a traversal, and the
//!   probe sequences through it stay intact. Dead keys are reused by insertions and
//!   dropped by the next rehash. The collector never marks a dead key (its object may
//!   be freed; the key is then only ever compared by address, never dereferenced).
//! * The hash part is rehashed only when a *new* key does not fit (live plus dead keys
//!   would exceed 3/4 of the nodes), so assignments to existing fields never move
//!   entries and `next` stays stable.
//!
//! # Length hint (anchor: LEN-HINT)
//! `#t` (`len`) starts from `len_hint`, a border it found before (or the array size,
//! after a resize), and checks it against the array slots: if the hint's slot is nil
//! and the one below is not, the hint is the border; the index just below it (a pop)
//! or just above it (a push) is tried next; only then a binary search runs, below
//! the hint or between the hint and the end of the array part. With the last array
//! slot in use (and the hint at the end) the search goes on in the hash part as
//! before. So `t[#t + 1] = v`, `t[#t] = nil`, `table.insert(t, v)` and
//! `table.remove(t)` loops are O(1). The hint is never trusted: stores (the VM's and
//! compiled code's inline array stores included) do not update it, and every answer
//! is checked to be a border. On tables with several borders the answer depends on
//! the hint, as lua5.4's does on its own; the hint follows similar rules (after a
//! binary search below it, it moves only above half of a power-of-two array part),
//! which keeps `#t` equal to lua5.4's on most such tables.
//!
//! # Static parts (anchor: STATIC-PART)
//! A library table may keep its functions in read-only memory: a [`StaticPart`], a
//! slice of `(key bytes, value)` sorted by key plus a hash index over it, built at
//! compile time ([`static_part!`](crate::static_part)), whose values own no heap
//! object. Such a
//! table (`add_static`) has no array part, and its `arr` field holds the
//! `&'static StaticPart` instead of a buffer while `has_static` is set. Invariants:
//! * The static keys and the hash part's keys (live or dead) are disjoint, and the
//!   hash part holds only string keys.
//! * Lookups: a string-key lookup that misses the hash part (an empty node, or no
//!   hash part) and finds `has_static` set looks the key's bytes up in the static
//!   part's index. That is the only cost on the lookup paths: one flag test after a miss.
//! * Writes: a string key that is neither in the hash part nor in the static part is
//!   added to the hash part as usual (`_G.x = 1` keeps the base library static). Any
//!   other write that the hash part cannot take as is (a static key, overridden or
//!   deleted; any non-string key) first *materializes* the table: interns every static
//!   key, copies the entries into the hash part and clears `has_static`. So does `next`
//!   (traversal), so that a traversal only ever sees an ordinary table and may assign
//!   to existing fields as the manual allows.
//! * Compiled code's field reads (`jit_iface.rs`) materialize a table with a static
//!   part on its first miss, so hot library reads become pointer-compare probes.
//! * The array part stays empty while `has_static` is set: integer keys materialize
//!   first, and a rehash of string keys sizes the array part to 0 (`resize` leaves
//!   `arr` untouched when the array size does not change).
//!
//! # Soundness of the interior mutability
//! All methods take `&self` and mutate through `Cell`s and the raw buffers. This is
//! sound because: `Table` is neither `Send` nor `Sync` (it holds `Cell`s and raw
//! pointers); no method hands out a reference into a buffer (values are copied out);
//! and no method calls back into Lua or into code that could reach the same table, so
//! two method activations on one table never overlap.

use alloc::alloc::{handle_alloc_error, Layout};
use alloc::vec::Vec;
use core::cell::Cell;
use core::ptr::NonNull;

use moonjet_bytecode::num::float_to_int_exact;

use crate::gc::{Gc, GcObject, Heap, Marker, ObjKind, Pool};
use crate::string::{fold_mul, LuaStr};
use crate::value::Value;

mod static_part;

pub use static_part::{
    build_index as build_static_index, index_len as static_index_len,
    key_words as static_key_words, sorted_entries, StaticEntry, StaticPart,
};

/// Why a raw set was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// "index is nil"
    Nil,
    /// "index is NaN"
    NaN,
}

/// One slot of the hash part (see TABLE-LAYOUT): key nil = empty; value nil with a key =
/// dead key.
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct Node {
    /// The key (normalised: floats with integral values are stored as integers).
    pub key: Value,
    /// The value.
    pub val: Value,
}

/// Number of metamethod events the absence cache covers (event numbers `0..8`, the
/// order of `vm::meta::Tm`: index, newindex, gc, mode, len, eq, add, sub).
pub const TM_CACHED_EVENTS: u8 = 8;

/// Largest array part a rehash or an append creates (2^31 slots).
const MAX_ARRAY_BITS: usize = 31;

/// A Lua table (see TABLE-LAYOUT and the soundness note above). The buffers come
/// from the heap's pool (GC-POOL) and go back to it through `GcObject::release` when
/// the collector frees the table; an empty part owns no buffer.
#[repr(C)]
pub struct Table {
    /// Array part buffer (`arr_len` values; when empty: dangling, or the table's
    /// inline room, INLINE-ARRAY), or the static part
    /// while `has_static` is set (STATIC-PART; `arr_len` is then 0, so compiled code's
    /// bounds check never reads through it).
    pub(crate) arr: Cell<*mut Value>,
    /// Hash part buffer (`node_cap` nodes; dangling when empty).
    pub(crate) nodes: Cell<*mut Node>,
    /// The metatable.
    pub(crate) metatable: Cell<Option<Gc<Table>>>,
    /// Array part size (at most 2^31, `MAX_ARRAY_BITS`).
    pub(crate) arr_len: Cell<u32>,
    /// Hash part size: 0 or a power of two >= 2.
    pub(crate) node_cap: Cell<u32>,
    /// Nodes with a non-nil key (live plus dead).
    node_used: Cell<u32>,
    /// Metamethod-absence cache: bit `e` set = "no field for event `e`" (see `has_no_tm`).
    tm_absent: Cell<u8>,
    /// Mirror of the collector's "black" colour, read by the write barrier.
    pub(crate) gc_black: Cell<bool>,
    /// `arr` holds a `&'static StaticPart` (STATIC-PART).
    pub(crate) has_static: Cell<bool>,
    /// Length hint (anchor: LEN-HINT): a border `len` found (or an array size). Only a
    /// guess, checked on every use (compiled code and the VM write array slots without
    /// updating it). Last, so that the fields compiled code reads keep their offsets.
    len_hint: Cell<u32>,
    /// Values of room for the array part in the table's own block, right after the box
    /// (INLINE-ARRAY; 0: none). Fixed for the table's life.
    inline_cap: u8,
}

// Tables are the most numerous objects of many programs: keep the box (16-byte header
// plus the table) within the pool's 64-byte size class (GC-POOL rounds to 16 bytes).
const _: () = assert!(core::mem::size_of::<Table>() <= 48);
// INLINE-ARRAY: the block's tail starts right after the table (no padding after it).
const _: () = assert!(
    core::mem::offset_of!(crate::gc::GcBox<Table>, value) + core::mem::size_of::<Table>()
        == core::mem::size_of::<crate::gc::GcBox<Table>>()
);

/// Largest array part a constructor's size hint places in the table's block
/// (INLINE-ARRAY): the block stays within the pool's size classes.
const MAX_INLINE: usize = 8;
const _: () = assert!(
    core::mem::size_of::<crate::gc::GcBox<Table>>() + MAX_INLINE * core::mem::size_of::<Value>()
        <= crate::gc::MAX_SMALL
);

impl GcObject for Table {
    const KIND: ObjKind = ObjKind::Table;
    fn trace(&self, m: &mut Marker) {
        if let Some(mt) = self.metatable.get() {
            m.mark(mt);
        }
        self.for_each_entry(|k, v| {
            m.mark_value(k);
            m.mark_value(v);
        });
    }
    fn extra_bytes(&self) -> usize {
        buffer_bytes(self.outside_array_len(), self.node_cap())
    }
    fn tail_bytes(&self) -> usize {
        usize::from(self.inline_cap) * core::mem::size_of::<Value>()
    }
    fn release(&self, pool: &mut Pool) {
        // SAFETY: the buffers were made from `pool` with these sizes (an inline array
        // part is part of the block and counts 0 here); the parts are emptied right
        // away, so they are not used again.
        unsafe {
            free_values(pool, self.arr.get(), self.outside_array_len());
            free_nodes(pool, self.nodes.get(), self.node_cap());
        }
        self.arr.set(NonNull::dangling().as_ptr());
        self.arr_len.set(0);
        self.len_hint.set(0);
        self.nodes.set(NonNull::dangling().as_ptr());
        self.node_cap.set(0);
        self.node_used.set(0);
        self.has_static.set(false);
    }
}

// ------------------------------------------------------------------ raw buffers

/// Bytes owned by buffers of these sizes.
fn buffer_bytes(arr_len: usize, node_cap: usize) -> usize {
    arr_len * core::mem::size_of::<Value>() + node_cap * core::mem::size_of::<Node>()
}

/// The layout of a buffer of `n` items of `T`.
fn buf_layout<T>(n: usize) -> Layout {
    Layout::array::<T>(n).unwrap_or_else(|_| handle_alloc_error(Layout::new::<T>()))
}

/// A buffer of `n` nils from `pool` (dangling when `n == 0`).
fn new_values(pool: &mut Pool, n: usize) -> *mut Value {
    if n == 0 {
        return NonNull::dangling().as_ptr();
    }
    let p = pool.alloc(buf_layout::<Value>(n)).cast::<Value>().as_ptr();
    // SAFETY: `p` is a fresh buffer of `n` values.
    unsafe { fill_nil(p, 0, n) };
    p
}

/// Writes nil into slots `from..to` of a value buffer.
///
/// # Safety
/// `p` is valid for writes of `to` values.
unsafe fn fill_nil(p: *mut Value, from: usize, to: usize) {
    for i in from..to {
        // SAFETY: `i < to`, per the contract.
        unsafe { p.add(i).write(Value::Nil) };
    }
}

/// Frees a buffer made by `new_values`/`resize_values`.
///
/// # Safety
/// `p` came from `new_values(pool, n)` or `resize_values(pool, _, _, n)` and is not
/// used again.
unsafe fn free_values(pool: &mut Pool, p: *mut Value, n: usize) {
    if let (Some(p), true) = (NonNull::new(p), n > 0) {
        // SAFETY: per the contract, `p` is a pool block of this layout.
        unsafe { pool.free(p.cast(), buf_layout::<Value>(n)) };
    }
}

/// Resizes a value buffer from `old` to `new` slots (new slots nil).
///
/// # Safety
/// As `free_values(pool, p, old)`; the returned buffer replaces `p`.
unsafe fn resize_values(pool: &mut Pool, p: *mut Value, old: usize, new: usize) -> *mut Value {
    match (NonNull::new(p), old, new) {
        (_, 0, _) => new_values(pool, new),
        (_, _, 0) => {
            // SAFETY: per the contract.
            unsafe { free_values(pool, p, old) };
            NonNull::dangling().as_ptr()
        }
        (Some(q), _, _) => {
            let bytes = buf_layout::<Value>(new).size();
            // SAFETY: per the contract, `q` is a pool block of `old` values.
            let r = unsafe { pool.realloc(q.cast(), buf_layout::<Value>(old), bytes) };
            let r = r.cast::<Value>().as_ptr();
            // SAFETY: `r` holds `new` values, the first `min(old, new)` copied.
            unsafe { fill_nil(r, old.min(new), new) };
            r
        }
        (None, _, _) => new_values(pool, new),
    }
}

/// A buffer of `n` empty nodes from `pool` (dangling when `n == 0`).
fn new_nodes(pool: &mut Pool, n: usize) -> *mut Node {
    if n == 0 {
        return NonNull::dangling().as_ptr();
    }
    let p = pool.alloc(buf_layout::<Node>(n)).cast::<Node>().as_ptr();
    for i in 0..n {
        // SAFETY: `p` is a fresh buffer of `n` nodes.
        unsafe { p.add(i).write(Node::default()) };
    }
    p
}

/// Frees a buffer made by `new_nodes`.
///
/// # Safety
/// `p` came from `new_nodes(pool, n)` and is not used again.
unsafe fn free_nodes(pool: &mut Pool, p: *mut Node, n: usize) {
    if let (Some(p), true) = (NonNull::new(p), n > 0) {
        // SAFETY: per the contract, `p` is a pool block of this layout.
        unsafe { pool.free(p.cast(), buf_layout::<Node>(n)) };
    }
}

// ------------------------------------------------------------------- key helpers

/// Normalises a float key with an integral value (including -0.0) to an integer.
#[inline]
fn normalize(k: Value) -> Value {
    match k {
        Value::Float(f) => match float_to_int_exact(f) {
            Some(i) => Value::Int(i),
            None => k,
        },
        k => k,
    }
}

/// Scrambles a 64-bit key into a slot hash.
#[inline(always)]
fn mix(x: u64) -> usize {
    let h = fold_mul(x ^ 0x9e37_79b9_7f4a_7c15, 0xd6e8_feb8_6659_fd93);
    (h ^ (h >> 32)) as usize
}

/// The hash of a normalised, non-nil key.
#[inline]
fn key_hash(k: &Value) -> usize {
    match *k {
        Value::Str(s) => s.hash() as usize,
        Value::Int(i) => mix(i as u64),
        Value::Float(f) => mix(f.to_bits()),
        Value::Bool(b) => mix(b as u64),
        other => mix(other.address().unwrap_or(0) as u64),
    }
}

/// Bucket of a positive integer key for `compute_sizes`: `ceil(log2(k))`.
#[inline]
fn size_class(k: u64) -> usize {
    (64 - (k - 1).leading_zeros()) as usize
}

/// Lua's array sizing: the largest power of two `n` such that more than `n / 2` of the
/// keys `1..=n` are present, given `nums[b]` = keys in `(2^(b-1), 2^b]`. Returns
/// `(n, keys that go to the array part)`.
fn compute_sizes(nums: &[usize; 65], total_int: usize) -> (usize, usize) {
    let (mut a, mut na, mut optimal) = (0usize, 0usize, 0usize);
    for (b, &count) in nums.iter().enumerate().take(MAX_ARRAY_BITS + 1) {
        let twotoi = 1usize << b;
        if total_int <= twotoi / 2 {
            break;
        }
        a += count;
        if a > twotoi / 2 {
            optimal = twotoi;
            na = a;
        }
    }
    (optimal, na)
}

/// Smallest hash part (0, or a power of two >= 2) holding `n` keys at load <= 3/4 (the
/// most `try_place` allows), or <= 2/3 with `headroom` (after a rehash, so that at
/// least `cap / 12` insertions separate two rehashes even under delete/insert churn).
fn node_cap_for(n: usize, headroom: bool) -> usize {
    if n == 0 {
        return 0;
    }
    let mut cap = 2;
    while if headroom {
        n * 3 > cap * 2
    } else {
        n * 4 > cap * 3
    } {
        cap *= 2;
    }
    cap
}

// ------------------------------------------------------------------- the table

impl Heap {
    /// A new empty table with room for `narray` list items and `nhash` other keys
    /// (hints, capped at the largest array part and a hash part of 2^26 nodes).
    pub fn new_table(&mut self, narray: usize, nhash: usize) -> Gc<Table> {
        let narray = narray.min(1 << MAX_ARRAY_BITS);
        let cap = node_cap_for(nhash.min(1 << 26), false);
        let inline = inline_cap_for(narray);
        let tail = inline * core::mem::size_of::<Value>();
        let nodes = new_nodes(&mut self.pool, cap);
        let outside = if inline == 0 {
            new_values(&mut self.pool, narray)
        } else {
            core::ptr::null_mut()
        };
        self.alloc_with(tail, |tail_ptr| {
            let arr = if inline == 0 {
                outside
            } else {
                let p = tail_ptr.cast::<Value>().as_ptr();
                // SAFETY: the tail is `inline` values long, uninitialised, ours.
                unsafe { fill_nil(p, 0, inline) };
                p
            };
            Table {
                arr: Cell::new(arr),
                nodes: Cell::new(nodes),
                metatable: Cell::new(None),
                arr_len: Cell::new(narray as u32),
                node_cap: Cell::new(cap as u32),
                node_used: Cell::new(0),
                tm_absent: Cell::new(0),
                gc_black: Cell::new(false),
                has_static: Cell::new(false),
                len_hint: Cell::new(narray as u32),
                inline_cap: inline as u8,
            }
        })
    }
}

/// Values of inline room (INLINE-ARRAY) for a constructor's array size hint: none
/// for 0 or above `MAX_INLINE`; a hint of 1 gets 2 (`{x, f()}` is sized 1 and then
/// appended to).
fn inline_cap_for(narray: usize) -> usize {
    match narray {
        0 => 0,
        1 => 2,
        n if n <= MAX_INLINE => n,
        _ => 0,
    }
}

impl Table {
    // ------------------------------------------------------------- raw access

    /// Array slot `i` (0-based).
    #[inline(always)]
    fn arr_at(&self, i: usize) -> Value {
        debug_assert!(i < self.array_len());
        // SAFETY: callers pass `i < arr_len`, the buffer's length.
        unsafe { *self.arr.get().add(i) }
    }

    /// Writes array slot `i` (0-based).
    #[inline(always)]
    fn arr_put(&self, i: usize, v: Value) {
        debug_assert!(i < self.array_len());
        // SAFETY: callers pass `i < arr_len`; no reference into the buffer is alive.
        unsafe { *self.arr.get().add(i) = v }
    }

    /// Pointer to node `i`.
    #[inline(always)]
    fn node(&self, i: usize) -> *mut Node {
        debug_assert!(i < self.node_cap());
        // SAFETY: callers pass `i < node_cap`, the buffer's length.
        unsafe { self.nodes.get().add(i) }
    }

    /// Key of node `i`.
    #[inline(always)]
    fn node_key(&self, i: usize) -> Value {
        // SAFETY: `node` returns an in-bounds pointer; the node is initialised.
        unsafe { (*self.node(i)).key }
    }

    /// Value of node `i`.
    #[inline(always)]
    fn node_val(&self, i: usize) -> Value {
        // SAFETY: as in `node_key`.
        unsafe { (*self.node(i)).val }
    }

    /// Writes the value of node `i`.
    #[inline(always)]
    fn set_node_val(&self, i: usize, v: Value) {
        // SAFETY: in bounds (see `node`); no reference into the buffer is alive.
        unsafe { (*self.node(i)).val = v }
    }

    /// The node holding normalised key `key` (live or dead), if any.
    #[inline]
    fn find_node(&self, key: &Value) -> Option<usize> {
        let cap = self.node_cap();
        if cap == 0 {
            return None;
        }
        let mask = cap - 1;
        let mut i = key_hash(key) & mask;
        // Terminates: node_used < node_cap, so an empty node exists.
        loop {
            let k = self.node_key(i);
            if k.is_nil() {
                return None;
            }
            if k.raw_eq(key) {
                return Some(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// Value of a normalised key in the hash part.
    #[inline]
    fn get_hash(&self, key: &Value) -> Value {
        match self.find_node(key) {
            Some(i) => self.node_val(i),
            None => Value::Nil,
        }
    }

    // ---------------------------------------------------------------- reads

    /// Raw get (`rawget`): no metamethods.
    #[inline]
    pub fn get(&self, key: Value) -> Value {
        match key {
            Value::Int(i) => self.get_int(i),
            Value::Str(s) => self.get_str(s),
            Value::Nil => Value::Nil,
            Value::Float(f) => match float_to_int_exact(f) {
                Some(i) => self.get_int(i),
                None => self.get_hash(&key),
            },
            k => self.get_hash(&k),
        }
    }

    /// Raw get with an integer key.
    #[inline(always)]
    pub fn get_int(&self, i: i64) -> Value {
        let idx = (i as u64).wrapping_sub(1);
        if idx < self.array_len() as u64 {
            self.arr_at(idx as usize)
        } else {
            self.get_hash(&Value::Int(i))
        }
    }

    /// Raw get with a string key: cached hash, then a pointer compare per probe; the
    /// static part on a miss (STATIC-PART).
    #[inline(always)]
    pub fn get_str(&self, s: Gc<LuaStr>) -> Value {
        let cap = self.node_cap();
        if cap == 0 {
            return self.miss_str(s);
        }
        let mask = cap - 1;
        let mut i = s.hash() as usize & mask;
        loop {
            match self.node_key(i) {
                Value::Str(k) if k == s => return self.node_val(i),
                Value::Nil => return self.miss_str(s),
                _ => i = (i + 1) & mask,
            }
        }
    }

    // --------------------------------------------------------- static part

    /// The value of string key `s` after the hash part missed it: nil, or the static
    /// part's entry (STATIC-PART).
    #[inline(always)]
    fn miss_str(&self, s: Gc<LuaStr>) -> Value {
        if self.has_static.get() {
            return self.static_get(s);
        }
        Value::Nil
    }

    /// The static part's value for `s` (nil when absent).
    #[cold]
    #[inline(never)]
    fn static_get(&self, s: Gc<LuaStr>) -> Value {
        self.static_slot(s).copied().unwrap_or(Value::Nil)
    }

    /// The static part, if the table has one.
    #[inline]
    fn static_part(&self) -> Option<&'static StaticPart> {
        if !self.has_static.get() {
            return None;
        }
        // SAFETY: STATIC-PART: while `has_static` is set, `arr` holds the address of a
        // `&'static StaticPart` (set by `add_static`, never written meanwhile).
        Some(unsafe { &*(self.arr.get() as *const StaticPart) })
    }

    /// Adds `part`'s entries (raw sets): as this table's static part when it has none
    /// yet, no array part, and only live string keys distinct from `part`'s
    /// (STATIC-PART); copied into the hash part otherwise.
    pub fn add_static(&self, heap: &mut Heap, part: &'static StaticPart) {
        self.tm_absent.set(0);
        if self.can_take_static(part) {
            self.arr.set(part as *const StaticPart as *mut Value);
            self.has_static.set(true);
            return;
        }
        for (k, v) in part.entries() {
            let key = heap.intern_bytes(k.as_bytes());
            self.set_str(heap, key, *v);
        }
    }

    /// True when `part` can become this table's static part (see `add_static`).
    fn can_take_static(&self, part: &StaticPart) -> bool {
        if self.has_static.get() || self.array_len() != 0 {
            return false;
        }
        // Only live keys are looked at (a dead key's string may be freed): no dead
        // keys is part of the condition.
        let (mut live, mut disjoint) = (0usize, true);
        self.for_each_entry(|k, _| {
            live += 1;
            disjoint &= matches!(k, Value::Str(s) if part.find(s.as_bytes()).is_none());
        });
        disjoint && live == self.node_used.get() as usize
    }

    /// True while the table keeps entries in a static part (STATIC-PART).
    #[inline]
    pub fn has_static_part(&self) -> bool {
        self.has_static.get()
    }

    /// The static part's slot for string key `s`: what a lookup that missed the hash
    /// part finds (`None` without a static part or that key). The slot lives for the
    /// whole program; compiled code's inline lookups read it.
    #[inline]
    pub fn static_slot(&self, s: Gc<LuaStr>) -> Option<&'static Value> {
        self.static_part().and_then(|p| p.slot(s.as_bytes()))
    }

    /// The static part's entries (empty without one), for searches that must not copy
    /// them (a function's name in error messages).
    pub fn static_entries(&self) -> &'static [StaticEntry] {
        self.static_part().map_or(&[], |p| p.entries())
    }

    /// Copies the static part's entries into the hash part and drops it, making this an
    /// ordinary table (no-op without a static part).
    #[inline]
    pub fn materialize(&self, heap: &mut Heap) {
        if self.has_static.get() {
            self.materialize_slow(heap);
        }
    }

    /// See `materialize`.
    #[cold]
    #[inline(never)]
    fn materialize_slow(&self, heap: &mut Heap) {
        let Some(part) = self.static_part() else {
            return;
        };
        self.has_static.set(false);
        self.arr.set(NonNull::dangling().as_ptr());
        let mut live = 0;
        self.for_each_entry(|_, _| live += 1);
        self.resize(heap, 0, live + part.entries().len());
        for (k, v) in part.entries() {
            let key = heap.intern_bytes(k.as_bytes());
            self.set_str(heap, key, *v);
        }
    }

    /// Writes string key `s`, absent from the hash part, of a table with a static
    /// part: materializes first if `s` is a static key.
    #[cold]
    #[inline(never)]
    fn set_str_static(&self, heap: &mut Heap, s: Gc<LuaStr>, val: Value) {
        if self.static_slot(s).is_some() {
            self.materialize(heap);
            self.set_str(heap, s, val);
        } else if !val.is_nil() {
            self.insert_new(heap, Value::Str(s), val);
        }
    }

    /// Calls `f(key bytes, value)` for every entry with a string key, static ones
    /// included, without copying the static part.
    pub fn for_each_str_entry(&self, mut f: impl FnMut(&[u8], Value)) {
        for j in 0..self.node_cap() {
            if let (Value::Str(k), v) = (self.node_key(j), self.node_val(j)) {
                if !v.is_nil() {
                    f(k.as_bytes(), v);
                }
            }
        }
        for (k, v) in self.static_entries() {
            f(k.as_bytes(), *v);
        }
    }

    // --------------------------------------------------------------- writes

    /// Raw set (`rawset`); assigning nil removes. Errors for nil and NaN keys.
    pub fn set(&self, heap: &mut Heap, key: Value, val: Value) -> Result<(), KeyError> {
        match key {
            Value::Int(i) => self.set_int(heap, i, val),
            Value::Str(s) => self.set_str(heap, s, val),
            Value::Nil => return Err(KeyError::Nil),
            Value::Float(f) => match float_to_int_exact(f) {
                Some(i) => self.set_int(heap, i, val),
                None if f.is_nan() => return Err(KeyError::NaN),
                None => self.set_hash(heap, key, val),
            },
            k => self.set_hash(heap, k, val),
        }
        Ok(())
    }

    /// Raw set with an integer key.
    #[inline(always)]
    pub fn set_int(&self, heap: &mut Heap, i: i64, val: Value) {
        let idx = (i as u64).wrapping_sub(1);
        if idx < self.array_len() as u64 {
            self.arr_put(idx as usize, val);
            self.barrier(heap);
        } else {
            self.set_int_slow(heap, i, val);
        }
    }

    /// SETLIST (anchor: SET-LIST): `t[first + j] = vals[j - 1]` for each value, raw.
    /// When the values run past the array part from within it or from its end (a
    /// constructor's list, `{f(), g()}` or `{...}` sized short of its open last item),
    /// the part first grows once to hold them all, as lua5.4's SETLIST does, so that
    /// every store is a plain array store.
    pub fn set_list(&self, heap: &mut Heap, first: i64, vals: &[Value]) {
        let len = self.array_len() as u64;
        let last = (first as u64).wrapping_add(vals.len() as u64);
        if first >= 0 && first as u64 <= len && last > len && last <= 1 << MAX_ARRAY_BITS {
            let room = last <= u64::from(self.inline_cap) && self.arr_is_inline();
            if room && self.node_used.get() == 0 && !self.has_static.get() {
                // `{x, f()}` (sized 1): the INLINE-ARRAY room has the slots, every one
                // from `len` up written below, and no hash key moves to them.
                self.arr_len.set(last as u32);
                self.len_hint.set(last as u32);
            } else {
                self.materialize(heap);
                self.grow_array(heap, last as usize);
            }
        }
        for (j, &v) in vals.iter().enumerate() {
            self.set_int(heap, first.wrapping_add(j as i64 + 1), v);
        }
    }

    /// Raw set with a string key: an existing key is found like `get_str` does (cached
    /// hash, pointer compares); a new one goes through `insert_new`.
    #[inline]
    pub fn set_str(&self, heap: &mut Heap, s: Gc<LuaStr>, val: Value) {
        self.tm_absent.set(0);
        match self.find_str(s) {
            Some(n) => {
                self.set_node_val(n, val);
                self.barrier(heap);
            }
            None if self.has_static.get() => self.set_str_static(heap, s, val),
            None => {
                if !val.is_nil() {
                    self.insert_new(heap, Value::Str(s), val);
                }
            }
        }
    }

    /// The node holding string key `s` (live or dead), if any.
    #[inline(always)]
    fn find_str(&self, s: Gc<LuaStr>) -> Option<usize> {
        let cap = self.node_cap();
        if cap == 0 {
            return None;
        }
        let mask = cap - 1;
        let mut i = s.hash() as usize & mask;
        // Terminates: node_used < node_cap, so an empty node exists.
        loop {
            match self.node_key(i) {
                Value::Str(k) if k == s => return Some(i),
                Value::Nil => return None,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// The write barrier: a table the collector already traversed turns gray again.
    #[inline(always)]
    pub(crate) fn barrier(&self, heap: &mut Heap) {
        if self.gc_black.get() {
            heap.barrier_table(self);
        }
    }

    /// Integer key outside the array part: existing node, append, or new hash key.
    fn set_int_slow(&self, heap: &mut Heap, i: i64, val: Value) {
        let key = Value::Int(i);
        if let Some(n) = self.find_node(&key) {
            self.set_node_val(n, val);
            self.barrier(heap);
            return;
        }
        if val.is_nil() {
            return;
        }
        self.materialize(heap);
        let len = self.array_len();
        let appends = (i as u64).wrapping_sub(1) == len as u64;
        if appends && len < 1 << MAX_ARRAY_BITS && (len == 0 || !self.arr_at(len - 1).is_nil()) {
            // An empty part starts at 4 slots; a constructor's exact part (`{f(), g()}`
            // sized 1, then appended to) doubles, as a rehash would size it.
            self.grow_array(heap, if len == 0 { 4 } else { len * 2 });
            self.arr_put(len, val);
            self.barrier(heap);
        } else {
            self.insert_new(heap, key, val);
        }
    }

    /// Normalised non-integer (or out-of-array) key: existing node or new key.
    fn set_hash(&self, heap: &mut Heap, key: Value, val: Value) {
        self.tm_absent.set(0);
        if let Some(n) = self.find_node(&key) {
            self.set_node_val(n, val);
            self.barrier(heap);
        } else if !val.is_nil() {
            self.materialize(heap);
            self.insert_new(heap, key, val);
        }
    }

    /// Adds a key known to be absent (value non-nil), rehashing when the hash part is
    /// full.
    fn insert_new(&self, heap: &mut Heap, key: Value, val: Value) {
        self.tm_absent.set(0);
        self.barrier(heap);
        if self.try_place(key, val) {
            return;
        }
        self.rehash(heap, &key);
        if let Value::Int(i) = key {
            let idx = (i as u64).wrapping_sub(1);
            if idx < self.array_len() as u64 {
                self.arr_put(idx as usize, val);
                return;
            }
        }
        // After a rehash there is room by construction (load <= 2/3).
        let placed = self.try_place(key, val);
        debug_assert!(placed);
    }

    /// Puts an absent key in the first free or dead node of its probe sequence, unless
    /// that would take the hash part over 3/4 full. Returns false when it did not fit.
    fn try_place(&self, key: Value, val: Value) -> bool {
        let cap = self.node_cap();
        if cap == 0 {
            return false;
        }
        let mask = cap - 1;
        let mut i = key_hash(&key) & mask;
        loop {
            let n = self.node(i);
            // SAFETY: `n` is in bounds (see `node`); no other reference is alive.
            let node = unsafe { &mut *n };
            if node.key.is_nil() {
                if (self.node_used.get() as usize + 1) * 4 > cap * 3 {
                    return false;
                }
                self.node_used.set(self.node_used.get() + 1);
                *node = Node { key, val };
                return true;
            }
            if node.val.is_nil() {
                *node = Node { key, val };
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    // ------------------------------------------------------------ resizing

    /// True when the array part lives in the table's own block (INLINE-ARRAY).
    #[inline(always)]
    fn arr_is_inline(&self) -> bool {
        // Addresses only: the inline room starts right after the table (checked above).
        self.inline_cap != 0
            && self.arr.get() as usize
                == self as *const Table as usize + core::mem::size_of::<Table>()
    }

    /// Length of the array part's buffer when it is a pool block of its own (0 when
    /// the part is inline or empty): the size `free_values` needs.
    #[inline(always)]
    fn outside_array_len(&self) -> usize {
        if self.arr_is_inline() {
            0
        } else {
            self.array_len()
        }
    }

    /// Resizes the array part from `old` to `new` slots (new slots nil), in the
    /// table's inline room while it fits (INLINE-ARRAY), else in a pool block. Sets
    /// `arr` and `arr_len`; the caller accounts the bytes (`extra_bytes` before/after).
    fn set_array_size(&self, pool: &mut Pool, old: usize, new: usize) {
        let arr = self.arr.get();
        if self.arr_is_inline() {
            if new <= usize::from(self.inline_cap) {
                // SAFETY: the inline room holds `inline_cap >= new` values.
                unsafe { fill_nil(arr, old.min(new), new) };
            } else {
                let p = new_values(pool, new);
                // SAFETY: `p` has `new > inline_cap >= old` slots, `arr` `old` live
                // ones; distinct blocks. The inline room stays unused from now on.
                unsafe { core::ptr::copy_nonoverlapping(arr, p, old) };
                self.arr.set(p);
            }
        } else {
            // SAFETY: `arr`/`old` describe our pool buffer, replaced right away.
            self.arr.set(unsafe { resize_values(pool, arr, old, new) });
        }
        self.arr_len.set(new as u32);
    }

    /// Grows the array part to `new_len` slots for an append, moving integer keys of
    /// the new range out of the hash part (leaving dead keys there).
    fn grow_array(&self, heap: &mut Heap, new_len: usize) {
        let old = self.array_len();
        let before = self.extra_bytes();
        self.set_array_size(&mut heap.pool, old, new_len);
        self.len_hint.set(new_len as u32);
        heap.account_grow(self.extra_bytes() - before);
        if self.node_used.get() == 0 {
            return;
        }
        for k in old + 1..=new_len {
            if let Some(n) = self.find_node(&Value::Int(k as i64)) {
                let v = self.node_val(n);
                if !v.is_nil() {
                    self.arr_put(k - 1, v);
                    self.set_node_val(n, Value::Nil);
                }
            }
        }
    }

    /// Resizes both parts for the live keys plus `extra` (about to be inserted), sizing
    /// the array part with `compute_sizes`.
    fn rehash(&self, heap: &mut Heap, extra: &Value) {
        let mut nums = [0usize; 65];
        let (mut total, mut total_int) = (0usize, 0usize);
        let mut count = |k: &Value| {
            total += 1;
            if let Value::Int(i) = *k {
                if i >= 1 {
                    nums[size_class(i as u64)] += 1;
                    total_int += 1;
                }
            }
        };
        self.for_each_entry(|k, _| count(k));
        count(extra);
        let (na_size, na_count) = compute_sizes(&nums, total_int);
        self.resize(heap, na_size, total - na_count);
    }

    /// Rebuilds with an array part of `new_arr` slots and room for `nhash` hash keys.
    fn resize(&self, heap: &mut Heap, new_arr: usize, nhash: usize) {
        let old_arr = self.array_len();
        let old_cap = self.node_cap();
        let old_nodes = self.nodes.get();
        let before = self.extra_bytes();
        let mut spill = Vec::new();
        for i in new_arr..old_arr {
            let v = self.arr_at(i);
            if !v.is_nil() {
                spill.push((Value::Int(i as i64 + 1), v));
            }
        }
        // Same size: keep the buffer (and, with a static part, `arr`: STATIC-PART).
        debug_assert!(!self.has_static.get() || new_arr == 0);
        if new_arr != old_arr {
            self.set_array_size(&mut heap.pool, old_arr, new_arr);
        }
        self.len_hint.set(new_arr as u32);
        let cap = node_cap_for(nhash, true);
        self.nodes.set(new_nodes(&mut heap.pool, cap));
        self.node_cap.set(cap as u32);
        self.node_used.set(0);
        for i in 0..old_cap {
            // SAFETY: `i < old_cap`, the length of the old node buffer, still allocated.
            let n = unsafe { *old_nodes.add(i) };
            if !n.val.is_nil() {
                self.reinsert(n.key, n.val);
            }
        }
        for (k, v) in spill {
            self.reinsert(k, v);
        }
        // SAFETY: the old buffer came from `new_nodes(pool, old_cap)` and is no longer
        // used.
        unsafe { free_nodes(&mut heap.pool, old_nodes, old_cap) };
        let after = self.extra_bytes();
        if after >= before {
            heap.account_grow(after - before);
        } else {
            heap.account_shrink(before - after);
        }
    }

    /// Places a live entry during a rebuild (array part if it fits, else hash part).
    fn reinsert(&self, key: Value, val: Value) {
        if let Value::Int(i) = key {
            let idx = (i as u64).wrapping_sub(1);
            if idx < self.array_len() as u64 {
                self.arr_put(idx as usize, val);
                return;
            }
        }
        let placed = self.try_place(key, val);
        debug_assert!(placed, "rebuild sized the hash part for every key");
    }

    // -------------------------------------------------------------- length

    /// A border (`#t` without `__len`): `0` or an index `n` with `t[n] ~= nil` and
    /// `t[n + 1] == nil` (or `n == maxinteger`). O(1) when the border is the one found
    /// last or next to it (LEN-HINT: push and pop loops), else a binary search.
    #[inline]
    pub fn len(&self) -> i64 {
        let n = self.array_len();
        let h = (self.len_hint.get() as usize).min(n);
        if h > 0 && self.arr_at(h - 1).is_nil() {
            return self.border_below(n, h) as i64;
        }
        if h < n {
            if self.arr_at(h).is_nil() {
                return h as i64;
            }
            if let Some(b) = self.border_above(n, h) {
                return b as i64;
            }
        }
        if self.node_used.get() == 0 {
            return n as i64;
        }
        self.hash_border(n as i64)
    }

    /// A border below a hint `h` whose slot `h - 1` is nil: `h - 1` (a pop) or a
    /// binary search of `0..h`, after which the hint moves only above half of a
    /// power-of-two array part (as 5.4's does: `#t` then agrees with lua5.4 on more
    /// tables with several borders).
    #[inline]
    fn border_below(&self, n: usize, h: usize) -> usize {
        let pow2 = |x: usize| x & x.wrapping_sub(1) == 0;
        if h >= 2 && !self.arr_at(h - 2).is_nil() {
            self.len_hint.set(h as u32 - 1);
            return h - 1;
        }
        let b = self.array_binsearch(0, h);
        if pow2(n) && b > n / 2 {
            self.len_hint.set(b as u32);
        }
        b
    }

    /// A border above a hint `h < n` whose slot `h` is not nil: `h + 1` (a push), else
    /// a binary search of `h..n` when the last slot is nil (`None` when it is not: the
    /// array part is full up to its end, the hint becomes `n`).
    #[inline]
    fn border_above(&self, n: usize, h: usize) -> Option<usize> {
        let b = if h + 1 < n && self.arr_at(h + 1).is_nil() {
            h + 1
        } else if self.arr_at(n - 1).is_nil() {
            self.array_binsearch(h, n)
        } else {
            self.len_hint.set(n as u32);
            return None;
        };
        self.len_hint.set(b as u32);
        Some(b)
    }

    /// Binary search for a border in `lo..=hi` of the array part, given that `lo` is 0
    /// or slot `lo - 1` is not nil, and slot `hi - 1` is nil.
    #[inline(never)]
    fn array_binsearch(&self, mut lo: usize, mut hi: usize) -> usize {
        while hi - lo > 1 {
            let m = lo + (hi - lo) / 2;
            if self.arr_at(m - 1).is_nil() {
                hi = m;
            } else {
                lo = m;
            }
        }
        lo
    }

    /// Border search past a full array part of `n` slots: doubling, then bisection.
    #[inline(never)]
    fn hash_border(&self, n: i64) -> i64 {
        let mut i = n;
        let mut j = n + 1;
        if self.get_int(j).is_nil() {
            return i;
        }
        loop {
            i = j;
            if j > i64::MAX / 2 {
                j = i64::MAX;
                if !self.get_int(j).is_nil() {
                    return j;
                }
                break;
            }
            j *= 2;
            if self.get_int(j).is_nil() {
                break;
            }
        }
        // Invariant: t[i] non-nil, t[j] nil.
        while j - i > 1 {
            let m = i + (j - i) / 2;
            if self.get_int(m).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        i
    }

    /// Moves the values of keys `from..from + count` to keys `to..to + count` (the
    /// ranges may overlap: the result is as if all were read before any was written)
    /// when both ranges lie in the array part; otherwise does nothing and returns
    /// false. No write barrier: the values already belong to this table.
    pub fn move_in_array(&self, from: i64, to: i64, count: i64) -> bool {
        let n = self.array_len() as u64;
        let in_array = |k: i64| {
            k >= 1
                && count >= 0
                && (k as u64 - 1)
                    .checked_add(count as u64)
                    .is_some_and(|e| e <= n)
        };
        if !in_array(from) || !in_array(to) {
            return false;
        }
        let p = self.arr.get();
        // SAFETY: both ranges are within the `arr_len` slots of the array buffer
        // (checked above); `copy` allows overlap; no reference into it is alive.
        unsafe {
            core::ptr::copy(
                p.add(from as usize - 1),
                p.add(to as usize - 1),
                count as usize,
            )
        };
        true
    }

    // ----------------------------------------------------------- traversal

    /// `next`: the entry after `key` (nil = first). `Err(())` for a key not in the table.
    /// Order: array part, then nodes in slot order. Stable while no new key is added.
    /// A table with a static part is materialized first (STATIC-PART).
    #[allow(clippy::result_unit_err)]
    pub fn next(&self, heap: &mut Heap, key: Value) -> Result<Option<(Value, Value)>, ()> {
        self.materialize(heap);
        self.next_own(key)
    }

    /// `next` over the array and hash parts only.
    fn next_own(&self, key: Value) -> Result<Option<(Value, Value)>, ()> {
        let n = self.array_len();
        let mut pos = match normalize(key) {
            Value::Nil => 0,
            Value::Int(i) if (i as u64).wrapping_sub(1) < n as u64 => i as usize,
            k => n + self.find_node(&k).ok_or(())? + 1,
        };
        while pos < n {
            let v = self.arr_at(pos);
            if !v.is_nil() {
                return Ok(Some((Value::Int(pos as i64 + 1), v)));
            }
            pos += 1;
        }
        for j in pos - n..self.node_cap() {
            let v = self.node_val(j);
            if !v.is_nil() {
                return Ok(Some((self.node_key(j), v)));
            }
        }
        Ok(None)
    }

    /// True when the table has no entries.
    pub fn is_empty(&self) -> bool {
        !self.has_static.get() && matches!(self.next_own(Value::Nil), Ok(None))
    }

    /// Calls `f(key, value)` for every entry (value non-nil). `f` must not touch the
    /// table.
    pub(crate) fn for_each_entry(&self, mut f: impl FnMut(&Value, &Value)) {
        for i in 0..self.array_len() {
            let v = self.arr_at(i);
            if !v.is_nil() {
                f(&Value::Int(i as i64 + 1), &v);
            }
        }
        for j in 0..self.node_cap() {
            let v = self.node_val(j);
            if !v.is_nil() {
                f(&self.node_key(j), &v);
            }
        }
    }

    /// Removes (sets to nil, keeping dead keys) every entry for which `dead(key, value)`
    /// holds: the collector's clearing of weak tables.
    pub(crate) fn clear_entries(&self, mut dead: impl FnMut(&Value, &Value) -> bool) {
        for i in 0..self.array_len() {
            let v = self.arr_at(i);
            if !v.is_nil() && dead(&Value::Int(i as i64 + 1), &v) {
                self.arr_put(i, Value::Nil);
            }
        }
        for j in 0..self.node_cap() {
            let v = self.node_val(j);
            if !v.is_nil() && dead(&self.node_key(j), &v) {
                self.set_node_val(j, Value::Nil);
            }
        }
    }

    // ---------------------------------------------------------- metatables

    /// The metatable.
    #[inline]
    pub fn metatable(&self) -> Option<Gc<Table>> {
        self.metatable.get()
    }

    /// Replaces the metatable. On a table that may already be old (not just created),
    /// follow this with `Lua::check_finalizer` (or `Heap::barrier_value`), which applies
    /// the collector's write barrier for the new metatable.
    pub fn set_metatable(&self, mt: Option<Gc<Table>>) {
        self.metatable.set(mt)
    }

    /// Metamethod-absence cache, for a table used as a metatable: true when a previous
    /// `note_no_tm(event)` recorded that the table has no field for `event` and no
    /// field has been stored into the table since (any store to a non-array key clears
    /// the whole cache). `event` is the `vm::meta::Tm` number; only events below
    /// `TM_CACHED_EVENTS` are cached (others always return false).
    #[inline(always)]
    pub fn has_no_tm(&self, event: u8) -> bool {
        event < TM_CACHED_EVENTS && self.tm_absent.get() & (1 << event) != 0
    }

    /// Records that the field for `event` is absent (see `has_no_tm`).
    #[inline(always)]
    pub fn note_no_tm(&self, event: u8) {
        if event < TM_CACHED_EVENTS {
            self.tm_absent.set(self.tm_absent.get() | 1 << event);
        }
    }

    /// The metamethod `name` (whose event number is `event`) of this metatable, using
    /// and filling the absence cache: `mt.get_tm(Tm::Index as u8, l.tm_name(Tm::Index))`.
    #[inline]
    pub fn get_tm(&self, event: u8, name: Gc<LuaStr>) -> Value {
        if self.has_no_tm(event) {
            return Value::Nil;
        }
        let v = self.get_str(name);
        if v.is_nil() {
            self.note_no_tm(event);
        }
        v
    }

    // -------------------------------------------------------- JIT accessors

    /// Array part buffer: `array_len()` values, key `i` at offset `i - 1`. Valid until
    /// the next store of a new key into this table.
    #[inline]
    pub fn array_ptr(&self) -> *const Value {
        self.arr.get()
    }

    /// Array part size.
    #[inline]
    pub fn array_len(&self) -> usize {
        self.arr_len.get() as usize
    }

    /// Slot of integer key `key` in the array part, or `None` when the key is outside
    /// it (the interpreter's fast path for GETTABLE/GETI/SETTABLE/SETI). The pointer is
    /// valid until the array part is resized: a store of a new key into this table or
    /// a collection; the caller reads or writes through it at once (a write is followed
    /// by `barrier`).
    #[inline(always)]
    pub(crate) fn array_slot(&self, key: i64) -> Option<*mut Value> {
        let idx = (key as u64).wrapping_sub(1);
        if idx < u64::from(self.arr_len.get()) {
            // SAFETY: `idx < arr_len`, the length of the array part's buffer (the static
            // part has `arr_len` 0, so this never points into it).
            Some(unsafe { self.arr.get().add(idx as usize) })
        } else {
            None
        }
    }

    /// Hash part buffer (`node_cap()` nodes); see TABLE-LAYOUT for the probe rule.
    #[inline]
    pub fn node_ptr(&self) -> *const Node {
        self.nodes.get()
    }

    /// Hash part size (0 or a power of two).
    #[inline]
    pub fn node_cap(&self) -> usize {
        self.node_cap.get() as usize
    }

    // ------------------------------------------------------ collector hooks

    /// Sets the mirror of the collector's black colour.
    #[inline(always)]
    pub(crate) fn set_gc_black(&self, b: bool) {
        self.gc_black.set(b)
    }

    /// This table's handle, for a table the collector knows lives on the heap.
    ///
    /// # Safety
    /// `self` must be the value of a live `GcBox<Table>`.
    pub(crate) unsafe fn handle(&self) -> Gc<Table> {
        let off = core::mem::offset_of!(crate::gc::GcBox<Table>, value);
        let p = (self as *const Table as *const u8).wrapping_sub(off) as *mut crate::gc::GcHeader;
        // SAFETY: per the contract the header sits `off` bytes before the value.
        unsafe { Gc::from_header(NonNull::new_unchecked(p)) }
    }
}

#[cfg(test)]
mod len_tests;
#[cfg(test)]
mod tests;
