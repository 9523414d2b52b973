//! Debug information derived from bytecode: line numbers, variable descriptions for
//! error messages ("(global 'x')"), function names for tracebacks and argument errors,
//! and the traceback text itself, worded as lua5.4 words them.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use moonjet_bytecode::chunkid::short_src;
use moonjet_bytecode::opcodes::props;
use moonjet_bytecode::{Constant, OpCode, Proto};

use super::meta::Blame;
use crate::abi::{CallInfo, CIST_CLOSE, CIST_FIN, CIST_LUA, CIST_TAIL};
use crate::error::LuaError;
use crate::value::Value;
use crate::Lua;

/// Traceback levels shown before eliding (lua5.4's LEVELS1).
const LEVELS1: usize = 10;
/// Traceback levels shown after eliding (lua5.4's LEVELS2).
const LEVELS2: usize = 11;

/// A constant as a string, if it is one.
fn const_str(p: &Proto, k: usize) -> Option<String> {
    match p.constants.get(k)? {
        Constant::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

/// Name of upvalue `i` of `p`.
fn upval_name(p: &Proto, i: usize) -> String {
    match p.upvalues.get(i).and_then(|u| u.name.as_ref()) {
        Some(n) => String::from_utf8_lossy(n).into_owned(),
        None => String::from("?"),
    }
}

/// The pc of the last instruction before `lastpc` that wrote register `reg`, if it
/// is certain (not inside a conditional jump's range).
fn find_set_reg(p: &Proto, lastpc: usize, reg: usize) -> Option<usize> {
    let mut setreg = None;
    let mut jmptarget = 0usize;
    let code = &p.code;
    let lastpc = lastpc.min(code.len());
    // A MMBIN-like instruction does not exist here; every opcode's effect is described
    // by its properties.
    for (pc, i) in code[..lastpc].iter().enumerate() {
        let Some(op) = i.opcode() else { continue };
        let a = i.a() as usize;
        let change = match op {
            OpCode::LoadNil => a <= reg && reg <= a + i.b() as usize,
            OpCode::TForCall => reg >= a + 2,
            OpCode::Call | OpCode::TailCall => reg >= a,
            OpCode::Jmp => {
                let dest = pc as i64 + 1 + i.sj_field() as i64;
                if dest > pc as i64 && dest as usize <= lastpc && dest as usize > jmptarget {
                    jmptarget = dest as usize;
                }
                false
            }
            OpCode::SelfOp => reg == a || reg == a + 1,
            _ => op.has(props::WRITES_A) && reg == a,
        };
        if change {
            setreg = if pc < jmptarget { None } else { Some(pc) };
        }
    }
    setreg
}

/// The name of the key in register/constant `c` of a GETTABLE-like instruction.
fn rk_name(p: &Proto, pc: usize, c: usize, is_k: bool) -> String {
    if is_k {
        return const_str(p, c).unwrap_or_else(|| String::from("?"));
    }
    match obj_name(p, pc, c) {
        Some(("constant", n)) => n,
        _ => String::from("?"),
    }
}

/// "global" when table register `t` of the instruction at `pc` is `_ENV`.
fn env_kind(p: &Proto, pc: usize, t: usize, upval: bool) -> &'static str {
    let name = if upval {
        Some(upval_name(p, t))
    } else {
        match obj_name(p, pc, t) {
            Some(("local", n)) | Some(("upvalue", n)) => Some(n),
            _ => None,
        }
    };
    if name.as_deref() == Some("_ENV") {
        "global"
    } else {
        "field"
    }
}

/// Describes what register `reg` holds at `lastpc`: ("local", "x"), ("global", "f"),
/// ("field", "y"), ("upvalue", "u"), ("constant", "s"), ("method", "m").
pub(crate) fn obj_name(p: &Proto, lastpc: usize, reg: usize) -> Option<(&'static str, String)> {
    obj_name_depth(p, lastpc, reg, 0)
}

/// `obj_name` with a bound on MOVE chains.
fn obj_name_depth(
    p: &Proto,
    lastpc: usize,
    reg: usize,
    depth: u32,
) -> Option<(&'static str, String)> {
    if let Some(n) = p.local_name(reg + 1, lastpc) {
        return Some(("local", String::from_utf8_lossy(n).into_owned()));
    }
    let pc = find_set_reg(p, lastpc, reg)?;
    let i = p.code[pc];
    let (a, b, c) = (i.a() as usize, i.b() as usize, i.c() as usize);
    match i.opcode()? {
        OpCode::Move if b < a && depth < 50 => obj_name_depth(p, pc, b, depth + 1),
        OpCode::GetTabUp => Some((
            env_kind(p, pc, b, true),
            const_str(p, c).unwrap_or_default(),
        )),
        OpCode::GetTable => Some((env_kind(p, pc, b, false), rk_name(p, pc, c, false))),
        OpCode::GetI => Some(("field", String::from("integer index"))),
        OpCode::GetField => Some((
            env_kind(p, pc, b, false),
            const_str(p, c).unwrap_or_default(),
        )),
        OpCode::GetUpval => Some(("upvalue", upval_name(p, b))),
        OpCode::LoadK => Some(("constant", const_str(p, i.bx() as usize)?)),
        OpCode::LoadKX => {
            let ax = p.code.get(pc + 1)?.ax_field() as usize;
            Some(("constant", const_str(p, ax)?))
        }
        OpCode::SelfOp if reg == a => Some(("method", rk_name(p, pc, c, i.k()))),
        _ => None,
    }
}

/// The metamethod event an instruction calls (for "in metamethod 'add'").
fn event_of(op: OpCode) -> Option<&'static str> {
    use OpCode::*;
    Some(match op {
        SelfOp | GetTabUp | GetTable | GetI | GetField => "index",
        SetTabUp | SetTable | SetI | SetField => "newindex",
        AddI | AddK | Add => "add",
        SubK | Sub => "sub",
        MulK | Mul => "mul",
        ModK | Mod => "mod",
        PowK | Pow => "pow",
        DivK | Div => "div",
        IDivK | IDiv => "idiv",
        BAndK | BAnd => "band",
        BOrK | BOr => "bor",
        BXorK | BXor => "bxor",
        ShlI | Shl => "shl",
        ShrI | Shr => "shr",
        Unm => "unm",
        BNot => "bnot",
        Len => "len",
        Concat => "concat",
        Eq => "eq",
        Lt | LtI | GtI => "lt",
        Le | LeI | GeI => "le",
        Close | Return => "close",
        _ => return None,
    })
}

impl Lua {
    /// The prototype of a Lua frame.
    fn frame_proto(&self, ci: &CallInfo) -> Option<alloc::rc::Rc<Proto>> {
        match self.stack.get(ci.func as usize)? {
            Value::LuaFn(c) if ci.flags & CIST_LUA != 0 => Some(c.proto.proto.clone()),
            _ => None,
        }
    }

    /// Current line of a Lua frame.
    fn frame_line(&self, ci: &CallInfo) -> Option<u32> {
        self.frame_proto(ci)?
            .line_at((ci.pc as usize).saturating_sub(1))
    }

    /// "src:line:" of a Lua frame ("" for natives).
    fn frame_where(&self, ci: &CallInfo) -> String {
        match self.frame_proto(ci) {
            Some(p) => {
                let line = p.line_at((ci.pc as usize).saturating_sub(1));
                match line {
                    Some(l) => format!("{}:{}:", short_src(&p.source), l),
                    None => format!("{}:?:", short_src(&p.source)),
                }
            }
            None => String::new(),
        }
    }

    /// A runtime error: `msg` prefixed with the position of the running Lua function (if
    /// the innermost frame is one), as lua5.4's luaG_runerror.
    #[inline(never)]
    pub(crate) fn rt_error(&mut self, msg: &str) -> LuaError {
        let pos = match self.frames.last() {
            Some(ci) if ci.flags & CIST_LUA != 0 => self.frame_where(&ci.clone()),
            _ => String::new(),
        };
        let text = if pos.is_empty() {
            String::from(msg)
        } else {
            format!("{pos} {msg}")
        };
        LuaError::new(Value::Str(self.intern(text.as_bytes())))
    }

    /// "src:line:" of the function at `level` (0 = running function, 1 = its caller),
    /// or "" when it is not a Lua function (luaL_where).
    pub fn where_(&self, level: usize) -> String {
        let n = self.frames.len();
        if level >= n {
            return String::new();
        }
        let ci = self.frames[n - 1 - level];
        let w = self.frame_where(&ci);
        if w.is_empty() {
            w
        } else {
            format!("{w} ")
        }
    }

    /// An error with a message string, prefixed with the position of the caller of the
    /// running native (luaL_error): for natives' errors.
    pub fn error_str(&mut self, msg: &str) -> LuaError {
        let text = format!("{}{}", self.where_(1), msg);
        LuaError::new(Value::Str(self.intern(text.as_bytes())))
    }

    /// " (local 'x')"-style detail about an operand of the running Lua instruction.
    pub(crate) fn varinfo(&self, blame: Blame) -> String {
        let Some(ci) = self.frames.last() else {
            return String::new();
        };
        let Some(p) = self.frame_proto(ci) else {
            return String::new();
        };
        let pc = (ci.pc as usize).saturating_sub(1);
        let found = match blame {
            Blame::None => None,
            Blame::Upval(i) => Some(("upvalue", upval_name(&p, i))),
            Blame::Stack(idx) => {
                let base = ci.base as usize;
                if idx >= base && idx < ci.top as usize {
                    obj_name(&p, pc, idx - base)
                } else {
                    None
                }
            }
        };
        match found {
            Some((kind, name)) => format!(" ({kind} '{name}')"),
            None => String::new(),
        }
    }

    /// Name of the local variable in stack slot `idx` of the running Lua function.
    pub(crate) fn local_name_at(&self, idx: usize) -> Option<String> {
        let ci = self.frames.last()?;
        let p = self.frame_proto(ci)?;
        let reg = idx.checked_sub(ci.base as usize)?;
        let n = p.local_name(reg + 1, (ci.pc as usize).saturating_sub(1))?;
        Some(String::from_utf8_lossy(n).into_owned())
    }

    /// How frame `level` (index into `frames`) was called, from its caller's code:
    /// ("global", "f"), ("method", "m"), ("metamethod", "add"), ...
    fn call_name(&self, level: usize) -> Option<(&'static str, String)> {
        let ci = self.frames.get(level)?;
        if self.is_hook_frame(level) {
            return Some(("hook", String::from("?")));
        }
        if ci.flags & CIST_TAIL != 0 {
            return None;
        }
        if ci.flags & CIST_CLOSE != 0 {
            return Some(("metamethod", String::from("close")));
        }
        let caller = self.frames.get(level.checked_sub(1)?)?;
        let p = self.frame_proto(caller)?;
        let pc = (caller.pc as usize).checked_sub(1)?;
        let i = *p.code.get(pc)?;
        let op = i.opcode()?;
        match op {
            OpCode::Call | OpCode::TailCall if ci.flags & CIST_FIN == 0 => {
                obj_name(&p, pc, i.a() as usize)
            }
            OpCode::TForCall => Some(("for iterator", String::from("for iterator"))),
            // `x << n` compiled as `x >> -n` (k) calls `__shl`.
            OpCode::ShrI if i.k() => Some(("metamethod", String::from("shl"))),
            _ => event_of(op).map(|e| ("metamethod", String::from(e))),
        }
    }

    /// "pkg.name" of a function value found in `package.loaded` ("_G." dropped).
    pub(crate) fn global_func_name(&mut self, f: Value) -> Option<String> {
        let loaded = self.loaded_table();
        let mut k = Value::Nil;
        let mut found: Option<String> = None;
        while let Ok(Some((mk, mv))) = loaded.next(&mut self.heap, k) {
            k = mk;
            let (Value::Str(modname), Value::Table(m)) = (mk, mv) else {
                continue;
            };
            // Not `next`: that would copy a library table's static part (STATIC-PART).
            m.for_each_str_entry(|fname, fv| {
                if fv.raw_eq(&f) {
                    let mn = String::from_utf8_lossy(modname.as_bytes());
                    let fname = String::from_utf8_lossy(fname);
                    let name = if mn == "_G" {
                        fname.into_owned()
                    } else {
                        format!("{mn}.{fname}")
                    };
                    // Prefer the shortest ("print" over "_G.print" duplicates).
                    if found.as_ref().is_none_or(|o| name.len() < o.len()) {
                        found = Some(name);
                    }
                }
            });
        }
        found
    }

    /// The name a native function was called by, for "bad argument #1 to 'insert'":
    /// (name, called as a method).
    pub(crate) fn native_name(&mut self) -> (String, bool) {
        let n = self.frames.len();
        if n == 0 {
            return (String::from("?"), false);
        }
        if let Some((kind, name)) = self.call_name(n - 1) {
            return (name, kind == "method");
        }
        let f = self
            .stack
            .get(self.frames[n - 1].func as usize)
            .copied()
            .unwrap_or_default();
        (
            self.global_func_name(f)
                .unwrap_or_else(|| String::from("?")),
            false,
        )
    }

    /// Describes frame `level` for a traceback line ("function 'f'", "local 'f'",
    /// "main chunk", "function <file:12>", "?").
    fn frame_description(&mut self, level: usize) -> String {
        let ci = self.frames[level];
        let f = self
            .stack
            .get(ci.func as usize)
            .copied()
            .unwrap_or_default();
        if let Some(g) = self.global_func_name(f) {
            return format!("function '{g}'");
        }
        if let Some((kind, name)) = self.call_name(level) {
            return format!("{kind} '{name}'");
        }
        match self.frame_proto(&ci) {
            Some(p) if p.line_defined == 0 => String::from("main chunk"),
            Some(p) => format!("function <{}:{}>", short_src(&p.source), p.line_defined),
            None => String::from("?"),
        }
    }

    /// A traceback of the running thread, innermost first, starting `level` frames
    /// below the top, worded as lua5.4's luaL_traceback; `c_bottom` adds the
    /// "[C]: in ?" line of the host's own call.
    pub fn traceback(&mut self, msg: &str, level: usize, c_bottom: bool) -> String {
        let mut out = String::from(msg);
        if !msg.is_empty() {
            out.push('\n');
        }
        out.push_str("stack traceback:");
        let mut lines: Vec<String> = Vec::new();
        let n = self.frames.len();
        for idx in (0..n.saturating_sub(level)).rev() {
            let ci = self.frames[idx];
            let mut line = String::from("\n\t");
            if ci.flags & CIST_LUA != 0 {
                let w = self.frame_where(&ci);
                line.push_str(&w);
            } else {
                line.push_str("[C]:");
            }
            line.push_str(" in ");
            line.push_str(&self.frame_description(idx));
            if ci.flags & CIST_TAIL != 0 {
                line.push_str("\n\t(...tail calls...)");
            }
            lines.push(line);
        }
        if c_bottom {
            lines.push(String::from("\n\t[C]: in ?"));
        }
        if lines.len() > LEVELS1 + LEVELS2 {
            let skip = lines.len() - LEVELS1 - LEVELS2;
            for l in &lines[..LEVELS1] {
                out.push_str(l);
            }
            out.push_str(&format!("\n\t...\t(skipping {skip} levels)"));
            for l in &lines[lines.len() - LEVELS2..] {
                out.push_str(l);
            }
        } else {
            for l in &lines {
                out.push_str(l);
            }
        }
        out
    }

    /// How frame `idx` (index into `frames`) was called, as `debug.getinfo` reports it:
    /// (namewhat, name).
    pub(crate) fn frame_call_name(&self, idx: usize) -> Option<(&'static str, String)> {
        self.call_name(idx)
    }

    /// Current line of a Lua frame, for `debug.getinfo`.
    pub(crate) fn frame_current_line(&self, ci: &CallInfo) -> Option<u32> {
        self.frame_line(ci)
    }

    /// Current line of the Lua function at `level` (0 = innermost frame), if any.
    pub fn current_line(&self, level: usize) -> Option<u32> {
        let n = self.frames.len();
        let ci = self.frames.get(n.checked_sub(level + 1)?)?;
        self.frame_line(ci)
    }
}
