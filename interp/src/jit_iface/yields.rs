//! Functions that only yield stay interpreted without a compile (anchor:
//! YIELD-BLACKLIST, the engine's side in the JIT's `yields.rs`).
//!
//! A yield from compiled code unwinds every compiled activation, and the next resume
//! re-enters the code through an entry block: for a generator's loop body each pass
//! pays that for a few instructions of native work, so the engine drops such code
//! after its first `HOT_EXIT_MARKS` unwinds. The interpreter sees the same thing
//! coming before any compile: `resume` counts the yields of interpreted activations
//! on the prototype of the Lua function that called `coroutine.yield`, at the pc after
//! that call (the frame's saved pc). When the prototype turns hot, `jit_compile` first
//! asks the engine about that site as if the code had unwound there once per yield,
//! out of one entry per call or loop pass; if the engine would drop the code, the
//! prototype is refused at once and never costs a compile.

use core::cell::Cell;

use super::{ExitVerdict, STATUS_UNWIND};
use crate::abi::CIST_LUA;
use crate::func::FnProto;
use crate::gc::Gc;
use crate::state::Lua;
use crate::value::Value;

/// Fewer counted yields than this are no evidence (a compile goes ahead as usual).
const MIN_YIELDS: u32 = 50;

/// Yields counted at one site of a prototype (a field of `JitSlot`).
#[derive(Default)]
pub(super) struct YieldCount {
    /// Yields at `pc` since the last yield elsewhere.
    count: Cell<u32>,
    /// The pc after the yielding call.
    pc: Cell<u32>,
}

impl YieldCount {
    /// Counts a yield through the call before `pc`; another site starts the count over.
    #[inline]
    fn note(&self, pc: u32) {
        if self.pc.get() == pc {
            self.count.set(self.count.get().saturating_add(1));
        } else {
            self.pc.set(pc);
            self.count.set(1);
        }
    }
}

impl Lua {
    /// The running coroutine yielded (its frames in place, the yield's native frame on
    /// top): counts the yield on the calling Lua function's prototype. Call only when
    /// `jit.active`.
    #[inline]
    pub(crate) fn jit_note_interp_yield(&self) {
        let n = self.frames.len();
        let Some(ci) = self.frames.get(n.wrapping_sub(2)) else {
            return;
        };
        if ci.flags & CIST_LUA == 0 {
            return;
        }
        if let Some(Value::LuaFn(cl)) = self.stack.get(ci.func as usize) {
            cl.proto.jit.yields.note(ci.pc);
        }
    }

    /// True when `fp`'s interpreted activations kept ending in a yield at one site and
    /// the engine would drop its code for it: `fp` then stays interpreted.
    pub(super) fn jit_yields_refuse(&mut self, fp: Gc<FnProto>) -> bool {
        let y = &fp.jit.yields;
        let count = y.count.get();
        if count < MIN_YIELDS {
            return false;
        }
        let entries = fp.calls.get().saturating_add(fp.backedges.get());
        let Some(engine) = self.jit.engine.as_mut() else {
            return false;
        };
        let verdict = engine.hot_exit(&fp.proto, y.pc.get(), STATUS_UNWIND, count, entries);
        matches!(verdict, ExitVerdict::Blacklist)
    }
}
