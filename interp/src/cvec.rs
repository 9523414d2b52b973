//! A growable array with a fixed, `#[repr(C)]` layout (anchor: CVEC), for the two
//! arrays compiled code reads and writes in place: a thread's value stack and its call
//! frames (FRAME-LAYOUT in `abi.rs`). `Vec`'s field order is unspecified, so compiled
//! code cannot find its pointer and length; `CVec` keeps the same three words at known
//! offsets ([`cvec_offsets`]) and lends them to a real `Vec` for anything that
//! allocates (growing, shrinking), so the allocation logic stays the standard
//! library's. Everything else is the slice it derefs to.

use alloc::vec::Vec;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;

/// A `Vec<T>` whose pointer, length and capacity are at fixed offsets.
///
/// Invariant (CVEC-PARTS): `(ptr, len, cap)` are the raw parts of a `Vec<T>` that this
/// value owns: `ptr` came from a `Vec<T>` of capacity `cap` (dangling when `cap == 0`)
/// and its first `len <= cap` elements are initialised.
#[repr(C)]
pub struct CVec<T> {
    /// The first element.
    ptr: NonNull<T>,
    /// Initialised elements.
    len: usize,
    /// Allocated elements.
    cap: usize,
}

/// Byte offsets of [`CVec`]'s fields, for compiled code.
pub mod cvec_offsets {
    /// The element pointer.
    pub const PTR: usize = 0;
    /// The length (`usize`).
    pub const LEN: usize = 8;
    /// The capacity (`usize`).
    pub const CAP: usize = 16;
    const _: () = {
        use super::CVec;
        use core::mem::offset_of;
        assert!(offset_of!(CVec<u64>, ptr) == PTR);
        assert!(offset_of!(CVec<u64>, len) == LEN);
        assert!(offset_of!(CVec<u64>, cap) == CAP);
    };
}

// SAFETY: a `CVec<T>` owns its elements exactly as a `Vec<T>` does (CVEC-PARTS).
unsafe impl<T: Send> Send for CVec<T> {}
// SAFETY: as above; shared access only hands out `&[T]`.
unsafe impl<T: Sync> Sync for CVec<T> {}

impl<T> Default for CVec<T> {
    fn default() -> Self {
        CVec::from(Vec::new())
    }
}

impl<T> From<Vec<T>> for CVec<T> {
    /// Takes over the vector's allocation.
    fn from(v: Vec<T>) -> Self {
        let mut v = ManuallyDrop::new(v);
        CVec {
            // `Vec::as_mut_ptr` is never null (dangling when nothing is allocated).
            ptr: NonNull::new(v.as_mut_ptr()).unwrap_or(NonNull::dangling()),
            len: v.len(),
            cap: v.capacity(),
        }
    }
}

impl<T> Drop for CVec<T> {
    fn drop(&mut self) {
        drop(self.take_vec());
    }
}

impl<T> CVec<T> {
    /// An empty array with room for `cap` elements.
    pub fn with_capacity(cap: usize) -> Self {
        CVec::from(Vec::with_capacity(cap))
    }

    /// Moves the elements out into a `Vec`, leaving this empty.
    fn take_vec(&mut self) -> Vec<T> {
        let (ptr, len, cap) = (self.ptr, self.len, self.cap);
        self.ptr = NonNull::dangling();
        self.len = 0;
        self.cap = 0;
        // SAFETY: CVEC-PARTS: these are the raw parts of a `Vec<T>` this value owned;
        // it now owns nothing, so the allocation has exactly one owner.
        unsafe { Vec::from_raw_parts(ptr.as_ptr(), len, cap) }
    }

    /// Runs `f` on the elements as a `Vec` (for the operations that allocate). If `f`
    /// panics the elements are dropped and this is left empty, never freed twice.
    #[inline]
    fn with_vec<R>(&mut self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        let mut v = self.take_vec();
        let r = f(&mut v);
        *self = CVec::from(v);
        r
    }

    /// Number of elements.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no elements.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Allocated room, in elements.
    #[inline(always)]
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// The first element's address (valid for `capacity()` elements).
    #[inline(always)]
    pub fn as_ptr(&self) -> *const T {
        self.ptr.as_ptr()
    }

    /// The first element's address, for writes (valid for `capacity()` elements).
    #[inline(always)]
    pub fn as_mut_ptr(&mut self) -> *mut T {
        self.ptr.as_ptr()
    }

    /// Sets the length without touching the elements.
    ///
    /// # Safety
    /// As `Vec::set_len`: `len <= capacity()` and the first `len` elements are
    /// initialised.
    #[inline(always)]
    pub unsafe fn set_len(&mut self, len: usize) {
        self.len = len;
    }

    /// Appends `x`.
    #[inline]
    pub fn push(&mut self, x: T) {
        if self.len == self.cap {
            self.with_vec(|v| v.reserve(1));
        }
        // SAFETY: `len < cap` (reserved above), so slot `len` is allocated and
        // uninitialised; it is written before the length covers it (CVEC-PARTS).
        unsafe {
            self.ptr.as_ptr().add(self.len).write(x);
        }
        self.len += 1;
    }

    /// Removes and returns the last element.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: slot `len` was initialised and is now outside the length, so it is
        // read (moved out) exactly once.
        Some(unsafe { self.ptr.as_ptr().add(self.len).read() })
    }

    /// Keeps the first `len` elements.
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.with_vec(|v| v.truncate(len));
        }
    }

    /// Removes every element.
    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Makes room for `extra` more elements.
    pub fn reserve(&mut self, extra: usize) {
        if self.cap - self.len < extra {
            self.with_vec(|v| v.reserve(extra));
        }
    }

    /// Frees unused room.
    pub fn shrink_to(&mut self, min: usize) {
        self.with_vec(|v| v.shrink_to(min));
    }

    /// Appends the elements of `xs`.
    pub fn extend_from_slice(&mut self, xs: &[T])
    where
        T: Clone,
    {
        self.with_vec(|v| v.extend_from_slice(xs));
    }

    /// Resizes to `len` elements, filling with `x`.
    pub fn resize(&mut self, len: usize, x: T)
    where
        T: Clone,
    {
        self.with_vec(|v| v.resize(len, x));
    }
}

impl<T> core::ops::Deref for CVec<T> {
    type Target = [T];
    #[inline(always)]
    fn deref(&self) -> &[T] {
        // SAFETY: CVEC-PARTS: the first `len` elements at `ptr` are initialised and
        // owned by `self`, borrowed here for `self`'s lifetime.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> core::ops::DerefMut for CVec<T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`, borrowed mutably through `&mut self`.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for CVec<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::CVec;
    use alloc::rc::Rc;
    use alloc::vec;

    #[test]
    fn grows_shrinks_and_drops_like_a_vec() {
        let counted = Rc::new(());
        let mut v: CVec<Rc<()>> = CVec::default();
        for _ in 0..100 {
            v.push(counted.clone());
        }
        assert_eq!(v.len(), 100);
        assert!(v.capacity() >= 100);
        assert_eq!(Rc::strong_count(&counted), 101);
        v.truncate(10);
        assert_eq!(Rc::strong_count(&counted), 11);
        assert!(v.pop().is_some());
        assert_eq!(Rc::strong_count(&counted), 10);
        v.resize(20, counted.clone());
        assert_eq!(v.len(), 20);
        assert_eq!(Rc::strong_count(&counted), 21);
        drop(v);
        assert_eq!(Rc::strong_count(&counted), 1);
    }

    #[test]
    fn derefs_to_its_elements() {
        let mut v = CVec::from(vec![1u32, 2, 3]);
        v[1] = 5;
        v.extend_from_slice(&[7, 8]);
        assert_eq!(&*v, &[1, 5, 3, 7, 8]);
        assert_eq!(v.last(), Some(&8));
        v.clear();
        assert!(v.is_empty());
        assert_eq!(v.pop(), None);
    }
}
