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
use crate::static_part;
use crate::value::Value;

/// Opens the base library (and what the interpreter owns) plus string, table, math, utf8
/// and, with `std`, os and io; installs the string metatable. The library functions
/// stay in read-only memory until their table is written to or traversed (STATIC-PART
/// in `table.rs`).
pub fn open_libs(l: &mut Lua) {
    l.open_base();
    package::open_package(l, false);
    let s = l.register_static_lib("string", static_part!(string::FUNCS), 0);
    string::set_string_meta(l, Value::Table(s));
    l.register_static_lib("table", static_part!(table::FUNCS), 0);
    debug::open(l);
    let math_part = static_part!(math::FUNCS, math::CONSTS);
    let m = l.register_static_lib("math", math_part, 2);
    math::add_extras(l, Value::Table(m));
    let u = l.register_static_lib("utf8", static_part!(utf8::FUNCS), 1);
    let key = l.intern(b"charpattern");
    let pat = l.new_str(utf8::CHARPATTERN);
    u.set_str(&mut l.heap, key, pat);
    #[cfg(feature = "std")]
    {
        l.register_static_lib("os", static_part!(os::FUNCS), 0);
        let io = l.register_static_lib("io", static_part!(io::FUNCS), 3);
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
