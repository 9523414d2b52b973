//! Compiles `lua/app.lua` to a stripped binary chunk in `OUT_DIR/app.mjc`, which
//! `src/main.rs` includes (aligned) and runs in place.

use std::path::PathBuf;

fn main() {
    let src_path = "lua/app.lua";
    println!("cargo:rerun-if-changed={src_path}");
    let src = std::fs::read(src_path).expect("read lua/app.lua");
    let proto = match moonjet_compiler::compile(&src, b"@app.lua") {
        Ok(p) => p,
        Err(e) => panic!("lua/app.lua does not compile: {}", e.message),
    };
    let chunk = moonjet_bytecode::chunk::dump(&proto, true);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    std::fs::write(out.join("app.mjc"), chunk).expect("write app.mjc");
}
