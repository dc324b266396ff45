//! SPEC §4, `Auto`: every encoded-word is "the shorter for that word, Q on a tie", in every
//! writer: unstructured text (fast and general paths), phrases (display names, group names,
//! Keywords, the List-Id phrase) and the RFC 2047 form of MIME parameters. The words are
//! found in the output and decoded here, and their Q and B lengths compared; the values are
//! runs of mixed density, where one encoding for a whole run made some words the longer
//! form (`=?utf-8?b?eQ==?=` for a lone `y` after a dense stretch).

use mailfold::{format_header, Encoding, Options};

/// Where the word stands, which decides Q's literal set (RFC 2047 §5).
#[derive(Clone, Copy, Debug)]
enum Ctx {
    Text,
    Phrase,
}

fn q_len(b: u8, ctx: Ctx) -> usize {
    let literal = b == b' '
        || match ctx {
            Ctx::Text => (33..=126).contains(&b) && !b"=?_".contains(&b),
            Ctx::Phrase => b.is_ascii_alphanumeric() || b"!*+-/".contains(&b),
        };
    if literal {
        1
    } else {
        3
    }
}

fn b64(c: u8) -> u32 {
    match c {
        b'A'..=b'Z' => u32::from(c - b'A'),
        b'a'..=b'z' => u32::from(c - b'a') + 26,
        b'0'..=b'9' => u32::from(c - b'0') + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    }
}

/// The bytes an encoded-word's text (after `=?utf-8?x?`, before `?=`) stands for.
fn decode(q: bool, text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if q {
        let mut i = 0;
        while i < text.len() {
            match text[i] {
                b'_' => out.push(b' '),
                b'=' => {
                    let hex = std::str::from_utf8(&text[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
    } else {
        for quad in text.chunks(4) {
            let pad = quad.iter().filter(|&&c| c == b'=').count();
            let v = quad
                .iter()
                .fold(0u32, |v, &c| v << 6 | if c == b'=' { 0 } else { b64(c) });
            out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8][..3 - pad]);
        }
    }
    out
}

/// The encoded-words of `field` that are not the shorter for what they hold (Q on a tie).
fn misfits(field: &str, ctx: Ctx) -> Vec<String> {
    let mut bad = Vec::new();
    let mut from = 0;
    while let Some(i) = field[from..].find("=?utf-8?") {
        let start = from + i;
        let end = start + 10 + field[start + 10..].find("?=").expect("unterminated word");
        let q = field.as_bytes()[start + 8] == b'q';
        let text = decode(q, &field.as_bytes()[start + 10..end]);
        let ql: usize = text.iter().map(|&b| q_len(b, ctx)).sum();
        let bl = text.len().div_ceil(3) * 4;
        assert!(!text.is_empty(), "empty word in {field:?}");
        if (q && ql > bl) || (!q && bl >= ql) {
            bad.push(format!("{} (q {ql}, b {bl})", &field[start..end + 2]));
        }
        from = end + 2;
    }
    bad
}

/// Deterministic mixed words: Latin, Cyrillic, CJK, emoji and combining marks, dense and
/// sparse stretches inside one word and ASCII-heavy ends.
fn words(seed: u64, n: usize) -> Vec<String> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |m: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    let pieces = [
        "a", "b", "x", "y", "z", "é", "ж", "日", "😀", "e\u{301}", "=", "_",
    ];
    let mut out = Vec::new();
    for _ in 0..n {
        let dense = next(3) == 0;
        let len = 1 + next(if dense { 20 } else { 30 }) as usize;
        let mut w = String::new();
        for _ in 0..len {
            let p = if dense && next(4) != 0 {
                pieces[5 + next(5) as usize]
            } else if next(6) == 0 {
                pieces[5 + next(7) as usize]
            } else {
                pieces[next(5) as usize]
            };
            w.push_str(p);
        }
        out.push(w);
    }
    out
}

fn options(width: usize) -> Options {
    Options::default()
        .with_max_line_len(width)
        .with_encoding(Encoding::Auto)
        .with_rfc2047_params(true)
}

fn field(name: &str, value: &str, opts: &Options) -> Option<String> {
    let mut out = vec![0u8; 1 << 14];
    let n = format_header(name, value, opts, &mut out).ok()?;
    Some(String::from_utf8(out[..n].to_vec()).unwrap())
}

#[test]
fn unstructured_words_are_each_the_shorter() {
    let mut failures = Vec::new();
    let mut fields = 0;
    for seed in 0..150 {
        let w = words(seed, 1 + (seed as usize % 7));
        // Single spaces (the fast path), and a double space (the general path).
        for value in [w.join(" "), w.join("  ")] {
            for width in [40, 53, 76, 78, 998] {
                for name in ["Subject", "X-A-Rather-Long-Header-Name"] {
                    if let Some(out) = field(name, &value, &options(width)) {
                        fields += 1;
                        failures.extend(misfits(&out, Ctx::Text));
                    }
                }
            }
        }
    }
    assert!(fields > 1000);
    assert!(
        failures.is_empty(),
        "{} words: {failures:#?}",
        failures.len()
    );
}

#[test]
fn phrase_words_are_each_the_shorter() {
    let mut failures = Vec::new();
    let mut fields = 0;
    for seed in 0..150 {
        let w = words(1000 + seed, 1 + (seed as usize % 5));
        // Phrases hold no `=` or `_` specials that would need quoting choices: keep them.
        let phrase = w.join(" ");
        let cases = [
            ("From", format!("{phrase} <a@example.org>")),
            ("To", format!("{phrase}: a@example.org, b@example.org;")),
            ("Keywords", format!("{phrase}, {}", w[0])),
            ("List-Id", format!("{phrase} <list.example.org>")),
        ];
        for width in [40, 53, 76, 78, 998] {
            for (name, value) in &cases {
                if let Some(out) = field(name, value, &options(width)) {
                    fields += 1;
                    failures.extend(misfits(&out, Ctx::Phrase));
                }
            }
        }
    }
    assert!(fields > 1000);
    assert!(
        failures.is_empty(),
        "{} words: {failures:#?}",
        failures.len()
    );
}

#[test]
fn mime_parameter_words_are_each_the_shorter() {
    let mut failures = Vec::new();
    let mut encoded = 0;
    for seed in 0..200 {
        let w = words(5000 + seed, 1 + (seed as usize % 4));
        let value = format!("attachment; filename=\"{}.pdf\"", w.join(" "));
        for width in [40, 76, 998] {
            if let Some(out) = field("Content-Disposition", &value, &options(width)) {
                // Only the RFC 2047 form holds encoded-words (in a quoted-string: the
                // phrase-safe set).
                encoded += usize::from(out.contains("=?utf-8?"));
                failures.extend(misfits(&out, Ctx::Phrase));
            }
        }
    }
    assert!(encoded > 100);
    assert!(
        failures.is_empty(),
        "{} words: {failures:#?}",
        failures.len()
    );
}

/// SPEC §7 with README's rule for the RFC 2047 form of a parameter (written when a word
/// holding the value's first character fits after ` name="` within 76 columns): with `Auto`
/// that word is the shorter for the character (SPEC §4), so the form is written whenever
/// the shorter fits: for `é` the B word `=?utf-8?b?w6k=?=` (16 characters, Q's is 18), after
/// a name that leaves room for it and the closing quote but not for the Q word.
#[test]
fn the_rfc2047_parameter_form_is_written_when_the_shorter_word_fits() {
    for n in [55, 56] {
        let name = "p".repeat(n);
        let value = format!("attachment; {name}=\"é\"");
        let out = field("Content-Disposition", &value, &options(998)).unwrap();
        let line = format!(" {name}=\"=?utf-8?b?w6k=?=\"\r\n");
        assert!(out.ends_with(&line), "{n}: {out:?}");
        assert!(line.len() - 2 <= 76);
    }
}
