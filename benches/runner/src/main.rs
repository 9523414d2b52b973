//! moonjet-bench: runs the Lua programs in `benches/` under moonjet (interpreter
//! and JIT) and any other Lua engines, checks that all printed the same output,
//! and reports medians, ratios and geomeans as a markdown table, a JSON file with
//! every raw run and an SVG chart.

mod chart;
mod engine;
mod exec;
mod measure;
mod report;
mod stats;
mod suite;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use engine::EngineOptions;
use measure::{Observer, Plan};
use report::Summary;

/// Default number of timed runs per engine and program.
const DEFAULT_RUNS: usize = 5;
/// Default per-run time limit in seconds (full sizes, and `--quick`).
const DEFAULT_TIMEOUT: (f64, f64) = (60.0, 20.0);

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    name = "moonjet-bench",
    version,
    about = "Run the Lua benchmark suite under several engines"
)]
struct Args {
    /// Programs to run (file names without .lua); all when none are given.
    programs: Vec<String>,
    /// Add or replace an engine: NAME=COMMAND (the command is split on spaces).
    #[arg(long = "engine", value_name = "NAME=COMMAND")]
    engines: Vec<String>,
    /// Run only the named engine(s).
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// Engine the ratios are relative to (default: lua5.4 if found, else moonjet-interp).
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// Timed runs per engine and program (default 5; 1 with --quick).
    #[arg(long, value_name = "N")]
    runs: Option<usize>,
    /// Smoke pass: each program's quick size, one run, no warm-up.
    #[arg(long)]
    quick: bool,
    /// Per-run time limit in seconds (default 60; 20 with --quick).
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// Directory for results.md, results.json and ratios.svg.
    #[arg(long, value_name = "DIR", default_value = "bench-results")]
    out: PathBuf,
    /// The moonjet binary (default: target/release/moonjet in the workspace).
    #[arg(long, value_name = "PATH")]
    moonjet: Option<PathBuf>,
    /// Directory holding the .lua programs (default: the workspace's benches/).
    #[arg(long, value_name = "DIR")]
    suite: Option<PathBuf>,
    /// Run only the programs of this group (header `groups:`; repeatable).
    #[arg(long, value_name = "NAME")]
    group: Vec<String>,
    /// Exit with status 1 when any cell is not ok.
    #[arg(long)]
    strict: bool,
}

/// Entry point: errors in the setup exit with status 2.
fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("moonjet-bench: {message}");
            ExitCode::from(2)
        }
    }
}

/// The workspace's `benches/` directory (this crate lives in benches/runner).
fn benches_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    dir.canonicalize().unwrap_or(dir)
}

/// Validate the options into a run plan.
fn plan(args: &Args) -> Result<Plan, String> {
    let runs = args
        .runs
        .unwrap_or(if args.quick { 1 } else { DEFAULT_RUNS });
    if runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    let secs = args.timeout.unwrap_or(if args.quick {
        DEFAULT_TIMEOUT.1
    } else {
        DEFAULT_TIMEOUT.0
    });
    let timeout = Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("--timeout {secs}: must be a positive number of seconds"))?;
    Ok(Plan {
        warmup: usize::from(!args.quick),
        runs,
        timeout,
        quick: args.quick,
    })
}

/// Run the whole suite and write the reports.
fn run(args: Args) -> Result<ExitCode, String> {
    let plan = plan(&args)?;
    let bench_dir = benches_dir();
    let mut programs = suite::load(args.suite.as_deref().unwrap_or(&bench_dir), &args.programs)?;
    if !args.group.is_empty() {
        programs.retain(|p| p.header.groups.iter().any(|g| args.group.contains(g)));
        if programs.is_empty() {
            return Err(format!("no program in group(s) {}", args.group.join(", ")));
        }
    }
    let workspace = bench_dir.parent().unwrap_or(&bench_dir);
    let moonjet = args
        .moonjet
        .clone()
        .unwrap_or_else(|| workspace.join("target/release/moonjet"));
    let opts = EngineOptions {
        moonjet,
        specs: args.engines.clone(),
        only: args.only.clone(),
        baseline: args.baseline.clone(),
    };
    let (engines, baseline) = engine::select(&opts)?;
    eprintln!(
        "moonjet-bench: {} programs x {} engines ({}), baseline {baseline}, {} run(s) each",
        programs.len(),
        engines.len(),
        engines
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        plan.runs
    );
    for e in &engines {
        if let Some(why) = &e.missing {
            eprintln!(
                "!! engine {} is missing ({why}); its cells will say \"missing\"",
                e.name
            );
        }
    }

    let progress = Progress::new((programs.len() * engines.len() * plan.rounds()) as u64);
    let results: Vec<_> = programs
        .iter()
        .map(|p| measure::measure(p, &engines, &plan, &progress))
        .collect();
    progress.bar.finish_and_clear();

    let summary = Summary::new(&engines, &results);
    let table = report::markdown_table(&summary);
    println!("{table}");
    fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let md = report::markdown_report(&summary, &engines, &results, &plan);
    write(&args.out.join("results.md"), md.as_bytes())?;
    let json = serde_json::to_vec_pretty(&report::json_report(&summary, &engines, &results, &plan))
        .map_err(|e| format!("results.json: {e}"))?;
    write(&args.out.join("results.json"), &json)?;
    chart::write_svg(&summary, &args.out.join("ratios.svg"))?;

    let failures = results
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| !c.ok())
        .count();
    if failures > 0 {
        eprintln!(
            "moonjet-bench: {failures} cell(s) failed; see Problems in {}",
            args.out.join("results.md").display()
        );
    }
    eprintln!(
        "moonjet-bench: wrote results.md, results.json and ratios.svg to {}",
        args.out.display()
    );
    Ok(if args.strict && failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Write a file, with the path in the error.
fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The terminal progress bar (hidden when stderr is not a terminal).
struct Progress {
    /// The indicatif bar.
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` runs.
    fn new(total: u64) -> Progress {
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress { bar }
    }
}

impl Observer for Progress {
    fn step(&self, program: &str, engine: &str, round: usize, rounds: usize) {
        self.bar
            .set_message(format!("{program} / {engine} ({}/{rounds})", round + 1));
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn warn(&self, message: &str) {
        self.bar.suspend(|| eprintln!("!! {message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_defaults_and_validation() {
        let args = Args::parse_from(["moonjet-bench"]);
        let p = plan(&args).unwrap();
        assert_eq!((p.warmup, p.runs, p.quick), (1, 5, false));
        assert_eq!(p.timeout, Duration::from_secs(60));
        let args = Args::parse_from(["moonjet-bench", "--quick"]);
        let p = plan(&args).unwrap();
        assert_eq!((p.warmup, p.runs, p.quick), (0, 1, true));
        let args = Args::parse_from(["moonjet-bench", "--runs", "0"]);
        assert!(plan(&args).is_err());
        let args = Args::parse_from(["moonjet-bench", "--timeout=-1"]);
        assert!(plan(&args).is_err());
        let args = Args::parse_from(["moonjet-bench", "--timeout", "0"]);
        assert!(plan(&args).is_err());
    }

    #[test]
    fn options_parse() {
        let args = Args::parse_from([
            "moonjet-bench",
            "--engine",
            "lua5.4=lua5.4",
            "--engine",
            "jit=luajit -O3",
            "--only",
            "jit",
            "--baseline",
            "jit",
            "fib",
            "sort",
        ]);
        assert_eq!(args.engines, vec!["lua5.4=lua5.4", "jit=luajit -O3"]);
        assert_eq!(args.programs, vec!["fib", "sort"]);
        assert_eq!(args.baseline.as_deref(), Some("jit"));
    }
}
