//! The standard library except `base`, `coroutine` and `package`: string, table, math,
//! utf8, debug, and (with the `std` feature) os and io. [`open_libs`] opens everything.

pub mod aux;
pub mod base;
pub mod coroutine;
pub mod debug;
pub mod debughook;
pub mod debugvars;
pub mod gcfunc;
#[cfg(feature = "std")]
pub mod io;
#[cfg(feature = "std")]
pub mod iofile;
pub mod lpattern;
pub mod math;
#[cfg(feature = "std")]
pub mod os;
pub mod package;
pub mod strformat;
pub mod string;
pub mod strmatch;
pub mod strpack;
pub mod table;
pub mod utf8;
pub mod utf8dec;
pub mod util;

use crate::state::Lua;
use crate::value::Value;

/// Opens the base library (and what the interpreter owns) plus string, table, math, utf8
/// and, with `std`, os and io; installs the string metatable.
pub fn open_libs(l: &mut Lua) {
    l.open_base();
    package::open_package(l, false);
    let s = l.register_lib("string", string::FUNCS);
    string::set_string_meta(l, Value::Table(s));
    l.register_lib("table", table::FUNCS);
    debug::open(l);
    let m = l.register_lib("math", math::FUNCS);
    math::add_extras(l, Value::Table(m));
    let u = l.register_lib("utf8", utf8::FUNCS);
    let key = l.intern(b"charpattern");
    let pat = l.new_str(utf8::CHARPATTERN);
    u.set_str(&mut l.heap, key, pat);
    #[cfg(feature = "std")]
    {
        l.register_lib("os", os::FUNCS);
        let io = l.register_lib("io", io::FUNCS);
        io::open(l, io);
    }
}

/// Flushes every open file and standard output; call before the process exits (C's
/// `exit` flushes stdio streams the same way).
pub fn flush_all(l: &mut Lua) {
    #[cfg(feature = "std")]
    io::flush_everything(l);
    #[cfg(not(feature = "std"))]
    l.flush_stdout();
}
