//! How the interpreter knows a JIT (anchor: JIT-ENTRY), without depending on one.
//!
//! `interp` never links a code generator: the root crate installs an engine that
//! implements [`JitEngine`] (the `moonjet-jit` crate, Cranelift) into `Lua::jit`. This
//! module is the JIT-facing half of the ABI (`abi.rs` re-exports it): the signature of
//! compiled code, the context it receives, the runtime helpers it may call, and the
//! bookkeeping the interpreter keeps per prototype and per state.
//!
//! # The contract of compiled code
//! ```text
//!   next_pc = code(ctx: *mut JitCtx, base: *mut Value, entry_pc: u32)
//! ```
//! * One native function per prototype. `base` points at R[0] of the running frame
//!   (FRAME-LAYOUT in `abi.rs`). Compiled code may keep registers in machine registers
//!   between instructions, but the value stack is up to date whenever anything else
//!   can look: before every helper that allocates, collects or runs Lua code, for the
//!   registers any other helper reads, and when it returns (an exit writes back).
//! * `entry_pc` is where the interpreter stands; the code switches to that instruction
//!   if it is an entry point, else returns at once with `STATUS_NOT_ENTRY`.
//! * It returns the pc of the next instruction the interpreter must execute and leaves
//!   the reason in `ctx.status` (a row of the engine's reason table; "deoptimisation is
//!   data": the exit record of a site is its pc and its reason). It never raises an
//!   error, never calls Lua, never allocates except through a helper, never moves the
//!   stack: it exits *before* any instruction that would do so, and the interpreter runs
//!   that instruction, so errors, metamethods, tracebacks and line numbers are exactly
//!   the interpreter's.
//! * It only touches registers below the prototype's `max_stack` (the translator checks
//!   every operand), constants below `consts.len()`, and memory the helpers hand back.
//! * The GC runs only at safepoints (GC-INVARIANT): inside the call helper and the
//!   allocating helpers, never in the others; compiled code stores every register it
//!   holds unstored before those, so the collector sees every live value.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::any::Any;
use core::cell::Cell;
use core::sync::atomic::{AtomicUsize, Ordering};

use moonjet_bytecode::Proto;

use crate::error::LuaError;
use crate::func::LuaClosure;
use crate::state::Lua;
use crate::value::Value;

mod allocating;
mod call;
mod codecache;
mod direct;
mod enter;
pub use direct::{direct_offsets, DirectKey, NOT_LIVE};
mod helpers;
mod lualib;
pub use lualib::open_jit;
mod varargs;
mod yields;

use helpers::*;

pub use codecache::{CodeLedger, DEFAULT_CODE_LIMIT};

// ------------------------------------------------------------------ the entry ABI

/// Compiled code of one prototype (see the contract above).
pub type JitFn = unsafe extern "C" fn(ctx: *mut JitCtx, base: *mut Value, entry_pc: u32) -> u32;

/// What compiled code receives besides the registers. `#[repr(C)]`: the code reads it
/// at the offsets of [`ctx_offsets`].
#[repr(C)]
pub struct JitCtx {
    /// The state (only helpers dereference it).
    pub lua: *mut Lua,
    /// The running closure (its upvalues; only helpers dereference it).
    pub closure: *const LuaClosure,
    /// The prototype's constants (`FnProto::consts`), read by LOADK, EQK and the
    /// helpers' constant operands.
    pub consts: *const Value,
    /// Out: why the code returned (`STATUS_NOT_ENTRY` or a reason of the engine).
    pub status: u32,
    /// Native nesting of this activation (NATIVE-CALLS): 0 when the interpreter entered
    /// the code, n > 0 when the compiled code of the frame below called it through
    /// [`Helpers::call`]. Only a nested activation returns natively.
    pub depth: u32,
    /// R[0] of the frame (the `base` argument). A helper that may move the value stack
    /// (calls, allocations) rewrites it; the code compares it with its own after such
    /// a helper and, when the stack moved, leaves with `STATUS_UNWIND` to be re-entered
    /// with the new base (NATIVE-CALLS).
    pub base: *mut Value,
    /// Out, with `STATUS_RETURNED`: the register of the first result of the RETURN,
    /// plus [`RET_CLOSES`] when the RETURN has k set (something may need closing)...
    pub ret_reg: u32,
    /// ... and how many results (`RET_TO_TOP`: up to the stack top). In, on entry:
    /// The results an inline call wants (FAST-RETURN), else [`RET_NONE`].
    pub ret_n: u32,
    /// The running thread (`Lua::current`'s box address; read by the inline upvalue
    /// reads, UPVAL-INLINE in the JIT's `ops_data.rs`). Constant for an activation: a
    /// coroutine switch happens only inside a helper, and the thread that runs the code
    /// is current again whenever the code runs.
    pub thread: usize,
    /// The stack index of R[0] (`base` is the address of that slot). Unlike `base` it
    /// does not change when the stack moves, so slot `i` of the stack is at
    /// `base + (i - base_index)` whatever the stack's address.
    pub base_index: usize,
    /// Out: the answer of a helper called through its register-preserving wrapper
    /// ([`Helpers::preserving`]), which cannot return it in a register.
    pub answer: u32,
    /// In: the arguments after the context of a helper called through its
    /// register-preserving wrapper, which takes only the context in a register
    /// (ARGS-IN-CTX in the JIT's `preserving.rs`). Written by the code just before
    /// each such call; nothing else reads them.
    pub args: [u64; 3],
}

/// Byte offsets of [`JitCtx`]'s fields.
pub mod ctx_offsets {
    use super::JitCtx;
    use core::mem::offset_of;
    /// `JitCtx::consts`.
    pub const CONSTS: i32 = offset_of!(JitCtx, consts) as i32;
    /// `JitCtx::status`.
    pub const STATUS: i32 = offset_of!(JitCtx, status) as i32;
    /// `JitCtx::depth`.
    pub const DEPTH: i32 = offset_of!(JitCtx, depth) as i32;
    /// `JitCtx::base`.
    pub const BASE: i32 = offset_of!(JitCtx, base) as i32;
    /// `JitCtx::ret_reg`.
    pub const RET_REG: i32 = offset_of!(JitCtx, ret_reg) as i32;
    /// `JitCtx::ret_n`.
    pub const RET_N: i32 = offset_of!(JitCtx, ret_n) as i32;
    /// `JitCtx::closure`.
    pub const CLOSURE: i32 = offset_of!(JitCtx, closure) as i32;
    /// `JitCtx::thread`.
    pub const THREAD: i32 = offset_of!(JitCtx, thread) as i32;
    /// `JitCtx::base_index`.
    pub const BASE_INDEX: i32 = offset_of!(JitCtx, base_index) as i32;
    /// `JitCtx::answer`.
    pub const ANSWER: i32 = offset_of!(JitCtx, answer) as i32;
    /// `JitCtx::args`.
    pub const ARGS: i32 = offset_of!(JitCtx, args) as i32;
    /// `JitCtx::lua`.
    pub const LUA: i32 = offset_of!(JitCtx, lua) as i32;
}

/// Byte offsets into the state (`Lua`) that compiled code reads.
pub mod state_offsets {
    use crate::gc::Gc;
    use crate::state::Lua;
    use crate::string::LuaStr;
    use crate::vm::meta::Tm;
    use core::cell::Cell;
    use core::mem::{offset_of, size_of};

    /// The interned string `"__index"` (a nullable pointer: 0 until the name is first
    /// interned; TM-NAMES in `vm/meta.rs`). The cache is a GC root, so the string
    /// lives as long as the state once it is there.
    pub const INDEX_NAME: i32 = (offset_of!(Lua, tm_names)
        + Tm::Index as usize * size_of::<Cell<Option<Gc<LuaStr>>>>())
        as i32;
    const _: () = assert!(size_of::<Cell<Option<Gc<LuaStr>>>>() == 8);
}

/// Byte offsets into closures and upvalues for compiled code's inline upvalue reads
/// (UPVAL-LAYOUT in `func.rs`), all from `offset_of!`/`size_of`: the closure value
/// (`JitCtx::closure`) -> its cells pointer and count; a cell -> the upvalue's box; the
/// box -> the state's tag, and the open or closed variant's fields.
pub mod upval_offsets {
    use crate::func::{layout as l, UpState};
    /// `*const Cell<Gc<UpVal>>`: the first upvalue cell, from the closure value.
    pub const CELLS: i32 = l::CELLS as i32;
    /// `usize`: the number of cells, from the closure value.
    pub const CELLS_LEN: i32 = l::CELLS_LEN as i32;
    /// Bytes per cell (each holds the address of an upvalue's box).
    pub const CELL_SIZE: i32 = l::CELL_SIZE as i32;
    /// `*mut Value`: where the upvalue's value is now (UPVAL-SLOT: the stack slot of
    /// an open one, the value in the box of a closed one), from the upvalue's box.
    pub const SLOT: i32 = l::SLOT as i32;
    /// `u8`: the collector's mark byte, from the upvalue's box.
    pub const MARK: i32 = l::MARK as i32;
    /// The bit of [`MARK`] set while the box is black (a store into a black closed
    /// upvalue needs the write barrier: SETUPVAL leaves it to the helper).
    pub const BLACK: u8 = crate::gc::BLACK;
    /// `u8`: the state's tag, from the upvalue's box.
    pub const TAG: i32 = l::TAG as i32;
    /// The tag of an open upvalue.
    pub const OPEN: u8 = UpState::OPEN;
    /// The tag of a closed upvalue.
    pub const CLOSED: u8 = UpState::CLOSED;
    /// Closed: the value (`Value`, 16 bytes), from the upvalue's box.
    pub const CLOSED_VALUE: i32 = l::CLOSED_VALUE as i32;
}

/// Status: `entry_pc` is not an entry point of the code; nothing was executed.
pub const STATUS_NOT_ENTRY: u32 = 0;
/// Status at a RETURN: the results are described by `ctx.ret_reg` / `ctx.ret_n` and the
/// returned pc is the RETURN's (registers stored); the call helper pops the frame of a
/// nested activation (NATIVE-CALLS), `jit_run` that of one the interpreter entered
/// when its caller is a Lua frame (else the interpreter runs the RETURN).
pub const STATUS_RETURNED: u32 = 1;
/// Status: a call made natively left compiled code (a callee exited, a native function
/// pushed frames, yielded or raised an error); every compiled activation on the way
/// returns at once, and the interpreter continues with whatever frame is on top.
pub const STATUS_UNWIND: u32 = 2;
/// Status of an activation whose TAILCALL replaced its frame by the callee's
/// ([`Helpers::tail_call`]): the returned pc means nothing; whoever called the code
/// continues with the frame now on top (NATIVE-CALLS). The engine's reason table keeps
/// this row number (it is appended after the others).
pub const STATUS_TAILCALLED: u32 = 30;
/// Status values are below this (the engine's reason table is at most this long).
pub const MAX_STATUS: usize = 64;

/// The tag bytes of [`Value`] (offset 0, see `abi::value_offsets`), pinned by a test.
pub mod tags {
    /// `Value::Nil`
    pub const NIL: u8 = 0;
    /// `Value::Bool` (payload: one byte, 0 or 1)
    pub const BOOL: u8 = 1;
    /// `Value::Int` (payload: i64)
    pub const INT: u8 = 2;
    /// `Value::Float` (payload: f64)
    pub const FLOAT: u8 = 3;
    /// `Value::Str` (payload: the interned string's address)
    pub const STR: u8 = 4;
    /// `Value::Table`
    pub const TABLE: u8 = 5;
    /// `Value::UserData` (a full userdata: with `TABLE`, the values `__eq` may apply to)
    pub const USERDATA: u8 = 9;
    /// `Value::NativeFn` (payload: the function's address)
    pub const NATIVE_FN: u8 = 7;
    /// `Value::LuaFn` (payload: the closure's box address)
    pub const LUA_FN: u8 = 6;
}

/// Byte offsets into a table object for compiled code's inline paths (TABLE-LAYOUT in
/// `table.rs`), from the value's payload (the address of the table's `GcBox`). Computed
/// with `offset_of!`, and the field types pinned below, so a change of the table's
/// layout changes these or breaks the build; compiled code only reads through them
/// after a tag guard, and falls back to the helpers whenever the inline case does not
/// hold.
pub mod table_offsets {
    use crate::gc::{Gc, GcBox};
    use crate::table::{Node, Table};
    use crate::value::Value;
    use core::cell::Cell;
    use core::mem::{offset_of, size_of};

    /// Start of the `Table` inside its box.
    const BOX: usize = offset_of!(GcBox<Table>, value);
    /// Array part buffer (`*mut Value`).
    pub const ARR: i32 = (BOX + offset_of!(Table, arr)) as i32;
    /// Array part size (`u32`: compiled code loads 32 bits and zero-extends).
    pub const ARR_LEN: i32 = (BOX + offset_of!(Table, arr_len)) as i32;
    /// Hash part buffer (`*mut Node`).
    pub const NODES: i32 = (BOX + offset_of!(Table, nodes)) as i32;
    /// Hash part size (`u32`, 0 or a power of two; loaded as 32 bits).
    pub const NODE_CAP: i32 = (BOX + offset_of!(Table, node_cap)) as i32;
    // The two sizes are 32-bit fields: these fail to compile if their type changes,
    // which would make compiled code read the wrong number of bytes.
    const _: fn(&Table) -> &Cell<u32> = |t| &t.arr_len;
    const _: fn(&Table) -> &Cell<u32> = |t| &t.node_cap;
    /// The write barrier's colour flag (`bool`, one byte): a store of a collectable
    /// value into a black table needs the barrier (the helpers do it).
    pub const GC_BLACK: i32 = (BOX + offset_of!(Table, gc_black)) as i32;
    /// The metatable (a nullable pointer: 0 = none).
    pub const METATABLE: i32 = (BOX + offset_of!(Table, metatable)) as i32;
    /// The static-part flag (`bool`, one byte; STATIC-PART): while it is set, a key
    /// the hash part misses may still be in the static part.
    pub const HAS_STATIC: i32 = (BOX + offset_of!(Table, has_static)) as i32;
    /// Bytes per hash node.
    pub const NODE_SIZE: i32 = size_of::<Node>() as i32;
    /// The key of a node.
    pub const NODE_KEY: i32 = offset_of!(Node, key) as i32;
    /// The value of a node.
    pub const NODE_VAL: i32 = offset_of!(Node, val) as i32;

    const _: () = assert!(size_of::<Cell<*mut Value>>() == 8);
    const _: () = assert!(size_of::<Cell<*mut Node>>() == 8);
    const _: () = assert!(size_of::<Cell<usize>>() == 8);
    const _: () = assert!(size_of::<Cell<bool>>() == 1);
    const _: () = assert!(size_of::<Option<Gc<Table>>>() == 8);
}

/// Byte offset of a string's hash (`u32`) from the value's payload (the address of the
/// string's `GcBox`), for the inline hash probe (TABLE-LAYOUT).
pub mod str_offsets {
    use crate::gc::GcBox;
    use crate::string::LuaStr;
    use core::mem::offset_of;
    /// `LuaStr::hash`.
    pub const HASH: i32 = (offset_of!(GcBox<LuaStr>, value) + offset_of!(LuaStr, hash)) as i32;
    /// `usize`: `LuaStr::len`, the length in bytes.
    pub const LEN: i32 = (offset_of!(GcBox<LuaStr>, value) + offset_of!(LuaStr, len)) as i32;
    /// `*const u8`: `LuaStr::data`, the bytes.
    pub const DATA: i32 = (offset_of!(GcBox<LuaStr>, value) + offset_of!(LuaStr, data)) as i32;
}

// ------------------------------------------------------------------ runtime helpers

/// Helper result: done, continue with the next instruction.
pub const HELPER_OK: u32 = 0;
/// Helper result: nothing was changed; exit to the interpreter at this instruction.
pub const HELPER_EXIT: u32 = 1;
/// `for_prep` result: the loop runs zero times.
pub const FORPREP_SKIP: u32 = 2;
/// `call` result: the call left compiled code; the caller exits with `STATUS_UNWIND`
/// at the instruction after the call (its saved pc).
pub const CALL_UNWIND: u32 = 3;
/// `tail_call` result: the frame was replaced; the code leaves with
/// `STATUS_TAILCALLED`.
pub const TAILCALL_DONE: u32 = 4;
/// `tail_call` result: the frame was replaced by a call of the running closure itself
/// (same frame base, the stack did not move, its code current): the code continues at
/// its own entry for pc 0, in the same activation (NATIVE-CALLS).
pub const TAILCALL_SELF: u32 = 5;
/// `tail_call` result flag (TAIL-NEST in `jit_iface/call.rs`): the frame was replaced
/// and the callee's code, run by the helper, returned; `ctx.ret_reg` / `ctx.ret_n`
/// describe its results (same frame base) and the low bits are the pc of the callee's
/// RETURN: the code leaves with `STATUS_RETURNED` at that pc, touching no register.
pub const TAILCALL_RETURNED: u32 = 1 << 31;
/// `ret` operand: return the values from R[A] up to the stack top.
pub const RET_TO_TOP: u32 = u32::MAX;
/// Flag in `JitCtx::ret_reg`: the RETURN has k set, so upvalues or to-be-closed
/// variables of the frame may be open (CLOSE-FLAG in the interpreter). Without it
/// nothing can be (V-CLOSE), and the call helper's return skips the closing check.
pub const RET_CLOSES: u32 = 1 << 31;
/// In `JitCtx::ret_n` when the code is entered (anchor: FAST-RETURN): an inline call of
/// compiled code (DIRECT-CALL) wanting `k` results sets `2k`, one wanting them all 1;
/// every other entry sets [`RET_NONE`]. A RETURN of at least `k` values (exactly one
/// for "all": RET-DISCARD in the JIT's `direct_call.rs`) with nothing to close, run
/// while no hook is set, then moves its values to its frame's function slot and up
/// itself, stores nothing in the context and returns [`RET_DONE`]: the calling code
/// pops the frame and sets the stack top. Any other RETURN reports as usual
/// (`STATUS_RETURNED`).
pub const RET_NONE: u32 = u32::MAX;
/// `ret_n` on entry for exactly one result (FAST-RETURN: `2k` for `k` results): a
/// native running a compiled comparator or callback (RETURN-TO-NATIVE).
pub const RET_WANT_ONE: u32 = 2;
/// What the code returns (in place of a pc) after a FAST-RETURN.
pub const RET_DONE: u32 = u32::MAX;
/// Default Rust stack budget of compiled code (NATIVE-STACK): bytes of Rust stack that
/// nested compiled activations may use below the outermost one, some hundreds of
/// nested compiled calls in a release build (about 230 bytes each for a call the code
/// makes itself, DIRECT-CALL; 380 through the call helper). Small enough for any
/// thread: deeper recursion continues in the interpreter (one exit where it crosses
/// the limit). An embedder that knows its thread's stack can give more
/// ([`set_default_native_stack`], or `JitState::stack_budget` of one state): the
/// `moonjet` command gives 2 MB (`-Onativestack`), with which ackermann 8 stays native
/// (2,645M instructions against 3,911M with this budget and 4,091M interpreted).
/// Unoptimised builds, whose frames are many times larger, get 512 KB.
pub const DEFAULT_NATIVE_STACK: usize = if cfg!(debug_assertions) {
    512 * 1024
} else {
    64 * 1024
};
/// Rust stack bytes all compiled activations together may use below the outermost one
/// (NATIVE-STACK): an interpreter loop a native function starts from compiled code (a
/// coroutine resumed, a function called back) gives the compiled code it enters a
/// budget of its own, all within this much (or one budget, if larger).
pub const NATIVE_STACK_TOTAL: usize = 1 << 20;

/// The budget new states start with (`DEFAULT_NATIVE_STACK` unless
/// [`set_default_native_stack`] changed it).
static NATIVE_STACK: AtomicUsize = AtomicUsize::new(DEFAULT_NATIVE_STACK);

/// Sets the Rust stack budget of compiled code for the states created from now on
/// (NATIVE-STACK).
pub fn set_default_native_stack(bytes: usize) {
    NATIVE_STACK.store(bytes, Ordering::Relaxed);
}

/// The address of the current Rust stack frame (approximately the stack pointer): the
/// stack grows down, so deeper calls see smaller addresses (NATIVE-STACK).
#[inline(always)]
pub(crate) fn stack_address() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let sp: usize;
        // SAFETY: reads the stack pointer register into a general register; touches no
        // memory, the stack or the flags.
        unsafe {
            core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
        };
        sp
    }
    #[cfg(target_arch = "aarch64")]
    {
        let sp: usize;
        // SAFETY: as above (`sp` is the stack pointer register).
        unsafe {
            core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
        };
        sp
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let marker = 0u8;
        core::hint::black_box(core::ptr::addr_of!(marker)) as usize
    }
}

/// The runtime helpers compiled code may call, as a `#[repr(C)]` table of `extern "C"`
/// functions (the code loads them through `JitCtx::helpers` at [`helper_offsets`], so
/// its IR holds no addresses). Each returns `HELPER_OK` after doing exactly what the
/// interpreter's fast path does, or `HELPER_EXIT` having changed nothing, when the
/// interpreter must run the instruction itself (metamethods, errors).
///
/// Pointers (`t`, `key`, `val`, `dst`, `ra`) point at registers of the running frame
/// or at constants; `k` is a constant index (a string), `up` an upvalue index.
#[repr(C)]
pub struct Helpers {
    /// GETUPVAL: `*dst = Up[up]`.
    pub get_upval: unsafe extern "C" fn(ctx: *mut JitCtx, up: u32, dst: *mut Value) -> u32,
    /// SETUPVAL: `Up[up] = *val`.
    pub set_upval: unsafe extern "C" fn(ctx: *mut JitCtx, up: u32, val: *const Value) -> u32,
    /// GETTABLE: `*dst = (*t)[*key]`.
    pub get_table: unsafe extern "C" fn(
        ctx: *mut JitCtx,
        t: *const Value,
        key: *const Value,
        dst: *mut Value,
    ) -> u32,
    /// GETI: `*dst = (*t)[i]`.
    pub get_int:
        unsafe extern "C" fn(ctx: *mut JitCtx, t: *const Value, i: i64, dst: *mut Value) -> u32,
    /// GETFIELD: `*dst = (*t)[K[k]]`.
    pub get_field:
        unsafe extern "C" fn(ctx: *mut JitCtx, t: *const Value, k: u32, dst: *mut Value) -> u32,
    /// GETTABUP: `*dst = Up[up][K[k]]`.
    pub get_tabup: unsafe extern "C" fn(ctx: *mut JitCtx, up: u32, k: u32, dst: *mut Value) -> u32,
    /// SETTABLE: `(*t)[*key] = *val`.
    pub set_table: unsafe extern "C" fn(
        ctx: *mut JitCtx,
        t: *const Value,
        key: *const Value,
        val: *const Value,
    ) -> u32,
    /// SETI: `(*t)[i] = *val`.
    pub set_int:
        unsafe extern "C" fn(ctx: *mut JitCtx, t: *const Value, i: i64, val: *const Value) -> u32,
    /// SETFIELD: `(*t)[K[k]] = *val`.
    pub set_field:
        unsafe extern "C" fn(ctx: *mut JitCtx, t: *const Value, k: u32, val: *const Value) -> u32,
    /// SETTABUP: `Up[up][K[k]] = *val`.
    pub set_tabup:
        unsafe extern "C" fn(ctx: *mut JitCtx, up: u32, k: u32, val: *const Value) -> u32,
    /// LEN: `*dst = #*src` for strings and tables without a metatable, always an
    /// integer (the JIT's analysis types the result so); anything else exits.
    pub len: unsafe extern "C" fn(ctx: *mut JitCtx, src: *const Value, dst: *mut Value) -> u32,
    /// FORPREP on numbers (`ra` = R[A]): `HELPER_OK` (loop runs), `FORPREP_SKIP`, or
    /// `HELPER_EXIT` (not numbers or a zero step: the interpreter raises the error).
    pub for_prep: unsafe extern "C" fn(ctx: *mut JitCtx, ra: *mut Value) -> u32,
    /// `a ^ b` on floats.
    pub pow: extern "C" fn(a: f64, b: f64) -> f64,
    /// `a % b` on floats (Lua's floored modulo).
    pub fmod: extern "C" fn(a: f64, b: f64) -> f64,
    /// Exact comparison of an integer and a float ([`MixedCmp`]); 1 = true.
    pub cmp_mixed: extern "C" fn(op: u32, i: i64, f: f64) -> u32,
    /// CALL at `pc` (`ra` = R[A], B and C its operands), made natively when the callee
    /// is compiled or a native function (NATIVE-CALLS): `HELPER_OK` (results in place,
    /// `ctx.base` updated), `HELPER_EXIT` (nothing done) or `CALL_UNWIND`.
    pub call:
        unsafe extern "C" fn(ctx: *mut JitCtx, ra: *mut Value, b: u32, c: u32, pc: u32) -> u32,
    /// The end of a call the code made itself (DIRECT-CALL) whose callee's code left
    /// `callee` (its context) and returned `next`, when the code does not finish it
    /// inline: the callee's frame is `frames[idx]`; answers as `call`, never
    /// `HELPER_EXIT`.
    pub call_done:
        unsafe extern "C" fn(ctx: *mut JitCtx, callee: *const JitCtx, idx: usize, next: u32) -> u32,
    /// NEWTABLE at `pc`: `R[a] := {}` sized `narr`/`nhash`; `HELPER_OK`, `ctx.base`
    /// updated (the collector step may run finalizers).
    pub new_table:
        unsafe extern "C" fn(ctx: *mut JitCtx, a: u32, narr: u32, nhash: u32, pc: u32) -> u32,
    /// CLOSURE at `pc`: `R[a] := closure(KPROTO[bx])`; as `new_table`.
    pub closure: unsafe extern "C" fn(ctx: *mut JitCtx, a: u32, bx: u32, pc: u32) -> u32,
    /// CONCAT at `pc` of `n` strings or numbers from R[a]; as `new_table`, or
    /// `HELPER_EXIT` when an operand needs `__concat`.
    pub concat: unsafe extern "C" fn(ctx: *mut JitCtx, a: u32, n: u32, pc: u32) -> u32,
    /// TAILCALL at `pc` (`ra` = R[A], B its operand), followed by `RETURN A 0`: a Lua
    /// callee replaces the frame as the interpreter's TAILCALL does (`TAILCALL_DONE`:
    /// leave with `STATUS_TAILCALLED`, touching no register; `TAILCALL_SELF` when the
    /// callee is the running closure: start over at pc 0; `TAILCALL_RETURNED` plus a pc
    /// when the helper ran the callee's code to its RETURN); a native one is called in
    /// place with all its results (`HELPER_OK`, `ctx.base` updated: continue with the
    /// RETURN); else `HELPER_EXIT` (nothing done) or `CALL_UNWIND`, as `call`.
    pub tail_call: unsafe extern "C" fn(ctx: *mut JitCtx, ra: *mut Value, b: u32, pc: u32) -> u32,
    /// The end of a tail call the code made itself (TAIL-NEST-INLINE in
    /// `jit/src/self_tail.rs`) whose callee's code, run with context `callee` in the
    /// frame `frames[idx]` it replaced, returned `next`: answers as `tail_call`, never
    /// `HELPER_OK`, `HELPER_EXIT` or `TAILCALL_SELF`.
    pub tail_done:
        unsafe extern "C" fn(ctx: *mut JitCtx, callee: *const JitCtx, idx: usize, next: u32) -> u32,
    /// CLOSE of `ra` = R[A]: closes the upvalues from R[A] up (`HELPER_OK`), unless a
    /// to-be-closed variable is pending there (`HELPER_EXIT`: its `__close` runs in the
    /// interpreter). Neither allocates nor runs Lua code.
    pub close: unsafe extern "C" fn(ctx: *mut JitCtx, ra: *mut Value) -> u32,
    /// VARARG at `pc` into R[a] with operand C (`c`): see `varargs::h_vararg`.
    pub vararg: unsafe extern "C" fn(ctx: *mut JitCtx, a: u32, c: u32, pc: u32) -> u32,
    /// `a < b` (`le` = 0) or `a <= b` (`le` = 1) of two strings given by their payloads
    /// (byte-wise, as the interpreter compares them): 1 or 0.
    pub str_less: unsafe extern "C" fn(a: usize, b: usize, le: u32) -> u32,
    /// SETLIST: `R[a][first + i] := R[a + i]` for `1 <= i <= n` (`n = 0`: up to the
    /// top), the top reset to the frame's; `HELPER_OK`. Neither allocates through the
    /// collector nor runs Lua code; reads the registers (the code stores them first).
    pub set_list: unsafe extern "C" fn(ctx: *mut JitCtx, a: u32, n: u32, first: i64) -> u32,
    /// Not a helper: `math.sqrt`'s native function, whose identity compiled code tests
    /// (a CALL of exactly this value with one number is compiled as the square root it
    /// computes: INTRINSICS in `jit/src/ops_call.rs`). Read from the table, not built
    /// into the code, so that the code does not depend on where the binary is loaded.
    pub math_sqrt: crate::func::NativeFn,
    /// Not a helper: `string.byte`'s native function, tested like `math_sqrt` (a CALL
    /// of it with a string and an integer inside the string gives the byte inline).
    pub string_byte: crate::func::NativeFn,
    /// The rest of an inline GETFIELD/SELF read after table `h` (a table's payload)
    /// lacked string `s` (a string's payload) in its hash part: `*dst` = the value
    /// found up the table's `__index` chain of tables (nil where the chain ends),
    /// `HELPER_OK`; `HELPER_EXIT` (nothing done) when a static part, a function
    /// `__index` or a long chain needs `get_field`. Neither allocates nor runs Lua code.
    pub index_field:
        unsafe extern "C" fn(ctx: *mut JitCtx, h: usize, s: usize, dst: *mut Value) -> u32,
    /// Not helpers: slot `i` is 0 or the address of a wrapper the JIT engine made of
    /// the helper in word `i` of this table (the word at byte offset `8 * i`), which
    /// takes the same arguments (`ctx` first), saves every register it and the helper
    /// use, and stores the helper's answer in `ctx.answer` instead of returning it
    /// (PRESERVING in `jit/src/preserving.rs`). Set once per process, before any code
    /// that calls a wrapper is made, and never changed after.
    pub preserving: [AtomicUsize; PRESERVING_SLOTS],
}

/// The slots of [`Helpers::preserving`]: one per word of the helpers before it.
pub const PRESERVING_SLOTS: usize = 32;
const _: () = assert!(core::mem::offset_of!(Helpers, preserving) <= PRESERVING_SLOTS * 8);

/// The exact integer/float comparisons of [`Helpers::cmp_mixed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum MixedCmp {
    /// `i < f`
    IntLtFloat = 0,
    /// `i <= f`
    IntLeFloat = 1,
    /// `f < i`
    FloatLtInt = 2,
    /// `f <= i`
    FloatLeInt = 3,
    /// `i == f`
    Eq = 4,
}

/// Byte offsets of the fields of [`Helpers`].
pub mod helper_offsets {
    use super::Helpers;
    use core::mem::offset_of;
    /// `Helpers::get_upval`.
    pub const GET_UPVAL: i32 = offset_of!(Helpers, get_upval) as i32;
    /// `Helpers::set_upval`.
    pub const SET_UPVAL: i32 = offset_of!(Helpers, set_upval) as i32;
    /// `Helpers::get_table`.
    pub const GET_TABLE: i32 = offset_of!(Helpers, get_table) as i32;
    /// `Helpers::get_int`.
    pub const GET_INT: i32 = offset_of!(Helpers, get_int) as i32;
    /// `Helpers::get_field`.
    pub const GET_FIELD: i32 = offset_of!(Helpers, get_field) as i32;
    /// `Helpers::get_tabup`.
    pub const GET_TABUP: i32 = offset_of!(Helpers, get_tabup) as i32;
    /// `Helpers::set_table`.
    pub const SET_TABLE: i32 = offset_of!(Helpers, set_table) as i32;
    /// `Helpers::set_int`.
    pub const SET_INT: i32 = offset_of!(Helpers, set_int) as i32;
    /// `Helpers::set_field`.
    pub const SET_FIELD: i32 = offset_of!(Helpers, set_field) as i32;
    /// `Helpers::set_tabup`.
    pub const SET_TABUP: i32 = offset_of!(Helpers, set_tabup) as i32;
    /// `Helpers::len`.
    pub const LEN: i32 = offset_of!(Helpers, len) as i32;
    /// `Helpers::for_prep`.
    pub const FOR_PREP: i32 = offset_of!(Helpers, for_prep) as i32;
    /// `Helpers::pow`.
    pub const POW: i32 = offset_of!(Helpers, pow) as i32;
    /// `Helpers::fmod`.
    pub const FMOD: i32 = offset_of!(Helpers, fmod) as i32;
    /// `Helpers::cmp_mixed`.
    pub const CMP_MIXED: i32 = offset_of!(Helpers, cmp_mixed) as i32;
    /// `Helpers::call`.
    pub const CALL: i32 = offset_of!(Helpers, call) as i32;
    /// `Helpers::call_done`.
    pub const CALL_DONE: i32 = offset_of!(Helpers, call_done) as i32;
    /// `Helpers::new_table`.
    pub const NEW_TABLE: i32 = offset_of!(Helpers, new_table) as i32;
    /// `Helpers::closure`.
    pub const CLOSURE: i32 = offset_of!(Helpers, closure) as i32;
    /// `Helpers::concat`.
    pub const CONCAT: i32 = offset_of!(Helpers, concat) as i32;
    /// `Helpers::tail_call`.
    pub const TAIL_CALL: i32 = offset_of!(Helpers, tail_call) as i32;
    /// `Helpers::tail_done`.
    pub const TAIL_DONE: i32 = offset_of!(Helpers, tail_done) as i32;
    /// `Helpers::close`.
    pub const CLOSE: i32 = offset_of!(Helpers, close) as i32;
    /// `Helpers::vararg`.
    pub const VARARG: i32 = offset_of!(Helpers, vararg) as i32;
    /// `Helpers::str_less`.
    pub const STR_LESS: i32 = offset_of!(Helpers, str_less) as i32;
    /// `Helpers::set_list`.
    pub const SET_LIST: i32 = offset_of!(Helpers, set_list) as i32;
    /// `Helpers::math_sqrt`.
    pub const MATH_SQRT: i32 = offset_of!(Helpers, math_sqrt) as i32;
    /// `Helpers::string_byte`.
    pub const STRING_BYTE: i32 = offset_of!(Helpers, string_byte) as i32;
    /// `Helpers::index_field`.
    pub const INDEX_FIELD: i32 = offset_of!(Helpers, index_field) as i32;
    /// `Helpers::preserving`.
    pub const PRESERVING: i32 = offset_of!(Helpers, preserving) as i32;
}

/// The helper table every `JitCtx` points at.
pub static HELPERS: Helpers = Helpers {
    get_upval: h_get_upval,
    set_upval: h_set_upval,
    get_table: h_get_table,
    get_int: h_get_int,
    get_field: h_get_field,
    get_tabup: h_get_tabup,
    set_table: h_set_table,
    set_int: h_set_int,
    set_field: h_set_field,
    set_tabup: h_set_tabup,
    len: h_len,
    for_prep: h_for_prep,
    pow: h_pow,
    fmod: h_fmod,
    cmp_mixed: h_cmp_mixed,
    call: call::h_call,
    call_done: call::h_call_done,
    new_table: allocating::h_new_table,
    closure: allocating::h_closure,
    concat: allocating::h_concat,
    tail_call: call::h_tail_call,
    tail_done: call::h_tail_done,
    close: h_close,
    vararg: varargs::h_vararg,
    str_less: h_str_less,
    set_list: allocating::h_set_list,
    math_sqrt: crate::stdlib::math::SQRT,
    string_byte: crate::stdlib::string::BYTE,
    index_field: h_index_field,
    preserving: [const { AtomicUsize::new(0) }; PRESERVING_SLOTS],
};

/// The state, closure and constant `k` of a helper's context.
///
/// # Safety
/// `ctx` is the live `JitCtx` of a running compiled function (JIT-ENTRY): `lua`,
/// `closure` and `consts` are valid and no Rust reference to the state is in use.
unsafe fn parts<'a>(ctx: *mut JitCtx) -> (&'a mut Lua, &'a LuaClosure) {
    // SAFETY: per the contract; the interpreter made `lua` from its `&mut Lua` and does
    // not use that reference until the compiled code returns.
    unsafe { (&mut *(*ctx).lua, &*(*ctx).closure) }
}

// ------------------------------------------------------------------ the engine

/// A prototype to compile.
pub struct CompileRequest<'a> {
    /// The bytecode.
    pub proto: &'a Proto,
    /// Its constants as values (`FnProto::consts`; the code reads them at run time
    /// through `JitCtx::consts`, the translator reads their types).
    pub consts: &'a [Value],
    /// What the engine asked to speculate differently at some reads (SPEC-HINTS).
    pub hints: &'a [SpecHint],
    /// True when a loop got hot before the prototype was called `hotcall` times: the
    /// code outside its loops has run at most once per activation (COLD-CODE in the
    /// JIT's `cold.rs`).
    pub from_loop: bool,
    /// How many times the prototype was called so far (its call counter).
    pub calls: u32,
    /// The bytecode of the Lua function each upvalue of the closure being compiled
    /// holds now (by upvalue index; `None`: not a Lua function): what a call through
    /// that upvalue most likely runs (LEAF-INLINE). The prototype's slot keeps these
    /// alive while its code exists, so an address compare against their bytecode is
    /// an identity test.
    pub callees: &'a [Option<Rc<Proto>>],
}

/// SPEC-HINTS: the engine's per-site correction of a type speculation, kept in the
/// prototype's slot across recompiles: at the read at `pc`, speculate the type with
/// tag `ty` (`tags::INT`, `tags::FLOAT`), or nothing (`tags::NIL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecHint {
    /// Pc of the read.
    pub pc: u32,
    /// Tag of the type to speculate there (`tags::NIL`: none).
    pub ty: u8,
}

/// What the engine wants done after a hot exit (`JitEngine::hot_exit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitVerdict {
    /// Keep the code.
    Keep,
    /// Drop the code: the prototype stays interpreted (a guard that keeps failing).
    Blacklist,
    /// Drop the code and compile again, next time it is hot, with this hint added.
    Respecialize(SpecHint),
}

/// Counters an engine keeps.
#[derive(Clone, Copy, Debug, Default)]
pub struct JitStats {
    /// Prototypes compiled.
    pub compiled: u64,
    /// Prototypes the engine gave up on.
    pub gave_up: u64,
    /// Time spent compiling, in nanoseconds.
    pub compile_nanos: u64,
    /// Bytes of machine code.
    pub code_bytes: u64,
    /// Instructions compiled natively / handed to the interpreter, over all functions.
    pub native_instrs: u64,
    /// See `native_instrs`.
    pub exit_instrs: u64,
    /// Prototypes whose code was dropped because a site kept exiting (they stay
    /// interpreted until the next `jit.flush()`).
    pub blacklisted: u64,
    /// Prototypes dropped to be compiled again with a corrected speculation.
    pub respecialized: u64,
}

/// A JIT compiler the interpreter can drive (the root crate installs one).
pub trait JitEngine {
    /// Compiles one prototype (see the contract of [`JitFn`]); on failure returns the
    /// give-up message (already counted and, when verbose, reported).
    fn compile(&mut self, req: &CompileRequest<'_>) -> Result<JitFn, String>;
    /// Name and message of a status value (a row of the reason table).
    fn reason(&self, status: u32) -> (&'static str, &'static str);
    /// An exit site of `proto` at `pc` has been taken `count` times while the code was
    /// entered `entries` times (called at the `HOT_EXIT_MARKS`); says whether to keep
    /// the code, drop it for good (a guard that keeps failing, or yields that keep
    /// unwinding it: `status` is `STATUS_UNWIND` and `pc` the one after the yielding
    /// call) or recompile it with a corrected speculation (SPEC-HINTS).
    fn hot_exit(
        &mut self,
        proto: &Proto,
        pc: u32,
        status: u32,
        count: u32,
        entries: u32,
    ) -> ExitVerdict;
    /// Forgets all compiled code (`jit.flush()`); the interpreter stops using the code
    /// it holds at the same time. With `in_use`, compiled code is still running (a
    /// native function called from it flushed): the engine frees the machine code only
    /// at the next [`JitEngine::release`].
    fn flush(&mut self, in_use: bool);
    /// No compiled code is running any more: frees what a deferred flush kept.
    fn release(&mut self);
    /// A one-line-per-item summary of the run for `-jstats` (stderr).
    fn summary(&self, exits: &[u64]) -> String;
    /// Writes the bytecode, Cranelift IR and machine code of every function it compiles
    /// to stderr (`-jdump`).
    fn set_dump(&mut self, on: bool);
    /// Counters.
    fn stats(&self) -> JitStats;
    /// Turns the one-line-per-event report on stderr on or off (`-jv`).
    fn set_verbose(&mut self, on: bool);
    /// Version string (`jit.version`).
    fn version(&self) -> &'static str;
    /// Target architecture (`jit.arch`).
    fn arch(&self) -> &'static str;
    /// For tests and tools that know the concrete engine.
    fn as_any(&self) -> &dyn Any;
}

/// Default `-Ohotcall`: compile a function at this call.
pub const DEFAULT_HOTCALL: u32 = 100;
/// Default `-Ohotloop`: compile a function after this many loop back-edges.
pub const DEFAULT_HOTLOOP: u32 = 1000;
/// Exit counts of one site at which the engine hears about it (`hot_exit`).
pub const HOT_EXIT_MARKS: [u32; 3] = [1_000, 100_000, 10_000_000];

/// The JIT's part of `Lua`.
pub struct JitState {
    /// The engine, if one is installed.
    pub engine: Option<Box<dyn JitEngine>>,
    /// `-jon` / `-joff`, `jit.on()` / `jit.off()`.
    enabled: bool,
    /// `engine.is_some() && enabled`: the interpreter's one test. (While a debug hook
    /// is active, `Lua::hook_mask != 0`, compiled code is not entered either: HOOKS.)
    pub active: bool,
    /// A debug hook is set (`Lua::hook_mask != 0`, kept by `Lua::set_hook_mask`).
    hooked: bool,
    /// DIRECT-KEY (`jit_iface/direct.rs`): `generation << 32` while `active` and no
    /// hook, `NOT_LIVE` otherwise.
    pub direct_key: u64,
    /// Compile a function at this many calls (`-Ohotcall=N`).
    pub hotcall: u32,
    /// Compile a function after this many loop back-edges (`-Ohotloop=N`).
    pub hotloop: u32,
    /// Code of older generations is ignored (`jit.flush()`).
    pub generation: u32,
    /// Exits taken, by status (reason).
    pub exits: [u64; MAX_STATUS],
    /// Compiled activations entered by the interpreter (`jit_run`) now on the Rust
    /// stack; those called natively run inside them, so this is nonzero while any
    /// compiled code runs.
    pub native_frames: u32,
    /// Rust stack bytes nested compiled activations may use (NATIVE-STACK).
    pub stack_budget: usize,
    /// The lowest Rust stack address compiled code may run at (NATIVE-STACK): set when
    /// the first outermost activation starts (`stack_budget` below its frame), 0 while
    /// no compiled code runs. Below it no compiled code is entered: calls and returns
    /// stay in the interpreter, whose Lua-to-Lua calls use no Rust stack.
    pub stack_limit: usize,
    /// The lowest Rust stack address any compiled code may run at: `NATIVE_STACK_TOTAL`
    /// below the outermost activation (NATIVE-STACK).
    stack_floor: usize,
    /// An error (or yield) raised by a native function that compiled code called: the
    /// activations unwind (`STATUS_UNWIND`) and `jit_enter` returns it.
    pub pending: Option<LuaError>,
    /// A `jit.flush()` ran while compiled code was running: release the machine code
    /// when the last activation returns.
    flush_pending: bool,
    /// Calls made natively (compiled caller, compiled or native callee).
    pub native_calls: u64,
    /// Entries the interpreter left to itself: calls of short leaves (SHORT-LEAF).
    pub leaf_entries: u64,
    /// Machine code of the current generation (CODE-CACHE); created with the engine.
    ledger: Option<alloc::rc::Rc<CodeLedger>>,
    /// Cap on one generation's machine code in bytes (`-Omaxmcode`, in KiB there).
    pub code_limit: u64,
    /// Generations started because the previous one was full.
    full_flushes: u32,
    /// Generations started by `make_room` (dead code or a full generation).
    pub auto_flushes: u32,
    /// Why `make_room` last flushed.
    last_flush: Option<codecache::Flush>,
}

impl Default for JitState {
    fn default() -> Self {
        JitState {
            engine: None,
            enabled: true,
            active: false,
            hooked: false,
            direct_key: NOT_LIVE,
            hotcall: DEFAULT_HOTCALL,
            hotloop: DEFAULT_HOTLOOP,
            generation: 0,
            exits: [0; MAX_STATUS],
            native_frames: 0,
            stack_budget: NATIVE_STACK.load(Ordering::Relaxed),
            stack_limit: 0,
            stack_floor: 0,
            pending: None,
            flush_pending: false,
            native_calls: 0,
            leaf_entries: 0,
            ledger: None,
            code_limit: DEFAULT_CODE_LIMIT,
            full_flushes: 0,
            auto_flushes: 0,
            last_flush: None,
        }
    }
}

impl JitState {
    /// Installs an engine (the root crate's `jit` feature).
    pub fn install(&mut self, engine: Box<dyn JitEngine>) {
        self.engine = Some(engine);
        let ledger = CodeLedger::default();
        self.ledger = Some(alloc::rc::Rc::new(ledger));
        self.reset_ledger();
        self.update();
    }

    /// Turns compilation and the use of compiled code on or off.
    pub fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
        self.update();
    }

    /// Whether the JIT is on (`jit.status()`).
    pub fn enabled(&self) -> bool {
        self.enabled && self.engine.is_some()
    }

    /// Drops all compiled code (`jit.flush()`): every prototype's code becomes stale.
    pub fn flush(&mut self) {
        // `u32::MAX` is DIRECT-KEY's not-live generation.
        self.generation = (self.generation + 1) % u32::MAX;
        self.update();
        self.reset_ledger();
        let in_use = self.native_frames > 0;
        self.flush_pending |= in_use;
        if let Some(e) = self.engine.as_mut() {
            e.flush(in_use);
        }
    }

    /// Called when the outermost compiled activation returned: a deferred flush frees
    /// its machine code now.
    fn settle(&mut self) {
        if self.native_frames == 0 {
            self.stack_limit = 0;
        }
        if self.flush_pending && self.native_frames == 0 {
            self.flush_pending = false;
            if let Some(e) = self.engine.as_mut() {
                e.release();
            }
        }
    }

    /// A native function starts an interpreter loop (`Lua::drive`): while compiled code
    /// runs below, the loop's own compiled activations get a budget below here, not
    /// below the floor (NATIVE-STACK). Returns the limit to restore when the loop ends.
    pub(crate) fn nested_loop(&mut self) -> usize {
        let outer = self.stack_limit;
        if self.native_frames > 0 {
            self.stack_limit = stack_address()
                .saturating_sub(self.stack_budget)
                .max(self.stack_floor);
        }
        outer
    }

    /// True when compiled code may run at the current Rust stack depth: no compiled
    /// activation runs (`stack_limit` is 0), or the stack is above the limit
    /// (NATIVE-STACK).
    #[inline(always)]
    pub(crate) fn stack_ok(&self) -> bool {
        stack_address() >= self.stack_limit
    }

    /// A debug hook was set or removed (`Lua::set_hook_mask`).
    pub(crate) fn set_hooked(&mut self, on: bool) {
        self.hooked = on;
        self.update();
    }

    /// Recomputes `active` and `direct_key`.
    fn update(&mut self) {
        self.active = self.engine.is_some() && self.enabled;
        self.direct_key = direct::live_key(self.generation, self.active, self.hooked);
    }
}

/// The JIT's part of a prototype (`FnProto::jit`).
#[derive(Default)]
pub struct JitSlot {
    /// Compiled code, valid when `generation` is the state's.
    code: Cell<Option<JitFn>>,
    /// The engine gave up on this prototype (in `generation`).
    refused: Cell<bool>,
    /// Generation of `code` / `refused`.
    generation: Cell<u32>,
    /// Exits taken per pc (exit records are counted per site), allocated at compile.
    sites: core::cell::OnceCell<Box<[Cell<u32>]>>,
    /// Times the code was entered (by the interpreter or by a native call; 64 bits:
    /// compiled code adds one without a saturation test).
    entries: Cell<u64>,
    /// DIRECT-KEY: the code's generation and the fixed parameters, for compiled callers.
    key: DirectKey,
    /// The code's size, counted in its generation's ledger (CODE-CACHE).
    share: codecache::CodeShare,
    /// Speculation corrections for the next compile (SPEC-HINTS).
    hints: core::cell::RefCell<Vec<SpecHint>>,
    /// The code is a short leaf's: only compiled callers run it (SHORT-LEAF in
    /// `jit_iface/call.rs`).
    short_leaf: Cell<bool>,
    /// Yields through one call site by interpreted activations (YIELD-BLACKLIST in
    /// `jit_iface/yields.rs`).
    yields: yields::YieldCount,
    /// The callees' bytecode that code compiled for this prototype may test addresses
    /// against (LEAF-INLINE): every compile's, kept while the prototype lives, since an
    /// activation of older code may still run (a recursive caller, a flush).
    callees: Cell<Option<Box<[Rc<Proto>]>>>,
}

impl Drop for JitSlot {
    /// The prototype was collected: its code can never run again.
    fn drop(&mut self) {
        self.share.retire(self.generation.get());
    }
}

impl JitSlot {
    /// The code for generation `generation`, if compiled.
    #[inline(always)]
    pub fn code(&self, generation: u32) -> Option<JitFn> {
        if self.generation.get() == generation {
            self.code.get()
        } else {
            None
        }
    }

    /// True if the code is a short leaf's, which the interpreter runs itself
    /// (SHORT-LEAF in `jit_iface/call.rs`).
    #[inline(always)]
    pub fn short_leaf(&self) -> bool {
        self.short_leaf.get()
    }

    /// True if the engine gave up on this prototype in `generation`.
    #[inline]
    pub fn refused(&self, generation: u32) -> bool {
        self.generation.get() == generation && self.refused.get()
    }

    /// Records the outcome of a compile in `generation`.
    /// `params`: the fixed parameters, `None` for a vararg function (DIRECT-KEY).
    pub fn set(&self, generation: u32, code: Option<JitFn>, ncode: usize, params: Option<u32>) {
        // Code this replaces (a guard kept failing) can never run again.
        self.share.retire(self.generation.get());
        self.generation.set(generation);
        self.code.set(code);
        self.key.set(generation, code.is_some(), params);
        self.refused.set(code.is_none());
        if code.is_some() {
            let _ = self
                .sites
                .get_or_init(|| (0..ncode).map(|_| Cell::new(0)).collect());
        }
    }

    /// Keeps `callees` (see the field) along with those of earlier compiles.
    pub fn keep_callees(&self, callees: &[Option<Rc<Proto>>]) {
        if callees.iter().all(Option::is_none) {
            return;
        }
        let mut all = self.callees.take().map(Vec::from).unwrap_or_default();
        for c in callees.iter().flatten() {
            if !all.iter().any(|k| Rc::ptr_eq(k, c)) {
                all.push(c.clone());
            }
        }
        self.callees.set(Some(all.into_boxed_slice()));
    }

    /// Drops the code (not refused: it is compiled again when next hot) after adding
    /// `h` (replacing an older hint of its pc), and restarts the exit counts.
    pub fn respecialize(&self, h: SpecHint) {
        let mut hints = self.hints.borrow_mut();
        hints.retain(|o| o.pc != h.pc);
        hints.push(h);
        // The dropped code can never run again (CODE-CACHE).
        self.share.retire(self.generation.get());
        self.code.set(None);
        self.key.set(0, false, None);
        self.refused.set(false);
        for c in self.sites.get().into_iter().flat_map(|s| s.iter()) {
            c.set(0);
        }
    }

    /// Counts an exit at `pc`; returns the site's new count.
    #[inline]
    pub fn count_exit(&self, pc: usize) -> u32 {
        match self.sites.get().and_then(|s| s.get(pc)) {
            Some(c) => {
                let n = c.get().saturating_add(1);
                c.set(n);
                n
            }
            None => 0,
        }
    }

    /// Counts an entry into the code.
    #[inline(always)]
    pub fn count_entry(&self) {
        self.entries.set(self.entries.get().wrapping_add(1));
    }

    /// Times the code was entered so far (saturated to `u32`).
    pub fn entries(&self) -> u32 {
        u32::try_from(self.entries.get()).unwrap_or(u32::MAX)
    }

    /// DIRECT-KEY: the code's generation and fixed parameters.
    pub fn direct_key(&self) -> u64 {
        self.key.get()
    }

    /// Exits taken at `pc` so far.
    pub fn exits_at(&self, pc: usize) -> u32 {
        self.sites
            .get()
            .and_then(|s| s.get(pc))
            .map_or(0, Cell::get)
    }

    /// Exits taken at all sites so far.
    pub fn total_exits(&self) -> u64 {
        self.sites
            .get()
            .map_or(0, |s| s.iter().map(|c| c.get() as u64).sum())
    }
}

/// `jit_enter`'s answer when the frames changed under native calls: the interpreter
/// continues with the frame on top (NATIVE-CALLS).
pub const JIT_REDISPATCH: usize = usize::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a `T` at byte offset `off` of the box at `p`.
    ///
    /// # Safety
    /// `p + off` holds an initialised `T`.
    unsafe fn at<T: Copy>(p: *const u8, off: i32) -> T {
        // SAFETY: per the contract.
        unsafe { p.add(off as usize).cast::<T>().read_unaligned() }
    }

    #[test]
    fn upval_layout_matches_offsets() {
        use upval_offsets as u;
        let mut l = Lua::new();
        l.stack[3] = Value::Int(-77);
        let up = l.find_upval(3);
        let p = up.as_ptr().cast::<u8>();
        // SAFETY: the offsets lie inside the live upvalue box (UPVAL-LAYOUT), at
        // fields of the types read.
        unsafe {
            assert_eq!(at::<u8>(p, u::TAG), u::OPEN);
            assert_eq!(
                at::<usize>(p, u::SLOT),
                l.stack.as_ptr().wrapping_add(3).addr()
            );
        }
        // Moving the stack moves the slot with it (UPVAL-SLOT).
        l.resize_stack(100_000);
        // SAFETY: as above.
        unsafe {
            assert_eq!(
                at::<usize>(p, u::SLOT),
                l.stack.as_ptr().wrapping_add(3).addr()
            );
        }
        l.top = 4;
        l.close_upvals(0);
        // SAFETY: as above.
        unsafe {
            assert_eq!(at::<u8>(p, u::TAG), u::CLOSED);
            assert_eq!(at::<usize>(p, u::SLOT), p.addr() + u::CLOSED_VALUE as usize);
            assert!(matches!(at::<Value>(p, u::CLOSED_VALUE), Value::Int(-77)));
        }
        assert_ne!(u::OPEN, u::CLOSED);
    }

    /// The tag byte of a value, read the way compiled code reads it.
    fn tag_of(v: &Value) -> u8 {
        // SAFETY: `Value` is `#[repr(C, u8)]`: its first byte is the tag.
        unsafe { *(v as *const Value as *const u8) }
    }

    #[test]
    fn tags_match_the_value_layout() {
        assert_eq!(tag_of(&Value::Nil), tags::NIL);
        assert_eq!(tag_of(&Value::Bool(true)), tags::BOOL);
        assert_eq!(tag_of(&Value::Int(7)), tags::INT);
        assert_eq!(tag_of(&Value::Float(1.5)), tags::FLOAT);
        let mut l = Lua::new();
        let s = l.new_str(b"x");
        assert_eq!(tag_of(&s), tags::STR);
        let t = Value::Table(l.new_table(0, 0));
        assert_eq!(tag_of(&t), tags::TABLE);
        let ud = l.heap.alloc(crate::userdata::UserData {
            data: core::cell::RefCell::new(Box::new(())),
            metatable: Cell::new(None),
            user_values: core::cell::RefCell::new(alloc::vec::Vec::new()),
        });
        assert_eq!(tag_of(&Value::UserData(ud)), tags::USERDATA);
        let p = moonjet_compiler::compile(b"return 1", b"=t").expect("compiles");
        let f = l
            .closure_from_proto(alloc::rc::Rc::new(p), None)
            .expect("a closure");
        assert_eq!(tag_of(&f), tags::LUA_FN);
        let sqrt = Value::NativeFn(HELPERS.math_sqrt);
        assert_eq!(tag_of(&sqrt), tags::NATIVE_FN);
        // SAFETY: payload at offset 8 (abi::value_offsets): the function's address.
        let addr = unsafe { *((&sqrt as *const Value as *const u8).add(8) as *const usize) };
        assert_eq!(addr, HELPERS.math_sqrt as usize);
        let v = Value::Int(-5);
        // SAFETY: payload at offset 8 (abi::value_offsets).
        let p = unsafe { *((&v as *const Value as *const u8).add(8) as *const i64) };
        assert_eq!(p, -5);
        let b = Value::Bool(true);
        // SAFETY: as above; a bool payload is one byte.
        assert_eq!(unsafe { *((&b as *const Value as *const u8).add(8)) }, 1);
    }

    #[test]
    fn mixed_comparisons_are_exact() {
        let big = (1i64 << 53) + 1;
        assert_eq!(
            h_cmp_mixed(MixedCmp::Eq as u32, big, (1i64 << 53) as f64),
            0
        );
        assert_eq!(
            h_cmp_mixed(MixedCmp::IntLtFloat as u32, big, (1i64 << 53) as f64),
            0
        );
        assert_eq!(h_cmp_mixed(MixedCmp::FloatLtInt as u32, 1, 0.5), 1);
        assert_eq!(h_cmp_mixed(MixedCmp::IntLeFloat as u32, 1, f64::NAN), 0);
        assert_eq!(h_fmod(-1.0, f64::INFINITY), f64::INFINITY);
    }

    #[test]
    fn table_offsets_read_the_fields() {
        let mut l = Lua::new();
        let h = l.new_table(4, 4);
        let key = l.intern(b"k");
        h.set_str(&mut l.heap, key, Value::Int(1));
        let base = h.as_ptr() as *const u8;
        // SAFETY: the offsets are inside the live table's box (this test pins them).
        unsafe {
            let rd = |off: i32| *(base.add(off as usize) as *const usize);
            let rd32 = |off: i32| *(base.add(off as usize) as *const u32) as usize;
            assert_eq!(rd(table_offsets::ARR), h.array_ptr() as usize);
            assert_eq!(rd32(table_offsets::ARR_LEN), h.array_len());
            assert_eq!(rd(table_offsets::NODES), h.node_ptr() as usize);
            assert_eq!(rd32(table_offsets::NODE_CAP), h.node_cap());
            assert_eq!(rd(table_offsets::METATABLE), 0);
            let mt = l.new_table(0, 0);
            h.set_metatable(Some(mt));
            assert_eq!(rd(table_offsets::METATABLE), mt.as_ptr() as usize);
            let kp = key.as_ptr() as *const u8;
            assert_eq!(
                *(kp.add(str_offsets::HASH as usize) as *const u32),
                key.hash()
            );
            assert_eq!(*base.add(table_offsets::HAS_STATIC as usize), 0);
        }
    }

    #[test]
    fn state_offsets_read_the_index_name() {
        let mut l = Lua::new();
        let at = |l: &Lua| {
            let p = l as *const Lua as *const u8;
            // SAFETY: the offset is inside the state (this test pins it); the field is
            // a nullable pointer.
            unsafe { *(p.add(state_offsets::INDEX_NAME as usize) as *const usize) }
        };
        let before = l.tm_names.get(crate::vm::meta::Tm::Index);
        assert_eq!(at(&l), before.map_or(0, |s| s.as_ptr() as usize));
        let name = l.intern_tm_name(crate::vm::meta::Tm::Index);
        assert_eq!(at(&l), name.as_ptr() as usize);
        assert_eq!(name.as_bytes(), b"__index");
        l.open_base();
        let g = l.globals;
        assert!(g.has_static_part(), "the base library is a static part");
        let flag = |h: crate::gc::Gc<crate::table::Table>| {
            // SAFETY: the offset is inside the live table's box; the field is a bool.
            unsafe { *(h.as_ptr() as *const u8).add(table_offsets::HAS_STATIC as usize) }
        };
        assert_eq!(flag(g), 1);
        g.materialize(&mut l.heap);
        assert_eq!(flag(g), 0);
    }

    #[test]
    fn slot_generations() {
        let s = JitSlot::default();
        assert!(s.code(0).is_none() && !s.refused(0));
        assert_eq!(s.direct_key(), u64::MAX, "no code: no key");
        s.set(0, None, 3, Some(2));
        assert!(s.refused(0) && !s.refused(1));
        assert_eq!(s.direct_key(), u64::MAX, "refused: no key");
        assert_eq!(
            s.count_exit(1),
            0,
            "no counters before a successful compile"
        );
    }
}
