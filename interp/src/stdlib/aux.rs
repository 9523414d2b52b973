//! Helpers for native functions: argument checking and error construction worded as
//! lua5.4's auxiliary library ("bad argument #1 to 'insert' (table expected, got nil)").
//!
//! Arguments are 1-based, as `Lua::arg`. Every checker returns the converted value or
//! the error to propagate with `?`.

use alloc::format;

use crate::error::{LuaError, LuaResult};
use crate::gc::Gc;
use crate::string::LuaStr;
use crate::table::Table;
use crate::value::{LuaType, Value};
use crate::vm::meta::Tm;
use crate::Lua;

impl Lua {
    /// "bad argument #n to 'fname' (msg)" with the caller's position; for a method
    /// call the self argument is not counted ("calling 'm' on bad self").
    pub fn arg_error(&mut self, n: usize, msg: &str) -> LuaError {
        let (name, method) = self.native_name();
        let mut n = n;
        if method {
            n -= 1;
            if n == 0 {
                return self.error_str(&format!("calling '{name}' on bad self ({msg})"));
            }
        }
        self.error_str(&format!("bad argument #{n} to '{name}' ({msg})"))
    }

    /// "bad argument #n to 'f' (<expected> expected, got <type>)" ("no value" when the
    /// argument is absent; `__name` of the metatable used when present).
    pub fn type_error(&mut self, n: usize, expected: &str) -> LuaError {
        let got = if n > self.arg_count() {
            alloc::string::String::from("no value")
        } else {
            let v = self.arg(n);
            match self.get_tm(v, Tm::Name) {
                Value::Str(s) => alloc::string::String::from_utf8_lossy(s.as_bytes()).into_owned(),
                _ if matches!(v, Value::LightUserData(_)) => {
                    alloc::string::String::from("light userdata")
                }
                _ => alloc::string::String::from(v.type_name()),
            }
        };
        self.arg_error(n, &format!("{expected} expected, got {got}"))
    }

    /// Any value, present (even nil): "value expected" otherwise.
    pub fn check_any(&mut self, n: usize) -> LuaResult<Value> {
        if n > self.arg_count() {
            return Err(self.arg_error(n, "value expected"));
        }
        Ok(self.arg(n))
    }

    /// An argument of basic type `t`.
    pub fn check_type(&mut self, n: usize, t: LuaType) -> LuaResult<Value> {
        let v = self.arg(n);
        if v.type_of() == t && n <= self.arg_count() {
            Ok(v)
        } else {
            Err(self.type_error(n, t.name()))
        }
    }

    /// An integer (numbers with an exact integer value and numeric strings accepted).
    #[inline]
    pub fn check_int(&mut self, n: usize) -> LuaResult<i64> {
        match self.arg(n) {
            Value::Int(i) => Ok(i),
            _ => self.check_int_slow(n),
        }
    }

    /// `check_int` of anything but an integer: conversions and errors.
    #[inline(never)]
    fn check_int_slow(&mut self, n: usize) -> LuaResult<i64> {
        let v = self.arg(n);
        match v.to_integer() {
            Some(i) => Ok(i),
            None if v.to_number().is_some() => {
                Err(self.arg_error(n, "number has no integer representation"))
            }
            None => Err(self.type_error(n, "number")),
        }
    }

    /// A number as a float (numeric strings accepted).
    pub fn check_number(&mut self, n: usize) -> LuaResult<f64> {
        match self.arg(n).to_float() {
            Some(f) => Ok(f),
            None => Err(self.type_error(n, "number")),
        }
    }

    /// A number keeping its subtype (`Value::Int` or `Value::Float`; strings converted).
    pub fn check_numeric(&mut self, n: usize) -> LuaResult<Value> {
        match self.arg(n).to_number() {
            Some(v) => Ok(v),
            None => Err(self.type_error(n, "number")),
        }
    }

    /// A string; numbers are converted (and replaced by the string in the frame).
    #[inline]
    pub fn check_str(&mut self, n: usize) -> LuaResult<Gc<LuaStr>> {
        match self.arg(n) {
            Value::Str(s) => Ok(s),
            _ => self.check_str_slow(n),
        }
    }

    /// `check_str` of anything but a string: numbers converted, errors.
    #[inline(never)]
    fn check_str_slow(&mut self, n: usize) -> LuaResult<Gc<LuaStr>> {
        match self.arg(n) {
            Value::Str(s) => Ok(s),
            v @ (Value::Int(_) | Value::Float(_)) => {
                let bytes = self.tostring_basic(v);
                let s = self.intern(&bytes);
                self.set_arg(n, Value::Str(s));
                Ok(s)
            }
            _ => Err(self.type_error(n, "string")),
        }
    }

    /// A table.
    pub fn check_table(&mut self, n: usize) -> LuaResult<Gc<Table>> {
        match self.arg(n) {
            Value::Table(t) => Ok(t),
            _ => Err(self.type_error(n, "table")),
        }
    }

    /// A function value.
    pub fn check_function(&mut self, n: usize) -> LuaResult<Value> {
        let v = self.arg(n);
        if v.is_function() {
            Ok(v)
        } else {
            Err(self.type_error(n, "function"))
        }
    }

    /// An optional integer (`def` when absent or nil).
    #[inline]
    pub fn opt_int(&mut self, n: usize, def: i64) -> LuaResult<i64> {
        match self.arg(n) {
            Value::Int(i) => Ok(i),
            Value::Nil => Ok(def),
            _ => self.check_int_slow(n),
        }
    }

    /// An optional number (`def` when absent or nil).
    pub fn opt_number(&mut self, n: usize, def: f64) -> LuaResult<f64> {
        if self.arg(n).is_nil() {
            Ok(def)
        } else {
            self.check_number(n)
        }
    }

    /// An optional string (`None` when absent or nil).
    pub fn opt_str(&mut self, n: usize) -> LuaResult<Option<Gc<LuaStr>>> {
        if self.arg(n).is_nil() {
            Ok(None)
        } else {
            self.check_str(n).map(Some)
        }
    }

    /// An optional table (`None` when absent or nil).
    pub fn opt_table(&mut self, n: usize) -> LuaResult<Option<Gc<Table>>> {
        if self.arg(n).is_nil() {
            Ok(None)
        } else {
            self.check_table(n).map(Some)
        }
    }

    /// One of `options` (or `def` when absent): its index; "invalid option 'x'".
    pub fn check_option(
        &mut self,
        n: usize,
        def: Option<&str>,
        options: &[&str],
    ) -> LuaResult<usize> {
        let name: alloc::vec::Vec<u8> = match (self.arg(n), def) {
            (Value::Nil, Some(d)) => d.as_bytes().into(),
            _ => self.check_str(n)?.as_bytes().into(),
        };
        match options.iter().position(|o| o.as_bytes() == &name[..]) {
            Some(i) => Ok(i),
            None => {
                let msg = format!(
                    "invalid option '{}'",
                    alloc::string::String::from_utf8_lossy(&name)
                );
                Err(self.arg_error(n, &msg))
            }
        }
    }

    /// `cond` or "bad argument #n to 'f' (msg)".
    pub fn arg_check(&mut self, cond: bool, n: usize, msg: &str) -> LuaResult<()> {
        if cond {
            Ok(())
        } else {
            Err(self.arg_error(n, msg))
        }
    }
}
