//! `Lua`: the global state plus the running thread's stack and frames.
//! (Skeleton by the lead: the interpreter helper owns this file from here on.)

use alloc::vec::Vec;

use crate::abi::CallInfo;
use crate::error::{LuaError, LuaResult};
use crate::func::UpVal;
use crate::gc::{Gc, Heap};
use crate::string::LuaStr;
use crate::table::Table;
use crate::thread::Thread;
use crate::value::Value;

/// A Lua universe: heap, globals, registry and the running thread.
pub struct Lua {
    /// The GC heap.
    pub heap: Heap,
    /// Running thread's value stack (see FRAME-LAYOUT in abi.rs).
    pub stack: Vec<Value>,
    /// First free slot of `stack`.
    pub top: usize,
    /// Running thread's call frames, innermost last.
    pub frames: Vec<CallInfo>,
    /// Running thread's open upvalues, sorted by stack index.
    pub open_upvals: Vec<Gc<UpVal>>,
    /// The running thread object (the main thread at first).
    pub current: Gc<Thread>,
    /// The main thread.
    pub main_thread: Gc<Thread>,
    /// The registry.
    pub registry: Gc<Table>,
    /// The global table (`_G`, the main chunk's `_ENV`).
    pub globals: Gc<Table>,
    /// Metatable of strings (and, if set through the debug library, other basic types).
    pub string_meta: Option<Gc<Table>>,
}

impl Lua {
    /// Number of arguments of the running native function (NATIVE-CALL).
    #[inline]
    pub fn arg_count(&self) -> usize {
        let base = self.frames.last().map_or(0, |ci| ci.base as usize);
        self.top.saturating_sub(base)
    }

    /// Argument `i` (1-based) of the running native function; nil when absent.
    #[inline]
    pub fn arg(&self, i: usize) -> Value {
        let base = self.frames.last().map_or(0, |ci| ci.base as usize);
        if i >= 1 && base + i - 1 < self.top {
            self.stack[base + i - 1]
        } else {
            Value::Nil
        }
    }

    /// Pushes a value on the stack (a native function's result).
    #[inline]
    pub fn push(&mut self, v: Value) {
        if self.top == self.stack.len() {
            self.stack.push(v);
        } else {
            self.stack[self.top] = v;
        }
        self.top += 1;
    }

    /// An error carrying a string message, without position.
    pub fn error_value_str(&mut self, msg: &str) -> LuaError {
        LuaError::new(Value::Str(self.intern(msg.as_bytes())))
    }

    /// Interns a byte string (placeholder until the string table lands).
    pub fn intern(&mut self, bytes: &[u8]) -> Gc<LuaStr> {
        self.heap.alloc(LuaStr { hash: 0, bytes: bytes.into() })
    }

    /// Allocates an empty table.
    pub fn new_table(&mut self, narray: usize, nhash: usize) -> Gc<Table> {
        self.heap.alloc(Table::new(narray, nhash))
    }

    /// Placeholder for the interpreter's call entry (see NATIVE-CALL).
    pub fn call(&mut self, _func_idx: usize, _nresults: i32) -> LuaResult<()> {
        Err(self.error_value_str("call: not yet implemented"))
    }
}
