//! Scopes: local variables, upvalue resolution, blocks, labels and gotos.

use alloc::format;

use moonjet_bytecode::{LocVar, OpCode, UpvalDesc};

use crate::expdesc::{ExpDesc, ExpKind};
use crate::func::{BlockCnt, FuncState, LabelDesc, VarDesc, VarKind};
use crate::lexer::StrId;
use crate::parser::{Parser, MAX_UPVAL, MAX_VARS, R};

impl<'s> Parser<'s> {
    // -----------------------------------------------------------------------------------------
    // Local variables
    // -----------------------------------------------------------------------------------------

    /// Declares (not yet activates) a local variable; returns its index in the function.
    pub(crate) fn new_localvar(&mut self, name: StrId) -> R<u32> {
        let n = self.actvar.len() + 1 - self.fs.first_local;
        if n > MAX_VARS {
            return Err(self.error_limit(self.fs.line_defined, MAX_VARS, "local variables"));
        }
        self.actvar.push(VarDesc {
            name,
            kind: VarKind::Regular,
            reg: 0,
            pidx: None,
            value: ExpKind::Nil,
        });
        Ok((self.actvar.len() - 1 - self.fs.first_local) as u32)
    }

    /// The descriptor of variable `vidx` of the current function.
    pub(crate) fn var_desc(&mut self, vidx: u32) -> Option<&mut VarDesc> {
        self.actvar.get_mut(self.fs.first_local + vidx as usize)
    }

    /// Number of registers used by the first `nvar` variables of function `fs`.
    fn reglevel_of(&self, fs: &FuncState, nvar: u32) -> u32 {
        let first = fs.first_local;
        for i in (0..nvar as usize).rev() {
            if let Some(v) = self.actvar.get(first + i) {
                if v.kind != VarKind::CompileTimeConst {
                    return v.reg + 1;
                }
            }
        }
        0
    }

    /// Number of registers used by the first `nvar` variables of the current function.
    pub(crate) fn reglevel(&self, nvar: u32) -> u32 {
        self.reglevel_of(&self.fs, nvar)
    }

    /// Number of registers used by the active variables.
    pub(crate) fn nvarstack(&self) -> u32 {
        self.reglevel(self.fs.nactvar)
    }

    /// Activates the last `nvars` declared variables.
    pub(crate) fn adjust_localvars(&mut self, nvars: u32) {
        let mut reg = self.nvarstack();
        for _ in 0..nvars {
            let vidx = self.fs.nactvar;
            self.fs.nactvar += 1;
            let pc = self.fs.pc() as u32;
            let Some(v) = self
                .actvar
                .get(self.fs.first_local + vidx as usize)
                .copied()
            else {
                continue;
            };
            let name = self.str_buf(v.name);
            self.fs.locvars.push(LocVar {
                name,
                start_pc: pc,
                end_pc: 0,
            });
            let pidx = self.fs.locvars.len() - 1;
            if let Some(v) = self.var_desc(vidx) {
                v.reg = reg;
                v.pidx = Some(pidx);
            }
            reg += 1;
        }
    }

    /// Deactivates variables down to `tolevel`, closing their debug ranges.
    fn remove_vars(&mut self, tolevel: u32) {
        let pc = self.fs.pc() as u32;
        while self.fs.nactvar > tolevel {
            self.fs.nactvar -= 1;
            let pidx = self.actvar.pop().and_then(|v| v.pidx);
            if let Some(lv) = pidx.and_then(|p| self.fs.locvars.get_mut(p)) {
                lv.end_pc = pc;
            }
        }
    }

    /// Fails if `e` is a read-only variable.
    pub(crate) fn check_readonly(&self, e: &ExpDesc) -> R<()> {
        let name = match e.k {
            ExpKind::Const(abs) => self.actvar.get(abs as usize).map(|v| v.name),
            ExpKind::Local { vidx, .. } => self
                .actvar
                .get(self.fs.first_local + vidx as usize)
                .filter(|v| v.kind != VarKind::Regular)
                .map(|v| v.name),
            ExpKind::Upval(u) => {
                let ro = self
                    .fs
                    .upvals
                    .get(u as usize)
                    .is_some_and(|d| d.kind != VarKind::Regular as u8);
                ro.then(|| self.fs.upval_names.get(u as usize).copied())
                    .flatten()
            }
            _ => None,
        };
        match name {
            Some(n) => Err(self.sem_error(&format!(
                "attempt to assign to const variable '{}'",
                self.str_text(n)
            ))),
            None => Ok(()),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Name resolution
    // -----------------------------------------------------------------------------------------

    /// The function `level` steps out from the current one (0 = current).
    fn func_at(&self, level: usize) -> Option<&FuncState> {
        if level == 0 {
            Some(&self.fs)
        } else {
            self.outer
                .len()
                .checked_sub(level)
                .and_then(|i| self.outer.get(i))
        }
    }

    /// Mutable [`Self::func_at`].
    fn func_at_mut(&mut self, level: usize) -> Option<&mut FuncState> {
        if level == 0 {
            Some(&mut self.fs)
        } else {
            let i = self.outer.len().checked_sub(level)?;
            self.outer.get_mut(i)
        }
    }

    /// Looks `name` up among the active locals of function `fs`.
    fn search_var(&self, fs: &FuncState, name: StrId) -> Option<ExpKind> {
        for i in (0..fs.nactvar).rev() {
            let abs = fs.first_local + i as usize;
            let v = self.actvar.get(abs)?;
            if v.name == name {
                return Some(if v.kind == VarKind::CompileTimeConst {
                    ExpKind::Const(abs as u32)
                } else {
                    ExpKind::Local {
                        reg: v.reg,
                        vidx: i,
                    }
                });
            }
        }
        None
    }

    /// Marks the block of function `level` that declares variable `vidx` as having an
    /// upvalue, so it gets closed.
    fn mark_upval(&mut self, level: usize, vidx: u32) {
        if let Some(fs) = self.func_at_mut(level) {
            if let Some(bl) = fs.blocks.iter_mut().rev().find(|b| b.nactvar <= vidx) {
                bl.upval = true;
            }
            fs.need_close = true;
        }
    }

    /// Adds to function `level` an upvalue for `v`, a variable of the function enclosing it.
    fn new_upvalue(&mut self, level: usize, name: StrId, v: ExpKind) -> R<u32> {
        let (count, line) = self
            .func_at(level)
            .map_or((0, 0), |f| (f.upvals.len(), f.line_defined));
        if count + 1 > MAX_UPVAL {
            return Err(self.error_limit(line, MAX_UPVAL, "upvalues"));
        }
        let (in_stack, index, kind) = match v {
            ExpKind::Local { reg, vidx } => {
                let kind = self
                    .func_at(level + 1)
                    .and_then(|f| self.actvar.get(f.first_local + vidx as usize))
                    .map_or(0, |d| d.kind as u8);
                (true, reg, kind)
            }
            ExpKind::Upval(u) => {
                let kind = self
                    .func_at(level + 1)
                    .and_then(|f| f.upvals.get(u as usize))
                    .map_or(0, |d| d.kind);
                (false, u, kind)
            }
            _ => (false, 0, 0),
        };
        let desc = UpvalDesc {
            in_stack,
            index: index as u8,
            kind,
            name: Some(self.str_buf(name)),
        };
        let Some(fs) = self.func_at_mut(level) else {
            return Ok(0);
        };
        fs.upvals.push(desc);
        fs.upval_names.push(name);
        Ok((fs.upvals.len() - 1) as u32)
    }

    /// Resolves `name` as a local, upvalue or compile-time constant; `Void` means global.
    fn single_var_aux(&mut self, name: StrId) -> R<ExpKind> {
        let depth = self.outer.len() + 1;
        let mut found = None;
        for level in 0..depth {
            let Some(fs) = self.func_at(level) else { break };
            if let Some(k) = self.search_var(fs, name) {
                found = Some((level, k));
                break;
            }
            if let Some(u) = fs.upval_names.iter().position(|&n| n == name) {
                found = Some((level, ExpKind::Upval(u as u32)));
                break;
            }
        }
        let Some((level, k)) = found else {
            return Ok(ExpKind::Void);
        };
        if level == 0 || matches!(k, ExpKind::Const(_)) {
            return Ok(k);
        }
        if let ExpKind::Local { vidx, .. } = k {
            self.mark_upval(level, vidx);
        }
        let mut cur = k;
        for lv in (0..level).rev() {
            cur = ExpKind::Upval(self.new_upvalue(lv, name, cur)?);
        }
        Ok(cur)
    }

    /// singlevar -> NAME: a variable, or `_ENV.name` for a global.
    pub(crate) fn single_var(&mut self, name: StrId) -> R<ExpDesc> {
        let k = self.single_var_aux(name)?;
        if k != ExpKind::Void {
            return Ok(ExpDesc::new(k));
        }
        let env = self.single_var_aux(self.names.env)?;
        let mut var = ExpDesc::new(env);
        self.exp_to_any_reg_up(&mut var)?;
        let mut key = ExpDesc::new(ExpKind::KStr(name));
        self.indexed(&mut var, &mut key)?;
        Ok(var)
    }

    // -----------------------------------------------------------------------------------------
    // Blocks
    // -----------------------------------------------------------------------------------------

    /// Opens a block (a loop if `is_loop`).
    pub(crate) fn enter_block(&mut self, is_loop: bool) {
        let inside_tbc = self.fs.block().is_some_and(|b| b.inside_tbc);
        self.fs.blocks.push(BlockCnt {
            nactvar: self.fs.nactvar,
            first_label: self.labels.len(),
            first_goto: self.gotos.len(),
            upval: false,
            is_loop,
            inside_tbc,
        });
    }

    /// Closes the innermost block: removes its variables, resolves `break`s, closes upvalues,
    /// and moves its pending gotos to the enclosing block.
    pub(crate) fn leave_block(&mut self) -> R<()> {
        let Some(bl) = self.fs.block().copied() else {
            return Ok(());
        };
        let has_previous = self.fs.blocks.len() > 1;
        let stklevel = self.reglevel(bl.nactvar);
        if has_previous && bl.upval {
            self.mark_gotos_closing(&bl, stklevel);
        }
        self.remove_vars(bl.nactvar);
        let mut has_close = false;
        if bl.is_loop {
            has_close = self.create_label(self.names.brk, 0, false)?;
        }
        if !has_close && has_previous && bl.upval {
            self.code_abc(OpCode::Close, stklevel, 0, 0);
        }
        self.fs.freereg = stklevel;
        self.labels.truncate(bl.first_label);
        self.fs.blocks.pop();
        if has_previous {
            self.move_gotos_out(&bl);
        } else if let Some(g) = self.gotos.get(bl.first_goto).copied() {
            return Err(self.undef_goto(&g));
        }
        Ok(())
    }

    /// Pending gotos of the block that leave the scope of its variables must close them
    /// (called while those variables are still declared).
    fn mark_gotos_closing(&mut self, bl: &BlockCnt, stklevel: u32) {
        for i in bl.first_goto..self.gotos.len() {
            let Some(g) = self.gotos.get(i).copied() else {
                break;
            };
            if self.reglevel(g.nactvar) > stklevel {
                if let Some(g) = self.gotos.get_mut(i) {
                    g.close = true;
                }
            }
        }
    }

    /// Pending gotos of a closed block now belong to the enclosing one.
    fn move_gotos_out(&mut self, bl: &BlockCnt) {
        for g in self.gotos.iter_mut().skip(bl.first_goto) {
            g.nactvar = bl.nactvar;
        }
    }

    /// Marks the current block as holding a to-be-closed variable.
    pub(crate) fn mark_to_be_closed(&mut self) {
        if let Some(bl) = self.fs.blocks.last_mut() {
            bl.upval = true;
            bl.inside_tbc = true;
        }
        self.fs.need_close = true;
    }

    // -----------------------------------------------------------------------------------------
    // Labels and gotos
    // -----------------------------------------------------------------------------------------

    /// The error for a goto without a visible label.
    fn undef_goto(&self, g: &LabelDesc) -> crate::CompileError {
        if g.name == self.names.brk {
            self.sem_error(&format!("break outside loop at line {}", g.line))
        } else {
            self.sem_error(&format!(
                "no visible label '{}' for <goto> at line {}",
                self.str_text(g.name),
                g.line
            ))
        }
    }

    /// A visible label of the current function named `name`.
    fn find_label(&self, name: StrId) -> Option<LabelDesc> {
        self.labels
            .get(self.fs.first_label..)?
            .iter()
            .find(|l| l.name == name)
            .copied()
    }

    /// Records a pending goto (its jump list `pc`).
    pub(crate) fn new_goto_entry(&mut self, name: StrId, line: u32, pc: i32) {
        self.gotos.push(LabelDesc {
            name,
            pc,
            line,
            nactvar: self.fs.nactvar,
            close: false,
        });
    }

    /// Resolves pending gotos of the current block to `lb`; true if some need a CLOSE.
    fn solve_gotos(&mut self, lb: &LabelDesc) -> R<bool> {
        let mut i = self.fs.block().map_or(self.gotos.len(), |b| b.first_goto);
        let mut needs_close = false;
        while let Some(g) = self.gotos.get(i).copied() {
            if g.name != lb.name {
                i += 1;
                continue;
            }
            needs_close |= g.close;
            if g.nactvar < lb.nactvar {
                let var = self
                    .actvar
                    .get(self.fs.first_local + g.nactvar as usize)
                    .map_or(0, |v| v.name);
                let msg = format!(
                    "<goto {}> at line {} jumps into the scope of local '{}'",
                    self.str_text(g.name),
                    g.line,
                    self.str_text(var)
                );
                return Err(self.sem_error(&msg));
            }
            self.patch_list(g.pc, lb.pc)?;
            self.gotos.remove(i);
        }
        Ok(needs_close)
    }

    /// Creates a label here (`last`: followed only by void statements up to the block end);
    /// returns true if it emitted a CLOSE for the gotos it resolved.
    pub(crate) fn create_label(&mut self, name: StrId, line: u32, last: bool) -> R<bool> {
        let pc = self.fs.get_label();
        let nactvar = if last {
            self.fs.block().map_or(0, |b| b.nactvar)
        } else {
            self.fs.nactvar
        };
        let lb = LabelDesc {
            name,
            pc,
            line,
            nactvar,
            close: false,
        };
        self.labels.push(lb);
        if self.solve_gotos(&lb)? {
            let level = self.nvarstack();
            self.code_abc(OpCode::Close, level, 0, 0);
            return Ok(true);
        }
        Ok(false)
    }

    /// Fails if label `name` is already visible.
    pub(crate) fn check_repeated(&self, name: StrId) -> R<()> {
        if let Some(lb) = self.find_label(name) {
            let msg = format!(
                "label '{}' already defined on line {}",
                self.str_text(name),
                lb.line
            );
            return Err(self.sem_error(&msg));
        }
        Ok(())
    }

    /// gotostat -> 'goto' NAME
    pub(crate) fn goto_stat(&mut self, line: u32) -> R<()> {
        let name = self.str_checkname()?;
        match self.find_label(name) {
            None => {
                let j = self.jump();
                self.new_goto_entry(name, line, j);
            }
            Some(lb) => {
                // backward jump: close what it leaves, then jump
                let lblevel = self.reglevel(lb.nactvar);
                if self.nvarstack() > lblevel {
                    self.code_abc(OpCode::Close, lblevel, 0, 0);
                }
                self.jump_to(lb.pc)?;
            }
        }
        Ok(())
    }
}
