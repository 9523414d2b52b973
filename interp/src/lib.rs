//! Moonjet's interpreter: values, the GC heap, strings, tables, closures, coroutines, the
//! interpreter loop and the standard library.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod abi;
pub mod cvec;
pub mod error;
pub mod func;
pub mod gc;
pub mod jit_iface;
pub mod state;
pub mod stdlib;
pub mod string;
pub mod table;
pub mod thread;
pub mod userdata;
pub mod value;
pub mod vm;

pub use error::{LuaError, LuaResult};
pub use state::Lua;
pub use value::Value;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_16_bytes() {
        assert_eq!(core::mem::size_of::<Value>(), 16);
    }
}
