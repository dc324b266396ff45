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
}
