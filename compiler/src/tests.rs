//! Unit tests of the compiler: error messages as `lua5.4` prints them (chunk name `=t`),
//! limits, precedence and the shape of the emitted code.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use moonjet_bytecode::{Constant, OpCode, Proto};

use crate::compile;

/// Compiles `src` named `=t`; panics on error.
fn ok(src: &str) -> Proto {
    match compile(src.as_bytes(), b"=t") {
        Ok(p) => p,
        Err(e) => panic!("unexpected error for {src:?}: {}", e.message),
    }
}

/// The error message for `src` named `=t`.
fn err(src: &str) -> String {
    match compile(src.as_bytes(), b"=t") {
        Ok(_) => panic!("expected an error for {src:?}"),
        Err(e) => e.message,
    }
}

/// The opcodes of the main function.
fn ops(p: &Proto) -> Vec<OpCode> {
    p.code.iter().filter_map(|i| i.opcode()).collect()
}

// ---------------------------------------------------------------------------------------------
// Lexer errors
// ---------------------------------------------------------------------------------------------

#[test]
fn lexer_errors_match_lua() {
    let cases: &[(&str, &str)] = &[
        ("x = 3xyz", "t:1: malformed number near '3x'"),
        ("x = 3..4", "t:1: malformed number near '3..4'"),
        ("x = 0x", "t:1: malformed number near '0x'"),
        ("x = 1e", "t:1: malformed number near '1e'"),
        ("x = 'abc", "t:1: unfinished string near <eof>"),
        ("x = 'abc\ny'", "t:1: unfinished string near ''abc'"),
        (
            "x = [[abc",
            "t:1: unfinished long string (starting at line 1) near <eof>",
        ),
        (
            "x = [==[abc\n\n",
            "t:3: unfinished long string (starting at line 1) near <eof>",
        ),
        (
            "--[[abc",
            "t:1: unfinished long comment (starting at line 1) near <eof>",
        ),
        (
            "x = '\\300'",
            "t:1: decimal escape too large near ''\\300''",
        ),
        (
            "x = '\\u{80000000}'",
            "t:1: UTF-8 value too large near ''\\u{80000000'",
        ),
        ("x = '\\q'", "t:1: invalid escape sequence near ''\\q'"),
        (
            "x = '\\xZZ'",
            "t:1: hexadecimal digit expected near ''\\xZ'",
        ),
        ("x = '\\u{12'", "t:1: missing '}' near ''\\u{12''"),
        ("x = '\\u12'", "t:1: missing '{' near ''\\u1'"),
        (
            "x = '\\u{}'",
            "t:1: hexadecimal digit expected near ''\\u{}'",
        ),
        ("x = [=x", "t:1: invalid long string delimiter near '[='"),
        ("x = \"abc\\", "t:1: unfinished string near <eof>"),
        ("x = 1 \"abc\"", "t:1: unexpected symbol near '\"abc\"'"),
        ("x = \x01", "t:1: unexpected symbol near '<\\1>'"),
    ];
    for (src, msg) in cases {
        assert_eq!(err(src), *msg, "source {src:?}");
    }
}

#[test]
fn string_escapes() {
    let p = ok("return '\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\'\\65\\0661\\x41\\u{48}\\u{7FF}\\u{7FFFFFFF}\\z  \n  x\\\ny'");
    let want: &[u8] = b"\x07\x08\x0c\n\r\t\x0b\\\"'AB1AH\xdf\xbf\xfd\xbf\xbf\xbf\xbf\xbfx\ny";
    assert!(
        matches!(&p.constants[0], Constant::Str(s) if &s[..] == want),
        "{:?}",
        p.constants
    );
    let p = ok("return [==[\nfirst]]\n]=]]==]");
    assert!(matches!(&p.constants[0], Constant::Str(s) if &s[..] == b"first]]\n]=]"));
}

#[test]
fn numerals() {
    let p = ok("return 0x10, 0xffffffffffffffff, 9223372036854775808, 0x1p4, .5, 3e2, 1e400");
    let ks = &p.constants;
    assert!(ks.contains(&Constant::Float(9223372036854775808.0)));
    assert!(ks.contains(&Constant::Float(f64::INFINITY)));
    // 0x10 -> LOADI 16; 0xff..ff wraps to -1 -> LOADI -1; 0x1p4 -> LOADF 16; 3e2 -> LOADF 300
    let loads: Vec<(OpCode, i32)> = p
        .code
        .iter()
        .filter(|i| matches!(i.opcode(), Some(OpCode::LoadI | OpCode::LoadF)))
        .map(|i| (i.opcode().unwrap(), i.sbx()))
        .collect();
    assert_eq!(
        loads,
        [
            (OpCode::LoadI, 16),
            (OpCode::LoadI, -1),
            (OpCode::LoadF, 16),
            (OpCode::LoadF, 300)
        ]
    );
}

#[test]
fn shebang_skipped_only_for_files() {
    assert!(compile(b"#!/usr/bin/lua\nreturn 1", b"@f.lua").is_ok());
    assert_eq!(
        compile(b"#!/x\nreturn 1 1", b"@f.lua").unwrap_err().message,
        "f.lua:2: <eof> expected near '1'"
    );
    assert_eq!(err("#!/x"), "t:1: unexpected symbol near '#'");
}

// ---------------------------------------------------------------------------------------------
// Parser errors
// ---------------------------------------------------------------------------------------------

#[test]
fn syntax_errors_match_lua() {
    let cases: &[(&str, &str)] = &[
        ("x = ~= 3", "t:1: unexpected symbol near '~='"),
        ("x = 1 +", "t:1: unexpected symbol near <eof>"),
        ("f(", "t:1: unexpected symbol near <eof>"),
        ("for i = 1 do end", "t:1: ',' expected near 'do'"),
        (
            "function f(\n\n) ",
            "t:3: 'end' expected (to close 'function' at line 1) near <eof>",
        ),
        (
            "while true do\n\n",
            "t:3: 'end' expected (to close 'while' at line 1) near <eof>",
        ),
        ("a.b:c = 1", "t:1: function arguments expected near '='"),
        ("x = a[1", "t:1: ']' expected near <eof>"),
        ("local function 1", "t:1: <name> expected near '1'"),
        ("return return", "t:1: unexpected symbol near 'return'"),
        ("function a.b:c.d() end", "t:1: '(' expected near '.'"),
        ("x = function(a, ..., b) end", "t:1: ')' expected near ','"),
        ("return 1;;", "t:1: <eof> expected near ';'"),
        (
            "local function f() end f() = 1",
            "t:1: syntax error near '='",
        ),
        ("(f)", "t:1: syntax error near <eof>"),
        ("a, b", "t:1: '=' expected near <eof>"),
        ("x = {1 2}", "t:1: '}' expected near '2'"),
        (
            "if x then else elseif y then end",
            "t:1: 'end' expected near 'elseif'",
        ),
        (
            "for a.b = 1, 2 do end",
            "t:1: '=' or 'in' expected near '.'",
        ),
        ("for a, b = 1, 2 do end", "t:1: 'in' expected near '='"),
        ("x = 1 .5", "t:1: unexpected symbol near '.5'"),
        ("x = 1\n\n\nend", "t:4: <eof> expected near 'end'"),
        ("goto = 1", "t:1: <name> expected near '='"),
        (
            "function f() return ... end",
            "t:1: cannot use '...' outside a vararg function near '...'",
        ),
    ];
    for (src, msg) in cases {
        assert_eq!(err(src), *msg, "source {src:?}");
    }
}

#[test]
fn semantic_errors_match_lua() {
    let cases: &[(&str, &str)] = &[
        ("local x <foo> = 1", "t:1: unknown attribute 'foo'"),
        (
            "local x <close>, y <close> = 1",
            "t:1: multiple to-be-closed variables in local list",
        ),
        (
            "local x <const> = 1; x = 2",
            "t:1: attempt to assign to const variable 'x'",
        ),
        (
            "local x <const> = 2; function f() x = 3 end",
            "t:1: attempt to assign to const variable 'x'",
        ),
        (
            "local x <const> = {}; function f() x = 3 end",
            "t:1: attempt to assign to const variable 'x'",
        ),
        (
            "local a <close> = 1; a = 1",
            "t:1: attempt to assign to const variable 'a'",
        ),
        ("goto l", "t:1: no visible label 'l' for <goto> at line 1"),
        (
            "local x\ngoto l\n\n",
            "t:4: no visible label 'l' for <goto> at line 2",
        ),
        ("::l:: ::l::", "t:1: label 'l' already defined on line 1"),
        (
            "::l:: do ::l:: end",
            "t:1: label 'l' already defined on line 1",
        ),
        (
            "goto l; local x; ::l:: print(x)",
            "t:1: <goto l> at line 1 jumps into the scope of local 'x'",
        ),
        (
            "repeat local x; goto c; local y; ::c:: until y",
            "t:1: <goto c> at line 1 jumps into the scope of local 'y'",
        ),
        ("break", "t:1: break outside loop at line 1"),
        (
            "while true do end break\n\n\n",
            "t:4: break outside loop at line 1",
        ),
        (
            "f = function() break end",
            "t:1: break outside loop at line 1",
        ),
        (
            "do goto x end do ::x:: end",
            "t:1: no visible label 'x' for <goto> at line 1",
        ),
    ];
    for (src, msg) in cases {
        assert_eq!(err(src), *msg, "source {src:?}");
    }
    // allowed: label at the end of a block, sibling labels, continue idiom
    ok("do goto l; local x; ::l:: end");
    ok("do ::l:: end ::l::");
    ok("while x do local x; goto cont; local y; ::cont:: ; ; end");
    ok("for i = 1, 3 do goto continue; local z = 1; ::continue:: end");
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

/// Runs `f` on a thread with a 2 MB stack (the default for spawned threads).
#[cfg(test)]
fn on_small_stack<F: FnOnce() + Send + 'static>(f: F) {
    extern crate std;
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn local_limit() {
    let src = format!("local a{}", ", a".repeat(199));
    ok(&src);
    let src = format!("local a{}", ", a".repeat(200));
    assert_eq!(
        err(&src),
        "t:1: too many local variables (limit is 200) in main function near <eof>"
    );
    let src = format!("function f(a{}) end", ", a".repeat(200));
    assert_eq!(
        err(&src),
        "t:1: too many local variables (limit is 200) in function at line 1 near ')'"
    );
}

#[test]
fn upvalue_limit() {
    let decl = |p: &str| {
        (1..=150)
            .map(|i| format!("local {p}{i} = {i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let uses = (1..=150)
        .map(|i| format!("x = a{i}"))
        .chain((1..=150).map(|i| format!("x = b{i}")))
        .collect::<Vec<_>>();
    let src = format!(
        "{}\nfunction f()\n{}\nreturn function() local x\n{} end end",
        decl("a"),
        decl("b"),
        uses.join(" ")
    );
    assert_eq!(
        err(&src),
        "t:5: too many upvalues (limit is 255) in function at line 4 near 'x'"
    );
}

#[test]
fn register_limit() {
    let src = format!("f({}1)", "1,".repeat(300));
    assert_eq!(
        err(&src),
        "t:1: function or expression needs too many registers near '1'"
    );
    ok(&format!("local t = {{{}}}", "1,".repeat(300)));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    on_small_stack(|| {
        let n = 100_000;
        let src = format!("x = {}1{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(err(&src), "t:1: chunk has too many syntax levels");
        let src = format!("x = {}{}", "{".repeat(n), "}".repeat(n));
        assert_eq!(err(&src), "t:1: chunk has too many syntax levels");
        let src = format!("{}{}", "do ".repeat(n), " end".repeat(n));
        assert_eq!(err(&src), "t:1: chunk has too many syntax levels");
        let src = format!("x = {}1", "- ".repeat(n));
        assert_eq!(err(&src), "t:1: chunk has too many syntax levels");
        let src = format!("x = 1{}", " .. 1".repeat(n));
        assert_eq!(err(&src), "t:1: chunk has too many syntax levels");
        let src = format!("x = {}", "function() return ".repeat(n));
        assert_eq!(err(&src), "t:1: chunk has too many syntax levels");
        let src = format!("x = {}1{}", "f(".repeat(n), ")".repeat(n));
        assert_eq!(err(&src), "t:1: chunk has too many syntax levels");
        // within the limit, everything works on a small stack
        let src = format!("x = {}1{}", "(".repeat(150), ")".repeat(150));
        ok(&src);
        let src = format!("{}{}", "if x then ".repeat(150), " end".repeat(150));
        ok(&src);
        let src = format!("x = {}", "function() return ".repeat(60)) + &" end".repeat(60);
        ok(&src);
    });
}

#[test]
fn long_chains_are_iterative() {
    on_small_stack(|| {
        ok(&format!("x = a{}", ".b".repeat(100_000)));
        ok(&format!("x = a{}", "[1]".repeat(50_000)));
        ok(&format!("x = 1{}", " + 1".repeat(100_000)));
        ok(&format!("x = a{}", " or a".repeat(5_000)));
        ok(&format!("x = a{}", ":m()".repeat(50_000)));
        ok(&format!("{} = 1", vec_join("a", 100)));
    });
}

/// `name, name, ...` n times.
fn vec_join(name: &str, n: usize) -> String {
    (0..n).map(|_| name).collect::<Vec<_>>().join(", ")
}

#[test]
fn control_structure_too_long() {
    let src = format!("for i = 1, 2 do {} end", "x = 1 ".repeat(140_000));
    assert_eq!(err(&src), "t:1: control structure too long near 'end'");
}

#[test]
fn huge_numbers() {
    let p = ok("return 123456789012345678901234567890, 0x123456789abcdef0123, 1e309, 0x1p-1080");
    assert!(p
        .constants
        .contains(&Constant::Float(123456789012345678901234567890.0)));
    assert!(p.constants.contains(&Constant::Int(0x456789abcdef0123)));
}

// ---------------------------------------------------------------------------------------------
// Code shape
// ---------------------------------------------------------------------------------------------

/// The single constant folded from `return <expr>` (as LOADI/LOADF/LOADK).
fn folded(expr: &str) -> Constant {
    let p = ok(&format!("return {expr}"));
    let i = p.code[1];
    match i.opcode() {
        Some(OpCode::LoadI) => Constant::Int(i.sbx() as i64),
        Some(OpCode::LoadF) => Constant::Float(i.sbx() as f64),
        Some(OpCode::LoadK) => p.constants[i.bx() as usize].clone(),
        other => panic!("{expr}: not folded: {other:?} {:?}", ops(&p)),
    }
}

#[test]
fn precedence_and_folding() {
    assert_eq!(folded("1 + 2 * 3"), Constant::Int(7));
    assert_eq!(folded("(1 + 2) * 3"), Constant::Int(9));
    assert_eq!(folded("2 ^ 3 ^ 2"), Constant::Float(512.0));
    assert_eq!(folded("-2 ^ 2"), Constant::Float(-4.0));
    assert_eq!(folded("2 ^ -1"), Constant::Float(0.5));
    assert_eq!(folded("7 // 2 * 2 + 7 % 2"), Constant::Int(7));
    assert_eq!(folded("1 << 2 + 1"), Constant::Int(8));
    assert_eq!(folded("1 | 2 ~ 3 & 4"), Constant::Int(3));
    assert_eq!(folded("- - 3"), Constant::Int(3));
    assert_eq!(folded("~0"), Constant::Int(-1));
    assert_eq!(folded("9223372036854775807 + 1"), Constant::Int(i64::MIN));
    assert_eq!(folded("7.5 // 2"), Constant::Float(3.0));
    assert_eq!(folded("-7 % 3"), Constant::Int(2));
    assert_eq!(folded("2.0 & 3"), Constant::Int(2));
    let p = ok("local a <const> = 10; local b <const> = a * 2; return b + 1");
    assert!(ops(&p).contains(&OpCode::LoadI) && p.code.iter().any(|i| i.sbx() == 21));
}

#[test]
fn unsafe_folds_are_left_to_run_time() {
    for e in [
        "1 // 0", "1 % 0", "1 / 0", "0 / 0", "-0.0", "0.0 * -1", "1.5 & 1", "~1.5", "3 - 3.0",
    ] {
        let p = ok(&format!("return {e}"));
        let arith = ops(&p)
            .iter()
            .any(|o| o.has(moonjet_bytecode::opcodes::props::ARITH));
        assert!(arith, "{e} was folded: {:?}", ops(&p));
    }
}

#[test]
fn operator_forms() {
    let p = ok(
        "local a = ...; return a + 1, 1 + a, a - 1, a * 2, 2 * a, 2 - a, a >> 3, 3 << a, a << 3",
    );
    let want = [
        (OpCode::AddI, false),
        (OpCode::AddI, true),
        (OpCode::SubK, false),
        (OpCode::MulK, false),
        (OpCode::MulK, true),
        (OpCode::Sub, false),
        (OpCode::ShrI, false),
        (OpCode::ShlI, false),
        // a << 3 is a >> -3, k set (the __shl event).
        (OpCode::ShrI, true),
    ];
    let got: Vec<(OpCode, bool)> = p
        .code
        .iter()
        .filter(|i| {
            i.opcode()
                .is_some_and(|o| o.has(moonjet_bytecode::opcodes::props::ARITH))
        })
        .map(|i| (i.opcode().unwrap(), i.k()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn comparisons() {
    let p = ok("local a, b = ...; return a > b, a > 5, 5 < a, a == 1.0, a ~= 'x', a <= b");
    let tests: Vec<(OpCode, u32, u32)> = p
        .code
        .iter()
        .filter(|i| {
            i.opcode()
                .is_some_and(|o| o.has(moonjet_bytecode::opcodes::props::TEST))
        })
        .map(|i| (i.opcode().unwrap(), i.a(), i.b()))
        .collect();
    assert_eq!(tests[0], (OpCode::Lt, 1, 0)); // a > b is b < a
    assert_eq!(tests[1], (OpCode::GtI, 0, 5 + 127));
    assert_eq!(tests[2], (OpCode::GtI, 0, 5 + 127));
    assert_eq!(tests[3].0, OpCode::EqI);
    assert_eq!(tests[4].0, OpCode::EqK);
    assert_eq!(tests[5], (OpCode::Le, 0, 1));
    // the float flag of EQI
    let eqi = p
        .code
        .iter()
        .find(|i| i.opcode() == Some(OpCode::EqI))
        .unwrap();
    assert_eq!(eqi.c(), 1);
}

#[test]
fn main_chunk_shape() {
    let p = ok("x = 1");
    assert!(p.is_vararg);
    assert_eq!(p.code[0].opcode(), Some(OpCode::VarArgPrep));
    assert_eq!(p.upvalues.len(), 1);
    assert!(p.upvalues[0].in_stack && p.upvalues[0].index == 0);
    assert_eq!(
        ops(&p),
        [OpCode::VarArgPrep, OpCode::SetTabUp, OpCode::Return]
    );
    assert!(p.max_stack >= 2);
    assert_eq!(&p.source[..], b"=t");
}

#[test]
fn global_with_many_constants_uses_a_register_key() {
    let items: Vec<String> = (0..300).map(|i| format!("'s{i}'")).collect();
    let src = format!("local t = {{{}}} g = 1", items.join(", "));
    let p = ok(&src);
    let last = ops(&p);
    assert!(
        last.contains(&OpCode::GetUpval) && last.contains(&OpCode::SetTable),
        "{last:?}"
    );
}

#[test]
fn returns_and_closing() {
    let p = ok("local function f(a) return a end return f");
    let f = &p.protos[0];
    assert_eq!(ops(f), [OpCode::Return1, OpCode::Return0]);
    let p = ok("local function f(...) return ... end");
    let f = &p.protos[0];
    assert_eq!(
        ops(f),
        [
            OpCode::VarArgPrep,
            OpCode::VarArg,
            OpCode::Return,
            OpCode::Return
        ]
    );
    assert_eq!(f.code[2].c(), 1);
    let p = ok("local function f(a) local function g() return a end return g() end");
    let f = &p.protos[0];
    assert_eq!(
        f.code
            .iter()
            .find(|i| i.opcode() == Some(OpCode::TailCall))
            .map(|i| i.k()),
        Some(true)
    );
    let p = ok("local x <close> = nil; return 1");
    assert!(ops(&p).contains(&OpCode::Tbc));
}

#[test]
fn for_loop_offsets() {
    let p = ok("for i = 1, 2 do x = i end");
    let prep = p
        .code
        .iter()
        .position(|i| i.opcode() == Some(OpCode::ForPrep))
        .unwrap();
    let lp = p
        .code
        .iter()
        .position(|i| i.opcode() == Some(OpCode::ForLoop))
        .unwrap();
    assert_eq!(p.code[prep].bx() as usize, lp - prep - 1);
    assert_eq!(p.code[lp].bx() as usize, lp - prep);
    let p = ok("for k, v in pairs(t) do x = v end");
    let prep = p
        .code
        .iter()
        .position(|i| i.opcode() == Some(OpCode::TForPrep))
        .unwrap();
    let call = p
        .code
        .iter()
        .position(|i| i.opcode() == Some(OpCode::TForCall))
        .unwrap();
    assert_eq!(prep + 1 + p.code[prep].bx() as usize, call);
    assert_eq!(p.code[call].c(), 2);
    assert_eq!(p.code[call + 1].opcode(), Some(OpCode::TForLoop));
    assert_eq!(call + 2 - p.code[call + 1].bx() as usize, prep + 1);
}

#[test]
fn setlist_batches() {
    let src = format!("local t = {{{}}}", "1,".repeat(120));
    let p = ok(&src);
    let sets: Vec<(u32, u32)> = p
        .code
        .iter()
        .filter(|i| i.opcode() == Some(OpCode::SetList))
        .map(|i| (i.b(), i.c()))
        .collect();
    assert_eq!(sets, [(50, 0), (50, 50), (20, 100)]);
    let nt = p
        .code
        .iter()
        .find(|i| i.opcode() == Some(OpCode::NewTable))
        .unwrap();
    assert_eq!(nt.c(), 120);
}

#[test]
fn local_debug_info() {
    let p = ok("local a = 1\nlocal b = 2\nreturn a + b");
    let names: Vec<&[u8]> = p.locals.iter().map(|l| &l.name[..]).collect();
    assert_eq!(names, [&b"a"[..], &b"b"[..]]);
    assert!(p.locals[0].start_pc < p.locals[1].start_pc);
    assert_eq!(p.line_info.len(), p.code.len());
    assert_eq!(p.line_info[p.code.len() - 1], 3);
}

#[test]
fn large_constructors_and_constant_tables() {
    let src = format!("local t = {{{}}}", "1,".repeat(300));
    let p = ok(&src);
    let nt = p
        .code
        .iter()
        .position(|i| i.opcode() == Some(OpCode::NewTable))
        .unwrap();
    assert_eq!((p.code[nt].c(), p.code[nt].k()), (300 % 256, true));
    assert_eq!(p.code[nt + 1].ax_field(), 1);
    let last = p
        .code
        .iter()
        .rposition(|i| i.opcode() == Some(OpCode::SetList))
        .unwrap();
    assert_eq!(
        (p.code[last].b(), p.code[last].c(), p.code[last].k()),
        (50, 250, false)
    );
    // more constants than Bx can address: LOADKX + EXTRAARG
    let n = (moonjet_bytecode::instr::MAX_BX as usize) + 10;
    let mut src = String::with_capacity(n * 12);
    for i in 0..n {
        src += &format!("x={i}.5 ");
    }
    let p = ok(&src);
    let kx = p
        .code
        .iter()
        .position(|i| i.opcode() == Some(OpCode::LoadKX))
        .expect("LOADKX used");
    assert_eq!(p.code[kx + 1].opcode(), Some(OpCode::ExtraArg));
    assert!(p.code[kx + 1].ax_field() > moonjet_bytecode::instr::MAX_BX);
}
