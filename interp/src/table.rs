//! Tables (STUB: a naive placeholder with the final API; being replaced by the real
//! array-part + hash-part implementation).

use alloc::vec::Vec;
use core::cell::{Cell, UnsafeCell};

use crate::gc::{Gc, GcObject, Heap, Marker, ObjKind};
use crate::string::LuaStr;
use crate::value::Value;

/// Why a raw set was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// "index is nil"
    Nil,
    /// "index is NaN"
    NaN,
}

/// A Lua table.
pub struct Table {
    entries: UnsafeCell<Vec<(Value, Value)>>,
    metatable: Cell<Option<Gc<Table>>>,
}

impl GcObject for Table {
    const KIND: ObjKind = ObjKind::Table;
    fn trace(&self, m: &mut Marker) {
        if let Some(mt) = self.metatable.get() {
            m.mark(mt);
        }
        for (k, v) in self.entries().iter() {
            m.mark_value(k);
            m.mark_value(v);
        }
    }
}

impl Table {
    /// A new empty table with room for `narray` list items and `nhash` other keys.
    pub fn new(_narray: usize, _nhash: usize) -> Table {
        Table { entries: UnsafeCell::new(Vec::new()), metatable: Cell::new(None) }
    }

    fn entries(&self) -> &Vec<(Value, Value)> {
        // SAFETY: stub; single-threaded and no reference escapes a method.
        unsafe { &*self.entries.get() }
    }

    #[allow(clippy::mut_from_ref)]
    fn entries_mut(&self) -> &mut Vec<(Value, Value)> {
        // SAFETY: stub; single-threaded and no reference escapes a method.
        unsafe { &mut *self.entries.get() }
    }

    /// Raw get (`rawget`): no metamethods.
    pub fn get(&self, key: Value) -> Value {
        let key = normalize(key);
        self.entries().iter().find(|(k, _)| k.raw_eq(&key)).map(|e| e.1).unwrap_or(Value::Nil)
    }

    /// Raw get with an integer key.
    pub fn get_int(&self, i: i64) -> Value {
        self.get(Value::Int(i))
    }

    /// Raw get with a string key.
    pub fn get_str(&self, s: Gc<LuaStr>) -> Value {
        self.get(Value::Str(s))
    }

    /// Raw set (`rawset`); assigning nil removes. Errors for nil and NaN keys.
    pub fn set(&self, heap: &mut Heap, key: Value, val: Value) -> Result<(), KeyError> {
        let key = match key {
            Value::Nil => return Err(KeyError::Nil),
            Value::Float(f) if f.is_nan() => return Err(KeyError::NaN),
            k => normalize(k),
        };
        let e = self.entries_mut();
        if let Some(slot) = e.iter_mut().find(|(k, _)| k.raw_eq(&key)) {
            slot.1 = val;
        } else if !val.is_nil() {
            heap.account_grow(32);
            e.push((key, val));
        }
        Ok(())
    }

    /// Raw set with an integer key.
    pub fn set_int(&self, heap: &mut Heap, i: i64, val: Value) {
        let _ = self.set(heap, Value::Int(i), val);
    }

    /// Raw set with a string key.
    pub fn set_str(&self, heap: &mut Heap, s: Gc<LuaStr>, val: Value) {
        let _ = self.set(heap, Value::Str(s), val);
    }

    /// A border (`#t` without `__len`).
    pub fn len(&self) -> i64 {
        let mut n = 0;
        while !self.get_int(n + 1).is_nil() {
            n += 1;
        }
        n
    }

    /// `next`: the entry after `key` (nil = first). `Err(())` for a key not in the table.
    #[allow(clippy::result_unit_err)]
    pub fn next(&self, key: Value) -> Result<Option<(Value, Value)>, ()> {
        let e = self.entries();
        let start = if key.is_nil() {
            0
        } else {
            let key = normalize(key);
            e.iter().position(|(k, _)| k.raw_eq(&key)).ok_or(())? + 1
        };
        Ok(e[start..].iter().find(|(_, v)| !v.is_nil()).copied())
    }

    /// The metatable.
    #[inline]
    pub fn metatable(&self) -> Option<Gc<Table>> {
        self.metatable.get()
    }

    /// Replaces the metatable.
    pub fn set_metatable(&self, mt: Option<Gc<Table>>) {
        self.metatable.set(mt)
    }
}

fn normalize(k: Value) -> Value {
    match k {
        Value::Float(f) => match moonjet_bytecode::num::float_to_int_exact(f) {
            Some(i) => Value::Int(i),
            None => k,
        },
        k => k,
    }
}
