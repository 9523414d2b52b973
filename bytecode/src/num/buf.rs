//! Output buffers for the printf engine: the [`Sink`] trait (a growable byte vector is
//! one) and [`StackBuf`], which keeps short output on the stack so that formatting a
//! number or a short `string.format` result allocates nothing.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Where formatted bytes go.
pub trait Sink {
    /// Appends `s`.
    fn put_slice(&mut self, s: &[u8]);
    /// Appends `n` copies of `b`.
    fn fill(&mut self, b: u8, n: usize);
    /// Appends one byte.
    #[inline]
    fn put(&mut self, b: u8) {
        self.put_slice(&[b]);
    }
}

impl Sink for Vec<u8> {
    #[inline]
    fn put_slice(&mut self, s: &[u8]) {
        self.extend_from_slice(s);
    }
    #[inline]
    fn fill(&mut self, b: u8, n: usize) {
        self.resize(self.len() + n, b);
    }
    #[inline]
    fn put(&mut self, b: u8) {
        self.push(b);
    }
}

/// A byte buffer holding up to `N` bytes in place and moving to the heap beyond.
pub struct StackBuf<const N: usize> {
    /// The bytes while they fit.
    arr: [u8; N],
    /// Bytes used in `arr` (unused once spilled).
    len: usize,
    /// All the bytes once they did not fit.
    heap: Vec<u8>,
    /// True once the contents live in `heap`.
    spilled: bool,
}

impl<const N: usize> Default for StackBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> StackBuf<N> {
    /// An empty buffer (no heap allocation).
    #[inline]
    pub fn new() -> Self {
        StackBuf {
            arr: [0; N],
            len: 0,
            heap: Vec::new(),
            spilled: false,
        }
    }

    /// The bytes written so far.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        if self.spilled {
            &self.heap
        } else {
            self.arr.get(..self.len).unwrap_or_default()
        }
    }

    /// The bytes written so far, for rewriting in place (upper-casing).
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        if self.spilled {
            &mut self.heap
        } else {
            self.arr.get_mut(..self.len).unwrap_or_default()
        }
    }

    /// Number of bytes written.
    #[inline]
    pub fn len(&self) -> usize {
        if self.spilled {
            self.heap.len()
        } else {
            self.len
        }
    }

    /// True when nothing was written.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets the contents (keeps a heap buffer for reuse).
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
        self.heap.clear();
        self.spilled = false;
    }

    /// Drops the last `n` bytes (all of them when fewer).
    pub fn truncate_by(&mut self, n: usize) {
        if self.spilled {
            self.heap.truncate(self.heap.len().saturating_sub(n));
        } else {
            self.len = self.len.saturating_sub(n);
        }
    }

    /// Moves the contents to the heap, with room for `extra` more bytes.
    #[cold]
    #[inline(never)]
    fn spill(&mut self, extra: usize) {
        self.heap.reserve(self.len + extra.max(N));
        self.heap
            .extend_from_slice(self.arr.get(..self.len).unwrap_or_default());
        self.spilled = true;
    }
}

impl<const N: usize> Sink for StackBuf<N> {
    #[inline]
    fn put_slice(&mut self, s: &[u8]) {
        if !self.spilled {
            if let Some(dst) = self.arr.get_mut(self.len..self.len + s.len()) {
                dst.copy_from_slice(s);
                self.len += s.len();
                return;
            }
            self.spill(s.len());
        }
        self.heap.extend_from_slice(s);
    }

    #[inline]
    fn fill(&mut self, b: u8, n: usize) {
        if !self.spilled {
            if let Some(dst) = self.arr.get_mut(self.len..self.len + n) {
                dst.fill(b);
                self.len += n;
                return;
            }
            self.spill(n);
        }
        self.heap.resize(self.heap.len() + n, b);
    }

    #[inline]
    fn put(&mut self, b: u8) {
        if !self.spilled {
            if let Some(dst) = self.arr.get_mut(self.len) {
                *dst = b;
                self.len += 1;
                return;
            }
            self.spill(1);
        }
        self.heap.push(b);
    }
}

impl<const N: usize> fmt::Write for StackBuf<N> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.put_slice(s.as_bytes());
        Ok(())
    }
}

/// Appends ASCII bytes to a `String` (non-ASCII bytes, which the engine never
/// produces, become U+FFFD).
pub(crate) fn push_ascii(out: &mut String, bytes: &[u8]) {
    match core::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_buffer_spills_and_keeps_order() {
        let mut b = StackBuf::<4>::new();
        b.put_slice(b"ab");
        b.put(b'c');
        assert_eq!(b.as_slice(), b"abc");
        b.fill(b'-', 3);
        assert_eq!(b.as_slice(), b"abc---");
        b.put_slice(b"xyz");
        b.put(b'!');
        assert_eq!(b.as_slice(), b"abc---xyz!");
        assert_eq!(b.len(), 10);
        b.truncate_by(4);
        assert_eq!(b.as_slice(), b"abc---");
        b.as_mut_slice().make_ascii_uppercase();
        assert_eq!(b.as_slice(), b"ABC---");
        b.clear();
        assert!(b.is_empty());
        b.put_slice(b"12");
        assert_eq!(b.as_slice(), b"12");
    }
}
