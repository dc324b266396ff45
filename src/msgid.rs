//! msg-id fields (RFC 5322 §3.6.4), List-Id (RFC 2919) and new ids.
//!
//! An id is never encoded and never folded inside: `<id-left@id-right>` is one token, and
//! folds go only between ids. Validation is strict (no obsolete syntax) because a malformed
//! id is what makes receiving servers reject or rewrite a message.

use crate::chars::{self, ATEXT, DTEXT};
use crate::fold::{Folder, Width};
use crate::input::is_space;
use crate::options::HARD_LINE_LIMIT;
#[cfg(not(target_os = "none"))]
use crate::scan;
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

/// Longest name the fast path takes, and longest id: then neither the first id on the name
/// line nor any id on a continuation line can come near 998 octets.
#[cfg(not(target_os = "none"))]
const FAST_MAX_NAME: usize = 100;
#[cfg(not(target_os = "none"))]
const FAST_MAX_ID: usize = 896;

/// The fast path for the common msg-id field: `<dot-atom@dot-atom>` ids, printable ASCII,
/// separated by single spaces (leading and trailing spaces allowed). Writes `Name:`, the ids
/// and the line ending exactly as [`format`] would after `Folder::start`, and returns true;
/// anything else (domain literals, bare ids, caller folds, tabs, UTF-8, any error) leaves the
/// sink as it was and returns false, so the general path decides and reports offsets.
///
/// One pass classifies 64 bytes at a time ([`scan::id_masks`]) and checks the grammar on the
/// masks: the only adjacent delimiters are `> <`, `<` and SP follow a delimiter, `>` and SP
/// are followed by one, `<` and `@` alternate (so each id has exactly one `@`), no `=?`. Ids
/// that share a line are copied as one run.
#[cfg(not(target_os = "none"))]
pub(crate) fn format_fast(
    sink: &mut SliceSink<'_>,
    name: &str,
    value: &str,
    options: &Options,
    one: bool,
) -> bool {
    let b = value.as_bytes();
    let mut start = 0;
    while start < b.len() && b[start] == b' ' {
        start += 1;
    }
    let mut end = b.len();
    while end > start && b.get(end - 1) == Some(&b' ') {
        end -= 1;
    }
    let text = b.get(start..end).unwrap_or_default();
    if name.len() > FAST_MAX_NAME || text.first() != Some(&b'<') || text.last() != Some(&b'>') {
        return false;
    }
    let mark = sink.len();
    sink.write(name.as_bytes());
    sink.byte(b':');
    if write_ids_fast(sink, text, name.len() + 1, options, one) {
        true
    } else {
        sink.rewind(mark);
        false
    }
}

/// Parity of the set bits at or below each position.
#[cfg(not(target_os = "none"))]
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

#[cfg(not(target_os = "none"))]
fn write_ids_fast(
    sink: &mut SliceSink<'_>,
    text: &[u8],
    mut col: usize,
    options: &Options,
    one: bool,
) -> bool {
    let soft = options.max_line_len;
    let eol = options.line_ending.bytes();
    // Bit 0 of the carries: the byte before this block was a delimiter / '>' / SP / '='. The
    // text starts as if after a space.
    let (mut c_delim, mut c_gt, mut c_sp, mut c_eq) = (1u64, 0u64, 1u64, 0u64);
    // Parity of '<' and '@' seen so far: 1 inside an id before its '@'.
    let mut parity = 0u64;
    // Output: `text[run..prev_end]` is pending (ids that share the current line).
    let (mut run, mut prev_end, mut count) = (0usize, 0usize, 0usize);
    for (k, chunk) in text.chunks(64).enumerate() {
        let base = 64 * k;
        let valid = u64::MAX >> (64 - chunk.len());
        let m = scan::id_masks(chunk);
        let d_prev = (m.delim << 1) | c_delim;
        let gt_prev = (m.gt << 1) | c_gt;
        let sp_prev = (m.sp << 1) | c_sp;
        let bad = m.bad
            | (m.delim & d_prev & !((m.sp & gt_prev) | (m.lt & sp_prev)))
            | ((gt_prev | sp_prev) & !m.delim & valid)
            | ((m.lt | m.sp) & !d_prev)
            | (((m.eq << 1) | c_eq) & m.q);
        let px = prefix_xor(m.lt | m.at) ^ parity.wrapping_neg();
        if bad | (m.lt & !px) | (m.at & px) != 0 {
            return false;
        }
        parity = px >> 63;
        c_delim = m.delim >> 63;
        c_gt = m.gt >> 63;
        c_sp = m.sp >> 63;
        c_eq = m.eq >> 63;
        let mut ends = m.gt;
        while ends != 0 {
            let e = base + ends.trailing_zeros() as usize + 1;
            ends &= ends - 1;
            let s = if count == 0 { 0 } else { prev_end + 1 };
            let len = e - s;
            if len > FAST_MAX_ID || (one && count > 0) {
                return false;
            }
            if count == 0 {
                sink.byte(b' ');
                col += 1 + len;
            } else if col + 1 + len <= soft {
                col += 1 + len;
            } else {
                sink.write(text.get(run..prev_end).unwrap_or_default());
                sink.write(eol);
                run = prev_end;
                col = 1 + len;
            }
            count += 1;
            prev_end = e;
        }
    }
    if parity != 0 {
        return false;
    }
    sink.write(text.get(run..).unwrap_or_default());
    sink.write(eol);
    true
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
    // The id must fit on a `Message-ID: ` line (the 998-octet limit), or it is no use.
    if "Message-ID: <".len() + uuid::fmt::Simple::LENGTH + 1 + b.len() + 1 > HARD_LINE_LIMIT {
        return Err(Error::LineTooLong);
    }
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
    use super::FAST_MAX_ID;
    use crate::fold::Folder;
    use crate::sink::SliceSink;
    use crate::test_util::{check_structure, fmt, fmt_with};
    use crate::{make_msg_id, Error, Options};
    use proptest::prelude::*;
    use std::vec;

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

    /// The general path alone (what `format_value` did before the fast path).
    fn general(
        name: &str,
        value: &str,
        o: &Options,
        one: bool,
    ) -> Result<std::vec::Vec<u8>, Error> {
        let mut buf = std::vec![0u8; 8192];
        let mut sink = SliceSink::new(&mut buf);
        crate::input::check_controls(value.as_bytes())?;
        let mut f = Folder::start(&mut sink, name, o)?;
        super::format(&mut f, value, o, one)?;
        f.end();
        let n = sink.finish()?;
        Ok(buf[..n].to_vec())
    }

    /// The fast path alone: `None` when it hands over; it must then leave nothing behind.
    fn fast(name: &str, value: &str, o: &Options, one: bool) -> Option<std::vec::Vec<u8>> {
        let mut buf = std::vec![0u8; 8192];
        let mut sink = SliceSink::new(&mut buf);
        sink.write(b"prefix");
        let taken = super::format_fast(&mut sink, name, value, o, one);
        let n = sink.finish().unwrap();
        if !taken {
            assert_eq!(n, 6, "the fast path left bytes behind for {value:?}");
            return None;
        }
        assert_eq!(&buf[..6], b"prefix");
        Some(buf[6..n].to_vec())
    }

    fn options(soft: usize, lf: bool, utf8: bool) -> Options {
        let o = Options::default().with_max_line_len(soft).with_utf8(utf8);
        if lf {
            o.with_line_ending(crate::LineEnding::Lf)
        } else {
            o
        }
    }

    /// Ids made of pieces that stress the grammar: delimiters next to each other, `=?`,
    /// specials, controls, non-ASCII, and lengths around the 64-byte blocks.
    fn id_text() -> impl Strategy<Value = std::string::String> {
        let piece = prop_oneof![
            8 => "[a-z0-9]{1,12}",
            2 => "[a-z0-9]{20,70}",
            3 => Just(".".into()),
            3 => Just("@".into()),
            2 => Just("<".into()),
            2 => Just(">".into()),
            3 => Just(" ".into()),
            2 => Just("> <".into()),
            1 => Just("=".into()),
            1 => Just("?".into()),
            1 => Just("=?".into()),
            1 => "[\\[\\]\"(),:;\\\\\t\r\n\x7f\x00é\u{2028}]",
            2 => "<[a-z.]{1,30}@[a-z.]{1,70}>",
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    /// Well-formed id lists, which the fast path must take.
    fn id_list() -> impl Strategy<Value = std::string::String> {
        let atom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}";
        let dot_atom = proptest::collection::vec(atom, 1..4).prop_map(|v| v.join("."));
        let id = (dot_atom.clone(), dot_atom)
            .prop_filter("no =?", |(l, r)| !l.contains("=?") && !r.contains("=?"))
            .prop_map(|(l, r)| std::format!("<{l}@{r}>"));
        proptest::collection::vec(id, 1..25).prop_map(|v| v.join(" "))
    }

    #[test]
    fn fast_path_hands_over_everything_unusual() {
        let o = Options::default();
        for v in [
            "<a@b@c@d>",
            "<a@b@c>",
            "<a.b>",
            "<a.b> <c@d>",
            "<a@b> <c.d>",
            "<a@b><c@d>",
            "<a@b>  <c@d>",
            "<a@b>\t<c@d>",
            "<a@b>\r\n <c@d>",
            "<a@[1.2.3.4]>",
            "a@b",
            "<a@b> c@d",
            "<a@b",
            "<<a@b>>",
            "<a@b>>",
            "<a=?b@c>",
            "<a@b=?c>",
            "<.a@b>",
            "<a.@b>",
            "<a@.b>",
            "<a@b.>",
            "<a..b@c>",
            "<@b>",
            "<a@>",
            "<>",
            "<a\"b@c>",
            "<é@b>",
            "<a@b> x <c@d>",
        ] {
            assert_eq!(fast("References", v, &o, false), None, "{v:?}");
        }
        // The second id of a single-id field goes to the general path, which reports it.
        assert_eq!(fast("Message-ID", "<a@b> <c@d>", &o, true), None);
        let long = std::format!("<{}@b>", "a".repeat(FAST_MAX_ID));
        assert_eq!(fast("References", &long, &o, false), None);
        let long = std::format!("<{}@b>", "a".repeat(FAST_MAX_ID - 4));
        assert!(fast("References", &long, &o, false).is_some());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn fast_path_matches_general_path(
            v in id_text(), soft in 40usize..120, lf: bool, utf8: bool, one: bool,
            name in "[A-Za-z-]{1,12}",
        ) {
            let o = options(soft, lf, utf8);
            if let Some(out) = fast(&name, &v, &o, one) {
                prop_assert_eq!(Ok(out), general(&name, &v, &o, one), "{:?}", v);
            }
        }

        #[test]
        fn fast_path_takes_well_formed_lists(
            v in id_list(), soft in 40usize..120, lf: bool, pad in 0usize..3,
        ) {
            let o = options(soft, lf, false);
            let v = std::format!("{}{v}{}", " ".repeat(pad), " ".repeat(pad));
            let out = fast("References", &v, &o, false);
            prop_assert!(out.is_some(), "{:?}", v);
            prop_assert_eq!(Ok(out.unwrap()), general("References", &v, &o, false));
        }

        /// One byte of a well-formed list replaced: whatever the fast path accepts, the
        /// general path must format the same way.
        #[test]
        fn fast_path_rejects_what_the_general_path_rejects(
            v in id_list(), at in any::<prop::sample::Index>(),
            c in prop::sample::select(b"<>@. =?a\t\r\n\x00\x7f[]\\\"(),:;".to_vec()),
            one: bool,
        ) {
            let mut b = v.into_bytes();
            let i = at.index(b.len());
            b[i] = c;
            let v = std::string::String::from_utf8(b).unwrap();
            let o = Options::default();
            if let Some(out) = fast("References", &v, &o, one) {
                prop_assert_eq!(Ok(out), general("References", &v, &o, one), "{:?}", v);
            }
        }
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
