//! Helpers shared by the chunk tests: the corpus of Lua programs and aligned buffers.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::rc::Rc;

use moonjet_bytecode::{Backing, Proto};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.lua` file of the corpus directories that compiles, with its prototype.
pub fn corpus() -> Vec<(String, Proto)> {
    let mut out = Vec::new();
    for dir in [
        "tests/lua",
        "benches",
        "tests/listings",
        "tests/diff",
        "tests/wishlist",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "lua"))
            .collect();
        paths.sort();
        for path in paths {
            let src = std::fs::read(&path).expect("read corpus file");
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            let chunkname = format!("@{name}");
            if let Ok(p) = moonjet_compiler::compile(&src, chunkname.as_bytes()) {
                out.push((name, p));
            }
        }
    }
    assert!(out.len() > 40, "corpus too small: {}", out.len());
    out
}

/// A chunk copied to an 8-aligned heap buffer, usable as a [`Backing`].
pub struct Aligned {
    /// The storage (u64 for alignment).
    words: Vec<u64>,
    /// Length in bytes.
    len: usize,
}

impl Aligned {
    /// Copies `bytes` into a fresh aligned buffer.
    pub fn new(bytes: &[u8]) -> Rc<Aligned> {
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        Rc::new(Aligned {
            words,
            len: bytes.len(),
        })
    }
}

impl Backing for Aligned {
    fn bytes(&self) -> &[u8] {
        &bytemuck::cast_slice::<u64, u8>(&self.words)[..self.len]
    }
}

/// A leaked 8-aligned copy of `bytes` (for `load_static`), optionally shifted by `shift`.
pub fn leak_aligned(bytes: &[u8], shift: usize) -> &'static [u8] {
    let mut words = vec![0u64; (bytes.len() + shift).div_ceil(8) + 1];
    let all = bytemuck::cast_slice_mut::<u64, u8>(&mut words);
    all[shift..shift + bytes.len()].copy_from_slice(bytes);
    let leaked: &'static mut [u64] = Vec::leak(words);
    &bytemuck::cast_slice::<u64, u8>(leaked)[shift..shift + bytes.len()]
}

/// The listing of a prototype tree.
pub fn listing(p: &Proto) -> String {
    let mut s = String::new();
    moonjet_bytecode::listing::list(p, &mut s);
    s
}
