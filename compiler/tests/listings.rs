//! Golden listings: every `tests/listings/*.lua` is compiled and listed, and the listing is
//! compared with the `.expected` file beside it. `MOONJET_BLESS=1` rewrites the expected files.

use std::fs;
use std::path::PathBuf;

/// The directory of the golden files.
fn listings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/listings")
}

/// The listing of one source file (or its compile error).
fn listing_of(name: &str, src: &[u8]) -> String {
    let chunkname = format!("@{name}");
    match moonjet_compiler::compile(src, chunkname.as_bytes()) {
        Ok(p) => {
            let mut out = String::new();
            moonjet_bytecode::listing::list(&p, &mut out);
            out
        }
        Err(e) => format!("error: {}\n", e.message),
    }
}

#[test]
fn golden_listings() {
    let bless = std::env::var_os("MOONJET_BLESS").is_some_and(|v| v == "1");
    let mut entries: Vec<PathBuf> = fs::read_dir(listings_dir())
        .expect("tests/listings exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "lua"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "no golden programs found");
    let mut failures = Vec::new();
    for path in &entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let src = fs::read(path).unwrap();
        let got = listing_of(&name, &src);
        let expected_path = path.with_extension("expected");
        if bless {
            fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let want = fs::read_to_string(&expected_path).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{name}: listing differs from {}\n--- got:\n{got}",
                expected_path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden listing(s) differ (MOONJET_BLESS=1 to update):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
