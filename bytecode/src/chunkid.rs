//! Chunk names as shown in messages (`short_src`): the rules `lua5.4` uses to turn a chunk
//! name into the `source:line:` prefix of compile and runtime errors.
//!
//! * `@file.lua` is a file name: shown as is, or as `...` plus its tail when too long;
//! * `=name` is shown literally (truncated to fit);
//! * anything else is the source text itself: `[string "first line..."]`.

use alloc::string::String;
use alloc::vec::Vec;

/// Size of the buffer Lua formats the short source into, terminating NUL included.
pub const LUA_IDSIZE: usize = 60;

/// Marker for elided text.
const RETS: &[u8] = b"...";
/// Opening of a string-source name.
const PRE: &[u8] = b"[string \"";
/// Closing of a string-source name.
const POS: &[u8] = b"\"]";

/// Formats `chunkname` the way `lua5.4` shows it in messages.
pub fn short_src(chunkname: &[u8]) -> String {
    let bytes = short_src_bytes(chunkname);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The bytes of [`short_src`] (the name may hold bytes that are not UTF-8).
pub fn short_src_bytes(chunkname: &[u8]) -> Vec<u8> {
    let room = LUA_IDSIZE - 1; // room for the text (a NUL ends it in C)
    let mut out = Vec::with_capacity(LUA_IDSIZE);
    match chunkname.split_first() {
        Some((b'=', rest)) => out.extend_from_slice(&rest[..rest.len().min(room)]),
        Some((b'@', rest)) => {
            if rest.len() <= room {
                out.extend_from_slice(rest);
            } else {
                let keep = room - RETS.len();
                out.extend_from_slice(RETS);
                out.extend_from_slice(&rest[rest.len() - keep..]);
            }
        }
        _ => string_source(chunkname, &mut out),
    }
    out
}

/// `[string "..."]` for a chunk whose name is its source text: first line only, truncated.
fn string_source(src: &[u8], out: &mut Vec<u8>) {
    let room = LUA_IDSIZE - (PRE.len() + RETS.len() + POS.len()) - 1;
    let newline = src.iter().position(|&c| c == b'\n');
    out.extend_from_slice(PRE);
    if src.len() < room && newline.is_none() {
        out.extend_from_slice(src);
    } else {
        let len = newline.unwrap_or(src.len()).min(room);
        out.extend_from_slice(&src[..len]);
        out.extend_from_slice(RETS);
    }
    out.extend_from_slice(POS);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn file_names() {
        assert_eq!(short_src(b"@foo.lua"), "foo.lua");
        let name = format!("@{}", "d".repeat(59));
        assert_eq!(short_src(name.as_bytes()), "d".repeat(59));
        let name = format!("@a{}", "d".repeat(59));
        assert_eq!(short_src(name.as_bytes()), format!("...{}", "d".repeat(56)));
        assert_eq!(short_src(b"@"), "");
    }

    #[test]
    fn literal_names() {
        assert_eq!(short_src(b"=stdin"), "stdin");
        let name = format!("={}", "e".repeat(61));
        assert_eq!(short_src(name.as_bytes()), "e".repeat(59));
    }

    #[test]
    fn string_sources() {
        assert_eq!(short_src(b"x = 1"), "[string \"x = 1\"]");
        assert_eq!(short_src(b""), "[string \"\"]");
        assert_eq!(short_src(b"abc\ndef"), "[string \"abc...\"]");
        assert_eq!(short_src(b"\nabc"), "[string \"...\"]");
        let s = "c".repeat(44);
        assert_eq!(short_src(s.as_bytes()), format!("[string \"{s}\"]"));
        let s = "c".repeat(45);
        assert_eq!(short_src(s.as_bytes()), format!("[string \"{s}...\"]"));
        let s = "c".repeat(100);
        assert_eq!(
            short_src(s.as_bytes()),
            format!("[string \"{}...\"]", "c".repeat(45))
        );
    }
}
