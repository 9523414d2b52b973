//! Moonjet's bytecode: the instruction set (one table), prototypes, number conversions
//! shared by the compiler and the interpreter, the listing, and binary chunks (format,
//! loaders and verifier).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod chunk;
pub mod chunkid;
pub mod instr;
pub mod listing;
pub mod num;
pub mod opcodes;
pub mod proto;

pub use chunk::ChunkError;
pub use instr::{ConstIdx, Instruction, ProtoIdx, Reg, UpvalIdx};
pub use opcodes::{Format, OpCode, OpInfo, Operand, OP_INFO};
pub use proto::{Backing, Buf, Constant, LocVar, Proto, UpvalDesc};
