//! Turning compiled prototypes into closures: `Lua::load`.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;

use moonjet_bytecode::{Constant, Proto};

use crate::error::{LuaError, LuaResult};
use crate::func::{FnProto, LuaClosure, UpState, UpVal};
use crate::gc::Gc;
use crate::value::Value;
use crate::Lua;

/// Deepest nesting of function prototypes accepted (the compiler's own limit is lower).
const MAX_PROTO_DEPTH: u32 = 250;

impl Lua {
    /// Builds the runtime prototype of `p` and of its nested functions.
    pub fn new_fn_proto(&mut self, p: Rc<Proto>) -> LuaResult<Gc<FnProto>> {
        self.fn_proto_depth(p, 0)
    }

    /// `new_fn_proto` with a nesting bound.
    fn fn_proto_depth(&mut self, p: Rc<Proto>, depth: u32) -> LuaResult<Gc<FnProto>> {
        if depth > MAX_PROTO_DEPTH {
            return Err(self.error_value_str("function nesting too deep"));
        }
        let consts: Vec<Value> = p
            .constants
            .iter()
            .map(|k| match k {
                Constant::Nil => Value::Nil,
                Constant::Bool(b) => Value::Bool(*b),
                Constant::Int(i) => Value::Int(*i),
                Constant::Float(f) => Value::Float(*f),
                Constant::Str(s) => Value::Str(self.intern(s)),
            })
            .collect();
        let mut protos = Vec::with_capacity(p.protos.len());
        for child in p.protos.iter() {
            protos.push(self.fn_proto_depth(child.clone(), depth + 1)?);
        }
        Ok(self.heap.alloc(FnProto::new(
            p,
            consts.into_boxed_slice(),
            protos.into_boxed_slice(),
        )))
    }

    /// A closure of a main-chunk prototype: upvalue 0 is `env` (default: the globals),
    /// others start nil.
    pub fn closure_from_proto(&mut self, p: Rc<Proto>, env: Option<Value>) -> LuaResult<Value> {
        let fp = self.new_fn_proto(p)?;
        let n = fp.proto.upvalues.len();
        let mut ups: Vec<Gc<UpVal>> = Vec::with_capacity(n);
        for i in 0..n {
            let v = if i == 0 {
                env.unwrap_or(Value::Table(self.globals))
            } else {
                Value::Nil
            };
            ups.push(self.heap.alloc(UpVal {
                state: Cell::new(UpState::Closed(v)),
            }));
        }
        let c = self.heap.alloc(LuaClosure {
            proto: fp,
            upvals: ups.into_boxed_slice() as Box<[_]>,
        });
        Ok(Value::LuaFn(c))
    }

    /// Compiles (or, later, undumps) a chunk into a function (lua_load). `mode` is
    /// "t", "b" or "bt"; `env` replaces the globals as the chunk's `_ENV`. The error is
    /// the message string `load` returns.
    pub fn load(
        &mut self,
        chunk: &[u8],
        chunkname: &[u8],
        mode: &str,
        env: Option<Value>,
    ) -> LuaResult<Value> {
        let binary = chunk.first() == Some(&0x1b);
        if binary && !mode.contains('b') {
            return Err(self.error_value_str("attempt to load a binary chunk (mode is 't')"));
        }
        if !binary && !mode.contains('t') {
            let m = alloc::format!("attempt to load a text chunk (mode is '{mode}')");
            return Err(self.error_value_str(&m));
        }
        if binary {
            return Err(self.error_value_str("binary chunks are not supported yet"));
        }
        let Some(compile) = self.compiler else {
            return Err(self.error_value_str("no compiler installed"));
        };
        match compile(chunk, chunkname) {
            Ok(p) => self.closure_from_proto(Rc::new(p), env),
            Err(msg) => Err(LuaError::new(Value::Str(self.intern(msg.as_bytes())))),
        }
    }
}
