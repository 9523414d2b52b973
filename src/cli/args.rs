//! Parsing the command line (`lua.c`'s `collectargs`, plus `-j`, `-O` and `-b`).

/// Something `-e`, `-l` or `-W` asks for, run in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `-e stat`
    Exec(Vec<u8>),
    /// `-l mod` or `-l g=mod`
    Require(Vec<u8>),
    /// `-W`
    Warnings,
}

/// An option that ends the program before any Lua runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Early {
    /// `-b`: save or list bytecode.
    Bytecode(BcOptions),
}

/// Where `-b` reads its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BcInput {
    /// A file (source or binary chunk).
    File(Vec<u8>),
    /// `-`: standard input.
    Stdin,
    /// `-e chunk`: the given source text.
    Text(Vec<u8>),
}

/// The `-b` options (LuaJIT's: `-b[options] input [output]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BcOptions {
    /// `-l`: list instead of saving.
    pub list: bool,
    /// Leave debug info out (`-s`, the default) or keep it (`-g`).
    pub strip: bool,
    /// The input.
    pub input: BcInput,
    /// The output file (`-` or none: standard output; required when saving).
    pub output: Option<Vec<u8>>,
}

/// Usage of `-b`, printed after a `-b` error.
pub const BC_USAGE: &str = "usage: moonjet -b[options] input output\n  \
     -l        Only list bytecode (input may be a source or a chunk; output optional).\n  \
     -s        Strip debug info (default).\n  \
     -g        Keep debug info.\n  \
     -e chunk  Use chunk string as input.\n  \
     --        Stop handling options.\n  \
     -         Use stdin as input and/or stdout as output.";

/// Parses what follows `-b`: `glued` is the rest of the `-b` word (`l` in `-bl`), `rest`
/// the following words.
pub fn parse_bytecode(glued: &[u8], rest: &[Vec<u8>]) -> Result<BcOptions, ParseError> {
    let mut o = BcOptions {
        list: false,
        strip: true,
        input: BcInput::Stdin,
        output: None,
    };
    let mut flags: Vec<u8> = glued.to_vec();
    let mut files: Vec<Vec<u8>> = Vec::new();
    let mut text: Option<Vec<u8>> = None;
    let mut words = rest.iter();
    let mut options_done = false;
    loop {
        for f in flags.drain(..) {
            match f {
                b'l' => o.list = true,
                b's' => o.strip = true,
                b'g' => o.strip = false,
                b'e' => {
                    let t = words.next().ok_or_else(|| bc_error("-e needs argument"))?;
                    text = Some(t.clone());
                }
                _ => return Err(bc_error(&format!("unknown -b option '-{}'", char::from(f)))),
            }
        }
        let Some(w) = words.next() else { break };
        match &w[..] {
            b"--" if !options_done => options_done = true,
            [b'-', opts @ ..] if !options_done && !opts.is_empty() => flags = opts.to_vec(),
            _ => files.push(w.clone()),
        }
    }
    let mut files = files.into_iter();
    o.input = match text {
        Some(t) => BcInput::Text(t),
        None => match files.next() {
            Some(f) if f == b"-" => BcInput::Stdin,
            Some(f) => BcInput::File(f),
            None => return Err(bc_error("-b needs an input")),
        },
    };
    o.output = files.next();
    if files.next().is_some() {
        return Err(bc_error("too many arguments to -b"));
    }
    if o.output.is_none() && !o.list {
        return Err(bc_error("-b needs an output file (or -l)"));
    }
    Ok(o)
}

/// A `-b` usage error.
fn bc_error(msg: &str) -> ParseError {
    ParseError::Other(format!("{msg}\n{BC_USAGE}"))
}

/// The parsed command line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options {
    /// `-v` (or `-i`, which implies it).
    pub version: bool,
    /// `-i`
    pub interactive: bool,
    /// `-E`
    pub ignore_env: bool,
    /// Some `-e` was given.
    pub has_e: bool,
    /// `-e`, `-l`, `-W` in order.
    pub actions: Vec<Action>,
    /// Index in argv of the script (`-` for stdin), if any.
    pub script: Option<usize>,
    /// `-jon` / `-joff` (true = JIT on).
    pub jit: Option<bool>,
    /// `-jv`: report compiles, give-ups and hot exits on stderr.
    pub jit_verbose: bool,
    /// `-jdump`: bytecode, Cranelift IR and machine code of each compiled function.
    pub jit_dump: bool,
    /// `-jstats`: a summary of the JIT's work on exit (stderr).
    pub jit_stats: bool,
    /// `-jflush`: drop compiled code (before anything runs).
    pub jit_flush: bool,
    /// `-Ohotcall=N`.
    pub hotcall: Option<u32>,
    /// `-Ohotloop=N`.
    pub hotloop: Option<u32>,
    /// `-Omaxmcode=N`: KiB of machine code per generation (CODE-CACHE).
    pub maxmcode: Option<u32>,
    /// `-Onativestack=N`: KiB of Rust stack nested compiled calls may use (NATIVE-STACK).
    pub nativestack: Option<u32>,
    /// A `-b` option.
    pub early_exit: Option<Early>,
}

/// Why the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// `-e` or `-l` without its argument.
    NeedsArgument(String),
    /// An unknown option (usage follows).
    Unrecognized(String),
    /// A refused `-j`/`-O` option (no usage).
    Other(String),
}

/// Text of an argument for messages.
fn text(a: &[u8]) -> String {
    String::from_utf8_lossy(a).into_owned()
}

/// Parses `argv` (argv[0] is the program).
pub fn parse(argv: &[Vec<u8>]) -> Result<Options, ParseError> {
    let mut o = Options::default();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i][..];
        if a.first() != Some(&b'-') {
            o.script = Some(i);
            break;
        }
        match a {
            b"--" => {
                if i + 1 < argv.len() {
                    o.script = Some(i + 1);
                }
                break;
            }
            b"-" => {
                o.script = Some(i);
                break;
            }
            b"-E" => o.ignore_env = true,
            b"-W" => o.actions.push(Action::Warnings),
            b"-i" => {
                o.interactive = true;
                o.version = true;
            }
            b"-v" => o.version = true,
            _ if a.starts_with(b"-e") || a.starts_with(b"-l") => {
                let arg = option_argument(argv, &mut i, 2)
                    .ok_or_else(|| ParseError::NeedsArgument(text(&a[..2])))?;
                if a[1] == b'e' {
                    o.has_e = true;
                    o.actions.push(Action::Exec(arg));
                } else {
                    o.actions.push(Action::Require(arg));
                }
            }
            _ if a.starts_with(b"-j") => {
                let arg = option_argument(argv, &mut i, 2)
                    .ok_or_else(|| ParseError::Other(String::from("-j needs argument")))?;
                match &arg[..] {
                    b"on" => o.jit = Some(true),
                    b"off" => o.jit = Some(false),
                    b"v" => o.jit_verbose = true,
                    b"dump" => o.jit_dump = true,
                    b"stats" => o.jit_stats = true,
                    b"flush" => o.jit_flush = true,
                    other => {
                        return Err(ParseError::Other(format!(
                            "unknown -j option '{}'",
                            text(other)
                        )))
                    }
                }
            }
            _ if a.starts_with(b"-O") => check_opt_level(&a[2..], &mut o)?,
            _ if a.starts_with(b"-b") => {
                let bc = parse_bytecode(&a[2..], &argv[i + 1..])?;
                o.early_exit = Some(Early::Bytecode(bc));
                return Ok(o);
            }
            _ => return Err(ParseError::Unrecognized(text(a))),
        }
        i += 1;
    }
    Ok(o)
}

/// The argument of an option: glued (`-estat`) or the next word (`-e stat`), which must
/// not start with `-`.
fn option_argument(argv: &[Vec<u8>], i: &mut usize, prefix: usize) -> Option<Vec<u8>> {
    let a = &argv[*i];
    if a.len() > prefix {
        return Some(a[prefix..].to_vec());
    }
    *i += 1;
    argv.get(*i).filter(|n| n.first() != Some(&b'-')).cloned()
}

/// Accepts `-O`, `-O0`..`-O3` (no effect), `-Ohotcall=N`, `-Ohotloop=N`,
/// `-Omaxmcode=N` and `-Onativestack=N`.
fn check_opt_level(rest: &[u8], o: &mut Options) -> Result<(), ParseError> {
    if matches!(rest, b"" | b"0" | b"1" | b"2" | b"3") {
        return Ok(());
    }
    let (name, value) = match rest.iter().position(|&c| c == b'=') {
        Some(p) => (&rest[..p], &rest[p + 1..]),
        None => (rest, &b""[..]),
    };
    let n = std::str::from_utf8(value)
        .ok()
        .filter(|v| v.bytes().all(|c| c.is_ascii_digit()));
    match (name, n.and_then(|v| v.parse::<u32>().ok())) {
        (b"hotcall", Some(n)) => o.hotcall = Some(n),
        (b"hotloop", Some(n)) => o.hotloop = Some(n),
        (b"maxmcode", Some(n)) => o.maxmcode = Some(n),
        (b"nativestack", Some(n)) => o.nativestack = Some(n),
        _ => {
            return Err(ParseError::Other(format!(
                "unknown -O option '-O{}'",
                text(rest)
            )))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Options, ParseError> {
        let mut v: Vec<Vec<u8>> = vec![b"moonjet".to_vec()];
        v.extend(args.iter().map(|a| a.as_bytes().to_vec()));
        parse(&v)
    }

    #[test]
    fn options() {
        let o = p(&["-e", "x=1", "-lfoo", "-W", "s.lua", "-v"]).unwrap();
        assert_eq!(
            o.actions,
            [
                Action::Exec(b"x=1".to_vec()),
                Action::Require(b"foo".to_vec()),
                Action::Warnings
            ]
        );
        assert_eq!(o.script, Some(5));
        assert!(!o.version);
        assert_eq!(p(&["--", "-x"]).unwrap().script, Some(2));
        assert_eq!(p(&["-"]).unwrap().script, Some(1));
        assert!(p(&["-i"]).unwrap().version);
        assert_eq!(p(&["-e"]), Err(ParseError::NeedsArgument("-e".into())));
        assert_eq!(
            p(&["-e", "-x"]),
            Err(ParseError::NeedsArgument("-e".into()))
        );
        assert_eq!(p(&["-x"]), Err(ParseError::Unrecognized("-x".into())));
        assert_eq!(p(&["-Ex"]), Err(ParseError::Unrecognized("-Ex".into())));
        assert_eq!(p(&["-joff"]).unwrap().jit, Some(false));
        let o = p(&["-Ohotcall=1", "-Ohotloop=7", "-jv"]).unwrap();
        assert_eq!(
            (o.hotcall, o.hotloop, o.jit_verbose),
            (Some(1), Some(7), true)
        );
        let o = p(&["-jdump", "-jstats", "-jflush"]).unwrap();
        assert!(o.jit_dump && o.jit_stats && o.jit_flush);
        assert!(p(&["-jbogus"]).is_err());
        assert!(p(&["-Ohotcall=x"]).is_err());
        assert_eq!(p(&["-Omaxmcode=512"]).unwrap().maxmcode, Some(512));
        assert!(p(&["-Omaxmcode=-1"]).is_err());
        assert_eq!(p(&["-Onativestack=64"]).unwrap().nativestack, Some(64));
        assert!(p(&["-Onativestack=x"]).is_err());
        assert!(p(&["-Ofoo"]).is_err());
    }

    /// The `-b` options of a command line.
    fn bc(args: &[&str]) -> Result<BcOptions, ParseError> {
        match p(args)?.early_exit {
            Some(Early::Bytecode(o)) => Ok(o),
            None => panic!("no -b"),
        }
    }

    #[test]
    fn bytecode_options() {
        let o = bc(&["-bl", "f.lua"]).unwrap();
        assert!(o.list && o.output.is_none());
        assert_eq!(o.input, BcInput::File(b"f.lua".to_vec()));
        let o = bc(&["-b", "f.lua", "f.mjc"]).unwrap();
        assert!(!o.list && o.strip);
        assert_eq!(o.output.as_deref(), Some(&b"f.mjc"[..]));
        assert!(!bc(&["-bg", "f.lua", "o"]).unwrap().strip);
        assert!(!bc(&["-b", "-s", "-g", "f.lua", "o"]).unwrap().strip);
        assert!(bc(&["-b", "-g", "-s", "f.lua", "o"]).unwrap().strip);
        assert!(bc(&["-b", "-lg", "f.lua"]).unwrap().list);
        assert_eq!(
            bc(&["-b", "-e", "x=1", "o"]).unwrap().input,
            BcInput::Text(b"x=1".to_vec())
        );
        assert_eq!(bc(&["-b", "-", "-"]).unwrap().input, BcInput::Stdin);
        assert_eq!(
            bc(&["-b", "--", "-x.lua", "o"]).unwrap().input,
            BcInput::File(b"-x.lua".to_vec())
        );
        assert!(bc(&["-b", "f.lua"]).is_err());
        assert!(bc(&["-b"]).is_err());
        assert!(bc(&["-bx", "f.lua", "o"]).is_err());
        assert!(bc(&["-b", "-e"]).is_err());
        assert!(bc(&["-b", "a", "b", "c"]).is_err());
    }
}
