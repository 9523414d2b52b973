//! Table tests: array/hash placement, borders, traversal under modification, key
//! normalisation, and a random workload checked against a `BTreeMap` model.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::*;

/// Small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    /// Next 64 random bits.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// True if `n` is a border of `t` as the manual defines it.
fn is_border(t: &Table, n: i64) -> bool {
    (n == 0 || !t.get_int(n).is_nil()) && (n == i64::MAX || t.get_int(n + 1).is_nil())
}

/// Every entry `next` yields, in order.
fn entries(t: &Table) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    let mut k = Value::Nil;
    while let Ok(Some((nk, v))) = t.next_own(k) {
        out.push((nk, v));
        k = nk;
    }
    out
}

#[test]
fn sequential_fill_uses_the_array_part() {
    let mut h = Heap::default();
    let t = h.new_table(0, 0);
    for i in 1..=1000 {
        t.set_int(&mut h, i, Value::Int(i * 10));
    }
    assert!(t.array_len() >= 1000);
    assert_eq!(t.node_cap(), 0);
    assert_eq!(t.len(), 1000);
    for i in 1..=1000 {
        assert_eq!(t.get_int(i).as_int(), Some(i * 10));
    }
    assert!(t.get_int(0).is_nil() && t.get_int(1001).is_nil());
}

#[test]
fn reverse_fill_migrates_to_the_array_on_rehash() {
    let mut h = Heap::default();
    let t = h.new_table(0, 0);
    for i in (1..=1000).rev() {
        t.set_int(&mut h, i, Value::Int(i));
    }
    assert_eq!(t.len(), 1000);
    // Force a rehash with a new key: the dense integer keys move to the array part.
    let k = h.intern_bytes(b"x");
    for j in 0..64 {
        t.set(&mut h, Value::Float(j as f64 + 0.5), Value::Bool(true))
            .unwrap();
    }
    t.set_str(&mut h, k, Value::Int(1));
    assert!(t.array_len() >= 512, "array part {}", t.array_len());
    for i in 1..=1000 {
        assert_eq!(t.get_int(i).as_int(), Some(i));
    }
    assert_eq!(t.get_str(k).as_int(), Some(1));
}

#[test]
fn append_moves_following_hash_keys() {
    let mut h = Heap::default();
    let t = h.new_table(0, 0);
    t.set_int(&mut h, 6, Value::Int(6));
    t.set_int(&mut h, 7, Value::Int(7));
    for i in 1..=5 {
        t.set_int(&mut h, i, Value::Int(i));
    }
    assert_eq!(t.len(), 7);
    let keys: Vec<i64> = entries(&t).iter().filter_map(|(k, _)| k.as_int()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, (1..=7).collect::<Vec<_>>());
    assert_eq!(keys.len(), 7, "no key is reported twice");
}

#[test]
fn borders() {
    let mut h = Heap::default();
    let t = h.new_table(4, 0);
    for i in [1, 2, 4] {
        t.set_int(&mut h, i, Value::Int(i));
    }
    assert!(is_border(&t, t.len()));
    let t = h.new_table(8, 0);
    for i in [1, 2, 3, 5] {
        t.set_int(&mut h, i, Value::Int(i));
    }
    let n = t.len();
    assert!(n == 3 || n == 5, "{n}");
    assert!(is_border(&t, n));
    let e = h.new_table(0, 0);
    assert_eq!(e.len(), 0);
    // Only in the hash part, including a huge one.
    let t = h.new_table(0, 0);
    t.set_int(&mut h, 1, Value::Int(1));
    t.set_int(&mut h, i64::MAX, Value::Int(2));
    assert!(is_border(&t, t.len()));
    let t = h.new_table(0, 4);
    t.set_int(&mut h, 2, Value::Int(1));
    t.set_int(&mut h, 3, Value::Int(1));
    assert!(is_border(&t, t.len()));
}

#[test]
fn nil_and_nan_keys() {
    let mut h = Heap::default();
    let t = h.new_table(0, 0);
    assert_eq!(t.set(&mut h, Value::Nil, Value::Int(1)), Err(KeyError::Nil));
    assert_eq!(
        t.set(&mut h, Value::Float(f64::NAN), Value::Int(1)),
        Err(KeyError::NaN)
    );
    assert!(t.get(Value::Nil).is_nil());
    assert!(t.get(Value::Float(f64::NAN)).is_nil());
    assert!(t.is_empty());
    assert!(t.next_own(Value::Float(f64::NAN)).is_err());
    assert!(t.next_own(Value::Int(5)).is_err());
}

#[test]
fn float_keys_are_normalised() {
    let mut h = Heap::default();
    let t = h.new_table(0, 0);
    t.set(&mut h, Value::Float(3.0), Value::Int(3)).unwrap();
    t.set(&mut h, Value::Float(-0.0), Value::Int(0)).unwrap();
    t.set(&mut h, Value::Float(1.5), Value::Int(15)).unwrap();
    t.set(&mut h, Value::Float(2f64.powi(70)), Value::Int(70))
        .unwrap();
    assert_eq!(t.get_int(3).as_int(), Some(3));
    assert_eq!(t.get_int(0).as_int(), Some(0));
    assert_eq!(t.get(Value::Float(0.0)).as_int(), Some(0));
    assert_eq!(t.get(Value::Float(1.5)).as_int(), Some(15));
    assert_eq!(t.get(Value::Float(2f64.powi(70))).as_int(), Some(70));
    for (k, _) in entries(&t) {
        if let Value::Float(f) = k {
            assert!(
                f.fract() != 0.0 || f.abs() >= 2f64.powi(63),
                "unnormalised key {f}"
            );
        }
    }
    assert_eq!(entries(&t).len(), 4);
}

#[test]
fn next_survives_clearing_and_updating_during_traversal() {
    let mut h = Heap::default();
    let t = h.new_table(0, 0);
    let strs: Vec<_> = (0..200)
        .map(|i| h.intern_bytes(alloc::format!("s{i}").as_bytes()))
        .collect();
    for i in 1..=100 {
        t.set_int(&mut h, i, Value::Int(i));
    }
    for (i, s) in strs.iter().enumerate() {
        t.set_str(&mut h, *s, Value::Int(i as i64));
    }
    let mut seen = 0;
    let mut k = Value::Nil;
    let mut flip = false;
    while let Some((nk, _)) = t.next_own(k).expect("valid key") {
        seen += 1;
        // Clear the current field, and overwrite another existing field.
        t.set(&mut h, nk, Value::Nil).unwrap();
        flip = !flip;
        if flip {
            t.set_str(&mut h, strs[199], Value::Bool(true));
        }
        k = nk;
    }
    // strs[199] may be revisited only if it was overwritten before being reached.
    assert!(seen == 300 || seen == 301, "{seen}");
    assert!(t.is_empty() || entries(&t).len() == 1);
}

#[test]
fn metamethod_absence_cache() {
    let mut h = Heap::default();
    let mt = h.new_table(0, 0);
    let idx = h.intern_bytes(b"__index");
    assert!(!mt.has_no_tm(0));
    assert!(mt.get_tm(0, idx).is_nil());
    assert!(mt.has_no_tm(0));
    let other = h.intern_bytes(b"foo");
    mt.set_str(&mut h, other, Value::Int(1));
    assert!(!mt.has_no_tm(0), "any store clears the cache");
    mt.note_no_tm(0);
    mt.set_str(&mut h, idx, Value::Int(7));
    assert!(!mt.has_no_tm(0));
    assert_eq!(mt.get_tm(0, idx).as_int(), Some(7));
    assert!(!mt.has_no_tm(200));
    mt.note_no_tm(200);
}

#[test]
fn memory_is_accounted() {
    let mut h = Heap::default();
    let before = h.bytes_in_use();
    let t = h.new_table(0, 0);
    let mut r = Rng(99);
    for _ in 0..5000 {
        let k = r.below(3000) as i64 - 100;
        let v = if r.below(3) == 0 {
            Value::Nil
        } else {
            Value::Int(k)
        };
        t.set_int(&mut h, k, v);
    }
    let expect = before + core::mem::size_of::<crate::gc::GcBox<Table>>() + t.extra_bytes();
    assert_eq!(h.bytes_in_use(), expect);
}

/// A key of the random workload.
fn random_key(r: &mut Rng, strs: &[Gc<LuaStr>]) -> Value {
    match r.below(6) {
        0 | 1 => Value::Int(r.below(300) as i64 + 1),
        2 => Value::Int(r.below(2000) as i64 - 1000),
        3 => Value::Float((r.below(400) as f64) / 4.0),
        4 => Value::Str(strs[r.below(strs.len() as u64) as usize]),
        _ => Value::Bool(r.below(2) == 0),
    }
}

/// Model key: a printable identity for `BTreeMap`.
fn model_key(k: &Value) -> (u8, i128) {
    match normalize(*k) {
        Value::Int(i) => (0, i as i128),
        Value::Float(f) => (1, f.to_bits() as i128),
        Value::Str(s) => (2, s.addr() as i128),
        Value::Bool(b) => (3, b as i128),
        _ => (9, 0),
    }
}

#[test]
fn random_workload_matches_a_model() {
    let mut h = Heap::default();
    let strs: Vec<_> = (0..50)
        .map(|i| h.intern_bytes(alloc::format!("k{i}").as_bytes()))
        .collect();
    for seed in 1..=8u64 {
        let mut r = Rng(seed * 0x9e37_79b9);
        let t = h.new_table(r.below(8) as usize, r.below(8) as usize);
        let mut model: BTreeMap<(u8, i128), (Value, i64)> = BTreeMap::new();
        for step in 0..20_000 {
            let k = random_key(&mut r, &strs);
            if r.below(4) == 0 {
                t.set(&mut h, k, Value::Nil).unwrap();
                model.remove(&model_key(&k));
            } else {
                let v = step as i64;
                t.set(&mut h, k, Value::Int(v)).unwrap();
                model.insert(model_key(&k), (k, v));
            }
            if step % 997 == 0 {
                assert!(is_border(&t, t.len()));
            }
        }
        for (k, v) in model.values() {
            assert_eq!(t.get(*k).as_int(), Some(*v), "{k:?}");
        }
        for i in -1100..1100 {
            let present = model.contains_key(&model_key(&Value::Int(i)));
            assert_eq!(!t.get_int(i).is_nil(), present, "{i}");
        }
        let got = entries(&t);
        assert_eq!(got.len(), model.len());
        for (k, v) in got {
            assert_eq!(model.get(&model_key(&k)).map(|e| e.1), v.as_int());
        }
        assert!(is_border(&t, t.len()));
    }
}

// ---------------------------------------------------------------- static parts

/// Test functions for static parts (never called).
fn sf_a(_: &mut crate::Lua) -> crate::LuaResult<usize> {
    Ok(1)
}
/// See `sf_a`.
fn sf_b(_: &mut crate::Lua) -> crate::LuaResult<usize> {
    Ok(2)
}

/// Unsorted on purpose: `static_part!` sorts at compile time.
const SF_FUNCS: &[(&str, crate::func::NativeFn)] =
    &[("zeta", sf_b), ("alpha", sf_a), ("mid", sf_b)];
/// Constant entries.
const SF_VALUES: &[StaticEntry] = &[("pi", Value::Float(3.5)), ("n", Value::Int(7))];
/// The static part the tests use.
const SF_PART: &StaticPart = crate::static_part!(SF_FUNCS, SF_VALUES);

/// A fresh table with `SF_PART` as its static part.
fn static_table(h: &mut Heap) -> Gc<Table> {
    let t = h.new_table(0, 0);
    t.add_static(h, SF_PART);
    assert!(t.has_static_part());
    t
}

/// `t[name]` through an interned key.
fn get_named(h: &mut Heap, t: &Table, name: &str) -> Value {
    let k = h.intern_bytes(name.as_bytes());
    t.get(Value::Str(k))
}

#[test]
fn static_part_is_sorted_and_searchable() {
    let keys: Vec<&str> = SF_PART.entries().iter().map(|e| e.0).collect();
    assert_eq!(keys, ["alpha", "mid", "n", "pi", "zeta"]);
    assert_eq!(SF_PART.find(b"n"), Some(2));
    assert_eq!(SF_PART.find(b"nope"), None);
    assert_eq!(SF_PART.find(b""), None);
    assert_eq!(
        SF_PART.slot(b"pi").copied().and_then(|v| v.as_float()),
        Some(3.5)
    );
}

#[test]
fn static_entries_are_read_without_copying() {
    let mut h = Heap::default();
    let t = static_table(&mut h);
    let before = h.bytes_in_use();
    assert!(matches!(get_named(&mut h, &t, "alpha"), Value::NativeFn(_)));
    assert_eq!(get_named(&mut h, &t, "n").as_int(), Some(7));
    assert!(get_named(&mut h, &t, "absent").is_nil());
    assert!(t.get_int(1).is_nil() && t.len().eq(&0) && !t.is_empty());
    let k = h.intern_bytes(b"mid");
    assert!(t.static_slot(k).is_some());
    assert!(t.has_static_part() && t.node_cap() == 0);
    // Only the interned lookup keys were allocated.
    assert!(h.bytes_in_use() - before < 4 * 64);
}

#[test]
fn new_string_keys_keep_the_static_part() {
    let mut h = Heap::default();
    let t = static_table(&mut h);
    for i in 0..100 {
        let k = h.intern_bytes(alloc::format!("k{i}").as_bytes());
        t.set_str(&mut h, k, Value::Int(i));
    }
    assert!(t.has_static_part());
    assert_eq!(get_named(&mut h, &t, "k42").as_int(), Some(42));
    assert_eq!(get_named(&mut h, &t, "n").as_int(), Some(7));
    let mut names = Vec::new();
    t.for_each_str_entry(|k, _| names.push(k.to_vec()));
    assert_eq!(names.len(), 105);
}

#[test]
fn writing_a_static_key_copies_the_entries() {
    let mut h = Heap::default();
    let t = static_table(&mut h);
    let k = h.intern_bytes(b"pi");
    t.set_str(&mut h, k, Value::Int(3));
    assert!(!t.has_static_part());
    assert_eq!(get_named(&mut h, &t, "pi").as_int(), Some(3));
    assert_eq!(get_named(&mut h, &t, "n").as_int(), Some(7));
    assert!(matches!(get_named(&mut h, &t, "zeta"), Value::NativeFn(_)));

    let t = static_table(&mut h);
    let k = h.intern_bytes(b"alpha");
    t.set(&mut h, Value::Str(k), Value::Nil).expect("valid key");
    assert!(!t.has_static_part());
    assert!(get_named(&mut h, &t, "alpha").is_nil());
    assert_eq!(t.next(&mut h, Value::Nil).map(|_| ()), Ok(()));
    let mut n = 0;
    t.for_each_entry(|_, _| n += 1);
    assert_eq!(n, 4);
}

#[test]
fn other_keys_copy_the_entries_first() {
    let mut h = Heap::default();
    let t = static_table(&mut h);
    t.set_int(&mut h, 1, Value::Int(10));
    assert!(!t.has_static_part());
    assert_eq!(t.get_int(1).as_int(), Some(10));
    assert_eq!(t.len(), 1);
    assert_eq!(get_named(&mut h, &t, "n").as_int(), Some(7));

    let t = static_table(&mut h);
    t.set(&mut h, Value::Bool(true), Value::Int(1))
        .expect("valid key");
    assert!(!t.has_static_part());
    assert_eq!(t.get(Value::Bool(true)).as_int(), Some(1));
    assert!(matches!(get_named(&mut h, &t, "mid"), Value::NativeFn(_)));
}

#[test]
fn traversal_lists_every_entry_once() {
    let mut h = Heap::default();
    let t = static_table(&mut h);
    let own = h.intern_bytes(b"own");
    t.set_str(&mut h, own, Value::Bool(true));
    let mut seen = Vec::new();
    let mut k = Value::Nil;
    while let Some((nk, v)) = t.next(&mut h, k).expect("valid key") {
        assert!(t.get(nk).raw_eq(&v));
        if let Value::Str(s) = nk {
            seen.push(s.as_bytes().to_vec());
        }
        k = nk;
    }
    seen.sort();
    let want: Vec<&[u8]> = alloc::vec![b"alpha", b"mid", b"n", b"own", b"pi", b"zeta"];
    assert_eq!(seen, want);
    assert!(!t.has_static_part());
}

#[test]
fn a_clashing_table_takes_a_copy() {
    let mut h = Heap::default();
    let t = h.new_table(0, 4);
    let k = h.intern_bytes(b"mid");
    t.set_str(&mut h, k, Value::Int(1));
    t.add_static(&mut h, SF_PART);
    assert!(!t.has_static_part());
    assert!(matches!(get_named(&mut h, &t, "mid"), Value::NativeFn(_)));
    let u = h.new_table(4, 0);
    u.add_static(&mut h, SF_PART);
    assert!(!u.has_static_part());
    assert_eq!(get_named(&mut h, &u, "n").as_int(), Some(7));
}

/// Keys that share their length and first eight bytes (the index's hash input).
const SF_CLASH: &[(&str, crate::func::NativeFn)] = &[
    ("abcdefgh1", sf_a),
    ("abcdefgh2", sf_b),
    ("abcdefgh3", sf_a),
    ("abcdefgh", sf_b),
    ("a", sf_a),
    ("", sf_b),
];

#[test]
fn the_static_index_finds_every_key() {
    let part: &StaticPart = crate::static_part!(SF_CLASH);
    for (i, (k, _)) in part.entries().iter().enumerate() {
        assert_eq!(part.find(k.as_bytes()), Some(i), "{k}");
    }
    for miss in ["abcdefgh4", "abcdefg", "b", "abcdefgh12", "\0"] {
        assert_eq!(part.find(miss.as_bytes()), None, "{miss}");
    }
    for (i, (k, _)) in SF_PART.entries().iter().enumerate() {
        assert_eq!(SF_PART.find(k.as_bytes()), Some(i));
    }
}

#[test]
fn the_static_index_compares_every_byte() {
    const LONG: &[(&str, crate::func::NativeFn)] = &[
        ("abcdefghijklmnopq", sf_a),
        ("abcdefghijklmnopr", sf_b),
        ("abcdefghijklmno", sf_a),
        ("abcdefghijklmnp", sf_b),
        ("abcde", sf_a),
        ("abcdf", sf_b),
        ("xy", sf_a),
    ];
    let part: &StaticPart = crate::static_part!(LONG);
    for (i, (k, _)) in part.entries().iter().enumerate() {
        assert_eq!(part.find(k.as_bytes()), Some(i), "{k}");
    }
    for miss in [
        "abcdefghijklmnopx",
        "abcdefghijklmnx",
        "abcdx",
        "abcdefghijklmnopqr",
        "xz",
        "x",
    ] {
        assert_eq!(part.find(miss.as_bytes()), None, "{miss}");
    }
}

#[test]
fn array_slot_covers_exactly_the_array_part() {
    let mut heap = Heap::default();
    let t = heap.new_table(3, 0);
    for i in 1..=3 {
        t.set_int(&mut heap, i, Value::Int(i * 10));
    }
    assert_eq!(t.array_len(), 3);
    for key in [i64::MIN, -1, 0, 4, i64::MAX] {
        assert!(t.array_slot(key).is_none(), "key {key}");
    }
    for key in 1..=3 {
        let p = t.array_slot(key).expect("in the array part");
        // SAFETY: `array_slot` returned a pointer to a live value; nothing resized the
        // table since.
        assert!(matches!(unsafe { *p }, Value::Int(v) if v == key * 10));
    }
}

#[test]
fn small_array_parts_live_in_the_tables_block_until_they_outgrow_it() {
    let mut heap = Heap::default();
    let sizes = |t: &Table| (t.inline_cap, t.arr_is_inline(), t.array_len());
    assert_eq!(sizes(&heap.new_table(0, 0)), (0, false, 0));
    assert_eq!(sizes(&heap.new_table(8, 0)), (8, true, 8));
    assert_eq!(sizes(&heap.new_table(9, 0)), (0, false, 9));
    // `{x, f()}`: sized 1, the append fills the second inline slot in place.
    let t = heap.new_table(1, 0);
    assert_eq!(sizes(&t), (2, true, 1));
    t.set_int(&mut heap, 1, Value::Int(10));
    let at = t.array_ptr();
    t.set_int(&mut heap, 2, Value::Int(20));
    assert_eq!((sizes(&t), t.array_ptr()), ((2, true, 2), at));
    assert_eq!(t.extra_bytes(), 0);
    // The third element moves the part out; the contents follow.
    t.set_int(&mut heap, 3, Value::Int(30));
    assert_eq!(sizes(&t), (2, false, 4));
    assert_eq!(t.extra_bytes(), 4 * core::mem::size_of::<Value>());
    for i in 4..=40 {
        t.set_int(&mut heap, i, Value::Int(i * 10));
    }
    for i in 1..=40 {
        assert_eq!(t.get_int(i).as_int(), Some(i * 10), "key {i}");
    }
    assert_eq!(t.len(), 40);
    // A rehash that shrinks an inline part keeps it in place.
    let u = heap.new_table(4, 0);
    u.set_int(&mut heap, 1, Value::Int(1));
    for i in 0..20 {
        let k = heap.intern_bytes(alloc::format!("k{i}").as_bytes());
        u.set_str(&mut heap, k, Value::Int(i));
    }
    assert!(u.arr_is_inline() && u.array_len() <= 4, "{:?}", sizes(&u));
    assert_eq!(u.get_int(1).as_int(), Some(1));
}

#[test]
fn a_constructor_list_fills_the_inline_room_in_place() {
    let mut heap = Heap::default();
    // `{f(), g()}`: sized 1, SETLIST of two values stays in the table's block.
    let t = heap.new_table(1, 0);
    let at = t.array_ptr();
    t.set_list(&mut heap, 0, &[Value::Int(1), Value::Int(2)]);
    assert_eq!((t.array_len(), t.array_ptr(), t.len()), (2, at, 2));
    assert_eq!(
        (t.get_int(1).as_int(), t.get_int(2).as_int()),
        (Some(1), Some(2))
    );
    assert_eq!(t.extra_bytes(), 0);
    // A hash key of the new range moves to the array (the general path), and a list
    // past the room moves the part out.
    let u = heap.new_table(1, 1);
    u.set_int(&mut heap, 3, Value::Int(30));
    u.set_list(&mut heap, 0, &[Value::Int(10), Value::Int(20)]);
    assert_eq!(u.get_int(3).as_int(), Some(30));
    assert_eq!(u.len(), 3);
    let v = heap.new_table(1, 0);
    v.set_list(&mut heap, 0, &[Value::Int(1), Value::Int(2), Value::Int(3)]);
    assert!(!v.arr_is_inline());
    assert_eq!(
        (v.array_len(), v.len(), v.get_int(3).as_int()),
        (3, 3, Some(3))
    );
}
