//! The chunk writer: a prototype tree to bytes (layout in `FORMAT.md`).
//!
//! Records are written in preorder; every string (constants, names, sources) goes once
//! into the string pool after the last record, equal strings shared, and the records
//! refer to it by (offset, length). Offsets into the pool are written relative to it and
//! patched once its position is known.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::format::*;
use crate::proto::{Constant, Proto};

/// Serializes `proto` and its nested functions. With `strip`, line info, local and
/// upvalue names are left out and the source becomes `=?`.
///
/// Chunks are limited to 4 GiB (lengths are 32-bit): a larger tree gets saturated
/// fields, which every loader rejects.
pub fn dump(proto: &Proto, strip: bool) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::new(),
        pool: Vec::new(),
        interned: BTreeMap::new(),
        patches: Vec::new(),
        strip,
    };
    w.header();
    w.function(proto, 0);
    w.finish()
}

/// Output buffers and options.
struct Writer<'p> {
    /// Records written so far (offsets count from the chunk start).
    out: Vec<u8>,
    /// The string pool.
    pool: Vec<u8>,
    /// Pool offset of each string already in it.
    interned: BTreeMap<&'p [u8], u32>,
    /// Positions in `out` of pool-relative offsets to rebase.
    patches: Vec<usize>,
    /// Leave debug information out.
    strip: bool,
}

/// A length or offset as the format stores it (saturated: the loader rejects it).
fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'p> Writer<'p> {
    /// Appends a little-endian u32.
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// Overwrites the little-endian u32 at `at`.
    fn patch(&mut self, at: usize, v: u32) {
        if let Some(field) = self.out.get_mut(at..at + 4) {
            field.copy_from_slice(&v.to_le_bytes());
        }
    }

    /// Appends zero bytes up to a multiple of `align`.
    fn align(&mut self, align: usize) {
        let n = padding(self.out.len(), align);
        self.out.resize(self.out.len() + n, 0);
    }

    /// Pool-relative offset of `s`, adding it to the pool if new.
    fn intern(&mut self, s: &'p [u8]) -> u32 {
        if let Some(&off) = self.interned.get(s) {
            return off;
        }
        let off = len32(self.pool.len());
        self.pool.extend_from_slice(s);
        self.interned.insert(s, off);
        off
    }

    /// Appends a string reference (offset patched later, then length).
    fn string(&mut self, s: &'p [u8]) {
        let off = self.intern(s);
        self.patches.push(self.out.len());
        self.u32(off);
        self.u32(len32(s.len()));
    }

    /// The fixed header; the total length and pool offset are patched in at the end.
    fn header(&mut self) {
        self.out.extend_from_slice(&MAGIC);
        self.out.push(FORMAT_VERSION);
        self.out.push(if self.strip { FLAG_STRIPPED } else { 0 });
        self.out.extend_from_slice(&SIZES);
        self.out.extend_from_slice(&TEXT_CHECK);
        self.out.extend_from_slice(&CHECK_INT.to_le_bytes());
        self.out.extend_from_slice(&CHECK_FLOAT.to_le_bytes());
        self.u32(0); // total length
        self.u32(0); // string pool offset
    }

    /// Rebases the string references, appends the pool and fills in the header.
    fn finish(mut self) -> Vec<u8> {
        let pool_at = self.out.len();
        let base = len32(pool_at);
        for at in core::mem::take(&mut self.patches) {
            let rel = self
                .out
                .get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u32::from_le_bytes);
            self.patch(at, base.saturating_add(rel));
        }
        self.out.append(&mut self.pool);
        let total = len32(self.out.len());
        self.patch(TOTAL_LEN_AT, total);
        self.patch(POOL_AT, base);
        self.out
    }

    /// One function record (8-aligned) followed by its nested functions, in preorder.
    fn function(&mut self, p: &'p Proto, depth: usize) {
        self.align(8);
        let n_line = if self.strip { 0 } else { p.line_info.len() };
        let n_local = if self.strip { 0 } else { p.locals.len() };
        self.u32(p.line_defined);
        self.u32(p.last_line_defined);
        self.out
            .extend_from_slice(&[p.num_params, p.is_vararg as u8, p.max_stack, 0]);
        for n in [
            p.code.len(),
            p.constants.len(),
            p.upvalues.len(),
            p.protos.len(),
            n_line,
            n_local,
        ] {
            self.u32(len32(n));
        }
        self.string(if self.strip { b"=?" } else { &p.source });
        self.u32(0); // reserved
        for i in p.code.iter() {
            self.u32(i.0);
        }
        for &l in p.line_info.iter().take(n_line) {
            self.u32(l);
        }
        self.constants(&p.constants);
        self.upvalues(p);
        if !self.strip {
            for l in &p.locals {
                self.u32(l.start_pc);
                self.u32(l.end_pc);
                self.string(&l.name);
            }
        }
        let table = self.out.len();
        for _ in &p.protos {
            self.u32(0); // patched below
        }
        self.align(8);
        for (i, child) in p.protos.iter().enumerate() {
            let at = len32(self.out.len());
            self.patch(table + 4 * i, at);
            if depth < MAX_DEPTH {
                self.function(child, depth + 1);
            }
        }
    }

    /// Kinds array, then one 8-byte slot per constant.
    fn constants(&mut self, ks: &'p [Constant]) {
        self.align(8);
        for k in ks {
            self.out.push(kind::of(k));
        }
        self.align(8);
        for k in ks {
            match k {
                Constant::Int(i) => self.out.extend_from_slice(&i.to_le_bytes()),
                Constant::Float(f) => self.out.extend_from_slice(&f.to_bits().to_le_bytes()),
                Constant::Str(s) => self.string(s),
                Constant::Nil | Constant::Bool(_) => self.out.extend_from_slice(&[0; 8]),
            }
        }
    }

    /// Upvalue descriptors, then (unless stripped) their name references.
    fn upvalues(&mut self, p: &'p Proto) {
        for u in &p.upvalues {
            self.out
                .extend_from_slice(&[u.in_stack as u8, u.index, u.kind, 0]);
        }
        if self.strip {
            return;
        }
        for u in &p.upvalues {
            match &u.name {
                Some(n) => self.string(n),
                None => {
                    self.u32(NO_NAME);
                    self.u32(0);
                }
            }
        }
    }
}
