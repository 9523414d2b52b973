//! `moonjet -b`: save a source file as a binary chunk, or list a source or a chunk
//! (LuaJIT's `-b` options; the chunk format is `bytecode/FORMAT.md`).

use std::io::{Read, Write};

use moonjet::bytecode::{chunk, listing, Proto};
use moonjet::interp::Lua;

use super::args::{BcInput, BcOptions};
use super::run::read_script;
use super::PROGNAME;

/// Runs a `-b` command line; returns the exit status.
pub fn run(o: &BcOptions) -> i32 {
    match save_or_list(o) {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("{PROGNAME}: {msg}");
            1
        }
    }
}

/// Reads the input, turns it into a prototype, then lists or dumps it.
fn save_or_list(o: &BcOptions) -> Result<(), String> {
    let (bytes, chunkname) = read_input(&o.input)?;
    let proto = prototype(&bytes, &chunkname)?;
    let out = if o.list {
        let mut text = String::new();
        listing::list(&proto, &mut text);
        text.into_bytes()
    } else {
        chunk::dump(&proto, o.strip)
    };
    write_output(o.output.as_deref(), &out)
}

/// The input bytes and the chunk name they compile under.
fn read_input(input: &BcInput) -> Result<(Vec<u8>, Vec<u8>), String> {
    match input {
        BcInput::File(f) => Ok((read_script(f)?, [b"@", &f[..]].concat())),
        BcInput::Text(t) => Ok((t.clone(), b"=(command line)".to_vec())),
        BcInput::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            Ok((buf, b"=stdin".to_vec()))
        }
    }
}

/// A binary chunk loaded (and verified) as a copy, or source compiled.
fn prototype(bytes: &[u8], chunkname: &[u8]) -> Result<Proto, String> {
    if chunk::is_binary(bytes) {
        return chunk::load_owned(bytes).map_err(|e| {
            String::from_utf8_lossy(&Lua::bad_chunk_message(chunkname, &e)).into_owned()
        });
    }
    moonjet::compiler::compile(bytes, chunkname).map_err(|e| e.message)
}

/// Writes `bytes` to the file `out`, or to standard output for `-` or no file.
fn write_output(out: Option<&[u8]>, bytes: &[u8]) -> Result<(), String> {
    use std::os::unix::ffi::OsStrExt;
    match out {
        None | Some(b"-") => {
            let mut so = std::io::stdout().lock();
            so.write_all(bytes)
                .and_then(|()| so.flush())
                .map_err(|e| format!("cannot write stdout: {e}"))
        }
        Some(name) => {
            let path = std::path::Path::new(std::ffi::OsStr::from_bytes(name));
            std::fs::write(path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", String::from_utf8_lossy(name)))
        }
    }
}
