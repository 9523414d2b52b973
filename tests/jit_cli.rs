//! The JIT through the command line: native calls under deep recursion (the Rust stack
//! stays bounded), the "stack overflow" error, and the `-jstats` / `-jdump` / `-jv`
//! reports.

use std::process::Command;

/// Runs `moonjet ARGS -e CODE`; (status ok, stdout, stderr).
fn run(args: &[&str], code: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_moonjet"))
        .args(args)
        .args(["-e", code])
        .output()
        .expect("moonjet runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn deep_recursion_and_stack_overflow_with_every_function_compiled() {
    let code = "local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end
                local function inf(n) return 1 + inf(n + 1) end
                local ok, e = pcall(inf, 1)
                print(d(190000), ok, e)";
    let hot = ["-Ohotcall=1", "-Ohotloop=1"];
    let (ok, out, err) = run(&hot, code);
    assert!(ok, "{err}");
    let (_, want, _) = run(&["-joff"], code);
    assert_eq!(out, want);
    assert!(
        out.starts_with("190000\tfalse\t") && out.contains("stack overflow"),
        "{out}"
    );
}

#[test]
fn stats_dump_and_verbose_reports() {
    let code = "local function f(x) return x * 2 end
                local s = 0
                for i = 1, 300 do s = s + f(i) end
                print(s)";
    let (ok, out, err) = run(&["-jstats", "-Ohotcall=1"], code);
    assert!(ok && out == "90300\n", "{out}{err}");
    assert!(
        err.contains("compiled") && err.contains("native calls"),
        "{err}"
    );
    let (_, _, err) = run(&["-jdump", "-Ohotcall=1"], code);
    for part in [
        "jit dump: bytecode",
        "jit dump: Cranelift IR",
        "jit dump: machine code",
    ] {
        assert!(err.contains(part), "{part} missing from:\n{err}");
    }
    let (_, _, err) = run(&["-jv", "-Ohotcall=1"], code);
    assert!(err.contains("[jit] compiled"), "{err}");
    let (ok, _, err) = run(&["-jbogus"], code);
    assert!(!ok && err.contains("unknown -j option"), "{err}");
}
