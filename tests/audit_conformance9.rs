//! Conformance audit, round 9: behaviour that no earlier integration test pinned, found with
//! mutation testing (`cargo mutants`) over code round 8 did not reach. Each test pins what
//! the SPEC, the README "Decisions" or the RFC text quoted next to it requires, and was seen
//! to fail on the surviving mutant it names. Expectations come from that text, never from
//! running mailfold.
//!
//! Round 9 covers the msg-id reader of the general path (`src/msgid.rs`: `next_id`, `format`,
//! `write_new_id`) and the folder's start (`src/fold.rs`: `Folder::start`).

mod common;

use common::{format_checked, format_exact};
use mailfold::{make_msg_id, Error, FieldClass, Options};

fn fmt(name: &str, value: &str) -> Result<String, Error> {
    format_exact(name, value, &Options::default())
}

/// SPEC §5: white space inside an id, or an unbalanced bracket, is `InvalidMsgId` "with the
/// offset", and SPEC §1.1 / the README make `at` the first byte that made the value invalid.
/// In `<a@b c` nothing is wrong until the space: `<a@b` could still be closed by a `>`, but
/// no `<msg-id>` (RFC 5322 §3.6.4: `"<" id-left "@" id-right ">"`, no FWS inside) can go on
/// with a space (or a second `<`) before its `>`. The end of the value, where the missing
/// `>` would be, comes later. The mutant `||` -> `&&` in `next_id`'s bracket scan (a space
/// or a `<` ends the id only when it is both) ran on to the end of the value and blamed
/// that instead; with a `>` further on, `check_id` still found the space, so only an id
/// that is never closed tells them apart.
#[test]
fn white_space_in_an_unclosed_id_is_the_error_not_the_end() {
    for (v, at) in [
        ("<a@b c", 4),
        ("<a b", 2),
        ("<a@b\tc", 4),
        ("<a@b<c", 4),
        ("<x@y> <a@b c", 10),
        ("<x@y>\t<a b", 8),
    ] {
        assert_eq!(
            fmt("References", v),
            Err(Error::InvalidMsgId { at }),
            "{v:?}"
        );
    }
}

/// README "Decisions": "`make_msg_id` refuses a domain so long that the id would not fit on
/// a `Message-ID:` line (`LineTooLong`)", and RFC 5322 §2.1.1 caps a line at 998 characters
/// without the CRLF. `Message-ID: <` (13) + 32 hex digits + `@` + domain + `>` is 998 with a
/// domain of 951 octets: that one is made (and fits on one line), 952 is refused.
#[test]
fn make_msg_id_takes_a_domain_up_to_exactly_the_998_octet_line() {
    let mut out = [0u8; 1200];
    for (len, fits) in [(950, true), (951, true), (952, false), (953, false)] {
        let domain = "a".repeat(len);
        let got = make_msg_id(&[0x5a; 16], &domain, &mut out);
        if fits {
            let n = got.unwrap_or_else(|e| panic!("domain of {len}: {e:?}"));
            assert_eq!(n, 32 + len + 3, "domain of {len}");
            let id = std::str::from_utf8(&out[..n]).unwrap();
            let line = fmt("Message-ID", id).unwrap();
            assert_eq!(line, format!("Message-ID: {id}\r\n"), "domain of {len}");
            assert!(line.len() - 2 <= 998);
        } else {
            assert_eq!(got, Err(Error::LineTooLong), "domain of {len}");
        }
    }
}

/// SPEC §3: "no line ever exceeds 998 (`LineTooLong` otherwise)", and "the first token stays
/// on the name line unless only a fold after the colon keeps it within 998". A name of 997
/// octets makes `Name:` a line of exactly 998, so any value still fits: it goes after a fold
/// right after the colon (RFC 5322 §2.2.3, a fold is CRLF before WSP). A name of 998 makes
/// even `Name:` 999 octets, so nothing can be written. The mutant `>` -> `>=` in
/// `Folder::start`'s name check refused the 997-octet name, and `+` -> `-` there wrote a
/// 999-octet `Name:` line for the 998-octet one.
#[test]
fn a_997_octet_name_takes_a_value_after_a_fold_and_998_is_too_long() {
    let o = Options::default();
    let cases = [
        (FieldClass::Unstructured, "x"),
        (FieldClass::AsciiStructured, "x"),
        (FieldClass::MsgId, "<a@b>"),
        (FieldClass::Address, "a@b"),
    ];
    let name = "X".repeat(997);
    for (class, value) in cases {
        let got = format_checked(&name, class, value, &o);
        let want = format!("{name}:\r\n {value}\r\n").into_bytes();
        assert!(got.as_ref() == Ok(&want), "{class:?} {value:?}: {got:?}");
    }
    let name = "X".repeat(998);
    for (class, value) in cases {
        assert_eq!(
            format_checked(&name, class, value, &o),
            Err(Error::LineTooLong),
            "{class:?} {value:?}"
        );
    }
}

/// SPEC §5: "the first id stays on the name line unless only a fold after the colon keeps it
/// within 998"; SPEC §3: no line passes 998 octets (`LineTooLong` otherwise). After
/// `References: ` (12 octets) an id of up to 986 octets stays on the name line; one of 987
/// to 997 goes after a fold right after the colon (the continuation line is a space and the
/// id: at most 998); one of 998 fits nowhere. The same holds for one long word of an ASCII
/// structured field (SPEC §3: folds only at white space). Ids this long are past the msg-id
/// fast path, so this is the general path's first-token rule in `Folder::space_general`.
#[test]
fn a_first_token_folds_after_the_colon_only_when_998_needs_it() {
    let o = Options::default();
    for len in [900, 985, 986, 987, 990, 997, 998] {
        let id = format!("<{}@b>", "a".repeat(len - 4));
        assert_eq!(id.len(), len);
        let word = "w".repeat(len);
        for (class, name, value) in [
            (FieldClass::MsgId, "References", &id),
            (FieldClass::AsciiStructured, "References", &word),
        ] {
            let got = format_checked(name, class, value, &o);
            let want = if len <= 986 {
                Ok(format!("{name}: {value}\r\n").into_bytes())
            } else if len <= 997 {
                Ok(format!("{name}:\r\n {value}\r\n").into_bytes())
            } else {
                Err(Error::LineTooLong)
            };
            assert!(got == want, "{class:?} {len}: {got:?}");
        }
    }
}
