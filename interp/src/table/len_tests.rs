//! Length tests (LEN-HINT): borders after pushes, pops, nils at the end and in the
//! middle, shrinking, rehashes between the parts, `move_in_array`, and stale hints
//! left by stores that bypass `set_int` (as compiled code's inline stores do).

use super::*;

/// True if `n` is a border of `t` as the manual defines it.
fn is_border(t: &Table, n: i64) -> bool {
    (n == 0 || !t.get_int(n).is_nil()) && (n == i64::MAX || t.get_int(n + 1).is_nil())
}

/// A table holding `1..=n` at keys `1..=n`, built by appends.
fn list(heap: &mut Heap, n: i64) -> Gc<Table> {
    let t = heap.new_table(0, 0);
    for i in 1..=n {
        t.set_int(heap, i, Value::Int(i));
    }
    t
}

#[test]
fn push_and_pop_keep_the_border() {
    let mut heap = Heap::default();
    let t = heap.new_table(0, 0);
    for i in 0..300 {
        assert_eq!(t.len(), i);
        t.set_int(&mut heap, t.len() + 1, Value::Int(i));
    }
    for i in (0..300).rev() {
        t.set_int(&mut heap, t.len(), Value::Nil);
        assert_eq!(t.len(), i);
    }
    assert_eq!(t.len(), 0);
}

#[test]
fn nil_at_the_end_and_in_the_middle() {
    let mut heap = Heap::default();
    let t = list(&mut heap, 10);
    assert_eq!(t.array_len(), 16);
    assert_eq!(t.len(), 10);
    t.set_int(&mut heap, 5, Value::Nil);
    assert_eq!(t.len(), 10, "lua5.4 keeps 10");
    t.set_int(&mut heap, 10, Value::Nil);
    assert_eq!(t.len(), 9);
    for i in 6..=9 {
        t.set_int(&mut heap, i, Value::Nil);
    }
    assert_eq!(t.len(), 4);
    t.set_int(&mut heap, 1, Value::Nil);
    assert!(is_border(&t, t.len()));
}

#[test]
fn shrinking_to_empty_and_empty_tables() {
    let mut heap = Heap::default();
    let t = heap.new_table(0, 0);
    assert_eq!(t.len(), 0);
    let u = heap.new_table(8, 0);
    assert_eq!(u.len(), 0);
    let t = list(&mut heap, 40);
    for i in (1..=40).rev() {
        t.set_int(&mut heap, i, Value::Nil);
    }
    assert_eq!(t.len(), 0);
    // A rehash that shrinks the array part below the old hint.
    for k in 0..64 {
        t.set(&mut heap, Value::Float(k as f64 + 0.5), Value::Int(k))
            .unwrap();
    }
    assert_eq!(t.array_len(), 0);
    assert_eq!(t.len(), 0);
    t.set_int(&mut heap, 1, Value::Int(1));
    assert_eq!(t.len(), 1);
}

#[test]
fn rehash_between_array_and_hash() {
    let mut heap = Heap::default();
    let t = heap.new_table(0, 0);
    for i in (1..=100).rev() {
        t.set_int(&mut heap, i, Value::Int(i));
    }
    assert_eq!(t.len(), 100);
    assert!(
        t.array_len() >= 64,
        "a rehash moved the keys to the array part"
    );
    for i in (91..=100).rev() {
        t.set_int(&mut heap, i, Value::Nil);
        assert_eq!(t.len(), i - 1);
    }
    // String keys force rehashes; the border survives them.
    for k in 0..200 {
        let s = heap.intern_bytes(alloc::format!("k{k}").as_bytes());
        t.set_str(&mut heap, s, Value::Int(k));
        assert_eq!(t.len(), 90);
    }
    // A border past a full array part, in the hash part.
    let n = t.array_len() as i64;
    for i in 91..=n + 5 {
        t.set_int(&mut heap, i, Value::Int(i));
    }
    assert_eq!(t.len(), n + 5);
}

#[test]
fn stale_hints_from_raw_stores_are_checked() {
    let mut heap = Heap::default();
    let t = list(&mut heap, 20);
    assert_eq!(t.len(), 20);
    // Stores that bypass `set_int` (compiled code's inline stores) leave the hint.
    t.arr_put(19, Value::Nil);
    t.arr_put(18, Value::Nil);
    assert_eq!(t.len(), 18);
    t.arr_put(18, Value::Int(1));
    assert_eq!(t.len(), 19);
    for i in 0..20 {
        t.arr_put(i, Value::Nil);
    }
    assert_eq!(t.len(), 0);
    for i in 0..t.array_len() {
        t.arr_put(i, Value::Int(1));
    }
    assert_eq!(t.len(), t.array_len() as i64);
    // Any hint value is checked: force each one in turn.
    let t = list(&mut heap, 12);
    t.set_int(&mut heap, 6, Value::Nil);
    for h in 0..40 {
        t.len_hint.set(h);
        let b = t.len();
        assert!(is_border(&t, b), "hint {h} gave {b}");
        assert!(b == 5 || b == 12, "hint {h} gave {b}");
    }
}

#[test]
fn move_in_array_moves_and_checks_bounds() {
    let mut heap = Heap::default();
    let t = list(&mut heap, 10);
    let n = t.array_len() as i64;
    assert!(t.move_in_array(1, 2, 9), "open up slot 1");
    let got: Vec<i64> = (1..=10)
        .map(|i| t.get_int(i).as_int().unwrap_or(-1))
        .collect();
    assert_eq!(got, [1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert!(t.move_in_array(2, 1, 9));
    assert_eq!(t.get_int(1).as_int(), Some(1));
    assert_eq!(t.get_int(9).as_int(), Some(9));
    assert!(t.move_in_array(1, 1, 0), "empty move");
    assert!(!t.move_in_array(1, n, 2), "destination past the array part");
    assert!(!t.move_in_array(0, 1, 1), "key 0 is not in the array part");
    assert!(!t.move_in_array(1, 2, -1));
    assert!(!t.move_in_array(i64::MAX, 1, 1));
    assert!(!t.move_in_array(1, i64::MIN, 1));
    assert!(!t.move_in_array(2, 1, i64::MAX));
    assert_eq!(t.len(), 10);
}

#[test]
fn random_operations_always_give_a_border() {
    let mut heap = Heap::default();
    let t = heap.new_table(0, 0);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = (x >> 8) as i64 % 90 + 1;
        match x % 7 {
            0 | 1 => t.set_int(&mut heap, k, Value::Int(k)),
            2 => t.set_int(&mut heap, k, Value::Nil),
            3 => t.set_int(&mut heap, t.len() + 1, Value::Int(k)),
            4 => t.set_int(&mut heap, t.len(), Value::Nil),
            5 if t.array_len() > 0 => {
                let i = k as usize % t.array_len();
                t.arr_put(
                    i,
                    if x & 256 == 0 {
                        Value::Nil
                    } else {
                        Value::Int(1)
                    },
                );
            }
            _ => {}
        }
        let b = t.len();
        assert!(is_border(&t, b), "len {b} is not a border");
    }
}
