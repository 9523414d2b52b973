//! Chunks of every corpus program: the verifier accepts the compiler's output, dump and
//! load round-trip exactly, and the three loaders agree.

mod chunk_common;

use std::rc::Rc;

use chunk_common::{corpus, leak_aligned, listing, Aligned};
use moonjet_bytecode::chunk::{dump, load_owned, load_shared, load_static, verify};
use moonjet_bytecode::{Backing, OpCode, Proto};

#[test]
fn verifier_accepts_compiler_output() {
    let mut failures = Vec::new();
    for (name, p) in corpus() {
        if let Err(e) = verify(&p) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "rejected:\n{}", failures.join("\n"));
}

/// Round trip of one program in one mode; returns the chunk.
fn round_trip(name: &str, p: &Proto, strip: bool) -> Vec<u8> {
    let chunk = dump(p, strip);
    let q = load_owned(&chunk).unwrap_or_else(|e| panic!("{name} (strip {strip}): {e}"));
    assert_eq!(dump(&q, strip), chunk, "{name}: dump of loaded differs");
    if !strip {
        assert_eq!(listing(&q), listing(p), "{name}: listing differs");
    }
    chunk
}

#[test]
fn dump_load_dump_is_identity() {
    for (name, p) in corpus() {
        for strip in [false, true] {
            round_trip(&name, &p, strip);
        }
    }
}

#[test]
fn in_place_loaders_agree_with_owned() {
    for (name, p) in corpus() {
        for strip in [false, true] {
            let chunk = dump(&p, strip);
            let owned = listing(&load_owned(&chunk).unwrap());
            let backing = Aligned::new(&chunk);
            let shared = load_shared(backing.clone() as Rc<dyn Backing>)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(listing(&shared.to_proto()), owned, "{name}: shared");
            let stat = load_static(leak_aligned(&chunk, 0)).unwrap();
            assert_eq!(listing(&stat.to_proto()), owned, "{name}: static");
        }
    }
}

#[test]
fn stripped_chunks_have_no_debug_info() {
    let (_, p) = corpus().into_iter().next().unwrap();
    let q = load_owned(&dump(&p, true)).unwrap();
    assert!(q.line_info.is_empty() && q.locals.is_empty());
    assert_eq!(&q.source[..], b"=?");
    assert!(q.upvalues.iter().all(|u| u.name.is_none()));
    assert!(dump(&p, true).len() < dump(&p, false).len());
}

/// Programs that reach corners the corpus may not: big constructors (SETLIST with k),
/// more than 2^17 constants (LOADKX), more than 256 constants (registers for RK),
/// gotos onto loop instructions, open calls and varargs everywhere, deep nesting.
fn generated() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let items: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    out.push((
        "big constructor".into(),
        format!(
            "local t = {{{}, f(), ...}} local u = {{{}}} return t, u",
            items.join(","),
            items.join(",")
        ),
    ));
    let many: Vec<String> = (0..140_000).map(|i| format!("x = {i}.5")).collect();
    out.push(("many constants".into(), many.join("\n")));
    let fields: Vec<String> = (0..300)
        .map(|i| format!("t.f{i} = t.g{i} + {i}.25"))
        .collect();
    out.push((
        "many fields".into(),
        format!("local t = ... {}", fields.join(" ")),
    ));
    out.push((
        "gotos".into(),
        "for i = 1, 3 do if i == 2 then goto continue end print(i) ::continue:: end \
         for k, v in pairs({}) do if k then goto next end ::next:: end \
         while true do if x then break end end repeat local y = f() until y \
         do goto e end ::e::"
            .into(),
    ));
    out.push((
        "open calls".into(),
        "local function f(...) return ... end local t = {f(1, f(2, ...))} \
         print(f(...)) return select('#', ...), f(f(f())) , {...}, (f(...)), a:b(...)"
            .into(),
    ));
    let mut deep = String::new();
    for _ in 0..60 {
        deep.push_str("return function(...) local x <const> = ... ");
    }
    deep.push_str("return x");
    for _ in 0..60 {
        deep.push_str(" end");
    }
    out.push(("deep nesting".into(), deep));
    let locals: Vec<String> = (0..190).map(|i| format!("local v{i} = {i}")).collect();
    out.push((
        "many locals".into(),
        format!(
            "{} return function() return v0 + v189 end",
            locals.join(" ")
        ),
    ));
    out.push((
        "closing".into(),
        "local a <close> = x do local b <close> = y return f(b) end".into(),
    ));
    out.push((
        "arith".into(),
        "local a, b = ... return a + 1, a - 1.5, a * b, a // 3, a % 2.5, a ^ 2, a / b, \
         a & 7, a | 8, a ~ 9, a << 1, a >> 2, 1 << a, ~a, -a, #a, a .. b .. 'c' .. 1, \
         a == 'x', a ~= 1, a < 2, a <= 3.5, a > b, a >= 1, not a, a and b or 3"
            .into(),
    ));
    out
}

#[test]
fn generated_programs_verify_and_round_trip() {
    for (name, src) in generated() {
        let p = moonjet_compiler::compile(src.as_bytes(), b"=gen")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        verify(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = match name.as_str() {
            "many constants" => Some(OpCode::LoadKX),
            "big constructor" => Some(OpCode::SetList),
            _ => None,
        };
        if let Some(op) = want {
            assert!(
                p.code
                    .iter()
                    .any(|i| i.opcode() == Some(op) && (op != OpCode::SetList || i.k())),
                "{name}: no {op:?} emitted"
            );
        }
        for strip in [false, true] {
            round_trip(&name, &p, strip);
        }
    }
}

/// With `MOONJET_WRITE_CHUNKS=<dir>`, writes every corpus chunk there (fuzzing seeds).
#[test]
fn write_seed_chunks() {
    let Some(dir) = std::env::var_os("MOONJET_WRITE_CHUNKS") else {
        return;
    };
    std::fs::create_dir_all(&dir).unwrap();
    for (name, p) in corpus() {
        for strip in [false, true] {
            let file = format!(
                "{}{}.mjc",
                name.replace('/', "_"),
                if strip { "_s" } else { "" }
            );
            std::fs::write(std::path::Path::new(&dir).join(file), dump(&p, strip)).unwrap();
        }
    }
}
