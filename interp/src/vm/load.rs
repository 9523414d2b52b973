//! Turning prototypes into closures: `Lua::load` for source text and binary chunks, and
//! the in-place chunk loaders `Lua::load_chunk_static` / `Lua::load_chunk_shared`.
//!
//! Every binary chunk goes through `moonjet_bytecode::chunk`'s loaders, which verify it
//! completely before a prototype exists (see `bytecode/FORMAT.md`, "Verification"); in
//! debug builds the compiler's output is verified the same way.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;

use moonjet_bytecode::chunk::{self, ChunkError};
use moonjet_bytecode::{Backing, Constant, Proto};

use crate::error::{LuaError, LuaResult};
use crate::func::{FnProto, UpState, UpVal};
use crate::gc::Gc;
use crate::value::Value;
use crate::Lua;

/// Deepest nesting of function prototypes accepted (the compiler's own limit is lower).
const MAX_PROTO_DEPTH: u32 = 250;

/// The name that prefixes a binary chunk's load error, as `lua5.4` shows it: `@file` and
/// `=name` lose their first byte, a name that is itself a binary string (the default
/// chunk name of `load(s)`) reads `binary string`, anything else is shown as is.
fn binary_chunk_name(chunkname: &[u8]) -> &[u8] {
    match chunkname.first() {
        Some(b'@' | b'=') => &chunkname[1..],
        Some(0x1b) => b"binary string",
        _ => chunkname,
    }
}

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
    /// others start nil (as `load` does in `lua5.4`, whatever the function's upvalues
    /// were when it was dumped).
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
        let c = self.heap.new_lua_closure(fp, &ups);
        Ok(Value::LuaFn(c))
    }

    /// Compiles source text or loads a binary chunk (a copy: `load_owned`) into a
    /// function (lua_load). `mode` is "t", "b" or "bt"; `env` replaces the globals as the
    /// chunk's `_ENV`. The error is the message string `load` returns.
    pub fn load(
        &mut self,
        chunk: &[u8],
        chunkname: &[u8],
        mode: &str,
        env: Option<Value>,
    ) -> LuaResult<Value> {
        let binary = chunk::is_binary(chunk);
        self.check_load_mode(binary, mode)?;
        if binary {
            let p = chunk::load_owned(chunk).map_err(|e| self.bad_chunk(chunkname, &e))?;
            return self.closure_from_proto(Rc::new(p), env);
        }
        let Some(compile) = self.compiler else {
            return Err(self.error_value_str("no compiler installed"));
        };
        match compile(chunk, chunkname) {
            Ok(p) => {
                self.debug_verify(&p)?;
                self.closure_from_proto(Rc::new(p), env)
            }
            Err(msg) => Err(LuaError::new(Value::Str(self.intern(msg.as_bytes())))),
        }
    }

    /// Loads a chunk in place from memory that lives forever (flash, ROM, an aligned
    /// `include_bytes!`): instructions, line info and string bytes are not copied. The
    /// chunk must start at an 8-aligned address (else a `bad binary chunk` error says
    /// so). Its `_ENV` is the globals table.
    pub fn load_chunk_static(
        &mut self,
        chunk: &'static [u8],
        chunkname: &[u8],
    ) -> LuaResult<Value> {
        let p = chunk::load_static(chunk).map_err(|e| self.bad_chunk(chunkname, &e))?;
        self.closure_from_proto(Rc::new(p), None)
    }

    /// Loads a chunk in place from shared memory (a file mapping): the prototypes keep
    /// `backing` alive for as long as any function loaded from it is reachable. Same
    /// alignment rule as [`Lua::load_chunk_static`].
    pub fn load_chunk_shared(
        &mut self,
        backing: Rc<dyn Backing>,
        chunkname: &[u8],
    ) -> LuaResult<Value> {
        let p = chunk::load_shared(backing).map_err(|e| self.bad_chunk(chunkname, &e))?;
        self.closure_from_proto(Rc::new(p), None)
    }

    /// The message of a rejected chunk, as `load` returns it:
    /// `<name>: bad binary chunk: <reason>`.
    pub fn bad_chunk_message(chunkname: &[u8], e: &ChunkError) -> Vec<u8> {
        let mut msg = binary_chunk_name(chunkname).to_vec();
        msg.extend_from_slice(b": bad binary chunk: ");
        msg.extend_from_slice(e.message.as_bytes());
        msg
    }

    /// `lua5.4`'s mode check: a binary chunk needs `b` in `mode`, a text chunk `t`.
    fn check_load_mode(&mut self, binary: bool, mode: &str) -> LuaResult<()> {
        let (needed, what) = if binary {
            ('b', "binary")
        } else {
            ('t', "text")
        };
        if mode.contains(needed) {
            return Ok(());
        }
        let m = alloc::format!("attempt to load a {what} chunk (mode is '{mode}')");
        Err(self.error_value_str(&m))
    }

    /// The load error of a rejected chunk.
    fn bad_chunk(&mut self, chunkname: &[u8], e: &ChunkError) -> LuaError {
        let msg = Lua::bad_chunk_message(chunkname, e);
        LuaError::new(Value::Str(self.intern(&msg)))
    }

    /// Debug builds verify the compiler's output like any chunk (a failure is a compiler
    /// bug, reported as a load error rather than run).
    fn debug_verify(&mut self, p: &Proto) -> LuaResult<()> {
        if !cfg!(debug_assertions) {
            return Ok(());
        }
        match chunk::verify(p) {
            Ok(()) => Ok(()),
            Err(e) => {
                let m = alloc::format!("compiler output failed verification: {}", e.message);
                Err(self.error_value_str(&m))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state with the compiler wired in.
    fn state() -> Lua {
        let mut l = Lua::new();
        l.set_compiler(|src, name| moonjet_compiler::compile(src, name).map_err(|e| e.message));
        l
    }

    /// The message of a load error.
    fn err_text(e: LuaError) -> alloc::string::String {
        match e.value {
            Value::Str(s) => alloc::string::String::from_utf8_lossy(s.as_bytes()).into_owned(),
            _ => alloc::string::String::from("(not a string)"),
        }
    }

    /// A chunk of `src` (compiled, then dumped).
    fn chunk_of(src: &str, strip: bool) -> Vec<u8> {
        let p = moonjet_compiler::compile(src.as_bytes(), b"=src").unwrap();
        chunk::dump(&p, strip)
    }

    /// Runs `f` with no arguments; its first result.
    fn call1(l: &mut Lua, f: Value) -> Value {
        l.call_value(f, &[])
            .unwrap()
            .first()
            .copied()
            .unwrap_or(Value::Nil)
    }

    #[test]
    fn binary_chunks_load_and_run() {
        let mut l = state();
        for strip in [false, true] {
            let c = chunk_of("local a, b = 6, 7 return a * b", strip);
            let f = l.load(&c, b"=c", "b", None).unwrap();
            assert!(matches!(call1(&mut l, f), Value::Int(42)));
        }
    }

    #[test]
    fn mode_is_honoured_with_lua_messages() {
        let mut l = state();
        let c = chunk_of("return 1", true);
        let e = l.load(&c, b"=c", "t", None).unwrap_err();
        assert_eq!(err_text(e), "attempt to load a binary chunk (mode is 't')");
        let e = l.load(b"return 1", b"=c", "b", None).unwrap_err();
        assert_eq!(err_text(e), "attempt to load a text chunk (mode is 'b')");
        let e = l.load(&c, b"=c", "x", None).unwrap_err();
        assert_eq!(err_text(e), "attempt to load a binary chunk (mode is 'x')");
        assert!(l.load(&c, b"=c", "bt", None).is_ok());
    }

    #[test]
    fn bad_chunks_are_load_errors_named_like_lua() {
        let mut l = state();
        let c = chunk_of("return 1", false);
        let cut = &c[..10];
        let e = l.load(cut, cut, "bt", None).unwrap_err();
        assert_eq!(
            err_text(e),
            "binary string: bad binary chunk: truncated chunk"
        );
        let e = l.load(cut, b"@f.mjc", "bt", None).unwrap_err();
        assert_eq!(err_text(e), "f.mjc: bad binary chunk: truncated chunk");
        let e = l.load(b"\x1b", b"x", "bt", None).unwrap_err();
        assert!(err_text(e).starts_with("x: bad binary chunk: "));
    }

    #[test]
    fn first_upvalue_becomes_env() {
        let mut l = state();
        let c = chunk_of("return x", true);
        let env = l.new_table(0, 0);
        let k = l.intern(b"x");
        env.set_str(&mut l.heap, k, Value::Int(5));
        let f = l.load(&c, b"=c", "b", Some(Value::Table(env))).unwrap();
        assert!(matches!(call1(&mut l, f), Value::Int(5)));
    }

    #[test]
    fn static_chunks_run_in_place_and_misalignment_is_an_error() {
        let mut l = state();
        let c = chunk_of("return 'in place'", true);
        let bytes = leak_aligned(&c);
        let f = l.load_chunk_static(bytes, b"=rom").unwrap();
        let Value::LuaFn(cl) = f else {
            panic!("not a Lua function")
        };
        let code = cl.proto.code().as_ptr() as usize;
        let base = bytes.as_ptr() as usize;
        assert!(code > base && code < base + c.len());
        assert!(matches!(call1(&mut l, f), Value::Str(_)));
        let mut shifted = alloc::vec![0u8];
        shifted.extend_from_slice(&c);
        let odd = &leak_aligned(&shifted)[1..];
        let e = l.load_chunk_static(odd, b"=rom").unwrap_err();
        assert!(err_text(e).starts_with("rom: bad binary chunk: chunk at address"));
    }

    /// A leaked copy of `bytes` at an 8-aligned address.
    fn leak_aligned(bytes: &[u8]) -> &'static [u8] {
        let buf: &'static mut [u8] = Vec::leak(alloc::vec![0u8; bytes.len() + 8]);
        let off = buf.as_ptr().align_offset(8);
        let out = &mut buf[off..off + bytes.len()];
        out.copy_from_slice(bytes);
        out
    }
}
