//! Conformance audit, round 25 (mutation testing of the AVX2 and fast paths): the mutants of
//! `src/unstructured/fast.rs`, `src/encoded_word/simd.rs`, `src/msgid/single.rs`,
//! `src/address/window.rs` and `src/scan/plain.rs` that the quick integration tests
//! (`properties`, `edges`, `injection`, `auto_per_word`, `auto_choice`) let through and that
//! change what the public API writes. Each test here names the mutants it fails on (checked by
//! applying each by hand). Every expectation comes from SPEC.md, the README's decisions or the
//! RFCs, never from running mailfold.
//!
//! The address window (`src/address/window.rs`) classifies the bytes of an element for the
//! whole-element reader; a quoted display name goes through its quote and "hard" masks
//! (controls, `\` and `=`), and whether the name is plain atoms is a test of its white space
//! at both ends (`has`). A wrong class there does not make the reader give up: it writes a
//! name other than the one the general path writes.

mod common;
use common::format_checked;

use mailfold::{Error, FieldClass, Options};

fn fmt(name: &str, value: &str) -> Result<String, Error> {
    format_checked(name, FieldClass::Auto, value, &Options::default())
        .map(|v| String::from_utf8(v).unwrap())
}

/// SPEC §6: "a display name of plain atoms stays as is; an ASCII name with specials (...)
/// becomes a quoted-string". Quotes around a name of atoms are no part of the name (RFC 5322
/// §3.2.4: the quoted-string's content is its value), so `"John Doe"` is the name `John Doe`,
/// plain atoms, written without quotes, as the README's decision on obs-phrase names and
/// audit 17 (`"a\` CRLF ` b" <x@y>` is `a b <x@y>`) write it. A name with white space at an
/// end is not plain atoms: unquoted, that space would be folding white space and the name
/// would lose it (SPEC §3, lossless), so it stays a quoted-string.
///
/// Fails on the mutants of `address::window::has` (line 157): `-> true`, `-> false`,
/// `!= -> ==`, `& -> |` and `& -> ^`.
#[test]
fn quoted_display_names_of_atoms_lose_their_quotes_and_edge_spaces_keep_them() {
    assert_eq!(
        fmt("To", "\"John Doe\" <jd@example.com>").as_deref(),
        Ok("To: John Doe <jd@example.com>\r\n")
    );
    assert_eq!(fmt("To", "\"ab\" <x@y>").as_deref(), Ok("To: ab <x@y>\r\n"));
    assert_eq!(
        fmt("Cc", "x <a@b>, \"y z\" <c@d>, e@f").as_deref(),
        Ok("Cc: x <a@b>, y z <c@d>, e@f\r\n")
    );
    for name in ["\" a\"", "\"a \"", "\" ab\"", "\"ab \""] {
        let value = format!("{name} <x@y>");
        assert_eq!(
            fmt("To", &value),
            Ok(format!("To: {name} <x@y>\r\n")),
            "{value:?}"
        );
    }
}

/// RFC 5322 §3.2.3: `=` is atext, so the names `=`, `==` and `a=b` are plain atoms and are
/// written without quotes (SPEC §6, as above). RFC 5322 §3.2.1: a quoted-pair `\b` stands for
/// `b`, so `"a\b"` is the name `ab`, plain atoms too.
///
/// A name that holds `=?` is another matter: SPEC §3 makes `=?...?=` in the input literal
/// text, and decoders read encoded-words inside quoted-strings too (CPython's
/// `_header_value_parser` decodes them there, with a defect), so the name must be encoded,
/// the way SPEC §4 encodes a word containing `=?` (SPEC §6: phrase-safe Q). For
/// `=?utf-8?q?x?=` (13 bytes, six of them `=` or `?`, each `=XX` in Q): Q is 7 + 6 * 3 = 25
/// characters of text, B is 4 * ceil(13 / 3) = 20, so B, the shorter (SPEC §4), and
/// `PT91dGYtOD9xP3g/PQ==` is the RFC 4648 base64 of those 13 bytes. For `a=?b`: Q is
/// 2 + 2 * 3 = 8, B is 8, a tie, so Q (SPEC §4).
///
/// Fails on the mutants of `address::window::is_hard` (line 107) `|| -> &&` at column 41
/// (`\` and `=` no longer hard) and `== -> !=` at column 46 (`=` no longer hard).
#[test]
fn backslash_and_equals_in_quoted_display_names() {
    let cases = [
        ("\"=\" <x@y>", "To: = <x@y>\r\n"),
        ("\"==\" <x@y>", "To: == <x@y>\r\n"),
        ("\"a=b\" <x@y>", "To: a=b <x@y>\r\n"),
        ("\"a\\b\" <x@y>", "To: ab <x@y>\r\n"),
        (
            "\"=?utf-8?q?x?=\" <x@y>",
            "To: =?utf-8?b?PT91dGYtOD9xP3g/PQ==?= <x@y>\r\n",
        ),
        ("\"a=?b\" <x@y>", "To: =?utf-8?q?a=3D=3Fb?= <x@y>\r\n"),
    ];
    for (value, want) in cases {
        assert_eq!(fmt("To", value).as_deref(), Ok(want), "{value:?}");
    }
}

/// The README's decision on where a fold goes: "greedy, at the last fold point that keeps the
/// line within the soft limit"; SPEC §3: "a line holding an encoded-word is ≤ 76". After an
/// encoded-word, plain words that do not all fit on the line are placed one by one, each on
/// the line as long as it fits.
///
/// `é` (C3 A9) is `=?utf-8?b?w6k=?=` (16 characters: B is 4 characters of text, Q `=C3=A9`
/// is 6, so B is the shorter, SPEC §4), so the first line is `Subject: ` (9) and that word,
/// 25 columns; each ` aaaa` adds 5: ten of them make 75, an eleventh would make 80 > 76.
/// The other ten go on the next line (50 columns, no encoded-word there).
///
/// Fails on `src/unstructured/fast.rs:1090:21: replace += with *= in write_words` (the
/// column after a plain word placed one by one).
#[test]
fn plain_words_after_an_encoded_word_fill_the_line_greedily() {
    let words = " aaaa".repeat(20);
    let value = format!("é{words}");
    let want = format!(
        "Subject: =?utf-8?b?w6k=?={}\r\n{}\r\n",
        " aaaa".repeat(10),
        " aaaa".repeat(10)
    );
    assert_eq!(fmt("Subject", &value), Ok(want));
}

/// The msg-id fields a process formats before the library has asked the CPU for AVX2 take a
/// path of their own (`msgid::format_fast`: `single::write_one` for one id, `single::put_two`
/// for two), which later fields never reach: the first call of a test binary is the only
/// one that gets there, and which test makes it is chance. So each case runs as the first
/// call of a child process ([`cold_start_child`]), and must give what SPEC §5 asks of every
/// call:
///
/// - `one`: the seed case, "comes out as exactly that one line".
/// - `two`, `two_fold`: "Output ids are separated by one space or a fold"; "Fold only between
///   ids, when the next id would pass the soft limit" (78, SPEC §1.1 defaults). `In-Reply-To:
///   ` is 13 columns; ids of 32 and 32 bytes with the space make 78 (no fold), of 32 and 33
///   make 79 (a fold before the second id).
/// - `paren`: a second "id" `(...>` is not a msg-id: a comment or an unbalanced bracket is
///   `InvalidMsgId` (SPEC §5).
///
/// Fails on `src/msgid/single.rs:630:5: replace write_one -> usize with 0` and `with 1`
/// (case `one`), `770:17: replace + with -` and `with *` (`put_two`'s length of the line
/// ending; case `two`), and `760:9: replace || with &&` (`put_two`'s check of the second
/// id's `<`; case `paren`).
#[test]
fn first_msg_id_field_of_a_process_is_formatted_as_any_other() {
    for case in ["one", "two", "two_fold", "paren"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "cold_start_child",
                "--ignored",
                "--test-threads=1",
            ])
            .env("MAILFOLD_AUDIT18_CASE", case)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "case {case}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        // The child really ran the case (and was not filtered away).
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "case {case}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// One case of [`first_msg_id_field_of_a_process_is_formatted_as_any_other`], run by it in a
/// child process: the case's field is that process's first call into mailfold.
#[test]
#[ignore = "run in a child process by first_msg_id_field_of_a_process_is_formatted_as_any_other"]
fn cold_start_child() {
    let Some(case) = std::env::var_os("MAILFOLD_AUDIT18_CASE") else {
        return;
    };
    let seed = "<154810422972.4.16142961424846318784@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>";
    // `<`, 25 or 26 letters, `@b.cd`, `>`: 32 and 33 bytes.
    let id32 = format!("<{}@b.cd>", "a".repeat(25));
    let id33 = format!("<{}@b.cd>", "a".repeat(26));
    match case.to_str().unwrap() {
        "one" => assert_eq!(
            fmt("Message-ID", seed),
            Ok(format!("Message-ID: {seed}\r\n"))
        ),
        "two" => assert_eq!(
            fmt("In-Reply-To", &format!("{id32} {id32}")),
            Ok(format!("In-Reply-To: {id32} {id32}\r\n"))
        ),
        "two_fold" => assert_eq!(
            fmt("In-Reply-To", &format!("{id32} {id33}")),
            Ok(format!("In-Reply-To: {id32}\r\n {id33}\r\n"))
        ),
        "paren" => {
            let r = fmt("In-Reply-To", &format!("{id32} ({}@b.cd>", "a".repeat(26)));
            assert!(matches!(r, Err(Error::InvalidMsgId { .. })), "{r:?}");
        }
        other => panic!("unknown case {other}"),
    }
}
