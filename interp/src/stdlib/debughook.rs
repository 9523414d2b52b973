//! Hooks (manual §6.10 `debug.sethook`/`debug.gethook`): call, return, line and count
//! events, and the out-of-line code the interpreter runs while a hook is set.
//!
//! # Hook points (anchor: HOOKS)
//! `Lua::hook_mask` holds the events enabled right now; it is zero while no hook is set
//! and while a hook function runs (hooks are disabled inside hooks). The interpreter
//! tests it in three places and calls the methods below only when it is non-zero:
//! - the dispatch loop, before every instruction (`hook_instr`: count and line events,
//!   and the return event of a Lua function at its RETURN instruction);
//! - `push_lua_frame` (`hook_call`: the call or tail call event of a Lua function);
//! - `call_native` (`hook_native_call` / `hook_native_return` around a Rust function).
//!
//! There is one hook per state, where lua5.4 has one per thread: a hook set without a
//! thread argument applies to every thread (coroutines created later are hooked too,
//! as lua5.4's coroutines inherit their creator's hook); `debug.sethook(co, ...)`
//! restricts it to `co`. Setting a hook replaces the previous one whatever its thread.
//! The hook function and its thread live in the registry (keys `_HOOKKEY` and
//! `_HOOKTHREAD`), so the collector sees them.

use alloc::string::String;

use moonjet_bytecode::opcodes::props;
use moonjet_bytecode::OpCode;

use crate::abi::{CIST_LUA, CIST_TAIL};
use crate::error::LuaResult;
use crate::gc::Gc;
use crate::thread::Thread;
use crate::value::Value;
use crate::Lua;

/// Event bit: function calls.
pub const MASK_CALL: u8 = 1 << 0;
/// Event bit: function returns.
pub const MASK_RET: u8 = 1 << 1;
/// Event bit: new source lines.
pub const MASK_LINE: u8 = 1 << 2;
/// Event bit: every `count` instructions.
pub const MASK_COUNT: u8 = 1 << 3;

/// Registry key of the hook function.
const HOOK_KEY: &[u8] = b"_HOOKKEY";
/// Registry key of the only thread the hook applies to (absent: every thread).
const HOOK_THREAD_KEY: &[u8] = b"_HOOKTHREAD";

/// Hook settings and tracing state of a `Lua` (everything but the hot `hook_mask`).
#[derive(Default)]
pub struct HookState {
    /// Events as set by `debug.sethook` (`hook_mask` is this or zero).
    pub mask: u8,
    /// Instructions between count events.
    pub count: u32,
    /// Instructions left before the next count event.
    counter: u32,
    /// pc of the last instruction traced for line events (lua5.4's `oldpc`).
    oldpc: usize,
    /// The thread and frame index of the hook function running now, if any (its
    /// frame is described as "hook '?'").
    running: Option<(Gc<Thread>, usize)>,
}

impl Lua {
    // ---------------------------------------------------------------- settings

    /// Installs `f` as the hook for the events in `mask` (`count`: instructions between
    /// count events) in thread `only` (`None`: every thread); a zero mask or `None`
    /// removes the hook.
    pub fn set_hook(&mut self, f: Option<Value>, mask: u8, count: u32, only: Option<Gc<Thread>>) {
        let key = self.intern(HOOK_KEY);
        let (f, mask) = match f {
            Some(f) if mask != 0 => (f, mask),
            _ => (Value::Nil, 0),
        };
        self.registry.set_str(&mut self.heap, key, f);
        let key = self.intern(HOOK_THREAD_KEY);
        let only = only.filter(|_| mask != 0).map_or(Value::Nil, Value::Thread);
        self.registry.set_str(&mut self.heap, key, only);
        self.hooks.mask = mask;
        self.hooks.count = count;
        self.hooks.counter = count;
        if self.hooks.running.is_none() {
            self.set_hook_mask(mask);
        }
    }

    /// Sets the active hook mask, the JIT's copy of it with it (DIRECT-KEY in
    /// `jit_iface/direct.rs`): the only writer of `hook_mask`.
    fn set_hook_mask(&mut self, mask: u8) {
        self.hook_mask = mask;
        self.jit.set_hooked(mask != 0);
    }

    /// The hook function of thread `t`, if one is set.
    pub fn hook_function(&mut self, t: Gc<Thread>) -> Option<Value> {
        if self.hooks.mask == 0 {
            return None;
        }
        let key = self.intern(HOOK_THREAD_KEY);
        match self.registry.get_str(key) {
            Value::Thread(only) if only != t => return None,
            _ => {}
        }
        let key = self.intern(HOOK_KEY);
        Some(self.registry.get_str(key))
    }

    /// True if frame `idx` of the running thread runs the hook function.
    pub(crate) fn is_hook_frame(&self, idx: usize) -> bool {
        self.hooks.running == Some((self.current, idx))
    }

    // ---------------------------------------------------------------- events

    /// Calls the hook function with `event` (and the line for line events), with hooks
    /// disabled while it runs.
    #[inline(never)]
    fn run_hook(&mut self, event: &[u8], line: Option<u32>) -> LuaResult<()> {
        let Some(f) = self.hook_function(self.current) else {
            return Ok(());
        };
        if !f.is_function() {
            return Ok(());
        }
        let ev = self.new_str(event);
        let line = line.map_or(Value::Nil, |l| Value::Int(l as i64));
        self.set_hook_mask(0);
        self.hooks.running = Some((self.current, self.frames.len()));
        let r = self.call_value(f, &[ev, line]);
        self.hooks.running = None;
        self.set_hook_mask(self.hooks.mask);
        r.map(|_| ())
    }

    /// A Lua function's frame was just pushed (HOOKS): the call or tail call event.
    #[cold]
    #[inline(never)]
    pub(crate) fn hook_call(&mut self) -> LuaResult<()> {
        let Some(&ci) = self.frames.last() else {
            return Ok(());
        };
        // A vararg function's first instruction (VARARGPREP) is not traced: its body
        // starts at pc 1, which counts as a new line.
        self.hooks.oldpc = match self.stack.get(ci.func as usize) {
            Some(Value::LuaFn(c)) if c.proto.is_vararg => 1,
            _ => 0,
        };
        if self.hook_mask & MASK_CALL == 0 {
            return Ok(());
        }
        let ev: &[u8] = if ci.flags & CIST_TAIL != 0 {
            b"tail call"
        } else {
            b"call"
        };
        self.run_hook(ev, None)
    }

    /// A Rust function's frame was just pushed (HOOKS): the call event.
    #[cold]
    #[inline(never)]
    pub(crate) fn hook_native_call(&mut self) -> LuaResult<()> {
        if self.hook_mask & MASK_CALL == 0 {
            return Ok(());
        }
        self.run_hook(b"call", None)
    }

    /// The running Rust function returned (its results on top, HOOKS): the return
    /// event; the caller's current instruction is not a new line.
    #[cold]
    #[inline(never)]
    pub(crate) fn hook_native_return(&mut self) -> LuaResult<()> {
        if self.hook_mask & MASK_RET != 0 {
            self.run_hook(b"return", None)?;
        }
        self.set_oldpc_to_caller(self.frames.len().saturating_sub(1));
        Ok(())
    }

    /// After frame `idx` returns, line tracing continues from its caller's pc.
    fn set_oldpc_to_caller(&mut self, idx: usize) {
        let caller = idx.checked_sub(1).and_then(|i| self.frames.get(i));
        if let Some(c) = caller.filter(|c| c.flags & CIST_LUA != 0) {
            self.hooks.oldpc = (c.pc as usize).saturating_sub(1);
        }
    }

    /// Before the instruction at `frames.last().pc - 1` of the running Lua function
    /// (HOOKS): count and line events, and the return event at a RETURN.
    #[cold]
    #[inline(never)]
    pub(crate) fn hook_instr(&mut self) -> LuaResult<()> {
        let Some(&ci) = self.frames.last() else {
            return Ok(());
        };
        let Some(Value::LuaFn(cl)) = self.stack.get(ci.func as usize).copied() else {
            return Ok(());
        };
        let p = cl.proto.proto.clone();
        let pc = (ci.pc as usize).saturating_sub(1);
        let Some(op) = p.code.get(pc).and_then(|i| i.opcode()) else {
            return Ok(());
        };
        if op == OpCode::VarArgPrep {
            return Ok(());
        }
        let i = p.code[pc];
        if !(op.has(props::USES_TOP) && i.b() == 0) {
            // Hooks run above the frame's registers unless the instruction reads
            // values up to the top.
            self.top = ci.top as usize;
        }
        let mask = self.hook_mask;
        if mask & MASK_COUNT != 0 {
            self.hooks.counter = self.hooks.counter.saturating_sub(1);
            if self.hooks.counter == 0 {
                self.hooks.counter = self.hooks.count;
                self.run_hook(b"count", None)?;
            }
        }
        if mask & MASK_LINE != 0 {
            let old = if self.hooks.oldpc < p.code.len() {
                self.hooks.oldpc
            } else {
                0
            };
            let line = p.line_at(pc);
            self.hooks.oldpc = pc;
            if pc <= old || line != p.line_at(old) {
                if let Some(l) = line {
                    self.run_hook(b"line", Some(l))?;
                }
            }
        }
        let is_return = matches!(op, OpCode::Return | OpCode::Return0 | OpCode::Return1);
        if is_return && !self.has_tbc(ci.base as usize) {
            if self.hook_mask & MASK_RET != 0 {
                self.run_hook(b"return", None)?;
            }
            self.set_oldpc_to_caller(self.frames.len() - 1);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- the library

/// The event bits of a `debug.sethook` mask string ("c", "r", "l") and count.
fn make_mask(s: &[u8], count: i64) -> u8 {
    let mut mask = 0;
    for (c, bit) in [(b'c', MASK_CALL), (b'r', MASK_RET), (b'l', MASK_LINE)] {
        if s.contains(&c) {
            mask |= bit;
        }
    }
    if count > 0 {
        mask |= MASK_COUNT;
    }
    mask
}

/// The mask string `debug.gethook` returns.
fn unmake_mask(mask: u8) -> String {
    let mut s = String::new();
    for (c, bit) in [('c', MASK_CALL), ('r', MASK_RET), ('l', MASK_LINE)] {
        if mask & bit != 0 {
            s.push(c);
        }
    }
    s
}

/// debug.sethook([thread,] hook, mask [, count]) — the thread argument is accepted
/// but the hook is per state (see HOOKS).
pub(super) fn sethook(l: &mut Lua) -> LuaResult<usize> {
    let (only, a) = super::debug::thread_arg(l);
    if l.arg(a).is_nil() {
        l.set_hook(None, 0, 0, None);
        return Ok(0);
    }
    let smask = l.check_str(a + 1)?;
    let f = l.check_function(a)?;
    let count = l.opt_int(a + 2, 0)?;
    let mask = make_mask(smask.as_bytes(), count);
    let count = count.clamp(0, i32::MAX as i64) as u32;
    l.set_hook(Some(f), mask, count, only);
    Ok(0)
}

/// debug.gethook([thread]): hook, mask, count (nil when no hook is set).
pub(super) fn gethook(l: &mut Lua) -> LuaResult<usize> {
    let t = super::debug::thread_arg(l).0.unwrap_or(l.current);
    let Some(f) = l.hook_function(t) else {
        l.push(Value::Nil);
        return Ok(1);
    };
    l.push(f);
    let m = unmake_mask(l.hooks.mask);
    l.push_str(m.as_bytes());
    l.push(Value::Int(l.hooks.count as i64));
    Ok(3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stdlib::util::testlua::{check, check_err};

    #[test]
    fn masks_round_trip() {
        assert_eq!(make_mask(b"lc", 0), MASK_CALL | MASK_LINE);
        assert_eq!(make_mask(b"", 3), MASK_COUNT);
        assert_eq!(unmake_mask(MASK_LINE | MASK_CALL | MASK_RET), "crl");
    }

    #[test]
    fn line_and_call_events() {
        check(
            "local ev = {}\n\
             local function f(x)\n\
               return x\n\
             end\n\
             debug.sethook(function(e, l) ev[#ev + 1] = e .. ':' .. tostring(l) end, 'crl')\n\
             f(1)\n\
             debug.sethook()\n\
             return table.concat(ev, ' ')",
            "return:nil line:6 call:nil line:3 return:nil line:7 call:nil",
        );
    }

    #[test]
    fn count_events_and_gethook() {
        check(
            "local n = 0\n\
             local h = function() n = n + 1 end\n\
             debug.sethook(h, '', 2)\n\
             local s = 0\n\
             for i = 1, 10 do s = s + i end\n\
             local f, m, c = debug.gethook()\n\
             debug.sethook()\n\
             return n > 5, f == h, m, c, debug.gethook()",
            "true,true,,2,nil",
        );
    }

    #[test]
    fn hook_errors_propagate() {
        check_err(
            "debug.sethook(function() error('in hook') end, 'l')\nlocal x = 1",
            "t:1: in hook",
        );
    }
}
