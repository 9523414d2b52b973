//! The `package` library and `require` (manual §6.3).
//!
//! `require` and the four searchers are native closures whose one upvalue is the
//! `package` table (so they keep working after `package = nil`, as in Lua 5.4).
//! `package.loaded` is the registry's `_LOADED` table and `package.preload` its
//! `_PRELOAD` table, the same tables the rest of the runtime uses for loaded modules.
//!
//! Searchers: 1 `package.preload`; 2 Lua files along `package.path` (file access needs
//! the `std` feature; without it no file is ever found); 3 and 4 the C searchers along
//! `package.cpath`, which list the places they tried exactly as `lua5.4` does but cannot
//! load anything (this runtime has no dynamic libraries): a C library that exists is an
//! "error loading module" with `lua5.4`'s "dynamic libraries not enabled" message.

use alloc::string::String;
use alloc::vec::Vec;

use moonjet_bytecode::num::{fmt_float, fmt_int};

use crate::error::{LuaError, LuaResult};
use crate::func::NativeFn;
use crate::gc::Gc;
use crate::state::Lua;
use crate::string::LuaStr;
use crate::table::Table;
use crate::value::Value;

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/// `package.path` when no environment variable sets it.
pub const DEFAULT_PATH: &str =
    "/usr/local/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?/init.lua;\
/usr/local/lib/lua/5.4/?.lua;/usr/local/lib/lua/5.4/?/init.lua;./?.lua;./?/init.lua";

/// `package.cpath` when no environment variable sets it.
pub const DEFAULT_CPATH: &str =
    "/usr/local/lib/lua/5.4/?.so;/usr/local/lib/lua/5.4/loadall.so;./?.so";

/// `package.config`: directory separator, template separator, substitution mark,
/// executable-directory mark, ignore mark.
pub const CONFIG: &str = "/\n;\n?\n!\n-\n";

/// Registry field holding `package.preload`.
pub const PRELOAD_KEY: &str = "_PRELOAD";

/// Registry field that, when true before `open_package`, makes it ignore `LUA_PATH*`
/// and `LUA_CPATH*` (what `lua -E` sets).
pub const NOENV_KEY: &str = "LUA_NOENV";

/// Environment variables for `package.path`, most specific first.
const PATH_VARS: [&str; 2] = ["LUA_PATH_5_4", "LUA_PATH"];

/// Environment variables for `package.cpath`, most specific first.
const CPATH_VARS: [&str; 2] = ["LUA_CPATH_5_4", "LUA_CPATH"];

/// Why no C library can be loaded (the message of `lua5.4` built without `dlopen`).
const DLMSG: &str = "dynamic libraries not enabled; check your Lua installation";

/// Second extra result of a failed `package.loadlib` when dynamic loading is absent.
const LIB_FAIL: &str = "absent";

/// Loader data `require` passes to loaders found in `package.preload`.
const PRELOAD_DATA: &str = ":preload:";

// ---------------------------------------------------------------------------
// Opening the library
// ---------------------------------------------------------------------------

/// Opens `package`: sets the globals `package` and `require` and `package.loaded.package`,
/// and reads `LUA_PATH_5_4`/`LUA_PATH` (and the `CPATH` pair) unless `ignore_env` or
/// the registry's `LUA_NOENV` field is true. Returns the `package` table.
pub fn open_package(l: &mut Lua, ignore_env: bool) -> Gc<Table> {
    const FUNCS: &[(&str, NativeFn)] = &[("loadlib", pkg_loadlib), ("searchpath", pkg_searchpath)];
    // This also sets the global `package` and `package.loaded.package`.
    let pkg = l.register_static_lib("package", crate::static_part!(FUNCS), 6);
    let searchers = new_searchers(l, pkg);
    set_field(l, pkg, "searchers", Value::Table(searchers));
    let no_env = ignore_env || has_true_field(l.registry, NOENV_KEY);
    let path = path_value(l, &PATH_VARS, DEFAULT_PATH, no_env);
    set_field(l, pkg, "path", path);
    let cpath = path_value(l, &CPATH_VARS, DEFAULT_CPATH, no_env);
    set_field(l, pkg, "cpath", cpath);
    let config = Value::Str(l.heap.intern_static(CONFIG.as_bytes()));
    set_field(l, pkg, "config", config);
    let loaded = l.loaded_table();
    set_field(l, pkg, "loaded", Value::Table(loaded));
    let preload = registry_table(l, PRELOAD_KEY);
    set_field(l, pkg, "preload", Value::Table(preload));
    let require = new_closure(l, lua_require, pkg);
    let key = l.heap.intern_static(b"require");
    l.globals.set_str(&mut l.heap, key, require);
    pkg
}

/// The `package.searchers` list: the four standard searchers, closures over `pkg`.
fn new_searchers(l: &mut Lua, pkg: Gc<Table>) -> Gc<Table> {
    let searchers = l.new_table(4, 0);
    let list: [NativeFn; 4] = [searcher_preload, searcher_lua, searcher_c, searcher_croot];
    for (i, f) in (1i64..).zip(list) {
        let c = new_closure(l, f, pkg);
        searchers.set_int(&mut l.heap, i, c);
    }
    searchers
}

/// A native closure over `pkg` (its upvalue 1).
fn new_closure(l: &mut Lua, func: NativeFn, pkg: Gc<Table>) -> Value {
    l.new_native_closure(func, &[Value::Table(pkg)])
}

/// The registry table at `key`, created if absent (`luaL_getsubtable`).
fn registry_table(l: &mut Lua, key: &'static str) -> Gc<Table> {
    let registry = l.registry;
    let k = l.heap.intern_static(key.as_bytes());
    if let Value::Table(t) = registry.get_str(k) {
        return t;
    }
    let t = l.new_table(0, 0);
    registry.set_str(&mut l.heap, k, Value::Table(t));
    t
}

/// True when `t[key]` is true, found without interning `key` (which would leave a
/// garbage string behind at boot).
fn has_true_field(t: Gc<Table>, key: &str) -> bool {
    let mut on = false;
    t.for_each_str_entry(|k, v| on |= k == key.as_bytes() && v.truthy());
    on
}

// ---------------------------------------------------------------------------
// Small table and string helpers
// ---------------------------------------------------------------------------

/// Raw `t[key]` for a string key.
fn get_field(l: &mut Lua, t: Gc<Table>, key: &str) -> Value {
    let k = l.intern(key.as_bytes());
    t.get_str(k)
}

/// Raw `t[key] = v` for a string key (a new key string keeps its bytes where they
/// are: STR-STORAGE).
fn set_field(l: &mut Lua, t: Gc<Table>, key: &'static str, v: Value) {
    let k = l.heap.intern_static(key.as_bytes());
    t.set_str(&mut l.heap, k, v);
}

/// A string or number value as bytes (`lua_tolstring`), `None` for other types.
fn to_bytes(v: Value) -> Option<Vec<u8>> {
    let mut text = String::new();
    match v {
        Value::Str(s) => return Some(s.as_bytes().to_vec()),
        Value::Int(i) => fmt_int(i, &mut text),
        Value::Float(f) => fmt_float(f, &mut text),
        _ => return None,
    }
    Some(text.into_bytes())
}

/// An error whose message is `bytes`, prefixed with the position of the running
/// native's caller when that is Lua code (`luaL_error`).
fn error_bytes(l: &mut Lua, bytes: &[u8]) -> LuaError {
    let mut msg = l.where_(1).into_bytes();
    msg.extend_from_slice(bytes);
    LuaError::new(Value::Str(l.intern(&msg)))
}

/// Replaces every occurrence of `pat` in `s` by `rep` (`luaL_gsub`; empty `pat`: none).
fn replace_all(s: &[u8], pat: &[u8], rep: &[u8]) -> Vec<u8> {
    if pat.is_empty() {
        return s.to_vec();
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(pat) {
            out.extend_from_slice(rep);
            i += pat.len();
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Arguments and upvalues
// ---------------------------------------------------------------------------

/// The `package` table: upvalue 1 of the running native closure.
fn package_upvalue(l: &mut Lua) -> LuaResult<Gc<Table>> {
    match l.native_upval(0) {
        Value::Table(t) => Ok(t),
        _ => Err(l.error_str("package function called without its 'package' upvalue")),
    }
}

/// `package[field]` as bytes; "'package.<field>' must be a string" otherwise.
fn package_string(l: &mut Lua, field: &str) -> LuaResult<Vec<u8>> {
    let pkg = package_upvalue(l)?;
    match to_bytes(get_field(l, pkg, field)) {
        Some(b) => Ok(b),
        None => Err(l.error_str(&alloc::format!("'package.{field}' must be a string"))),
    }
}

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

/// The initial value of `package.path` or `package.cpath`: the first of `vars` that is
/// set (unless `no_env`), with its first ";;" replaced by `default`; `None` for
/// `default` itself.
fn initial_path(vars: &[&str], default: &str, no_env: bool) -> Option<Vec<u8>> {
    if !no_env {
        for var in vars {
            if let Some(v) = env_var(var) {
                return Some(expand_default(&v, default.as_bytes()));
            }
        }
    }
    None
}

/// The initial value of `package.path` or `package.cpath` (see `initial_path`); the
/// default keeps its bytes in read-only memory (STR-STORAGE).
fn path_value(l: &mut Lua, vars: &[&str], default: &'static str, no_env: bool) -> Value {
    Value::Str(match initial_path(vars, default, no_env) {
        Some(p) => l.intern(&p),
        None => l.heap.intern_static(default.as_bytes()),
    })
}

/// Replaces the first ";;" of `path` by `;default;`, without empty ends.
fn expand_default(path: &[u8], default: &[u8]) -> Vec<u8> {
    let Some(at) = path.windows(2).position(|w| w == b";;") else {
        return path.to_vec();
    };
    let (prefix, suffix) = (&path[..at], &path[at + 2..]);
    let mut out = Vec::with_capacity(path.len() + default.len() + 2);
    if !prefix.is_empty() {
        out.extend_from_slice(prefix);
        out.push(b';');
    }
    out.extend_from_slice(default);
    if !suffix.is_empty() {
        out.push(b';');
        out.extend_from_slice(suffix);
    }
    out
}

/// `package.searchpath`'s search: the first template of `path` (split at ';', every
/// '?' replaced by `name` with `sep` replaced by `rep`) that `readable` accepts, or the
/// "no file '...'" lines for all of them joined by "\n\t".
fn search_path(
    name: &[u8],
    path: &[u8],
    sep: &[u8],
    rep: &[u8],
    readable: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, Vec<u8>> {
    let name = replace_all(name, sep, rep);
    let mut tried = Vec::new();
    for template in path.split(|&c| c == b';') {
        let file = replace_all(template, b"?", &name);
        if readable(&file) {
            return Ok(file);
        }
        if !tried.is_empty() {
            tried.extend_from_slice(b"\n\t");
        }
        tried.extend_from_slice(b"no file '");
        tried.extend_from_slice(&file);
        tried.push(b'\'');
    }
    Err(tried)
}

/// `search_path` with the default separators, checking the file system.
fn find_file(name: &[u8], path: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    search_path(name, path, b".", b"/", readable)
}

// ---------------------------------------------------------------------------
// Files (std only)
// ---------------------------------------------------------------------------

/// The environment variable `name`'s bytes, if set.
#[cfg(feature = "std")]
fn env_var(name: &str) -> Option<Vec<u8>> {
    let v = std::env::var_os(name)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(v.into_vec())
    }
    #[cfg(not(unix))]
    {
        v.into_string().ok().map(String::into_bytes)
    }
}

/// Without `std` there is no environment.
#[cfg(not(feature = "std"))]
fn env_var(_name: &str) -> Option<Vec<u8>> {
    None
}

/// A file-system path from Lua bytes (`None` if the platform cannot name it).
#[cfg(feature = "std")]
fn os_path(file: &[u8]) -> Option<std::path::PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(file)))
    }
    #[cfg(not(unix))]
    {
        core::str::from_utf8(file)
            .ok()
            .map(std::path::PathBuf::from)
    }
}

/// True if `file` can be opened for reading (what `searchpath` checks).
#[cfg(feature = "std")]
fn readable(file: &[u8]) -> bool {
    os_path(file).is_some_and(|p| std::fs::File::open(p).is_ok())
}

/// Without `std` no file is ever found.
#[cfg(not(feature = "std"))]
fn readable(_file: &[u8]) -> bool {
    false
}

/// An I/O error's message without Rust's " (os error N)" suffix (as `strerror` says it).
#[cfg(feature = "std")]
fn io_message(e: &std::io::Error) -> String {
    let mut s = alloc::format!("{e}");
    if let Some(at) = s.find(" (os error ") {
        s.truncate(at);
    }
    s
}

/// The bytes of `file`, or "cannot open/read <file>: <reason>".
#[cfg(feature = "std")]
fn read_source(file: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let shown = String::from_utf8_lossy(file);
    let Some(path) = os_path(file) else {
        return Err(alloc::format!("cannot open {shown}"));
    };
    let mut f = std::fs::File::open(path)
        .map_err(|e| alloc::format!("cannot open {shown}: {}", io_message(&e)))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)
        .map_err(|e| alloc::format!("cannot read {shown}: {}", io_message(&e)))?;
    Ok(bytes)
}

/// Without `std` no file can be read.
#[cfg(not(feature = "std"))]
fn read_source(file: &[u8]) -> Result<Vec<u8>, String> {
    Err(alloc::format!(
        "cannot open {}",
        String::from_utf8_lossy(file)
    ))
}

/// A file's contents as `loadfile` hands them to the loader: a UTF-8 byte-order mark
/// dropped, and a first line starting with '#' emptied (its newline kept so line numbers
/// stay right, unless a binary chunk follows).
fn file_chunk(bytes: &[u8]) -> &[u8] {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if text.first() != Some(&b'#') {
        return text;
    }
    let Some(nl) = text.iter().position(|&c| c == b'\n') else {
        return b"";
    };
    let rest = &text[nl..];
    match rest.get(1) {
        Some(&0x1b) => &rest[1..],
        _ => rest,
    }
}

/// Loads the Lua file `file` as a function (chunk name "@file"), or the loader error
/// message.
fn load_file(l: &mut Lua, file: &[u8]) -> Result<Value, Vec<u8>> {
    let mut chunkname = Vec::with_capacity(file.len() + 1);
    chunkname.push(b'@');
    chunkname.extend_from_slice(file);
    if let Some(r) = l.load_mapped_file(file, &chunkname, "bt", None) {
        return r.map_err(|e| error_text(e.value)); // a binary chunk file, used in place
    }
    let bytes = read_source(file).map_err(String::into_bytes)?;
    l.load(file_chunk(&bytes), &chunkname, "bt", None)
        .map_err(|e| error_text(e.value))
}

/// An error object as message bytes (strings and numbers; otherwise a description).
fn error_text(v: Value) -> Vec<u8> {
    to_bytes(v).unwrap_or_else(|| {
        alloc::format!("(error object is a {} value)", v.type_name()).into_bytes()
    })
}

/// The "error loading module 'name' from file 'file':\n\tmsg" error.
fn loading_error(l: &mut Lua, name: &[u8], file: &[u8], msg: &[u8]) -> LuaError {
    let mut m = Vec::new();
    m.extend_from_slice(b"error loading module '");
    m.extend_from_slice(name);
    m.extend_from_slice(b"' from file '");
    m.extend_from_slice(file);
    m.extend_from_slice(b"':\n\t");
    m.extend_from_slice(msg);
    error_bytes(l, &m)
}

// ---------------------------------------------------------------------------
// Searchers
// ---------------------------------------------------------------------------

/// Searcher 1: `package.preload[name]`, with loader data ":preload:".
fn searcher_preload(l: &mut Lua) -> LuaResult<usize> {
    let name = l.check_str(1)?;
    let Value::Table(preload) = get_field(l, l.registry, PRELOAD_KEY) else {
        return Err(l.error_str("'package.preload' must be a table"));
    };
    let loader = preload.get_str(name);
    if loader.is_nil() {
        let mut msg = b"no field package.preload['".to_vec();
        msg.extend_from_slice(name.as_bytes());
        msg.extend_from_slice(b"']");
        return push_bytes(l, &msg);
    }
    l.push(loader);
    l.push_str(PRELOAD_DATA.as_bytes());
    Ok(2)
}

/// Searcher 2: a Lua file along `package.path`; loader data is the file name.
fn searcher_lua(l: &mut Lua) -> LuaResult<usize> {
    let name = l.check_str(1)?;
    let path = package_string(l, "path")?;
    match find_file(name.as_bytes(), &path) {
        Ok(file) => match load_file(l, &file) {
            Ok(loader) => {
                l.push(loader);
                l.push_str(&file);
                Ok(2)
            }
            Err(msg) => Err(loading_error(l, name.as_bytes(), &file, &msg)),
        },
        Err(tried) => push_bytes(l, &tried),
    }
}

/// Searcher 3: a C library along `package.cpath` (never loadable here).
fn searcher_c(l: &mut Lua) -> LuaResult<usize> {
    let name = l.check_str(1)?;
    c_lookup(l, name.as_bytes(), name.as_bytes())
}

/// Searcher 4: the C library of `name`'s root (before the first '.') along
/// `package.cpath`; nothing for names without a dot.
fn searcher_croot(l: &mut Lua) -> LuaResult<usize> {
    let name = l.check_str(1)?;
    let Some(dot) = name.as_bytes().iter().position(|&c| c == b'.') else {
        return Ok(0);
    };
    c_lookup(l, name.as_bytes(), &name.as_bytes()[..dot])
}

/// Looks for the C library `lib` along `package.cpath` on behalf of module `name`: a
/// file found is an "error loading module" (no dynamic libraries); otherwise pushes
/// the list of places tried.
fn c_lookup(l: &mut Lua, name: &[u8], lib: &[u8]) -> LuaResult<usize> {
    let cpath = package_string(l, "cpath")?;
    match find_file(lib, &cpath) {
        Ok(file) => Err(loading_error(l, name, &file, DLMSG.as_bytes())),
        Err(tried) => push_bytes(l, &tried),
    }
}

/// Pushes a message string; one result.
fn push_bytes(l: &mut Lua, bytes: &[u8]) -> LuaResult<usize> {
    l.push_str(bytes);
    Ok(1)
}

// ---------------------------------------------------------------------------
// require
// ---------------------------------------------------------------------------

/// `require(name)`: `package.loaded[name]` if true-ish (one result); otherwise the first
/// loader the searchers find is called with (name, data) and its result (or true) is
/// stored in `package.loaded[name]`; returns that value and the loader data.
fn lua_require(l: &mut Lua) -> LuaResult<usize> {
    let name = l.check_str(1)?;
    let loaded = l.loaded_table();
    let cached = loaded.get_str(name);
    if cached.truthy() {
        l.push(cached);
        return Ok(1);
    }
    // Keep the name (maybe converted from a number) and the table reachable on the stack
    // while Lua code runs (GC-INVARIANT in gc.rs).
    l.push(Value::Str(name));
    l.push(Value::Table(loaded));
    let (loader, data) = find_loader(l, name)?;
    l.push(loader);
    l.push(data);
    let results = l.call_value(loader, &[Value::Str(name), data])?;
    if let Some(&v) = results.first() {
        if !v.is_nil() {
            loaded.set_str(&mut l.heap, name, v);
        }
    }
    if loaded.get_str(name).is_nil() {
        loaded.set_str(&mut l.heap, name, Value::Bool(true));
    }
    let value = loaded.get_str(name);
    l.push(value);
    l.push(data);
    Ok(2)
}

/// Calls the functions of `package.searchers` in order with `name` until one returns
/// a function; returns it and the value after it (the loader data). When none does,
/// raises "module 'name' not found:" followed by each searcher's message on its own
/// "\n\t" line.
fn find_loader(l: &mut Lua, name: Gc<LuaStr>) -> LuaResult<(Value, Value)> {
    let pkg = package_upvalue(l)?;
    let Value::Table(searchers) = get_field(l, pkg, "searchers") else {
        return Err(l.error_str("'package.searchers' must be a table"));
    };
    l.push(Value::Table(searchers));
    let mut msg = b"module '".to_vec();
    msg.extend_from_slice(name.as_bytes());
    msg.extend_from_slice(b"' not found:");
    for i in 1i64.. {
        let searcher = searchers.get_int(i);
        if searcher.is_nil() {
            break;
        }
        let found = l.call_value(searcher, &[Value::Str(name)])?;
        let first = found.first().copied().unwrap_or_default();
        if first.is_function() {
            return Ok((first, found.get(1).copied().unwrap_or_default()));
        }
        if let Some(text) = to_bytes(first) {
            msg.extend_from_slice(b"\n\t");
            msg.extend_from_slice(&text);
        }
    }
    Err(error_bytes(l, &msg))
}

// ---------------------------------------------------------------------------
// package.searchpath, package.loadlib
// ---------------------------------------------------------------------------

/// `package.searchpath(name, path [, sep [, rep]])`: the first readable file name, or
/// nil and the "no file '...'" lines of every place tried.
fn pkg_searchpath(l: &mut Lua) -> LuaResult<usize> {
    // lua5.4 (built by gcc) evaluates these checks right to left.
    let rep = l.opt_str(4)?;
    let sep = l.opt_str(3)?;
    let path = l.check_str(2)?;
    let name = l.check_str(1)?;
    let sep = sep.as_ref().map_or(&b"."[..], |s| s.as_bytes());
    let rep = rep.as_ref().map_or(&b"/"[..], |s| s.as_bytes());
    match search_path(name.as_bytes(), path.as_bytes(), sep, rep, readable) {
        Ok(file) => push_bytes(l, &file),
        Err(tried) => {
            l.push(Value::Nil);
            push_bytes(l, &tried)?;
            Ok(2)
        }
    }
}

/// `package.loadlib(path, funcname)`: always nil, the "dynamic libraries not enabled"
/// message and "absent" (this runtime cannot load C libraries).
fn pkg_loadlib(l: &mut Lua) -> LuaResult<usize> {
    l.check_str(1)?;
    l.check_str(2)?;
    l.push(Value::Nil);
    push_bytes(l, DLMSG.as_bytes())?;
    push_bytes(l, LIB_FAIL.as_bytes())?;
    Ok(3)
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte string helper for readable assertions.
    fn s(b: &[u8]) -> &str {
        core::str::from_utf8(b).unwrap_or("<non-utf8>")
    }

    #[test]
    fn expand_default_replaces_only_the_first_double_semicolon() {
        assert_eq!(s(&expand_default(b"a;;b", b"D")), "a;D;b");
        assert_eq!(s(&expand_default(b";;b", b"D")), "D;b");
        assert_eq!(s(&expand_default(b"a;;", b"D")), "a;D");
        assert_eq!(s(&expand_default(b";;", b"D")), "D");
        assert_eq!(s(&expand_default(b"a;;b;;c", b"D")), "a;D;b;;c");
        assert_eq!(s(&expand_default(b"a;b", b"D")), "a;b");
        assert_eq!(s(&expand_default(b"", b"D")), "");
    }

    #[test]
    fn initial_path_ignores_environment_when_asked() {
        assert_eq!(
            initial_path(&["MOONJET_SURELY_UNSET_VAR"], "X", false),
            None
        );
        assert_eq!(initial_path(&PATH_VARS, DEFAULT_PATH, true), None);
    }

    #[test]
    fn search_path_lists_every_template_like_lua54() {
        let none = |_: &[u8]| false;
        let r = search_path(b"a.b", b"x/?.lua;y/?/z.lua", b".", b"/", none);
        assert_eq!(
            s(&r.unwrap_err()),
            "no file 'x/a/b.lua'\n\tno file 'y/a/b/z.lua'"
        );
        let r = search_path(b"a.b", b"x/?.lua;;y/?/z.lua;", b".", b"+", none);
        assert_eq!(
            s(&r.unwrap_err()),
            "no file 'x/a+b.lua'\n\tno file ''\n\tno file 'y/a+b/z.lua'\n\tno file ''"
        );
        let r = search_path(b"a.b", b"x/?.lua", b"", b"_", none);
        assert_eq!(s(&r.unwrap_err()), "no file 'x/a.b.lua'");
        let r = search_path(b"a.b.c", b"?", b"b", b"", none);
        assert_eq!(s(&r.unwrap_err()), "no file 'a..c'");
        let r = search_path(b"m", b"", b".", b"/", none);
        assert_eq!(s(&r.unwrap_err()), "no file ''");
    }

    #[test]
    fn search_path_returns_first_readable() {
        let only_second = |f: &[u8]| f == b"b/m?x.lua";
        let r = search_path(b"m?x", b"a/?.lua;b/?.lua;c/?.lua", b".", b"/", only_second);
        assert_eq!(s(&r.unwrap()), "b/m?x.lua");
    }

    #[test]
    fn replace_all_handles_overlaps_and_empty_patterns() {
        assert_eq!(s(&replace_all(b"a..b", b".", b"/")), "a//b");
        assert_eq!(s(&replace_all(b"aaa", b"aa", b"x")), "xa");
        assert_eq!(s(&replace_all(b"abc", b"", b"x")), "abc");
        assert_eq!(s(&replace_all(b"?/?", b"?", b"mod")), "mod/mod");
    }

    #[test]
    fn file_chunk_skips_bom_and_shebang_keeping_line_numbers() {
        assert_eq!(s(file_chunk(b"return 1")), "return 1");
        assert_eq!(s(file_chunk(b"#!/bin/lua\nreturn 1")), "\nreturn 1");
        assert_eq!(s(file_chunk(b"\xEF\xBB\xBF#x\nreturn 1")), "\nreturn 1");
        assert_eq!(s(file_chunk(b"\xEF\xBB\xBFreturn 1")), "return 1");
        assert_eq!(s(file_chunk(b"#only a comment")), "");
        assert_eq!(file_chunk(b"#x\n\x1bLua"), b"\x1bLua");
    }

    #[test]
    fn to_bytes_converts_numbers_like_tostring() {
        assert_eq!(to_bytes(Value::Int(12)).as_deref(), Some(&b"12"[..]));
        assert_eq!(to_bytes(Value::Float(1.5)).as_deref(), Some(&b"1.5"[..]));
        assert_eq!(to_bytes(Value::Float(2.0)).as_deref(), Some(&b"2.0"[..]));
        assert!(to_bytes(Value::Nil).is_none());
        assert!(to_bytes(Value::Bool(true)).is_none());
    }

    /// A state with only the package library, paths fixed to `path` and `cpath`.
    fn state_with(path: &str, cpath: &str) -> (Lua, Gc<Table>) {
        let mut l = Lua::new();
        let pkg = open_package(&mut l, true);
        let (path, cpath) = (l.new_str(path.as_bytes()), l.new_str(cpath.as_bytes()));
        set_field(&mut l, pkg, "path", path);
        set_field(&mut l, pkg, "cpath", cpath);
        (l, pkg)
    }

    /// A loader that returns how many arguments it got and its second argument.
    fn count_args(l: &mut Lua) -> LuaResult<usize> {
        let (n, extra) = (l.arg_count() as i64, l.arg(2));
        l.push(Value::Int(n));
        l.push(extra);
        Ok(2)
    }

    /// Bytes of a string value ("" for other values).
    fn bytes_of(v: Value) -> Vec<u8> {
        to_bytes(v).unwrap_or_default()
    }

    #[test]
    fn open_package_sets_fields_and_ignores_env() {
        let (mut l, pkg) = state_with(DEFAULT_PATH, DEFAULT_CPATH);
        let path = get_field(&mut l, pkg, "path");
        assert_eq!(s(&bytes_of(path)), DEFAULT_PATH);
        let config = get_field(&mut l, pkg, "config");
        assert_eq!(s(&bytes_of(config)), CONFIG);
        let loaded = l.loaded_table();
        assert!(get_field(&mut l, loaded, "package").raw_eq(&Value::Table(pkg)));
        assert!(get_field(&mut l, pkg, "loaded").raw_eq(&Value::Table(loaded)));
        let Value::Table(searchers) = get_field(&mut l, pkg, "searchers") else {
            panic!("package.searchers is not a table");
        };
        assert_eq!(searchers.len(), 4);
        assert!(l.get_global("require").is_function());
    }

    #[test]
    fn require_uses_preload_and_caches() {
        let (mut l, pkg) = state_with("", "");
        let Value::Table(preload) = get_field(&mut l, pkg, "preload") else {
            panic!("package.preload is not a table");
        };
        set_field(&mut l, preload, "m", Value::NativeFn(count_args));
        let require = l.get_global("require");
        let name = l.new_str(b"m");
        let first = l.call_value(require, &[name]).map_err(|e| e.value);
        let first = first.unwrap_or_default();
        assert_eq!(first.len(), 2);
        assert!(first[0].raw_eq(&Value::Int(2)), "loader got (name, data)");
        assert_eq!(s(&bytes_of(first[1])), PRELOAD_DATA);
        let again = l.call_value(require, &[name]).map_err(|e| e.value);
        let again = again.unwrap_or_default();
        assert_eq!(again.len(), 1, "cached: one result");
        assert!(again[0].raw_eq(&Value::Int(2)));
    }

    #[test]
    fn require_lists_every_place_tried() {
        let (mut l, _) = state_with("./nowhere/?.lua;./nowhere/?/init.lua", "./nowhere/?.so");
        let require = l.get_global("require");
        let name = l.new_str(b"no_such.mod");
        let err = match l.call_value(require, &[name]) {
            Ok(_) => panic!("require of a missing module succeeded"),
            Err(e) => bytes_of(e.value),
        };
        let expected = "module 'no_such.mod' not found:\n\
            \tno field package.preload['no_such.mod']\n\
            \tno file './nowhere/no_such/mod.lua'\n\
            \tno file './nowhere/no_such/mod/init.lua'\n\
            \tno file './nowhere/no_such/mod.so'\n\
            \tno file './nowhere/no_such.so'";
        assert_eq!(s(&err), expected);
    }

    #[cfg(feature = "std")]
    #[test]
    fn read_source_reports_directories_like_lua54() {
        let dir = std::env::temp_dir();
        let name = dir.to_string_lossy().into_owned();
        let err = read_source(name.as_bytes()).unwrap_err();
        assert_eq!(err, alloc::format!("cannot read {name}: Is a directory"));
        assert!(readable(name.as_bytes()));
        assert!(!readable(b"/surely/not/here/moonjet.lua"));
        assert!(!readable(b"a\0b"));
    }
}
