//! What the JIT's IR tests share: a compiler for the state and the IR of a function.

use moonjet_interp::jit_iface::CompileRequest;
use moonjet_interp::{Lua, Value};
use moonjet_jit::Jit;

/// Compiles Lua source for the state.
pub fn compile(src: &[u8], name: &[u8]) -> Result<moonjet_bytecode::Proto, String> {
    moonjet_compiler::compile(src, name).map_err(|e| e.message)
}

/// The IR text of the first function `src` defines, compiled at a call (no hints).
pub fn ir_of_first(src: &str) -> String {
    let mut l = Lua::new();
    l.set_compiler(compile);
    let f = l.load(src.as_bytes(), b"=t", "t", None).expect("compiles");
    let Value::LuaFn(main) = f else {
        panic!("not a Lua function")
    };
    let p = l.nested_fn_proto(main.proto, 0).expect("nested function");
    let req = CompileRequest {
        proto: &p.proto,
        consts: p.consts(),
        hints: &[],
        from_loop: false,
        calls: 0,
    };
    Jit::new().expect("host supported").ir_text(&req)
}
