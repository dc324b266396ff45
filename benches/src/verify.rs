//! Untimed checks that every system really produced the wire form of the same field, so a
//! fast but wrong peer (or a mailfold bug) shows up in the report instead of in the ranking.
//!
//! The decoder here is independent of all systems: it unfolds, then decodes RFC 2047
//! encoded-words by RFC 2047 §6.2 (white space between adjacent encoded-words dropped).

use crate::corpus::{Category, Field};
use crate::systems::{Failure, System};

/// What the checks found for one system on one category.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conformance {
    /// Fields checked.
    pub fields: usize,
    /// Fields the system returned an error for (or could not take).
    pub errors: usize,
    /// Of those, the fields the system cannot format at all.
    pub unsupported: usize,
    /// Example error, for the report.
    pub first_error: Option<String>,
    /// Output not of the form `Name: ...CRLF` with CRLF+WSP folds and ASCII only.
    pub malformed: usize,
    /// Fields with a line over 998 octets.
    pub over_998: usize,
    /// Fields with a line over 78 characters.
    pub over_78: usize,
    /// msg-id fields whose output holds an encoded-word (the seed bug).
    pub encoded_ids: usize,
    /// Fields that do not decode back to the input.
    pub mismatches: usize,
    /// Example mismatch, for the report.
    pub first_mismatch: Option<String>,
}

/// Runs `system` once over `fields` (the same list it was prepared with) and checks each
/// output.
pub fn check(system: &mut dyn System, fields: &[&Field]) -> Conformance {
    let mut c = Conformance {
        fields: fields.len(),
        ..Conformance::default()
    };
    for (i, field) in fields.iter().enumerate() {
        match system.format(i) {
            Err(e) => {
                c.errors += 1;
                if e == Failure::Unsupported {
                    c.unsupported += 1;
                }
                if c.first_error.is_none() && e != Failure::Unsupported {
                    c.first_error = Some(format!("{e:?} for {}: {:?}", field.name, field.value));
                }
            }
            Ok(n) => {
                let out = &system.output()[..n];
                check_one(&mut c, field, out);
            }
        }
    }
    c
}

fn check_one(c: &mut Conformance, field: &Field, out: &[u8]) {
    let Some(text) = wire_lines(field.name, out) else {
        c.malformed += 1;
        note(c, field, out, "malformed");
        return;
    };
    let lines: Vec<&str> = text.split("\r\n").collect();
    if lines.iter().any(|l| l.len() > 998) {
        c.over_998 += 1;
    }
    if lines.iter().any(|l| l.chars().count() > 78) {
        c.over_78 += 1;
    }
    let unfolded = lines.concat();
    let value = &unfolded[field.name.len() + 1..];
    let ok = match field.category {
        Category::AsciiSubject | Category::Utf8Subject | Category::LongX => {
            decode_words(value).is_some_and(|d| d.trim() == field.value.trim())
        }
        Category::MessageId | Category::References | Category::InReplyTo => {
            if value.contains("=?") {
                c.encoded_ids += 1;
            }
            value
                .split_ascii_whitespace()
                .eq(field.value.split_ascii_whitespace())
        }
        Category::AddressList => parse_mailboxes(value).is_some_and(|got| {
            got.len() == field.mailboxes.len()
                && got
                    .iter()
                    .zip(&field.mailboxes)
                    .all(|(g, m)| g.1 == m.addr_spec && g.0.as_deref() == m.display_name.as_deref())
        }),
    };
    if !ok {
        c.mismatches += 1;
        note(c, field, out, "does not decode to the input");
    }
}

fn note(c: &mut Conformance, field: &Field, out: &[u8], what: &str) {
    if c.first_mismatch.is_none() {
        c.first_mismatch = Some(format!(
            "{what}: {:?} -> {:?}",
            field.value,
            String::from_utf8_lossy(out)
        ));
    }
}

/// The output without its final CRLF, if it is ASCII, starts with `Name:`, ends with CRLF
/// and every CRLF inside is a fold (followed by SP or HTAB).
fn wire_lines<'o>(name: &str, out: &'o [u8]) -> Option<&'o str> {
    let text = std::str::from_utf8(out).ok()?;
    if !text.is_ascii() || !text.starts_with(name) || !text[name.len()..].starts_with(':') {
        return None;
    }
    let body = text.strip_suffix("\r\n")?;
    let b = body.as_bytes();
    for (i, &ch) in b.iter().enumerate() {
        let fold_ok = match ch {
            b'\r' => b.get(i + 1) == Some(&b'\n') && matches!(b.get(i + 2), Some(b' ' | b'\t')),
            b'\n' => i > 0 && b[i - 1] == b'\r',
            _ => true,
        };
        if !fold_ok {
            return None;
        }
    }
    Some(body)
}

/// Decodes one encoded-word (`=?charset[*lang]?q|b?text?=`, charset utf-8 or us-ascii).
pub fn decode_encoded_word(word: &str) -> Option<String> {
    let inner = word.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let charset = parts.next()?.split('*').next()?.to_ascii_lowercase();
    let enc = parts.next()?.to_ascii_lowercase();
    let text = parts.next()?;
    if text.contains('?') || text.contains(' ') || !matches!(charset.as_str(), "utf-8" | "us-ascii")
    {
        return None;
    }
    let bytes = match enc.as_str() {
        "q" => {
            let mut out = Vec::new();
            let b = text.as_bytes();
            let mut i = 0;
            while i < b.len() {
                match b[i] {
                    b'_' => out.push(b' '),
                    b'=' => {
                        let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                        out.push(u8::from_str_radix(hex, 16).ok()?);
                        i += 2;
                    }
                    ch => out.push(ch),
                }
                i += 1;
            }
            out
        }
        "b" => base64_decode(text)?,
        _ => return None,
    };
    String::from_utf8(bytes).ok()
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let t = text.trim_end_matches('=');
    if !text.len().is_multiple_of(4) || text.len() - t.len() > 2 {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(t.len() * 3 / 4);
    for chunk in t.as_bytes().chunks(4) {
        let mut acc = 0u32;
        for (k, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * k);
        }
        let n = chunk.len() - 1;
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + n]);
    }
    Some(out)
}

/// Decodes unfolded unstructured text: encoded-words decoded, white space between adjacent
/// encoded-words dropped, everything else kept.
///
/// ```
/// use mailfold_benches::verify::decode_words;
/// assert_eq!(decode_words(" =?utf-8?q?Gr=C3=BC=C3=9Fe?= =?utf-8?b?IGF1cw==?= x").unwrap(), " Grüße aus x");
/// ```
pub fn decode_words(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut pending_ws = "";
    let mut last_was_ew = false;
    let mut rest = text;
    while !rest.is_empty() {
        let ws_len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if ws_len > 0 {
            pending_ws = &rest[..ws_len];
            rest = &rest[ws_len..];
            continue;
        }
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = &rest[end..];
        match decode_encoded_word(token) {
            Some(decoded) => {
                if !last_was_ew {
                    out.push_str(pending_ws);
                }
                out.push_str(&decoded);
                last_was_ew = true;
            }
            None => {
                out.push_str(pending_ws);
                out.push_str(token);
                last_was_ew = false;
            }
        }
        pending_ws = "";
    }
    out.push_str(pending_ws);
    Some(out)
}

/// Parses an unfolded mailbox list into (display name, addr-spec); names decoded.
fn parse_mailboxes(text: &str) -> Option<Vec<(Option<String>, String)>> {
    let mut items = Vec::new();
    let (mut in_quote, mut in_angle, mut escaped) = (false, false, false);
    let mut start = 0;
    let b = text.as_bytes();
    for i in 0..=b.len() {
        let ch = b.get(i).copied();
        if escaped {
            escaped = false;
            continue;
        }
        match ch {
            Some(b'\\') if in_quote => escaped = true,
            Some(b'"') if !in_angle => in_quote = !in_quote,
            Some(b'<') if !in_quote => in_angle = true,
            Some(b'>') if !in_quote => in_angle = false,
            Some(b',') | None if !in_quote && !in_angle => {
                let item = text[start..i].trim();
                start = i + 1;
                if !item.is_empty() {
                    items.push(parse_mailbox(item)?);
                }
            }
            _ => {}
        }
    }
    Some(items)
}

fn parse_mailbox(item: &str) -> Option<(Option<String>, String)> {
    let Some(lt) = item.rfind('<') else {
        return Some((None, item.to_string()));
    };
    let addr = item[lt + 1..].strip_suffix('>')?.to_string();
    let phrase = item[..lt].trim();
    if phrase.is_empty() {
        return Some((None, addr));
    }
    let name = if let Some(q) = phrase.strip_prefix('"') {
        let q = q.strip_suffix('"')?;
        let mut s = String::new();
        let mut chars = q.chars();
        while let Some(c) = chars.next() {
            s.push(if c == '\\' { chars.next()? } else { c });
        }
        s
    } else {
        decode_words(phrase)?
    };
    Some((Some(name), addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_follows_rfc2047() {
        assert_eq!(
            decode_encoded_word("=?UTF-8?Q?caf=C3=A9_x?=").unwrap(),
            "café x"
        );
        assert_eq!(
            decode_encoded_word("=?utf-8?B?0J/RgNC40LLQtdGC?=").unwrap(),
            "Привет"
        );
        assert!(decode_encoded_word("=?iso-8859-1?q?caf=E9?=").is_none());
        assert_eq!(decode_words("a =?utf-8?q?b?=  c").unwrap(), "a b  c");
    }

    #[test]
    fn mailbox_lists_parse() {
        let got = parse_mailboxes(
            "\"Doe, John\" <jd@x.org>, =?utf-8?q?Zo=C3=AB?= <z@x.org>, a@b.c, \"A \\\"Q\\\" B\" <q@x>",
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                (Some("Doe, John".into()), "jd@x.org".into()),
                (Some("Zoë".into()), "z@x.org".into()),
                (None, "a@b.c".into()),
                (Some("A \"Q\" B".into()), "q@x".into()),
            ]
        );
    }

    #[test]
    fn bare_lf_and_trailing_garbage_are_malformed() {
        assert!(wire_lines("Subject", b"Subject: a\r\n b\r\n").is_some());
        assert!(wire_lines("Subject", b"Subject: a\n b\r\n").is_none());
        assert!(wire_lines("Subject", b"Subject: a\r\nb\r\n").is_none());
        assert!(wire_lines("Subject", b"Subject: a").is_none());
    }
}
