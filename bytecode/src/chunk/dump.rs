//! The chunk writer: a prototype tree to bytes (layout in `FORMAT.md`).

use alloc::vec::Vec;

use super::format::*;
use crate::proto::{Constant, Proto};

/// Serializes `proto` and its nested functions. With `strip`, line info, local and
/// upvalue names are left out and the source becomes `=?`.
///
/// Chunks are limited to 4 GiB (lengths are 32-bit): a larger tree gets a saturated
/// length field, which every loader rejects.
pub fn dump(proto: &Proto, strip: bool) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::new(),
        strip,
    };
    w.header();
    w.function(proto, None);
    let total = u32::try_from(w.out.len()).unwrap_or(u32::MAX);
    if let Some(field) = w.out.get_mut(TOTAL_LEN_AT..TOTAL_LEN_AT + 4) {
        field.copy_from_slice(&total.to_le_bytes());
    }
    w.out
}

/// Output buffer and options.
struct Writer {
    /// Bytes written so far (offsets count from the chunk start).
    out: Vec<u8>,
    /// Leave debug information out.
    strip: bool,
}

/// A length as the format stores it (saturated: the loader rejects it as truncated).
fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Writer {
    /// Appends a little-endian u32.
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// Appends zero bytes up to a multiple of `align`.
    fn align(&mut self, align: usize) {
        let n = padding(self.out.len(), align);
        self.out.resize(self.out.len() + n, 0);
    }

    /// Appends a length-prefixed byte string padded to 4.
    fn string(&mut self, s: &[u8]) {
        self.u32(len32(s.len()));
        self.out.extend_from_slice(s);
        self.align(4);
    }

    /// The fixed header; the total length is patched in at the end.
    fn header(&mut self) {
        self.out.extend_from_slice(&MAGIC);
        self.out.push(FORMAT_VERSION);
        self.out.push(if self.strip { FLAG_STRIPPED } else { 0 });
        self.out.extend_from_slice(&SIZES);
        self.out.extend_from_slice(&TEXT_CHECK);
        self.out.extend_from_slice(&CHECK_INT.to_le_bytes());
        self.out.extend_from_slice(&CHECK_FLOAT.to_le_bytes());
        self.u32(0); // total length, patched
        self.u32(0); // reserved
    }

    /// One function record followed by its nested functions.
    fn function(&mut self, p: &Proto, parent_source: Option<&[u8]>) {
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
        self.source(p, parent_source);
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
        self.align(8);
        let source: &[u8] = if self.strip { b"=?" } else { &p.source };
        for child in &p.protos {
            self.function(child, Some(source));
        }
    }

    /// The source name: explicit, or "same as the enclosing function".
    fn source(&mut self, p: &Proto, parent_source: Option<&[u8]>) {
        let own: &[u8] = if self.strip { b"=?" } else { &p.source };
        match parent_source {
            Some(ps) if ps == own => self.u32(SAME_SOURCE),
            _ => self.string(own),
        }
    }

    /// Kinds array, numbers array, then the strings.
    fn constants(&mut self, ks: &[Constant]) {
        for k in ks {
            self.out.push(match k {
                Constant::Nil => kind::NIL,
                Constant::Bool(false) => kind::FALSE,
                Constant::Bool(true) => kind::TRUE,
                Constant::Int(_) => kind::INT,
                Constant::Float(_) => kind::FLOAT,
                Constant::Str(_) => kind::STR,
            });
        }
        self.align(8);
        for k in ks {
            match k {
                Constant::Int(i) => self.out.extend_from_slice(&i.to_le_bytes()),
                Constant::Float(f) => self.out.extend_from_slice(&f.to_bits().to_le_bytes()),
                _ => {}
            }
        }
        for k in ks {
            if let Constant::Str(s) = k {
                self.string(s);
            }
        }
    }

    /// Upvalue descriptors, then (unless stripped) their names.
    fn upvalues(&mut self, p: &Proto) {
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
                None => self.u32(NO_NAME),
            }
        }
    }
}
