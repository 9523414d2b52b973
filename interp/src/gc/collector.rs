//! The collector: incremental tri-colour mark & sweep with write barriers, weak tables
//! (with ephemerons) and `__gc` finalizers.
//!
//! # A cycle (anchor: GC-CYCLE)
//! 1. **Pause → Propagate**: the roots are marked gray (`Heap::start_cycle`).
//! 2. **Propagate** (incremental): gray objects are traversed a budget at a time
//!    (`Heap::propagate`). Threads and weak tables stay gray and go on `grayagain`.
//!    Mutations of traversed (black) objects go through a write barrier:
//!    * tables: *backward* — a black table that is stored into turns gray again and
//!      is re-traversed in the atomic phase (`Table::set*` do this themselves);
//!    * closed upvalues, native-closure upvalues, userdata user values and metatables
//!      of old objects: *forward* — `Heap::barrier_value(obj, v)` marks `v`;
//!    * stacks need none: the running stack is re-scanned in the atomic phase and
//!      every reached thread is re-traversed there.
//! 3. **Atomic** (one go, `Heap::atomic`): roots again, `grayagain`, ephemeron
//!    convergence, clearing of weak values, separation of unreachable objects with
//!    finalizers (they and what they reach are marked: resurrection), clearing of weak
//!    keys and of values of weak tables reached only through resurrected objects, then
//!    the current white flips.
//! 4. **Sweep** (incremental): objects of the old white are freed (strings leave the
//!    string table first); survivors turn the new white.
//! 5. Finalizers of the separated objects run at the next safepoint (`Lua::gc_check`),
//!    most recently registered first, with the collector paused while they run.
//!
//! Pacing (anchor: GC-PACING) is PUC-like: a cycle starts when the heap reaches
//! `pause`% of the live size the previous marking found, and each step does work
//! proportional to the bytes allocated since the last step: `STEP_WORK` units per byte
//! at the default `stepmul` of 100, scaled by `stepmul`%. A cycle's work is about the
//! live bytes plus `SWEEP_COST` per object, so at 16 units per byte it ends after
//! allocating a small fraction of the live size: the heap stays within about
//! `pause`% of it, as lua5.4's does. (At 4 units per byte, bintrees' peak heap was 50%
//! higher and its wall-clock time 25-30% longer, with 5% fewer instructions and no
//! more misses in a cache simulation: the cost is the larger footprint, likely TLB
//! misses.)

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::ptr::NonNull;

use super::{
    box_layout, obj_bytes, tail_of, Gc, GcBox, GcHeader, GcObject, Heap, Marker, ObjKind, Pool,
    BLACK, FINOBJ, WHITE0, WHITES,
};
use crate::func::{FnProto, LuaClosure, NativeClosure, UpVal};
use crate::state::Lua;
use crate::string::LuaStr;
use crate::table::Table;
use crate::thread::Thread;
use crate::userdata::UserData;
use crate::value::Value;

/// Allocation (bytes) between two incremental steps.
const STEP_SIZE: usize = 8 * 1024;
/// Work units (bytes marked; `SWEEP_COST` per object swept) per byte allocated at
/// the default `stepmul` of 100 (GC-PACING).
const STEP_WORK: usize = 16;
/// Work units charged per object visited by the sweeper.
const SWEEP_COST: usize = 32;
/// Smallest heap size at which an automatic cycle starts.
const MIN_THRESHOLD: usize = 64 * 1024;
/// Most rounds of "finalize everything" in `Lua::close` (finalizers may register more).
const MAX_CLOSE_ROUNDS: usize = 64;
/// `__mode` / `__gc` event numbers in the table's metamethod-absence cache.
const TM_GC: u8 = 2;
/// See `TM_GC`.
const TM_MODE: u8 = 3;

/// Where the collector is in its cycle (see GC-CYCLE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Between cycles.
    Pause,
    /// Incremental marking.
    Propagate,
    /// Incremental sweeping.
    Sweep,
}

/// A warning sink for errors raised by finalizers (`lua_warning`'s role).
pub type WarnFn = fn(&mut Lua, &[u8]);

/// The collector's state, inside `Heap`.
pub(crate) struct GcState {
    /// The current white (`WHITE0` or `WHITE1`): new objects get it.
    pub(crate) white: u8,
    /// Phase of the cycle.
    pub(crate) phase: Phase,
    /// Gray lists and weak-table lists.
    pub(crate) marker: Marker,
    /// Sweep cursor: the last surviving object visited (`None`: the list head).
    sweep_prev: Option<NonNull<GcHeader>>,
    /// Objects registered for finalization, in registration order.
    pub(crate) finobj: Vec<NonNull<GcHeader>>,
    /// Unreachable objects whose finalizer is due, in calling order.
    pub(crate) tobefnz: VecDeque<NonNull<GcHeader>>,
    /// The interned `"__gc"`.
    pub(crate) gc_name: Option<Gc<LuaStr>>,
    /// `setpause`: wait until the heap is this % of its post-collection size.
    pub(crate) pause: u32,
    /// `setstepmul`: work per step, in % of the bytes allocated.
    pub(crate) stepmul: u32,
    /// `collectgarbage("stop")` is in force.
    pub(crate) stopped: bool,
    /// A finalizer is running (no collection, no nested finalizers).
    pub(crate) in_finalizer: bool,
    /// `Lua::close` has run: no more finalizer registration.
    pub(crate) closed: bool,
    /// Mode reported by `collectgarbage("generational"/"incremental")`.
    pub(crate) generational: bool,
    /// Completed cycles.
    pub(crate) cycles: usize,
    /// `marker.work` when the current cycle's marking started.
    mark_start: usize,
    /// Live bytes found by the last marking (the work it did): the base of the pause.
    pub(crate) estimate: usize,
    /// Where finalizer errors go (none: dropped, like lua5.4 with warnings off).
    pub(crate) warn: Option<WarnFn>,
}

impl GcState {
    /// The state of a fresh heap.
    pub(crate) fn new() -> GcState {
        GcState {
            white: WHITE0,
            phase: Phase::Pause,
            marker: Marker::default(),
            sweep_prev: None,
            finobj: Vec::new(),
            tobefnz: VecDeque::new(),
            gc_name: None,
            pause: 200,
            stepmul: 100,
            stopped: false,
            in_finalizer: false,
            closed: false,
            generational: false,
            cycles: 0,
            mark_start: 0,
            estimate: 0,
            warn: None,
        }
    }
}

// ----------------------------------------------------------- per-kind dispatch

/// Header of the object a value refers to, if any.
#[inline]
fn value_header(v: &Value) -> Option<NonNull<GcHeader>> {
    Some(match *v {
        Value::Str(g) => NonNull::from(g.header()),
        Value::Table(g) => NonNull::from(g.header()),
        Value::LuaFn(g) => NonNull::from(g.header()),
        Value::NativeClosure(g) => NonNull::from(g.header()),
        Value::UserData(g) => NonNull::from(g.header()),
        Value::Thread(g) => NonNull::from(g.header()),
        _ => return None,
    })
}

/// Size of a typed object (box plus buffers).
///
/// # Safety
/// `h` is the header of a live `GcBox<T>`.
unsafe fn size_as<T: GcObject>(h: NonNull<GcHeader>) -> usize {
    // SAFETY: per the contract.
    let g: Gc<T> = unsafe { Gc::from_header(h) };
    obj_bytes(&*g)
}

/// Size of any object.
///
/// # Safety
/// `h` is the header of a live object.
unsafe fn obj_size(h: NonNull<GcHeader>) -> usize {
    // SAFETY: the header's kind names the box's type; the object is live.
    unsafe {
        match h.as_ref().kind {
            ObjKind::Str => size_as::<LuaStr>(h),
            ObjKind::Table => size_as::<Table>(h),
            ObjKind::LuaClosure => size_as::<LuaClosure>(h),
            ObjKind::NativeClosure => size_as::<NativeClosure>(h),
            ObjKind::UpVal => size_as::<UpVal>(h),
            ObjKind::Proto => size_as::<FnProto>(h),
            ObjKind::UserData => size_as::<UserData>(h),
            ObjKind::Thread => size_as::<Thread>(h),
        }
    }
}

/// Frees a typed object; returns its size.
///
/// # Safety
/// `h` is the header of a `GcBox<T>` made by `Heap::alloc_with` from `pool`, unlinked
/// and never used again.
unsafe fn free_as<T: GcObject>(h: NonNull<GcHeader>, pool: &mut Pool) -> usize {
    let p = h.cast::<GcBox<T>>();
    // SAFETY: per the contract the box is live and initialised until dropped here, and
    // `tail_of` gives its tail, whose extras are dropped once, here.
    let (tail, n) = unsafe {
        let v = &p.as_ref().value;
        let sizes = (v.tail_bytes(), obj_bytes(v));
        v.release(pool);
        v.drop_tail(tail_of::<T>(p.cast()));
        sizes
    };
    // SAFETY: per the contract; the block came from `pool` with this layout.
    unsafe {
        core::ptr::drop_in_place(p.as_ptr());
        pool.free(p.cast(), box_layout::<T>(tail));
    }
    n
}

/// Frees any object; returns its size.
///
/// # Safety
/// As `free_as`, for the type the header names.
unsafe fn free_obj(h: NonNull<GcHeader>, pool: &mut Pool) -> usize {
    // SAFETY: the header's kind names the box's type; per the contract.
    unsafe {
        match h.as_ref().kind {
            ObjKind::Str => free_as::<LuaStr>(h, pool),
            ObjKind::Table => free_as::<Table>(h, pool),
            ObjKind::LuaClosure => free_as::<LuaClosure>(h, pool),
            ObjKind::NativeClosure => free_as::<NativeClosure>(h, pool),
            ObjKind::UpVal => free_as::<UpVal>(h, pool),
            ObjKind::Proto => free_as::<FnProto>(h, pool),
            ObjKind::UserData => free_as::<UserData>(h, pool),
            ObjKind::Thread => free_as::<Thread>(h, pool),
        }
    }
}

/// Blackens an object and reports its handles.
///
/// # Safety
/// `h` is the header of a live `GcBox<T>`.
unsafe fn blacken_as<T: GcObject>(h: NonNull<GcHeader>, m: &mut Marker) {
    // SAFETY: per the contract.
    let g: Gc<T> = unsafe { Gc::from_header(h) };
    g.header().set_colour(BLACK);
    g.trace(m);
}

/// Marks a stack's live part `[0, top)` and, in the atomic phase, clears the dead slots
/// above it so stale handles never survive into a later cycle. This relies on the
/// interpreter's invariant (FRAME-LAYOUT in abi.rs) that at a safepoint every live
/// register lies below `top`: the running Lua frame has `top == CallInfo::top`, and a
/// caller's live registers lie below the callee's function slot.
fn mark_stack(stack: &mut [Value], top: usize, m: &mut Marker) {
    let top = top.min(stack.len());
    for v in stack.iter().take(top) {
        m.mark_value(v);
    }
    if m.atomic {
        for v in stack.iter_mut().skip(top) {
            *v = Value::Nil;
        }
    }
}

// ----------------------------------------------------------------- marking

impl Marker {
    /// Traverses one gray object.
    fn traverse(&mut self, h: NonNull<GcHeader>) {
        // SAFETY: only live objects are ever gray.
        let (kind, size) = unsafe { (h.as_ref().kind, obj_size(h)) };
        self.work += size;
        // SAFETY: the kind names the box's type; the object is live.
        unsafe {
            match kind {
                ObjKind::Str => h.as_ref().set_colour(BLACK),
                ObjKind::Table => self.traverse_table(Gc::from_header(h)),
                ObjKind::Thread => self.traverse_thread(Gc::from_header(h)),
                ObjKind::LuaClosure => blacken_as::<LuaClosure>(h, self),
                ObjKind::NativeClosure => blacken_as::<NativeClosure>(h, self),
                ObjKind::UpVal => blacken_as::<UpVal>(h, self),
                ObjKind::Proto => blacken_as::<FnProto>(h, self),
                ObjKind::UserData => blacken_as::<UserData>(h, self),
            }
        }
    }

    /// A thread: its own trace (stack below the top, open upvalues), plus clearing of
    /// its dead stack slots. Outside the atomic phase it stays gray and is traversed
    /// again there.
    fn traverse_thread(&mut self, t: Gc<Thread>) {
        t.trace(self);
        if let Ok(mut d) = t.data.try_borrow_mut() {
            let d = &mut *d;
            mark_stack(&mut d.stack, d.top, self);
        }
        if self.atomic {
            t.header().set_colour(BLACK);
        } else {
            self.grayagain.push(NonNull::from(t.header()));
        }
    }

    /// The weakness a table's metatable declares: (weak keys, weak values).
    fn weak_mode(&self, t: &Table) -> (bool, bool) {
        let (Some(mt), Some(name)) = (t.metatable(), self.mode_name) else {
            return (false, false);
        };
        match mt.get_tm(TM_MODE, name) {
            Value::Str(s) => (s.as_bytes().contains(&b'k'), s.as_bytes().contains(&b'v')),
            _ => (false, false),
        }
    }

    /// A table: strong ones turn black; weak ones wait for the atomic phase, where they
    /// are classified for clearing.
    fn traverse_table(&mut self, t: Gc<Table>) {
        if let Some(mt) = t.metatable() {
            self.mark(mt);
        }
        let (wk, wv) = self.weak_mode(&t);
        if !wk && !wv {
            t.header().set_colour(BLACK);
            t.set_gc_black(true);
            t.for_each_entry(|k, v| {
                self.mark_value(k);
                self.mark_value(v);
            });
            return;
        }
        if !self.atomic {
            self.grayagain.push(NonNull::from(t.header()));
            return;
        }
        t.header().set_colour(BLACK);
        match (wk, wv) {
            (false, _) => {
                t.for_each_entry(|k, _| self.mark_value(k));
                self.weak.push(t);
            }
            (true, false) => {
                self.traverse_ephemeron(t);
                self.ephemeron.push(t);
            }
            (true, true) => self.allweak.push(t),
        }
    }

    /// Marks the values of an ephemeron table whose keys are marked (or not
    /// collectable). Returns true if it marked anything.
    fn traverse_ephemeron(&mut self, t: Gc<Table>) -> bool {
        let before = self.marked;
        t.for_each_entry(|k, v| {
            if !self.is_cleared(k) {
                self.mark_value(v);
            }
        });
        self.marked != before
    }

    /// Whether a weak entry holding `v` is to be removed: `v` is a collectable object
    /// not reached. Strings are values, not objects, for weakness: they are marked and
    /// never removed.
    fn is_cleared(&mut self, v: &Value) -> bool {
        if let Value::Str(s) = *v {
            self.mark(s);
            return false;
        }
        // SAFETY: a handle in a live entry points to a live object.
        value_header(v).is_some_and(|h| unsafe { h.as_ref().is_white() })
    }

    /// Traverses gray objects until the list is empty or `budget` units are done.
    fn propagate(&mut self, budget: usize) {
        let start = self.work;
        while self.work - start < budget {
            let Some(h) = self.gray.pop() else { return };
            self.traverse(h);
        }
    }

    /// Traverses every gray object.
    fn propagate_all(&mut self) {
        while let Some(h) = self.gray.pop() {
            self.traverse(h);
        }
    }

    /// Re-traverses ephemeron tables until no value gets newly marked.
    fn converge_ephemerons(&mut self) {
        loop {
            let list = core::mem::take(&mut self.ephemeron);
            let before = self.marked;
            for &t in &list {
                self.traverse_ephemeron(t);
                self.propagate_all();
            }
            self.ephemeron.extend(list);
            if self.marked == before {
                return;
            }
        }
    }

    /// Removes entries with dead values from these tables.
    fn clear_by_values(&mut self, list: &[Gc<Table>]) {
        for t in list {
            t.clear_entries(|_, v| self.is_cleared(v));
        }
    }

    /// Removes entries with dead keys from these tables.
    fn clear_by_keys(&mut self, list: &[Gc<Table>]) {
        for t in list {
            t.clear_entries(|k, _| self.is_cleared(k));
        }
    }
}

// ------------------------------------------------------------ the cycle

impl Heap {
    /// Runs the collector for about `budget` work units (see GC-CYCLE), starting a
    /// cycle if none is in progress. `roots` marks the root set. Returns true if a
    /// cycle finished.
    pub(crate) fn gc_run(&mut self, roots: &mut dyn FnMut(&mut Marker), budget: usize) -> bool {
        let start = self.gc.marker.work;
        loop {
            let done = self.gc.marker.work - start;
            match self.gc.phase {
                Phase::Pause => self.start_cycle(roots),
                Phase::Propagate => {
                    self.gc.marker.propagate(budget.saturating_sub(done).max(1));
                    if self.gc.marker.gray.is_empty() {
                        self.atomic(roots);
                    } else if self.gc.marker.work - start >= budget {
                        return false;
                    }
                }
                Phase::Sweep => {
                    if self.sweep(budget.saturating_sub(done).max(1)) {
                        self.finish_cycle();
                        return true;
                    }
                    return false;
                }
            }
        }
    }

    /// Runs the collector until the current cycle, if any, is finished, then a full
    /// cycle.
    pub(crate) fn gc_full(&mut self, roots: &mut dyn FnMut(&mut Marker)) {
        if self.gc.phase != Phase::Pause {
            self.gc_run(roots, usize::MAX);
        }
        self.gc_run(roots, usize::MAX);
    }

    /// Marks the heap's own roots: the metamethod names it uses and the objects whose
    /// finalizer has not run yet.
    fn mark_heap_roots(&mut self) {
        let m = &mut self.gc.marker;
        if let Some(s) = m.mode_name {
            m.mark(s);
        }
        if let Some(s) = self.gc.gc_name {
            m.mark(s);
        }
        for &h in self.gc.tobefnz.iter() {
            // SAFETY: objects waiting for their finalizer are alive (they are roots).
            if unsafe { h.as_ref().is_white() } {
                m.mark_header(h);
            }
        }
    }

    /// Pause → Propagate: resets the lists and marks the roots.
    fn start_cycle(&mut self, roots: &mut dyn FnMut(&mut Marker)) {
        let m = &mut self.gc.marker;
        m.gray.clear();
        m.grayagain.clear();
        m.weak.clear();
        m.ephemeron.clear();
        m.allweak.clear();
        m.atomic = false;
        self.gc.mark_start = m.work;
        roots(m);
        self.mark_heap_roots();
        self.gc.phase = Phase::Propagate;
    }

    /// The atomic phase (see GC-CYCLE, step 3); ends in Sweep.
    fn atomic(&mut self, roots: &mut dyn FnMut(&mut Marker)) {
        self.gc.marker.atomic = true;
        roots(&mut self.gc.marker);
        self.mark_heap_roots();
        let m = &mut self.gc.marker;
        m.propagate_all();
        let again = core::mem::take(&mut m.grayagain);
        for h in again {
            m.traverse(h);
        }
        m.propagate_all();
        m.converge_ephemerons();
        let weak = core::mem::take(&mut m.weak);
        let allweak = core::mem::take(&mut m.allweak);
        m.clear_by_values(&weak);
        m.clear_by_values(&allweak);
        self.separate_unreachable();
        self.mark_heap_roots();
        let m = &mut self.gc.marker;
        m.propagate_all();
        m.converge_ephemerons();
        let eph = core::mem::take(&mut m.ephemeron);
        let mut weak2 = core::mem::take(&mut m.weak);
        let mut allweak2 = core::mem::take(&mut m.allweak);
        m.clear_by_keys(&eph);
        m.clear_by_keys(&allweak);
        m.clear_by_keys(&allweak2);
        weak2.extend(weak);
        allweak2.extend(allweak);
        m.clear_by_values(&weak2);
        m.clear_by_values(&allweak2);
        m.atomic = false;
        self.gc.estimate = m.work - self.gc.mark_start;
        self.gc.white ^= WHITES;
        self.gc.phase = Phase::Sweep;
        self.gc.sweep_prev = None;
    }

    /// Moves unreachable registered objects to the finalization queue, most recently
    /// registered first. (They get marked by `mark_heap_roots` right after.)
    fn separate_unreachable(&mut self) {
        let mut keep = Vec::with_capacity(self.gc.finobj.len());
        let mut due = Vec::new();
        for &h in self.gc.finobj.iter() {
            // SAFETY: registered objects are alive (only separated ones can die).
            let hd = unsafe { h.as_ref() };
            if hd.is_white() {
                hd.mark.set(hd.mark.get() & !FINOBJ);
                due.push(h);
            } else {
                keep.push(h);
            }
        }
        self.gc.finobj = keep;
        self.gc.tobefnz.extend(due.into_iter().rev());
    }

    /// Frees dead objects for about `budget` units; returns true when the list is done.
    fn sweep(&mut self, budget: usize) -> bool {
        let dead = self.gc.white ^ WHITES;
        let mut cur = match self.gc.sweep_prev {
            // SAFETY: the cursor is a surviving object; only the sweeper frees.
            Some(p) => unsafe { p.as_ref().next.get() },
            None => self.all,
        };
        let mut work = 0;
        while let Some(h) = cur {
            if work >= budget {
                return false;
            }
            work += SWEEP_COST;
            // SAFETY: objects on the list are alive until freed here.
            let hd = unsafe { h.as_ref() };
            let next = hd.next.get();
            if hd.mark.get() & dead != 0 {
                match self.gc.sweep_prev {
                    // SAFETY: as above.
                    Some(p) => unsafe { p.as_ref().next.set(next) },
                    None => self.all = next,
                }
                // SAFETY: unlinked just now; nothing reachable refers to it.
                unsafe { self.free_object(h) };
            } else {
                hd.set_colour(self.gc.white);
                if hd.kind == ObjKind::Table {
                    // SAFETY: the header says this is a table.
                    let t: Gc<Table> = unsafe { Gc::from_header(h) };
                    t.set_gc_black(false);
                }
                self.gc.sweep_prev = Some(h);
            }
            cur = next;
        }
        true
    }

    /// Frees one unlinked object (a string leaves the string table first).
    ///
    /// # Safety
    /// `h` is unlinked from the object list and unreachable.
    unsafe fn free_object(&mut self, h: NonNull<GcHeader>) {
        // SAFETY: still allocated; the caller gives up every use of it.
        if unsafe { h.as_ref().kind } == ObjKind::Str {
            // SAFETY: the header says this is a string.
            self.strings.remove(unsafe { Gc::from_header(h) });
        }
        // SAFETY: per the contract.
        let n = unsafe { free_obj(h, &mut self.pool) };
        self.bytes = self.bytes.saturating_sub(n);
        self.objects -= 1;
    }

    /// Sweep → Pause: sets the threshold of the next cycle.
    fn finish_cycle(&mut self) {
        self.gc.phase = Phase::Pause;
        self.gc.cycles += 1;
        self.strings.shrink_if_sparse();
        self.set_pause_threshold();
    }

    /// Next cycle when the heap reaches `pause`% of the live size the last marking
    /// found (not of the current size, which includes what was allocated during the
    /// cycle: basing the pause on it would let the heap creep up cycle after cycle).
    pub(crate) fn set_pause_threshold(&mut self) {
        let live = self.gc.estimate.min(self.bytes);
        let t = (live / 100).saturating_mul(self.gc.pause as usize);
        self.threshold = t.max(MIN_THRESHOLD);
    }

    /// Frees every object (the heap is going away).
    pub(crate) fn free_all(&mut self) {
        let mut cur = self.all.take();
        while let Some(h) = cur {
            // SAFETY: every object on the list is alive and owned by the heap.
            cur = unsafe { h.as_ref().next.get() };
            // SAFETY: the heap is being dropped; no handle is used after this.
            let n = unsafe { free_obj(h, &mut self.pool) };
            self.bytes = self.bytes.saturating_sub(n);
            self.objects -= 1;
        }
        self.gc.finobj.clear();
        self.gc.tobefnz.clear();
    }

    /// Revives a string the sweeper has found dead but not yet freed (the string table
    /// handed it out again).
    #[inline]
    pub(crate) fn revive(&self, s: Gc<LuaStr>) {
        let h = s.header();
        if h.mark.get() & (self.gc.white ^ WHITES) != 0 && self.gc.phase == Phase::Sweep {
            h.set_colour(self.gc.white);
        }
    }

    // -------------------------------------------------------------- barriers

    /// Forward write barrier: call after storing `v` into `obj` when `obj` may be old,
    /// for every object except tables (their setters handle it) and threads (always
    /// re-traversed). Needed after: closing an upvalue or setting a closed one,
    /// setting a native closure's upvalue, storing a userdata user value, replacing
    /// the metatable of an existing table or userdata (`Lua::check_finalizer` does
    /// that one).
    #[inline]
    pub fn barrier_value<T>(&mut self, obj: Gc<T>, v: Value) {
        if obj.header().is_black() {
            if let Some(vh) = value_header(&v) {
                // SAFETY: `v` is a live value being stored.
                if unsafe { vh.as_ref().is_white() } {
                    self.barrier_forward_slow(NonNull::from(obj.header()), vh);
                }
            }
        }
    }

    /// Forward write barrier for a handle that is not a value: call after storing
    /// `child` into `obj` (a closure's upvalue cell replaced by `debug.upvaluejoin`).
    #[inline]
    pub fn barrier_object<T, U>(&mut self, obj: Gc<T>, child: Gc<U>) {
        if obj.header().is_black() && child.header().is_white() {
            self.barrier_forward_slow(NonNull::from(obj.header()), NonNull::from(child.header()));
        }
    }

    /// Slow path of `barrier_value`: black `o` now refers to white `v`.
    fn barrier_forward_slow(&mut self, o: NonNull<GcHeader>, v: NonNull<GcHeader>) {
        if self.gc.phase == Phase::Propagate {
            self.gc.marker.mark_header(v);
        } else {
            // Sweeping: whiten the object instead, so no further barrier fires.
            // SAFETY: `o` is a live object (the caller holds a handle).
            let oh = unsafe { o.as_ref() };
            oh.set_colour(self.gc.white);
            if oh.kind == ObjKind::Table {
                // SAFETY: the header says this is a table.
                let t: Gc<Table> = unsafe { Gc::from_header(o) };
                t.set_gc_black(false);
            }
        }
    }

    /// Backward write barrier for a table the collector has traversed (called by the
    /// table setters when `Table::gc_black` is set).
    #[cold]
    pub(crate) fn barrier_table(&mut self, t: &Table) {
        t.set_gc_black(false);
        // SAFETY: `gc_black` is only set by the collector on tables it traversed,
        // which live in a `GcBox<Table>`.
        let g = unsafe { t.handle() };
        let h = g.header();
        if self.gc.phase == Phase::Propagate {
            h.set_colour(0);
            self.gc.marker.grayagain.push(NonNull::from(h));
        } else {
            h.set_colour(self.gc.white);
        }
    }
}

// ---------------------------------------------------------- the Lua side

/// The roots a `Lua` holds (see GC-INVARIANT), borrowed apart from its heap.
struct LuaRoots<'a> {
    /// Running thread's stack.
    stack: &'a mut crate::cvec::CVec<Value>,
    /// Its top.
    top: usize,
    /// Its open upvalues.
    open_upvals: &'a [Gc<UpVal>],
    /// Thread objects and tables held directly.
    threads: [Gc<Thread>; 2],
    /// Registry and globals.
    tables: [Gc<Table>; 2],
    /// String metatable.
    string_meta: Option<Gc<Table>>,
    /// Metatables of the other basic types (`Lua::type_metas`).
    type_metas: [Option<Gc<Table>>; 9],
    /// Metamethod names.
    tm_names: &'a crate::vm::meta::TmNames,
    /// Threads of protected calls in progress.
    catch_threads: Vec<Gc<Thread>>,
}

impl LuaRoots<'_> {
    /// Marks everything.
    fn mark(&mut self, m: &mut Marker) {
        mark_stack(self.stack, self.top, m);
        for u in self.open_upvals {
            m.mark(*u);
        }
        for t in self.threads {
            m.mark(t);
        }
        for t in self.tables {
            m.mark(t);
        }
        if let Some(t) = self.string_meta {
            m.mark(t);
        }
        for t in self.type_metas.into_iter().flatten() {
            m.mark(t);
        }
        self.tm_names.mark(m);
        for t in &self.catch_threads {
            m.mark(*t);
        }
    }
}

impl Lua {
    /// Runs the collector with this state's roots for `budget` units; true if a cycle
    /// finished.
    fn gc_run_budget(&mut self, budget: usize) -> bool {
        let Lua {
            heap,
            stack,
            top,
            open_upvals,
            current,
            main_thread,
            registry,
            globals,
            string_meta,
            type_metas,
            tm_names,
            catch_points,
            ..
        } = self;
        let mut roots = LuaRoots {
            stack,
            top: *top,
            open_upvals,
            threads: [*current, *main_thread],
            tables: [*registry, *globals],
            string_meta: *string_meta,
            type_metas: *type_metas,
            tm_names,
            catch_threads: catch_points.iter().map(|c| c.thread).collect(),
        };
        if budget == usize::MAX {
            heap.gc_full(&mut |m| roots.mark(m));
            true
        } else {
            heap.gc_run(&mut |m| roots.mark(m), budget)
        }
    }

    /// Work units one step performs for `bytes` of allocation (GC-PACING).
    fn step_budget(&self, bytes: usize) -> usize {
        let stepmul = self.heap.gc.stepmul.max(10) as usize;
        bytes.saturating_mul(stepmul).saturating_mul(STEP_WORK) / 100
    }

    /// GC safepoint (the collector's `gc_check`): does a step when allocation crossed
    /// the threshold, then runs due finalizers.
    #[inline(always)]
    pub fn collect_check(&mut self) {
        if self.heap.should_collect() {
            self.collect_slow();
        }
    }

    /// The out-of-line part of `collect_check`.
    #[inline(never)]
    fn collect_slow(&mut self) {
        let g = &self.heap.gc;
        if g.stopped || g.in_finalizer {
            self.heap.threshold = self.heap.bytes.saturating_add(STEP_SIZE);
            return;
        }
        let debt = self.heap.bytes - self.heap.threshold;
        let budget = self.step_budget(debt + STEP_SIZE);
        if !self.gc_run_budget(budget) {
            self.heap.threshold = self.heap.bytes + STEP_SIZE;
        }
        self.run_finalizers();
    }

    /// `collectgarbage("collect")`: finishes the current cycle and runs a full one,
    /// then the due finalizers. Does nothing inside a finalizer.
    pub fn full_gc(&mut self) {
        if self.heap.gc.in_finalizer {
            return;
        }
        self.gc_run_budget(usize::MAX);
        self.run_finalizers();
    }

    /// `collectgarbage("step", kb)`: one basic step (`kb <= 0`) or work worth `kb`
    /// kilobytes of allocation. True if a cycle finished.
    pub fn gc_step(&mut self, kb: i64) -> bool {
        if self.heap.gc.in_finalizer {
            return false;
        }
        let bytes = if kb <= 0 {
            STEP_SIZE
        } else {
            (kb as usize).saturating_mul(1024)
        };
        let finished = self.gc_run_budget(self.step_budget(bytes));
        if !finished && !self.heap.gc.stopped {
            self.heap.threshold = self.heap.bytes + STEP_SIZE;
        }
        self.run_finalizers();
        finished
    }

    /// Registers `v` for finalization if its metatable has `__gc` (call after every
    /// `setmetatable` of a table or userdata); also applies the write barrier for the
    /// new metatable.
    pub fn register_finalizer(&mut self, v: Value) {
        let (h, mt) = match v {
            Value::Table(t) => (NonNull::from(t.header()), t.metatable()),
            Value::UserData(u) => (NonNull::from(u.header()), u.metatable.get()),
            _ => return,
        };
        let Some(mt) = mt else { return };
        // SAFETY: `v` is a live value.
        let hd = unsafe { h.as_ref() };
        if hd.is_black() && mt.header().is_white() {
            self.heap
                .barrier_forward_slow(h, NonNull::from(mt.header()));
        }
        let Some(name) = self.heap.gc.gc_name else {
            return;
        };
        if self.heap.gc.closed || hd.mark.get() & FINOBJ != 0 || mt.get_tm(TM_GC, name).is_nil() {
            return;
        }
        hd.mark.set(hd.mark.get() | FINOBJ);
        self.heap.gc.finobj.push(h);
    }

    /// Runs the finalizers that are due, unless one is already running.
    fn run_finalizers(&mut self) {
        if self.heap.gc.in_finalizer || self.heap.gc.tobefnz.is_empty() {
            return;
        }
        self.heap.gc.in_finalizer = true;
        while let Some(h) = self.heap.gc.tobefnz.pop_front() {
            self.call_finalizer(h);
        }
        self.heap.gc.in_finalizer = false;
    }

    /// Calls `__gc(obj)` for one object; an error becomes a warning.
    fn call_finalizer(&mut self, h: NonNull<GcHeader>) {
        // SAFETY: queued objects are kept alive (marked as roots) until called.
        let v = unsafe {
            match h.as_ref().kind {
                ObjKind::Table => Value::Table(Gc::from_header(h)),
                ObjKind::UserData => Value::UserData(Gc::from_header(h)),
                _ => return,
            }
        };
        let (Some(mt), Some(name)) = (self.metatable(v), self.heap.gc.gc_name) else {
            return;
        };
        let f = mt.get_str(name);
        if f.is_nil() {
            return;
        }
        let func = self.top;
        self.push(f);
        self.push(v);
        if let Err(e) = self.pcall(func, 0) {
            let mut msg = alloc::vec::Vec::from(&b"error in __gc ("[..]);
            match e.value {
                Value::Str(s) => msg.extend_from_slice(s.as_bytes()),
                _ => msg.extend_from_slice(b"error object is not a string"),
            }
            msg.push(b')');
            if let Some(w) = self.heap.gc.warn {
                w(self, &msg);
            }
        }
        self.top = func;
    }

    /// Sets where finalizer errors are reported (`warn`'s sink).
    pub fn set_gc_warn(&mut self, f: Option<WarnFn>) {
        self.heap.gc.warn = f;
    }

    /// Ends the state's Lua life: calls the finalizers of every registered object
    /// (reachable or not), most recently registered first, then refuses new
    /// registrations. Objects stay allocated (handles remain valid) until the `Lua` is
    /// dropped, which frees everything. Idempotent; `Drop` calls it.
    pub fn close(&mut self) {
        if self.heap.gc.closed {
            return;
        }
        self.run_finalizers();
        for _ in 0..MAX_CLOSE_ROUNDS {
            if self.heap.gc.finobj.is_empty() {
                break;
            }
            let all = core::mem::take(&mut self.heap.gc.finobj);
            for &h in all.iter().rev() {
                // SAFETY: registered objects are alive.
                let hd = unsafe { h.as_ref() };
                hd.mark.set(hd.mark.get() & !FINOBJ);
                self.heap.gc.tobefnz.push_back(h);
            }
            self.run_finalizers();
        }
        self.heap.gc.closed = true;
        self.heap.gc.finobj.clear();
    }

    /// True while a finalizer runs (the collector is off then).
    pub fn gc_in_finalizer(&self) -> bool {
        self.heap.gc.in_finalizer
    }

    /// Whether `collectgarbage("stop")` is not in force.
    pub fn gc_is_running(&self) -> bool {
        !self.heap.gc.stopped
    }

    /// `collectgarbage("stop")` / `("restart")`.
    pub fn gc_set_running(&mut self, on: bool) {
        self.heap.gc.stopped = !on;
        self.heap.threshold = if on { self.heap.bytes } else { usize::MAX };
    }

    /// Sets `pause` (and `stepmul` when given); returns the previous values.
    pub fn gc_set_params(&mut self, pause: Option<u32>, stepmul: Option<u32>) -> (u32, u32) {
        let g = &mut self.heap.gc;
        let old = (g.pause, g.stepmul);
        if let Some(p) = pause {
            g.pause = p;
        }
        if let Some(s) = stepmul {
            g.stepmul = s;
        }
        old
    }

    /// Switches the reported mode (`true` = generational); returns whether the previous
    /// mode was generational. The collector itself is always incremental.
    pub fn gc_set_generational(&mut self, gen: bool) -> bool {
        core::mem::replace(&mut self.heap.gc.generational, gen)
    }
}

impl Drop for Lua {
    fn drop(&mut self) {
        #[cfg(feature = "std")]
        if std::thread::panicking() {
            return;
        }
        self.close();
    }
}

#[cfg(test)]
mod tests;
