//! Coroutines. The running thread's stack and frames live in `Lua` itself (so the
//! interpreter reaches them without indirection); a thread that is not running keeps
//! them here, and a switch swaps the two.

use alloc::vec::Vec;
use core::cell::RefCell;

use crate::abi::CallInfo;
use crate::func::UpVal;
use crate::gc::{Gc, GcObject, Marker, ObjKind};
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
    pub stack: Vec<Value>,
    /// First free stack slot.
    pub top: usize,
    /// Call frames, innermost last.
    pub frames: Vec<CallInfo>,
    /// Open upvalues pointing into `stack`, sorted by stack index.
    pub open_upvals: Vec<Gc<UpVal>>,
}

/// A coroutine object.
pub struct Thread {
    /// Stack and frames while not running (empty while running).
    pub data: RefCell<ThreadData>,
    /// Status.
    pub status: core::cell::Cell<CoStatus>,
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
    }
    fn extra_bytes(&self) -> usize {
        self.data.borrow().stack.capacity() * core::mem::size_of::<Value>()
    }
}
