//! Turning prototypes into closures: `Lua::load` for source text and binary chunks, and
//! the in-place chunk loaders `Lua::load_chunk_static` / `Lua::load_chunk_shared`.
//!
//! Every binary chunk goes through `moonjet_bytecode::chunk`'s loaders, which verify it
//! completely before a prototype exists (see `bytecode/FORMAT.md`, "Verification"); in
//! debug builds the compiler's output is verified the same way. Runtime prototypes are
//! made lazily (LAZY-PROTO in `func.rs`): the main function's at load, every other one's
//! at the first `CLOSURE` of it (`Lua::nested_closure`).

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;

use moonjet_bytecode::chunk::{self, ChunkError, ChunkFn};
use moonjet_bytecode::{Backing, Constant, Proto};

use crate::error::{LuaError, LuaResult};
use crate::func::{FnProto, LuaClosure, Nested, UpVal};
use crate::gc::Gc;
use crate::value::Value;
use crate::Lua;

/// Loads a file in place if it can (a binary chunk file mapped into memory): given the
/// path, chunk name, `mode` and `env` of `loadfile`, the function or the load error, or
/// `None` to let the caller read the file instead. Installed with
/// [`Lua::set_file_mapper`].
pub type MapFileFn = fn(
    &mut Lua,
    path: &[u8],
    chunkname: &[u8],
    mode: &str,
    env: Option<Value>,
) -> Option<LuaResult<Value>>;

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
    /// Builds the runtime prototype of `p` (nested functions are built when their first
    /// closure is made: LAZY-PROTO in `func.rs`).
    pub fn new_fn_proto(&mut self, p: Rc<Proto>) -> LuaResult<Gc<FnProto>> {
        self.fn_proto_of(p, Nested::Protos)
    }

    /// The runtime prototype of `p`, its nested functions coming from `nested`.
    fn fn_proto_of(&mut self, p: Rc<Proto>, nested: Nested) -> LuaResult<Gc<FnProto>> {
        if p.code.is_empty() {
            // Only a `Backing` that broke its contract gets here (V-SIZES).
            return Err(self.error_value_str("function without code"));
        }
        let consts: Vec<Value> = p
            .constants
            .iter()
            .map(|k| match k {
                Constant::Nil => Value::Nil,
                Constant::Bool(b) => Value::Bool(*b),
                Constant::Int(i) => Value::Int(*i),
                Constant::Float(f) => Value::Float(*f),
                Constant::Str(s) => Value::Str(self.heap.intern_const(s)),
            })
            .collect();
        Ok(self
            .heap
            .alloc(FnProto::new(p, consts.into_boxed_slice(), nested)))
    }

    /// The runtime prototype of nested function `i` of `fp`, made on first use
    /// (LAZY-PROTO). The caller must make it reachable from a new closure before the next
    /// safepoint (see [`Lua::nested_closure`]).
    pub fn nested_fn_proto(&mut self, fp: Gc<FnProto>, i: usize) -> LuaResult<Gc<FnProto>> {
        if let Some(made) = fp.nested_made(i) {
            return Ok(made);
        }
        let child = match &fp.nested {
            Nested::Protos => fp.proto.protos.get(i).cloned().map(|p| (p, Nested::Protos)),
            Nested::Chunk(f) => f
                .child(i)
                .map(|c| (Rc::new(c.proto(Some(&fp.proto))), Nested::Chunk(c))),
        };
        let Some((p, nested)) = child else {
            return Err(self.error_value_str("function index out of range"));
        };
        let made = self.fn_proto_of(p, nested)?;
        let grew = fp.set_nested(i, made);
        self.heap.account_grow(grew);
        Ok(made)
    }

    /// CLOSURE: a new closure of nested function `i` of `fp`, capturing from the frame at
    /// `base` or the enclosing closure's `upvals`; makes the runtime prototype on first use.
    pub fn nested_closure(
        &mut self,
        fp: Gc<FnProto>,
        i: usize,
        base: usize,
        upvals: &[Cell<Gc<UpVal>>],
    ) -> LuaResult<Gc<LuaClosure>> {
        let fresh = fp.nested_made(i).is_none();
        let p = self.nested_fn_proto(fp, i)?;
        let c = self.make_closure(p, base, upvals);
        if fresh {
            // `fp` (maybe already marked) now refers to the new prototype: marking the
            // new closure, which refers to it too, keeps it alive in this cycle.
            self.heap.barrier_value(fp, Value::LuaFn(c));
        }
        Ok(c)
    }

    /// A closure of a main-chunk prototype: upvalue 0 is `env` (default: the globals),
    /// others start nil (as `load` does in `lua5.4`, whatever the function's upvalues
    /// were when it was dumped).
    pub fn closure_from_proto(&mut self, p: Rc<Proto>, env: Option<Value>) -> LuaResult<Value> {
        let fp = self.new_fn_proto(p)?;
        Ok(self.main_closure(fp, env))
    }

    /// A closure of a main function's runtime prototype (see `closure_from_proto`).
    fn main_closure(&mut self, fp: Gc<FnProto>, env: Option<Value>) -> Value {
        let n = fp.proto.upvalues.len();
        let mut ups: Vec<Gc<UpVal>> = Vec::with_capacity(n);
        for i in 0..n {
            let v = if i == 0 {
                env.unwrap_or(Value::Table(self.globals))
            } else {
                Value::Nil
            };
            ups.push(self.heap.new_closed_upval(v));
        }
        let c = self.heap.new_lua_closure(fp, &ups);
        Value::LuaFn(c)
    }

    /// A closure of the main function of a chunk used in place: only its runtime
    /// prototype is built (LAZY-PROTO).
    fn closure_in_place(&mut self, main: ChunkFn, env: Option<Value>) -> LuaResult<Value> {
        let p = Rc::new(main.proto(None));
        let fp = self.fn_proto_of(p, Nested::Chunk(main))?;
        Ok(self.main_closure(fp, env))
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
                self.verify_compiled(&p)?;
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
        let f = chunk::load_static(chunk).map_err(|e| self.bad_chunk(chunkname, &e))?;
        self.closure_in_place(f, None)
    }

    /// Loads a chunk in place from shared memory (a file mapping): the prototypes keep
    /// `backing` alive for as long as any function loaded from it is reachable. Same
    /// alignment rule as [`Lua::load_chunk_static`].
    pub fn load_chunk_shared(
        &mut self,
        backing: Rc<dyn Backing>,
        chunkname: &[u8],
    ) -> LuaResult<Value> {
        self.load_in_place(backing, chunkname, "b", None)
    }

    /// [`Lua::load_chunk_shared`] with `load`'s `mode` and `env` (what `loadfile`,
    /// `dofile` and `require` use through the [`MapFileFn`] hook).
    pub fn load_in_place(
        &mut self,
        backing: Rc<dyn Backing>,
        chunkname: &[u8],
        mode: &str,
        env: Option<Value>,
    ) -> LuaResult<Value> {
        self.check_load_mode(true, mode)?;
        let f = chunk::load_shared(backing).map_err(|e| self.bad_chunk(chunkname, &e))?;
        self.closure_in_place(f, env)
    }

    /// Installs the hook that `loadfile`, `dofile` and `require` try first for a file
    /// (the root crate installs one that maps binary chunks: `moonjet::map_chunk_file`).
    pub fn set_file_mapper(&mut self, f: MapFileFn) {
        self.file_mapper = Some(f);
    }

    /// Loads the file at `path` through the installed [`MapFileFn`]; `None` when there is
    /// none or it declines (not a binary chunk, cannot be mapped): then read the file.
    pub fn load_mapped_file(
        &mut self,
        path: &[u8],
        chunkname: &[u8],
        mode: &str,
        env: Option<Value>,
    ) -> Option<LuaResult<Value>> {
        let f = self.file_mapper?;
        f(self, path, chunkname, mode, env)
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

    /// The compiler's output is verified like any chunk, in every build: the
    /// interpreter's unchecked register access relies on the V-* guarantees (REG-WINDOW),
    /// so a compiler bug must become a load error, never an out-of-bounds access.
    fn verify_compiled(&mut self, p: &Proto) -> LuaResult<()> {
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
        let Value::Str(s) = call1(&mut l, f) else {
            panic!("not a string")
        };
        // The constant's bytes are used in place too (STR-STORAGE).
        let at = s.as_bytes().as_ptr() as usize;
        assert!(s.as_bytes() == b"in place" && at > base && at < base + c.len());
        let mut shifted = alloc::vec![0u8];
        shifted.extend_from_slice(&c);
        let odd = &leak_aligned(&shifted)[1..];
        let e = l.load_chunk_static(odd, b"=rom").unwrap_err();
        assert!(err_text(e).starts_with("rom: bad binary chunk: chunk at address"));
    }

    #[test]
    fn nested_prototypes_are_made_at_first_closure() {
        let mut l = state();
        let src = "local function f() return function() return 7 end end return f";
        for c in [None, Some(leak_aligned(&chunk_of(src, false)))] {
            let main = match c {
                None => l.load(src.as_bytes(), b"=s", "t", None).unwrap(),
                Some(bytes) => l.load_chunk_static(bytes, b"=rom").unwrap(),
            };
            let Value::LuaFn(m) = main else {
                panic!("not a Lua function")
            };
            assert!(m.proto.n_nested() == 1 && m.proto.nested_made(0).is_none());
            let Value::LuaFn(f) = call1(&mut l, main) else {
                panic!("not a Lua function")
            };
            assert!(m.proto.nested_made(0) == Some(f.proto));
            assert!(f.proto.nested_made(0).is_none());
            let Value::LuaFn(g) = call1(&mut l, Value::LuaFn(f)) else {
                panic!("not a Lua function")
            };
            assert!(matches!(call1(&mut l, Value::LuaFn(g)), Value::Int(7)));
            assert_eq!(c.is_some(), matches!(g.proto.nested, Nested::Chunk(_)));
        }
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
