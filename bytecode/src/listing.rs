//! The bytecode listing printed by `moonjet -bl` and compared by the golden tests.
//!
//! Operands are decoded from the opcode table's operand roles ([`OP_INFO`]), so a new opcode
//! needs no change here. Each function prints a header, its instructions
//! (`pc [line] NAME operands`), its constants, locals and upvalues, then its nested functions.

use alloc::string::String;
use core::fmt::Write;

use crate::chunkid::short_src;
use crate::instr::Instruction;
use crate::num::Number;
use crate::opcodes::{Format, OpCode, Operand, OP_INFO};
use crate::proto::{Constant, Proto};

/// Appends the listing of `proto` and, recursively, of its nested functions.
pub fn list(proto: &Proto, out: &mut String) {
    list_function(proto, out);
    for p in &proto.protos {
        out.push('\n');
        list(p, out);
    }
}

/// Appends `n` and the noun, plural when `n != 1`.
fn count(out: &mut String, n: usize, noun: &str) {
    let _ = write!(out, "{n} {noun}{}", if n == 1 { "" } else { "s" });
}

/// Header, code, constants, locals and upvalues of one function.
fn list_function(p: &Proto, out: &mut String) {
    let kind = if p.line_defined == 0 {
        "main"
    } else {
        "function"
    };
    let _ = write!(
        out,
        "{kind} <{}:{},{}> ",
        short_src(&p.source),
        p.line_defined,
        p.last_line_defined
    );
    count(out, p.code.len(), "instruction");
    out.push('\n');
    let _ = write!(
        out,
        "{}{} params, {} slots, ",
        p.num_params,
        if p.is_vararg { "+" } else { "" },
        p.max_stack
    );
    count(out, p.upvalues.len(), "upvalue");
    out.push_str(", ");
    count(out, p.locals.len(), "local");
    out.push_str(", ");
    count(out, p.constants.len(), "constant");
    out.push_str(", ");
    count(out, p.protos.len(), "function");
    out.push('\n');
    for pc in 0..p.code.len() {
        list_instruction(p, pc, out);
    }
    let _ = writeln!(out, "constants ({}):", p.constants.len());
    for (i, k) in p.constants.iter().enumerate() {
        let _ = write!(out, "  {i:<4}");
        constant(k, out);
        out.push('\n');
    }
    let _ = writeln!(out, "locals ({}): name, start pc, end pc", p.locals.len());
    for (i, l) in p.locals.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {i:<4}{:<12}{:<5}{}",
            String::from_utf8_lossy(&l.name),
            l.start_pc,
            l.end_pc
        );
    }
    let _ = writeln!(
        out,
        "upvalues ({}): name, in stack, index, kind",
        p.upvalues.len()
    );
    for (i, u) in p.upvalues.iter().enumerate() {
        let name = u.name.as_deref().map_or(String::from("-"), |n| {
            String::from_utf8_lossy(n).into_owned()
        });
        let _ = writeln!(
            out,
            "  {i:<4}{name:<12}{:<5}{:<5}{}",
            u.in_stack as u8, u.index, u.kind
        );
    }
}

/// Appends a constant as Lua source would write it.
fn constant(k: &Constant, out: &mut String) {
    match k {
        Constant::Nil => out.push_str("nil"),
        Constant::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Constant::Int(i) => Number::Int(*i).fmt_lua(out),
        Constant::Float(f) => Number::Float(*f).fmt_lua(out),
        Constant::Str(s) => quoted(s, out),
    }
}

/// Appends a byte string in double quotes with escapes for unprintable bytes.
fn quoted(s: &[u8], out: &mut String) {
    out.push('"');
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(c as char),
            _ => {
                let _ = write!(out, "\\{c:03}");
            }
        }
    }
    out.push('"');
}

/// The raw fields of an instruction as (A, B, C), by format: signed where the role is.
fn fields(i: Instruction, format: Format) -> (i64, i64, i64) {
    match format {
        Format::ABC => (i.a() as i64, i.b() as i64, i.c() as i64),
        Format::ABx => (i.a() as i64, i.bx() as i64, 0),
        Format::AsBx => (i.a() as i64, i.sbx() as i64, 0),
        Format::Ax => (i.ax_field() as i64, 0, 0),
        Format::SJ => (i.sj_field() as i64, 0, 0),
    }
}

/// The absolute target of a loop jump (its direction and base depend on the opcode).
fn loop_target(op: OpCode, pc: usize, bx: i64) -> i64 {
    let next = pc as i64 + 1;
    match op {
        OpCode::ForLoop | OpCode::TForLoop => next - bx,
        OpCode::ForPrep => next + bx + 1,
        _ => next + bx,
    }
}

/// One line of code: `pc [line] NAME operands`.
fn list_instruction(p: &Proto, pc: usize, out: &mut String) {
    let i = p.code[pc];
    let line = p
        .line_at(pc)
        .map_or(String::from("-"), |l| alloc::format!("{l}"));
    let _ = write!(
        out,
        "  {pc:<5}[{line}]{:width$}",
        "",
        width = 5usize.saturating_sub(line.len())
    );
    let Some(op) = i.opcode() else {
        let _ = writeln!(out, "INVALID {:#010x}", i.0);
        return;
    };
    let info = &OP_INFO[op as usize];
    let _ = write!(out, "{:<11}", info.name);
    let (a, b, c) = fields(i, info.format);
    let signed_b = info.format == Format::ABC && info.b == Operand::SInt;
    let signed_c = info.format == Format::ABC && info.c == Operand::SInt;
    let b = if signed_b { i.sb() as i64 } else { b };
    let c = if signed_c { i.sc() as i64 } else { c };
    let mut k_shown = false;
    for (role, v) in [(info.a, a), (info.b, b), (info.c, c)] {
        operand(p, pc, op, role, v, i.k(), &mut k_shown, out);
    }
    if info.format == Format::ABC && i.k() && !k_shown {
        out.push_str(" k");
    }
    if op == OpCode::LoadKX {
        if let Some(next) = p.code.get(pc + 1) {
            out.push(' ');
            const_operand(p, next.ax_field() as i64, out);
        }
    }
    // trim the padding of operand-less instructions
    while out.ends_with(' ') {
        out.pop();
    }
    out.push('\n');
}

/// Appends ` K[n] value`.
fn const_operand(p: &Proto, n: i64, out: &mut String) {
    let _ = write!(out, "K[{n}] ");
    match p.constants.get(n as usize) {
        Some(k) => constant(k, out),
        None => out.push('?'),
    }
}

/// Appends one operand decoded by its role.
#[allow(clippy::too_many_arguments)]
fn operand(
    p: &Proto,
    pc: usize,
    op: OpCode,
    role: Operand,
    v: i64,
    k: bool,
    k_shown: &mut bool,
    out: &mut String,
) {
    match role {
        Operand::Unused => {}
        Operand::Reg => {
            let _ = write!(out, " R[{v}]");
        }
        Operand::Const => {
            out.push(' ');
            const_operand(p, v, out);
        }
        Operand::Upval => {
            let name = p.upvalues.get(v as usize).and_then(|u| u.name.as_deref());
            let name = name.map_or(String::from("?"), |n| {
                String::from_utf8_lossy(n).into_owned()
            });
            let _ = write!(out, " U[{v}] {name}");
        }
        Operand::UInt | Operand::SInt => {
            let _ = write!(out, " {v}");
        }
        Operand::RegOrConst => {
            *k_shown = true;
            if k {
                out.push(' ');
                const_operand(p, v, out);
            } else {
                let _ = write!(out, " R[{v}]");
            }
        }
        Operand::Proto => {
            let _ = write!(out, " F[{v}]");
        }
        Operand::Jump => {
            let _ = write!(out, " to {}", pc as i64 + 1 + v);
        }
        Operand::LoopJump => {
            let _ = write!(out, " to {}", loop_target(op, pc, v));
        }
    }
}
