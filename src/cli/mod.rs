//! The command line: `moonjet [options] [script [args]]`, behaving like `lua5.4`'s `lua.c`
//! (options, `arg` table, `LUA_INIT`, messages and exit status), plus LuaJIT's option
//! families `-j`, `-O` (reserved) and `-b` (save and list bytecode, `bcsave.rs`).

mod args;
mod bcsave;
mod repl;
mod run;

use std::io::IsTerminal;

use args::{parse, Action, Options, ParseError};

/// Name shown in front of messages.
pub const PROGNAME: &str = "moonjet";

/// Version line of `-v`.
pub const VERSION: &str = concat!(
    "Moonjet ",
    env!("CARGO_PKG_VERSION"),
    " (Lua 5.4 compatible)"
);

/// Runs the command line; returns the process exit status.
pub fn main(argv: Vec<std::ffi::OsString>) -> i32 {
    let argv: Vec<Vec<u8>> = argv.into_iter().map(os_bytes).collect();
    let opts = match parse(&argv) {
        Ok(o) => o,
        Err(e) => {
            report_usage(&e);
            return 1;
        }
    };
    if let Some(code) = opts.early_exit.as_ref().map(run::early_action) {
        return code;
    }
    run_options(&argv, &opts)
}

/// The bytes of an OS string (arguments are byte strings to Lua).
fn os_bytes(s: std::ffi::OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    s.into_vec()
}

/// Prints a usage error like `lua.c`'s `print_usage`.
fn report_usage(e: &ParseError) {
    let what = match e {
        ParseError::NeedsArgument(o) => format!("'{o}' needs argument"),
        ParseError::Unrecognized(o) => format!("unrecognized option '{o}'"),
        ParseError::Other(msg) => {
            eprintln!("{PROGNAME}: {msg}");
            return;
        }
    };
    eprintln!("{PROGNAME}: {what}");
    eprint!(
        "usage: {PROGNAME} [options] [script [args]]\n\
         Available options are:\n  \
         -e stat   execute string 'stat'\n  \
         -i        enter interactive mode after executing 'script'\n  \
         -l mod    require library 'mod' into global 'mod'\n  \
         -l g=mod  require library 'mod' into global 'g'\n  \
         -v        show version information\n  \
         -E        ignore environment variables\n  \
         -W        turn warnings on\n  \
         --        stop handling options\n  \
         -         stop handling options and execute stdin\n"
    );
}

/// Runs a parsed command line: init, `-e`/`-l`/`-W` in order, the script, the REPL.
fn run_options(argv: &[Vec<u8>], opts: &Options) -> i32 {
    if opts.version {
        println!("{VERSION}");
    }
    let mut l = run::new_state(opts.ignore_env);
    moonjet::configure_jit(
        &mut l,
        opts.jit,
        opts.jit_verbose,
        opts.hotcall,
        opts.hotloop,
    );
    jit_extras(&mut l, opts);
    let started = std::time::Instant::now();
    let code = run_program(&mut l, argv, opts);
    if opts.jit_stats {
        jit_summary(&l, started.elapsed());
    }
    code
}

/// Rust stack bytes that nested compiled calls may use in the command (NATIVE-STACK in
/// `interp/src/jit_iface.rs`, `-Onativestack`): the command's interpreter thread has
/// `INTERPRETER_STACK` (256 MB), so a recursion some thousands of compiled calls deep
/// (ackermann) can stay native, where the library's default must fit any thread.
const CLI_NATIVE_STACK: usize = 2 * 1024 * 1024;

/// `-jdump`, `-Omaxmcode`, `-Onativestack` and `-jflush`.
fn jit_extras(l: &mut moonjet_interp::Lua, opts: &Options) {
    if let Some(e) = l.jit.engine.as_mut() {
        e.set_dump(opts.jit_dump);
    }
    if let Some(kib) = opts.maxmcode {
        l.jit.code_limit = u64::from(kib.max(1)) * 1024;
    }
    // At most half the thread's stack: the rest is for natives, the parser and the
    // interpreter loops they start.
    l.jit.stack_budget = opts
        .nativestack
        .map_or(CLI_NATIVE_STACK, |kib| (kib as usize).saturating_mul(1024))
        .min(crate::INTERPRETER_STACK / 2);
    if opts.jit_flush {
        l.jit.flush();
    }
}

/// `-jstats`: the engine's summary, native calls and the share of the run spent
/// compiling, on stderr.
fn jit_summary(l: &moonjet_interp::Lua, elapsed: std::time::Duration) {
    let Some(e) = l.jit.engine.as_ref() else {
        eprintln!("[jit] no JIT in this build");
        return;
    };
    eprint!("{}", e.summary(&l.jit.exits));
    let compile = e.stats().compile_nanos as f64 / 1e9;
    let total = elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "[jit] {} native calls; compiling took {:.1}% of {:.3} s",
        l.jit.native_calls,
        100.0 * compile / total,
        total
    );
    if l.jit.leaf_entries > 0 {
        eprintln!(
            "[jit] {} calls of short leaves left to the interpreter",
            l.jit.leaf_entries
        );
    }
}

/// The init file, `-e`/`-l`/`-W`, the script and the REPL; the exit status.
fn run_program(l: &mut moonjet_interp::Lua, argv: &[Vec<u8>], opts: &Options) -> i32 {
    let l = &mut *l;
    run::create_arg_table(l, argv, opts.script);
    let ok = (opts.ignore_env || run::handle_init(l))
        && opts.actions.iter().all(|a| run_action(l, a))
        && opts.script.is_none_or(|s| run::handle_script(l, argv, s));
    if !ok {
        run::finish(l);
        return 1;
    }
    if opts.interactive {
        repl::run(l);
    } else if opts.script.is_none() && !opts.has_e && !opts.version {
        if std::io::stdin().is_terminal() {
            println!("{VERSION}");
            repl::run(l);
        } else if !run::do_stdin(l) {
            run::finish(l);
            return 1;
        }
    }
    run::finish(l);
    0
}

/// Runs one `-e`, `-l` or `-W` option.
fn run_action(l: &mut moonjet_interp::Lua, a: &Action) -> bool {
    match a {
        Action::Exec(code) => run::do_string(l, code, b"=(command line)"),
        Action::Require(spec) => run::do_library(l, spec),
        Action::Warnings => {
            run::warnings_on(l);
            true
        }
    }
}
