//! Lua patterns (manual §6.4.1): a backtracking matcher over bytes.
//!
//! Single-item repetitions (`*`, `+`, `-`, `?`) and plain items loop instead of recursing per
//! subject byte; recursion happens only per pattern item (captures, repetitions followed by
//! more pattern) and is bounded by a depth counter that raises "pattern too complex".

use alloc::format;
use alloc::string::String;

/// Most captures one pattern may open.
pub const MAX_CAPTURES: usize = 32;

/// Deepest nesting of matcher calls before "pattern too complex".
const MAX_MATCH_DEPTH: u32 = 200;

/// The escape character of patterns.
const ESC: u8 = b'%';

/// The characters that make a pattern more than a plain substring.
const SPECIALS: &[u8] = b"^$*+?.([%-";

/// Length state of one capture slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CapLen {
    /// Opened by `(` and not yet closed.
    Unfinished,
    /// A position capture `()`.
    Position,
    /// A closed capture of this many bytes.
    Len(usize),
}

/// A capture's value once a match succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// Bytes `start..end` of the subject.
    Span(usize, usize),
    /// A position capture: the 1-based subject position.
    Position(usize),
}

/// Matcher state for one subject and one pattern.
pub struct Matcher<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    depth: u32,
    level: usize,
    caps: [(usize, CapLen); MAX_CAPTURES],
}

/// A malformed pattern or a matcher limit, found while matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PatError {
    /// "malformed pattern (ends with '%')"
    EndsWithPercent,
    /// "malformed pattern (missing ']')"
    MissingBracket,
    /// "malformed pattern (missing arguments to '%b')"
    MissingBalanceArgs,
    /// "missing '[' after '%f' in pattern"
    FrontierBracket,
    /// "pattern too complex"
    TooComplex,
    /// "too many captures"
    TooManyCaptures,
    /// "invalid pattern capture"
    InvalidCapture,
    /// "invalid capture index %n"
    CaptureIndex(u8),
}

impl PatError {
    /// The message `lua5.4` raises.
    fn message(self) -> String {
        String::from(match self {
            PatError::EndsWithPercent => "malformed pattern (ends with '%')",
            PatError::MissingBracket => "malformed pattern (missing ']')",
            PatError::MissingBalanceArgs => "malformed pattern (missing arguments to '%b')",
            PatError::FrontierBracket => "missing '[' after '%f' in pattern",
            PatError::TooComplex => "pattern too complex",
            PatError::TooManyCaptures => "too many captures",
            PatError::InvalidCapture => "invalid pattern capture",
            PatError::CaptureIndex(n) => return format!("invalid capture index %{n}"),
        })
    }
}

/// Result of matching: the end of the match, `NO_MATCH`, or an error. (A plain `usize`
/// rather than an `Option` keeps the result in two registers through the recursion.)
type MResult = Result<usize, PatError>;

/// The "did not match" end.
const NO_MATCH: usize = usize::MAX;

/// True if `pat` has no magic characters (so `find` may search for it literally).
pub fn is_plain(pat: &[u8]) -> bool {
    !pat.iter().any(|c| SPECIALS.contains(c))
}

/// Position of the first occurrence of `needle` in `hay` at or after `from`.
pub fn find_plain(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return (from <= hay.len()).then_some(from);
    }
    let first = needle[0];
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last_start {
        let off = hay.get(i..=last_start)?.iter().position(|&c| c == first)?;
        i += off;
        if hay.get(i..i + needle.len()) == Some(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Character classes
// ---------------------------------------------------------------------------------------------

/// Class bits of one byte in `CLASS_TABLE`.
const ALPHA: u16 = 1;
/// Control characters.
const CNTRL: u16 = 1 << 1;
/// Decimal digits.
const DIGIT: u16 = 1 << 2;
/// Printable characters except space.
const GRAPH: u16 = 1 << 3;
/// Lower-case letters.
const LOWER: u16 = 1 << 4;
/// Punctuation.
const PUNCT: u16 = 1 << 5;
/// White space.
const SPACE: u16 = 1 << 6;
/// Upper-case letters.
const UPPER: u16 = 1 << 7;
/// Letters and digits.
const ALNUM: u16 = 1 << 8;
/// Hexadecimal digits.
const XDIGIT: u16 = 1 << 9;
/// The zero byte (`%z`).
const ZERO: u16 = 1 << 10;
/// In `CLASS_OF`: the class is the complement (an upper-case class letter).
const NEGATE: u16 = 1 << 15;

/// The C-locale classes of every byte.
const CLASS_TABLE: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut k = 0;
        if c.is_ascii_alphabetic() {
            k |= ALPHA;
        }
        if c.is_ascii_control() {
            k |= CNTRL;
        }
        if c.is_ascii_digit() {
            k |= DIGIT;
        }
        if c.is_ascii_graphic() {
            k |= GRAPH;
        }
        if c.is_ascii_lowercase() {
            k |= LOWER;
        }
        if c.is_ascii_graphic() && !c.is_ascii_alphanumeric() {
            k |= PUNCT;
        }
        if matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            k |= SPACE;
        }
        if c.is_ascii_uppercase() {
            k |= UPPER;
        }
        if c.is_ascii_alphanumeric() {
            k |= ALNUM;
        }
        if c.is_ascii_hexdigit() {
            k |= XDIGIT;
        }
        if c == 0 {
            k |= ZERO;
        }
        t[i] = k;
        i += 1;
    }
    t
};

/// For each class letter after `%` (`a`, `d`, `S`, ...): its bit in `CLASS_TABLE`, with
/// `NEGATE` for the upper-case complements; 0 for letters that match themselves.
const CLASS_OF: [u16; 256] = {
    let mut t = [0u16; 256];
    let letters: [(u8, u16); 11] = [
        (b'a', ALPHA),
        (b'c', CNTRL),
        (b'd', DIGIT),
        (b'g', GRAPH),
        (b'l', LOWER),
        (b'p', PUNCT),
        (b's', SPACE),
        (b'u', UPPER),
        (b'w', ALNUM),
        (b'x', XDIGIT),
        (b'z', ZERO),
    ];
    let mut i = 0;
    while i < letters.len() {
        let (c, bit) = letters[i];
        t[c as usize] = bit;
        t[c.to_ascii_uppercase() as usize] = bit | NEGATE;
        i += 1;
    }
    t
};

/// Does `c` belong to the class letter `cl` (`a`, `d`, `S`, ..., and the deprecated `z`,
/// the zero byte)? Other letters match themselves.
#[inline]
pub fn match_class(c: u8, cl: u8) -> bool {
    let k = CLASS_OF[usize::from(cl)];
    if k == 0 {
        return cl == c;
    }
    ((CLASS_TABLE[usize::from(c)] & k) != 0) != (k & NEGATE != 0)
}

impl<'a> Matcher<'a> {
    /// A matcher of `pat` against `src`.
    pub fn new(src: &'a [u8], pat: &'a [u8]) -> Self {
        Matcher {
            src,
            pat,
            depth: MAX_MATCH_DEPTH,
            level: 0,
            caps: [(0, CapLen::Unfinished); MAX_CAPTURES],
        }
    }

    /// Tries to match pattern bytes `p..` at subject position `s` (captures reset first).
    /// Returns the end of the match.
    pub fn match_at(&mut self, s: usize, p: usize) -> Result<Option<usize>, String> {
        self.level = 0;
        self.depth = MAX_MATCH_DEPTH;
        match self.do_match(s, p) {
            Ok(NO_MATCH) => Ok(None),
            Ok(e) => Ok(Some(e)),
            Err(e) => Err(e.message()),
        }
    }

    /// Number of captures the last successful match produced.
    pub fn capture_count(&self) -> usize {
        self.level
    }

    /// Capture `i` (0-based) of a match `s..e`; capture 0 is the whole match when the
    /// pattern has no captures.
    pub fn capture(&self, i: usize, s: usize, e: usize) -> Result<Capture, String> {
        if i >= self.level {
            if i == 0 {
                return Ok(Capture::Span(s, e));
            }
            return Err(format!("invalid capture index %{}", i + 1));
        }
        let (start, len) = self.caps[i];
        match len {
            CapLen::Unfinished => Err(String::from("unfinished capture")),
            CapLen::Position => Ok(Capture::Position(start + 1)),
            CapLen::Len(n) => Ok(Capture::Span(start, start + n)),
        }
    }

    /// A class `(p, ep)` the subject byte must belong to wherever the pattern from `p0`
    /// can match: after any opening captures, a single class not followed by a
    /// quantifier that allows zero repetitions (`*`, `?`, `-`), or the set of a leading
    /// frontier `%f[set]`. Scanners skip the positions before the end of the subject
    /// where it fails ([`Matcher::skip_to`]), which cannot match. `None` when the
    /// pattern starts otherwise (or is malformed there: the error is then raised by
    /// matching, as before).
    pub fn first_class(&self, p0: usize) -> Option<(usize, usize)> {
        let mut p = p0;
        while self.pat_at(p) == b'(' {
            p += if self.pat_at(p + 1) == b')' { 2 } else { 1 };
        }
        let next = self.pat_at(p + 1);
        if self.pat_at(p) == ESC && next == b'f' && self.pat_at(p + 2) == b'[' {
            return self.class_end(p + 2).ok().map(|ep| (p + 2, ep));
        }
        let special = match self.pat_at(p) {
            b')' => true,
            b'$' => p + 1 == self.pat.len(),
            ESC => matches!(next, b'b' | b'f') || next.is_ascii_digit(),
            _ => false,
        };
        if special || p >= self.pat.len() {
            return None;
        }
        let ep = self.class_end(p).ok()?;
        (!matches!(self.pat_at(ep), b'*' | b'?' | b'-')).then_some((p, ep))
    }

    /// The first subject position at or after `s` where class `first` (from
    /// [`Matcher::first_class`]) matches; the subject's length when there is none.
    pub fn skip_to(&self, s: usize, first: (usize, usize)) -> usize {
        let (p, ep) = first;
        let rest = self.src.get(s..).unwrap_or_default();
        let found = match self.pat_at(p) {
            b'.' => Some(0),
            ESC => {
                let cl = self.pat_at(p + 1);
                rest.iter().position(|&c| match_class(c, cl))
            }
            b'[' => rest.iter().position(|&c| self.match_bracket(c, p, ep - 1)),
            pc => rest.iter().position(|&c| c == pc),
        };
        (s + found.unwrap_or(rest.len())).min(self.src.len())
    }

    /// Byte of the pattern at `p` (0 past the end, like C's terminator).
    #[inline(always)]
    fn pat_at(&self, p: usize) -> u8 {
        self.pat.get(p).copied().unwrap_or(0)
    }

    /// Index just past the single-character class starting at `p`.
    #[inline]
    fn class_end(&self, p: usize) -> Result<usize, PatError> {
        let c = self.pat_at(p);
        let q = p + 1;
        if c == ESC {
            if q >= self.pat.len() {
                return Err(PatError::EndsWithPercent);
            }
            return Ok(q + 1);
        }
        if c == b'[' {
            return self.bracket_end(q);
        }
        Ok(q)
    }

    /// Index just past the `]` of a set whose contents start at `q`.
    fn bracket_end(&self, mut q: usize) -> Result<usize, PatError> {
        if self.pat_at(q) == b'^' {
            q += 1;
        }
        loop {
            let Some(&cc) = self.pat.get(q) else {
                return Err(PatError::MissingBracket);
            };
            q += 1;
            if cc == ESC && q < self.pat.len() {
                q += 1;
            }
            if q < self.pat.len() && self.pat[q] == b']' {
                return Ok(q + 1);
            }
        }
    }

    /// Does `c` belong to the set `[...]` spanning `p` (the `[`) to `ec` (the `]`)?
    fn match_bracket(&self, c: u8, p: usize, ec: usize) -> bool {
        let mut sig = true;
        let mut p = p + 1;
        if self.pat_at(p) == b'^' {
            sig = false;
            p += 1;
        }
        while p < ec {
            let pc = self.pat_at(p);
            if pc == ESC {
                p += 1;
                if match_class(c, self.pat_at(p)) {
                    return sig;
                }
                p += 1;
            } else if self.pat_at(p + 1) == b'-' && p + 2 < ec {
                if pc <= c && c <= self.pat_at(p + 2) {
                    return sig;
                }
                p += 3;
            } else {
                if pc == c {
                    return sig;
                }
                p += 1;
            }
        }
        !sig
    }

    /// Does the subject byte at `s` match the single class `p..ep`?
    #[inline]
    fn single_match(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        self.byte_matches(c, p, ep)
    }

    /// Does byte `c` match the single class `p..ep`?
    #[inline(always)]
    fn byte_matches(&self, c: u8, p: usize, ep: usize) -> bool {
        match self.pat_at(p) {
            b'.' => true,
            ESC => match_class(c, self.pat_at(p + 1)),
            b'[' => self.match_bracket(c, p, ep - 1),
            pc => pc == c,
        }
    }

    /// How many bytes from `s` on match the single class `p..ep` (the class decoded
    /// once for the whole run).
    fn run_length(&self, s: usize, p: usize, ep: usize) -> usize {
        let rest = self.src.get(s..).unwrap_or_default();
        let stop = match self.pat_at(p) {
            b'.' => None,
            ESC => {
                let cl = self.pat_at(p + 1);
                rest.iter().position(|&c| !match_class(c, cl))
            }
            b'[' => rest.iter().position(|&c| !self.match_bracket(c, p, ep - 1)),
            pc => rest.iter().position(|&c| c != pc),
        };
        stop.unwrap_or(rest.len())
    }

    // -----------------------------------------------------------------------------------------
    // The matcher
    // -----------------------------------------------------------------------------------------

    /// Matches pattern `p..` at subject `s`, counting the nesting depth.
    fn do_match(&mut self, s: usize, p: usize) -> MResult {
        if self.depth == 0 {
            return Err(PatError::TooComplex);
        }
        self.depth -= 1;
        let r = self.match_loop(s, p);
        self.depth += 1;
        r
    }

    /// The matcher proper: loops over plain items, recurses for the rest.
    fn match_loop(&mut self, mut s: usize, mut p: usize) -> MResult {
        loop {
            let Some(&pc) = self.pat.get(p) else {
                return Ok(s);
            };
            match pc {
                b'(' => {
                    return if self.pat_at(p + 1) == b')' {
                        self.start_capture(s, p + 2, CapLen::Position)
                    } else {
                        self.start_capture(s, p + 1, CapLen::Unfinished)
                    };
                }
                b')' => return self.end_capture(s, p + 1),
                b'$' if p + 1 == self.pat.len() => {
                    return Ok(if s == self.src.len() { s } else { NO_MATCH });
                }
                ESC => match self.pat_at(p + 1) {
                    b'b' => {
                        s = self.match_balance(s, p + 2)?;
                        if s == NO_MATCH {
                            return Ok(NO_MATCH);
                        }
                        p += 4;
                        continue;
                    }
                    b'f' => {
                        p = self.match_frontier(s, p + 2)?;
                        if p == NO_MATCH {
                            return Ok(NO_MATCH);
                        }
                        continue;
                    }
                    d @ b'0'..=b'9' => {
                        s = self.match_backref(s, d)?;
                        if s == NO_MATCH {
                            return Ok(NO_MATCH);
                        }
                        p += 2;
                        continue;
                    }
                    _ => {}
                },
                _ => {}
            }
            let ep = self.class_end(p)?;
            let next = self.pat_at(ep);
            if !self.single_match(s, p, ep) {
                if matches!(next, b'*' | b'?' | b'-') {
                    p = ep + 1;
                    continue;
                }
                return Ok(NO_MATCH);
            }
            match next {
                b'?' => {
                    let e = self.do_match(s + 1, ep + 1)?;
                    if e != NO_MATCH {
                        return Ok(e);
                    }
                    p = ep + 1;
                }
                b'+' => return self.max_expand(s + 1, p, ep),
                b'*' => return self.max_expand(s, p, ep),
                b'-' => return self.min_expand(s, p, ep),
                _ => {
                    s += 1;
                    p = ep;
                }
            }
        }
    }

    /// `%f[set]` with the `[` at `p`, at subject `s`: the pattern index after the set
    /// when the frontier is there, else `NO_MATCH`.
    fn match_frontier(&self, s: usize, p: usize) -> MResult {
        if self.pat_at(p) != b'[' {
            return Err(PatError::FrontierBracket);
        }
        let ep = self.class_end(p)?;
        let prev = match s.checked_sub(1) {
            Some(i) => self.src.get(i).copied().unwrap_or(0),
            None => 0,
        };
        let cur = self.src.get(s).copied().unwrap_or(0);
        if !self.match_bracket(prev, p, ep - 1) && self.match_bracket(cur, p, ep - 1) {
            Ok(ep)
        } else {
            Ok(NO_MATCH)
        }
    }

    /// Greedy repetition: the longest run of class `p..ep` from `s`, then backs off.
    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> MResult {
        let mut i = self.run_length(s, p, ep);
        if ep + 1 >= self.pat.len() && self.depth > 0 {
            return Ok(s + i); // nothing follows: the longest run is the match
        }
        loop {
            let e = self.do_match(s + i, ep + 1)?;
            if e != NO_MATCH {
                return Ok(e);
            }
            if i == 0 {
                return Ok(NO_MATCH);
            }
            i -= 1;
        }
    }

    /// Lazy repetition: the shortest run of class `p..ep` from `s` that lets the rest match.
    fn min_expand(&mut self, mut s: usize, p: usize, ep: usize) -> MResult {
        loop {
            let e = self.do_match(s, ep + 1)?;
            if e != NO_MATCH {
                return Ok(e);
            }
            if self.single_match(s, p, ep) {
                s += 1;
            } else {
                return Ok(NO_MATCH);
            }
        }
    }

    /// `%bxy` with `x` at `p`: a balanced run from `s`.
    fn match_balance(&self, s: usize, p: usize) -> MResult {
        let (Some(&open), Some(&close)) = (self.pat.get(p), self.pat.get(p + 1)) else {
            return Err(PatError::MissingBalanceArgs);
        };
        if self.src.get(s) != Some(&open) {
            return Ok(NO_MATCH);
        }
        let mut depth = 1usize;
        for (i, &c) in self.src.iter().enumerate().skip(s + 1) {
            if c == close {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            } else if c == open {
                depth += 1;
            }
        }
        Ok(NO_MATCH)
    }

    /// Opens capture slot `level` at `s` and matches the rest.
    fn start_capture(&mut self, s: usize, p: usize, what: CapLen) -> MResult {
        let Some(slot) = self.caps.get_mut(self.level) else {
            return Err(PatError::TooManyCaptures);
        };
        *slot = (s, what);
        self.level += 1;
        let r = self.do_match(s, p)?;
        if r == NO_MATCH {
            self.level -= 1;
        }
        Ok(r)
    }

    /// Closes the innermost open capture at `s` and matches the rest.
    fn end_capture(&mut self, s: usize, p: usize) -> MResult {
        let l = (0..self.level)
            .rev()
            .find(|&i| self.caps[i].1 == CapLen::Unfinished)
            .ok_or(PatError::InvalidCapture)?;
        self.caps[l].1 = CapLen::Len(s - self.caps[l].0);
        let r = self.do_match(s, p)?;
        if r == NO_MATCH {
            self.caps[l].1 = CapLen::Unfinished;
        }
        Ok(r)
    }

    /// `%1`..`%9`: the same bytes as an earlier closed capture.
    fn match_backref(&self, s: usize, digit: u8) -> MResult {
        let l = digit - b'0';
        let idx = usize::from(l).wrapping_sub(1);
        if l == 0 || idx >= self.level || self.caps[idx].1 == CapLen::Unfinished {
            return Err(PatError::CaptureIndex(l));
        }
        let (start, len) = self.caps[idx];
        let CapLen::Len(len) = len else {
            return Ok(NO_MATCH);
        };
        let want = &self.src[start..start + len];
        Ok(if self.src.get(s..s + len) == Some(want) {
            s + len
        } else {
            NO_MATCH
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// `string.find`-like: (start, end, captures) of the first match from 0.
    fn find(s: &str, p: &str) -> Result<Option<(usize, usize, Vec<Capture>)>, String> {
        let (src, pat) = (s.as_bytes(), p.as_bytes());
        let anchor = pat.first() == Some(&b'^');
        let p0 = usize::from(anchor);
        let mut m = Matcher::new(src, pat);
        let mut s1 = 0;
        loop {
            if let Some(e) = m.match_at(s1, p0)? {
                let caps = (0..m.capture_count())
                    .map(|i| m.capture(i, s1, e))
                    .collect::<Result<_, _>>()?;
                return Ok(Some((s1, e, caps)));
            }
            s1 += 1;
            if anchor || s1 > src.len() {
                return Ok(None);
            }
        }
    }

    fn span(s: &str, p: &str) -> Option<(usize, usize)> {
        find(s, p).unwrap().map(|(a, b, _)| (a, b))
    }

    #[test]
    fn basics() {
        assert_eq!(span("hello world", "o w"), Some((4, 7)));
        assert_eq!(span("hello", "l+"), Some((2, 4)));
        assert_eq!(span("hello", "^h.-l"), Some((0, 3)));
        assert_eq!(span("hello", "^e"), None);
        assert_eq!(span("hello", "o$"), Some((4, 5)));
        assert_eq!(span("a$b", "$b"), Some((1, 3)));
        assert_eq!(span("  x1", "%a%d"), Some((2, 4)));
        assert_eq!(span("x]y", "[]]"), Some((1, 2)));
        assert_eq!(span("abc-", "[%-]"), Some((3, 4)));
        assert_eq!(span("abz", "[^a-b]"), Some((2, 3)));
        assert_eq!(span("\x0b", "%s"), Some((0, 1)));
        assert_eq!(span("f(a(b)c)d", "%b()"), Some((1, 8)));
        assert_eq!(span("THE (quick) fox", "%f[%a]%a+"), Some((0, 3)));
        assert_eq!(span("aaab", "a-b"), Some((0, 4)));
        assert_eq!(span("ab", "a?b"), Some((0, 2)));
        assert_eq!(span("", ".*"), Some((0, 0)));
    }

    #[test]
    fn captures() {
        let (_, _, c) = find("key = val", "(%w+)%s*=%s*(%w+)").unwrap().unwrap();
        assert_eq!(c, [Capture::Span(0, 3), Capture::Span(6, 9)]);
        let (_, _, c) = find("abab", "()(ab)%2()").unwrap().unwrap();
        assert_eq!(
            c,
            [
                Capture::Position(1),
                Capture::Span(0, 2),
                Capture::Position(5)
            ]
        );
        assert_eq!(find("a", "(a").unwrap_err(), "unfinished capture");
    }

    #[test]
    fn errors() {
        assert_eq!(
            find("a", "%").unwrap_err(),
            "malformed pattern (ends with '%')"
        );
        assert_eq!(
            find("a", "[a").unwrap_err(),
            "malformed pattern (missing ']')"
        );
        assert_eq!(
            find("a", "[a%").unwrap_err(),
            "malformed pattern (missing ']')"
        );
        assert_eq!(
            find("a", "%f").unwrap_err(),
            "missing '[' after '%f' in pattern"
        );
        assert_eq!(find("a", "%1").unwrap_err(), "invalid capture index %1");
        assert_eq!(
            find("a", "%ba").unwrap_err(),
            "malformed pattern (missing arguments to '%b')"
        );
        assert_eq!(find("b", "%g)").unwrap_err(), "invalid pattern capture");
        assert_eq!(find("a", &"(".repeat(33)).unwrap_err(), "too many captures");
    }

    #[test]
    fn depth_is_bounded() {
        let s = "a".repeat(300);
        assert!(find(&s, &"a?".repeat(199)).unwrap().is_some());
        assert_eq!(
            find(&s, &"a?".repeat(200)).unwrap_err(),
            "pattern too complex"
        );
        // Long subjects with single-item repetitions do not recurse per byte.
        let long = "x".repeat(1_000_000);
        assert_eq!(span(&long, ".-$"), Some((0, 1_000_000)));
        assert_eq!(span(&"x".repeat(2000), "x*y"), None);
    }

    #[test]
    fn plain_search() {
        assert_eq!(find_plain(b"hello", b"ll", 0), Some(2));
        assert_eq!(find_plain(b"hello", b"ll", 3), None);
        assert_eq!(find_plain(b"hello", b"", 5), Some(5));
        assert_eq!(find_plain(b"hello", b"", 6), None);
        assert!(is_plain(b"abc") && !is_plain(b"a.c"));
    }

    #[test]
    fn zero_class() {
        assert_eq!(span("a\0b", "%z"), Some((1, 2)));
        assert_eq!(span("a\0b", "[%z]"), Some((1, 2)));
        assert_eq!(span("a\0", "%Z+"), Some((0, 1)));
        assert!(match_class(0, b'z') && !match_class(b'z', b'z') && match_class(b'z', b'Z'));
    }

    #[test]
    fn first_class_and_skipping() {
        let m = Matcher::new(b"..ab1", b"((%a)%d)");
        assert_eq!(m.first_class(0), Some((2, 4)));
        assert_eq!(m.skip_to(0, (2, 4)), 2);
        assert_eq!(m.skip_to(4, (2, 4)), 5);
        for pat in ["%a*", "a?", "a-", "%bxy", "%f%a", "()", "$", "", "[a", "%"] {
            assert_eq!(
                Matcher::new(b"", pat.as_bytes()).first_class(0),
                None,
                "{pat}"
            );
        }
        assert_eq!(Matcher::new(b"", b"()[ab]+").first_class(0), Some((2, 6)));
        // A frontier's set: the byte at a match position must belong to it.
        assert_eq!(Matcher::new(b"", b"%f[%w]%d").first_class(0), Some((2, 6)));
        assert_eq!(span("ab 12", "%f[%w]%d+"), Some((3, 5)));
        assert_eq!(span("ab", "%f[%W]"), Some((2, 2)));
    }
}
