//! The lexer: bytes to tokens, with Lua 5.4's error messages (`... near 'token'`).
//!
//! Like Lua's own lexer it saves the characters of the token being read in a buffer, which
//! serves both for the token's value and for the `near` part of error messages.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use crate::CompileError;

/// Lexer results.
pub(crate) type LResult<T> = Result<T, CompileError>;

/// An interned string (names and string literals).
pub(crate) type StrId = u32;

/// Interns names and string literals so expressions can refer to them by a small id.
#[derive(Default)]
pub(crate) struct Interner {
    /// The strings, by id.
    list: Vec<Rc<[u8]>>,
    /// Id of each string.
    map: BTreeMap<Rc<[u8]>, StrId>,
}

impl Interner {
    /// The id of `s`, adding it if new.
    pub(crate) fn intern(&mut self, s: &[u8]) -> StrId {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = self.list.len() as StrId;
        let rc: Rc<[u8]> = Rc::from(s);
        self.list.push(rc.clone());
        self.map.insert(rc, id);
        id
    }

    /// The bytes of string `id`.
    pub(crate) fn get(&self, id: StrId) -> &[u8] {
        self.list.get(id as usize).map_or(&[][..], |s| &s[..])
    }
}

/// A token.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A single-character token (operators and punctuation).
    Char(u8),
    /// `and`
    And,
    /// `break`
    Break,
    /// `do`
    Do,
    /// `else`
    Else,
    /// `elseif`
    Elseif,
    /// `end`
    End,
    /// `false`
    False,
    /// `for`
    For,
    /// `function`
    Function,
    /// `goto`
    Goto,
    /// `if`
    If,
    /// `in`
    In,
    /// `local`
    Local,
    /// `nil`
    Nil,
    /// `not`
    Not,
    /// `or`
    Or,
    /// `repeat`
    Repeat,
    /// `return`
    Return,
    /// `then`
    Then,
    /// `true`
    True,
    /// `until`
    Until,
    /// `while`
    While,
    /// `//`
    IDiv,
    /// `..`
    Concat,
    /// `...`
    Dots,
    /// `==`
    Eq,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `~=`
    Ne,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `::`
    DbColon,
    /// End of the source.
    Eos,
    /// A float literal.
    Flt(f64),
    /// An integer literal.
    Int(i64),
    /// A name.
    Name(StrId),
    /// A string literal.
    Str(StrId),
}

/// The reserved words, in the order of their tokens.
const RESERVED: [(&[u8], Tok); 22] = [
    (b"and", Tok::And),
    (b"break", Tok::Break),
    (b"do", Tok::Do),
    (b"else", Tok::Else),
    (b"elseif", Tok::Elseif),
    (b"end", Tok::End),
    (b"false", Tok::False),
    (b"for", Tok::For),
    (b"function", Tok::Function),
    (b"goto", Tok::Goto),
    (b"if", Tok::If),
    (b"in", Tok::In),
    (b"local", Tok::Local),
    (b"nil", Tok::Nil),
    (b"not", Tok::Not),
    (b"or", Tok::Or),
    (b"repeat", Tok::Repeat),
    (b"return", Tok::Return),
    (b"then", Tok::Then),
    (b"true", Tok::True),
    (b"until", Tok::Until),
    (b"while", Tok::While),
];

/// How a token is named in messages such as "'=' expected" (no value).
pub(crate) fn token_name(t: Tok) -> String {
    match t {
        Tok::Char(c) if (0x20..0x7f).contains(&c) => format!("'{}'", c as char),
        Tok::Char(c) => format!("'<\\{c}>'"),
        Tok::IDiv => "'//'".into(),
        Tok::Concat => "'..'".into(),
        Tok::Dots => "'...'".into(),
        Tok::Eq => "'=='".into(),
        Tok::Ge => "'>='".into(),
        Tok::Le => "'<='".into(),
        Tok::Ne => "'~='".into(),
        Tok::Shl => "'<<'".into(),
        Tok::Shr => "'>>'".into(),
        Tok::DbColon => "'::'".into(),
        Tok::Eos => "<eof>".into(),
        Tok::Flt(_) => "<number>".into(),
        Tok::Int(_) => "<integer>".into(),
        Tok::Name(_) => "<name>".into(),
        Tok::Str(_) => "<string>".into(),
        reserved => {
            let word = RESERVED
                .iter()
                .find(|(_, t)| *t == reserved)
                .map_or(&b"?"[..], |w| w.0);
            format!("'{}'", String::from_utf8_lossy(word))
        }
    }
}

/// The end-of-input marker for `current`.
const EOZ: i32 = -1;

/// The lexer state.
pub(crate) struct Lexer<'s> {
    /// The source text.
    src: &'s [u8],
    /// Position of the character after `current`.
    pos: usize,
    /// Current character, or [`EOZ`].
    current: i32,
    /// Line of `current`.
    pub(crate) linenumber: u32,
    /// Line of the last token consumed.
    pub(crate) lastline: u32,
    /// Current token.
    pub(crate) t: Tok,
    /// Look-ahead token, if read.
    ahead: Option<(Tok, Vec<u8>)>,
    /// Characters of the token being read (and of the current token, for messages).
    buf: Vec<u8>,
    /// Text of the current token, for "near" in messages.
    tok_text: Vec<u8>,
    /// Interned names and strings.
    pub(crate) strings: Interner,
    /// `short_src` of the chunk, the prefix of every message.
    pub(crate) short_src: String,
}

/// True for characters that may start a name.
fn is_alpha(c: i32) -> bool {
    c == b'_' as i32 || (0..=255).contains(&c) && (c as u8).is_ascii_alphabetic()
}

/// True for characters that may continue a name.
fn is_alnum(c: i32) -> bool {
    is_alpha(c) || is_digit(c)
}

/// True for decimal digits.
fn is_digit(c: i32) -> bool {
    (b'0' as i32..=b'9' as i32).contains(&c)
}

/// True for hexadecimal digits.
fn is_xdigit(c: i32) -> bool {
    (0..=255).contains(&c) && (c as u8).is_ascii_hexdigit()
}

/// Value of a hexadecimal digit.
fn hex_value(c: i32) -> u32 {
    (c as u8 as char).to_digit(16).unwrap_or(0)
}

/// True for end-of-line characters.
fn is_newline(c: i32) -> bool {
    c == b'\n' as i32 || c == b'\r' as i32
}

impl<'s> Lexer<'s> {
    /// A lexer over `src`; `short_src` prefixes the messages.
    pub(crate) fn new(src: &'s [u8], short_src: String) -> Self {
        let mut lx = Lexer {
            src,
            pos: 0,
            current: EOZ,
            linenumber: 1,
            lastline: 1,
            t: Tok::Eos,
            ahead: None,
            buf: Vec::new(),
            tok_text: Vec::new(),
            strings: Interner::default(),
            short_src,
        };
        lx.advance();
        lx
    }

    /// Reads the next character into `current`.
    fn advance(&mut self) {
        self.current = match self.src.get(self.pos) {
            Some(&c) => {
                self.pos += 1;
                c as i32
            }
            None => EOZ,
        };
    }

    /// Saves `c` in the token buffer.
    fn save(&mut self, c: i32) {
        self.buf.push(c as u8);
    }

    /// Saves the current character and reads the next.
    fn save_and_next(&mut self) {
        self.save(self.current);
        self.advance();
    }

    /// If the current character is `c`, consumes it.
    fn check_next1(&mut self, c: u8) -> bool {
        if self.current == c as i32 {
            self.advance();
            true
        } else {
            false
        }
    }

    /// If the current character is one of the two in `set`, saves and consumes it.
    fn check_next2(&mut self, set: &[u8; 2]) -> bool {
        if self.current == set[0] as i32 || self.current == set[1] as i32 {
            self.save_and_next();
            true
        } else {
            false
        }
    }

    /// Skips a line break (`\n`, `\r`, `\n\r` or `\r\n`) and counts the line.
    fn inc_line(&mut self) -> LResult<()> {
        let old = self.current;
        self.advance();
        if is_newline(self.current) && self.current != old {
            self.advance();
        }
        self.linenumber += 1;
        if self.linenumber >= i32::MAX as u32 {
            return Err(self.error_plain("chunk has too many lines"));
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Errors
    // -----------------------------------------------------------------------------------------

    /// `msg` with the chunk and line prefix and no "near" part.
    pub(crate) fn error_plain(&self, msg: &str) -> CompileError {
        CompileError {
            message: format!("{}:{}: {}", self.short_src, self.linenumber, msg),
        }
    }

    /// `msg` near the text being read (`tok` says how to show it).
    fn error_near(&self, msg: &str, tok: Option<Tok>) -> CompileError {
        let near = match tok {
            Some(Tok::Eos) => String::from("<eof>"),
            Some(_) => format!("'{}'", String::from_utf8_lossy(&self.buf)),
            None => String::new(),
        };
        CompileError {
            message: format!(
                "{}:{}: {} near {}",
                self.short_src, self.linenumber, msg, near
            ),
        }
    }

    /// How the current token is shown after "near".
    pub(crate) fn near_current(&self) -> String {
        match self.t {
            Tok::Name(_) | Tok::Str(_) | Tok::Flt(_) | Tok::Int(_) => {
                format!("'{}'", String::from_utf8_lossy(&self.tok_text))
            }
            t => token_name(t),
        }
    }

    /// A syntax error at the current token: `msg near 'token'`.
    pub(crate) fn syntax_error(&self, msg: &str) -> CompileError {
        CompileError {
            message: format!(
                "{}:{}: {} near {}",
                self.short_src,
                self.linenumber,
                msg,
                self.near_current()
            ),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Token stream
    // -----------------------------------------------------------------------------------------

    /// Skips a `#` first line (used for files).
    pub(crate) fn skip_shebang(&mut self) {
        if self.current == b'#' as i32 {
            while self.current != EOZ && !is_newline(self.current) {
                self.advance();
            }
        }
    }

    /// Moves to the next token.
    pub(crate) fn next(&mut self) -> LResult<()> {
        self.lastline = self.linenumber;
        if let Some((t, text)) = self.ahead.take() {
            self.t = t;
            self.tok_text = text;
        } else {
            self.t = self.lex()?;
            core::mem::swap(&mut self.tok_text, &mut self.buf);
        }
        Ok(())
    }

    /// Reads the token after the current one without consuming it.
    pub(crate) fn lookahead(&mut self) -> LResult<Tok> {
        if let Some((t, _)) = &self.ahead {
            return Ok(*t);
        }
        let t = self.lex()?;
        let text = core::mem::take(&mut self.buf);
        self.ahead = Some((t, text));
        Ok(t)
    }

    /// Reads one token from the source.
    fn lex(&mut self) -> LResult<Tok> {
        self.buf.clear();
        loop {
            let c = self.current;
            if c == EOZ {
                return Ok(Tok::Eos);
            }
            let c8 = c as u8;
            match c8 {
                b'\n' | b'\r' => self.inc_line()?,
                b' ' | b'\x0c' | b'\t' | b'\x0b' => self.advance(),
                b'-' => {
                    self.advance();
                    if self.current != b'-' as i32 {
                        return Ok(Tok::Char(b'-'));
                    }
                    self.advance();
                    self.comment()?;
                }
                b'[' => {
                    let sep = self.skip_sep();
                    if sep >= 2 {
                        return self.long_string(sep, false);
                    } else if sep == 0 {
                        return Err(
                            self.error_near("invalid long string delimiter", Some(Tok::Str(0)))
                        );
                    }
                    return Ok(Tok::Char(b'['));
                }
                b'=' => return Ok(self.one_or_two(b'=', Tok::Eq, b'=')),
                b'<' => {
                    self.advance();
                    return Ok(if self.check_next1(b'=') {
                        Tok::Le
                    } else if self.check_next1(b'<') {
                        Tok::Shl
                    } else {
                        Tok::Char(b'<')
                    });
                }
                b'>' => {
                    self.advance();
                    return Ok(if self.check_next1(b'=') {
                        Tok::Ge
                    } else if self.check_next1(b'>') {
                        Tok::Shr
                    } else {
                        Tok::Char(b'>')
                    });
                }
                b'/' => return Ok(self.one_or_two(b'/', Tok::IDiv, b'/')),
                b'~' => return Ok(self.one_or_two(b'=', Tok::Ne, b'~')),
                b':' => return Ok(self.one_or_two(b':', Tok::DbColon, b':')),
                b'"' | b'\'' => return self.short_string(c8),
                b'.' => {
                    self.save_and_next();
                    if self.check_next1(b'.') {
                        return Ok(if self.check_next1(b'.') {
                            Tok::Dots
                        } else {
                            Tok::Concat
                        });
                    } else if !is_digit(self.current) {
                        return Ok(Tok::Char(b'.'));
                    }
                    return self.numeral();
                }
                b'0'..=b'9' => return self.numeral(),
                _ if is_alpha(c) => return Ok(self.name()),
                _ => {
                    self.advance();
                    return Ok(Tok::Char(c8));
                }
            }
        }
    }

    /// `first` then optionally `second`: the two-character token `two`, else `first` alone.
    fn one_or_two(&mut self, second: u8, two: Tok, first: u8) -> Tok {
        self.advance();
        if self.check_next1(second) {
            two
        } else {
            Tok::Char(first)
        }
    }

    /// A name or reserved word.
    fn name(&mut self) -> Tok {
        while is_alnum(self.current) {
            self.save_and_next();
        }
        if let Some((_, t)) = RESERVED.iter().find(|(w, _)| *w == &self.buf[..]) {
            return *t;
        }
        Tok::Name(self.strings.intern(&self.buf))
    }

    /// Skips a comment after `--`.
    fn comment(&mut self) -> LResult<()> {
        if self.current == b'[' as i32 {
            let sep = self.skip_sep();
            self.buf.clear();
            if sep >= 2 {
                self.long_string(sep, true)?;
                self.buf.clear();
                return Ok(());
            }
        }
        while !is_newline(self.current) && self.current != EOZ {
            self.advance();
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Numbers
    // -----------------------------------------------------------------------------------------

    /// A numeral: collects its characters the way Lua does, then converts them.
    fn numeral(&mut self) -> LResult<Tok> {
        let mut expo = b"Ee";
        let first = self.current;
        self.save_and_next();
        if first == b'0' as i32 && self.check_next2(b"xX") {
            expo = b"Pp";
        }
        loop {
            if self.check_next2(expo) {
                self.check_next2(b"-+");
            } else if is_xdigit(self.current) || self.current == b'.' as i32 {
                self.save_and_next();
            } else {
                break;
            }
        }
        if is_alpha(self.current) {
            self.save_and_next(); // force an error
        }
        match crate::number::str_to_number(&self.buf) {
            Some(crate::number::Number::Int(i)) => Ok(Tok::Int(i)),
            Some(crate::number::Number::Float(f)) => Ok(Tok::Flt(f)),
            None => Err(self.error_near("malformed number", Some(Tok::Flt(0.0)))),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Strings
    // -----------------------------------------------------------------------------------------

    /// Reads `[` followed by `=`s: returns count+2 for a well-formed bracket, 1 for a lone
    /// `[`, 0 for `[=...` not followed by `[` (the bracket character is saved).
    fn skip_sep(&mut self) -> usize {
        let s = self.current;
        let mut count = 0;
        self.save_and_next();
        while self.current == b'=' as i32 {
            self.save_and_next();
            count += 1;
        }
        if self.current == s {
            count + 2
        } else if count == 0 {
            1
        } else {
            0
        }
    }

    /// A long string or comment whose opening bracket (level `sep`) has been read.
    fn long_string(&mut self, sep: usize, comment: bool) -> LResult<Tok> {
        let line = self.linenumber;
        self.save_and_next(); // second '['
        if is_newline(self.current) {
            self.inc_line()?;
        }
        loop {
            match self.current {
                EOZ => {
                    let what = if comment { "comment" } else { "string" };
                    let msg = format!("unfinished long {what} (starting at line {line})");
                    return Err(self.error_near(&msg, Some(Tok::Eos)));
                }
                c if c == b']' as i32 => {
                    if self.skip_sep() == sep {
                        self.save_and_next(); // second ']'
                        break;
                    }
                }
                c if is_newline(c) => {
                    self.save(b'\n' as i32);
                    self.inc_line()?;
                    if comment {
                        self.buf.clear();
                    }
                }
                _ => {
                    if comment {
                        self.advance();
                    } else {
                        self.save_and_next();
                    }
                }
            }
        }
        if comment {
            return Ok(Tok::Eos);
        }
        let body = &self.buf[sep..self.buf.len() - sep];
        Ok(Tok::Str(self.strings.intern(body)))
    }

    /// Fails with `msg` unless `ok`, adding the current character to the message text.
    fn esc_check(&mut self, ok: bool, msg: &str) -> LResult<()> {
        if ok {
            return Ok(());
        }
        if self.current != EOZ {
            self.save_and_next();
        }
        Err(self.error_near(msg, Some(Tok::Str(0))))
    }

    /// Reads one hexadecimal digit of an escape (saving the previous character).
    fn hex_digit(&mut self) -> LResult<u32> {
        self.save_and_next();
        self.esc_check(is_xdigit(self.current), "hexadecimal digit expected")?;
        Ok(hex_value(self.current))
    }

    /// `\xXX`: returns the byte.
    fn hex_escape(&mut self) -> LResult<i32> {
        let mut r = self.hex_digit()?;
        r = (r << 4) + self.hex_digit()?;
        self.buf.truncate(self.buf.len() - 2);
        Ok(r as i32)
    }

    /// `\u{XXX}`: appends the (extended) UTF-8 encoding of the code point.
    fn utf8_escape(&mut self) -> LResult<()> {
        let mut i = 4; // chars to remove: '\', 'u', '{', first digit
        self.save_and_next(); // 'u'
        self.esc_check(self.current == b'{' as i32, "missing '{'")?;
        let mut r = self.hex_digit()?;
        loop {
            self.save_and_next();
            if !is_xdigit(self.current) {
                break;
            }
            i += 1;
            self.esc_check(r <= 0x7FFF_FFFF >> 4, "UTF-8 value too large")?;
            r = (r << 4) + hex_value(self.current);
        }
        self.esc_check(self.current == b'}' as i32, "missing '}'")?;
        self.advance();
        self.buf.truncate(self.buf.len() - i);
        utf8_encode(r, &mut self.buf);
        Ok(())
    }

    /// `\ddd`: returns the byte.
    fn dec_escape(&mut self) -> LResult<i32> {
        let mut r = 0;
        let mut i = 0;
        while i < 3 && is_digit(self.current) {
            r = 10 * r + self.current - b'0' as i32;
            self.save_and_next();
            i += 1;
        }
        self.esc_check(r <= 255, "decimal escape too large")?;
        self.buf.truncate(self.buf.len() - i);
        Ok(r)
    }

    /// A quoted string delimited by `del`.
    fn short_string(&mut self, del: u8) -> LResult<Tok> {
        self.save_and_next();
        while self.current != del as i32 {
            match self.current {
                EOZ => return Err(self.error_near("unfinished string", Some(Tok::Eos))),
                c if is_newline(c) => {
                    return Err(self.error_near("unfinished string", Some(Tok::Str(0))))
                }
                c if c == b'\\' as i32 => self.escape()?,
                _ => self.save_and_next(),
            }
        }
        self.save_and_next();
        let body = &self.buf[1..self.buf.len() - 1];
        Ok(Tok::Str(self.strings.intern(body)))
    }

    /// An escape sequence after `\` inside a quoted string.
    fn escape(&mut self) -> LResult<()> {
        self.save_and_next(); // keep '\' for error messages
        let c = match self.current {
            EOZ => return Ok(()), // the loop reports the unfinished string
            c => c as u8,
        };
        let byte = match c {
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n' as i32,
            b'r' => b'\r' as i32,
            b't' => b'\t' as i32,
            b'v' => 11,
            b'x' => self.hex_escape()?,
            b'u' => {
                self.utf8_escape()?;
                return Ok(());
            }
            b'\n' | b'\r' => {
                self.inc_line()?;
                self.buf.pop();
                self.save(b'\n' as i32);
                return Ok(());
            }
            b'\\' | b'"' | b'\'' => c as i32,
            b'z' => {
                self.buf.pop();
                self.advance();
                while (0..=255).contains(&self.current)
                    && (self.current as u8).is_ascii_whitespace()
                    || self.current == 0x0b
                {
                    if is_newline(self.current) {
                        self.inc_line()?;
                    } else {
                        self.advance();
                    }
                }
                return Ok(());
            }
            _ => {
                self.esc_check(is_digit(self.current), "invalid escape sequence")?;
                let b = self.dec_escape()?;
                self.buf.pop();
                self.save(b);
                return Ok(());
            }
        };
        // one-character escapes and \x: read past the last character
        self.advance();
        self.buf.pop(); // the '\'
        self.save(byte);
        Ok(())
    }
}

/// Appends the UTF-8 encoding of `x` (up to 2^31, in the original 6-byte scheme).
fn utf8_encode(x: u32, out: &mut Vec<u8>) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut tmp = [0u8; 8];
    let mut n = 0;
    let mut x = x;
    let mut mfb: u32 = 0x3f; // largest value that fits in the first byte
    loop {
        tmp[7 - n] = 0x80 | (x & 0x3f) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    tmp[7 - n] = ((!mfb << 1) | x) as u8;
    n += 1;
    out.extend_from_slice(&tmp[8 - n..]);
}
