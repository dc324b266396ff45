//! Byte classes as one 256-entry table, so every scanner tests a class with a load and a mask.

/// RFC 5322 `atext`.
pub(crate) const ATEXT: u8 = 1 << 0;
/// SP or HTAB.
pub(crate) const WSP: u8 = 1 << 1;
/// RFC 5322 `dtext` (printable except `[`, `]`, `\`).
pub(crate) const DTEXT: u8 = 1 << 2;
/// RFC 5322 `qtext` (printable except `"` and `\`).
pub(crate) const QTEXT: u8 = 1 << 3;
/// RFC 2045 `token` character (printable except tspecials).
pub(crate) const TOKEN: u8 = 1 << 4;
/// Written literally in a Q encoded-word in unstructured text (RFC 2047 §4.2, §5(1)).
pub(crate) const Q_TEXT_SAFE: u8 = 1 << 5;
/// Written literally in a Q encoded-word inside a phrase (RFC 2047 §5(3)).
pub(crate) const Q_PHRASE_SAFE: u8 = 1 << 6;
/// A C0 control other than HTAB, or DEL.
pub(crate) const CTL: u8 = 1 << 7;

const fn class_of(b: u8) -> u8 {
    let mut c = 0;
    let alnum = b.is_ascii_alphanumeric();
    if alnum
        || matches!(
            b,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'/'
        )
        || matches!(
            b,
            b'=' | b'?' | b'^' | b'_' | b'`' | b'{' | b'|' | b'}' | b'~'
        )
    {
        c |= ATEXT;
    }
    if b == b' ' || b == b'\t' {
        c |= WSP;
    }
    if matches!(b, 33..=90 | 94..=126) {
        c |= DTEXT;
    }
    if matches!(b, 33 | 35..=91 | 93..=126) {
        c |= QTEXT;
    }
    let tspecial = matches!(
        b,
        b'(' | b')'
            | b'<'
            | b'>'
            | b'@'
            | b','
            | b';'
            | b':'
            | b'\\'
            | b'"'
            | b'/'
            | b'['
            | b']'
            | b'?'
            | b'='
    );
    if matches!(b, 33..=126) && !tspecial {
        c |= TOKEN;
    }
    if matches!(b, 33..=126) && !matches!(b, b'=' | b'?' | b'_') {
        c |= Q_TEXT_SAFE;
    }
    if alnum || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/') {
        c |= Q_PHRASE_SAFE;
    }
    if (b < 32 && b != b'\t') || b == 127 {
        c |= CTL;
    }
    c
}

const fn build() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
}

static TABLE: [u8; 256] = build();

/// `b[..to]` cut where the first `=?` at or after `from` starts, and that offset: the error
/// paths of ids and addr-specs blame a byte before an `=?` first, and the `=?` itself (which
/// would read as the start of an encoded-word) only when nothing before it is wrong.
pub(crate) fn cut_at_eq_q(b: &[u8], from: usize, to: usize) -> (&[u8], Option<usize>) {
    let text = b.get(..to).unwrap_or_default();
    let eq_q = text
        .get(from..)
        .unwrap_or_default()
        .windows(2)
        .position(|w| w == b"=?")
        .map(|i| from + i);
    (text.get(..eq_q.unwrap_or(to)).unwrap_or_default(), eq_q)
}

#[inline(always)]
pub(crate) fn is(b: u8, class: u8) -> bool {
    TABLE[b as usize] & class != 0
}

/// Length in bytes of the UTF-8 sequence starting with `lead` (1 for ASCII and for bytes that
/// cannot start a sequence, which never occur in a `&str`).
#[inline]
pub(crate) fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Number of characters (code points) in a UTF-8 byte slice.
#[inline]
pub(crate) fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// If `bytes[i..]` starts a character that must never be written raw (a C1 control, or
/// U+2028/U+2029), its length. Such characters split lines in some parsers.
#[inline]
pub(crate) fn line_breaking_char_len(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i..i + 2) {
        // U+0080..=U+009F are C2 80..=C2 9F.
        Some([0xC2, 0x80..=0x9F]) => Some(2),
        _ => match bytes.get(i..i + 3) {
            Some([0xE2, 0x80, 0xA8 | 0xA9]) => Some(3),
            _ => None,
        },
    }
}

/// If `bytes[i..]` starts a non-ASCII character that Unicode counts as white space, other than
/// the line-breaking U+0085, U+2028 and U+2029: U+00A0, U+1680, U+2000..=U+200A, U+202F,
/// U+205F or U+3000, its length. RFC 5322 sees text there, but decoders that split on Unicode
/// white space (CPython's `email`, Perl's `Encode`) drop it between encoded-words, so with
/// utf8 on such characters are encoded rather than written raw.
#[inline]
pub(crate) fn unicode_space_len(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i..i + 2) {
        Some([0xC2, 0xA0]) => Some(2),
        _ => match bytes.get(i..i + 3) {
            Some([0xE1, 0x9A, 0x80] | [0xE2, 0x80, 0x80..=0x8A | 0xAF] | [0xE2, 0x81, 0x9F])
            | Some([0xE3, 0x80, 0x80]) => Some(3),
            _ => None,
        },
    }
}

/// Whether `bytes` holds a character of [`unicode_space_len`] (whose first bytes are C2, E1,
/// E2 or E3). Only the fast paths' dispatch asks, and bare metal has none.
#[cfg(not(target_os = "none"))]
pub(crate) fn has_unicode_space(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| matches!(b, 0xC2 | 0xE1..=0xE3) && unicode_space_len(bytes, i).is_some())
}

/// Whether the byte `b`, after `p2` and `p1`, ends a character of [`encoded_only_char_len`]:
/// the same test for a reader that sees one byte at a time.
#[inline]
pub(crate) fn ends_encoded_only_char(p2: u8, p1: u8, b: u8) -> bool {
    matches!(
        (p2, p1, b),
        (_, 0xC2, 0x80..=0xA0)
            | (0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)
            | (0xE1, 0x9A, 0x80)
            | (0xE2, 0x81, 0x9F)
            | (0xE3, 0x80, 0x80)
    )
}

/// If `bytes[i..]` starts a character that is never written raw where encoded-words may
/// carry it, even with utf8 on: [`line_breaking_char_len`] or [`unicode_space_len`].
#[inline]
pub(crate) fn encoded_only_char_len(bytes: &[u8], i: usize) -> Option<usize> {
    line_breaking_char_len(bytes, i).or_else(|| unicode_space_len(bytes, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_the_rfc_lists() {
        let atext_specials = b"!#$%&'*+-/=?^_`{|}~";
        for b in 0u8..=255 {
            let expect_atext = b.is_ascii_alphanumeric() || atext_specials.contains(&b);
            assert_eq!(is(b, ATEXT), expect_atext, "atext {b}");
            assert_eq!(is(b, CTL), (b < 32 && b != 9) || b == 127, "ctl {b}");
            assert_eq!(
                is(b, TOKEN),
                (33..=126).contains(&b) && !b"()<>@,;:\\\"/[]?=".contains(&b),
                "token {b}"
            );
            assert_eq!(
                is(b, DTEXT),
                (33..=126).contains(&b) && !b"[]\\".contains(&b),
                "dtext {b}"
            );
        }
    }

    #[test]
    fn line_breaking_chars() {
        let s = "a\u{85}b\u{2028}\u{2029}\u{9f}\u{a0}";
        let b = s.as_bytes();
        assert_eq!(line_breaking_char_len(b, 1), Some(2));
        assert_eq!(line_breaking_char_len(b, 4), Some(3));
        assert_eq!(line_breaking_char_len(b, 7), Some(3));
        assert_eq!(line_breaking_char_len(b, 10), Some(2));
        assert_eq!(line_breaking_char_len(b, 12), None); // U+00A0 is text
        assert_eq!(char_count("é👩‍💻".as_bytes()), 4);
    }

    /// The Unicode White_Space characters above U+007F, as char::is_whitespace knows them.
    #[test]
    fn unicode_spaces_are_the_non_ascii_white_space() {
        for c in '\u{80}'..='\u{FFFF}' {
            let mut buf = [0u8; 4];
            let b = c.encode_utf8(&mut buf).as_bytes();
            let line_breaking = matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}');
            let want = c.is_whitespace() && !line_breaking;
            assert_eq!(
                unicode_space_len(b, 0),
                want.then_some(b.len()),
                "U+{:04X}",
                c as u32
            );
            assert_eq!(has_unicode_space(b), want, "U+{:04X}", c as u32);
            let either = want || line_breaking || ('\u{80}'..='\u{9F}').contains(&c);
            assert_eq!(
                encoded_only_char_len(b, 0).is_some(),
                either,
                "U+{:04X}",
                c as u32
            );
        }
        for c in '\u{80}'..='\u{10FFFF}' {
            let mut buf = [0u8; 4];
            let b = c.encode_utf8(&mut buf).as_bytes();
            let n = b.len();
            let (p2, p1) = (if n > 2 { b[n - 3] } else { 0 }, b[n - 2]);
            let want = encoded_only_char_len(b, 0).is_some();
            assert_eq!(
                ends_encoded_only_char(p2, p1, b[n - 1]),
                want,
                "U+{:04X}",
                c as u32
            );
        }
        assert!(has_unicode_space("abc\u{3000}".as_bytes()));
        assert!(!has_unicode_space("日本語 ü".as_bytes()));
    }
}
