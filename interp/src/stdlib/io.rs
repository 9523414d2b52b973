//! The `io` library (manual §6.8): file handles are userdata holding an
//! [`iofile::FileRef`](super::iofile::FileRef) (see IO-FILE), with the `FILE*` metatable.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use std::io::SeekFrom;

use moonjet_bytecode::num::{self, FormatSpec};

use super::iofile::{flush_all, new_file, BufMode, FileRef, LFile, Stream};
use super::util::{
    arg_error, check_str, nargs, new_closure, opt_int, opt_str, push_bytes, rt_error, str_value,
    type_error, upvalue,
};
use crate::error::{LuaError, LuaResult};
use crate::func::NativeFn;
use crate::gc::Gc;
use crate::state::Lua;
use crate::table::Table;
use crate::userdata::UserData;
use crate::value::Value;

/// Registry key of the `FILE*` metatable.
const FILE_META: &[u8] = b"FILE*";
/// Registry key of the default input file.
const IO_INPUT: &[u8] = b"_IO_input";
/// Registry key of the default output file.
const IO_OUTPUT: &[u8] = b"_IO_output";
/// Longest numeral `read("n")` accepts.
const MAX_NUMERAL: usize = 200;
/// Most formats one `lines` call may carry.
const MAX_LINES_FORMATS: usize = 250;

/// The functions of the `io` table.
pub const FUNCS: &[(&str, NativeFn)] = &[
    ("close", io_close),
    ("flush", io_flush),
    ("input", io_input),
    ("lines", io_lines),
    ("open", io_open),
    ("output", io_output),
    ("popen", io_popen),
    ("read", io_read),
    ("tmpfile", io_tmpfile),
    ("type", io_type),
    ("write", io_write),
];

/// The methods of file handles.
const METHODS: &[(&str, NativeFn)] = &[
    ("close", f_close),
    ("flush", f_flush),
    ("lines", f_lines),
    ("read", f_read),
    ("seek", f_seek),
    ("setvbuf", f_setvbuf),
    ("write", f_write),
];

/// The metamethods of file handles.
const METAMETHODS: &[(&str, NativeFn)] = &[
    ("__gc", f_gc),
    ("__close", f_gc),
    ("__tostring", f_tostring),
];

// ---------------------------------------------------------------------------------------------
// Handles
// ---------------------------------------------------------------------------------------------

/// The file a value holds, if it is a file handle.
fn file_of(v: Value) -> Option<FileRef> {
    let Value::UserData(u) = v else { return None };
    let data = u.data.try_borrow().ok()?;
    data.downcast_ref::<FileRef>().cloned()
}

/// A registry value by string key.
fn reg_get(l: &mut Lua, key: &[u8]) -> Value {
    let k = l.intern(key);
    l.registry.get_str(k)
}

/// Sets a registry value by string key.
fn reg_set(l: &mut Lua, key: &[u8], v: Value) {
    let k = l.intern(key);
    let reg = l.registry;
    reg.set_str(&mut l.heap, k, v);
}

/// Wraps `stream` into a new `FILE*` userdata.
fn new_handle(l: &mut Lua, stream: Stream) -> Value {
    let f = new_file(stream);
    let mt = match reg_get(l, FILE_META) {
        Value::Table(t) => Some(t),
        _ => None,
    };
    let data: Box<dyn core::any::Any> = Box::new(f);
    let ud = l.heap.alloc(UserData {
        data: RefCell::new(data),
        metatable: Cell::new(mt),
        user_values: RefCell::new(Vec::new()),
    });
    let v = Value::UserData(ud);
    l.check_finalizer(v);
    v
}

/// `luaL_checkudata(L, n, "FILE*")`.
fn check_file(l: &mut Lua, n: usize) -> LuaResult<FileRef> {
    match file_of(l.arg(n)) {
        Some(f) => Ok(f),
        None => Err(type_error(l, n, "FILE*")),
    }
}

/// An open file argument ("attempt to use a closed file" otherwise).
fn check_open(l: &mut Lua, n: usize) -> LuaResult<FileRef> {
    let f = check_file(l, n)?;
    if f.borrow().is_closed() {
        return Err(rt_error(l, "attempt to use a closed file"));
    }
    Ok(f)
}

/// The message of an OS error, without Rust's " (os error N)" suffix.
pub fn os_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => String::from(&s[..i]),
        None => s,
    }
}

/// `luaL_fileresult` on failure: nil, "[name: ]message", errno.
pub fn push_io_error(l: &mut Lua, e: &std::io::Error, name: Option<&[u8]>) -> usize {
    let mut msg = Vec::new();
    if let Some(n) = name {
        msg.extend_from_slice(n);
        msg.extend_from_slice(b": ");
    }
    msg.extend_from_slice(os_error_text(e).as_bytes());
    l.push(Value::Nil);
    push_bytes(l, &msg);
    l.push(Value::Int(i64::from(e.raw_os_error().unwrap_or(0))));
    3
}

/// Checks a mode of `io.open`: `[rwa]%+?b*`.
fn valid_mode(m: &[u8]) -> bool {
    let Some((&first, rest)) = m.split_first() else {
        return false;
    };
    if !b"rwa".contains(&first) {
        return false;
    }
    let rest = rest.strip_prefix(b"+").unwrap_or(rest);
    rest.iter().all(|&c| c == b'b')
}

/// Opens `name` with a C mode string.
fn open_path(name: &[u8], mode: &[u8]) -> std::io::Result<std::fs::File> {
    let path = path_of(name);
    let plus = mode.contains(&b'+');
    let mut o = std::fs::OpenOptions::new();
    match mode.first() {
        Some(b'r') => o.read(true).write(plus),
        Some(b'w') => o.write(true).create(true).truncate(true).read(plus),
        _ => o.append(true).create(true).read(plus),
    };
    o.open(path)
}

/// A path from Lua bytes.
fn path_of(name: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::path::PathBuf::from(std::ffi::OsStr::from_bytes(name))
}

/// Opens a file or raises "cannot open file 'name' (msg)".
fn open_or_raise(l: &mut Lua, name: &[u8], mode: &[u8]) -> LuaResult<Value> {
    match open_path(name, mode) {
        Ok(f) => Ok(new_handle(l, Stream::File(f))),
        Err(e) => {
            let msg = format!(
                "cannot open file '{}' ({})",
                String::from_utf8_lossy(name),
                os_error_text(&e)
            );
            Err(rt_error(l, &msg))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// io.*
// ---------------------------------------------------------------------------------------------

/// `io.open(filename [, mode])`
fn io_open(l: &mut Lua) -> LuaResult<usize> {
    let name = check_str(l, 1)?;
    let mode = opt_str(l, 2)?;
    let mode = mode.as_ref().map_or(&b"r"[..], |m| m.as_bytes()).to_vec();
    if !valid_mode(&mode) {
        return Err(arg_error(l, 2, "invalid mode"));
    }
    match open_path(name.as_bytes(), &mode) {
        Ok(f) => {
            let h = new_handle(l, Stream::File(f));
            l.push(h);
            Ok(1)
        }
        Err(e) => Ok(push_io_error(l, &e, Some(name.as_bytes()))),
    }
}

/// `io.popen(prog [, mode])`
fn io_popen(l: &mut Lua) -> LuaResult<usize> {
    use std::process::{Command, Stdio};
    let prog = check_str(l, 1)?;
    let mode = opt_str(l, 2)?;
    let mode = mode.as_ref().map_or(&b"r"[..], |m| m.as_bytes()).to_vec();
    if mode != b"r" && mode != b"w" {
        return Err(arg_error(l, 2, "invalid mode"));
    }
    l.flush_stdout();
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg(std::ffi::OsStr::new(&*String::from_utf8_lossy(
            prog.as_bytes(),
        )));
    if mode == b"r" {
        cmd.stdout(Stdio::piped());
    } else {
        cmd.stdin(Stdio::piped());
    }
    match cmd.spawn() {
        Ok(child) => {
            let h = new_handle(l, Stream::Pipe(child));
            l.push(h);
            Ok(1)
        }
        Err(e) => Ok(push_io_error(l, &e, Some(prog.as_bytes()))),
    }
}

/// `io.tmpfile()`: a new file removed from the file system at once.
fn io_tmpfile(l: &mut Lua) -> LuaResult<usize> {
    match super::os::create_temp() {
        Ok((path, f)) => {
            let _ = std::fs::remove_file(&path);
            let h = new_handle(l, Stream::File(f));
            l.push(h);
            Ok(1)
        }
        Err(e) => Ok(push_io_error(l, &e, None)),
    }
}

/// `io.type(obj)`
fn io_type(l: &mut Lua) -> LuaResult<usize> {
    super::util::check_any(l, 1)?;
    match file_of(l.arg(1)) {
        Some(f) if f.borrow().is_closed() => push_bytes(l, b"closed file"),
        Some(_) => push_bytes(l, b"file"),
        None => l.push(Value::Nil),
    }
    Ok(1)
}

/// The default input or output file, raising if it is closed.
fn default_file(l: &mut Lua, key: &[u8]) -> LuaResult<(Value, FileRef)> {
    let v = reg_get(l, key);
    match file_of(v) {
        Some(f) if !f.borrow().is_closed() => Ok((v, f)),
        _ => {
            let which = if key == IO_INPUT { "input" } else { "output" };
            Err(rt_error(l, &format!("default {which} file is closed")))
        }
    }
}

/// Shared body of `io.input` and `io.output`.
fn set_default(l: &mut Lua, key: &[u8], mode: &[u8]) -> LuaResult<usize> {
    match l.arg(1) {
        Value::Nil => {}
        Value::Str(_) | Value::Int(_) | Value::Float(_) => {
            let s = l.check_str(1)?;
            let h = open_or_raise(l, s.as_bytes(), mode)?;
            reg_set(l, key, h);
        }
        v => {
            check_file(l, 1)?;
            reg_set(l, key, v);
        }
    }
    let v = reg_get(l, key);
    l.push(v);
    Ok(1)
}

/// `io.input([file])`
fn io_input(l: &mut Lua) -> LuaResult<usize> {
    set_default(l, IO_INPUT, b"r")
}

/// `io.output([file])`
fn io_output(l: &mut Lua) -> LuaResult<usize> {
    set_default(l, IO_OUTPUT, b"w")
}

/// `io.close([file])`
fn io_close(l: &mut Lua) -> LuaResult<usize> {
    if nargs(l) == 0 || l.arg(1).is_nil() {
        let v = reg_get(l, IO_OUTPUT);
        return close_value(l, v);
    }
    f_close(l)
}

/// `io.flush()`
fn io_flush(l: &mut Lua) -> LuaResult<usize> {
    let (v, f) = default_file(l, IO_OUTPUT)?;
    let r = f.borrow_mut().flush(l);
    file_result(l, r.map(|_| v), None)
}

/// `io.read(...)`: reads from the default input.
fn io_read(l: &mut Lua) -> LuaResult<usize> {
    let (_, f) = default_file(l, IO_INPUT)?;
    let formats: Vec<Value> = (1..=nargs(l)).map(|i| l.arg(i)).collect();
    read_formats(l, &f, &formats, 1)
}

/// `io.write(...)`: writes to the default output.
fn io_write(l: &mut Lua) -> LuaResult<usize> {
    let (v, f) = default_file(l, IO_OUTPUT)?;
    write_args(l, v, &f, 1)
}

/// `io.lines([filename, ...])`
fn io_lines(l: &mut Lua) -> LuaResult<usize> {
    let n = nargs(l);
    let (file, close_at_eof) = match l.arg(1) {
        Value::Nil => {
            let v = reg_get(l, IO_INPUT);
            if file_of(v).is_none_or(|f| f.borrow().is_closed()) {
                return Err(rt_error(l, "attempt to use a closed file"));
            }
            (v, false)
        }
        _ => {
            let name = check_str(l, 1)?;
            (open_or_raise(l, name.as_bytes(), b"r")?, true)
        }
    };
    let formats: Vec<Value> = (2..=n.max(1)).map(|i| l.arg(i)).collect();
    let it = lines_iterator(l, file, close_at_eof, &formats)?;
    l.push(it);
    if close_at_eof {
        l.push(Value::Nil);
        l.push(Value::Nil);
        l.push(file);
        return Ok(4);
    }
    Ok(1)
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

/// Result convention: the value on success, nil/message/errno on failure.
fn file_result(l: &mut Lua, r: std::io::Result<Value>, name: Option<&[u8]>) -> LuaResult<usize> {
    match r {
        Ok(v) => {
            l.push(v);
            Ok(1)
        }
        Err(e) => Ok(push_io_error(l, &e, name)),
    }
}

/// Closes the file in `v`, with `close`'s results.
fn close_value(l: &mut Lua, v: Value) -> LuaResult<usize> {
    let Some(f) = file_of(v) else {
        return Err(type_error(l, 1, "FILE*"));
    };
    if f.borrow().is_closed() {
        return Err(rt_error(l, "attempt to use a closed file"));
    }
    if f.borrow().is_std() {
        l.push(Value::Nil);
        push_bytes(l, b"cannot close standard file");
        return Ok(2);
    }
    let r = f.borrow_mut().close(l);
    match r {
        Ok(None) => {
            l.push(Value::Bool(true));
            Ok(1)
        }
        Ok(Some(status)) => Ok(super::os::push_exit_status(l, status)),
        Err(e) => Ok(push_io_error(l, &e, None)),
    }
}

/// `file:close()`
fn f_close(l: &mut Lua) -> LuaResult<usize> {
    check_file(l, 1)?;
    let v = l.arg(1);
    close_value(l, v)
}

/// `__gc` / `__close`: closes an open non-standard file, ignoring errors.
fn f_gc(l: &mut Lua) -> LuaResult<usize> {
    if let Some(f) = file_of(l.arg(1)) {
        let open = { !f.borrow().is_closed() && !f.borrow().is_std() };
        if open {
            let _ = f.borrow_mut().close(l);
        }
    }
    Ok(0)
}

/// `__tostring`: "file (closed)" or "file (0x...)".
fn f_tostring(l: &mut Lua) -> LuaResult<usize> {
    let f = check_file(l, 1)?;
    let text = if f.borrow().is_closed() {
        String::from("file (closed)")
    } else {
        format!("file ({:#x})", l.arg(1).address().unwrap_or(0))
    };
    push_bytes(l, text.as_bytes());
    Ok(1)
}

/// `file:flush()`
fn f_flush(l: &mut Lua) -> LuaResult<usize> {
    let f = check_open(l, 1)?;
    let v = l.arg(1);
    let r = f.borrow_mut().flush(l);
    file_result(l, r.map(|_| v), None)
}

/// `file:read(...)`
fn f_read(l: &mut Lua) -> LuaResult<usize> {
    let f = check_open(l, 1)?;
    let formats: Vec<Value> = (2..=nargs(l)).map(|i| l.arg(i)).collect();
    read_formats(l, &f, &formats, 2)
}

/// `file:write(...)`
fn f_write(l: &mut Lua) -> LuaResult<usize> {
    let f = check_open(l, 1)?;
    let v = l.arg(1);
    write_args(l, v, &f, 2)
}

/// `file:lines(...)`
fn f_lines(l: &mut Lua) -> LuaResult<usize> {
    check_open(l, 1)?;
    let v = l.arg(1);
    let formats: Vec<Value> = (2..=nargs(l).max(1)).map(|i| l.arg(i)).collect();
    let it = lines_iterator(l, v, false, &formats)?;
    l.push(it);
    Ok(1)
}

/// `file:seek([whence [, offset]])`
fn f_seek(l: &mut Lua) -> LuaResult<usize> {
    let f = check_open(l, 1)?;
    let whence = opt_str(l, 2)?;
    let whence = whence
        .as_ref()
        .map_or(&b"cur"[..], |w| w.as_bytes())
        .to_vec();
    let offset = opt_int(l, 3, 0)?;
    let pos = match &whence[..] {
        b"set" => SeekFrom::Start(offset as u64),
        b"cur" => SeekFrom::Current(offset),
        b"end" => SeekFrom::End(offset),
        other => {
            let msg = format!("invalid option '{}'", String::from_utf8_lossy(other));
            return Err(arg_error(l, 2, &msg));
        }
    };
    if whence == b"set" && offset < 0 {
        return Ok(push_io_error(
            l,
            &std::io::Error::from_raw_os_error(22),
            None,
        ));
    }
    let r = f.borrow_mut().seek(l, pos);
    file_result(l, r.map(|p| Value::Int(p as i64)), None)
}

/// `file:setvbuf(mode [, size])`
fn f_setvbuf(l: &mut Lua) -> LuaResult<usize> {
    let f = check_open(l, 1)?;
    let mode = check_str(l, 2)?;
    let mode = match mode.as_bytes() {
        b"no" => BufMode::No,
        b"line" => BufMode::Line,
        b"full" => BufMode::Full,
        other => {
            let msg = format!("invalid option '{}'", String::from_utf8_lossy(other));
            return Err(arg_error(l, 2, &msg));
        }
    };
    let r = {
        let mut file = f.borrow_mut();
        file.mode = mode;
        file.flush(l)
    };
    file_result(l, r.map(|_| Value::Bool(true)), None)
}

// ---------------------------------------------------------------------------------------------
// Reading and writing
// ---------------------------------------------------------------------------------------------

/// Writes arguments `first..` (strings or numbers) to `f`; returns the file.
fn write_args(l: &mut Lua, fv: Value, f: &FileRef, first: usize) -> LuaResult<usize> {
    let n = nargs(l);
    let mut result = Ok(());
    for i in first..=n {
        let bytes: Vec<u8> = match l.arg(i) {
            Value::Int(x) => {
                let mut b = Vec::new();
                num::format_int(&FormatSpec::plain(b'd'), x, &mut b);
                b
            }
            Value::Float(x) => {
                let mut b = Vec::new();
                let spec = FormatSpec {
                    precision: Some(14),
                    ..FormatSpec::plain(b'g')
                };
                num::format_float(&spec, x, &mut b);
                b
            }
            _ => check_str(l, i)?.as_bytes().to_vec(),
        };
        if result.is_ok() {
            result = f.borrow_mut().write(l, &bytes);
        }
    }
    file_result(l, result.map(|_| fv), None)
}

/// Reads by `formats` (arguments numbered from `first_arg`); with no format, a line.
fn read_formats(l: &mut Lua, f: &FileRef, formats: &[Value], first_arg: usize) -> LuaResult<usize> {
    let mut file = f.borrow_mut();
    if formats.is_empty() {
        return match file.read_line(l, false) {
            Ok(line) => {
                drop(file);
                push_opt(l, line);
                Ok(1)
            }
            Err(e) => Ok(push_io_error(l, &e, None)),
        };
    }
    let mut pushed = 0;
    for (k, &fmt) in formats.iter().enumerate() {
        let r = match fmt {
            Value::Int(_) | Value::Float(_) => {
                let n = match fmt.as_int() {
                    Some(n) => n,
                    None => {
                        drop(file);
                        return Err(arg_error(
                            l,
                            first_arg + k,
                            "number has no integer representation",
                        ));
                    }
                };
                read_count(l, &mut file, n.max(0) as usize)
            }
            Value::Str(s) => {
                let b = s.as_bytes();
                let b = b.strip_prefix(b"*").unwrap_or(b);
                match b.first() {
                    Some(b'n') => read_number(l, &mut file),
                    Some(b'l') => file
                        .read_line(l, false)
                        .map(|o| o.map(|v| str_value(l, &v))),
                    Some(b'L') => file.read_line(l, true).map(|o| o.map(|v| str_value(l, &v))),
                    Some(b'a') => file.read_all(l).map(|v| Some(str_value(l, &v))),
                    _ => {
                        drop(file);
                        return Err(arg_error(l, first_arg + k, "invalid format"));
                    }
                }
            }
            _ => {
                drop(file);
                return Err(string_expected(l, first_arg + k, fmt));
            }
        };
        match r {
            Ok(Some(v)) => {
                l.push(v);
                pushed += 1;
            }
            Ok(None) => {
                l.push(Value::Nil);
                return Ok(pushed + 1);
            }
            Err(e) => {
                drop(file);
                return Ok(push_io_error(l, &e, None));
            }
        }
    }
    Ok(pushed)
}

/// "bad argument #n to 'f' (string expected, got T)" for a format `v`, which may be an
/// upvalue of a `lines` iterator rather than an argument.
fn string_expected(l: &mut Lua, n: usize, v: Value) -> LuaError {
    let got = match super::util::meta_field(l, v, "__name") {
        Value::Str(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        _ if matches!(v, Value::LightUserData(_)) => String::from("light userdata"),
        _ => String::from(v.type_name()),
    };
    arg_error(l, n, &format!("string expected, got {got}"))
}

/// Pushes a string or nil.
fn push_opt(l: &mut Lua, v: Option<Vec<u8>>) {
    match v {
        Some(b) => push_bytes(l, &b),
        None => l.push(Value::Nil),
    }
}

/// `read(n)`: up to `n` bytes; `read(0)` tests for end of file.
fn read_count(l: &mut Lua, f: &mut LFile, n: usize) -> std::io::Result<Option<Value>> {
    if n == 0 {
        return Ok(f.peek(l)?.map(|_| str_value(l, b"")));
    }
    let v = f.read_n(l, n)?;
    Ok(if v.is_empty() {
        None
    } else {
        Some(str_value(l, &v))
    })
}

/// `read("n")`: a numeral as `lua5.4` scans it, or nil. A numeral longer than 200
/// characters is not a number: its first 200 characters are consumed, the rest stay.
fn read_number(l: &mut Lua, f: &mut LFile) -> std::io::Result<Option<Value>> {
    let mut buf = Vec::new();
    while let Some(c) = f.peek(l)? {
        if !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            break;
        }
        f.bump();
    }
    let mut too_long = false;
    let mut accept =
        |f: &mut LFile, l: &mut Lua, buf: &mut Vec<u8>, set: &[u8]| -> std::io::Result<bool> {
            match f.peek(l)? {
                Some(c) if set.contains(&c) => {
                    if buf.len() >= MAX_NUMERAL {
                        too_long = true;
                        return Ok(false);
                    }
                    buf.push(c);
                    f.bump();
                    Ok(true)
                }
                _ => Ok(false),
            }
        };
    accept(f, l, &mut buf, b"-+")?;
    let mut hex = false;
    let mut count = 0;
    if accept(f, l, &mut buf, b"0")? {
        hex = accept(f, l, &mut buf, b"xX")?;
        count = 1;
    }
    let digits: &[u8] = if hex {
        b"0123456789abcdefABCDEF"
    } else {
        b"0123456789"
    };
    while accept(f, l, &mut buf, digits)? {
        count += 1;
    }
    if accept(f, l, &mut buf, b".")? {
        while accept(f, l, &mut buf, digits)? {
            count += 1;
        }
    }
    if count > 0 && accept(f, l, &mut buf, if hex { b"pP" } else { b"eE" })? {
        accept(f, l, &mut buf, b"-+")?;
        while accept(f, l, &mut buf, b"0123456789")? {}
    }
    if too_long {
        return Ok(None);
    }
    Ok(match num::str_to_number(&buf) {
        Some(num::Number::Int(i)) => Some(Value::Int(i)),
        Some(num::Number::Float(x)) => Some(Value::Float(x)),
        None => None,
    })
}

/// A `lines` iterator: a closure over (file, close-at-eof, formats...).
fn lines_iterator(
    l: &mut Lua,
    file: Value,
    close_at_eof: bool,
    formats: &[Value],
) -> LuaResult<Value> {
    if formats.len() > MAX_LINES_FORMATS {
        return Err(arg_error(l, MAX_LINES_FORMATS + 2, "too many arguments"));
    }
    let mut ups = Vec::with_capacity(formats.len() + 2);
    ups.push(file);
    ups.push(Value::Bool(close_at_eof));
    ups.extend(formats.iter().copied().filter(|v| !v.is_nil()));
    Ok(new_closure(l, lines_step, &ups))
}

/// One step of a `lines` iterator: the values read, or no value at all at end of file.
/// Like lua5.4, format errors count the first format as argument #2.
fn lines_step(l: &mut Lua) -> LuaResult<usize> {
    let file = upvalue(l, 0);
    let close_at_eof = upvalue(l, 1).truthy();
    let Some(f) = file_of(file) else {
        return Err(rt_error(l, "file is already closed"));
    };
    if f.borrow().is_closed() {
        return Err(rt_error(l, "file is already closed"));
    }
    let mut formats = Vec::new();
    let mut i = 2;
    loop {
        let v = upvalue(l, i);
        if v.is_nil() {
            break;
        }
        formats.push(v);
        i += 1;
    }
    let base = l.top;
    let n = read_formats(l, &f, &formats, 2)?;
    let first = l.stack.get(base).copied().unwrap_or_default();
    if first.is_nil() {
        if n > 1 {
            if let Value::Str(msg) = l.stack.get(base + 1).copied().unwrap_or_default() {
                return Err(LuaError::new(Value::Str(msg)));
            }
        }
        if close_at_eof {
            let _ = f.borrow_mut().close(l);
        }
        l.top = base;
        return Ok(0);
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------------------
// Opening the library
// ---------------------------------------------------------------------------------------------

/// Creates the `FILE*` metatable, the standard handles and the defaults; `io` is the
/// library table.
pub fn open(l: &mut Lua, io: Gc<Table>) {
    let mt = l.new_table(0, 2);
    mt.add_static(&mut l.heap, crate::static_part!(METAMETHODS));
    let methods = l.new_table(0, 0);
    methods.add_static(&mut l.heap, crate::static_part!(METHODS));
    let k = l.intern(b"__index");
    mt.set_str(&mut l.heap, k, Value::Table(methods));
    let k = l.intern(b"__name");
    let name = str_value(l, FILE_META);
    mt.set_str(&mut l.heap, k, name);
    reg_set(l, FILE_META, Value::Table(mt));
    for (field, stream) in [
        ("stdin", Stream::Stdin),
        ("stdout", Stream::Stdout),
        ("stderr", Stream::Stderr),
    ] {
        let h = new_handle(l, stream);
        let k = l.intern(field.as_bytes());
        io.set_str(&mut l.heap, k, h);
        match field {
            "stdin" => reg_set(l, IO_INPUT, h),
            "stdout" => reg_set(l, IO_OUTPUT, h),
            _ => {}
        }
    }
}

/// Flushes every open file and standard output (call before the process exits).
pub fn flush_everything(l: &mut Lua) {
    flush_all(l);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        for m in ["r", "w", "a", "r+", "w+", "a+", "rb", "r+b", "wbb"] {
            assert!(valid_mode(m.as_bytes()), "{m}");
        }
        for m in ["", "x", "rw", "r+ b", "+r", "rb+"] {
            assert!(!valid_mode(m.as_bytes()), "{m}");
        }
    }

    #[test]
    fn read_and_lines_edge_cases() {
        use crate::stdlib::util::testlua::check;
        check(
            r##"local name = os.tmpname()
            local f = assert(io.open(name, "w"))
            f:write(string.rep("1", 201), "\n", string.rep("1", 200), "\n")
            f:close()
            f = assert(io.open(name))
            local ok, msg = pcall(f.read, f, {})
            local long, rest, fits = f:read("n"), f:read("l"), f:read("n")
            f:close()
            local it = io.lines(name)
            it(); it()
            local n = select("#", it())
            local ok2, msg2 = pcall(function() for _ in io.lines(name, {}) do end end)
            os.remove(name)
            return msg, long, rest, fits == 1.1111111111111112e199, n, msg2"##,
            "bad argument #2 to '?' (string expected, got table),nil,1,true,0,\
             t:12: bad argument #2 to 'for iterator' (string expected, got table)",
        );
    }
}
