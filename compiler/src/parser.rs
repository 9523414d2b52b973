//! The parser state, token helpers, error messages, and opening/closing of functions.
//!
//! Code generation (`code.rs`, `arith.rs`), scopes (`scope.rs`), statements (`stmt.rs`) and
//! expressions (`expr.rs`) are further `impl Parser` blocks.

use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use moonjet_bytecode::{Buf, Proto, UpvalDesc};

use crate::expdesc::ExpKind;
use crate::func::{FuncState, LabelDesc, VarDesc};
use crate::lexer::{token_name, Lexer, StrId, Tok};
use crate::CompileError;

/// Parser results.
pub(crate) type R<T> = Result<T, CompileError>;

/// Most local variables in one function.
pub(crate) const MAX_VARS: usize = 200;
/// Most upvalues of one function.
pub(crate) const MAX_UPVAL: usize = 255;
/// Deepest syntactic nesting (statements and subexpressions) before "too many syntax levels".
pub(crate) const MAX_LEVELS: u32 = 200;

/// Names the parser needs by id.
pub(crate) struct WellKnown {
    /// `_ENV`
    pub env: StrId,
    /// `break` (the label of loop exits)
    pub brk: StrId,
    /// `self`
    pub self_: StrId,
    /// `(for state)`
    pub for_state: StrId,
}

/// The compiler: lexer, the function being compiled and its enclosing ones, and the lists of
/// active variables, pending gotos and visible labels shared by all of them.
pub(crate) struct Parser<'s> {
    /// Token source.
    pub lex: Lexer<'s>,
    /// Function being compiled.
    pub fs: FuncState,
    /// Enclosing functions, innermost last.
    pub outer: Vec<FuncState>,
    /// Declared local variables of all open functions.
    pub actvar: Vec<VarDesc>,
    /// Pending gotos of all open functions.
    pub gotos: Vec<LabelDesc>,
    /// Visible labels of all open functions.
    pub labels: Vec<LabelDesc>,
    /// Current syntactic nesting depth.
    pub level: u32,
    /// Chunk name (shared by every prototype).
    pub source: Rc<[u8]>,
    /// Interned well-known names.
    pub names: WellKnown,
}

impl<'s> Parser<'s> {
    /// A parser over `src` named `chunkname`.
    pub(crate) fn new(src: &'s [u8], chunkname: &[u8]) -> Self {
        let mut lex = Lexer::new(src, moonjet_bytecode::chunkid::short_src(chunkname));
        if chunkname.first() == Some(&b'@') {
            lex.skip_shebang();
        }
        let names = WellKnown {
            env: lex.strings.intern(b"_ENV"),
            brk: lex.strings.intern(b"break"),
            self_: lex.strings.intern(b"self"),
            for_state: lex.strings.intern(b"(for state)"),
        };
        Parser {
            lex,
            fs: FuncState::new(0, 0, 0),
            outer: Vec::new(),
            actvar: Vec::new(),
            gotos: Vec::new(),
            labels: Vec::new(),
            level: 0,
            source: Rc::from(chunkname),
            names,
        }
    }

    /// mainfunc -> block EOF (a vararg function with the single upvalue `_ENV`).
    pub(crate) fn main_func(mut self) -> R<Proto> {
        self.enter_block(false);
        self.set_vararg(0);
        let name = self.names.env;
        self.fs.upvals.push(UpvalDesc {
            in_stack: true,
            index: 0,
            kind: 0,
            name: Some(self.str_buf(name)),
        });
        self.fs.upval_names.push(name);
        self.lex.next()?;
        self.statlist()?;
        self.check(Tok::Eos)?;
        self.close_func_body()
    }

    // -----------------------------------------------------------------------------------------
    // Errors
    // -----------------------------------------------------------------------------------------

    /// `msg near <current token>`.
    pub(crate) fn syntax_error(&self, msg: &str) -> CompileError {
        self.lex.syntax_error(msg)
    }

    /// `msg` without the "near" part (semantic errors).
    pub(crate) fn sem_error(&self, msg: &str) -> CompileError {
        self.lex.error_plain(msg)
    }

    /// `'x' expected near ...`.
    pub(crate) fn error_expected(&self, t: Tok) -> CompileError {
        self.syntax_error(&format!("{} expected", token_name(t)))
    }

    /// `too many <what> (limit is <limit>) in <function>` for the function at `level`.
    pub(crate) fn error_limit(&self, line_defined: u32, limit: usize, what: &str) -> CompileError {
        let place = if line_defined == 0 {
            String::from("main function")
        } else {
            format!("function at line {line_defined}")
        };
        self.syntax_error(&format!("too many {what} (limit is {limit}) in {place}"))
    }

    /// Counts one more level of syntactic nesting; fails when too deep.
    pub(crate) fn enter_level(&mut self) -> R<()> {
        self.level += 1;
        if self.level > MAX_LEVELS {
            return Err(self.sem_error("chunk has too many syntax levels"));
        }
        Ok(())
    }

    /// Leaves a level of nesting.
    pub(crate) fn leave_level(&mut self) {
        self.level -= 1;
    }

    /// The text of interned string `id`, lossily as UTF-8 (for messages).
    pub(crate) fn str_text(&self, id: StrId) -> String {
        String::from_utf8_lossy(self.lex.strings.get(id)).into_owned()
    }

    /// The bytes of interned string `id` as a prototype buffer.
    pub(crate) fn str_buf(&self, id: StrId) -> Buf<u8> {
        Buf::from(self.lex.strings.get(id).to_vec())
    }

    // -----------------------------------------------------------------------------------------
    // Token helpers
    // -----------------------------------------------------------------------------------------

    /// Fails unless the current token is `t`.
    pub(crate) fn check(&self, t: Tok) -> R<()> {
        if self.lex.t == t {
            Ok(())
        } else {
            Err(self.error_expected(t))
        }
    }

    /// Consumes `t` or fails.
    pub(crate) fn check_next(&mut self, t: Tok) -> R<()> {
        self.check(t)?;
        self.lex.next()
    }

    /// Consumes `t` if it is the current token.
    pub(crate) fn test_next(&mut self, t: Tok) -> R<bool> {
        if self.lex.t == t {
            self.lex.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consumes `what`, which closes `who` opened at `line`.
    pub(crate) fn check_match(&mut self, what: Tok, who: Tok, line: u32) -> R<()> {
        if self.test_next(what)? {
            return Ok(());
        }
        if line == self.lex.linenumber {
            Err(self.error_expected(what))
        } else {
            let msg = format!(
                "{} expected (to close {} at line {})",
                token_name(what),
                token_name(who),
                line
            );
            Err(self.syntax_error(&msg))
        }
    }

    /// Consumes a name and returns it.
    pub(crate) fn str_checkname(&mut self) -> R<StrId> {
        match self.lex.t {
            Tok::Name(id) => {
                self.lex.next()?;
                Ok(id)
            }
            _ => Err(self.error_expected(Tok::Name(0))),
        }
    }

    /// True if the current token ends a block (`until` only when `with_until`).
    pub(crate) fn block_follow(&self, with_until: bool) -> bool {
        match self.lex.t {
            Tok::Else | Tok::Elseif | Tok::End | Tok::Eos => true,
            Tok::Until => with_until,
            _ => false,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Functions
    // -----------------------------------------------------------------------------------------

    /// Starts compiling a nested function defined at `line`.
    pub(crate) fn open_func(&mut self, line: u32) {
        let fresh = FuncState::new(self.actvar.len(), self.labels.len(), line);
        let parent = core::mem::replace(&mut self.fs, fresh);
        self.outer.push(parent);
        self.enter_block(false);
    }

    /// Finishes a nested function: returns its prototype and makes the parent current.
    pub(crate) fn close_func(&mut self) -> R<Proto> {
        let proto = self.close_func_body()?;
        if let Some(parent) = self.outer.pop() {
            self.fs = parent;
        }
        Ok(proto)
    }

    /// Final return, block exit and fix-ups; builds the prototype of the current function.
    fn close_func_body(&mut self) -> R<Proto> {
        let level = self.nvarstack();
        self.ret(level, 0);
        self.leave_block()?;
        self.finish()?;
        let fs = &mut self.fs;
        let upvalues = core::mem::take(&mut fs.upvals);
        Ok(Proto {
            source: self.source.clone(),
            line_defined: fs.line_defined,
            last_line_defined: fs.last_line_defined,
            num_params: fs.num_params,
            is_vararg: fs.is_vararg,
            max_stack: fs.max_stack as u8,
            code: Buf::from(core::mem::take(&mut fs.code)),
            constants: core::mem::take(&mut fs.constants),
            upvalues,
            protos: core::mem::take(&mut fs.protos),
            line_info: Buf::from(core::mem::take(&mut fs.lines)),
            locals: core::mem::take(&mut fs.locvars),
        })
    }

    /// Marks the current function vararg and emits `VARARGPREP nparams`.
    pub(crate) fn set_vararg(&mut self, nparams: u32) {
        self.fs.is_vararg = true;
        self.code_abc(moonjet_bytecode::OpCode::VarArgPrep, nparams, 0, 0);
    }

    /// The kind of an expression naming a compile-time constant variable.
    pub(crate) fn const_value(&self, abs: u32) -> ExpKind {
        self.actvar
            .get(abs as usize)
            .map_or(ExpKind::Nil, |v| v.value)
    }
}
