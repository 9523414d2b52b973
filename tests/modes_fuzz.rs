//! Differential fuzzing of the execution modes: generated programs run under
//! `moonjet -joff` (interpreter only), `moonjet -Ohotcall=1 -Ohotloop=1` (every
//! function compiled at its first call) and, when it is on PATH, `lua5.4`; the
//! three outputs must be identical.
//!
//! The programs are built to reach the JIT's guards and exits: loops whose operand
//! types change half-way (integer to float, number to numeric string, to a table
//! with metamethods, to nil), integer/float/string arithmetic and comparisons,
//! table reads and writes with and without metatables, calls, method calls and
//! errors raised from inside compiled loops. Each function prints one line, so a
//! difference names the function and the report shows its source.
//!
//! The comparison with `lua5.4` is skipped with a message when it is absent (and
//! fails when `CI` is set); the interpreter/JIT comparison always runs.
//! `MOONJET_BIN` overrides the binary; `MOONJET_FUZZ_SEED` explores other seeds.

// Each test crate uses a part of the shared helpers.
#[allow(dead_code)]
mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use common::rng::Rng;
use common::{moonjet, need_reference, Outcome, REFERENCE};

/// Default seed of the generator.
const SEED: u64 = 0x4D4F_4F4E_4A45_5431;
/// Generated programs per run, and functions per program.
const PROGRAMS: u64 = 24;
/// Functions in one program.
const FUNCTIONS: usize = 30;
/// Longest a program may run.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Shared definitions at the top of every program: a printer that shows values
/// the same way under every engine (no addresses), objects with metamethods and a
/// class with methods.
const PRELUDE: &str = r##"
local function show1(v)
  local t = type(v)
  if t == "number" then
    return math.type(v) .. ":" .. string.format("%.17g", v)
  elseif t == "string" then
    return string.format("%q", v)
  elseif t == "nil" or t == "boolean" then
    return tostring(v)
  end
  return t
end
local function show(...)
  local out = {}
  for i = 1, select("#", ...) do out[i] = show1((select(i, ...))) end
  return table.concat(out, " ")
end
local MT = {}
MT.__add = function(a, b) return 100 end
MT.__sub = function(a, b) return -100 end
MT.__mul = function(a, b) return 2.5 end
MT.__div = function(a, b) return 0.25 end
MT.__mod = function(a, b) return 3 end
MT.__idiv = function(a, b) return 4 end
MT.__pow = function(a, b) return 1.5 end
MT.__unm = function(a) return -1 end
MT.__band = function(a, b) return 6 end
MT.__bor = function(a, b) return 7 end
MT.__bxor = function(a, b) return 8 end
MT.__shl = function(a, b) return 9 end
MT.__shr = function(a, b) return 10 end
MT.__bnot = function(a) return 11 end
MT.__concat = function(a, b) return "cat" end
MT.__len = function(a) return 12 end
MT.__eq = function(a, b) return true end
MT.__lt = function(a, b) return type(a) == "table" end
MT.__le = function(a, b) return type(b) == "table" end
MT.__index = function(t, k) return type(k) == "number" and k * 2 or "idx" end
local obj = setmetatable({}, MT)
local proxy = setmetatable({}, {__index = {1.5, 2, 3, a = 7, b = "8"}})
local log = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v) end})
local Acc = {}
Acc.__index = Acc
function Acc.new(v) return setmetatable({v = v, n = 0}, Acc) end
function Acc:add(x) self.n = self.n + 1; self.v = self.v + x; return self.v end
function Acc:get() return self.v end
local function pick(a, b) if a then return a end return b end
local function sum(...)
  local s = 0
  for _, v in ipairs({...}) do s = s + v end
  return s
end
G = 0
"##;

/// Values the parameters take (Lua source), chosen to move between types.
const VALUES: &[&str] = &[
    "1",
    "-7",
    "0",
    "3",
    "100",
    "3.5",
    "-0.0",
    "0.5",
    "2^53",
    "1e300",
    "math.maxinteger",
    "math.mininteger",
    "\"10\"",
    "\" 7 \"",
    "\"0x10\"",
    "\"2.5\"",
    "\"abc\"",
    "nil",
    "true",
    "obj",
    "proxy",
    "{1, 2, 3}",
    "Acc.new(1)",
];

/// Leaves of expressions that are usually numbers.
const LEAVES: &[&str] = &[
    "acc",
    "x",
    "i",
    "p3",
    "t[1]",
    "t[i % 4 + 1]",
    "r.a",
    "#t",
    "1",
    "2",
    "-3",
    "0.5",
    "7.25",
    "\"4\"",
    "G",
    "proxy[2]",
    "proxy.a",
    "o.v",
    "u",
];

/// Binary operators and how often they are picked.
const BINOPS: &[&str] = &[
    "+", "+", "-", "-", "*", "*", "/", "//", "%", "^", "&", "|", "~", "<<", ">>",
];

/// Comparison operators.
const CMPOPS: &[&str] = &["<", "<=", ">", ">=", "==", "~="];

/// Random expression of nesting depth at most `depth`.
fn expr(rng: &mut Rng, depth: u32) -> String {
    if depth == 0 || rng.chance(1, 3) {
        return rng.pick(LEAVES).to_string();
    }
    match rng.below(12) {
        0 => format!("(- {})", expr(rng, depth - 1)),
        1 => format!("(~{})", expr(rng, depth - 1)),
        2 => format!(
            "string.sub({} .. {}, 1, 12)",
            expr(rng, depth - 1),
            expr(rng, depth - 1)
        ),
        3 => format!("pick({}, {})", expr(rng, depth - 1), expr(rng, depth - 1)),
        4 => format!("math.floor({})", expr(rng, depth - 1)),
        5 => format!(
            "({} and {} or {})",
            cond(rng, depth - 1),
            expr(rng, depth - 1),
            expr(rng, depth - 1)
        ),
        6 => format!("sum({}, {})", expr(rng, depth - 1), expr(rng, depth - 1)),
        _ => {
            let op = rng.pick(BINOPS);
            format!("({} {op} {})", expr(rng, depth - 1), expr(rng, depth - 1))
        }
    }
}

/// Random condition.
fn cond(rng: &mut Rng, depth: u32) -> String {
    match rng.below(6) {
        0 => format!("not {}", expr(rng, depth)),
        1 => format!("({} > 1)", expr(rng, depth)),
        2 => format!("({} == \"abc\")", expr(rng, depth)),
        _ => {
            let op = rng.pick(CMPOPS);
            format!("({} {op} {})", expr(rng, depth), expr(rng, depth))
        }
    }
}

/// One statement of a loop body.
fn statement(rng: &mut Rng, depth: u32) -> String {
    let e = expr(rng, 3);
    match rng.below(22) {
        0..=2 => format!("acc = {e}"),
        3 => format!("t[i % 4 + 1] = {e}"),
        4 => format!("r.a = {e}"),
        5 => format!("x = {e}"),
        6 => format!("G = {e}"),
        7 => format!("o:add({e})"),
        8 => format!("u = {e}"),
        9 => format!("log[i % 3] = {e}"),
        10 if depth > 0 => format!(
            "if {} then {} else {} end",
            cond(rng, 2),
            statement(rng, depth - 1),
            statement(rng, depth - 1)
        ),
        11 if depth > 0 => format!("for j = 1, 3 do {} end", statement(rng, depth - 1)),
        12 if depth > 0 => format!("if {} then break end", cond(rng, 2)),
        // `w`, not `t`: holes would give `#t` several borders, and any is allowed.
        13 => format!("acc = w[{e}]"),
        14 => format!("w[{e}] = {}", expr(rng, 2)),
        15 => format!(
            "acc = #{}",
            rng.pick(&["t", "r", "\"abc\"", "obj", "tostring(acc)", "x"])
        ),
        16 if depth > 0 => format!("for k = 0.5, 2, 0.5 do {} end", statement(rng, depth - 1)),
        17 if depth > 0 => format!(
            "do local n = 0 repeat n = n + 1; {} until n >= 3 or {} end",
            statement(rng, depth - 1),
            cond(rng, 1)
        ),
        18 => format!("acc = (function(z) u = u + 1; return z end)({e})"),
        19 => format!(
            "do local co = coroutine.wrap(function(a) local s = a for q = 1, 2 do \
             s = coroutine.yield(s + q) end return s end) acc = co({e}); acc = co(acc) end"
        ),
        _ => format!("acc = {e}"),
    }
}

/// One generated function and the line that calls and prints it.
fn function(rng: &mut Rng, k: usize) -> String {
    let iterations = rng.range(4, 40);
    let half = iterations / 2;
    let mut body = String::new();
    for _ in 0..rng.range(1, 4) {
        let _ = writeln!(body, "    {}", statement(rng, 2));
    }
    let init = rng.pick(&["0", "0.0", "1", "\"5\""]);
    let args: Vec<&str> = (0..3).map(|_| rng.pick(VALUES)).collect();
    format!(
        "local function f{k}(p1, p2, p3)\n  \
           local acc, u = {init}, 0\n  \
           local t, w = {{1, 2.5, 3, 4}}, {{}}\n  \
           local r = {{a = 1, b = 2}}\n  \
           local o = Acc.new(0)\n  \
           for i = 1, {iterations} do\n    \
             local x = i <= {half} and p1 or p2\n\
         {body}  end\n  \
           return acc, t[1], t[2], t[3], t[4], r.a, o:get(), G, u\n\
         end\n\
         print({k}, show(pcall(f{k}, {}, {}, {})))\n",
        args[0], args[1], args[2]
    )
}

/// A whole program: the prelude and `FUNCTIONS` functions.
fn program(seed: u64, n: u64) -> (String, Vec<String>) {
    let mut rng = Rng::new(seed, n + 1);
    let mut source = String::from(PRELUDE);
    let mut functions = Vec::new();
    for k in 0..FUNCTIONS {
        let f = function(&mut rng, k);
        source.push_str(&f);
        functions.push(f);
    }
    (source, functions)
}

/// The seed: `MOONJET_FUZZ_SEED` (decimal or 0x-hex) or the default.
fn seed() -> u64 {
    let Ok(text) = std::env::var("MOONJET_FUZZ_SEED") else {
        return SEED;
    };
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.unwrap_or_else(|_| panic!("MOONJET_FUZZ_SEED={text}: not a number"))
}

/// Runs `file` in `dir` under `program args`.
fn run(program: &Path, args: &[&str], dir: &Path, file: &str) -> Outcome {
    common::run(program, args, dir, file, TIMEOUT)
}

/// The output with the line numbers of integer division and modulo by zero masked:
/// lua5.4 (5.4.4) reports for these the line of the last instruction that saved its
/// position, not the line of the `//` or `%` (Moonjet reports the operator's line),
/// so they are compared without it against the reference.
fn mask_zero_division_lines(mut out: Outcome) -> Outcome {
    let mut text = String::new();
    for line in out.stdout.lines() {
        let mut line = line.to_string();
        for message in [": attempt to perform 'n%0'", ": attempt to divide by zero"] {
            if let Some(end) = line.find(message) {
                let start = line[..end].rfind(':').map_or(end, |c| c + 1);
                line.replace_range(start..end, "?");
            }
        }
        text.push_str(&line);
        text.push('\n');
    }
    out.stdout = text;
    out
}

/// The first differing output line of two runs, with the function's source.
fn first_difference(a: &Outcome, b: &Outcome, functions: &[String]) -> Option<String> {
    if a.stdout == b.stdout && a.status == b.status {
        return None;
    }
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.stdout.lines().collect(), b.stdout.lines().collect());
    let n = la.len().max(lb.len());
    for j in 0..n {
        let (x, y) = (la.get(j).copied(), lb.get(j).copied());
        if x != y {
            let source = functions.get(j).map_or("", String::as_str);
            return Some(format!(
                "line {j}:\n  {x:?}\n  {y:?}\nfunction:\n{source}\nstderr: {} / {}",
                a.stderr, b.stderr
            ));
        }
    }
    Some(format!(
        "same lines, different ends: {} ({}) / {} ({})",
        a.describe(),
        a.stderr,
        b.describe(),
        b.stderr
    ))
}

#[test]
fn interpreter_jit_and_reference_agree_on_generated_programs() {
    let seed = seed();
    let with_reference = need_reference("modes_fuzz");
    let dir = std::env::temp_dir().join(format!("moonjet-modes-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let bin = moonjet();
    let mut failures = Vec::new();
    for n in 0..PROGRAMS {
        let (source, functions) = program(seed, n);
        let file = format!("fuzz{n}.lua");
        std::fs::write(dir.join(&file), &source).expect("write program");
        let interp = run(&bin, &["-joff"], &dir, &file);
        assert!(
            interp.is_clean(),
            "program {n} (seed {seed:#x}) failed interpreted: {}: {}",
            interp.describe(),
            interp.stderr
        );
        assert_eq!(
            interp.stdout.lines().count(),
            FUNCTIONS,
            "program {n}: one line per function"
        );
        let jit = run(&bin, &["-Ohotcall=1", "-Ohotloop=1"], &dir, &file);
        if let Some(d) = first_difference(&interp, &jit, &functions) {
            failures.push(format!("program {n}, interpreter vs JIT: {d}"));
        }
        if with_reference {
            let reference = run(Path::new(REFERENCE), &[], &dir, &file);
            let (ours, theirs) = (
                mask_zero_division_lines(interp.clone()),
                mask_zero_division_lines(reference),
            );
            if let Some(d) = first_difference(&ours, &theirs, &functions) {
                failures.push(format!("program {n}, moonjet vs {REFERENCE}: {d}"));
            }
        }
    }
    if failures.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "{} difference(s) (seed {seed:#x}):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn generator_is_deterministic_and_varied() {
    let (a, fa) = program(SEED, 0);
    let (b, _) = program(SEED, 0);
    let (c, _) = program(SEED, 1);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(fa.len(), FUNCTIONS);
    assert!(a.contains("for i = 1,"));
}

#[test]
fn zero_division_lines_are_masked() {
    let out = Outcome {
        status: Some(0),
        stdout: "1\tfalse \"f.lua:87: attempt to perform 'n%0'\"\n2\tx:3: y\n".into(),
        stderr: String::new(),
        timed_out: false,
    };
    let masked = mask_zero_division_lines(out);
    assert_eq!(
        masked.stdout,
        "1\tfalse \"f.lua:?: attempt to perform 'n%0'\"\n2\tx:3: y\n"
    );
}
