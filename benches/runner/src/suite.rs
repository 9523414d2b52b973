//! The benchmark programs: `*.lua` files in the suite directory and the facts
//! their header comments declare.
//!
//! Header lines (in the leading block of `--` comments) the runner reads:
//! `-- quick: N` (the size used by `--quick`), `-- expect: LINE` (the expected
//! stdout at the default size; repeat for several lines) and `-- expect-quick: LINE`
//! (the same at the quick size) and `-- groups: NAME...` (the summary groups the
//! program counts in, e.g. `core`: the six compute categories).

use std::fs;
use std::path::{Path, PathBuf};

/// One benchmark program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// File name without `.lua`.
    pub name: String,
    /// Path of the file.
    pub path: PathBuf,
    /// What the header says.
    pub header: Header,
}

/// The facts a program's header comment declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// The size argument for `--quick`.
    pub quick: Option<String>,
    /// Expected stdout at the default size.
    pub expect: Option<String>,
    /// Expected stdout at the quick size.
    pub expect_quick: Option<String>,
    /// Summary groups the program belongs to (each gets a geomean row).
    pub groups: Vec<String>,
}

impl Program {
    /// The size argument to pass (none means the program's default size).
    pub fn size(&self, quick: bool) -> Option<&str> {
        if quick {
            self.header.quick.as_deref()
        } else {
            None
        }
    }

    /// The expected stdout for this mode, if the header declares it.
    pub fn expected(&self, quick: bool) -> Option<&str> {
        if quick {
            self.header.expect_quick.as_deref()
        } else {
            self.header.expect.as_deref()
        }
    }
}

/// Read the header facts from the leading comment block of a Lua source.
pub fn parse_header(source: &str) -> Header {
    let mut header = Header::default();
    let comments = source
        .lines()
        .take_while(|l| l.starts_with("--") || l.starts_with("#!"));
    for line in comments {
        let Some((key, value)) = line.trim_start_matches('-').trim().split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "quick" if !value.is_empty() => header.quick = Some(value.to_string()),
            "expect" => append_line(&mut header.expect, value),
            "expect-quick" => append_line(&mut header.expect_quick, value),
            "groups" => header.groups.extend(
                value
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|g| !g.is_empty())
                    .map(str::to_string),
            ),
            _ => {}
        }
    }
    header
}

/// Append one expected output line (with its newline) to `slot`.
fn append_line(slot: &mut Option<String>, line: &str) {
    let text = slot.get_or_insert_with(String::new);
    text.push_str(line);
    text.push('\n');
}

/// The programs in `dir`, sorted by name; `filter` (names) keeps only those.
pub fn load(dir: &Path, filter: &[String]) -> Result<Vec<Program>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut programs = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let Some(name) = lua_stem(&path) else {
            continue;
        };
        let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        programs.push(Program {
            name,
            path,
            header: parse_header(&source),
        });
    }
    programs.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(unknown) = filter
        .iter()
        .find(|f| !programs.iter().any(|p| &p.name == *f))
    {
        let have: Vec<_> = programs.iter().map(|p| p.name.as_str()).collect();
        return Err(format!(
            "no program named {unknown:?} (have: {})",
            have.join(", ")
        ));
    }
    if !filter.is_empty() {
        programs.retain(|p| filter.contains(&p.name));
    }
    if programs.is_empty() {
        return Err(format!("no .lua programs in {}", dir.display()));
    }
    Ok(programs)
}

/// The file stem of a `.lua` file, else None.
fn lua_stem(path: &Path) -> Option<String> {
    if path.extension()? != "lua" || !path.is_file() {
        return None;
    }
    Some(path.file_stem()?.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_parsed() {
        let src = "-- fib: recursion\n-- quick: 20\n-- expect: fib(30) = 832040\n\
                   -- expect: second line\n-- expect-quick: fib(20) = 6765\n\
                   -- groups: core, calls lib\nlocal n = 1\n-- quick: 99\n";
        let h = parse_header(src);
        assert_eq!(h.quick.as_deref(), Some("20"));
        assert_eq!(h.expect.as_deref(), Some("fib(30) = 832040\nsecond line\n"));
        assert_eq!(h.expect_quick.as_deref(), Some("fib(20) = 6765\n"));
        assert_eq!(h.groups, ["core", "calls", "lib"]);
    }

    #[test]
    fn empty_header() {
        assert_eq!(parse_header("print(1)\n"), Header::default());
    }

    #[test]
    fn size_and_expectation_follow_the_mode() {
        let p = Program {
            name: "x".into(),
            path: PathBuf::from("x.lua"),
            header: Header {
                quick: Some("5".into()),
                expect: Some("a\n".into()),
                expect_quick: None,
                groups: Vec::new(),
            },
        };
        assert_eq!(p.size(true), Some("5"));
        assert_eq!(p.size(false), None);
        assert_eq!(p.expected(false), Some("a\n"));
        assert_eq!(p.expected(true), None);
    }

    #[test]
    fn the_shipped_suite_is_complete() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let programs = load(&dir, &[]).expect("suite loads");
        assert!(programs.len() >= 14, "at least 14 programs");
        for p in &programs {
            assert!(p.header.quick.is_some(), "{} has no quick size", p.name);
            assert!(
                p.header.expect.is_some(),
                "{} has no expected output",
                p.name
            );
            assert!(
                p.header.expect_quick.is_some(),
                "{} has no quick expected output",
                p.name
            );
        }
        assert!(load(&dir, &["nope".into()]).unwrap_err().contains("nope"));
        assert_eq!(load(&dir, &["fib".into()]).unwrap().len(), 1);
    }
}
