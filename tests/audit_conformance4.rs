//! Conformance audit (round 11): what the three earlier audits did not reach. Every
//! expectation comes from the SPEC, the README's decisions or the RFC text quoted next to it,
//! not from running mailfold.

mod common;

use mailfold::{Error, FieldClass, Options};

/// Formats, and checks that the size query gives the same answer (`common::format_checked`).
fn fmt(name: &str, class: FieldClass, value: &str, opts: &Options) -> Result<Vec<u8>, Error> {
    common::format_checked(name, class, value, opts)
}

fn text(r: Result<Vec<u8>, Error>) -> Result<String, Error> {
    r.map(|v| String::from_utf8(v).unwrap())
}

fn auto(name: &str, value: &str) -> Result<String, Error> {
    text(fmt(name, FieldClass::Auto, value, &Options::default()))
}

// ---- 1. White space inside angle brackets ------------------------------------------------

/// RFC 5322 §3.4.1: `angle-addr = [CFWS] "<" addr-spec ">" [CFWS]`, and the addr-spec's
/// local part and domain are `dot-atom = [CFWS] dot-atom-text [CFWS]` (or a quoted-string /
/// domain literal, each with `[CFWS]` around it). So `< a@b >` is a valid angle-addr: its
/// white space is the FWS of CFWS (SPEC §6 refuses comments, not white space). CPython's
/// `getaddresses` and `headerregistry` read it as `a@b` without a defect. The output is the
/// canonical `<a@b>` (SPEC §3: structured fields in canonical spacing), and a mailbox without
/// a display name is a bare addr-spec (README decisions).
#[test]
fn white_space_inside_angle_brackets_is_fws() {
    let ok = [
        ("To", "< a@b >", "To: a@b\r\n"),
        ("To", "<a@b >", "To: a@b\r\n"),
        ("To", "<\ta@b>", "To: a@b\r\n"),
        ("To", "Name < a@b >", "To: Name <a@b>\r\n"),
        ("To", "Name <  a@b  >, c@d", "To: Name <a@b>, c@d\r\n"),
        (
            "Cc",
            "\"Doe, J\" < \"x y\"@b >",
            "Cc: \"Doe, J\" <\"x y\"@b>\r\n",
        ),
        ("Cc", "< a@[192.0.2.1] >", "Cc: a@[192.0.2.1]\r\n"),
        (
            "To",
            "Team: < a@b > , Name < c@d > ;",
            "To: Team: a@b, Name <c@d>;\r\n",
        ),
        // A caller's fold is white space too (SPEC §3).
        ("To", "Name <\r\n a@b\r\n >", "To: Name <a@b>\r\n"),
        ("Sender", "Name < a@b >", "Sender: Name <a@b>\r\n"),
        ("Return-Path", "< a@b >", "Return-Path: <a@b>\r\n"),
        (
            "Return-Path",
            "<\ta@[1.2.3.4] >",
            "Return-Path: <a@[1.2.3.4]>\r\n",
        ),
    ];
    for (name, value, want) in ok {
        assert_eq!(auto(name, value).as_deref(), Ok(want), "{name}: {value:?}");
    }
    // Comments stay refused (SPEC §6), and what follows the white space is what is wrong.
    let bad = [
        ("To", "< a@b (c) >", 6),
        ("To", "<a@b c>", 5),
        ("To", "< a@b", 5),
        ("Return-Path", "< a@b c >", 6),
    ];
    for (name, value, at) in bad {
        assert_eq!(
            auto(name, value),
            Err(Error::InvalidAddress { at }),
            "{name}: {value:?}"
        );
    }
}

/// The addr-spec's local part and domain are each `[CFWS] ... [CFWS]` (RFC 5322 §3.4.1,
/// §3.2.3), so white space around the `@` is allowed too (CPython reads `a @ b` and
/// `<a @ b>` as `a@b`, no defect), and a caller's fold inside a quoted local part is a fold
/// like any other (SPEC §3: the break is removed, the white space kept; RFC 5322
/// `quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]`). The output is
/// canonical: no white space around `@`, no break inside the quoted-string.
#[test]
fn fws_around_the_at_sign_and_folds_in_quoted_local_parts() {
    let ok = [
        ("To", "a @ b", "To: a@b\r\n"),
        ("To", "<a @ b>", "To: a@b\r\n"),
        ("To", "Name < a\t@\tb >", "To: Name <a@b>\r\n"),
        ("To", "a@b , c @ d, e@f", "To: a@b, c@d, e@f\r\n"),
        (
            "To",
            "x <\"q r\" @ [192.0.2.1]>",
            "To: x <\"q r\"@[192.0.2.1]>\r\n",
        ),
        ("To", "G: a @b, c@ d;", "To: G: a@b, c@d;\r\n"),
        ("To", "a\r\n @ b", "To: a@b\r\n"),
        // Without a display name a quoted local part is written in brackets (README,
        // "Display names in text form").
        ("To", "\"a\r\n b\"@c", "To: <\"a b\"@c>\r\n"),
        ("Cc", "N <\"a\n\tb\"@c>", "Cc: N <\"a\tb\"@c>\r\n"),
        ("Return-Path", "<a @ b>", "Return-Path: <a@b>\r\n"),
        (
            "Return-Path",
            "<\"a\r\n b\"@c>",
            "Return-Path: <\"a b\"@c>\r\n",
        ),
    ];
    for (name, value, want) in ok {
        assert_eq!(auto(name, value).as_deref(), Ok(want), "{name}: {value:?}");
    }
    // With LF endings and utf8 the same canonical addr-spec.
    let opts = Options::default()
        .with_utf8(true)
        .with_line_ending(mailfold::LineEnding::Lf);
    assert_eq!(
        text(fmt("To", FieldClass::Auto, "Zoë < jö @ b >", &opts)).as_deref(),
        Ok("To: Zoë <jö@b>\n")
    );
    // White space elsewhere inside an addr-spec is still wrong, where the text goes on.
    let bad = [
        ("To", "a b@c", 1),
        ("To", "<a b@c>", 3),
        ("To", "a@b c", 4),
        ("To", "a @ b c", 6),
        ("To", "a . b@c", 1),
        ("To", "a @ @b", 4),
        ("To", "a@b @c", 4),
        ("To", "x <a@[1] @c>", 9),
        ("Return-Path", "<a @ b c>", 7),
    ];
    for (name, value, at) in bad {
        assert_eq!(
            auto(name, value),
            Err(Error::InvalidAddress { at }),
            "{name}: {value:?}"
        );
    }
}

/// The structured form checks an addr-spec by the same grammar as the text form: FWS around
/// the `@` and a caller's fold inside a quoted local part are written canonically by
/// `format_mailboxes` for every address field, as the text form and `Return-Path` already do;
/// white space before or after the whole addr-spec is still refused (it is not inside an
/// addr-spec's own syntax, and the structured form takes the addr-spec alone).
#[test]
fn structured_addr_specs_take_the_same_fws_as_the_text_form() {
    use mailfold::{format_mailboxes, Mailbox};
    let run = |name: &str, addr: &str| -> Result<String, Error> {
        let mut buf = [0u8; 256];
        let boxes = [Mailbox {
            display_name: Some("N"),
            addr_spec: addr,
        }];
        let n = format_mailboxes(name, &boxes, &Options::default(), &mut buf)?;
        Ok(String::from_utf8(buf[..n].to_vec()).unwrap())
    };
    assert_eq!(run("To", "a @ b").as_deref(), Ok("To: N <a@b>\r\n"));
    assert_eq!(
        run("Cc", "\"a\r\n b\"@c").as_deref(),
        Ok("Cc: N <\"a b\"@c>\r\n")
    );
    assert!(matches!(
        run("To", " a@b"),
        Err(Error::InvalidAddress { .. })
    ));
    assert!(matches!(
        run("To", "a@b "),
        Err(Error::InvalidAddress { .. })
    ));
    assert!(matches!(
        run("To", "a b@c"),
        Err(Error::InvalidAddress { .. })
    ));
    assert!(matches!(
        run("To", "a@b\r\nBcc: x@y"),
        Err(Error::ControlCharacter { .. })
    ));
}

// ---- 2. Against CPython, through the shared library ----------------------------------------

/// `tests/audit_conformance4_diff.py` (ctypes over `libmailfold.so`, built here as
/// `tests/audit_conformance3.rs` builds it): seeded random unstructured values at every soft
/// limit from 40 to 998 with utf8 on and off, Q/B/Auto and LF (4-byte UTF-8, combining marks,
/// RTL, emoji ZWJ sequences, U+0085/U+2028/U+2029, C1 controls, `=?`) read back exactly by
/// CPython's policy.default and by RFC 2047 §6.2; `format_mailboxes` display names read back
/// literally and addr-specs found by CPython's headerregistry, Q words of names phrase-safe;
/// MIME parameters read back by CPython's get_param with RFC 2231 segments of whole
/// characters and %XX escapes, and the RFC 2047 form decoding to the value; every class's LF
/// output the CRLF output with LF endings; SPEC §3's line rules on every output.
#[cfg(target_os = "linux")]
#[test]
fn cpython_reads_back_what_mailfold_writes() {
    common::run_python_harness(
        "audit_conformance4_diff.py",
        &[],
        "the CPython differential check",
    );
}
