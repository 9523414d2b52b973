//! Size-class free lists in front of the global allocator, for heap objects and the
//! small buffers they own (table parts).
//!
//! # Design (anchor: GC-POOL)
//! Requests of at most `MAX_SMALL` bytes (alignment at most `GRAIN`) are rounded up to
//! a multiple of `GRAIN` and served from one LIFO free list per size, refilled by
//! carving chunks obtained from the global allocator. Freeing pushes the block back on
//! its list. Larger requests go straight to the global allocator. The collector frees
//! dead objects in bursts (a sweep) and the program allocates them again right after,
//! so a LIFO list hands out memory that is still in cache, and an allocation or a free
//! is a few instructions instead of a trip through `malloc`'s bins. Chunks are returned
//! to the global allocator only when the pool is dropped (with the heap): memory freed
//! in one size class serves only that class.
//!
//! Chunks grow with the pool (anchor: POOL-GROWTH): the first is `MIN_CHUNK` bytes and
//! each next one half of what the pool holds already, rounded down to `MIN_CHUNK`, at
//! most `MAX_CHUNK`. So a small state (a firmware's, right after boot) takes from the
//! allocator little more than it uses: the part of the pool not yet carved is at most
//! half of it (a third past its first 2 KiB), and at most `MAX_CHUNK`. When a chunk cannot serve a request, what is left of
//! it goes on the free list of its size, so no byte of a chunk is lost. Each chunk
//! starts with a `ChunkHead` linking the chunks (no separate list to allocate).

use alloc::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use core::ptr::NonNull;

/// Size granularity and largest alignment of pooled blocks.
const GRAIN: usize = 16;
/// Largest pooled request.
pub(crate) const MAX_SMALL: usize = 256;
/// Number of size classes (`GRAIN`, `2 * GRAIN`, ..., `MAX_SMALL`).
const CLASSES: usize = MAX_SMALL / GRAIN;
/// Bytes of the first chunk, and the granularity of chunk sizes (POOL-GROWTH).
const MIN_CHUNK: usize = 1024;
/// Largest chunk.
const MAX_CHUNK: usize = 64 * 1024;

/// A free block: the link to the next free block of its class.
struct FreeBlock {
    /// Next free block of the same class (null: none).
    next: *mut FreeBlock,
}

/// The start of every chunk: the chunk list's link and the chunk's size.
#[repr(C, align(16))]
struct ChunkHead {
    /// The chunk obtained before this one (null: none).
    prev: *mut ChunkHead,
    /// This chunk's size in bytes (head included).
    size: usize,
}

/// Bytes of a chunk taken by its head.
const HEAD: usize = core::mem::size_of::<ChunkHead>();

// The head keeps the blocks after it aligned to GRAIN.
const _: () = assert!(
    HEAD.is_multiple_of(GRAIN) && MIN_CHUNK.is_multiple_of(GRAIN) && MIN_CHUNK > HEAD + MAX_SMALL
);

/// The free lists and the chunks that back them.
pub struct Pool {
    /// Head of each class's free list (null: empty).
    free: [*mut FreeBlock; CLASSES],
    /// Uncarved part of the current chunk: `[bump, end)`.
    bump: *mut u8,
    /// End of the current chunk.
    end: *mut u8,
    /// The newest chunk (null: none); each links to the one before.
    chunks: *mut ChunkHead,
    /// Bytes of all chunks.
    reserved: usize,
}

/// The size class of a pooled request, or `None` for one the global allocator serves.
#[inline(always)]
fn class_of(layout: Layout) -> Option<usize> {
    let size = layout.size();
    if size == 0 || size > MAX_SMALL || layout.align() > GRAIN {
        return None;
    }
    Some((size - 1) / GRAIN)
}

/// The size of the chunk after `reserved` bytes of chunks (POOL-GROWTH).
fn next_chunk_size(reserved: usize) -> usize {
    (reserved / 2 / MIN_CHUNK * MIN_CHUNK).clamp(MIN_CHUNK, MAX_CHUNK)
}

/// The layout of a chunk of `size` bytes.
fn chunk_layout(size: usize) -> Layout {
    // GRAIN is a power of two and chunk sizes multiples of it, far below isize::MAX.
    Layout::from_size_align(size, GRAIN).unwrap_or_else(|_| Layout::new::<ChunkHead>())
}

impl Default for Pool {
    fn default() -> Self {
        Pool {
            free: [core::ptr::null_mut(); CLASSES],
            bump: core::ptr::null_mut(),
            end: core::ptr::null_mut(),
            chunks: core::ptr::null_mut(),
            reserved: 0,
        }
    }
}

impl Pool {
    /// A block for `layout` (size > 0). Never returns null: allocation failure aborts
    /// through `handle_alloc_error`, like `Box::new`.
    #[inline]
    pub(crate) fn alloc(&mut self, layout: Layout) -> NonNull<u8> {
        let Some(c) = class_of(layout) else {
            return alloc_global(layout);
        };
        let head = self.free[c];
        if !head.is_null() {
            // SAFETY: a non-null list head is a free block of this class that `free`
            // pushed; its first word holds the link written there.
            self.free[c] = unsafe { (*head).next };
            // SAFETY: non-null, checked above.
            return unsafe { NonNull::new_unchecked(head.cast()) };
        }
        self.carve((c + 1) * GRAIN)
    }

    /// Cuts `size` bytes (a multiple of `GRAIN`, at most `MAX_SMALL`) off the current
    /// chunk, starting a new chunk when it is exhausted.
    #[cold]
    fn carve(&mut self, size: usize) -> NonNull<u8> {
        if (self.end as usize) - (self.bump as usize) < size {
            self.new_chunk();
        }
        let p = self.bump;
        // SAFETY: `size <= end - bump`, so the result stays within the chunk (or one past).
        self.bump = unsafe { p.add(size) };
        // SAFETY: `p` lies inside a live chunk, so it is not null.
        unsafe { NonNull::new_unchecked(p) }
    }

    /// Puts what is left of the current chunk on its class's free list, then makes a
    /// new chunk the current one (POOL-GROWTH).
    fn new_chunk(&mut self) {
        let rest = (self.end as usize) - (self.bump as usize);
        if rest >= GRAIN {
            // `rest` is a multiple of GRAIN below MAX_SMALL (a request did not fit).
            let c = rest / GRAIN - 1;
            let b = self.bump.cast::<FreeBlock>();
            // SAFETY: `[bump, end)` is an uncarved, GRAIN-aligned part of a live chunk,
            // at least GRAIN bytes long: a block of class `c` that nobody uses.
            unsafe { b.write(FreeBlock { next: self.free[c] }) };
            self.free[c] = b;
        }
        let size = next_chunk_size(self.reserved);
        let p = alloc_global(chunk_layout(size)).as_ptr();
        let head = p.cast::<ChunkHead>();
        // SAFETY: `p` is a fresh block of `size > HEAD` bytes aligned to GRAIN, the
        // head's alignment.
        unsafe {
            head.write(ChunkHead {
                prev: self.chunks,
                size,
            })
        };
        self.chunks = head;
        self.reserved += size;
        // SAFETY: both offsets are within the fresh block of `size` bytes (or one past).
        unsafe {
            self.bump = p.add(HEAD);
            self.end = p.add(size);
        }
    }

    /// Bytes the pool holds from the global allocator (its chunks; POOL-GROWTH).
    pub fn reserved_bytes(&self) -> usize {
        self.reserved
    }

    /// Gives back a block.
    ///
    /// # Safety
    /// `p` came from `self.alloc(layout)` (or `realloc` returning it with `layout`) and
    /// is not used again.
    #[inline]
    pub(crate) unsafe fn free(&mut self, p: NonNull<u8>, layout: Layout) {
        match class_of(layout) {
            Some(c) => {
                let b = p.as_ptr().cast::<FreeBlock>();
                // SAFETY: the block is at least GRAIN bytes, aligned to GRAIN, and ours
                // again per the contract.
                unsafe { b.write(FreeBlock { next: self.free[c] }) };
                self.free[c] = b;
            }
            // SAFETY: per the contract, `p` came from the global allocator with `layout`.
            None => unsafe { dealloc(p.as_ptr(), layout) },
        }
    }

    /// Moves a block to one of `new_size` bytes (same alignment), keeping the first
    /// `min(old, new)` bytes.
    ///
    /// # Safety
    /// As `free(p, old)`; the returned block replaces `p`.
    pub(crate) unsafe fn realloc(
        &mut self,
        p: NonNull<u8>,
        old: Layout,
        new_size: usize,
    ) -> NonNull<u8> {
        let Ok(new) = Layout::from_size_align(new_size, old.align()) else {
            handle_alloc_error(old)
        };
        if class_of(old).is_none() && class_of(new).is_none() {
            // SAFETY: both sizes are served by the global allocator; `p` came from it
            // with `old` per the contract; `new_size` is non-zero and fits a Layout.
            let q = unsafe { alloc::alloc::realloc(p.as_ptr(), old, new_size) };
            return NonNull::new(q).unwrap_or_else(|| handle_alloc_error(new));
        }
        let q = self.alloc(new);
        // SAFETY: both blocks are live, distinct and at least `min` bytes long.
        unsafe {
            core::ptr::copy_nonoverlapping(p.as_ptr(), q.as_ptr(), old.size().min(new_size));
            self.free(p, old);
        }
        q
    }
}

impl super::Heap {
    /// Bytes the heap's pool holds from the global allocator, carved or not
    /// (POOL-GROWTH): the objects and small buffers that `bytes_in_use` counts, blocks
    /// freed for reuse, and the part of the newest chunk not yet carved.
    pub fn pool_reserved_bytes(&self) -> usize {
        self.pool.reserved_bytes()
    }
}

/// A block from the global allocator; aborts on failure.
fn alloc_global(layout: Layout) -> NonNull<u8> {
    // SAFETY: callers pass layouts of non-zero size.
    let p = unsafe { alloc(layout) };
    NonNull::new(p).unwrap_or_else(|| handle_alloc_error(layout))
}

impl Drop for Pool {
    fn drop(&mut self) {
        let mut c = self.chunks;
        while !c.is_null() {
            // SAFETY: `c` is a live chunk's head, written by `new_chunk`.
            let ChunkHead { prev, size } = unsafe { c.read() };
            // SAFETY: the chunk came from `alloc_global(chunk_layout(size))`; the heap
            // that owns this pool has freed all its objects, so no block is used any more.
            unsafe { dealloc(c.cast(), chunk_layout(size)) };
            c = prev;
        }
        self.chunks = core::ptr::null_mut();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn chunks_grow_by_half_of_the_pool_up_to_the_largest() {
        let mut sizes = Vec::new();
        let mut reserved = 0;
        while reserved < 1 << 20 {
            let n = next_chunk_size(reserved);
            sizes.push(n);
            reserved += n;
        }
        assert_eq!(sizes[..6], [1024, 1024, 1024, 1024, 2048, 3072]);
        assert!(sizes.iter().all(|&n| n % MIN_CHUNK == 0 && n <= MAX_CHUNK));
        assert_eq!(sizes.last(), Some(&MAX_CHUNK));
        let mut held = 0;
        for n in sizes {
            assert!(n <= (held / 2).max(MIN_CHUNK));
            held += n;
        }
    }

    #[test]
    fn a_small_pool_reserves_little_and_keeps_chunk_ends() {
        let mut p = Pool::default();
        assert_eq!(p.reserved_bytes(), 0);
        let l = Layout::from_size_align(48, 8).unwrap_or(Layout::new::<u64>());
        let big = Layout::from_size_align(MAX_SMALL, 8).unwrap_or(l);
        let a = p.alloc(l);
        assert_eq!(p.reserved_bytes(), MIN_CHUNK);
        // Fill the first chunk with 256-byte blocks until one does not fit: the rest of
        // the chunk goes on its class's list and serves the next request of that size.
        let mut bigs = Vec::new();
        while p.reserved_bytes() == MIN_CHUNK {
            bigs.push(p.alloc(big));
        }
        let left = MIN_CHUNK - HEAD - 48 - (bigs.len() - 1) * MAX_SMALL;
        assert!((GRAIN..MAX_SMALL).contains(&left), "{left}");
        let end = a.as_ptr() as usize - HEAD + MIN_CHUNK;
        let rest = Layout::from_size_align(left, 8).unwrap_or(l);
        assert_eq!(p.alloc(rest).as_ptr() as usize, end - left);
        assert_eq!(p.reserved_bytes(), 2 * MIN_CHUNK);
    }

    #[test]
    fn blocks_are_reused_lifo_and_distinct() {
        let mut p = Pool::default();
        let l = Layout::from_size_align(40, 8).unwrap_or(Layout::new::<u64>());
        let a = p.alloc(l);
        let b = p.alloc(l);
        assert_ne!(a, b);
        assert_eq!(a.as_ptr() as usize % GRAIN, 0);
        // SAFETY: `a` and `b` came from `p.alloc(l)` and are not used again.
        unsafe {
            p.free(a, l);
            p.free(b, l);
        }
        assert_eq!(p.alloc(l), b);
        assert_eq!(p.alloc(l), a);
    }

    #[test]
    fn big_blocks_and_realloc_keep_contents() {
        let mut p = Pool::default();
        let l = Layout::from_size_align(16, 8).unwrap_or(Layout::new::<u64>());
        let a = p.alloc(l);
        // SAFETY: `a` is 16 writable bytes.
        unsafe { a.as_ptr().write_bytes(7, 16) };
        // SAFETY: `a` came from `p.alloc(l)`; the result replaces it.
        let b = unsafe { p.realloc(a, l, 4096) };
        // SAFETY: `b` holds at least the 16 copied bytes.
        assert_eq!(unsafe { *b.as_ptr().add(15) }, 7);
        let l2 = Layout::from_size_align(4096, 8).unwrap_or(l);
        // SAFETY: `b` came from `realloc` with size 4096.
        let c = unsafe { p.realloc(b, l2, 8192) };
        // SAFETY: as above.
        assert_eq!(unsafe { *c.as_ptr() }, 7);
        let l3 = Layout::from_size_align(8192, 8).unwrap_or(l);
        // SAFETY: `c` came from `realloc` with size 8192 and is not used again.
        unsafe { p.free(c, l3) };
        // Many allocations span several chunks.
        let v: Vec<_> = (0..10_000).map(|_| p.alloc(l)).collect();
        let mut s: Vec<usize> = v.iter().map(|x| x.as_ptr() as usize).collect();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 10_000);
    }
}
