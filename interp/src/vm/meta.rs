//! Metamethods: event names, metatable lookup, and the slow paths of indexing,
//! arithmetic, comparison, length and concatenation.
//!
//! Each slow path returns a [`Meta`]: either the finished value, or the metamethod to
//! call and its arguments. The dispatch loop turns a call into a new frame (no Rust
//! recursion, see METAMETHOD-FRAMES in `vm/call.rs`); the public API (`Lua::index`,
//! `Lua::arith`, ...) calls it through `Lua::call`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use moonjet_bytecode::num;

use super::arith::{arith_num, num_le, num_lt, ArithOp};
use crate::error::{LuaError, LuaResult};
use crate::gc::Gc;
use crate::string::LuaStr;
use crate::table::{KeyError, Table};
use crate::value::Value;
use crate::Lua;

/// Metamethod events, in the order of [`TM_NAMES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Tm {
    /// `__index`
    Index,
    /// `__newindex`
    NewIndex,
    /// `__gc`
    Gc,
    /// `__mode`
    Mode,
    /// `__len`
    Len,
    /// `__eq`
    Eq,
    /// `__add`
    Add,
    /// `__sub`
    Sub,
    /// `__mul`
    Mul,
    /// `__mod`
    Mod,
    /// `__pow`
    Pow,
    /// `__div`
    Div,
    /// `__idiv`
    IDiv,
    /// `__band`
    BAnd,
    /// `__bor`
    BOr,
    /// `__bxor`
    BXor,
    /// `__shl`
    Shl,
    /// `__shr`
    Shr,
    /// `__unm`
    Unm,
    /// `__bnot`
    BNot,
    /// `__lt`
    Lt,
    /// `__le`
    Le,
    /// `__concat`
    Concat,
    /// `__call`
    Call,
    /// `__close`
    Close,
    /// `__tostring`
    ToString,
    /// `__name`
    Name,
    /// `__pairs`
    Pairs,
    /// `__metatable`
    Metatable,
}

/// Number of metamethod events.
pub const TM_COUNT: usize = 29;

/// The event names, indexed by `Tm as usize`.
pub const TM_NAMES: [&str; TM_COUNT] = [
    "__index",
    "__newindex",
    "__gc",
    "__mode",
    "__len",
    "__eq",
    "__add",
    "__sub",
    "__mul",
    "__mod",
    "__pow",
    "__div",
    "__idiv",
    "__band",
    "__bor",
    "__bxor",
    "__shl",
    "__shr",
    "__unm",
    "__bnot",
    "__lt",
    "__le",
    "__concat",
    "__call",
    "__close",
    "__tostring",
    "__name",
    "__pairs",
    "__metatable",
];

/// The interned metamethod names, each found the first time it is needed (anchor:
/// TM-NAMES). Boot interns none of them: a name no string has yet cannot be a key of
/// any table (keys are interned strings), only of a static part, which is searched by
/// bytes. Once found, a name is cached here for good: the collector marks the cached
/// names as roots, so a cached handle never dangles. Transparent: compiled code reads
/// the `__index` entry at a computed offset (`jit_iface::state_offsets`).
#[repr(transparent)]
pub(crate) struct TmNames([Cell<Option<Gc<LuaStr>>>; TM_COUNT]);

impl Default for TmNames {
    fn default() -> Self {
        TmNames([const { Cell::new(None) }; TM_COUNT])
    }
}

impl TmNames {
    /// The cached name of `tm`, if found already.
    #[inline(always)]
    pub(crate) fn get(&self, tm: Tm) -> Option<Gc<LuaStr>> {
        self.0[tm as usize].get()
    }

    /// Caches the interned name of `tm`.
    #[inline]
    pub(crate) fn set(&self, tm: Tm, s: Gc<LuaStr>) {
        self.0[tm as usize].set(Some(s));
    }

    /// Marks the cached names (they are roots).
    pub(crate) fn mark(&self, m: &mut crate::gc::Marker) {
        for s in self.0.iter().filter_map(Cell::get) {
            m.mark(s);
        }
    }
}

impl ArithOp {
    /// The metamethod event of this operator.
    #[inline]
    pub fn tm(self) -> Tm {
        match self {
            ArithOp::Add => Tm::Add,
            ArithOp::Sub => Tm::Sub,
            ArithOp::Mul => Tm::Mul,
            ArithOp::Mod => Tm::Mod,
            ArithOp::Pow => Tm::Pow,
            ArithOp::Div => Tm::Div,
            ArithOp::IDiv => Tm::IDiv,
            ArithOp::BAnd => Tm::BAnd,
            ArithOp::BOr => Tm::BOr,
            ArithOp::BXor => Tm::BXor,
            ArithOp::Shl => Tm::Shl,
            ArithOp::Shr => Tm::Shr,
            ArithOp::Unm => Tm::Unm,
            ArithOp::BNot => Tm::BNot,
        }
    }
}

/// Longest `__index` / `__newindex` chain followed before giving up.
const MAX_TAG_LOOP: usize = 2000;

/// Where an operand came from, for "(local 'x')"-style error details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blame {
    /// Not a register or upvalue of the running Lua function.
    None,
    /// Absolute stack index of a register of the running Lua function.
    Stack(usize),
    /// Upvalue index of the running Lua function.
    Upval(usize),
}

/// Outcome of a slow path: a value, or a metamethod call to make.
pub(crate) enum Meta {
    /// The operation finished with this value.
    Done(Value),
    /// Call `f` with the first `n` of `args`; its first result is the operation's value.
    Call { f: Value, args: [Value; 3], n: u8 },
}

impl Meta {
    /// A two-argument metamethod call.
    #[inline]
    fn call2(f: Value, a: Value, b: Value) -> Meta {
        Meta::Call {
            f,
            args: [a, b, Value::Nil],
            n: 2,
        }
    }
}

/// `mt[name of tm]` for a name no string has: only a static part can hold it
/// (TM-NAMES).
fn static_tm(mt: Gc<Table>, tm: Tm) -> Value {
    let name = TM_NAMES[tm as usize].as_bytes();
    let entries = mt.static_entries();
    match entries.binary_search_by(|(k, _)| k.as_bytes().cmp(name)) {
        Ok(i) => entries.get(i).map_or(Value::Nil, |e| e.1),
        Err(_) => Value::Nil,
    }
}

/// True for values `..` converts without metamethods.
#[inline]
pub(crate) fn is_strnum(v: Value) -> bool {
    matches!(v, Value::Str(_) | Value::Int(_) | Value::Float(_))
}

/// Appends the bytes `..` and `tostring` produce for a string or number.
pub(crate) fn append_strnum<S: num::Sink + ?Sized>(v: Value, out: &mut S) {
    match v {
        Value::Str(s) => out.put_slice(s.as_bytes()),
        // Straight into `out`: no temporary string, no UTF-8 check of the digits.
        Value::Int(i) => num::push_int(i, out),
        Value::Float(f) => num::push_float(f, out),
        _ => {}
    }
}

impl Lua {
    /// The interned name of a metamethod event, if any string has those bytes yet
    /// (TM-NAMES).
    #[inline]
    pub fn tm_name(&self, tm: Tm) -> Option<Gc<LuaStr>> {
        match self.tm_names.get(tm) {
            Some(s) => Some(s),
            None => self.find_tm_name(tm),
        }
    }

    /// Looks the name of `tm` up in the string table and caches it if found.
    #[cold]
    #[inline(never)]
    fn find_tm_name(&self, tm: Tm) -> Option<Gc<LuaStr>> {
        let s = self.heap.find_interned(TM_NAMES[tm as usize].as_bytes())?;
        self.tm_names.set(tm, s);
        Some(s)
    }

    /// Interns the name of `tm` (and caches it; TM-NAMES).
    pub fn intern_tm_name(&mut self, tm: Tm) -> Gc<LuaStr> {
        if let Some(s) = self.tm_name(tm) {
            return s;
        }
        let s = self.heap.intern_static(TM_NAMES[tm as usize].as_bytes());
        self.tm_names.set(tm, s);
        s
    }

    /// Raw `mt[name of tm]`, without the absence cache.
    #[inline]
    pub fn raw_tm(&self, mt: Gc<Table>, tm: Tm) -> Value {
        match self.tm_name(tm) {
            Some(name) => mt.get_str(name),
            None => static_tm(mt, tm),
        }
    }

    /// The metamethod `tm` of metatable `mt`, or nil, through its absence cache.
    #[inline]
    pub fn mt_tm(&self, mt: Gc<Table>, tm: Tm) -> Value {
        match self.tm_names.get(tm) {
            Some(name) => mt.get_tm(tm as u8, name),
            None if mt.has_no_tm(tm as u8) => Value::Nil,
            None => self.mt_tm_slow(mt, tm),
        }
    }

    /// `mt_tm` while the name of `tm` is not cached.
    #[cold]
    #[inline(never)]
    fn mt_tm_slow(&self, mt: Gc<Table>, tm: Tm) -> Value {
        if let Some(name) = self.find_tm_name(tm) {
            return mt.get_tm(tm as u8, name);
        }
        let v = static_tm(mt, tm);
        if v.is_nil() {
            mt.note_no_tm(tm as u8);
        }
        v
    }

    /// The metatable of any value.
    #[inline]
    pub fn metatable(&self, v: Value) -> Option<Gc<Table>> {
        match v {
            Value::Table(t) => t.metatable(),
            Value::UserData(u) => u.metatable.get(),
            Value::Str(_) => self.string_meta,
            _ => self.type_metas[v.type_of() as usize],
        }
    }

    /// The metamethod `tm` of `v`, or nil.
    #[inline]
    pub fn get_tm(&self, v: Value, tm: Tm) -> Value {
        match self.metatable(v) {
            Some(mt) => self.mt_tm(mt, tm),
            None => Value::Nil,
        }
    }

    /// The type name used in messages: `__name` of the metatable when it is a string.
    pub fn obj_type_name(&self, v: Value) -> String {
        if matches!(v, Value::Table(_) | Value::UserData(_)) {
            if let Value::Str(s) = self.get_tm(v, Tm::Name) {
                return String::from_utf8_lossy(s.as_bytes()).into_owned();
            }
        }
        String::from(v.type_name())
    }

    /// "attempt to <op> a <type> value<varinfo>" with position.
    #[cold]
    #[inline(never)]
    pub(crate) fn op_type_error(&mut self, v: Value, op: &str, blame: Blame) -> LuaError {
        let info = self.varinfo(blame);
        let t = self.obj_type_name(v);
        self.rt_error(&format!("attempt to {op} a {t} value{info}"))
    }

    // ------------------------------------------------------------------ indexing

    /// `obj[key]` beyond the raw table hit: follows `__index`.
    #[cold]
    #[inline(never)]
    pub(crate) fn index_meta(&mut self, obj: Value, key: Value, blame: Blame) -> LuaResult<Meta> {
        let mut t = obj;
        for step in 0..MAX_TAG_LOOP {
            let tm = if let Value::Table(h) = t {
                let v = h.get(key);
                if !v.is_nil() {
                    return Ok(Meta::Done(v));
                }
                match h.metatable() {
                    None => return Ok(Meta::Done(Value::Nil)),
                    Some(mt) => self.mt_tm(mt, Tm::Index),
                }
            } else {
                self.get_tm(t, Tm::Index)
            };
            if tm.is_nil() {
                if matches!(t, Value::Table(_)) {
                    return Ok(Meta::Done(Value::Nil));
                }
                let b = if step == 0 { blame } else { Blame::None };
                return Err(self.op_type_error(t, "index", b));
            }
            if tm.is_function() {
                return Ok(Meta::call2(tm, t, key));
            }
            t = tm;
        }
        Err(self.rt_error("'__index' chain too long; possible loop"))
    }

    /// `h[s]` for a string key missing from `h` itself, through an `__index` chain made
    /// of tables only (the usual class inheritance): `Some(v)` when settled without a
    /// call, `None` when the chain needs `index_meta` (a function or non-table handler,
    /// or a chain longer than a few links, which `index_meta` bounds and reports).
    #[inline(never)]
    pub(crate) fn index_str_chain(&self, mut h: Gc<Table>, s: Gc<LuaStr>) -> Option<Value> {
        // The name is interned as soon as the string metatable exists; before that,
        // `index_meta` handles every case.
        let name = self.tm_names.get(Tm::Index)?;
        for _ in 0..16 {
            let Some(mt) = h.metatable() else {
                return Some(Value::Nil);
            };
            match mt.get_tm(Tm::Index as u8, name) {
                Value::Nil => return Some(Value::Nil),
                Value::Table(t) => {
                    let v = t.get_str(s);
                    if !v.is_nil() {
                        return Some(v);
                    }
                    h = t;
                }
                _ => return None,
            }
        }
        None
    }

    /// True when `h[s] = v` is a raw store although `h` has a metatable: the key is
    /// present, or the metatable has no `__newindex`.
    #[inline]
    pub(crate) fn newindex_is_raw(&self, h: Gc<Table>, s: Gc<LuaStr>) -> bool {
        match h.metatable() {
            None => true,
            Some(mt) => self.mt_tm(mt, Tm::NewIndex).is_nil() || !h.get_str(s).is_nil(),
        }
    }

    /// `obj[key] = val` beyond a plain raw store: follows `__newindex`.
    #[cold]
    #[inline(never)]
    pub(crate) fn newindex_meta(
        &mut self,
        obj: Value,
        key: Value,
        val: Value,
        blame: Blame,
    ) -> LuaResult<Meta> {
        let mut t = obj;
        for step in 0..MAX_TAG_LOOP {
            let tm = if let Value::Table(h) = t {
                let tm = match h.metatable() {
                    Some(mt) if h.get(key).is_nil() => self.mt_tm(mt, Tm::NewIndex),
                    _ => Value::Nil,
                };
                if tm.is_nil() {
                    self.raw_set(h, key, val)?;
                    return Ok(Meta::Done(Value::Nil));
                }
                tm
            } else {
                let tm = self.get_tm(t, Tm::NewIndex);
                if tm.is_nil() {
                    let b = if step == 0 { blame } else { Blame::None };
                    return Err(self.op_type_error(t, "index", b));
                }
                tm
            };
            if tm.is_function() {
                return Ok(Meta::Call {
                    f: tm,
                    args: [t, key, val],
                    n: 3,
                });
            }
            t = tm;
        }
        Err(self.rt_error("'__newindex' chain too long; possible loop"))
    }

    /// Raw store with Lua's errors for nil and NaN keys.
    #[inline(never)]
    pub(crate) fn raw_set(&mut self, t: Gc<Table>, key: Value, val: Value) -> LuaResult<()> {
        match t.set(&mut self.heap, key, val) {
            Ok(()) => Ok(()),
            Err(KeyError::Nil) => Err(self.rt_error("table index is nil")),
            Err(KeyError::NaN) => Err(self.rt_error("table index is NaN")),
        }
    }

    // ---------------------------------------------------------------- arithmetic

    /// `a op b` beyond the numeric fast path: string coercion (as the string library's
    /// metamethods do it), then `__add` and friends. `blame` locates `a` and `b`.
    #[cold]
    #[inline(never)]
    pub(crate) fn arith_meta(
        &mut self,
        op: ArithOp,
        a: Value,
        b: Value,
        blame: (Blame, Blame),
    ) -> LuaResult<Meta> {
        if let Some(v) = arith_num(op, a, b) {
            return Ok(Meta::Done(v));
        }
        if a.is_number() && b.is_number() {
            return Err(self.arith_num_error(op, a, b, blame));
        }
        let strs = !op.is_bitwise() && self.string_meta.is_some();
        if strs && matches!(a, Value::Str(_)) {
            return self.string_arith(op, a, b, true);
        }
        let tm = self.get_tm(a, op.tm());
        let tm = if tm.is_nil() {
            self.get_tm(b, op.tm())
        } else {
            tm
        };
        if !tm.is_nil() {
            return Ok(Meta::call2(tm, a, b));
        }
        if strs && matches!(b, Value::Str(_)) {
            return self.string_arith(op, a, b, false);
        }
        let (bad, who) = if a.is_number() {
            (b, blame.1)
        } else {
            (a, blame.0)
        };
        let what = if op.is_bitwise() {
            "perform bitwise operation on"
        } else {
            "perform arithmetic on"
        };
        Err(self.op_type_error(bad, what, who))
    }

    /// The error of a numeric operation that failed on numbers: an integer division
    /// by zero, or a bitwise operand without an integer value (named as lua5.4 does).
    fn arith_num_error(
        &mut self,
        op: ArithOp,
        a: Value,
        b: Value,
        blame: (Blame, Blame),
    ) -> LuaError {
        match op {
            ArithOp::Mod if matches!(b, Value::Int(0)) => self.rt_error("attempt to perform 'n%0'"),
            ArithOp::IDiv if matches!(b, Value::Int(0)) => {
                self.rt_error("attempt to divide by zero")
            }
            _ => {
                let who = if a.as_int().is_none() {
                    blame.0
                } else {
                    blame.1
                };
                let info = self.varinfo(who);
                self.rt_error(&format!("number{info} has no integer representation"))
            }
        }
    }

    /// What the string metatable's arithmetic handlers do (string operand `a` if
    /// `first`, else `b`).
    fn string_arith(&mut self, op: ArithOp, a: Value, b: Value, first: bool) -> LuaResult<Meta> {
        if let (Some(x), Some(y)) = (a.to_number(), b.to_number()) {
            if let Some(v) = arith_num(op, x, y) {
                return Ok(Meta::Done(v));
            }
            // lua5.4 coerces strings in the string library's metamethods, native
            // functions: their division-by-zero errors carry no position.
            let e = self.arith_num_error(op, x, y, (Blame::None, Blame::None));
            return Err(match op {
                ArithOp::Mod => self.error_value_str("attempt to perform 'n%0'"),
                ArithOp::IDiv => self.error_value_str("attempt to divide by zero"),
                _ => e,
            });
        }
        if first && !matches!(b, Value::Str(_)) {
            let tm = self.get_tm(b, op.tm());
            if !tm.is_nil() {
                return Ok(Meta::call2(tm, a, b));
            }
        }
        let msg = format!(
            "attempt to {} a '{}' with a '{}'",
            op.event(),
            self.obj_type_name(a),
            self.obj_type_name(b)
        );
        Err(self.rt_error(&msg))
    }

    // --------------------------------------------------------------- comparisons

    /// `a < b` (`le`: `a <= b`) beyond numbers: strings, then `__lt` / `__le`.
    #[cold]
    #[inline(never)]
    pub(crate) fn compare_meta(&mut self, a: Value, b: Value, le: bool) -> LuaResult<Meta> {
        let r = if le { num_le(a, b) } else { num_lt(a, b) };
        if let Some(r) = r {
            return Ok(Meta::Done(Value::Bool(r)));
        }
        if let (Value::Str(x), Value::Str(y)) = (a, b) {
            let o = x.as_bytes().cmp(y.as_bytes());
            return Ok(Meta::Done(Value::Bool(if le {
                o.is_le()
            } else {
                o.is_lt()
            })));
        }
        let ev = if le { Tm::Le } else { Tm::Lt };
        let tm = self.get_tm(a, ev);
        let tm = if tm.is_nil() { self.get_tm(b, ev) } else { tm };
        if !tm.is_nil() {
            return Ok(Meta::call2(tm, a, b));
        }
        let (ta, tb) = (self.obj_type_name(a), self.obj_type_name(b));
        let msg = if ta == tb {
            format!("attempt to compare two {ta} values")
        } else {
            format!("attempt to compare {ta} with {tb}")
        };
        Err(self.rt_error(&msg))
    }

    /// `a == b` beyond raw equality: `__eq` for two tables or two userdata.
    #[cold]
    #[inline(never)]
    pub(crate) fn eq_meta(&mut self, a: Value, b: Value) -> Meta {
        if a.raw_eq(&b) {
            return Meta::Done(Value::Bool(true));
        }
        let same_kind = matches!(
            (a, b),
            (Value::Table(_), Value::Table(_)) | (Value::UserData(_), Value::UserData(_))
        );
        if !same_kind {
            return Meta::Done(Value::Bool(false));
        }
        let tm = self.get_tm(a, Tm::Eq);
        let tm = if tm.is_nil() {
            self.get_tm(b, Tm::Eq)
        } else {
            tm
        };
        if tm.is_nil() {
            Meta::Done(Value::Bool(false))
        } else {
            Meta::call2(tm, a, b)
        }
    }

    /// `#v` beyond strings and plain tables.
    #[cold]
    #[inline(never)]
    pub(crate) fn len_meta(&mut self, v: Value, blame: Blame) -> LuaResult<Meta> {
        let tm = self.get_tm(v, Tm::Len);
        if !tm.is_nil() {
            return Ok(Meta::call2(tm, v, v));
        }
        match v {
            Value::Str(s) => Ok(Meta::Done(Value::Int(s.len() as i64))),
            Value::Table(t) => Ok(Meta::Done(Value::Int(t.len()))),
            _ => Err(self.op_type_error(v, "get length of", blame)),
        }
    }

    /// The `__concat` call for `a .. b`, or the error naming the bad operand.
    #[inline(never)]
    pub(crate) fn concat_meta(
        &mut self,
        a: Value,
        b: Value,
        blame: (Blame, Blame),
    ) -> LuaResult<Meta> {
        let tm = self.get_tm(a, Tm::Concat);
        let tm = if tm.is_nil() {
            self.get_tm(b, Tm::Concat)
        } else {
            tm
        };
        if !tm.is_nil() {
            return Ok(Meta::call2(tm, a, b));
        }
        let (bad, who) = if is_strnum(a) {
            (b, blame.1)
        } else {
            (a, blame.0)
        };
        Err(self.op_type_error(bad, "concatenate", who))
    }

    // ------------------------------------------------------------- public API

    /// Runs a metamethod call from Rust (recursing through `Lua::call`).
    fn finish_meta(&mut self, m: Meta) -> LuaResult<Value> {
        match m {
            Meta::Done(v) => Ok(v),
            Meta::Call { f, args, n } => self.call_value_1(f, &args[..n as usize]),
        }
    }

    /// `obj[key]` with metamethods.
    pub fn index(&mut self, obj: Value, key: Value) -> LuaResult<Value> {
        if let Value::Table(t) = obj {
            let v = t.get(key);
            if !v.is_nil() || t.metatable().is_none() {
                return Ok(v);
            }
        }
        let m = self.index_meta(obj, key, Blame::None)?;
        self.finish_meta(m)
    }

    /// `obj[key] = val` with metamethods.
    pub fn set_index(&mut self, obj: Value, key: Value, val: Value) -> LuaResult<()> {
        let m = self.newindex_meta(obj, key, val, Blame::None)?;
        self.finish_meta(m).map(|_| ())
    }

    /// `a op b` (unary operators ignore `b`) with coercions and metamethods.
    pub fn arith(&mut self, op: ArithOp, a: Value, b: Value) -> LuaResult<Value> {
        let b = if matches!(op, ArithOp::Unm | ArithOp::BNot) {
            a
        } else {
            b
        };
        let m = self.arith_meta(op, a, b, (Blame::None, Blame::None))?;
        self.finish_meta(m)
    }

    /// `a == b` with `__eq`.
    pub fn equals(&mut self, a: Value, b: Value) -> LuaResult<bool> {
        let m = self.eq_meta(a, b);
        Ok(self.finish_meta(m)?.truthy())
    }

    /// `a < b` with `__lt`.
    pub fn less_than(&mut self, a: Value, b: Value) -> LuaResult<bool> {
        let m = self.compare_meta(a, b, false)?;
        Ok(self.finish_meta(m)?.truthy())
    }

    /// `a <= b` with `__le`.
    pub fn less_equal(&mut self, a: Value, b: Value) -> LuaResult<bool> {
        let m = self.compare_meta(a, b, true)?;
        Ok(self.finish_meta(m)?.truthy())
    }

    /// `#v` with `__len`.
    pub fn len(&mut self, v: Value) -> LuaResult<Value> {
        let m = self.len_meta(v, Blame::None)?;
        self.finish_meta(m)
    }

    /// `a .. b` with `__concat`.
    pub fn concat2(&mut self, a: Value, b: Value) -> LuaResult<Value> {
        if is_strnum(a) && is_strnum(b) {
            let mut out = Vec::new();
            append_strnum(a, &mut out);
            append_strnum(b, &mut out);
            return Ok(Value::Str(self.intern(&out)));
        }
        let m = self.concat_meta(a, b, (Blame::None, Blame::None))?;
        self.finish_meta(m)
    }

    /// `tostring(v)` (luaL_tolstring): `__tostring`, `__name`, or the default form.
    pub fn tostring(&mut self, v: Value) -> LuaResult<Gc<LuaStr>> {
        let tm = self.get_tm(v, Tm::ToString);
        if !tm.is_nil() {
            return match self.call_value_1(tm, &[v])? {
                Value::Str(s) => Ok(s),
                n @ (Value::Int(_) | Value::Float(_)) => {
                    let b = self.tostring_basic(n);
                    Ok(self.intern(&b))
                }
                _ => Err(self.error_str("'__tostring' must return a string")),
            };
        }
        if let Value::Str(s) = v {
            return Ok(s);
        }
        let bytes = self.tostring_basic(v);
        Ok(self.intern(&bytes))
    }

    /// The default `tostring` text of a value (no `__tostring`; `__name` honoured).
    pub fn tostring_basic(&self, v: Value) -> Vec<u8> {
        let mut out = Vec::new();
        match v {
            Value::Nil => out.extend_from_slice(b"nil"),
            Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::Int(_) | Value::Float(_) | Value::Str(_) => append_strnum(v, &mut out),
            _ => {
                let name = self.obj_type_name(v);
                let addr = v.address().unwrap_or(0);
                out.extend_from_slice(format!("{name}: {addr:#x}").as_bytes());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::stdlib::util::testlua::check;

    #[test]
    fn names_made_at_run_time_are_found() {
        // No chunk constant spells a metamethod name: each is built by concatenation
        // after boot, so the lookups start with the name not interned (TM-NAMES).
        check(
            "local u = '__' local mt = {} local t = setmetatable({}, mt) \
             local before = rawequal(t, t) and (t == setmetatable({}, mt)) \
             mt[u .. 'eq'] = function() return true end \
             mt[u .. 'index'] = function(_, k) return k .. '!' end \
             mt[u .. 'add'] = function() return 42 end \
             mt[u .. 'tostring'] = function() return 'T' end \
             collectgarbage() collectgarbage() \
             return before, t == setmetatable({}, mt), t.x, t + 1, tostring(t)",
            "false,true,x!,42,T",
        );
    }

    #[test]
    fn absent_names_read_as_nil_and_static_parts_answer() {
        // String arithmetic goes through the string metatable's static part, whose
        // "__add" need not be interned; `#` of a table with an empty metatable is raw.
        check(
            "local t = setmetatable({1, 2}, {}) \
             return '10' + 1, -'2', #t, getmetatable('').__index == string",
            "11,-2,2,true",
        );
    }

    #[test]
    fn a_protected_metatable_is_found_by_a_late_name() {
        check(
            "local mt = {} mt['__meta' .. 'table'] = 'locked' \
             local t = setmetatable({}, mt) \
             return getmetatable(t), pcall(setmetatable, t, {})",
            "locked,false,cannot change a protected metatable",
        );
    }
}
