//! Functions: runtime prototypes, Lua closures, native functions and upvalues.

use alloc::boxed::Box;
use alloc::rc::Rc;
use core::cell::{Cell, OnceCell};
use core::ptr::NonNull;

use moonjet_bytecode::chunk::ChunkFn;
use moonjet_bytecode::{Instruction, Proto};

use crate::error::LuaResult;
use crate::gc::{box_layout, tail_of, Gc, GcObject, Heap, Marker, ObjKind};
use crate::state::Lua;
use crate::thread::Thread;
use crate::value::Value;

/// A Rust function callable from Lua.
///
/// Calling convention (anchor: NATIVE-CALL): the arguments are the values of the
/// current frame, read with `Lua::arg`/`Lua::arg_count`; the function pushes its
/// results with `Lua::push` and returns how many it pushed (the topmost ones are the
/// results). Errors are returned, never panicked.
pub type NativeFn = fn(&mut Lua) -> LuaResult<usize>;

/// Where the nested functions of a runtime prototype are built from.
pub enum Nested {
    /// `proto.protos` (compiled or copied prototypes).
    Protos,
    /// The records of a chunk used in place; `proto.protos` is empty (see
    /// `ChunkFn::proto`).
    Chunk(ChunkFn),
}

/// One lazily filled slot per nested function.
type Slots = Box<[Cell<Option<Gc<FnProto>>>]>;

/// A prototype as the interpreter runs it: the bytecode plus what the runtime adds
/// (constants as values, nested runtime prototypes, hotness counters). Everything the
/// interpreter or the JIT writes lives here, never in the (possibly read-only) `Proto`.
///
/// Made lazily (anchor LAZY-PROTO): a function's runtime prototype is built the first
/// time a closure of it is made (`Lua::nested_closure`), not when its chunk is loaded, so
/// loading a chunk in place costs only its main function.
pub struct FnProto {
    /// The compiled function. For a function of a chunk used in place this is a view
    /// built for it alone: code, line info and string bytes borrowed from the chunk, and
    /// `protos` empty (nested functions come from [`FnProto::nested`]).
    pub proto: Rc<Proto>,
    /// `proto.constants` turned into values (strings interned). Never replaced, so
    /// `consts_ptr` stays its address.
    pub(crate) consts: Box<[Value]>,
    /// `consts.as_ptr()`, for compiled code's direct calls (DIRECT-CALL in
    /// `jit_iface/direct.rs`), which cannot read a boxed slice's address.
    pub(crate) consts_ptr: *const Value,
    /// Where the nested functions come from.
    pub nested: Nested,
    /// Runtime prototypes of the nested functions made so far, in `CLOSURE` index order;
    /// the slots are allocated when the first is made.
    slots: OnceCell<Slots>,
    /// Hotness: number of calls.
    pub calls: Cell<u32>,
    /// Hotness: number of loop back-edges taken.
    pub backedges: Cell<u32>,
    /// `proto.code`'s elements, cached so entering a frame does not go through `Buf`.
    pub(crate) code_ptr: *const Instruction,
    /// `proto.code.len()`.
    code_len: usize,
    /// `proto.max_stack` (frame size).
    pub max_stack: u32,
    /// `proto.num_params`.
    pub num_params: u32,
    /// `proto.is_vararg`.
    pub is_vararg: bool,
    /// Compiled code and exit counts (see JIT-ENTRY in `jit_iface.rs`).
    pub jit: crate::jit_iface::JitSlot,
}

impl FnProto {
    /// The runtime prototype of `proto` with its constants; nested functions come from
    /// `nested` when first needed.
    pub fn new(proto: Rc<Proto>, consts: Box<[Value]>, nested: Nested) -> FnProto {
        let code: &[Instruction] = &proto.code;
        let (code_ptr, code_len) = (code.as_ptr(), code.len());
        let consts_ptr = consts.as_ptr();
        FnProto {
            max_stack: proto.max_stack as u32,
            num_params: proto.num_params as u32,
            is_vararg: proto.is_vararg,
            proto,
            consts,
            consts_ptr,
            nested,
            slots: OnceCell::new(),
            calls: Cell::new(0),
            backedges: Cell::new(0),
            code_ptr,
            code_len,
            jit: Default::default(),
        }
    }

    /// The constants, as values.
    #[inline(always)]
    pub fn consts(&self) -> &[Value] {
        &self.consts
    }

    /// The instructions.
    #[inline(always)]
    pub fn code(&self) -> &[Instruction] {
        // SAFETY: `code_ptr`/`code_len` were taken from `self.proto.code`, which `self`
        // keeps alive through its `Rc<Proto>`; `Proto` is immutable behind the `Rc` and
        // every `Buf` variant keeps its elements at a fixed address for its whole life
        // (a boxed slice, static memory, or an `Rc`-owned backing).
        unsafe { core::slice::from_raw_parts(self.code_ptr, self.code_len) }
    }

    /// Number of nested functions (`CLOSURE` indices are below it, V-PROTO).
    pub fn n_nested(&self) -> usize {
        match &self.nested {
            Nested::Protos => self.proto.protos.len(),
            Nested::Chunk(f) => f.n_protos(),
        }
    }

    /// The runtime prototype of nested function `i`, if it has been made.
    pub fn nested_made(&self, i: usize) -> Option<Gc<FnProto>> {
        self.slots.get()?.get(i)?.get()
    }

    /// Records the runtime prototype of nested function `i`; returns the bytes newly
    /// allocated for the slots (for the collector's accounting).
    pub(crate) fn set_nested(&self, i: usize, fp: Gc<FnProto>) -> usize {
        let mut grew = 0;
        let slots = self.slots.get_or_init(|| {
            let n = self.n_nested();
            grew = n * core::mem::size_of::<Cell<Option<Gc<FnProto>>>>();
            (0..n).map(|_| Cell::new(None)).collect()
        });
        if let Some(slot) = slots.get(i) {
            slot.set(Some(fp));
        }
        grew
    }

    /// The binary chunk of this function and its nested functions (`string.dump`).
    pub fn dump(&self, strip: bool) -> alloc::vec::Vec<u8> {
        match &self.nested {
            Nested::Protos => moonjet_bytecode::chunk::dump(&self.proto, strip),
            Nested::Chunk(f) => moonjet_bytecode::chunk::dump(&f.to_proto(), strip),
        }
    }
}

impl GcObject for FnProto {
    const KIND: ObjKind = ObjKind::Proto;
    fn trace(&self, m: &mut Marker) {
        for v in self.consts.iter() {
            m.mark_value(v);
        }
        for p in self.slots.get().into_iter().flatten() {
            if let Some(p) = p.get() {
                m.mark(p);
            }
        }
    }
    fn extra_bytes(&self) -> usize {
        self.consts.len() * core::mem::size_of::<Value>()
            + self.slots.get().map_or(0, |s| {
                s.len() * core::mem::size_of::<Cell<Option<Gc<FnProto>>>>()
            })
    }
}

/// A Lua function value: a prototype and its upvalues.
pub struct LuaClosure {
    /// The function's code.
    pub proto: Gc<FnProto>,
    /// One cell per upvalue descriptor of the prototype (replaceable:
    /// `debug.upvaluejoin`). They live in the object's tail (`Heap::alloc_with`).
    pub upvals: UpvalCells,
}

/// The upvalue cells of a Lua closure: a slice in the closure's own block.
pub struct UpvalCells {
    /// First cell (dangling when there are none); a raw pointer taken from the block
    /// at allocation, so it carries the whole block's provenance.
    ptr: NonNull<Cell<Gc<UpVal>>>,
    /// Number of cells.
    len: usize,
}

impl core::ops::Deref for UpvalCells {
    type Target = [Cell<Gc<UpVal>>];
    #[inline(always)]
    fn deref(&self) -> &[Cell<Gc<UpVal>>] {
        // SAFETY: `ptr` points to `len` initialised cells in the closure's block
        // (written by `ClosureBuilder` before the closure was linked), which lives as
        // long as the closure (GC-INVARIANT); cells are only mutated through `Cell`.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl GcObject for LuaClosure {
    const KIND: ObjKind = ObjKind::LuaClosure;
    fn trace(&self, m: &mut Marker) {
        m.mark(self.proto);
        for u in self.upvals.iter() {
            m.mark(u.get());
        }
    }
    fn tail_bytes(&self) -> usize {
        self.upvals.len * core::mem::size_of::<Cell<Gc<UpVal>>>()
    }
}

/// A Lua closure under construction: its block is allocated, its upvalue cells are
/// filled one by one (`push`), and `finish` links it into the heap. No collection can
/// happen in between (GC-INVARIANT: only at safepoints), so the cells may be found or
/// created with further allocations meanwhile.
pub(crate) struct ClosureBuilder {
    /// The unlinked block (`box_layout::<LuaClosure>(tail)`).
    block: NonNull<u8>,
    /// The prototype.
    proto: Gc<FnProto>,
    /// Cells wanted (the prototype's upvalue count).
    len: usize,
    /// Cells written so far.
    filled: usize,
}

impl ClosureBuilder {
    /// Writes the next upvalue cell (ignored beyond the prototype's count).
    #[inline]
    pub(crate) fn push(&mut self, u: Gc<UpVal>) {
        if self.filled < self.len {
            // SAFETY: `filled < len`, so the cell lies in the block's tail, which is
            // sized for `len` cells and aligned for them (box sizes are multiples of
            // the box's alignment, which is at least a pointer's).
            unsafe { self.cells().add(self.filled).write(Cell::new(u)) };
            self.filled += 1;
        }
    }

    /// The first cell of the tail.
    #[inline(always)]
    fn cells(&self) -> *mut Cell<Gc<UpVal>> {
        tail_of::<LuaClosure>(self.block).as_ptr().cast()
    }

    /// Links the closure; cells not pushed get fresh closed upvalues holding nil.
    pub(crate) fn finish(mut self, heap: &mut Heap) -> Gc<LuaClosure> {
        while self.filled < self.len {
            let u = heap.new_closed_upval(Value::Nil);
            self.push(u);
        }
        let value = LuaClosure {
            proto: self.proto,
            upvals: UpvalCells {
                // SAFETY: the tail address of a live block is not null.
                ptr: unsafe { NonNull::new_unchecked(self.cells()) },
                len: self.len,
            },
        };
        // SAFETY: the block came from the pool with the layout for `len` cells, all of
        // which are written.
        unsafe { heap.link_block(self.block, value) }
    }
}

impl Heap {
    /// Starts a closure of `proto` with one cell per upvalue descriptor.
    #[inline]
    pub(crate) fn closure_builder(&mut self, proto: Gc<FnProto>) -> ClosureBuilder {
        let len = proto.proto.upvalues.len();
        let tail = len * core::mem::size_of::<Cell<Gc<UpVal>>>();
        ClosureBuilder {
            block: self.pool.alloc(box_layout::<LuaClosure>(tail)),
            proto,
            len,
            filled: 0,
        }
    }

    /// A closure of `proto` with these upvalue cells (extra ones ignored, missing ones
    /// fresh and nil).
    pub fn new_lua_closure(&mut self, proto: Gc<FnProto>, ups: &[Gc<UpVal>]) -> Gc<LuaClosure> {
        let mut b = self.closure_builder(proto);
        for &u in ups {
            b.push(u);
        }
        b.finish(self)
    }
}

/// A Rust function with upvalues (values it carries from creation).
pub struct NativeClosure {
    /// The code.
    pub func: NativeFn,
    /// Its upvalues, readable and writable by the function through `Lua`.
    pub upvals: Box<[Cell<Value>]>,
}

impl GcObject for NativeClosure {
    const KIND: ObjKind = ObjKind::NativeClosure;
    fn trace(&self, m: &mut Marker) {
        for u in self.upvals.iter() {
            m.mark_value(&u.get());
        }
    }
    fn extra_bytes(&self) -> usize {
        self.upvals.len() * core::mem::size_of::<Value>()
    }
}

/// Where an upvalue's value lives.
///
/// `#[repr(C, u8)]` (anchor UPVAL-LAYOUT): a tag byte ([`UpState::OPEN`] or
/// [`UpState::CLOSED`]) then, at offset 8, the variant's fields in declaration order, so
/// compiled code can read an upvalue inline (`jit_iface::upval_offsets`, pinned by the
/// assertions below and the test `upval_layout_matches_offsets`).
#[derive(Clone, Copy)]
#[repr(C, u8)]
pub enum UpState {
    /// Still a register: slot `index` of `thread`'s value stack.
    Open {
        /// The thread whose stack holds the variable.
        thread: Gc<Thread>,
        /// Absolute stack index.
        index: usize,
    } = 0,
    /// The variable's frame has ended; the value lives here.
    Closed(Value) = 1,
}

impl UpState {
    /// The tag byte of `Open`.
    pub const OPEN: u8 = 0;
    /// The tag byte of `Closed`.
    pub const CLOSED: u8 = 1;
}

/// The layout `#[repr(C, u8)]` gives `UpState::Open` (a `repr(C)` struct of the tag
/// and the variant's fields); only measured with `offset_of!`, never built.
#[repr(C)]
#[allow(dead_code, reason = "a layout measured by offset_of!, never built")]
struct OpenLayout {
    /// The tag.
    tag: u8,
    /// `Open::thread`.
    thread: Gc<Thread>,
    /// `Open::index`.
    index: usize,
}

/// The layout `#[repr(C, u8)]` gives `UpState::Closed`; only measured, never built.
#[repr(C)]
#[allow(dead_code, reason = "a layout measured by offset_of!, never built")]
struct ClosedLayout {
    /// The tag.
    tag: u8,
    /// `Closed.0`.
    value: Value,
}

/// Byte offsets of the upvalue objects for compiled code (UPVAL-LAYOUT), exported by
/// `jit_iface::upval_offsets`.
pub(crate) mod layout {
    use super::{ClosedLayout, LuaClosure, OpenLayout, UpState, UpVal, UpvalCells};
    use crate::gc::{Gc, GcBox, GcHeader};
    use crate::thread::Thread;
    use core::cell::Cell;
    use core::mem::{offset_of, size_of};

    /// `LuaClosure::upvals`' first-cell pointer, from the closure value.
    pub const CELLS: usize = offset_of!(LuaClosure, upvals) + offset_of!(UpvalCells, ptr);
    /// `LuaClosure::upvals`' cell count (`usize`), from the closure value.
    pub const CELLS_LEN: usize = offset_of!(LuaClosure, upvals) + offset_of!(UpvalCells, len);
    /// Bytes per cell (one `Gc<UpVal>`: the address of the upvalue's box).
    pub const CELL_SIZE: usize = size_of::<Cell<Gc<UpVal>>>();
    /// The collector's mark byte (`GcHeader::mark`), from the upvalue's box.
    pub const MARK: usize = offset_of!(GcBox<UpVal>, header) + offset_of!(GcHeader, mark);
    /// `UpVal::slot` (`*mut Value`, UPVAL-SLOT), from the upvalue's box.
    pub const SLOT: usize = offset_of!(GcBox<UpVal>, value) + offset_of!(UpVal, slot);
    /// The state, from the upvalue's box.
    const STATE: usize = offset_of!(GcBox<UpVal>, value) + offset_of!(UpVal, state);
    /// The tag byte of the state, from the upvalue's box.
    pub const TAG: usize = STATE;
    /// `Closed.0` (a `Value`), from the upvalue's box.
    pub const CLOSED_VALUE: usize = STATE + offset_of!(ClosedLayout, value);

    // The state keeps its size (24 bytes, as before the `repr`), handles are one
    // pointer, and the cells are what the loads above assume.
    const _: () = assert!(size_of::<UpState>() == 24);
    const _: () = assert!(size_of::<UpState>() == size_of::<ClosedLayout>());
    const _: () = assert!(size_of::<UpState>() == size_of::<OpenLayout>());
    const _: () = assert!(size_of::<Gc<UpVal>>() == size_of::<usize>());
    const _: () = assert!(size_of::<Gc<Thread>>() == size_of::<usize>());
    const _: () = assert!(CELL_SIZE == size_of::<usize>());
    const _: fn(&UpvalCells) -> &usize = |c| &c.len;
}

/// A variable captured by closures, shared between them.
///
/// `slot` (anchor: UPVAL-SLOT) is where the value is now, whatever the state: the
/// stack slot of an open upvalue (its thread's stack at `index`), or the value inside
/// `state` once closed. Readers and writers go through it with no look at the state
/// (GETUPVAL is one load of `slot` and a copy, in the interpreter and in compiled
/// code). What keeps it true:
/// - an upvalue is made only by [`Heap::new_closed_upval`] and [`UpVal::open`] with
///   `Self::set_open_slot` (both set the slot as soon as the box is in place);
/// - closing goes through [`UpVal::close`], which moves the value in and points the
///   slot at it; nothing else sets `state`;
/// - the box never moves (GC objects stay where they were allocated);
/// - a thread's stack moves only when it is resized, always through
///   `Lua::resize_stack`, which re-points the slot of every open upvalue of that
///   thread (they are all in its `open_upvals`, and only the running thread's stack is
///   resized). A suspended thread's stack does not move, so another thread may read
///   and write its open upvalues through their slots.
#[repr(C)]
pub struct UpVal {
    /// Where the value is now (see above).
    slot: Cell<*mut Value>,
    /// Open or closed state.
    state: Cell<UpState>,
}

impl UpVal {
    /// An open upvalue for slot `index` of `thread`'s stack; its slot is null until
    /// [`Self::set_open_slot`], which the caller runs once the box is allocated.
    pub(crate) fn open(thread: Gc<Thread>, index: usize) -> Self {
        UpVal {
            slot: Cell::new(core::ptr::null_mut()),
            state: Cell::new(UpState::Open { thread, index }),
        }
    }

    /// The state.
    #[inline(always)]
    pub fn state(&self) -> UpState {
        self.state.get()
    }

    /// Whether the upvalue is closed (its value in the box, a heap object).
    #[inline(always)]
    pub fn is_closed(&self) -> bool {
        matches!(self.state.get(), UpState::Closed(_))
    }

    /// Where the value is now (UPVAL-SLOT): valid for reads and writes of one `Value`
    /// until the upvalue is closed or its thread's stack resized.
    #[inline(always)]
    pub fn slot(&self) -> *mut Value {
        self.slot.get()
    }

    /// Points an open upvalue's slot at `slot`, the address of its stack index in its
    /// thread's stack (creation, and `Lua::resize_stack` after the stack moved).
    #[inline(always)]
    pub(crate) fn set_open_slot(&self, slot: *mut Value) {
        self.slot.set(slot);
    }

    /// Closes the upvalue with value `v` (the value of its slot when its frame ends):
    /// the value moves into the box and the slot points at it.
    #[inline]
    pub(crate) fn close(&self, v: Value) {
        self.state.set(UpState::Closed(v));
        self.point_at_closed();
    }

    /// Points the slot at the closed value inside `state` (UPVAL-SLOT).
    #[inline(always)]
    fn point_at_closed(&self) {
        // `Closed.0` lies at `ClosedLayout::value` inside the state (UPVAL-LAYOUT);
        // the address stays valid as long as the box, which never moves.
        let at = self.state.as_ptr().cast::<u8>();
        let at = at.wrapping_add(core::mem::offset_of!(ClosedLayout, value));
        self.slot.set(at.cast::<Value>());
    }
}

impl Heap {
    /// A closed upvalue holding `v`, its slot pointing at the value (UPVAL-SLOT).
    pub(crate) fn new_closed_upval(&mut self, v: Value) -> Gc<UpVal> {
        let u = self.alloc(UpVal {
            slot: Cell::new(core::ptr::null_mut()),
            state: Cell::new(UpState::Closed(v)),
        });
        u.point_at_closed();
        u
    }
}

impl GcObject for UpVal {
    const KIND: ObjKind = ObjKind::UpVal;
    fn trace(&self, m: &mut Marker) {
        match self.state.get() {
            UpState::Open { thread, .. } => m.mark(thread),
            UpState::Closed(v) => m.mark_value(&v),
        }
    }
}
