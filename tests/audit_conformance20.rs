//! Conformance audit, round 26 (mutation testing of the AVX2 and fast paths): the mutants of
//! `src/address.rs` (`whole_plain_addr*`, `write_encoded_mailbox`, `put_b_mailbox*`,
//! `write_split_b_avx2`, `format_mailboxes*`) and of the AVX2 scan of `src/msgid.rs` (`long`,
//! `tail`, `marked`, ...) that the quick integration tests (`properties`, `edges`,
//! `injection`, `audit_conformance19`) let through and that change what the public API
//! writes. cargo-mutants does not mutate `unsafe fn`s, so the AVX2 address functions
//! (`whole_plain_addr_avx2`, `put_b_mailbox_body`, `write_split_b_avx2`) were mutated by
//! hand (named `H1`... below, each described where it is killed). Each test names the
//! mutants it fails on (checked by applying each by hand). Every expectation comes from
//! SPEC.md, the README's decisions or the RFCs, or from a property an independent reader
//! can check on the output (line widths, decoding, the shorter encoding), never from
//! running mailfold.

mod common;

use common::{
    b_text_len, check_auto_choice, encoding_and_width_grid, parse_encoded_word, q_text_len,
    split_lines, EW_LINE_LIMIT,
};
use mailfold::{format_header, format_mailboxes, Encoding, Error, Mailbox, Options};

fn text_form(name: &str, value: &str, o: &Options) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; 8192];
    format_header(name, value, o, &mut buf).map(|n| buf[..n].to_vec())
}

fn structured(name: &str, boxes: &[Mailbox<'_>], o: &Options) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; 8192];
    format_mailboxes(name, boxes, o, &mut buf).map(|n| buf[..n].to_vec())
}

/// RFC 5322 §3.2.3 atext.
fn is_atext(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&c)
}

/// RFC 5322 §3.2.3 dot-atom-text: atoms of atext joined by single dots.
fn is_dot_atom_text(s: &[u8]) -> bool {
    !s.is_empty()
        && s.split(|&c| c == b'.')
            .all(|a| !a.is_empty() && a.iter().all(|&c| is_atext(c)))
}

/// An addr-spec of two dot-atom-texts (no quoted local part, no domain literal, no `=?`,
/// which the README refuses in addresses).
fn is_dot_atom_addr(s: &[u8]) -> bool {
    let parts: Vec<&[u8]> = s.split(|&c| c == b'@').collect();
    parts.len() == 2
        && is_dot_atom_text(parts[0])
        && is_dot_atom_text(parts[1])
        && !s.windows(2).any(|w| w == b"=?")
}

/// SPEC §6 (addr-spec `local@domain`, RFC 5322 §3.4.1) for the structured form and the text
/// form alike: an addr-spec of 1 to 70 bytes, made of letters and the separators, with a
/// separator (`.` or a second `@`) or another byte (`#` and `~` are atext, `(`, `,`, `"`,
/// `;` and `\` are not) at each place, is accepted exactly when it is two dot-atom-texts
/// around one `@`, and is then written as given; otherwise it is `InvalidAddress`. Lengths
/// 16 to 64 are the AVX2 check's (two halves of 16, or of 32, bytes joined into one mask),
/// the others its SSE2 fallback.
///
/// Kills the hand mutants of `whole_plain_addr_avx2` (cargo-mutants skips `unsafe fn`s):
/// H1 `& (sep & (sep >> 1) == 0)` dropped (`a..b@c`), H2 `& (at & at.wrapping_sub(1) ==
/// 0)` dropped (two `@`), H3 `(sep >> (n - 1) == 0)` dropped (a separator last), H4 `(sep &
/// 1 == 0)` dropped (a separator first), H6 `out0 | out1 == 0` as `out0 == 0` (a byte
/// outside the set in the last 32 only). Also `whole_plain_addr_other -> true` (caught
/// already by the quick tests). (H5, the join's `<< (n - 16)` as `<< 16`, is equivalent:
/// for 17 to 31 bytes it only makes the check refuse more addresses, which the general
/// check then accepts.)
#[test]
fn addr_specs_of_every_length_with_a_separator_or_other_byte_at_every_place() {
    let o = Options::default();
    for n in 1..=70usize {
        for at in 0..n {
            // One `@` at `at`, a letter elsewhere; then a second byte at each place.
            let mut base = vec![b'a'; n];
            for (i, c) in base.iter_mut().enumerate() {
                *c = b'a' + (i % 26) as u8;
            }
            base[at] = b'@';
            let mut cases = vec![base.clone()];
            for p in 0..n {
                if p == at {
                    continue;
                }
                for c in [b'.', b'@', b'#', b'~', b'(', b',', b'"', b';', b'\\'] {
                    let mut v = base.clone();
                    v[p] = c;
                    cases.push(v);
                }
            }
            for addr in cases {
                let s = std::str::from_utf8(&addr).unwrap();
                let want = is_dot_atom_addr(&addr);
                let boxes = [Mailbox {
                    display_name: None,
                    addr_spec: s,
                }];
                let got = structured("To", &boxes, &o);
                if want {
                    assert_eq!(
                        got.as_deref()
                            .map(|v| String::from_utf8_lossy(v).into_owned()),
                        Ok(format!("To: {s}\r\n")),
                        "structured {s:?}"
                    );
                } else {
                    assert!(
                        matches!(got, Err(Error::InvalidAddress { .. })),
                        "structured {s:?}: {got:?}"
                    );
                }
                // The text form reads `"` as the start of a quoted-string and `,` as a
                // separator between elements: only the others are compared there.
                if !addr.contains(&b'"') && !addr.contains(&b',') {
                    let got = text_form("To", s, &o);
                    if want {
                        assert_eq!(
                            got.as_deref()
                                .map(|v| String::from_utf8_lossy(v).into_owned()),
                            Ok(format!("To: {s}\r\n")),
                            "text {s:?}"
                        );
                    } else {
                        assert!(
                            matches!(got, Err(Error::InvalidAddress { .. })),
                            "text {s:?}: {got:?}"
                        );
                    }
                }
            }
        }
    }
}

/// The length of the shortest encoded-word holding the first character of `text`, in the
/// encoding `enc` asks for (`Auto`: the shorter of the two, SPEC §4 / README "Auto
/// encoding": each word is started wherever its first character fits in either).
fn first_char_word(text: &str, enc: Encoding) -> usize {
    let c = text.chars().next().unwrap();
    let mut b = [0u8; 4];
    let bytes = c.encode_utf8(&mut b).as_bytes();
    let q = q_text_len(bytes, true);
    let bb = b_text_len(bytes.len());
    let body = match enc {
        Encoding::Q => q,
        Encoding::B => bb,
        _ => q.min(bb),
    };
    "=?utf-8?q??=".len() + body
}

/// Checks a `To`/`Cc` field of plain mailboxes and one mailbox with the encoded name
/// `display`: every line within the soft limit, one holding an encoded-word within 76
/// (RFC 2047 §2); the name decodes to `display` (RFC 2047 §6.2); with `Auto` each word is
/// the shorter of Q and B (Q on a tie, SPEC §4); and each fold is where the README's "Where
/// a fold goes" puts it: the first token of a continuation line could not have ended the
/// line before, unless that token starts a mailbox moved whole (its name a single
/// encoded-word and its `<addr>` on the same line), which did not fit on the line before
/// within 76 characters; any other encoded-word of a name (one continuing it, or the first
/// of a name that does not go whole on a line) starts a line only when no word of its first
/// character fits at the end of the line before (README "Where a fold goes": the encoder
/// starts a word on the current line whenever its first character fits there in an
/// encoding the word may take).
fn check_field(out: &[u8], o: &Options, display: &str) {
    let text = String::from_utf8_lossy(out).into_owned();
    let lines = split_lines(out, o).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    let limit_of = |l: &str| {
        if l.contains("=?") {
            EW_LINE_LIMIT.min(o.max_line_len)
        } else {
            o.max_line_len
        }
    };
    let mut decoded = Vec::new();
    for l in &lines {
        assert!(
            l.chars().count() <= limit_of(l),
            "line of {} characters: {l:?} in {text:?}",
            l.chars().count()
        );
        for t in l.split(' ').filter(|t| t.starts_with("=?")) {
            let bytes = parse_encoded_word(t, true).unwrap_or_else(|e| panic!("{e}: {text:?}"));
            if matches!(o.encoding, Encoding::Auto) {
                check_auto_choice(t, &bytes, true).unwrap_or_else(|e| panic!("{e}: {text:?}"));
            }
            decoded.extend(bytes);
        }
    }
    assert_eq!(String::from_utf8(decoded).unwrap(), display, "{text:?}");
    for i in 1..lines.len() {
        let (before, line) = (lines[i - 1], lines[i]);
        assert!(line.starts_with(' '), "{text:?}");
        let toks: Vec<&str> = line[1..].split(' ').collect();
        let t = toks[0];
        let ew = t.starts_with("=?") || before.contains("=?");
        let limit = if ew {
            EW_LINE_LIMIT.min(o.max_line_len)
        } else {
            o.max_line_len
        };
        let last_before = before.rsplit(' ').next().unwrap();
        let continued = last_before.starts_with("=?") && last_before.ends_with("?=");
        let whole_box = toks.len() > 1 && toks[1].starts_with('<');
        if t.starts_with("=?") && (continued || !whole_box) {
            // A name continued in the next word, or one that starts a line but is not moved
            // whole with its `<addr>`: its first character's word did not fit.
            let bytes = parse_encoded_word(t, true).unwrap();
            let rest = std::str::from_utf8(&bytes).unwrap();
            assert!(
                before.len() + 1 + first_char_word(rest, o.encoding) > limit,
                "the word {t:?} starts a line, but its first character fitted after \
                 {before:?}: {text:?}"
            );
            continue;
        }
        if before.chars().count() + 1 + t.chars().count() <= limit {
            // It would have fitted: only a mailbox moved whole.
            assert!(
                t.starts_with("=?") && toks.len() > 1 && toks[1].starts_with('<'),
                "{t:?} fitted after {before:?}: {text:?}"
            );
            let whole = t.len() + 1 + toks[1].len();
            assert!(
                before.chars().count() + 1 + whole > EW_LINE_LIMIT.min(o.max_line_len),
                "the mailbox {t:?} {:?} fitted after {before:?}: {text:?}",
                toks[1]
            );
        }
    }
}

/// Names that are one encoded-word (B by `Auto`: most non-Latin and short accented names;
/// Q by `Auto`: mostly-ASCII ones), and long ones that are split into several words where a
/// line cannot hold them.
const NAMES: &[&str] = &[
    "Jörg",
    "日本語",
    "Иван Петров",
    "Zoë Müllerstein-Bauer",
    "山田太郎と鈴木花子と佐藤一郎",
    "Ελληνικά Ονόματα Εδώ",
    "Anna Åsa Östlund Äppelträd",
];

/// An encoded display name followed by more mailboxes (so its `<addr>` has a `,` after it,
/// which counts on its line) and then a plain address that may end its line: every lead
/// length puts the encoded mailbox's end and the next address's end at every column around
/// 76 and 78, in the text form and through `format_mailboxes` (both must agree, as the same
/// list), in each encoding, with the soft limit at 78 and beyond.
///
/// Kills the hand mutants of `put_b_mailbox_body`: H7 the tail's `3 + glue.len()` as `3 -
/// glue.len()` (a `,` after the `<addr>` not counted: a line of 77), H8 the resumed line's
/// `true` (it holds an encoded-word) as `false` (a plain address after it makes a line of
/// 77 or 78), H9 `start.plus(Width::ascii(1))` as `start` (the SP before the word not
/// counted), H10 `word_w = 12 + b_body` as `11 + b_body`, H12 and H13 (see the next test);
/// and of `write_split_b_avx2`: H11 `here >= encoder.min_word_any(rest)` as `>` (a name
/// word moved to a fresh line although its first character fitted there).
#[test]
fn encoded_names_before_more_mailboxes_fit_their_lines() {
    for &display in NAMES {
        for o in encoding_and_width_grid() {
            // The first address and its `,` within 78 columns after `To: `.
            for lead in 1..67 {
                for addr_len in [3, 12, 20, 30, 40, 47] {
                    for next_len in [1, 4, 9] {
                        let first = format!("{}@ex.org", "u".repeat(lead));
                        let addr = format!("{}@ex.org", "v".repeat(addr_len));
                        let next = format!("{}@ex.org", "w".repeat(next_len));
                        let value = format!("{first}, {display} <{addr}>, {next}, z@ex.org");
                        let text = text_form("To", &value, &o)
                            .unwrap_or_else(|e| panic!("{value:?}: {e:?}"));
                        check_field(&text, &o, display);
                        let boxes = [
                            Mailbox {
                                display_name: None,
                                addr_spec: &first,
                            },
                            Mailbox {
                                display_name: Some(display),
                                addr_spec: &addr,
                            },
                            Mailbox {
                                display_name: None,
                                addr_spec: &next,
                            },
                            Mailbox {
                                display_name: None,
                                addr_spec: "z@ex.org",
                            },
                        ];
                        let st = structured("To", &boxes, &o).unwrap();
                        assert_eq!(
                            String::from_utf8_lossy(&st),
                            String::from_utf8_lossy(&text),
                            "{value:?}"
                        );
                    }
                }
            }
        }
    }
}

/// SPEC §4 (and §6 for display names): `Auto` writes each encoded-word in the shorter of Q
/// and B, Q on a tie. Names of `a` ASCII letters and `k` two-byte letters (`é`) have `2k`
/// bytes that Q escapes and no other: Q is `a + 2k * 3` characters, B `4 * ceil((a + 2k) /
/// 3)`; the `a` and `k` below put Q shorter than, equal to (eight times) and longer than B
/// (`xxé`: 4 bytes, Q 8, B 8, a tie, so Q).
///
/// Kills the hand mutants H12 of `put_b_mailbox_body`, `count_ones() as usize > allowed` as
/// `>=` (B taken on a tie), and H13, `allowed = (b_body - n) / 2` as `((b_body - n) /
/// 2).saturating_sub(1)`; also H7 and H8 (the list of three).
#[test]
fn auto_takes_q_on_a_tie_and_the_shorter_otherwise_in_display_names() {
    let o = Options::default();
    let mut ties = 0;
    for a in 0..30 {
        for k in 1..12 {
            let display: String = "x".repeat(a) + &"é".repeat(k);
            let n = display.len();
            if q_text_len(display.as_bytes(), true) == b_text_len(n) {
                ties += 1;
            }
            for value in [
                format!("{display} <a@example.org>"),
                format!("b@example.org, {display} <a@example.org>, c@example.org"),
            ] {
                let out = text_form("To", &value, &o).unwrap();
                check_field(&out, &o, &display);
            }
            let boxes = [Mailbox {
                display_name: Some(&display),
                addr_spec: "a@example.org",
            }];
            let out = structured("To", &boxes, &o).unwrap();
            check_field(&out, &o, &display);
        }
    }
    // (a, k) = (2, 1), (6, 1), (10, 1), (12, 2), (16, 2), (20, 2), (22, 3), (26, 3).
    assert_eq!(ties, 8);
}

/// A small deterministic generator (xorshift), so that the lists below are the same on every
/// run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A msg-id `<left@right>` of dot-atom-texts, 7 to about 70 characters.
fn msg_id(r: &mut Rng) -> String {
    let atom = |r: &mut Rng, len: usize| -> String {
        (0..len)
            .map(|_| {
                let set = b"abcdefghijklmnopqrstuvwxyz0123456789-_+$!";
                set[r.below(set.len())] as char
            })
            .collect()
    };
    let l = 1 + r.below(20);
    let mut left = atom(r, l);
    if r.below(2) == 0 {
        let l = 1 + r.below(12);
        left = format!("{left}.{}", atom(r, l));
    }
    let (l1, l2) = (1 + r.below(15), 2 + r.below(6));
    let right = format!("{}.{}", atom(r, l1), atom(r, l2));
    format!("<{left}@{right}>")
}

/// SPEC §5: ids separated by one space or a fold, a fold only where the next id would pass
/// the soft limit, the first id on the name line (all ids here are far shorter than 998).
fn expected_ids(name: &str, ids: &[String], o: &Options) -> Vec<u8> {
    let eol = common::ending(o);
    let mut out = Vec::new();
    let mut line = format!("{name}: {}", ids[0]);
    for id in &ids[1..] {
        if line.len() + 1 + id.len() <= o.max_line_len {
            line.push(' ');
            line.push_str(id);
        } else {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(eol);
            line = format!(" {id}");
        }
    }
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(eol);
    out
}

/// Lists of msg-ids of one id to 1,500 bytes (mostly past the 192 bytes where the AVX2 scan of
/// `src/msgid.rs` takes its long loop of 64-byte blocks and its last one to 63 bytes), with
/// the ids separated by one space, several, a tab, a caller's fold or nothing (`<a@b><c@d>`,
/// README "Adjacent msg-ids"), in `References` and `In-Reply-To`, with either line ending
/// and several soft limits: written as SPEC §5 says (`expected_ids`).
///
/// The exact-output check that showed the sampled `src/msgid.rs` mutants the quick tests
/// let through in `avx2::marked`, `avx2::check_long` and `avx2::next_long` equivalent (with
/// each, the long scan finds no id ends or flags every pair, and the baseline or general
/// path writes the same bytes); it kills none of them.
#[test]
fn long_msg_id_lists_fold_only_between_ids() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..600 {
        let mut ids = Vec::new();
        let target = match round % 3 {
            0 => 1 + r.below(192),
            1 => 150 + r.below(100),
            _ => 150 + r.below(1350),
        };
        let mut len = 0;
        while len < target {
            let id = msg_id(&mut r);
            len += id.len() + 1;
            ids.push(id);
        }
        let seps = [" ", " ", " ", "  ", "\t", "\r\n ", ""];
        let mut value = String::new();
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                value.push_str(if round % 3 == 0 {
                    " "
                } else {
                    seps[r.below(seps.len())]
                });
            }
            value.push_str(id);
        }
        for lf in [false, true] {
            for width in [78, 78, 100, 200, 998] {
                let o = common::options(width, lf, false, Encoding::Auto);
                for name in ["References", "In-Reply-To"] {
                    let got = common::format_checked(name, mailfold::FieldClass::Auto, &value, &o)
                        .unwrap_or_else(|e| panic!("{value:?}: {e:?}"));
                    let want = expected_ids(name, &ids, &o);
                    assert_eq!(
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(&want),
                        "{value:?} width {width} lf {lf}"
                    );
                }
            }
        }
    }
}

/// SPEC §5 and the README ("Adjacent msg-ids"), read independently: the ids of a msg-id
/// list, each `<left@right>` or a bare `left@right`, both parts dot-atom-text (RFC 5322
/// §3.6.4, no domain literals here), separated by SP/HTAB or adjacent when the next starts
/// with `<`, nothing glued after a `>`; `None` when the list is not one.
fn read_ids(s: &[u8]) -> Option<Vec<String>> {
    let valid = |c: &[u8]| {
        let parts: Vec<&[u8]> = c.split(|&b| b == b'@').collect();
        parts.len() == 2 && is_dot_atom_text(parts[0]) && is_dot_atom_text(parts[1])
    };
    let mut ids = Vec::new();
    let mut i = 0;
    loop {
        while i < s.len() && (s[i] == b' ' || s[i] == b'\t') {
            i += 1;
        }
        if i == s.len() {
            break;
        }
        let content;
        if s[i] == b'<' {
            let j = i + 1 + s[i + 1..].iter().position(|&c| c == b'>')?;
            content = &s[i + 1..j];
            i = j + 1;
            if i < s.len() && !matches!(s[i], b' ' | b'\t' | b'<') {
                return None;
            }
        } else {
            let j = i + s[i..]
                .iter()
                .position(|&c| matches!(c, b' ' | b'\t' | b'<'))
                .unwrap_or(s.len() - i);
            content = &s[i..j];
            i = j;
        }
        if !valid(content) {
            return None;
        }
        ids.push(format!("<{}>", std::str::from_utf8(content).unwrap()));
    }
    (!ids.is_empty()).then_some(ids)
}

/// SPEC §5: a msg-id list with one byte replaced, anywhere in it (in an id, in place of a
/// bracket or of the space between ids), by a byte that may or may not keep it a list of
/// ids (`read_ids` decides): written as a list (`expected_ids`) when it still is one,
/// `InvalidMsgId` when it is not; a control is `ControlCharacter` (SPEC §3). The bytes:
/// specials no id holds (`(` for a comment, `,`, `"`, `;`, `:`, `\`, `[` without a `]`),
/// the separators `@`, `.`, `<`, `>`, SP and HTAB (a `.` may join two atoms, a SP or `<`
/// may split an id into two or into nothing valid), and the atext `x`, `=` and `?`. Lists
/// of one id to 700 bytes (the AVX2 scan's short path of up to 192 bytes and its long loop
/// of 64-byte blocks), every place, in `References`.
///
/// Kills these `src/msgid.rs` `avx2::long` mutants, which make the long scan write a list
/// whose last block it should hand to the checking scan: line 1529 `a1 << 32` as `>>`
/// (column 50); line 1574 (the last block's masks) `|` as `&` (columns 18, 38, 52), `<<` as
/// `>>` (columns 23, 42, 57), `>>` as `<<` (columns 30, 64); line 1578 `at_check(..) != 0`
/// as `== 0`.
#[test]
fn msg_id_lists_with_a_byte_replaced_anywhere() {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    let o = Options::default();
    for round in 0..18 {
        let mut ids = Vec::new();
        let target = match round % 3 {
            0 => 1 + r.below(100),
            1 => 100 + r.below(150),
            _ => 190 + r.below(510),
        };
        let mut len = 0;
        while len < target {
            let id = msg_id(&mut r);
            len += id.len() + 1;
            ids.push(id);
        }
        let value = ids.join(" ");
        for p in 0..value.len() {
            for c in [
                b'(', b',', b'"', b';', b':', b'\\', b'[', b'@', b'.', b'<', b'>', b' ', b'\t',
                b'x', b'=', b'?', 0x01, 0x7f,
            ] {
                let mut v = value.clone().into_bytes();
                if v[p] == c {
                    continue;
                }
                v[p] = c;
                let want = read_ids(&v);
                let v = String::from_utf8(v).unwrap();
                let got = common::format_checked("References", mailfold::FieldClass::Auto, &v, &o);
                if c < 0x20 && c != b'\t' || c == 0x7f {
                    assert!(
                        matches!(got, Err(Error::ControlCharacter { .. })),
                        "{v:?}: {got:?}"
                    );
                } else if let Some(ids) = want {
                    let want = expected_ids("References", &ids, &o);
                    assert_eq!(
                        got.map(|g| String::from_utf8_lossy(&g).into_owned()),
                        Ok(String::from_utf8_lossy(&want).into_owned()),
                        "{v:?}"
                    );
                } else {
                    assert!(
                        matches!(got, Err(Error::InvalidMsgId { .. })),
                        "{v:?}: {:?}",
                        got.map(|g| String::from_utf8_lossy(&g).into_owned())
                    );
                }
            }
        }
    }
}

/// SPEC §5: every id is `<id-left@id-right>`, with one `@`: a list whose ids all have two
/// `@`s, or none, is `InvalidMsgId`, at every length from one id to past the AVX2 scan's
/// long loop (so that every 64-byte block of it holds such an id, not only one block).
///
/// Kills `src/msgid.rs` `avx2::long` `at_check(g, a, &mut at_state) != 0` as `== 0` (line
/// 1544; a block whose ids do not hold one `@` each then goes on to the walk).
#[test]
fn long_msg_id_lists_whose_ids_all_have_two_ats_or_none_are_refused() {
    let o = Options::default();
    for (left, right) in [
        ("a@b", "c.example"),
        ("abc", "d@e.example"),
        ("abcdef.ghij", "klmno.example"),
        ("a", "b@c@d"),
    ] {
        for count in 1..40 {
            for sep in [" ", "  ", ""] {
                let id = format!("<{left}@{right}>");
                let id = if left.contains('@') || right.contains('@') {
                    id
                } else {
                    // No `@` at all.
                    format!("<{left}.{right}>")
                };
                let value = vec![id; count].join(sep);
                for name in ["References", "In-Reply-To"] {
                    let got = common::format_checked(name, mailfold::FieldClass::Auto, &value, &o);
                    assert!(
                        matches!(got, Err(Error::InvalidMsgId { .. })),
                        "{value:?}: {:?}",
                        got.map(|g| String::from_utf8_lossy(&g).into_owned())
                    );
                }
            }
        }
    }
}

/// SPEC §3 and §5: a msg-id is never folded inside, and no line ever exceeds 998 octets
/// (`LineTooLong` otherwise). An id of 997 octets fits a continuation line after its SP
/// (998); one of 998 or more does not, wherever it stands in a list long enough for the
/// AVX2 scan's long loop (here between ids, so that its line is neither the first nor the
/// last). Ids of 890 to 997 octets, around the 896 above which that loop leaves the check of
/// a line's first id to its store, are written on lines of their own, as SPEC §5 folds them.
///
/// Kills `src/msgid.rs` `avx2::long` `open_id(at_state) | (f.over >> 63) as u64` with `|`
/// as `&` (line 1585, column 37) and `>>` as `<<` (column 47).
#[test]
fn a_msg_id_too_long_for_any_line_in_a_long_list_is_line_too_long() {
    let o = Options::default();
    let short = "<abcdefgh.ijklmnop@example.org>";
    for len in (890..=1010).step_by(3).chain([996, 997, 998, 999]) {
        // `<`, the left part, `@x.org>`: `len` octets in all.
        let left = "l".repeat(len - 2 - "@x.org".len());
        let long = format!("<{left}@x.org>");
        assert_eq!(long.len(), len);
        for before in [1, 3, 8] {
            let mut ids: Vec<String> = vec![short.to_owned(); before];
            ids.push(long.clone());
            ids.extend(vec![short.to_owned(); 4]);
            let value = ids.join(" ");
            let got = common::format_checked("References", mailfold::FieldClass::Auto, &value, &o);
            if len <= 997 {
                let want = expected_ids("References", &ids, &o);
                assert_eq!(
                    got.map(|g| String::from_utf8_lossy(&g).into_owned()),
                    Ok(String::from_utf8_lossy(&want).into_owned()),
                    "{len} {before}"
                );
            } else {
                assert!(
                    matches!(got, Err(Error::LineTooLong)),
                    "{len} {before}: {:?}",
                    got.map(|g| g.len())
                );
            }
        }
    }
}
