//! The `table` library (manual §6.6). Element access goes through `__index`/`__newindex`
//! and lengths through `__len`, as in 5.4; plain tables take raw fast paths.

use alloc::vec::Vec;

use super::util::{
    arg_error, call1, check_int, check_str, index, len_of, less_than, meta_field, nargs, opt_int,
    push_bytes, rt_error, set_index, type_error,
};
use crate::error::LuaResult;
use crate::func::NativeFn;
use crate::state::Lua;
use crate::value::Value;

use moonjet_bytecode::num::Number;

/// The functions of the `table` table.
pub const FUNCS: &[(&str, NativeFn)] = &[
    ("concat", concat),
    ("insert", insert),
    ("move", tmove),
    ("pack", pack),
    ("remove", remove),
    ("sort", sort),
    ("unpack", unpack),
];

/// What a table argument must support.
#[derive(Clone, Copy)]
struct Need {
    read: bool,
    write: bool,
    len: bool,
}

/// `checktab`: a table, or a value whose metatable has the needed metamethods.
fn check_tab(l: &mut Lua, n: usize, need: Need) -> LuaResult<Value> {
    let v = l.arg(n);
    if matches!(v, Value::Table(_)) {
        return Ok(v);
    }
    let ok = super::util::metatable_of(l, v).is_some()
        && (!need.read || !meta_field(l, v, "__index").is_nil())
        && (!need.write || !meta_field(l, v, "__newindex").is_nil())
        && (!need.len || !meta_field(l, v, "__len").is_nil());
    if ok {
        Ok(v)
    } else {
        Err(type_error(l, n, "table"))
    }
}

/// Read, write and length.
const RWL: Need = Need {
    read: true,
    write: true,
    len: true,
};
/// Read and length.
const RL: Need = Need {
    read: true,
    write: false,
    len: true,
};

/// True when `v` is a table without a metatable (raw access is then exact).
fn is_plain(v: Value) -> bool {
    matches!(v, Value::Table(t) if t.metatable().is_none())
}

/// `t[i]` honouring `__index`.
fn geti(l: &mut Lua, t: Value, i: i64) -> LuaResult<Value> {
    match t {
        Value::Table(tt) if tt.metatable().is_none() => Ok(tt.get_int(i)),
        _ => index(l, t, Value::Int(i)),
    }
}

/// `t[i] = v` honouring `__newindex`.
fn seti(l: &mut Lua, t: Value, i: i64, v: Value) -> LuaResult<()> {
    match t {
        Value::Table(tt) if tt.metatable().is_none() => {
            tt.set_int(&mut l.heap, i, v);
            Ok(())
        }
        _ => set_index(l, t, Value::Int(i), v),
    }
}

/// `#t` honouring `__len`.
fn getn(l: &mut Lua, t: Value) -> LuaResult<i64> {
    match t {
        Value::Table(tt) if tt.metatable().is_none() => Ok(tt.len()),
        _ => len_of(l, t),
    }
}

/// `table.insert(t, [pos,] value)`
fn insert(l: &mut Lua) -> LuaResult<usize> {
    let t = check_tab(l, 1, RWL)?;
    let n = nargs(l);
    let e = getn(l, t)?.wrapping_add(1);
    let (pos, v) = match n {
        2 => (e, l.arg(2)),
        3 => {
            let pos = check_int(l, 2)?;
            if (pos as u64).wrapping_sub(1) >= e as u64 {
                return Err(arg_error(l, 2, "position out of bounds"));
            }
            let v = l.arg(3);
            let mut i = e;
            while i > pos {
                let x = geti(l, t, i - 1)?;
                seti(l, t, i, x)?;
                i -= 1;
            }
            (pos, v)
        }
        _ => return Err(rt_error(l, "wrong number of arguments to 'insert'")),
    };
    seti(l, t, pos, v)?;
    Ok(0)
}

/// `table.remove(t [, pos])`
fn remove(l: &mut Lua) -> LuaResult<usize> {
    let t = check_tab(l, 1, RWL)?;
    let size = getn(l, t)?;
    let mut pos = opt_int(l, 2, size)?;
    if pos != size && (pos as u64).wrapping_sub(1) > size as u64 {
        return Err(arg_error(l, 1, "position out of bounds"));
    }
    let removed = geti(l, t, pos)?;
    while pos < size {
        let x = geti(l, t, pos + 1)?;
        seti(l, t, pos, x)?;
        pos += 1;
    }
    seti(l, t, pos, Value::Nil)?;
    l.push(removed);
    Ok(1)
}

/// `table.move(a1, f, e, t [, a2])`
fn tmove(l: &mut Lua) -> LuaResult<usize> {
    let a1 = check_tab(
        l,
        1,
        Need {
            read: true,
            write: false,
            len: false,
        },
    )?;
    let f = check_int(l, 2)?;
    let e = check_int(l, 3)?;
    let t = check_int(l, 4)?;
    let a2 = if nargs(l) >= 5 && !l.arg(5).is_nil() {
        check_tab(
            l,
            5,
            Need {
                read: false,
                write: true,
                len: false,
            },
        )?
    } else {
        a1
    };
    if e >= f {
        if !(f > 0 || e < i64::MAX + f) {
            return Err(arg_error(l, 3, "too many elements to move"));
        }
        let n = e - f + 1;
        if t > i64::MAX - n + 1 {
            return Err(arg_error(l, 4, "destination wrap around"));
        }
        let same = a1.raw_eq(&a2);
        if t > e || t <= f || !same {
            for i in 0..n {
                let x = geti(l, a1, f + i)?;
                seti(l, a2, t + i, x)?;
            }
        } else {
            for i in (0..n).rev() {
                let x = geti(l, a1, f + i)?;
                seti(l, a2, t + i, x)?;
            }
        }
    }
    l.push(a2);
    Ok(1)
}

/// `table.concat(list [, sep [, i [, j]]])`
fn concat(l: &mut Lua) -> LuaResult<usize> {
    let t = check_tab(l, 1, RL)?;
    let sep = if nargs(l) >= 2 && !l.arg(2).is_nil() {
        Some(check_str(l, 2)?)
    } else {
        None
    };
    let i = opt_int(l, 3, 1)?;
    let j = if nargs(l) >= 4 && !l.arg(4).is_nil() {
        check_int(l, 4)?
    } else {
        getn(l, t)?
    };
    let sep = sep.as_ref().map_or(&b""[..], |s| s.as_bytes());
    let mut out = Vec::new();
    let mut digits = alloc::string::String::new();
    let mut k = i;
    while k <= j {
        let v = geti(l, t, k)?;
        let number = match v {
            Value::Str(s) => {
                out.extend_from_slice(s.as_bytes());
                None
            }
            Value::Int(x) => Some(Number::Int(x)),
            Value::Float(x) => Some(Number::Float(x)),
            other => {
                let ty = other.type_name();
                let msg = alloc::format!("invalid value ({ty}) at index {k} in table for 'concat'");
                return Err(rt_error(l, &msg));
            }
        };
        if let Some(x) = number {
            digits.clear();
            x.fmt_lua(&mut digits);
            out.extend_from_slice(digits.as_bytes());
        }
        if k < j {
            out.extend_from_slice(sep);
        }
        if k == i64::MAX {
            break;
        }
        k += 1;
    }
    push_bytes(l, &out);
    Ok(1)
}

/// `table.pack(...)`
fn pack(l: &mut Lua) -> LuaResult<usize> {
    let n = nargs(l);
    let t = l.new_table(n, 1);
    for i in 1..=n {
        let v = l.arg(i);
        t.set_int(&mut l.heap, i as i64, v);
    }
    let key = l.intern(b"n");
    t.set_str(&mut l.heap, key, Value::Int(n as i64));
    l.push(Value::Table(t));
    Ok(1)
}

/// Most values `unpack` may return.
const MAX_UNPACK: u64 = 1_000_000;

/// `table.unpack(list [, i [, j]])`
fn unpack(l: &mut Lua) -> LuaResult<usize> {
    let t = l.arg(1);
    let i = opt_int(l, 2, 1)?;
    let j = if nargs(l) >= 3 && !l.arg(3).is_nil() {
        check_int(l, 3)?
    } else {
        getn(l, t)?
    };
    if i > j {
        return Ok(0);
    }
    let n = (j as u64).wrapping_sub(i as u64);
    if n >= MAX_UNPACK {
        return Err(rt_error(l, "too many results to unpack"));
    }
    let n = n as usize + 1;
    if is_plain(t) {
        if let Value::Table(tt) = t {
            for k in 0..n {
                l.push(tt.get_int(i + k as i64));
            }
        }
    } else {
        for k in 0..n {
            let v = geti(l, t, i + k as i64)?;
            l.push(v);
        }
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// sort
// ---------------------------------------------------------------------------------------------

/// Sorting state: the elements (kept reachable by an anchor table on the stack while Lua
/// code runs) and the comparator.
struct Sorter {
    a: Vec<Value>,
    cmp: Value,
}

impl Sorter {
    /// `a[i] < a[j]` by the comparator or `<`.
    fn lt(&self, l: &mut Lua, x: Value, y: Value) -> LuaResult<bool> {
        if self.cmp.is_nil() {
            less_than(l, x, y)
        } else {
            Ok(call1(l, self.cmp, &[x, y])?.truthy())
        }
    }

    /// Sorts `a[lo..=hi]`: quicksort with median-of-three, heapsort past `depth` levels.
    fn sort(&mut self, l: &mut Lua, mut lo: usize, mut hi: usize, mut depth: u32) -> LuaResult<()> {
        while lo < hi {
            if depth == 0 {
                return self.heapsort(l, lo, hi);
            }
            depth -= 1;
            if self.lt(l, self.a[hi], self.a[lo])? {
                self.a.swap(lo, hi);
            }
            if hi - lo == 1 {
                return Ok(());
            }
            let mid = lo + (hi - lo) / 2;
            if self.lt(l, self.a[mid], self.a[lo])? {
                self.a.swap(mid, lo);
            } else if self.lt(l, self.a[hi], self.a[mid])? {
                self.a.swap(mid, hi);
            }
            if hi - lo == 2 {
                return Ok(());
            }
            let p = self.partition(l, lo, hi, mid)?;
            if p - lo < hi - p {
                self.sort(l, lo, p - 1, depth)?;
                lo = p + 1;
            } else {
                self.sort(l, p + 1, hi, depth)?;
                hi = p - 1;
            }
        }
        Ok(())
    }

    /// Partitions `a[lo..=hi]` around the pivot at `mid` (with `a[lo] <= P <= a[hi]`);
    /// returns the pivot's final index. Raises "invalid order function for sorting" when a
    /// scan runs off its bound, which only an inconsistent comparator can cause.
    fn partition(&mut self, l: &mut Lua, lo: usize, hi: usize, mid: usize) -> LuaResult<usize> {
        let pivot = self.a[mid];
        self.a.swap(mid, hi - 1);
        let mut i = lo;
        let mut j = hi - 1;
        loop {
            i += 1;
            while self.lt(l, self.a[i], pivot)? {
                if i >= hi - 1 {
                    return Err(rt_error(l, "invalid order function for sorting"));
                }
                i += 1;
            }
            j -= 1;
            while self.lt(l, pivot, self.a[j])? {
                if j < i {
                    return Err(rt_error(l, "invalid order function for sorting"));
                }
                j -= 1;
            }
            if j < i {
                break;
            }
            self.a.swap(i, j);
        }
        self.a.swap(hi - 1, i);
        Ok(i)
    }

    /// Heapsort of `a[lo..=hi]` (the fallback that bounds the worst case).
    fn heapsort(&mut self, l: &mut Lua, lo: usize, hi: usize) -> LuaResult<()> {
        let n = hi - lo + 1;
        for start in (0..n / 2).rev() {
            self.sift_down(l, lo, start, n)?;
        }
        for end in (1..n).rev() {
            self.a.swap(lo, lo + end);
            self.sift_down(l, lo, 0, end)?;
        }
        Ok(())
    }

    /// Restores the heap property below `root` in the heap `a[lo..lo+n]`.
    fn sift_down(&mut self, l: &mut Lua, lo: usize, mut root: usize, n: usize) -> LuaResult<()> {
        loop {
            let mut child = 2 * root + 1;
            if child >= n {
                return Ok(());
            }
            if child + 1 < n && self.lt(l, self.a[lo + child], self.a[lo + child + 1])? {
                child += 1;
            }
            if !self.lt(l, self.a[lo + root], self.a[lo + child])? {
                return Ok(());
            }
            self.a.swap(lo + root, lo + child);
            root = child;
        }
    }
}

/// `table.sort(list [, comp])`
fn sort(l: &mut Lua) -> LuaResult<usize> {
    let t = check_tab(l, 1, RWL)?;
    let n = getn(l, t)?;
    if n <= 1 {
        return Ok(0);
    }
    if n >= i64::from(i32::MAX) {
        return Err(arg_error(l, 1, "array too big"));
    }
    let cmp = l.arg(2);
    if !cmp.is_nil() && !cmp.is_function() {
        return Err(type_error(l, 2, "function"));
    }
    let n = n as usize;
    let mut a = Vec::with_capacity(n);
    for i in 1..=n {
        a.push(geti(l, t, i as i64)?);
    }
    // Anchor: the elements stay reachable while Lua code (a comparator or `__lt`) runs,
    // whatever it does to `t`. Plain numbers or plain strings compare without Lua code.
    let plain = cmp.is_nil()
        && (a
            .iter()
            .all(|v| matches!(v, Value::Int(_) | Value::Float(_)))
            || a.iter().all(|v| matches!(v, Value::Str(_))));
    if !plain {
        let anchor = l.new_table(n, 0);
        for (i, &v) in a.iter().enumerate() {
            anchor.set_int(&mut l.heap, i as i64 + 1, v);
        }
        l.push(Value::Table(anchor));
    }
    let depth = 2 * (usize::BITS - n.leading_zeros()) + 8;
    let mut s = Sorter { a, cmp };
    s.sort(l, 0, n - 1, depth)?;
    for (i, v) in s.a.into_iter().enumerate() {
        seti(l, t, i as i64 + 1, v)?;
    }
    Ok(0)
}
