//! Helpers shared by the integration tests that run the `moonjet` binary and the
//! reference interpreter: starting a program with a timeout, draining its pipes, and
//! deciding whether a test that needs `lua5.4` runs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

pub mod rng;

/// The reference interpreter used as an oracle.
pub const REFERENCE: &str = "lua5.4";

/// How long output pipes may stay open after the process ended (a grandchild).
const PIPE_GRACE: Duration = Duration::from_secs(5);

/// What one run of one program produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Exit code, `None` when killed by a signal or by the timeout.
    pub status: Option<i32>,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    /// The run was killed after its time limit.
    pub timed_out: bool,
}

impl Outcome {
    /// True for a clean run: exit 0, empty stderr, no timeout.
    pub fn is_clean(&self) -> bool {
        !self.timed_out && self.status == Some(0) && self.stderr.is_empty()
    }

    /// One-line description of how the run ended, for failure reports.
    pub fn describe(&self) -> String {
        if self.timed_out {
            return "timeout".to_string();
        }
        match self.status {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        }
    }
}

/// Path of the binary under test (`MOONJET_BIN` wins over the cargo-built one).
pub fn moonjet() -> PathBuf {
    match std::env::var_os("MOONJET_BIN") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_BIN_EXE_moonjet")),
    }
}

/// Drains a pipe on its own thread so a chatty child cannot block on a full pipe.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = send.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    receive
}

/// Collects a drained pipe; gives up when a leftover grandchild keeps the pipe open.
fn collect(pipe: &mpsc::Receiver<String>) -> String {
    pipe.recv_timeout(PIPE_GRACE)
        .unwrap_or_else(|_| "<output pipe still open after the process ended>".to_string())
}

/// Runs `program args file` in `dir`, killing it after `timeout`.
pub fn run(program: &Path, args: &[&str], dir: &Path, file: &str, timeout: Duration) -> Outcome {
    let spawned = Command::new(program)
        .args(args)
        .arg(file)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => {
            return Outcome {
                status: None,
                stdout: String::new(),
                stderr: format!("cannot start {}: {err}", program.display()),
                timed_out: false,
            }
        }
    };
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let (status, timed_out) = wait_with_timeout(&mut child, timeout);
    Outcome {
        status,
        stdout: collect(&out),
        stderr: collect(&err),
        timed_out,
    }
}

/// Polls the child until it exits or `timeout` passes; returns (exit code, timed out).
fn wait_with_timeout(child: &mut std::process::Child, timeout: Duration) -> (Option<i32>, bool) {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return (status.code(), false),
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return (None, true);
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(_) => return (None, false),
        }
    }
}

/// True when the reference interpreter can be started.
fn reference_available() -> bool {
    Command::new(REFERENCE)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Decides whether a test needing the reference interpreter runs: skipped with a
/// message without `lua5.4`, a failure when the CI variable is set.
pub fn need_reference(test: &str) -> bool {
    if reference_available() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: {REFERENCE} is not on PATH and CI is set");
    }
    println!("{test}: skipped, {REFERENCE} is not on PATH");
    false
}
