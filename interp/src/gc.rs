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

use alloc::boxed::Box;
use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::value::Value;

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
        Gc { ptr: h.cast(), _marker: PhantomData }
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
}

/// The collector's worklist: objects reached but not yet traversed (grey).
#[derive(Default)]
pub struct Marker {
    /// Grey objects.
    pub(crate) gray: alloc::vec::Vec<NonNull<GcHeader>>,
}

/// Mark bit: the object was reached in the current cycle.
pub(crate) const MARKED: u8 = 1;

impl Marker {
    /// Marks an object reachable and queues it for traversal.
    #[inline]
    pub fn mark<T>(&mut self, g: Gc<T>) {
        let h = g.header();
        if h.mark.get() & MARKED == 0 {
            h.mark.set(h.mark.get() | MARKED);
            self.gray.push(NonNull::from(h));
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
}

/// Allocation bookkeeping and the list of all objects.
pub struct Heap {
    /// Head of the list of every object.
    pub(crate) all: Option<NonNull<GcHeader>>,
    /// Bytes currently allocated (boxes plus their extra bytes), as last accounted.
    pub(crate) bytes: usize,
    /// Collection is due when `bytes` reaches this.
    pub(crate) threshold: usize,
}

impl Default for Heap {
    fn default() -> Self {
        Heap { all: None, bytes: 0, threshold: 256 * 1024 }
    }
}

impl Heap {
    /// Moves `value` into a new heap object and links it into the object list.
    pub fn alloc<T: GcObject>(&mut self, value: T) -> Gc<T> {
        self.bytes += core::mem::size_of::<GcBox<T>>() + value.extra_bytes();
        let boxed = Box::new(GcBox {
            header: GcHeader { next: Cell::new(self.all), kind: T::KIND, mark: Cell::new(0) },
            value,
        });
        let ptr = NonNull::from(Box::leak(boxed));
        self.all = Some(ptr.cast());
        Gc { ptr, _marker: PhantomData }
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

    /// True when allocation has crossed the collection threshold.
    #[inline(always)]
    pub fn should_collect(&self) -> bool {
        self.bytes >= self.threshold
    }
}
