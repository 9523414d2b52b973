//! The verifier: the checks every function passes before its code can run. [`verify`]
//! checks a prototype tree (the compiler's output); [`verify_chunk`] checks chunk bytes
//! in one streaming pass over the records, reading them in place, before anything is
//! built from them. Both run the same checks through [`FnShape`].
//!
//! What it guarantees (the interpreter's unchecked accesses cite these by name):
//!
//! - **V-SIZES**: `code` is non-empty; `line_info` is empty or as long as `code`;
//!   `num_params <= max_stack`; at most 255 upvalues; nesting depth at most [`MAX_DEPTH`].
//! - **V-UPVAL**: every upvalue descriptor of a nested function names a register below the
//!   enclosing function's `max_stack` (`in_stack`) or an upvalue of the enclosing function;
//!   kinds are 0..=3; a register is captured only from a function whose returns close
//!   (V-CLOSE, with `code.rs`).
//! - **V-LOCALS**: locals have `start_pc <= end_pc <= code.len()`.
//! - **V-LAYOUT** (chunks): the header is valid; every record lies inside the chunk at an
//!   8-aligned offset, in preorder, each nested-function offset naming exactly the next
//!   record; every array lies inside its record at an offset aligned to its element;
//!   padding and reserved fields are zero; constant kinds are known, and nil and boolean
//!   constants have zero slots; every string reference (constants, names, sources) lies
//!   inside the string pool; the records end exactly where the pool starts.
//! - The code checks of `code.rs` (V-OPCODE, V-REG, V-K, V-KTYPE, V-UP, V-PROTO, V-JUMP,
//!   V-PAIR, V-EXTRA, V-TOP, V-VARARG, V-CLOSE, V-END, V-TABLE).
//!
//! Register *contents* are never guaranteed: any instruction may find any value type in
//! any register (a chunk can jump into a loop body, for example), so type checks stay.
//!
//! The chunk verifier allocates nothing in proportion to the chunk: it recurses once per
//! nesting level (at most [`MAX_DEPTH`]) and keeps one [`Record`] per level.

use alloc::format;

use super::code::{check_code, closes_on_return, FnShape};
use super::format::*;
use super::layout::{bytes_at, u32_at, u64_at, u8_at, Record, StrRef};
use super::ChunkError;
use crate::instr::Instruction;
use crate::proto::Proto;

type R<T> = Result<T, ChunkError>;

// ---------------------------------------------------------------------------------------
// The shared checks
// ---------------------------------------------------------------------------------------

/// What the structural checks need beyond [`FnShape`].
trait Structure: FnShape {
    /// Line where the function starts (for error messages).
    fn line_defined(&self) -> u32;
    /// Number of line-info entries.
    fn n_lines(&self) -> usize;
    /// Upvalue `i`: in stack, index, kind.
    fn upvalue(&self, i: usize) -> Option<(bool, u8, u8)>;
    /// Number of local variable records.
    fn n_locals(&self) -> usize;
    /// The pc range of local `i`.
    fn local_range(&self, i: usize) -> Option<(u32, u32)>;
}

/// The enclosing function, as its nested functions' upvalues see it.
#[derive(Clone, Copy)]
struct Parent {
    /// Its frame size.
    max_stack: u8,
    /// Its number of upvalues.
    n_upval: usize,
    /// Its returns close captured registers (V-CLOSE).
    closes: bool,
}

/// All checks of one function that do not depend on its representation.
fn check_function<S: Structure>(f: &S, parent: Option<Parent>) -> R<()> {
    let at = |e: ChunkError| {
        ChunkError::new(format!(
            "function at line {}: {}",
            f.line_defined(),
            e.message
        ))
    };
    check_sizes(f).map_err(at)?;
    if let Some(parent) = parent {
        check_upvalues(f, parent).map_err(at)?;
    }
    check_kinds(f).map_err(at)?;
    check_locals(f).map_err(at)?;
    check_code(f).map_err(at)
}

/// V-SIZES.
fn check_sizes<S: Structure>(f: &S) -> R<()> {
    if f.n_code() == 0 {
        return Err(ChunkError::new("empty code"));
    }
    if f.n_lines() != 0 && f.n_lines() != f.n_code() {
        return Err(ChunkError::new("line info does not match the code"));
    }
    if f.num_params() > f.max_stack() {
        return Err(ChunkError::new("more parameters than stack slots"));
    }
    if f.n_upvalues() > 255 {
        return Err(ChunkError::new("too many upvalues"));
    }
    Ok(())
}

/// V-UPVAL, relative to the enclosing function.
fn check_upvalues<S: Structure>(f: &S, parent: Parent) -> R<()> {
    for i in 0..f.n_upvalues() {
        let (in_stack, index, _) = f.upvalue(i).unwrap_or((true, u8::MAX, 0));
        if in_stack && !parent.closes {
            return Err(ChunkError::new(format!(
                "upvalue {i} captures a register of a function whose returns do not close it"
            )));
        }
        let ok = if in_stack {
            index < parent.max_stack
        } else {
            (index as usize) < parent.n_upval
        };
        if !ok {
            return Err(ChunkError::new(format!(
                "upvalue {i} refers to a missing {} {index}",
                if in_stack { "register" } else { "upvalue" },
            )));
        }
    }
    Ok(())
}

/// V-UPVAL: variable kinds.
fn check_kinds<S: Structure>(f: &S) -> R<()> {
    match (0..f.n_upvalues()).find(|&i| f.upvalue(i).is_none_or(|(_, _, k)| k > 3)) {
        Some(i) => Err(ChunkError::new(format!("upvalue {i} has a bad kind"))),
        None => Ok(()),
    }
}

/// V-LOCALS.
fn check_locals<S: Structure>(f: &S) -> R<()> {
    let n = f.n_code();
    for i in 0..f.n_locals() {
        let (start, end) = f.local_range(i).unwrap_or((1, 0));
        if start > end || end as usize > n {
            return Err(ChunkError::new(format!("local {i} has a bad pc range")));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Prototype trees (the compiler's output)
// ---------------------------------------------------------------------------------------

/// Checks `proto` and all its nested functions (see the module docs for the guarantees).
pub fn verify(proto: &Proto) -> R<()> {
    verify_proto(proto, None, 0)
}

/// Checks one prototype against its parent, then its children.
fn verify_proto(p: &Proto, parent: Option<Parent>, depth: usize) -> R<()> {
    if depth > MAX_DEPTH {
        return Err(ChunkError::new("functions nested too deeply"));
    }
    check_function(p, parent)?;
    let me = Parent {
        max_stack: p.max_stack,
        n_upval: p.upvalues.len(),
        closes: closes_on_return(p),
    };
    for child in &p.protos {
        verify_proto(child, Some(me), depth + 1)?;
    }
    Ok(())
}

impl FnShape for Proto {
    fn n_code(&self) -> usize {
        self.code.len()
    }
    fn instr(&self, pc: usize) -> Option<Instruction> {
        self.code.get(pc).copied()
    }
    fn max_stack(&self) -> u8 {
        self.max_stack
    }
    fn num_params(&self) -> u8 {
        self.num_params
    }
    fn is_vararg(&self) -> bool {
        self.is_vararg
    }
    fn n_upvalues(&self) -> usize {
        self.upvalues.len()
    }
    fn n_protos(&self) -> usize {
        self.protos.len()
    }
    fn const_kind(&self, k: usize) -> Option<u8> {
        self.constants.get(k).map(kind::of)
    }
}

impl Structure for Proto {
    fn line_defined(&self) -> u32 {
        self.line_defined
    }
    fn n_lines(&self) -> usize {
        self.line_info.len()
    }
    fn upvalue(&self, i: usize) -> Option<(bool, u8, u8)> {
        self.upvalues.get(i).map(|u| (u.in_stack, u.index, u.kind))
    }
    fn n_locals(&self) -> usize {
        self.locals.len()
    }
    fn local_range(&self, i: usize) -> Option<(u32, u32)> {
        self.locals.get(i).map(|l| (l.start_pc, l.end_pc))
    }
}

// ---------------------------------------------------------------------------------------
// Chunk bytes, in place
// ---------------------------------------------------------------------------------------

/// What the header of a verified chunk says.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChunkInfo {
    /// Debug information was stripped.
    pub stripped: bool,
    /// Where the string pool starts (the records end there).
    pub pool: usize,
}

/// Checks a whole chunk (header, layout and every function: all the V-* guarantees)
/// without building anything. Reads fields little-endian, so any alignment and host
/// byte order work; in-place use adds its own alignment and byte-order checks.
pub(crate) fn verify_chunk(bytes: &[u8]) -> R<ChunkInfo> {
    let info = header(bytes)?;
    let w = Walker { bytes, info };
    let end = w.function(HEADER_SIZE, None, 0)?;
    if end != info.pool {
        return Err(ChunkError::new("chunk length does not match its contents"));
    }
    Ok(info)
}

/// Checks the header.
fn header(b: &[u8]) -> R<ChunkInfo> {
    let start = &b[..b.len().min(MAGIC.len())];
    if !MAGIC.starts_with(start) || start.is_empty() {
        return Err(ChunkError::new("not a binary chunk"));
    }
    if b.len() < HEADER_SIZE {
        return Err(ChunkError::truncated());
    }
    let version = u8_at(b, 4).unwrap_or(0);
    if version != FORMAT_VERSION {
        return Err(ChunkError::new(format!(
            "format version {version} (this build reads version {FORMAT_VERSION})"
        )));
    }
    let flags = u8_at(b, 5).unwrap_or(0);
    if flags & !FLAG_STRIPPED != 0 {
        return Err(ChunkError::new(format!("unknown flags {flags:#04x}")));
    }
    if bytes_at(b, 6, SIZES.len()) != Some(&SIZES[..]) {
        return Err(ChunkError::new("instruction or number size mismatch"));
    }
    if bytes_at(b, 10, TEXT_CHECK.len()) != Some(&TEXT_CHECK[..]) {
        return Err(ChunkError::new("corrupted chunk (text-mode conversion?)"));
    }
    if u64_at(b, 16) != Some(CHECK_INT as u64) {
        return Err(ChunkError::new("integer format mismatch"));
    }
    if u64_at(b, 24).map(f64::from_bits) != Some(CHECK_FLOAT) {
        return Err(ChunkError::new("float format mismatch"));
    }
    let declared = u32_at(b, TOTAL_LEN_AT).unwrap_or(0) as usize;
    if declared > b.len() {
        return Err(ChunkError::truncated());
    }
    if declared < b.len() {
        return Err(ChunkError::new("chunk length does not match its contents"));
    }
    let pool = u32_at(b, POOL_AT).unwrap_or(0) as usize;
    if pool < HEADER_SIZE || pool > b.len() {
        return Err(ChunkError::new("bad string pool offset"));
    }
    Ok(ChunkInfo {
        stripped: flags & FLAG_STRIPPED != 0,
        pool,
    })
}

/// The streaming walk over the records.
struct Walker<'a> {
    /// The chunk.
    bytes: &'a [u8],
    /// Its header.
    info: ChunkInfo,
}

/// A record as the shared checks see it.
struct RecShape<'a> {
    /// The chunk.
    b: &'a [u8],
    /// The record.
    r: Record,
}

impl Walker<'_> {
    /// Checks the record at `at` and its nested functions; returns where the last of
    /// them ends (where the next sibling must start).
    fn function(&self, at: usize, parent: Option<Parent>, depth: usize) -> R<usize> {
        if depth > MAX_DEPTH {
            return Err(ChunkError::new("functions nested too deeply"));
        }
        let r = Record::read(self.bytes, at, self.info.pool, self.info.stripped)?;
        let shape = RecShape { b: self.bytes, r };
        self.layout(&r).map_err(|e| {
            ChunkError::new(format!(
                "function at line {}: {}",
                r.line_defined, e.message
            ))
        })?;
        check_function(&shape, parent)?;
        let me = Parent {
            max_stack: r.max_stack,
            n_upval: r.n_upval,
            closes: closes_on_return(&shape),
        };
        let mut next = r.end;
        for i in 0..r.n_proto {
            if r.child_at(self.bytes, i) != Some(next) {
                return Err(ChunkError::new(format!(
                    "function at line {}: nested function {i} is not where its offset says",
                    r.line_defined
                )));
            }
            next = self.function(next, Some(me), depth + 1)?;
        }
        Ok(next)
    }

    /// V-LAYOUT for one record (its bounds were checked by [`Record::read`]).
    fn layout(&self, r: &Record) -> R<()> {
        if r.vararg > 1 || r.reserved != 0 {
            return Err(ChunkError::new("bad function flags"));
        }
        if r.n_upval > 255 {
            return Err(ChunkError::new("too many upvalues"));
        }
        if self.info.stripped && (r.n_line != 0 || r.n_local != 0) {
            return Err(ChunkError::new("debug info in a stripped chunk"));
        }
        self.zeros(r.lines + 4 * r.n_line, r.kinds)?;
        self.zeros(r.kinds + r.n_const, r.values)?;
        self.zeros(r.protos + 4 * r.n_proto, r.end)?;
        self.string(r.source)?;
        self.constants(r)?;
        self.upvalues(r)?;
        for i in 0..r.n_local {
            let (_, _, name) = r.local(self.bytes, i).ok_or_else(ChunkError::truncated)?;
            self.string(name)?;
        }
        Ok(())
    }

    /// Padding bytes `from..to` must be zero (a chunk has one spelling).
    fn zeros(&self, from: usize, to: usize) -> R<()> {
        let pad = self.bytes.get(from..to).unwrap_or(&[]);
        if pad.iter().any(|&b| b != 0) {
            return Err(ChunkError::new(format!("nonzero padding at offset {from}")));
        }
        Ok(())
    }

    /// A string reference must lie inside the pool.
    fn string(&self, s: StrRef) -> R<()> {
        let range = s.range();
        if range.start < self.info.pool || range.end > self.bytes.len() {
            return Err(ChunkError::new(format!(
                "string at offset {} (length {}) outside the string pool",
                s.off, s.len
            )));
        }
        Ok(())
    }

    /// Constant kinds and slots.
    fn constants(&self, r: &Record) -> R<()> {
        for k in 0..r.n_const {
            let kind = r.const_kind(self.bytes, k).unwrap_or(u8::MAX);
            let slot = r.const_slot(self.bytes, k).unwrap_or(u64::MAX);
            match kind {
                kind::NIL | kind::FALSE | kind::TRUE if slot != 0 => {
                    return Err(ChunkError::new(format!("constant {k} has a nonzero slot")))
                }
                kind::NIL | kind::FALSE | kind::TRUE | kind::INT | kind::FLOAT => {}
                kind::STR => self.string(StrRef::unpack(slot))?,
                _ => return Err(ChunkError::new(format!("bad constant kind {kind}"))),
            }
        }
        Ok(())
    }

    /// Upvalue descriptor bytes and names.
    fn upvalues(&self, r: &Record) -> R<()> {
        for i in 0..r.n_upval {
            let [in_stack, _, _, reserved] = r.upval(self.bytes, i).unwrap_or([9; 4]);
            if in_stack > 1 || reserved != 0 {
                return Err(ChunkError::new("bad upvalue descriptor"));
            }
            if let Some(name) = r.upval_name(self.bytes, i) {
                if !name.is_none() {
                    self.string(name)?;
                }
            }
        }
        Ok(())
    }
}

impl FnShape for RecShape<'_> {
    fn n_code(&self) -> usize {
        self.r.n_code
    }
    fn instr(&self, pc: usize) -> Option<Instruction> {
        self.r.instr(self.b, pc)
    }
    fn max_stack(&self) -> u8 {
        self.r.max_stack
    }
    fn num_params(&self) -> u8 {
        self.r.num_params
    }
    fn is_vararg(&self) -> bool {
        self.r.vararg == 1
    }
    fn n_upvalues(&self) -> usize {
        self.r.n_upval
    }
    fn n_protos(&self) -> usize {
        self.r.n_proto
    }
    fn const_kind(&self, k: usize) -> Option<u8> {
        self.r.const_kind(self.b, k)
    }
}

impl Structure for RecShape<'_> {
    fn line_defined(&self) -> u32 {
        self.r.line_defined
    }
    fn n_lines(&self) -> usize {
        self.r.n_line
    }
    fn upvalue(&self, i: usize) -> Option<(bool, u8, u8)> {
        self.r.upval(self.b, i).map(|[s, i, k, _]| (s == 1, i, k))
    }
    fn n_locals(&self) -> usize {
        self.r.n_local
    }
    fn local_range(&self, i: usize) -> Option<(u32, u32)> {
        self.r.local(self.b, i).map(|(s, e, _)| (s, e))
    }
}
