//! Phrases (RFC 5322 §3.2.5): display names, group names, Keywords, the List-Id description.
//!
//! A phrase has a literal text (what a reader should see) and is written in the first form
//! that carries it exactly: plain atoms separated by single spaces; else a quoted-string with
//! `"` and `\` escaped; else, when it holds non-ASCII (with `utf8` off), a line separator or
//! `=?`, RFC 2047 encoded-words restricted to the phrase-safe set (RFC 2047 §5(3)).

use crate::chars::{self, ATEXT, QTEXT};
use crate::encoded_word::{self, Context, Text};
use crate::fold::{Folder, Width};
use crate::input::{self, is_space};
use crate::{Error, Options};

/// Where a phrase's literal text comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Source<'a> {
    /// Text taken literally (a structured display name); only caller folds are removed.
    Literal(&'a [u8]),
    /// A phrase in RFC 5322 text form that [`check_text_phrase`] accepted: quoted-strings
    /// are unquoted and white space between words becomes one space.
    Text(&'a [u8]),
}

impl<'a> Source<'a> {
    fn literal(self) -> Text<'a> {
        match self {
            Source::Literal(b) => Text::unfolded(b),
            Source::Text(b) => Text::Phrase(TextPhrase {
                raw: b,
                pos: 0,
                quoted: false,
            }),
        }
    }
}

/// Iterates the literal text of a trimmed, valid text-form phrase.
#[derive(Clone)]
pub(crate) struct TextPhrase<'a> {
    raw: &'a [u8],
    pos: usize,
    quoted: bool,
}

impl Iterator for TextPhrase<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        loop {
            let b = *self.raw.get(self.pos)?;
            self.pos += 1;
            if self.quoted {
                match b {
                    b'"' => self.quoted = false,
                    b'\\' => {
                        let escaped = *self.raw.get(self.pos)?;
                        self.pos += 1;
                        return Some(escaped);
                    }
                    b'\r' | b'\n' => {}
                    _ => return Some(b),
                }
            } else if b == b'"' {
                self.quoted = true;
            } else if is_space(b) {
                while self.raw.get(self.pos).is_some_and(|&c| is_space(c)) {
                    self.pos += 1;
                }
                return Some(b' ');
            } else {
                return Some(b);
            }
        }
    }
}

/// Checks a text-form phrase: words that are atoms (with `.`, as RFC 5322's obs-phrase allows
/// and people write in "John Q. Public") or quoted-strings, UTF-8 allowed. Returns the offset
/// of the first byte that does not belong.
pub(crate) fn check_text_phrase(raw: &[u8]) -> Result<(), usize> {
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b == b'"' {
            i += 1;
            loop {
                match raw.get(i) {
                    None => return Err(raw.len()),
                    Some(b'"') => break,
                    Some(b'\\') => match raw.get(i + 1) {
                        Some(&c) if c != b'\r' && c != b'\n' => i += 1,
                        _ => return Err(i),
                    },
                    Some(&c) if c >= 0x80 || chars::is(c, QTEXT) || is_space(c) => {}
                    Some(_) => return Err(i),
                }
                i += 1;
            }
        } else if !(b >= 0x80 || b == b'.' || chars::is(b, ATEXT) || is_space(b)) {
            return Err(i);
        }
        i += 1;
    }
    Ok(())
}

/// How a phrase will be written.
enum Form {
    Atoms,
    Quoted(Width),
    Encoded,
}

fn choose_form(lit: Text<'_>, options: &Options) -> Form {
    let mut atoms = true;
    let mut quoted = Width::ascii(2);
    let (mut p2, mut p1) = (0u8, b' ');
    let mut empty = true;
    for b in lit {
        empty = false;
        if b >= 0x80 {
            if !options.utf8 {
                return Form::Encoded;
            }
            let c1 = p1 == 0xC2 && (0x80..=0x9F).contains(&b);
            let ls = p2 == 0xE2 && p1 == 0x80 && (b == 0xA8 || b == 0xA9);
            if c1 || ls {
                return Form::Encoded;
            }
        } else if p1 == b'=' && b == b'?' {
            return Form::Encoded;
        }
        if b == b' ' {
            atoms &= p1 != b' ';
        } else if !(chars::is(b, ATEXT) || b >= 0x80) {
            atoms = false;
        }
        if b == b'"' || b == b'\\' {
            quoted = quoted.plus(Width::ascii(1));
        }
        quoted.bytes += 1;
        if (b as i8) >= -0x40 {
            quoted.chars += 1;
        }
        p2 = p1;
        p1 = b;
    }
    // p1 starts as a space so that a leading space already fails the atom test.
    if atoms && !empty && p1 != b' ' {
        Form::Atoms
    } else {
        Form::Quoted(quoted)
    }
}

/// The width of the phrase written on one line, if it can be (atoms, a quoted-string, or a
/// single encoded-word).
pub(crate) fn one_line_width(src: Source<'_>, options: &Options) -> Option<Width> {
    match choose_form(src.literal(), options) {
        Form::Quoted(w) => Some(w),
        Form::Atoms => Some(Width::of_iter(src.literal())),
        Form::Encoded => {
            encoded_word::single_word_len(src.literal(), Context::Phrase, options.encoding)
                .map(Width::ascii)
        }
    }
}

/// Writes a phrase, the first token preceded by `ws`, the last followed by `glue`.
pub(crate) fn write(
    f: &mut Folder<'_, '_>,
    ws: &[u8],
    src: Source<'_>,
    options: &Options,
    glue: &[u8],
) -> Result<(), Error> {
    let glue_w = Width::ascii(glue.len());
    match choose_form(src.literal(), options) {
        Form::Encoded => encoded_word::write_run(
            f,
            ws,
            src.literal(),
            Context::Phrase,
            options.encoding,
            glue,
        ),
        Form::Quoted(width) => {
            f.space(ws, width.plus(glue_w), false)?;
            let sink = f.sink();
            sink.byte(b'"');
            for b in src.literal() {
                if b == b'"' || b == b'\\' {
                    sink.byte(b'\\');
                }
                sink.byte(b);
            }
            sink.byte(b'"');
            f.advance(width);
            f.put_ascii(glue);
            Ok(())
        }
        Form::Atoms => {
            let mut lit = src.literal();
            let mut ws = ws;
            loop {
                let mut probe = lit.clone();
                let mut w = Width::default();
                let mut last = true;
                for b in probe.by_ref() {
                    if b == b' ' {
                        last = false;
                        break;
                    }
                    w.bytes += 1;
                    if (b as i8) >= -0x40 {
                        w.chars += 1;
                    }
                }
                f.space(ws, if last { w.plus(glue_w) } else { w }, false)?;
                let sink = f.sink();
                for b in lit.by_ref().take(w.bytes) {
                    sink.byte(b);
                }
                f.advance(w);
                if last {
                    f.put_ascii(glue);
                    return Ok(());
                }
                lit.next();
                ws = b" ";
            }
        }
    }
}

/// Writes a text-form phrase found at byte `base` of the value (List-Id's description).
pub(crate) fn write_text_phrase(
    f: &mut Folder<'_, '_>,
    raw: &str,
    base: usize,
    options: &Options,
    glue: &[u8],
) -> Result<(), Error> {
    let bytes = raw.as_bytes();
    let (s, e) = input::trim(bytes);
    // `get` instead of indexing, here and below: the ranges are always in bounds, and this
    // keeps panic paths out of release builds (scripts/check-no-panic.sh).
    let text = bytes.get(s..e).unwrap_or_default();
    check_text_phrase(text).map_err(|at| Error::InvalidAddress { at: base + s + at })?;
    write(f, b" ", Source::Text(text), options, glue)
}

/// Keywords (RFC 5322 §3.6.5): comma-separated phrases. Each element that is a valid phrase
/// is read as one (quoted-strings may hold commas); any other element is taken literally.
/// Empty elements are skipped.
pub(crate) fn format_keywords(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let b = value.as_bytes();
    let mut pos = 0;
    let mut pending: Option<(usize, usize)> = None;
    while pos <= b.len() {
        let end = next_comma(b, pos);
        let (s, e) = input::trim(b.get(pos..end).unwrap_or_default());
        if s < e {
            if let Some(prev) = pending.take() {
                write_keyword(f, b, prev, options, b",")?;
            }
            pending = Some((pos + s, pos + e));
        }
        pos = end + 1;
    }
    if let Some(last) = pending {
        write_keyword(f, b, last, options, b"")?;
    }
    Ok(())
}

fn write_keyword(
    f: &mut Folder<'_, '_>,
    b: &[u8],
    (s, e): (usize, usize),
    options: &Options,
    glue: &[u8],
) -> Result<(), Error> {
    let raw = b.get(s..e).unwrap_or_default();
    let src = if check_text_phrase(raw).is_ok() {
        Source::Text(raw)
    } else {
        Source::Literal(raw)
    };
    if let Some(w) = one_line_width(src, options) {
        f.keep_together(b" ", w.plus(Width::ascii(glue.len())));
    }
    write(f, b" ", src, options, glue)
}

/// The next comma at or after `pos` outside a quoted-string, or the end.
fn next_comma(b: &[u8], mut pos: usize) -> usize {
    let mut quoted = false;
    while pos < b.len() {
        match b[pos] {
            b'"' => quoted = !quoted,
            b'\\' if quoted => pos += 1,
            b',' if !quoted => return pos,
            _ => {}
        }
        pos += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check_structure, fmt};

    #[test]
    fn keywords_are_phrases() {
        assert_eq!(
            fmt("Keywords", "rust, e-mail,, folding ").unwrap(),
            "Keywords: rust, e-mail, folding\r\n"
        );
        assert_eq!(
            fmt("Keywords", "\"a, b\", c.d").unwrap(),
            "Keywords: \"a, b\", \"c.d\"\r\n"
        );
        assert_eq!(
            fmt("Keywords", "café, thé").unwrap(),
            "Keywords: =?utf-8?b?Y2Fmw6k=?= , =?utf-8?q?th=C3=A9?=\r\n"
        );
        // An element that is not phrase syntax is taken literally, and quoted.
        assert_eq!(
            fmt("Keywords", "50% off (today)").unwrap(),
            "Keywords: \"50% off (today)\"\r\n"
        );
        let many: std::vec::Vec<std::string::String> =
            (0..40).map(|i| std::format!("keyword{i}")).collect();
        let out = fmt("Keywords", &many.join(", ")).unwrap();
        check_structure(&out, 78);
        assert_eq!(
            out.replace("\r\n", ""),
            ["Keywords: ", &many.join(", ")].concat()
        );
    }

    #[test]
    fn text_phrase_syntax() {
        use super::check_text_phrase;
        assert_eq!(check_text_phrase(b"John Q. Public"), Ok(()));
        assert_eq!(check_text_phrase(b"\"a, b\" c"), Ok(()));
        assert_eq!(check_text_phrase(b"a, b"), Err(1));
        assert_eq!(check_text_phrase(b"\"open"), Err(5));
        assert_eq!(check_text_phrase(b"a@b"), Err(1));
    }
}
