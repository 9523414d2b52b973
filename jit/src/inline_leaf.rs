//! Calls of small arithmetic functions computed in place (anchor: LEAF-INLINE).
//!
//! A CALL whose callee was just read from an upvalue (`local function f` called from
//! a function defined after it) may be a call of a *leaf*: a function whose body is
//! straight-line arithmetic on its parameters and numeric constants ending in one
//! returned value (`entry(i, j)` in spectral-norm, `sq(x)`, `lerp(a, b, t)`). When the
//! upvalue held such a function at compile time (`CompileRequest::callees`) and the
//! arguments' types are known numbers here, the body is translated into the caller:
//!
//! * the guard is an identity test: the callee is a Lua function whose prototype's
//!   bytecode is at the address of the one translated (`direct_offsets::BYTECODE`;
//!   the caller's prototype slot keeps that bytecode alive, `JitSlot::keep_callees`);
//!   anything else is the general call;
//! * the body cannot raise an error, allocate, yield or call anything: every operand
//!   has a number type known when translating, so no metamethod can apply. An integer
//!   `//` or `%` by zero, the only error, exits before the call, which the interpreter
//!   then makes, so the error comes from the callee with its traceback. No frame is pushed, so no hook can see
//!   it missing: compiled code runs only while no hook is set, and the body sets none.
//!
//! The result's type is known too; it must agree with what the analysis expects of
//! the call's result after it (nothing, or that type when a guard was speculated).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder};
use std::rc::Rc;

use moonjet_bytecode::{Constant, Instruction, OpCode, Proto};
use moonjet_interp::jit_iface::{direct_offsets as d, tags};
use moonjet_interp::Value;

use crate::analysis::{RegState, Ty};
use crate::ops_arith::{arith_operands, BinOp, Operand};
use crate::reasons::Reason;
use crate::translate::{mem, FunctionTranslator};

/// The longest body translated in place (instructions, the RETURN included).
const LEAF_MAX: usize = 24;

/// A number the body computes: its type and its value (an i64 or an f64).
#[derive(Clone, Copy)]
struct Num {
    /// `Int` or `Float`.
    ty: Ty,
    /// The value, `None` while only checking types.
    v: Option<ir::Value>,
}

/// The numeric constants of `p` as values (`arith_operands` reads K operands so);
/// anything else is nil, which no arithmetic accepts.
fn numeric_consts(p: &Proto) -> Vec<Value> {
    (p.constants.iter())
        .map(|k| match k {
            Constant::Int(n) => Value::Int(*n),
            Constant::Float(f) => Value::Float(*f),
            _ => Value::Nil,
        })
        .collect()
}

/// The callee's translator state while emitting: the caller's translator, the
/// parameters' values and the call's pc (where an integer division by zero exits).
struct Emit<'t, 'a> {
    /// The caller's translator.
    t: &'t mut FunctionTranslator<'a>,
    /// The parameters' values (an i64 or an f64 each).
    params: &'t [ir::Value],
    /// The call's pc.
    pc: usize,
}

/// The leaf the CALL `i` at `pc` of a function may call (see the module), given the
/// call sites, the callees and the registers' types before the call; with the type
/// of its result. `None` when the call is not one.
pub(crate) fn leaf_at<'p>(
    i: Instruction,
    pc: usize,
    sites: &[crate::callee::CallSite],
    callees: &'p [Option<Rc<Proto>>],
    types: &[Ty],
) -> Option<(&'p Proto, Ty)> {
    let (b, c) = (i.b(), i.c());
    if b == 0 || !(1..=2).contains(&c) {
        return None;
    }
    let up = sites.get(pc)?.upvalue?;
    let p: &Proto = callees.get(up as usize)?.as_deref()?;
    let args: Vec<Ty> = (i.a() + 1..i.a() + b)
        .map(|r| types.get(r as usize).copied().unwrap_or(Ty::Any))
        .collect();
    let r = walk(p, &args, None)?;
    Some((p, r.ty))
}

/// The result types of the calls of `code` that call leaves (LEAF-INLINE), by pc,
/// under the register facts `states`: what the speculation of call results takes as
/// known (`speculate::plan`).
pub fn leaf_results(
    code: &[Instruction],
    states: &[Option<crate::analysis::RegState>],
    sites: &[crate::callee::CallSite],
    callees: &[Option<Rc<Proto>>],
) -> Vec<Option<Ty>> {
    if callees.iter().all(Option::is_none) {
        return Vec::new();
    }
    (code.iter().enumerate())
        .map(|(pc, &i)| {
            if i.opcode() != Some(OpCode::Call) || i.c() != 2 {
                return None;
            }
            let st = states.get(pc)?.as_ref()?;
            leaf_at(i, pc, sites, callees, &st.ty).map(|(_, t)| t)
        })
        .collect()
}

/// Walks the body of leaf `p` with parameters of types `args`: its result, or `None`
/// when it is not a leaf for them. With `em`, translates it too (the walk takes the
/// same path either way).
fn walk(p: &Proto, args: &[Ty], mut em: Option<Emit<'_, '_>>) -> Option<Num> {
    let code: &[Instruction] = &p.code;
    if p.is_vararg || p.num_params as usize != args.len() || code.len() > LEAF_MAX {
        return None;
    }
    let consts = numeric_consts(p);
    let mut regs: Vec<Option<Num>> = vec![None; (p.max_stack as usize).max(args.len())];
    for (k, &ty) in args.iter().enumerate() {
        if !matches!(ty, Ty::Int | Ty::Float) {
            return None;
        }
        let v = em.as_ref().map(|e| e.params[k]);
        regs[k] = Some(Num { ty, v });
    }
    let get = |regs: &[Option<Num>], r: u32| regs.get(r as usize).copied().flatten();
    for &ins in code {
        let op = ins.opcode()?;
        let val = match op {
            OpCode::Move => get(&regs, ins.b())?,
            OpCode::LoadI => operand(&mut em, Operand::Int(ins.sbx() as i64), &regs),
            OpCode::LoadF => operand(&mut em, Operand::Float(ins.sbx() as f64), &regs),
            OpCode::LoadK => match consts.get(ins.bx() as usize)? {
                Value::Int(n) => operand(&mut em, Operand::Int(*n), &regs),
                Value::Float(f) => operand(&mut em, Operand::Float(*f), &regs),
                _ => return None,
            },
            OpCode::Unm => {
                let x = get(&regs, ins.b())?;
                let v = match (&mut em, x.v) {
                    (Some(e), Some(v)) if x.ty == Ty::Float => Some(e.t.b.ins().fneg(v)),
                    (Some(e), Some(v)) => Some(e.t.b.ins().ineg(v)),
                    _ => None,
                };
                Num { ty: x.ty, v }
            }
            OpCode::Return1 => return get(&regs, ins.a()),
            OpCode::Return if ins.b() == 2 && !ins.k() => return get(&regs, ins.a()),
            _ => {
                let (bop, x, y) = arith_operands(ins, &consts)?;
                let (xv, yv) = (operand(&mut em, x, &regs), operand(&mut em, y, &regs));
                let number = |t: Ty| matches!(t, Ty::Int | Ty::Float);
                if !number(xv.ty) || !number(yv.ty) {
                    return None;
                }
                let rt = bop.result_type(xv.ty, yv.ty);
                // Bitwise operators on floats convert them, which may fail.
                if rt == Ty::Int && (xv.ty, yv.ty) != (Ty::Int, Ty::Int) {
                    return None;
                }
                let v = em.as_mut().map(|e| e.arith(bop, rt, xv, yv));
                Num { ty: rt, v }
            }
        };
        *regs.get_mut(ins.a() as usize)? = Some(val);
    }
    None
}

/// An operand or constant of the body: its type (`Any` for a register not written
/// yet) and, when emitting, its value.
fn operand(em: &mut Option<Emit<'_, '_>>, o: Operand, regs: &[Option<Num>]) -> Num {
    match o {
        Operand::Reg(r) => regs.get(r as usize).copied().flatten().unwrap_or(Num {
            ty: Ty::Any,
            v: None,
        }),
        Operand::Int(n) => Num {
            ty: Ty::Int,
            v: em.as_mut().map(|e| e.t.i64(n)),
        },
        Operand::Float(f) => Num {
            ty: Ty::Float,
            v: em.as_mut().map(|e| e.t.b.ins().f64const(f)),
        },
    }
}

impl Emit<'_, '_> {
    /// `x op y` with result type `rt`: on integers when both are (wrapping, floored
    /// division exiting at the call on a zero divisor), else on floats.
    fn arith(&mut self, op: BinOp, rt: Ty, x: Num, y: Num) -> ir::Value {
        let (Some(xv), Some(yv)) = (x.v, y.v) else {
            return self.t.i64(0);
        };
        if rt == Ty::Int {
            return self.t.int_op(op, xv, yv, self.pc);
        }
        let xf = self.float(x.ty, xv);
        let yf = self.float(y.ty, yv);
        self.t.float_op(op, xf, yf)
    }

    /// A number as an f64 (an integer converted, as Lua's arithmetic does).
    fn float(&mut self, ty: Ty, v: ir::Value) -> ir::Value {
        match (ty, self.t.known(v)) {
            (Ty::Float, _) => v,
            // A constant operand (`x / 2`) converted now.
            (_, Some(n)) => self.t.b.ins().f64const(n as f64),
            _ => self.t.b.ins().fcvt_from_sint(types::F64, v),
        }
    }
}

/// The leaf the CALL `i` at `pc` may call with its arguments' types under the register
/// facts `states`, when the analysis expects of its result nothing or the leaf's type.
pub(crate) fn leaf_callee<'p>(
    i: Instruction,
    pc: usize,
    states: &[Option<RegState>],
    sites: &[crate::callee::CallSite],
    callees: &'p [Option<Rc<Proto>>],
) -> Option<&'p Proto> {
    // Most calls are not through an upvalue: answered before the body is walked.
    callees.get(sites.get(pc)?.upvalue? as usize)?.as_ref()?;
    let before = states.get(pc)?.as_ref()?;
    let (p, ty) = leaf_at(i, pc, sites, callees, &before.ty)?;
    let after = (states.get(pc + 1))
        .and_then(|s| s.as_ref())
        .and_then(|s| s.ty.get(i.a() as usize).copied());
    match after {
        Some(t) if t != Ty::Any && t != ty => None,
        _ => Some(p),
    }
}

impl FunctionTranslator<'_> {
    /// CALL `i` at `pc` of what may be the leaf `p` (LEAF-INLINE): the body in place
    /// when the callee is `p`, else the general call. The in-place path stores nothing
    /// (FLUSH-SLOW in `ops_call.rs`): the general one stores the registers first.
    pub(crate) fn call_or_leaf(
        &mut self,
        i: Instruction,
        pc: usize,
        p: &Proto,
    ) -> Result<(), Reason> {
        let a = self.reg(i.a())?;
        self.reg(i.a() + i.b() - 1)?;
        let next = self.block_rel(pc, 1)?;
        let mut tys = Vec::new();
        let mut vals = Vec::new();
        for k in 1..i.b() as i32 {
            let off = a + k * 16;
            let ty = self.ty(off);
            let v = match ty {
                Ty::Float => self.payload(off, types::F64),
                _ => self.payload(off, types::I64),
            };
            tys.push(ty);
            vals.push(v);
        }
        let (cl, slow) = self.callee_with_tag(a, tags::LUA_FN, pc);
        let fast = self.new_block();
        let fp = self.b.ins().load(types::I64, mem(), cl, d::CLOSURE_PROTO);
        let code = self.b.ins().load(types::I64, mem(), fp, d::BYTECODE);
        let want: &[Instruction] = &p.code;
        let same = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, code, want.as_ptr() as i64);
        self.branch(same, fast, slow);
        self.at(fast);
        let em = Emit {
            t: self,
            params: &vals,
            pc,
        };
        // `leaf_callee` made the same walk.
        let out = walk(p, &tys, Some(em)).ok_or(Reason::Call)?;
        if i.c() == 2 {
            match (out.ty, out.v) {
                (Ty::Float, Some(v)) => self.store_float(a, v),
                (_, Some(v)) => self.store_int(a, v),
                _ => return Err(Reason::Call),
            }
        }
        self.in_place_done(a, pc, next);
        self.call_slow(slow, a, i.b(), i.c(), pc)
    }
}
