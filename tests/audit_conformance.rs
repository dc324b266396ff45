//! Conformance audit (round 8): edge cases of SPEC §1-§9 that the other suites did not reach.
//! Every expectation comes from the SPEC or RFC 5322 text quoted next to it, not from running
//! mailfold.

mod common;

use mailfold::{
    format_field, format_header, format_mailboxes, Error, FieldClass, Mailbox, Options,
};

/// Formats with the default options, and checks that the size query gives the same answer
/// (`common::format_checked`).
fn fmt_field(name: &str, class: FieldClass, value: &str) -> Result<Vec<u8>, Error> {
    common::format_checked(name, class, value, &Options::default())
}

/// SPEC §2: the class is chosen from the name "unless the caller forces one". Forcing the very
/// class the name has anyway must not drop the rules the SPEC attaches to the name: an empty
/// Bcc is allowed (§6), Sender takes one mailbox (RFC 5322 §3.6.2), Message-ID and Content-ID
/// take one id (§2), Date is validated as an RFC 5322 date-time (§2). Without them the output
/// is not RFC 5322 for that name (`Sender: a@b, c@d`, `Message-ID: <a@b> <c@d>`,
/// `Date: yesterday`) or valid input is refused (`Bcc:` empty).
#[test]
fn forcing_a_names_own_class_keeps_the_names_rules() {
    let cases: [(&str, FieldClass, &str); 10] = [
        ("Bcc", FieldClass::Address, ""),
        ("Resent-Bcc", FieldClass::Address, " "),
        ("Sender", FieldClass::Address, "a@b, c@d"),
        ("Sender", FieldClass::Address, "G: a@b;"),
        ("Resent-Sender", FieldClass::Address, "a@b, c@d"),
        ("Message-ID", FieldClass::MsgId, "<a@b> <c@d>"),
        ("Content-ID", FieldClass::MsgId, "<a@b><c@d>"),
        ("Date", FieldClass::AsciiStructured, "yesterday"),
        (
            "Resent-Date",
            FieldClass::AsciiStructured,
            "Fri, 01 Jan 1970 00:00:00 +0000",
        ),
        ("Content-Type", FieldClass::Mime, "text/plain; a=1; A=2"),
    ];
    for (name, class, value) in cases {
        assert_eq!(
            fmt_field(name, class, value),
            fmt_field(name, FieldClass::Auto, value),
            "{name} forced to {class:?}: {value:?}"
        );
    }
    // And in particular (the values the name's rules give):
    assert_eq!(
        fmt_field("Bcc", FieldClass::Address, ""),
        Ok(b"Bcc: \r\n".to_vec())
    );
    assert!(matches!(
        fmt_field("Sender", FieldClass::Address, "a@b, c@d"),
        Err(Error::InvalidAddress { .. })
    ));
    assert!(matches!(
        fmt_field("Message-ID", FieldClass::MsgId, "<a@b> <c@d>"),
        Err(Error::InvalidMsgId { .. })
    ));
    assert_eq!(
        fmt_field("Date", FieldClass::AsciiStructured, "yesterday"),
        Err(Error::InvalidDate)
    );
    // Forcing a class on a name of another class still applies the forced class's generic
    // rules: an unknown header may carry several ids, or one address.
    let mut buf = [0u8; 128];
    let n = format_field(
        "X-Original-Ids",
        FieldClass::MsgId,
        "a@b c@d",
        &Options::default(),
        &mut buf,
    )
    .unwrap();
    assert_eq!(&buf[..n], b"X-Original-Ids: <a@b> <c@d>\r\n");
    let n = format_header("X-Bcc-Copy", "a@b", &Options::default(), &mut buf).unwrap();
    assert_eq!(&buf[..n], b"X-Bcc-Copy: a@b\r\n");
}

fn boxes(name: &str, list: &[Mailbox<'_>]) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; 1024];
    let r = format_mailboxes(name, list, &Options::default(), &mut buf);
    let q = format_mailboxes(name, list, &Options::default(), &mut []);
    match r {
        Ok(n) => {
            assert_eq!(q, Err(Error::BufferTooSmall { needed: n }), "{name}");
            buf.truncate(n);
            Ok(buf)
        }
        Err(e) => {
            assert_eq!(q, Err(e), "{name}");
            Err(e)
        }
    }
}

const A: Mailbox<'static> = Mailbox {
    display_name: None,
    addr_spec: "a@example.org",
};
const NAMED: Mailbox<'static> = Mailbox {
    display_name: Some("Ann"),
    addr_spec: "a@example.org",
};

/// RFC 5322 §3.6.7: `return = "Return-Path:" path`, `path = angle-addr / [CFWS] "<" [CFWS] ">"`.
/// `format_mailboxes("Return-Path", ...)` wrote `Return-Path: a@example.org` (no brackets) and
/// `Return-Path: Ann <a@example.org>, b@example.org`, neither of them a path.
#[test]
fn return_path_from_mailboxes_is_a_path() {
    assert_eq!(
        boxes("Return-Path", &[A]),
        Ok(b"Return-Path: <a@example.org>\r\n".to_vec())
    );
    assert_eq!(
        boxes("return-path", &[A]),
        Ok(b"return-path: <a@example.org>\r\n".to_vec())
    );
    for list in [&[][..], &[NAMED][..], &[A, A][..]] {
        assert_eq!(
            boxes("Return-Path", list),
            Err(Error::InvalidAddress { at: 0 }),
            "{list:?}"
        );
    }
    // Taken literally like every addr-spec of format_mailboxes: no brackets, no white space.
    for addr in [
        "<a@example.org>",
        " a@example.org",
        "a@example.org ",
        "",
        "<>",
    ] {
        let m = Mailbox {
            display_name: None,
            addr_spec: addr,
        };
        assert!(
            matches!(
                boxes("Return-Path", &[m]),
                Err(Error::InvalidAddress { .. })
            ),
            "{addr:?}"
        );
    }
}

/// A mailbox list written under a msg-id, Date, MIME, Keywords or List-Id name breaks that
/// field's syntax (`Message-ID: a@example.org`, `Date: Ann <a@example.org>`), which
/// `format_header` refuses for the same names; free-text names may carry one.
#[test]
fn mailboxes_only_go_where_a_mailbox_list_is_valid() {
    for name in [
        "Message-ID",
        "References",
        "Date",
        "Content-Type",
        "Content-Disposition",
        "Received",
        "MIME-Version",
        "Keywords",
        "List-Id",
    ] {
        assert_eq!(boxes(name, &[NAMED]), Err(Error::InvalidName), "{name}");
    }
    assert_eq!(
        boxes("X-Original-To", &[NAMED]),
        Ok(b"X-Original-To: Ann <a@example.org>\r\n".to_vec())
    );
    assert_eq!(
        boxes("Reply-To", &[NAMED, A]),
        Ok(b"Reply-To: Ann <a@example.org>, a@example.org\r\n".to_vec())
    );
}

/// The same through the C ABI (SPEC §1.2): status codes, `*out_len`, NUL termination.
#[test]
fn c_mailboxes_return_path_and_wrong_names() {
    use mailfold::ffi::{
        mailfold_format_mailboxes, mailfold_mailbox, MAILFOLD_INVALID_ADDRESS,
        MAILFOLD_INVALID_NAME, MAILFOLD_OK,
    };
    let call = |name: &str, b: &[mailfold_mailbox]| {
        let mut out = [0xA5u8; 64];
        let mut len = usize::MAX;
        // SAFETY: every pointer is valid for the length passed with it.
        let rc = unsafe {
            mailfold_format_mailboxes(
                name.as_ptr().cast(),
                name.len(),
                b.as_ptr(),
                b.len(),
                core::ptr::null(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut len,
            )
        };
        (rc, len, out)
    };
    let a = mailfold_mailbox {
        display_name: core::ptr::null(),
        display_name_len: 0,
        addr_spec: b"a@b".as_ptr().cast(),
        addr_spec_len: 3,
    };
    let (rc, len, out) = call("Return-Path", &[a]);
    assert_eq!((rc, len), (MAILFOLD_OK, 20));
    assert_eq!(&out[..21], b"Return-Path: <a@b>\r\n\0");
    let named = mailfold_mailbox {
        display_name: b"N".as_ptr().cast(),
        display_name_len: 1,
        ..a
    };
    assert_eq!(call("Return-Path", &[named]).0, MAILFOLD_INVALID_ADDRESS);
    assert_eq!(call("Return-Path", &[named]).1, 0);
    assert_eq!(call("Message-ID", &[a]).0, MAILFOLD_INVALID_NAME);
    assert_eq!(call("Date", &[a]).1, 0);
}

// Three deviations the audit found in src/fold.rs, src/address.rs and src/msgid.rs (each test
// failed before its fix).

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
