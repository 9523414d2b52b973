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
    open_portable_libs(l);
    #[cfg(feature = "std")]
    {
        l.register_static_lib("os", static_part!(os::FUNCS), 0);
        let io = l.register_static_lib("io", static_part!(io::FUNCS), 3);
        io::open(l, io);
    }
}

/// The libraries of every build (`open_libs` without os and io).
fn open_portable_libs(l: &mut Lua) {
    l.open_base();
    package::open_package(l, false);
    let s = l.register_static_lib("string", static_part!(string::FUNCS), 0);
    string::set_string_meta(l, Value::Table(s));
    l.register_static_lib("table", static_part!(table::FUNCS), 0);
    debug::open(l);
    let math_part = static_part!(math::FUNCS, math::CONSTS);
    l.register_static_lib("math", math_part, 0);
    math::seed_random(l);
    let u = l.register_static_lib("utf8", static_part!(utf8::FUNCS), 1);
    let key = l.heap.intern_static(b"charpattern");
    let pat = Value::Str(l.heap.intern_static(utf8::CHARPATTERN));
    u.set_str(&mut l.heap, key, pat);
}

/// Flushes every open file and standard output; call before the process exits (C's
/// `exit` flushes stdio streams the same way).
pub fn flush_all(l: &mut Lua) {
    #[cfg(feature = "std")]
    io::flush_everything(l);
    #[cfg(not(feature = "std"))]
    l.flush_stdout();
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;
    use crate::vm::meta::TM_NAMES;

    /// What the portable libraries leave on the heap after boot: the embedded example's
    /// figure without its host function (README, "The embedded shape").
    #[test]
    fn boot_heap_stays_small() {
        let mut l = Lua::new();
        open_portable_libs(&mut l);
        l.full_gc();
        let bytes = l.heap.bytes_in_use();
        assert!(bytes <= 4096, "{bytes} bytes after boot");
        // Only the metamethod names the runtime itself uses are interned (TM-NAMES).
        let interned: Vec<_> = TM_NAMES
            .iter()
            .filter(|n| l.heap.find_interned(n.as_bytes()).is_some())
            .collect();
        assert_eq!(interned, [&"__index", &"__gc", &"__mode"]);
        // The library names keep their bytes in read-only memory (STR-STORAGE).
        let name = l.heap.find_interned(b"coroutine");
        assert!(name.is_some_and(|s| s.is_in_place()));
    }

    #[test]
    fn the_generator_is_shared_and_reseedable() {
        use crate::stdlib::util::testlua::check;
        check(
            "math.randomseed(42) local a = math.random(1, 100) \
             math.randomseed(42) local b = coroutine.wrap(function() \
               return math.random(1, 100) end)() \
             return a, b, math.random(0) ~= math.random(0)",
            "50,50,true",
        );
    }
}
