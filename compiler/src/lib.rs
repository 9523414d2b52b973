//! Moonjet compiler: Lua 5.4 source to bytecode.
#![no_std]
#![forbid(unsafe_code)]
extern crate alloc;
