//! Conformance audit, round 24 (second auditor): address fields, msg-id fields, Return-Path,
//! ASCII structured fields and `format_date`, probed black-box against SPEC.md, the README's
//! decisions and the RFCs, and cross-checked with CPython's `email` (headerregistry,
//! `getaddresses`, `format_datetime`, `uuid`) outside this file. Every expectation here comes
//! from that text, never from running mailfold.

mod common;
use common::format_checked;

use mailfold::{format_mailboxes, Error, FieldClass, Mailbox, Options};

fn fmt(name: &str, value: &str) -> Result<String, Error> {
    format_checked(name, FieldClass::Auto, value, &Options::default())
        .map(|v| String::from_utf8(v).unwrap())
}

fn boxes(name: &str, mailboxes: &[Mailbox<'_>]) -> Result<String, Error> {
    let mut buf = vec![0u8; 4096];
    let n = format_mailboxes(name, mailboxes, &Options::default(), &mut buf)?;
    buf.truncate(n);
    Ok(String::from_utf8(buf).unwrap())
}

/// SPEC §3: "`CRLF` or `LF` followed by SP/HTAB is a caller's fold: the break is removed, the
/// white space kept." That holds wherever the break stands, so also right after the `\` of a
/// quoted-pair: `"a\` CRLF SP `b"` is `"a\ b"` once the break is removed, a quoted-string
/// whose quoted-pair `\ ` stands for a space (RFC 5322 §3.2.1, §3.2.4; §2.2.3: "unfolding is
/// accomplished by simply removing any CRLF that is immediately followed by WSP"). CPython
/// reads `To: "a\` CRLF ` b" <x@y>` as the display name `a b`, and mailfold itself keeps such
/// a fold in Received and Date comments and quoted-strings (`x "a\ b" y`). The address
/// readers refused it with `InvalidAddress` at the backslash (display names, group names,
/// quoted local parts in both forms, Return-Path), although the same value without the
/// break is accepted: the output must be the one of the value with the break removed.
#[test]
fn caller_fold_right_after_a_quoted_pair_backslash_is_removed() {
    // SPEC §6: a display name of plain atoms stays as is, canonical spacing before `<addr>`.
    assert_eq!(
        fmt("To", "\"a\\\r\n b\" <x@y>").as_deref(),
        Ok("To: a b <x@y>\r\n")
    );
    assert_eq!(
        fmt("From", "\"Doe,\\\n John\" <jd@example.com>").as_deref(),
        Ok("From: \"Doe, John\" <jd@example.com>\r\n")
    );
    let cases = [
        ("To", "\"a\\\r\n b\" <x@y>", "\"a\\ b\" <x@y>"),
        ("To", "\"a\\\n\tb\" <x@y>", "\"a\\\tb\" <x@y>"),
        ("Cc", "\"a\\\r\n b\"@example.com", "\"a\\ b\"@example.com"),
        (
            "Cc",
            "x <\"a\\\r\n\tb\"@example.com>",
            "x <\"a\\\tb\"@example.com>",
        ),
        ("To", "\"G\\\r\n x\": a@b, c@d;", "\"G\\ x\": a@b, c@d;"),
        ("Bcc", "G: \"a\\\r\n b\" <c@d>;", "G: \"a\\ b\" <c@d>;"),
        ("Sender", "\"q\\\r\n  r\"@s", "\"q\\  r\"@s"),
        ("Return-Path", "<\"a\\\r\n b\"@y>", "<\"a\\ b\"@y>"),
        ("Return-Path", "<\"a\\\n\tb\"@y>", "<\"a\\\tb\"@y>"),
        // Keywords and List-Id phrases share the display names' reader (SPEC §4).
        ("Keywords", "\"a\\\r\n b\", c", "\"a\\ b\", c"),
        (
            "List-Id",
            "\"a\\\r\n b\" <list.example.com>",
            "\"a\\ b\" <list.example.com>",
        ),
    ];
    for (name, folded, unfolded) in cases {
        let want = fmt(name, unfolded);
        assert!(want.is_ok(), "{name}: {unfolded:?} is valid: {want:?}");
        assert_eq!(fmt(name, folded), want, "{name}: {folded:?}");
    }
    // The structured form: an addr-spec with the fold in its quoted local part.
    for (folded, unfolded) in [
        ("\"a\\\r\n b\"@y", "\"a\\ b\"@y"),
        ("\"a\\\n\tb\"@y", "\"a\\\tb\"@y"),
    ] {
        let m = |addr_spec| {
            [Mailbox {
                display_name: Some("N"),
                addr_spec,
            }]
        };
        let want = boxes("To", &m(unfolded));
        assert!(want.is_ok(), "{unfolded:?} is valid: {want:?}");
        assert_eq!(boxes("To", &m(folded)), want, "{folded:?}");
    }
    // A break after a backslash that is not a fold stays a control character, where it is.
    assert_eq!(
        fmt("To", "\"a\\\r\nb\" <x@y>"),
        Err(Error::ControlCharacter { at: 3 })
    );
    assert_eq!(
        fmt("Cc", "\"a\\\rb\"@y"),
        Err(Error::ControlCharacter { at: 3 })
    );
}
