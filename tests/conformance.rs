//! Conformance corpus runner: runs the Lua scripts under `tests/` against the
//! `moonjet` binary (and against the reference `lua5.4` where one is needed).
//!
//! Folders:
//! - `tests/lua/`      assert scripts: exit 0 with empty stderr, in every mode.
//! - `tests/diff/`     output programs: stdout and exit status equal to `lua5.4`.
//! - `tests/errors/`   malformed programs: exit 1, first stderr line equals `<name>.expected`.
//! - `tests/wishlist/` known gaps: run and reported, never fail the build.
//!
//! `MOONJET_BIN` overrides the binary under test (handy to check the harness
//! itself against a wrapper around the reference interpreter).

// Each test crate uses a part of the shared helpers.
#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use common::{moonjet, need_reference, Outcome, REFERENCE};

/// Longest a single script may run before it is killed and reported as "timeout".
const TIMEOUT: Duration = Duration::from_secs(60);

/// Worker threads running scripts in parallel.
const THREADS: usize = 2;

/// Execution modes every assert script runs in: interpreter only, and JIT at first call.
const MODES: [&[&str]; 2] = [&["-joff"], &["-Ohotcall=1", "-Ohotloop=1"]];

// ---------------------------------------------------------------------------
// Running one script
// ---------------------------------------------------------------------------

/// Runs `program args script` in the script's directory, killing it after `TIMEOUT`.
fn run(program: &Path, args: &[&str], script: &Path) -> Outcome {
    let dir = script.parent().unwrap_or(Path::new("."));
    let name = script.file_name().unwrap_or(script.as_os_str());
    common::run(program, args, dir, &name.to_string_lossy(), TIMEOUT)
}

// ---------------------------------------------------------------------------
// Corpus discovery and parallel execution
// ---------------------------------------------------------------------------

/// Absolute path of a folder under `tests/`.
fn corpus_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// The `*.lua` files of a corpus folder, sorted by name (empty if the folder is missing).
fn scripts(folder: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(corpus_dir(folder))
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "lua"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Short display name of a script: `folder/file.lua`.
fn short(script: &Path) -> String {
    let file = script.file_name().map(|f| f.to_string_lossy().into_owned());
    let folder = script
        .parent()
        .and_then(|p| p.file_name())
        .map(|f| f.to_string_lossy().into_owned());
    format!(
        "{}/{}",
        folder.unwrap_or_default(),
        file.unwrap_or_default()
    )
}

/// Applies `check` to every item on `THREADS` threads; returns results in input order.
fn par_map<T: Sync, R: Send>(items: &[T], check: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(index) else { break };
                let result = check(item);
                if let Ok(mut results) = results.lock() {
                    results.push((index, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Panics with every collected failure message, or does nothing when there are none.
fn report(what: &str, total: usize, failures: Vec<String>) {
    let failures: Vec<String> = failures.into_iter().filter(|f| !f.is_empty()).collect();
    if failures.is_empty() {
        println!("{what}: all {total} passed");
        return;
    }
    panic!(
        "{what}: {} of {total} failed\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Indents every line of a captured output for a readable failure report.
fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    | {line}\n")).collect()
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

/// Checks one assert script in every mode: clean runs and identical stdout.
fn check_assert_script(script: &Path) -> String {
    let bin = moonjet();
    let mut problems = Vec::new();
    let mut outputs = Vec::new();
    for mode in MODES {
        let outcome = run(&bin, mode, script);
        if !outcome.is_clean() {
            problems.push(format!(
                "  mode {mode:?}: {}\n  stderr:\n{}",
                outcome.describe(),
                indent(&outcome.stderr)
            ));
        }
        outputs.push(outcome.stdout);
    }
    if outputs.windows(2).any(|pair| pair[0] != pair[1]) {
        problems.push(format!(
            "  stdout differs between modes {:?} and {:?}",
            MODES[0], MODES[1]
        ));
    }
    if problems.is_empty() {
        return String::new();
    }
    format!("{}:\n{}", short(script), problems.join("\n"))
}

/// Every `tests/lua/*.lua` exits 0 with empty stderr in both modes, with equal stdout.
#[test]
fn lua_assert_scripts() {
    let all = scripts("lua");
    let failures = par_map(&all, |script| check_assert_script(script));
    report("tests/lua", all.len(), failures);
}

/// Compares one output program's stdout and exit status with the reference.
fn check_diff_script(script: &Path) -> String {
    let ours = run(&moonjet(), &[], script);
    let theirs = run(Path::new(REFERENCE), &[], script);
    let mut problems = Vec::new();
    if ours.timed_out || ours.status != theirs.status {
        problems.push(format!(
            "  moonjet: {}, {REFERENCE}: {}\n  moonjet stderr:\n{}",
            ours.describe(),
            theirs.describe(),
            indent(&ours.stderr)
        ));
    }
    if ours.stdout != theirs.stdout {
        problems.push(first_difference(&ours.stdout, &theirs.stdout));
    }
    if problems.is_empty() {
        return String::new();
    }
    format!("{}:\n{}", short(script), problems.join("\n"))
}

/// Describes the first differing stdout line between moonjet and the reference.
fn first_difference(ours: &str, theirs: &str) -> String {
    let mut a = ours.lines();
    let mut b = theirs.lines();
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (None, None) => return "  stdout differs in line endings only".to_string(),
            (x, y) => {
                return format!(
                    "  stdout differs at line {line}:\n    moonjet: {:?}\n    {REFERENCE}: {:?}",
                    x.unwrap_or("<end of output>"),
                    y.unwrap_or("<end of output>")
                )
            }
        }
    }
}

/// Every `tests/diff/*.lua` prints the same stdout and exits the same as `lua5.4`.
#[test]
fn diff_against_reference() {
    if !need_reference("tests/diff") {
        return;
    }
    let all = scripts("diff");
    let failures = par_map(&all, |script| check_diff_script(script));
    report("tests/diff", all.len(), failures);
}

/// Checks one malformed program: exit 1, expected first stderr line, no Rust panic.
fn check_error_script(script: &Path) -> String {
    let expected_path = script.with_extension("expected");
    let expected = match std::fs::read_to_string(&expected_path) {
        Ok(text) => text.lines().next().unwrap_or("").to_string(),
        Err(err) => return format!("{}: cannot read .expected: {err}", short(script)),
    };
    let outcome = run(&moonjet(), &[], script);
    let first = outcome.stderr.lines().next().unwrap_or("");
    let mut problems = Vec::new();
    if outcome.timed_out || outcome.status != Some(1) {
        problems.push(format!(
            "  expected exit status 1, got {}",
            outcome.describe()
        ));
    }
    if first != expected {
        problems.push(format!(
            "  first stderr line:\n    expected: {expected:?}\n    got:      {first:?}"
        ));
    }
    if outcome.stderr.contains("panicked") || outcome.stderr.contains("RUST_BACKTRACE") {
        problems.push("  stderr shows a Rust panic".to_string());
    }
    if problems.is_empty() {
        return String::new();
    }
    format!(
        "{}:\n{}\n  stderr:\n{}",
        short(script),
        problems.join("\n"),
        indent(&outcome.stderr)
    )
}

/// Every `tests/errors/*.lua` fails to load with the stored error message.
#[test]
fn syntax_errors() {
    let all = scripts("errors");
    let failures = par_map(&all, |script| check_error_script(script));
    report("tests/errors", all.len(), failures);
}

/// Every `tests/wishlist/*.lua` is run and reported as PASS or FAIL; never fails.
#[test]
fn wishlist_is_reported() {
    let all = scripts("wishlist");
    let results = par_map(&all, |script| check_assert_script(script).is_empty());
    for (script, passed) in all.iter().zip(results) {
        let verdict = if passed { "PASS" } else { "FAIL" };
        println!("wishlist {verdict} {}", short(script));
    }
}

/// Checks one assert script under the reference interpreter.
fn check_reference_script(script: &Path) -> String {
    let outcome = run(Path::new(REFERENCE), &[], script);
    if outcome.is_clean() {
        return String::new();
    }
    format!(
        "{} under {REFERENCE}: {}\n  stderr:\n{}",
        short(script),
        outcome.describe(),
        indent(&outcome.stderr)
    )
}

/// The corpus itself is right: every `tests/lua/*.lua` passes under `lua5.4`.
#[test]
fn corpus_passes_under_reference() {
    if !need_reference("corpus self-check") {
        return;
    }
    let all = scripts("lua");
    let failures = par_map(&all, |script| check_reference_script(script));
    report("tests/lua under lua5.4", all.len(), failures);
}

// ---------------------------------------------------------------------------
// Harness self-tests
// ---------------------------------------------------------------------------

/// The corpus folders hold enough scripts that a missing folder cannot pass silently.
#[test]
fn corpus_is_present() {
    assert!(scripts("lua").len() >= 25, "tests/lua has too few scripts");
    assert!(
        scripts("diff").len() >= 15,
        "tests/diff has too few scripts"
    );
    assert!(
        scripts("errors").len() >= 35,
        "tests/errors has too few scripts"
    );
    for script in scripts("errors") {
        assert!(
            script.with_extension("expected").is_file(),
            "{} has no .expected file",
            short(&script)
        );
    }
}

/// `first_difference` names the first differing line.
#[test]
fn first_difference_names_the_line() {
    let text = first_difference("a\nb\nc\n", "a\nx\nc\n");
    assert!(text.contains("line 2"), "{text}");
    assert!(text.contains("\"b\"") && text.contains("\"x\""), "{text}");
    let text = first_difference("a\n", "a\nb\n");
    assert!(text.contains("<end of output>"), "{text}");
}

/// `par_map` keeps input order and visits every item once.
#[test]
fn par_map_keeps_order() {
    let items: Vec<usize> = (0..50).collect();
    let doubled = par_map(&items, |n| n * 2);
    assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
}
