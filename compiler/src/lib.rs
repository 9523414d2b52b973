//! Moonjet compiler: Lua 5.4 source to bytecode.
//!
//! A single-pass, register-allocating recursive-descent compiler: the parser reads the
//! grammar one nonterminal per function and emits code as it goes, keeping each expression
//! undecided (an [`expdesc::ExpDesc`]: constant, local, upvalue, indexed, jump, relocatable)
//! until its context picks a register.
//!
//! Files: `lexer.rs` (tokens), `parser.rs` (state, errors, functions), `stmt.rs` and
//! `expr.rs` (the grammar), `scope.rs` (variables, blocks, gotos), `code.rs` (emission,
//! registers, jumps, discharging), `arith.rs` (operators and constant folding).
#![no_std]
#![forbid(unsafe_code)]
extern crate alloc;

mod arith;
mod code;
mod expdesc;
mod expr;
mod func;
mod lexer;
mod parser;
mod scope;
mod stmt;

#[cfg(test)]
mod tests;

use alloc::string::String;

/// Number conversion used by the lexer (shared with the interpreter).
mod number {
    pub(crate) use moonjet_bytecode::num::{str_to_number, Number};
}

/// A compile error; `message` is fully formatted (`chunk:line: message near 'token'`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The message as `lua5.4` would print it.
    pub message: String,
}

impl core::fmt::Display for CompileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Compiles `source` into the prototype of its main function. `chunkname` follows the Lua
/// conventions: `@file.lua` (a file; a first line starting with `#` is skipped), `=name`
/// (shown literally), otherwise the source text itself.
pub fn compile(source: &[u8], chunkname: &[u8]) -> Result<moonjet_bytecode::Proto, CompileError> {
    parser::Parser::new(source, chunkname).main_func()
}
