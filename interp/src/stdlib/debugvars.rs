//! Locals and upvalues through the debug library (manual §6.10): `getlocal`, `setlocal`,
//! `getupvalue`, `setupvalue`, `upvalueid`, `upvaluejoin`.

use alloc::vec::Vec;

use crate::abi::CIST_LUA;
use crate::error::LuaResult;
use crate::func::{NativeClosure, UpVal};
use crate::gc::Gc;
use crate::value::{LuaType, Value};
use crate::Lua;

use super::debug::thread_arg;

// ---------------------------------------------------------------- locals

/// Name and stack slot of local `n` of frame `idx` (lua5.4's rules): named locals
/// active at the frame's pc, then "(temporary)" ("(C temporary)" for Rust functions)
/// for other slots in use, and "(vararg)" for negative `n` in a vararg function.
fn find_local(l: &Lua, idx: usize, n: i64) -> Option<(Vec<u8>, usize)> {
    let ci = *l.frames.get(idx)?;
    let base = ci.base as usize;
    let is_lua = ci.flags & CIST_LUA != 0;
    if is_lua {
        let Some(Value::LuaFn(c)) = l.stack.get(ci.func as usize).copied() else {
            return None;
        };
        let p = &c.proto.proto;
        if n < 0 {
            let k = n.unsigned_abs();
            if p.is_vararg && k <= ci.nvarargs as u64 {
                let slot = base - ci.nvarargs as usize + (k as usize - 1);
                return Some((b"(vararg)".to_vec(), slot));
            }
            return None;
        }
        if n > 0 {
            let pc = (ci.pc as usize).saturating_sub(1);
            if let Some(name) = p.local_name(n as usize, pc) {
                return Some((name.to_vec(), base + n as usize - 1));
            }
        }
    }
    let limit = match l.frames.get(idx + 1) {
        Some(next) => next.func as usize,
        None => l.top,
    };
    if n > 0 && (limit.saturating_sub(base) as u64) >= n as u64 {
        let name: &[u8] = if is_lua {
            b"(temporary)"
        } else {
            b"(C temporary)"
        };
        return Some((name.to_vec(), base + n as usize - 1));
    }
    None
}

/// Looks up local `n` at `level` of thread `th` and, with `set`, stores a value into
/// it: `Err(())` when the level does not exist, else the name and the old value.
fn access_local(
    l: &mut Lua,
    th: Option<Gc<crate::thread::Thread>>,
    level: i64,
    n: i64,
    set: Option<Value>,
) -> Result<Option<(Vec<u8>, Value)>, ()> {
    l.inspect_thread(th, |l| {
        let idx = l.level_index(level).ok_or(())?;
        let Some((name, slot)) = find_local(l, idx, n) else {
            return Ok(None);
        };
        let old = l.stack.get(slot).copied().unwrap_or_default();
        if let (Some(v), Some(s)) = (set, l.stack.get_mut(slot)) {
            *s = v;
        }
        Ok(Some((name, old)))
    })
}

/// debug.getlocal([thread,] f, local): name and value of a local of the function at
/// level `f`, or the name of parameter `local` of function `f`.
pub(super) fn getlocal(l: &mut Lua) -> LuaResult<usize> {
    let (th, a) = thread_arg(l);
    let n = l.check_int(a + 1)?;
    if let Value::LuaFn(c) = l.arg(a) {
        let name = usize::try_from(n)
            .ok()
            .filter(|&n| n > 0)
            .and_then(|n| c.proto.proto.local_name(n, 0).map(<[u8]>::to_vec));
        match name {
            Some(name) => l.push_str(&name),
            None => l.push(Value::Nil),
        }
        return Ok(1);
    }
    if l.arg(a).is_function() {
        l.push(Value::Nil);
        return Ok(1);
    }
    let level = l.check_int(a)?;
    match access_local(l, th, level, n, None) {
        Err(()) => Err(l.arg_error(a, "level out of range")),
        Ok(Some((name, v))) => {
            l.push_str(&name);
            l.push(v);
            Ok(2)
        }
        Ok(None) => {
            l.push(Value::Nil);
            Ok(1)
        }
    }
}

/// debug.setlocal([thread,] level, local, value): the local's name, or nil.
pub(super) fn setlocal(l: &mut Lua) -> LuaResult<usize> {
    let (th, a) = thread_arg(l);
    let level = l.check_int(a)?;
    let n = l.check_int(a + 1)?;
    let exists = l.inspect_thread(th, |l| l.level_index(level).is_some());
    if !exists {
        return Err(l.arg_error(a, "level out of range"));
    }
    let v = l.check_any(a + 2)?;
    match access_local(l, th, level, n, Some(v)) {
        Ok(Some((name, _))) => {
            // Compiled code keeps locals in machine registers (REG-CACHE in the JIT):
            // dropping all code makes every compiled activation go on in the
            // interpreter, which reads the new value from the stack.
            l.jit.flush();
            l.push_str(&name)
        }
        _ => l.push(Value::Nil),
    }
    Ok(1)
}

// ---------------------------------------------------------------- upvalues

/// An upvalue of a closure.
#[derive(Clone, Copy)]
enum UpRef {
    /// A Lua closure's shared cell.
    Lua(Gc<UpVal>),
    /// Slot `i` of a native closure.
    Native(Gc<NativeClosure>, usize),
}

/// Upvalue `n` (1-based) of function `f`, with its name ("" for native closures,
/// "(no name)" without debug information).
fn upvalue_ref(f: Value, n: i64) -> Option<(Vec<u8>, UpRef)> {
    let i = usize::try_from(n).ok()?.checked_sub(1)?;
    match f {
        Value::LuaFn(c) => {
            let u = c.upvals.get(i)?.get();
            let name = match c.proto.proto.upvalues.get(i).and_then(|d| d.name.as_ref()) {
                Some(name) => name.to_vec(),
                None => b"(no name)".to_vec(),
            };
            Some((name, UpRef::Lua(u)))
        }
        Value::NativeClosure(c) => {
            c.upvals.get(i)?;
            Some((Vec::new(), UpRef::Native(c, i)))
        }
        _ => None,
    }
}

impl Lua {
    /// The value of an upvalue.
    fn upref_get(&self, u: UpRef) -> Value {
        match u {
            UpRef::Lua(u) => self.upval_get(u),
            UpRef::Native(c, i) => c.upvals.get(i).map_or(Value::Nil, |c| c.get()),
        }
    }

    /// Stores into an upvalue.
    fn upref_set(&mut self, u: UpRef, v: Value) {
        match u {
            UpRef::Lua(u) => self.upval_set(u, v),
            UpRef::Native(c, i) => {
                if let Some(cell) = c.upvals.get(i) {
                    cell.set(v);
                    self.heap.barrier_value(c, v);
                }
            }
        }
    }
}

/// The identity `debug.upvalueid` gives an upvalue: the address of its cell.
fn upref_id(u: UpRef) -> usize {
    match u {
        UpRef::Lua(u) => u.addr(),
        UpRef::Native(c, i) => c
            .upvals
            .get(i)
            .map_or(0, |cell| cell as *const core::cell::Cell<Value> as usize),
    }
}

/// debug.getupvalue(f, up): name and value, or nothing.
pub(super) fn getupvalue(l: &mut Lua) -> LuaResult<usize> {
    let n = l.check_int(2)?;
    let f = l.check_type(1, LuaType::Function)?;
    let Some((name, u)) = upvalue_ref(f, n) else {
        return Ok(0);
    };
    l.push_str(&name);
    let v = l.upref_get(u);
    l.push(v);
    Ok(2)
}

/// debug.setupvalue(f, up, value): the upvalue's name, or nothing.
pub(super) fn setupvalue(l: &mut Lua) -> LuaResult<usize> {
    let v = l.check_any(3)?;
    let n = l.check_int(2)?;
    let f = l.check_type(1, LuaType::Function)?;
    let Some((name, u)) = upvalue_ref(f, n) else {
        return Ok(0);
    };
    l.upref_set(u, v);
    l.push_str(&name);
    Ok(1)
}

/// Upvalue `argnup` of function `argf` for `upvalueid`/`upvaluejoin` (lua5.4's
/// checkupval); `strict` raises "invalid upvalue index" when there is none.
fn check_upval(l: &mut Lua, argf: usize, argnup: usize, strict: bool) -> LuaResult<Option<UpRef>> {
    let n = l.check_int(argnup)?;
    let f = l.check_type(argf, LuaType::Function)?;
    let u = upvalue_ref(f, n).map(|(_, u)| u);
    if strict && u.is_none() {
        return Err(l.arg_error(argnup, "invalid upvalue index"));
    }
    Ok(u)
}

/// debug.upvalueid(f, n): a light userdata identifying the upvalue's cell, or nil.
pub(super) fn upvalueid(l: &mut Lua) -> LuaResult<usize> {
    match check_upval(l, 1, 2, false)? {
        Some(u) => l.push(Value::LightUserData(upref_id(u))),
        None => l.push(Value::Nil),
    }
    Ok(1)
}

/// debug.upvaluejoin(f1, n1, f2, n2): makes upvalue `n1` of Lua closure `f1` refer to
/// upvalue `n2` of Lua closure `f2` (the same cell, shared from then on). Arguments are
/// checked as lua5.4 does: both indices first, then that both are Lua functions.
pub(super) fn upvaluejoin(l: &mut Lua) -> LuaResult<usize> {
    check_upval(l, 1, 2, true)?;
    check_upval(l, 3, 4, true)?;
    let (Value::LuaFn(f1), Value::LuaFn(f2)) = (l.arg(1), l.arg(3)) else {
        let bad = if matches!(l.arg(1), Value::LuaFn(_)) {
            3
        } else {
            1
        };
        return Err(l.arg_error(bad, "Lua function expected"));
    };
    let index = |n: Value| {
        n.as_int()
            .and_then(|n| usize::try_from(n).ok())?
            .checked_sub(1)
    };
    let (i1, i2) = (index(l.arg(2)), index(l.arg(4)));
    let (Some(dst), Some(src)) = (
        i1.and_then(|i| f1.upvals.get(i)),
        i2.and_then(|i| f2.upvals.get(i)),
    ) else {
        return Err(l.arg_error(2, "invalid upvalue index"));
    };
    let u = src.get();
    dst.set(u);
    l.heap.barrier_object(f1, u);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use crate::stdlib::util::testlua::{check, check_err};

    #[test]
    fn locals_by_index() {
        check(
            "local function f(a, b, ...)\n\
               local c = a + b\n\
               local n1, v1 = debug.getlocal(1, 3)\n\
               local n2, v2 = debug.getlocal(1, -2)\n\
               return n1, v1, n2, v2, debug.getlocal(1, -3)\n\
             end\n\
             return f(1, 2, 'x', 'y')",
            "c,3,(vararg),y,nil",
        );
        check(
            "local function f(p, q) end\n\
             return debug.getlocal(f, 1), debug.getlocal(f, 2), debug.getlocal(f, 3)",
            "p,q,nil",
        );
        check(
            "local x = 1\n\
             local name = debug.setlocal(1, 1, 5)\n\
             return name, x",
            "x,5",
        );
        check_err(
            "debug.getlocal(50, 1)",
            "t:1: bad argument #1 to 'getlocal' (level out of range)",
        );
    }

    #[test]
    fn locals_of_a_coroutine() {
        check(
            "local co = coroutine.create(function(a) local z = a * 2; coroutine.yield() end)\n\
             coroutine.resume(co, 4)\n\
             local n, v = debug.getlocal(co, 1, 2)\n\
             debug.setlocal(co, 1, 2, 9)\n\
             return n, v, select(2, debug.getlocal(co, 1, 2)), debug.getlocal(co, 0, 1)",
            "z,8,9,nil",
        );
    }

    #[test]
    fn upvalues() {
        check(
            "local a, b = 1, 2\n\
             local function f() return a + b end\n\
             local n = debug.setupvalue(f, 2, 10)\n\
             return debug.getupvalue(f, 1), n, f(), select('#', debug.getupvalue(f, 3))",
            "a,b,11,0",
        );
        check(
            "local a = 1\n\
             local function f() return a end\n\
             local function g() return a end\n\
             local id = debug.upvalueid(f, 1)\n\
             return type(id), id == debug.upvalueid(g, 1), debug.upvalueid(f, 2)",
            "userdata,true,nil",
        );
        check_err(
            "debug.upvaluejoin(print, 1, print, 1)",
            "t:1: bad argument #2 to 'upvaluejoin' (invalid upvalue index)",
        );
    }
}
