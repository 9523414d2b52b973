//! Coroutines. The running thread's stack and frames live in `Lua` itself (so the
//! interpreter reaches them without indirection); a thread that is not running keeps
//! them here, boxed so that a switch moves them with one exchange of fields and one
//! of boxes (see COROUTINES in `vm/coro.rs`).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use crate::abi::CallInfo;
use crate::func::UpVal;
use crate::gc::Gc;
use crate::gc::{GcObject, Marker, ObjKind};
use crate::value::Value;

/// Life cycle of a coroutine, as `coroutine.status` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoStatus {
    /// Created or yielded: can be resumed.
    Suspended,
    /// The running coroutine.
    Running,
    /// Resumed another coroutine and waits for it.
    Normal,
    /// Finished or failed.
    Dead,
}

/// The parts of a thread that move into `Lua` while it runs.
#[derive(Default)]
pub struct ThreadData {
    /// The value stack: every register of every frame.
    pub stack: crate::cvec::CVec<Value>,
    /// First free stack slot.
    pub top: usize,
    /// Call frames, innermost last.
    pub frames: crate::cvec::CVec<CallInfo>,
    /// Open upvalues pointing into `stack`, sorted by stack index.
    pub open_upvals: Vec<Gc<UpVal>>,
    /// Stack indices of pending to-be-closed variables, in creation order.
    pub tbc: Vec<u32>,
    /// Nesting of non-yieldable calls (Rust code that called back into Lua).
    pub nny: u32,
}

/// A coroutine object.
pub struct Thread {
    /// Stack and frames while not running (empty while running), in a box of its own
    /// that a switch exchanges with the running thread's.
    pub data: RefCell<Box<ThreadData>>,
    /// Status.
    pub status: Cell<CoStatus>,
    /// The error that killed the coroutine (reported again by `coroutine.close`).
    pub error: Cell<Option<Value>>,
}

impl Thread {
    /// A new suspended thread with the given saved data.
    pub fn new(data: ThreadData) -> Thread {
        Thread {
            data: RefCell::new(Box::new(data)),
            status: Cell::new(CoStatus::Suspended),
            error: Cell::new(None),
        }
    }
}

impl GcObject for Thread {
    const KIND: ObjKind = ObjKind::Thread;
    fn trace(&self, m: &mut Marker) {
        let d = self.data.borrow();
        for v in d.stack[..d.top.min(d.stack.len())].iter() {
            m.mark_value(v);
        }
        for u in d.open_upvals.iter() {
            m.mark(*u);
        }
        if let Some(e) = self.error.get() {
            m.mark_value(&e);
        }
    }
    fn extra_bytes(&self) -> usize {
        core::mem::size_of::<ThreadData>()
            + self.data.borrow().stack.capacity() * core::mem::size_of::<Value>()
    }
}
