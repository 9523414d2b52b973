//! The garbage-collected heap: object headers, typed handles (`Gc<T>`), allocation and
//! the list of every object the collector sweeps.
//!
//! # The GC invariant (anchor: GC-INVARIANT)
//! A `Gc<T>` is a plain pointer to a heap object. It is valid as long as the object is
//! alive, and the collector frees only objects that are unreachable from the roots (the
//! stacks of all threads, the registry, the globals, open upvalues, the string and type
//! metatables). The collector runs only at explicit safepoints (`Lua::gc_check`), never
//! inside an allocation. So a `Gc<T>` held in a Rust local is valid until the next
//! safepoint; Rust code that keeps one across a call into Lua (which may reach a
//! safepoint) must keep it reachable, e.g. on the Lua stack. Every `Deref` of a `Gc<T>`
//! relies on this; the heap is single-threaded (`Gc<T>` is neither `Send` nor `Sync`).

use alloc::alloc::Layout;
use alloc::vec::Vec;
use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::string::{LuaStr, StrTable};
use crate::table::Table;
use crate::value::Value;

mod collector;
mod pool;

pub(crate) use collector::GcState;
pub use pool::Pool;
pub(crate) use pool::MAX_SMALL;

/// Which concrete type a heap object has (stored in its header for the sweeper).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ObjKind {
    /// `string::LuaStr`
    Str,
    /// `table::Table`
    Table,
    /// `func::LuaClosure`
    LuaClosure,
    /// `func::NativeClosure`
    NativeClosure,
    /// `func::UpVal`
    UpVal,
    /// `func::FnProto`
    Proto,
    /// `userdata::UserData`
    UserData,
    /// `thread::Thread`
    Thread,
}

/// Header in front of every heap object.
#[repr(C)]
pub struct GcHeader {
    /// Next object in the heap's list of all objects.
    pub(crate) next: Cell<Option<NonNull<GcHeader>>>,
    /// Concrete type.
    pub(crate) kind: ObjKind,
    /// Collector colour / flags (owned by the collector).
    pub(crate) mark: Cell<u8>,
}

/// A heap object: header then value. `#[repr(C)]` so a header pointer is also a pointer
/// to the box.
#[repr(C)]
pub struct GcBox<T> {
    pub(crate) header: GcHeader,
    pub(crate) value: T,
}

/// A handle to a heap object (see GC-INVARIANT in this file).
pub struct Gc<T> {
    ptr: NonNull<GcBox<T>>,
    _marker: PhantomData<*const T>,
}

impl<T> Clone for Gc<T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Gc<T> {}

impl<T> PartialEq for Gc<T> {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}
impl<T> Eq for Gc<T> {}

impl<T> core::hash::Hash for Gc<T> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.ptr.hash(state)
    }
}

impl<T> core::ops::Deref for Gc<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: GC-INVARIANT: a reachable handle points to a live, initialised GcBox
        // that the collector has not freed; only shared references are handed out.
        unsafe { &self.ptr.as_ref().value }
    }
}

impl<T> Gc<T> {
    /// The object's address, as `tostring` shows it.
    #[inline]
    pub fn addr(self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// The object's header.
    #[inline]
    pub(crate) fn header(&self) -> &GcHeader {
        // SAFETY: GC-INVARIANT: the object is alive while a reachable handle exists.
        unsafe { &self.ptr.as_ref().header }
    }

    /// Raw pointer to the boxed object (for the JIT's ABI and the collector).
    #[inline]
    pub fn as_ptr(self) -> *const GcBox<T> {
        self.ptr.as_ptr()
    }

    /// Rebuilds a handle from a header pointer of the right kind.
    ///
    /// # Safety
    /// `h` must point to the header of a live `GcBox<T>`.
    #[inline]
    pub(crate) unsafe fn from_header(h: NonNull<GcHeader>) -> Gc<T> {
        Gc {
            ptr: h.cast(),
            _marker: PhantomData,
        }
    }
}

/// Implemented by every type that lives on the GC heap.
pub trait GcObject: Sized {
    /// The header tag for this type.
    const KIND: ObjKind;
    /// Reports every handle this object holds to the marker.
    fn trace(&self, m: &mut Marker);
    /// Bytes owned outside the box (buffers), for GC pacing.
    fn extra_bytes(&self) -> usize {
        0
    }
    /// Bytes allocated right after the box, in the same block (see `Heap::alloc_with`):
    /// a string's bytes, a closure's upvalue cells.
    fn tail_bytes(&self) -> usize {
        0
    }
    /// Gives back the buffers this object allocated from the heap's pool (called by
    /// the collector just before the object is dropped and freed).
    fn release(&self, _pool: &mut Pool) {}
    /// Drops what the object keeps in its tail beyond plain bytes (a string's hold on
    /// the backing of its bytes, STR-STORAGE); called by the collector just before the
    /// object is dropped and freed.
    ///
    /// # Safety
    /// `tail` is the tail of this object's block (`tail_of`); the object is freed right
    /// after and this is called once.
    unsafe fn drop_tail(&self, _tail: NonNull<u8>) {}
}

/// The block layout of a `GcBox<T>` followed by `tail` bytes.
#[inline(always)]
pub(crate) fn box_layout<T>(tail: usize) -> Layout {
    let size = core::mem::size_of::<GcBox<T>>() + tail;
    Layout::from_size_align(size, core::mem::align_of::<GcBox<T>>())
        .unwrap_or_else(|_| alloc::alloc::handle_alloc_error(Layout::new::<GcBox<T>>()))
}

/// The tail of a block laid out by `box_layout::<T>`.
#[inline(always)]
pub(crate) fn tail_of<T>(block: NonNull<u8>) -> NonNull<u8> {
    // SAFETY: the block is at least `size_of::<GcBox<T>>()` bytes long, so the result
    // is in bounds or one past the end.
    unsafe { block.add(core::mem::size_of::<GcBox<T>>()) }
}

/// Bytes an object accounts for: its block (box and tail) plus its buffers.
#[inline(always)]
pub(crate) fn obj_bytes<T: GcObject>(v: &T) -> usize {
    core::mem::size_of::<GcBox<T>>() + v.tail_bytes() + v.extra_bytes()
}

// ------------------------------------------------------------------------ colours

// Header mark bits (anchor: GC-COLOURS). Tri-colour marking with two whites, so the
// sweeper can tell "dead this cycle" (the old white) from "allocated since the atomic
// phase" (the current white):
//   white: one of WHITE0/WHITE1 set -- not (yet) reached;
//   gray:  no colour bit -- reached, its children not yet traversed (on a gray list);
//   black: BLACK -- reached and traversed (strings go white -> black directly).
/// First white.
pub(crate) const WHITE0: u8 = 1;
/// Second white.
pub(crate) const WHITE1: u8 = 2;
/// Both whites.
pub(crate) const WHITES: u8 = WHITE0 | WHITE1;
/// Black: reached and traversed.
pub(crate) const BLACK: u8 = 4;
/// All colour bits.
pub(crate) const COLOURS: u8 = WHITES | BLACK;
/// The object is registered for finalization (its metatable had `__gc`).
pub(crate) const FINOBJ: u8 = 8;

impl GcHeader {
    /// Not yet reached in this cycle.
    #[inline(always)]
    pub(crate) fn is_white(&self) -> bool {
        self.mark.get() & WHITES != 0
    }
    /// Reached and traversed.
    #[inline(always)]
    pub(crate) fn is_black(&self) -> bool {
        self.mark.get() & BLACK != 0
    }
    /// Replaces the colour bits, keeping the flags.
    #[inline(always)]
    pub(crate) fn set_colour(&self, c: u8) {
        self.mark.set((self.mark.get() & !COLOURS) | c)
    }
}

// ------------------------------------------------------------------------- marker

/// The collector's marking state, handed to every `GcObject::trace`: the gray worklists,
/// the work counter that paces incremental steps, and the weak tables found so far.
#[derive(Default)]
pub struct Marker {
    /// Gray objects waiting to be traversed.
    pub(crate) gray: Vec<NonNull<GcHeader>>,
    /// Objects to traverse again in the atomic phase (threads, weak tables, tables hit
    /// by the backward write barrier).
    pub(crate) grayagain: Vec<NonNull<GcHeader>>,
    /// Work done so far (bytes traversed), for pacing.
    pub(crate) work: usize,
    /// Objects turned from white to gray or black (tells the ephemeron loop it progressed).
    pub(crate) marked: usize,
    /// True inside the atomic phase: weak tables are classified instead of deferred.
    pub(crate) atomic: bool,
    /// Tables with weak values only (cleared by value).
    pub(crate) weak: Vec<Gc<Table>>,
    /// Tables with weak keys only (ephemerons).
    pub(crate) ephemeron: Vec<Gc<Table>>,
    /// Tables with weak keys and weak values.
    pub(crate) allweak: Vec<Gc<Table>>,
    /// The interned `"__mode"` (set when the heap is created).
    pub(crate) mode_name: Option<Gc<LuaStr>>,
}

impl Marker {
    /// Marks an object reachable and queues it for traversal.
    #[inline]
    pub fn mark<T>(&mut self, g: Gc<T>) {
        let h = g.header();
        if h.is_white() {
            self.mark_header(NonNull::from(h));
        }
    }

    /// Marks the object a value refers to, if any.
    #[inline]
    pub fn mark_value(&mut self, v: &Value) {
        match *v {
            Value::Str(g) => self.mark(g),
            Value::Table(g) => self.mark(g),
            Value::LuaFn(g) => self.mark(g),
            Value::NativeClosure(g) => self.mark(g),
            Value::UserData(g) => self.mark(g),
            Value::Thread(g) => self.mark(g),
            Value::Nil
            | Value::Bool(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::NativeFn(_)
            | Value::LightUserData(_) => {}
        }
    }

    /// White to gray (queued), or straight to black for strings, which hold no handles.
    fn mark_header(&mut self, h: NonNull<GcHeader>) {
        // SAFETY: GC-INVARIANT: `h` comes from a live handle.
        let hd = unsafe { h.as_ref() };
        self.marked += 1;
        if hd.kind == ObjKind::Str {
            hd.set_colour(BLACK);
            // SAFETY: the header says this box holds a `LuaStr`.
            let s: Gc<LuaStr> = unsafe { Gc::from_header(h) };
            self.work += obj_bytes(&*s);
        } else {
            hd.set_colour(0);
            self.gray.push(h);
        }
    }
}

// --------------------------------------------------------------------------- heap

/// Allocation bookkeeping, the list of all objects, the string table and the
/// collector's state.
pub struct Heap {
    /// Head of the list of every object.
    pub(crate) all: Option<NonNull<GcHeader>>,
    /// Bytes currently allocated (boxes plus their extra bytes), as last accounted.
    pub(crate) bytes: usize,
    /// The next collector step is due when `bytes` reaches this.
    pub(crate) threshold: usize,
    /// Number of live objects (for leak tests and statistics).
    pub(crate) objects: usize,
    /// The interned strings (a weak set: the sweeper removes dead ones).
    pub(crate) strings: StrTable,
    /// The collector's state (phase, gray lists, finalizer lists, parameters).
    pub(crate) gc: GcState,
    /// Where objects and small buffers are allocated (GC-POOL). Declared last: it
    /// must outlive every object, which `Drop for Heap` frees first.
    pub(crate) pool: Pool,
}

impl Default for Heap {
    fn default() -> Self {
        let mut h = Heap {
            all: None,
            bytes: 0,
            threshold: 256 * 1024,
            objects: 0,
            strings: StrTable::new(),
            gc: GcState::new(),
            pool: Pool::default(),
        };
        let mode = h.intern_bytes(b"__mode");
        let gc = h.intern_bytes(b"__gc");
        h.gc.marker.mode_name = Some(mode);
        h.gc.gc_name = Some(gc);
        h
    }
}

impl Heap {
    /// Moves `value` into a new heap object and links it into the object list.
    #[inline]
    pub fn alloc<T: GcObject>(&mut self, value: T) -> Gc<T> {
        self.alloc_with(0, |_| value)
    }

    /// Allocates a block for a `GcBox<T>` followed by `tail` bytes, lets `make` fill
    /// the tail (it gets the tail's address; the bytes are uninitialised) and build the
    /// value, then links the object. The value's `tail_bytes()` must equal `tail`.
    #[inline]
    pub(crate) fn alloc_with<T: GcObject>(
        &mut self,
        tail: usize,
        make: impl FnOnce(NonNull<u8>) -> T,
    ) -> Gc<T> {
        let block = self.pool.alloc(box_layout::<T>(tail));
        let value = make(tail_of::<T>(block));
        // SAFETY: the block came from the pool with the layout for `tail` bytes.
        unsafe { self.link_block(block, value) }
    }

    /// Writes `value` into a block for a `GcBox<T>` plus its tail and links the object.
    ///
    /// # Safety
    /// `block` came from `self.pool.alloc(box_layout::<T>(value.tail_bytes()))`, is
    /// unused, and its tail holds whatever `value` relies on.
    #[inline]
    pub(crate) unsafe fn link_block<T: GcObject>(&mut self, block: NonNull<u8>, value: T) -> Gc<T> {
        self.objects += 1;
        let ptr = block.cast::<GcBox<T>>();
        // SAFETY: the block is fresh, large enough and aligned for a `GcBox<T>`.
        unsafe {
            ptr.write(GcBox {
                header: GcHeader {
                    next: Cell::new(self.all),
                    kind: T::KIND,
                    mark: Cell::new(self.gc.white),
                },
                value,
            })
        };
        self.all = Some(ptr.cast());
        // Sized in place: a table tells an inline array part by its own address.
        // SAFETY: the box was initialised just above.
        self.bytes += obj_bytes(unsafe { &ptr.as_ref().value });
        Gc {
            ptr,
            _marker: PhantomData,
        }
    }

    /// Records `n` more bytes owned by some object (a table or buffer grew).
    #[inline]
    pub fn account_grow(&mut self, n: usize) {
        self.bytes += n;
    }

    /// Records `n` fewer bytes owned by some object.
    #[inline]
    pub fn account_shrink(&mut self, n: usize) {
        self.bytes = self.bytes.saturating_sub(n);
    }

    /// Bytes in use, as `collectgarbage("count")` reports (in bytes).
    pub fn bytes_in_use(&self) -> usize {
        self.bytes
    }

    /// Number of live heap objects.
    pub fn object_count(&self) -> usize {
        self.objects
    }

    /// True when allocation has crossed the threshold of the next collector step.
    #[inline(always)]
    pub fn should_collect(&self) -> bool {
        self.bytes >= self.threshold
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        self.free_all();
    }
}
