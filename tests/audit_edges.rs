//! Conformance audit (round 8): three deviations the audit found in `src/fold.rs`,
//! `src/address.rs` and `src/msgid.rs` (a 999-octet line after the longest name, error
//! offsets of Return-Path and List-Id trailing text). Each test failed before its fix. Every
//! expectation comes from the SPEC or RFC text quoted next to it.

use mailfold::{format_field, Error, FieldClass, Options};

fn fmt_field(name: &str, class: FieldClass, value: &str) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; 4096];
    let r = format_field(name, class, value, &Options::default(), &mut buf);
    // The size query must agree with the real call (SPEC §1.2: validation never depends on
    // the buffer).
    let q = format_field(name, class, value, &Options::default(), &mut []);
    match r {
        Ok(n) => {
            assert_eq!(
                q,
                Err(Error::BufferTooSmall { needed: n }),
                "{name}: {value:?}"
            );
            buf.truncate(n);
            Ok(buf)
        }
        Err(e) => {
            assert_eq!(q, Err(e), "{name}: {value:?}");
            Err(e)
        }
    }
}

fn lines(out: &[u8]) -> Vec<&[u8]> {
    let body = out.strip_suffix(b"\r\n").expect("ends with CRLF");
    body.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

/// SPEC §3: "no line ever exceeds 998 (`LineTooLong` otherwise)". A name of 997 octets leaves
/// room for `Name:` (998) but not for `Name: ` (999), so an empty (or white-space-only) value
/// must be written as `Name:` + CRLF, or refused with `LineTooLong`; never as a 999-octet line.
#[test]
fn empty_value_after_the_longest_name_never_makes_a_999_octet_line() {
    let name = "X".repeat(997);
    for class in [
        FieldClass::Auto,
        FieldClass::Unstructured,
        FieldClass::AsciiStructured,
    ] {
        for value in ["", "   ", "\r\n ", "\t"] {
            match fmt_field(&name, class, value) {
                Err(Error::LineTooLong) => {}
                Ok(out) => {
                    for l in lines(&out) {
                        assert!(
                            l.len() <= 998,
                            "{class:?} {value:?}: a line of {} octets",
                            l.len()
                        );
                    }
                }
                Err(e) => panic!("{class:?} {value:?}: unexpected {e:?}"),
            }
        }
    }
    // One octet shorter, `Name: ` is exactly 998 and fine.
    let name = "X".repeat(996);
    let out = fmt_field(&name, FieldClass::Auto, "").unwrap();
    assert_eq!(out, format!("{name}: \r\n").into_bytes());
}

/// SPEC §1.1 / README: every `at` points at the first byte that made the value invalid.
/// After a complete `<addr-spec>` or `<>`, the first offending byte of trailing text is that
/// text, not the end of the value (white space after `>` is CFWS, RFC 5322 §3.6.7).
#[test]
fn return_path_trailing_text_is_reported_where_it_starts() {
    let cases = [
        ("<a@b> x", 6),
        ("<a@b>x", 5),
        ("<a@b>,", 5),
        ("<a@b> (comment)", 6),
        ("<> x", 3),
        ("<>;", 2),
        // A `>` inside a quoted local part or a domain literal does not close the path.
        ("<\"a>b\"@c> x", 10),
        ("<a@[1>2]>;", 9),
        // No closing bracket at all: the end of the value, where it should be.
        ("<a@b", 4),
    ];
    for (value, at) in cases {
        assert_eq!(
            fmt_field("Return-Path", FieldClass::Auto, value),
            Err(Error::InvalidAddress { at }),
            "{value:?}"
        );
    }
}

/// SPEC §1.1 (`at`), §4 (List-Id: an optional phrase and a `<list-id>`): text after the
/// closing `>` is what is invalid; the phrase before it is fine, so the offset must not point
/// into the phrase.
#[test]
fn list_id_trailing_text_is_reported_after_the_list_id() {
    for (value, first_bad) in [("x <a.b> y", 8), ("x <a.b>y", 7), ("Name <a.b>,", 10)] {
        match fmt_field("List-Id", FieldClass::Auto, value) {
            Err(Error::InvalidMsgId { at } | Error::InvalidAddress { at }) => {
                assert!(
                    at >= first_bad,
                    "{value:?}: at {at} points before {first_bad}"
                )
            }
            other => panic!("{value:?}: expected an error, got {other:?}"),
        }
    }
}
