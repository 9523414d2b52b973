//! Moonjet facade: the crates that make up the runtime, a ready-to-use state, and binary
//! chunk files mapped into memory and run in place.
//!
//! ```no_run
//! let mut l = moonjet::new_state();
//! let f = l.load(b"print('hello')", b"=example", "t", None).unwrap();
//! l.call_value(f, &[]).unwrap();
//! ```

pub use moonjet_bytecode as bytecode;
pub use moonjet_compiler as compiler;
pub use moonjet_interp as interp;

use std::fs::File;
use std::io;
use std::path::Path;
use std::rc::Rc;

use moonjet_bytecode::Backing;
use moonjet_interp::{Lua, LuaResult, Value};

/// Compiles Lua source for the interpreter (`Lua::set_compiler`'s signature).
pub fn compile_source(source: &[u8], chunkname: &[u8]) -> Result<bytecode::Proto, String> {
    compiler::compile(source, chunkname).map_err(|e| e.message)
}

/// A bare state with the compiler (and, with the `jit` feature, the JIT) wired in, binary
/// chunk files mapped in place by `loadfile`/`dofile`/`require` ([`map_chunk_file`]), and
/// no libraries.
pub fn bare_state() -> Lua {
    let mut l = Lua::new();
    // Without its `std` feature the interpreter has no io library and prints nowhere;
    // this host still has a standard output.
    #[cfg(not(feature = "std"))]
    {
        l.stdout = Box::new(HostStdout);
    }
    l.set_compiler(compile_source);
    l.set_file_mapper(map_chunk_file);
    install_jit(&mut l);
    l
}

/// A state with the compiler wired in and every standard library (and `jit`) open.
pub fn new_state() -> Lua {
    let mut l = bare_state();
    moonjet_interp::stdlib::open_libs(&mut l);
    open_jit(&mut l);
    l
}

/// Installs the Cranelift JIT (feature `jit`; nothing without it or on a host Cranelift
/// does not support).
pub fn install_jit(l: &mut Lua) {
    #[cfg(feature = "jit")]
    if let Ok(j) = moonjet_jit::Jit::new() {
        l.jit.install(Box::new(j));
    }
    #[cfg(not(feature = "jit"))]
    let _ = l;
}

/// Opens the `jit` module (`jit.on()`, `jit.off()`, `jit.status()`, ...).
pub fn open_jit(l: &mut Lua) {
    moonjet_interp::jit_iface::open_jit(l);
}

/// Applies the command line's `-jon`/`-joff`, `-jv`, `-Ohotcall=N` and `-Ohotloop=N`.
pub fn configure_jit(
    l: &mut Lua,
    on: Option<bool>,
    verbose: bool,
    hotcall: Option<u32>,
    hotloop: Option<u32>,
) {
    if let Some(on) = on {
        l.jit.set_enabled(on);
    }
    if let Some(e) = l.jit.engine.as_mut() {
        e.set_verbose(verbose);
    }
    if let Some(n) = hotcall {
        l.jit.hotcall = n.max(1);
    }
    if let Some(n) = hotloop {
        l.jit.hotloop = n.max(1);
    }
}

// ---------------------------------------------------------------------------------------
// Mapped chunk files
// ---------------------------------------------------------------------------------------

/// A binary chunk file mapped read-only: the [`Backing`] that prototypes loaded by
/// [`load_mapped`] borrow their instructions, line info and string bytes from. The
/// mapping lives as long as the last prototype that uses it (each holds an `Rc`).
///
/// Caveat (the one every mmap loader has): the file must not be modified or truncated
/// while it is mapped. The chunk is verified once, when it is loaded; a later change to
/// the file would change the code under the running interpreter, and truncation makes the
/// kernel raise SIGBUS on access.
pub struct MappedChunk {
    /// The read-only mapping (page-aligned, so 8-aligned as in-place loading needs).
    map: memmap2::Mmap,
}

impl MappedChunk {
    /// Maps `file` read-only.
    pub fn from_file(file: &File) -> io::Result<MappedChunk> {
        // SAFETY: the mapping is read-only and private to this process, and the slice it
        // derefs to lives as long as `map`. The remaining contract of `Mmap::map` (no one
        // truncates or rewrites the file while it is mapped) cannot be enforced by us: it
        // is the documented caveat of this type (see above and `bytecode/FORMAT.md`).
        let map = unsafe { memmap2::MmapOptions::new().map_copy_read_only(file)? };
        Ok(MappedChunk { map })
    }

    /// Opens and maps the file at `path`.
    pub fn open(path: &Path) -> io::Result<MappedChunk> {
        MappedChunk::from_file(&File::open(path)?)
    }

    /// The mapped bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.map
    }
}

impl Backing for MappedChunk {
    fn bytes(&self) -> &[u8] {
        &self.map
    }
}

/// Loads a mapped binary chunk in place (verified first) as a function whose `_ENV` is
/// the globals table. Errors are `<name>: bad binary chunk: <reason>`, as from `load`.
pub fn load_mapped(l: &mut Lua, chunk: Rc<MappedChunk>, chunkname: &[u8]) -> LuaResult<Value> {
    l.load_chunk_shared(chunk, chunkname)
}

/// The interpreter's file hook (`Lua::set_file_mapper`): a file whose first byte is ESC
/// is mapped and its chunk used in place (`Lua::load_in_place`, verified first); `None`
/// for anything else, or a file that cannot be opened or mapped, so that the standard
/// library reads it (and reports open errors in its own words).
pub fn map_chunk_file(
    l: &mut Lua,
    path: &[u8],
    chunkname: &[u8],
    mode: &str,
    env: Option<Value>,
) -> Option<LuaResult<Value>> {
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    let mut file = File::open(Path::new(std::ffi::OsStr::from_bytes(path))).ok()?;
    let mut first = [0u8; 1];
    if file.read(&mut first).ok()? != 1 || !bytecode::chunk::is_binary(&first) {
        return None;
    }
    let map = MappedChunk::from_file(&file).ok()?;
    Some(l.load_in_place(Rc::new(map), chunkname, mode, env))
}

/// How [`load_file`] failed.
#[derive(Debug)]
pub enum FileError {
    /// The file could not be opened or read (`cannot open name: reason`, as `lua5.4`).
    Io(String),
    /// A load error (syntax error or bad binary chunk): the Lua error value.
    Load(Value),
}

/// Loads the file at `path` as a chunk named `@path`: a binary chunk (first byte ESC) is
/// mapped and run in place; anything else is read and compiled (a first line starting
/// with `#` is the compiler's to skip; a binary chunk after such a line is copied).
pub fn load_file(l: &mut Lua, path: &[u8]) -> Result<Value, FileError> {
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    let shown = String::from_utf8_lossy(path);
    let os_path = Path::new(std::ffi::OsStr::from_bytes(path));
    let io_err =
        |what: &str, e: io::Error| FileError::Io(format!("{what} {shown}: {}", io_text(&e)));
    let mut file = File::open(os_path).map_err(|e| io_err("cannot open", e))?;
    let chunkname = [b"@", path].concat();
    let mut first = [0u8; 1];
    let n = file
        .read(&mut first)
        .map_err(|e| io_err("cannot read", e))?;
    if n == 1 && bytecode::chunk::is_binary(&first) {
        let map = MappedChunk::from_file(&file).map_err(|e| io_err("cannot map", e))?;
        return load_mapped(l, Rc::new(map), &chunkname).map_err(|e| FileError::Load(e.value));
    }
    let mut src = first[..n].to_vec();
    file.read_to_end(&mut src)
        .map_err(|e| io_err("cannot read", e))?;
    let body = after_comment_line(&src);
    l.load(body, &chunkname, "bt", None)
        .map_err(|e| FileError::Load(e.value))
}

/// `src` itself, or what follows a first `#` line when that is a binary chunk (`lua.c`
/// lets `#!` scripts hold precompiled code).
fn after_comment_line(src: &[u8]) -> &[u8] {
    if src.first() != Some(&b'#') {
        return src;
    }
    match src.iter().position(|&c| c == b'\n') {
        Some(nl) if bytecode::chunk::is_binary(&src[nl + 1..]) => &src[nl + 1..],
        _ => src,
    }
}

/// An OS error's message without Rust's " (os error N)" suffix (the C library's text).
fn io_text(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// `print`'s output for builds whose interpreter has no `std` feature: the process's
/// standard output (Rust's own line buffering; `flush` pushes the rest out).
#[cfg(not(feature = "std"))]
struct HostStdout;

#[cfg(not(feature = "std"))]
impl moonjet_interp::state::Output for HostStdout {
    fn write(&mut self, bytes: &[u8]) {
        use std::io::Write;
        let _ = std::io::stdout().write_all(bytes);
    }
    fn flush(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }
}
