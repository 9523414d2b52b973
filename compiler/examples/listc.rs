//! Prints the bytecode listing of a Lua file (or the compile error): `listc file.lua`.
//! With `--raw` first, prints every field of every instruction instead (for diffing tools).

use moonjet_bytecode::Proto;

/// Prints one line per instruction with all decoded fields, functions depth-first.
fn raw(p: &Proto) {
    println!(
        "FUNC {} {} {} {} {}",
        p.line_defined, p.last_line_defined, p.num_params, p.is_vararg as u8, p.max_stack
    );
    for (pc, i) in p.code.iter().enumerate() {
        let name = i.opcode().map_or("?", |o| o.name());
        println!(
            "{} {} {} {} {} {} {} {} {} {} {} {} {}",
            pc,
            p.line_at(pc).unwrap_or(0),
            name,
            i.a(),
            i.b(),
            i.c(),
            i.k() as u8,
            i.bx(),
            i.sbx(),
            i.sj_field(),
            i.ax_field(),
            i.sb(),
            i.sc()
        );
    }
    for (i, k) in p.constants.iter().enumerate() {
        let v = match k {
            moonjet_bytecode::Constant::Nil => "N nil".to_string(),
            moonjet_bytecode::Constant::Bool(b) => format!("B {b}"),
            moonjet_bytecode::Constant::Int(n) => format!("I {n}"),
            moonjet_bytecode::Constant::Float(f) => format!("F {f:?}"),
            moonjet_bytecode::Constant::Str(s) => format!("S {}", luac_string(s)),
        };
        println!("K {i} {v}");
    }
    for l in p.locals.iter() {
        println!(
            "L {} {} {}",
            String::from_utf8_lossy(&l.name),
            l.start_pc,
            l.end_pc
        );
    }
    for u in p.upvalues.iter() {
        let name = u
            .name
            .as_deref()
            .map_or(String::new(), |n| String::from_utf8_lossy(n).into_owned());
        println!("U {} {} {}", name, u.in_stack as u8, u.index);
    }
    for q in &p.protos {
        raw(q);
    }
}

/// A string quoted the way `luac -l` prints it.
fn luac_string(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            12 => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            11 => out.push_str("\\v"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\{c:03}")),
        }
    }
    out.push('"');
    out
}

/// Compiles the file named on the command line and prints its listing or raw dump.
fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let raw_mode = args.first().is_some_and(|a| a == "--raw");
    if raw_mode {
        args.remove(0);
    }
    let path = args.first().cloned().unwrap_or_else(|| "/dev/stdin".into());
    let src = std::fs::read(&path).unwrap_or_default();
    let name = format!("@{path}");
    match moonjet_compiler::compile(&src, name.as_bytes()) {
        Ok(p) if raw_mode => raw(&p),
        Ok(p) => {
            let mut out = String::new();
            moonjet_bytecode::listing::list(&p, &mut out);
            print!("{out}");
        }
        Err(e) => {
            println!("{}", e.message);
            std::process::exit(1);
        }
    }
}
