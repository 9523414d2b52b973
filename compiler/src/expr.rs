//! Expressions: one function per nonterminal, its production as its doc comment.

use alloc::rc::Rc;

use moonjet_bytecode::instr::MAX_C;
use moonjet_bytecode::OpCode;

use crate::code::reg_of;
use crate::expdesc::{BinOpr, ExpDesc, ExpKind, UnOpr, UNARY_PRIORITY};
use crate::lexer::Tok;
use crate::parser::{Parser, R};

/// Items of a list constructor stored per SETLIST.
const FIELDS_PER_FLUSH: u32 = 50;

/// State of a table constructor being compiled.
struct ConsControl {
    /// Last list item read.
    v: ExpDesc,
    /// Register of the table.
    table: u32,
    /// Number of record items.
    nh: u32,
    /// Number of list items already stored.
    na: u32,
    /// Number of list items pending.
    tostore: u32,
}

/// Smallest `x` with `2^x >= n`.
fn ceil_log2(n: u32) -> u32 {
    let mut l = 0;
    while (1u64 << l) < n as u64 {
        l += 1;
    }
    l
}

impl<'s> Parser<'s> {
    /// expr -> subexpr
    pub(crate) fn expr(&mut self) -> R<ExpDesc> {
        let mut v = ExpDesc::void();
        self.subexpr(&mut v, 0)?;
        Ok(v)
    }

    /// explist -> expr { ',' expr }   (returns the count and the last expression)
    pub(crate) fn explist(&mut self) -> R<(u32, ExpDesc)> {
        let mut n = 1;
        let mut v = self.expr()?;
        while self.test_next(Tok::Char(b','))? {
            self.exp_to_next_reg(&mut v)?;
            v = self.expr()?;
            n += 1;
        }
        Ok((n, v))
    }

    /// subexpr -> (simpleexp | unop subexpr) { binop subexpr }
    /// where `binop` is any binary operator with a priority higher than `limit`; returns the
    /// first operator not handled.
    fn subexpr(&mut self, v: &mut ExpDesc, limit: u8) -> R<Option<BinOpr>> {
        self.enter_level()?;
        if let Some(uop) = UnOpr::from_token(self.lex.t) {
            let line = self.lex.linenumber;
            self.lex.next()?;
            self.subexpr(v, UNARY_PRIORITY)?;
            self.prefix(uop, v, line)?;
        } else {
            self.simple_exp(v)?;
        }
        let mut op = BinOpr::from_token(self.lex.t);
        while let Some(o) = op {
            let (left, right) = o.priority();
            if left <= limit {
                break;
            }
            let line = self.lex.linenumber;
            self.lex.next()?;
            self.infix(o, v)?;
            let mut v2 = ExpDesc::void();
            let next = self.subexpr(&mut v2, right)?;
            self.posfix(o, v, &mut v2, line)?;
            op = next;
        }
        self.leave_level();
        Ok(op)
    }

    /// simpleexp -> FLT | INT | STRING | NIL | TRUE | FALSE | ... | constructor
    ///            | FUNCTION body | suffixedexp
    fn simple_exp(&mut self, v: &mut ExpDesc) -> R<()> {
        let k = match self.lex.t {
            Tok::Flt(f) => ExpKind::KFlt(f),
            Tok::Int(i) => ExpKind::KInt(i),
            Tok::Str(s) => ExpKind::KStr(s),
            Tok::Nil => ExpKind::Nil,
            Tok::True => ExpKind::True,
            Tok::False => ExpKind::False,
            Tok::Dots => {
                if !self.fs.is_vararg {
                    return Err(self.syntax_error("cannot use '...' outside a vararg function"));
                }
                ExpKind::Vararg(self.code_abc(OpCode::VarArg, 0, 0, 1))
            }
            Tok::Char(b'{') => {
                *v = self.constructor()?;
                return Ok(());
            }
            Tok::Function => {
                let line = self.lex.linenumber;
                self.lex.next()?;
                *v = self.body(false, line)?;
                return Ok(());
            }
            _ => {
                *v = self.suffixed_exp()?;
                return Ok(());
            }
        };
        *v = ExpDesc::new(k);
        self.lex.next()
    }

    /// primaryexp -> NAME | '(' expr ')'
    fn primary_exp(&mut self) -> R<ExpDesc> {
        match self.lex.t {
            Tok::Name(n) => {
                self.lex.next()?;
                self.single_var(n)
            }
            Tok::Char(b'(') => {
                let line = self.lex.linenumber;
                self.lex.next()?;
                let mut v = self.expr()?;
                self.check_match(Tok::Char(b')'), Tok::Char(b'('), line)?;
                self.discharge_vars(&mut v)?;
                Ok(v)
            }
            _ => Err(self.syntax_error("unexpected symbol")),
        }
    }

    /// suffixedexp -> primaryexp { '.' NAME | '[' exp ']' | ':' NAME funcargs | funcargs }
    pub(crate) fn suffixed_exp(&mut self) -> R<ExpDesc> {
        let line = self.lex.linenumber;
        let mut v = self.primary_exp()?;
        loop {
            match self.lex.t {
                Tok::Char(b'.') => self.field_sel(&mut v)?,
                Tok::Char(b'[') => {
                    self.exp_to_any_reg_up(&mut v)?;
                    let mut key = self.yindex()?;
                    self.indexed(&mut v, &mut key)?;
                }
                Tok::Char(b':') => {
                    self.lex.next()?;
                    let name = self.str_checkname()?;
                    let mut key = ExpDesc::new(ExpKind::KStr(name));
                    self.self_op(&mut v, &mut key)?;
                    self.func_args(&mut v, line)?;
                }
                Tok::Char(b'(') | Tok::Str(_) | Tok::Char(b'{') => {
                    self.exp_to_next_reg(&mut v)?;
                    self.func_args(&mut v, line)?;
                }
                _ => return Ok(v),
            }
        }
    }

    /// fieldsel -> ['.' | ':'] NAME
    pub(crate) fn field_sel(&mut self, v: &mut ExpDesc) -> R<()> {
        self.exp_to_any_reg_up(v)?;
        self.lex.next()?; // skip the dot or colon
        let name = self.str_checkname()?;
        let mut key = ExpDesc::new(ExpKind::KStr(name));
        self.indexed(v, &mut key)
    }

    /// index -> '[' expr ']'
    fn yindex(&mut self) -> R<ExpDesc> {
        self.lex.next()?; // skip '['
        let mut v = self.expr()?;
        self.exp_to_val(&mut v)?;
        self.check_next(Tok::Char(b']'))?;
        Ok(v)
    }

    /// funcargs -> '(' [ explist ] ')' | constructor | STRING
    fn func_args(&mut self, f: &mut ExpDesc, line: u32) -> R<()> {
        let mut args = match self.lex.t {
            Tok::Char(b'(') => {
                self.lex.next()?;
                let args = if self.lex.t == Tok::Char(b')') {
                    ExpDesc::void()
                } else {
                    let (_, mut args) = self.explist()?;
                    if args.has_multret() {
                        self.set_returns(&mut args, -1)?;
                    }
                    args
                };
                self.check_match(Tok::Char(b')'), Tok::Char(b'('), line)?;
                args
            }
            Tok::Char(b'{') => self.constructor()?,
            Tok::Str(s) => {
                self.lex.next()?;
                ExpDesc::new(ExpKind::KStr(s))
            }
            _ => return Err(self.syntax_error("function arguments expected")),
        };
        let base = reg_of(f);
        let nparams = if args.has_multret() {
            -1
        } else {
            if args.k != ExpKind::Void {
                self.exp_to_next_reg(&mut args)?;
            }
            self.fs.freereg as i32 - (base as i32 + 1)
        };
        f.k = ExpKind::Call(self.code_abc(OpCode::Call, base, (nparams + 1) as u32, 2));
        self.fs.fix_line(line);
        self.fs.freereg = base + 1; // the call removes function and arguments, leaves one result
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Table constructors
    // -----------------------------------------------------------------------------------------

    /// constructor -> '{' [ field { sep field } [sep] ] '}'   with sep -> ',' | ';'
    fn constructor(&mut self) -> R<ExpDesc> {
        let line = self.lex.linenumber;
        let pc = self.code_abc(OpCode::NewTable, 0, 0, 0);
        self.code_extraarg(0); // space for the high part of the array size
        let table = self.fs.freereg;
        let t = ExpDesc::new(ExpKind::NonReloc(table));
        self.reserve_regs(1)?;
        let mut cc = ConsControl {
            v: ExpDesc::void(),
            table,
            nh: 0,
            na: 0,
            tostore: 0,
        };
        self.check_next(Tok::Char(b'{'))?;
        loop {
            if self.lex.t == Tok::Char(b'}') {
                break;
            }
            self.close_list_field(&mut cc)?;
            self.field(&mut cc)?;
            if !(self.test_next(Tok::Char(b','))? || self.test_next(Tok::Char(b';'))?) {
                break;
            }
        }
        self.check_match(Tok::Char(b'}'), Tok::Char(b'{'), line)?;
        self.last_list_field(&mut cc)?;
        self.set_table_size(pc, table, cc.na, cc.nh);
        Ok(t)
    }

    /// Fills in NEWTABLE's size hints (and its EXTRAARG).
    fn set_table_size(&mut self, pc: i32, ra: u32, asize: u32, hsize: u32) {
        let rb = if hsize != 0 { ceil_log2(hsize) + 1 } else { 0 };
        let extra = asize / (MAX_C + 1);
        let rc = asize % (MAX_C + 1);
        self.fs.set(
            pc,
            moonjet_bytecode::Instruction::abc(OpCode::NewTable, ra, rb, rc, extra > 0),
        );
        self.fs.set(
            pc + 1,
            moonjet_bytecode::Instruction::ax(OpCode::ExtraArg, extra),
        );
    }

    /// field -> listfield | recfield
    fn field(&mut self, cc: &mut ConsControl) -> R<()> {
        match self.lex.t {
            Tok::Name(_) => {
                if self.lex.lookahead()? != Tok::Char(b'=') {
                    self.list_field(cc)
                } else {
                    self.rec_field(cc)
                }
            }
            Tok::Char(b'[') => self.rec_field(cc),
            _ => self.list_field(cc),
        }
    }

    /// recfield -> (NAME | '[' exp ']') = exp
    fn rec_field(&mut self, cc: &mut ConsControl) -> R<()> {
        let reg = self.fs.freereg;
        let mut key = if let Tok::Name(n) = self.lex.t {
            self.lex.next()?;
            ExpDesc::new(ExpKind::KStr(n))
        } else {
            self.yindex()?
        };
        cc.nh = cc.nh.saturating_add(1);
        self.check_next(Tok::Char(b'='))?;
        let mut tab = ExpDesc::new(ExpKind::NonReloc(cc.table));
        self.indexed(&mut tab, &mut key)?;
        let mut val = self.expr()?;
        self.store_var(&tab, &mut val)?;
        self.fs.freereg = reg; // free registers
        Ok(())
    }

    /// listfield -> exp
    fn list_field(&mut self, cc: &mut ConsControl) -> R<()> {
        cc.v = self.expr()?;
        cc.tostore += 1;
        Ok(())
    }

    /// Puts the pending list item in its register; flushes a full batch.
    fn close_list_field(&mut self, cc: &mut ConsControl) -> R<()> {
        if cc.v.k == ExpKind::Void {
            return Ok(());
        }
        self.exp_to_next_reg(&mut cc.v)?;
        cc.v = ExpDesc::void();
        if cc.tostore == FIELDS_PER_FLUSH {
            self.set_list(cc.table, cc.na, cc.tostore as i32);
            cc.na += cc.tostore;
            cc.tostore = 0;
        }
        Ok(())
    }

    /// Stores the remaining list items (all results of a final call or `...`).
    fn last_list_field(&mut self, cc: &mut ConsControl) -> R<()> {
        if cc.tostore == 0 {
            return Ok(());
        }
        if cc.v.has_multret() {
            self.set_returns(&mut cc.v, -1)?;
            self.set_list(cc.table, cc.na, -1);
            cc.na += cc.tostore - 1; // do not count the open call
        } else {
            if cc.v.k != ExpKind::Void {
                self.exp_to_next_reg(&mut cc.v)?;
            }
            self.set_list(cc.table, cc.na, cc.tostore as i32);
            cc.na += cc.tostore;
        }
        Ok(())
    }

    /// SETLIST base, tostore (-1: to top), nelems already stored.
    fn set_list(&mut self, base: u32, nelems: u32, tostore: i32) {
        let b = if tostore < 0 { 0 } else { tostore as u32 };
        if nelems <= MAX_C {
            self.code_abc(OpCode::SetList, base, b, nelems);
        } else {
            let extra = nelems / (MAX_C + 1);
            self.code_abck(OpCode::SetList, base, b, nelems % (MAX_C + 1), true);
            self.code_extraarg(extra);
        }
        self.fs.freereg = base + 1; // free the registers of the items
    }

    // -----------------------------------------------------------------------------------------
    // Functions
    // -----------------------------------------------------------------------------------------

    /// parlist -> [ {NAME ','} (NAME | '...') ]
    fn parlist(&mut self) -> R<()> {
        let mut nparams = 0;
        let mut is_vararg = false;
        if self.lex.t != Tok::Char(b')') {
            loop {
                match self.lex.t {
                    Tok::Name(n) => {
                        self.lex.next()?;
                        self.new_localvar(n)?;
                        nparams += 1;
                    }
                    Tok::Dots => {
                        self.lex.next()?;
                        is_vararg = true;
                    }
                    _ => return Err(self.syntax_error("<name> expected")),
                }
                if is_vararg || !self.test_next(Tok::Char(b','))? {
                    break;
                }
            }
        }
        self.adjust_localvars(nparams);
        self.fs.num_params = self.fs.nactvar as u8;
        if is_vararg {
            self.set_vararg(self.fs.num_params as u32);
        }
        self.reserve_regs(self.fs.nactvar)
    }

    /// body -> '(' parlist ')' block END   (a closure in the next register)
    pub(crate) fn body(&mut self, is_method: bool, line: u32) -> R<ExpDesc> {
        self.open_func(line);
        if is_method {
            self.new_localvar(self.names.self_)?;
            self.adjust_localvars(1);
        }
        self.check_next(Tok::Char(b'('))?;
        self.parlist()?;
        self.check_next(Tok::Char(b')'))?;
        self.statlist()?;
        self.fs.last_line_defined = self.lex.linenumber;
        self.check_match(Tok::End, Tok::Function, line)?;
        let proto = self.close_func()?;
        self.fs.protos.push(Rc::new(proto));
        let idx = self.fs.protos.len() as u32 - 1;
        let mut e = ExpDesc::new(ExpKind::Reloc(self.code_abx(OpCode::Closure, 0, idx)));
        self.exp_to_next_reg(&mut e)?;
        Ok(e)
    }
}
