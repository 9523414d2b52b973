//! `Value`: the 16-byte tagged value every register, constant and table slot holds.
//!
//! Layout (pinned below and described for the JIT in `abi.rs`): `#[repr(C, u8)]`, a one
//! byte tag at offset 0 and an eight byte payload at offset 8.

use crate::func::{LuaClosure, NativeClosure, NativeFn};
use crate::gc::Gc;
use crate::string::LuaStr;
use crate::table::Table;
use crate::thread::Thread;
use crate::userdata::UserData;

/// A Lua value. Copying a `Value` copies a handle, never an object.
#[derive(Clone, Copy, Default)]
#[repr(C, u8)]
pub enum Value {
    /// `nil`
    #[default]
    Nil = 0,
    /// `false` / `true`
    Bool(bool) = 1,
    /// A 64-bit integer (the integer subtype of number).
    Int(i64) = 2,
    /// A double (the float subtype of number).
    Float(f64) = 3,
    /// An interned byte string.
    Str(Gc<LuaStr>) = 4,
    /// A table.
    Table(Gc<Table>) = 5,
    /// A Lua function (closure over a prototype).
    LuaFn(Gc<LuaClosure>) = 6,
    /// A Rust function without upvalues (no allocation).
    NativeFn(NativeFn) = 7,
    /// A Rust function with upvalues.
    NativeClosure(Gc<NativeClosure>) = 8,
    /// A full userdata.
    UserData(Gc<UserData>) = 9,
    /// A coroutine.
    Thread(Gc<Thread>) = 10,
    /// A light userdata (an opaque address).
    LightUserData(usize) = 11,
}

// The JIT and the stack layout rely on these (see abi.rs), and so does `write_words`:
// with `repr(C, u8)` every variant's payload (a `bool` too) starts at offset 8 (pinned
// by the test `word_writes_build_values`).
const _: () = assert!(core::mem::size_of::<Value>() == 16);
const _: () = assert!(core::mem::align_of::<Value>() == 8);

/// Writes the 16 bytes of a value whose tag and payload are given as two words, as one
/// store. The interpreter writes numbers this way: a value built in place would be
/// written as a tag byte plus a payload word, and a later 16-byte copy of the slot would
/// then miss the processor's store forwarding (a stall per arithmetic instruction).
#[inline(always)]
fn write_words(slot: &mut Value, lo: u64, hi: u64) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{__m128i, _mm_set_epi64x, _mm_storeu_si128};
        // SAFETY: SSE2 is part of the x86_64 baseline, so the intrinsics are available;
        // `slot` is a valid, exclusively borrowed 16-byte `Value`; every caller passes the
        // words of a valid value of the `#[repr(C, u8)]` layout pinned above (tag byte at
        // offset 0, every variant's payload at offset 8).
        unsafe {
            _mm_storeu_si128(
                slot as *mut Value as *mut __m128i,
                _mm_set_epi64x(hi as i64, lo as i64),
            )
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        *slot = match lo & 0xff {
            0 => Value::Nil,
            1 => Value::Bool(hi != 0),
            2 => Value::Int(hi as i64),
            _ => Value::Float(f64::from_bits(hi)),
        };
    }
}

/// Writes a value whose payload is the pointer `p` (a `Gc` handle) and whose tag is `tag`
/// as one 16-byte store (see `write_words`). The words go through `MaybeUninit`, which
/// keeps the pointer's provenance (a round trip through an integer would lose it).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn write_ptr(slot: &mut Value, tag: u64, p: *const u8) {
    use core::arch::x86_64::__m128i;
    use core::mem::MaybeUninit;
    /// The two words of a pointer-carrying value, fully initialised.
    #[repr(C)]
    struct Words(u64, *const u8);
    // SAFETY: `Words` and `__m128i` are both 16 bytes with no padding in `Words`;
    // `MaybeUninit` may hold any bytes, so this is a plain copy of the two words.
    let bits = unsafe { core::mem::transmute::<Words, MaybeUninit<__m128i>>(Words(tag, p)) };
    // SAFETY: `slot` is a valid, exclusively borrowed 16-byte `Value` (the write is
    // unaligned: `__m128i` wants 16-byte alignment, `Value` has 8); every caller passes
    // the tag of a variant whose payload is a `Gc` handle and that handle's pointer,
    // which is the `#[repr(C, u8)]` layout pinned above (tag byte at offset 0, payload
    // at offset 8; the tag's padding bytes may hold anything).
    unsafe { core::ptr::write_unaligned(slot as *mut Value as *mut MaybeUninit<__m128i>, bits) }
}

impl Value {
    /// Stores an integer into `slot` with one 16-byte write (see `write_words`).
    #[inline(always)]
    pub fn write_int(slot: &mut Value, i: i64) {
        write_words(slot, 2, i as u64);
    }

    /// Stores a float into `slot` with one 16-byte write.
    #[inline(always)]
    pub fn write_float(slot: &mut Value, f: f64) {
        write_words(slot, 3, f.to_bits());
    }

    /// Stores a boolean into `slot` with one 16-byte write.
    #[inline(always)]
    pub fn write_bool(slot: &mut Value, b: bool) {
        write_words(slot, 1, b as u64);
    }

    /// Stores nil into `slot` with one 16-byte write (a plain `*slot = Value::Nil` writes
    /// only the tag byte, and a later 16-byte copy of the slot would stall).
    #[inline(always)]
    pub fn write_nil(slot: &mut Value) {
        write_words(slot, 0, 0);
    }

    /// Stores a table handle into `slot` with one 16-byte write.
    #[inline(always)]
    pub fn write_table(slot: &mut Value, t: Gc<Table>) {
        #[cfg(target_arch = "x86_64")]
        write_ptr(slot, 5, t.as_ptr().cast());
        #[cfg(not(target_arch = "x86_64"))]
        {
            *slot = Value::Table(t);
        }
    }

    /// Stores a Lua function handle into `slot` with one 16-byte write.
    #[inline(always)]
    pub fn write_lua_fn(slot: &mut Value, f: Gc<LuaClosure>) {
        #[cfg(target_arch = "x86_64")]
        write_ptr(slot, 6, f.as_ptr().cast());
        #[cfg(not(target_arch = "x86_64"))]
        {
            *slot = Value::LuaFn(f);
        }
    }

    /// Stores any value into `slot` with one 16-byte write, for a value read whole from
    /// another slot and passed along (SETUPVAL's). For a handle just built, prefer
    /// `write_table`/`write_lua_fn`: a `Value` assembled from a tag and a payload in
    /// machine registers may be spilled piecewise before this write reloads it whole.
    /// The bytes go through `MaybeUninit`, which keeps the payload's pointer provenance
    /// (unlike a round trip through integers).
    #[inline(always)]
    pub fn write(slot: &mut Value, v: Value) {
        #[cfg(target_arch = "x86_64")]
        {
            use core::arch::x86_64::__m128i;
            use core::mem::MaybeUninit;
            // SAFETY: `Value` and `__m128i` are both 16 bytes, and `MaybeUninit` may hold
            // any bytes (the tag's padding included), so the transmute is a plain copy.
            let bits = unsafe { core::mem::transmute::<Value, MaybeUninit<__m128i>>(v) };
            // SAFETY: `slot` is a valid, exclusively borrowed `Value` (16 bytes; the write
            // is unaligned because `__m128i` wants 16-byte alignment and `Value` has 8),
            // and `bits` are exactly the bytes of the valid value `v`.
            unsafe {
                core::ptr::write_unaligned(slot as *mut Value as *mut MaybeUninit<__m128i>, bits)
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            *slot = v;
        }
    }
}

/// The basic types of the manual, in the order of `lua_type` numbering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuaType {
    /// nil
    Nil,
    /// boolean
    Boolean,
    /// light userdata (shown as "userdata")
    LightUserData,
    /// number
    Number,
    /// string
    String,
    /// table
    Table,
    /// function
    Function,
    /// userdata
    UserData,
    /// thread
    Thread,
}

impl LuaType {
    /// The name `type()` returns.
    pub fn name(self) -> &'static str {
        match self {
            LuaType::Nil => "nil",
            LuaType::Boolean => "boolean",
            LuaType::LightUserData | LuaType::UserData => "userdata",
            LuaType::Number => "number",
            LuaType::String => "string",
            LuaType::Table => "table",
            LuaType::Function => "function",
            LuaType::Thread => "thread",
        }
    }
}

impl Value {
    /// The basic type.
    #[inline]
    pub fn type_of(&self) -> LuaType {
        match self {
            Value::Nil => LuaType::Nil,
            Value::Bool(_) => LuaType::Boolean,
            Value::Int(_) | Value::Float(_) => LuaType::Number,
            Value::Str(_) => LuaType::String,
            Value::Table(_) => LuaType::Table,
            Value::LuaFn(_) | Value::NativeFn(_) | Value::NativeClosure(_) => LuaType::Function,
            Value::UserData(_) => LuaType::UserData,
            Value::Thread(_) => LuaType::Thread,
            Value::LightUserData(_) => LuaType::LightUserData,
        }
    }

    /// The name `type()` returns.
    #[inline]
    pub fn type_name(&self) -> &'static str {
        self.type_of().name()
    }

    /// Lua truthiness: everything but `nil` and `false` is true.
    #[inline(always)]
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    /// True for `nil`.
    #[inline(always)]
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// True for both number subtypes.
    #[inline(always)]
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Float(_))
    }

    /// True for every kind of function.
    #[inline]
    pub fn is_function(&self) -> bool {
        matches!(
            self,
            Value::LuaFn(_) | Value::NativeFn(_) | Value::NativeClosure(_)
        )
    }

    /// The number as a float, without string coercion.
    #[inline]
    pub fn as_float(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The number as an integer when it has an exact integer value, without string coercion.
    #[inline]
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            Value::Float(f) => moonjet_bytecode::num::float_to_int_exact(f),
            _ => None,
        }
    }

    /// The value as a number, converting strings as arithmetic does (`"0x10"` -> 16).
    #[inline]
    pub fn to_number(&self) -> Option<Value> {
        match *self {
            Value::Int(_) | Value::Float(_) => Some(*self),
            Value::Str(s) => match moonjet_bytecode::num::str_to_number(s.as_bytes())? {
                moonjet_bytecode::num::Number::Int(i) => Some(Value::Int(i)),
                moonjet_bytecode::num::Number::Float(f) => Some(Value::Float(f)),
            },
            _ => None,
        }
    }

    /// The value as an exact integer, converting strings (`lua_tointegerx`).
    #[inline]
    pub fn to_integer(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i),
            Value::Float(f) => moonjet_bytecode::num::float_to_int_exact(f),
            Value::Str(_) => self.to_number()?.to_integer(),
            _ => None,
        }
    }

    /// The value as a float, converting strings (`lua_tonumberx`).
    #[inline]
    pub fn to_float(&self) -> Option<f64> {
        self.to_number()?.as_float()
    }

    /// Raw equality (`rawequal`): same type and value, no metamethods; 1 == 1.0.
    #[inline]
    pub fn raw_eq(&self, other: &Value) -> bool {
        match (*self, *other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                moonjet_bytecode::num::eq_int_float(a, b)
            }
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Table(a), Value::Table(b)) => a == b,
            (Value::LuaFn(a), Value::LuaFn(b)) => a == b,
            (Value::NativeFn(a), Value::NativeFn(b)) => core::ptr::fn_addr_eq(a, b),
            (Value::NativeClosure(a), Value::NativeClosure(b)) => a == b,
            (Value::UserData(a), Value::UserData(b)) => a == b,
            (Value::Thread(a), Value::Thread(b)) => a == b,
            (Value::LightUserData(a), Value::LightUserData(b)) => a == b,
            _ => false,
        }
    }

    /// The address shown by `tostring` for reference types (`table: 0x...`), if any.
    pub fn address(&self) -> Option<usize> {
        Some(match *self {
            Value::Str(g) => g.addr(),
            Value::Table(g) => g.addr(),
            Value::LuaFn(g) => g.addr(),
            Value::NativeFn(f) => f as usize,
            Value::NativeClosure(g) => g.addr(),
            Value::UserData(g) => g.addr(),
            Value::Thread(g) => g.addr(),
            Value::LightUserData(p) => p,
            _ => return None,
        })
    }
}

impl core::fmt::Debug for Value {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Value::Nil => write!(f, "nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(
                f,
                "{:?}",
                alloc::string::String::from_utf8_lossy(s.as_bytes())
            ),
            other => write!(
                f,
                "{}: {:#x}",
                other.type_name(),
                other.address().unwrap_or(0)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_writes_build_values() {
        let mut v = Value::Nil;
        Value::write_bool(&mut v, true);
        assert!(matches!(v, Value::Bool(true)));
        Value::write_bool(&mut v, false);
        assert!(matches!(v, Value::Bool(false)));
        Value::write_int(&mut v, -5);
        assert!(matches!(v, Value::Int(-5)));
        Value::write_float(&mut v, 2.5);
        assert!(matches!(v, Value::Float(f) if f == 2.5));
        // The payload of every variant sits at offset 8.
        let b = Value::Bool(true);
        // SAFETY: reading byte 8 of a 16-byte `Value`, which holds the bool payload.
        let byte8 = unsafe { *(&b as *const Value as *const u8).add(8) };
        assert_eq!(byte8, 1);
    }

    #[test]
    fn whole_value_writes_keep_values() {
        let mut v = Value::Int(7);
        Value::write_nil(&mut v);
        assert!(v.is_nil());
        Value::write(&mut v, Value::Float(-0.5));
        assert!(matches!(v, Value::Float(f) if f == -0.5));
        Value::write(&mut v, Value::NativeFn(|_| Ok(3)));
        assert!(matches!(v, Value::NativeFn(_)));
        Value::write(&mut v, Value::LightUserData(0x1234));
        assert!(matches!(v, Value::LightUserData(0x1234)));
        Value::write(&mut v, Value::Bool(true));
        assert!(matches!(v, Value::Bool(true)));
    }
}
