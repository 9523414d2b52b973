//! Engines: named command lines that run a Lua file, and how the set of engines
//! and the baseline are chosen from the defaults, the PATH and the options.

use std::env;
use std::path::{Path, PathBuf};

/// Engines added automatically when their command is found on PATH.
const AUTO_ENGINES: &[&str] = &["lua5.4", "luajit"];

/// One Lua engine: a name for the table and the command that runs a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// Column name, e.g. "moonjet-interp".
    pub name: String,
    /// Program and leading arguments; the script path and size are appended.
    pub argv: Vec<String>,
    /// Why the engine cannot run at all (its program was not found), if so.
    pub missing: Option<String>,
}

impl Engine {
    /// An engine from a name and a command, checking that the program exists.
    pub fn new(name: &str, argv: Vec<String>) -> Engine {
        let missing = match argv.first() {
            None => Some("empty command".to_string()),
            Some(p) if find_program(p).is_none() => Some(format!("{p}: not found")),
            Some(_) => None,
        };
        Engine {
            name: name.to_string(),
            argv,
            missing,
        }
    }

    /// The command as one line, for reports.
    pub fn command_line(&self) -> String {
        self.argv.join(" ")
    }
}

/// Split `name=command args...` into a name and an argument vector.
/// The command is split on whitespace (no shell quoting).
pub fn parse_spec(spec: &str) -> Result<(String, Vec<String>), String> {
    let (name, command) = spec
        .split_once('=')
        .ok_or_else(|| format!("--engine {spec:?}: expected NAME=COMMAND"))?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(format!(
            "--engine {spec:?}: the name must be a non-empty word"
        ));
    }
    let argv: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    if argv.is_empty() {
        return Err(format!("--engine {spec:?}: the command is empty"));
    }
    Ok((name.to_string(), argv))
}

/// Where `program` would be run from: itself if it contains a slash, else the
/// first executable of that name in PATH.
pub fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = Path::new(program);
        return is_executable(p).then(|| p.to_path_buf());
    }
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

/// True for an existing regular file with an execute bit.
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// What the options say about engines.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// Path of the moonjet binary.
    pub moonjet: PathBuf,
    /// `--engine NAME=COMMAND` values.
    pub specs: Vec<String>,
    /// `--only NAME` values (empty: keep all).
    pub only: Vec<String>,
    /// `--baseline NAME`.
    pub baseline: Option<String>,
}

/// The engines to run, baseline first, and the baseline's name.
pub fn select(opts: &EngineOptions) -> Result<(Vec<Engine>, String), String> {
    let moonjet = opts.moonjet.to_string_lossy().into_owned();
    let mut engines = vec![
        Engine::new("moonjet-interp", vec![moonjet.clone(), "-joff".into()]),
        Engine::new("moonjet", vec![moonjet]),
    ];
    for name in AUTO_ENGINES {
        if find_program(name).is_some() {
            engines.push(Engine::new(name, vec![name.to_string()]));
        }
    }
    for spec in &opts.specs {
        let (name, argv) = parse_spec(spec)?;
        let engine = Engine::new(&name, argv);
        match engines.iter_mut().find(|e| e.name == name) {
            Some(slot) => *slot = engine,
            None => engines.push(engine),
        }
    }
    if !opts.only.is_empty() {
        if let Some(unknown) = opts
            .only
            .iter()
            .find(|n| !engines.iter().any(|e| &e.name == *n))
        {
            return Err(format!(
                "--only {unknown}: no such engine (have: {})",
                names(&engines)
            ));
        }
        engines.retain(|e| opts.only.contains(&e.name));
    }
    let baseline = choose_baseline(&engines, opts.baseline.as_deref())?;
    if let Some(pos) = engines.iter().position(|e| e.name == baseline) {
        let b = engines.remove(pos);
        engines.insert(0, b);
    }
    Ok((engines, baseline))
}

/// The baseline: the requested one, else lua5.4 if usable, else moonjet-interp, else the first.
fn choose_baseline(engines: &[Engine], requested: Option<&str>) -> Result<String, String> {
    if let Some(name) = requested {
        return if engines.iter().any(|e| e.name == name) {
            Ok(name.to_string())
        } else {
            Err(format!(
                "--baseline {name}: no such engine (have: {})",
                names(engines)
            ))
        };
    }
    let usable = |n: &str| engines.iter().any(|e| e.name == n && e.missing.is_none());
    let present = |n: &str| engines.iter().any(|e| e.name == n);
    let pick = if usable("lua5.4") {
        "lua5.4"
    } else if present("moonjet-interp") {
        "moonjet-interp"
    } else {
        engines
            .first()
            .map(|e| e.name.as_str())
            .ok_or("no engines selected")?
    };
    Ok(pick.to_string())
}

/// The engine names, comma-separated.
fn names(engines: &[Engine]) -> String {
    engines
        .iter()
        .map(|e| e.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options with a moonjet path that does not exist.
    fn opts() -> EngineOptions {
        EngineOptions {
            moonjet: PathBuf::from("/nonexistent/moonjet"),
            ..Default::default()
        }
    }

    #[test]
    fn parse_spec_splits_name_and_command() {
        let (n, a) = parse_spec("jit=luajit -O3 -joff").unwrap();
        assert_eq!(n, "jit");
        assert_eq!(a, vec!["luajit", "-O3", "-joff"]);
        assert!(parse_spec("nocommand").is_err());
        assert!(parse_spec("=lua").is_err());
        assert!(parse_spec("x=  ").is_err());
        assert!(parse_spec("a b=lua").is_err());
    }

    #[test]
    fn missing_binaries_are_marked() {
        let e = Engine::new("x", vec!["/nonexistent/engine".into()]);
        assert_eq!(e.missing.as_deref(), Some("/nonexistent/engine: not found"));
        let e = Engine::new("sh", vec!["sh".into(), "-c".into()]);
        assert_eq!(e.missing, None);
        assert_eq!(e.command_line(), "sh -c");
    }

    #[test]
    fn defaults_include_moonjet_even_when_missing() {
        let (engines, _) = select(&opts()).unwrap();
        assert_eq!(
            engines
                .iter()
                .filter(|e| e.name.starts_with("moonjet"))
                .count(),
            2
        );
        let interp = engines.iter().find(|e| e.name == "moonjet-interp").unwrap();
        assert_eq!(interp.argv, vec!["/nonexistent/moonjet", "-joff"]);
        assert!(interp.missing.is_some());
    }

    #[test]
    fn explicit_engines_replace_and_baseline_goes_first() {
        let o = EngineOptions {
            specs: vec!["moonjet=sh".into(), "extra=true".into()],
            only: vec!["moonjet".into(), "extra".into()],
            baseline: Some("extra".into()),
            ..opts()
        };
        let (engines, baseline) = select(&o).unwrap();
        assert_eq!(baseline, "extra");
        let names: Vec<_> = engines.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["extra", "moonjet"]);
        assert_eq!(engines[1].argv, vec!["sh"]);
    }

    #[test]
    fn default_baseline_falls_back_to_interp() {
        let o = EngineOptions {
            only: vec!["moonjet-interp".into(), "moonjet".into()],
            ..opts()
        };
        assert_eq!(select(&o).unwrap().1, "moonjet-interp");
        let o = EngineOptions {
            specs: vec!["lua5.4=sh".into()],
            ..opts()
        };
        assert_eq!(select(&o).unwrap().1, "lua5.4");
    }

    #[test]
    fn unknown_names_are_errors() {
        let o = EngineOptions {
            only: vec!["nope".into()],
            ..opts()
        };
        assert!(select(&o).unwrap_err().contains("--only nope"));
        let o = EngineOptions {
            baseline: Some("nope".into()),
            ..opts()
        };
        assert!(select(&o).unwrap_err().contains("--baseline nope"));
    }
}
