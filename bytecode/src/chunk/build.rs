//! Building [`Proto`]s from *verified* chunk bytes: copied (`load_owned`, any alignment
//! and host byte order) or as views that borrow the chunk's arrays and string bytes in
//! place. Building never fails: the verifier has checked every bound already, and a
//! range that is somehow missing reads as empty rather than panicking.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::ops::Range;

use bytemuck::Pod;

use super::format::{kind, MAX_DEPTH};
use super::layout::{Record, StrRef};
use crate::instr::Instruction;
use crate::proto::{view, Backing, Buf, Constant, LocVar, Proto, UpvalDesc};

/// Where the arrays of built prototypes live.
#[derive(Clone, Copy)]
pub(crate) enum Mode<'a> {
    /// Copied to the heap.
    Owned,
    /// Borrowed from the `'static` chunk (the same bytes the builder reads).
    Static(&'static [u8]),
    /// Borrowed from a shared backing.
    Shared(&'a Rc<dyn Backing>),
}

/// An element type of an array that may be used in place.
pub(crate) trait Elem: Pod {
    /// Decodes one element from its little-endian bytes (`size_of::<Self>()` of them).
    fn decode_le(b: &[u8]) -> Self;
}

impl Elem for u8 {
    fn decode_le(b: &[u8]) -> Self {
        b.first().copied().unwrap_or(0)
    }
}

impl Elem for u32 {
    fn decode_le(b: &[u8]) -> Self {
        let mut w = [0u8; 4];
        for (d, s) in w.iter_mut().zip(b) {
            *d = *s;
        }
        u32::from_le_bytes(w)
    }
}

impl Elem for Instruction {
    fn decode_le(b: &[u8]) -> Self {
        Instruction(u32::decode_le(b))
    }
}

/// Builds prototypes from a verified chunk.
pub(crate) struct Builder<'a> {
    /// The whole chunk.
    pub bytes: &'a [u8],
    /// How arrays are made.
    pub mode: Mode<'a>,
    /// The header's stripped flag.
    pub stripped: bool,
}

impl Builder<'_> {
    /// The function at record offset `at`; with `deep`, its nested functions too (else
    /// `protos` stays empty: they are reached through the chunk). `parent_source` is
    /// shared when the record names the same source bytes.
    pub fn function(
        &self,
        at: usize,
        parent_source: Option<&Rc<[u8]>>,
        deep: bool,
        depth: usize,
    ) -> Proto {
        let len = self.bytes.len();
        let Ok(r) = Record::read(self.bytes, at, len, self.stripped) else {
            return empty_proto(parent_source);
        };
        let source = self.source(r.source, parent_source);
        let mut protos = Vec::new();
        if deep && depth < MAX_DEPTH {
            protos.reserve_exact(r.n_proto);
            for i in 0..r.n_proto {
                let child = r.child_at(self.bytes, i).unwrap_or(0);
                protos.push(Rc::new(self.function(
                    child,
                    Some(&source),
                    true,
                    depth + 1,
                )));
            }
        }
        Proto {
            line_defined: r.line_defined,
            last_line_defined: r.last_line_defined,
            num_params: r.num_params,
            is_vararg: r.vararg == 1,
            max_stack: r.max_stack,
            code: self.array(r.code_range()),
            line_info: self.array(r.line_range()),
            constants: self.constants(&r),
            upvalues: self.upvalues(&r),
            locals: self.locals(&r),
            protos,
            source,
        }
    }

    /// An array over `range`, in place or copied.
    fn array<T: Elem>(&self, range: Range<usize>) -> Buf<T> {
        let bytes = self.bytes.get(range.clone()).unwrap_or(&[]);
        match self.mode {
            Mode::Owned => {
                let v: Vec<T> = if cfg!(target_endian = "little") {
                    crate::proto::copy_of(bytes)
                } else {
                    let size = core::mem::size_of::<T>();
                    bytes.chunks_exact(size).map(T::decode_le).collect()
                };
                Buf::from(v)
            }
            Mode::Static(all) => Buf::Static(all.get(range).and_then(view).unwrap_or(&[])),
            Mode::Shared(backing) => Buf::Shared {
                backing: Rc::clone(backing),
                offset: range.start as u32,
                len: bytes.len() as u32,
            },
        }
    }

    /// A string of the pool.
    fn string(&self, s: StrRef) -> Buf<u8> {
        self.array(s.range())
    }

    /// The source name: the parent's `Rc` when the bytes are the same, else a copy.
    fn source(&self, s: StrRef, parent: Option<&Rc<[u8]>>) -> Rc<[u8]> {
        let bytes = self.bytes.get(s.range()).unwrap_or(&[]);
        match parent {
            Some(p) if **p == *bytes => Rc::clone(p),
            _ => Rc::from(bytes),
        }
    }

    /// The constants, in table order.
    fn constants(&self, r: &Record) -> Vec<Constant> {
        (0..r.n_const)
            .map(|k| {
                let slot = r.const_slot(self.bytes, k).unwrap_or(0);
                match r.const_kind(self.bytes, k).unwrap_or(kind::NIL) {
                    kind::FALSE => Constant::Bool(false),
                    kind::TRUE => Constant::Bool(true),
                    kind::INT => Constant::Int(slot as i64),
                    kind::FLOAT => Constant::Float(f64::from_bits(slot)),
                    kind::STR => Constant::Str(self.string(StrRef::unpack(slot))),
                    _ => Constant::Nil,
                }
            })
            .collect()
    }

    /// The upvalue descriptors with their names (none when stripped).
    fn upvalues(&self, r: &Record) -> Vec<UpvalDesc> {
        (0..r.n_upval)
            .map(|i| {
                let [in_stack, index, kind, _] = r.upval(self.bytes, i).unwrap_or_default();
                let name = r
                    .upval_name(self.bytes, i)
                    .filter(|n| !n.is_none())
                    .map(|n| self.string(n));
                UpvalDesc {
                    in_stack: in_stack == 1,
                    index,
                    kind,
                    name,
                }
            })
            .collect()
    }

    /// The local variable records.
    fn locals(&self, r: &Record) -> Vec<LocVar> {
        (0..r.n_local)
            .filter_map(|i| r.local(self.bytes, i))
            .map(|(start_pc, end_pc, name)| LocVar {
                name: self.string(name),
                start_pc,
                end_pc,
            })
            .collect()
    }
}

/// A prototype with no code (what a record that cannot be read builds; unreachable for
/// verified chunks whose backing keeps the [`Backing`] contract).
fn empty_proto(parent_source: Option<&Rc<[u8]>>) -> Proto {
    Proto {
        source: parent_source
            .cloned()
            .unwrap_or_else(|| Rc::from(&b"=?"[..])),
        line_defined: 0,
        last_line_defined: 0,
        num_params: 0,
        is_vararg: false,
        max_stack: 0,
        code: Buf::from(Vec::new()),
        constants: Vec::new(),
        upvalues: Vec::new(),
        protos: Vec::new(),
        line_info: Buf::from(Vec::new()),
        locals: Vec::new(),
    }
}
