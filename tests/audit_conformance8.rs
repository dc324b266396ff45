//! Conformance audit, round 8: behaviour that no earlier integration test pinned, found with
//! mutation testing (`cargo mutants`) over modules round 7 did not reach. Each test pins what
//! the SPEC, the README "Decisions" or the RFC text quoted next to it requires, and was seen
//! to fail on the surviving mutant it names. Expectations come from that text, never from
//! running mailfold.
//!
//! Round 8 covers the msg-id validation of `src/msgid.rs` (`literal_end`, `check_id`,
//! `check_dot_atom`) and its List-Id reader (`format_list_id`, `after_bracketed_id`).

mod common;

use common::format_exact;
use mailfold::{Error, Options};

fn fmt(name: &str, value: &str) -> Result<String, Error> {
    format_exact(name, value, &Options::default())
}

/// SPEC §5: "Anything else (white space or a second `@` inside, ...) → `InvalidMsgId` with
/// the offset"; RFC 5322 §3.6.4 `no-fold-literal = "[" *dtext "]"` has no white space, so
/// white space inside a domain literal is where the id stops being valid, whether or not a
/// `]` follows later (and the existing edge test blames the space in `<a b@c>` the same
/// way). The mutant `!is_space(c)` -> `true` in `literal_end` ran on through the white space
/// to the end of the value and reported that instead.
#[test]
fn white_space_inside_a_domain_literal_is_the_error() {
    for (v, at) in [
        ("<a@[b c>", 5),
        ("<a@[b c]>", 5),
        ("<a@[b\tc]>", 5),
        ("<a@[b <c@d>", 5),
        ("<x@y> <a@[b c>", 11),
        ("a@[b c", 4),
    ] {
        assert_eq!(
            fmt("References", v),
            Err(Error::InvalidMsgId { at }),
            "{v:?}"
        );
    }
}

/// SPEC §4: List-Id is "an optional phrase (encoded like a display name) and a `<list-id>`
/// that is never encoded"; README "Decisions": "List-Id errors in the `<list-id>` are
/// reported as `InvalidMsgId` (it has msg-id syntax)", and SPEC §5 names "unbalanced
/// brackets" and a `=?` sequence as `InvalidMsgId` "with the offset". So a `>` with no `<`
/// before it is blamed on that `>` (as `a@b>` is in a msg-id field, offset 3), a `=?` on its
/// own bytes, and text after a complete `phrase <list-id>` (a second `<list-id>` too) on its
/// first byte, not on the white space before it. Surviving mutants of `format_list_id` moved
/// each of these offsets (`end - 1` of the lone `>`, `id_start + i` of `=?`, the `<` that
/// starts the first list-id, the `at >= open` guard) or made `after_bracketed_id` report the
/// white space or none of it.
#[test]
fn list_id_errors_point_at_the_offending_bytes() {
    for (v, at) in [
        ("a.b>", 3),
        ("list a.b>", 8),
        ("<a.b> <c.d>", 6),
        ("<a.b>  <c.d>", 7),
        ("x <a.b> <c.d>", 8),
        ("x <a.b>\r\n <c.d>", 10),
        ("   x <a.b> <c.d>", 11),
        ("  xy <a.b> <c.d>", 11),
        ("x <a.b> y", 8),
    ] {
        assert_eq!(fmt("List-Id", v), Err(Error::InvalidMsgId { at }), "{v:?}");
    }
    // What is left is a List-Id, written with one space before the `<list-id>` (SPEC §3:
    // canonical spacing).
    for (v, want) in [
        ("<a.b>", "<a.b>"),
        ("  x   <a.b>  ", "x <a.b>"),
        ("a.b", "<a.b>"),
        ("x y <a.b.c>", "x y <a.b.c>"),
    ] {
        assert_eq!(
            fmt("List-Id", v),
            Ok(format!("List-Id: {want}\r\n")),
            "{v:?}"
        );
    }
    // Either byte of `=?` is a fair offset (as tests/edges.rs takes it for msg-ids).
    for (v, first) in [("x <a=?b.c>", 4), ("<list.a=?b>", 6), ("ab=?c.d", 2)] {
        match fmt("List-Id", v) {
            Err(Error::InvalidMsgId { at }) if at == first || at == first + 1 => {}
            other => panic!("{v:?}: {other:?}"),
        }
    }
}

/// RFC 5322 §3.6.4: `id-right = dot-atom-text / no-fold-literal`, `no-fold-literal = "["
/// *dtext "]"`; SPEC §5: "A bare `id-left@id-right` is wrapped in angle brackets. Anything
/// else (..., unbalanced brackets, ...) → `InvalidMsgId` with the offset". A bare id whose
/// literal never closes is not an id: the `]` is missing at its end, which is the offset
/// (as `<a@b` is blamed at its end in tests/edges.rs). The mutant `||` -> `&&` in `check_id`'s
/// `close <= at + 1 || b.get(close) != Some(&b']')` accepted `a@[x` and wrote `<a@[x>`.
#[test]
fn a_bare_id_with_an_unclosed_domain_literal_is_refused() {
    for (v, at) in [
        ("a@[x", 4),
        ("a@[bc", 5),
        ("a@[1.2.3.4", 10),
        ("<x@y> a@[b", 10),
        ("a@[b <x@y>", 4),
    ] {
        assert_eq!(
            fmt("References", v),
            Err(Error::InvalidMsgId { at }),
            "{v:?}"
        );
    }
    for v in ["a@[x", "ab@[1.2.3.4"] {
        assert!(
            matches!(fmt("Message-ID", v), Err(Error::InvalidMsgId { .. })),
            "{v:?}"
        );
    }
    // The closed ones are ids, bracketed (SPEC §5).
    assert_eq!(
        fmt("References", "a@[x]"),
        Ok("References: <a@[x]>\r\n".into())
    );
    assert_eq!(
        fmt("References", "ab@[1.2.3.4] <c@d>"),
        Ok("References: <ab@[1.2.3.4]> <c@d>\r\n".into())
    );
}

/// RFC 5322 §3.6.4 / §3.4.1: `dtext = %d33-90 / %d94-126` (no `[`, `]` or `\`) for every
/// byte of the literal, the first one too, whatever the length of id-left. The mutant
/// `at + 2` -> `at * 2` in `check_id` started the dtext check past the first bytes of the
/// literal when id-left has more than two characters, and accepted `<ab@[\x]>`.
#[test]
fn every_byte_of_a_domain_literal_is_dtext() {
    for left in ["a", "ab", "abc", "abcdefgh"] {
        for (lit, bad) in [("\\x", 0), ("[x", 0), ("x\\", 1), ("xy\\z", 2), ("\\", 0)] {
            let v = format!("<{left}@[{lit}]>");
            let at = 1 + left.len() + 2 + bad;
            assert_eq!(
                fmt("References", &v),
                Err(Error::InvalidMsgId { at }),
                "{v:?}"
            );
        }
        for lit in ["", "x", "1.2.3.4", "IPv6:2001:db8::1", "a<b>c"] {
            let v = format!("<{left}@[{lit}]>");
            assert_eq!(
                fmt("References", &v),
                Ok(format!("References: {v}\r\n")),
                "{v:?}"
            );
        }
    }
}

/// With `utf8`, RFC 6532 §3.2 extends `dtext` (and `atext`) with `UTF8-non-ascii`, so a
/// domain literal may hold whole non-ASCII characters, and every byte after one is still
/// checked: `\` stays outside dtext. SPEC §3: U+0085, U+2028 and U+2029 "where nothing may be
/// encoded (msg-ids, ...) → `ControlCharacter`, with utf8 on too"; with utf8 off non-ASCII is
/// `InvalidMsgId` (§5) or `NonAscii` (§3), at the character. The mutants `+=` -> `-=` and
/// `+=` -> `*=` after `check_non_ascii` in `check_id` stepped back into the id (refusing
/// `<a@[é]>`) or past the bytes after the character (accepting `<a@[é\x]>`).
#[test]
fn non_ascii_in_a_domain_literal_is_stepped_over_whole() {
    let u = Options::default().with_utf8(true);
    for v in [
        "<a@[é]>",
        "<a@[xé]>",
        "<ab@[éé.ü]>",
        "<abc@[日本]>",
        "<a@[é]> <b@[ü.x]>",
    ] {
        assert_eq!(
            format_exact("References", v, &u),
            Ok(format!("References: {v}\r\n")),
            "{v:?}"
        );
    }
    for (v, at) in [
        ("<a@[é\\x]>", 6),
        ("<a@[éx[]>", 7),
        ("<abc@[日x\\]>", 10),
        ("<a@[éé\\]>", 8),
    ] {
        assert_eq!(
            format_exact("References", v, &u),
            Err(Error::InvalidMsgId { at }),
            "{v:?}"
        );
    }
    for (v, at) in [("<a@[x\u{2028}]>", 5), ("<a@[é\u{85}]>", 6)] {
        assert_eq!(
            format_exact("References", v, &u),
            Err(Error::ControlCharacter { at }),
            "{v:?}"
        );
    }
    match fmt("References", "<a@[xé]>") {
        Err(Error::InvalidMsgId { at: 5 } | Error::NonAscii { at: 5 }) => {}
        other => panic!("{other:?}"),
    }
}
