//! A fixed-size heap for the embedded example: a static array handed out by a simple
//! segregated-fit allocator (the kind a microcontroller firmware would use).
//!
//! Blocks are rounded up to a size class (multiples of 16 bytes up to 4 KiB, then powers
//! of two); a freed block goes on its class's free list and is reused by the next request
//! of that class; fresh blocks are cut from the top of the arena (a bump pointer). There is
//! no coalescing: simple and predictable, at the price of some fragmentation. Requests
//! aligned beyond 16 bytes, or that do not fit, fail (null), as `GlobalAlloc` allows.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// Size of the heap in bytes.
pub const HEAP_SIZE: usize = 256 * 1024;
/// Alignment of every block (and granularity of the small classes).
const GRAIN: usize = 16;
/// Largest small class.
const SMALL_MAX: usize = 4096;
/// Number of small classes (16, 32, ... 4096).
const N_SMALL: usize = SMALL_MAX / GRAIN;
/// Number of power-of-two classes above `SMALL_MAX` (8 KiB and up).
const N_LARGE: usize = 24;
/// Most live blocks `Arena::track` records (later ones are counted, not listed).
const TRACKED: usize = 512;
/// Free-list "empty" marker. Links are stored as offset + 1 so that an empty heap is all
/// zero bytes and lands in `.bss`, not in the program image.
const NONE: usize = 0;

/// The heap's memory, 16-aligned.
#[repr(C, align(16))]
struct Memory([u8; HEAP_SIZE]);

/// Allocator bookkeeping (only touched with the lock held).
struct State {
    /// Offset of the first never-used byte (the bump pointer).
    next: usize,
    /// Head of each class's free list (offset + 1, or `NONE`; each free block stores the
    /// next link in its first word).
    free: [usize; N_SMALL + N_LARGE],
    /// Bytes requested and not yet freed.
    live: usize,
    /// Largest `live` seen.
    peak: usize,
    /// Record live blocks in `blocks` (`Arena::track`).
    tracking: bool,
    /// Live blocks allocated while tracking: (offset + 1, requested size, allocation
    /// number); offset 0 = unused.
    blocks: [(usize, usize, usize); TRACKED],
    /// Blocks allocated while tracking.
    nallocs: usize,
    /// Entries in use in `blocks`.
    ntracked: usize,
}

/// Figures of the heap.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// Bytes requested and not yet freed.
    pub live: usize,
    /// Largest `live` seen.
    pub peak: usize,
    /// Arena bytes ever handed out (the high-water mark, with class rounding).
    pub used: usize,
}

/// A fixed-size heap usable as the global allocator.
pub struct Arena {
    /// Spin lock guarding `state` and the free lists inside `mem`.
    lock: AtomicBool,
    /// The memory handed out.
    mem: UnsafeCell<Memory>,
    /// The bookkeeping.
    state: UnsafeCell<State>,
}

// SAFETY: `state` and the free-list links inside `mem` are only accessed in `with`, under
// the spin lock; the rest of `mem` is owned by whoever holds the block.
unsafe impl Sync for Arena {}

/// The class index and block size serving `size` bytes, if any.
fn class_of(size: usize) -> Option<(usize, usize)> {
    let size = size.max(1);
    if size <= SMALL_MAX {
        let n = size.div_ceil(GRAIN);
        return Some((n - 1, n * GRAIN));
    }
    let block = size.checked_next_power_of_two()?;
    let k = (block.trailing_zeros() - SMALL_MAX.trailing_zeros() - 1) as usize;
    (k < N_LARGE && block <= HEAP_SIZE).then_some((N_SMALL + k, block))
}

impl Arena {
    /// An empty heap.
    pub const fn new() -> Arena {
        Arena {
            lock: AtomicBool::new(false),
            mem: UnsafeCell::new(Memory([0; HEAP_SIZE])),
            state: UnsafeCell::new(State {
                next: 0,
                free: [NONE; N_SMALL + N_LARGE],
                live: 0,
                peak: 0,
                tracking: false,
                blocks: [(NONE, 0, 0); TRACKED],
                nallocs: 0,
                ntracked: 0,
            }),
        }
    }

    /// Runs `f` with the lock held, on the state and the arena's base pointer.
    fn with<R>(&self, f: impl FnOnce(&mut State, *mut u8) -> R) -> R {
        while self
            .lock
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held, so this is the only reference to the state.
        let state = unsafe { &mut *self.state.get() };
        let r = f(state, self.mem.get().cast::<u8>());
        self.lock.store(false, Ordering::Release);
        r
    }

    /// Starts (or stops) recording the blocks allocated from now on, for `blocks`.
    pub fn track(&self, on: bool) {
        self.with(|s, _| s.tracking = on);
    }

    /// Calls `f(size)` for each live block recorded by `track` (up to `TRACKED`), in
    /// allocation order.
    pub fn blocks(&self, mut f: impl FnMut(usize)) {
        let mut blocks = self.with(|s, _| s.blocks);
        blocks.sort_unstable_by_key(|b| b.2);
        for (off, size, _) in blocks {
            if off != NONE {
                f(size);
            }
        }
    }

    /// Current figures.
    pub fn stats(&self) -> Stats {
        self.with(|s, _| Stats {
            live: s.live,
            peak: s.peak,
            used: s.next,
        })
    }
}

impl State {
    /// Takes a block of class `c` (`block` bytes) from its free list or the top; its offset.
    fn take(&mut self, base: *mut u8, c: usize, block: usize) -> Option<usize> {
        let head = self.free[c];
        if head != NONE {
            let off = head - 1;
            // SAFETY: `off` is a free block of this arena (put there by `give`), 16-aligned
            // and at least 16 bytes long; its first word holds the next link.
            self.free[c] = unsafe { base.add(off).cast::<usize>().read() };
            return Some(off);
        }
        let off = self.next;
        if block > HEAP_SIZE - off {
            return None;
        }
        self.next += block;
        Some(off)
    }

    /// Puts the block at `off` back on the free list of class `c`.
    fn give(&mut self, base: *mut u8, c: usize, off: usize) {
        // SAFETY: `off` is a block of this arena being freed by its owner (the
        // `GlobalAlloc::dealloc` contract), 16-aligned and at least 16 bytes long.
        unsafe { base.add(off).cast::<usize>().write(self.free[c]) };
        self.free[c] = off + 1;
    }

    /// Records a block of `size` bytes allocated at `off`, while tracking.
    fn note_alloc(&mut self, off: usize, size: usize) {
        if !self.tracking {
            return;
        }
        self.nallocs += 1;
        let entry = (off + 1, size, self.nallocs);
        if let Some(slot) = self.blocks.iter_mut().find(|b| b.0 == NONE) {
            *slot = entry;
            self.ntracked += 1;
        }
    }

    /// Forgets the block at `off` if it was recorded.
    fn note_free(&mut self, off: usize) {
        if self.ntracked == 0 {
            return;
        }
        if let Some(slot) = self.blocks.iter_mut().find(|b| b.0 == off + 1) {
            *slot = (NONE, 0, 0);
            self.ntracked -= 1;
        }
    }

    /// Updates the size of the block at `off` if it was recorded.
    fn note_resize(&mut self, off: usize, size: usize) {
        if self.ntracked == 0 {
            return;
        }
        if let Some(b) = self.blocks.iter_mut().find(|b| b.0 == off + 1) {
            b.1 = size;
        }
    }

    /// Adds to the live count.
    fn account(&mut self, add: usize, sub: usize) {
        self.live = self.live + add - sub;
        self.peak = self.peak.max(self.live);
    }
}

// SAFETY: blocks are disjoint ranges of the arena (a block is on at most one free list or
// owned by one caller), 16-aligned, at least as large as the request; requests with a
// larger alignment get null.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some((c, block)) = class_of(layout.size()).filter(|_| layout.align() <= GRAIN) else {
            return core::ptr::null_mut();
        };
        self.with(|s, base| match s.take(base, c, block) {
            Some(off) => {
                s.account(layout.size(), 0);
                s.note_alloc(off, layout.size());
                // SAFETY: `off + block <= HEAP_SIZE` (checked when the block was cut).
                unsafe { base.add(off) }
            }
            None => core::ptr::null_mut(),
        })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some((c, _)) = class_of(layout.size()) else {
            return;
        };
        self.with(|s, base| {
            s.account(0, layout.size());
            let off = ptr as usize - base as usize;
            s.note_free(off);
            s.give(base, c, off);
        });
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let same = class_of(layout.size()).map(|c| c.0) == class_of(new_size).map(|c| c.0);
        if same {
            self.with(|s, base| {
                s.account(new_size, layout.size());
                let off = ptr as usize - base as usize;
                s.note_resize(off, new_size);
            });
            return ptr;
        }
        // SAFETY: the layout is valid (size nonzero, alignment as the old one).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: forwarded from the caller's contract.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for the smaller size and do not overlap.
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: `ptr` was allocated with `layout` (caller's contract).
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_up() {
        assert_eq!(class_of(0), Some((0, 16)));
        assert_eq!(class_of(17), Some((1, 32)));
        assert_eq!(class_of(4096), Some((255, 4096)));
        assert_eq!(class_of(4097), Some((256, 8192)));
        assert_eq!(class_of(HEAP_SIZE + 1), None);
    }

    #[test]
    fn freed_blocks_are_reused_and_exhaustion_is_null() {
        let a = Box::new(Arena::new());
        let l = Layout::from_size_align(100, 8).unwrap();
        // SAFETY: valid layouts; every pointer is freed once with its layout.
        unsafe {
            let p = a.alloc(l);
            assert!(!p.is_null());
            a.dealloc(p, l);
            assert_eq!(a.alloc(l), p);
            assert_eq!(a.stats().live, 100);
            let big = Layout::from_size_align(HEAP_SIZE, 8).unwrap();
            assert!(a.alloc(big).is_null());
            assert!(a.alloc(Layout::from_size_align(8, 64).unwrap()).is_null());
            let q = a.realloc(p, l, 110);
            assert_eq!(q, p);
            let r = a.realloc(q, Layout::from_size_align(110, 8).unwrap(), 1000);
            assert_ne!(r, p);
            a.dealloc(r, Layout::from_size_align(1000, 8).unwrap());
            assert_eq!(a.stats().live, 0);
        }
    }

    #[test]
    fn tracking_lists_live_blocks_in_order() {
        let a = Box::new(Arena::new());
        let l = |n| Layout::from_size_align(n, 8).unwrap();
        // SAFETY: valid layouts; every pointer is freed once with its layout.
        unsafe {
            let before = a.alloc(l(8));
            a.track(true);
            let p = a.alloc(l(100));
            let q = a.alloc(l(20));
            let r = a.alloc(l(300));
            a.dealloc(q, l(20));
            let p = a.realloc(p, l(100), 110);
            a.track(false);
            let mut seen = Vec::new();
            a.blocks(|n| seen.push(n));
            assert_eq!(seen, [110, 300]);
            a.dealloc(r, l(300));
            a.dealloc(p, l(110));
            a.dealloc(before, l(8));
            seen.clear();
            a.blocks(|n| seen.push(n));
            assert!(seen.is_empty());
        }
    }
}
