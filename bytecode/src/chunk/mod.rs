//! Binary chunks: the on-disk format of compiled prototypes (see `bytecode/FORMAT.md`).
//!
//! [`dump`] writes a prototype tree; [`load_owned`] copies a chunk into owned prototypes
//! (any alignment, any host byte order); [`load_static`] and [`load_shared`] build
//! prototypes whose code, line info and string bytes stay in the chunk, read in place.
//! Every loader runs [`verify`] before it hands out a prototype, so no code from a chunk can
//! run unverified; the compiler's output can be checked with the same function.
//!
//! Files: `format.rs` (the layout constants shared by both directions), `dump.rs` (writer),
//! `undump.rs` (reader: bounds, alignment and padding checks, building the `Buf`s),
//! `verify.rs` (structural checks of a prototype) and `code.rs` (checks of the code).

use alloc::string::String;

mod code;
mod dump;
mod format;
mod undump;
mod verify;

pub use dump::dump;
pub use format::{FORMAT_VERSION, MAGIC, MAX_DEPTH};
pub use undump::{load_owned, load_shared, load_static};
pub use verify::verify;

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
