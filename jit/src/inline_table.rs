//! Inline fast paths of table access (TABLE-LAYOUT in `interp/src/table.rs`, offsets in
//! `jit_iface::table_offsets`): an array-part read or overwrite with an integer key, and
//! a linear-probe hash lookup of a string constant (PROBE-ALL). Each path is guarded by the value's
//! tag, the bounds, and "the slot already holds a non-nil value" (so no `__index` or
//! `__newindex` can apply, whatever the metatable), plus, for stores of collectable
//! values, "the table is not black" (no write barrier needed). Whenever a guard fails,
//! control falls to the instruction's helper call, which handles every case.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder};
use moonjet_interp::jit_iface::{table_offsets as t, tags, HELPER_OK};
use moonjet_interp::Value;

use crate::analysis::Ty;
use crate::translate::{mem, FunctionTranslator, Helper, PAYLOAD, TAG};

/// Where a stored value comes from: a register or a constant.
#[derive(Clone, Copy, Debug)]
pub enum ValSrc {
    /// Register at this byte offset.
    Reg(i32),
    /// Constant at this byte offset from the constants' base, with its tag.
    Const(i32, u8),
}

impl FunctionTranslator<'_> {
    /// A new block for a rare path (a helper call, an exit), laid out after the
    /// function's other blocks (anchor: COLD-PATHS), so the straight paths stay dense in
    /// the instruction cache.
    pub(crate) fn new_cold_block(&mut self) -> ir::Block {
        let blk = self.new_block();
        self.b.set_cold_block(blk);
        blk
    }

    /// Continues in a new block when `cond` holds; `slow` otherwise.
    pub(crate) fn or_slow(&mut self, cond: ir::Value, slow: ir::Block) {
        let ok = self.new_block();
        self.branch(cond, ok, slow);
        self.at(ok);
    }

    /// The table object (its box address) in the register at `t_off`, continuing only
    /// when it holds a table.
    fn table_of(&mut self, t_off: i32, slow: ir::Block) -> ir::Value {
        let tag = self.tag(t_off);
        let is_table = self.is(tag, tags::TABLE);
        self.or_slow(is_table, slow);
        self.payload(t_off, types::I64)
    }

    /// The address of the array slot of integer `key` in table `h`, held by the
    /// register at `t_off`, if in bounds (the array part read once per loop where
    /// ARRAY-CACHE applies).
    fn array_slot(
        &mut self,
        t_off: i32,
        h: ir::Value,
        key: ir::Value,
        slow: ir::Block,
    ) -> ir::Value {
        let cached = self.cached_array(t_off);
        let len = match cached {
            Some((_, len_v)) => self.b.use_var(len_v),
            None => {
                let len = self.b.ins().load(types::I32, mem(), h, t::ARR_LEN);
                self.b.ins().uextend(types::I64, len)
            }
        };
        let idx = self.b.ins().iadd_imm_s(key, -1);
        let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, idx, len);
        self.or_slow(inside, slow);
        let arr = match cached {
            Some((arr_v, _)) => self.b.use_var(arr_v),
            None => self.b.ins().load(types::I64, mem(), h, t::ARR),
        };
        let off = self.b.ins().ishl_imm_s(idx, 4);
        self.b.ins().iadd(arr, off)
    }

    /// The address of the value of the node of string constant `k` in table `h`; `slow`
    /// when the table has no node for it (see [`Self::str_slot`]).
    pub(crate) fn field_slot(
        &mut self,
        h: ir::Value,
        k: u32,
        slow: ir::Block,
    ) -> Option<ir::Value> {
        let want = self.const_str(k)?;
        Some(self.str_slot(h, want, slow))
    }

    /// The address of string constant `k` (`None` when `K[k]` is not a string), with
    /// its hash.
    fn const_str(&mut self, k: u32) -> Option<(ir::Value, u32)> {
        let (Ok(Value::Str(s)), Ok(koff)) = (self.konst(k), self.konst_off(k)) else {
            return None;
        };
        // An immediate (K-ADDR in `translate.rs`).
        Some((self.const_word(koff), s.hash()))
    }

    /// [`Self::field_slot`] for the interned string at address `want` with hash
    /// `hash`: the address of its node's value in table `h`, or a jump to `absent` when
    /// the hash part lacks the key (no hash part, or an empty node ends its probe
    /// sequence). The hash is an immediate: a constant's string, and so its hash (seeded
    /// per state), lives as long as the code (FIELD-IMM).
    ///
    /// The probe runs to the key or an empty node, as `Table::find_str` does, with no
    /// bound of its own: the hash part is never more than 3/4 full (`try_place`), so an
    /// empty node ends every sequence (PROBE-ALL). A bound would make speed depend on
    /// the hash seed: a record whose keys collide in a cluster under one seed took the
    /// slow helper for a quarter of richards' field reads.
    fn str_slot(
        &mut self,
        h: ir::Value,
        (want, hash): (ir::Value, u32),
        absent: ir::Block,
    ) -> ir::Value {
        let cap = self.b.ins().load(types::I32, mem(), h, t::NODE_CAP);
        let cap = self.b.ins().uextend(types::I64, cap);
        let nonempty = self.b.ins().icmp_imm_s(IntCC::NotEqual, cap, 0);
        self.or_slow(nonempty, absent);
        let mask = self.b.ins().iadd_imm_s(cap, -1);
        let idx = self.b.ins().band_imm_s(mask, i64::from(hash));
        let nodes = self.b.ins().load(types::I64, mem(), h, t::NODES);
        // probe(idx): node `idx` (masked: inside the node array).
        let probe = self.new_block();
        self.b.append_block_param(probe, types::I64);
        self.b.ins().jump(probe, &[ir::BlockArg::Value(idx)]);
        self.at(probe);
        let idx = self.b.block_params(probe)[0];
        let off = self.b.ins().imul_imm_s(idx, t::NODE_SIZE as i64);
        let node = self.b.ins().iadd(nodes, off);
        // The key's payload first, its tag only when that matches (a string's address
        // in a key of another type is rare): one compare and branch per probe passed.
        let kptr = self
            .b
            .ins()
            .load(types::I64, mem(), node, t::NODE_KEY + PAYLOAD);
        let same = self.b.ins().icmp(IntCC::Equal, kptr, want);
        let (tag_check, found, next) = (self.new_block(), self.new_block(), self.new_block());
        self.branch(same, tag_check, next);
        self.at(tag_check);
        let ktag = self.b.ins().load(types::I8, mem(), node, t::NODE_KEY + TAG);
        let is_str = self.is(ktag, tags::STR);
        self.branch(is_str, found, next);
        self.at(next);
        // An empty node ends the key's probe sequence: absent from the hash part.
        let ktag = self.b.ins().load(types::I8, mem(), node, t::NODE_KEY + TAG);
        let used = self
            .b
            .ins()
            .icmp_imm_s(IntCC::NotEqual, ktag, tags::NIL as i64);
        self.or_slow(used, absent);
        let idx = self.b.ins().iadd_imm_s(idx, 1);
        let idx = self.b.ins().band(idx, mask);
        self.b.ins().jump(probe, &[ir::BlockArg::Value(idx)]);
        self.at(found);
        self.b.ins().iadd_imm_s(node, t::NODE_VAL as i64)
    }

    /// Continues when the value at `slot` is not nil.
    fn slot_live(&mut self, slot: ir::Value, slow: ir::Block) {
        let live = self.holds_value(slot);
        self.or_slow(live, slow);
    }

    /// Whether the value at `slot` is not nil (an i8 truth value).
    fn holds_value(&mut self, slot: ir::Value) -> ir::Value {
        self.slot_tag(slot).1
    }

    /// The tag of the value at `slot`, and whether it is not nil.
    fn slot_tag(&mut self, slot: ir::Value) -> (ir::Value, ir::Value) {
        let tag = self.b.ins().load(types::I8, mem(), slot, TAG);
        let live = self
            .b
            .ins()
            .icmp_imm_s(IntCC::NotEqual, tag, tags::NIL as i64);
        (tag, live)
    }

    /// Copies the value at `slot`, whose tag `tag` was read, into the register at
    /// `dst_off` (the tag read once: Cranelift does not merge loads).
    fn copy_tagged(&mut self, slot: ir::Value, tag: ir::Value, dst_off: i32) {
        let bits = self.b.ins().load(types::I64, mem(), slot, PAYLOAD);
        self.set_dynamic(dst_off, tag, bits);
    }

    /// Branches to `then` when table `h` has no metatable (so no `__index` or
    /// `__newindex`), else to `otherwise`.
    fn when_plain(&mut self, h: ir::Value, then: ir::Block, otherwise: ir::Block) {
        let mt = self.b.ins().load(types::I64, mem(), h, t::METATABLE);
        let plain = self.b.ins().icmp_imm_s(IntCC::Equal, mt, 0);
        self.branch(plain, then, otherwise);
    }

    /// Copies a live slot into the register at `dst_off`.
    pub(crate) fn read_slot(&mut self, slot: ir::Value, dst_off: i32, slow: ir::Block) {
        let (tag, live) = self.slot_tag(slot);
        self.or_slow(live, slow);
        self.copy_tagged(slot, tag, dst_off);
    }

    /// Overwrites a live slot of table `h` with `val` (the barrier guard first). An
    /// array slot (`array`) may also be nil when the table has no metatable (ARRAY-FILL):
    /// no `__newindex` can apply, and the slot exists, so filling an array part that a
    /// resize made larger than its contents (a loop of `t[i] = v`) stays inline.
    fn write_slot(
        &mut self,
        h: ir::Value,
        slot: ir::Value,
        val: ValSrc,
        slow: ir::Block,
        array: bool,
    ) {
        if array {
            // The live slot first: the common case takes one branch.
            let live = self.holds_value(slot);
            let (fill, ok) = (self.new_block(), self.new_block());
            self.branch(live, ok, fill);
            self.at(fill);
            self.when_plain(h, ok, slow);
            self.at(ok);
        } else {
            self.slot_live(slot, slow);
        }
        let (tag, word) = match val {
            ValSrc::Reg(r) => (self.tag(r), self.payload(r, types::I64)),
            ValSrc::Const(k, tag) => {
                let word = self.const_word(k);
                (self.tag_const(tag), word)
            }
        };
        let plain = match self.known(tag) {
            Some(t) => self.truth(t < tags::STR as i64),
            None => self
                .b
                .ins()
                .icmp_imm_s(IntCC::UnsignedLessThan, tag, tags::STR as i64),
        };
        if self.known(plain) != Some(1) {
            let black = self.b.ins().load(types::I8, mem(), h, t::GC_BLACK);
            let white = self.b.ins().icmp_imm_s(IntCC::Equal, black, 0);
            let ok = self.or(plain, white);
            self.or_slow(ok, slow);
        }
        // Two 8-byte stores (SLOT-STORES): the tag word (an immediate when the tag is
        // known) and the payload, a float straight from its register. Unlike a
        // register's slot, which a helper or the interpreter reads back whole at once
        // (REG-CACHE's one 16-byte store), a table slot is read back by compiled code
        // as its tag byte and its payload, each forwarded from one of these stores.
        let t64 = self.b.ins().uextend(types::I64, tag);
        self.b.ins().store(mem(), t64, slot, TAG);
        match val {
            ValSrc::Reg(r) if self.ty(r) == Ty::Float => {
                let f = self.payload(r, types::F64);
                self.b.ins().store(mem(), f, slot, PAYLOAD);
            }
            _ => {
                self.b.ins().store(mem(), word, slot, PAYLOAD);
            }
        }
    }

    /// `R[dst] := R[t][key]` inline for an integer key; jumps to `done`, or continues
    /// in the slow block it returns.
    ///
    /// A key the table certainly lacks reads nil inline (ABSENT-INT) when the table has
    /// no metatable (no `__index`): a nil slot of the array part, or a key outside it
    /// when the hash part is empty and there is no static part (a leaf `{}` of a tree
    /// whose children are `t[1]` and `t[2]`).
    pub fn inline_get_int(&mut self, t_off: i32, key: ir::Value, dst: i32, done: ir::Block) {
        let slow = self.new_cold_block();
        let h = self.table_of(t_off, slow);
        let (outside, absent) = (self.new_block(), self.new_block());
        let slot = self.array_slot(t_off, h, key, outside);
        let (tag, live) = self.slot_tag(slot);
        let (found, nil_slot) = (self.new_block(), self.new_block());
        self.branch(live, found, nil_slot);
        self.at(found);
        self.copy_tagged(slot, tag, dst);
        self.jump(done);
        // Outside the array part: absent when there is no hash part and no static part.
        // With ARRAY-CACHE, only when outside the table's own array part too, checked
        // here rather than trusted to the cached length.
        self.at(outside);
        if self.cached_array(t_off).is_some() {
            let len = self.b.ins().load(types::I32, mem(), h, t::ARR_LEN);
            let len = self.b.ins().uextend(types::I64, len);
            let idx = self.b.ins().iadd_imm_s(key, -1);
            let beyond = self
                .b
                .ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, idx, len);
            self.or_slow(beyond, slow);
        }
        let nodes = self.b.ins().load(types::I32, mem(), h, t::NODE_CAP);
        let stat = self.b.ins().load(types::I8, mem(), h, t::HAS_STATIC);
        let stat = self.b.ins().uextend(types::I32, stat);
        let either = self.b.ins().bor(nodes, stat);
        let none = self.b.ins().icmp_imm_s(IntCC::Equal, either, 0);
        self.branch(none, absent, slow);
        self.at(nil_slot);
        self.jump(absent);
        // Absent: nil unless a metatable may have `__index`.
        self.at(absent);
        let nil = self.new_block();
        self.when_plain(h, nil, slow);
        self.at(nil);
        self.store_nil(dst);
        self.jump(done);
        self.at(slow);
    }

    /// `R[t][key] := val` inline for an integer key (see [`Self::inline_get_int`]).
    pub fn inline_set_int(&mut self, t_off: i32, key: ir::Value, val: ValSrc, done: ir::Block) {
        let slow = self.new_cold_block();
        let h = self.table_of(t_off, slow);
        let slot = self.array_slot(t_off, h, key, slow);
        self.write_slot(h, slot, val, slow, true);
        self.jump(done);
        self.at(slow);
    }

    /// `R[dst] := R[t][K[k]]` inline for a string constant (see
    /// [`Self::inline_get_int`]).
    ///
    /// A key the table lacks (no node, or a dead key: a nil value) is looked for, as the
    /// interpreter's index does, up the `__index` chain of tables (a method of a class,
    /// a default shared through a prototype table, or nil where the chain ends: an
    /// optional field) by the lean `index_field` helper (anchors: INDEX-INLINE,
    /// INDEX-HELPER), which neither stores nor reads registers: the chain walk is out
    /// of line, so every site stays small to compile. Everything else (a function `__index`, a static part) is
    /// the slow helper's.
    pub fn inline_get_field(&mut self, t_off: i32, k: u32, dst: i32, done: ir::Block) {
        let slow = self.new_cold_block();
        let h = self.table_of(t_off, slow);
        let Some(want) = self.const_str(k) else {
            self.jump(slow);
            self.at(slow);
            return;
        };
        let lacks = self.new_block();
        let slot = self.str_slot(h, want, lacks);
        self.read_live(slot, dst, done, lacks);
        self.at(lacks);
        let dst_addr = self.addr(dst);
        let r = self.call(Helper::IndexField, &[self.ctx, h, want.0, dst_addr]);
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, r, HELPER_OK as i64);
        self.or_slow(ok, slow);
        self.load_reg_at(dst);
        self.jump(done);
        self.at(slow);
    }

    /// Copies the value at `slot` into the register at `dst_off` and jumps to `done`
    /// when it is not nil; jumps to `dead` (a dead key: the table lacks the key) when
    /// it is.
    fn read_live(&mut self, slot: ir::Value, dst_off: i32, done: ir::Block, dead: ir::Block) {
        let (tag, live) = self.slot_tag(slot);
        self.or_slow(live, dead);
        self.copy_tagged(slot, tag, dst_off);
        self.jump(done);
    }

    /// `R[t][K[k]] := val` inline for a string constant.
    pub fn inline_set_field(&mut self, t_off: i32, k: u32, val: ValSrc, done: ir::Block) {
        let slow = self.new_cold_block();
        let h = self.table_of(t_off, slow);
        match self.field_slot(h, k, slow) {
            Some(slot) => {
                self.write_slot(h, slot, val, slow, false);
                self.jump(done);
            }
            None => self.jump(slow),
        }
        self.at(slow);
    }
}
