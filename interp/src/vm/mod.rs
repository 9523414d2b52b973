//! The interpreter: dispatch loop, calls and returns, metamethods, errors, debug
//! information and coroutines.

pub mod arith;
pub(crate) mod call;
pub(crate) mod coro;
pub(crate) mod debug;
pub(crate) mod exec;
mod forloop;
pub(crate) mod load;
pub mod meta;
pub(crate) mod upval;

pub use arith::ArithOp;
pub use meta::Tm;

#[cfg(test)]
mod tests;
