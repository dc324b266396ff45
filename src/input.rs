//! SPEC §3 input rules shared by every class: caller folds, controls, trimming, word splitting.

#[cfg(test)]
use crate::chars::CTL;
use crate::chars::{self, WSP};
use crate::Error;

/// Accepts `CRLF`/`LF` followed by SP or HTAB (a caller's fold) and rejects every other CR or
/// LF, NUL, other C0 controls except HTAB, and DEL, pointing at the offending byte.
pub(crate) fn check_controls(value: &[u8]) -> Result<(), Error> {
    // Controls are rare: jump from one to the next with the block scan.
    let mut i = crate::scan::find_control(value, 0);
    while i < value.len() {
        let b = value[i];
        if b != b'\t' {
            let fold_len = match b {
                b'\r' if value.get(i + 1) == Some(&b'\n') => 2,
                b'\n' => 1,
                _ => 0,
            };
            match value.get(i + fold_len) {
                Some(&next) if fold_len > 0 && chars::is(next, WSP) => i += fold_len,
                _ => return Err(Error::ControlCharacter { at: i }),
            }
        }
        i = crate::scan::find_control(value, i + 1);
    }
    Ok(())
}

/// The definition of [`check_controls`], byte by byte (the fast version must agree).
#[cfg(test)]
pub(crate) fn check_controls_bytewise(value: &[u8]) -> Result<(), Error> {
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        if chars::is(b, CTL) {
            let fold_len = match b {
                b'\r' if value.get(i + 1) == Some(&b'\n') => 2,
                b'\n' => 1,
                _ => 0,
            };
            match value.get(i + fold_len) {
                Some(&next) if fold_len > 0 && chars::is(next, WSP) => i += fold_len,
                _ => return Err(Error::ControlCharacter { at: i }),
            }
        }
        i += 1;
    }
    Ok(())
}

/// True for the bytes a white-space run is made of: SP, HTAB and the CR/LF of caller folds
/// (which [`check_controls`] has already proven are followed by SP or HTAB).
#[inline(always)]
pub(crate) fn is_space(b: u8) -> bool {
    chars::is(b, WSP) || b == b'\r' || b == b'\n'
}

/// The length of the line break of a caller's fold at `i` (2 for `CRLF`, 1 for `LF`, each
/// followed by SP or HTAB), or 0 when no fold starts there. For the readers of quoted-pairs:
/// a fold right after the backslash is removed like any other (SPEC §3), and the white space
/// after it is the quoted character (`"a\` CRLF SP `b"` is `"a\ b"`). Cold: a break after
/// a backslash is rare, and the readers that call it are inlined into hot loops.
#[cold]
#[inline(never)]
pub(crate) fn fold_break_len(b: &[u8], i: usize) -> usize {
    let n = match b.get(i) {
        Some(b'\r') if b.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\n') => 1,
        _ => return 0,
    };
    if b.get(i + n).is_some_and(|&c| chars::is(c, WSP)) {
        n
    } else {
        0
    }
}

/// The value without leading and trailing white space and caller folds.
pub(crate) fn trim(value: &[u8]) -> (usize, usize) {
    let start = value
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&b| !is_space(b))
        .map_or(start, |e| e + 1);
    (start, end)
}

/// Rejects characters that split lines in some parsers (C1 controls, U+2028, U+2029) and,
/// with `utf8` off, any non-ASCII byte, in `bytes` (an excerpt starting at offset `base`).
/// Used where nothing may be encoded.
pub(crate) fn check_unencodable(bytes: &[u8], base: usize, utf8: bool) -> Result<(), Error> {
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x80 {
            if chars::line_breaking_char_len(bytes, i).is_some() {
                return Err(Error::ControlCharacter { at: base + i });
            }
            if !utf8 {
                return Err(Error::NonAscii { at: base + i });
            }
        }
    }
    Ok(())
}

/// Splits a trimmed value into (white space before, word) pairs; the first pair's white
/// space is empty.
#[derive(Clone)]
pub(crate) struct Words<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Words<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Words { bytes, pos: 0 }
    }
}

/// One word of a value and the white space before it, as offsets into the value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Word {
    pub ws_start: usize,
    pub start: usize,
    pub end: usize,
}

impl Iterator for Words<'_> {
    type Item = Word;

    #[inline]
    fn next(&mut self) -> Option<Word> {
        let b = self.bytes;
        let ws_start = self.pos;
        let mut i = ws_start;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i == b.len() {
            return None;
        }
        let start = i;
        while i < b.len() && !is_space(b[i]) {
            i += 1;
        }
        self.pos = i;
        Some(Word {
            ws_start,
            start,
            end: i,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_pass_and_everything_else_fails() {
        assert_eq!(check_controls(b"a\r\n b\n\tc"), Ok(()));
        let bad: [(&[u8], usize); 10] = [
            (b"a\r\nb", 1),
            (b"a\r\n", 1),
            (b"a\n", 1),
            (b"a\r b", 1),
            (b"a\r\r\n b", 1),
            (b"a\n\r b", 1),
            (b"ab\0", 2),
            (b"\x0b", 0),
            (b"x\x7f", 1),
            (b"\x0c", 0),
        ];
        for (value, at) in bad {
            assert_eq!(
                check_controls(value),
                Err(Error::ControlCharacter { at }),
                "{value:?}"
            );
        }
        assert_eq!(check_controls(b"tab\there"), Ok(()));
    }

    proptest! {
        #[test]
        fn fast_check_controls_matches_the_definition(v in proptest::collection::vec(prop_oneof![
            Just(b'\r'), Just(b'\n'), Just(b'\t'), Just(b' '), Just(0x7Fu8),
            0x20u8..0x7F, 0x20u8..0x7F, 0x20u8..0x7F, any::<u8>()
        ], 0..100)) {
            prop_assert_eq!(check_controls(&v), check_controls_bytewise(&v));
        }
    }

    #[test]
    fn words_and_trim() {
        let v = b"  a\r\n b  c ";
        let (s, e) = trim(v);
        assert_eq!(&v[s..e], b"a\r\n b  c");
        let w: [(usize, usize, usize); 3] = [(0, 0, 1), (1, 4, 5), (5, 7, 8)];
        let got: heapless::Vec<(usize, usize, usize), 4> = Words::new(&v[s..e])
            .map(|w| (w.ws_start, w.start, w.end))
            .collect();
        assert_eq!(got.as_slice(), &w);
    }
}
