//! Interpreter micro-operations: Lua loops of table gets/sets, calls, method calls and
//! string concatenation (one `call_value` runs `OPS` iterations), calls from Rust, and
//! string interning through `Lua::intern`.

use std::fmt::Write;
use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use moonjet::interp::{Lua, Value};

use crate::{check_int, global_fn, lua_ok, run_chunk};

/// Loop iterations per call of a Lua benchmark function.
const OPS: i64 = 1000;

/// Strings interned per iteration of the `intern/` benchmarks.
const INTERNS: usize = 64;

/// Defines the global functions timed below. Each takes the iteration count `n`; all but
/// the concatenations return n(n+1)/2 whatever ran before, so one check fits them all.
const SETUP: &str = r#"
local arr = {}
for i = 1, 1024 do arr[i] = 0 end
function bench_array(n)
  local a, s = arr, 0
  for i = 1, n do
    local j = (i & 1023) + 1
    a[j] = i
    s = s + a[j]
  end
  return s
end

local obj = {x = 0, y = 0}
function bench_field(n)
  local o, s = obj, 0
  for i = 1, n do
    o.x = i
    s = s + o.x
  end
  return s
end

local keys, hash = {}, {}
for i = 1, 64 do keys[i] = "key" .. i end
function bench_string_keys(n)
  local h, ks, s = hash, keys, 0
  for i = 1, n do
    local k = ks[(i & 63) + 1]
    h[k] = i
    s = s + h[k]
  end
  return s
end

local function add(a, b) return a + b end
function bench_call(n)
  local s = 0
  for i = 1, n do s = add(s, i) end
  return s
end

local Point = {}
Point.__index = Point
function Point:add(d) self.x = self.x + d; return self.x end
local p = setmetatable({x = 0}, Point)
function bench_method(n)
  p.x = 0
  local s = 0
  for i = 1, n do s = p:add(i) end
  return s
end

function bench_identity(x) return x end

function bench_concat(n)
  local s = ""
  for i = 1, n do s = s .. "x" end
  return #s
end

function bench_concat_number(n)
  local c = 0
  for i = 1, n do c = c + #("k" .. i) end
  return c
end
"#;

/// The Lua loops: (benchmark name, global function, expected result of `f(OPS)`).
const LOOPS: &[(&str, &str, i64)] = &[
    ("table/array_get_set", "bench_array", TRIANGLE),
    ("table/field_get_set", "bench_field", TRIANGLE),
    ("table/string_key_get_set", "bench_string_keys", TRIANGLE),
    ("call/lua_function", "bench_call", TRIANGLE),
    ("call/method_metatable", "bench_method", TRIANGLE),
    ("string/concat_grow", "bench_concat", OPS),
    (
        "string/concat_number",
        "bench_concat_number",
        concat_number_len(OPS),
    ),
];

/// 1 + 2 + ... + OPS.
const TRIANGLE: i64 = OPS * (OPS + 1) / 2;

/// Total length of "k1", "k2", ... "k<n>".
const fn concat_number_len(n: i64) -> i64 {
    let mut total = 0;
    let mut i = 1;
    while i <= n {
        let mut digits = 1;
        let mut v = i;
        while v >= 10 {
            v /= 10;
            digits += 1;
        }
        total += 1 + digits;
        i += 1;
    }
    total
}

/// Registers the `table/`, `call/`, `string/` and `intern/` benchmarks.
pub fn bench(c: &mut Criterion) {
    let mut l = moonjet::new_state();
    run_chunk(&mut l, SETUP, "=micro-setup");
    let mut g = c.benchmark_group("ops");
    g.throughput(Throughput::Elements(OPS as u64));
    for &(name, global, want) in LOOPS {
        let f = global_fn(&mut l, global);
        check_int(&mut l, f, OPS, want, global);
        g.bench_function(name, |b| {
            b.iter(|| lua_ok(l.call_value_1(f, &[Value::Int(black_box(OPS))]), global))
        });
    }
    bench_rust_calls(&mut g, &mut l);
    g.finish();
    bench_intern(c, &mut l);
}

/// `call/from_rust`: `call_value_1` of a Lua identity function, OPS times.
fn bench_rust_calls(g: &mut BenchmarkGroup<'_, WallTime>, l: &mut Lua) {
    let f = global_fn(l, "bench_identity");
    check_int(l, f, 7, 7, "bench_identity");
    g.bench_function("call/from_rust", |b| {
        b.iter(|| {
            for i in 0..OPS {
                black_box(lua_ok(
                    l.call_value_1(f, &[Value::Int(i)]),
                    "bench_identity",
                ));
            }
        })
    });
}

/// `intern/existing` (strings the state already holds) and `intern/fresh` (a new
/// string every time; they become garbage, so each iteration ends at a GC safepoint).
fn bench_intern(c: &mut Criterion, l: &mut Lua) {
    let names: Vec<String> = (0..INTERNS).map(|i| format!("existing_name_{i}")).collect();
    let keep = l.new_table(INTERNS, 0);
    l.set_global("bench_kept_strings", Value::Table(keep));
    for (i, n) in names.iter().enumerate() {
        let s = l.intern(n.as_bytes());
        keep.set_int(&mut l.heap, i as i64 + 1, Value::Str(s));
    }
    let mut g = c.benchmark_group("intern");
    g.throughput(Throughput::Elements(INTERNS as u64));
    g.bench_function("existing", |b| {
        b.iter(|| {
            for n in &names {
                black_box(l.intern(black_box(n.as_bytes())));
            }
        })
    });
    let mut counter: u64 = 0;
    let mut buf = String::new();
    g.bench_function("fresh", |b| {
        b.iter(|| {
            for _ in 0..INTERNS {
                counter += 1;
                buf.clear();
                let _ = write!(buf, "fresh_name_{counter}");
                black_box(l.intern(buf.as_bytes()));
            }
            l.gc_check();
        })
    });
    g.finish();
}
