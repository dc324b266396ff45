//! Conformance audit, round 11: behaviour that no earlier integration test pinned, found with
//! mutation testing (`cargo mutants`) over code rounds 1-10 did not reach. Each test pins what
//! the SPEC, the README "Decisions", the item's own documentation or the RFC text quoted next
//! to it requires, and was seen to fail on the surviving mutant it names. Expectations come
//! from that text, never from running mailfold.
//!
//! Round 11 covers the Keywords and text-form phrase readers of `src/phrase.rs` (where an
//! element ends, quoted-pairs, caller folds inside quoted-strings) and the RFC 2231 input
//! decoder of `src/mime.rs` (the UTF-8 its `%XX` octets must form).

mod common;

use common::format_exact;
use mailfold::{Error, Options};

fn fmt(name: &str, value: &str) -> Result<String, Error> {
    format_exact(name, value, &Options::default())
}

/// SPEC §4: Keywords are "comma-separated phrases; each phrase like a display name (§6)";
/// SPEC §6: "an ASCII name with specials (`.,\"@:;<>()[]\\`) becomes a quoted-string with `\"`
/// and `\\` escaped". A comma inside a quoted-string is part of the phrase (RFC 5322 §3.2.4),
/// also after a quoted-pair `\"` there, which does not end the quoted-string; outside a
/// quoted-string a `\` is no quoted-pair (RFC 5322 §3.2.1 allows them only in quoted-strings
/// and comments), so the comma after it separates. Each element keeps its literal text:
/// `a",b` is written `"a\",b"`, and the element `a\` (not a phrase) is taken literally and
/// quoted as `"a\\"`.
#[test]
fn keywords_commas_after_quoted_pairs_and_backslashes() {
    assert_eq!(
        fmt("Keywords", "\"a\\\",b\", c").unwrap(),
        "Keywords: \"a\\\",b\", c\r\n"
    );
    assert_eq!(
        fmt("Keywords", "\"x\\\\\", y").unwrap(),
        "Keywords: \"x\\\\\", y\r\n"
    );
    assert_eq!(
        fmt("Keywords", "a\\, b").unwrap(),
        "Keywords: \"a\\\\\", b\r\n"
    );
    assert_eq!(
        fmt("Keywords", "p, \"q,r\",s").unwrap(),
        "Keywords: p, \"q,r\", s\r\n"
    );
}

/// SPEC §3: "`CRLF` or `LF` followed by SP/HTAB is a caller's fold: the break is removed, the
/// white space kept", also inside a quoted-string of a Keywords phrase; the phrase `x y`
/// left is plain atoms, written as they are (SPEC §6). Runs of white space between the words
/// of a text-form phrase are one space (RFC 5322 §3.2.5 phrase: words separated by CFWS),
/// inside a quoted-string they are literal text and are kept, quoted.
#[test]
fn keywords_caller_folds_and_white_space_in_phrases() {
    assert_eq!(
        fmt("Keywords", "\"x\r\n y\", z").unwrap(),
        "Keywords: x y, z\r\n"
    );
    assert_eq!(
        fmt("Keywords", "\"x\n\ty\", z").unwrap(),
        "Keywords: \"x\ty\", z\r\n"
    );
    assert_eq!(
        fmt("Keywords", "a  \t b, c").unwrap(),
        "Keywords: a b, c\r\n"
    );
    assert_eq!(
        fmt("Keywords", "\"a  b\", c").unwrap(),
        "Keywords: \"a  b\", c\r\n"
    );
    assert_eq!(
        fmt("Keywords", "\"a\" \"b\", c").unwrap(),
        "Keywords: a b, c\r\n"
    );
}

/// `Content-Disposition: attachment; filename*=utf-8''` then `pct`, in text form (SPEC §7:
/// "Input already in RFC 2231 form is decoded and re-encoded").
fn rfc2231_in(pct: &str) -> Result<String, Error> {
    fmt(
        "Content-Disposition",
        &format!("attachment; filename*=utf-8''{pct}"),
    )
}

/// Where `pct` starts in the value `rfc2231_in` formats.
const PCT_AT: usize = "attachment; filename*=utf-8''".len();

/// SPEC §7 decodes RFC 2231 input, whose charset here is `utf-8`: the decoded octets must be
/// well-formed UTF-8 (RFC 3629 §4, the Unicode Standard's Table 3-7), as every value is text
/// (SPEC §3 "Values are UTF-8 text"). The edges of each lead byte's second-byte range are
/// accepted and re-encoded as they came (upper-case `%XX`, README "Decisions"); just outside
/// them (overlongs, surrogates, past U+10FFFF), a lead that never starts a sequence, a lone
/// continuation byte and a sequence cut short are `InvalidParameter` at the `%` of the byte
/// that is wrong (the lead of a sequence cut short). A decoded control other than HTAB is a
/// `ControlCharacter` (SPEC §3), at its `%`.
#[test]
fn rfc2231_input_must_decode_to_well_formed_utf8() {
    for ok in [
        "%C2%80",
        "%DF%BF",
        "%E0%A0%80",
        "%E0%BF%BF",
        "%E1%80%80",
        "%EC%BF%BF",
        "%ED%80%80",
        "%ED%9F%BF",
        "%EE%80%80",
        "%EF%BF%BF",
        "%F0%90%80%80",
        "%F0%BF%BF%BF",
        "%F1%80%80%80",
        "%F3%BF%BF%BF",
        "%F4%80%80%80",
        "%F4%8F%BF%BF",
        "%09",
    ] {
        assert_eq!(
            rfc2231_in(ok),
            Ok(format!(
                "Content-Disposition: attachment; filename*=utf-8''{ok}\r\n"
            )),
            "{ok}"
        );
    }
    // RFC 2231 §7: `ext-octet` hex is upper-case, but readers take either (CPython does).
    assert_eq!(
        rfc2231_in("%c3%a9%E2%82%ac"),
        Ok("Content-Disposition: attachment; filename*=utf-8''%C3%A9%E2%82%AC\r\n".to_string())
    );
    let bad = |at: usize| Err(Error::InvalidParameter { at: PCT_AT + at });
    for (pct, want) in [
        ("%C0%80", bad(0)),
        ("%C1%BF", bad(0)),
        ("%80", bad(0)),
        ("%BF", bad(0)),
        ("%F5%80%80%80", bad(0)),
        ("%FF", bad(0)),
        ("%C2%7F", bad(3)),
        ("%C2%C0", bad(3)),
        ("%C2A", bad(3)),
        ("%E0%9F%BF", bad(3)),
        ("%E0%A0%C0", bad(6)),
        ("%E1%7F%80", bad(3)),
        ("%ED%A0%80", bad(3)),
        ("%ED%BF%BF", bad(3)),
        ("%F0%8F%BF%BF", bad(3)),
        ("%F0%90%80%7F", bad(9)),
        ("%F4%90%80%80", bad(3)),
        ("%E2%82", bad(0)),
        ("a%F0%9F%98", bad(1)),
        ("%0D", Err(Error::ControlCharacter { at: PCT_AT })),
        ("ab%00", Err(Error::ControlCharacter { at: PCT_AT + 2 })),
        ("%7F", Err(Error::ControlCharacter { at: PCT_AT })),
        ("%1F", Err(Error::ControlCharacter { at: PCT_AT })),
    ] {
        assert_eq!(rfc2231_in(pct), want, "{pct}");
    }
}
