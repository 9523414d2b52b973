//! The state of one function being compiled, and the bookkeeping records the parser keeps
//! for variables, blocks and labels.

use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::vec::Vec;

use moonjet_bytecode::{Constant, Instruction, LocVar, OpCode, Proto, UpvalDesc};

use crate::expdesc::{ExpKind, NO_JUMP};
use crate::lexer::StrId;

/// Kind of a local variable (the numbering is the `kind` of an upvalue descriptor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarKind {
    /// An ordinary variable.
    Regular = 0,
    /// `<const>` that lives in a register.
    Const = 1,
    /// `<close>`.
    Close = 2,
    /// `<const>` whose value is known at compile time: occupies no register.
    CompileTimeConst = 3,
}

/// An active (or being declared) local variable.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VarDesc {
    /// Name.
    pub name: StrId,
    /// Kind.
    pub kind: VarKind,
    /// Register (not for compile-time constants).
    pub reg: u32,
    /// Index of its debug record in the prototype's locals, if any.
    pub pidx: Option<usize>,
    /// The value of a compile-time constant (a constant `ExpKind`).
    pub value: ExpKind,
}

/// A block (scope) of the function being compiled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockCnt {
    /// Number of active variables outside the block.
    pub nactvar: u32,
    /// Index of the first label of this block in the parser's label list.
    pub first_label: usize,
    /// Index of the first pending goto of this block.
    pub first_goto: usize,
    /// Some variable of the block is captured as an upvalue (or is to-be-closed).
    pub upval: bool,
    /// The block is a loop (a `break` target).
    pub is_loop: bool,
    /// The block is inside the scope of a to-be-closed variable.
    pub inside_tbc: bool,
}

/// A label or a pending goto.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LabelDesc {
    /// Label name.
    pub name: StrId,
    /// Label position, or the goto's jump list.
    pub pc: i32,
    /// Source line.
    pub line: u32,
    /// Number of active variables at that point.
    pub nactvar: u32,
    /// A goto that leaves the scope of a variable that must be closed.
    pub close: bool,
}

/// Key of the constant table cache (floats by their bits, so `1` and `1.0` differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ConstKey {
    /// `nil`.
    Nil,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float, by its bits.
    Flt(u64),
    /// A string.
    Str(StrId),
}

/// A function being compiled.
pub(crate) struct FuncState {
    /// Instructions.
    pub code: Vec<Instruction>,
    /// Line of each instruction.
    pub lines: Vec<u32>,
    /// Constants.
    pub constants: Vec<Constant>,
    /// Index of each constant already in the table.
    pub kcache: BTreeMap<ConstKey, u32>,
    /// Upvalue descriptors.
    pub upvals: Vec<UpvalDesc>,
    /// Upvalue names (for lookup).
    pub upval_names: Vec<StrId>,
    /// Nested functions.
    pub protos: Vec<Rc<Proto>>,
    /// Local variable debug info.
    pub locvars: Vec<LocVar>,
    /// Open blocks, innermost last.
    pub blocks: Vec<BlockCnt>,
    /// Index in the parser's variable list of this function's first local.
    pub first_local: usize,
    /// Index in the parser's label list of this function's first label.
    pub first_label: usize,
    /// Number of active locals (compile-time constants included).
    pub nactvar: u32,
    /// First free register.
    pub freereg: u32,
    /// Registers needed so far.
    pub max_stack: u32,
    /// pc of the last jump target (no peephole across it).
    pub last_target: i32,
    /// Number of fixed parameters.
    pub num_params: u8,
    /// Declared with `...`.
    pub is_vararg: bool,
    /// Returns must close upvalues or to-be-closed variables.
    pub need_close: bool,
    /// Line of `function`.
    pub line_defined: u32,
    /// Line of the closing `end`.
    pub last_line_defined: u32,
}

impl FuncState {
    /// A fresh function whose locals start at `first_local` and labels at `first_label`.
    pub(crate) fn new(first_local: usize, first_label: usize, line_defined: u32) -> Self {
        FuncState {
            code: Vec::new(),
            lines: Vec::new(),
            constants: Vec::new(),
            kcache: BTreeMap::new(),
            upvals: Vec::new(),
            upval_names: Vec::new(),
            protos: Vec::new(),
            locvars: Vec::new(),
            blocks: Vec::new(),
            first_local,
            first_label,
            nactvar: 0,
            freereg: 0,
            max_stack: 2,
            last_target: 0,
            num_params: 0,
            is_vararg: false,
            need_close: false,
            line_defined,
            last_line_defined: 0,
        }
    }

    /// Index of the next instruction.
    pub(crate) fn pc(&self) -> i32 {
        self.code.len() as i32
    }

    /// The instruction at `pc` (a harmless default when out of range).
    pub(crate) fn get(&self, pc: i32) -> Instruction {
        self.code.get(pc as usize).copied().unwrap_or_default()
    }

    /// Replaces the instruction at `pc`.
    pub(crate) fn set(&mut self, pc: i32, i: Instruction) {
        if let Some(slot) = self.code.get_mut(pc as usize) {
            *slot = i;
        }
    }

    /// The opcode at `pc`, if valid.
    pub(crate) fn op_at(&self, pc: i32) -> Option<OpCode> {
        self.code.get(pc as usize).and_then(|i| i.opcode())
    }

    /// Appends an instruction with its line; returns its pc.
    pub(crate) fn emit(&mut self, i: Instruction, line: u32) -> i32 {
        self.code.push(i);
        self.lines.push(line);
        self.pc() - 1
    }

    /// Sets the line of the last instruction.
    pub(crate) fn fix_line(&mut self, line: u32) {
        if let Some(l) = self.lines.last_mut() {
            *l = line;
        }
    }

    /// Marks the current pc as a jump target and returns it.
    pub(crate) fn get_label(&mut self) -> i32 {
        self.last_target = self.pc();
        self.last_target
    }

    /// The innermost open block.
    pub(crate) fn block(&self) -> Option<&BlockCnt> {
        self.blocks.last()
    }

    /// The instruction before pc when it is not a jump target (for peepholes).
    pub(crate) fn previous_instruction(&self) -> Option<Instruction> {
        if self.pc() > self.last_target {
            self.code.last().copied()
        } else {
            None
        }
    }

    /// Target of the jump at `pc`, or `NO_JUMP` at the end of a list.
    pub(crate) fn get_jump(&self, pc: i32) -> i32 {
        let offset = self.get(pc).sj_field();
        if offset == NO_JUMP {
            NO_JUMP
        } else {
            pc + 1 + offset
        }
    }

    /// The instruction that controls the jump at `pc` (its test, if any).
    pub(crate) fn jump_control(&self, pc: i32) -> i32 {
        if pc >= 1 {
            if let Some(op) = self.op_at(pc - 1) {
                if op.has(moonjet_bytecode::opcodes::props::TEST) {
                    return pc - 1;
                }
            }
        }
        pc
    }
}
