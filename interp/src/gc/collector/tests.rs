//! Collector tests: a bare `Heap` with explicit roots for the tracing rules, a `Lua`
//! for finalizers.

use alloc::vec::Vec;

use super::*;
use crate::error::LuaResult;

/// Runs a full collection with `roots` as the root set.
fn full(h: &mut Heap, roots: &[Value]) {
    h.gc_full(&mut |m| roots.iter().for_each(|v| m.mark_value(v)));
}

/// A table with metatable `{__mode = mode}`.
fn weak_table(h: &mut Heap, mode: &[u8]) -> Gc<Table> {
    let mt = h.new_table(0, 1);
    let k = h.intern_bytes(b"__mode");
    let v = h.intern_bytes(mode);
    mt.set_str(h, k, Value::Str(v));
    let t = h.new_table(0, 0);
    t.set_metatable(Some(mt));
    t
}

#[test]
fn unreachable_cycles_are_freed_and_roots_kept() {
    let mut h = Heap::default();
    let base = h.object_count();
    let keep = h.new_table(0, 0);
    for _ in 0..100 {
        let a = h.new_table(0, 0);
        let b = h.new_table(0, 0);
        a.set_int(&mut h, 1, Value::Table(b));
        b.set_int(&mut h, 1, Value::Table(a));
    }
    let s = h.intern_bytes(b"kept string");
    keep.set_int(&mut h, 1, Value::Str(s));
    h.intern_bytes(b"garbage string");
    assert_eq!(h.object_count(), base + 1 + 200 + 2);
    full(&mut h, &[Value::Table(keep)]);
    assert_eq!(h.object_count(), base + 2);
    assert_eq!(h.gc.cycles, 1);
    // The dead string left the string table; interning makes a fresh one.
    let g = h.intern_bytes(b"garbage string");
    assert_eq!(g.as_bytes(), b"garbage string");
    assert!(h.intern_bytes(b"kept string") == s);
    full(&mut h, &[]);
    assert_eq!(h.object_count(), base);
}

#[test]
fn weak_values_are_cleared_but_strings_stay() {
    let mut h = Heap::default();
    let t = weak_table(&mut h, b"v");
    let kept = h.new_table(0, 0);
    let dead = h.new_table(0, 0);
    let s = h.intern_bytes(b"a string value");
    t.set_int(&mut h, 1, Value::Table(dead));
    t.set_int(&mut h, 2, Value::Str(s));
    t.set_int(&mut h, 3, Value::Table(kept));
    let key = h.intern_bytes(b"key");
    let x = h.new_table(0, 0);
    t.set_str(&mut h, key, Value::Table(x));
    full(&mut h, &[Value::Table(t), Value::Table(kept)]);
    assert!(t.get_int(1).is_nil());
    assert!(matches!(t.get_int(2), Value::Str(x) if x == s));
    assert!(matches!(t.get_int(3), Value::Table(x) if x == kept));
    assert!(t.get_str(key).is_nil());
}

#[test]
fn ephemerons() {
    let mut h = Heap::default();
    let t = weak_table(&mut h, b"k");
    let base = h.object_count();
    // A dead key whose value refers back to it: the entry goes.
    let k1 = h.new_table(0, 0);
    let v1 = h.new_table(0, 0);
    v1.set_int(&mut h, 1, Value::Table(k1));
    t.set(&mut h, Value::Table(k1), Value::Table(v1)).unwrap();
    // A chain of keys reached only through values of the same table: all stay.
    let a = h.new_table(0, 0);
    let b = h.new_table(0, 0);
    let c = h.new_table(0, 0);
    t.set(&mut h, Value::Table(b), Value::Table(c)).unwrap();
    t.set(&mut h, Value::Table(a), Value::Table(b)).unwrap();
    // String keys are never weak; their values are strong.
    let s = h.intern_bytes(b"strkey");
    let x = h.new_table(0, 0);
    t.set_str(&mut h, s, Value::Table(x));
    full(&mut h, &[Value::Table(t), Value::Table(a)]);
    assert!(t.get(Value::Table(a)).raw_eq(&Value::Table(b)));
    assert!(t.get(Value::Table(b)).raw_eq(&Value::Table(c)));
    assert!(matches!(t.get_str(s), Value::Table(_)));
    let n = count(&t);
    assert_eq!(n, 3);
    assert_eq!(h.object_count(), base + 3 + 2);
    // Drop the head of the chain: the whole chain goes.
    full(&mut h, &[Value::Table(t)]);
    assert_eq!(count(&t), 1);
    assert_eq!(h.object_count(), base + 2);
}

/// Number of entries.
fn count(t: &Table) -> usize {
    let mut n = 0;
    t.for_each_entry(|_, _| n += 1);
    n
}

/// Tables reachable from `root` (including it).
fn reachable(root: Gc<Table>) -> Vec<Gc<Table>> {
    let mut seen = alloc::collections::BTreeSet::new();
    let mut out = Vec::new();
    let mut todo = alloc::vec![root];
    while let Some(t) = todo.pop() {
        if !seen.insert(t.addr()) {
            continue;
        }
        out.push(t);
        t.for_each_entry(|_, v| {
            if let Value::Table(x) = *v {
                todo.push(x);
            }
        });
    }
    out
}

#[test]
fn incremental_steps_with_barriers_keep_everything_reachable() {
    let mut h = Heap::default();
    let base = h.object_count();
    let root = h.new_table(0, 0);
    let mut rng = 0x1234_5678_9abc_def1u64;
    let mut rand = move |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let mut live = alloc::vec![root];
    for step in 0..20_000 {
        let a = live[rand(live.len())];
        let key = rand(8) as i64 + 1;
        match rand(4) {
            0 => {
                let n = h.new_table(0, 0);
                a.set_int(&mut h, key, Value::Table(n));
            }
            1 => {
                let b = live[rand(live.len())];
                a.set_int(&mut h, key, Value::Table(b));
            }
            2 => a.set_int(&mut h, key, Value::Nil),
            _ => {
                // Move a subtree: read it out of one table, delete, store elsewhere.
                if let Value::Table(x) = a.get_int(key) {
                    a.set_int(&mut h, key, Value::Nil);
                    let b = live[rand(live.len())];
                    b.set_int(&mut h, key, Value::Table(x));
                }
            }
        }
        if step % 7 == 0 {
            h.gc_run(&mut |m| m.mark(root), 64 + rand(512));
        }
        if step % 50 == 0 {
            live = reachable(root);
        }
    }
    full(&mut h, &[Value::Table(root)]);
    assert!(h.gc.cycles > 10, "cycles {}", h.gc.cycles);
    assert_eq!(h.object_count(), base + reachable(root).len());
}

#[test]
fn dead_string_found_during_sweep_is_revived() {
    let mut h = Heap::default();
    for i in 0..200 {
        h.intern_bytes(alloc::format!("filler {i}").as_bytes());
    }
    let s = h.intern_bytes(b"phoenix");
    let holder = h.new_table(0, 0);
    // Run until sweeping starts, with `s` unreachable.
    while h.gc.phase != Phase::Sweep {
        h.gc_run(&mut |m| m.mark(holder), 1);
    }
    let again = h.intern_bytes(b"phoenix");
    holder.set_int(&mut h, 1, Value::Str(again));
    while h.gc.phase != Phase::Pause {
        h.gc_run(&mut |m| m.mark(holder), 1);
    }
    full(&mut h, &[Value::Table(holder)]);
    assert!(s == again);
    assert_eq!(again.as_bytes(), b"phoenix");
    assert!(h.intern_bytes(b"phoenix") == again);
}

#[test]
fn free_all_leaves_nothing() {
    let mut h = Heap::default();
    let t = h.new_table(0, 0);
    for i in 0..1000 {
        let s = h.intern_bytes(alloc::format!("s{i}").as_bytes());
        t.set_str(&mut h, s, Value::Int(i));
        t.set_int(&mut h, i, Value::Str(s));
    }
    h.free_all();
    assert_eq!(h.object_count(), 0);
    assert_eq!(h.bytes_in_use(), 0);
}

// ------------------------------------------------------------- finalizers

/// `__gc` that appends its argument to the global `log`.
fn record(l: &mut Lua) -> LuaResult<usize> {
    let v = l.arg(1);
    if let Value::Table(log) = l.get_global("log") {
        let n = log.len();
        log.set_int(&mut l.heap, n + 1, v);
    }
    Ok(0)
}

/// `__gc` that fails.
fn fail(l: &mut Lua) -> LuaResult<usize> {
    Err(l.error_value_str("boom"))
}

/// Warning sink storing the message in the global `warned`.
fn warn_to_global(l: &mut Lua, msg: &[u8]) {
    let v = l.new_str(msg);
    l.set_global("warned", v);
}

/// A table `{id}` whose metatable has `__gc = f`, registered for finalization.
fn finalizable(l: &mut Lua, id: i64, f: crate::func::NativeFn) -> Gc<Table> {
    let mt = l.new_table(0, 1);
    let k = l.heap.intern_bytes(b"__gc");
    mt.set_str(&mut l.heap, k, Value::NativeFn(f));
    let t = l.new_table(1, 0);
    t.set_int(&mut l.heap, 1, Value::Int(id));
    t.set_metatable(Some(mt));
    l.register_finalizer(Value::Table(t));
    t
}

/// The ids of the logged objects.
fn logged_ids(l: &mut Lua) -> Vec<i64> {
    let Value::Table(log) = l.get_global("log") else {
        return Vec::new();
    };
    (1..=log.len())
        .filter_map(|i| match log.get_int(i) {
            Value::Table(t) => t.get_int(1).as_int(),
            _ => None,
        })
        .collect()
}

#[test]
fn finalizers_run_once_in_reverse_registration_order() {
    let mut l = Lua::new();
    let log = l.new_table(0, 0);
    l.set_global("log", Value::Table(log));
    l.full_gc();
    let base = l.heap.object_count();
    for id in 1..=3 {
        finalizable(&mut l, id, record);
    }
    let keep = finalizable(&mut l, 4, record);
    l.set_global("keep", Value::Table(keep));
    l.full_gc();
    assert_eq!(logged_ids(&mut l), [3, 2, 1]);
    // Resurrected by the log: still alive. Drop them: freed, not finalized again.
    let log2 = l.new_table(0, 0);
    l.set_global("log", Value::Table(log2));
    l.full_gc();
    assert_eq!(logged_ids(&mut l), Vec::<i64>::new());
    assert_eq!(l.heap.object_count(), base + 2 + 1);
    // close() finalizes what is still registered, reachable or not.
    l.close();
    assert_eq!(logged_ids(&mut l), [4]);
    l.close();
    assert_eq!(logged_ids(&mut l), [4]);
}

#[test]
fn weak_tables_and_resurrection() {
    let mut l = Lua::new();
    let log = l.new_table(0, 0);
    l.set_global("log", Value::Table(log));
    let wk = weak_table(&mut l.heap, b"k");
    let wv = weak_table(&mut l.heap, b"v");
    l.set_global("wk", Value::Table(wk));
    l.set_global("wv", Value::Table(wv));
    let o = finalizable(&mut l, 9, record);
    wk.set(&mut l.heap, Value::Table(o), Value::Int(1)).unwrap();
    wv.set_int(&mut l.heap, 1, Value::Table(o));
    l.full_gc();
    // Removed from weak values before the finalizer ran, kept as a weak key.
    assert_eq!(logged_ids(&mut l), [9]);
    assert!(wv.get_int(1).is_nil());
    assert_eq!(wk.get(Value::Table(o)).as_int(), Some(1));
    // Once unreachable again, it is freed and leaves the weak-key table.
    let log2 = l.new_table(0, 0);
    l.set_global("log", Value::Table(log2));
    l.full_gc();
    assert!(wk.is_empty());
}

#[test]
fn finalizer_errors_become_warnings() {
    let mut l = Lua::new();
    l.set_gc_warn(Some(warn_to_global));
    finalizable(&mut l, 1, fail);
    l.full_gc();
    match l.get_global("warned") {
        Value::Str(s) => assert_eq!(s.as_bytes(), b"error in __gc (boom)"),
        other => panic!("no warning: {other:?}"),
    }
}

#[test]
fn allocation_driven_steps_bound_the_heap() {
    let mut l = Lua::new();
    let keep = l.new_table(0, 0);
    l.set_global("keep", Value::Table(keep));
    for i in 0..200_000i64 {
        let t = l.new_table(0, 0);
        t.set_int(&mut l.heap, 1, Value::Int(i));
        if i % 1000 == 0 {
            keep.set_int(&mut l.heap, i / 1000 + 1, Value::Table(t));
        }
        l.collect_check();
    }
    assert!(l.heap.gc.cycles >= 3, "cycles {}", l.heap.gc.cycles);
    assert!(
        l.heap.bytes_in_use() < 4 << 20,
        "bytes {}",
        l.heap.bytes_in_use()
    );
    l.full_gc();
    for i in 0..200 {
        assert!(
            matches!(keep.get_int(i + 1), Value::Table(t) if t.get_int(1).as_int() == Some(i * 1000))
        );
    }
}

/// The sizes of every object on the heap's list, as the sweeper would free them.
fn listed_bytes(h: &Heap) -> usize {
    let (mut cur, mut n) = (h.all, 0);
    while let Some(o) = cur {
        // SAFETY: objects on the list are alive.
        n += unsafe { obj_size(o) };
        // SAFETY: as above.
        cur = unsafe { o.as_ref().next.get() };
    }
    n
}

#[test]
fn accounted_bytes_match_the_objects_through_every_resize() {
    let mut h = Heap::default();
    let mut tables = Vec::new();
    for hint in [0, 1, 2, 3, 8, 9, 20] {
        tables.push(h.new_table(hint, 0));
        assert_eq!(h.bytes_in_use(), listed_bytes(&h), "new, hint {hint}");
    }
    for (n, t) in tables.iter().enumerate() {
        for i in 1..=40i64 {
            t.set_int(&mut h, i, Value::Int(i));
            let k = h.intern_bytes(alloc::format!("{n}-{i}").as_bytes());
            t.set_str(&mut h, k, Value::Int(i));
            assert_eq!(h.bytes_in_use(), listed_bytes(&h), "table {n}, key {i}");
        }
        for i in (1..=40i64).rev() {
            t.set_int(&mut h, i, Value::Nil);
        }
        t.set_int(&mut h, -5, Value::Int(1));
        assert_eq!(h.bytes_in_use(), listed_bytes(&h), "table {n} emptied");
    }
    h.free_all();
    assert_eq!(h.bytes_in_use(), 0);
}

/// Largest heap size while `rounds` short-lived tables are made next to 20,000 live
/// ones (about 2.4 MB), at the given `stepmul`; and the live size.
fn peak_heap(stepmul: u32, rounds: i64) -> (usize, usize) {
    let mut l = Lua::new();
    l.gc_set_params(None, Some(stepmul));
    let keep = l.new_table(0, 0);
    l.set_global("keep", Value::Table(keep));
    for i in 1..=20_000 {
        let t = l.new_table(2, 0);
        keep.set_int(&mut l.heap, i, Value::Table(t));
    }
    l.full_gc();
    let live = l.heap.bytes_in_use();
    let mut peak = 0;
    for i in 0..rounds {
        let t = l.new_table(2, 0);
        t.set_int(&mut l.heap, 1, Value::Int(i));
        l.collect_check();
        peak = peak.max(l.heap.bytes_in_use());
    }
    (peak, live)
}

#[test]
fn the_default_pace_keeps_the_heap_near_pause_times_the_live_size() {
    // GC-PACING: with pause 200 the heap stays near twice the live size; a slow pace
    // (the former default, 4 units per byte) let it reach well beyond.
    // (Measured: 2.05 and 2.20 times the live size.)
    let (peak, live) = peak_heap(100, 200_000);
    assert!(peak * 100 < live * 212, "peak {peak}, live {live}");
    let (slow_peak, live) = peak_heap(25, 200_000);
    assert!(
        slow_peak * 100 > live * 215,
        "peak {slow_peak}, live {live}"
    );
}
