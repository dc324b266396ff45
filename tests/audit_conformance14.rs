//! Conformance audit, round 14: every field class under every option at once. Earlier rounds
//! drew options at random per case; here each class (Subject, Keywords, List-Id, msg-id
//! lists, address lists, Bcc, Return-Path, Received, DKIM-Signature, Date, MIME parameter
//! fields, verbatim) meets every soft limit edge (40, 41, 76, 77, 78, 79, 997, 998), both
//! line endings, utf8 on and off and every encoding, and the output is held to SPEC §3 line
//! rules and to invariants the SPEC implies between options: the line ending is not part of
//! any limit (so LF output is the CRLF output with `\r\n` replaced), utf8 only changes how
//! non-ASCII is written (so ASCII input gives the same bytes with utf8 on and off), and the
//! soft limit is `InvalidOption` outside 40..=998 for every class and entry point. Exact
//! 78- and 998-column lines, empty and white-space-only values, caller folds at the very
//! start or end, and error offsets through caller folds and multi-byte text follow. Every
//! expectation comes from SPEC.md, the README's decisions or the RFC text quoted next to
//! it, never from running mailfold.

mod common;
use common::format_field_exact as format;
use common::options;
use common::{check_structure, decode_unstructured, expected_unstructured, unfold_value, Kind};

use mailfold::{
    format_field, format_header, format_mailboxes, Encoding, Error, FieldClass, HeaderBuf,
    LineEnding, Mailbox, Options,
};

fn assert_no_failures(failures: &[String]) {
    for f in failures {
        eprintln!("FAILURE: {f}");
    }
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(8)]
    );
}

fn collapse(s: &str) -> String {
    s.split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One sample field per class: name, forced class, value, the tokenisation its lines are
/// checked with, whether its text reads back literally (white space collapsed), and whether
/// it is valid with utf8 off.
struct Sample {
    name: &'static str,
    class: FieldClass,
    value: String,
    kind: Kind,
    literal: bool,
    ascii_ok: bool,
}

fn samples() -> Vec<Sample> {
    let s = |name, class, value: &str, kind, literal, ascii_ok| Sample {
        name,
        class,
        value: value.to_string(),
        kind,
        literal,
        ascii_ok,
    };
    let long_b64: String = (0..300)
        .map(|i| {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i * 7 % 64] as char
        })
        .collect();
    let dkim = format!(
        "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel2026; \
         h=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; \
         b={long_b64}"
    );
    let refs = (0..6)
        .map(|i| format!("<{i}.{}@host{i}.example.com>", "abcdef".repeat(i + 1)))
        .collect::<Vec<_>>()
        .join(" ");
    use FieldClass as C;
    vec![
        s(
            "Subject",
            C::Auto,
            "The quick brown fox jumps over the lazy dog and keeps on running far away \
             into the hills beyond the river where nobody has seen it since that day",
            Kind::Unstructured,
            true,
            true,
        ),
        s(
            "Subject",
            C::Auto,
            "Grüße aus Köln 👩\u{200d}👩\u{200d}👧 مرحبا بالعالم e\u{301}\u{302}\u{303} 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \
             text with ASCII words in between 日本語のテキスト 🏳\u{fe0f}\u{200d}🌈 done",
            Kind::Unstructured,
            true,
            true,
        ),
        s(
            "X-Very-Long-Header-Name-That-Takes-Most-Of-The-Line-Already",
            C::Auto,
            "short words 𐍈𐍈𐍈 then more words 👍🏽 and the end",
            Kind::Unstructured,
            true,
            true,
        ),
        s(
            "Keywords",
            C::Auto,
            "alpha, beta gamma, Grüße, 👍 thumbs, delta epsilon zeta, שלום עולם, eta",
            Kind::Structured,
            false,
            true,
        ),
        s(
            "List-Id",
            C::Auto,
            "Ünïcödé 👩\u{200d}💻 developers discussion list <dev.lists.example.org>",
            Kind::Structured,
            false,
            true,
        ),
        s(
            "List-Id",
            C::Auto,
            "<a-fairly-long-list-label.with-many-parts.lists.example.org>",
            Kind::Structured,
            true,
            true,
        ),
        s("References", C::Auto, &refs, Kind::MsgId, true, true),
        s(
            "Message-ID",
            C::Auto,
            "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>",
            Kind::MsgId,
            true,
            true,
        ),
        s(
            "To",
            C::Auto,
            "Jöhn Dœ <john@example.com>, \"Doe, Jane\" <jane@example.org>, plain@example.net, \
             Team: a@x.org, b@x.org;, 👩\u{200d}💻 Coder <coder@example.com>, undisclosed-recipients:;",
            Kind::Structured,
            false,
            true,
        ),
        s(
            "Cc",
            C::Auto,
            "jöhn@exämple.com, Ann <ann@example.com>",
            Kind::Structured,
            true,
            false,
        ),
        s("Bcc", C::Auto, "", Kind::Structured, true, true),
        s(
            "Return-Path",
            C::Auto,
            "<bounce+list-owner=example.org@mail.example.com>",
            Kind::Structured,
            true,
            true,
        ),
        s(
            "Received",
            C::Auto,
            "from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.org \
             (Postfix) with ESMTPS id 4Zx9Q01abcdefghijk for <user@example.org>; \
             Tue, 01 Dec 2026 08:00:00 +0000",
            Kind::Ascii,
            true,
            true,
        ),
        s("DKIM-Signature", C::Auto, &dkim, Kind::Ascii, true, true),
        s(
            "Authentication-Results",
            C::Auto,
            "mx.example.org; dkim=pass header.d=example.com header.s=sel2026; \
             spf=pass smtp.mailfrom=example.com; dmarc=pass (p=reject) header.from=example.com",
            Kind::Ascii,
            true,
            true,
        ),
        s(
            "Date",
            C::Auto,
            "Tue, 01 Dec 2026 08:15:03 +0000",
            Kind::Ascii,
            true,
            true,
        ),
        s(
            "Content-Type",
            C::Auto,
            "text/plain; charset=utf-8; format=flowed; delsp=yes",
            Kind::Ascii,
            true,
            true,
        ),
        s(
            "Content-Disposition",
            C::Auto,
            "attachment; filename=\"Grüße 👩\u{200d}👩\u{200d}👧 a rather long file name for folding.pdf\"; size=12345",
            Kind::Ascii,
            false,
            true,
        ),
        s(
            "X-Raw",
            C::Verbatim,
            "v=1; a=rsa-sha256; d=example.com;\r\n\tb=abcdefghijklmnopqrstuvwxyz0123456789",
            Kind::Ascii,
            true,
            true,
        ),
        s(
            "X-Raw-UTF8",
            C::Verbatim,
            "Grüße;\r\n\t👩\u{200d}💻 text",
            Kind::Ascii,
            true,
            false,
        ),
    ]
}

/// SPEC §1.1 / options docs: the soft limit is 40..=998; everything else, 0 included (0 is
/// the C ABI's spelling of the default, not the Rust one), is `InvalidOption`, for every
/// class, every entry point and every value, valid or not, empty or not.
#[test]
fn soft_limit_outside_40_to_998_is_invalid_option_for_every_class() {
    let mut failures = Vec::new();
    let bad = [0, 1, 39, 999, 1000, usize::MAX / 2, usize::MAX];
    for smp in samples() {
        for &max in &bad {
            for (lf, utf8) in [(false, false), (true, true)] {
                let o = options(max, lf, utf8, Encoding::Auto);
                let got = format_field(smp.name, smp.class, &smp.value, &o, &mut [0u8; 4096]);
                if got != Err(Error::InvalidOption) {
                    failures.push(format!("{} max {max}: {got:?}", smp.name));
                }
                let q = format_field(smp.name, smp.class, &smp.value, &o, &mut []);
                if q != Err(Error::InvalidOption) {
                    failures.push(format!("{} max {max} size query: {q:?}", smp.name));
                }
            }
        }
    }
    for &max in &bad {
        let o = options(max, false, false, Encoding::Auto);
        let mb = [Mailbox {
            display_name: Some("Ann"),
            addr_spec: "ann@example.com",
        }];
        let got = format_mailboxes("To", &mb, &o, &mut [0u8; 256]);
        if got != Err(Error::InvalidOption) {
            failures.push(format!("format_mailboxes max {max}: {got:?}"));
        }
        let got = format_mailboxes("Bcc", &[], &o, &mut [0u8; 256]);
        if got != Err(Error::InvalidOption) {
            failures.push(format!("format_mailboxes empty Bcc max {max}: {got:?}"));
        }
        let got = format_header("Subject", "", &o, &mut [0u8; 256]);
        if got != Err(Error::InvalidOption) {
            failures.push(format!("empty Subject max {max}: {got:?}"));
        }
        let mut h = HeaderBuf::<256>::new();
        let got = h.push("Subject", "hi", &o);
        if got != Err(Error::InvalidOption) || !h.is_empty() {
            failures.push(format!(
                "HeaderBuf::push max {max}: {got:?} {:?}",
                h.as_str()
            ));
        }
    }
    for max in [40, 41, 78, 997, 998] {
        let o = options(max, false, false, Encoding::Auto);
        if format_header("Subject", "hi", &o, &mut [0u8; 64]).is_err() {
            failures.push(format!("max {max} refused"));
        }
    }
    assert_no_failures(&failures);
}

/// Every class under every soft-limit edge, line ending, utf8 mode and encoding:
/// * SPEC §3 line rules (`common::check_structure`: the chosen ending only, no bare CR or LF,
///   ≤ 998 octets, ≤ the soft limit in characters with utf8 wherever a fold point allows,
///   encoded-word lines ≤ 76, no needless fold after the colon);
/// * the line ending is excluded from every limit (RFC 5322 §2.1.1 "excluding the CRLF";
///   options docs), so the LF form is the CRLF form with each `\r\n` written `\n`;
/// * utf8 changes only how non-ASCII is written (SPEC §1.1, RFC 6532), so an all-ASCII value
///   gives the same bytes with utf8 on and off;
/// * the lossless rule (SPEC §3): unstructured values decode back (RFC 2047 §6.2), the other
///   literal ones unfold to the same text with white space collapsed.
#[test]
fn every_class_under_every_option_edge() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for smp in samples() {
        for &max in &[40, 41, 76, 77, 78, 79, 100, 997, 998] {
            for enc in [Encoding::Auto, Encoding::Q, Encoding::B] {
                let mut by_mode: Vec<(bool, bool, Vec<u8>)> = Vec::new();
                for utf8 in [false, true] {
                    for lf in [false, true] {
                        let o = options(max, lf, utf8, enc);
                        let what = format!("{} max {max} lf {lf} utf8 {utf8} {enc:?}", smp.name);
                        let out = match format(smp.name, smp.class, &smp.value, &o) {
                            Ok(out) => out,
                            Err(Error::NonAscii { .. }) if !utf8 && !smp.ascii_ok => continue,
                            Err(e) => {
                                failures.push(format!("{what}: {e:?} for {:?}", smp.value));
                                continue;
                            }
                        };
                        checked += 1;
                        if !utf8 && !smp.ascii_ok {
                            failures.push(format!("{what}: accepted non-ASCII with utf8 off"));
                        }
                        let shown = String::from_utf8_lossy(&out).into_owned();
                        if let Err(e) = check_structure(&out, smp.name, smp.kind, &o) {
                            failures.push(format!("{what}: {e}\n{shown}"));
                        }
                        if smp.literal {
                            let v = unfold_value(&out, smp.name, &o).unwrap_or_default();
                            let v = String::from_utf8_lossy(&v).into_owned();
                            if smp.kind == Kind::Unstructured {
                                match decode_unstructured(v.as_bytes()) {
                                    Ok(d)
                                        if d.trim_matches([' ', '\t'])
                                            == expected_unstructured(&smp.value) => {}
                                    other => failures
                                        .push(format!("{what}: decodes to {other:?}\n{shown}")),
                                }
                            } else {
                                let want =
                                    collapse(&smp.value.replace("\r\n", "").replace('\n', ""));
                                let want = if smp.name == "Bcc" {
                                    String::new()
                                } else {
                                    want
                                };
                                if collapse(&v) != want {
                                    failures.push(format!("{what}: unfolds to {v:?}"));
                                }
                            }
                        }
                        by_mode.push((utf8, lf, out));
                    }
                }
                let find = |u: bool, l: bool| {
                    by_mode
                        .iter()
                        .find(|(a, b, _)| *a == u && *b == l)
                        .map(|(_, _, o)| o.clone())
                };
                for utf8 in [false, true] {
                    if let (Some(crlf), Some(lf)) = (find(utf8, false), find(utf8, true)) {
                        let as_lf = String::from_utf8_lossy(&crlf).replace("\r\n", "\n");
                        if as_lf.as_bytes() != lf.as_slice() {
                            failures.push(format!(
                                "{} max {max} utf8 {utf8} {enc:?}: LF form differs from CRLF form\n\
                                 CRLF: {as_lf:?}\nLF:   {:?}",
                                smp.name,
                                String::from_utf8_lossy(&lf)
                            ));
                        }
                    }
                }
                if smp.value.is_ascii() {
                    if let (Some(a), Some(b)) = (find(false, false), find(true, false)) {
                        if a != b {
                            failures.push(format!(
                                "{} max {max} {enc:?}: ASCII value differs with utf8 on\n\
                                 off: {:?}\non:  {:?}",
                                smp.name,
                                String::from_utf8_lossy(&a),
                                String::from_utf8_lossy(&b)
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!("{checked} fields checked");
    assert_no_failures(&failures);
}

// ---- ASCII structured fields over random values ------------------------------------------

/// One random ASCII structured value: atoms, long tokens, quoted-strings (with white space,
/// quoted-pairs and parentheses inside), comments (nested, with quotes inside), runs of
/// spaces and tabs, caller folds, and with utf8 non-ASCII text (4-byte characters, combining
/// marks, right-to-left text, ZWJ sequences).
fn random_ascii_structured(r: &mut common::Rng, utf8: bool) -> String {
    let mut v = String::new();
    let n = r.range(1, 14);
    for i in 0..n {
        if i > 0 {
            v.push_str(r.pick(&[" ", " ", " ", "  ", "\t", " \t ", "\r\n ", "\n\t", ";  "]));
        }
        let word = match r.below(8) {
            0 => "a".repeat(r.range(1, 120)),
            1 => format!(
                "\"{} {}\"",
                "q".repeat(r.range(0, 30)),
                "w".repeat(r.range(0, 30))
            ),
            2 => format!("\"x\\\" (y) \t z\\\\\"{}", r.pick(&["", ";", ","])),
            3 => format!("(c \"o\" (n) {})", "m".repeat(r.range(1, 40))),
            4 if utf8 => r
                .pick(&[
                    "é",
                    "𝔘𝔫𝔦",
                    "e\u{301}\u{302}",
                    "مرحبا",
                    "👩\u{200d}💻",
                    "日本語テキスト",
                ])
                .repeat(r.range(1, 12)),
            5 => format!("k{}={}", r.below(100), "v".repeat(r.range(1, 50))),
            _ => r
                .pick(&[
                    "from",
                    "by",
                    "with",
                    "ESMTPS",
                    "id",
                    "for",
                    "<u@example.org>",
                    "[192.0.2.1]",
                ])
                .to_string(),
        };
        v.push_str(&word);
    }
    if r.chance(10) {
        v.insert_str(0, r.pick(&[" ", "\r\n ", "\t"]));
    }
    if r.chance(10) {
        v.push_str(r.pick(&[" ", "\r\n ", "\t"]));
    }
    v
}

/// Splits one output line into fold-point separated tokens the way RFC 5322 structured
/// syntax does: white space inside a quoted-string (outside comments) or escaped by a
/// quoted-pair is not a fold point (SPEC §3: "never inside a quoted-string"); `state`
/// carries (quoted, comment depth) from line to line.
fn structured_tokens(line: &[u8], state: &mut (bool, usize)) -> usize {
    let (mut n, mut in_tok, mut esc) = (0, false, false);
    for &b in line {
        let ws = b == b' ' || b == b'\t';
        if esc {
            esc = false;
        } else if b == b'\\' && (state.0 || state.1 > 0) {
            esc = true;
        } else if state.0 {
            state.0 = b != b'"';
        } else if b == b'(' {
            state.1 += 1;
        } else if b == b')' {
            state.1 = state.1.saturating_sub(1);
        } else if b == b'"' && state.1 == 0 {
            state.0 = true;
        }
        if ws && !state.0 && !esc {
            in_tok = false;
        } else if !ws && !in_tok {
            in_tok = true;
            n += 1;
        }
    }
    n
}

/// SPEC §2/§3 for ASCII structured fields (Received, DKIM-Signature, Authentication-Results,
/// forced `AsciiStructured`), over random values with every soft-limit edge, both endings
/// and utf8 on and off: the value is kept exactly (the caller's folds lose their line break,
/// leading and trailing white space goes, nothing else changes: RFC 5322 §2.2.3 unfolding of
/// the output gives it back), every line ends with the chosen ending, no line passes 998
/// octets, a line past the soft limit (characters with utf8) holds one unbreakable token,
/// the break goes before white space, no line is only white space, and the LF form is the
/// CRLF form with `\n` endings.
#[test]
fn random_ascii_structured_values_keep_their_text_and_the_line_rules() {
    let mut r = common::Rng(0x14_a5c1);
    let mut failures = Vec::new();
    let names = [
        "Received",
        "DKIM-Signature",
        "Authentication-Results",
        "X-Trace",
    ];
    for case in 0..3000 {
        let utf8 = r.chance(50);
        let value = random_ascii_structured(&mut r, utf8);
        let max = r.pick(&[40, 41, 76, 77, 78, 79, 120, 997, 998]);
        let name = r.pick(&names);
        let class = if name == "X-Trace" {
            FieldClass::AsciiStructured
        } else {
            FieldClass::Auto
        };
        let mut outs = Vec::new();
        for lf in [false, true] {
            let o = options(max, lf, utf8, Encoding::Auto);
            let what = format!("case {case} {name} max {max} lf {lf} utf8 {utf8} {value:?}");
            let out = match format(name, class, &value, &o) {
                Ok(out) => out,
                Err(e) => {
                    failures.push(format!("{what}: {e:?}"));
                    continue;
                }
            };
            let shown = String::from_utf8_lossy(&out).into_owned();
            let ls = match common::split_lines(&out, &o) {
                Ok(ls) => ls,
                Err(e) => {
                    failures.push(format!("{what}: {e}\n{shown}"));
                    continue;
                }
            };
            let mut state = (false, 0);
            let mut unfolded = Vec::new();
            for (li, l) in ls.iter().enumerate() {
                let body = if li == 0 {
                    &l[name.len() + 1..]
                } else {
                    &l[..]
                };
                unfolded.extend_from_slice(body);
                let toks = structured_tokens(body, &mut state);
                let w = common::width(l, utf8);
                if l.len() > 998 {
                    failures.push(format!("{what}: line {li} is {} octets\n{shown}", l.len()));
                }
                if w > max && toks > 1 {
                    failures.push(format!(
                        "{what}: line {li} is {w} wide with {toks} tokens\n{shown}"
                    ));
                }
                if li > 0 && (toks == 0 || !matches!(l[0], b' ' | b'\t')) {
                    failures.push(format!("{what}: continuation line {li} {l:?}"));
                }
                // White space ending a line past the limit could have started the next
                // line, unless it keeps that line within the limit (SPEC §3), or, for a
                // next line past the limit with one long token, within 998 octets.
                let trailing = l
                    .iter()
                    .rev()
                    .take_while(|&&b| matches!(b, b' ' | b'\t'))
                    .count();
                let could_start_next = ls.get(li + 1).is_some_and(|next| {
                    let wn = common::width(next, utf8);
                    wn + trailing <= max || (wn > max && next.len() + trailing <= 998)
                });
                if trailing > 0 && could_start_next && w > max {
                    failures.push(format!(
                        "{what}: line {li} ends in white space past the limit"
                    ));
                }
            }
            let want = expected_unstructured(&value);
            let got = String::from_utf8_lossy(&unfolded).into_owned();
            if got.strip_prefix(' ') != Some(want.as_str()) {
                failures.push(format!("{what}: unfolds to {got:?}, want {want:?}"));
            }
            outs.push(shown);
        }
        if outs.len() == 2 && outs[0].replace("\r\n", "\n") != outs[1] {
            failures.push(format!(
                "case {case}: LF form differs\n{:?}\n{:?}",
                outs[0], outs[1]
            ));
        }
    }
    assert_no_failures(&failures);
}

// ---- The C ABI against the Rust API, from Python ctypes and from a C++ program -----------

/// The `MAILFOLD_*` status and `*error_at` SPEC §1.2 and the README ("`*error_at` is
/// `SIZE_MAX` when an error has no position") give for a Rust result.
fn c_status(r: &Result<Vec<u8>, Error>) -> (i32, u64) {
    const NONE: u64 = u64::MAX;
    match r {
        Ok(_) => (0, NONE),
        Err(e) => match *e {
            Error::BufferTooSmall { .. } => (1, NONE),
            Error::InvalidName => (3, NONE),
            Error::ControlCharacter { at } => (5, at as u64),
            Error::NonAscii { at } => (6, at as u64),
            Error::InvalidMsgId { at } => (7, at as u64),
            Error::InvalidAddress { at } => (8, at as u64),
            Error::LineTooLong => (9, NONE),
            Error::InvalidOption => (10, NONE),
            Error::InvalidDate => (11, NONE),
            Error::InvalidParameter { at } => (12, at as u64),
            _ => panic!("an error SPEC §1.2 has no status for: {e:?}"),
        },
    }
}

fn hex_bytes(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SPEC §1.2 through `libmailfold.so`, for every class and option the Rust API is checked
/// with above: `mailfold_format_field` (and `mailfold_format_header` for the class from the
/// name) must give the Rust API's bytes and error, with the C semantics around them: the
/// size query, `out_cap` of needed - 1 / needed / needed + 1 (a NUL only after the output,
/// nothing written at or past `out + out_cap`), the same status and `*error_at` at every
/// `out_cap` for invalid input, `*out_len` 0 after other errors, NULL pointers with zero and
/// non-zero lengths, and invalid UTF-8 of every kind (a lone continuation byte, a truncated
/// sequence at the end or before ASCII, overlong forms, surrogates, code points past
/// U+10FFFF, the bytes F5..FF) at the start, in the middle and at the end of the value,
/// `*error_at` the first byte that is not UTF-8. The same rows run once from Python's ctypes
/// and once from a C++11 program compiled against `include/mailfold.h`
/// (`tests/audit_conformance14_abi.py`, `tests/audit_conformance14_abi.cpp`); g++ and
/// python3 are required (the test command installs both).
#[cfg(target_os = "linux")]
#[test]
fn c_abi_matches_the_rust_api_for_every_class() {
    let mut rows = String::new();
    let mut push =
        |class: i32, flags: u32, max: u32, name: &[u8], value: &[u8], r: (i32, u64), out: &[u8]| {
            rows.push_str(&format!(
                "{class}\t{flags}\t{max}\t{}\t{}\t{}\t{}\t{}\n",
                hex_bytes(name),
                hex_bytes(value),
                r.0,
                r.1,
                hex_bytes(out)
            ));
        };
    let class_code = |c: FieldClass| match c {
        FieldClass::Auto => 0,
        FieldClass::Unstructured => 1,
        FieldClass::MsgId => 2,
        FieldClass::Address => 3,
        FieldClass::ReturnPath => 4,
        FieldClass::AsciiStructured => 5,
        FieldClass::Mime => 6,
        FieldClass::Verbatim => 7,
    };
    let mut values: Vec<(&str, FieldClass, String)> = samples()
        .into_iter()
        .map(|s| (s.name, s.class, s.value))
        .collect();
    // Invalid values, one per error with a position, the offending byte late in the value
    // and after a caller's fold and multi-byte text.
    for (name, v) in [
        ("Subject", "Grüße\r\n aus\u{1}Köln"),
        ("Subject", "a\r\nb"),
        ("Received", "from höst by x"),
        ("Message-ID", "<a@b>\r\n <c@d>"),
        ("References", "<a@b> <c d@e>"),
        ("To", "Jöhn <j@x>, (comment) k@y"),
        ("Content-Type", "text/plain; name*=utf-8''%FF"),
        ("Date", "Tue, 02 Dec 2026 08:15:03 +0000"),
        ("Return-Path", "<a@b> x"),
        ("X-\u{e9}", "x"),
        ("", "x"),
    ] {
        values.push((name, FieldClass::Auto, v.to_string()));
    }
    values.push(("X-R", FieldClass::Verbatim, "a\r\n \r\n b".to_string()));
    values.push(("X-U", FieldClass::Unstructured, String::new()));
    values.push(("To", FieldClass::Address, String::new()));
    let mut n = 0;
    for (name, class, value) in &values {
        for (flags, max) in [
            (0u32, 0u32),
            (1, 40),
            (2, 77),
            (3, 998),
            (4, 78),
            (9, 76),
            (18, 0),
        ] {
            let o = Options::default()
                .with_max_line_len(if max == 0 { 78 } else { max as usize })
                .with_line_ending(if flags & 1 != 0 {
                    LineEnding::Lf
                } else {
                    LineEnding::Crlf
                })
                .with_utf8(flags & 2 != 0)
                .with_encoding(match flags & 12 {
                    4 => Encoding::Q,
                    8 => Encoding::B,
                    _ => Encoding::Auto,
                })
                .with_rfc2047_params(flags & 16 != 0);
            let r = format(name, *class, value, &o);
            let out = r.as_deref().unwrap_or_default().to_vec();
            push(
                class_code(*class),
                flags,
                max,
                name.as_bytes(),
                value.as_bytes(),
                c_status(&r),
                &out,
            );
            n += 1;
        }
    }
    // Out-of-range options and classes (SPEC §1.2: INVALID_OPTION).
    for (class, flags, max) in [
        (0, 0, 39),
        (0, 0, 999),
        (0, 12, 0),
        (0, 32, 0),
        (8, 0, 0),
        (-1, 0, 0),
    ] {
        push(class, flags, max, b"Subject", b"hi", (10, u64::MAX), b"");
        n += 1;
    }
    // Invalid UTF-8: each kind at the start, in the middle and at the end of a value whose
    // other bytes are valid (and would be valid for the class).
    let bad: [&[u8]; 12] = [
        b"\x80",
        b"\xbf",
        b"\xc3",
        b"\xe2\x82",
        b"\xf0\x9f\x98",
        b"\xc0\xaf",
        b"\xe0\x80\xaf",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xfe",
        b"\xff",
    ];
    for (name, class, pre, post) in [
        ("Subject", 0, "Grüße ", " aus Köln"),
        ("Keywords", 0, "a, ", ", b"),
        ("To", 0, "Ann <a@", ".org>"),
        ("Message-ID", 0, "<a@", ".b>"),
        ("Received", 0, "from ", " by x"),
        ("Content-Type", 0, "text/plain; name=\"", "\""),
        ("X-R", 7, "a;\r\n b", "c"),
    ] {
        for b in bad {
            for (p, q) in [("", post), (pre, post), (pre, "")] {
                let mut v = p.as_bytes().to_vec();
                v.extend_from_slice(b);
                v.extend_from_slice(q.as_bytes());
                let at = std::str::from_utf8(&v).unwrap_err().valid_up_to();
                assert_eq!(at, p.len(), "{v:?}");
                push(class, 2, 0, name.as_bytes(), &v, (4, at as u64), b"");
                n += 1;
            }
        }
    }
    // Invalid UTF-8 in the name: no position in the value (README, C ABI).
    push(0, 0, 0, b"X-\xc3", b"x", (4, u64::MAX), b"");
    n += 1;
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit14_abi.txt");
    std::fs::write(&path, rows).unwrap();
    eprintln!("{n} rows");
    common::run_python_harness(
        "audit_conformance14_abi.py",
        &[path.to_str().unwrap()],
        "the round 14 C ABI cross-check",
    );
}

// ---- Error offsets -----------------------------------------------------------------------

/// SPEC §3: NUL, other C0 controls but HTAB, DEL, and a CR or LF that is not part of a fold
/// are `ControlCharacter` in every class; SPEC §1.1: "`at` is a byte offset into the
/// caller's value as given". Inserted at every character boundary of every sample value
/// (after caller folds, multi-byte text, quoted-strings, comments, angle brackets), the
/// control character is the first byte that is wrong, so the error is
/// `ControlCharacter { at }` with `at` its offset, whatever the class.
#[test]
fn a_control_character_anywhere_is_reported_at_its_offset_in_every_class() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for smp in samples() {
        let o = options(78, false, true, Encoding::Auto);
        let v = &smp.value;
        for p in (0..=v.len()).filter(|&p| v.is_char_boundary(p)) {
            // Not inside or right after a caller's fold: the fold's own CR or LF would then
            // be the first wrong byte.
            if p > 0 && matches!(v.as_bytes()[p - 1], b'\r' | b'\n') {
                continue;
            }
            for c in ["\u{0}", "\u{1}", "\u{7f}", "\r", "\n", "\r\nX", "\u{1b}"] {
                let mut w = v.clone();
                w.insert_str(p, c);
                // A lone LF before white space is a caller's fold, not an error.
                let next = w.as_bytes().get(p + c.len());
                if c == "\n" && matches!(next, Some(b' ' | b'\t')) {
                    continue;
                }
                if c == "\r" && next == Some(&b'\n') {
                    continue;
                }
                checked += 1;
                let got = format_field(smp.name, smp.class, &w, &o, &mut [0u8; 8192]);
                if got != Err(Error::ControlCharacter { at: p }) {
                    failures.push(format!("{} {w:?}: {got:?}, want at {p}", smp.name));
                }
            }
        }
    }
    eprintln!("{checked} values checked");
    assert_no_failures(&failures);
}

/// SPEC §3: "U+0085, U+2028 and U+2029 where nothing may be encoded (msg-ids, addr-specs,
/// ASCII structured, verbatim) → `ControlCharacter`, with utf8 on too", and "Non-ASCII in a
/// field that cannot be encoded (utf8 off) → `NonAscii`" (SPEC §5 makes non-ASCII in a
/// msg-id field `InvalidMsgId`, and text after a Return-Path's `>` is an invalid address).
/// In the classes that never encode (msg-id fields, Return-Path, Received, DKIM-Signature,
/// Authentication-Results, Date, verbatim), either character inserted at any character
/// boundary is the first wrong byte, so `at` is its offset. `strict` also asks for the
/// variant SPEC §3 names for line separators wherever they are.
fn unencodable_at_every_offset(strict: bool) -> Vec<String> {
    let mut failures = Vec::new();
    let mut checked = 0;
    for smp in samples() {
        let never_encoded = matches!(smp.kind, Kind::MsgId | Kind::Ascii)
            && !smp.name.starts_with("Content-")
            || smp.name == "Return-Path";
        if !never_encoded || !smp.ascii_ok {
            continue;
        }
        let v = &smp.value;
        for p in (0..=v.len()).filter(|&p| v.is_char_boundary(p)) {
            if p > 0 && matches!(v.as_bytes()[p - 1], b'\r' | b'\n') {
                continue;
            }
            for (c, utf8, separator) in [
                ("\u{2028}", true, true),
                ("\u{85}", true, true),
                ("\u{2029}", false, true),
                ("é", false, false),
                ("😀", false, false),
            ] {
                let mut w = v.clone();
                w.insert_str(p, c);
                checked += 1;
                let o = options(78, true, utf8, Encoding::Auto);
                let got = format_field(smp.name, smp.class, &w, &o, &mut [0u8; 8192]);
                let ok = match got {
                    Err(Error::ControlCharacter { at }) => separator && at == p,
                    Err(Error::NonAscii { at }) => !separator && at == p,
                    Err(Error::InvalidMsgId { at }) if smp.kind == Kind::MsgId => {
                        at == p && !(strict && separator)
                    }
                    Err(Error::InvalidAddress { at }) if smp.name == "Return-Path" => {
                        at == p && !(strict && separator)
                    }
                    _ => false,
                };
                if !ok {
                    failures.push(format!(
                        "{} utf8 {utf8} {w:?}: {got:?}, want at {p}",
                        smp.name
                    ));
                }
            }
        }
    }
    eprintln!("{checked} values checked");
    failures
}

#[test]
fn unencodable_characters_are_reported_at_their_offset() {
    assert_no_failures(&unencodable_at_every_offset(false));
}

/// SPEC §3 names `ControlCharacter` for U+0085, U+2028 and U+2029 in msg-ids and
/// addr-specs "with utf8 on too", and mailfold gives it inside an id (`<a\u{2028}@b>`) and
/// inside a Return-Path's addr-spec; between or after the ids of a msg-id field
/// (`<a@b>\u{2028} <c@d>`, `<a@b>\u{85}`) it gave `InvalidMsgId`, and after a Return-Path's
/// `>` `InvalidAddress` (same offset), until round 20. A caller that maps `ControlCharacter`
/// to "header injection attempt" would miss these.
#[test]
fn line_separators_outside_ids_are_control_characters() {
    assert_no_failures(&unencodable_at_every_offset(true));
}

/// SPEC §1.1: "`at` is a byte offset into the caller's value as given", and the README's
/// reading (tests of rounds 8 and 9): the first byte that makes the value invalid. In
/// `<a@b>, <c@d>` the path `<a@b>` is complete and valid (RFC 5322 §3.6.7
/// `path = angle-addr / ...`); the first wrong byte is the `,` after it, as for `<a@b> x`
/// (where mailfold blames the `x`) and as the address fields blame the second `>` of
/// `<a@b>>` (at 5). A Return-Path value that both starts with `<` and ends with `>` is read
/// as one path, so until round 20 mailfold blamed the path's own closing `>` (at 4) in all of
/// these: `<a@b>>`, `<a@b>x>`, `<a@b><c@d>`, `<a@b> <c@d>`, and the `>` of the null path in
/// `<>>` and `<> <>` (at 1).
#[test]
fn return_path_text_after_the_path_is_blamed_where_it_starts() {
    let o = Options::default();
    for (v, at) in [
        ("<a@b>>", 5),
        ("<a@b>, <c@d>", 5),
        ("<a@b><c@d>", 5),
        ("<a@b> <c@d>", 6),
        ("<a@b>x>", 5),
        ("<a@b>\r\n x>", 8),
        ("<\"a>\"@b>x>", 8),
        ("<>>", 2),
        ("<> <>", 3),
    ] {
        assert_eq!(
            format_header("Return-Path", v, &o, &mut [0u8; 256]),
            Err(Error::InvalidAddress { at }),
            "{v:?}"
        );
    }
}

/// The counterpart that holds: text after the path that does not end in `>` is blamed where
/// it starts, and the address fields and msg-id fields blame the byte after a complete
/// `<...>` the same way.
#[test]
fn text_after_a_complete_bracketed_item_is_blamed_where_it_starts() {
    let o = Options::default();
    for (name, v, want) in [
        ("Return-Path", "<a@b> x", Error::InvalidAddress { at: 6 }),
        (
            "Return-Path",
            "<a@b>\r\n\tx",
            Error::InvalidAddress { at: 8 },
        ),
        ("To", "<a@b>>", Error::InvalidAddress { at: 5 }),
        ("To", "Name <a@b>>", Error::InvalidAddress { at: 10 }),
        ("Message-ID", "<a@b>>", Error::InvalidMsgId { at: 5 }),
        ("In-Reply-To", "<a@b>, <c@d>", Error::InvalidMsgId { at: 5 }),
    ] {
        assert_eq!(
            format_header(name, v, &o, &mut [0u8; 256]),
            Err(want),
            "{name}: {v:?}"
        );
    }
}

// ---- Exact 78- and 998-column lines ------------------------------------------------------

/// Line lengths (octets) of a formatted field, without the endings.
fn line_lengths(name: &str, value: &str, o: &Options) -> Result<Vec<(usize, usize)>, Error> {
    let out = format(name, FieldClass::Auto, value, o)?;
    let ls = common::split_lines(&out, o).unwrap();
    Ok(ls
        .iter()
        .map(|l| (l.len(), common::width(l, o.utf8)))
        .collect())
}

/// SPEC §3: "every line ≤ the soft limit wherever a fold point allows", "With utf8 on, the
/// soft limit counts characters and 998 counts octets", and the soft limit excludes the line
/// ending (RFC 5322 §2.1.1). A field whose one-line form is exactly 78 columns stays on one
/// line; at 79 it folds at its last fold point; with utf8 the 78 are characters, so a line of
/// 78 characters and 145 octets stays whole. Checked for Subject, Received, References,
/// Keywords, To and Content-Disposition, with both line endings.
#[test]
fn a_line_of_exactly_78_columns_stays_and_79_folds() {
    let a = |n: usize| "a".repeat(n);
    let e = |n: usize| "é".repeat(n);
    for lf in [false, true] {
        let d = options(78, lf, false, Encoding::Auto);
        let u = options(78, lf, true, Encoding::Auto);
        // (name, value of a 78-column line, value of a 79-column line, options, first line
        // of the folded form)
        let cases: Vec<(&str, String, String, &Options, usize)> = vec![
            (
                "Subject",
                format!("x {}", a(67)),
                format!("x {}", a(68)),
                &d,
                10,
            ),
            (
                "Subject",
                format!("x {}", e(67)),
                format!("x {}", e(68)),
                &u,
                10,
            ),
            (
                "Received",
                format!("x {}", a(66)),
                format!("x {}", a(67)),
                &d,
                11,
            ),
            (
                "Received",
                format!("x {}", e(66)),
                format!("x {}", e(67)),
                &u,
                11,
            ),
            (
                "References",
                format!("<x@y> <{}@b>", a(56)),
                format!("<x@y> <{}@b>", a(57)),
                &d,
                17,
            ),
            (
                "References",
                format!("<x@y> <{}@b>", e(56)),
                format!("<x@y> <{}@b>", e(57)),
                &u,
                17,
            ),
            (
                "Keywords",
                format!("x, {}", a(65)),
                format!("x, {}", a(66)),
                &d,
                12,
            ),
            (
                "To",
                format!("x@y, {}@x", a(67)),
                format!("x@y, {}@x", a(68)),
                &d,
                8,
            ),
            (
                "To",
                format!("x@y, {}@x", e(67)),
                format!("x@y, {}@x", e(68)),
                &u,
                8,
            ),
            (
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", e(34)),
                format!("attachment; filename=\"{}\"", e(35)),
                &u,
                32,
            ),
        ];
        for (name, v78, v79, o, first) in cases {
            let l = line_lengths(name, &v78, o).unwrap();
            assert_eq!(l.len(), 1, "{name} {v78:?} lf {lf}: {l:?}");
            assert_eq!(l[0].1, 78, "{name} {v78:?}");
            let l = line_lengths(name, &v79, o).unwrap();
            assert_eq!(l.len(), 2, "{name} {v79:?} lf {lf}: {l:?}");
            assert_eq!(l[0].1, first, "{name} {v79:?}: {l:?}");
            assert_eq!(l[0].1 + l[1].1, 79, "{name} {v79:?}: {l:?}");
        }
    }
}

/// SPEC §3/§4/§5 at 998 octets: "An ASCII token stays unbroken up to 998 columns" (a
/// Subject, Keywords or List-Id word, a Received token, an id, an addr-spec, with utf8 a raw
/// non-ASCII word too); "A fold directly after `Name:` is used only when the first token
/// cannot otherwise fit in 998" (then `Name:` ends the first line and the token follows on a
/// continuation line of its own); a token no line can hold is carried as encoded-words where
/// encoding is allowed (SPEC §4, README "A phrase word no line can hold") and is
/// `LineTooLong` where it is not (msg-ids, addr-specs, ASCII structured, verbatim). Line
/// lengths in octets, both endings.
#[test]
fn lines_of_exactly_998_octets_and_the_first_token_that_cannot_fit() {
    let a = |n: usize| "a".repeat(n);
    let e = |n: usize| "é".repeat(n);
    for lf in [false, true] {
        let d = options(78, lf, false, Encoding::Auto);
        let u = options(78, lf, true, Encoding::Auto);
        let one = |name: &str, v: &str, o: &Options| {
            let l = line_lengths(name, v, o).unwrap();
            assert_eq!(
                l.iter().map(|x| x.0).collect::<Vec<_>>(),
                [998],
                "{name} lf {lf}"
            );
        };
        let after_colon = |name: &str, v: &str, o: &Options, second: usize| {
            let l = line_lengths(name, v, o).unwrap();
            assert_eq!(
                l.iter().map(|x| x.0).collect::<Vec<_>>(),
                [name.len() + 1, second],
                "{name} lf {lf}"
            );
        };
        one("Subject", &a(989), &d);
        after_colon("Subject", &a(990), &d, 991);
        one("Subject", &format!("{}a", e(494)), &u);
        after_colon("Subject", &format!("{}aa", e(494)), &u, 991);
        one("Keywords", &a(988), &d);
        after_colon("Keywords", &a(989), &d, 990);
        one("Received", &a(988), &d);
        after_colon("Received", &a(997), &d, 998);
        one("Message-ID", &format!("<{}@b>", a(982)), &d);
        after_colon("Message-ID", &format!("<{}@b>", a(993)), &d, 998);
        one("To", &format!("{}@x", a(992)), &d);
        after_colon("To", &format!("{}@x", a(995)), &d, 998);
        one("Return-Path", &format!("<{}@x>", a(981)), &d);
        after_colon("Return-Path", &format!("<{}@x>", a(993)), &d, 998);
        let verbatim = format("X-V", FieldClass::Verbatim, &a(993), &d).unwrap();
        assert_eq!(common::split_lines(&verbatim, &d).unwrap()[0].len(), 998);
        let verbatim = format("X-V", FieldClass::Verbatim, &format!("{}a", e(496)), &u).unwrap();
        assert_eq!(common::split_lines(&verbatim, &u).unwrap()[0].len(), 998);
        // One octet more and no line can hold the token.
        for (name, v, class) in [
            ("Received", a(998), FieldClass::Auto),
            ("Message-ID", format!("<{}@b>", a(994)), FieldClass::Auto),
            ("To", format!("{}@x", a(996)), FieldClass::Auto),
            ("Return-Path", format!("<{}@x>", a(994)), FieldClass::Auto),
            ("X-V", a(994), FieldClass::Verbatim),
            ("X-V", format!("{}aa", e(496)), FieldClass::Verbatim),
        ] {
            let o = if v.is_ascii() { &d } else { &u };
            assert_eq!(
                format_field(name, class, &v, o, &mut [0u8; 4096]),
                Err(Error::LineTooLong),
                "{name} {} octets lf {lf}",
                v.len()
            );
        }
        for (name, v, o) in [
            ("Subject", a(998), &d),
            ("Subject", e(499), &u),
            ("Keywords", format!("x, {}, y", a(997)), &d),
            ("List-Id", format!("{} <l.example>", a(998)), &d),
        ] {
            let out = format(name, FieldClass::Auto, &v, o).unwrap();
            let text = String::from_utf8(out.clone()).unwrap();
            assert!(text.contains("=?utf-8?"), "{name}: {text}");
            let kind = if name == "Subject" {
                Kind::Unstructured
            } else {
                Kind::Structured
            };
            check_structure(&out, name, kind, o).unwrap();
        }
    }
}

/// README "Empty values": `Name: ` and the line ending, for the classes that may be empty
/// (free text, Keywords, Bcc, ASCII structured, verbatim); white space and caller folds
/// alone are an empty value (leading and trailing white space is dropped), and a caller's
/// fold at the very start or end of a value is dropped with it. Classes that need content
/// fail with their own error at the end of the value, where the missing part would be.
#[test]
fn empty_and_blank_values_for_every_class() {
    use FieldClass as C;
    let blanks = ["", " ", "\t \t", "\r\n ", "\n\t", "\r\n \r\n\t", "  \r\n  "];
    for lf in [false, true] {
        for utf8 in [false, true] {
            let o = options(78, lf, utf8, Encoding::Auto);
            let eol = if lf { "\n" } else { "\r\n" };
            for (name, class) in [
                ("Subject", C::Auto),
                ("X-Anything", C::Auto),
                ("Keywords", C::Auto),
                ("Bcc", C::Auto),
                ("Resent-Bcc", C::Auto),
                ("Received", C::Auto),
                ("DKIM-Signature", C::Auto),
                ("X-A", C::AsciiStructured),
                ("X-U", C::Unstructured),
            ] {
                for v in blanks {
                    let out = format(name, class, v, &o).map(String::from_utf8);
                    assert_eq!(out, Ok(Ok(format!("{name}: {eol}"))), "{name} {v:?}");
                }
                for v in ["\r\n x", "x\r\n ", "\n\tx\n\t", " \r\n x \r\n "] {
                    if name.ends_with("Bcc") {
                        continue;
                    }
                    let out = format(name, class, v, &o).map(String::from_utf8);
                    assert_eq!(out, Ok(Ok(format!("{name}: x{eol}"))), "{name} {v:?}");
                }
            }
            assert_eq!(
                format("X-V", C::Verbatim, "", &o).map(String::from_utf8),
                Ok(Ok(format!("X-V: {eol}")))
            );
            for (name, class) in [
                ("To", C::Auto),
                ("From", C::Auto),
                ("Sender", C::Auto),
                ("Return-Path", C::Auto),
                ("X-Ad", C::Address),
                ("Message-ID", C::Auto),
                ("References", C::Auto),
                ("List-Id", C::Auto),
                ("X-I", C::MsgId),
                ("Content-Type", C::Auto),
                ("Content-Disposition", C::Auto),
                ("Date", C::Auto),
            ] {
                for v in blanks {
                    let n = v.len();
                    let got = format(name, class, v, &o);
                    let want = match name {
                        "To" | "From" | "Sender" | "Return-Path" | "X-Ad" => {
                            Error::InvalidAddress { at: n }
                        }
                        "Content-Type" | "Content-Disposition" => Error::InvalidParameter { at: n },
                        "Date" => Error::InvalidDate,
                        _ => Error::InvalidMsgId { at: n },
                    };
                    let ok = got == Err(want);
                    assert!(ok, "{name} {v:?}: {got:?}");
                }
            }
        }
    }
}

/// SPEC §3: "`CRLF` or `LF` followed by SP/HTAB is a caller's fold: the break is removed,
/// the white space kept." So writing any space of a value as `CRLF SP` or `LF SP` (one at a
/// time, and all at once) must not change the output, in every class but verbatim (which
/// keeps the caller's breaks), with both output endings and utf8 on and off: inside
/// quoted-strings, display names, MIME parameter values, comments and between ids alike.
#[test]
fn a_caller_fold_for_any_space_changes_nothing() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for smp in samples() {
        if smp.class == FieldClass::Verbatim {
            continue;
        }
        for (lf, utf8) in [(false, false), (true, true), (false, true)] {
            if !utf8 && !smp.ascii_ok {
                continue;
            }
            let o = options(78, lf, utf8, Encoding::Auto);
            let base = format(smp.name, smp.class, &smp.value, &o);
            let spaces: Vec<usize> = smp.value.match_indices(' ').map(|(i, _)| i).collect();
            for fold in ["\r\n ", "\n "] {
                let mut variants: Vec<String> = spaces
                    .iter()
                    .map(|&i| format!("{}{fold}{}", &smp.value[..i], &smp.value[i + 1..]))
                    .collect();
                variants.push(smp.value.replace(' ', fold));
                for v in variants {
                    checked += 1;
                    let got = format(smp.name, smp.class, &v, &o);
                    if got != base {
                        failures.push(format!(
                            "{} lf {lf} utf8 {utf8} {v:?}: {:?}\nwithout the fold: {:?}",
                            smp.name,
                            got.map(|b| String::from_utf8_lossy(&b).into_owned()),
                            base.as_ref()
                                .map(|b| String::from_utf8_lossy(b).into_owned())
                        ));
                    }
                }
            }
        }
    }
    eprintln!("{checked} values checked");
    assert_no_failures(&failures);
}

/// README "Empty values": "After a name of 997 octets the space would make a 999-octet
/// line, so there it is `Name:` alone"; SPEC §3: "A fold directly after `Name:` is used only
/// when the first token cannot otherwise fit in 998", and no line ever exceeds 998
/// (`LineTooLong`). So under a 997-octet name an empty value is `Name:` alone, a value
/// follows on a continuation line in every class that may fold, and verbatim (written
/// exactly as given after `Name: `) cannot be written; a name of 998 octets or more leaves
/// no room even for the colon in any class.
#[test]
fn names_of_997_and_998_octets() {
    use FieldClass as C;
    for lf in [false, true] {
        let o = options(78, lf, false, Encoding::Auto);
        let eol = if lf { "\n" } else { "\r\n" };
        let n997 = format!("X-{}", "n".repeat(995));
        let n998 = format!("X-{}", "n".repeat(996));
        for class in [C::Unstructured, C::AsciiStructured, C::Verbatim, C::Auto] {
            assert_eq!(
                format(&n997, class, "", &o).map(String::from_utf8),
                Ok(Ok(format!("{n997}:{eol}"))),
                "{class:?}"
            );
        }
        for (class, v) in [
            (C::Unstructured, "x"),
            (C::AsciiStructured, "x"),
            (C::MsgId, "<a@b>"),
            (C::Address, "a@b"),
            (C::ReturnPath, "<>"),
            (C::Mime, "text/plain; a=b"),
        ] {
            assert_eq!(
                format(&n997, class, v, &o).map(String::from_utf8),
                Ok(Ok(format!("{n997}:{eol} {v}{eol}"))),
                "{class:?}"
            );
        }
        assert_eq!(format(&n997, C::Verbatim, "x", &o), Err(Error::LineTooLong));
        for class in [
            C::Unstructured,
            C::AsciiStructured,
            C::Verbatim,
            C::MsgId,
            C::Address,
            C::ReturnPath,
            C::Mime,
        ] {
            let v = match class {
                C::MsgId => "<a@b>",
                C::Address => "a@b",
                C::ReturnPath => "<>",
                C::Mime => "text/plain",
                _ => "",
            };
            assert_eq!(
                format(&n998, class, v, &o),
                Err(Error::LineTooLong),
                "{class:?}"
            );
        }
    }
}

/// SPEC §2: verbatim keeps the caller's line breaks, "any line breaks already `CRLF`+WSP
/// folds" (SPEC §3 accepts `LF`+WSP as a fold too), and the output has "every line ends
/// with the chosen ending, no bare CR or LF": each break, CRLF or LF, is written with the
/// chosen ending and the white space after it kept.
#[test]
fn verbatim_breaks_take_the_chosen_ending() {
    let v = "a=1;\r\n b=2;\n\tc=3;\r\n\t d=4";
    for (lf, want) in [
        (false, "X-V: a=1;\r\n b=2;\r\n\tc=3;\r\n\t d=4\r\n"),
        (true, "X-V: a=1;\n b=2;\n\tc=3;\n\t d=4\n"),
    ] {
        for utf8 in [false, true] {
            let o = options(40, lf, utf8, Encoding::Auto);
            assert_eq!(
                format("X-V", FieldClass::Verbatim, v, &o).map(String::from_utf8),
                Ok(Ok(want.to_string()))
            );
        }
    }
}

/// SPEC §7: "Type, subtype and parameter names are RFC 2045 tokens; duplicates and bad
/// characters → `InvalidParameter`", with `at` the offset of the bad character in the value
/// as given (SPEC §1.1), also after caller folds and UTF-8 text earlier in the value. Every
/// RFC 2045 tspecial but `/` and `=` (syntax there), a non-ASCII letter, and white space
/// followed by more text, inserted into the type, the subtype or a parameter name at every
/// position, is reported where the value stops being valid. mailfold blamed the space in
/// `t xext/plain` (at 1) but the word after it in `ti xtle=...` (as its own unit test
/// `na me=x` does); `te / plain` is accepted, so the space is not what is wrong (fixed in
/// `src/mime.rs`).
#[test]
fn a_bad_character_in_a_mime_token_is_reported_where_it_stands() {
    let value =
        "text/plain;\r\n title*=utf-8''Gr%C3%BC%C3%9Fe;\r\n\tcharset=\"ütf-8\"; format=flowed";
    // (start, end) of the tokens: type, subtype, and the three parameter names.
    let tokens: Vec<(usize, usize)> = ["text", "plain", "title", "charset", "format"]
        .iter()
        .map(|t| {
            let s = value.find(t).unwrap();
            (s, s + t.len())
        })
        .collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (s, e) in tokens {
        for p in s..=e {
            for bad in [
                "@", "(", ")", "<", ">", ",", ":", "\\", "\"", "[", "]", "?", "ü", " x",
            ] {
                // White space before or after a token is CFWS (`text / plain` is accepted).
                if (p == s || p == e) && bad == " x" {
                    continue;
                }
                // White space inside a token ends it (`te / plain` would still be valid): the
                // next word is what is wrong.
                let (ins, at) = if bad == " x" { (bad, p + 1) } else { (bad, p) };
                let mut v = value.to_string();
                v.insert_str(p, ins);
                for utf8 in [false, true] {
                    let o = options(78, false, utf8, Encoding::Auto);
                    checked += 1;
                    let got =
                        format_field("Content-Type", FieldClass::Auto, &v, &o, &mut [0u8; 1024]);
                    let ok = match got {
                        Err(Error::InvalidParameter { at: a }) => a == at,
                        // Non-ASCII with utf8 off may be named as such.
                        Err(Error::NonAscii { at: a }) => !utf8 && bad == "ü" && a == at,
                        _ => false,
                    };
                    if !ok {
                        failures.push(format!("utf8 {utf8} {v:?}: {got:?}, want at {at}"));
                    }
                }
            }
        }
    }
    eprintln!("{checked} values checked");
    assert_no_failures(&failures);
}
