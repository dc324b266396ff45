//! Conformance audit, round 10: behaviour that no earlier integration test pinned, found with
//! mutation testing (`cargo mutants`) over code rounds 1-9 did not reach. Each test pins what
//! the SPEC, the README "Decisions", the item's own documentation or the RFC text quoted next
//! to it requires, and was seen to fail on the surviving mutant it names. Expectations come
//! from that text, never from running mailfold.
//!
//! Round 10 covers the `HeaderBuf` collector (`src/headerbuf.rs`), the one- and two-id fast
//! paths of msg-id fields (`src/msgid/single.rs`) and the list engines of `src/msgid.rs`
//! (exact output of id lists against a model of SPEC §5, and one replaced byte anywhere).

mod common;

use common::{format_exact, Rng};
use mailfold::{Error, HeaderBuf, LineEnding, Options};

fn fmt(name: &str, value: &str) -> Result<String, Error> {
    format_exact(name, value, &Options::default())
}

/// `HeaderBuf::is_empty` is documented as "True when nothing has been written", and `len`
/// as the bytes held: a buffer holding a field is not empty, one that was cleared (or whose
/// only push failed) is. The mutant `is_empty -> true` passed every integration test.
#[test]
fn header_buf_is_empty_only_when_it_holds_nothing() {
    let opts = Options::default();
    let mut head: HeaderBuf<64> = HeaderBuf::new();
    assert!(head.is_empty());
    // A push that fails adds nothing: still empty.
    assert_eq!(
        head.push("Subject", "a\nb", &opts),
        Err(Error::ControlCharacter { at: 1 })
    );
    assert!(head.is_empty());
    assert_eq!(head.len(), 0);
    head.push("Subject", "hi", &opts).unwrap();
    assert!(!head.is_empty());
    assert_eq!(head.len(), "Subject: hi\r\n".len());
    head.clear();
    assert!(head.is_empty());
    assert_eq!(head.as_bytes(), b"");
}

/// An id of `len` bytes, `<`, `fill` repeated, `@x.org>`.
fn id(len: usize, fill: &str) -> String {
    format!("<{}@x.org>", fill.repeat(len - 8))
}

/// SPEC §5: ids are "separated by one space or a fold", and the fold comes "only between
/// ids, when the next id would pass the soft limit"; SPEC §3: every line is within the soft
/// limit wherever a fold point allows. So `Name: <id1> <id2>` stays one line when it is
/// exactly the soft limit long, and one character more moves the second id after a fold.
/// The one-space two-id value (65..=257 bytes, each id 32..=128) has a fast path of its own
/// (`single::put_two`); ids of 129 bytes take the general one, with the same rule.
#[test]
fn a_second_id_folds_exactly_when_the_line_would_pass_the_soft_limit() {
    for name in ["In-Reply-To", "References"] {
        for (l1, soft) in [
            (32, 78),
            (40, 100),
            (64, 150),
            (65, 200),
            (97, 200),
            (128, 260),
            (32, 174),
        ] {
            for opts in [
                Options::default().with_max_line_len(soft),
                Options::default()
                    .with_max_line_len(soft)
                    .with_line_ending(LineEnding::Lf),
            ] {
                let eol = match opts.line_ending {
                    LineEnding::Crlf => "\r\n",
                    LineEnding::Lf => "\n",
                };
                let first = id(l1, "a");
                // The length of the second id that makes the line exactly `soft`.
                let fit = soft - (name.len() + 2 + l1 + 1);
                for l2 in [fit.saturating_sub(1), fit, fit + 1, fit + 2] {
                    if !(32..=129).contains(&l2) {
                        continue;
                    }
                    let second = id(l2, "b");
                    let value = format!("{first} {second}");
                    let sep = if l2 <= fit {
                        " ".to_string()
                    } else {
                        format!("{eol} ")
                    };
                    let want = format!("{name}: {first}{sep}{second}{eol}");
                    assert_eq!(
                        format_exact(name, &value, &opts).as_deref(),
                        Ok(want.as_str()),
                        "{name} l1={l1} l2={l2} soft={soft} {eol:?}"
                    );
                }
            }
        }
    }
}

/// What a value with one byte of an id replaced must give (SPEC §5, RFC 5322 §3.6.4: id-left
/// and id-right are dot-atom-text, or a `[dtext]` literal on the right; no white space,
/// quotes, comments or specials inside), `at` being the byte that made it invalid, as
/// `tests/edges.rs` and `audit_conformance9` pin those offsets (SPEC §5: "with the offset");
/// `at: usize::MAX` stands for any offset where the text leaves two readings (`<a.@b>`: the
/// dot or the `@`, as `tests/edges.rs` allows). `valid` is the id
/// before the change, `@` at `valid.len() - 7`.
fn expect_replaced(valid: &str, p: usize, c: char) -> Option<Result<(), Error>> {
    let n = valid.len();
    let at_pos = n - 7;
    let in_left = (1..at_pos).contains(&p);
    // The brackets themselves: without the `<` the value reads as a bare id that ends in a
    // stray `>` (`tests/edges.rs`: `a@b>` is invalid at its `>`); without the `>` the id is
    // never closed, and the end of the value is where its `>` should be (`<a@b` at 4).
    if p == 0 {
        return match c {
            'a' | '#' => Some(Err(Error::InvalidMsgId { at: n - 1 })),
            _ => None,
        };
    }
    if p == n - 1 {
        return match c {
            'a' | '#' => Some(Err(Error::InvalidMsgId { at: n })),
            // As `<a@b<c` is invalid at its second `<` (audit_conformance9).
            '<' => Some(Err(Error::InvalidMsgId { at: n - 1 })),
            _ => None,
        };
    }
    match c {
        // atext: fine anywhere in the left side (the id has no `=` for `?` to follow).
        '?' | '=' | '#' | '~' | '{' | '/' if in_left => Some(Ok(())),
        // A dot between two atext bytes of the left side.
        '.' if (2..at_pos - 1).contains(&p) => Some(Ok(())),
        // A dot first, or next to the `@`, the `>` or the right side's dot: an empty atom.
        '.' if p == 1 => Some(Err(Error::InvalidMsgId { at: 1 })),
        '.' if [at_pos - 1, n - 6, n - 4, n - 2].contains(&p) => {
            Some(Err(Error::InvalidMsgId { at: usize::MAX }))
        }
        // `x.o.g`.
        '.' if p == n - 3 => Some(Ok(())),
        // A second `@`: the first one read is the left side's end, the next is the error.
        '@' if (2..at_pos).contains(&p) => Some(Err(Error::InvalidMsgId { at: at_pos })),
        '@' if p == 1 => Some(Err(Error::InvalidMsgId { at: 1 })),
        '@' if p > at_pos => Some(Err(Error::InvalidMsgId { at: p })),
        // No `@` left at all.
        'a' if p == at_pos => Some(Err(Error::InvalidMsgId { at: usize::MAX })),
        'a' if p > at_pos => Some(Ok(())),
        '[' if in_left => Some(Err(Error::InvalidMsgId { at: p })),
        ' ' | '"' | '(' | ')' | ',' | ':' | ';' | '\\' | ']' | '<' => {
            Some(Err(Error::InvalidMsgId { at: p }))
        }
        '\u{1}' | '\u{1f}' | '\u{7f}' => Some(Err(Error::ControlCharacter { at: p })),
        _ => None,
    }
}

/// Every byte position of ids of 32 to 128 bytes (the lengths the AVX2 one-id check reads as
/// two or four 32-byte windows: both ends of each window and the seams between them), one
/// byte replaced: the ids that stay valid come out as they are, on the name line (SPEC §5:
/// "the first id stays on the name line"), the others are the error SPEC §5 / §3 name at the
/// byte that broke them. As the only id of `Message-ID`, and as the second of an
/// `In-Reply-To` whose first id is fine (the two-id path), where `at` counts from the value's
/// start.
#[test]
fn one_replaced_byte_anywhere_in_an_id_of_32_to_128_bytes() {
    let chars = [
        'a', '?', '=', '{', '.', '@', '[', ' ', '"', '(', ',', ';', '\\', ']', '<', '\u{1}',
        '\u{7f}',
    ];
    let first = id(40, "f");
    let mut wrong = Vec::new();
    for n in [
        32, 33, 34, 47, 48, 62, 63, 64, 65, 66, 95, 96, 97, 98, 126, 127, 128,
    ] {
        let valid = id(n, "a");
        for p in 0..n {
            for c in chars {
                let Some(want) = expect_replaced(&valid, p, c) else {
                    continue;
                };
                let mut v = valid.clone().into_bytes();
                v[p] = c as u8;
                let v = String::from_utf8(v).unwrap();
                let got = fmt("Message-ID", &v);
                let ok = match want {
                    Ok(()) => got.as_deref() == Ok(format!("Message-ID: {v}\r\n").as_str()),
                    Err(Error::InvalidMsgId { at: usize::MAX }) => {
                        matches!(got, Err(Error::InvalidMsgId { .. }))
                    }
                    Err(e) => got == Err(e),
                };
                if !ok {
                    wrong.push(format!("Message-ID {v:?}: {got:?}, want {want:?}"));
                }
                let two = format!("{first} {v}");
                let got = fmt("In-Reply-To", &two);
                let ok = match want {
                    Ok(()) => {
                        got.as_deref() == Ok(format!("In-Reply-To: {first}\r\n {v}\r\n").as_str())
                    }
                    Err(Error::InvalidMsgId { at: usize::MAX }) => {
                        matches!(got, Err(Error::InvalidMsgId { at }) if at > 41)
                    }
                    Err(Error::InvalidMsgId { at }) => {
                        got == Err(Error::InvalidMsgId { at: at + 41 })
                    }
                    Err(Error::ControlCharacter { at }) => {
                        got == Err(Error::ControlCharacter { at: at + 41 })
                    }
                    Err(_) => unreachable!(),
                };
                if !ok {
                    wrong.push(format!("In-Reply-To {two:?}: {got:?}, want {want:?}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(20)]
    );
}

/// A dot-atom-text of `len` bytes (RFC 5322 §3.2.3): atext with single dots between atoms.
fn dot_atom(rng: &mut Rng, len: usize) -> String {
    let alphabet = b"abcxyz0189-_+!#$%&'*/^`{|}~";
    let mut s = String::new();
    for i in 0..len {
        let dot_ok = i > 0 && i + 1 < len && !s.ends_with('.');
        if dot_ok && rng.chance(12) {
            s.push('.');
        } else {
            s.push(rng.pick(alphabet) as char);
        }
    }
    s
}

/// An id of `len` bytes (at least 5): `<left@right>`.
fn gen_id(rng: &mut Rng, len: usize) -> String {
    let inner = len - 3;
    let left = rng.range(1, inner - 1);
    format!("<{}@{}>", dot_atom(rng, left), dot_atom(rng, inner - left))
}

/// The output SPEC §5 asks for: the first id on the name line, then each id after one space
/// while the line stays within the soft limit, else after a fold (ids never cut).
fn model_ids(name: &str, ids: &[String], soft: usize, eol: &str) -> String {
    let mut out = format!("{name}: {}", ids[0]);
    let mut line = name.len() + 2 + ids[0].len();
    for id in &ids[1..] {
        if line + 1 + id.len() <= soft {
            out.push(' ');
            line += 1 + id.len();
        } else {
            out.push_str(eol);
            out.push(' ');
            line = 1 + id.len();
        }
        out.push_str(id);
    }
    out.push_str(eol);
    out
}

/// References and In-Reply-To of 1 to 40 ids of 5 to 200 bytes, separated by one space (the
/// fast engines' input), by other white space, a caller's fold, or nothing (SPEC §5: "separated
/// by white space or adjacent"), come out exactly as SPEC §5 and §3 describe (see
/// [`model_ids`]), at several soft limits and both line endings.
#[test]
fn msg_id_lists_fold_between_ids_exactly_where_the_soft_limit_says() {
    let mut rng = Rng(0x5eed_0010);
    let mut wrong = Vec::new();
    for case in 0..1500 {
        let n_ids = match case % 4 {
            0 => rng.range(1, 3),
            1 => rng.range(2, 8),
            _ => rng.range(5, 40),
        };
        let ids: Vec<String> = (0..n_ids)
            .map(|_| {
                let len = match rng.below(5) {
                    0 => rng.range(5, 16),
                    1 => rng.range(30, 70),
                    2 => rng.range(60, 130),
                    3 => rng.range(120, 200),
                    _ => rng.range(16, 40),
                };
                gen_id(&mut rng, len)
            })
            .collect();
        let soft = *[78, 78, 40, 60, 100, 200, 998].get(rng.below(7)).unwrap();
        let lf = rng.chance(30);
        let mut opts = Options::default().with_max_line_len(soft);
        if lf {
            opts = opts.with_line_ending(LineEnding::Lf);
        }
        let eol = if lf { "\n" } else { "\r\n" };
        let seps = [" ", " ", " ", " ", "", "  ", "\t", "\r\n ", "\n\t"];
        let mut value = ids[0].clone();
        let plain = rng.chance(60);
        for id in &ids[1..] {
            value.push_str(if plain { " " } else { rng.pick(&seps) });
            value.push_str(id);
        }
        let name = rng.pick(&["References", "In-Reply-To", "X-Refs-Long-Name-For-Test"]);
        let got = if name.starts_with("X-") {
            common::format_checked(name, mailfold::FieldClass::MsgId, &value, &opts)
                .map(|v| String::from_utf8(v).unwrap())
        } else {
            format_exact(name, &value, &opts)
        };
        let want = model_ids(name, &ids, soft, eol);
        if got.as_deref() != Ok(want.as_str()) {
            wrong.push(format!(
                "{name} soft {soft} {value:?}:\n got {got:?}\nwant {want:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
}

/// One byte of a one-space list of ids replaced (SPEC §5, §3, README "Errors"): a letter of
/// an id by `"` or `;` is `InvalidMsgId` at that byte, by DEL `ControlCharacter` there, by
/// `?` still a valid list, by `@` (or the `@` by a letter) `InvalidMsgId` inside that id; the space between two ids
/// by `"` or `,` is `InvalidMsgId` there (only white space may separate ids).
#[test]
fn one_replaced_byte_anywhere_in_a_list_of_ids() {
    let mut rng = Rng(0x5eed_1010);
    let mut wrong = Vec::new();
    for case in 0..12 {
        let n_ids = rng.range(2, if case % 3 == 0 { 4 } else { 16 });
        let ids: Vec<String> = (0..n_ids)
            .map(|_| {
                let len = rng.range(5, 140);
                gen_id(&mut rng, len)
            })
            .collect();
        let value = ids.join(" ");
        let bytes = value.as_bytes();
        // Where each id starts, to tell which one a byte belongs to.
        let starts: Vec<usize> = ids
            .iter()
            .scan(0, |at, id| {
                let s = *at;
                *at += id.len() + 1;
                Some(s)
            })
            .collect();
        for p in 0..bytes.len() {
            let b = bytes[p];
            // An `@` added to an id, or its `@` taken away: that id is invalid (SPEC §5:
            // exactly one `@`), blamed somewhere inside it.
            let k = starts.iter().rposition(|&s| s <= p).unwrap();
            let (start, end) = (starts[k], starts[k] + ids[k].len());
            let c = match b {
                b'@' => b'a',
                b if b.is_ascii_alphanumeric() => b'@',
                _ => 0,
            };
            if c != 0 {
                let mut v = bytes.to_vec();
                v[p] = c;
                let v = String::from_utf8(v).unwrap();
                let got = fmt("References", &v);
                if !matches!(got, Err(Error::InvalidMsgId { at }) if (start..=end).contains(&at)) {
                    wrong.push(format!(
                        "{v:?}: {got:?}, want InvalidMsgId in {start}..={end}"
                    ));
                }
            }
            let cases: &[(u8, Option<Error>)] = if b == b' ' {
                &[
                    (b'"', Some(Error::InvalidMsgId { at: p })),
                    (b',', Some(Error::InvalidMsgId { at: p })),
                    (1, Some(Error::ControlCharacter { at: p })),
                ]
            } else if b.is_ascii_alphanumeric() {
                &[
                    (b'"', Some(Error::InvalidMsgId { at: p })),
                    (b';', Some(Error::InvalidMsgId { at: p })),
                    (0x7f, Some(Error::ControlCharacter { at: p })),
                    (b'?', None),
                ]
            } else {
                &[]
            };
            for &(c, ref want) in cases {
                let mut v = bytes.to_vec();
                v[p] = c;
                let v = String::from_utf8(v).unwrap();
                let got = fmt("References", &v);
                let ok = match want {
                    Some(e) => got.as_ref() == Err(e),
                    None => {
                        let new_ids: Vec<String> = v.split(' ').map(str::to_string).collect();
                        got.as_deref() == Ok(model_ids("References", &new_ids, 78, "\r\n").as_str())
                    }
                };
                if !ok {
                    wrong.push(format!("{v:?}: {got:?}, want {want:?}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
}
