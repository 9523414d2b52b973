//! The chunk loaders (layout in `FORMAT.md`). Each verifies the whole chunk first
//! ([`verify_chunk`]); then [`load_owned`] copies it into a prototype tree, while
//! [`load_static`] and [`load_shared`] build nothing and return the main function as a
//! [`ChunkFn`] read in place.

use alloc::format;
use alloc::rc::Rc;

use super::build::{Builder, Mode};
use super::format::{CHECK_INT, HEADER_SIZE};
use super::verify::verify_chunk;
use super::view::{ChunkFn, ChunkMem};
use super::ChunkError;
use crate::proto::{view, Backing, Proto};

type R<T> = Result<T, ChunkError>;

/// Loads a chunk by copying everything out of `bytes` (any alignment, any host byte
/// order) into a prototype tree, after verifying it.
pub fn load_owned(bytes: &[u8]) -> R<Proto> {
    let info = verify_chunk(bytes)?;
    let b = Builder {
        bytes,
        mode: Mode::Owned,
        stripped: info.stripped,
    };
    Ok(b.function(HEADER_SIZE, None, true, 0))
}

/// Verifies a chunk in memory that lives forever (flash, ROM, an aligned
/// `include_bytes!`) and returns its main function, read in place: nothing is copied or
/// built. `bytes` must start at an 8-aligned address and the host must be little-endian.
pub fn load_static(bytes: &'static [u8]) -> R<ChunkFn> {
    check_in_place(bytes)?;
    Ok(ChunkFn::main(ChunkMem::Static(bytes)))
}

/// Verifies a chunk in shared memory (a file mapping) and returns its main function, read
/// in place; every handle and prototype made from it holds the `Rc`, so the memory lives
/// as long as anything loaded from it. Same requirements as [`load_static`].
pub fn load_shared(backing: Rc<dyn Backing>) -> R<ChunkFn> {
    check_in_place(backing.bytes())?;
    Ok(ChunkFn::main(ChunkMem::Shared(backing)))
}

/// Requirements of in-place use (an 8-aligned base, a little-endian host, native check
/// values), then the verification.
fn check_in_place(bytes: &[u8]) -> R<()> {
    if cfg!(target_endian = "big") {
        return Err(ChunkError::new(
            "chunks are little-endian and this host is big-endian: load a copy instead",
        ));
    }
    let addr = bytes.as_ptr() as usize;
    if addr & 7 != 0 {
        return Err(ChunkError::new(format!(
            "chunk at address {addr:#x} is not 8-byte aligned: it cannot be used in place"
        )));
    }
    verify_chunk(bytes)?;
    let native = bytes.get(16..24).and_then(view::<i64>);
    if native != Some(&[CHECK_INT][..]) {
        return Err(ChunkError::new("byte order mismatch"));
    }
    Ok(())
}
