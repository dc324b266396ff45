//! Conformance audit (round 10): the C ABI contract through the real shared library, error
//! offsets in every class, classes from names, header-name edges, and the structured, verbatim,
//! Return-Path, Keywords and List-Id rules, beyond what `tests/audit_conformance.rs` and
//! `tests/audit_conformance2.rs` covered. Every expectation comes from the SPEC, the README's
//! decisions or the RFC text quoted next to it, not from running mailfold.

mod common;

use common::{check_structure, decode_unstructured, split_lines, unfold_value, Kind};
use mailfold::ffi::{self, mailfold_format_field};
use mailfold::{
    format_field, format_header, format_mailboxes, make_msg_id, Error, FieldClass, LineEnding,
    Mailbox, Options,
};

/// Formats, and checks that the size query gives the same answer (`common::format_checked`).
fn fmt(name: &str, class: FieldClass, value: &str, opts: &Options) -> Result<Vec<u8>, Error> {
    common::format_checked(name, class, value, opts)
}

fn fmt_auto(name: &str, value: &str) -> Result<Vec<u8>, Error> {
    fmt(name, FieldClass::Auto, value, &Options::default())
}

fn text(r: Result<Vec<u8>, Error>) -> Result<String, Error> {
    r.map(|v| String::from_utf8(v).unwrap())
}

// ---- 1. The C ABI through the shared library --------------------------------------------

/// SPEC §1.2, for every exported function, through `libmailfold.so` as a C program sees it
/// (built here with `cargo rustc --crate-type cdylib`, loaded with Python's ctypes):
/// `tests/audit_conformance3_abi.py` checks the size query, every `out_cap` from 0 to
/// needed + 1 with guard bytes, the same status, `*out_len == 0` and `*error_at` at every
/// `out_cap` for invalid input (with the error late in the value), NULL pointers, invalid
/// UTF-8 in every string argument, FORCE_Q | FORCE_B and unknown classes, the status strings,
/// the version and reentrancy. python3 is required (the test command installs it).
#[cfg(target_os = "linux")]
#[test]
fn c_abi_contract_through_the_shared_library() {
    common::run_python_harness(
        "audit_conformance3_abi.py",
        &["--version", env!("CARGO_PKG_VERSION")],
        "the C ABI contract check",
    );
}

// ---- 2. `at` offsets ----------------------------------------------------------------------

/// What kind of error a case wants; the offset is the length of the case's valid prefix.
#[derive(Clone, Copy, Debug)]
enum Want {
    Ctl,
    NonAsc,
    BadId,
    BadAddr,
    BadParam,
}

impl Want {
    fn error(self, at: usize) -> Error {
        match self {
            Want::Ctl => Error::ControlCharacter { at },
            Want::NonAsc => Error::NonAscii { at },
            Want::BadId => Error::InvalidMsgId { at },
            Want::BadAddr => Error::InvalidAddress { at },
            Want::BadParam => Error::InvalidParameter { at },
        }
    }
}

/// `(name, class, utf8, valid prefix, offending text, rest, error)`: the value is
/// `prefix + offending + rest` and the error's `at` is `prefix.len()`, the first byte that no
/// valid value could continue the prefix with (README: "every `at` points at the first byte
/// that made the value invalid"; SPEC §1.1: "a byte offset into the caller's value as given").
type Case = (
    &'static str,
    FieldClass,
    bool,
    &'static str,
    &'static str,
    &'static str,
    Want,
);

fn offset_cases() -> Vec<Case> {
    use FieldClass::*;
    use Want::*;
    let mut v: Vec<Case> = Vec::new();
    // Controls (SPEC §3) in every class, after caller folds and multi-byte UTF-8, in the
    // second or last element of lists. The CR/LF ones are not followed by SP/HTAB.
    for bad in ["\u{1}", "\u{7f}", "\u{0}", "\u{1b}", "\r\nx", "\nx", "\rx"] {
        v.extend([
            (
                "Subject",
                Auto,
                false,
                "Grüße\r\n aus 日本 ",
                bad,
                " x",
                Ctl,
            ),
            (
                "X-Anything",
                Unstructured,
                true,
                "Grüße\r\n\taus ",
                bad,
                "",
                Ctl,
            ),
            (
                "To",
                Auto,
                false,
                "Zoë <z@x.org>,\r\n a@b.org, c",
                bad,
                "@d.org",
                Ctl,
            ),
            (
                "Bcc",
                Auto,
                false,
                "\"Zoë, Z\" <z@x.org>, G: a@b.org, c",
                bad,
                "@d.org;",
                Ctl,
            ),
            (
                "References",
                Auto,
                false,
                "<a@b>\r\n <c@d> <e",
                bad,
                "@f>",
                Ctl,
            ),
            ("Return-Path", Auto, false, "<a", bad, "@b>", Ctl),
            (
                "Received",
                Auto,
                true,
                "from hôst\r\n by h; ",
                bad,
                "x",
                Ctl,
            ),
            (
                "Date",
                Auto,
                false,
                "Thu, 01 Jan 1970\r\n 00:00:00 +0000 ",
                bad,
                "",
                Ctl,
            ),
            (
                "Content-Type",
                Auto,
                false,
                "text/plain;\r\n name=\"Zoë",
                bad,
                "\"",
                Ctl,
            ),
            ("X-Sig", Verbatim, false, "v=1;\r\n\tb=x", bad, "", Ctl),
            ("Keywords", Auto, false, "Zoë,\r\n a, b", bad, "", Ctl),
            ("List-Id", Auto, false, "Zoë", bad, " <a.b>", Ctl),
            ("X-Ids", MsgId, false, "a@b\r\n c", bad, "@d", Ctl),
        ]);
    }
    // Line separators where nothing may be encoded: ControlCharacter in both modes (§3).
    for utf8 in [false, true] {
        for bad in ["\u{85}", "\u{2028}", "\u{2029}", "\u{9f}"] {
            v.extend([
                (
                    "To",
                    Auto,
                    utf8,
                    "Zoë <z@x.org>,\r\n a@b.org, c",
                    bad,
                    "@d.org",
                    Ctl,
                ),
                (
                    "References",
                    Auto,
                    utf8,
                    "<a@b>\r\n <c@d> <e",
                    bad,
                    "@f>",
                    Ctl,
                ),
                ("Return-Path", Auto, utf8, "<a", bad, "@b>", Ctl),
                ("Received", Auto, utf8, "from a\r\n by h; ", bad, "x", Ctl),
                ("X-Sig", Verbatim, utf8, "v=1;\r\n\tb=x", bad, "", Ctl),
                ("X-Trace", AsciiStructured, utf8, "a  b\r\n\t", bad, "", Ctl),
                ("Content-Type", Auto, utf8, "text/pl", bad, "ain", Ctl),
            ]);
        }
    }
    // Non-ASCII where nothing may be encoded, utf8 off (§3; msg-ids: InvalidMsgId, §5).
    for bad in ["é", "日", "😀"] {
        v.extend([
            (
                "To",
                Auto,
                false,
                "Zoë <z@x.org>,\r\n a@b.org, c",
                bad,
                "@d.org",
                NonAsc,
            ),
            (
                "To",
                Auto,
                false,
                "Zoë <z@x.org>, G: a@b.org, c@d",
                bad,
                ".org;",
                NonAsc,
            ),
            ("Return-Path", Auto, false, "<a", bad, "@b>", NonAsc),
            ("Received", Auto, false, "from a\r\n by ", bad, "", NonAsc),
            (
                "Date",
                Auto,
                false,
                "Thu, 01 Jan 1970 00:00:00 +0000 (",
                bad,
                ")",
                NonAsc,
            ),
            ("X-Sig", Verbatim, false, "a\r\n b", bad, "", NonAsc),
            (
                "X-Trace",
                AsciiStructured,
                false,
                "a  b\r\n\t",
                bad,
                "",
                NonAsc,
            ),
            (
                "List-Unsubscribe",
                Auto,
                false,
                "<mailto:a@b>, <https://x/",
                bad,
                ">",
                NonAsc,
            ),
            (
                "References",
                Auto,
                false,
                "<a@b>\r\n <c@d> <e",
                bad,
                "@f>",
                BadId,
            ),
            ("List-Id", Auto, false, "Zoë <a.", bad, ">", BadId),
            (
                "Content-Type",
                Auto,
                false,
                "text/plain;\r\n n",
                bad,
                "=x",
                BadParam,
            ),
        ]);
    }
    v.extend([
        // msg-ids (§5).
        ("Message-ID", Auto, false, "<a@b> ", "<", "c@d>", BadId),
        ("Message-ID", Auto, false, "<a@b>\r\n ", "<", "c@d>", BadId),
        ("Content-ID", Auto, true, "<ü@b>\r\n ", "<", "c@d>", BadId),
        (
            "References",
            Auto,
            false,
            "<a@b>\r\n <e.",
            ".",
            "f@g>",
            BadId,
        ),
        (
            "References",
            Auto,
            true,
            "<a@b> <ü@x>\r\n <c@",
            "@",
            "d>",
            BadId,
        ),
        ("In-Reply-To", Auto, false, "<a@b>\t<c", " ", "d@e>", BadId),
        ("References", Auto, false, "<a@b> <c@d> ", "(", "x)", BadId),
        ("Message-ID", Auto, false, "<", "@", "b>", BadId),
        ("Message-ID", Auto, false, "<a@", ">", "", BadId),
        ("Message-ID", Auto, false, "<a@b", "", "", BadId),
        ("Original-Message-ID", Auto, false, "<a@b>", ">", "", BadId),
        ("X-Ids", MsgId, false, "a@b c@", "@", "d", BadId),
        ("List-Id", Auto, false, "Zoë <a", "@", "b>", BadId),
        ("List-Id", Auto, false, "Zoë <a.b> ", "x", "", BadId),
        // Addresses (§6).
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, c@",
            "@",
            "d.org",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, c@d.",
            ".",
            "org",
            BadAddr,
        ),
        (
            "Cc",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, ",
            ".",
            "c@d.org",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, c@d.org",
            ">",
            "",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, Ann <c@d.org",
            "",
            "",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, Ann <c@d.org> ",
            "x",
            "",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, \"Ann <c@d.org>",
            "",
            "",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, G: c@d.org;",
            ";",
            "",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, G: H",
            ":",
            " c@d.org;;",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, c@d.org ",
            "(",
            "x)",
            BadAddr,
        ),
        (
            "To",
            Auto,
            false,
            "Zoë <z@x.org>,\r\n a@b.org, <",
            "@",
            "r:c@d.org>",
            BadAddr,
        ),
        (
            "To",
            Auto,
            true,
            "Zoë <zö@x.org>,\r\n a@",
            "@",
            "b",
            BadAddr,
        ),
        ("Bcc", Auto, false, "a@b.org,\r\n c@", "@", "d", BadAddr),
        ("X-Notify", Address, false, "a@b.org, c@", "@", "d", BadAddr),
        ("Return-Path", Auto, false, "<a@b> ", "x", "", BadAddr),
        ("Return-Path", Auto, false, "<a@b", "@", "c>", BadAddr),
        ("X-Bounce", ReturnPath, false, "<a@b>", ",", "", BadAddr),
        // MIME parameters (§7).
        (
            "Content-Type",
            Auto,
            false,
            "text/plain; a=b; c ",
            "d",
            "=e",
            BadParam,
        ),
        (
            "Content-Type",
            Auto,
            false,
            "text/plain; a=b; c=d ",
            "e",
            "",
            BadParam,
        ),
        (
            "Content-Type",
            Auto,
            false,
            "text/plain; a=\"é\";\r\n c",
            "@",
            "=d",
            BadParam,
        ),
        (
            "Content-Type",
            Auto,
            false,
            "text/plain; a=\"é\";\r\n C=d; ",
            "c",
            "=e",
            BadParam,
        ),
        (
            "Content-Type",
            Auto,
            false,
            "text/plain; a=\"é\";\r\n c=\"d",
            "",
            "",
            BadParam,
        ),
        ("Content-Type", Auto, false, "t", "ë", "xt/plain", BadParam),
        (
            "Content-Type",
            Auto,
            true,
            "text/plain; n",
            "ä",
            "=x",
            BadParam,
        ),
        ("Content-Type", Auto, false, "text/", "", "", BadParam),
        (
            "Content-Disposition",
            Auto,
            false,
            "attachment; filename=\"Zoë.pdf\"; size=1 ",
            "2",
            "",
            BadParam,
        ),
        (
            "Content-Type",
            Auto,
            false,
            "text/plain; a*=utf-8''",
            "%",
            "zz",
            BadParam,
        ),
        (
            "X-Type",
            Mime,
            false,
            "text/plain; a=1; ",
            "A",
            "=2",
            BadParam,
        ),
    ]);
    v
}

fn class_code(class: FieldClass) -> i32 {
    match class {
        FieldClass::Auto => ffi::MAILFOLD_CLASS_AUTO,
        FieldClass::Unstructured => ffi::MAILFOLD_CLASS_UNSTRUCTURED,
        FieldClass::MsgId => ffi::MAILFOLD_CLASS_MSG_ID,
        FieldClass::Address => ffi::MAILFOLD_CLASS_ADDRESS,
        FieldClass::ReturnPath => ffi::MAILFOLD_CLASS_RETURN_PATH,
        FieldClass::AsciiStructured => ffi::MAILFOLD_CLASS_ASCII_STRUCTURED,
        FieldClass::Mime => ffi::MAILFOLD_CLASS_MIME,
        FieldClass::Verbatim => ffi::MAILFOLD_CLASS_VERBATIM,
    }
}

fn status_and_at(e: Error) -> (i32, usize) {
    match e {
        Error::ControlCharacter { at } => (ffi::MAILFOLD_CONTROL_CHARACTER, at),
        Error::NonAscii { at } => (ffi::MAILFOLD_NON_ASCII, at),
        Error::InvalidMsgId { at } => (ffi::MAILFOLD_INVALID_MSG_ID, at),
        Error::InvalidAddress { at } => (ffi::MAILFOLD_INVALID_ADDRESS, at),
        Error::InvalidParameter { at } => (ffi::MAILFOLD_INVALID_PARAMETER, at),
        other => panic!("{other:?} has no offset"),
    }
}

/// SPEC §1.1: `at` is a byte offset into the caller's value as given: caller folds and
/// multi-byte characters before the error count with their bytes, errors in a later element
/// of a list point into that element. The C API's `*error_at` is the same offset (README,
/// C ABI), at every buffer size.
#[test]
fn error_offsets_point_into_the_value_as_given() {
    let mut failures = Vec::new();
    for (name, class, utf8, prefix, bad, rest, want) in offset_cases() {
        let value = format!("{prefix}{bad}{rest}");
        let opts = Options::default().with_utf8(utf8);
        let expected = want.error(prefix.len());
        let mut buf = vec![0u8; 512];
        let got = format_field(name, class, &value, &opts, &mut buf);
        if got != Err(expected) {
            failures.push(format!(
                "{name} ({class:?}, utf8 {utf8}) {value:?}: {got:?}, want {expected:?}"
            ));
            continue;
        }
        // The same through the C API, at several buffer sizes.
        let (status, at) = status_and_at(expected);
        let c_opts = ffi::mailfold_options {
            max_line_len: 0,
            flags: if utf8 { ffi::MAILFOLD_FLAG_UTF8 } else { 0 },
        };
        for cap in [0usize, 1, 10, value.len(), 512] {
            let (mut len, mut err_at) = (99usize, 99usize);
            let out = if cap == 0 {
                core::ptr::null_mut()
            } else {
                buf.as_mut_ptr().cast()
            };
            // SAFETY: name and value are valid for their lengths, out for cap bytes (or NULL
            // with 0), options, out_len and error_at point to live values.
            let rc = unsafe {
                mailfold_format_field(
                    name.as_ptr().cast(),
                    name.len(),
                    class_code(class),
                    value.as_ptr().cast(),
                    value.len(),
                    &c_opts,
                    out,
                    cap,
                    &mut len,
                    &mut err_at,
                )
            };
            if (rc, len, err_at) != (status, 0, at) {
                failures.push(format!(
                    "C: {name} {value:?} out_cap {cap}: status {rc} out_len {len} error_at \
                     {err_at}, want {status} 0 {at}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// README: "every `at` points at the first byte that made the value invalid". After a domain
/// literal, the first offending byte is the one that follows the `]`, not the `]` itself
/// (`[d]` is a complete domain literal, RFC 5322 §3.4.1). `To: a@[d]x` gave
/// `InvalidAddress { at: 4 }` (the `]`), `A <a@[d]x>` at 7, `Return-Path: <a@[d]x>` at 5;
/// wanted 5, 8 and 6.
#[test]
fn address_offsets_after_a_domain_literal() {
    for (name, prefix) in [
        ("To", "a@[d]"),
        ("To", "A <a@[d]"),
        ("To", "b@c.org,\r\n a@[1.2.3.4]"),
        ("Return-Path", "<a@[d]"),
    ] {
        let value = format!("{prefix}x>");
        assert_eq!(
            fmt_auto(name, &value),
            Err(Error::InvalidAddress { at: prefix.len() }),
            "{name}: {value:?}"
        );
    }
}

/// The same for msg-ids (SPEC §5: "`InvalidMsgId` with the offset"): `Message-ID: <c@[d]x>`
/// gave `at: 7` (the `>` after `x`) where the `x` at 6 is what cannot follow `[d]`;
/// `<c@[a]b]>` gave 5 (the first `]`, which closes a valid literal) instead of 6;
/// `References: <a@b> <c@[d]x>` gave 13 instead of 12.
#[test]
fn msg_id_offsets_after_a_domain_literal() {
    for (name, prefix, rest) in [
        ("Message-ID", "<c@[d]", "x>"),
        ("Message-ID", "<c@[a]", "b]>"),
        ("References", "<a@b> <c@[d]", "x>"),
        ("References", "<a@b>\r\n <c@[1.2]", "3>"),
    ] {
        let value = format!("{prefix}{rest}");
        assert_eq!(
            fmt_auto(name, &value),
            Err(Error::InvalidMsgId { at: prefix.len() }),
            "{name}: {value:?}"
        );
    }
}

// ---- 3. Classes from names ------------------------------------------------------------------

/// The spellings each name is tried in: as listed, lower, upper, alternating.
fn spellings(name: &str) -> Vec<String> {
    let alt: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    vec![
        name.to_string(),
        name.to_ascii_lowercase(),
        name.to_ascii_uppercase(),
        alt,
    ]
}

fn line(name: &str, value: &str) -> Result<String, Error> {
    Ok(format!("{name}: {value}\r\n"))
}

/// SPEC §2: each listed name, case-insensitively, has its class, seen through behaviour that
/// only that class has; the output keeps the caller's spelling.
#[test]
fn field_classes_follow_the_name_in_any_case() {
    let date = "Thu, 01 Jan 1970 00:00:00 +0000";
    let wrong_day = "Fri, 01 Jan 1970 00:00:00 +0000";
    for base in [
        "Message-ID",
        "Resent-Message-ID",
        "Content-ID",
        "Original-Message-ID",
    ] {
        for n in spellings(base) {
            // One id: a bare one is wrapped, a second one is refused, never encoded.
            assert_eq!(text(fmt_auto(&n, "a@b.org")), line(&n, "<a@b.org>"), "{n}");
            assert_eq!(
                fmt_auto(&n, "<a@b.org> <c@d.org>"),
                Err(Error::InvalidMsgId { at: 10 }),
                "{n}"
            );
            assert_eq!(
                fmt_auto(&n, "<a@é.org>"),
                Err(Error::InvalidMsgId { at: 3 })
            );
        }
    }
    for base in ["In-Reply-To", "References"] {
        for n in spellings(base) {
            assert_eq!(
                text(fmt_auto(&n, "a@b.org\t<c@d.org>")),
                line(&n, "<a@b.org> <c@d.org>"),
                "{n}"
            );
        }
    }
    for base in [
        "From",
        "Reply-To",
        "To",
        "Cc",
        "Resent-From",
        "Resent-To",
        "Resent-Cc",
        "Disposition-Notification-To",
        "Mail-Followup-To",
        "Mail-Reply-To",
        "Bcc",
        "Resent-Bcc",
    ] {
        for n in spellings(base) {
            // Canonical spacing (§3), `<addr>` alone written bare (README).
            assert_eq!(
                text(fmt_auto(&n, "Ann   <a@b.org>,b@c.org ,<c@d.org>")),
                line(&n, "Ann <a@b.org>, b@c.org, c@d.org"),
                "{n}"
            );
            let bcc = base.ends_with("Bcc");
            assert_eq!(
                text(fmt_auto(&n, "")),
                if bcc {
                    line(&n, "")
                } else {
                    Err(Error::InvalidAddress { at: 0 })
                },
                "{n}: empty"
            );
        }
    }
    for base in ["Sender", "Resent-Sender"] {
        for n in spellings(base) {
            assert_eq!(
                text(fmt_auto(&n, "Ann  <a@b.org>")),
                line(&n, "Ann <a@b.org>")
            );
            assert!(
                matches!(
                    fmt_auto(&n, "a@b.org, c@d.org"),
                    Err(Error::InvalidAddress { .. })
                ),
                "{n}"
            );
        }
    }
    for n in spellings("Return-Path") {
        assert_eq!(text(fmt_auto(&n, "<>")), line(&n, "<>"));
        assert_eq!(text(fmt_auto(&n, " <a@b.org> ")), line(&n, "<a@b.org>"));
        assert!(matches!(
            fmt_auto(&n, "<a@b.org>, <c@d.org>"),
            Err(Error::InvalidAddress { .. })
        ));
    }
    for base in ["Date", "Resent-Date"] {
        for n in spellings(base) {
            assert_eq!(text(fmt_auto(&n, date)), line(&n, date));
            assert_eq!(fmt_auto(&n, wrong_day), Err(Error::InvalidDate), "{n}");
        }
    }
    // ASCII structured, never encoded: `=?...?=` and `<...>` stay literal, non-ASCII is
    // refused where unstructured text would encode it.
    for base in [
        "Received",
        "DKIM-Signature",
        "ARC-Seal",
        "ARC-Message-Signature",
        "ARC-Authentication-Results",
        "Authentication-Results",
        "Received-SPF",
        "MIME-Version",
        "Content-Transfer-Encoding",
        "List-Unsubscribe",
        "List-Post",
        "List-Help",
        "List-Archive",
        "List-Unsubscribe-Post",
        "Auto-Submitted",
        "Precedence",
        "Feedback-ID",
    ] {
        for n in spellings(base) {
            assert_eq!(
                text(fmt_auto(&n, "=?utf-8?q?x?=  <a@b.org>")),
                line(&n, "=?utf-8?q?x?=  <a@b.org>"),
                "{n}"
            );
            assert_eq!(fmt_auto(&n, "Zoë"), Err(Error::NonAscii { at: 2 }), "{n}");
        }
    }
    for (base, ty) in [
        ("Content-Type", "text/plain"),
        ("Content-Disposition", "inline"),
    ] {
        for n in spellings(base) {
            assert_eq!(
                fmt_auto(&n, &format!("{ty}; a=1; A=2")),
                Err(Error::InvalidParameter { at: ty.len() + 7 }),
                "{n}"
            );
            assert_eq!(
                text(fmt_auto(&n, &format!("{ty};  a=1"))),
                line(&n, &format!("{ty}; a=1"))
            );
        }
    }
    // Unstructured: everything else, including near misses of the listed names.
    for n in [
        "Subject",
        "subject",
        "COMMENTS",
        "Thread-Topic",
        "X-Mailer",
        "x-message-id",
        "Message-IDs",
        "Message_ID",
        "Messages-ID",
        "Dates",
        "Listing",
        "Arcade",
        "X-List-Id",
        "Resent",
        "Tos",
        "Ccc",
        "ReturnPath",
    ] {
        let out = text(fmt_auto(n, "Zoë =?x?= <a@b.org>")).unwrap();
        assert!(out.starts_with(&format!("{n}: =?utf-8?")), "{n}: {out:?}");
        assert!(out.ends_with(" <a@b.org>\r\n"), "{n}: {out:?}");
        let v = unfold_value(out.as_bytes(), n, &Options::default()).unwrap();
        assert_eq!(
            decode_unstructured(&v).unwrap().trim(),
            "Zoë =?x?= <a@b.org>"
        );
    }
    // Keywords: phrases, commas outside encoded-words (§4).
    for n in spellings("Keywords") {
        let out = text(fmt_auto(&n, "Zoë,x")).unwrap();
        let v = unfold_value(out.as_bytes(), &n, &Options::default()).unwrap();
        let v = String::from_utf8(v).unwrap();
        let parts: Vec<&str> = v.split(',').map(str::trim).collect();
        assert_eq!(parts.len(), 2, "{n}: {out:?}");
        assert_eq!(decode_unstructured(parts[0].as_bytes()).unwrap(), "Zoë");
        assert_eq!(parts[1], "x");
    }
    // List-Id: an encoded phrase and a `<list-id>` never encoded (§4).
    for n in spellings("List-Id") {
        let out = text(fmt_auto(&n, "Zoë <list.example.org>")).unwrap();
        assert!(out.starts_with(&format!("{n}: =?utf-8?")), "{out:?}");
        assert!(out.ends_with(" <list.example.org>\r\n"), "{out:?}");
        assert_eq!(
            fmt_auto(&n, "Zoë <a..b>"),
            Err(Error::InvalidMsgId { at: 8 })
        );
    }
}

/// SPEC §2: "A header name is 1+ characters in 33..=126 except `:`". Every length from 1 to
/// 40 (the name checks differ by length) with one byte at every position replaced: by the
/// edges 33 and 126 it stays valid and is written as given; by 32, `:`, 127, a control or a
/// non-ASCII character it is `InvalidName`, in every class and through `format_mailboxes`.
#[test]
fn header_names_at_the_edges_of_validity() {
    let opts = Options::default();
    let mut buf = vec![0u8; 256];
    for len in 1..=40 {
        for pos in 0..len {
            for good in ['!', '~', 'a', 'Z', '0', '-'] {
                let mut name: Vec<char> = "X".repeat(len).chars().collect();
                name[pos] = good;
                let name: String = name.into_iter().collect();
                let n = format_header(&name, "v", &opts, &mut buf)
                    .unwrap_or_else(|e| panic!("{name:?}: {e:?}"));
                assert_eq!(&buf[..n], format!("{name}: v\r\n").as_bytes());
            }
            for bad in [
                ' ', ':', '\u{7f}', '\u{0}', '\t', '\r', '\n', 'é', '\u{85}', '😀',
            ] {
                let mut name: Vec<char> = "X".repeat(len).chars().collect();
                name[pos] = bad;
                let name: String = name.into_iter().collect();
                for class in [
                    FieldClass::Auto,
                    FieldClass::Unstructured,
                    FieldClass::AsciiStructured,
                    FieldClass::Verbatim,
                ] {
                    assert_eq!(
                        format_field(&name, class, "v", &opts, &mut buf),
                        Err(Error::InvalidName),
                        "{name:?} {class:?}"
                    );
                }
                assert_eq!(
                    format_field(&name, FieldClass::Auto, "v", &opts, &mut []),
                    Err(Error::InvalidName),
                    "{name:?} size query"
                );
                let m = [Mailbox {
                    display_name: None,
                    addr_spec: "a@b.org",
                }];
                assert_eq!(
                    format_mailboxes(&name, &m, &opts, &mut buf),
                    Err(Error::InvalidName),
                    "{name:?} mailboxes"
                );
            }
        }
    }
    // Known names with one byte broken are not known names.
    for name in [
        "Message ID",
        "Message:ID",
        "Message\rID",
        "Subject ",
        " To",
        "To:",
        "Content-Type\u{7f}",
        "Resent-Message-I\u{0}",
        "Authentication Results",
        "Disposition-Notification-T:",
        "",
    ] {
        assert_eq!(
            fmt_auto(name, "a@b.org"),
            Err(Error::InvalidName),
            "{name:?}"
        );
    }
    // Every printable byte but `:` is a name by itself.
    for b in 33u8..=126 {
        let name = (b as char).to_string();
        let r = fmt_auto(&name, "v");
        if b == b':' {
            assert_eq!(r, Err(Error::InvalidName));
        } else {
            assert_eq!(text(r), line(&name, "v"), "{name:?}");
        }
    }
}

// ---- 4. Structured folding, Return-Path, Verbatim, Keywords, List-Id -------------------------

fn lines_of(out: &[u8]) -> Vec<Vec<u8>> {
    split_lines(out, &Options::default())
        .unwrap()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect()
}

/// SPEC §3: an ASCII structured field folds only at its white space, never encodes; "a fold
/// directly after `Name:` is used only when the first token cannot otherwise fit in 998"; a
/// longer line holds one unbreakable token; "no line ever exceeds 998 (`LineTooLong`
/// otherwise)". A first token of exactly 998 - len("Name: ") octets stays on the name line,
/// one more folds after the colon, a token of 997 fits a continuation line (" " + 997 = 998),
/// 998 does not.
#[test]
fn ascii_structured_tokens_at_the_998_octet_edge() {
    for name in [
        "Received",
        "DKIM-Signature",
        "Authentication-Results",
        "ARC-Seal",
        "X-Forced",
    ] {
        let class = if name == "X-Forced" {
            FieldClass::AsciiStructured
        } else {
            FieldClass::Auto
        };
        let o = Options::default();
        let room = 998 - name.len() - 2;
        let tok = |n: usize| "t".repeat(n);
        // Alone on the name line.
        let out = fmt(name, class, &tok(room), &o).unwrap();
        assert_eq!(out, format!("{name}: {}\r\n", tok(room)).into_bytes());
        // One more: a fold directly after the colon.
        let out = fmt(name, class, &tok(room + 1), &o).unwrap();
        assert_eq!(
            out,
            format!("{name}:\r\n {}\r\n", tok(room + 1)).into_bytes()
        );
        let out = fmt(name, class, &tok(997), &o).unwrap();
        assert_eq!(out, format!("{name}:\r\n {}\r\n", tok(997)).into_bytes());
        assert_eq!(fmt(name, class, &tok(998), &o), Err(Error::LineTooLong));
        // After other tokens.
        let v = format!("i=1; a=b;\r\n\tb={}", tok(995));
        let out = fmt(name, class, &v, &o).unwrap();
        assert_eq!(
            out,
            format!("{name}: i=1; a=b;\r\n\tb={}\r\n", tok(995)).into_bytes(),
            "{name}: the caller's tab is kept as the fold's white space"
        );
        let v = format!("i=1; b={}", tok(996));
        assert_eq!(fmt(name, class, &v, &o), Err(Error::LineTooLong), "{name}");
        // Long values of ordinary tokens: every line within the soft limit, lossless.
        let v = "mx.example.com; dkim=pass header.d=example.com header.s=selector1 \
                 header.b=AbCdEf12; spf=pass (sender SPF authorized) smtp.mailfrom=example.com; \
                 dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com; \
                 arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com)";
        for w in [40, 78, 100] {
            let o = Options::default().with_max_line_len(w);
            let out = fmt(name, class, v, &o).unwrap();
            check_structure(&out, name, Kind::Ascii, &o).unwrap();
            for l in lines_of(&out) {
                assert!(l.len() <= w, "{name} {w}: {}", String::from_utf8_lossy(&l));
            }
            let un = unfold_value(&out, name, &o).unwrap();
            assert_eq!(String::from_utf8(un).unwrap().trim(), v);
        }
    }
}

/// RFC 5322 §3.6.7: `path = angle-addr / ([CFWS] "<" [CFWS] ">" [CFWS])`. Return-Path is
/// written as `<addr-spec>` or `<>`, never a bare addr-spec; one path only, no display name.
/// It folds after the colon only when `<addr-spec>` cannot fit on the name line (§3).
#[test]
fn return_path_values() {
    for (v, want) in [
        ("<>", "<>"),
        ("<a@b.org>", "<a@b.org>"),
        ("  <a@b.org>\r\n ", "<a@b.org>"),
        ("<\"a b\"@[192.0.2.1]>", "<\"a b\"@[192.0.2.1]>"),
    ] {
        assert_eq!(text(fmt_auto("Return-Path", v)), line("Return-Path", want));
    }
    // A bare addr-spec may be refused or wrapped, never written bare.
    match text(fmt_auto("Return-Path", "a@b.org")) {
        Ok(s) => assert_eq!(s, "Return-Path: <a@b.org>\r\n"),
        Err(e) => assert!(matches!(e, Error::InvalidAddress { .. })),
    }
    for v in [
        "",
        "   ",
        "<a@b.org> <c@d.org>",
        "<a@b.org>, <c@d.org>",
        "Ann <a@b.org>",
        "<a@b.org",
        "<a>",
        "<<a@b.org>>",
        "(x) <a@b.org>",
        "<@r:a@b.org>",
        "undisclosed:;",
    ] {
        assert!(
            matches!(
                fmt_auto("Return-Path", v),
                Err(Error::InvalidAddress { .. })
            ),
            "{v:?}: {:?}",
            text(fmt_auto("Return-Path", v))
        );
    }
    // utf8: the addr-spec raw (RFC 6532); off: NonAscii at the character.
    let u = Options::default().with_utf8(true);
    assert_eq!(
        text(fmt("Return-Path", FieldClass::Auto, "<zoë@b.org>", &u)),
        line("Return-Path", "<zoë@b.org>")
    );
    assert_eq!(
        fmt_auto("Return-Path", "<zoë@b.org>"),
        Err(Error::NonAscii { at: 3 })
    );
    // The 998 edge: "Return-Path: " is 13 octets.
    let addr = |n: usize| format!("<{}@b.org>", "l".repeat(n - 8));
    let o = Options::default();
    assert_eq!(
        text(fmt_auto("Return-Path", &addr(985))),
        line("Return-Path", &addr(985))
    );
    assert_eq!(
        text(fmt("Return-Path", FieldClass::Auto, &addr(986), &o)),
        Ok(format!("Return-Path:\r\n {}\r\n", addr(986)))
    );
    assert_eq!(
        text(fmt_auto("Return-Path", &addr(997))),
        Ok(format!("Return-Path:\r\n {}\r\n", addr(997)))
    );
    assert_eq!(fmt_auto("Return-Path", &addr(998)), Err(Error::LineTooLong));
}

/// SPEC §2: verbatim is "written exactly as given: must already be ASCII (or UTF-8 with
/// utf8), lines ≤ 998, any line breaks already `CRLF`+WSP folds" (a caller's fold may also
/// be `LF`+WSP, §3); README: each break is written with the chosen line ending, a
/// continuation line of only white space is refused (`ControlCharacter`).
#[test]
fn verbatim_values() {
    let o = Options::default();
    let lf = Options::default().with_line_ending(LineEnding::Lf);
    let u = Options::default().with_utf8(true);
    let f = |v: &str, o: &Options| text(fmt("DKIM-Signature", FieldClass::Verbatim, v, o));
    // Exactly as given: no refolding past the soft limit, spacing and tabs kept.
    let long = format!("v=1;  a=rsa-sha256;\tb={}", "x y ".repeat(40));
    assert_eq!(f(&long, &o), line("DKIM-Signature", &long));
    let sig = "v=1; a=rsa-sha256;\r\n\tb=abc\r\n  def";
    assert_eq!(f(sig, &o), line("DKIM-Signature", sig));
    assert_eq!(
        f(sig, &lf),
        Ok("DKIM-Signature: v=1; a=rsa-sha256;\n\tb=abc\n  def\n".into())
    );
    assert_eq!(
        f("a;\n b", &o),
        Ok("DKIM-Signature: a;\r\n b\r\n".into()),
        "an LF fold is written with the chosen ending"
    );
    // Breaks that are not folds, at the break.
    for (v, at) in [
        ("a\r\nb", 1),
        ("a\nb", 1),
        ("a\rb", 1),
        ("a;\r\n b\r\n", 6),
        ("a;\r\n b\n", 6),
        ("a\r\n\r\n b", 1),
        ("a\u{1}", 1),
        ("a\u{0}b", 1),
    ] {
        assert_eq!(f(v, &o), Err(Error::ControlCharacter { at }), "{v:?}");
    }
    // A continuation line of nothing but white space (RFC 5322 §3.2.2).
    assert!(matches!(
        f("a\r\n \r\n b", &o),
        Err(Error::ControlCharacter { .. })
    ));
    assert!(matches!(
        f("a\r\n \t", &o),
        Err(Error::ControlCharacter { .. })
    ));
    // ASCII unless utf8; line separators never.
    assert_eq!(f("Zoë", &o), Err(Error::NonAscii { at: 2 }));
    assert_eq!(f("Zoë", &u), line("DKIM-Signature", "Zoë"));
    for sep in ["\u{85}", "\u{2028}", "\u{2029}"] {
        assert_eq!(
            f(&format!("a{sep}"), &u),
            Err(Error::ControlCharacter { at: 1 })
        );
    }
    // Lines of 998 octets (the first counts `DKIM-Signature: `, 16 octets), 999 refused;
    // octets, not characters, with utf8.
    let first = 998 - 16;
    assert!(f(&"x".repeat(first), &o).is_ok());
    assert_eq!(f(&"x".repeat(first + 1), &o), Err(Error::LineTooLong));
    assert!(f(&format!("a\r\n {}", "x".repeat(997)), &o).is_ok());
    assert_eq!(
        f(&format!("a\r\n {}", "x".repeat(998)), &o),
        Err(Error::LineTooLong)
    );
    assert_eq!(
        f(&format!("a\r\n {}", "é".repeat(499)), &u),
        Err(Error::LineTooLong),
        "999 octets of 500 characters"
    );
    assert!(f(&format!("a\r\n {}x", "é".repeat(498)), &u).is_ok());
    assert_eq!(
        f(&format!("a\r\n {}b\r\n c", "x".repeat(998)), &o),
        Err(Error::LineTooLong),
        "a middle line"
    );
}

/// SPEC §4: Keywords are comma-separated phrases, each like a display name, commas outside
/// encoded-words; README: a whole keyword moves to the next line when it fits there.
#[test]
fn keywords_values() {
    let o = Options::default();
    assert_eq!(
        text(fmt_auto("Keywords", "alpha,beta ,  gamma")),
        line("Keywords", "alpha, beta, gamma")
    );
    assert_eq!(
        text(fmt_auto("Keywords", "\"a, b\", c")),
        line("Keywords", "\"a, b\", c")
    );
    let kws: Vec<String> = (0..30).map(|i| format!("keyword{i} two")).collect();
    let out = fmt_auto("Keywords", &kws.join(", ")).unwrap();
    check_structure(&out, "Keywords", Kind::Structured, &o).unwrap();
    for l in lines_of(&out) {
        let l = String::from_utf8(l).unwrap();
        assert!(l.len() <= 78, "{l:?}");
        // Folds only after a comma: every line but the first starts a keyword.
        assert!(
            l.starts_with("Keywords: keyword") || l.starts_with(" keyword"),
            "{l:?}"
        );
    }
    let v = unfold_value(&out, "Keywords", &o).unwrap();
    let v = String::from_utf8(v).unwrap();
    let got: Vec<&str> = v.split(',').map(str::trim).collect();
    assert_eq!(got, kws);
    // Non-ASCII keywords, each its own encoded-words; a comma in the text stays in the text.
    let words = [
        "Zoë",
        "café au lait",
        "naïve, really",
        "x",
        "日本語のキーワード",
    ];
    let input = [
        "Zoë",
        "café au lait",
        "\"naïve, really\"",
        "x",
        "日本語のキーワード",
    ]
    .join(", ");
    for w in [40, 78] {
        let o = Options::default().with_max_line_len(w);
        let out = fmt("Keywords", FieldClass::Auto, &input, &o).unwrap();
        check_structure(&out, "Keywords", Kind::Structured, &o).unwrap();
        let v = String::from_utf8(unfold_value(&out, "Keywords", &o).unwrap()).unwrap();
        // Split at commas outside encoded-words and quoted-strings.
        let mut parts = Vec::new();
        let (mut cur, mut quoted, mut in_ew) = (String::new(), false, false);
        let cs: Vec<char> = v.chars().collect();
        for (i, &c) in cs.iter().enumerate() {
            if c == '"' {
                quoted = !quoted;
            }
            if !quoted && c == '=' && cs.get(i + 1) == Some(&'?') {
                in_ew = true;
            }
            if in_ew && c == '=' && i > 0 && cs[i - 1] == '?' {
                in_ew = false;
            }
            if c == ',' && !quoted && !in_ew {
                parts.push(std::mem::take(&mut cur));
            } else {
                cur.push(c);
            }
        }
        parts.push(cur);
        let decoded: Vec<String> = parts
            .iter()
            .map(|p| {
                let p = p.trim();
                let p = p
                    .strip_prefix('"')
                    .and_then(|p| p.strip_suffix('"'))
                    .unwrap_or(p);
                decode_unstructured(p.as_bytes()).unwrap()
            })
            .collect();
        assert_eq!(decoded, words, "limit {w}: {v:?}");
    }
}

/// SPEC §4: List-Id is an optional phrase (encoded like a display name) and a `<list-id>` that
/// is never encoded (RFC 2919: `list-id = "<" list-label "." list-id-namespace ">"`, a
/// dot-atom-text).
#[test]
fn list_id_values() {
    let o = Options::default();
    for (v, want) in [
        ("<list.example.com>", "<list.example.com>"),
        ("My List <list.example.com>", "My List <list.example.com>"),
        ("\"My, List\" <l.example>", "\"My, List\" <l.example>"),
    ] {
        assert_eq!(text(fmt_auto("List-Id", v)), line("List-Id", want));
    }
    for w in [40, 78] {
        let o = Options::default().with_max_line_len(w);
        let phrase = "Zoë's very long list name ".repeat(4);
        let v = format!("{phrase} <list.example.com>");
        let out = fmt("List-Id", FieldClass::Auto, &v, &o).unwrap();
        check_structure(&out, "List-Id", Kind::Structured, &o).unwrap();
        let s = String::from_utf8(unfold_value(&out, "List-Id", &o).unwrap()).unwrap();
        let (p, id) = s.rsplit_once(' ').unwrap();
        assert_eq!(id, "<list.example.com>");
        let p = p.trim();
        let p = p
            .strip_prefix('"')
            .and_then(|p| p.strip_suffix('"'))
            .unwrap_or(p);
        assert_eq!(decode_unstructured(p.as_bytes()).unwrap(), phrase.trim());
    }
    let u = Options::default().with_utf8(true);
    assert_eq!(
        text(fmt(
            "List-Id",
            FieldClass::Auto,
            "Zoë <list.example.com>",
            &u
        )),
        line("List-Id", "Zoë <list.example.com>")
    );
    for v in ["", "Zoë", "<a..b>", "<a@b>", "<.a>", "<=?x?=.b>"] {
        assert!(
            matches!(
                fmt("List-Id", FieldClass::Auto, v, &o),
                Err(Error::InvalidMsgId { .. })
            ),
            "{v:?}"
        );
    }
}

/// SPEC §6: "An empty Bcc is allowed; any other address field needs a mailbox", in the text
/// form (empty, white space, caller folds, only commas) and through `format_mailboxes`.
#[test]
fn empty_bcc_and_empty_to() {
    let o = Options::default();
    let mut buf = [0u8; 64];
    for v in ["", " ", "\t", "\r\n ", " , ,"] {
        for n in ["Bcc", "Resent-Bcc", "bcc"] {
            assert_eq!(text(fmt_auto(n, v)), line(n, ""), "{n}: {v:?}");
        }
        for n in [
            "To",
            "Cc",
            "From",
            "Reply-To",
            "Sender",
            "Resent-To",
            "Resent-Cc",
            "Resent-From",
            "Resent-Sender",
            "Mail-Followup-To",
        ] {
            assert!(
                matches!(fmt_auto(n, v), Err(Error::InvalidAddress { .. })),
                "{n}: {v:?}"
            );
        }
    }
    let n = format_mailboxes("Bcc", &[], &o, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"Bcc: \r\n");
    assert!(matches!(
        format_mailboxes("To", &[], &o, &mut buf),
        Err(Error::InvalidAddress { .. })
    ));
    // A group with no members is a valid address for every address field.
    assert_eq!(
        text(fmt_auto("To", "undisclosed-recipients:;")),
        line("To", "undisclosed-recipients:;")
    );
}

// ---- 5. The rest -----------------------------------------------------------------------------

/// README: `make_msg_id` "refuses a domain so long that the id would not fit on a
/// `Message-ID:` line (`LineTooLong`): its output is always ready for `format_header`"; SPEC
/// §5: the domain must be a dot-atom (`NonAscii`/`InvalidMsgId` otherwise).
#[test]
fn make_msg_id_output_is_always_ready_for_format_header() {
    let mut id = [0u8; 2048];
    let mut out = [0u8; 2048];
    let o = Options::default();
    // `Message-ID: <` + 32 hex + `@` + domain + `>` fits in 998 up to a domain of 951.
    for len in (900..=1000).chain([1, 63, 255]) {
        let domain = "d".repeat(len);
        match make_msg_id(&[7; 16], &domain, &mut id) {
            Ok(n) => {
                let s = std::str::from_utf8(&id[..n]).unwrap();
                let m = format_header("Message-ID", s, &o, &mut out)
                    .unwrap_or_else(|e| panic!("domain of {len}: {e:?}"));
                assert_eq!(&out[..m], format!("Message-ID: {s}\r\n").as_bytes());
            }
            Err(e) => {
                assert_eq!(e, Error::LineTooLong, "domain of {len}");
                assert!(len > 951, "a domain of {len} fits");
            }
        }
    }
    for (d, want) in [
        ("example.com.", Error::InvalidMsgId { at: 11 }),
        (".example.com", Error::InvalidMsgId { at: 0 }),
        ("a..b", Error::InvalidMsgId { at: 2 }),
        ("a b", Error::InvalidMsgId { at: 1 }),
        ("", Error::InvalidMsgId { at: 0 }),
        ("exämple.com", Error::NonAscii { at: 2 }),
    ] {
        assert_eq!(make_msg_id(&[0; 16], d, &mut id), Err(want), "{d:?}");
    }
}

/// SPEC §1.1: `Error` implements `Display` and `core::error::Error`; each variant reads
/// differently, and the offset is part of the message.
#[test]
fn errors_display_distinct_messages() {
    let all = [
        Error::BufferTooSmall { needed: 7 },
        Error::InvalidName,
        Error::ControlCharacter { at: 3 },
        Error::NonAscii { at: 3 },
        Error::InvalidMsgId { at: 3 },
        Error::InvalidAddress { at: 3 },
        Error::LineTooLong,
        Error::InvalidOption,
        Error::InvalidDate,
        Error::InvalidParameter { at: 3 },
    ];
    let msgs: Vec<String> = all.iter().map(|e| e.to_string()).collect();
    for (i, m) in msgs.iter().enumerate() {
        assert!(!m.is_empty());
        assert!(msgs[..i].iter().all(|o| o != m), "{m:?} twice");
        let dyn_err: &dyn core::error::Error = &all[i];
        assert_eq!(dyn_err.to_string(), *m);
    }
    for (e, with) in [
        (Error::ControlCharacter { at: 12345 }, "12345"),
        (Error::BufferTooSmall { needed: 4242 }, "4242"),
    ] {
        assert!(e.to_string().contains(with), "{e}");
    }
}

/// README: "every `at` points at the first byte that made the value invalid"; SPEC §4: List-Id
/// holds one `<list-id>`. In `<a.b> <c.d>` the value is valid up to the second `<` (at 6:
/// `<a.b>` and the white space after it are a complete List-Id), but mailfold reads
/// `<a.b> ` as the phrase and reports `InvalidAddress { at: 0 }`, pointing before the valid
/// list-id (`x <a.b> <c.d>` gives `at: 2`).
#[test]
fn list_id_second_list_id_is_reported_where_it_starts() {
    for (value, at) in [("<a.b> <c.d>", 6), ("<a.b><c.d>", 5), ("x <a.b> <c.d>", 8)] {
        match fmt_auto("List-Id", value) {
            Err(Error::InvalidMsgId { at: got } | Error::InvalidAddress { at: got }) => {
                assert_eq!(got, at, "{value:?}")
            }
            other => panic!("{value:?}: {other:?}"),
        }
    }
}

/// RFC 5322 §3.3: `zone = (FWS ( "+" / "-" ) 4DIGIT)`, "the first two digits indicating the
/// number of hours difference from Universal Time, and the last two digits indicating the
/// number of additional minutes"; a zone of 24 hours or more is no time-zone offset (and
/// `format_date`, SPEC §8, writes only -2359..=+2359). `Date: Thu, 01 Jan 1970 00:00:00 +2400`
/// was accepted, and CPython's `email` (policy default) cannot read it: `datetime` is `None`,
/// with `InvalidDateDefect('Invalid date value or format')` (the same for -2400 and +9959;
/// +2359 reads fine). Minutes of 60 and more were already refused.
#[test]
fn date_zones_of_24_hours_or_more_are_invalid() {
    for zone in ["+2400", "-2400", "+2459", "+9959", "-9900", "+3000"] {
        for name in ["Date", "Resent-Date"] {
            let v = format!("Thu, 01 Jan 1970 00:00:00 {zone}");
            assert_eq!(fmt_auto(name, &v), Err(Error::InvalidDate), "{name}: {v}");
        }
    }
    for zone in [
        "+2359", "-2359", "+0000", "-0000", "+1400", "-1200", "+0545", "-0330",
    ] {
        let v = format!("Thu, 01 Jan 1970 00:00:00 {zone}");
        assert_eq!(text(fmt_auto("Date", &v)), line("Date", &v));
    }
}

/// RFC 5322 §3.3: `date-time = [ day-of-week "," ] date time [CFWS]`, and
/// `CFWS = (1*([FWS] comment) [FWS]) / FWS`: any number of comments may follow the zone
/// (README: "A trailing comment such as `(UTC)` is kept"). `Thu, 01 Jan 1970 00:00:00 +0000
/// (UTC) (Coordinated Universal Time)` was refused with `InvalidDate` while one comment was
/// accepted. Nested comments and quoted-pairs are ccontent too.
#[test]
fn date_trailing_comments_are_cfws() {
    for tail in [
        "(UTC) (Coordinated Universal Time)",
        "(a)(b)",
        "(a)\r\n (b)\t(c)",
        "(outer (inner) text)",
        "(with \\) quoted pair)",
    ] {
        let v = format!("Thu, 01 Jan 1970 00:00:00 +0000 {tail}");
        let out = fmt_auto("Date", &v).unwrap_or_else(|e| panic!("{v:?}: {e:?}"));
        let o = Options::default();
        check_structure(&out, "Date", Kind::Ascii, &o).unwrap();
        let un = String::from_utf8(unfold_value(&out, "Date", &o).unwrap()).unwrap();
        assert_eq!(un.trim(), v.replace("\r\n", ""));
    }
    for tail in ["(a) x", "(a", "(a))", "(a) (b", "x (a)"] {
        let v = format!("Thu, 01 Jan 1970 00:00:00 +0000 {tail}");
        assert_eq!(fmt_auto("Date", &v), Err(Error::InvalidDate), "{v:?}");
    }
}

/// Whether each line break of `out` falls outside every quoted-string (`"` not inside a
/// comment, `\` escaping the next character in both).
fn breaks_outside_quotes(out: &[u8], name: &str, opts: &Options) -> Result<(), String> {
    let lines = split_lines(out, opts)?;
    let (mut quoted, mut depth, mut escaped) = (false, 0usize, false);
    for (i, l) in lines.iter().enumerate() {
        if i > 0 && quoted {
            return Err(format!("line {i} starts inside a quoted-string"));
        }
        let l = if i == 0 { &l[name.len() + 1..] } else { l };
        for &b in l {
            if escaped {
                escaped = false;
            } else if b == b'\\' && (quoted || depth > 0) {
                escaped = true;
            } else if quoted {
                quoted = b != b'"';
            } else if b == b'(' {
                depth += 1;
            } else if b == b')' && depth > 0 {
                depth -= 1;
            } else if b == b'"' && depth == 0 {
                quoted = true;
            }
        }
    }
    Ok(())
}

/// SPEC §3: "structured fields fold wherever RFC 5322 allows CFWS ..., never inside a
/// quoted-string". ASCII structured fields folded at any white space, also inside one:
/// `Authentication-Results: mx.example.com; dkim=fail reason="signature verification failed
/// for this message" header.d=example.com` at a 40-column limit came out as
/// `... reason="signature\r\n verification failed for this message"\r\n ...` (RFC 8601 values
/// are tokens or quoted-strings). Comments may still fold (FWS is ccontent), and a quote
/// inside a comment or escaped with `\` opens or closes nothing.
#[test]
fn ascii_structured_fields_never_fold_inside_a_quoted_string() {
    let values = [
        "mx.example.com; dkim=fail reason=\"signature verification failed for this message\" header.d=example.com",
        "mx.example.com; spf=pass smtp.mailfrom=a@b.org reason=\"a \\\"quoted\\\" word and more words\" x=y",
        "from a (he said \"hi there and more) by b with \"quoted text with spaces\" id x",
        "a \"b c\" \"d e f g h i j k l m n o p\" \"q\" r s t u v w x y z \"1 2 3 4 5 6 7 8 9\" end",
        "\"starts quoted with spaces inside it\" and then \"ends quoted with spaces\"",
        "x; reason=\"folded\r\n by the caller inside the quotes\" y=z",
        // `\ ` quotes the space: the `"` after it closes. The fuzz target found it read as
        // escaped, gluing everything up to the next `"` onto one line.
        "p=\"a \\ \" w w w w w w w w w w w w w w w w w w w w w w w w w w w \"z",
    ];
    for name in [
        "Authentication-Results",
        "Received",
        "ARC-Authentication-Results",
        "X-T",
    ] {
        let class = if name == "X-T" {
            FieldClass::AsciiStructured
        } else {
            FieldClass::Auto
        };
        for w in [40, 50, 60, 78] {
            for utf8 in [false, true] {
                let o = Options::default().with_max_line_len(w).with_utf8(utf8);
                for v in values {
                    let out = fmt(name, class, v, &o).unwrap();
                    let shown = String::from_utf8_lossy(&out).to_string();
                    breaks_outside_quotes(&out, name, &o)
                        .unwrap_or_else(|e| panic!("{name} limit {w}: {e}: {shown}"));
                    let un = unfold_value(&out, name, &o).unwrap();
                    assert_eq!(
                        String::from_utf8(un).unwrap().trim(),
                        v.replace("\r\n", ""),
                        "{name} limit {w}"
                    );
                    // Still a fold wherever one is allowed: a line over the limit holds no
                    // white space outside quoted-strings (one unbreakable token).
                    for l in lines_of(&out) {
                        if l.len() > w {
                            let s = String::from_utf8(l).unwrap();
                            let body = s.strip_prefix(&format!("{name}:")).unwrap_or(&s);
                            let mut q = false;
                            let outside: String = body
                                .trim()
                                .chars()
                                .filter(|&c| {
                                    if c == '"' {
                                        q = !q;
                                    }
                                    !q && c != '"'
                                })
                                .collect();
                            assert!(!outside.contains(' '), "{name} limit {w}: {s:?} could fold");
                        }
                    }
                }
            }
        }
    }
    // A quoted-string no line of 998 octets can hold: folding inside it (RFC 5322 allows FWS
    // in a quoted-string) beats refusing the field; every line still within 998.
    // Once a quoted-string is that long, it folds at its white space to its end like any
    // text: the fuzz target found its last 998 octets glued onto one 996-column line (the
    // words after the first fold were taken as a new quoted-string short enough to keep whole).
    for long in [
        format!("x; reason=\"{}\"", "word ".repeat(250).trim_end()),
        format!(
            "x; reason=\"{}\" y=z a=\"b c\"",
            "wd\t".repeat(400).trim_end()
        ),
    ] {
        let out = fmt_auto("Authentication-Results", &long).unwrap();
        for l in lines_of(&out) {
            assert!(l.len() <= 998);
            let body = String::from_utf8(l).unwrap();
            let body = body
                .strip_prefix("Authentication-Results:")
                .unwrap_or(&body);
            assert!(
                body.len() <= 78 || !body.trim().contains([' ', '\t']),
                "{body:?} could fold"
            );
        }
        let un = unfold_value(&out, "Authentication-Results", &Options::default()).unwrap();
        assert_eq!(String::from_utf8(un).unwrap().trim(), long);
    }
}

/// RFC 5322 §3.6.4: `id-right = dot-atom-text / no-fold-literal`, `no-fold-literal = "["
/// *dtext "]"`, `dtext = %d33-90 / %d94-126`: `>` (62) is dtext, so `<c@[d>]>` is one valid
/// msg-id (CPython's `parse_message_id` reads it with no defect), but mailfold refuses it
/// with `InvalidMsgId { at: 5 }` (address fields accept `a@[d>]`). SPEC §5: "id-right a
/// dot-atom-text or `[dtext]` literal".
#[test]
fn msg_id_domain_literal_may_hold_a_closing_angle_bracket() {
    assert_eq!(
        text(fmt_auto("Message-ID", "<c@[d>]>")),
        line("Message-ID", "<c@[d>]>")
    );
    assert_eq!(
        text(fmt_auto("References", "<a@b> <c@[1>2]>")),
        line("References", "<a@b> <c@[1>2]>")
    );
    // In a list long enough for the vector scan too, at every place in it: the ids come back
    // as given, one space apart once unfolded.
    for k in 0..40 {
        let ids: Vec<String> = (0..40)
            .map(|i| {
                if i == k {
                    format!("<id{i}@[10.0.{i}>]>")
                } else {
                    format!("<id{i}.part@host{i}.example.org>")
                }
            })
            .collect();
        let value = ids.join(" ");
        let out = text(fmt_auto("References", &value)).unwrap();
        let unfolded = out
            .strip_prefix("References: ")
            .unwrap()
            .trim_end_matches("\r\n")
            .replace("\r\n ", " ");
        assert_eq!(unfolded, value, "{out}");
    }
}

/// RFC 5322 §3.6.7: `path = angle-addr / ([CFWS] "<" [CFWS] ">" [CFWS])`: white space (and
/// a caller's fold) inside the null path is valid, and CPython reads `Return-Path: < >` with
/// no defect; mailfold refused `< >` and `<\r\n >` with `InvalidAddress { at: 1 }`.
/// Expected: `Return-Path: <>` (canonical spacing, SPEC §3).
#[test]
fn return_path_null_path_may_hold_white_space() {
    for v in ["< >", "<\r\n >", " <\t> "] {
        assert_eq!(
            text(fmt_auto("Return-Path", v)),
            line("Return-Path", "<>"),
            "{v:?}"
        );
    }
}

/// README "Empty values": written as `Name: ` and the line ending, and "after a name of 997
/// octets the space would make a 999-octet line, so there it is `Name:` alone" — in every
/// class that allows an empty value. A verbatim field (written exactly as given: nothing)
/// under a 997-octet name gave `LineTooLong`, while every other class wrote `Name:`.
#[test]
fn empty_verbatim_value_after_the_longest_name() {
    let name = "X".repeat(997);
    let o = Options::default();
    for class in [
        FieldClass::Verbatim,
        FieldClass::Unstructured,
        FieldClass::AsciiStructured,
    ] {
        assert_eq!(
            text(fmt(&name, class, "", &o)),
            Ok(format!("{name}:\r\n")),
            "{class:?}"
        );
    }
    assert_eq!(
        text(fmt("X-Sig", FieldClass::Verbatim, "", &o)),
        line("X-Sig", "")
    );
    let lf = Options::default().with_line_ending(LineEnding::Lf);
    assert_eq!(
        text(fmt(&name, FieldClass::Verbatim, "", &lf)),
        Ok(format!("{name}:\n"))
    );
    // A non-empty value does not fit after that name.
    assert_eq!(
        fmt(&name, FieldClass::Verbatim, "x", &o),
        Err(Error::LineTooLong)
    );
}
