//! Lua errors as Rust values.
//!
//! An error in flight is a plain Lua value (what `error(v)` raised or a message string).
//! One internal kind travels the same way: a coroutine yield unwinding from the `yield`
//! native to the `resume` that runs the coroutine (see COROUTINES in `vm/coro.rs`);
//! users never see it as a value.

use alloc::boxed::Box;
use alloc::string::String;

use crate::value::Value;

/// An error in flight (anchor: ERROR-BOX): any Lua value, plus the traceback captured
/// where it was raised (filled in only when someone asked for it, e.g. the command
/// line's handler). One pointer to a box: `LuaResult<()>` is one word and
/// `LuaResult<usize>` or `LuaResult<Value>` two, returned in registers, where an
/// unboxed error (48 bytes) made every fallible function of the interpreter return
/// through memory. Errors are rare; the one frequent case, a coroutine's yield,
/// reuses one box (`Lua::yield_signal`, recycled by `resume`). The fields are
/// reached through `Deref` (`e.value`).
#[derive(Clone, Debug)]
pub struct LuaError(Box<ErrorData>);

/// What a [`LuaError`] carries.
#[derive(Clone, Debug)]
pub struct ErrorData {
    /// The error object (`error(v)`'s argument, or a message string).
    pub value: Value,
    /// Traceback text, when captured.
    pub traceback: Option<String>,
    /// What kind of unwinding this is.
    pub(crate) kind: ErrorKind,
    /// The raise-time work (message handler, traceback) has been done.
    pub(crate) handled: bool,
}

impl core::ops::Deref for LuaError {
    type Target = ErrorData;
    #[inline(always)]
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl core::ops::DerefMut for LuaError {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

/// Internal kinds of unwinding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// A Lua error.
    Error,
    /// A coroutine yield on its way to `resume` (the yielded values are on the stack).
    Yield,
}

/// Result of anything that can raise a Lua error.
pub type LuaResult<T> = Result<T, LuaError>;

impl LuaError {
    /// An error carrying `value`.
    #[inline(never)]
    pub fn new(value: Value) -> Self {
        LuaError(Box::new(ErrorData {
            value,
            traceback: None,
            kind: ErrorKind::Error,
            handled: false,
        }))
    }

    /// A new internal yield signal (see `Lua::yield_signal`, which reuses one).
    #[cold]
    pub(crate) fn yield_signal() -> Self {
        LuaError(Box::new(ErrorData {
            value: Value::Nil,
            traceback: None,
            kind: ErrorKind::Yield,
            handled: true,
        }))
    }

    /// True for the internal yield signal (natives must propagate it untouched).
    #[inline]
    pub fn is_yield(&self) -> bool {
        self.kind == ErrorKind::Yield
    }
}
