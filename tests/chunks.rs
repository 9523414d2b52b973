//! Binary chunks end to end: `load` and `string.dump`, files mapped and run in place (the
//! zero-copy proof), `loadfile`/`dofile`, and the `moonjet -b` command line.

use std::path::PathBuf;
use std::process::Command;
use std::rc::Rc;

use moonjet::bytecode::chunk;
use moonjet::interp::func::Nested;
use moonjet::interp::{Lua, Value};
use moonjet::MappedChunk;

/// A fresh path in the temporary directory for this test.
fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("moonjet-chunks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The chunk of `src`, compiled under `chunkname`.
fn chunk_of(src: &str, strip: bool) -> Vec<u8> {
    let p = moonjet::compiler::compile(src.as_bytes(), b"@prog.lua").unwrap();
    chunk::dump(&p, strip)
}

/// A Lua error as text.
fn text(v: Value) -> String {
    match v {
        Value::Str(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        other => format!("({})", other.type_name()),
    }
}

/// Runs `src` in a full state; panics with the error message on failure.
fn run_lua(src: &str) {
    let mut l = moonjet::new_state();
    let f = match l.load(src.as_bytes(), b"=test", "t", None) {
        Ok(f) => f,
        Err(e) => panic!("load: {}", text(e.value)),
    };
    if let Err(e) = l.call_value(f, &[]) {
        panic!("run: {}", text(e.value));
    }
}

/// The address range of the instructions of a Lua function value.
fn code_range(f: Value) -> std::ops::Range<usize> {
    let Value::LuaFn(c) = f else {
        panic!("not a Lua function")
    };
    let code = c.proto.code();
    let start = code.as_ptr() as usize;
    start..start + std::mem::size_of_val(code)
}

/// True if `inner` lies inside `outer`.
fn inside(inner: &std::ops::Range<usize>, outer: &std::ops::Range<usize>) -> bool {
    inner.start >= outer.start && inner.end <= outer.end && inner.start < inner.end
}

const PROGRAM: &str = r#"
local greeting = "a string constant long enough to be worth mapping"
local function make(n)
  return function(x) return x * n, greeting end
end
return make(6)
"#;

// ---------------------------------------------------------------------------------------
// Zero copy
// ---------------------------------------------------------------------------------------

#[test]
fn mapped_chunk_runs_in_place() {
    let path = temp_path("inplace.mjc");
    std::fs::write(&path, chunk_of(PROGRAM, false)).unwrap();
    let map = Rc::new(MappedChunk::open(&path).unwrap());
    let region = {
        let b = map.as_bytes();
        b.as_ptr() as usize..b.as_ptr() as usize + b.len()
    };
    let mut l = moonjet::new_state();
    let main = moonjet::load_mapped(&mut l, map.clone(), b"@inplace.mjc").unwrap();
    assert!(
        inside(&code_range(main), &region),
        "main's code is not in the mapping"
    );
    // the prototypes hold the mapping: it outlives our handle
    assert!(Rc::strong_count(&map) > 1);
    drop(map);
    let inner = l.call_value(main, &[]).unwrap()[0];
    assert!(
        inside(&code_range(inner), &region),
        "nested code is not in the mapping"
    );
    let r = l.call_value(inner, &[Value::Int(7)]).unwrap();
    assert!(matches!(r[0], Value::Int(42)));
    assert_eq!(
        text(r[1]),
        "a string constant long enough to be worth mapping"
    );
}

#[test]
fn string_constants_stay_in_the_mapping() {
    let path = temp_path("strings.mjc");
    std::fs::write(&path, chunk_of(PROGRAM, true)).unwrap();
    let map = Rc::new(MappedChunk::open(&path).unwrap());
    let region = {
        let b = map.as_bytes();
        b.as_ptr() as usize..b.as_ptr() as usize + b.len()
    };
    let mut l = moonjet::new_state();
    let main = moonjet::load_mapped(&mut l, map.clone(), b"@strings.mjc").unwrap();
    let inner = l.call_value(main, &[]).unwrap()[0];
    // Only the function (kept reachable as a global) holds the mapping now.
    let k = l.intern(b"inner");
    l.globals.set_str(&mut l.heap, k, inner);
    drop(map);
    l.full_gc();
    let r = l.call_value(inner, &[Value::Int(1)]).unwrap();
    let Value::Str(s) = r[1] else {
        panic!("not a string")
    };
    let bytes = s.as_bytes();
    let at = bytes.as_ptr() as usize..bytes.as_ptr() as usize + bytes.len();
    assert!(
        inside(&at, &region),
        "the constant's bytes are not in the mapping"
    );
    assert!(s.is_in_place());
    // Interned like any string: the same bytes made at run time are the same object.
    let made = l.intern(b"a string constant long enough to be worth mapping");
    assert!(made == s);
}

/// True if `f` is a Lua function whose prototype comes from a chunk used in place.
fn in_place(f: Value) -> bool {
    matches!(f, Value::LuaFn(c) if matches!(c.proto.nested, Nested::Chunk(_)))
}

#[test]
fn nested_prototypes_are_built_on_first_closure() {
    let path = temp_path("lazy.mjc");
    let src = "local function a() return 1 end\nlocal function b() return 2 end\nreturn a";
    std::fs::write(&path, chunk_of(src, false)).unwrap();
    let map = Rc::new(MappedChunk::open(&path).unwrap());
    let mut l = moonjet::new_state();
    let main = moonjet::load_mapped(&mut l, map, b"@lazy.mjc").unwrap();
    let Value::LuaFn(m) = main else {
        panic!("not a Lua function")
    };
    assert_eq!(m.proto.n_nested(), 2);
    assert!(m.proto.nested_made(0).is_none() && m.proto.nested_made(1).is_none());
    let a = l.call_value(main, &[]).unwrap()[0];
    assert!(m.proto.nested_made(0).is_some() && m.proto.nested_made(1).is_some());
    assert!(in_place(a));
    // the runtime prototype is shared by later closures of the same function
    let a2 = l.call_value(main, &[]).unwrap()[0];
    let (Value::LuaFn(x), Value::LuaFn(y)) = (a, a2) else {
        panic!("not Lua functions")
    };
    assert!(x.proto == y.proto);
}

#[test]
fn loadfile_dofile_and_require_map_chunk_files() {
    let dir = temp_path("req");
    std::fs::create_dir_all(&dir).unwrap();
    let module = "local M = {}\nfunction M.twice(x) return 2 * x end\nreturn M";
    std::fs::write(dir.join("twice.mjc"), chunk_of(module, false)).unwrap();
    std::fs::write(dir.join("text.lua"), "return function() end").unwrap();
    let d = dir.to_str().unwrap();
    let mut l = moonjet::new_state();
    let src = format!(
        r#"
        package.path = "{d}/?.mjc;{d}/?.lua"
        local M = require("twice")
        assert(M.twice(21) == 42)
        local f = loadfile("{d}/twice.mjc")
        assert(f().twice(2) == 4)
        assert(dofile("{d}/twice.mjc").twice(3) == 6)
        return M.twice, f, require("text"), loadfile("{d}/text.lua")
        "#
    );
    let f = l.load(src.as_bytes(), b"=t", "t", None).unwrap();
    let r = l.call_value(f, &[]).unwrap();
    assert!(in_place(r[0]) && in_place(r[1]), "chunk files run in place");
    assert!(
        !in_place(r[2]) && !in_place(r[3]),
        "text files are compiled"
    );
}

#[test]
fn debug_info_dump_and_jit_work_in_place() {
    let path = temp_path("dbg.mjc");
    let src = r#"
local function hot(n)
  local s = 0
  for i = 1, n do s = s + i end
  return s
end
local function fails(x)
  local y = x
  error("boom " .. y)
end
local info = debug.getinfo(hot, "S")
assert(info.source == "@prog.lua" and info.linedefined == 2, info.source)
local ok, msg = pcall(fails, 1)
assert(not ok and msg == "prog.lua:9: boom 1", msg)
local tb
xpcall(fails, function(m) tb = debug.traceback(m) end, 2)
assert(tb:find("prog.lua:9: in", 1, true), tb)
assert(debug.getlocal(hot, 1) == "n")
assert(hot(100000) == 5000050000)
local again = load(string.dump(hot))
assert(again(10) == 55)
-- prototypes made lazily survive collections (they hang off their parent)
local function maker(k) return function() return k end end
for i = 1, 200 do
  local f = maker(i)
  if i % 50 == 0 then collectgarbage() end
  assert(f() == i)
end
return hot
"#;
    std::fs::write(&path, chunk_of(src, false)).unwrap();
    let mut l = moonjet::new_state();
    l.jit.hotloop = 1;
    let p = path.to_str().unwrap();
    let f = l
        .load(format!("return dofile('{p}')").as_bytes(), b"=t", "t", None)
        .unwrap();
    let hot = l.call_value(f, &[]).unwrap()[0];
    assert!(in_place(hot));
    if l.jit.engine.is_some() {
        let Value::LuaFn(c) = hot else {
            panic!("not a Lua function")
        };
        let compiled = c.proto.jit.code(l.jit.generation).is_some();
        assert!(compiled, "the JIT compiled an in-place function");
    }
}

#[test]
fn load_file_maps_binary_files_and_compiles_text() {
    let bin = temp_path("lf.mjc");
    std::fs::write(&bin, chunk_of("return 1 + 2", true)).unwrap();
    let src = temp_path("lf.lua");
    std::fs::write(&src, "#!/usr/bin/env moonjet\nreturn 40 + 2").unwrap();
    let mut l = moonjet::new_state();
    for (path, want) in [(&bin, 3), (&src, 42)] {
        let f = moonjet::load_file(&mut l, path.to_str().unwrap().as_bytes()).unwrap();
        let r = l.call_value(f, &[]).unwrap();
        assert!(matches!(r[0], Value::Int(n) if n == want));
    }
    let bad = temp_path("bad.mjc");
    let mut c = chunk_of("return 1", true);
    c.truncate(c.len() - 3);
    std::fs::write(&bad, c).unwrap();
    match moonjet::load_file(&mut l, bad.to_str().unwrap().as_bytes()) {
        Err(moonjet::FileError::Load(v)) => {
            assert!(text(v).ends_with("bad.mjc: bad binary chunk: truncated chunk"))
        }
        other => panic!("expected a load error, got {other:?}"),
    }
    match moonjet::load_file(&mut l, b"/nonexistent/x.mjc") {
        Err(moonjet::FileError::Io(m)) => {
            assert_eq!(
                m,
                "cannot open /nonexistent/x.mjc: No such file or directory"
            )
        }
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn misaligned_static_chunk_is_a_clear_error() {
    let c = chunk_of("return 1", true);
    let buf: &'static mut [u8] = Vec::leak(vec![0u8; c.len() + 16]);
    let off = buf.as_ptr().align_offset(8) + 1;
    buf[off..off + c.len()].copy_from_slice(&c);
    let mut l = Lua::new();
    let e = l
        .load_chunk_static(&buf[off..off + c.len()], b"=rom")
        .unwrap_err();
    let msg = text(e.value);
    assert!(
        msg.starts_with("rom: bad binary chunk: chunk at address"),
        "{msg}"
    );
    assert!(
        msg.ends_with("is not 8-byte aligned: it cannot be used in place"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------------------
// string.dump and load
// ---------------------------------------------------------------------------------------

#[test]
fn dump_and_load_round_trip() {
    run_lua(
        r#"
        local function add(a, b) return a + b end
        for _, strip in ipairs({false, true}) do
          local s = string.dump(add, strip)
          assert(type(s) == "string" and s:byte(1) == 27)
          assert(load(s)(2, 3) == 5)
          assert(load(s, "x", "b")(2, 3) == 5)
        end
        -- a stripped dump is smaller
        assert(#string.dump(add, true) < #string.dump(add))
        -- nested functions and closures survive
        local function outer()
          local n = 0
          return function() n = n + 1 return n end
        end
        local g = load(string.dump(outer))()
        assert(g() == 1 and g() == 2)
        -- the first upvalue becomes _ENV (the globals or load's env), others are nil
        local up = 5
        local function first() return up end
        assert(load(string.dump(first))() == _G)
        local env = {}
        assert(load(string.dump(first), "x", "b", env)() == env)
        local a, b = 1, 2
        local function second() return a, b end
        local x, y = load(string.dump(second))()
        assert(x == _G and y == nil)
        -- a main chunk's globals work through its _ENV
        local main = load("answer = 42 return answer")
        assert(load(string.dump(main), "m", "b", {})() == 42)
        -- line info is kept unless stripped
        local function fails() error("here") end
        local ok, msg = pcall(load(string.dump(fails)))
        assert(not ok and msg:find(":%d+: here$"), msg)
        "#,
    );
}

#[test]
fn load_errors_match_lua() {
    run_lua(
        r#"
        local s = string.dump(function() return 1 end)
        local f, msg = load(s:sub(1, 10))
        assert(f == nil and msg == "binary string: bad binary chunk: truncated chunk", msg)
        f, msg = load(s:sub(1, 10), "=name")
        assert(msg == "name: bad binary chunk: truncated chunk", msg)
        f, msg = load(s, "x", "t")
        assert(msg == "attempt to load a binary chunk (mode is 't')", msg)
        f, msg = load("return 1", "x", "b")
        assert(msg == "attempt to load a text chunk (mode is 'b')", msg)
        local ok, e = pcall(string.dump, print)
        assert(not ok and e == "unable to dump given function", e)
        -- every prefix is refused; one-byte corruptions load or not, and run cleanly
        -- under an instruction budget (a count hook) when they load
        for i = 1, #s - 1 do assert(load(s:sub(1, i)) == nil) end
        local function budget() error("budget") end
        for i = 1, #s do
          local c = s:sub(1, i - 1) .. string.char((s:byte(i) + 1) % 256) .. s:sub(i + 1)
          local g = load(c)
          if g then
            debug.sethook(budget, "", 10000)
            pcall(g)
            debug.sethook()
          end
        end
        "#,
    );
}

#[test]
fn loadfile_and_dofile_accept_chunks_and_honour_mode() {
    let path = temp_path("df.mjc");
    std::fs::write(&path, chunk_of("return ...", true)).unwrap();
    let p = path.to_str().unwrap();
    run_lua(&format!(
        r#"
        assert(select(2, dofile("{p}")) == nil)
        assert(loadfile("{p}")(7) == 7)
        assert(loadfile("{p}", "b")(8) == 8)
        local f, msg = loadfile("{p}", "t")
        assert(f == nil and msg == "attempt to load a binary chunk (mode is 't')", msg)
        "#
    ));
}

// ---------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------

/// Runs the `moonjet` binary; returns (status, stdout, stderr).
fn moonjet(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_moonjet"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_saves_lists_and_runs_chunks() {
    let src = temp_path("cli.lua");
    std::fs::write(
        &src,
        "local x = ... or 'none'\nprint('got', x)\nerror('stop')\n",
    )
    .unwrap();
    let (src_s, strip, keep) = (
        src.to_str().unwrap(),
        temp_path("cli-s.mjc"),
        temp_path("cli-g.mjc"),
    );
    let (strip_s, keep_s) = (strip.to_str().unwrap(), keep.to_str().unwrap());
    assert_eq!(moonjet(&["-b", src_s, strip_s]).0, 0);
    assert_eq!(moonjet(&["-bg", src_s, keep_s]).0, 0);
    let (s_len, g_len) = (
        std::fs::metadata(&strip).unwrap().len(),
        std::fs::metadata(&keep).unwrap().len(),
    );
    assert!(
        s_len < g_len,
        "-s default should strip ({s_len} vs {g_len})"
    );
    // running: output, and the error position only with debug info
    let (st, out, err) = moonjet(&[keep_s, "arg1"]);
    assert_eq!((st, out.as_str()), (1, "got\targ1\n"));
    assert!(err.contains("cli.lua:3: stop"), "{err}");
    let (st, out, err) = moonjet(&[strip_s]);
    assert_eq!((st, out.as_str()), (1, "got\tnone\n"));
    assert!(err.contains("stop"), "{err}");
    // listing a source and a chunk of it
    let (st, listing, _) = moonjet(&["-bl", src_s]);
    assert_eq!(st, 0);
    assert!(listing.starts_with("main <"), "{listing}");
    let (st, chunk_listing, _) = moonjet(&["-bl", keep_s]);
    assert_eq!((st, &chunk_listing), (0, &listing));
    // a bad chunk is a clear error, not a crash
    let bad = temp_path("cli-bad.mjc");
    let bytes = std::fs::read(&keep).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let (st, _, err) = moonjet(&[bad.to_str().unwrap()]);
    assert_eq!(st, 1);
    assert!(err.contains("bad binary chunk: truncated chunk"), "{err}");
    // usage errors
    let (st, _, err) = moonjet(&["-b", src_s]);
    assert_eq!(st, 1);
    assert!(err.contains("usage: moonjet -b"), "{err}");
}
