//! What the engine tells a user: `-jdump` (bytecode, Cranelift IR and machine code of
//! each compiled function) and the `-jstats` summary.

use std::collections::HashMap;
use std::fmt::Write;

use moonjet_bytecode::Proto;
use moonjet_interp::jit_iface::JitStats;

use crate::reasons::{self, Kind};
use crate::translate::Outcome;

/// A hot exit site: (function, pc) and (status, count).
type HotSite<'a> = (&'a (String, u32), &'a (u32, u32));

/// Sites listed in the summary.
const TOP_SITES: usize = 10;

/// Writes one compiled function to stderr: its bytecode (with what became of each
/// instruction), its Cranelift IR and its machine code.
pub fn dump(proto: &Proto, outcome: &[Outcome], ir: &str, asm: Option<&str>) {
    let mut out = String::new();
    let mut shallow = proto.clone();
    shallow.protos.clear();
    let mut listing = String::new();
    moonjet_bytecode::listing::list(&shallow, &mut listing);
    let _ = writeln!(out, "---- jit dump: bytecode");
    out.push_str(&listing);
    let fallbacks: Vec<String> = outcome
        .iter()
        .enumerate()
        .filter_map(|(pc, o)| match o {
            Outcome::Native => None,
            Outcome::Fallback(r) => Some(format!("{pc}:{}", r.info().name)),
        })
        .collect();
    let _ = writeln!(out, "---- not native: {}", fallbacks.join(" "));
    let _ = writeln!(out, "---- jit dump: Cranelift IR\n{ir}");
    let _ = writeln!(
        out,
        "---- jit dump: machine code\n{}",
        asm.unwrap_or("(not available)")
    );
    eprint!("{out}");
}

/// The `-jstats` text: counters, give-ups, exits by reason, the hottest exit sites.
pub fn summary(
    s: &JitStats,
    give_ups: &[(&'static str, u64)],
    exits: &[u64],
    sites: &HashMap<(String, u32), (u32, u32)>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "[jit] {} compiled, {} gave up, {} blacklisted, {} respecialized, {} bytes of code, {:.3} ms compiling",
        s.compiled,
        s.gave_up,
        s.blacklisted,
        s.respecialized,
        s.code_bytes,
        s.compile_nanos as f64 / 1e6
    );
    let _ = writeln!(
        out,
        "[jit] instructions: {} native, {} left to the interpreter",
        s.native_instrs, s.exit_instrs
    );
    for (name, n) in give_ups {
        let _ = writeln!(out, "[jit] gave up {n}x: {name}");
    }
    let mut by_reason: Vec<(u64, &str, Kind)> = exits
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .filter_map(|(i, n)| reasons::by_status(i as u32).map(|r| (*n, r.name, r.kind)))
        .collect();
    by_reason.sort_by_key(|r| std::cmp::Reverse(r.0));
    let line: Vec<String> = by_reason
        .iter()
        .map(|(n, name, _)| format!("{name} {n}"))
        .collect();
    let _ = writeln!(out, "[jit] exits by reason: {}", line.join(", "));
    let mut hot: Vec<HotSite<'_>> = sites.iter().collect();
    hot.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then_with(|| a.0.cmp(b.0)));
    for ((name, pc), (status, count)) in hot.into_iter().take(TOP_SITES) {
        let reason = reasons::by_status(*status).map_or("?", |r| r.name);
        let _ = writeln!(
            out,
            "[jit] hot exit site {name} pc {pc}: {reason}, >= {count}"
        );
    }
    out
}
