//! msg-id fields (RFC 5322 §3.6.4), List-Id (RFC 2919) and new ids.
//!
//! An id is never encoded and never folded inside: `<id-left@id-right>` is one token, and
//! folds go only between ids. Validation is strict (no obsolete syntax) because a malformed
//! id is what makes receiving servers reject or rewrite a message.

use crate::chars::{self, ATEXT, DTEXT};
use crate::fold::{Folder, Width};
use crate::input::is_space;
use crate::sink::SliceSink;
use crate::{phrase, Error, Options};

/// A msg-id found in a value: `start..end` is the whole token, brackets included when the
/// caller wrote them.
struct Id {
    start: usize,
    end: usize,
    bracketed: bool,
}

/// Parses the next msg-id at or after `pos`; `None` at the end of the value.
fn next_id(b: &[u8], mut pos: usize, utf8: bool) -> Result<Option<Id>, Error> {
    while pos < b.len() && is_space(b[pos]) {
        pos += 1;
    }
    if pos == b.len() {
        return Ok(None);
    }
    // `get` instead of indexing where the compiler cannot see the bound, here and below: the
    // indices are always in range, and this keeps panic paths out of release builds
    // (scripts/check-no-panic.sh).
    if b.get(pos) == Some(&b'<') {
        let mut close = pos + 1;
        while close < b.len() && b[close] != b'>' {
            if b[close] == b'<' || is_space(b[close]) {
                return Err(Error::InvalidMsgId { at: close });
            }
            close += 1;
        }
        if close == b.len() {
            return Err(Error::InvalidMsgId { at: close });
        }
        check_id(b, pos + 1, close, utf8)?;
        let end = close + 1;
        if end < b.len() && !is_space(b[end]) && b[end] != b'<' {
            return Err(Error::InvalidMsgId { at: end });
        }
        Ok(Some(Id {
            start: pos,
            end,
            bracketed: true,
        }))
    } else {
        let mut end = pos;
        while end < b.len() && !is_space(b[end]) && b[end] != b'<' {
            if b[end] == b'>' {
                return Err(Error::InvalidMsgId { at: end });
            }
            end += 1;
        }
        check_id(b, pos, end, utf8)?;
        Ok(Some(Id {
            start: pos,
            end,
            bracketed: false,
        }))
    }
}

/// Checks `id-left "@" id-right` in `b[start..end]`: a dot-atom-text, and a dot-atom-text or a
/// `[dtext]` literal; no `=?` anywhere (it would read as an encoded-word).
fn check_id(b: &[u8], start: usize, end: usize, utf8: bool) -> Result<(), Error> {
    let err = |at| Error::InvalidMsgId { at };
    let id = b.get(start..end).unwrap_or_default();
    if let Some(i) = id.windows(2).position(|w| w == b"=?") {
        return Err(err(start + i));
    }
    let at = id
        .iter()
        .position(|&c| c == b'@')
        .map_or(end, |i| start + i);
    check_dot_atom(b, start, at, utf8).map_err(|e| e.unwrap_or(err(at)))?;
    if at == end {
        return Err(err(end));
    }
    if b.get(at + 1) == Some(&b'[') {
        let close = end - 1;
        if close <= at + 1 || b.get(close) != Some(&b']') {
            return Err(err(end));
        }
        let mut i = at + 2;
        while i < close {
            let Some(&c) = b.get(i) else { break };
            if c >= 0x80 {
                i += check_non_ascii(b, i, utf8, err)?;
                continue;
            }
            if !chars::is(c, DTEXT) {
                return Err(err(i));
            }
            i += 1;
        }
        Ok(())
    } else {
        check_dot_atom(b, at + 1, end, utf8).map_err(|e| e.unwrap_or(err(end)))
    }
}

/// Checks that `b[start..end]` is a dot-atom-text (RFC 5322 §3.2.3; RFC 6532 UTF-8 with
/// `utf8`). `Err(None)` means it is empty; the caller knows where that is best reported.
fn check_dot_atom(b: &[u8], start: usize, end: usize, utf8: bool) -> Result<(), Option<Error>> {
    let err = |at| Error::InvalidMsgId { at };
    if start == end {
        return Err(None);
    }
    let mut after_dot = true;
    let mut i = start;
    while i < end {
        let Some(&c) = b.get(i) else { break };
        if c >= 0x80 {
            i += check_non_ascii(b, i, utf8, err)?;
            after_dot = false;
            continue;
        }
        if c == b'.' {
            if after_dot {
                return Err(Some(err(i)));
            }
            after_dot = true;
        } else if chars::is(c, ATEXT) {
            after_dot = false;
        } else {
            return Err(Some(err(i)));
        }
        i += 1;
    }
    if after_dot {
        return Err(Some(err(end - 1)));
    }
    Ok(())
}

/// A non-ASCII character inside an id: allowed only with `utf8`, and never a line separator.
/// Returns its length.
fn check_non_ascii(
    b: &[u8],
    i: usize,
    utf8: bool,
    err: impl Fn(usize) -> Error,
) -> Result<usize, Error> {
    if chars::line_breaking_char_len(b, i).is_some() {
        return Err(Error::ControlCharacter { at: i });
    }
    if !utf8 {
        return Err(err(i));
    }
    Ok(chars::utf8_len(b[i]))
}

/// Writes one or more msg-ids separated by one space or a fold; `one` allows exactly one.
pub(crate) fn format(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
    one: bool,
) -> Result<(), Error> {
    let b = value.as_bytes();
    let mut pos = 0;
    let mut count = 0;
    while let Some(id) = next_id(b, pos, options.utf8)? {
        if one && count == 1 {
            return Err(Error::InvalidMsgId { at: id.start });
        }
        let token = b.get(id.start..id.end).unwrap_or_default();
        let tw = if options.utf8 {
            Width::of(token)
        } else {
            Width::ascii(token.len())
        };
        if id.bracketed {
            f.space(b" ", tw, false)?;
            f.put(token, tw);
        } else {
            f.space(b" ", tw.plus(Width::ascii(2)), false)?;
            f.put_byte(b'<');
            f.put(token, tw);
            f.put_byte(b'>');
        }
        count += 1;
        pos = id.end;
    }
    if count == 0 {
        return Err(Error::InvalidMsgId { at: b.len() });
    }
    Ok(())
}

/// List-Id (RFC 2919): an optional phrase, written like a display name, and a `<list-id>`
/// (a dot-atom-text, never encoded). A bare list-id is bracketed.
pub(crate) fn format_list_id(
    f: &mut Folder<'_, '_>,
    value: &str,
    options: &Options,
) -> Result<(), Error> {
    let b = value.as_bytes();
    let (start, end) = crate::input::trim(b);
    if start == end {
        return Err(Error::InvalidMsgId { at: end });
    }
    let (phrase_end, id_start, id_end) = if b.get(end - 1) == Some(&b'>') {
        let open = b
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .rposition(|&c| c == b'<')
            .map(|i| start + i)
            .ok_or(Error::InvalidMsgId { at: end - 1 })?;
        (open, open + 1, end - 1)
    } else {
        (start, start, end)
    };
    let id = b.get(id_start..id_end).unwrap_or_default();
    if let Some(i) = id.windows(2).position(|w| w == b"=?") {
        return Err(Error::InvalidMsgId { at: id_start + i });
    }
    check_dot_atom(b, id_start, id_end, options.utf8)
        .map_err(|e| e.unwrap_or(Error::InvalidMsgId { at: id_end }))?;
    let phrase = value.get(start..phrase_end).unwrap_or_default();
    if !phrase.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
        phrase::write_text_phrase(f, phrase, start, options, b"")?;
    }
    let tw = if options.utf8 {
        Width::of(id)
    } else {
        Width::ascii(id.len())
    };
    f.space(b" ", tw.plus(Width::ascii(2)), false)?;
    f.put_byte(b'<');
    f.put(id, tw);
    f.put_byte(b'>');
    Ok(())
}

/// `<` + the 32 lowercase hex digits of a UUID v4 made from `random` + `@` + domain + `>`.
pub(crate) fn write_new_id(
    sink: &mut SliceSink<'_>,
    random: &[u8; 16],
    domain: &str,
) -> Result<(), Error> {
    let b = domain.as_bytes();
    if let Some(i) = b.iter().position(|&c| c >= 0x80) {
        return Err(Error::NonAscii { at: i });
    }
    if let Some(i) = b.windows(2).position(|w| w == b"=?") {
        return Err(Error::InvalidMsgId { at: i });
    }
    check_dot_atom(b, 0, b.len(), false).map_err(|e| e.unwrap_or(Error::InvalidMsgId { at: 0 }))?;
    let uuid = uuid::Builder::from_random_bytes(*random).into_uuid();
    let mut hex = [0u8; uuid::fmt::Simple::LENGTH];
    uuid.simple().encode_lower(&mut hex);
    sink.byte(b'<');
    sink.write(&hex);
    sink.byte(b'@');
    sink.write(b);
    sink.byte(b'>');
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check_structure, fmt, fmt_with};
    use crate::{make_msg_id, Error, Options};

    const SEED: &str = "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>";

    #[test]
    fn seed_message_id_is_one_line() {
        assert_eq!(
            fmt("Message-ID", SEED).unwrap(),
            ["Message-ID: ", SEED, "\r\n"].concat()
        );
        // Also with the soft limit at its minimum: an id is never broken or encoded.
        let narrow = Options::default().with_max_line_len(40);
        assert_eq!(
            fmt_with("Message-ID", SEED, &narrow).unwrap(),
            ["Message-ID: ", SEED, "\r\n"].concat()
        );
    }

    #[test]
    fn bare_ids_are_bracketed_and_lists_fold_between_ids() {
        assert_eq!(
            fmt("Message-ID", " a.b@c.d ").unwrap(),
            "Message-ID: <a.b@c.d>\r\n"
        );
        assert_eq!(
            fmt("References", "<a@b><c@d>  e@f").unwrap(),
            "References: <a@b> <c@d> <e@f>\r\n"
        );
        let ids: std::vec::Vec<std::string::String> = (0..30)
            .map(|i| std::format!("<{}id.{i}@{}.example.com>", "x".repeat(i), "h".repeat(20)))
            .collect();
        let out = fmt("References", &ids.join(" ")).unwrap();
        check_structure(&out, 78);
        for id in &ids {
            assert!(out.contains(id.as_str()), "{id} broken in {out}");
        }
        assert!(!out.contains("=?"));
    }

    #[test]
    fn first_id_stays_on_the_name_line_unless_998_forces_a_fold() {
        // "References: " is 12 octets; an id of 986 fills the line to 998.
        let id = std::format!("<{}@b>", "a".repeat(982));
        assert_eq!(id.len(), 986);
        assert_eq!(
            fmt("References", &id).unwrap(),
            ["References: ", &id, "\r\n"].concat()
        );
        let id = std::format!("<{}@b>", "a".repeat(983));
        assert_eq!(
            fmt("References", &id).unwrap(),
            ["References:\r\n ", &id, "\r\n"].concat()
        );
        let id = std::format!("<{}@b>", "a".repeat(994));
        assert_eq!(id.len(), 998);
        assert_eq!(fmt("References", &id), Err(Error::LineTooLong));
    }

    #[test]
    fn invalid_ids_point_at_the_problem() {
        let cases: [(&str, usize); 14] = [
            ("", 0),
            ("<a b@c>", 2),
            ("<a@@b>", 3),
            ("<@b>", 1),
            ("<a@>", 3),
            ("<a@b", 4),
            ("<a..b@c>", 3),
            ("<.a@c>", 1),
            ("<a.@c>", 2),
            ("(comment) <a@b>", 0),
            ("<a@b>x", 5),
            ("a>b@c", 1),
            ("<a=?b@c>", 2),
            ("<a@b> <c@d>", 6),
        ];
        for (v, at) in cases {
            assert_eq!(
                fmt("Message-ID", v),
                Err(Error::InvalidMsgId { at }),
                "{v:?}"
            );
        }
        assert_eq!(
            fmt("Message-ID", "<é@b>"),
            Err(Error::InvalidMsgId { at: 1 })
        );
        assert_eq!(
            fmt("Message-ID", "<a\u{2028}@b>"),
            Err(Error::ControlCharacter { at: 2 })
        );
        let utf8 = Options::default().with_utf8(true);
        assert_eq!(
            fmt_with("Message-ID", "<é@b>", &utf8).unwrap(),
            "Message-ID: <é@b>\r\n"
        );
        assert_eq!(
            fmt_with("Message-ID", "<a\u{85}@b>", &utf8),
            Err(Error::ControlCharacter { at: 2 })
        );
    }

    #[test]
    fn domain_literals() {
        assert_eq!(
            fmt("Content-ID", "<part1@[192.0.2.1]>").unwrap(),
            "Content-ID: <part1@[192.0.2.1]>\r\n"
        );
        assert_eq!(
            fmt("Content-ID", "<a@[b[c]>"),
            Err(Error::InvalidMsgId { at: 5 })
        );
        // RFC 5322's no-fold-literal is "[" *dtext "]": an empty literal is valid syntax.
        assert_eq!(
            fmt("Content-ID", "<a@[]>").unwrap(),
            "Content-ID: <a@[]>\r\n"
        );
    }

    #[test]
    fn list_id() {
        assert_eq!(
            fmt("List-Id", "Ops team <ops.example.com>").unwrap(),
            "List-Id: Ops team <ops.example.com>\r\n"
        );
        assert_eq!(
            fmt("List-Id", "ops.example.com").unwrap(),
            "List-Id: <ops.example.com>\r\n"
        );
        assert_eq!(
            fmt("List-Id", "Équipe <ops.example.com>").unwrap(),
            "List-Id: =?utf-8?q?=C3=89quipe?= <ops.example.com>\r\n"
        );
        assert_eq!(
            fmt("List-Id", "x <a..b>"),
            Err(Error::InvalidMsgId { at: 5 })
        );
        assert_eq!(fmt("List-Id", "<>"), Err(Error::InvalidMsgId { at: 1 }));
    }

    #[test]
    fn new_ids() {
        let mut out = [0u8; 64];
        let n = make_msg_id(&[0; 16], "example.com", &mut out).unwrap();
        assert_eq!(&out[..n], b"<00000000000040008000000000000000@example.com>");
        let n = make_msg_id(&[0xff; 16], "a.b", &mut out).unwrap();
        assert_eq!(&out[..n], b"<ffffffffffff4fffbfffffffffffffff@a.b>");
        assert_eq!(
            make_msg_id(&[0; 16], "exämple.com", &mut out),
            Err(Error::NonAscii { at: 2 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "a..b", &mut out),
            Err(Error::InvalidMsgId { at: 2 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "", &mut out),
            Err(Error::InvalidMsgId { at: 0 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "a b", &mut out),
            Err(Error::InvalidMsgId { at: 1 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "a=?b", &mut out),
            Err(Error::InvalidMsgId { at: 1 })
        );
        assert_eq!(
            make_msg_id(&[0; 16], "example.com", &mut out[..10]),
            Err(Error::BufferTooSmall { needed: 46 })
        );
    }
}
