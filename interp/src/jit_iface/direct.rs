//! The layout compiled code needs to call a compiled Lua function itself (anchor:
//! DIRECT-CALL): where the state keeps its value stack, frames, stack top and the
//! switches that forbid native calls, and where a closure keeps its prototype and a
//! prototype its frame size, parameters, constants and code. All from `offset_of!`, the
//! field types pinned below, so a layout change moves these or breaks the build.
//!
//! A CALL with fixed arguments and a fixed number of results (up to three) or all
//! results (C = 0) first tries, inline: the callee
//! is a Lua closure whose prototype has code in the current generation, is not vararg,
//! takes at most the arguments given (no nil to fill), no hook is set, the JIT is
//! active, the Rust stack is above `JitState::stack_limit` (NATIVE-STACK), the frame
//! vector has room and the callee's register window is inside the stack and its limit
//! (REG-WINDOW). Then the code pushes the `CallInfo` the interpreter's
//! `Lua::try_push_fixed` would (FRAME-LAYOUT; the caller's pc saved after the CALL,
//! the call counted), builds the callee's `JitCtx` in its own stack frame as
//! `call.rs`'s `enter` would, telling it the results wanted (FAST-RETURN in
//! `jit_iface.rs`: one, for all results: the stack top then goes above it), and calls
//! the callee's code. When a RETURN of exactly those results, with nothing to close and
//! no hook set, already moved them to the function slot (`RET_DONE`), the code pops
//! the frame as `call.rs`'s `finish_return` does; any other outcome goes to
//! `Helpers::call_done`, which finishes it exactly as `h_call` would have. When a check fails before the push, the CALL
//! goes to `Helpers::call` as before: the inline path is only ever a shortcut of
//! `h_call`'s fast path, with the same effects on the state.
//!
//! The callee's first checks are one subtraction (anchor: DIRECT-KEY): each prototype
//! keeps [`DirectKey`], `generation << 32 | params` while it has code (`params` its
//! fixed parameters, `u32::MAX` when vararg; `u64::MAX` without code), and the state
//! keeps `JitState::direct_key`, `generation << 32` while no hook is set and the JIT is
//! active, [`NOT_LIVE`] otherwise (recomputed wherever the hook mask, `active` or the
//! generation changes). `slot - live <= nargs` (unsigned, wrapping) then holds exactly
//! when the code exists, is of the current generation, no hook is set, the JIT is
//! active, the callee is not vararg and takes at most `nargs` parameters: any other
//! generation, or a not-live state, leaves a difference of at least `2^32`. Generations
//! skip `u32::MAX`, the not-live one.

use core::cell::Cell;

/// `JitState::direct_key` while a hook is set or the JIT is off (DIRECT-KEY): no
/// prototype key is within `2^32` above it.
pub const NOT_LIVE: u64 = (u32::MAX as u64) << 32;

/// The state's key (DIRECT-KEY) for `generation`, the JIT active or not, a hook set or
/// not.
pub(crate) fn live_key(generation: u32, active: bool, hooked: bool) -> u64 {
    if active && !hooked {
        (generation as u64) << 32
    } else {
        NOT_LIVE
    }
}

/// A prototype's key (DIRECT-KEY): its code's generation and its fixed parameters.
pub struct DirectKey(Cell<u64>);

impl Default for DirectKey {
    /// No code.
    fn default() -> Self {
        DirectKey(Cell::new(u64::MAX))
    }
}

impl DirectKey {
    /// Records code of `generation` (or none) for a prototype with `params` fixed
    /// parameters (`None`: vararg).
    pub(crate) fn set(&self, generation: u32, has_code: bool, params: Option<u32>) {
        let k = match has_code {
            true => ((generation as u64) << 32) | params.unwrap_or(u32::MAX) as u64,
            false => u64::MAX,
        };
        self.0.set(k);
    }

    /// The key.
    pub fn get(&self) -> u64 {
        self.0.get()
    }
}

/// Byte offsets for DIRECT-CALL.
pub mod direct_offsets {
    use crate::abi::CallInfo;
    use crate::cvec::{cvec_offsets as cv, CVec};
    use crate::func::{FnProto, LuaClosure};
    use crate::gc::{Gc, GcBox};
    use crate::jit_iface::{JitFn, JitSlot, JitState};
    use crate::state::Lua;
    use crate::value::Value;
    use core::cell::Cell;
    use core::mem::{offset_of, size_of};

    /// `usize`: stack index of the first free slot (`Lua::top`), from the state.
    pub const TOP: i32 = offset_of!(Lua, top) as i32;
    /// `*mut Value`: the value stack's first slot, from the state.
    pub const STACK_PTR: i32 = (offset_of!(Lua, stack) + cv::PTR) as i32;
    /// `usize`: the value stack's length, from the state.
    pub const STACK_LEN: i32 = (offset_of!(Lua, stack) + cv::LEN) as i32;
    /// `usize`: the most slots the stack may have ("stack overflow" above), from the
    /// state.
    pub const STACK_LIMIT: i32 = offset_of!(Lua, stack_limit) as i32;
    /// `*mut CallInfo`: the first frame record, from the state.
    pub const FRAMES_PTR: i32 = (offset_of!(Lua, frames) + cv::PTR) as i32;
    /// `usize`: the number of frames, from the state.
    pub const FRAMES_LEN: i32 = (offset_of!(Lua, frames) + cv::LEN) as i32;
    /// `usize`: the frame records allocated, from the state.
    pub const FRAMES_CAP: i32 = (offset_of!(Lua, frames) + cv::CAP) as i32;
    /// `u8`: the debug hook mask (nonzero: no native call), from the state.
    pub const HOOK_MASK: i32 = offset_of!(Lua, hook_mask) as i32;
    /// `u64`: `JitState::direct_key` (DIRECT-KEY), from the state.
    pub const LIVE_KEY: i32 = (offset_of!(Lua, jit) + offset_of!(JitState, direct_key)) as i32;
    /// `bool`: `JitState::active`, from the state.
    pub const JIT_ACTIVE: i32 = (offset_of!(Lua, jit) + offset_of!(JitState, active)) as i32;
    /// `usize`: `JitState::stack_limit` (NATIVE-STACK), from the state.
    pub const JIT_STACK_LIMIT: i32 =
        (offset_of!(Lua, jit) + offset_of!(JitState, stack_limit)) as i32;
    /// `u32`: `JitState::generation`, from the state.
    pub const JIT_GENERATION: i32 =
        (offset_of!(Lua, jit) + offset_of!(JitState, generation)) as i32;
    /// `u64`: `JitState::native_calls` (statistics), from the state.
    pub const JIT_NATIVE_CALLS: i32 =
        (offset_of!(Lua, jit) + offset_of!(JitState, native_calls)) as i32;

    /// The closure itself (what `JitCtx::closure` points at), from a Lua function
    /// value's payload (its box).
    pub const CLOSURE: i32 = offset_of!(GcBox<LuaClosure>, value) as i32;
    /// The prototype's box address, from the closure's box.
    pub const CLOSURE_PROTO: i32 = CLOSURE + offset_of!(LuaClosure, proto) as i32;

    /// Start of the prototype, from its box.
    const FP: usize = offset_of!(GcBox<FnProto>, value);
    /// `u32`: registers of a frame, from the prototype's box.
    pub const MAX_STACK: i32 = (FP + offset_of!(FnProto, max_stack)) as i32;
    /// `u32`: fixed parameters, from the prototype's box.
    pub const NUM_PARAMS: i32 = (FP + offset_of!(FnProto, num_params)) as i32;
    /// `bool`: vararg, from the prototype's box.
    pub const IS_VARARG: i32 = (FP + offset_of!(FnProto, is_vararg)) as i32;
    /// `u32`: the call counter (hotness), from the prototype's box.
    pub const CALLS: i32 = (FP + offset_of!(FnProto, calls)) as i32;
    /// `*const Value`: the constants, from the prototype's box.
    pub const CONSTS: i32 = (FP + offset_of!(FnProto, consts_ptr)) as i32;
    /// `*const Instruction`: the bytecode's address, from the prototype's box. Equal
    /// addresses mean the same `Proto` while one holds it (LEAF-INLINE's guard).
    pub const BYTECODE: i32 = (FP + offset_of!(FnProto, code_ptr)) as i32;
    /// Start of the prototype's `JitSlot`.
    const SLOT: usize = FP + offset_of!(FnProto, jit);
    /// `Option<JitFn>` (0: none), from the prototype's box.
    pub const CODE: i32 = (SLOT + offset_of!(JitSlot, code)) as i32;
    /// `u32`: the generation `CODE` belongs to, from the prototype's box.
    pub const CODE_GENERATION: i32 = (SLOT + offset_of!(JitSlot, generation)) as i32;
    /// `u64`: times the code was entered, from the prototype's box.
    pub const ENTRIES: i32 = (SLOT + offset_of!(JitSlot, entries)) as i32;
    /// `u64`: the prototype's [`super::DirectKey`] (DIRECT-KEY), from its box.
    pub const KEY: i32 = (SLOT + offset_of!(JitSlot, key)) as i32;

    /// Free slots a Lua frame's register window has above its registers
    /// (`vm::call::EXTRA_STACK`, REG-WINDOW).
    pub const EXTRA_STACK: i64 = crate::vm::call::EXTRA_STACK as i64;
    /// Bytes per frame record.
    pub const CALLINFO_SIZE: i64 = size_of::<CallInfo>() as i64;

    // The field types the offsets above are read and written as.
    const _: () = {
        assert!(size_of::<Option<JitFn>>() == 8 && size_of::<Cell<Option<JitFn>>>() == 8);
        assert!(size_of::<Cell<u32>>() == 4 && size_of::<bool>() == 1);
        assert!(size_of::<Gc<FnProto>>() == 8 && size_of::<Value>() == 16);
        assert!(size_of::<CVec<Value>>() == 24 && size_of::<usize>() == 8);
        assert!(size_of::<super::DirectKey>() == 8 && size_of::<Cell<u64>>() == 8);
    };
}

#[cfg(test)]
mod tests {
    use super::{live_key, DirectKey};

    /// The inline check: `slot - live <= nargs`, wrapping.
    fn passes(slot: &DirectKey, live: u64, nargs: u32) -> bool {
        slot.get().wrapping_sub(live) <= nargs as u64
    }

    #[test]
    fn one_subtraction_tests_every_condition() {
        let k = DirectKey::default();
        let live = live_key(7, true, false);
        assert!(!passes(&k, live, 255), "no code");
        k.set(7, true, Some(2));
        assert!(passes(&k, live, 2) && passes(&k, live, 3));
        assert!(!passes(&k, live, 1), "too few arguments");
        assert!(!passes(&k, live_key(8, true, false), 255), "stale code");
        assert!(!passes(&k, live_key(6, true, false), 255), "older live");
        assert!(!passes(&k, live_key(7, true, true), 255), "a hook");
        assert!(!passes(&k, live_key(7, false, false), 255), "the JIT off");
        k.set(7, true, None);
        assert!(!passes(&k, live, 255), "vararg");
        k.set(7, false, Some(0));
        assert!(!passes(&k, live, 255), "no code again");
        // Generation 0 against the not-live key, and the last live generation.
        k.set(0, true, Some(0));
        assert!(!passes(&k, live_key(0, false, false), u32::MAX));
        k.set(u32::MAX - 1, true, Some(1));
        assert!(passes(&k, live_key(u32::MAX - 1, true, false), 1));
        assert!(!passes(&k, live_key(u32::MAX - 1, true, true), 255));
    }
}
