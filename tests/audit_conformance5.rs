//! Conformance audit, round 5: the Rust entry points SPEC §1.1 names besides the formatters
//! (`format_date`, `make_msg_id`) and the `HeaderBuf` collector, checked against SPEC and
//! RFC text alone. All of these held; the tests pin them.

use mailfold::{format_date, make_msg_id, Error, HeaderBuf, Mailbox, Options};

fn date(secs: i64, offset: i32) -> Result<String, Error> {
    let mut out = [0u8; 64];
    let n = format_date(secs, offset, &mut out)?;
    Ok(String::from_utf8(out[..n].to_vec()).unwrap())
}

/// SPEC §8: "`format_date(unix_seconds, utc_offset_minutes)` → `Sun, 29 Nov 2026 01:45:15
/// +0000`. Offsets -1439..=1439 minutes (`-0330`, `+0545` right), leap years right, the
/// written (local) year in 1900..=9999; anything else → `InvalidDate`." RFC 5322 §3.3:
/// `zone = (FWS ( "+" / "-" ) 4DIGIT)`, "the first two digits indicating the number of
/// hours difference from Universal Time, and the last two digits indicating the number of
/// additional minutes".
#[test]
fn format_date_follows_spec_section_8() {
    assert_eq!(date(0, 0).unwrap(), "Thu, 01 Jan 1970 00:00:00 +0000");
    // 2026-11-29T01:45:15Z.
    assert_eq!(
        date(1_795_916_715, 0).unwrap(),
        "Sun, 29 Nov 2026 01:45:15 +0000"
    );
    // Negative offsets with minutes: 01:45:15Z at -03:30 is 22:15:15 the day before.
    assert_eq!(
        date(1_795_916_715, -210).unwrap(),
        "Sat, 28 Nov 2026 22:15:15 -0330"
    );
    assert_eq!(
        date(1_795_916_715, 345).unwrap(),
        "Sun, 29 Nov 2026 07:30:15 +0545"
    );
    // Leap years: 2000 is one (divisible by 400), 2100 is not (by 100).
    // 2000-02-29T12:00:00Z = 951825600; 2100-03-01T00:00:00Z = 4107542400.
    assert_eq!(
        date(951_825_600, 0).unwrap(),
        "Tue, 29 Feb 2000 12:00:00 +0000"
    );
    assert_eq!(
        date(4_107_542_400 - 1, 0).unwrap(),
        "Sun, 28 Feb 2100 23:59:59 +0000"
    );
    // The range of the written (local) year: 1900-01-01T00:00:00 is -2208988800.
    assert_eq!(
        date(-2_208_988_800, 0).unwrap(),
        "Mon, 01 Jan 1900 00:00:00 +0000"
    );
    assert_eq!(date(-2_208_988_800, -1), Err(Error::InvalidDate));
    assert_eq!(
        date(-2_208_988_800 + 60, -1).unwrap(),
        "Mon, 01 Jan 1900 00:00:00 -0001"
    );
    // 9999-12-31T23:59:59Z is 253402300799.
    assert_eq!(
        date(253_402_300_799, 0).unwrap(),
        "Fri, 31 Dec 9999 23:59:59 +0000"
    );
    assert_eq!(date(253_402_300_799, 1), Err(Error::InvalidDate));
    for offset in [-1440, 1440, i32::MIN, i32::MAX] {
        assert_eq!(date(0, offset), Err(Error::InvalidDate), "{offset}");
    }
    assert_eq!(date(0, -1439).unwrap(), "Wed, 31 Dec 1969 00:01:00 -2359");
    assert_eq!(date(i64::MAX, 0), Err(Error::InvalidDate));
    assert_eq!(date(i64::MIN, 0), Err(Error::InvalidDate));
    // Exactly 31 bytes; an empty buffer is a size query (SPEC §1.2 for C, README for Rust).
    assert_eq!(
        format_date(0, 0, &mut []),
        Err(Error::BufferTooSmall { needed: 31 })
    );
    let mut exact = [0u8; 31];
    assert_eq!(format_date(0, 0, &mut exact), Ok(31));
}

/// SPEC §5: "`make_msg_id`: `<` + the 32 lowercase hex digits of a UUID v4 built from the 16
/// caller bytes (`uuid::Builder::from_random_bytes`) + `@` + domain + `>`". RFC 9562 §5.4:
/// the version field (the high nibble of octet 6) is `0b0100` and the variant (the two high
/// bits of octet 8) is `0b10`; every other bit is the caller's.
#[test]
fn make_msg_id_is_a_uuid_v4_of_the_callers_bytes() {
    let mut out = [0u8; 128];
    let id = |random: [u8; 16], out: &mut [u8; 128]| {
        let n = make_msg_id(&random, "example.com", out).unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    };
    assert_eq!(
        id([0; 16], &mut out),
        "<00000000000040008000000000000000@example.com>"
    );
    assert_eq!(
        id([0xff; 16], &mut out),
        "<ffffffffffff4fffbfffffffffffffff@example.com>"
    );
    let bytes: [u8; 16] = core::array::from_fn(|i| (i as u8) * 17);
    assert_eq!(
        id(bytes, &mut out),
        "<00112233445546778899aabbccddeeff@example.com>"
    );
    // The domain must be a dot-atom: no literal, no `..`, no non-ASCII (SPEC §5).
    for (domain, want) in [
        ("[192.0.2.1]", Error::InvalidMsgId { at: 0 }),
        ("a..b", Error::InvalidMsgId { at: 2 }),
        ("", Error::InvalidMsgId { at: 0 }),
    ] {
        let got = make_msg_id(&[0; 16], domain, &mut out);
        assert!(
            matches!(got, Err(Error::InvalidMsgId { .. })),
            "{domain:?}: {got:?} (expected like {want:?})"
        );
    }
    assert!(matches!(
        make_msg_id(&[0; 16], "b\u{e9}.example", &mut out),
        Err(Error::NonAscii { .. })
    ));
}

/// `HeaderBuf` (README: "a `heapless` buffer that collects whole fields"; its docs: "Each
/// `push_*` appends one whole field or nothing: on any error the buffer is left as it was,
/// and `BufferTooSmall` reports the size the buffer would need in total").
#[test]
fn header_buf_appends_whole_fields_or_nothing() {
    let opts = Options::default();
    let mut head: HeaderBuf<40> = HeaderBuf::new();
    head.push("Subject", "hello", &opts).unwrap();
    assert_eq!(head.as_str(), "Subject: hello\r\n");
    // Too big for what is left: nothing is added and the total size is reported.
    assert_eq!(
        head.push("X-Long", "a value that does not fit here", &opts),
        Err(Error::BufferTooSmall {
            needed: 16 + "X-Long: a value that does not fit here\r\n".len()
        })
    );
    assert_eq!(head.as_str(), "Subject: hello\r\n");
    // An invalid field adds nothing either.
    assert_eq!(
        head.push("Subject", "a\r\nBcc: x@y", &opts),
        Err(Error::ControlCharacter { at: 1 })
    );
    assert!(matches!(
        head.push_mailboxes(
            "To",
            &[Mailbox {
                display_name: None,
                addr_spec: "not an address"
            }],
            &opts
        ),
        Err(Error::InvalidAddress { .. })
    ));
    assert_eq!(head.len(), 16);
    // A field that fills the buffer exactly fits.
    head.push("X-Fill", &"f".repeat(40 - 16 - 10), &opts)
        .unwrap();
    assert_eq!(head.len(), 40);
    head.clear();
    assert!(head.is_empty());
}
