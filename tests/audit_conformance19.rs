//! A mailbox whose display name is one encoded-word moves to the next line whole when it fits
//! there but not on the current line (README "Where a fold goes"), where "fits" means within
//! 76 characters: the line holding it holds an encoded-word (RFC 2047 §2). Before this was
//! fixed, a mailbox that fitted 78 columns but not 76 kept its name on the current line and
//! lost its `<addr>` to the next one, although the whole mailbox fitted a fresh line.
//!
//! The expectations are worked out here from the line widths alone: every line holding an
//! encoded-word is at most 76 characters, and a name and its address on different lines
//! means the mailbox, written on a line of its own, would not fit 76 characters either.

mod common;

use common::{
    b_text_len, encoding_and_width_grid, parse_encoded_word, q_text_len, split_lines, EW_LINE_LIMIT,
};
use mailfold::{format_header, format_mailboxes, Encoding, Mailbox, Options};

/// Names that are each one encoded-word: Latin with a diacritic (Q or B by Auto), CJK,
/// Cyrillic, RTL, a 4-byte emoji and a ZWJ sequence, a combining mark.
const NAMES: &[&str] = &[
    "Jörg",
    "Zoë Müller",
    "日本語",
    "Иван Петров",
    "שלום",
    "😀",
    "👩\u{200d}💻 Ann",
    "e\u{301}lise",
];

fn format(name: &str, value: &str, o: &Options) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let n = format_header(name, value, o, &mut buf)
        .unwrap_or_else(|e| panic!("{name}: {value:?}: {e:?}"));
    buf.truncate(n);
    buf
}

/// The length of `display` as one encoded-word in the encoding `o` asks for (`Auto`: the
/// shorter of Q and B, Q on a tie).
fn one_word_len(display: &str, o: &Options) -> usize {
    let q = q_text_len(display.as_bytes(), true);
    let b = b_text_len(display.len());
    let body = match o.encoding {
        Encoding::Q => q,
        Encoding::B => b,
        _ => q.min(b),
    };
    "=?utf-8?q?".len() + body + "?=".len()
}

/// Checks the lines of `out` whose last mailbox is `<addr>` after an encoded name that
/// decodes to `display`.
fn check(out: &[u8], o: &Options, display: &str, addr: &str) {
    let text = String::from_utf8_lossy(out).into_owned();
    let lines = split_lines(out, o).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    for line in &lines {
        let l = std::str::from_utf8(line).unwrap();
        if l.contains("=?") {
            assert!(
                l.chars().count() <= EW_LINE_LIMIT,
                "a line with an encoded-word passes 76 characters: {l:?} in {text:?}"
            );
        }
    }
    let angle = format!("<{addr}>");
    // The name's encoded-words: every word starting `=?` (the first mailbox has none).
    let mut words: Vec<(usize, String)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let l = std::str::from_utf8(line).unwrap();
        for t in l.split([' ', '\t']).filter(|t| t.starts_with("=?")) {
            words.push((i, t.to_owned()));
        }
    }
    let mut decoded = Vec::new();
    for (_, w) in &words {
        decoded.extend(parse_encoded_word(w, true).unwrap_or_else(|e| panic!("{e}: {w:?}")));
    }
    assert_eq!(String::from_utf8(decoded).unwrap(), display, "{text:?}");
    let whole = 1 + one_word_len(display, o) + 1 + angle.len();
    let (at, word) = words.last().unwrap();
    if words.len() > 1 {
        // The name was split into several words: as one word the mailbox fits no line.
        assert!(
            whole > EW_LINE_LIMIT.min(o.max_line_len),
            "the mailbox as one word ({whole} characters) fits a line of its own, \
             yet its name was split: {text:?}"
        );
        return;
    }
    let name_line = std::str::from_utf8(lines[*at]).unwrap();
    if !name_line.ends_with(&angle) {
        // Split: the address is on the next line, alone there after one space.
        let next = std::str::from_utf8(lines[at + 1]).unwrap();
        assert_eq!(next.trim_start(), angle, "{text:?}");
        assert_eq!(whole, 1 + word.len() + 1 + angle.len());
        assert!(
            whole > EW_LINE_LIMIT,
            "` {word} {angle}` ({whole} characters) fits a line of its own, \
             yet its name and address were split: {text:?}"
        );
        // Split anyway, so nothing is won by a fold before the name: it starts a line only
        // when it did not fit on the one before.
        if *at > 0 && name_line.trim_start().starts_with("=?") {
            let before = std::str::from_utf8(lines[at - 1]).unwrap();
            assert!(
                before.chars().count() + 1 + word.len() > EW_LINE_LIMIT,
                "a line was given up before {word:?}, which fitted after {before:?}: {text:?}"
            );
        }
    }
}

#[test]
fn the_example_that_showed_it() {
    let o = Options::default();
    let out = format(
        "To",
        "uuuuuuuuuuuuu@ex.org, Jörg <uuuuuuuuuuuuuuuuuuuuu@ex.org>",
        &o,
    );
    // 25 + 1 + 20 + 31 = 77 columns on one line: past 76, within 78.
    assert_eq!(
        out,
        b"To: uuuuuuuuuuuuu@ex.org,\r\n =?utf-8?b?SsO2cmc=?= <uuuuuuuuuuuuuuuuuuuuu@ex.org>\r\n"
    );
}

/// Every lead length puts the second mailbox's end at every column around 76 and 78, in the
/// text form (the one-pass reader and its AVX2 paths) and through `format_mailboxes`, in
/// each encoding and with the soft limit at 78 and beyond.
#[test]
fn a_mailbox_with_an_encoded_name_moves_whole_or_does_not_fit_a_line() {
    for &display in NAMES {
        for o in encoding_and_width_grid() {
            for lead in 1..70 {
                // Short, and (36..=47) whole mailboxes of 75-78 columns on a line of
                // their own.
                for addr_len in [5, 20, 30].into_iter().chain(36..=47) {
                    let first = format!("{}@ex.org", "u".repeat(lead));
                    let addr = format!("{}@ex.org", "v".repeat(addr_len));
                    let value = format!("{first}, {display} <{addr}>");
                    let text = format("To", &value, &o);
                    check(&text, &o, display, &addr);

                    let boxes = [
                        Mailbox {
                            display_name: None,
                            addr_spec: &first,
                        },
                        Mailbox {
                            display_name: Some(display),
                            addr_spec: &addr,
                        },
                    ];
                    let mut buf = vec![0u8; 4096];
                    let n = format_mailboxes("Cc", &boxes, &o, &mut buf).unwrap();
                    check(&buf[..n], &o, display, &addr);
                    // Both forms agree on where the folds go.
                    assert_eq!(&buf[2..n], &text[2..], "{value:?}");
                }
            }
        }
    }
}
