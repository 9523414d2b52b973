//! Binary chunks: the on-disk format of compiled prototypes (see `bytecode/FORMAT.md`).
//!
//! [`dump`] writes a prototype tree; [`load_owned`] copies a chunk into owned prototypes
//! (any alignment, any host byte order); [`load_static`] and [`load_shared`] build
//! nothing: they return the main function as a [`ChunkFn`] read in place, from which
//! prototypes whose code, line info and string bytes stay in the chunk are made one
//! function at a time, when needed. Every loader verifies the whole chunk before it hands
//! anything out, so no code from a chunk can run unverified; the compiler's output is
//! checked by [`verify`], which runs the same checks on a prototype tree.
//!
//! Files: `format.rs` (the layout constants shared by both directions), `layout.rs`
//! (field readers and record layout), `dump.rs` (writer), `verify.rs` (the verifier, for
//! chunk bytes and prototype trees), `code.rs` (checks of the code), `build.rs`
//! (prototypes from verified bytes), `view.rs` ([`ChunkFn`]) and `undump.rs` (loaders).

use alloc::string::String;

mod build;
mod code;
mod dump;
mod format;
mod layout;
mod undump;
mod verify;
mod view;

pub use dump::dump;
pub use format::{FORMAT_VERSION, MAGIC, MAX_DEPTH};
pub use undump::{load_owned, load_shared, load_static};
pub use verify::verify;
pub use view::{ChunkFn, ChunkMem};

/// Why a chunk was rejected. The interpreter reports it as `bad binary chunk: <message>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkError {
    /// The reason, e.g. `truncated chunk` or `pc 3: register 9 out of range (8 slots)`.
    pub message: String,
}

impl ChunkError {
    /// An error with the given reason.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ChunkError {
            message: message.into(),
        }
    }

    /// The error for a chunk that ends early or whose lengths point past its end.
    pub(crate) fn truncated() -> Self {
        Self::new("truncated chunk")
    }
}

impl core::fmt::Display for ChunkError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ChunkError {}

/// True if `bytes` starts like a binary chunk (the first byte is ESC), as `load` decides
/// between text and binary.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.first() == MAGIC.first()
}
