//! What the JIT's IR tests share: a compiler for the state and the IR of a function.

use moonjet_interp::jit_iface::CompileRequest;
use moonjet_interp::{Lua, Value};
use moonjet_jit::Jit;

/// Compiles Lua source for the state.
pub fn compile(src: &[u8], name: &[u8]) -> Result<moonjet_bytecode::Proto, String> {
    moonjet_compiler::compile(src, name).map_err(|e| e.message)
}

/// The IR text of the first function `src` defines, compiled at a call (no hints).
#[allow(dead_code)] // Not every test file that includes this module uses it.
pub fn ir_of_first(src: &str) -> String {
    ir_of_nested(src, 0, &[])
}

/// The IR text of function `index` of those `src` defines, compiled at a call (no
/// hints) as if its upvalue `u` held function `callees[u]` of `src` (LEAF-INLINE).
pub fn ir_of_nested(src: &str, index: usize, callees: &[Option<usize>]) -> String {
    let mut l = Lua::new();
    l.set_compiler(compile);
    let f = l.load(src.as_bytes(), b"=t", "t", None).expect("compiles");
    let Value::LuaFn(main) = f else {
        panic!("not a Lua function")
    };
    let p = l
        .nested_fn_proto(main.proto, index)
        .expect("nested function");
    let callees: Vec<_> = (callees.iter())
        .map(|c| {
            c.map(|k| {
                l.nested_fn_proto(main.proto, k)
                    .expect("nested")
                    .proto
                    .clone()
            })
        })
        .collect();
    let req = CompileRequest {
        proto: &p.proto,
        consts: p.consts(),
        hints: &[],
        from_loop: false,
        calls: 0,
        callees: &callees,
    };
    Jit::new().expect("host supported").ir_text(&req)
}
