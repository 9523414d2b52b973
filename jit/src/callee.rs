//! What the bytecode says about the function a CALL calls (anchor: CALLEE-NAMES), read
//! from the instruction that loaded it: a library function (`string.format`, `print`,
//! a `gmatch` iterator) is native, so its call needs no inline DIRECT-CALL, and only a
//! callee named `sqrt` (or one without a name) gets the `math.sqrt` intrinsic check.
//! Only code size depends on it: a wrong guess makes the general call (the call helper
//! runs any callee correctly, a compiled Lua one directly), never a wrong result.

use moonjet_bytecode::opcodes::props;
use moonjet_bytecode::{Constant, Instruction, OpCode, Proto};

/// How far back from a call the instruction that loaded its callee is looked for.
const LOOK_BACK: usize = 24;

/// The library tables whose fields are native functions.
const LIBRARIES: &[&[u8]] = &[
    b"string",
    b"math",
    b"table",
    b"coroutine",
    b"io",
    b"os",
    b"utf8",
    b"debug",
];

/// The base library's global functions (all native).
const BASE_FUNCTIONS: &[&[u8]] = &[
    b"assert",
    b"collectgarbage",
    b"error",
    b"getmetatable",
    b"ipairs",
    b"load",
    b"next",
    b"pairs",
    b"pcall",
    b"print",
    b"rawequal",
    b"rawget",
    b"rawlen",
    b"rawset",
    b"require",
    b"select",
    b"setmetatable",
    b"tonumber",
    b"tostring",
    b"type",
    b"unpack",
    b"xpcall",
];

/// The string methods that return a native iterator or value (`s:gmatch(p)`).
const STRING_METHODS: &[&[u8]] = &[
    b"byte", b"find", b"format", b"gmatch", b"gsub", b"len", b"lower", b"match", b"rep",
    b"reverse", b"sub", b"upper",
];

/// What is known of the callee of the CALL (or the iterator of the TFORCALL) at a pc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallSite {
    /// The callee may be `math.sqrt` (loaded as `sqrt`, or from nowhere known).
    pub maybe_sqrt: bool,
    /// The callee is almost surely a native (library) function.
    pub native: bool,
    /// The callee was read from this upvalue (LEAF-INLINE in `inline_leaf.rs`).
    pub upvalue: Option<u32>,
    /// The callee may be `string.byte` (read as a field or method named `byte`).
    pub maybe_byte: bool,
    /// The callee was read under the name `sqrt`: the intrinsic's fast path is
    /// expected, so the call stores nothing before it (FLUSH-SLOW in `ops_call.rs`).
    pub named_sqrt: bool,
}

impl Default for CallSite {
    /// Nothing known.
    fn default() -> Self {
        CallSite {
            maybe_sqrt: true,
            native: false,
            upvalue: None,
            maybe_byte: false,
            named_sqrt: false,
        }
    }
}

/// What was loaded into a register, as far as its names tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loaded<'p> {
    /// Nothing known.
    Unknown,
    /// A value with this name (a field key, a global, an upvalue or a local).
    Named(&'p [u8]),
    /// The value of this upvalue, with its name if it has one.
    Upvalue(u32, Option<&'p [u8]>),
    /// A library function (a field of a library table, a base function), with the
    /// field's name when it was read as one.
    Library(Option<&'p [u8]>),
}

/// The call sites of `proto`, by pc (only CALL and TFORCALL pcs mean anything).
pub fn call_sites(proto: &Proto) -> Vec<CallSite> {
    let code: &[Instruction] = &proto.code;
    let targets = jump_targets(code);
    let mut out = vec![CallSite::default(); code.len()];
    for (pc, i) in code.iter().enumerate() {
        let (at, loaded) = match i.opcode() {
            Some(OpCode::Call) => (pc, loaded_into(proto, &targets, pc, i.a())),
            // The iterator of a generic for is the first result of the call just
            // before its TFORPREP: a library's (`pairs`, `s:gmatch`) is native too.
            Some(OpCode::TForPrep) => {
                let Some(call) = pc.checked_sub(1) else {
                    continue;
                };
                let c = code[call];
                let from_library = c.opcode() == Some(OpCode::Call)
                    && c.a() == i.a()
                    && matches!(
                        loaded_into(proto, &targets, call, i.a()),
                        Loaded::Library(_)
                    );
                let at = pc + 1 + i.bx() as usize;
                (
                    at,
                    if from_library {
                        Loaded::Library(None)
                    } else {
                        Loaded::Unknown
                    },
                )
            }
            _ => continue,
        };
        let Some(slot) = out.get_mut(at) else {
            continue;
        };
        *slot = match loaded {
            Loaded::Unknown => CallSite::default(),
            Loaded::Named(n) => CallSite {
                maybe_sqrt: n == b"sqrt",
                native: false,
                upvalue: None,
                maybe_byte: n == b"byte",
                named_sqrt: n == b"sqrt",
            },
            Loaded::Upvalue(u, n) => CallSite {
                maybe_sqrt: !matches!(n, Some(n) if n != b"sqrt"),
                native: false,
                upvalue: Some(u),
                maybe_byte: n == Some(b"byte"),
                named_sqrt: n == Some(b"sqrt"),
            },
            Loaded::Library(n) => CallSite {
                maybe_sqrt: false,
                native: true,
                upvalue: None,
                maybe_byte: n == Some(b"byte"),
                named_sqrt: false,
            },
        };
    }
    out
}

/// Which pcs a jump, a test's skip or a loop instruction may transfer control to.
fn jump_targets(code: &[Instruction]) -> Vec<bool> {
    use OpCode as O;
    let mut t = vec![false; code.len() + 2];
    for (pc, i) in code.iter().enumerate() {
        let to = match i.opcode() {
            Some(O::Jmp) => usize::try_from(pc as i64 + 1 + i.sj_field() as i64).ok(),
            Some(O::ForPrep | O::TForPrep) => Some(pc + 1 + i.bx() as usize),
            Some(O::ForLoop | O::TForLoop) => (pc + 1).checked_sub(i.bx() as usize),
            Some(op) if skips(op) => Some(pc + 2),
            _ => None,
        };
        if let Some(slot) = to.and_then(|to| t.get_mut(to)) {
            *slot = true;
        }
    }
    t
}

/// What the instruction that last wrote register `r` before `pc` (in the few
/// instructions before it, which control enters only at the first) loaded.
fn loaded_into<'p>(proto: &'p Proto, targets: &[bool], pc: usize, r: u32) -> Loaded<'p> {
    let code: &[Instruction] = &proto.code;
    for p in (0..pc).rev().take(LOOK_BACK) {
        let i = code[p];
        let Some(op) = i.opcode() else {
            return Loaded::Unknown;
        };
        if is_control(op) || targets.get(p + 1).copied().unwrap_or(true) {
            return Loaded::Unknown;
        }
        if !writes(op, i, r) {
            continue;
        }
        return match op {
            OpCode::GetTabUp => match const_str(proto, i.c()) {
                Some(n) if BASE_FUNCTIONS.contains(&n) => Loaded::Library(None),
                Some(n) => Loaded::Named(n),
                None => Loaded::Unknown,
            },
            OpCode::GetField => field_of(proto, targets, p, i),
            OpCode::SelfOp if i.k() => match const_str(proto, i.c()) {
                Some(n) if STRING_METHODS.contains(&n) => Loaded::Library(Some(n)),
                Some(n) => Loaded::Named(n),
                None => Loaded::Unknown,
            },
            OpCode::GetUpval => match proto.upvalues.get(i.b() as usize) {
                Some(u) => Loaded::Upvalue(i.b(), u.name.as_deref()),
                None => Loaded::Unknown,
            },
            OpCode::Move => match proto.local_name(i.b() as usize + 1, p) {
                Some(n) => Loaded::Named(n),
                None => Loaded::Unknown,
            },
            _ => Loaded::Unknown,
        };
    }
    Loaded::Unknown
}

/// What GETFIELD `i` at `pc` loads: a library function when its table is a library
/// (a global `string`, `math`, ... read just before), else its key.
fn field_of<'p>(proto: &'p Proto, targets: &[bool], pc: usize, i: Instruction) -> Loaded<'p> {
    let Some(key) = const_str(proto, i.c()) else {
        return Loaded::Unknown;
    };
    if key == b"sqrt" {
        return Loaded::Named(key);
    }
    let code: &[Instruction] = &proto.code;
    let table = match pc.checked_sub(1).map(|p| code[p]) {
        Some(t)
            if t.opcode() == Some(OpCode::GetTabUp)
                && t.a() == i.b()
                && !targets.get(pc).copied().unwrap_or(true) =>
        {
            const_str(proto, t.c())
        }
        _ => None,
    };
    match table {
        Some(t) if LIBRARIES.contains(&t) => Loaded::Library(Some(key)),
        _ => Loaded::Named(key),
    }
}

/// The bytes of string constant `k`.
fn const_str(proto: &Proto, k: u32) -> Option<&[u8]> {
    match proto.constants.get(k as usize)? {
        Constant::Str(s) => Some(s),
        _ => None,
    }
}

/// Whether control may arrive at or leave from the middle of the scanned instructions
/// at `op` (a jump, a test, a loop instruction, a call that writes many registers).
fn is_control(op: OpCode) -> bool {
    use OpCode as O;
    op.has(props::TEST | props::BRANCH)
        || matches!(
            op,
            O::TForCall | O::Call | O::VarArg | O::LoadNil | O::LFalseSkip | O::ExtraArg
        )
}

/// Whether `op` may skip the next instruction (a test, LFALSESKIP).
fn skips(op: OpCode) -> bool {
    op.has(props::TEST) || op == OpCode::LFalseSkip
}

/// Whether instruction `i` (not a control one) writes register `r`: R[A], and R[A+1]
/// for SELF.
fn writes(op: OpCode, i: Instruction, r: u32) -> bool {
    use OpCode as O;
    match op {
        O::SetTabUp | O::SetTable | O::SetI | O::SetField | O::SetUpval | O::SetList => false,
        O::Close | O::Tbc => false,
        O::SelfOp => i.a() == r || i.a() + 1 == r,
        _ => i.a() == r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The call sites of the first CALLs of a chunk, in order.
    fn sites(src: &str) -> Vec<CallSite> {
        let p = moonjet_compiler::compile(src.as_bytes(), b"=t").expect("compiles");
        let s = call_sites(&p);
        (p.code.iter().enumerate())
            .filter(|(_, i)| matches!(i.opcode(), Some(OpCode::Call | OpCode::TForCall)))
            .map(|(pc, _)| s[pc])
            .collect()
    }

    /// Library functions are native; a local function and a method are not; only a
    /// `sqrt` keeps the intrinsic check.
    #[test]
    fn library_calls_are_native_and_only_sqrt_checks_sqrt() {
        let s = sites(
            "local function f(x) return x end \
             local a = string.format('%d', 1) \
             local b = math.sqrt(2) \
             local c = f(3) \
             local d = tostring(4) \
             local e = a:rep(2)",
        );
        let lib = CallSite {
            maybe_sqrt: false,
            native: true,
            upvalue: None,
            maybe_byte: false,
            named_sqrt: false,
        };
        assert_eq!(s[0], lib, "string.format");
        assert!(
            s[1].maybe_sqrt && s[1].named_sqrt && !s[1].native,
            "math.sqrt"
        );
        assert!(!s[2].maybe_sqrt && !s[2].native, "a local function");
        assert_eq!(s[3], lib, "tostring");
        assert_eq!(s[4], lib, "a string method");
    }

    /// The iterator of `pairs` and of `gmatch` is native; that of a Lua generator is not.
    #[test]
    fn library_iterators_are_native() {
        let s = sites(
            "local t = {} local n = 0 \
             for k, v in pairs(t) do n = n + 1 end \
             for w in ('a b'):gmatch('%a') do n = n + 1 end \
             local function gen() return function() end end \
             for x in gen() do n = n + 1 end",
        );
        let iters: Vec<bool> = s.iter().map(|c| c.native).collect();
        // pairs, its TFORCALL, gmatch, its TFORCALL, gen, its TFORCALL.
        assert_eq!(iters, vec![true, true, true, true, false, false]);
    }

    /// An upvalue named `sqrt` (a localized `math.sqrt`) keeps the check; a callee
    /// loaded across a jump is unknown.
    #[test]
    fn upvalue_sqrt_and_unknown_callees() {
        let s = sites(
            "local sqrt = math.sqrt \
             local function g(x) return sqrt(x) + 0 end \
             local h = g(2) \
             local k = (h > 1 and g or print)(3)",
        );
        assert!(!s[0].maybe_sqrt, "g");
        assert_eq!(s[1], CallSite::default(), "a callee chosen by a test");
        assert!(
            !s[1].named_sqrt,
            "an unknown callee may be sqrt, not expected to"
        );
        let p = moonjet_compiler::compile(
            b"local sqrt = math.sqrt return function(x) return sqrt(x) + 0 end",
            b"=t",
        )
        .expect("compiles");
        let inner = &p.protos[0];
        let call = inner
            .code
            .iter()
            .position(|i| i.opcode() == Some(OpCode::Call))
            .expect("a call");
        assert!(call_sites(inner)[call].maybe_sqrt && call_sites(inner)[call].named_sqrt);
    }
}
