//! The `moonjet` command: runs Lua scripts like the `lua` command (see `cli`).

mod cli;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let code = cli::main(args);
    std::process::exit(code);
}
