//! The `moonjet` command: runs Lua scripts like the `lua` command (see `cli`).

mod cli;

/// Rust stack for the interpreter thread. Lua-to-Lua calls never use it, but natives
/// that call back into Lua, nested coroutine resumes and the parser's recursion do, up
/// to the 200-level "C stack overflow" limit; unoptimised builds need far more per level
/// than release builds. Only the pages actually touched are committed.
const INTERPRETER_STACK: usize = 256 * 1024 * 1024;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let code = std::thread::Builder::new()
        .name("moonjet".into())
        .stack_size(INTERPRETER_STACK)
        .spawn(move || cli::main(args))
        .map(|h| h.join().unwrap_or(1))
        .unwrap_or_else(|e| {
            eprintln!("moonjet: cannot start the interpreter thread: {e}");
            1
        });
    std::process::exit(code);
}
