//! ASCII structured fields (Received, DKIM-Signature, MIME-Version, List-*, ...), Date fields
//! and verbatim fields. None of them is ever encoded.

use crate::fold::{ws_width, Bound, Folder, RunChain, Width};
use crate::input::{self, Word, Words};
use crate::options::HARD_LINE_LIMIT;
use crate::{date, Error, Options};

/// Folds at the value's own white space, keeping its spacing; never encodes. Non-ASCII is an
/// error unless `utf8` is on. White space inside a quoted-string is no fold point (SPEC §3),
/// unless the quoted-string could not fit on a line of 998 octets: RFC 5322 allows FWS there,
/// which beats refusing the field. Comments may fold (FWS is ccontent).
pub(crate) fn format(f: &mut Folder<'_, '_>, value: &str, options: &Options) -> Result<(), Error> {
    let bytes = value.as_bytes();
    let (start, end) = input::trim(bytes);
    // `get` instead of indexing, here and below: the ranges are always in bounds, and this
    // keeps panic paths out of release builds (scripts/check-no-panic.sh).
    let text = bytes.get(start..end).unwrap_or_default();
    input::check_unencodable(text, start, options.utf8)?;
    let width_of = |token: &[u8]| {
        if options.utf8 {
            Width::of(token)
        } else {
            Width::ascii(token.len())
        }
    };
    let mut lex = Lexer::default();
    let mut words = Words::new(text);
    let mut first = true;
    while let Some(word) = words.next() {
        let ws = if first {
            b" ".as_slice()
        } else {
            text.get(word.ws_start..word.start).unwrap_or_default()
        };
        let token = next_token(word, &mut words, &mut lex, text, &width_of);
        // A run of several white-space characters after the token may need part of it kept
        // on the token's line: see `RunChain`.
        let mut after = text.get(token.end..).unwrap_or_default().iter();
        let long_run_next = after.next().is_some_and(|&b| input::is_space(b))
            && after.next().is_some_and(|&b| input::is_space(b));
        if long_run_next {
            let cap = run_cap(&words, lex, text, f.soft_limit(), &width_of);
            f.space_capped(ws, token.width, cap, true)?;
        } else {
            f.space(ws, token.width, false)?;
        }
        first = false;
        // The token as given, without the CR/LF of the caller's folds inside a quoted-string.
        let span = text.get(word.start..token.end).unwrap_or_default();
        for piece in span.split(|&b| b == b'\r' || b == b'\n') {
            f.put(piece, width_of(piece));
        }
    }
    Ok(())
}

/// What goes on a line whole: a word, or a quoted-string with the white space inside it.
struct Token {
    /// Where it ends in the text.
    end: usize,
    /// Its width, without the CR/LF of caller's folds inside it.
    width: Width,
}

/// The token that `word` starts; `words` and `lex` move past it. A quoted-string this word
/// opens and a later one closes goes on one line whole (SPEC §3: no fold inside a
/// quoted-string), unless it could not fit on a line of 998 octets: then, like one left open
/// by an earlier word, it folds at its white space (RFC 5322 allows FWS there, which beats
/// refusing the field), a word at a time. Comments may fold (FWS is ccontent).
fn next_token(
    word: Word,
    words: &mut Words<'_>,
    lex: &mut Lexer,
    text: &[u8],
    width_of: &impl Fn(&[u8]) -> Width,
) -> Token {
    lex.scan(text.get(word.start..word.end).unwrap_or_default());
    if lex.quoted && lex.opened {
        if let Some((last, rest, after)) = close_quote(words, *lex, text) {
            let span = text.get(word.start..last).unwrap_or_default();
            let breaks = span.iter().filter(|&&b| b == b'\r' || b == b'\n').count();
            let w = width_of(span);
            let width = Width {
                chars: w.chars - breaks,
                bytes: w.bytes - breaks,
            };
            if width.bytes < HARD_LINE_LIMIT {
                *words = rest;
                *lex = after;
                return Token { end: last, width };
            }
        }
    }
    Token {
        end: word.end,
        width: width_of(text.get(word.start..word.end).unwrap_or_default()),
    }
}

/// [`RunChain::cap`] for the token before `words` (`lex` the lexer after it): in characters
/// against the soft limit and 998 octets, and in octets against 998 alone (a field that is
/// never encoded has no other way to keep a token after a long run within 998): the runs and
/// tokens after it, read as [`format`] reads them, until a run of one character ends the
/// chain.
#[cold]
#[inline(never)]
fn run_cap(
    words: &Words<'_>,
    lex: Lexer,
    text: &[u8],
    soft: usize,
    width_of: &impl Fn(&[u8]) -> Width,
) -> Bound {
    let mut chain = RunChain::new(soft);
    let (mut look, mut lex) = (words.clone(), lex);
    while let Some(word) = look.next() {
        if !chain.run(ws_width(
            text.get(word.ws_start..word.start).unwrap_or_default(),
        )) {
            break;
        }
        chain.word(next_token(word, &mut look, &mut lex, text, width_of).width);
    }
    chain.cap()
}

/// Where the quoted-string left open after the words so far (`lex`) closes: the end of the
/// word that closes it, the words after that one and the lexer state after it. `None` when
/// no later word closes it.
fn close_quote<'a>(
    words: &Words<'a>,
    mut lex: Lexer,
    text: &[u8],
) -> Option<(usize, Words<'a>, Lexer)> {
    let mut look = words.clone();
    while let Some(w) = look.next() {
        lex.scan(text.get(w.start..w.end).unwrap_or_default());
        if !lex.quoted {
            return Some((w.end, look, lex));
        }
    }
    None
}

/// Just enough RFC 5322 lexing to tell quoted-strings: a `"` outside comments opens or closes
/// one, `(`/`)` nest comments outside quoted-strings, `\` escapes the next character in both.
#[derive(Clone, Copy, Default)]
struct Lexer {
    quoted: bool,
    /// Whether the quoted-string open after the last [`Lexer::scan`] was opened by it.
    opened: bool,
    depth: usize,
    escaped: bool,
}

impl Lexer {
    /// Scans one word. Words are separated by white space, so a `\` that ended the last
    /// word escaped that white space and nothing in this one.
    fn scan(&mut self, bytes: &[u8]) {
        self.opened = false;
        self.escaped = false;
        for &b in bytes {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' && (self.quoted || self.depth > 0) {
                self.escaped = true;
            } else if self.quoted {
                self.quoted = b != b'"';
            } else if b == b'(' {
                self.depth += 1;
            } else if b == b')' {
                self.depth = self.depth.saturating_sub(1);
            } else if b == b'"' && self.depth == 0 {
                self.quoted = true;
                self.opened = true;
            }
        }
    }
}

/// `Date` and `Resent-Date`: an RFC 5322 date-time, then formatted as ASCII structured.
pub(crate) fn format_date_field(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    // Line separators and non-ASCII first, with the errors every unencodable field gives.
    input::check_unencodable(value.as_bytes(), 0, options.utf8)?;
    date::check_date_time(value.as_bytes())?;
    format(f, value, options)
}

/// Writes the value exactly as given after `Name: `. Its line breaks must already be folds
/// (checked before this is called); each is written with the chosen line ending. Every line
/// must fit in 998 octets, and a continuation line must hold more than white space
/// (RFC 5322 §3.2.2), else the break that ends the blank line (or the line's start, for the
/// last) is reported as a control character.
pub(crate) fn format_verbatim(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let bytes = value.as_bytes();
    input::check_unencodable(bytes, 0, options.utf8)?;
    if bytes.is_empty() {
        // Nothing to write: `Folder::end` writes `Name: `, or `Name:` alone where the space
        // would pass 998 octets, as for an empty value of any other class.
        return Ok(());
    }
    let eol = options.line_ending.bytes();
    // After a 997-octet name the space would make a 999-octet line: a value that starts with
    // a fold goes without it (`Name:` alone, as for an empty value in `Folder::end`).
    let mut line_len = f.column_bytes();
    if !(matches!(bytes[0], b'\r' | b'\n') && line_len + 1 > HARD_LINE_LIMIT) {
        line_len += 1;
        f.put_byte(b' ');
    }
    let mut seg_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' | b'\n' => {
                let seg = bytes.get(seg_start..i).unwrap_or_default();
                if seg_start > 0 && seg.iter().all(|&c| c == b' ' || c == b'\t') {
                    return Err(Error::ControlCharacter { at: i });
                }
                if line_len + seg.len() > HARD_LINE_LIMIT {
                    return Err(Error::LineTooLong);
                }
                f.sink().write(seg);
                f.sink().write(eol);
                i += if bytes[i] == b'\r' { 2 } else { 1 };
                seg_start = i;
                line_len = 0;
            }
            _ => i += 1,
        }
    }
    let seg = bytes.get(seg_start..).unwrap_or_default();
    if seg_start > 0 && seg.iter().all(|&c| c == b' ' || c == b'\t') {
        // The last break opens a line of nothing but white space.
        let brk = bytes
            .get(..seg_start)
            .unwrap_or_default()
            .iter()
            .rposition(|&c| c == b'\n')
            .unwrap_or(0);
        let brk = if brk.checked_sub(1).and_then(|p| bytes.get(p)) == Some(&b'\r') {
            brk - 1
        } else {
            brk
        };
        return Err(Error::ControlCharacter { at: brk });
    }
    if line_len + seg.len() > HARD_LINE_LIMIT {
        return Err(Error::LineTooLong);
    }
    f.sink().write(seg);
    f.mark_written();
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check_structure, fmt, fmt_class, fmt_with};
    use crate::{Error, FieldClass, LineEnding, Options};

    #[test]
    fn ascii_structured_folds_at_white_space_and_never_encodes() {
        let v = "from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.org with ESMTPS id 4a5b6c7d for <jd@example.com>; Sun, 29 Nov 2026 01:45:15 +0000";
        let out = fmt("Received", v).unwrap();
        check_structure(&out, 78);
        assert_eq!(out.replace("\r\n", ""), ["Received: ", v].concat());
        assert_eq!(fmt("Received", "from höst"), Err(Error::NonAscii { at: 6 }));
        assert_eq!(
            fmt("MIME-Version", "1.0 =?x?="),
            Ok("MIME-Version: 1.0 =?x?=\r\n".into())
        );
        let utf8 = Options::default().with_utf8(true);
        assert_eq!(
            fmt_with("Received", "from höst", &utf8).unwrap(),
            "Received: from höst\r\n"
        );
        assert_eq!(
            fmt_with("Received", "a\u{2029}b", &utf8),
            Err(Error::ControlCharacter { at: 1 })
        );
        // "ARC-Seal: " + 988 = 998 octets; 989 needs the fold after the colon; 998 cannot fit.
        let long = "x".repeat(998);
        assert_eq!(
            fmt("ARC-Seal", &long[..988]).unwrap(),
            ["ARC-Seal: ", &long[..988], "\r\n"].concat()
        );
        assert_eq!(
            fmt("ARC-Seal", &long[..989]).unwrap(),
            ["ARC-Seal:\r\n ", &long[..989], "\r\n"].concat()
        );
        assert_eq!(fmt("ARC-Seal", &long), Err(Error::LineTooLong));
    }

    #[test]
    fn dates_are_validated() {
        assert_eq!(
            fmt("Date", "Thu, 01 Jan 1970 00:00:00 +0000").unwrap(),
            "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
        );
        assert_eq!(
            fmt("Resent-Date", "Thu, 01 Jan 70 00:00:00 GMT"),
            Err(Error::InvalidDate)
        );
        assert_eq!(fmt("Date", "yesterday"), Err(Error::InvalidDate));
        assert_eq!(fmt("Date", ""), Err(Error::InvalidDate));
        let sep = "Thu, 01 Jan 1970\u{2028}00:00:00 +0000";
        assert_eq!(fmt("Date", sep), Err(Error::ControlCharacter { at: 16 }));
        let utf8 = Options::default().with_utf8(true);
        assert_eq!(
            fmt_with("Date", sep, &utf8),
            Err(Error::ControlCharacter { at: 16 })
        );
    }

    #[test]
    fn verbatim_is_written_as_given() {
        let o = Options::default();
        let v = "v=1; a=rsa-sha256; d=example.com;\r\n\th=from:to; b=abc  def";
        assert_eq!(
            fmt_class("DKIM-Signature", FieldClass::Verbatim, v, &o).unwrap(),
            ["DKIM-Signature: ", v, "\r\n"].concat()
        );
        let lf = Options::default().with_line_ending(LineEnding::Lf);
        assert_eq!(
            fmt_class("X", FieldClass::Verbatim, "a\r\n b\n c", &lf).unwrap(),
            "X: a\n b\n c\n"
        );
        assert_eq!(
            fmt_class("X", FieldClass::Verbatim, "a\r\nb", &o),
            Err(Error::ControlCharacter { at: 1 })
        );
        assert_eq!(
            fmt_class("X", FieldClass::Verbatim, "é", &o),
            Err(Error::NonAscii { at: 0 })
        );
        // "X: " + 995 = 998 octets is the longest first line.
        let long = "y".repeat(995);
        assert!(fmt_class("X", FieldClass::Verbatim, &long, &o).is_ok());
        assert_eq!(
            fmt_class("X", FieldClass::Verbatim, &[&long, "y"].concat(), &o),
            Err(Error::LineTooLong)
        );
        let second = ["a\r\n ", &"z".repeat(998)].concat();
        assert_eq!(
            fmt_class("X", FieldClass::Verbatim, &second, &o),
            Err(Error::LineTooLong)
        );
        assert!(fmt_class("X", FieldClass::Verbatim, &second[..second.len() - 1], &o).is_ok());
    }

    #[test]
    fn forced_classes() {
        let o = Options::default();
        assert_eq!(
            fmt_class("Subject", FieldClass::MsgId, "a@b", &o).unwrap(),
            "Subject: <a@b>\r\n"
        );
        assert_eq!(
            fmt_class("Message-ID", FieldClass::Unstructured, "é", &o).unwrap(),
            "Message-ID: =?utf-8?b?w6k=?=\r\n"
        );
        assert_eq!(
            fmt_class("X-To", FieldClass::Address, "a@b", &o).unwrap(),
            "X-To: a@b\r\n"
        );
        assert_eq!(
            fmt_class("X-RP", FieldClass::ReturnPath, "a@b", &o).unwrap(),
            "X-RP: <a@b>\r\n"
        );
        assert_eq!(
            fmt_class("X-A", FieldClass::AsciiStructured, "é", &o),
            Err(Error::NonAscii { at: 0 })
        );
    }

    #[test]
    fn names_and_options_are_checked_first() {
        assert_eq!(fmt("", "x"), Err(Error::InvalidName));
        assert_eq!(fmt("Sub:ject", "x"), Err(Error::InvalidName));
        assert_eq!(fmt("Subject\r\nBcc", "x"), Err(Error::InvalidName));
        for bad in [0, 39, 999, usize::MAX] {
            let o = Options::default().with_max_line_len(bad);
            assert_eq!(fmt_with("Subject", "x", &o), Err(Error::InvalidOption));
        }
        for good in [40, 998] {
            let o = Options::default().with_max_line_len(good);
            assert!(fmt_with("Subject", "x", &o).is_ok());
        }
        let long_name = "X".repeat(998);
        assert_eq!(fmt(&long_name, "x"), Err(Error::LineTooLong));
        // `Name:` is 998 octets; the space of `Name: ` would make the line 999 (SPEC §3).
        assert_eq!(
            fmt(&long_name[..997], "").unwrap(),
            [&long_name[..997], ":\r\n"].concat()
        );
        assert_eq!(
            fmt(&long_name[..996], "").unwrap(),
            [&long_name[..996], ": \r\n"].concat()
        );
    }
}
