//! Translations of the data-movement instructions: moves, constants, upvalues, table
//! access (through runtime helpers), length, `not`, and the numeric and generic loops.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{self, types, BlockArg, InstBuilder};
use moonjet_bytecode::{Instruction, OpCode};
use moonjet_interp::jit_iface::{tags, FORPREP_SKIP, HELPER_OK};
use moonjet_interp::Value;

use crate::inline_table::ValSrc;
use crate::reasons::Reason;
use crate::regs::{Io, Writes};
use crate::translate::{FunctionTranslator, Helper};

impl FunctionTranslator<'_> {
    // ------------------------------------------------------------------ moves and constants

    /// MOVE: `R[A] := R[B]`.
    pub fn translate_move(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, next) = (self.reg(i.a())?, self.reg(i.b())?, self.block_rel(pc, 1)?);
        self.copy_reg(b, a);
        self.jump(next);
        Ok(())
    }

    /// LOADI: `R[A] := sBx`.
    pub fn translate_loadi(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        let v = self.i64(i.sbx() as i64);
        self.store_int(a, v);
        self.jump(next);
        Ok(())
    }

    /// LOADF: `R[A] := (float)sBx`.
    pub fn translate_loadf(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        let v = self.b.ins().f64const(i.sbx() as f64);
        self.store_float(a, v);
        self.jump(next);
        Ok(())
    }

    /// LOADK: `R[A] := K[Bx]`.
    pub fn translate_loadk(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        self.load_constant(a, i.bx())?;
        self.jump(next);
        Ok(())
    }

    /// LOADKX: `R[A] := K[Ax of the next EXTRAARG]`.
    pub fn translate_loadkx(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 2)?);
        let extra = self
            .code
            .get(pc + 1)
            .filter(|x| x.opcode() == Some(OpCode::ExtraArg));
        let k = extra.ok_or(Reason::BadOperand)?.ax_field();
        self.load_constant(a, k)?;
        self.jump(next);
        Ok(())
    }

    /// Stores constant `k` into the register at `a` (numbers as immediates).
    fn load_constant(&mut self, a: i32, k: u32) -> Result<(), Reason> {
        let off = self.konst_off(k)?;
        match self.konst(k)? {
            Value::Int(n) => {
                let v = self.i64(n);
                self.store_int(a, v);
            }
            Value::Float(f) => {
                let v = self.b.ins().f64const(f);
                self.store_float(a, v);
            }
            Value::Bool(b) => {
                let v = self.b.ins().iconst(types::I8, b as i64);
                self.store_bool(a, v);
            }
            _ => {
                let k = self.kbase();
                self.copy_value(k, off, a)
            }
        }
        Ok(())
    }

    /// LOADFALSE: `R[A] := false`.
    pub fn translate_loadfalse(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        self.load_bool(i, pc, false, 1)
    }

    /// LFALSESKIP: `R[A] := false; pc++`.
    pub fn translate_lfalseskip(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        self.load_bool(i, pc, false, 2)
    }

    /// LOADTRUE: `R[A] := true`.
    pub fn translate_loadtrue(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        self.load_bool(i, pc, true, 1)
    }

    /// Stores a boolean into R[A] and continues `skip` instructions on.
    fn load_bool(&mut self, i: Instruction, pc: usize, v: bool, skip: i64) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, skip)?);
        let v = self.b.ins().iconst(types::I8, v as i64);
        self.store_bool(a, v);
        self.jump(next);
        Ok(())
    }

    /// LOADNIL: `R[A], ..., R[A+B] := nil`.
    pub fn translate_loadnil(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let next = self.block_rel(pc, 1)?;
        let regs = (0..=i.b())
            .map(|j| self.reg(i.a() + j))
            .collect::<Result<Vec<_>, _>>()?;
        for r in regs {
            self.store_nil(r);
        }
        self.jump(next);
        Ok(())
    }

    /// NOT: `R[A] := not R[B]`.
    pub fn translate_not(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, next) = (self.reg(i.a())?, self.reg(i.b())?, self.block_rel(pc, 1)?);
        let t = self.truthy(b);
        let v = self.b.ins().bxor_imm_s(t, 1);
        self.store_bool(a, v);
        self.jump(next);
        Ok(())
    }

    /// VARARGPREP: the interpreter adjusted the frame when it entered it; nothing to do.
    pub fn translate_varargprep(&mut self, _i: Instruction, pc: usize) -> Result<(), Reason> {
        let next = self.block_rel(pc, 1)?;
        self.jump(next);
        Ok(())
    }

    /// VARARG: `R[A], ..., R[A+C-2] := ...` (every extra argument up to a new top when
    /// C = 0) through the helper, with the registers flushed: it may grow and move the
    /// stack (R[0] checked) and writes from R[A] on.
    pub fn translate_vararg(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let a = self.reg(i.a())?;
        if i.c() > 1 {
            self.reg(i.a() + i.c() - 2)?;
        }
        let next = self.block_rel(pc, 1)?;
        let (ra, c, at) = (self.i32(i.a()), self.i32(i.c()), self.i32(pc as u32));
        self.flush();
        let r = self.call(Helper::VarArg, &[self.ctx, ra, c, at]);
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, r, HELPER_OK as i64);
        self.guard_raw(ok, pc, Reason::VarArg);
        self.check_base(pc);
        self.reload(Writes::From(a), pc + 1);
        self.jump(next);
        Ok(())
    }

    // ------------------------------------------------------------------ upvalues

    /// GETUPVAL: `R[A] := Up[B]` (inline, UPVAL-INLINE; else the helper).
    pub fn translate_getupval(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        self.inline_get_upval(i.b(), a, next);
        let (up, dst) = (self.i32(i.b()), self.addr(a));
        let caps = self.captured_offs();
        self.call_checked(
            Helper::GetUpval,
            &[self.ctx, up, dst],
            pc,
            Reason::Upvalue,
            Io::new(&caps, Some(a)),
        );
        self.jump(next);
        Ok(())
    }

    /// SETUPVAL: `Up[B] := R[A]` (inline, UPVAL-INLINE; else the helper).
    pub fn translate_setupval(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        self.inline_set_upval(i.b(), i.a(), next);
        let (up, src) = (self.i32(i.b()), self.addr(a));
        let caps = self.captured_offs();
        let mut reads = caps.clone();
        reads.push(a);
        self.call_checked(
            Helper::SetUpval,
            &[self.ctx, up, src],
            pc,
            Reason::Upvalue,
            Io::new(&reads, None),
        );
        // An upvalue joined into this very activation (`debug.upvaluejoin`) is one of
        // its captured registers: reload them from the stack, which the flush above
        // made current (UPVAL-INLINE in `inline_upval.rs`).
        for off in caps {
            self.load_reg_at(off);
        }
        self.jump(next);
        Ok(())
    }

    // ------------------------------------------------------------------ tables

    /// Checks that constant `k` is a string key.
    fn string_key(&self, k: u32) -> Result<(), Reason> {
        match self.konst(k)? {
            Value::Str(_) => Ok(()),
            _ => Err(Reason::Table),
        }
    }

    /// The address of RK(C): constant C when k is set, else register C.
    fn rk_addr(&mut self, i: Instruction) -> Result<cranelift_codegen::ir::Value, Reason> {
        if i.k() {
            let off = self.konst_off(i.c())?;
            let k = self.kbase();
            Ok(self.b.ins().iadd_imm_s(k, off as i64))
        } else {
            let off = self.reg(i.c())?;
            Ok(self.addr(off))
        }
    }

    /// GETTABUP: `R[A] := Up[B][K[C]]` (inline for a field present in the table's hash
    /// part, UPVAL-INLINE; else the helper).
    pub fn translate_gettabup(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        self.string_key(i.c())?;
        self.inline_get_tabup(i.b(), i.c(), a, next);
        let (up, k, dst) = (self.i32(i.b()), self.i32(i.c()), self.addr(a));
        let caps = self.captured_offs();
        self.call_checked(
            Helper::GetTabUp,
            &[self.ctx, up, k, dst],
            pc,
            Reason::Table,
            Io::new(&caps, Some(a)),
        );
        self.jump(next);
        Ok(())
    }

    /// GETTABLE: `R[A] := R[B][R[C]]` (helper; integer keys go to the integer one).
    pub fn translate_gettable(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, c) = (self.reg(i.a())?, self.reg(i.b())?, self.reg(i.c())?);
        let next = self.block_rel(pc, 1)?;
        let other = self.when_int_key(c);
        let key = self.payload(c, types::I64);
        self.get_int(a, b, key, next, pc);
        self.at(other);
        let (t, key, dst) = (self.addr(b), self.addr(c), self.addr(a));
        self.call_checked(
            Helper::GetTable,
            &[self.ctx, t, key, dst],
            pc,
            Reason::Table,
            Io::new(&[b, c], Some(a)),
        );
        self.jump(next);
        Ok(())
    }

    /// `R[A] := R[B][key]` for an integer key: inline, else the integer helper; then
    /// continues at `next`.
    fn get_int(&mut self, a: i32, b: i32, key: ir::Value, next: ir::Block, pc: usize) {
        let (t, dst) = (self.addr(b), self.addr(a));
        self.inline_get_int(b, key, a, next);
        self.call_checked(
            Helper::GetInt,
            &[self.ctx, t, key, dst],
            pc,
            Reason::Table,
            Io::new(&[b], Some(a)),
        );
        self.jump(next);
    }

    /// Continues in a new block when the register at `key` holds an integer; returns
    /// the block for other keys.
    fn when_int_key(&mut self, key: i32) -> cranelift_codegen::ir::Block {
        let tag = self.tag(key);
        let is_int = self.is(tag, tags::INT);
        let (int_blk, other) = (self.new_block(), self.new_block());
        self.branch(is_int, int_blk, other);
        self.at(int_blk);
        other
    }

    /// GETI: `R[A] := R[B][C]` (helper).
    pub fn translate_geti(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, next) = (self.reg(i.a())?, self.reg(i.b())?, self.block_rel(pc, 1)?);
        let key = self.i64(i.c() as i64);
        self.get_int(a, b, key, next, pc);
        Ok(())
    }

    /// GETFIELD: `R[A] := R[B][K[C]]` (helper).
    pub fn translate_getfield(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, next) = (self.reg(i.a())?, self.reg(i.b())?, self.block_rel(pc, 1)?);
        self.string_key(i.c())?;
        let (t, k, dst) = (self.addr(b), self.i32(i.c()), self.addr(a));
        self.inline_get_field(b, i.c(), a, next);
        self.call_checked(
            Helper::GetField,
            &[self.ctx, t, k, dst],
            pc,
            Reason::Table,
            Io::new(&[b], Some(a)),
        );
        self.jump(next);
        Ok(())
    }

    /// The register RK(C) reads (`None` for a constant).
    fn rk_reg(&self, i: Instruction) -> Result<Option<i32>, Reason> {
        if i.k() {
            Ok(None)
        } else {
            Ok(Some(self.reg(i.c())?))
        }
    }

    /// Where RK(C) comes from, for the inline stores.
    fn rk_src(&self, i: Instruction) -> Result<ValSrc, Reason> {
        if i.k() {
            let tag = match self.konst(i.c())? {
                Value::Nil => tags::NIL,
                Value::Bool(_) => tags::BOOL,
                Value::Int(_) => tags::INT,
                Value::Float(_) => tags::FLOAT,
                Value::Str(_) => tags::STR,
                _ => tags::TABLE,
            };
            Ok(ValSrc::Const(self.konst_off(i.c())?, tag))
        } else {
            Ok(ValSrc::Reg(self.reg(i.c())?))
        }
    }

    /// SETTABUP: `Up[A][K[B]] := RK(C)` (helper).
    pub fn translate_settabup(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let next = self.block_rel(pc, 1)?;
        self.string_key(i.b())?;
        let val = self.rk_addr(i)?;
        let rk = self.rk_reg(i)?;
        let (up, k) = (self.i32(i.a()), self.i32(i.b()));
        self.call_checked(
            Helper::SetTabUp,
            &[self.ctx, up, k, val],
            pc,
            Reason::Table,
            Io::new(rk.as_slice(), None),
        );
        self.jump(next);
        Ok(())
    }

    /// SETTABLE: `R[A][R[B]] := RK(C)` (helper; integer keys go to the integer one).
    pub fn translate_settable(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, next) = (self.reg(i.a())?, self.reg(i.b())?, self.block_rel(pc, 1)?);
        self.rk_src(i)?; // RK(C) checked before anything is emitted
        let other = self.when_int_key(b);
        let key = self.payload(b, types::I64);
        self.set_int(i, a, key, next, pc)?;
        self.at(other);
        let (val, rk) = (self.rk_addr(i)?, self.rk_reg(i)?);
        let (t, key) = (self.addr(a), self.addr(b));
        self.call_checked(
            Helper::SetTable,
            &[self.ctx, t, key, val],
            pc,
            Reason::Table,
            Io::new(&[a, b, rk.unwrap_or(a)], None),
        );
        self.jump(next);
        Ok(())
    }

    /// SETI: `R[A][B] := RK(C)` (helper).
    pub fn translate_seti(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        let key = self.i64(i.b() as i64);
        self.set_int(i, a, key, next, pc)
    }

    /// `R[A][key] := RK(C)` for an integer key: inline, else the integer helper; then
    /// continues at `next`.
    fn set_int(
        &mut self,
        i: Instruction,
        a: i32,
        key: ir::Value,
        next: ir::Block,
        pc: usize,
    ) -> Result<(), Reason> {
        let (src, rk) = (self.rk_src(i)?, self.rk_reg(i)?);
        self.inline_set_int(a, key, src, next);
        // The helper's operands computed on its path only (a constant's address reads
        // the context).
        let (val, t) = (self.rk_addr(i)?, self.addr(a));
        self.call_checked(
            Helper::SetInt,
            &[self.ctx, t, key, val],
            pc,
            Reason::Table,
            Io::new(&[a, rk.unwrap_or(a)], None),
        );
        self.jump(next);
        Ok(())
    }

    /// SETFIELD: `R[A][K[B]] := RK(C)` (helper).
    pub fn translate_setfield(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, next) = (self.reg(i.a())?, self.block_rel(pc, 1)?);
        self.string_key(i.b())?;
        let (src, rk) = (self.rk_src(i)?, self.rk_reg(i)?);
        self.inline_set_field(a, i.b(), src, next);
        let (val, t, k) = (self.rk_addr(i)?, self.addr(a), self.i32(i.b()));
        self.call_checked(
            Helper::SetField,
            &[self.ctx, t, k, val],
            pc,
            Reason::Table,
            Io::new(&[a, rk.unwrap_or(a)], None),
        );
        self.jump(next);
        Ok(())
    }

    /// LEN: `R[A] := #R[B]` for strings and tables without a metatable (helper).
    pub fn translate_len(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (a, b, next) = (self.reg(i.a())?, self.reg(i.b())?, self.block_rel(pc, 1)?);
        let (src, dst) = (self.addr(b), self.addr(a));
        self.call_checked(
            Helper::Len,
            &[self.ctx, src, dst],
            pc,
            Reason::Length,
            Io::new(&[b], Some(a)),
        );
        self.jump(next);
        Ok(())
    }

    // ------------------------------------------------------------------ loops

    /// FORPREP: integer loops natively (the 5.4 iteration count, which cannot overflow),
    /// other numeric loops through the interpreter's own preparation (helper).
    pub fn translate_forprep(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let a = i.a();
        let (init, limit, step, _) = (
            self.reg(a)?,
            self.reg(a + 1)?,
            self.reg(a + 2)?,
            self.reg(a + 3)?,
        );
        let body = self.block_rel(pc, 1)?;
        let skip = self.block_rel(pc, i.bx() as i64 + 2)?;
        self.check_loop_tables(pc);
        self.arrays_at_forprep(pc);
        let (int_blk, slow_blk) = (self.new_block(), self.new_block());
        let tags_ = [self.tag(init), self.tag(limit), self.tag(step)];
        let ints = tags_.map(|t| self.is(t, tags::INT));
        let all = self.and(ints[0], ints[1]);
        let all = self.and(all, ints[2]);
        self.branch(all, int_blk, slow_blk);

        self.at(int_blk);
        let (i0, lim, st) = (
            self.payload(init, types::I64),
            self.payload(limit, types::I64),
            self.payload(step, types::I64),
        );
        let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
        self.guard(nonzero, pc, Reason::ForPrep);
        let (up, down, store) = (self.new_block(), self.new_block(), self.new_block());
        let count = self.b.append_block_param(store, types::I64);
        let positive = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, st, 0);
        self.branch(positive, up, down);
        // step > 0: skip if init > limit, else count = (limit - init) / step (unsigned).
        self.at(up);
        let (up_run, down_run) = (self.new_block(), self.new_block());
        let empty = self.b.ins().icmp(IntCC::SignedGreaterThan, i0, lim);
        self.branch(empty, skip, up_run);
        self.at(up_run);
        let span = self.b.ins().isub(lim, i0);
        let n = self.b.ins().udiv(span, st);
        self.b.ins().jump(store, &[BlockArg::Value(n)]);
        // step < 0: skip if init < limit, else count = (init - limit) / -step, with -step
        // computed as (-(step + 1)) + 1 in unsigned arithmetic (no overflow at minint).
        self.at(down);
        let empty = self.b.ins().icmp(IntCC::SignedLessThan, i0, lim);
        self.branch(empty, skip, down_run);
        self.at(down_run);
        let span = self.b.ins().isub(i0, lim);
        let s1 = self.b.ins().iadd_imm_s(st, 1);
        let s1 = self.b.ins().ineg(s1);
        let s = self.b.ins().iadd_imm_s(s1, 1);
        let n = self.b.ins().udiv(span, s);
        self.b.ins().jump(store, &[BlockArg::Value(n)]);
        self.at(store);
        self.store_int(limit, count);
        let ctrl = self.reg(a + 3)?;
        self.store_int(ctrl, i0);
        self.jump(body);

        self.at(slow_blk);
        let ra = self.addr(init);
        let ctrl = self.reg(a + 3)?;
        self.store_regs(&[init, limit, step]);
        let r = self.call(Helper::ForPrep, &[self.ctx, ra]);
        for off in [init, limit, step, ctrl] {
            self.load_reg_at(off);
        }
        let (not_ok, not_skip) = (self.new_block(), self.new_block());
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, r, HELPER_OK as i64);
        self.branch(ok, body, not_ok);
        self.at(not_ok);
        let skipped = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, r, FORPREP_SKIP as i64);
        self.branch(skipped, skip, not_skip);
        self.at(not_skip);
        self.exit_raw(pc, Reason::ForPrep);
        Ok(())
    }

    /// FORLOOP: `if the loop continues then { R[A+3] := index; pc -= Bx }`.
    pub fn translate_forloop(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let a = i.a();
        let (idx, cnt, step, var) = (
            self.reg(a)?,
            self.reg(a + 1)?,
            self.reg(a + 2)?,
            self.reg(a + 3)?,
        );
        let back = self.block_rel(pc, 1 - i.bx() as i64)?;
        let after = self.block_rel(pc, 1)?;
        // The loop's end: the registers it does not read come from the stack again.
        let next = self.new_block();
        let (int_blk, flt_blk) = (self.new_block(), self.new_block());
        let ts = self.tag(step);
        let step_int = self.is(ts, tags::INT);
        self.branch(step_int, int_blk, flt_blk);

        // Integer loop: R[A+1] counts the iterations left.
        self.at(int_blk);
        let (tc, ti) = (self.tag(cnt), self.tag(idx));
        let (ci, ii) = (self.is(tc, tags::INT), self.is(ti, tags::INT));
        let ok = self.and(ci, ii);
        self.guard(ok, pc, Reason::ForLoop);
        let n = self.payload(cnt, types::I64);
        let cont = self.new_block();
        self.branch(n, cont, next);
        self.at(cont);
        let n1 = self.b.ins().iadd_imm_s(n, -1);
        self.store_int(cnt, n1);
        let (x, s) = (
            self.payload(idx, types::I64),
            self.payload(step, types::I64),
        );
        let x = self.b.ins().iadd(x, s);
        self.store_int(idx, x);
        self.store_int(var, x);
        self.jump(back);

        // Float loop: all three control values are floats.
        self.at(flt_blk);
        let (tf, tl) = (self.tag(idx), self.tag(cnt));
        let f = [ts, tf, tl].map(|t| self.is(t, tags::FLOAT));
        let ok = self.and(f[0], f[1]);
        let ok = self.and(ok, f[2]);
        self.guard(ok, pc, Reason::ForLoop);
        let (x, lim, st) = (
            self.payload(idx, types::F64),
            self.payload(cnt, types::F64),
            self.payload(step, types::F64),
        );
        let x = self.b.ins().fadd(x, st);
        let zero = self.b.ins().f64const(0.0);
        let positive = self.b.ins().fcmp(FloatCC::GreaterThan, st, zero);
        let up = self.b.ins().fcmp(FloatCC::LessThanOrEqual, x, lim);
        let down = self.b.ins().fcmp(FloatCC::LessThanOrEqual, lim, x);
        let go = self.b.ins().select(positive, up, down);
        let fcont = self.new_block();
        self.branch(go, fcont, next);
        self.at(fcont);
        self.store_float(idx, x);
        self.store_float(var, x);
        self.jump(back);

        self.at(next);
        self.reload_outside(pc + 1, (pc + 1).saturating_sub(i.bx() as usize)..=pc);
        self.jump(after);
        Ok(())
    }

    /// TFORPREP: `pc += Bx` when the closing value R[A+3] is nil or false (the usual
    /// case); one to be closed exits (the interpreter marks it).
    pub fn translate_tforprep(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let closing = self.reg(i.a() + 3)?;
        let to = self.block_rel(pc, i.bx() as i64 + 1)?;
        let t = self.truthy(closing);
        let none = self.b.ins().bxor_imm_s(t, 1);
        self.guard(none, pc, Reason::GenericFor);
        self.jump(to);
        Ok(())
    }

    /// CLOSE: closes the upvalues from R[A] up (helper; the captured registers are
    /// stored first, the upvalues copy them); a pending to-be-closed variable exits.
    pub fn translate_close(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let a = self.reg(i.a())?;
        let next = self.block_rel(pc, 1)?;
        let ra = self.addr(a);
        self.flush();
        let r = self.call(Helper::Close, &[self.ctx, ra]);
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, r, HELPER_OK as i64);
        self.guard_raw(ok, pc, Reason::Close);
        self.jump(next);
        Ok(())
    }

    /// TFORLOOP: `if R[A+4] ~= nil then { R[A+2] := R[A+4]; pc -= Bx }`.
    pub fn translate_tforloop(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        let (ctl, v) = (self.reg(i.a() + 2)?, self.reg(i.a() + 4)?);
        let back = self.block_rel(pc, 1 - i.bx() as i64)?;
        let next = self.block_rel(pc, 1)?;
        let t = self.tag(v);
        let nil = self.is(t, tags::NIL);
        let cont = self.new_block();
        self.branch(nil, next, cont);
        self.at(cont);
        self.copy_reg(v, ctl);
        self.jump(back);
        Ok(())
    }

    /// SETLIST: `R[A][C+i] := R[A+i]`, `1 <= i <= B` (B = 0: up to the top), through
    /// the list helper; the index base takes an EXTRAARG's Ax * 256 when k is set, and
    /// the EXTRAARG is skipped.
    pub fn translate_setlist(&mut self, i: Instruction, pc: usize) -> Result<(), Reason> {
        self.reg(i.a() + i.b())?;
        let mut first = i.c() as i64;
        let mut skip = 1;
        if i.k() {
            let x = self
                .code
                .get(pc + 1)
                .filter(|x| x.opcode() == Some(OpCode::ExtraArg))
                .ok_or(Reason::SetList)?;
            first += x.ax_field() as i64 * 256;
            skip = 2;
        }
        let next = self.block_rel(pc, skip)?;
        let (a, n, first) = (self.i32(i.a()), self.i32(i.b()), self.i64(first));
        self.flush();
        let r = self.call(Helper::SetList, &[self.ctx, a, n, first]);
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, r, HELPER_OK as i64);
        self.guard_raw(ok, pc, Reason::SetList);
        self.jump(next);
        Ok(())
    }
}
