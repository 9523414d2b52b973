//! Inline upvalue reads and writes (anchor: UPVAL-INLINE): GETUPVAL, SETUPVAL, and
//! GETTABUP of a string constant, without a helper call in the common cases. The layouts come from
//! `jit_iface::upval_offsets` (UPVAL-LAYOUT in `interp/src/func.rs`) and
//! `ctx_offsets`; whenever a case below does not hold, control falls to the
//! instruction's helper call, which handles everything.
//!
//! The path: `ctx.closure` -> its cells (the index is in range: V-UP) -> the
//! upvalue's box -> its slot (UPVAL-SLOT in `interp/src/func.rs`): where the value is
//! now, the value in the box of a closed upvalue or the stack slot of an open one, of
//! any thread. It is read inline unless it lies in this frame's register window
//! (`[base, base + max_stack)`).
//!
//! Why that memory holds the variable's current value (REG-CACHE, `regs.rs`): a slot
//! outside the window is in a box, in another thread's stack (suspended: its compiled
//! frames stored their registers when they left), or in a frame below this one on the
//! same thread. If that frame runs compiled code, its registers that closures may
//! capture (every register an open upvalue can name: open upvalues are made by its
//! CLOSURE instructions) were stored by the flush before the call that led here, and
//! nothing but memory changes them until it resumes (SETUPVAL and the interpreter write
//! the stack). An interpreted frame keeps its registers in memory. The running frame
//! is the one frame whose registers may live unstored in Cranelift variables, and the
//! window guard excludes it: normally a closure's upvalues belong to activations of
//! enclosing functions, never to its own frame, but `debug.upvaluejoin` can give a
//! closure an upvalue of its own running activation (made by a nested closure); such
//! reads take the helper, after the captured registers are stored
//! ([`FunctionTranslator::captured_offs`] as the helper's reads).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder};
use moonjet_interp::jit_iface::{ctx_offsets, tags, upval_offsets as u};

use crate::translate::{mem, mem_const, FunctionTranslator, PAYLOAD, PTR, TAG, VALUE_SIZE};

impl FunctionTranslator<'_> {
    /// Byte offsets of the registers closures may capture: what an upvalue helper may
    /// read or write in this frame (an upvalue joined into its own activation).
    pub fn captured_offs(&self) -> Vec<i32> {
        let n = self.max_stack;
        let caps = self.regs.captured;
        caps.iter()
            .filter(|&r| r < n)
            .map(|r| r as i32 * VALUE_SIZE)
            .collect()
    }

    /// The address of the current value of upvalue `up` of the running closure (a
    /// `Value`: in the upvalue's box, or a stack slot below this frame); continues
    /// in `slow` when it cannot be read inline.
    fn upval_addr(&mut self, up: u32, slow: ir::Block) -> ir::Value {
        self.upval_box_slot(up, slow).1
    }

    /// The address of upvalue `up`'s box and of its current value, as
    /// [`Self::upval_addr`].
    fn upval_box_slot(&mut self, up: u32, slow: ir::Block) -> (ir::Value, ir::Value) {
        // `ctx` is the live context (JIT-ENTRY); `closure` is the running closure,
        // kept alive by the frame's function slot.
        let cl = self
            .b
            .ins()
            .load(PTR, mem_const(), self.ctx, ctx_offsets::CLOSURE);
        // The closure's cells pointer: a field of the live closure. Cell `up` exists
        // (V-UP: verified code names upvalues below its prototype's count, and the
        // closure of a prototype has one cell per upvalue, `Heap::closure_builder`), is
        // initialised (ClosureBuilder fills every cell), and holds the address of a
        // live upvalue box (the closure traces its upvalues).
        let cells = self.b.ins().load(PTR, mem_const(), cl, u::CELLS);
        let cell = self
            .b
            .ins()
            .iadd_imm_s(cells, up as i64 * u::CELL_SIZE as i64);
        let uv = self.b.ins().load(PTR, mem(), cell, 0);
        // UPVAL-SLOT: the slot of a live upvalue points at its current value.
        let slot = self.b.ins().load(PTR, mem(), uv, u::SLOT);
        // Outside this frame's window (below it, the offset wraps to a large one).
        let base = self.base();
        let off = self.b.ins().isub(slot, base);
        let window = self.max_stack as i64 * VALUE_SIZE as i64;
        let outside = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, off, window);
        self.or_slow(outside, slow);
        (uv, slot)
    }

    /// `R[dst] := Up[up]` inline, the value also stored to the register's slot (the
    /// analysis counts GETUPVAL's result as stored: it is usually a callee, stored
    /// before the call anyway); jumps to `next`, or continues in the slow block.
    pub fn inline_get_upval(&mut self, up: u32, dst: i32, next: ir::Block) {
        let slow = self.new_block();
        let val = self.upval_addr(up, slow);
        self.copy_value(val, 0, dst);
        self.copy_to_slot(val, dst);
        self.jump(next);
        self.at(slow);
    }

    /// `Up[up] := R[src]` inline: the register's value stored at the upvalue's slot,
    /// unless the box is black (the write barrier must see a store into a closed
    /// upvalue then: the helper stores again and runs it); jumps to `next`, or
    /// continues in the slow block.
    pub fn inline_set_upval(&mut self, up: u32, src: u32, next: ir::Block) {
        let slow = self.new_block();
        let (uv, slot) = self.upval_box_slot(up, slow);
        let mark = self.b.ins().load(types::I8, mem(), uv, u::MARK);
        let black = self.b.ins().band_imm_s(mark, u::BLACK as i64);
        let not_black = self.b.ins().icmp_imm_s(IntCC::Equal, black, 0);
        self.or_slow(not_black, slow);
        self.store_reg_at(src, slot, 0);
        self.jump(next);
        self.at(slow);
    }

    /// `R[dst] := Up[up][K[k]]` inline for a string constant present in the table's
    /// hash part (see `Self::field_slot`); jumps to `next`, or continues in the slow
    /// block.
    pub fn inline_get_tabup(&mut self, up: u32, k: u32, dst: i32, next: ir::Block) {
        let slow = self.new_block();
        let val = self.upval_addr(up, slow);
        let tag = self.b.ins().load(types::I8, mem(), val, TAG);
        let is_table = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, tag, tags::TABLE as i64);
        self.or_slow(is_table, slow);
        // A table value's payload is the address of the live table's box.
        let h = self.b.ins().load(types::I64, mem(), val, PAYLOAD);
        match self.field_slot(h, k, slow) {
            Some(slot) => {
                self.read_slot(slot, dst, slow);
                self.jump(next);
            }
            None => self.jump(slow),
        }
        self.at(slow);
    }
}
