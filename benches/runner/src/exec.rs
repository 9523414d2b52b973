//! Running one engine process: wall time, peak RSS, captured output and a hard
//! time limit after which the whole process group is killed.
//!
//! The child is waited for in two steps so that killing it can never hit a
//! recycled pid: a helper thread blocks in `waitid(WNOWAIT)`, which reports the
//! exit but leaves the child a zombie (its pid and process group stay reserved);
//! only after the main thread has decided (and, on timeout, killed the group)
//! does `wait4` reap the zombie and hand back its resource usage.

use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Most bytes of stdout kept per run; the rest is read and dropped.
const STDOUT_CAP: usize = 16 << 20;
/// Most bytes of stderr kept per run (enough for an error message and traceback).
const STDERR_CAP: usize = 64 << 10;
/// How long to wait for the output pipes to close after the child has exited.
const PIPE_GRACE: Duration = Duration::from_secs(2);

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this status code.
    Code(i32),
    /// It was killed by this signal.
    Signal(i32),
}

impl Exit {
    /// True for a normal exit with status 0.
    pub fn success(self) -> bool {
        self == Exit::Code(0)
    }

    /// A short human description ("exit 1", "signal 11").
    pub fn describe(self) -> String {
        match self {
            Exit::Code(c) => format!("exit {c}"),
            Exit::Signal(s) => format!("signal {s}"),
        }
    }
}

/// Everything measured about one finished process.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Wall-clock time from just before spawning to the exit being observed.
    pub wall: Duration,
    /// Peak resident set size in KiB (`ru_maxrss` of the child).
    pub max_rss_kib: u64,
    /// How it ended (after a timeout: the kill signal).
    pub exit: Exit,
    /// True when the time limit expired and the process group was killed.
    pub timed_out: bool,
    /// Captured standard output (at most [`STDOUT_CAP`] bytes).
    pub stdout: Vec<u8>,
    /// Captured standard error (at most [`STDERR_CAP`] bytes).
    pub stderr: Vec<u8>,
}

/// Why a process could not be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpawnError {
    /// The argument vector was empty.
    NoCommand,
    /// The program does not exist.
    NotFound(String),
    /// Any other failure (permissions, resources), with its message.
    Other(String),
}

impl std::fmt::Display for SpawnError {
    /// Formats the error for a table note.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpawnError::NoCommand => write!(f, "empty command"),
            SpawnError::NotFound(p) => write!(f, "{p}: not found"),
            SpawnError::Other(m) => write!(f, "cannot start: {m}"),
        }
    }
}

/// Run `argv` (program and arguments) with stdin closed, killing its process
/// group if it is still running after `timeout`.
pub fn run(argv: &[String], timeout: Duration) -> Result<Outcome, SpawnError> {
    let (program, args) = argv.split_first().ok_or(SpawnError::NoCommand)?;
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    force_fork(&mut command);
    let start = Instant::now();
    let mut child = command.spawn().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => SpawnError::NotFound(program.clone()),
        _ => SpawnError::Other(e.to_string()),
    })?;
    let stdout = child.stdout.take().map(|p| read_capped(p, STDOUT_CAP));
    let stderr = child.stderr.take().map(|p| read_capped(p, STDERR_CAP));
    // From here on the child is managed by pid; `Child` is dropped without waiting.
    let pid = child.id() as libc::pid_t;
    drop(child);

    let exited = wait_exit_observed(pid);
    let (ended, timed_out) = match exited.recv_timeout(timeout) {
        Ok(at) => (at, false),
        Err(_) => {
            kill_group(pid);
            // After SIGKILL the exit is reported promptly; fall back to "now" if the
            // waiter thread failed.
            (exited.recv().unwrap_or_else(|_| Instant::now()), true)
        }
    };
    // The leader is a zombie here, so the group id cannot have been reused:
    // remove anything it left running that could keep the pipes open.
    kill_group(pid);
    let (status, max_rss_kib) = reap(pid);
    Ok(Outcome {
        wall: ended.saturating_duration_since(start),
        max_rss_kib,
        exit: status,
        timed_out,
        stdout: stdout.map(collect).unwrap_or_default(),
        stderr: stderr.map(collect).unwrap_or_default(),
    })
}

/// Make `command` start the child with fork() rather than posix_spawn().
///
/// posix_spawn uses a vfork-style clone that shares our address space until the
/// exec, and Linux then folds *our* peak RSS into the child's `ru_maxrss`, which
/// would put a floor of the runner's whole RSS under every engine's memory
/// figure. A real fork only carries over our private anonymous pages (file-backed
/// mappings are not copied), a floor well below any Lua engine's own RSS.
/// Installing a (no-op) pre-exec hook makes the standard library fork.
fn force_fork(command: &mut Command) {
    // SAFETY: the hook runs in the forked child before exec; it does nothing, so it
    // cannot allocate, take locks or otherwise break async-signal safety.
    unsafe {
        command.pre_exec(|| Ok(()));
    }
}

/// Start a thread that reads `pipe` to its end, keeping the first `cap` bytes.
fn read_capped(mut pipe: impl Read + Send + 'static, cap: usize) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    kept.extend_from_slice(buf.get(..n.min(room)).unwrap_or_default());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        // The receiver may have given up waiting; nothing to do then.
        let _ = tx.send(kept);
    });
    rx
}

/// The bytes a reader thread collected, or nothing if the pipe stayed open too long.
fn collect(rx: mpsc::Receiver<Vec<u8>>) -> Vec<u8> {
    rx.recv_timeout(PIPE_GRACE).unwrap_or_default()
}

/// Start a thread that reports the instant at which `pid` exited, without reaping it.
fn wait_exit_observed(pid: libc::pid_t) -> mpsc::Receiver<Instant> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || loop {
        // SAFETY: an all-zero siginfo_t is a valid value of this plain C struct.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a valid, writable siginfo_t; `pid` is our own unreaped
        // child, and WNOWAIT leaves it unreaped for `reap`.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if rc == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            let _ = tx.send(Instant::now());
            return;
        }
    });
    rx
}

/// Send SIGKILL to the process group led by `pid` (errors, e.g. an empty group, are ignored).
fn kill_group(pid: libc::pid_t) {
    // SAFETY: kill has no memory-safety preconditions; `pid` leads a process group
    // we created and have not reaped, so the id cannot name another group.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

/// Reap `pid`, returning how it ended and its peak RSS in KiB.
fn reap(pid: libc::pid_t) -> (Exit, u64) {
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid and writable; `pid` is our child.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            break;
        }
        if rc < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        // Should not happen (nobody else reaps our children); report it as a crash.
        return (Exit::Signal(0), 0);
    }
    let exit = decode_status(ExitStatus::from_raw(status));
    (exit, u64::try_from(usage.ru_maxrss).unwrap_or(0))
}

/// Turn a raw wait status into an [`Exit`].
fn decode_status(status: ExitStatus) -> Exit {
    match (status.code(), status.signal()) {
        (Some(c), _) => Exit::Code(c),
        (None, Some(s)) => Exit::Signal(s),
        (None, None) => Exit::Signal(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build an argv from string slices.
    fn argv(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn captures_stdout_and_status() {
        let out = run(
            &argv(&["sh", "-c", "echo hi; echo err >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .expect("sh runs");
        assert_eq!(out.stdout, b"hi\n");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.exit, Exit::Code(3));
        assert!(!out.timed_out);
        assert!(out.max_rss_kib > 0);
    }

    #[test]
    fn timeout_kills_a_sleeping_engine() {
        let start = Instant::now();
        let out = run(&argv(&["sleep", "30"]), Duration::from_millis(200)).expect("sleep runs");
        assert!(out.timed_out);
        assert_eq!(out.exit, Exit::Signal(libc::SIGKILL));
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the runner must not hang"
        );
        assert!(out.wall >= Duration::from_millis(200));
    }

    #[test]
    fn timeout_kills_grandchildren_holding_the_pipe() {
        // The shell's background child inherits stdout; killing only the shell
        // would leave the pipe open for 30 s.
        let start = Instant::now();
        let out = run(
            &argv(&["sh", "-c", "sleep 30 & sleep 30"]),
            Duration::from_millis(200),
        )
        .expect("sh runs");
        assert!(out.timed_out);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the runner must not hang"
        );
    }

    #[test]
    fn fast_exit_is_not_a_timeout() {
        let out = run(&argv(&["true"]), Duration::from_secs(10)).expect("true runs");
        assert!(!out.timed_out);
        assert!(out.exit.success());
        assert!(out.wall < Duration::from_secs(5));
    }

    #[test]
    fn missing_program_is_reported() {
        let err = run(&argv(&["/nonexistent/engine"]), Duration::from_secs(1)).unwrap_err();
        assert_eq!(err, SpawnError::NotFound("/nonexistent/engine".into()));
        assert_eq!(
            run(&[], Duration::from_secs(1)).unwrap_err(),
            SpawnError::NoCommand
        );
    }

    #[test]
    fn peak_rss_is_the_childs_own() {
        let big = run(
            &argv(&["awk", "BEGIN { for (i = 0; i < 1000000; i++) a[i] = i }"]),
            Duration::from_secs(30),
        )
        .expect("awk runs");
        assert!(big.exit.success());
        assert!(
            big.max_rss_kib > 20 * 1024,
            "awk peak {} KiB",
            big.max_rss_kib
        );
        let small = run(&argv(&["true"]), Duration::from_secs(10)).expect("true runs");
        assert!(
            small.max_rss_kib < big.max_rss_kib / 4,
            "true peak {} KiB",
            small.max_rss_kib
        );
    }

    #[test]
    fn signal_death_is_decoded() {
        let out = run(
            &argv(&["sh", "-c", "kill -SEGV $$"]),
            Duration::from_secs(10),
        )
        .expect("sh");
        assert_eq!(out.exit, Exit::Signal(libc::SIGSEGV));
        assert_eq!(out.exit.describe(), "signal 11");
    }
}
