//! Moonjet's baseline JIT: Cranelift compiles a Lua prototype into one native function;
//! guards and unsupported instructions hand control back to the interpreter at the
//! exact instruction (JIT-ENTRY in `moonjet_interp::jit_iface`).
//!
//! * [`Jit`] owns the reusable Cranelift contexts and the code memory; `compile` goes
//!   translate → verify (debug builds) → declare → define → clear → finalize.
//! * [`translate`] holds the `FunctionTranslator` and the opcode table; `ops_*` hold one
//!   `translate_<op>` per opcode.
//! * [`reasons`] is the one table of exit and give-up reasons.
//!
//! The crate reads interpreter data only through `moonjet_interp::jit_iface` and
//! `moonjet_interp::abi` (and `Value`, whose layout those modules pin).

pub mod analysis;
mod array_cache;
mod callee;
mod cold;
mod direct_call;
mod inline_leaf;
mod inline_table;
mod inline_upval;
mod ops_arith;
mod ops_call;
mod ops_data;
mod ops_test;
mod preserving;
pub mod reasons;
mod regs;
mod report;
mod self_tail;
mod speculate;
pub mod translate;
mod yields;

#[cfg(test)]
mod tests;

use std::any::Any;
use std::time::Instant;

use cranelift_codegen::ir::{self, types, AbiParam, Signature, UserFuncName};
use cranelift_codegen::isa::{CallConv, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use moonjet_bytecode::{OpCode, Proto};
use moonjet_interp::jit_iface::{
    tags, CompileRequest, ExitVerdict, JitEngine, JitFn, JitStats, SpecHint,
};
use moonjet_interp::Value;

use reasons::{Kind, Reason};
use translate::{FunctionTranslator, Outcome, PTR};

/// Largest prototype compiled, in instructions.
const MAX_INSTRUCTIONS: usize = 50_000;
/// Machine code limit of one module (bytes): a backstop past the interpreter's own cap
/// on a generation (CODE-CACHE in `jit_iface/codecache.rs`), which flushes first.
const CODE_CACHE_LIMIT: u64 = 1 << 30;

/// Most prototypes whose default speculations `Jit::default_reads` remembers.
const MAX_DEFAULT_READS: usize = 4096;

/// What was compiled for one prototype (kept when `Jit::keep_records` is set).
#[derive(Clone, Debug)]
pub struct Record {
    /// `source:line`.
    pub name: String,
    /// Opcode of every instruction.
    pub ops: Vec<Option<OpCode>>,
    /// What became of every instruction.
    pub outcome: Vec<Outcome>,
}

impl Record {
    /// True if every instruction with opcode `op` was compiled natively (and one exists).
    pub fn native(&self, op: OpCode) -> bool {
        let mut any = false;
        for (o, out) in self.ops.iter().zip(&self.outcome) {
            if *o == Some(op) {
                any = true;
                if *out != Outcome::Native {
                    return false;
                }
            }
        }
        any
    }
}

/// The JIT engine: Cranelift contexts, code memory, options and counters.
pub struct Jit {
    /// Code memory and symbols.
    module: JITModule,
    /// Codegen context, reused for every function.
    ctx: Context,
    /// Frontend context, reused for every function.
    fctx: FunctionBuilderContext,
    /// One line per event on stderr (`-jv`).
    verbose: bool,
    /// Keep a [`Record`] per compiled function (tests, tools).
    pub keep_records: bool,
    /// Records, if kept.
    pub records: Vec<Record>,
    /// Counters.
    stats: JitStats,
    /// Give-ups by reason.
    give_ups: Vec<u64>,
    /// Functions declared so far (names are unique).
    next_id: u32,
    /// Write bytecode, IR and machine code of each compile to stderr (`-jdump`).
    dump: bool,
    /// Code memory of flushed generations still running (freed at `release`).
    retired: Vec<JITModule>,
    /// Bytes of machine code in `module` (since the last flush).
    module_bytes: u64,
    /// Exit sites reported hot (`hot_exit`): `(function, pc)` -> (status, count).
    hot_sites: std::collections::HashMap<(String, u32), (u32, u32)>,
    /// The reads each prototype (by address) speculated by default at its last compile
    /// (SPECULATE): a first integer seen at one of them changes the default.
    default_reads: std::collections::HashMap<usize, Vec<u32>>,
    /// The host ISA without Cranelift's mid-end optimizations, for large loop-free
    /// functions (QUICK-COMPILE).
    quick_isa: OwnedTargetIsa,
}

/// Fewest IR instructions of a loop-free function compiled without Cranelift's
/// mid-end (QUICK-COMPILE).
const QUICK_MIN_INSTS: usize = 1500;

/// True when a function of bytecode `code` whose IR has `insts` instructions is
/// compiled without Cranelift's mid-end optimizations (anchor: QUICK-COMPILE): a large
/// function without loops (no numeric or generic for, no backward jump), where the
/// e-graph pass costs most compile time (it grows with the function) and gains little
/// (its wins are loop-invariant code and values recomputed in loops; a loop-free body
/// is mostly table accesses and calls, each run once per call).
fn quick_compile(code: &[moonjet_bytecode::Instruction], insts: usize) -> bool {
    insts >= QUICK_MIN_INSTS && !analysis::has_loop(code)
}

/// The host ISA with the flags the JIT uses, at Cranelift's `opt_level` (`speed`, or
/// `none` for [`Jit::quick_isa`]).
fn host_isa(opt_level: &str) -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(|e| e.to_string());
    set(&mut flags, "opt_level", opt_level)?;
    set(&mut flags, "is_pic", "false")?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    // The translator's output is verified in debug builds (`finish_function`); release
    // builds skip Cranelift's own pass over every function.
    set(
        &mut flags,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    let builder = cranelift_native::builder()?;
    let isa = builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| e.to_string())?;
    if isa.pointer_type() != PTR {
        return Err(String::from("the JIT needs a 64-bit target"));
    }
    Ok(isa)
}

impl Jit {
    /// An engine for the host machine (`Err` if Cranelift does not support it).
    pub fn new() -> Result<Jit, String> {
        let module = Self::new_module()?;
        let ctx = module.make_context();
        Ok(Jit {
            module,
            quick_isa: host_isa("none")?,
            ctx,
            fctx: FunctionBuilderContext::new(),
            verbose: false,
            keep_records: false,
            records: Vec::new(),
            stats: JitStats::default(),
            give_ups: vec![0; reasons::REASONS.len()],
            next_id: 0,
            dump: false,
            retired: Vec::new(),
            module_bytes: 0,
            hot_sites: Default::default(),
            default_reads: Default::default(),
        })
    }

    /// Fresh code memory for the host.
    fn new_module() -> Result<JITModule, String> {
        Ok(JITModule::new(JITBuilder::with_isa(
            host_isa("speed")?,
            default_libcall_names(),
        )))
    }

    /// The signature of compiled code (`JitFn`).
    fn entry_signature(call_conv: CallConv) -> Signature {
        let mut sig = Signature::new(call_conv);
        sig.params.push(AbiParam::new(PTR));
        sig.params.push(AbiParam::new(PTR));
        sig.params.push(AbiParam::new(types::I32));
        sig.returns.push(AbiParam::new(types::I32));
        sig
    }

    /// Translates `req` into `self.ctx.func`; returns what became of each instruction.
    fn translate(&mut self, req: &CompileRequest<'_>) -> Vec<Outcome> {
        let call_conv = self.module.isa().default_call_conv();
        self.ctx.func.signature = Self::entry_signature(call_conv);
        self.ctx.func.name = UserFuncName::user(0, self.next_id);
        let code: &[moonjet_bytecode::Instruction] = &req.proto.code;
        let entries = analysis::entry_points(code);
        let max_stack = req.proto.max_stack as u32;
        // A vararg function's VARARGPREP moves its parameters: none speculated.
        let nparams = if req.proto.is_vararg {
            0
        } else {
            req.proto.num_params as usize
        };
        let sites = callee::call_sites(req.proto);
        let leaves = |st: &[Option<analysis::RegState>]| {
            inline_leaf::leaf_results(code, st, &sites, req.callees)
        };
        let (plan, states) = speculate::speculate_with(
            code,
            req.consts,
            max_stack as usize,
            &entries,
            nparams,
            req.hints,
            &leaves,
        );
        // FLUSH-SLOW: the facts again when some calls store nothing before their
        // in-place path (the types stay; more registers stay unstored).
        let in_place = ops_call::lean_calls(code, &states, &sites, req.callees);
        let states = if in_place.contains(&true) {
            let (spec, ms) = (&plan, max_stack as usize);
            speculate::states_in_place(code, req.consts, ms, &entries, spec, req.hints, &in_place)
        } else {
            states
        };
        let key = req.proto as *const Proto as usize;
        if plan.defaults.is_empty() {
            self.default_reads.remove(&key);
        } else {
            // Entries of freed prototypes are never removed: bound the map (a lost
            // entry only makes a miss correct one read instead of all defaults).
            if self.default_reads.len() >= MAX_DEFAULT_READS {
                self.default_reads.clear();
            }
            self.default_reads.insert(key, plan.defaults.clone());
        }
        let locals: Vec<(u32, u32)> = (req.proto.locals.iter())
            .map(|l| (l.start_pc, l.end_pc))
            .collect();
        let live = analysis::liveness(code, max_stack as usize, &locals);
        let captured = analysis::captured_in(code, &req.proto.protos);
        let regs = regs::RegCache::new(states, captured, live, max_stack as usize);
        // COLD-CODE: entry blocks at pc 0 (a call entering there meets the cold exit,
        // whose count makes the function compile whole) and inside loops only.
        let cold = cold::cold_pcs(code, req.from_loop, req.calls, req.hints);
        // A main chunk with cold code runs once: entries at its loop headers only.
        let main_once = req.proto.line_defined == 0 && cold.contains(&true);
        let heads = analysis::loop_heads(code);
        let native_entries = cold::native_entries(&entries, &cold, main_once, &heads);
        let b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
        let mut t = FunctionTranslator::new(
            b,
            code,
            req.consts,
            max_stack,
            call_conv,
            &native_entries,
            regs,
        );
        t.cold = cold;
        t.calls = sites;
        t.callees = req.callees;
        t.in_place = in_place;
        t.mark_pcs = self.dump;
        t.spec = plan;
        t.fixed_params = (!req.proto.is_vararg).then_some(req.proto.num_params as u32);
        let outcome = t.translate_all(self.module.isa().frontend_config());
        translate::tidy(&mut self.ctx.func);
        outcome
    }

    /// The Cranelift IR of `req` as text (golden tests, dumps); nothing is compiled.
    /// The addresses of string constants (K-ADDR in `translate.rs`), which differ from
    /// run to run, are shown as `K[k]`.
    pub fn ir_text(&mut self, req: &CompileRequest<'_>) -> String {
        self.translate(req);
        let mut text = self.ctx.func.display().to_string();
        self.module.clear_context(&mut self.ctx);
        let helpers = ir::immediates::Imm64::new(translate::helpers_address()).to_string();
        text = text.replace(&helpers, "HELPERS");
        for (k, v) in req.consts.iter().enumerate() {
            if let Value::Str(s) = v {
                let imm = ir::immediates::Imm64::new(s.addr() as i64).to_string();
                text = text.replace(&imm, &format!("K[{k}]"));
                // Its hash too (FIELD-IMM), seeded per state.
                let hash = ir::immediates::Imm64::new(i64::from(s.hash())).to_string();
                text = replace_number(&text, &hash, &format!("hash(K[{k}])"));
            }
        }
        text
    }

    /// Translates and compiles `req`; returns the code and its size.
    fn compile_one(
        &mut self,
        req: &CompileRequest<'_>,
    ) -> Result<(JitFn, Vec<Outcome>, usize), Reason> {
        if req.proto.code.len() > MAX_INSTRUCTIONS || req.proto.code.is_empty() {
            return Err(Reason::TooLarge);
        }
        if self.module_bytes > CODE_CACHE_LIMIT {
            return Err(Reason::CacheFull);
        }
        // The wrappers the code may call (PRESERVING), made at the first compile rather
        // than with the engine: a run that compiles nothing does not pay for them.
        preserving::install().map_err(|_| Reason::Codegen)?;
        let outcome = self.translate(req);
        let ir = self.dump.then(|| self.ctx.func.display().to_string());
        self.ctx.set_disasm(self.dump);
        let quick = quick_compile(&req.proto.code, self.ctx.func.dfg.num_insts());
        let done = self.finish_function(quick);
        if let Some(ir) = ir {
            let asm = self.ctx.compiled_code().and_then(|c| c.vcode.clone());
            report::dump(req.proto, &outcome, &ir, asm.as_deref());
        }
        self.module.clear_context(&mut self.ctx);
        let (id, size) = done?;
        self.module
            .finalize_definitions()
            .map_err(|_| Reason::Codegen)?;
        let ptr = self.module.get_finalized_function(id);
        // SAFETY: `ptr` is the finalized code of a function with the signature of
        // `entry_signature`, the platform's C calling convention, which is `JitFn`'s.
        let f = unsafe { std::mem::transmute::<*const u8, JitFn>(ptr) };
        Ok((f, outcome, size))
    }

    /// Verifies (debug builds), declares and defines `self.ctx.func`, compiled with
    /// [`Self::quick_isa`] when `quick` (QUICK-COMPILE).
    fn finish_function(
        &mut self,
        quick: bool,
    ) -> Result<(cranelift_module::FuncId, usize), Reason> {
        if cfg!(debug_assertions) {
            if let Err(e) = cranelift_codegen::verify_function(&self.ctx.func, self.module.isa()) {
                panic!("JIT produced invalid IR: {e}\n{}", self.ctx.func.display());
            }
        }
        let name = format!("lua_fn_{}", self.next_id);
        self.next_id += 1;
        let sig = self.ctx.func.signature.clone();
        let id = self
            .module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|_| Reason::Codegen)?;
        if quick {
            self.define_quick(id)?;
        } else {
            self.module
                .define_function(id, &mut self.ctx)
                .map_err(|_| Reason::Codegen)?;
        }
        let size = self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_info().total_size as usize);
        Ok((id, size))
    }

    /// Compiles `self.ctx.func` with [`Self::quick_isa`] and defines function `id` as
    /// the bytes (what `define_function` does with the module's own ISA).
    fn define_quick(&mut self, id: cranelift_module::FuncId) -> Result<(), Reason> {
        let mut plane = cranelift_codegen::control::ControlPlane::default();
        self.ctx
            .compile(&*self.quick_isa, &mut plane)
            .map_err(|_| Reason::Codegen)?;
        let code = self.ctx.compiled_code().ok_or(Reason::Codegen)?;
        let isa = self.module.isa();
        let align = (code.buffer.alignment as u64)
            .max(isa.function_alignment().minimum as u64)
            .max(isa.symbol_alignment());
        let relocs: Vec<_> = (code.buffer.relocs().iter())
            .map(|r| cranelift_module::ModuleReloc::from_mach_reloc(r, &self.ctx.func, id))
            .collect();
        let bytes = code.code_buffer().to_vec();
        self.module
            .define_function_bytes(id, align, &bytes, &relocs)
            .map_err(|_| Reason::Codegen)
    }

    /// The correction of a speculation that failed at a hot site (the guard after the
    /// read at `exit_pc - 1` exits at `exit_pc`): an integer where a float was
    /// speculated is speculated next, at every read speculated by default if this one
    /// was (values in one function tend to be alike); a float where an integer was is
    /// speculated next, for good; any other miss drops the read's speculation. So a
    /// function is compiled again a bounded number of times (SPECULATE in
    /// `speculate.rs`).
    fn respecialize(&self, proto: &Proto, status: u32, exit_pc: u32) -> Option<SpecHint> {
        if status == Reason::Cold.status() {
            // COLD-CODE turned hot: the function is compiled whole.
            return Some(SpecHint {
                pc: cold::WARM,
                ty: tags::NIL,
            });
        }
        if status == Reason::LoopTable.status() {
            // A loop's table check missed (LOOP-TABLES): no loop assumes tables next.
            return Some(SpecHint {
                pc: crate::analysis::NO_LOOP_TABLES,
                ty: tags::NIL,
            });
        }
        if status == Reason::SpecParam.status() {
            // A parameter guard at pc 0 missed: no parameter is speculated next.
            return Some(SpecHint {
                pc: speculate::PARAMS,
                ty: tags::NIL,
            });
        }
        let pc = exit_pc.checked_sub(1)?;
        let key = proto as *const Proto as usize;
        let by_default = self
            .default_reads
            .get(&key)
            .is_some_and(|d| d.contains(&pc));
        if status == Reason::SpecInt.status() {
            let pc = if by_default { speculate::ALL_READS } else { pc };
            Some(SpecHint { pc, ty: tags::INT })
        } else if status == Reason::SpecFloat.status() {
            Some(SpecHint {
                pc,
                ty: tags::FLOAT,
            })
        } else if status == Reason::SpecType.status() {
            Some(SpecHint { pc, ty: tags::NIL })
        } else {
            None
        }
    }

    /// `source:line` of a prototype.
    fn name_of(p: &Proto) -> String {
        format!(
            "{}:{}",
            moonjet_bytecode::chunkid::short_src(&p.source),
            p.line_defined
        )
    }

    /// Give-ups by reason (name, count), for reports.
    pub fn give_ups(&self) -> Vec<(&'static str, u64)> {
        let rows = reasons::REASONS.iter().zip(&self.give_ups);
        rows.filter(|(r, n)| r.kind == Kind::GiveUp && **n > 0)
            .map(|(r, n)| (r.name, *n))
            .collect()
    }

    /// Updates the counters after a successful compile and reports it with `-jv`.
    fn note_compiled(
        &mut self,
        name: String,
        req: &CompileRequest<'_>,
        outcome: Vec<Outcome>,
        size: usize,
        nanos: u64,
    ) {
        let native = outcome.iter().filter(|o| **o == Outcome::Native).count();
        self.stats.compiled += 1;
        self.stats.code_bytes += size as u64;
        self.module_bytes += size as u64;
        self.stats.compile_nanos += nanos;
        self.stats.native_instrs += native as u64;
        self.stats.exit_instrs += (outcome.len() - native) as u64;
        if self.verbose {
            eprintln!(
                "[jit] compiled {name}: {} instructions, {native} native, {size} bytes, {} us",
                outcome.len(),
                nanos / 1000
            );
        }
        if self.keep_records {
            let ops = req.proto.code.iter().map(|i| i.opcode()).collect();
            self.records.push(Record { name, ops, outcome });
        }
    }
}

impl JitEngine for Jit {
    fn compile(&mut self, req: &CompileRequest<'_>) -> Result<JitFn, String> {
        let start = Instant::now();
        let name = Self::name_of(req.proto);
        match self.compile_one(req) {
            Ok((f, outcome, size)) => {
                let nanos = start.elapsed().as_nanos() as u64;
                self.note_compiled(name, req, outcome, size, nanos);
                Ok(f)
            }
            Err(r) => {
                self.stats.gave_up += 1;
                self.stats.compile_nanos += start.elapsed().as_nanos() as u64;
                if let Some(n) = self.give_ups.get_mut(r as usize) {
                    *n += 1;
                }
                let msg = format!("{name}: {}", r.info().message);
                if self.verbose {
                    eprintln!("[jit] gave up {msg}");
                }
                Err(msg)
            }
        }
    }

    fn reason(&self, status: u32) -> (&'static str, &'static str) {
        reasons::by_status(status).map_or(("?", "unknown status"), |r| (r.name, r.message))
    }

    fn hot_exit(
        &mut self,
        proto: &Proto,
        pc: u32,
        status: u32,
        count: u32,
        entries: u32,
    ) -> ExitVerdict {
        let Some(r) = reasons::by_status(status) else {
            return ExitVerdict::Keep;
        };
        let name = Self::name_of(proto);
        self.hot_sites.insert((name.clone(), pc), (status, count));
        let line = proto.line_at(pc as usize).unwrap_or(0);
        let src = moonjet_bytecode::chunkid::short_src(&proto.source);
        if self.verbose && r.kind == Kind::Guard {
            eprintln!(
                "[jit] hot exit {src}:{line} (pc {pc}): {} taken {count} times: {}",
                r.name, r.message
            );
        }
        if let Some(h) = self.respecialize(proto, status, pc) {
            self.stats.respecialized += 1;
            if self.verbose {
                eprintln!(
                    "[jit] respecializing {name}: {} at {src}:{line} (pc {pc}) taken {count} times; compiled again speculating {} {}",
                    r.name,
                    speculate::hint_name(h.ty),
                    match h.pc {
                        speculate::ALL_READS => "at every read without evidence",
                        speculate::PARAMS => "for the parameters",
                        cold::WARM => "with its code outside loops compiled too",
                        crate::analysis::NO_LOOP_TABLES => "with no loop assuming tables",
                        _ => "there",
                    }
                );
            }
            return ExitVerdict::Respecialize(h);
        }
        // A guard failing on at least half of the entries: the instruction's operands
        // are not what compiled code handles (strings, metamethods), so every pass
        // pays an exit and a re-entry for little native work. Stay interpreted.
        let keeps_failing = r.kind == Kind::Guard && (count as u64) * 2 >= entries as u64;
        // Yields ending at least half of the entries after a short pass
        // (YIELD-BLACKLIST in `yields.rs`): each pass pays an unwind and a re-entry.
        let keeps_yielding = status == Reason::Unwind.status()
            && (count as u64) * 2 >= entries as u64
            && yields::yields_from_flat_loop(&proto.code, pc as usize);
        if keeps_yielding {
            self.stats.blacklisted += 1;
            if self.verbose {
                eprintln!(
                    "[jit] blacklisted {name}: a yield at {src}:{line} (pc {pc}) ended {count} of {entries} entries after a short pass; the function stays interpreted"
                );
            }
            return ExitVerdict::Blacklist;
        }
        if !keeps_failing {
            return ExitVerdict::Keep;
        }
        self.stats.blacklisted += 1;
        if self.verbose {
            eprintln!(
                "[jit] blacklisted {name}: {} at {src}:{line} (pc {pc}) failed {count} of {entries} entries; the function stays interpreted",
                r.name
            );
        }
        ExitVerdict::Blacklist
    }

    fn flush(&mut self, in_use: bool) {
        self.records.clear();
        self.hot_sites.clear();
        self.default_reads.clear();
        let Ok(fresh) = Self::new_module() else {
            return;
        };
        let old = std::mem::replace(&mut self.module, fresh);
        self.module_bytes = 0;
        self.retired.push(old);
        if !in_use {
            self.release();
        }
    }

    fn release(&mut self) {
        for m in self.retired.drain(..) {
            // SAFETY: the interpreter calls `release` only when no compiled code runs,
            // and after a flush it no longer calls code of older generations (every
            // prototype's slot is stale), so no pointer into `m` is used again.
            unsafe { m.free_memory() };
        }
    }

    fn summary(&self, exits: &[u64]) -> String {
        report::summary(&self.stats, &self.give_ups(), exits, &self.hot_sites)
    }

    fn set_dump(&mut self, on: bool) {
        self.dump = on;
    }

    fn stats(&self) -> JitStats {
        self.stats
    }

    fn set_verbose(&mut self, on: bool) {
        self.verbose = on;
    }

    fn version(&self) -> &'static str {
        concat!(
            "Moonjet JIT ",
            env!("CARGO_PKG_VERSION"),
            " (Cranelift 0.135)"
        )
    }

    fn arch(&self) -> &'static str {
        std::env::consts::ARCH
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for Jit {
    fn drop(&mut self) {
        if self.verbose {
            let s = self.stats;
            eprintln!(
                "[jit] summary: {} compiled, {} gave up, {} bytes of code, {:.3} ms compiling",
                s.compiled,
                s.gave_up,
                s.code_bytes,
                s.compile_nanos as f64 / 1e6
            );
        }
    }
}

/// `text` with every whole occurrence of the number `num` (not followed by another
/// digit or digit separator, as in the IR's `0x7a62_86b4`) replaced by `by`.
fn replace_number(text: &str, num: &str, by: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(num) {
        let end = at + num.len();
        let whole = !rest[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_hexdigit() || c == '_');
        let before_ok = !rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if whole && before_ok { by } else { num });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod short_leaf_tests {
    use super::Jit;
    use moonjet_interp::Lua;

    /// A state with the libraries whose JIT compiles everything at its first use.
    fn jit_state() -> Lua {
        let mut l = Lua::new();
        l.set_compiler(|src, name| moonjet_compiler::compile(src, name).map_err(|e| e.message));
        moonjet_interp::stdlib::open_libs(&mut l);
        l.jit.install(Box::new(Jit::new().expect("host supported")));
        l.jit.hotcall = 1;
        l.jit.hotloop = 1;
        l
    }

    /// SHORT-LEAF (`interp/src/jit_iface/call.rs`): a short leaf called from interpreted
    /// code (here by `table.sort`, a native function) stays interpreted and is counted;
    /// compiled callers still call its code natively; the results are the interpreter's.
    #[test]
    fn short_leaves_run_interpreted_from_the_interpreter_only() {
        let mut l = jit_state();
        let src = "local less = function(a, b) return a > b end \
                   local t = {} for i = 1, 50 do t[i] = (i * 7) % 50 end \
                   table.sort(t, less) \
                   local n = 0 for i = 1, 50 do if less(i, 25) then n = n + 1 end end \
                   return t[1], t[50], n";
        let f = l.load(src.as_bytes(), b"=leaf", "t", None).expect("loads");
        let before = l.jit.native_calls;
        let out = l.call_value(f, &[]).expect("runs");
        let ints: Vec<i64> = out.iter().filter_map(|v| v.as_int()).collect();
        assert_eq!(ints, vec![49, 0, 25]);
        assert!(
            l.jit.leaf_entries > 0,
            "sort's comparator calls were entered"
        );
        // The loop's 50 calls of `less` are native calls of its compiled code.
        assert!(l.jit.native_calls - before >= 50, "{}", l.jit.native_calls);
    }
}
