//! Differential tests of the standard library against the reference `lua5.4`.
//!
//! Each test generates one Lua script of thousands of cases from a fixed seed
//! (`string.format`, `tostring`/`tonumber`, `os.date`, patterns, `string.pack`),
//! runs it under `moonjet` and `lua5.4`, and compares stdout line by line. Every
//! case prints one line `<case number>\t<results>`, so a differing line names the
//! case, and the report shows the Lua call that produced it.
//!
//! Skipped with a message when `lua5.4` is not on PATH, unless `CI` is set (then
//! the test fails). `MOONJET_BIN` overrides the binary under test.

// Each test crate uses a part of the shared helpers.
#[allow(dead_code)]
mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use common::rng::Rng;
use common::{moonjet, need_reference, Outcome, REFERENCE};

/// Seed of every generator; change it to explore other inputs.
const SEED: u64 = 0x5EED_1E55_0DD5_EED5;

/// How many differing lines a failure report shows in full.
const SHOWN: usize = 8;

/// Longest a script may run before it is killed.
const TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// Lua source for values
// ---------------------------------------------------------------------------

/// Lua source for an integer (`math.mininteger` has no literal).
fn lua_int(value: i64) -> String {
    match value {
        i64::MIN => "math.mininteger".to_string(),
        v if v < 0 => format!("({v})"),
        v => v.to_string(),
    }
}

/// Lua source for a float that reads back as exactly the same float.
fn lua_float(value: f64) -> String {
    if value.is_nan() {
        return "(0/0)".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "(1/0)" } else { "(-1/0)" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "(-0.0)"
        } else {
            "0.0"
        }
        .to_string();
    }
    // Rust's `{:?}` is the shortest text that round-trips, always with '.' or 'e'.
    let text = format!("{value:?}");
    if value < 0.0 {
        format!("({text})")
    } else {
        text
    }
}

/// Lua source for a byte string: printable ASCII kept, everything else as `\ddd`.
fn lua_str(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03}");
            }
        }
    }
    out.push('"');
    out
}

/// An integer from a mix of edge values, small values and random bit patterns.
fn random_int(rng: &mut Rng) -> i64 {
    const EDGES: [i64; 12] = [
        0,
        1,
        -1,
        i64::MAX,
        i64::MIN,
        255,
        256,
        1 << 31,
        (1 << 53) + 1,
        -(1 << 53),
        1000000,
        i64::MIN + 1,
    ];
    match rng.below(4) {
        0 => rng.pick(&EDGES),
        1 => rng.range(-1000, 1000),
        2 => (rng.bits() >> rng.below(64)) as i64 * if rng.chance(1, 2) { -1 } else { 1 },
        _ => rng.bits() as i64,
    }
}

/// A float from edge values, "human" decimals, random magnitudes and random bits.
fn random_float(rng: &mut Rng) -> f64 {
    const EDGES: [f64; 22] = [
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        0.1,
        0.5,
        1.0 / 3.0,
        1e15,
        1e16,
        1e100,
        1e-300,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        9007199254740992.0,
        9223372036854775808.0,
        -9223372036854775808.0,
        123.456,
        100.0,
        0.05,
        2.5,
    ];
    match rng.below(5) {
        0 => rng.pick(&EDGES),
        1 => {
            let scale = 10f64.powi(rng.range(0, 6) as i32);
            rng.range(-1_000_000, 1_000_000) as f64 / scale
        }
        2 => {
            let mantissa = 1.0 + rng.below(1 << 52) as f64 / (1u64 << 52) as f64;
            let value = mantissa * 10f64.powi(rng.range(-320, 308) as i32);
            if rng.chance(1, 2) {
                -value
            } else {
                value
            }
        }
        3 => rng.range(-100_000, 100_000) as f64 + rng.below(4) as f64 * 0.25,
        _ => f64::from_bits(rng.bits()),
    }
}

/// A short random byte string over a mix of letters, digits, punctuation and controls.
fn random_bytes(rng: &mut Rng, max_len: u64, alphabet: &[u8]) -> Vec<u8> {
    let len = rng.below(max_len + 1);
    (0..len).map(|_| rng.pick(alphabet)).collect()
}

// ---------------------------------------------------------------------------
// Generated scripts
// ---------------------------------------------------------------------------

/// Helpers every generated script starts with. `C(n, f, ...)` prints case `n`:
/// the results of `pcall(f, ...)` with strings escaped and floats in full precision.
const PRELUDE: &str = r##"
local function esc(s)
  local out = {}
  for i = 1, #s do
    local b = string.byte(s, i)
    if b < 32 or b > 126 or b == 92 then out[#out + 1] = "\\" .. b else out[#out + 1] = string.char(b) end
  end
  return table.concat(out)
end
local function show(...)
  local parts = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    local t = type(v)
    if t == "string" then parts[i] = '"' .. esc(v) .. '"'
    elseif math.type(v) == "float" then parts[i] = "float:" .. string.format("%.17g", v)
    elseif t == "number" or t == "boolean" or t == "nil" then parts[i] = tostring(v)
    else parts[i] = t end
  end
  return table.concat(parts, " ")
end
function C(n, f, ...)
  io.write(n, "\t", show(pcall(f, ...)), "\n")
end
function E(n, f, ...)
  local ok, err = pcall(f, ...)
  io.write(n, "\t", ok and "ok" or ("error " .. show(err)), "\n")
end
function Q(v)
  local s = string.format("%q", v)
  local back = load("return " .. s)()
  return s, back == v or (v ~= v and back ~= back), math.type(back)
end
function TS(v)
  return tostring(v), v .. "", math.type(v), string.format("%.14g", v)
end
function DT(fmt, t)
  local d = os.date(fmt, t)
  local keys = {}
  for k in pairs(d) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(d[k]) end
  return table.concat(parts, ",")
end
function GM(s, p)
  local found = {}
  for a, b, c in string.gmatch(s, p) do
    found[#found + 1] = show(a, b, c)
    if #found > 40 then break end
  end
  return table.concat(found, "|")
end
function GSF(s, p, n)
  return string.gsub(s, p, function(...) return select("#", ...) .. ":" .. tostring((...)) end, n)
end
local GT = {a = "A", ["1"] = 1, x = false}
function GST(s, p)
  return string.gsub(s, p, GT)
end
local function hex(s)
  local out = {}
  for i = 1, #s do out[i] = string.format("%02x", string.byte(s, i)) end
  return table.concat(out)
end
function PK(fmt, ...)
  local packed = string.pack(fmt, ...)
  local size = table.pack(pcall(string.packsize, fmt))
  return hex(packed), show(size[1], size[2]), show(string.unpack(fmt, packed))
end
"##;

/// One generated script: Lua source plus the text of every case, by case number.
struct Script {
    /// The Lua program.
    source: String,
    /// `cases[n]` is the call of case `n`, for failure reports.
    cases: Vec<String>,
}

impl Script {
    /// An empty script holding only the prelude.
    fn new() -> Script {
        Script {
            source: PRELUDE.to_string(),
            cases: Vec::new(),
        }
    }

    /// Adds a case given as a whole statement that prints the case's line itself.
    fn add(&mut self, statement: String) {
        let _ = writeln!(self.source, "{statement}");
        self.cases.push(statement);
    }

    /// Adds a case: `call` is "function, arg1, arg2, ..." as Lua source.
    fn case(&mut self, call: String) {
        let n = self.cases.len();
        let _ = writeln!(self.source, "C({n}, {call})");
        self.cases.push(call);
    }
}

// ---------------------------------------------------------------------------
// Category: string.format and %q
// ---------------------------------------------------------------------------

/// A random conversion specification and Lua source for a matching (or mismatching) value.
fn format_spec(rng: &mut Rng) -> (String, String) {
    let conversion = rng.pick(&[
        'd', 'i', 'o', 'u', 'x', 'X', 'c', 'a', 'A', 'e', 'E', 'f', 'g', 'G', 'q', 's', 'd', 'g',
        'f', 's', 'e', 'x', 'F', 'b',
    ]);
    let modified = conversion != 'q' || rng.chance(1, 10);
    let mut spec = String::from("%");
    for flag in ['-', '+', ' ', '#', '0'] {
        if modified && rng.chance(1, 9) {
            spec.push(flag);
        }
    }
    if modified && rng.chance(1, 2) {
        let width = if rng.chance(1, 30) {
            rng.range(98, 100)
        } else {
            rng.range(0, 30)
        };
        let _ = write!(spec, "{width}");
    }
    if modified && rng.chance(1, 2) {
        spec.push('.');
        if rng.chance(4, 5) {
            let precision = if rng.chance(1, 30) {
                rng.range(98, 100)
            } else {
                rng.range(0, 20)
            };
            let _ = write!(spec, "{precision}");
        }
    }
    spec.push(conversion);
    let value = format_value(rng, conversion);
    (spec, value)
}

/// Lua source for a value suited to `conversion`, with occasional mismatches.
fn format_value(rng: &mut Rng, conversion: char) -> String {
    let wrong = rng.chance(1, 15);
    match (conversion, wrong) {
        ('c', false) => rng.range(0, 255).to_string(),
        ('d' | 'i' | 'o' | 'u' | 'x' | 'X', false) => lua_int(random_int(rng)),
        ('a' | 'A' | 'e' | 'E' | 'f' | 'g' | 'G', false) => {
            if rng.chance(1, 4) {
                lua_int(random_int(rng))
            } else {
                lua_float(random_float(rng))
            }
        }
        ('s' | 'q', false) => any_value(rng),
        _ => any_value(rng),
    }
}

/// Lua source for a value of a random type: integer, float, string, boolean or nil.
fn any_value(rng: &mut Rng) -> String {
    match rng.below(7) {
        0 | 1 => lua_int(random_int(rng)),
        2 | 3 => lua_float(random_float(rng)),
        4 | 5 => {
            let bytes = random_bytes(rng, 12, b"abc XYZ019\"\\\n\r\t\0\x01\x7f\xff\xe9'%");
            lua_str(&bytes)
        }
        _ => rng
            .pick(&[
                "true",
                "false",
                "nil",
                "setmetatable({}, {__tostring = function() return \"T\" end})",
            ])
            .to_string(),
    }
}

/// Cases for `string.format` with one or more specs, and `%q` round trips.
fn format_script() -> Script {
    let mut rng = Rng::new(SEED, 1);
    let mut script = Script::new();
    for _ in 0..2500 {
        let (spec, value) = format_spec(&mut rng);
        script.case(format!(
            "string.format, {}, {value}",
            lua_str(spec.as_bytes())
        ));
    }
    for _ in 0..400 {
        let mut fmt = String::new();
        let mut values = Vec::new();
        for _ in 0..rng.range(1, 4) {
            fmt.push_str(rng.pick(&["", "x=", " ", "%%", "[", "\\n"]));
            let (spec, value) = format_spec(&mut rng);
            fmt.push_str(&spec);
            values.push(value);
        }
        script.case(format!(
            "string.format, {}, {}",
            lua_str(fmt.as_bytes()),
            values.join(", ")
        ));
    }
    for _ in 0..600 {
        let value = match rng.below(3) {
            0 => lua_int(random_int(&mut rng)),
            1 => lua_float(random_float(&mut rng)),
            _ => lua_str(&random_bytes(&mut rng, 20, &(0..=255).collect::<Vec<u8>>())),
        };
        script.case(format!("Q, {value}"));
    }
    script
}

// ---------------------------------------------------------------------------
// Category: tostring and tonumber
// ---------------------------------------------------------------------------

/// A random numeral-like string for `tonumber`.
fn numeral(rng: &mut Rng) -> Vec<u8> {
    const PIECES: [&str; 24] = [
        "0", "1", "9", "12", ".", ".5", "e", "E", "e+", "e-", "10", "0x", "0X", "f", "A", "p",
        "p-", " ", "\t", "-", "+", "inf", "nan", "z",
    ];
    let mut out = Vec::new();
    for _ in 0..rng.range(1, 5) {
        out.extend_from_slice(rng.pick(&PIECES).as_bytes());
    }
    out
}

/// Cases for `tostring`, concatenation and `%.14g` of numbers, and `tonumber` of strings.
fn tostring_script() -> Script {
    let mut rng = Rng::new(SEED, 2);
    let mut script = Script::new();
    for _ in 0..1200 {
        script.case(format!("TS, {}", lua_float(random_float(&mut rng))));
    }
    for _ in 0..400 {
        script.case(format!("TS, {}", lua_int(random_int(&mut rng))));
    }
    for _ in 0..400 {
        let a = rng.range(-100000, 100000);
        let b = rng.range(-1000, 1000);
        let op = rng.pick(&["/", "*", "+", "-", "//", "%", "^"]);
        let b = if op == "^" { b % 40 } else { b };
        script.case(format!(
            "function() return TS({} {op} {}) end",
            lua_float(a as f64 / 7.0),
            lua_int(b)
        ));
    }
    for _ in 0..800 {
        let text = numeral(&mut rng);
        if rng.chance(1, 4) {
            let base = rng.range(2, 36);
            script.case(format!("tonumber, {}, {base}", lua_str(&text)));
        } else {
            script.case(format!("tonumber, {}", lua_str(&text)));
        }
    }
    script
}

// ---------------------------------------------------------------------------
// Category: os.date
// ---------------------------------------------------------------------------

/// Every conversion specifier `lua5.4` accepts (C99 `strftime`, with E and O modifiers).
const DATE_SPECIFIERS: [&str; 56] = [
    "a", "A", "b", "B", "c", "C", "d", "D", "e", "F", "g", "G", "h", "H", "I", "j", "m", "M", "n",
    "p", "r", "R", "S", "t", "T", "u", "U", "V", "w", "W", "x", "X", "y", "Y", "z", "Z", "%", "Ec",
    "EC", "Ex", "EX", "Ey", "EY", "Od", "Oe", "OH", "OI", "Om", "OM", "OS", "Ou", "OU", "OV", "Ow",
    "OW", "Oy",
];

/// A timestamp from fixed edge values or a random moment between 1902 and 2242.
fn timestamp(rng: &mut Rng) -> i64 {
    const EDGES: [i64; 10] = [
        0,
        -1,
        86399,
        951782400,
        1_000_000_000,
        2147483647,
        2147483648,
        253402300799,
        -2147483648,
        1234567890,
    ];
    if rng.chance(1, 4) {
        rng.pick(&EDGES)
    } else {
        rng.range(-(1 << 31), 1 << 33)
    }
}

/// Cases for `os.date` with every specifier in UTC, `!*t` tables, bad specifiers.
fn date_script() -> Script {
    let mut rng = Rng::new(SEED, 3);
    let mut script = Script::new();
    for _ in 0..30 {
        let t = timestamp(&mut rng);
        for spec in DATE_SPECIFIERS {
            script.case(format!("os.date, \"!%{spec}\", {t}"));
        }
        script.case(format!("DT, \"!*t\", {t}"));
        script.case(format!("DT, \"*t\", {t}"));
        script.case(format!("os.date, \"%c|%x|%X|%H\", {t}"));
    }
    for _ in 0..300 {
        let mut fmt = String::from("!");
        for _ in 0..rng.range(1, 5) {
            fmt.push_str(rng.pick(&["", "-", " ", "at ", "%%", "\\0"]));
            fmt.push('%');
            fmt.push_str(rng.pick(&DATE_SPECIFIERS));
        }
        let t = timestamp(&mut rng);
        script.case(format!("os.date, \"{fmt}\", {t}"));
    }
    for bad in [
        "%", "%E", "%O", "%Ez", "%Oa", "%Q", "%5d", "%-d", "%_H", "%k", "%l", "%s", "%P", "%+",
        "%#c", "%Ed", "%OY", "%i", "%f", "%L",
    ] {
        script.case(format!("os.date, \"!{bad}\", 0"));
    }
    for t in ["1.5", "\"x\"", "2^60", "-2^60", "1e300", "math.maxinteger"] {
        script.case(format!("os.date, \"!%Y\", {t}"));
    }
    script
}

// ---------------------------------------------------------------------------
// Category: patterns
// ---------------------------------------------------------------------------

/// Alphabet of pattern subjects.
const SUBJECT_CHARS: &[u8] = b"aabbcxy1122  .()[]%-^$\t\0AB";

/// One single-character class: literal, '.', a %-class or an escaped magic character.
fn pattern_single(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => (rng.pick(b"abcxy12 AB") as char).to_string(),
        1 => ".".to_string(),
        2 => rng
            .pick(&[
                "%a", "%d", "%s", "%w", "%p", "%l", "%u", "%c", "%x", "%g", "%A", "%D", "%S", "%W",
            ])
            .to_string(),
        _ => rng
            .pick(&["%.", "%(", "%)", "%%", "%-", "%[", "%]", "%^", "%$", "%a"])
            .to_string(),
    }
}

/// A set `[...]`, sometimes negated, with characters, ranges and classes.
fn pattern_set(rng: &mut Rng) -> String {
    let mut set = String::from("[");
    if rng.chance(1, 3) {
        set.push('^');
    }
    for _ in 0..rng.range(1, 3) {
        set.push_str(rng.pick(&[
            "a", "b", "1", ".", "-", "a-c", "0-9", "x-z", "%d", "%a", "%s", "%]", "%-", "(", "^",
            "$",
        ]));
    }
    set.push(']');
    set
}

/// A quantifier, usually none.
fn pattern_quantifier(rng: &mut Rng) -> &'static str {
    rng.pick(&["", "", "", "*", "+", "-", "?"])
}

/// One pattern item: a quantified single or set, a capture, %b, %f or a back reference.
fn pattern_item(rng: &mut Rng, depth: u32) -> String {
    match rng.below(12) {
        0..=4 => pattern_single(rng) + pattern_quantifier(rng),
        5 | 6 => pattern_set(rng) + pattern_quantifier(rng),
        7 if depth < 2 => {
            let mut capture = String::from("(");
            for _ in 0..rng.range(1, 3) {
                capture.push_str(&pattern_item(rng, depth + 1));
            }
            capture + ")"
        }
        7 | 8 => "()".to_string(),
        9 => format!(
            "%b{}{}",
            rng.pick(b"()ab[") as char,
            rng.pick(b")(ab]") as char
        ),
        10 => format!("%f{}", pattern_set(rng)),
        _ => format!("%{}", rng.range(0, 3)),
    }
}

/// A whole pattern with optional anchors and, rarely, a malformed tail.
fn pattern(rng: &mut Rng) -> String {
    let mut p = String::new();
    if rng.chance(1, 5) {
        p.push('^');
    }
    for _ in 0..rng.range(1, 4) {
        p.push_str(&pattern_item(rng, 0));
    }
    if rng.chance(1, 6) {
        p.push('$');
    }
    if rng.chance(1, 20) {
        p.push_str(rng.pick(&["%", "[", "[^", "(", ")", "%b", "%ba", "%f", "%fa", "[a-"]));
    }
    p
}

/// Cases for `string.find`, `match`, `gmatch` and `gsub` over random subjects and patterns.
fn pattern_script() -> Script {
    let mut rng = Rng::new(SEED, 4);
    let mut script = Script::new();
    for _ in 0..3000 {
        let s = lua_str(&random_bytes(&mut rng, 16, SUBJECT_CHARS));
        let p = lua_str(pattern(&mut rng).as_bytes());
        let call = match rng.below(9) {
            0 | 1 => format!("string.find, {s}, {p}"),
            2 => format!("string.find, {s}, {p}, {}", rng.range(-6, 18)),
            3 | 4 => format!("string.match, {s}, {p}"),
            5 => format!("GM, {s}, {p}"),
            6 => format!(
                "string.gsub, {s}, {p}, {}",
                lua_str(rng.pick(&["<%0>", "%1", "[%2]", "%%", "x"]).as_bytes())
            ),
            7 => format!("GSF, {s}, {p}, {}", rng.range(-1, 4)),
            _ => format!("GST, {s}, {p}"),
        };
        script.case(call);
    }
    script
}

// ---------------------------------------------------------------------------
// Category: string.pack
// ---------------------------------------------------------------------------

/// An integer value for a `size`-byte field, usually in range, sometimes not.
fn pack_int_value(rng: &mut Rng, size: u32, signed: bool) -> String {
    if rng.chance(1, 12) || size >= 8 {
        return lua_int(random_int(rng));
    }
    let bits = size * 8;
    let value = if signed {
        rng.range(-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
    } else {
        rng.range(0, (1i64 << bits) - 1)
    };
    lua_int(value)
}

/// One pack option and the Lua source of the value it consumes (if any).
fn pack_option(rng: &mut Rng) -> (String, Option<String>) {
    match rng.below(16) {
        0 => (rng.pick(&["<", ">", "=", " "]).to_string(), None),
        1 => {
            let align = rng.pick(&["", "1", "2", "4", "8", "16", "3"]);
            (format!("!{align}"), None)
        }
        2..=5 => {
            let (letter, size, signed) = rng.pick(&[
                ("b", 1, true),
                ("B", 1, false),
                ("h", 2, true),
                ("H", 2, false),
                ("l", 8, true),
                ("L", 8, false),
                ("j", 8, true),
                ("J", 8, false),
                ("T", 8, false),
                ("i", 4, true),
                ("I", 4, false),
            ]);
            (letter.to_string(), Some(pack_int_value(rng, size, signed)))
        }
        6 | 7 => {
            let size = if rng.chance(1, 15) {
                rng.range(0, 17)
            } else {
                rng.range(1, 16)
            } as u32;
            let signed = rng.chance(1, 2);
            let letter = if signed { "i" } else { "I" };
            let value = pack_int_value(rng, size.clamp(1, 16), signed);
            (format!("{letter}{size}"), Some(value))
        }
        8 | 9 => {
            let letter = rng.pick(&["f", "d", "n"]);
            let value = if rng.chance(1, 5) {
                lua_int(random_int(rng))
            } else {
                lua_float(random_float(rng))
            };
            (letter.to_string(), Some(value))
        }
        10 => {
            let size = rng.pick(&["", "1", "2", "4", "8"]);
            (
                format!("s{size}"),
                Some(lua_str(&random_bytes(rng, 10, b"ab\0\xff"))),
            )
        }
        11 => {
            let zero_ok = rng.chance(1, 10);
            let alphabet: &[u8] = if zero_ok { b"ab\0" } else { b"abc\xff" };
            (
                "z".to_string(),
                Some(lua_str(&random_bytes(rng, 8, alphabet))),
            )
        }
        12 => {
            let size = rng.range(0, 8);
            let text = random_bytes(rng, (size + 1) as u64, b"xyz\0");
            (format!("c{size}"), Some(lua_str(&text)))
        }
        13 => ("x".to_string(), None),
        _ => {
            let next = rng.pick(&["i4", "h", "d", "j", "i8", "b", "i16", "f", "s", "z"]);
            (format!("X{next}"), None)
        }
    }
}

/// Cases for `string.pack`/`packsize`/`unpack` round trips and for unpacking random bytes.
fn pack_script() -> Script {
    let mut rng = Rng::new(SEED, 5);
    let mut script = Script::new();
    for _ in 0..2000 {
        let mut fmt = String::new();
        let mut values = Vec::new();
        for _ in 0..rng.range(1, 6) {
            let (option, value) = pack_option(&mut rng);
            fmt.push_str(&option);
            values.extend(value);
        }
        let mut call = format!("PK, {}", lua_str(fmt.as_bytes()));
        for value in values {
            call.push_str(", ");
            call.push_str(&value);
        }
        script.case(call);
    }
    for _ in 0..800 {
        let mut fmt = String::new();
        for _ in 0..rng.range(1, 4) {
            fmt.push_str(&pack_option(&mut rng).0);
        }
        let data = random_bytes(&mut rng, 24, &(0..=255).collect::<Vec<u8>>());
        let init = if rng.chance(1, 4) {
            format!(", {}", rng.range(-5, 26))
        } else {
            String::new()
        };
        script.case(format!(
            "string.unpack, {}, {}{init}",
            lua_str(fmt.as_bytes()),
            lua_str(&data)
        ));
    }
    script
}

// ---------------------------------------------------------------------------
// Category: argument errors of every library function
// ---------------------------------------------------------------------------

/// Every function of the manual's chapter 6 that junk arguments cannot turn against the
/// test itself. Left out: `print`, `io.write`, `io.read`, `io.output`, `io.close`,
/// `io.popen`, `os.execute`, `os.exit`, `os.tmpname`, `debug.debug`, `debug.sethook`,
/// `debug.setmetatable` (output, stdin, processes, files or global state),
/// `debug.setlocal` (level 1 is `pcall`'s own frame, whose slots it would overwrite),
/// `require` and
/// `package.loadlib` (their messages differ by design: search paths, no C libraries).
/// File methods are reached through `io.stdout` and never get a file as `self`.
const LIB_FUNCTIONS: &[&str] = &[
    "assert",
    "collectgarbage",
    "dofile",
    "error",
    "getmetatable",
    "ipairs",
    "load",
    "loadfile",
    "next",
    "pairs",
    "pcall",
    "rawequal",
    "rawget",
    "rawlen",
    "rawset",
    "select",
    "setmetatable",
    "tonumber",
    "tostring",
    "type",
    "warn",
    "xpcall",
    "coroutine.close",
    "coroutine.create",
    "coroutine.isyieldable",
    "coroutine.resume",
    "coroutine.running",
    "coroutine.status",
    "coroutine.wrap",
    "coroutine.yield",
    "package.searchpath",
    "string.byte",
    "string.char",
    "string.dump",
    "string.find",
    "string.format",
    "string.gmatch",
    "string.gsub",
    "string.len",
    "string.lower",
    "string.match",
    "string.pack",
    "string.packsize",
    "string.rep",
    "string.reverse",
    "string.sub",
    "string.unpack",
    "string.upper",
    "utf8.char",
    "utf8.codes",
    "utf8.codepoint",
    "utf8.len",
    "utf8.offset",
    "table.concat",
    "table.insert",
    "table.move",
    "table.pack",
    "table.remove",
    "table.sort",
    "table.unpack",
    "math.abs",
    "math.acos",
    "math.asin",
    "math.atan",
    "math.ceil",
    "math.cos",
    "math.deg",
    "math.exp",
    "math.floor",
    "math.fmod",
    "math.log",
    "math.max",
    "math.min",
    "math.modf",
    "math.rad",
    "math.random",
    "math.randomseed",
    "math.sin",
    "math.sqrt",
    "math.tan",
    "math.tointeger",
    "math.type",
    "math.ult",
    "io.flush",
    "io.input",
    "io.lines",
    "io.open",
    "io.tmpfile",
    "io.type",
    "io.stdout.close",
    "io.stdout.flush",
    "io.stdout.lines",
    "io.stdout.read",
    "io.stdout.seek",
    "io.stdout.setvbuf",
    "io.stdout.write",
    "os.clock",
    "os.date",
    "os.difftime",
    "os.getenv",
    "os.remove",
    "os.rename",
    "os.setlocale",
    "os.time",
    "debug.gethook",
    "debug.getinfo",
    "debug.getlocal",
    "debug.getmetatable",
    "debug.getregistry",
    "debug.getupvalue",
    "debug.getuservalue",
    "debug.setupvalue",
    "debug.setuservalue",
    "debug.traceback",
    "debug.upvalueid",
    "debug.upvaluejoin",
];

/// The argument values tried in each of the first three positions.
const JUNK: &[&str] = &["nil", "1", "2.5", "\"x\"", "{}"];

/// Every library function called with no arguments and with every combination of
/// `JUNK` values in the first one, two and three positions, directly from `pcall`
/// (so messages name the function as `lua5.4`'s `pushglobalfuncname` does), and the
/// string functions also as methods of a string (`calling 'rep' on bad self`, argument
/// numbers shifted). Only "ok" or the error value is printed, so results that vary
/// (times, addresses, random numbers) do not matter.
fn argerror_script() -> Script {
    let mut script = Script::new();
    let mut lists: Vec<String> = vec![String::new()];
    for a in JUNK {
        lists.push((*a).to_string());
        for b in JUNK {
            lists.push(format!("{a}, {b}"));
            for c in JUNK {
                lists.push(format!("{a}, {b}, {c}"));
            }
        }
    }
    for name in LIB_FUNCTIONS {
        // Debian's lua5.4 also has `math.atan2`, the same C function as `math.atan`, and
        // names either one in messages depending on its hash seed: call it from Lua.
        let callee = if *name == "math.atan" {
            format!("function(...) return {name}(...) end")
        } else {
            (*name).to_string()
        };
        for args in &lists {
            script.add(format!(
                "E({}, {callee}{}{args})",
                script.cases.len(),
                sep(args)
            ));
        }
    }
    for name in LIB_FUNCTIONS
        .iter()
        .filter_map(|n| n.strip_prefix("string."))
    {
        for args in lists.iter().filter(|a| a.matches(',').count() < 2) {
            script.add(format!(
                "E({}, function(...) return (\"x\"):{name}(...) end{}{args})",
                script.cases.len(),
                sep(args)
            ));
        }
    }
    script
}

/// ", " before a non-empty argument list.
fn sep(args: &str) -> &'static str {
    if args.is_empty() {
        ""
    } else {
        ", "
    }
}

// ---------------------------------------------------------------------------
// Running and comparing
// ---------------------------------------------------------------------------

/// Runs `program file` in `dir`, killing it after `TIMEOUT`.
fn run(program: &Path, dir: &Path, file: &str) -> Outcome {
    common::run(program, &[], dir, file, TIMEOUT)
}

/// The case named by an output line `<n>\t...`, as its Lua call.
fn case_of<'a>(line: &str, script: &'a Script) -> &'a str {
    line.split('\t')
        .next()
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| script.cases.get(n))
        .map_or("<unknown case>", String::as_str)
}

/// Lists the differing lines of two outputs: the first `SHOWN` in full, then a count.
fn differences(ours: &str, theirs: &str, script: &Script) -> Vec<String> {
    let ours: Vec<&str> = ours.lines().collect();
    let theirs: Vec<&str> = theirs.lines().collect();
    let mut found = Vec::new();
    let mut total = 0;
    for index in 0..ours.len().max(theirs.len()) {
        let a = ours.get(index).copied().unwrap_or("<end of output>");
        let b = theirs.get(index).copied().unwrap_or("<end of output>");
        if a == b {
            continue;
        }
        total += 1;
        if found.len() < SHOWN {
            let case = case_of(if b.starts_with('<') { a } else { b }, script);
            found.push(format!(
                "  line {}: {case}\n    moonjet: {a}\n    {REFERENCE}: {b}",
                index + 1
            ));
        }
    }
    if total > SHOWN {
        found.push(format!("  ... {} more differing lines", total - SHOWN));
    }
    found
}

/// Writes the script, runs it under both interpreters and panics with a report on any difference.
fn check(category: &str, script: &Script) {
    let test = format!("libdiff {category}");
    if !need_reference(&test) {
        return;
    }
    let dir =
        std::env::temp_dir().join(format!("moonjet-libdiff-{}-{category}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
    let file = format!("libdiff_{category}.lua");
    std::fs::write(dir.join(&file), &script.source).expect("cannot write the generated script");
    let ours = run(&moonjet(), &dir, &file);
    let theirs = run(Path::new(REFERENCE), &dir, &file);
    let mut problems = Vec::new();
    if ours.status != theirs.status {
        problems.push(format!(
            "  exit status: moonjet {:?}, {REFERENCE} {:?}\n  moonjet stderr: {}\n  {REFERENCE} stderr: {}",
            ours.status,
            theirs.status,
            ours.stderr.trim_end(),
            theirs.stderr.trim_end()
        ));
    }
    problems.extend(differences(&ours.stdout, &theirs.stdout, script));
    if problems.is_empty() {
        if std::env::var_os("LIBDIFF_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        println!("{test}: all {} cases agree", script.cases.len());
        return;
    }
    panic!(
        "{test}: moonjet differs from {REFERENCE} ({} cases; script kept at {})\n{}",
        script.cases.len(),
        dir.join(&file).display(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

/// `string.format` with random specs and values, and `%q` round trips.
#[test]
fn libdiff_format() {
    check("format", &format_script());
}

/// `tostring` of random floats and integers, and `tonumber` of random numerals.
#[test]
fn libdiff_tostring() {
    check("tostring", &tostring_script());
}

/// `os.date` with every specifier over fixed timestamps in UTC, and its errors.
#[test]
fn libdiff_date() {
    check("date", &date_script());
}

/// `string.find/match/gmatch/gsub` over random subjects and patterns.
#[test]
fn libdiff_patterns() {
    check("patterns", &pattern_script());
}

/// `string.pack/packsize/unpack` over random formats and values.
#[test]
fn libdiff_argerrors() {
    check("argerrors", &argerror_script());
}

#[test]
fn libdiff_pack() {
    check("pack", &pack_script());
}

// ---------------------------------------------------------------------------
// Harness self-tests
// ---------------------------------------------------------------------------

/// The generator is deterministic and spreads over its range.
#[test]
fn rng_is_deterministic() {
    let mut a = Rng::new(SEED, 7);
    let mut b = Rng::new(SEED, 7);
    let first: Vec<u64> = (0..10).map(|_| a.bits()).collect();
    let second: Vec<u64> = (0..10).map(|_| b.bits()).collect();
    assert_eq!(first, second);
    assert!(first.windows(2).all(|pair| pair[0] != pair[1]));
    let mut hits = [false; 5];
    for _ in 0..200 {
        let n = a.range(-2, 2);
        assert!((-2..=2).contains(&n));
        hits[(n + 2) as usize] = true;
    }
    assert!(hits.iter().all(|&hit| hit));
    assert_eq!(Rng::new(SEED, 3).range(5, 5), 5);
}

/// Value literals are valid Lua for the awkward cases.
#[test]
fn literals_cover_edge_values() {
    assert_eq!(lua_int(i64::MIN), "math.mininteger");
    assert_eq!(lua_int(-3), "(-3)");
    assert_eq!(lua_float(f64::NAN), "(0/0)");
    assert_eq!(lua_float(-0.0), "(-0.0)");
    assert_eq!(lua_float(1.0), "1.0");
    assert_eq!(lua_float(1e300), "1e300");
    assert_eq!(lua_float(-2.5), "(-2.5)");
    assert_eq!(lua_str(b"a\"\\\n\0"), "\"a\\\"\\\\\\010\\000\"");
}

/// A difference report names the case and both outputs.
#[test]
fn differences_name_the_case() {
    let mut script = Script::new();
    script.case("string.rep, \"x\", 2".to_string());
    script.case("string.rep, \"y\", 2".to_string());
    let report = differences("0\ta\n1\tb\n", "0\ta\n1\tc\n", &script);
    assert_eq!(report.len(), 1);
    assert!(report[0].contains("\"y\""), "{}", report[0]);
    assert!(report[0].contains("moonjet: 1\tb"), "{}", report[0]);
    let report = differences("0\ta\n", "0\ta\n1\tc\n", &script);
    assert!(report[0].contains("<end of output>"), "{}", report[0]);
    assert!(script.source.contains("C(1, string.rep, \"y\", 2)"));
}
