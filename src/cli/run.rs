//! Running chunks for the command line: loading, protected calls with tracebacks, error
//! reports, `LUA_INIT`, `-l`, the `arg` table.

use std::io::Read;

use moonjet_interp::{Lua, Value};

use super::args::Early;
use super::PROGNAME;

/// A state with the compiler and all libraries, in "generational" mode as lua.c's; `-E`
/// sets `LUA_NOENV` first so that `package` ignores `LUA_PATH` and friends.
pub fn new_state(ignore_env: bool) -> Lua {
    let mut l = moonjet::bare_state();
    if ignore_env {
        let key = l.intern(b"LUA_NOENV");
        let reg = l.registry;
        reg.set_str(&mut l.heap, key, Value::Bool(true));
    }
    moonjet_interp::stdlib::open_libs(&mut l);
    moonjet::open_jit(&mut l);
    // lua.c switches its state to generational mode (reported by `collectgarbage`).
    l.gc_set_generational(true);
    l
}

/// Flushes everything the program wrote (call before exiting).
pub fn finish(l: &mut Lua) {
    moonjet_interp::stdlib::flush_all(l);
}

/// Prints `moonjet: msg` on stderr after flushing standard output.
pub fn report(l: &mut Lua, msg: &str) {
    finish(l);
    eprintln!("{PROGNAME}: {msg}");
}

/// Text of an error value that is not a runtime error with traceback (load errors).
fn error_text(v: Value) -> String {
    match v {
        Value::Str(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            let mut s = String::new();
            moonjet::bytecode::num::fmt_float(f, &mut s);
            s
        }
        other => format!("(error object is a {} value)", other.type_name()),
    }
}

/// Calls `f(args)` protected; on error reports message and traceback. Returns success.
pub fn docall(l: &mut Lua, f: Value, args: &[Value]) -> Result<Vec<Value>, ()> {
    match l.pcall_with_traceback(f, args) {
        Ok(v) => Ok(v),
        Err((v, text)) => {
            let text = handler_text(l, v, text);
            report(l, &text);
            Err(())
        }
    }
}

/// What `lua.c`'s message handler shows: an error object with `__tostring` (that is not
/// a string or number) is shown by that alone, without traceback.
pub fn handler_text(l: &mut Lua, v: Value, text: String) -> String {
    if matches!(v, Value::Str(_) | Value::Int(_) | Value::Float(_)) {
        return text;
    }
    let has_tostring = l.metatable(v).is_some_and(|mt| {
        let k = l.intern(b"__tostring");
        !mt.get_str(k).is_nil()
    });
    if !has_tostring {
        return text;
    }
    match l.tostring(v) {
        Ok(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        Err(_) => text,
    }
}

/// Loads a chunk, reporting a load error.
pub fn load(l: &mut Lua, src: &[u8], chunkname: &[u8]) -> Option<Value> {
    match l.load(src, chunkname, "bt", None) {
        Ok(f) => Some(f),
        Err(e) => {
            let msg = error_text(e.value);
            report(l, &msg);
            None
        }
    }
}

/// `dostring`: loads and runs `src`.
pub fn do_string(l: &mut Lua, src: &[u8], chunkname: &[u8]) -> bool {
    match load(l, src, chunkname) {
        Some(f) => docall(l, f, &[]).is_ok(),
        None => false,
    }
}

/// Reads a script file; the error message `lua5.4` gives when that fails.
pub fn read_script(name: &[u8]) -> Result<Vec<u8>, String> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(name));
    let shown = String::from_utf8_lossy(name);
    let mut file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {shown}: {}", io_text(&e)))?;
    let mut buf = Vec::new();
    file.read_to_end(&mut buf)
        .map_err(|e| format!("cannot read {shown}: {}", io_text(&e)))?;
    Ok(buf)
}

/// An OS error's message without Rust's " (os error N)" suffix.
fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Loads a file as a chunk named `@name` (reporting failures): a binary chunk is mapped
/// and run in place (`moonjet::load_file`).
pub fn load_file(l: &mut Lua, name: &[u8]) -> Option<Value> {
    match moonjet::load_file(l, name) {
        Ok(f) => Some(f),
        Err(moonjet::FileError::Io(msg)) => {
            report(l, &msg);
            None
        }
        Err(moonjet::FileError::Load(v)) => {
            let msg = error_text(v);
            report(l, &msg);
            None
        }
    }
}

/// Reads all of standard input.
fn read_stdin() -> Vec<u8> {
    let mut buf = Vec::new();
    let _ = std::io::stdin().lock().read_to_end(&mut buf);
    buf
}

/// Runs standard input as a chunk named `=stdin`.
pub fn do_stdin(l: &mut Lua) -> bool {
    let src = read_stdin();
    do_string(l, &src, b"=stdin")
}

/// `LUA_INIT_5_4` or `LUA_INIT`: `@file` runs a file, anything else is code.
pub fn handle_init(l: &mut Lua) -> bool {
    use std::os::unix::ffi::OsStrExt;
    for name in ["LUA_INIT_5_4", "LUA_INIT"] {
        if let Some(v) = std::env::var_os(name) {
            let v = v.as_bytes();
            return match v.strip_prefix(b"@") {
                Some(file) => match load_file(l, file) {
                    Some(f) => docall(l, f, &[]).is_ok(),
                    None => false,
                },
                None => do_string(l, v, format!("={name}").as_bytes()),
            };
        }
    }
    true
}

/// `-l mod` / `-l g=mod`: `g = require(mod)`.
pub fn do_library(l: &mut Lua, spec: &[u8]) -> bool {
    let (global, module) = match spec.iter().position(|&c| c == b'=') {
        Some(p) => (&spec[..p], &spec[p + 1..]),
        None => (spec, spec),
    };
    let require = l.get_global("require");
    let m = l.new_str(module);
    match docall(l, require, &[m]) {
        Ok(res) => {
            let v = res.first().copied().unwrap_or_default();
            let k = l.intern(global);
            let g = l.globals;
            g.set_str(&mut l.heap, k, v);
            true
        }
        Err(()) => false,
    }
}

/// `-W`: turns warnings on (`warn("@on")`).
pub fn warnings_on(l: &mut Lua) {
    let warn = l.get_global("warn");
    if warn.is_function() {
        let on = l.new_str(b"@on");
        let _ = l.call_value(warn, &[on]);
    }
}

/// The global `arg`: the script at 0, its arguments after, the interpreter and options
/// at negative indices (with no script, argv[0] is at 0).
pub fn create_arg_table(l: &mut Lua, argv: &[Vec<u8>], script: Option<usize>) {
    let s = script.unwrap_or(0) as i64;
    let t = l.new_table(argv.len(), 0);
    for (i, a) in argv.iter().enumerate() {
        let v = l.new_str(a);
        t.set_int(&mut l.heap, i as i64 - s, v);
    }
    l.set_global("arg", Value::Table(t));
}

/// Runs the script at `argv[s]` with the following words as arguments.
pub fn handle_script(l: &mut Lua, argv: &[Vec<u8>], s: usize) -> bool {
    let name = &argv[s];
    let from_stdin = name == b"-" && argv.get(s - 1).map(|p| &p[..]) != Some(b"--");
    let f = if from_stdin {
        let src = read_stdin();
        load(l, &src, b"=stdin")
    } else {
        load_file(l, name)
    };
    let Some(f) = f else { return false };
    let args: Vec<Value> = argv[s + 1..].iter().map(|a| l.new_str(a)).collect();
    docall(l, f, &args).is_ok()
}

/// Runs a `-b` option; returns the exit status.
pub fn early_action(e: &Early) -> i32 {
    match e {
        Early::Bytecode(o) => super::bcsave::run(o),
    }
}
