//! Register-preserving wrappers of the helpers compiled code calls off its fast paths
//! (anchor: PRESERVING).
//!
//! A helper is an `extern "C"` Rust function, so a call of it clobbers every
//! caller-saved register. Cranelift's register allocator must then keep every value
//! live across the call in one of the few callee-saved registers (five general ones on
//! x86-64) or in a spill slot, and it decides per value, not per path: a loop whose
//! only call is the slow path of a table store (`t[j] = true` when `t[j]` was nil)
//! keeps its index and counter in spill slots, reloaded and stored on every
//! iteration, although the call almost never happens.
//!
//! So each such helper gets a wrapper with Cranelift's `preserve_all` convention:
//! the wrapper saves every register it or the helper may change, calls the helper and
//! stores its answer in `ctx.answer` (`preserve_all` returns nothing), and the compiled
//! code's call clobbers no register at all.
//!
//! The wrapper takes the context alone, read from a stack slot at the call (CTX-SLOT
//! in `translate.rs`); the code stores the helper's other arguments in `ctx.args`
//! just before the call, and the wrapper loads them from there (anchor: ARGS-IN-CTX).
//! An argument passed in a register binds its value to that register at the call,
//! and the register allocator, which splits live ranges by heuristics rather than
//! by how often a path runs, then kept a loop's index (the key of `t[i]`) or the
//! table in a spill slot, stored and reloaded on every iteration, for a call that
//! almost never happens: with the arguments in memory, sieve ran 10% fewer
//! instructions, matmul 8%, spectral 9%. The saving costs a few dozen stores and
//! loads on each call, so only the helpers that back an inline fast path are wrapped
//! ([`Helper::preserving`]); calls of Lua functions, which clobber registers anyway
//! through the callee's code, and the lean lookups on every method call are not.
//!
//! The wrappers are made once per process, at the first compile (`Jit::compile_one`:
//! a run that compiles nothing does not pay for them), into a code module that is
//! never freed, and
//! their addresses published in `HELPERS.preserving` (`jit_iface::Helpers`), which
//! compiled code reads from that table (HELPERS-IMM in `translate.rs`), so that the
//! code's IR does not depend on where the wrappers are.

use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature, UserFuncName};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use moonjet_interp::jit_iface::{ctx_offsets, HELPERS};

use crate::translate::{mem, Helper, PTR};

/// The helpers that have wrappers: those that only back an inline fast path that
/// covers the common cases (an upvalue outside the register window, an array slot or
/// an absent integer key, a global in the hash part), so that calls of them are rare
/// where the fast path is the common case. Not the table helpers for other keys
/// (`GetTable`, `SetTable`: a string-keyed table's every access), nor `GetField` and
/// `SetField` (every method of a string, every new field of an object), `SetTabUp`
/// (every global store), allocations or `Close` (a loop's every iteration in some
/// programs): where those are called at all, they are called often, and the wrapper's
/// saving of every register costs more than the spills it avoids.
pub const WRAPPED: &[Helper] = &[
    Helper::GetUpval,
    Helper::SetUpval,
    Helper::GetInt,
    Helper::SetInt,
    Helper::GetTabUp,
];

/// Makes the wrappers and publishes them, once per process; the first attempt's
/// outcome is every later one's.
pub fn install() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(make_all).clone()
}

/// The signature of every wrapper: the context alone (ARGS-IN-CTX), no result.
pub fn wrapper_signature() -> Signature {
    let mut s = Signature::new(CallConv::PreserveAll);
    s.params.push(AbiParam::new(PTR));
    s
}

/// Compiles every wrapper into a module kept for the life of the process and stores
/// the addresses in `HELPERS.preserving`.
fn make_all() -> Result<(), String> {
    let isa = crate::host_isa("speed")?;
    let helper_conv = isa.default_call_conv();
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let (mut ctx, mut fctx) = (Context::new(), FunctionBuilderContext::new());
    let mut ids = Vec::new();
    for (n, &h) in WRAPPED.iter().enumerate() {
        if h.signature().0.len() > 4 {
            return Err(format!("{h:?}: more arguments than ctx.args holds"));
        }
        let sig = wrapper_signature();
        let name = format!("moonjet_preserving_{n}");
        let id = module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        ctx.func.signature = sig;
        ctx.func.name = UserFuncName::user(1, n as u32);
        build(
            &mut ctx,
            &mut fctx,
            h,
            helper_conv,
            module.isa().frontend_config(),
        );
        module
            .define_function(id, &mut ctx)
            .map_err(|e| e.to_string())?;
        module.clear_context(&mut ctx);
        ids.push((h, id));
    }
    module.finalize_definitions().map_err(|e| e.to_string())?;
    for (h, id) in ids {
        let code = module.get_finalized_function(id) as usize;
        HELPERS.preserving[h.word()].store(code, Ordering::Release);
    }
    // The code stays mapped for the rest of the process: compiled code of any engine
    // may call it at any time.
    std::mem::forget(module);
    Ok(())
}

/// The body of `h`'s wrapper: call the helper, whose address is read from `HELPERS`,
/// with the context and the arguments the code left in `ctx.args` (ARGS-IN-CTX);
/// store its answer at `ctx.answer`.
fn build(
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    h: Helper,
    conv: CallConv,
    config: TargetFrontendConfig,
) {
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let blk = b.create_block();
    b.append_block_params_for_function_params(blk);
    b.switch_to_block(blk);
    b.seal_block(blk);
    let cx = b.block_params(blk)[0];
    let (params, ret) = h.signature();
    let mut args = vec![cx];
    for (i, &ty) in params.iter().enumerate().skip(1) {
        let at = arg_offset(i);
        args.push(b.ins().load(ty, mem(), cx, at));
    }
    let mut s = Signature::new(conv);
    s.params.extend(params.iter().map(|t| AbiParam::new(*t)));
    s.returns.push(AbiParam::new(ret));
    let sig = b.import_signature(s);
    let table = b.ins().iconst(PTR, &HELPERS as *const _ as i64);
    let f = b.ins().load(PTR, mem(), table, h.offset());
    let call = b.ins().call_indirect(sig, f, &args);
    let answer = b.inst_results(call)[0];
    debug_assert_eq!(ret, types::I32);
    b.ins().store(mem(), answer, cx, ctx_offsets::ANSWER);
    b.ins().return_(&[]);
    b.finalize(config);
}

/// The byte offset in the context of a wrapped helper's parameter `i` (1 to 3: the
/// context itself is parameter 0), in `JitCtx::args` (ARGS-IN-CTX).
pub fn arg_offset(i: usize) -> i32 {
    debug_assert!((1..=3).contains(&i));
    ctx_offsets::ARGS + 8 * (i as i32 - 1)
}

#[cfg(test)]
mod tests {
    use super::{arg_offset, WRAPPED};
    use moonjet_interp::jit_iface::{ctx_offsets, JitCtx};

    /// ARGS-IN-CTX: every wrapped helper's arguments after the context fit in
    /// `JitCtx::args`, each in its own 8-byte word inside the context.
    #[test]
    fn wrapped_helpers_arguments_fit_in_the_context() {
        for h in WRAPPED {
            let n = h.signature().0.len();
            assert!((1..=4).contains(&n), "{h:?} has {n} parameters");
            for i in 1..n {
                let at = arg_offset(i) as usize;
                assert!(at >= ctx_offsets::ARGS as usize);
                assert!(
                    at + 8 <= core::mem::size_of::<JitCtx>(),
                    "{h:?} argument {i}"
                );
            }
        }
    }
}
