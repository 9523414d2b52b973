//! Golden Cranelift IR: each `tests/ir/NAME.lua` is compiled and the IR of every
//! function it defines (at the top level) is compared with `NAME.expected`.
//! `MOONJET_BLESS=1 cargo test -p moonjet-jit --test ir_golden` rewrites the files.
//! A script with the line `-- hint: no-params` is compiled as after a parameter guard
//! missed (no parameter speculated: the generic paths).

use std::path::{Path, PathBuf};

use moonjet_interp::jit_iface::{CompileRequest, SpecHint};
use moonjet_interp::{Lua, Value};
use moonjet_jit::Jit;

/// Compiles Lua source for the state.
fn compile(src: &[u8], name: &[u8]) -> Result<moonjet_bytecode::Proto, String> {
    moonjet_compiler::compile(src, name).map_err(|e| e.message)
}

/// The IR text of the functions defined by `script`.
fn ir_of(script: &Path) -> String {
    let src = std::fs::read(script).expect("read script");
    let mut l = Lua::new();
    l.set_compiler(compile);
    let name = format!(
        "@{}",
        script.file_name().and_then(|n| n.to_str()).unwrap_or("?")
    );
    let f = l
        .load(&src, name.as_bytes(), "t", None)
        .expect("script compiles");
    let Value::LuaFn(main) = f else {
        panic!("not a Lua function")
    };
    let no_params = String::from_utf8_lossy(&src)
        .lines()
        .any(|l| l.trim() == "-- hint: no-params");
    let hints: &[SpecHint] = if no_params {
        &[SpecHint {
            // `speculate::PARAMS`: the hint about the parameters.
            pc: u32::MAX - 1,
            ty: moonjet_interp::jit_iface::tags::NIL,
        }]
    } else {
        &[]
    };
    let mut jit = Jit::new().expect("host supported");
    let mut out = String::new();
    for i in 0..main.proto.n_nested() {
        let p = l.nested_fn_proto(main.proto, i).expect("nested function");
        let req = CompileRequest {
            proto: &p.proto,
            consts: p.consts(),
            hints,
            from_loop: false,
            calls: 0,
            callees: &[],
        };
        out.push_str(&format!("; function at line {}\n", p.proto.line_defined));
        out.push_str(&jit.ir_text(&req));
        out.push('\n');
    }
    out
}

#[test]
fn golden_ir() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ir");
    let bless = std::env::var_os("MOONJET_BLESS").is_some();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/ir exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "lua"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty());
    let mut failures = Vec::new();
    for s in &scripts {
        let got = ir_of(s);
        let expected_path = s.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &got).expect("write expected");
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if want != got {
            failures.push(format!(
                "{}: IR differs (MOONJET_BLESS=1 to accept)\n{got}",
                s.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
