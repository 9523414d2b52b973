//! The measurement loop: for one program, warm-up and timed rounds that
//! alternate the engines (A B A B ...), with every run's output checked.

use std::time::Duration;

use serde::Serialize;

use crate::engine::Engine;
use crate::exec::{self, Outcome, SpawnError};
use crate::stats;
use crate::suite::Program;

/// How many runs and how long each may take.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Untimed runs per engine before the timed ones.
    pub warmup: usize,
    /// Timed runs per engine.
    pub runs: usize,
    /// Per-run time limit.
    pub timeout: Duration,
    /// Use the programs' quick sizes.
    pub quick: bool,
}

impl Plan {
    /// Runs per engine and program, warm-up included.
    pub fn rounds(&self) -> usize {
        self.warmup + self.runs
    }
}

/// The state of an engine on a program.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every run so far succeeded with the expected output.
    Ok,
    /// The engine's program does not exist.
    Missing(String),
    /// It exited non-zero, died from a signal or could not be started.
    Crashed(String),
    /// It ran longer than the limit (seconds) and was killed.
    Timeout(f64),
    /// It exited 0 but printed something other than the reference output.
    WrongOutput(String),
}

impl Verdict {
    /// The table cell text for this verdict.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Missing(_) => "missing",
            Verdict::Crashed(_) => "crashed",
            Verdict::Timeout(_) => "timeout",
            Verdict::WrongOutput(_) => "wrong output",
        }
    }

    /// A one-line explanation, empty for Ok.
    pub fn detail(&self) -> String {
        match self {
            Verdict::Ok => String::new(),
            Verdict::Missing(d) | Verdict::Crashed(d) | Verdict::WrongOutput(d) => d.clone(),
            Verdict::Timeout(s) => format!("killed after {s:.1} s"),
        }
    }
}

/// One process run, as recorded in the JSON file.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// 0-based round number (warm-up rounds first).
    pub round: usize,
    /// True for a warm-up run (not used in statistics).
    pub warmup: bool,
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// Peak RSS in KiB.
    pub max_rss_kib: u64,
    /// How the process ended ("exit 0", "signal 9").
    pub exit: String,
    /// The verdict label for this run.
    pub verdict: &'static str,
}

/// Everything about one engine on one program.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Engine name.
    pub engine: String,
    /// Final verdict (the first failure, if any).
    pub verdict: Verdict,
    /// Every run made.
    pub runs: Vec<Run>,
}

impl Cell {
    /// Wall times of the timed (non-warm-up) runs.
    pub fn times(&self) -> Vec<f64> {
        self.runs
            .iter()
            .filter(|r| !r.warmup)
            .map(|r| r.wall_s)
            .collect()
    }

    /// Median wall time of the timed runs, if the cell is ok.
    pub fn median(&self) -> Option<f64> {
        self.ok().then(|| stats::median(&self.times())).flatten()
    }

    /// Fastest and slowest timed run, if the cell is ok.
    pub fn min_max(&self) -> Option<(f64, f64)> {
        self.ok().then(|| stats::min_max(&self.times())).flatten()
    }

    /// Largest peak RSS (KiB) over the timed runs, if the cell is ok.
    pub fn peak_kib(&self) -> Option<u64> {
        self.ok().then(|| {
            self.runs
                .iter()
                .filter(|r| !r.warmup)
                .map(|r| r.max_rss_kib)
                .max()
        })?
    }

    /// True when every run succeeded.
    pub fn ok(&self) -> bool {
        self.verdict == Verdict::Ok
    }
}

/// All engines' results for one program.
#[derive(Debug, Clone)]
pub struct ProgramResult {
    /// Program name.
    pub program: String,
    /// Size argument passed, if any.
    pub size: Option<String>,
    /// Summary groups of the program (its header's `groups:`).
    pub groups: Vec<String>,
    /// One cell per engine, in engine order (baseline first).
    pub cells: Vec<Cell>,
}

/// Receives progress while a program is measured.
pub trait Observer {
    /// A run is about to start.
    fn step(&self, program: &str, engine: &str, round: usize, rounds: usize);
    /// A run finished, or `n` planned runs will not happen.
    fn advance(&self, n: u64);
    /// Something went wrong and the user must hear about it.
    fn warn(&self, message: &str);
}

/// Measure one program under every engine.
pub fn measure(
    program: &Program,
    engines: &[Engine],
    plan: &Plan,
    obs: &dyn Observer,
) -> ProgramResult {
    let size = program.size(plan.quick).map(str::to_string);
    let mut reference: Option<Vec<u8>> =
        program.expected(plan.quick).map(|s| s.as_bytes().to_vec());
    let mut cells: Vec<Cell> = engines
        .iter()
        .map(|e| Cell {
            engine: e.name.clone(),
            verdict: e.missing.clone().map_or(Verdict::Ok, Verdict::Missing),
            runs: Vec::new(),
        })
        .collect();
    // Engines known to be missing are reported once by the caller, not per program.
    let missing = cells.iter().filter(|c| !c.ok()).count();
    obs.advance((missing * plan.rounds()) as u64);
    for round in 0..plan.rounds() {
        for (engine, cell) in engines.iter().zip(cells.iter_mut()) {
            if !cell.ok() {
                continue;
            }
            obs.step(&program.name, &engine.name, round, plan.rounds());
            let argv = command(engine, program, size.as_deref());
            let verdict = run_once(&argv, round, plan, &mut reference, cell);
            obs.advance(1);
            if verdict != Verdict::Ok {
                obs.advance((plan.rounds() - round - 1) as u64);
                obs.warn(&format!(
                    "{} / {}: {}: {}",
                    program.name,
                    engine.name,
                    verdict.label().to_uppercase(),
                    verdict.detail()
                ));
                cell.verdict = verdict;
            }
        }
    }
    ProgramResult {
        program: program.name.clone(),
        size,
        groups: program.header.groups.clone(),
        cells,
    }
}

/// The full command line for one run.
fn command(engine: &Engine, program: &Program, size: Option<&str>) -> Vec<String> {
    let mut argv = engine.argv.clone();
    argv.push(program.path.to_string_lossy().into_owned());
    argv.extend(size.map(str::to_string));
    argv
}

/// Run once, record the run in `cell`, and judge it; the first successful
/// output becomes the reference when none is known yet.
fn run_once(
    argv: &[String],
    round: usize,
    plan: &Plan,
    reference: &mut Option<Vec<u8>>,
    cell: &mut Cell,
) -> Verdict {
    let outcome = match exec::run(argv, plan.timeout) {
        Ok(o) => o,
        Err(SpawnError::NotFound(p)) => return Verdict::Missing(format!("{p}: not found")),
        Err(e) => return Verdict::Crashed(e.to_string()),
    };
    let verdict = judge(&outcome, reference.as_deref(), plan.timeout);
    if verdict == Verdict::Ok && reference.is_none() {
        *reference = Some(outcome.stdout.clone());
    }
    cell.runs.push(Run {
        round,
        warmup: round < plan.warmup,
        wall_s: outcome.wall.as_secs_f64(),
        max_rss_kib: outcome.max_rss_kib,
        exit: outcome.exit.describe(),
        verdict: verdict.label(),
    });
    verdict
}

/// Judge a finished run against the reference output (None: any output is accepted).
pub fn judge(outcome: &Outcome, reference: Option<&[u8]>, timeout: Duration) -> Verdict {
    if outcome.timed_out {
        return Verdict::Timeout(timeout.as_secs_f64());
    }
    if !outcome.exit.success() {
        let why = first_line(&outcome.stderr);
        let sep = if why.is_empty() { "" } else { ": " };
        return Verdict::Crashed(format!("{}{sep}{why}", outcome.exit.describe()));
    }
    match reference {
        Some(r) if r != outcome.stdout.as_slice() => {
            Verdict::WrongOutput(first_difference(r, &outcome.stdout))
        }
        _ => Verdict::Ok,
    }
}

/// The first non-empty line of `bytes`, shortened for a table note.
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    shorten(
        text.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim(),
    )
}

/// Describe where `got` first differs from `expected`, line by line.
pub fn first_difference(expected: &[u8], got: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let got = String::from_utf8_lossy(got);
    let (mut e, mut g) = (expected.split('\n'), got.split('\n'));
    for line in 1.. {
        match (e.next(), g.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => {
                return format!(
                    "line {line}: expected {:?}, got {:?}",
                    shorten(a),
                    shorten(b)
                );
            }
            (Some(a), None) => {
                return format!("line {line}: expected {:?}, got end of output", shorten(a))
            }
            (None, Some(b)) => {
                return format!("line {line}: unexpected extra output {:?}", shorten(b))
            }
            (None, None) => break,
        }
    }
    "outputs differ".to_string()
}

/// At most 120 characters of `s`.
fn shorten(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push_str("...");
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::Exit;
    use crate::suite::Header;
    use std::cell::RefCell;
    use std::path::PathBuf;

    /// An outcome with the given exit and stdout.
    fn outcome(exit: Exit, stdout: &str, timed_out: bool) -> Outcome {
        Outcome {
            wall: Duration::from_millis(10),
            max_rss_kib: 100,
            exit,
            timed_out,
            stdout: stdout.as_bytes().to_vec(),
            stderr: b"\nlua: x.lua:1: boom\nstack traceback:\n".to_vec(),
        }
    }

    #[test]
    fn judging_outputs() {
        let t = Duration::from_secs(3);
        assert_eq!(
            judge(&outcome(Exit::Code(0), "42\n", false), Some(b"42\n"), t),
            Verdict::Ok
        );
        assert_eq!(
            judge(&outcome(Exit::Code(0), "42\n", false), None, t),
            Verdict::Ok
        );
        assert_eq!(
            judge(&outcome(Exit::Code(0), "41\n", false), Some(b"42\n"), t),
            Verdict::WrongOutput("line 1: expected \"42\", got \"41\"".into())
        );
        assert_eq!(
            judge(&outcome(Exit::Code(1), "42\n", false), Some(b"42\n"), t),
            Verdict::Crashed("exit 1: lua: x.lua:1: boom".into())
        );
        assert_eq!(
            judge(&outcome(Exit::Signal(9), "", true), None, t),
            Verdict::Timeout(3.0)
        );
        assert_eq!(
            judge(&outcome(Exit::Signal(11), "", false), None, t).label(),
            "crashed"
        );
    }

    #[test]
    fn differences_are_located() {
        assert_eq!(
            first_difference(b"a\nb\n", b"a\nc\n"),
            "line 2: expected \"b\", got \"c\""
        );
        assert_eq!(
            first_difference(b"a\nb\n", b"a\n"),
            "line 2: expected \"b\", got \"\""
        );
        assert_eq!(
            first_difference(b"a\n", b"a\nb\n"),
            "line 2: expected \"\", got \"b\""
        );
        assert_eq!(
            first_difference(b"a", b"a\n"),
            "line 2: unexpected extra output \"\""
        );
        assert_eq!(
            first_difference(b"a\nb", b"a"),
            "line 2: expected \"b\", got end of output"
        );
    }

    /// An observer that records warnings and counts progress.
    #[derive(Default)]
    struct Recorder {
        warnings: RefCell<Vec<String>>,
        done: RefCell<u64>,
    }

    impl Observer for Recorder {
        fn step(&self, _: &str, _: &str, _: usize, _: usize) {}
        fn advance(&self, n: u64) {
            *self.done.borrow_mut() += n;
        }
        fn warn(&self, message: &str) {
            self.warnings.borrow_mut().push(message.to_string());
        }
    }

    /// A shell engine: the script path and size are passed as $0 and $1.
    fn sh_engine(name: &str, script: &str) -> Engine {
        Engine::new(name, vec!["sh".into(), "-c".into(), script.into()])
    }

    #[test]
    fn bad_engines_get_clear_cells_and_the_run_carries_on() {
        let program = Program {
            name: "p".into(),
            path: PathBuf::from("p.lua"),
            header: Header {
                quick: Some("7".into()),
                ..Header::default()
            },
        };
        let engines = vec![
            sh_engine("good", "echo size=$1"),
            sh_engine("wrong", "echo size=0"),
            sh_engine("crash", "echo oops >&2; exit 2"),
            sh_engine("slow", "sleep 30"),
            Engine::new("gone", vec!["/nonexistent/lua".into()]),
            sh_engine("good2", "echo size=$1"),
        ];
        let plan = Plan {
            warmup: 1,
            runs: 2,
            timeout: Duration::from_millis(300),
            quick: true,
        };
        let obs = Recorder::default();
        let result = measure(&program, &engines, &plan, &obs);
        let labels: Vec<_> = result.cells.iter().map(|c| c.verdict.label()).collect();
        assert_eq!(
            labels,
            vec!["ok", "wrong output", "crashed", "timeout", "missing", "ok"]
        );
        assert_eq!(result.size.as_deref(), Some("7"));
        assert_eq!(result.cells[0].times().len(), 2);
        assert_eq!(result.cells[0].runs.len(), 3);
        assert!(result.cells[0].median().is_some());
        assert_eq!(result.cells[2].verdict.detail(), "exit 2: oops");
        assert_eq!(
            result.cells[3].runs.len(),
            1,
            "a timed-out engine is not run again"
        );
        assert_eq!(
            *obs.done.borrow(),
            6 * 3,
            "progress accounts for every planned run"
        );
        assert_eq!(obs.warnings.borrow().len(), 3);
    }

    #[test]
    fn declared_expectation_overrides_the_baseline() {
        let program = Program {
            name: "p".into(),
            path: PathBuf::from("p.lua"),
            header: Header {
                quick: None,
                expect: Some("right\n".into()),
                ..Header::default()
            },
        };
        let engines = vec![
            sh_engine("base", "echo wrong"),
            sh_engine("other", "echo right"),
        ];
        let plan = Plan {
            warmup: 0,
            runs: 1,
            timeout: Duration::from_secs(10),
            quick: false,
        };
        let result = measure(&program, &engines, &plan, &Recorder::default());
        assert_eq!(result.cells[0].verdict.label(), "wrong output");
        assert!(result.cells[1].ok());
    }
}
