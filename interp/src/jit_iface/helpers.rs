//! The runtime helpers that neither allocate nor run Lua code (the `Helpers` table in
//! `jit_iface.rs` points at them): upvalues, table reads and writes with the
//! interpreter's fast paths (a `HELPER_EXIT` when a metamethod may apply), `#`, numeric
//! for preparation, CLOSE, and the pure numeric and string comparisons. Compiled code
//! stores only the registers each one reads and reloads the one it writes.

use super::{parts, JitCtx, FORPREP_SKIP, HELPER_EXIT, HELPER_OK};
use crate::func::LuaClosure;
use crate::gc::Gc;
use crate::state::Lua;
use crate::value::Value;

/// Constant `k` of the running prototype, if it is a string.
fn const_str(cl: &LuaClosure, k: u32) -> Option<crate::gc::Gc<crate::string::LuaStr>> {
    match cl.proto.consts.get(k as usize) {
        Some(Value::Str(s)) => Some(*s),
        _ => None,
    }
}

/// Upvalue `up` of the running closure.
fn upval_value(l: &Lua, cl: &LuaClosure, up: u32) -> Option<Value> {
    cl.upvals.get(up as usize).map(|u| l.upval_get(u.get()))
}

/// The interpreter's fast read `*dst = t[key]`: `HELPER_EXIT` (nothing written) when a
/// metamethod may be involved. The value goes straight to `dst`: a temporary `Option`
/// would be written in pieces and read back whole, which stalls store forwarding.
///
/// # Safety
/// `dst` is a register of the running frame (JIT-ENTRY).
#[inline(always)]
unsafe fn index_into(t: Value, key: Value, dst: *mut Value) -> u32 {
    let Value::Table(h) = t else {
        return HELPER_EXIT;
    };
    let v = match key {
        Value::Int(n) => h.get_int(n),
        Value::Str(s) => h.get_str(s),
        _ => h.get(key),
    };
    if v.is_nil() && h.metatable().is_some() {
        return HELPER_EXIT;
    }
    // SAFETY: per the contract.
    unsafe { dst.write(v) };
    HELPER_OK
}

/// See [`Helpers::get_upval`].
pub(super) unsafe extern "C" fn h_get_upval(ctx: *mut JitCtx, up: u32, dst: *mut Value) -> u32 {
    // SAFETY: called by compiled code with its live context (JIT-ENTRY).
    let (l, cl) = unsafe { parts(ctx) };
    let Some(u) = cl.upvals.get(up as usize) else {
        return HELPER_EXIT;
    };
    let v = l.upval_get(u.get());
    // SAFETY: `dst` is a register of the frame.
    unsafe { dst.write(v) };
    HELPER_OK
}

/// See [`Helpers::set_upval`].
pub(super) unsafe extern "C" fn h_set_upval(ctx: *mut JitCtx, up: u32, val: *const Value) -> u32 {
    // SAFETY: called by compiled code with its live context (JIT-ENTRY).
    let (l, cl) = unsafe { parts(ctx) };
    let Some(u) = cl.upvals.get(up as usize) else {
        return HELPER_EXIT;
    };
    // SAFETY: `val` is a register of the frame.
    let v = unsafe { val.read() };
    l.upval_set(u.get(), v);
    HELPER_OK
}

/// See [`Helpers::get_table`].
pub(super) unsafe extern "C" fn h_get_table(
    _ctx: *mut JitCtx,
    t: *const Value,
    key: *const Value,
    dst: *mut Value,
) -> u32 {
    // SAFETY: the pointers are registers of the frame (JIT-ENTRY).
    unsafe { index_into(t.read(), key.read(), dst) }
}

/// Copies a value as 16 raw bytes: one load and one store. (A typed move of `Value`
/// is compiled to piecewise copies of its padded parts, whose overlapping partial
/// stores stall the next whole-value load.)
///
/// # Safety
/// Both pointers are valid for a `Value`.
#[inline(always)]
unsafe fn copy_value(src: *const Value, dst: *mut Value) {
    // SAFETY: per the contract; a byte copy of a valid value is a valid value.
    unsafe { core::ptr::copy_nonoverlapping(src, dst, 1) }
}

/// Copies a table slot found by a raw lookup (`None`: absent) to `dst`, unless it is
/// nil and the table has a metatable (`__index` may apply): `HELPER_EXIT` then.
///
/// # Safety
/// `slot` points into `h`'s buffers; `dst` is a register of the frame (JIT-ENTRY).
#[inline(always)]
unsafe fn copy_hit(h: &crate::table::Table, slot: Option<*const Value>, dst: *mut Value) -> u32 {
    // SAFETY: per the contract.
    let nil = slot.is_none_or(|p| unsafe { (*p).is_nil() });
    if nil && h.metatable().is_some() {
        return HELPER_EXIT;
    }
    match slot {
        // SAFETY: per the contract.
        Some(p) if !nil => unsafe { copy_value(p, dst) },
        // SAFETY: per the contract.
        _ => unsafe { dst.write(Value::Nil) },
    }
    HELPER_OK
}

/// The array slot of key `i`, if `i` is in the array part (TABLE-LAYOUT).
#[inline(always)]
fn array_slot(h: &crate::table::Table, i: i64) -> Option<*const Value> {
    let idx = (i as u64).wrapping_sub(1);
    // SAFETY: `idx < array_len()`, the size of the buffer at `array_ptr()`.
    (idx < h.array_len() as u64).then(|| unsafe { h.array_ptr().add(idx as usize) })
}

/// The value slot of string key `s` in the hash part, if present: the probe of
/// TABLE-LAYOUT (home slot `hash & (cap - 1)`, forward until the key or an empty node).
#[inline(always)]
fn string_slot(h: &crate::table::Table, s: Gc<crate::string::LuaStr>) -> Option<*const Value> {
    let cap = h.node_cap();
    if cap == 0 {
        return None;
    }
    let (nodes, mask) = (h.node_ptr(), cap - 1);
    let mut i = s.hash() as usize & mask;
    loop {
        // SAFETY: `i <= mask < node_cap()`, the size of the buffer at `node_ptr()`.
        let n = unsafe { &*nodes.add(i) };
        match n.key {
            Value::Str(k) if k == s => return Some(&n.val),
            Value::Nil => return None,
            _ => i = (i + 1) & mask,
        }
    }
}

/// `copy_hit` of a field of a table with a static part (a library table) that its
/// hash part misses: copies the static entries into the hash part first (allocates,
/// never collects), so that the library functions hot code uses are then found by the
/// pointer-compare probe (STATIC-PART in table.rs). Out of line, so that the field
/// helpers stay leaf functions.
///
/// # Safety
/// `ctx` is the live context of the running compiled code and `dst` a register of its
/// frame (JIT-ENTRY).
#[cold]
#[inline(never)]
unsafe fn copy_materialized(
    ctx: *mut JitCtx,
    h: &crate::table::Table,
    s: Gc<crate::string::LuaStr>,
    dst: *mut Value,
) -> u32 {
    // SAFETY: per the contract.
    let (l, _) = unsafe { parts(ctx) };
    h.materialize(&mut l.heap);
    // SAFETY: the slot is in `h`'s nodes; `dst` is a register.
    unsafe { copy_hit(h, string_slot(h, s), dst) }
}

/// See [`Helpers::get_int`].
pub(super) unsafe extern "C" fn h_get_int(
    _ctx: *mut JitCtx,
    t: *const Value,
    i: i64,
    dst: *mut Value,
) -> u32 {
    // SAFETY: the pointers are registers of the frame (JIT-ENTRY).
    let Value::Table(h) = (unsafe { &*t }) else {
        return HELPER_EXIT;
    };
    match array_slot(h, i) {
        // SAFETY: the slot is in `h`'s array; `dst` is a register.
        Some(p) => unsafe { copy_hit(h, Some(p), dst) },
        // SAFETY: `dst` is a register.
        None => unsafe { index_into(Value::Table(*h), Value::Int(i), dst) },
    }
}

/// See [`Helpers::get_field`]. A string's fields (`s:byte(i)`) are read from its
/// metatable's `__index` table, as the interpreter's index does.
pub(super) unsafe extern "C" fn h_get_field(
    ctx: *mut JitCtx,
    t: *const Value,
    k: u32,
    dst: *mut Value,
) -> u32 {
    // SAFETY: called by compiled code with its live context (JIT-ENTRY).
    let (l, cl) = unsafe { parts(ctx) };
    let Some(s) = const_str(cl, k) else {
        return HELPER_EXIT;
    };
    // SAFETY: `t` is a register of the frame.
    let h = match unsafe { &*t } {
        Value::Table(h) => *h,
        Value::Str(_) => match string_index(l) {
            Some(h) => h,
            None => return HELPER_EXIT,
        },
        _ => return HELPER_EXIT,
    };
    // SAFETY: `ctx` is live; `dst` is a register.
    unsafe { field_of(ctx, l, h, s, dst) }
}

/// The table strings index (`__index` of the string metatable, the `string` library
/// unless the program replaced it), when it is a table.
fn string_index(l: &Lua) -> Option<Gc<crate::table::Table>> {
    match l.mt_tm(l.string_meta?, crate::vm::meta::Tm::Index) {
        Value::Table(h) => Some(h),
        _ => None,
    }
}

/// `*dst = h[s]` for GETFIELD, SELF and GETTABUP: `read_field`, after copying a static
/// part the hash part misses (`copy_materialized`).
///
/// # Safety
/// `ctx` is the live context of running compiled code, `l` its state, `dst` a register
/// of its frame (JIT-ENTRY).
#[inline(always)]
unsafe fn field_of(
    ctx: *mut JitCtx,
    l: &Lua,
    h: Gc<crate::table::Table>,
    s: Gc<crate::string::LuaStr>,
    dst: *mut Value,
) -> u32 {
    let slot = string_slot(&h, s);
    if slot.is_none() && h.has_static_part() {
        // SAFETY: per the contract.
        return unsafe { copy_materialized(ctx, &h, s, dst) };
    }
    // SAFETY: per the contract; `slot` is `h`'s slot of `s`.
    unsafe { read_field(l, h, s, slot, dst) }
}

/// `*dst = h[s]` for a string key whose slot in `h`'s hash part (`string_slot`) is
/// `slot`: a raw hit, or a miss settled through an `__index` chain of tables (class
/// inheritance, `index_str_chain`); `HELPER_EXIT` when a metamethod must run.
///
/// # Safety
/// `dst` is a register of the running frame (JIT-ENTRY); `slot` is `string_slot(&h, s)`.
#[inline(always)]
unsafe fn read_field(
    l: &Lua,
    h: Gc<crate::table::Table>,
    s: Gc<crate::string::LuaStr>,
    slot: Option<*const Value>,
    dst: *mut Value,
) -> u32 {
    // SAFETY: the slot is in `h`'s nodes.
    let nil = slot.is_none_or(|p| unsafe { (*p).is_nil() });
    if nil && h.metatable().is_some() {
        return match l.index_str_chain(h, s) {
            Some(v) => {
                // SAFETY: per the contract.
                unsafe { dst.write(v) };
                HELPER_OK
            }
            None => HELPER_EXIT,
        };
    }
    // SAFETY: per the contract.
    unsafe { copy_hit(&h, slot, dst) }
}

/// See [`Helpers::get_tabup`].
pub(super) unsafe extern "C" fn h_get_tabup(
    ctx: *mut JitCtx,
    up: u32,
    k: u32,
    dst: *mut Value,
) -> u32 {
    // SAFETY: called by compiled code with its live context (JIT-ENTRY).
    let (l, cl) = unsafe { parts(ctx) };
    let (Some(Value::Table(h)), Some(s)) = (upval_value(l, cl, up), const_str(cl, k)) else {
        return HELPER_EXIT;
    };
    // SAFETY: `ctx` is live; `dst` is a register.
    unsafe { field_of(ctx, l, h, s, dst) }
}

/// The interpreter's fast write `t[key] = v` (a raw store: no metatable, or a string
/// key that is present or has no `__newindex` to go to; keys that cannot raise an
/// error): false, having changed nothing, otherwise.
fn fast_newindex(l: &mut Lua, t: Value, key: Value, v: Value) -> bool {
    let Value::Table(h) = t else { return false };
    let raw = match (h.metatable(), key) {
        (None, _) => true,
        (Some(_), Value::Str(s)) => l.newindex_is_raw(h, s),
        _ => false,
    };
    raw && h.set(&mut l.heap, key, v).is_ok()
}

/// See [`Helpers::set_table`].
pub(super) unsafe extern "C" fn h_set_table(
    ctx: *mut JitCtx,
    t: *const Value,
    key: *const Value,
    val: *const Value,
) -> u32 {
    // SAFETY: called by compiled code with its live context; the pointers are registers
    // or constants (JIT-ENTRY).
    let (l, _) = unsafe { parts(ctx) };
    // SAFETY: as above.
    let (t, key, v) = unsafe { (t.read(), key.read(), val.read()) };
    if fast_newindex(l, t, key, v) {
        HELPER_OK
    } else {
        HELPER_EXIT
    }
}

/// See [`Helpers::set_int`].
pub(super) unsafe extern "C" fn h_set_int(
    ctx: *mut JitCtx,
    t: *const Value,
    i: i64,
    val: *const Value,
) -> u32 {
    // SAFETY: called by compiled code with its live context; the pointers are registers
    // or constants (JIT-ENTRY).
    let (l, _) = unsafe { parts(ctx) };
    // SAFETY: as above.
    let Value::Table(h) = (unsafe { *t }) else {
        return HELPER_EXIT;
    };
    // SAFETY: as above.
    let v = unsafe { val.read() };
    // The interpreter's SETI/SETTABLE fast path: integer keys never raise an error.
    if h.metatable().is_none() {
        h.set_int(&mut l.heap, i, v);
        HELPER_OK
    } else {
        HELPER_EXIT
    }
}

/// See [`Helpers::set_field`].
pub(super) unsafe extern "C" fn h_set_field(
    ctx: *mut JitCtx,
    t: *const Value,
    k: u32,
    val: *const Value,
) -> u32 {
    // SAFETY: called by compiled code with its live context; the pointers are registers
    // or constants (JIT-ENTRY).
    let (l, cl) = unsafe { parts(ctx) };
    let Some(s) = const_str(cl, k) else {
        return HELPER_EXIT;
    };
    // SAFETY: as above.
    let (t, v) = unsafe { (t.read(), val.read()) };
    if fast_newindex(l, t, Value::Str(s), v) {
        HELPER_OK
    } else {
        HELPER_EXIT
    }
}

/// See [`Helpers::set_tabup`].
pub(super) unsafe extern "C" fn h_set_tabup(
    ctx: *mut JitCtx,
    up: u32,
    k: u32,
    val: *const Value,
) -> u32 {
    // SAFETY: called by compiled code with its live context; `val` is a register or a
    // constant (JIT-ENTRY).
    let (l, cl) = unsafe { parts(ctx) };
    let (Some(t), Some(s)) = (upval_value(l, cl, up), const_str(cl, k)) else {
        return HELPER_EXIT;
    };
    // SAFETY: as above.
    let v = unsafe { val.read() };
    if fast_newindex(l, t, Value::Str(s), v) {
        HELPER_OK
    } else {
        HELPER_EXIT
    }
}

/// See [`Helpers::len`].
pub(super) unsafe extern "C" fn h_len(
    _ctx: *mut JitCtx,
    src: *const Value,
    dst: *mut Value,
) -> u32 {
    // SAFETY: the pointers are registers of the frame (JIT-ENTRY).
    let v = unsafe { src.read() };
    let n = match v {
        Value::Str(s) => s.len() as i64,
        Value::Table(h) if h.metatable().is_none() => h.len(),
        _ => return HELPER_EXIT,
    };
    // SAFETY: as above.
    unsafe { dst.write(Value::Int(n)) };
    HELPER_OK
}

/// See [`Helpers::for_prep`]: the numeric cases of the interpreter's FORPREP, which it
/// runs itself (so the two cannot disagree); strings and a zero step exit.
pub(super) unsafe extern "C" fn h_for_prep(ctx: *mut JitCtx, ra: *mut Value) -> u32 {
    // SAFETY: called by compiled code with its live context (JIT-ENTRY).
    let (l, _) = unsafe { parts(ctx) };
    // SAFETY: `ra` is register A of the frame and A + 3 < max_stack (the translator
    // checks), so the four control registers are readable.
    let (init, limit, step) = unsafe { (ra.read(), ra.add(1).read(), ra.add(2).read()) };
    let numeric = init.is_number() && limit.is_number() && step.is_number();
    if !numeric || step.as_float() == Some(0.0) {
        return HELPER_EXIT;
    }
    // SAFETY: `ra` points into `l.stack` (JIT-ENTRY), at or above its start.
    let idx = unsafe { ra.offset_from(l.stack.as_ptr()) } as usize;
    match l.for_prep(idx) {
        Ok(true) => HELPER_OK,
        Ok(false) => FORPREP_SKIP,
        Err(_) => HELPER_EXIT,
    }
}

/// See [`Helpers::close`].
pub(super) unsafe extern "C" fn h_close(ctx: *mut JitCtx, ra: *mut Value) -> u32 {
    // SAFETY: called by compiled code with its live context (JIT-ENTRY).
    let (l, _) = unsafe { parts(ctx) };
    // SAFETY: `ra` points into `l.stack` (JIT-ENTRY), at or above its start.
    let level = unsafe { ra.offset_from(l.stack.as_ptr()) } as usize;
    if l.has_tbc(level) {
        return HELPER_EXIT;
    }
    l.close_upvals(level);
    HELPER_OK
}

/// See [`Helpers::pow`].
pub(super) extern "C" fn h_pow(a: f64, b: f64) -> f64 {
    moonjet_bytecode::num::float_pow(a, b)
}

/// See [`Helpers::fmod`].
pub(super) extern "C" fn h_fmod(a: f64, b: f64) -> f64 {
    moonjet_bytecode::num::float_mod(a, b)
}

/// See [`Helpers::str_less`].
///
/// # Safety
/// `a` and `b` are the payloads of two string values in registers of the running frame
/// (live strings).
pub(super) unsafe extern "C" fn h_str_less(a: usize, b: usize, le: u32) -> u32 {
    use crate::gc::GcHeader;
    use core::ptr::NonNull;
    let (Some(x), Some(y)) = (
        NonNull::new(a as *mut GcHeader),
        NonNull::new(b as *mut GcHeader),
    ) else {
        return 0;
    };
    // SAFETY: per the contract, both point at the headers of live strings.
    let (x, y): (Gc<crate::string::LuaStr>, Gc<crate::string::LuaStr>) =
        unsafe { (Gc::from_header(x), Gc::from_header(y)) };
    let o = x.as_bytes().cmp(y.as_bytes());
    u32::from(if le != 0 { o.is_le() } else { o.is_lt() })
}

/// See [`Helpers::cmp_mixed`].
pub(super) extern "C" fn h_cmp_mixed(op: u32, i: i64, f: f64) -> u32 {
    use moonjet_bytecode::num;
    let r = match op {
        0 => num::lt_int_float(i, f),
        1 => num::le_int_float(i, f),
        2 => num::lt_float_int(f, i),
        3 => num::le_float_int(f, i),
        _ => num::eq_int_float(i, f),
    };
    r as u32
}

/// Most tables [`h_index_field`] searches up an `__index` chain before it leaves the
/// read to `get_field`.
const INDEX_CHAIN: usize = 16;

/// See [`Helpers::index_field`]: the rest of an inline field read (INDEX-HELPER in
/// `jit/src/inline_table.rs`) after table `h`'s hash part lacked string `s`, walking
/// the `__index` chain of tables as the interpreter's index does.
///
/// # Safety
/// `h` and `s` are the payloads of a live table and a live string, `ctx` is the live
/// context of running compiled code and `dst` a register of its frame (JIT-ENTRY).
pub(super) unsafe extern "C" fn h_index_field(
    ctx: *mut JitCtx,
    h: usize,
    s: usize,
    dst: *mut Value,
) -> u32 {
    use crate::gc::GcHeader;
    use crate::table::Table;
    use core::ptr::NonNull;
    let (Some(hp), Some(sp)) = (
        NonNull::new(h as *mut GcHeader),
        NonNull::new(s as *mut GcHeader),
    ) else {
        return HELPER_EXIT;
    };
    // SAFETY: per the contract, `hp` and `sp` point at the headers of a live table and
    // a live string; `ctx` is live.
    let (mut h, s, (l, _)): (Gc<Table>, Gc<crate::string::LuaStr>, _) =
        unsafe { (Gc::from_header(hp), Gc::from_header(sp), parts(ctx)) };
    let Some(name) = l.tm_names.get(crate::vm::meta::Tm::Index) else {
        return HELPER_EXIT;
    };
    for _ in 0..INDEX_CHAIN {
        if h.has_static_part() {
            return HELPER_EXIT;
        }
        let Some(mt) = h.metatable() else {
            // SAFETY: per the contract.
            unsafe { dst.write(Value::Nil) };
            return HELPER_OK;
        };
        // Both slots are read in place (by reference: no copy of the value to test
        // its tag).
        // SAFETY: the slot is in `mt`'s nodes, which nothing changes during the call.
        let index = string_slot(&mt, name).map(|p| unsafe { &*p });
        match index {
            Some(&Value::Table(c)) => {
                // SAFETY: the slot is in `c`'s nodes.
                if let Some(v) = string_slot(&c, s).map(|p| unsafe { &*p }) {
                    if !v.is_nil() {
                        // SAFETY: per the contract.
                        unsafe { dst.write(*v) };
                        return HELPER_OK;
                    }
                }
                h = c;
            }
            None | Some(Value::Nil) if !mt.has_static_part() => {
                // SAFETY: per the contract.
                unsafe { dst.write(Value::Nil) };
                return HELPER_OK;
            }
            _ => return HELPER_EXIT,
        }
    }
    HELPER_EXIT
}
