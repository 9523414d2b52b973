//! Targeted rejections: each test breaks one rule and checks the loader or verifier names it.

mod chunk_common;

use std::rc::Rc;

use chunk_common::{leak_aligned, Aligned};
use moonjet_bytecode::chunk::{dump, is_binary, load_owned, load_shared, load_static, verify};
use moonjet_bytecode::{Backing, Buf, Constant, Instruction, OpCode, Proto, UpvalDesc};

/// Compiles `src` (must succeed).
fn compile(src: &str) -> Proto {
    moonjet_compiler::compile(src.as_bytes(), b"=t").expect("compiles")
}

/// The error of verifying `p` after `edit` changes its code (must fail).
fn rejected(src: &str, edit: impl FnOnce(&mut Vec<Instruction>, &mut Proto)) -> String {
    let mut p = compile(src);
    verify(&p).expect("unpatched program verifies");
    let mut code = p.code.to_vec();
    edit(&mut code, &mut p);
    p.code = Buf::from(code);
    let err = verify(&p).expect_err("patched program must be rejected");
    // the loader reports the same thing
    let chunk = dump(&p, false);
    assert_eq!(load_owned(&chunk).unwrap_err(), err);
    err.message
}

/// The pc of the first instruction with opcode `op`.
fn find(code: &[Instruction], op: OpCode) -> usize {
    code.iter()
        .position(|i| i.opcode() == Some(op))
        .expect("opcode present")
}

/// Asserts that `msg` contains `what`.
fn says(msg: String, what: &str) {
    assert!(msg.contains(what), "{msg:?} should mention {what:?}");
}

#[test]
fn header_errors() {
    let chunk = dump(&compile("return 1"), false);
    assert!(is_binary(&chunk) && !is_binary(b"return 1"));
    assert_eq!(
        load_owned(b"return 1").unwrap_err().message,
        "not a binary chunk"
    );
    for n in 0..chunk.len() {
        let e = load_owned(&chunk[..n]).unwrap_err();
        if n > 0 {
            assert_eq!(e.message, "truncated chunk", "prefix {n}");
        }
    }
    let mut bad = chunk.clone();
    bad[4] = 9;
    says(load_owned(&bad).unwrap_err().message, "format version 9");
    let mut bad = chunk.clone();
    bad[6] = 8;
    says(load_owned(&bad).unwrap_err().message, "size mismatch");
    let mut bad = chunk.clone();
    bad[12] = b'\n';
    says(load_owned(&bad).unwrap_err().message, "text-mode");
    let mut bad = chunk.clone();
    bad[16] ^= 1;
    says(load_owned(&bad).unwrap_err().message, "integer format");
    let mut bad = chunk.clone();
    bad.extend_from_slice(&[0; 8]);
    says(load_owned(&bad).unwrap_err().message, "length");
}

#[test]
fn misaligned_in_place_loads_are_refused() {
    let chunk = dump(&compile("return 'x'"), false);
    let e = load_static(leak_aligned(&chunk, 4)).unwrap_err();
    says(e.message, "not 8-byte aligned");
    assert!(load_static(leak_aligned(&chunk, 0)).is_ok());
    /// A backing whose bytes start 1 byte into an aligned buffer.
    struct Shifted(Rc<Aligned>);
    impl Backing for Shifted {
        fn bytes(&self) -> &[u8] {
            &self.0.bytes()[1..]
        }
    }
    let mut shifted = vec![0u8];
    shifted.extend_from_slice(&chunk);
    let e = load_shared(Rc::new(Shifted(Aligned::new(&shifted)))).unwrap_err();
    says(e.message, "not 8-byte aligned");
    // a copy works from any alignment
    assert!(load_owned(&shifted[1..]).is_ok());
}

#[test]
fn in_place_arrays_point_into_the_chunk() {
    let chunk = leak_aligned(&dump(&compile("local s = 'hello' return s"), false), 0);
    let f = load_static(chunk).unwrap();
    let p = f.proto(None);
    let range = chunk.as_ptr_range();
    assert_eq!(f.code().as_ptr(), p.code.as_ptr());
    let code_ptr = p.code.as_ptr() as *const u8;
    assert!(range.contains(&code_ptr));
    let Constant::Str(s) = &p.constants[0] else {
        panic!("string constant")
    };
    assert_eq!(&s[..], b"hello");
    assert!(range.contains(&s.as_ptr()));
    assert!(matches!(p.code, Buf::Static(_)) && matches!(p.line_info, Buf::Static(_)));
}

#[test]
fn invalid_opcode() {
    says(
        rejected("return", |c, _| c[0] = Instruction(127)),
        "invalid opcode 127",
    );
}

#[test]
fn register_out_of_range() {
    let m = rejected("local a = 1 return a", |c, p| {
        c[0] = Instruction::abc(OpCode::Move, p.max_stack as u32, 0, 0, false)
    });
    says(m, "out of range");
}

#[test]
fn constant_out_of_range_and_type() {
    says(
        rejected("return 'x'", |c, _| {
            c[0] = Instruction::abx(OpCode::LoadK, 0, 5)
        }),
        "constant 5 out of range",
    );
    let m = rejected("local t = ... return t.x + 1.5", |c, p| {
        let k = p
            .constants
            .iter()
            .position(|k| matches!(k, Constant::Float(_)))
            .unwrap();
        let i = find(c, OpCode::GetField);
        c[i] = c[i].with_c(k as u32);
    });
    says(m, "not a string");
    let m = rejected("local t = ... return t + 1.5", |c, p| {
        p.constants.push(Constant::Str(Buf::from(b"s".to_vec())));
        let i = find(c, OpCode::AddK);
        c[i] = c[i].with_c(p.constants.len() as u32 - 1);
    });
    says(m, "not a number");
}

#[test]
fn jumps() {
    let src = "local a = ... if a then a = 1 end return a";
    says(
        rejected(src, |c, _| {
            let i = find(c, OpCode::Jmp);
            c[i] = c[i].with_sj(1000);
        }),
        "outside the code",
    );
    says(
        rejected(src, |c, _| {
            let i = find(c, OpCode::Jmp);
            c[i] = c[i].with_sj(-1);
        }),
        "jump of a test",
    );
    says(
        rejected(src, |c, _| {
            let i = find(c, OpCode::Test);
            c[i + 1] = Instruction::abc(OpCode::Move, 0, 0, 0, false);
        }),
        "not followed by a jump",
    );
    says(
        rejected("local t = {} if t then return t end", |c, _| {
            let i = find(c, OpCode::Jmp);
            let extra = find(c, OpCode::ExtraArg) as i32;
            c[i] = c[i].with_sj(extra - i as i32 - 1);
        }),
        "EXTRAARG",
    );
}

#[test]
fn loops_must_pair() {
    let src = "local s = 0 for i = 1, 10 do s = s + i end return s";
    says(
        rejected(src, |c, _| {
            let i = find(c, OpCode::ForPrep);
            c[i] = c[i].with_bx(c[i].bx() - 1);
        }),
        "FORPREP",
    );
    says(
        rejected(src, |c, _| {
            let i = find(c, OpCode::ForLoop);
            c[i] = c[i].with_a(c[i].a() + 1);
        }),
        "paired",
    );
    says(
        rejected("for k in next, {} do end", |c, _| {
            let i = find(c, OpCode::TForCall);
            c[i] = c[i].with_c(0);
        }),
        "no loop variables",
    );
}

#[test]
fn top_rules() {
    let src = "local f = ... return f(f())";
    says(
        rejected(src, |c, _| {
            let i = find(c, OpCode::Call);
            c[i] = c[i].with_c(2);
        }),
        "open range",
    );
    says(
        rejected("local f = ... f(...) return 1", |c, _| {
            let i = c
                .iter()
                .rposition(|i| i.opcode() == Some(OpCode::VarArg))
                .unwrap();
            c[i + 1] = Instruction::abc(OpCode::Move, 0, 0, 0, false);
        }),
        "open result not followed",
    );
}

#[test]
fn frame_rules() {
    says(
        rejected("local x = 1", |c, _| {
            let n = c.len();
            c[n - 1] = Instruction::abc(OpCode::Move, 0, 0, 0, false);
        }),
        "does not end with a return",
    );
    says(
        rejected("local x = ...", |c, _| {
            c[0] = Instruction::abc(OpCode::LoadNil, 0, 0, 0, false)
        }),
        "without VARARGPREP",
    );
    says(
        rejected("return function(a) return a end", |_, p| {
            let mut f = (*p.protos[0]).clone();
            f.code = Buf::from(vec![Instruction::abc(OpCode::VarArgPrep, 1, 0, 0, false)]);
            f.line_info = Buf::from(vec![]);
            f.locals.clear();
            p.protos[0] = Rc::new(f);
        }),
        "misplaced VARARGPREP",
    );
    says(
        rejected("local a return function() return a end", |_, p| {
            let mut f = (*p.protos[0]).clone();
            f.upvalues[0] = UpvalDesc {
                in_stack: true,
                index: p.max_stack,
                kind: 0,
                name: None,
            };
            p.protos[0] = Rc::new(f);
        }),
        "missing register",
    );
    says(
        rejected("local t = {}", |c, _| {
            let i = find(c, OpCode::NewTable);
            c[i] = c[i].with_b(40);
        }),
        "size hint",
    );
}

#[test]
fn nesting_is_bounded() {
    // A function with one nested function and no upvalues (a main chunk captures its
    // parent's register for _ENV, which V-CLOSE would refuse first).
    let level = || {
        let mut c = compile("return function() return function() end end");
        Rc::try_unwrap(c.protos.swap_remove(0)).unwrap_or_else(|_| panic!("one owner"))
    };
    let mut p = level();
    for _ in 0..=moonjet_bytecode::chunk::MAX_DEPTH {
        let mut outer = level();
        outer.protos[0] = Rc::new(p);
        p = outer;
    }
    says(verify(&p).unwrap_err().message, "nested too deeply");
    says(
        load_owned(&dump(&p, true)).unwrap_err().message,
        "nested too deeply",
    );
}

#[test]
fn returns_close_what_needs_closing() {
    // Clears k on every RETURN and TAILCALL of the main function.
    let clear_k = |code: &mut Vec<Instruction>, _: &mut Proto| {
        for i in code.iter_mut() {
            if matches!(i.opcode(), Some(OpCode::Return | OpCode::TailCall)) {
                *i = i.with_k(false);
            }
        }
    };
    says(
        rejected("local x <close> = nil return 1", clear_k),
        "to-be-closed variable in a function whose returns do not close",
    );
    says(
        rejected("for k in pairs({}) do end return 1", clear_k),
        "to-be-closed variable in a function whose returns do not close",
    );
    says(
        rejected("local x = 1 return function() return x end", clear_k),
        "upvalue 0 captures a register of a function whose returns do not close it",
    );
    // A function with nothing to close may use the short returns.
    let p = compile("local function f(a) return a end return f(1)");
    verify(&p).expect("short returns where nothing needs closing");
}
