//! Conformance audit (round 8): edge cases of SPEC §1-§9 that the other suites did not reach.
//! Every expectation comes from the SPEC or RFC 5322 text quoted next to it, not from running
//! mailfold.

use mailfold::{format_field, format_header, Error, FieldClass, Options};

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
