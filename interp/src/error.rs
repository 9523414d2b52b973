//! Lua errors as Rust values.

use alloc::string::String;

use crate::value::Value;

/// An error in flight: any Lua value, plus the traceback captured where it was raised
/// (filled in only when someone asked for it, e.g. the command line's handler).
#[derive(Clone, Debug)]
pub struct LuaError {
    /// The error object (`error(v)`'s argument, or a message string).
    pub value: Value,
    /// Traceback text, when captured.
    pub traceback: Option<String>,
}

/// Result of anything that can raise a Lua error.
pub type LuaResult<T> = Result<T, LuaError>;

impl LuaError {
    /// An error carrying `value`.
    pub fn new(value: Value) -> Self {
        LuaError { value, traceback: None }
    }
}
