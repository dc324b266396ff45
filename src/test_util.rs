//! Helpers for the unit tests: formatting into a `String`, a checker for the structural rules
//! of SPEC §3, and a small independent RFC 2047 decoder.

use std::string::String;
use std::vec::Vec;

use crate::{format_field, Encoding, Error, FieldClass, LineEnding, Options};

/// The options the property tests draw: utf8, encoding, soft limit and LF (or CRLF) line
/// endings, in one call instead of the same four builder steps in every test.
pub(crate) fn options(utf8: bool, encoding: Encoding, width: usize, lf: bool) -> Options {
    let eol = if lf { LineEnding::Lf } else { LineEnding::Crlf };
    Options::default()
        .with_utf8(utf8)
        .with_encoding(encoding)
        .with_max_line_len(width)
        .with_line_ending(eol)
}

pub(crate) fn fmt_with(name: &str, value: &str, options: &Options) -> Result<String, Error> {
    fmt_class(name, FieldClass::Auto, value, options)
}

pub(crate) fn fmt(name: &str, value: &str) -> Result<String, Error> {
    fmt_with(name, value, &Options::default())
}

pub(crate) fn fmt_class(
    name: &str,
    class: FieldClass,
    value: &str,
    options: &Options,
) -> Result<String, Error> {
    let needed = match format_field(name, class, value, options, &mut []) {
        Err(Error::BufferTooSmall { needed }) => needed,
        Err(e) => return Err(e),
        Ok(n) => panic!("an empty buffer cannot hold {n} bytes"),
    };
    let mut buf = std::vec![0xAAu8; needed + 8];
    let n = format_field(name, class, value, options, &mut buf[..needed])?;
    assert_eq!(n, needed, "size query and real run disagree");
    assert!(
        buf[needed..].iter().all(|&b| b == 0xAA),
        "wrote past the slice"
    );
    // One byte short must report the same size.
    if needed > 0 {
        assert_eq!(
            format_field(name, class, value, options, &mut buf[..needed - 1]),
            Err(Error::BufferTooSmall { needed })
        );
    }
    Ok(String::from_utf8(buf[..n].to_vec()).expect("output is UTF-8"))
}

/// The lines of a field without their endings, checking every line ends with `eol`.
pub(crate) fn lines<'a>(field: &'a str, eol: &str) -> Vec<&'a str> {
    assert!(
        field.ends_with(eol),
        "field does not end with the line ending: {field:?}"
    );
    let body = &field[..field.len() - eol.len()];
    let lines: Vec<&str> = body.split(eol).collect();
    for l in &lines {
        assert!(
            !l.contains('\r') && !l.contains('\n'),
            "bare CR or LF in {field:?}"
        );
    }
    lines
}

/// Checks the structural rules of SPEC §3 on a CRLF field with the given soft limit (ASCII).
pub(crate) fn check_structure(field: &str, soft: usize) {
    let lines = lines(field, "\r\n");
    for (i, l) in lines.iter().enumerate() {
        assert!(l.len() <= 998, "line over 998 octets in {field:?}");
        if i > 0 {
            assert!(
                l.starts_with([' ', '\t']),
                "continuation without white space: {field:?}"
            );
            assert!(!l.trim().is_empty(), "white-space-only line in {field:?}");
        }
        let has_ew = l.contains("=?utf-8?");
        if has_ew {
            assert!(
                l.chars().count() <= 76.min(soft),
                "encoded-word line too long: {l:?}"
            );
        } else if l.chars().count() > soft {
            // Allowed only when the line holds one unbreakable token after its white space
            // (or after the name on the first line).
            let rest = if i == 0 {
                l.split_once(':').unwrap().1
            } else {
                l
            };
            let rest = rest.trim_start();
            assert!(
                !rest.contains([' ', '\t']),
                "line over the soft limit with a fold point: {l:?}"
            );
        }
        for w in l.split([' ', '\t']).filter(|w| w.starts_with("=?utf-8?")) {
            let w = w.trim_end_matches([',', ';', ':']);
            assert!(w.len() <= 75, "encoded-word over 75 characters: {w:?}");
            assert!(decode_word(w).is_some(), "undecodable encoded-word {w:?}");
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn b64(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

/// Decodes one `=?utf-8?q|b?...?=` word into its text; `None` if malformed or if the word's
/// bytes are not UTF-8 on their own (a split character).
pub(crate) fn decode_word(w: &str) -> Option<String> {
    let inner = w.strip_prefix("=?")?.strip_suffix("?=")?;
    let mut parts = inner.splitn(3, '?');
    let (charset, enc, text) = (parts.next()?, parts.next()?, parts.next()?);
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let mut out = Vec::new();
    match enc {
        "q" | "Q" => {
            let b = text.as_bytes();
            let mut i = 0;
            while i < b.len() {
                match b[i] {
                    b'_' => out.push(b' '),
                    b'=' => {
                        out.push(hex(*b.get(i + 1)?)? << 4 | hex(*b.get(i + 2)?)?);
                        i += 2;
                    }
                    c if c.is_ascii_graphic() && c != b'?' => out.push(c),
                    _ => return None,
                }
                i += 1;
            }
        }
        "b" | "B" => {
            let b = text.as_bytes();
            if b.len() % 4 != 0 {
                return None;
            }
            for q in b.chunks(4) {
                let pad = q.iter().filter(|&&c| c == b'=').count();
                let mut v = 0u32;
                for &c in q {
                    v = v << 6 | if c == b'=' { 0 } else { u32::from(b64(c)?) };
                }
                let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
                out.extend_from_slice(&bytes[..3 - pad]);
            }
        }
        _ => return None,
    }
    String::from_utf8(out).ok()
}

/// Unfolds a field and decodes its unstructured value per RFC 2047 §6.2: white space between
/// two encoded-words is dropped, all other text is kept.
pub(crate) fn decode_unstructured(field: &str) -> String {
    let unfolded = field.trim_end_matches(['\r', '\n']).replace("\r\n", "");
    let value = unfolded.split_once(':').unwrap().1;
    let value = value.strip_prefix(' ').unwrap_or(value);
    let mut out = String::new();
    let mut pending_ws = String::new();
    let mut last_was_ew = false;
    let mut rest = value;
    while !rest.is_empty() {
        let ws_len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if ws_len > 0 {
            pending_ws = rest[..ws_len].into();
            rest = &rest[ws_len..];
            continue;
        }
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        let word = &rest[..end];
        match decode_word(word) {
            Some(text) => {
                if !last_was_ew {
                    out.push_str(&pending_ws);
                }
                out.push_str(&text);
                last_was_ew = true;
            }
            None => {
                out.push_str(&pending_ws);
                out.push_str(word);
                last_was_ew = false;
            }
        }
        pending_ws.clear();
        rest = &rest[end..];
    }
    out
}

/// Whether the AVX2 paths can run here, for their tests. Without AVX2 such a test cannot run:
/// it says so on stderr, and fails instead when `MAILFOLD_REQUIRE_AVX2` is `1` (the test
/// command sets it so when the CPU lists every feature `cpu::avx2` asks for), so a skip is never
/// counted as a pass where the paths could run, and a detection that wrongly says no fails.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx2_or_skip() -> bool {
    if crate::cpu::avx2() {
        return true;
    }
    assert!(
        std::env::var_os("MAILFOLD_REQUIRE_AVX2").is_none_or(|v| v != "1"),
        "MAILFOLD_REQUIRE_AVX2 is set, but cpu::avx2() says this CPU cannot run the AVX2 paths"
    );
    std::eprintln!("skipped: this CPU cannot run the AVX2 paths");
    false
}

/// A msg-id of `total` bytes for the fast-path tests: `<`, `fill` bytes, `@` at `at`, more
/// `fill`, `>`; a dot at `at / 2` when `at > left_min` and at `at + 2` when `total - at >
/// right_min` (`usize::MAX`: never), so each side is a dot-atom when there is room.
pub(crate) fn synthetic_id(
    total: usize,
    at: usize,
    fill: u8,
    left_min: usize,
    right_min: usize,
) -> std::vec::Vec<u8> {
    let mut id = std::vec![fill; total];
    id[0] = b'<';
    id[total - 1] = b'>';
    id[at] = b'@';
    if at > left_min {
        id[at / 2] = b'.';
    }
    if total - at > right_min {
        id[at + 2] = b'.';
    }
    id
}
