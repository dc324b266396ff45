//! Conformance audit, round 9: behaviour that no earlier integration test pinned, found with
//! mutation testing (`cargo mutants`) over code round 8 did not reach. Each test pins what
//! the SPEC, the README "Decisions" or the RFC text quoted next to it requires, and was seen
//! to fail on the surviving mutant it names. Expectations come from that text, never from
//! running mailfold.
//!
//! Round 9 covers the msg-id reader of the general path (`src/msgid.rs`: `next_id`, `format`,
//! `write_new_id`) and the folder (`src/fold.rs`: `Folder::start`, `space`, `space_general`,
//! `write_ws_part`, `check_next`).

mod common;

use common::{format_checked, format_exact};
use mailfold::{make_msg_id, Error, FieldClass, Options};

fn fmt(name: &str, value: &str) -> Result<String, Error> {
    format_exact(name, value, &Options::default())
}

/// `X-Test: value` as an ASCII structured field (folded at its own white space).
fn x_test(value: &str, options: &Options) -> Result<Vec<u8>, Error> {
    format_checked("X-Test", FieldClass::AsciiStructured, value, options)
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

/// SPEC §3: an ASCII structured field folds "at the value's own white space" (README, field
/// classes), the break going before white space (RFC 5322 §2.2.3), no line passes 998
/// octets, a line is within the soft limit "wherever a fold point allows", and unfolding
/// gives back the value. A run of 61 spaces before a 950-octet word cannot move whole to
/// the next line (61 + 950 > 998), and a continuation line of white space alone is not
/// allowed (README), so 13 of the spaces must end the line before the fold and 48 start the
/// next (exactly 998). Keeping more than 13 makes the first line longer than it has to be
/// (past the soft limit by more than the 998 rule forces). With the soft limit at 998 the
/// second line is full, so ` c` goes to a third line. Mutants of `space_general`'s excess
/// (`w + next.bytes` with `*`, `rest = w - keep` with `+` or `/`) and of `write_ws_part`
/// (the whole run or none of it written around the fold) each change these bytes.
#[test]
fn a_white_space_run_too_long_to_move_whole_is_split_at_the_998_octet_line() {
    let b950 = "b".repeat(950);
    let w62 = "w".repeat(62);
    let sp = |n: usize| " ".repeat(n);
    let value = format!("{w62}{}{b950}", sp(61));
    assert_eq!(
        x_test(&value, &Options::default()),
        Ok(format!("X-Test: {w62}{}\r\n{}{b950}\r\n", sp(13), sp(48)).into_bytes())
    );
    let o = Options::default().with_max_line_len(998);
    let value = format!("a{}{b950} c", sp(61));
    assert_eq!(
        x_test(&value, &o),
        Ok(format!("X-Test: a{}\r\n{}{b950}\r\n c\r\n", sp(13), sp(48)).into_bytes())
    );
}

/// SPEC §3: in an ASCII structured field (folded at its own white space, README) every line
/// is within the soft limit wherever a fold point allows, and unfolding gives back the value
/// (here: no leading or trailing white space, no caller folds, so exactly the value). A fold
/// is a fold point used because the next word did not fit: so before each continuation
/// line's first word, the previous line, the white space and that word together pass the
/// soft limit. Words of 1 to 12 letters, now and then of 25 to 35, and runs of two or three
/// spaces, now and then of 20 to 40 (`Folder::space_general`, not the one-space inline
/// case), in ASCII structured and unstructured fields, at every width from 40 (the least
/// allowed) to 78, and one long run that fits: the fit test's `+` turned into `-` or `*` (in
/// the character or the octet test) and `<=` into `>` fold too late or too early. A long
/// run before a word that does not fit is split when that keeps both lines within the
/// limit (round 9 found it moved whole, leaving the next line over the limit). A line may
/// also start earlier than the next word needs when it then ends with part of the run after
/// it, which the line after it could not hold (audit 21; the look-ahead over runs).
#[test]
fn runs_of_spaces_fold_only_when_the_next_word_does_not_fit() {
    // It all fits on one line (9 + 30 + 34 = 73): no fold.
    let value = format!("a{}{}", " ".repeat(30), "x".repeat(34));
    assert_eq!(
        x_test(&value, &Options::default()),
        Ok(format!("X-Test: {value}\r\n").into_bytes())
    );
    let mut rng = common::Rng(0x9e37_79b9_7f4a_7c15);
    for soft in 40..=78 {
        let o = Options::default().with_max_line_len(soft);
        for _ in 0..20 {
            let mut value = String::new();
            for i in 0..rng.range(4, 30) {
                if i > 0 {
                    let run = if rng.chance(5) {
                        rng.range(20, 40)
                    } else {
                        rng.range(1, 3)
                    };
                    value.push_str(&" ".repeat(run));
                }
                let word = if rng.chance(10) {
                    rng.range(25, 35)
                } else {
                    rng.range(1, 12)
                };
                value.push_str(&"x".repeat(word));
            }
            let class = if rng.chance(50) {
                FieldClass::Unstructured
            } else {
                FieldClass::AsciiStructured
            };
            let out = format_checked("X-Test", class, &value, &o)
                .unwrap_or_else(|e| panic!("{value:?}: {e:?}"));
            let out = String::from_utf8(out).unwrap();
            let body = out.strip_suffix("\r\n").unwrap();
            assert_eq!(
                body.replace("\r\n", ""),
                format!("X-Test: {value}"),
                "soft {soft}: {out:?}"
            );
            let lines: Vec<&str> = body.split("\r\n").collect();
            for (i, line) in lines.iter().enumerate() {
                let rest = if i == 0 { &line[7..] } else { line };
                let word = rest.trim_start_matches(' ');
                let ws = rest.len() - word.len();
                let word = word.split(' ').next().unwrap();
                // A line may pass the limit only with one word on it, and a continuation
                // line only when no fold inside its run of spaces would keep both it and the
                // line before within the limit: moving `over` of its spaces to the end of
                // the line before needs one space left, and room there.
                let over = line.len().saturating_sub(soft);
                assert!(
                    over == 0
                        || (line.len() - rest.len() + ws + word.len() == line.len()
                            && (i == 0 || over > ws - 1 || lines[i - 1].len() + over > soft)),
                    "soft {soft}: line {i} of {out:?}"
                );
                // A fold the next word did not need is the look-ahead's (README "Where a
                // fold goes"): the line it starts must end with part of the run after it,
                // which the line after could not hold.
                if i > 0 && !line.ends_with(' ') {
                    assert!(
                        lines[i - 1].len() + ws + word.len() > soft,
                        "soft {soft}: needless fold before line {i} of {out:?}"
                    );
                }
            }
        }
    }
}

/// SPEC §3: "with utf8 on, the soft limit counts characters and 998 counts octets", and no
/// line passes 998. With the soft limit at 998, `X-Test: ` and 490 `é` (8 + 980 octets, 498
/// characters) leave room on the line for a space and 9 octets, not 10: a 9-letter word
/// stays (the line is exactly 998 octets), a 10-letter one goes to the next line although
/// the line is far under the soft limit in characters. The mutant `+` -> `*` in the octet
/// test of `Folder::space`'s one-space case (`col.bytes * 1 + next.bytes`) wrote a
/// 999-octet line.
#[test]
fn one_space_before_a_word_that_would_make_999_octets_is_a_fold() {
    let o = Options::default().with_utf8(true).with_max_line_len(998);
    let e = "é".repeat(490);
    for (word, folded) in [("abcdefghi", false), ("abcdefghij", true)] {
        let value = format!("{e} {word}");
        let want = if folded {
            format!("X-Test: {e}\r\n {word}\r\n")
        } else {
            format!("X-Test: {value}\r\n")
        };
        let got = x_test(&value, &o);
        assert!(got == Ok(want.into_bytes()), "{word}: {got:?}");
    }
}
