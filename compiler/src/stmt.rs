//! Statements: one function per nonterminal, its production as its doc comment.

use alloc::format;
use alloc::vec::Vec;

use moonjet_bytecode::instr::MAX_BX;
use moonjet_bytecode::OpCode;

use crate::expdesc::{ExpDesc, ExpKind, NO_JUMP};
use crate::func::VarKind;
use crate::lexer::Tok;
use crate::parser::{Parser, R};

impl<'s> Parser<'s> {
    /// statlist -> { stat [';'] }
    pub(crate) fn statlist(&mut self) -> R<()> {
        while !self.block_follow(true) {
            if self.lex.t == Tok::Return {
                return self.statement(); // 'return' must be the last statement
            }
            self.statement()?;
        }
        Ok(())
    }

    /// block -> statlist
    pub(crate) fn block(&mut self) -> R<()> {
        self.enter_block(false);
        self.statlist()?;
        self.leave_block()
    }

    /// stat -> ';' | ifstat | whilestat | DO block END | forstat | repeatstat | funcstat
    ///       | localstat | LOCAL FUNCTION localfunc | '::' NAME '::' | retstat | BREAK
    ///       | GOTO NAME | exprstat
    pub(crate) fn statement(&mut self) -> R<()> {
        let line = self.lex.linenumber;
        self.enter_level()?;
        match self.lex.t {
            Tok::Char(b';') => self.lex.next()?,
            Tok::If => self.if_stat(line)?,
            Tok::While => self.while_stat(line)?,
            Tok::Do => {
                self.lex.next()?;
                self.block()?;
                self.check_match(Tok::End, Tok::Do, line)?;
            }
            Tok::For => self.for_stat(line)?,
            Tok::Repeat => self.repeat_stat(line)?,
            Tok::Function => self.func_stat(line)?,
            Tok::Local => {
                self.lex.next()?;
                if self.test_next(Tok::Function)? {
                    self.local_func()?;
                } else {
                    self.local_stat()?;
                }
            }
            Tok::DbColon => {
                self.lex.next()?;
                let name = self.str_checkname()?;
                self.label_stat(name, line)?;
            }
            Tok::Return => {
                self.lex.next()?;
                self.ret_stat()?;
            }
            Tok::Break => self.break_stat()?,
            Tok::Goto => {
                self.lex.next()?;
                self.goto_stat(line)?;
            }
            _ => self.expr_stat()?,
        }
        self.fs.freereg = self.nvarstack();
        self.leave_level();
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Control structures
    // -----------------------------------------------------------------------------------------

    /// cond -> exp  (returns the jump list taken when false)
    fn cond(&mut self) -> R<i32> {
        let mut v = self.expr()?;
        if v.k == ExpKind::Nil {
            v.k = ExpKind::False; // 'falses' are all equal here
        }
        self.go_if_true(&mut v)?;
        Ok(v.f)
    }

    /// test_then_block -> [IF | ELSEIF] cond THEN block
    fn test_then_block(&mut self, escapelist: &mut i32) -> R<()> {
        self.lex.next()?; // skip IF or ELSEIF
        let mut v = self.expr()?;
        self.check_next(Tok::Then)?;
        let jf = if self.lex.t == Tok::Break {
            // 'if x then break': jump straight out of the loop
            let line = self.lex.linenumber;
            self.go_if_false(&mut v)?;
            self.lex.next()?;
            self.enter_block(false);
            self.new_goto_entry(self.names.brk, line, v.t);
            while self.test_next(Tok::Char(b';'))? {}
            if self.block_follow(false) {
                return self.leave_block();
            }
            self.jump()
        } else {
            self.go_if_true(&mut v)?;
            self.enter_block(false);
            v.f
        };
        self.statlist()?;
        self.leave_block()?;
        if matches!(self.lex.t, Tok::Else | Tok::Elseif) {
            let j = self.jump();
            self.concat_jumps(escapelist, j)?;
        }
        self.patch_to_here(jf)
    }

    /// ifstat -> IF cond THEN block {ELSEIF cond THEN block} [ELSE block] END
    fn if_stat(&mut self, line: u32) -> R<()> {
        let mut escapelist = NO_JUMP;
        self.test_then_block(&mut escapelist)?;
        while self.lex.t == Tok::Elseif {
            self.test_then_block(&mut escapelist)?;
        }
        if self.test_next(Tok::Else)? {
            self.block()?;
        }
        self.check_match(Tok::End, Tok::If, line)?;
        self.patch_to_here(escapelist)
    }

    /// whilestat -> WHILE cond DO block END
    fn while_stat(&mut self, line: u32) -> R<()> {
        self.lex.next()?;
        let whileinit = self.fs.get_label();
        let condexit = self.cond()?;
        self.enter_block(true);
        self.check_next(Tok::Do)?;
        self.block()?;
        self.jump_to(whileinit)?;
        self.check_match(Tok::End, Tok::While, line)?;
        self.leave_block()?;
        self.patch_to_here(condexit)
    }

    /// repeatstat -> REPEAT block UNTIL cond
    fn repeat_stat(&mut self, line: u32) -> R<()> {
        let repeat_init = self.fs.get_label();
        self.enter_block(true); // loop block
        self.enter_block(false); // scope block
        self.lex.next()?;
        self.statlist()?;
        self.check_match(Tok::Until, Tok::Repeat, line)?;
        let mut condexit = self.cond()?; // read condition (inside scope block)
        let scope = self.fs.block().copied();
        self.leave_block()?; // finish scope
        if let Some(bl2) = scope.filter(|b| b.upval) {
            // the repetition must close the upvalues of the body
            let exit = self.jump();
            self.patch_to_here(condexit)?;
            let level = self.reglevel(bl2.nactvar);
            self.code_abc(OpCode::Close, level, 0, 0);
            condexit = self.jump();
            self.patch_to_here(exit)?;
        }
        self.patch_list(condexit, repeat_init)?;
        self.leave_block() // finish loop
    }

    /// exp1 -> exp (into the next register)
    fn exp1(&mut self) -> R<()> {
        let mut e = self.expr()?;
        self.exp_to_next_reg(&mut e)
    }

    /// Makes the FORPREP/FORLOOP-style jump at `pc` go to `dest` (Bx is unsigned).
    fn fix_for_jump(&mut self, pc: i32, dest: i32, back: bool) -> R<()> {
        let mut offset = dest - (pc + 1);
        if back {
            offset = -offset;
        }
        if offset < 0 || offset as u32 > MAX_BX {
            return Err(self.syntax_error("control structure too long"));
        }
        let i = self.fs.get(pc).with_bx(offset as u32);
        self.fs.set(pc, i);
        Ok(())
    }

    /// forbody -> DO block
    fn for_body(&mut self, base: u32, line: u32, nvars: u32, generic: bool) -> R<()> {
        self.check_next(Tok::Do)?;
        let prep_op = if generic {
            OpCode::TForPrep
        } else {
            OpCode::ForPrep
        };
        let prep = self.code_abx(prep_op, base, 0);
        self.enter_block(false); // scope for declared variables
        self.adjust_localvars(nvars);
        self.reserve_regs(nvars)?;
        self.block()?;
        self.leave_block()?;
        let here = self.fs.get_label();
        self.fix_for_jump(prep, here, false)?;
        if generic {
            self.code_abc(OpCode::TForCall, base, 0, nvars);
            self.fs.fix_line(line);
        }
        let loop_op = if generic {
            OpCode::TForLoop
        } else {
            OpCode::ForLoop
        };
        let endfor = self.code_abx(loop_op, base, 0);
        self.fix_for_jump(endfor, prep + 1, true)?;
        self.fs.fix_line(line);
        Ok(())
    }

    /// fornum -> NAME = exp ',' exp [',' exp] forbody
    fn for_num(&mut self, varname: u32, line: u32) -> R<()> {
        let base = self.fs.freereg;
        for _ in 0..3 {
            self.new_localvar(self.names.for_state)?;
        }
        self.new_localvar(varname)?;
        self.check_next(Tok::Char(b'='))?;
        self.exp1()?; // initial value
        self.check_next(Tok::Char(b','))?;
        self.exp1()?; // limit
        if self.test_next(Tok::Char(b','))? {
            self.exp1()?; // optional step
        } else {
            let r = self.fs.freereg;
            self.load_int(r, 1)?;
            self.reserve_regs(1)?;
        }
        self.adjust_localvars(3); // control variables
        self.for_body(base, line, 1, false)
    }

    /// forlist -> NAME {',' NAME} IN explist forbody
    fn for_list(&mut self, indexname: u32) -> R<()> {
        let base = self.fs.freereg;
        for _ in 0..4 {
            self.new_localvar(self.names.for_state)?; // iterator, state, control, closing
        }
        self.new_localvar(indexname)?;
        let mut nvars = 5;
        while self.test_next(Tok::Char(b','))? {
            let n = self.str_checkname()?;
            self.new_localvar(n)?;
            nvars += 1;
        }
        self.check_next(Tok::In)?;
        let line = self.lex.linenumber;
        let (nexps, mut e) = self.explist()?;
        self.adjust_assign(4, nexps, &mut e)?;
        self.adjust_localvars(4); // control variables
        self.mark_to_be_closed(); // the last control variable is closed
        self.check_stack(3)?; // extra space to call the generator
        self.for_body(base, line, nvars - 4, true)
    }

    /// forstat -> FOR (fornum | forlist) END
    fn for_stat(&mut self, line: u32) -> R<()> {
        self.enter_block(true); // scope for loop and control variables
        self.lex.next()?;
        let varname = self.str_checkname()?;
        match self.lex.t {
            Tok::Char(b'=') => self.for_num(varname, line)?,
            Tok::Char(b',') | Tok::In => self.for_list(varname)?,
            _ => return Err(self.syntax_error("'=' or 'in' expected")),
        }
        self.check_match(Tok::End, Tok::For, line)?;
        self.leave_block()
    }

    /// breakstat -> BREAK (a goto to the enclosing loop's "break" label)
    fn break_stat(&mut self) -> R<()> {
        let line = self.lex.linenumber;
        self.lex.next()?;
        let j = self.jump();
        self.new_goto_entry(self.names.brk, line, j);
        Ok(())
    }

    /// label -> '::' NAME '::'
    fn label_stat(&mut self, name: u32, line: u32) -> R<()> {
        self.check_next(Tok::DbColon)?;
        while matches!(self.lex.t, Tok::Char(b';') | Tok::DbColon) {
            self.statement()?; // skip other no-op statements
        }
        self.check_repeated(name)?;
        let last = self.block_follow(false);
        self.create_label(name, line, last)?;
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Declarations and assignments
    // -----------------------------------------------------------------------------------------

    /// funcname -> NAME {fieldsel} [':' NAME]   (returns whether it is a method)
    fn func_name(&mut self) -> R<(ExpDesc, bool)> {
        let name = self.str_checkname()?;
        let mut v = self.single_var(name)?;
        while self.lex.t == Tok::Char(b'.') {
            self.field_sel(&mut v)?;
        }
        let mut is_method = false;
        if self.lex.t == Tok::Char(b':') {
            is_method = true;
            self.field_sel(&mut v)?;
        }
        Ok((v, is_method))
    }

    /// funcstat -> FUNCTION funcname body
    fn func_stat(&mut self, line: u32) -> R<()> {
        self.lex.next()?; // skip FUNCTION
        let (v, is_method) = self.func_name()?;
        let mut b = self.body(is_method, line)?;
        self.check_readonly(&v)?;
        self.store_var(&v, &mut b)?;
        self.fs.fix_line(line); // definition "happens" in the first line
        Ok(())
    }

    /// localfunc -> NAME body
    fn local_func(&mut self) -> R<()> {
        let fvar = self.fs.nactvar;
        let name = self.str_checkname()?;
        self.new_localvar(name)?;
        self.adjust_localvars(1); // enter its scope
        let line = self.lex.linenumber;
        self.body(false, line)?;
        // debug information only sees the variable after the closure exists
        let pc = self.fs.pc() as u32;
        if let Some(lv) = self
            .var_desc(fvar)
            .and_then(|v| v.pidx)
            .and_then(|p| self.fs.locvars.get_mut(p))
        {
            lv.start_pc = pc;
        }
        Ok(())
    }

    /// attrib -> ['<' NAME '>']
    fn local_attribute(&mut self) -> R<VarKind> {
        if !self.test_next(Tok::Char(b'<'))? {
            return Ok(VarKind::Regular);
        }
        let attr = self.str_checkname()?;
        self.check_next(Tok::Char(b'>'))?;
        match self.lex.strings.get(attr) {
            b"const" => Ok(VarKind::Const),
            b"close" => Ok(VarKind::Close),
            _ => Err(self.sem_error(&format!("unknown attribute '{}'", self.str_text(attr)))),
        }
    }

    /// localstat -> LOCAL NAME attrib {',' NAME attrib} ['=' explist]
    fn local_stat(&mut self) -> R<()> {
        let mut toclose: Option<u32> = None;
        let mut nvars = 0;
        let mut vidx;
        loop {
            let name = self.str_checkname()?;
            vidx = self.new_localvar(name)?;
            let kind = self.local_attribute()?;
            if let Some(v) = self.var_desc(vidx) {
                v.kind = kind;
            }
            if kind == VarKind::Close {
                if toclose.is_some() {
                    return Err(self.sem_error("multiple to-be-closed variables in local list"));
                }
                toclose = Some(self.fs.nactvar + nvars);
            }
            nvars += 1;
            if !self.test_next(Tok::Char(b','))? {
                break;
            }
        }
        let (nexps, mut e) = if self.test_next(Tok::Char(b'='))? {
            self.explist()?
        } else {
            (0, ExpDesc::void())
        };
        let last_is_const = self
            .var_desc(vidx)
            .is_some_and(|v| v.kind == VarKind::Const);
        if nvars == nexps && last_is_const {
            if let Some(value) = self.exp_to_const(&e) {
                // a compile-time constant: no register
                if let Some(v) = self.var_desc(vidx) {
                    v.kind = VarKind::CompileTimeConst;
                    v.value = value;
                }
                self.adjust_localvars(nvars - 1);
                self.fs.nactvar += 1;
                return self.check_to_close(toclose);
            }
        }
        self.adjust_assign(nvars, nexps, &mut e)?;
        self.adjust_localvars(nvars);
        self.check_to_close(toclose)
    }

    /// The compile-time constant value of `e`, if it has one.
    fn exp_to_const(&self, e: &ExpDesc) -> Option<ExpKind> {
        if e.has_jumps() {
            return None;
        }
        match e.k {
            ExpKind::False
            | ExpKind::True
            | ExpKind::Nil
            | ExpKind::KStr(_)
            | ExpKind::KInt(_)
            | ExpKind::KFlt(_) => Some(e.k),
            ExpKind::Const(abs) => Some(self.const_value(abs)),
            _ => None,
        }
    }

    /// Emits TBC for the to-be-closed variable at `level`, if any.
    fn check_to_close(&mut self, level: Option<u32>) -> R<()> {
        if let Some(level) = level {
            self.mark_to_be_closed();
            let reg = self.reglevel(level);
            self.code_abc(OpCode::Tbc, reg, 0, 0);
        }
        Ok(())
    }

    /// Adjusts `nexps` values (the last in `e`) to `nvars` registers.
    pub(crate) fn adjust_assign(&mut self, nvars: u32, nexps: u32, e: &mut ExpDesc) -> R<()> {
        let needed = nvars as i32 - nexps as i32;
        if e.has_multret() {
            let extra = (needed + 1).max(0);
            self.set_returns(e, extra)?;
        } else {
            if e.k != ExpKind::Void {
                self.exp_to_next_reg(e)?;
            }
            if needed > 0 {
                let r = self.fs.freereg;
                self.nil(r, needed as u32);
            }
        }
        if needed > 0 {
            self.reserve_regs(needed as u32)?;
        } else {
            self.fs.freereg = (self.fs.freereg as i32 + needed) as u32;
        }
        Ok(())
    }

    /// If `v` (a local or upvalue being assigned) is used as table or key by an earlier
    /// indexed target, copies it to a fresh register and makes those targets use the copy.
    fn check_conflict(&mut self, targets: &mut [ExpDesc], v: &ExpDesc) -> R<()> {
        let extra = self.fs.freereg;
        let mut conflict = false;
        for lh in targets.iter_mut() {
            match (lh.k, v.k) {
                (ExpKind::IndexUp { t, key }, ExpKind::Upval(u)) if t == u => {
                    conflict = true;
                    lh.k = ExpKind::IndexStr { t: extra, key };
                }
                (ExpKind::IndexI { t, idx }, ExpKind::Local { reg, .. }) if t == reg => {
                    conflict = true;
                    lh.k = ExpKind::IndexI { t: extra, idx };
                }
                (ExpKind::IndexStr { t, key }, ExpKind::Local { reg, .. }) if t == reg => {
                    conflict = true;
                    lh.k = ExpKind::IndexStr { t: extra, key };
                }
                (ExpKind::Indexed { t, key }, ExpKind::Local { reg, .. })
                    if t == reg || key == reg =>
                {
                    conflict = true;
                    let t = if t == reg { extra } else { t };
                    let key = if key == reg { extra } else { key };
                    lh.k = ExpKind::Indexed { t, key };
                }
                _ => {}
            }
        }
        if conflict {
            match v.k {
                ExpKind::Local { reg, .. } => self.code_abc(OpCode::Move, extra, reg, 0),
                ExpKind::Upval(u) => self.code_abc(OpCode::GetUpval, extra, u, 0),
                _ => 0,
            };
            self.reserve_regs(1)?;
        }
        Ok(())
    }

    /// restassign -> ',' suffixedexp restassign | '=' explist
    /// (targets are collected in a list rather than by recursion; stores go last to first)
    fn rest_assign(&mut self, first: ExpDesc) -> R<()> {
        let mut targets: Vec<ExpDesc> = Vec::new();
        let mut lh = first;
        loop {
            if !lh.is_var() {
                return Err(self.syntax_error("syntax error"));
            }
            self.check_readonly(&lh)?;
            targets.push(lh);
            if !self.test_next(Tok::Char(b','))? {
                break;
            }
            lh = self.suffixed_exp()?;
            if !lh.is_indexed() {
                self.check_conflict(&mut targets, &lh)?;
            }
        }
        self.check_next(Tok::Char(b'='))?;
        let nvars = targets.len() as u32;
        let (nexps, mut e) = self.explist()?;
        let mut rest = targets.len();
        if nexps != nvars {
            self.adjust_assign(nvars, nexps, &mut e)?;
        } else {
            self.set_one_ret(&mut e);
            if let Some(last) = targets.last().copied() {
                self.store_var(&last, &mut e)?;
            }
            rest -= 1;
        }
        for lh in targets[..rest].iter().rev() {
            let mut e = ExpDesc::new(ExpKind::NonReloc(self.fs.freereg - 1));
            self.store_var(lh, &mut e)?;
        }
        Ok(())
    }

    /// exprstat -> func | assignment
    fn expr_stat(&mut self) -> R<()> {
        let v = self.suffixed_exp()?;
        if matches!(self.lex.t, Tok::Char(b'=') | Tok::Char(b',')) {
            return self.rest_assign(v);
        }
        match v.k {
            ExpKind::Call(pc) => {
                let i = self.fs.get(pc).with_c(1); // call statement uses no results
                self.fs.set(pc, i);
                Ok(())
            }
            _ => Err(self.syntax_error("syntax error")),
        }
    }

    /// retstat -> RETURN [explist] [';']
    fn ret_stat(&mut self) -> R<()> {
        let mut first = self.nvarstack();
        let nret: i32;
        if self.block_follow(true) || self.lex.t == Tok::Char(b';') {
            nret = 0;
        } else {
            let (n, mut e) = self.explist()?;
            if e.has_multret() {
                self.set_returns(&mut e, -1)?;
                let inside_tbc = self.fs.block().is_some_and(|b| b.inside_tbc);
                if let ExpKind::Call(pc) = e.k {
                    if n == 1 && !inside_tbc {
                        let i = self.fs.get(pc);
                        self.fs.set(
                            pc,
                            moonjet_bytecode::Instruction::abc(
                                OpCode::TailCall,
                                i.a(),
                                i.b(),
                                i.c(),
                                i.k(),
                            ),
                        );
                    }
                }
                nret = -1;
            } else if n == 1 {
                first = self.exp_to_any_reg(&mut e)?;
                nret = 1;
            } else {
                self.exp_to_next_reg(&mut e)?;
                nret = n as i32;
            }
        }
        self.ret(first, nret);
        self.test_next(Tok::Char(b';'))?;
        Ok(())
    }
}
