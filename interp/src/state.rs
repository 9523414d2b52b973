//! `Lua`: the global state plus the running thread's stack and frames.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::abi::CallInfo;
use crate::error::LuaError;
use crate::func::{NativeClosure, NativeFn, UpVal};
use crate::gc::{Gc, Heap};
use crate::string::LuaStr;
use crate::table::{StaticPart, Table};
use crate::thread::{CoStatus, Thread, ThreadData};
use crate::value::Value;
use crate::vm::meta::TmNames;

/// Turns source text into a prototype (the root crate wires in `moonjet_compiler`).
pub type CompileFn =
    fn(source: &[u8], chunkname: &[u8]) -> Result<moonjet_bytecode::Proto, alloc::string::String>;

/// Where `print` and `io.write` send bytes (no_std builds supply their own).
pub trait Output {
    /// Writes bytes (may buffer).
    fn write(&mut self, bytes: &[u8]);
    /// Flushes buffered bytes.
    fn flush(&mut self);
}

/// Output that discards everything (the default without `std`).
pub struct NullOutput;

impl Output for NullOutput {
    fn write(&mut self, _bytes: &[u8]) {}
    fn flush(&mut self) {}
}

/// Buffered standard output.
#[cfg(feature = "std")]
#[derive(Default)]
pub struct StdOutput {
    buf: Vec<u8>,
}

#[cfg(feature = "std")]
impl Output for StdOutput {
    fn write(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= 1 << 14 {
            self.flush();
        }
    }
    fn flush(&mut self) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&self.buf);
        let _ = out.flush();
        self.buf.clear();
    }
}

#[cfg(feature = "std")]
impl Drop for StdOutput {
    fn drop(&mut self) {
        self.flush();
    }
}

/// A Rust-level protected call in progress (see ERRORS in `vm/call.rs`).
#[derive(Clone, Copy)]
pub(crate) struct CatchPoint {
    /// The thread it runs on.
    pub thread: Gc<Thread>,
    /// `frames.len()` when it started.
    pub depth: usize,
    /// Capture a traceback at raise time.
    pub traceback: bool,
}

/// Registry slot of the main thread.
pub const RIDX_MAINTHREAD: i64 = 1;
/// Registry slot of the global table.
pub const RIDX_GLOBALS: i64 = 2;

/// Most stack slots one thread may use (lua5.4's LUAI_MAXSTACK).
pub const MAX_STACK: usize = 1_000_000;
/// Extra slots granted while an overflow error is being handled.
pub const ERROR_STACK_EXTRA: usize = 5_000;
/// Most nested Rust-level calls into Lua (lua5.4's LUAI_MAXCCALLS).
pub const MAX_CCALLS: u32 = 200;

/// A Lua universe: heap, globals, registry and the running thread.
pub struct Lua {
    /// The GC heap.
    pub heap: Heap,
    /// Running thread's value stack (see FRAME-LAYOUT in abi.rs).
    pub stack: crate::cvec::CVec<Value>,
    /// First free slot of `stack`.
    pub top: usize,
    /// Running thread's call frames, innermost last.
    pub frames: crate::cvec::CVec<CallInfo>,
    /// Running thread's open upvalues, sorted by stack index.
    pub open_upvals: Vec<Gc<UpVal>>,
    /// Running thread's pending to-be-closed variables (stack indices, ascending).
    pub tbc: Vec<u32>,
    /// Running thread's nesting of non-yieldable calls.
    pub nny: u32,
    /// The running thread object (the main thread at first).
    pub current: Gc<Thread>,
    /// The main thread.
    pub main_thread: Gc<Thread>,
    /// The registry.
    pub registry: Gc<Table>,
    /// The global table (`_G`, the main chunk's `_ENV`).
    pub globals: Gc<Table>,
    /// Metatable of strings.
    pub string_meta: Option<Gc<Table>>,
    /// Metatables of the other types that share one per type (set through
    /// `debug.setmetatable`), indexed by `LuaType as usize`; the table, userdata and
    /// string slots are unused.
    pub type_metas: [Option<Gc<Table>>; 9],
    /// Hook events enabled right now: the one field the dispatch loop tests per
    /// instruction (see HOOKS in `stdlib/debughook.rs`).
    pub(crate) hook_mask: u8,
    /// `warn` output is on (`warn("@on")`, the command line's `-W`); off at start.
    pub warnings_on: bool,
    /// A coroutine was made through the library, whose table then left its static
    /// form (`warm_lib` in `stdlib/coroutine.rs`).
    pub(crate) coroutine_lib_warm: bool,
    /// The rest of the hook state.
    pub(crate) hooks: crate::stdlib::debughook::HookState,
    /// Interned metamethod names, indexed by `vm::meta::Tm`, each found when first
    /// needed (TM-NAMES in `vm/meta.rs`; the collector marks them).
    pub(crate) tm_names: TmNames,
    /// The source compiler, if any.
    pub(crate) compiler: Option<CompileFn>,
    /// How `loadfile`/`dofile`/`require` map binary chunk files, if they can.
    pub(crate) file_mapper: Option<crate::vm::load::MapFileFn>,
    /// Nesting of Rust-level calls into Lua (bounded by `MAX_CCALLS`).
    pub(crate) n_ccalls: u32,
    /// Rust-level protected calls in progress, innermost last.
    pub(crate) catch_points: Vec<CatchPoint>,
    /// Current stack size limit (raised while a stack overflow is being handled).
    pub(crate) stack_limit: usize,
    /// Where `print` writes.
    pub stdout: Box<dyn Output>,
    /// The JIT engine, its switches and counters (see JIT-ENTRY in `jit_iface.rs`).
    pub jit: crate::jit_iface::JitState,
    /// The generator of `math.random` (seeded when the library is opened).
    pub(crate) rng: crate::stdlib::math::Xoshiro,
    /// The box of the last yield signal, for the next one (ERROR-BOX in `error.rs`).
    pub(crate) spare_yield: Option<crate::error::LuaError>,
}

impl Lua {
    /// A bare state: no libraries, no compiler.
    pub fn new() -> Lua {
        let mut heap = Heap::default();
        let main = heap.alloc(Thread::new(ThreadData::default()));
        main.status.set(CoStatus::Running);
        // Sized for what `open_libs` puts there: _G holds the library tables, its own
        // functions stay in a static part (STATIC-PART in table.rs).
        let registry = heap.new_table(2, 2);
        let globals = heap.new_table(0, 12);
        #[cfg(feature = "std")]
        let stdout: Box<dyn Output> = Box::new(StdOutput::default());
        #[cfg(not(feature = "std"))]
        let stdout: Box<dyn Output> = Box::new(NullOutput);
        let mut l = Lua {
            heap,
            stack: crate::cvec::CVec::with_capacity(64),
            top: 0,
            frames: crate::cvec::CVec::with_capacity(16),
            open_upvals: Vec::new(),
            tbc: Vec::new(),
            nny: 0,
            current: main,
            main_thread: main,
            registry,
            globals,
            string_meta: None,
            type_metas: [None; 9],
            hook_mask: 0,
            warnings_on: false,
            coroutine_lib_warm: false,
            hooks: Default::default(),
            tm_names: TmNames::default(),
            compiler: None,
            file_mapper: None,
            n_ccalls: 0,
            catch_points: Vec::new(),
            stack_limit: MAX_STACK,
            stdout,
            jit: Default::default(),
            rng: Default::default(),
            spare_yield: None,
        };
        l.resize_stack(64);
        registry.set_int(&mut l.heap, RIDX_MAINTHREAD, Value::Thread(main));
        registry.set_int(&mut l.heap, RIDX_GLOBALS, Value::Table(globals));
        let loaded = l.new_table(0, 12);
        let key = l.heap.intern_static(b"_LOADED");
        registry.set_str(&mut l.heap, key, Value::Table(loaded));
        l
    }

    /// Installs the source compiler used by `load`.
    pub fn set_compiler(&mut self, f: CompileFn) {
        self.compiler = Some(f);
    }

    /// Flushes the output hook (call before exiting the process).
    pub fn flush_stdout(&mut self) {
        self.stdout.flush();
    }

    /// The `package.loaded` table (registry `_LOADED`).
    pub fn loaded_table(&mut self) -> Gc<Table> {
        let key = self.heap.intern_static(b"_LOADED");
        match self.registry.get_str(key) {
            Value::Table(t) => t,
            _ => {
                let t = self.new_table(0, 16);
                self.registry.set_str(&mut self.heap, key, Value::Table(t));
                t
            }
        }
    }

    /// Creates a library table with `funcs`, sets `_G[name]` and `loaded[name]`.
    pub fn register_lib(&mut self, name: &str, funcs: &[(&str, NativeFn)]) -> Gc<Table> {
        let t = self.new_table(0, funcs.len());
        for (n, f) in funcs {
            let k = self.intern(n.as_bytes());
            t.set_str(&mut self.heap, k, Value::NativeFn(*f));
        }
        let k = self.intern(name.as_bytes());
        self.publish_lib(k, t);
        t
    }

    /// Creates a library table whose entries stay in read-only memory until the table
    /// is written to or traversed (STATIC-PART in table.rs), with room for `nhash`
    /// other fields; sets `_G[name]` and `loaded[name]`. Build `part` with
    /// `static_part!`.
    pub fn register_static_lib(
        &mut self,
        name: &'static str,
        part: &'static StaticPart,
        nhash: usize,
    ) -> Gc<Table> {
        let t = self.new_table(0, nhash);
        t.add_static(&mut self.heap, part);
        let k = self.heap.intern_static(name.as_bytes());
        self.publish_lib(k, t);
        t
    }

    /// Sets `_G[k]` and `loaded[k]` to library table `t`.
    fn publish_lib(&mut self, k: Gc<LuaStr>, t: Gc<Table>) {
        self.globals.set_str(&mut self.heap, k, Value::Table(t));
        let loaded = self.loaded_table();
        loaded.set_str(&mut self.heap, k, Value::Table(t));
    }

    /// Sets a global variable.
    pub fn set_global(&mut self, name: &str, v: Value) {
        let k = self.intern(name.as_bytes());
        self.globals.set_str(&mut self.heap, k, v);
    }

    /// Reads a global variable (raw).
    pub fn get_global(&mut self, name: &str) -> Value {
        let k = self.intern(name.as_bytes());
        self.globals.get_str(k)
    }

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

    /// Replaces argument `i` (1-based) of the running native function, if present.
    pub fn set_arg(&mut self, i: usize, v: Value) {
        let base = self.frames.last().map_or(0, |ci| ci.base as usize);
        if i >= 1 && base + i - 1 < self.top {
            self.stack[base + i - 1] = v;
        }
    }

    /// Pushes a value on the stack (a native function's result).
    #[inline]
    pub fn push(&mut self, v: Value) {
        if self.top >= self.stack.len() {
            self.grow_for_push();
        }
        self.stack[self.top] = v;
        self.top += 1;
    }

    /// Grows the stack for `push`, staying within the stack limit when possible (the
    /// interpreter relies on `stack.len()` not exceeding it by much; see `ensure_stack`).
    #[cold]
    fn grow_for_push(&mut self) {
        let cap = self.stack_limit + 64;
        let want = (self.top + 1 + self.stack.len() / 2)
            .min(cap)
            .max(self.top + 1);
        self.resize_stack(want);
    }

    /// Pushes a string (interning it).
    pub fn push_str(&mut self, s: &[u8]) {
        let v = Value::Str(self.intern(s));
        self.push(v);
    }

    /// Removes and returns the top value (nil on an empty stack).
    pub fn pop(&mut self) -> Value {
        if self.top == 0 {
            return Value::Nil;
        }
        self.top -= 1;
        self.stack[self.top]
    }

    /// A string value (interning it).
    pub fn new_str(&mut self, s: &[u8]) -> Value {
        Value::Str(self.intern(s))
    }

    /// An error carrying a string message, without position.
    pub fn error_value_str(&mut self, msg: &str) -> LuaError {
        LuaError::new(Value::Str(self.intern(msg.as_bytes())))
    }

    /// Interns a byte string (the heap's string table; may move to string.rs).
    #[inline]
    pub fn intern(&mut self, bytes: &[u8]) -> Gc<LuaStr> {
        self.heap.intern_bytes(bytes)
    }

    /// GC safepoint (forwards to the collector's step; the heap helper may replace it).
    #[inline(always)]
    pub fn gc_check(&mut self) {
        self.collect_check();
    }

    /// Hook for objects given a metatable with `__gc`: registers them with the collector
    /// (the heap helper may replace this forwarding).
    pub fn check_finalizer(&mut self, obj: Value) {
        self.register_finalizer(obj);
    }

    /// Allocates an empty table.
    pub fn new_table(&mut self, narray: usize, nhash: usize) -> Gc<Table> {
        self.heap.new_table(narray, nhash)
    }

    /// Allocates a native closure with upvalues.
    pub fn new_native_closure(&mut self, func: NativeFn, upvals: &[Value]) -> Value {
        let upvals = upvals.iter().map(|v| core::cell::Cell::new(*v)).collect();
        Value::NativeClosure(self.heap.alloc(NativeClosure { func, upvals }))
    }

    /// Upvalue `i` (0-based) of the running native closure (nil if none).
    pub fn native_upval(&self, i: usize) -> Value {
        let Some(ci) = self.frames.last() else {
            return Value::Nil;
        };
        match self.stack.get(ci.func as usize) {
            Some(Value::NativeClosure(c)) => c.upvals.get(i).map_or(Value::Nil, |c| c.get()),
            _ => Value::Nil,
        }
    }

    /// Sets upvalue `i` (0-based) of the running native closure.
    pub fn set_native_upval(&mut self, i: usize, v: Value) {
        let Some(ci) = self.frames.last() else { return };
        if let Some(Value::NativeClosure(c)) = self.stack.get(ci.func as usize) {
            if let Some(cell) = c.upvals.get(i) {
                cell.set(v);
                let c = *c;
                self.heap.barrier_value(c, v);
            }
        }
    }
}

impl Default for Lua {
    fn default() -> Self {
        Lua::new()
    }
}
