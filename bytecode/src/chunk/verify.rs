//! The verifier: the structural checks every prototype passes before its code can run.
//!
//! What it guarantees (the interpreter's unchecked accesses cite these by name):
//!
//! - **V-SIZES**: `code` is non-empty; `line_info` is empty or as long as `code`;
//!   `num_params <= max_stack`; at most 255 upvalues; nesting depth at most [`MAX_DEPTH`].
//! - **V-UPVAL**: every upvalue descriptor of a nested function names a register below the
//!   enclosing function's `max_stack` (`in_stack`) or an upvalue of the enclosing function;
//!   kinds are 0..=3.
//! - **V-LOCALS**: locals have `start_pc <= end_pc <= code.len()`.
//! - The code checks of `code.rs` (V-OPCODE, V-REG, V-K, V-KTYPE, V-UP, V-PROTO, V-JUMP,
//!   V-PAIR, V-EXTRA, V-TOP, V-VARARG, V-END, V-TABLE).
//!
//! Register *contents* are never guaranteed: any instruction may find any value type in
//! any register (a chunk can jump into a loop body, for example), so type checks stay.

use alloc::format;

use super::code::check_code;
use super::format::MAX_DEPTH;
use super::ChunkError;
use crate::proto::Proto;

type R<T> = Result<T, ChunkError>;

/// Checks `proto` and all its nested functions (see the module docs for the guarantees).
pub fn verify(proto: &Proto) -> R<()> {
    verify_function(proto, None, 0)
}

/// Checks one function against its parent, then its children.
fn verify_function(p: &Proto, parent: Option<&Proto>, depth: usize) -> R<()> {
    if depth > MAX_DEPTH {
        return Err(ChunkError::new("functions nested too deeply"));
    }
    let at = |e: ChunkError| {
        ChunkError::new(format!(
            "function at line {}: {}",
            p.line_defined, e.message
        ))
    };
    check_sizes(p).map_err(at)?;
    if let Some(parent) = parent {
        check_upvalues(p, parent).map_err(at)?;
    }
    check_kinds(p).map_err(at)?;
    check_locals(p).map_err(at)?;
    check_code(p).map_err(at)?;
    for child in &p.protos {
        verify_function(child, Some(p), depth + 1)?;
    }
    Ok(())
}

/// V-SIZES.
fn check_sizes(p: &Proto) -> R<()> {
    if p.code.is_empty() {
        return Err(ChunkError::new("empty code"));
    }
    if !p.line_info.is_empty() && p.line_info.len() != p.code.len() {
        return Err(ChunkError::new("line info does not match the code"));
    }
    if p.num_params > p.max_stack {
        return Err(ChunkError::new("more parameters than stack slots"));
    }
    if p.upvalues.len() > 255 {
        return Err(ChunkError::new("too many upvalues"));
    }
    Ok(())
}

/// V-UPVAL, relative to the enclosing function.
fn check_upvalues(p: &Proto, parent: &Proto) -> R<()> {
    for (i, u) in p.upvalues.iter().enumerate() {
        let ok = if u.in_stack {
            u.index < parent.max_stack
        } else {
            (u.index as usize) < parent.upvalues.len()
        };
        if !ok {
            return Err(ChunkError::new(format!(
                "upvalue {i} refers to a missing {} {}",
                if u.in_stack { "register" } else { "upvalue" },
                u.index
            )));
        }
    }
    Ok(())
}

/// V-UPVAL: variable kinds.
fn check_kinds(p: &Proto) -> R<()> {
    match p.upvalues.iter().position(|u| u.kind > 3) {
        Some(i) => Err(ChunkError::new(format!("upvalue {i} has a bad kind"))),
        None => Ok(()),
    }
}

/// V-LOCALS.
fn check_locals(p: &Proto) -> R<()> {
    let n = p.code.len();
    for (i, l) in p.locals.iter().enumerate() {
        if l.start_pc > l.end_pc || l.end_pc as usize > n {
            return Err(ChunkError::new(format!("local {i} has a bad pc range")));
        }
    }
    Ok(())
}
