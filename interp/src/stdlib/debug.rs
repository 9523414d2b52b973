//! The debug library (manual §6.10): traceback, getinfo, metatables of any value, the
//! registry, user values and `debug.debug`. Locals and upvalues are in `debugvars.rs`,
//! hooks in `debughook.rs`; the debug information itself (lines, names, tracebacks)
//! comes from `vm/debug.rs`.
//!
//! Levels count frames of a thread from the top: level 0 is the running function (for
//! the running thread, the debug function itself), level 1 its caller. Another
//! thread's frames are inspected by swapping its stack in for the duration of the
//! inspection (`Lua::inspect_thread`).

use alloc::string::String;
use alloc::vec::Vec;

use moonjet_bytecode::chunkid::short_src_bytes;

use crate::abi::{CallInfo, CIST_LUA, CIST_TAIL};
use crate::error::LuaResult;
use crate::func::NativeFn;
use crate::gc::Gc;
use crate::table::Table;
use crate::thread::Thread;
use crate::value::{LuaType, Value};
use crate::vm::meta::Tm;
use crate::Lua;

use super::debughook::{gethook, sethook};
use super::debugvars::{getlocal, getupvalue, setlocal, setupvalue, upvalueid, upvaluejoin};

/// The functions of the debug library.
const FUNCS: &[(&str, NativeFn)] = &[
    #[cfg(feature = "std")]
    ("debug", debug_),
    ("gethook", gethook),
    ("getinfo", getinfo),
    ("getlocal", getlocal),
    ("getmetatable", getmetatable),
    ("getregistry", getregistry),
    ("getupvalue", getupvalue),
    ("getuservalue", getuservalue),
    ("sethook", sethook),
    ("setlocal", setlocal),
    ("setmetatable", setmetatable),
    ("setupvalue", setupvalue),
    ("setuservalue", setuservalue),
    ("traceback", traceback),
    ("upvalueid", upvalueid),
    ("upvaluejoin", upvaluejoin),
];

/// Registers the library as `debug` (in `_G` and `package.loaded`).
pub fn open(l: &mut Lua) {
    l.register_static_lib("debug", crate::static_part!(FUNCS), 0);
}

// ---------------------------------------------------------------- threads and levels

/// The optional thread argument of a debug function: the thread (`None` for the
/// running one) and the index of the next argument.
pub(super) fn thread_arg(l: &Lua) -> (Option<Gc<Thread>>, usize) {
    match l.arg(1) {
        Value::Thread(t) if t != l.current => (Some(t), 2),
        Value::Thread(_) => (None, 2),
        _ => (None, 1),
    }
}

/// Moves the running thread's stack and frames into `t` and `t`'s into `l` (the same
/// exchange as a coroutine switch, see COROUTINES in `vm/coro.rs`).
fn swap_data(l: &mut Lua, t: Gc<Thread>) {
    let mut d = t.data.borrow_mut();
    core::mem::swap(&mut l.stack, &mut d.stack);
    core::mem::swap(&mut l.top, &mut d.top);
    core::mem::swap(&mut l.frames, &mut d.frames);
    core::mem::swap(&mut l.open_upvals, &mut d.open_upvals);
    core::mem::swap(&mut l.tbc, &mut d.tbc);
    core::mem::swap(&mut l.nny, &mut d.nny);
}

impl Lua {
    /// Runs `f` with thread `t`'s stack and frames in place of the running thread's
    /// (`None`: the running thread), so the frame-inspecting code of `vm/debug.rs`
    /// reads them. `f` must not run Lua code, raise errors or collect garbage.
    pub(crate) fn inspect_thread<R>(
        &mut self,
        t: Option<Gc<Thread>>,
        f: impl FnOnce(&mut Lua) -> R,
    ) -> R {
        let Some(t) = t.filter(|&t| t != self.current) else {
            return f(self);
        };
        let prev = self.current;
        swap_data(self, prev);
        swap_data(self, t);
        self.current = t;
        let r = f(self);
        swap_data(self, t);
        swap_data(self, prev);
        self.current = prev;
        r
    }

    /// Index into `frames` of the frame at `level` (0 = innermost), if it exists.
    pub(crate) fn level_index(&self, level: i64) -> Option<usize> {
        let n = self.frames.len() as i64;
        (0..n).contains(&level).then(|| (n - 1 - level) as usize)
    }
}

// ---------------------------------------------------------------- getinfo

/// Everything `debug.getinfo` can report about a function or frame.
struct Info {
    /// The function.
    func: Value,
    /// `source`.
    source: Vec<u8>,
    /// `linedefined` (-1 for Rust functions).
    line_defined: i64,
    /// `lastlinedefined`.
    last_line_defined: i64,
    /// `what`: "Lua", "C" or "main".
    what: &'static str,
    /// `currentline` (-1 when not running Lua code).
    current_line: i64,
    /// `nups`, `nparams`, `isvararg`.
    nups: usize,
    /// Fixed parameters.
    nparams: usize,
    /// Declared with `...` (always true for Rust functions).
    is_vararg: bool,
    /// `namewhat` and `name`, when the caller's code tells.
    name: Option<(&'static str, String)>,
    /// `istailcall`.
    is_tail: bool,
    /// `activelines` (Lua functions only).
    lines: Option<Vec<u32>>,
}

/// The options `debug.getinfo` understands.
const INFO_OPTIONS: &[u8] = b"SlunrtLf";

impl Info {
    /// What can be told about function `func` alone.
    fn of_function(func: Value, want_lines: bool) -> Info {
        let mut info = Info {
            func,
            source: b"=[C]".to_vec(),
            line_defined: -1,
            last_line_defined: -1,
            what: "C",
            current_line: -1,
            nups: 0,
            nparams: 0,
            is_vararg: true,
            name: None,
            is_tail: false,
            lines: None,
        };
        match func {
            Value::LuaFn(c) => {
                let p = &c.proto.proto;
                info.source = p.source.to_vec();
                info.line_defined = p.line_defined as i64;
                info.last_line_defined = p.last_line_defined as i64;
                info.what = if p.line_defined == 0 { "main" } else { "Lua" };
                info.nups = c.upvals.len();
                info.nparams = p.num_params as usize;
                info.is_vararg = p.is_vararg;
                if want_lines {
                    // A vararg function's VARARGPREP is not an active line (as lua5.4).
                    let skip = usize::from(p.is_vararg);
                    info.lines = Some(p.line_info.iter().skip(skip).copied().collect());
                }
            }
            Value::NativeClosure(c) => info.nups = c.upvals.len(),
            _ => {}
        }
        info
    }

    /// What can be told about frame `idx` of `l`'s running thread.
    fn of_frame(l: &Lua, idx: usize, want_lines: bool) -> Info {
        let ci: CallInfo = l.frames[idx];
        let func = l.stack.get(ci.func as usize).copied().unwrap_or_default();
        let mut info = Info::of_function(func, want_lines);
        if ci.flags & CIST_LUA != 0 {
            info.current_line = l.frame_current_line(&ci).map_or(-1, |n| n as i64);
        }
        info.name = l.frame_call_name(idx);
        info.is_tail = ci.flags & CIST_TAIL != 0;
        info
    }
}

/// Sets field `k` of `t` (raw).
fn set_field(l: &mut Lua, t: Gc<Table>, k: &str, v: Value) {
    let key = l.intern(k.as_bytes());
    t.set_str(&mut l.heap, key, v);
}

/// The `debug.getinfo` table of `info` with the fields `options` asks for.
fn info_table(l: &mut Lua, info: Info, options: &[u8]) -> Gc<Table> {
    let t = l.new_table(0, 16);
    for &o in options {
        match o {
            b'S' => {
                let src = l.new_str(&info.source);
                set_field(l, t, "source", src);
                let short = short_src_bytes(&info.source);
                let short = l.new_str(&short);
                set_field(l, t, "short_src", short);
                set_field(l, t, "linedefined", Value::Int(info.line_defined));
                set_field(l, t, "lastlinedefined", Value::Int(info.last_line_defined));
                let what = l.new_str(info.what.as_bytes());
                set_field(l, t, "what", what);
            }
            b'l' => set_field(l, t, "currentline", Value::Int(info.current_line)),
            b'u' => {
                set_field(l, t, "nups", Value::Int(info.nups as i64));
                set_field(l, t, "nparams", Value::Int(info.nparams as i64));
                set_field(l, t, "isvararg", Value::Bool(info.is_vararg));
            }
            b'n' => {
                let (kind, name) = match &info.name {
                    Some((k, n)) => (*k, l.new_str(n.as_bytes())),
                    None => ("", Value::Nil),
                };
                set_field(l, t, "name", name);
                let kind = l.new_str(kind.as_bytes());
                set_field(l, t, "namewhat", kind);
            }
            b'r' => {
                set_field(l, t, "ftransfer", Value::Int(0));
                set_field(l, t, "ntransfer", Value::Int(0));
            }
            b't' => set_field(l, t, "istailcall", Value::Bool(info.is_tail)),
            b'L' => {
                if let Some(lines) = &info.lines {
                    let set = l.new_table(0, lines.len());
                    for &n in lines {
                        set.set_int(&mut l.heap, n as i64, Value::Bool(true));
                    }
                    set_field(l, t, "activelines", Value::Table(set));
                }
            }
            b'f' => set_field(l, t, "func", info.func),
            _ => {}
        }
    }
    t
}

/// debug.getinfo([thread,] f [, what])
fn getinfo(l: &mut Lua) -> LuaResult<usize> {
    let (th, a) = thread_arg(l);
    let options: Vec<u8> = match l.opt_str(a + 1)? {
        Some(s) => s.as_bytes().to_vec(),
        None => b"flnSrtu".to_vec(),
    };
    if options.first() == Some(&b'>') {
        return Err(l.arg_error(a + 1, "invalid option '>'"));
    }
    let want_lines = options.contains(&b'L');
    let target = l.arg(a);
    let info = if target.is_function() {
        Info::of_function(target, want_lines)
    } else {
        let level = l.check_int(a)?;
        let info = l.inspect_thread(th, |l| {
            let idx = l.level_index(level)?;
            Some(Info::of_frame(l, idx, want_lines))
        });
        match info {
            Some(i) => i,
            None => {
                l.push(Value::Nil);
                return Ok(1);
            }
        }
    };
    if options.iter().any(|c| !INFO_OPTIONS.contains(c)) {
        return Err(l.arg_error(a + 1, "invalid option"));
    }
    let t = info_table(l, info, &options);
    l.push(Value::Table(t));
    Ok(1)
}

// ---------------------------------------------------------------- traceback

/// debug.traceback([thread,] [message [, level]])
fn traceback(l: &mut Lua) -> LuaResult<usize> {
    let (th, a) = thread_arg(l);
    let msg: Option<Vec<u8>> = match l.arg(a) {
        Value::Nil => None,
        Value::Str(s) => Some(s.as_bytes().to_vec()),
        v @ (Value::Int(_) | Value::Float(_)) => Some(l.tostring_basic(v)),
        v => {
            l.push(v);
            return Ok(1);
        }
    };
    let level = l.opt_int(a + 1, if th.is_none() { 1 } else { 0 })?;
    let main = th.unwrap_or(l.current) == l.main_thread;
    let tb = l.inspect_thread(th, |l| {
        if level < 0 {
            return String::from("stack traceback:");
        }
        let level = usize::try_from(level).unwrap_or(usize::MAX);
        let c_bottom = main && level <= l.frames.len();
        l.traceback("", level, c_bottom)
    });
    let mut out = msg.map_or_else(Vec::new, |mut m| {
        m.push(b'\n');
        m
    });
    out.extend_from_slice(tb.as_bytes());
    l.push_str(&out);
    Ok(1)
}

// ---------------------------------------------------------------- metatables

/// Slot of `Lua::type_metas` for a value whose type shares one metatable (all but
/// tables, full userdata and strings).
pub(crate) fn type_meta_slot(v: Value) -> Option<usize> {
    match v.type_of() {
        LuaType::Table | LuaType::UserData | LuaType::String => None,
        t => Some(t as usize),
    }
}

/// debug.getmetatable(value): the metatable, ignoring `__metatable`.
fn getmetatable(l: &mut Lua) -> LuaResult<usize> {
    let v = l.check_any(1)?;
    let mt = l.metatable(v).map_or(Value::Nil, Value::Table);
    l.push(mt);
    Ok(1)
}

/// debug.setmetatable(value, table): sets the metatable of any value (one per type
/// for all but tables and full userdata); returns `value`.
fn setmetatable(l: &mut Lua) -> LuaResult<usize> {
    let v = l.arg(1);
    let mt = match l.arg(2) {
        Value::Nil if l.arg_count() >= 2 => None,
        Value::Table(m) => Some(m),
        _ => return Err(l.type_error(2, "nil or table")),
    };
    match v {
        Value::Table(t) => t.set_metatable(mt),
        Value::UserData(u) => u.metatable.set(mt),
        Value::Str(_) => l.string_meta = mt,
        _ => {
            if let Some(slot) = type_meta_slot(v).and_then(|s| l.type_metas.get_mut(s)) {
                *slot = mt;
            }
        }
    }
    if let (Some(m), Value::Table(_) | Value::UserData(_)) = (mt, v) {
        match v {
            Value::Table(t) => l.heap.barrier_value(t, Value::Table(m)),
            Value::UserData(u) => l.heap.barrier_value(u, Value::Table(m)),
            _ => {}
        }
        if !l.raw_tm(m, Tm::Gc).is_nil() {
            l.check_finalizer(v);
        }
    }
    l.push(v);
    Ok(1)
}

/// debug.getregistry()
fn getregistry(l: &mut Lua) -> LuaResult<usize> {
    l.push(Value::Table(l.registry));
    Ok(1)
}

// ---------------------------------------------------------------- user values

/// debug.getuservalue(u [, n]): the n-th user value and true, or nil when `u` is not a
/// full userdata or has no such value (as lua5.4, which returns only nil then).
fn getuservalue(l: &mut Lua) -> LuaResult<usize> {
    let n = l.opt_int(2, 1)?;
    let Value::UserData(u) = l.arg(1) else {
        l.push(Value::Nil);
        return Ok(1);
    };
    let v = usize::try_from(n)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| u.user_values.borrow().get(i).copied());
    match v {
        Some(v) => {
            l.push(v);
            l.push(Value::Bool(true));
            Ok(2)
        }
        None => {
            l.push(Value::Nil);
            Ok(1)
        }
    }
}

/// debug.setuservalue(u, value [, n]): returns `u`, or nil when it has no such value.
fn setuservalue(l: &mut Lua) -> LuaResult<usize> {
    let n = l.opt_int(3, 1)?;
    let Value::UserData(u) = l.check_type(1, LuaType::UserData)? else {
        return Err(l.type_error(1, "userdata"));
    };
    let v = l.check_any(2)?;
    let slot = usize::try_from(n).ok().and_then(|n| n.checked_sub(1));
    let stored = match slot {
        Some(i) => match u.user_values.borrow_mut().get_mut(i) {
            Some(s) => {
                *s = v;
                true
            }
            None => false,
        },
        None => false,
    };
    if stored {
        l.heap.barrier_value(u, v);
        l.push(Value::UserData(u));
    } else {
        l.push(Value::Nil);
    }
    Ok(1)
}

// ---------------------------------------------------------------- debug.debug

/// debug.debug(): runs each line read from standard input until "cont" or end of
/// input; errors are printed to standard error.
#[cfg(feature = "std")]
fn debug_(l: &mut Lua) -> LuaResult<usize> {
    use std::io::{BufRead, Write};
    loop {
        l.flush_stdout();
        let _ = std::io::stderr().write_all(b"lua_debug> ");
        let mut line = Vec::new();
        let read = std::io::stdin().lock().read_until(b'\n', &mut line);
        if matches!(read, Ok(0) | Err(_)) || line == b"cont\n" || line == b"cont" {
            return Ok(0);
        }
        let top = l.top;
        let r = match l.load(&line, b"=(debug command)", "t", None) {
            Ok(f) => {
                l.push(f);
                l.pcall(top, 0)
            }
            Err(e) => Err(e),
        };
        if let Err(e) = r {
            let msg = l.handler_message(e.value);
            let _ = std::io::stderr().write_all(alloc::format!("{msg}\n").as_bytes());
        }
        l.top = top;
    }
}

#[cfg(test)]
mod tests {
    use crate::stdlib::util::testlua::{check, check_err};

    #[test]
    fn getinfo_of_frames_and_functions() {
        check(
            "local function f(a, b) return debug.getinfo(1, 'nSlu') end\n\
             local i = f()\n\
             return i.name, i.namewhat, i.short_src, i.linedefined, i.currentline, i.what, \
             i.nparams, i.isvararg, i.nups",
            "f,local,t,1,1,Lua,2,false,1",
        );
        check(
            "local i = debug.getinfo(print)\n\
             return i.what, i.short_src, i.source, i.currentline, i.isvararg, i.name",
            "C,[C],=[C],-1,true,nil",
        );
        check(
            "return debug.getinfo(100), debug.getinfo(1, 'S').what",
            "nil,main",
        );
    }

    #[test]
    fn getinfo_errors() {
        check_err(
            "debug.getinfo(1, 'x')",
            "t:1: bad argument #2 to 'getinfo' (invalid option)",
        );
        check_err(
            "debug.getinfo(1, '>S')",
            "t:1: bad argument #2 to 'getinfo' (invalid option '>')",
        );
        check_err(
            "debug.getinfo('a')",
            "t:1: bad argument #1 to 'getinfo' (number expected, got string)",
        );
    }

    #[test]
    fn traceback_messages() {
        check(
            "return debug.traceback('m')",
            "m\nstack traceback:\n\tt:1: in main chunk\n\t[C]: in ?",
        );
        check("return debug.traceback('m', 50)", "m\nstack traceback:");
        check("local t = {} return debug.traceback(t) == t", "true");
        check(
            "local co = coroutine.create(function() coroutine.yield() end)\n\
             coroutine.resume(co)\n\
             return debug.traceback(co, nil, 1)",
            "stack traceback:\n\tt:1: in function <t:1>",
        );
    }

    #[test]
    fn metatables_of_basic_types() {
        check(
            "debug.setmetatable(10, {__index = {half = function(x) return x / 2 end}})\n\
             local r = (8):half()\n\
             debug.setmetatable(10, nil)\n\
             return r, getmetatable(1)",
            "4.0,nil",
        );
        check(
            "debug.setmetatable(nil, {__call = function() return 'c' end})\n\
             local r = (nil)()\n\
             debug.setmetatable(nil, nil)\n\
             return r",
            "c",
        );
        check_err(
            "debug.setmetatable(1, 2)",
            "t:1: bad argument #2 to 'setmetatable' (nil or table expected, got number)",
        );
    }
}
