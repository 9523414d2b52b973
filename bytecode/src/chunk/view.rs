//! [`ChunkFn`]: one function of a verified chunk, used in place. Loading a chunk in place
//! builds nothing: it verifies the bytes and hands out the main function as a
//! `ChunkFn` (a handle on the memory plus a record offset). Prototypes are built from it
//! on demand, one function at a time ([`ChunkFn::proto`]), borrowing the instructions,
//! line info and string bytes from the chunk.

use alloc::rc::Rc;

use super::build::{Builder, Mode};
use super::format::{FLAG_STRIPPED, HEADER_SIZE};
use super::layout::Record;
use crate::instr::Instruction;
use crate::proto::{view, Backing, Proto};

/// Memory that holds a verified chunk at an 8-aligned address on a little-endian host.
#[derive(Clone)]
pub enum ChunkMem {
    /// Memory that lives forever (flash, ROM, an aligned `include_bytes!`).
    Static(&'static [u8]),
    /// A shared backing (a file mapping), kept alive by every handle.
    Shared(Rc<dyn Backing>),
}

impl ChunkMem {
    /// The chunk's bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        match self {
            ChunkMem::Static(b) => b,
            ChunkMem::Shared(b) => b.bytes(),
        }
    }

    /// The header's stripped flag.
    fn stripped(&self) -> bool {
        self.bytes().get(5).is_some_and(|f| f & FLAG_STRIPPED != 0)
    }
}

/// One function of a verified chunk, read in place: a handle of four words, nothing built.
///
/// Only [`super::load_static`] and [`super::load_shared`] make these, after verification,
/// so every offset it follows is known good (V-LAYOUT); were a [`Backing`] to break its
/// contract, reads come out empty, never out of bounds.
#[derive(Clone)]
pub struct ChunkFn {
    /// The chunk.
    mem: ChunkMem,
    /// Offset of this function's record.
    at: u32,
}

impl core::fmt::Debug for ChunkFn {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ChunkFn(record at {})", self.at)
    }
}

impl ChunkFn {
    /// The main function of a chunk that was just verified.
    pub(crate) fn main(mem: ChunkMem) -> ChunkFn {
        ChunkFn {
            mem,
            at: HEADER_SIZE as u32,
        }
    }

    /// The record (re-read each time: a handful of loads).
    fn record(&self) -> Option<Record> {
        let b = self.mem.bytes();
        Record::read(b, self.at as usize, b.len(), self.mem.stripped()).ok()
    }

    /// The memory it lives in.
    pub fn mem(&self) -> &ChunkMem {
        &self.mem
    }

    /// Offset of its record in the chunk.
    pub fn offset(&self) -> usize {
        self.at as usize
    }

    /// Number of nested functions.
    pub fn n_protos(&self) -> usize {
        self.record().map_or(0, |r| r.n_proto)
    }

    /// Nested function `i`.
    pub fn child(&self, i: usize) -> Option<ChunkFn> {
        let at = self.record()?.child_at(self.mem.bytes(), i)?;
        Some(ChunkFn {
            mem: self.mem.clone(),
            at: u32::try_from(at).ok()?,
        })
    }

    /// The instructions, in place.
    pub fn code(&self) -> &[Instruction] {
        let b = self.mem.bytes();
        self.record()
            .and_then(|r| b.get(r.code_range()))
            .and_then(view)
            .unwrap_or(&[])
    }

    /// A prototype of this function alone: code, line info and string bytes borrowed in
    /// place, constants, upvalue and local records built, `protos` left **empty** (the
    /// nested functions are [`ChunkFn::child`]). `parent` lends its source name when it
    /// is the same.
    pub fn proto(&self, parent: Option<&Proto>) -> Proto {
        self.build(parent.map(|p| &p.source), false)
    }

    /// The whole prototype tree of this function, borrowing in place (for the listing
    /// and `string.dump`).
    pub fn to_proto(&self) -> Proto {
        self.build(None, true)
    }

    /// Runs the builder over this record.
    fn build(&self, parent_source: Option<&Rc<[u8]>>, deep: bool) -> Proto {
        let stripped = self.mem.stripped();
        let at = self.at as usize;
        match &self.mem {
            ChunkMem::Static(b) => Builder {
                bytes: b,
                mode: Mode::Static(b),
                stripped,
            }
            .function(at, parent_source, deep, 0),
            ChunkMem::Shared(backing) => Builder {
                bytes: backing.bytes(),
                mode: Mode::Shared(backing),
                stripped,
            }
            .function(at, parent_source, deep, 0),
        }
    }
}
