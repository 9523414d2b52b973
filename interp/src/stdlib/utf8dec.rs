//! UTF-8 encoding and decoding as the `utf8` library sees it: sequences of up to six bytes
//! (code points up to 2^31 - 1) in lax mode, Unicode scalar values only in strict mode.

use alloc::vec::Vec;

/// Largest code point lax mode accepts.
pub const MAX_UTF: u32 = 0x7FFF_FFFF;
/// Largest Unicode code point.
pub const MAX_UNICODE: u32 = 0x10FFFF;

/// Smallest code point each continuation count may encode (to reject overlong forms).
const LIMITS: [u32; 6] = [u32::MAX, 0x80, 0x800, 0x1_0000, 0x20_0000, 0x400_0000];

/// True for a continuation byte (`10xxxxxx`).
#[inline]
pub fn is_cont(c: u8) -> bool {
    c & 0xC0 == 0x80
}

/// Decodes the sequence at the start of `s`: the code point and its length in bytes, or
/// `None` for an invalid sequence.
pub fn decode(s: &[u8], strict: bool) -> Option<(u32, usize)> {
    let c0 = *s.first()?;
    let mut res: u32;
    let mut len = 1;
    if c0 < 0x80 {
        res = u32::from(c0);
    } else {
        let mut c = u32::from(c0);
        let mut count = 0usize;
        res = 0;
        while c & 0x40 != 0 {
            count += 1;
            let cc = s.get(count).copied().unwrap_or(0);
            if !is_cont(cc) || count > 5 {
                return None;
            }
            res = (res << 6) | u32::from(cc & 0x3F);
            c <<= 1;
        }
        let high = u64::from(c & 0x7F) << (count * 5);
        let full = u64::from(res) | high;
        if count > 5 || full > u64::from(MAX_UTF) || full < u64::from(LIMITS[count]) {
            return None;
        }
        res = full as u32;
        len += count;
    }
    if strict && (res > MAX_UNICODE || (0xD800..=0xDFFF).contains(&res)) {
        return None;
    }
    Some((res, len))
}

/// Appends the (extended) UTF-8 encoding of `x` (at most `MAX_UTF`).
pub fn encode(x: u32, out: &mut Vec<u8>) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut buf = [0u8; 8];
    let mut n = 0;
    let mut x = x;
    let mut mfb: u32 = 0x3f;
    loop {
        buf[7 - n] = 0x80 | (x & 0x3f) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    buf[7 - n] = ((!mfb << 1) | x) as u8;
    out.extend_from_slice(&buf[7 - n..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        for &cp in &[
            0u32,
            0x41,
            0x7f,
            0x80,
            0x7ff,
            0x800,
            0xffff,
            0x10000,
            0x10ffff,
            0x110000,
            0x7fff_ffff,
        ] {
            let mut v = Vec::new();
            encode(cp, &mut v);
            assert_eq!(decode(&v, false), Some((cp, v.len())), "{cp:#x}");
            let mut std = [0u8; 4];
            if let Some(ch) = char::from_u32(cp) {
                assert_eq!(v, ch.encode_utf8(&mut std).as_bytes());
            }
        }
    }

    #[test]
    fn rejects() {
        assert_eq!(decode(b"\x80", false), None);
        assert_eq!(decode(b"\xC0\x80", false), None); // overlong
        assert_eq!(decode(b"\xE4\xB8", false), None); // truncated
        assert_eq!(decode(b"\xFF\x80\x80\x80\x80\x80\x80", false), None);
        assert_eq!(decode(b"\xED\xA0\x80", true), None); // surrogate
        assert_eq!(decode(b"\xED\xA0\x80", false), Some((0xD800, 3)));
        assert_eq!(decode(b"\xF4\x90\x80\x80", true), None);
    }
}
