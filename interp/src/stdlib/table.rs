//! The `table` library (manual §6.6). Element access goes through `__index`/`__newindex`
//! and lengths through `__len`, as in 5.4; plain tables take raw fast paths.

use alloc::vec::Vec;

use super::util::{
    arg_error, call1, check_int, check_str, index, len_of, less_than, meta_field, nargs, opt_int,
    push_bytes, rt_error, set_index, type_error,
};
use crate::abi::CIST_META_SHIFT;
use crate::error::LuaResult;
use crate::func::{LuaClosure, NativeFn};
use crate::gc::Gc;
use crate::state::Lua;
use crate::state::MAX_CCALLS;
use crate::table::Table;
use crate::value::Value;

use moonjet_bytecode::num;
use moonjet_bytecode::OpCode;

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

/// The table `v` when it has no metatable (raw access is then exact).
fn plain_table(v: Value) -> Option<Gc<Table>> {
    match v {
        Value::Table(t) if t.metatable().is_none() => Some(t),
        _ => None,
    }
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
            // Plain table, shift inside the array part: one `memmove` (LEN-HINT).
            // Wrapping: `e` wraps when `#t` is maxinteger; `move_in_array` refuses.
            let (to, count) = (pos.wrapping_add(1), e.wrapping_sub(pos));
            if plain_table(t).is_some_and(|h| h.move_in_array(pos, to, count)) {
                i = pos;
            }
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
    // Plain table, shift inside the array part: one `memmove` (here 1 <= pos < size).
    if pos < size && plain_table(t).is_some_and(|h| h.move_in_array(pos + 1, pos, size - pos)) {
        pos = size;
    }
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
    let f = check_int(l, 2)?;
    let e = check_int(l, 3)?;
    let t = check_int(l, 4)?;
    let a1 = check_tab(
        l,
        1,
        Need {
            read: true,
            write: false,
            len: false,
        },
    )?;
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
    let mut out = Vec::with_capacity(concat_size_hint(t, i, j, sep.len()));
    let mut k = i;
    while k <= j {
        match geti(l, t, k)? {
            Value::Str(s) => out.extend_from_slice(s.as_bytes()),
            Value::Int(x) => num::push_int(x, &mut out),
            Value::Float(x) => num::push_float(x, &mut out),
            other => {
                let ty = other.type_name();
                let msg = alloc::format!("invalid value ({ty}) at index {k} in table for 'concat'");
                return Err(rt_error(l, &msg));
            }
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

/// The length of `table.concat`'s result for a plain table whose elements `i..=j` are
/// strings (numbers counted at their longest), so the buffer is allocated once; 0 (grow
/// as needed) otherwise.
fn concat_size_hint(t: Value, i: i64, j: i64, sep: usize) -> usize {
    /// Longest `tostring` of a number ("-9.2233720368548e+18").
    const NUMBER: usize = 24;
    /// Ranges longer than this are not pre-measured.
    const MEASURE: i64 = 1 << 20;
    let Value::Table(tt) = t else { return 0 };
    if tt.metatable().is_some() || j < i || j - i >= MEASURE {
        return 0;
    }
    let mut total = 0usize;
    for k in i..=j {
        total += match tt.get_int(k) {
            Value::Str(s) => s.len(),
            Value::Int(_) | Value::Float(_) => NUMBER,
            _ => return 0,
        } + sep;
    }
    total.saturating_sub(sep)
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
    // The results must fit the stack now: a stack overflow raised later, while they
    // are moved to the caller, would escape a `pcall` around this call.
    let room = l
        .stack_limit
        .saturating_sub(l.top + crate::vm::call::EXTRA_STACK);
    if n >= MAX_UNPACK || n as usize >= room {
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

/// How `sort` compares two elements.
#[derive(Clone, Copy)]
enum Order {
    /// No comparator: `<` (with `__lt`).
    Less,
    /// A Lua function comparator, called straight into a Lua frame.
    Lua(Value, Gc<LuaClosure>),
    /// A Lua comparator whose whole body is one `<` or `<=` of its parameters
    /// (`return a > b`): numbers and strings are compared here without calling it.
    Simple(Value, Gc<LuaClosure>, SimpleOrder),
    /// Any other comparator (a native function).
    Other(Value),
}

/// The comparison a [`simple_order`] comparator makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SimpleOrder {
    /// `<=` rather than `<`.
    le: bool,
    /// It compares its second parameter with its first.
    swap: bool,
    /// The instruction's `k`: the function returns whether the comparison equals it.
    k: bool,
}

/// Recognises a comparator compiled from `function(a, b) return a < b end` (or `>`,
/// `<=`, `>=`): two fixed parameters and the code `LT/LE; JMP +1; LFALSESKIP r;
/// LOADTRUE r; RETURN1 r`.
fn simple_order(cl: Gc<LuaClosure>) -> Option<SimpleOrder> {
    let fp = cl.proto;
    if fp.is_vararg || fp.num_params != 2 {
        return None;
    }
    let code = &fp.proto.code;
    let Some(&[cmp, jmp, lfalse, ltrue, ret]) = code.get(..5) else {
        return None;
    };
    let le = match cmp.opcode()? {
        OpCode::Lt => false,
        OpCode::Le => true,
        _ => return None,
    };
    let swap = match (cmp.a(), cmp.b()) {
        (0, 1) => false,
        (1, 0) => true,
        _ => return None,
    };
    let r = lfalse.a();
    let shape = jmp.opcode() == Some(OpCode::Jmp)
        && jmp.sj_field() == 1
        && lfalse.opcode() == Some(OpCode::LFalseSkip)
        && ltrue.opcode() == Some(OpCode::LoadTrue)
        && ltrue.a() == r
        && ret.opcode() == Some(OpCode::Return1)
        && ret.a() == r;
    shape.then_some(SimpleOrder {
        le,
        swap,
        k: cmp.k(),
    })
}

/// `x < y` (or `x <= y`) when both are integers, both floats or both strings: the cases
/// where no metamethod or conversion can be involved.
#[inline]
fn raw_compare(x: Value, y: Value, le: bool) -> Option<bool> {
    Some(match (x, y) {
        (Value::Int(a), Value::Int(b)) => (a < b) || (le && a == b),
        (Value::Float(a), Value::Float(b)) => (a < b) || (le && a == b),
        (Value::Str(a), Value::Str(b)) => {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            (a < b) || (le && a == b)
        }
        _ => return None,
    })
}

/// Sorting state: the elements (kept reachable by an anchor table on the stack while Lua
/// code runs) and the comparator.
struct Sorter {
    a: Vec<Value>,
    order: Order,
}

/// Calls the Lua comparator `cl` (the value `f`) with `x, y` and returns the truth of its
/// first result: `Lua::call` without resolving `__call` or collecting results, so one
/// comparison costs a frame push and a return (see METAMETHOD-FRAMES, ERRORS).
fn call_lua_order(
    l: &mut Lua,
    f: Value,
    cl: Gc<LuaClosure>,
    x: Value,
    y: Value,
) -> LuaResult<bool> {
    let meta = l.frames.last().map_or(0, |c| c.flags >> CIST_META_SHIFT);
    if l.n_ccalls + meta >= MAX_CCALLS {
        return Err(l.error_str("C stack overflow"));
    }
    let func = l.top;
    l.ensure_stack(func + 3)?;
    l.stack[func] = f;
    l.stack[func + 1] = x;
    l.stack[func + 2] = y;
    l.top = func + 3;
    l.n_ccalls += 1;
    l.nny += 1;
    let r = l.run_lua_closure(func, cl, 1);
    l.n_ccalls -= 1;
    l.nny -= 1;
    r?;
    let v = l.stack[func];
    l.top = func;
    Ok(v.truthy())
}

impl Sorter {
    /// `a[i] < a[j]` by the comparator or `<`.
    #[inline]
    fn lt(&self, l: &mut Lua, x: Value, y: Value) -> LuaResult<bool> {
        match self.order {
            Order::Less => less_than(l, x, y),
            Order::Lua(f, cl) => call_lua_order(l, f, cl, x, y),
            Order::Simple(f, cl, o) => {
                // With hooks on, the call must be seen.
                if l.hook_mask == 0 {
                    let (p, q) = if o.swap { (y, x) } else { (x, y) };
                    if let Some(c) = raw_compare(p, q, o.le) {
                        return Ok(c == o.k);
                    }
                }
                call_lua_order(l, f, cl, x, y)
            }
            Order::Other(f) => Ok(call1(l, f, &[x, y])?.truthy()),
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
    let order = match cmp {
        Value::Nil => Order::Less,
        Value::LuaFn(cl) => match simple_order(cl) {
            Some(o) => Order::Simple(cmp, cl, o),
            None => Order::Lua(cmp, cl),
        },
        _ => Order::Other(cmp),
    };
    let mut s = Sorter { a, order };
    s.sort(l, 0, n - 1, depth)?;
    for (i, v) in s.a.into_iter().enumerate() {
        seti(l, t, i as i64 + 1, v)?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use crate::stdlib::util::testlua::check;

    #[test]
    fn simple_comparators_sort_like_calls() {
        // Each comparator shape (both operand orders, `k` true and false) with integers,
        // strings, mixed numbers (called) and tables with `__lt`/`__le` (called);
        // expected output from lua5.4.
        check(
            r#"local out = {}
local mt = {__lt = function(a, b) return a.v < b.v end,
            __le = function(a, b) return a.v <= b.v end}
local cmps = {
  function(a, b) return a < b end, function(a, b) return a > b end,
  function(a, b) return b < a end, function(a, b) return not (a >= b) end,
  function(x, y) return not (y >= x) end,
}
for i, c in ipairs(cmps) do
  local n = {5, 3, 9, 1, 7}
  local s = {"b", "a", "d", "c"}
  local m = {2, 1.5, 3, 0.5}
  local t = {}
  for j, v in ipairs({4, 2, 8, 6}) do t[j] = setmetatable({v = v}, mt) end
  table.sort(n, c); table.sort(s, c); table.sort(m, c); table.sort(t, c)
  out[#out + 1] = table.concat(n, " ") .. "/" .. table.concat(s) .. "/" ..
    table.concat(m, " ") .. "/" .. t[1].v .. t[4].v
end
return table.concat(out, ";")
"#,
            "1 3 5 7 9/abcd/0.5 1.5 2 3/28;9 7 5 3 1/dcba/3 2 1.5 0.5/82;\
             9 7 5 3 1/dcba/3 2 1.5 0.5/82;1 3 5 7 9/abcd/0.5 1.5 2 3/28;\
             9 7 5 3 1/dcba/3 2 1.5 0.5/82",
        );
    }

    #[test]
    fn comparator_errors_propagate_through_the_direct_call() {
        check(
            r#"local ok, e = pcall(table.sort, {3, 2, 1}, function(a, b) error("boom") end)
            local ok2, e2 = pcall(table.sort, {1, "x"}, function(a, b) return a < b end)
            return ok, e, ok2, e2"#,
            "false,t:1: boom,false,t:2: attempt to compare string with number",
        );
    }

    #[test]
    fn comparator_calls_and_returns_take_every_shape() {
        // The lean call and return paths (`run_lua_closure`, `return_one_to_native`)
        // against the general ones: no result (nil, false), extra results, a vararg
        // comparator, a tail call, a nested sort, a hook that counts the calls, and an
        // error inside a pcall inside the comparator. Expected output from lua5.4.
        check(
            r#"local out = {}
local function rev(a, b) return a > b end
local t = {3, 1, 2}; table.sort(t, function(a, b) if a < b then return true end end)
out[#out + 1] = table.concat(t, " ")
t = {3, 1, 2}; table.sort(t, function(a, b) return a < b, 1, 2, 3 end)
out[#out + 1] = table.concat(t, " ")
t = {3, 1, 2}; table.sort(t, function(...) local a, b = ... return a > b end)
out[#out + 1] = table.concat(t, " ")
t = {3, 1, 4, 2}; table.sort(t, function(a, b) return rev(a, b) end)
out[#out + 1] = table.concat(t, " ")
t = {{3, 1}, {2, 5, 4}}
table.sort(t, function(a, b) table.sort(a); table.sort(b); return a[1] < b[1] end)
out[#out + 1] = t[1][1] .. t[1][2] .. t[2][1]
t = {5, 4, 3, 2, 1}
table.sort(t, function(a, b) local ok = pcall(error, "x"); return ok or a < b end)
out[#out + 1] = table.concat(t, " ")
local calls = 0
local cmp = function(a, b) return a < b end
debug.sethook(function() calls = calls + 1 end, "c")
table.sort({2, 1, 3}, cmp)
debug.sethook()
out[#out + 1] = tostring(calls > 1)
return table.concat(out, ";")
"#,
            "1 2 3;1 2 3;3 2 1;4 3 2 1;132;1 2 3 4 5;true",
        );
    }
}
