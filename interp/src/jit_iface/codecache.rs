//! The life of machine code (anchor: CODE-CACHE).
//!
//! Code memory is handed out by generations: the engine emits every function of one
//! generation into one block of code memory and can only free a generation as a whole
//! (`JitEngine::flush`). So code is freed in batches:
//!
//! * When a prototype with code of the current generation is collected (or its code is
//!   dropped because a guard kept failing), its bytes become dead: [`CodeLedger`]
//!   counts them, through the slot's hold on the ledger. When dead bytes reach
//!   [`DEAD_FLUSH_MIN`] (or a quarter of the cap) and half of the generation, the next
//!   compile starts a new
//!   generation: the old block is freed once no activation runs in it, and the functions
//!   still alive and hot are compiled again when they are next called.
//! * The generation's size is capped (`JitState::code_limit`, `-Omaxmcode=N` or
//!   `jit.opt.start("maxmcode=N")`, in KiB as LuaJIT spells it): a compile that would
//!   go past it starts a new generation first. A program whose live hot code alone
//!   exceeds the cap would recompile forever, so after [`MAX_FULL_FLUSHES`] flushes of
//!   full generations less than a quarter dead nothing more is compiled (existing code
//!   keeps running).
//!
//! The ledger exists only once an engine is installed, so a build without the JIT pays
//! one empty pointer per prototype and nothing at boot.

use alloc::rc::Rc;
use core::cell::Cell;

use super::JitState;
use crate::error::LuaResult;
use crate::state::Lua;
use crate::value::Value;

/// Default cap on one generation's machine code (bytes).
pub const DEFAULT_CODE_LIMIT: u64 = 64 << 20;
/// Dead bytes below which collected code is not worth a flush.
pub const DEAD_FLUSH_MIN: u64 = 1 << 20;
/// Flushes for a full generation after which compiling stops.
pub const MAX_FULL_FLUSHES: u32 = 8;

/// Machine-code bytes of the current generation, shared by the state and by every
/// prototype compiled in it (`JitSlot`).
#[derive(Debug, Default)]
pub struct CodeLedger {
    /// The generation counted.
    generation: Cell<u32>,
    /// Bytes compiled in it.
    live: Cell<u64>,
    /// Of those, bytes no function can run any more (collected or dropped).
    dead: Cell<u64>,
}

impl CodeLedger {
    /// Counts `bytes` compiled in `generation`.
    pub fn charge(&self, generation: u32, bytes: u64) {
        if generation == self.generation.get() {
            self.live.set(self.live.get() + bytes);
        }
    }

    /// Counts `bytes` of `generation` as dead (a stale generation is already freed).
    pub fn retire(&self, generation: u32, bytes: u64) {
        if generation == self.generation.get() {
            self.dead.set(self.dead.get() + bytes);
        }
    }

    /// Bytes compiled in the current generation, and how many of them are dead.
    pub fn bytes(&self) -> (u64, u64) {
        (self.live.get(), self.dead.get())
    }

    /// Starts counting `generation`.
    fn reset(&self, generation: u32) {
        self.generation.set(generation);
        self.live.set(0);
        self.dead.set(0);
    }
}

/// A prototype's hold on the ledger: its code's size and generation.
#[derive(Default)]
pub struct CodeShare {
    /// The ledger of the generation the code was charged to.
    ledger: Cell<Option<Rc<CodeLedger>>>,
    /// Bytes of that code.
    bytes: Cell<u64>,
}

impl CodeShare {
    /// Records code of `bytes` compiled in `generation` (charged to `ledger`).
    pub fn charge(&self, ledger: &Rc<CodeLedger>, generation: u32, bytes: u64) {
        ledger.charge(generation, bytes);
        self.ledger.set(Some(Rc::clone(ledger)));
        self.bytes.set(bytes);
    }

    /// The code of `generation` will never run again: its bytes are dead.
    pub fn retire(&self, generation: u32) {
        if let Some(l) = self.ledger.take() {
            l.retire(generation, self.bytes.get());
        }
        self.bytes.set(0);
    }
}

/// Why `JitState::make_room` flushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flush {
    /// Dead code reached half of the generation.
    Dead,
    /// The generation reached its cap.
    Full,
}

impl JitState {
    /// Before a compile: starts a new generation when dead code or the cap call for it
    /// (see the module comment). False when compiling has stopped for good.
    pub(crate) fn make_room(&mut self) -> bool {
        let Some(ledger) = self.ledger.as_ref() else {
            return true;
        };
        if self.full_flushes > MAX_FULL_FLUSHES {
            return false;
        }
        let (live, dead) = ledger.bytes();
        let dead_min = DEAD_FLUSH_MIN.min(self.code_limit / 4);
        let why = if dead >= dead_min && dead * 2 >= live {
            Flush::Dead
        } else if live >= self.code_limit {
            // Mostly live code (less than a quarter dead) is a program whose hot code
            // outgrows the cap: count it.
            if dead * 4 < live {
                self.full_flushes += 1;
                if self.full_flushes > MAX_FULL_FLUSHES {
                    return false;
                }
            }
            Flush::Full
        } else {
            return true;
        };
        self.auto_flushes += 1;
        self.last_flush = Some(why);
        self.flush();
        true
    }

    /// The ledger of the current generation (created with the engine).
    pub(crate) fn ledger(&self) -> Option<&Rc<CodeLedger>> {
        self.ledger.as_ref()
    }

    /// Called by `flush`: the ledger counts the new generation.
    pub(super) fn reset_ledger(&mut self) {
        if let Some(l) = self.ledger.as_ref() {
            l.reset(self.generation);
        }
    }
}

// ------------------------------------------------------------------ `jit.opt`

/// `jit.opt.start(...)`: each argument `name=value` sets an option (`hotcall`,
/// `hotloop`: counts; `maxmcode`: KiB of machine code per generation), as LuaJIT's
/// `jit.opt.start` does for the options it shares.
pub(super) fn jit_opt_start(l: &mut Lua) -> LuaResult<usize> {
    for i in 1..=l.arg_count() {
        let Value::Str(s) = l.arg(i) else {
            return Err(l.type_error(i, "string"));
        };
        let text = s.as_bytes();
        let (name, value) = match text.iter().position(|&c| c == b'=') {
            Some(eq) => (&text[..eq], core::str::from_utf8(&text[eq + 1..]).ok()),
            None => (text, None),
        };
        match (name, value.and_then(|v| v.parse::<u32>().ok())) {
            (b"hotcall", Some(n)) => l.jit.hotcall = n.max(1),
            (b"hotloop", Some(n)) => l.jit.hotloop = n.max(1),
            (b"maxmcode", Some(n)) => l.jit.code_limit = u64::from(n.max(1)) * 1024,
            _ => {
                let shown = alloc::string::String::from_utf8_lossy(text).into_owned();
                let msg = alloc::format!("unknown or malformed optimization flag '{shown}'");
                return Err(l.error_str(&msg));
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_bytes_count_only_in_their_generation() {
        let ledger = Rc::new(CodeLedger::default());
        let a = CodeShare::default();
        let b = CodeShare::default();
        a.charge(&ledger, 0, 100);
        b.charge(&ledger, 0, 50);
        assert_eq!(ledger.bytes(), (150, 0));
        a.retire(0);
        assert_eq!(ledger.bytes(), (150, 100));
        // Retiring twice counts once.
        a.retire(0);
        assert_eq!(ledger.bytes(), (150, 100));
        ledger.reset(1);
        b.retire(0);
        assert_eq!(
            ledger.bytes(),
            (0, 0),
            "code of a freed generation is not dead twice"
        );
    }

    #[test]
    fn make_room_flushes_dead_code_then_full_generations_then_stops() {
        let mut j = JitState {
            ledger: Some(Rc::new(CodeLedger::default())),
            code_limit: 10 << 20,
            ..JitState::default()
        };
        let ledger = Rc::clone(j.ledger().unwrap());
        ledger.charge(0, 3 << 20);
        ledger.retire(0, 1 << 20);
        assert!(j.make_room());
        assert_eq!(j.generation, 0, "a third dead is not worth a flush");
        ledger.retire(0, 1 << 20);
        assert!(j.make_room());
        assert_eq!((j.generation, j.last_flush), (1, Some(Flush::Dead)));
        assert_eq!(ledger.bytes(), (0, 0));
        // Full of mostly dead code: a dead flush, which does not count as full.
        ledger.charge(1, 10 << 20);
        ledger.retire(1, 6 << 20);
        assert!(j.make_room());
        assert_eq!((j.generation, j.last_flush), (2, Some(Flush::Dead)));
        // Full, a third dead: flushed, not counted.
        ledger.charge(2, 12 << 20);
        ledger.retire(2, 4 << 20);
        assert!(j.make_room());
        assert_eq!(
            (j.generation, j.last_flush, j.full_flushes),
            (3, Some(Flush::Full), 0)
        );
        for n in 1..=MAX_FULL_FLUSHES {
            ledger.charge(j.generation, 10 << 20);
            assert!(j.make_room());
            assert_eq!((j.generation, j.last_flush), (3 + n, Some(Flush::Full)));
        }
        ledger.charge(j.generation, 10 << 20);
        assert!(
            !j.make_room(),
            "past the last full flush nothing is compiled"
        );
        assert!(!j.make_room());
    }
}
