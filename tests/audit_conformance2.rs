//! Conformance audit (round 9): utf8 mode, non-default options, text edge cases, MIME
//! parameters and the CLI, beyond what `tests/audit_conformance.rs` covered. Every expectation
//! comes from the SPEC or RFC text quoted next to it, not from running mailfold.

mod common;

use common::{check_structure, decode_unstructured, split_lines, unfold_value, width, Kind};
use mailfold::{
    format_header, format_mailboxes, ContentDisposition, Encoding, Error, LineEnding, Mailbox,
    Options,
};

fn all_options() -> Vec<Options> {
    let mut v = Vec::new();
    for w in [40, 41, 50, 60, 76, 77, 78, 79, 100, 998] {
        for enc in [Encoding::Auto, Encoding::Q, Encoding::B] {
            for le in [LineEnding::Crlf, LineEnding::Lf] {
                v.push(
                    Options::default()
                        .with_max_line_len(w)
                        .with_encoding(enc)
                        .with_line_ending(le)
                        .with_rfc2047_params(true),
                );
            }
        }
    }
    v
}

/// RFC 2231 value text: attribute-chars raw, everything else `%XX`.
fn pct(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// SPEC §3: "no line ever exceeds 998 (`LineTooLong` otherwise)"; §7: the RFC 2047 form is an
/// addition (off by default) after the RFC 2231 one. A parameter whose name leaves no room for
/// ` name="=?utf-8?b?...?="` within 76 columns (RFC 2047 §2) made the whole field fail with
/// `LineTooLong`, at every soft limit (names of 57+ octets even at 998), although the RFC 2231
/// form alone fits easily: `Content-Disposition: attachment; <60 x>*=utf-8''%C3%A9` with
/// `rfc2047_params` gave `Err(LineTooLong)`. Expected: the field, with every line holding
/// `=?` within min(76, soft limit), the RFC 2231 form always present, and the RFC 2047 form
/// still added for an ordinary name such as `filename`.
#[test]
fn rfc2047_fallback_never_turns_a_long_parameter_name_into_line_too_long() {
    for opts in all_options() {
        for len in (1..=80).chain([120, 400]) {
            let name = "x".repeat(len);
            for value in ["é", "Résumé", "😀", "a😀", "e\u{301}", &"日本語".repeat(30)] {
                let text = format!("attachment; {name}*=utf-8''{}", pct(value));
                let cd = ContentDisposition::attachment().param(&name, value);
                let mut a = vec![0u8; 65536];
                let mut b = vec![0u8; 65536];
                let ra = format_header("Content-Disposition", &text, &opts, &mut a);
                let rb = cd.format(&opts, &mut b);
                let ctx = format!("name of {len}, {value:?}, {opts:?}");
                let n = ra.unwrap_or_else(|e| panic!("{ctx}: {e:?}"));
                assert_eq!(rb, Ok(n), "{ctx}: builder and text form differ");
                assert_eq!(a[..n], b[..n], "{ctx}");
                let out = &a[..n];
                let lines = split_lines(out, &opts).unwrap();
                for l in &lines {
                    assert!(l.len() <= 998, "{ctx}: {} octets", l.len());
                    if l.windows(2).any(|w| w == b"=?") {
                        assert!(
                            width(l, false) <= opts.max_line_len.min(76),
                            "{ctx}: encoded-word line of {} columns: {}",
                            l.len(),
                            String::from_utf8_lossy(l)
                        );
                    }
                }
                let s = String::from_utf8(out.to_vec()).unwrap();
                assert!(s.contains(&format!("{name}*")), "{ctx}: no RFC 2231 form");
                if len <= 8 {
                    assert!(s.contains(&format!("{name}=\"=?utf-8?")), "{ctx}: {s}");
                }
            }
        }
    }
    // And one exactly as reported.
    let mut out = [0u8; 256];
    let opts = Options::default().with_rfc2047_params(true);
    let name = "x".repeat(60);
    let text = format!("attachment; {name}*=utf-8''%C3%A9");
    let n = format_header("Content-Disposition", &text, &opts, &mut out).unwrap();
    assert_eq!(
        &out[..n],
        format!("Content-Disposition: attachment;\r\n {name}*=utf-8''%C3%A9\r\n").as_bytes()
    );
    let _ = Error::LineTooLong;
}

/// SPEC §3: "U+0085, U+2028 and U+2029 where nothing may be encoded ... → ControlCharacter,
/// with utf8 on too" (README: every C1 control likewise), exactly as a C0 control there is.
/// The type, subtype and parameter names of a MIME field can never be encoded; a C0 control
/// there gave `ControlCharacter` but U+0085/U+2028/U+2029/U+0090 gave `InvalidParameter`.
/// (Values keep their rule: such characters go to RFC 2231, §4.)
#[test]
fn mime_line_separators_outside_values_are_control_characters() {
    for utf8 in [false, true] {
        let opts = Options::default().with_utf8(utf8);
        for sep in ["\u{85}", "\u{2028}", "\u{2029}", "\u{90}", "\u{1}"] {
            let mut out = [0u8; 256];
            for (name, value, at) in [
                ("Content-Type", format!("text/pl{sep}ain"), 7),
                ("Content-Type", format!("te{sep}xt/plain; a=b"), 2),
                ("Content-Type", format!("text/plain; na{sep}me=x"), 14),
                ("Content-Type", format!("text/plain;{sep} name=x"), 11),
                ("Content-Disposition", format!("attach{sep}ment"), 6),
            ] {
                assert_eq!(
                    format_header(name, &value, &opts, &mut out),
                    Err(Error::ControlCharacter { at }),
                    "{value:?} utf8={utf8}"
                );
            }
            let ty = format!("text/pl{sep}ain");
            assert_eq!(
                mailfold::ContentType::new(&ty).format(&opts, &mut out),
                Err(Error::ControlCharacter { at: 7 })
            );
            let pname = format!("fi{sep}le");
            assert_eq!(
                ContentDisposition::attachment()
                    .param(&pname, "x")
                    .format(&opts, &mut out),
                Err(Error::ControlCharacter { at: 2 })
            );
            // In a value it is carried by RFC 2231.
            let n = format_header(
                "Content-Disposition",
                &format!("attachment; filename=\"a{sep}b\""),
                &opts,
                &mut out,
            );
            if sep != "\u{1}" {
                let n = n.unwrap();
                assert!(std::str::from_utf8(&out[..n])
                    .unwrap()
                    .starts_with("Content-Disposition: attachment; filename*=utf-8''a%"));
            }
        }
    }
}

/// SPEC §3: "no line ever exceeds 998 (`LineTooLong` otherwise)"; §6: a non-ASCII display
/// name becomes encoded-words; utf8 mode writes UTF-8 raw only "where the syntax allows it"
/// (README, `Options::utf8`). A phrase word whose raw UTF-8 cannot fit in 998 octets
/// (`Ü` x 499 = 998 octets, after `To: `) is written fine with utf8 off (as encoded-words,
/// every line <= 76) but fails with `LineTooLong` with utf8 on, in display names (text form
/// and `format_mailboxes`), group names, Keywords and the List-Id phrase. Unstructured text
/// already carries such a token as encoded-words in utf8 mode (§4), and so should phrases.
/// Expected: `Ok`, every line <= 998 octets, the name decoding back to itself.
#[test]
fn utf8_phrase_words_too_long_for_998_octets_are_encoded() {
    let word = "Ü".repeat(499);
    let opts = Options::default().with_utf8(true);
    let mut out = vec![0u8; 65536];
    for (name, value) in [
        ("To", format!("{word} <a@example.com>")),
        ("To", format!("\"{word}\" <a@example.com>")),
        ("To", format!("{word}: a@example.com;")),
        ("Keywords", format!("{word}, x")),
        ("List-Id", format!("{word} <list.example.com>")),
    ] {
        let n = format_header(name, &value, &opts, &mut out)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        check_structure(&out[..n], name, Kind::Structured, &opts).unwrap();
        let v = unfold_value(&out[..n], name, &opts).unwrap();
        let v = String::from_utf8(v).unwrap();
        let phrase = v.split(['<', ':', ',']).next().unwrap();
        assert_eq!(
            decode_unstructured(phrase.trim().as_bytes()).unwrap(),
            word,
            "{name}"
        );
    }
    let m = [Mailbox {
        display_name: Some(&word),
        addr_spec: "a@example.com",
    }];
    let n = format_mailboxes("To", &m, &opts, &mut out).unwrap();
    check_structure(&out[..n], "To", Kind::Structured, &opts).unwrap();
    // The same input with utf8 off works today:
    let off = Options::default();
    assert!(format_header("To", &format!("{word} <a@example.com>"), &off, &mut out).is_ok());
    assert!(format_mailboxes("To", &m, &off, &mut out).is_ok());
}

/// README "Date values": "obsolete forms ... are rejected since a generator must not produce
/// them" (RFC 5322 §4: MUST NOT generate). `day-of-week = ([FWS] day-name) /
/// obs-day-of-week`, `obs-day-of-week = [CFWS] day-name [CFWS]`: white space between the day
/// name and its comma is only in the obsolete form, yet `Thu , 01 Jan 1970 00:00:00 +0000`
/// was accepted and written as given (two-digit years and named zones were rejected).
#[test]
fn date_white_space_before_the_day_name_comma_is_obsolete() {
    let mut out = [0u8; 128];
    let o = Options::default();
    for v in [
        "Thu , 01 Jan 1970 00:00:00 +0000",
        "Thu\t, 01 Jan 1970 00:00:00 +0000",
        "Thu\r\n , 01 Jan 1970 00:00:00 +0000",
    ] {
        assert_eq!(
            format_header("Date", v, &o, &mut out),
            Err(Error::InvalidDate),
            "{v:?}"
        );
    }
    // The current forms stay valid: FWS before the day name and after the comma, none at all
    // after it (`[FWS] 1*2DIGIT FWS`).
    for v in [
        "Thu, 01 Jan 1970 00:00:00 +0000",
        " Thu,01 Jan 1970 00:00:00 +0000",
        "Thu,\r\n 1 Jan 1970 00:00 +0000",
    ] {
        assert!(format_header("Date", v, &o, &mut out).is_ok(), "{v:?}");
    }
}

/// SPEC §3: "A fold directly after `Name:` is used only when the first token cannot otherwise
/// fit in 998"; README: for an encoded-word, also when "not even one holding only its first
/// character fits the soft limit there"; SPEC §4: Auto is "the shorter for that word".
/// `X-nnnnnnnnnnnnnnnnnnnnn: e\u{301}` (a 23-octet name) at a 40-column limit came out as
/// `X-nnnnnnnnnnnnnnnnnnnnn:\r\n =?utf-8?b?ZcyB?=\r\n`: the run as a whole is shorter in B,
/// and a B word holding `e` (16 columns) does not fit after the name (41 > 40), so the value
/// moved to a fold after the colon, although `=?utf-8?q?e?=` (Q, the shorter for a word of
/// `e`) fits on the first line (38 columns), the rest following as the next word. The same in
/// display names and group names (`X-...: e\u{301} <a@b.org>`, forced `Address`). Expected:
/// no fold after the colon there (`tests/common::check_structure`, the differential checker's
/// rule), lossless.
#[test]
fn an_encoded_word_goes_on_the_name_line_when_one_in_the_shorter_encoding_fits() {
    use mailfold::{format_field, FieldClass};
    let mut failures = Vec::new();
    for len in 15..=62 {
        let name = format!("X-{}", "n".repeat(len - 2));
        for w in [40, 41, 50, 76, 78] {
            let opts = Options::default().with_max_line_len(w);
            for (class, kind, value) in [
                (FieldClass::Unstructured, Kind::Unstructured, "e\u{301}"),
                (
                    FieldClass::Unstructured,
                    Kind::Unstructured,
                    "e\u{301}e\u{301}",
                ),
                (
                    FieldClass::Unstructured,
                    Kind::Unstructured,
                    "a\u{308}\u{323} b",
                ),
                (FieldClass::Address, Kind::Structured, "e\u{301} <a@b.org>"),
                (FieldClass::Address, Kind::Structured, "e\u{301}: a@b.org;"),
            ] {
                let mut out = vec![0u8; 1024];
                let n = format_field(&name, class, value, &opts, &mut out).unwrap();
                if let Err(e) = check_structure(&out[..n], &name, kind, &opts) {
                    failures.push(format!(
                        "{name} (limit {w}) {value:?}: {e}: {:?}",
                        String::from_utf8_lossy(&out[..n])
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same for ASCII, in both modes: a phrase word (or quoted-string) that cannot fit on a
/// line of 998 octets after a fold's space is carried as encoded-words, as unstructured text
/// carries such a token (SPEC §4), instead of failing with `LineTooLong`. A word that just
/// fits stays as it is. Failed before (`LineTooLong` from 998 octets on).
#[test]
fn ascii_phrase_words_too_long_for_998_octets_are_encoded() {
    for utf8 in [false, true] {
        let opts = Options::default().with_utf8(utf8);
        let mut out = vec![0u8; 65536];
        for len in [995, 996, 997, 998, 999, 1500] {
            let word = "a".repeat(len);
            let spaced = format!("b {word} c");
            for (name, value, phrase) in [
                ("To", format!("{word} <a@example.com>"), word.as_str()),
                ("To", format!("\"{word}\" <a@example.com>"), word.as_str()),
                ("To", format!("{spaced} <a@example.com>"), spaced.as_str()),
                ("To", format!("{word}: a@example.com;"), word.as_str()),
                ("Keywords", format!("{word}, x"), word.as_str()),
                (
                    "List-Id",
                    format!("{word} <list.example.com>"),
                    word.as_str(),
                ),
            ] {
                let n = format_header(name, &value, &opts, &mut out)
                    .unwrap_or_else(|e| panic!("{name} {len}: {e:?}"));
                check_structure(&out[..n], name, Kind::Structured, &opts).unwrap();
                let v = unfold_value(&out[..n], name, &opts).unwrap();
                let v = String::from_utf8(v).unwrap();
                let got = v.split(['<', ':', ',']).next().unwrap().trim();
                let got = got.trim_matches('"');
                let encoded = got.contains("=?");
                assert_eq!(
                    decode_unstructured(got.as_bytes()).unwrap(),
                    phrase,
                    "{name} {len}"
                );
                // Plain while a line can hold it (997 octets may or may not fit, with the
                // quotes or the glue that follow), encoded once no line can.
                if len <= 995 || len >= 998 {
                    assert_eq!(encoded, len >= 998, "{name} {len}: {got:.40}");
                }
            }
            let m = [Mailbox {
                display_name: Some(&word),
                addr_spec: "a@example.com",
            }];
            let n = format_mailboxes("To", &m, &opts, &mut out)
                .unwrap_or_else(|e| panic!("mailboxes {len}: {e:?}"));
            check_structure(&out[..n], "To", Kind::Structured, &opts).unwrap();
        }
    }
}
