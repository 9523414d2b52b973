//! The `os` library (manual §6.9), on the C library for time conversion and formatting
//! (`localtime_r`, `gmtime_r`, `mktime`, `strftime` in the C locale) and on `std` for the
//! rest.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use std::io;

use super::io::push_io_error;
use super::util::{
    arg_bool, arg_error, check_int, check_str, index, opt_str, push_bytes, rt_error, set_index,
    str_value, to_integer,
};
use crate::error::LuaResult;
use crate::func::NativeFn;
use crate::state::Lua;
use crate::value::Value;

/// The functions of the `os` table.
pub const FUNCS: &[(&str, NativeFn)] = &[
    ("clock", clock),
    ("date", date),
    ("difftime", difftime),
    ("execute", execute),
    ("exit", exit),
    ("getenv", getenv),
    ("remove", remove),
    ("rename", rename),
    ("setlocale", setlocale),
    ("time", time),
    ("tmpname", tmpname),
];

/// Single-letter conversions `os.date` accepts (C99 `strftime`).
const CONV1: &[u8] = b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
/// Two-letter conversions (`E` and `O` modifiers).
const CONV2: &[&[u8]] = &[
    b"Ec", b"EC", b"Ex", b"EX", b"Ey", b"EY", b"Od", b"Oe", b"OH", b"OI", b"Om", b"OM", b"OS",
    b"Ou", b"OU", b"OV", b"Ow", b"OW", b"Oy",
];

/// `os.clock()`: processor time used, in seconds.
fn clock(l: &mut Lua) -> LuaResult<usize> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    let secs = if rc == 0 {
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    } else {
        0.0
    };
    l.push(Value::Float(secs));
    Ok(1)
}

/// The current calendar time.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Broken-down time of `t`, in UTC or local time.
fn broken_down(t: i64, utc: bool) -> Option<libc::tm> {
    let tt = t as libc::time_t;
    // SAFETY: an all-zero `tm` is a valid value of this plain C struct (the pointer field
    // `tm_zone` may be null).
    let mut tm: libc::tm = unsafe { core::mem::zeroed() };
    // SAFETY: both pointers refer to live locals for the duration of the call.
    let r = unsafe {
        if utc {
            libc::gmtime_r(&tt, &mut tm)
        } else {
            libc::localtime_r(&tt, &mut tm)
        }
    };
    (!r.is_null()).then_some(tm)
}

/// `strftime` of one conversion (`%` plus `conv`).
fn strftime_one(conv: &[u8], tm: &libc::tm, out: &mut Vec<u8>) {
    let mut fmt = Vec::with_capacity(conv.len() + 2);
    fmt.push(b'%');
    fmt.extend_from_slice(conv);
    fmt.push(0);
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for `buf.len()` bytes, `fmt` is NUL-terminated and `tm`
    // is a valid broken-down time; strftime writes at most `buf.len()` bytes.
    let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr().cast(), tm) };
    out.extend_from_slice(&buf[..n.min(buf.len())]);
}

/// Formats `tm` by an `os.date` format; `Err` carries the invalid conversion text.
pub fn format_date(fmt: &[u8], tm: &libc::tm) -> Result<Vec<u8>, Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        let rest = &fmt[i + 1..];
        let len = if rest.first().is_some_and(|c| CONV1.contains(c)) {
            1
        } else if rest.len() >= 2 && CONV2.contains(&&rest[..2]) {
            2
        } else {
            return Err(rest.to_vec());
        };
        strftime_one(&rest[..len], tm, &mut out);
        i += 1 + len;
    }
    Ok(out)
}

/// Sets the fields of a date table from `tm`.
fn set_date_fields(l: &mut Lua, t: Value, tm: &libc::tm) -> LuaResult<()> {
    let fields = [
        ("year", i64::from(tm.tm_year) + 1900),
        ("month", i64::from(tm.tm_mon) + 1),
        ("day", i64::from(tm.tm_mday)),
        ("hour", i64::from(tm.tm_hour)),
        ("min", i64::from(tm.tm_min)),
        ("sec", i64::from(tm.tm_sec)),
        ("yday", i64::from(tm.tm_yday) + 1),
        ("wday", i64::from(tm.tm_wday) + 1),
    ];
    for (k, v) in fields {
        let key = str_value(l, k.as_bytes());
        set_index(l, t, key, Value::Int(v))?;
    }
    if tm.tm_isdst >= 0 {
        let key = str_value(l, b"isdst");
        set_index(l, t, key, Value::Bool(tm.tm_isdst > 0))?;
    }
    Ok(())
}

/// `os.date([format [, time]])`
fn date(l: &mut Lua) -> LuaResult<usize> {
    let fmt = opt_str(l, 1)?;
    let fmt = fmt.as_ref().map_or(&b"%c"[..], |s| s.as_bytes()).to_vec();
    let t = if l.arg(2).is_nil() {
        now()
    } else {
        check_int(l, 2)?
    };
    let (utc, fmt) = match fmt.strip_prefix(b"!") {
        Some(rest) => (true, rest.to_vec()),
        None => (false, fmt),
    };
    let Some(tm) = broken_down(t, utc) else {
        return Err(rt_error(
            l,
            "date result cannot be represented in this installation",
        ));
    };
    if fmt.starts_with(b"*t") {
        let t = Value::Table(l.new_table(0, 9));
        set_date_fields(l, t, &tm)?;
        l.push(t);
        return Ok(1);
    }
    match format_date(&fmt, &tm) {
        Ok(s) => {
            push_bytes(l, &s);
            Ok(1)
        }
        Err(conv) => {
            let msg = format!(
                "invalid conversion specifier '%{}'",
                String::from_utf8_lossy(&conv)
            );
            Err(arg_error(l, 1, &msg))
        }
    }
}

/// Reads an integer field of a date table (`getfield`): `default` < 0 means required.
fn get_field(l: &mut Lua, t: Value, key: &str, default: i64, delta: i64) -> LuaResult<i32> {
    let k = str_value(l, key.as_bytes());
    let v = index(l, t, k)?;
    let res = match to_integer(v) {
        Some(r) => r,
        None if !v.is_nil() => {
            return Err(rt_error(l, &format!("field '{key}' is not an integer")))
        }
        None if default < 0 => {
            return Err(rt_error(l, &format!("field '{key}' missing in date table")))
        }
        None => return Ok(default as i32),
    };
    let in_range = if res >= 0 {
        res - delta <= i64::from(i32::MAX)
    } else {
        i64::from(i32::MIN) + delta <= res
    };
    if !in_range {
        return Err(rt_error(l, &format!("field '{key}' is out-of-bound")));
    }
    Ok((res - delta) as i32)
}

/// `os.time([t])`
fn time(l: &mut Lua) -> LuaResult<usize> {
    if l.arg(1).is_nil() {
        l.push(Value::Int(now()));
        return Ok(1);
    }
    let t = l.arg(1);
    if !matches!(t, Value::Table(_)) {
        return Err(super::util::type_error(l, 1, "table"));
    }
    // SAFETY: an all-zero `tm` is a valid value of this plain C struct.
    let mut tm: libc::tm = unsafe { core::mem::zeroed() };
    tm.tm_year = get_field(l, t, "year", -1, 1900)?;
    tm.tm_mon = get_field(l, t, "month", -1, 1)?;
    tm.tm_mday = get_field(l, t, "day", -1, 0)?;
    tm.tm_hour = get_field(l, t, "hour", 12, 0)?;
    tm.tm_min = get_field(l, t, "min", 0, 0)?;
    tm.tm_sec = get_field(l, t, "sec", 0, 0)?;
    let key = str_value(l, b"isdst");
    let isdst = index(l, t, key)?;
    tm.tm_isdst = if isdst.is_nil() {
        -1
    } else {
        i32::from(isdst.truthy())
    };
    // SAFETY: `tm` is a valid broken-down time owned by this frame.
    let r = unsafe { libc::mktime(&mut tm) };
    set_date_fields(l, t, &tm)?;
    if r == -1 {
        return Err(rt_error(
            l,
            "time result cannot be represented in this installation",
        ));
    }
    l.push(Value::Int(r));
    Ok(1)
}

/// `os.difftime(t2, t1)`: both are required, as in lua5.4.
fn difftime(l: &mut Lua) -> LuaResult<usize> {
    let a = check_int(l, 1)?;
    let b = check_int(l, 2)?;
    l.push(Value::Float(a as f64 - b as f64));
    Ok(1)
}

/// `os.getenv(name)`
fn getenv(l: &mut Lua) -> LuaResult<usize> {
    use std::os::unix::ffi::OsStrExt;
    let name = check_str(l, 1)?;
    match std::env::var_os(std::ffi::OsStr::from_bytes(name.as_bytes())) {
        Some(v) => push_bytes(l, v.as_bytes()),
        None => l.push(Value::Nil),
    }
    Ok(1)
}

/// A path from Lua bytes.
fn path_of(name: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::path::PathBuf::from(std::ffi::OsStr::from_bytes(name))
}

/// `os.remove(filename)`
fn remove(l: &mut Lua) -> LuaResult<usize> {
    let name = check_str(l, 1)?;
    let path = path_of(name.as_bytes());
    let r = match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir(&path),
        _ => std::fs::remove_file(&path),
    };
    match r {
        Ok(()) => {
            l.push(Value::Bool(true));
            Ok(1)
        }
        Err(e) => Ok(push_io_error(l, &e, Some(name.as_bytes()))),
    }
}

/// `os.rename(oldname, newname)`
fn rename(l: &mut Lua) -> LuaResult<usize> {
    let from = check_str(l, 1)?;
    let to = check_str(l, 2)?;
    match std::fs::rename(path_of(from.as_bytes()), path_of(to.as_bytes())) {
        Ok(()) => {
            l.push(Value::Bool(true));
            Ok(1)
        }
        Err(e) => Ok(push_io_error(l, &e, None)),
    }
}

/// Creates a new empty file `/tmp/lua_XXXXXX` that did not exist before.
pub fn create_temp() -> io::Result<(std::path::PathBuf, std::fs::File)> {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ u64::from(std::process::id()) << 32;
    for _ in 0..100 {
        let mut name = String::from("/tmp/lua_");
        for _ in 0..6 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            name.push(char::from(ALNUM[(seed >> 58) as usize % ALNUM.len()]));
        }
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&name)
        {
            Ok(f) => return Ok((name.into(), f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::from(io::ErrorKind::AlreadyExists))
}

/// `os.tmpname()`
fn tmpname(l: &mut Lua) -> LuaResult<usize> {
    match create_temp() {
        Ok((path, _)) => {
            use std::os::unix::ffi::OsStrExt;
            push_bytes(l, path.as_os_str().as_bytes());
            Ok(1)
        }
        Err(_) => Err(rt_error(l, "unable to generate a unique filename")),
    }
}

/// Pushes `luaL_execresult` of a finished process: true|nil, "exit"|"signal", code.
pub fn push_exit_status(l: &mut Lua, status: std::process::ExitStatus) -> usize {
    use std::os::unix::process::ExitStatusExt;
    let (what, code) = match (status.code(), status.signal()) {
        (Some(c), _) => ("exit", c),
        (None, Some(s)) => ("signal", s),
        (None, None) => ("exit", -1),
    };
    l.push(if what == "exit" && code == 0 {
        Value::Bool(true)
    } else {
        Value::Nil
    });
    push_bytes(l, what.as_bytes());
    l.push(Value::Int(i64::from(code)));
    3
}

/// `os.execute([command])`
fn execute(l: &mut Lua) -> LuaResult<usize> {
    let Some(cmd) = opt_str(l, 1)? else {
        l.push(Value::Bool(std::path::Path::new("/bin/sh").exists()));
        return Ok(1);
    };
    l.flush_stdout();
    let text = String::from_utf8_lossy(cmd.as_bytes()).into_owned();
    match std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(text)
        .status()
    {
        Ok(status) => Ok(push_exit_status(l, status)),
        Err(e) => Ok(push_io_error(l, &e, None)),
    }
}

/// `os.exit([code [, close]])`: flushes all output and ends the process.
fn exit(l: &mut Lua) -> LuaResult<usize> {
    let code = match l.arg(1) {
        Value::Nil | Value::Bool(true) => 0,
        Value::Bool(false) => 1,
        _ => check_int(l, 1)? as i32,
    };
    if arg_bool(l, 2) {
        close_state(l);
    }
    super::io::flush_everything(l);
    std::process::exit(code)
}

/// `lua_close` before `os.exit(code, true)`: closes the main thread's pending to-be-closed
/// variables (innermost first), then runs every pending finalizer. Called inside a
/// coroutine it still closes the main thread's variables (on the main thread's stack)
/// and not the coroutines', as lua5.4 does.
fn close_state(l: &mut Lua) {
    if l.current == l.main_thread {
        l.close_all(0, None);
    } else {
        l.close_thread(l.main_thread);
    }
    l.close();
}

/// `os.setlocale([locale [, category]])`: only the C locale exists here.
fn setlocale(l: &mut Lua) -> LuaResult<usize> {
    let loc = opt_str(l, 1)?;
    let cat = opt_str(l, 2)?;
    if let Some(c) = cat {
        if !matches!(
            c.as_bytes(),
            b"all" | b"collate" | b"ctype" | b"monetary" | b"numeric" | b"time"
        ) {
            let msg = format!("invalid option '{}'", String::from_utf8_lossy(c.as_bytes()));
            return Err(arg_error(l, 2, &msg));
        }
    }
    match loc.as_ref().map(|s| s.as_bytes()) {
        None | Some(b"" | b"C" | b"POSIX") => push_bytes(l, b"C"),
        Some(_) => l.push(Value::Nil),
    }
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting_matches_c_locale() {
        let tm = broken_down(86400 * 365, true).unwrap();
        let s = format_date(b"%Y-%m-%d %H:%M:%S %a %A %b %B %c %x %X %p %j %%", &tm).unwrap();
        assert_eq!(
            String::from_utf8(s).unwrap(),
            "1971-01-01 00:00:00 Fri Friday Jan January Fri Jan  1 00:00:00 1971 01/01/71 00:00:00 AM 001 %"
        );
        assert_eq!(format_date(b"%Ez", &tm).unwrap_err(), b"Ez");
        assert_eq!(format_date(b"x%Qabc", &tm).unwrap_err(), b"Qabc");
        assert_eq!(
            format_date(b"%Ec", &tm).unwrap(),
            b"Fri Jan  1 00:00:00 1971"
        );
    }

    #[test]
    fn difftime_needs_two_times() {
        use crate::stdlib::util::testlua::{check, check_err};
        check("return os.difftime(5, 2)", "3.0");
        check_err(
            "return os.difftime(1)",
            "t:1: bad argument #2 to 'difftime' (number expected, got no value)",
        );
    }
}
