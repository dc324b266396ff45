//! Conformance audit, round 7: behaviour that no earlier integration test pinned, found with
//! mutation testing (`cargo mutants`) over modules round 6 did not reach. Each test pins what
//! the SPEC, the module documentation or the RFC text quoted next to it requires, and was seen
//! to fail on the surviving mutant it names. Expectations come from that text (and, where
//! CPython can read the output, from CPython's `email` parser through
//! `tests/mime_differential.py`), never from running mailfold.
//!
//! Round 7 covers `src/mime.rs` (the choice between token, quoted-string and RFC 2231 forms,
//! continuation numbering, RFC 2231 input sections) and the character classes of
//! `src/chars.rs` (atext, dtext, RFC 2045 tokens, the Q-encoding safe sets), byte by byte.
//! `src/input.rs` had no surviving mutant but an equivalent one.

mod common;

use std::process::Command;

use common::{format_exact, hex, run_mime_differential};

use mailfold::{format_mailboxes, ContentDisposition, ContentType, Error, Mailbox, Options};

/// `Content-Disposition: attachment` with one `filename` parameter, through the builder.
fn cd(value: &str, options: &Options) -> String {
    let mut out = vec![0u8; 4096];
    let n = ContentDisposition::attachment()
        .param("filename", value)
        .format(options, &mut out)
        .unwrap_or_else(|e| panic!("{value:?}: {e}"));
    String::from_utf8(out[..n].to_vec()).unwrap()
}

/// `Content-Type: application/octet-stream` with one `name` parameter, through the builder.
fn ct(value: &str, options: &Options) -> String {
    let mut out = vec![0u8; 4096];
    let n = ContentType::new("application/octet-stream")
        .param("name", value)
        .format(options, &mut out)
        .unwrap_or_else(|e| panic!("{value:?}: {e}"));
    String::from_utf8(out[..n].to_vec()).unwrap()
}

/// `name: value` is written exactly as given when `valid`, else refused with an error
/// `refused` accepts.
fn written_as_given_or(
    name: &str,
    value: &str,
    valid: bool,
    o: &Options,
    refused: fn(&Error) -> bool,
) {
    let got = format_exact(name, value, o);
    if valid {
        assert_eq!(got, Ok(format!("{name}: {value}\r\n")), "{value:?}");
    } else {
        assert!(got.as_ref().is_err_and(refused), "{value:?}: {got:?}");
    }
}

/// Runs `tests/mime_differential.py` (CPython's modern and compat32 parsers: type, every
/// parameter read back exactly, no defects) over `(field name, type, params, field)` cases.
/// One case for [`cpython_reads_back`]: field name, type, parameters, formatted field.
type Case<'a> = (&'a str, &'a str, Vec<(&'a str, String)>, String);

/// `tag` names the data file (tests run in parallel).
fn cpython_reads_back(tag: &str, cases: &[Case<'_>]) {
    let mut data = String::new();
    for (i, (field_name, ty, params, field)) in cases.iter().enumerate() {
        let params: Vec<String> = params
            .iter()
            .map(|(n, v)| format!("{n}={}", hex(v)))
            .collect();
        data.push_str(&format!(
            "{i}\t{field_name}\t{ty}\t0\t{}\t{}\n",
            params.join(","),
            hex(field)
        ));
    }
    run_mime_differential(&format!("audit_conformance7_{tag}.tsv"), &data, cases.len());
}

/// SPEC §4: "U+0085, U+2028, U+2029 and C1 controls are always encoded, even with utf8 on,
/// so no line-splitting parser sees a break"; SPEC §7: with utf8 on, non-ASCII values are
/// otherwise written as a "raw UTF-8 quoted string". `src/mime.rs` carries the former in the
/// RFC 2231 form, whose RFC 2231 §7 grammar is `ext-octet := "%" 2(DIGIT / "A" / "B" / "C" /
/// "D" / "E" / "F")` (upper-case hex). Only the characters named are singled out: their
/// neighbours (U+00A0, just after the C1 block; U+2027 and U+202A around the separators;
/// U+3028, whose last two bytes equal U+2028's) stay raw. The mutants `<=` -> `<` in the C1
/// bound of `choose_form`, and those in its `p2 == 0xE2 && p1 == 0x80 && (b == 0xA8 || b ==
/// 0xA9)` test, wrote U+009F raw or U+2029 raw, or encoded a neighbour.
#[test]
fn mime_line_separators_are_always_percent_encoded_and_their_neighbours_stay_raw() {
    let u = Options::default().with_utf8(true);
    for c in ['\u{80}', '\u{85}', '\u{9f}', '\u{2028}', '\u{2029}'] {
        let v = format!("a{c}b");
        let pct: String = c.to_string().bytes().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(
            cd(&v, &u),
            format!("Content-Disposition: attachment; filename*=utf-8''a{pct}b\r\n"),
            "U+{:04X}",
            c as u32
        );
    }
    for c in ['\u{a0}', '\u{2027}', '\u{202a}', '\u{3028}', '\u{e9}'] {
        let v = format!("a{c}b");
        assert_eq!(
            cd(&v, &u),
            format!("Content-Disposition: attachment; filename=\"{v}\"\r\n"),
            "U+{:04X}",
            c as u32
        );
    }
    // CPython reads every one of them back.
    let mut cases = Vec::new();
    for c in [
        '\u{80}', '\u{85}', '\u{9f}', '\u{2028}', '\u{2029}', '\u{a0}', '\u{2027}', '\u{202a}',
        '\u{3028}',
    ] {
        let v = format!("a{c}b");
        let field = cd(&v, &u);
        cases.push((
            "Content-Disposition",
            "attachment",
            vec![("filename", v)],
            field,
        ));
    }
    cpython_reads_back("separators", &cases);
}

/// Reads the sections of parameter `name` back from a field by RFC 2231 §3 (`name*K=` plain
/// or `name*K*=` extended, `utf-8''` only on section 0), checking that they are numbered 0,
/// 1, 2, ... in order as `section := "*0" / ("*" [1-9] *DIGIT)` demands (no leading zeros),
/// and returns the value they join to. The values here hold no `;` or `"`.
fn read_sections(field: &str, name: &str) -> (String, usize) {
    let unfolded = field.replace("\r\n ", " ");
    let body = unfolded.trim_end().split_once(": ").unwrap().1;
    let mut value = Vec::new();
    let mut count = 0;
    for param in body.split(';').skip(1) {
        let param = param.trim();
        let (lhs, rhs) = param.split_once('=').unwrap();
        let rest = lhs.strip_prefix(&format!("{name}*")).unwrap();
        let (num, extended) = match rest.strip_suffix('*') {
            Some(n) => (n, true),
            None => (rest, false),
        };
        assert_eq!(num, count.to_string(), "section numbering in {field:?}");
        let rhs = if extended && count == 0 {
            rhs.strip_prefix("utf-8''").unwrap()
        } else {
            rhs
        };
        let rhs = rhs.trim_matches('"');
        if extended {
            let b = rhs.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' {
                    value.push(u8::from_str_radix(&rhs[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    value.push(b[i]);
                    i += 1;
                }
            }
        } else {
            value.extend_from_slice(rhs.as_bytes());
        }
        count += 1;
    }
    (String::from_utf8(value).unwrap(), count)
}

/// SPEC §7: a value "longer than a line (ASCII too)" is "split into `name*0*=`, `name*1*=`...
/// continuations ..., each segment whole characters, never splitting a `%XX`", and SPEC §3:
/// "every line ≤ the soft limit wherever a fold point allows". RFC 2231 §3 numbers sections
/// in decimal without leading zeros. With more than ten sections the numbers reach two
/// digits; mutants in `decimal` (`n /= 10` -> `*=`, `%` -> `/`, the `n == 0` stop) and in the
/// prefix width of a continuation in `write_param` wrote wrong numbers or overlong lines.
#[test]
fn mime_continuations_number_past_ten_and_fill_lines_within_the_limit() {
    let o = Options::default();
    let ascii: String = (0..1200)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let non_ascii: String = "Grüße-".repeat(60);
    let mut cases = Vec::new();
    for v in [ascii, non_ascii] {
        for (field, ty, name) in [
            (ct(&v, &o), "application/octet-stream", "name"),
            (cd(&v, &o), "attachment", "filename"),
        ] {
            let (back, sections) = read_sections(&field, name);
            assert_eq!(back, v);
            assert!(sections > 10, "{sections} sections: {field}");
            for line in field.trim_end().split("\r\n") {
                assert!(line.len() <= 78, "{line:?} in {field}");
            }
            let field_name = if name == "name" {
                "Content-Type"
            } else {
                "Content-Disposition"
            };
            cases.push((field_name, ty, vec![(name, v.clone())], field));
        }
    }
    cpython_reads_back("continuations", &cases);
}

/// `src/mime.rs` (module docs): "a value wrapped in `<...>` or `"..."`" goes to RFC 2231,
/// because CPython's `get_param` and `get_filename` unquote it a second time (CPython 3.11
/// reads `filename="<>"` and `filename="\"\""` as an empty name, checked below through its
/// compat32 `get_filename`). A lone `"`, `<` or `>` is wrapped in nothing: it is quoted text
/// (RFC 2045 §5.1 tspecials "MUST be in quoted-string"), and CPython reads it back. The
/// shortest wrapped values are two characters. Mutants in `choose_form`'s `len > 1 &&
/// matches!(...)` moved that edge.
#[test]
fn mime_wrapped_values_of_two_characters_use_rfc2231_and_lone_quotes_stay_quoted() {
    let o = Options::default();
    assert_eq!(
        cd("\"", &o),
        "Content-Disposition: attachment; filename=\"\\\"\"\r\n"
    );
    assert_eq!(
        cd("<", &o),
        "Content-Disposition: attachment; filename=\"<\"\r\n"
    );
    assert_eq!(
        cd(">", &o),
        "Content-Disposition: attachment; filename=\">\"\r\n"
    );
    assert_eq!(
        cd("<>", &o),
        "Content-Disposition: attachment; filename*=utf-8''%3C%3E\r\n"
    );
    assert_eq!(
        cd("\"\"", &o),
        "Content-Disposition: attachment; filename*=utf-8''%22%22\r\n"
    );
    assert_eq!(
        cd("ab", &o),
        "Content-Disposition: attachment; filename=ab\r\n"
    );
    let cases: Vec<_> = [
        "\"", "<", ">", "<>", "\"\"", "ab", "<a>", "\"a\"", "a>", "<a",
    ]
    .iter()
    .map(|v| {
        (
            "Content-Disposition",
            "attachment",
            vec![("filename", v.to_string())],
            cd(v, &o),
        )
    })
    .collect();
    cpython_reads_back("wrapped", &cases);
}

/// RFC 2231 §3: "the original parameter value is obtained by concatenating the sections in
/// order", where "Parameter continuations need not be presented in order" is implied by §4.1
/// ("and then concatenated") and SPEC §7: "Input already in RFC 2231 form is decoded and
/// re-encoded". Its grammar numbers sections `"*0"` then `"*" ("1" / ... / "9") *DIGIT`: two
/// digits are fine, a leading zero is not. Twelve sections given backwards (so `*10` and `*11`
/// come before `*2`, and a string order would put `*10` before `*2`) join in numeric order.
#[test]
fn mime_rfc2231_input_with_two_digit_sections_joins_in_numeric_order() {
    let o = Options::default();
    let letters = "abcdefghijkl";
    let mut parts: Vec<String> = letters
        .chars()
        .enumerate()
        .map(|(k, c)| format!("filename*{k}={c}"))
        .collect();
    parts.reverse();
    let value = format!("attachment; {}", parts.join("; "));
    assert_eq!(
        format_exact("Content-Disposition", &value, &o),
        Ok(format!(
            "Content-Disposition: attachment; filename={letters}\r\n"
        ))
    );
    // Extended sections likewise, `utf-8''` on section 0 only, `%XX` decoded.
    let mut parts: Vec<String> = letters
        .chars()
        .enumerate()
        .map(|(k, c)| match k {
            0 => format!("filename*0*=utf-8''%{:02X}", c as u32),
            _ => format!("filename*{k}*=%{:02X}", c as u32),
        })
        .collect();
    parts.reverse();
    let value = format!("attachment; {}", parts.join(";\r\n "));
    assert_eq!(
        format_exact("Content-Disposition", &value, &o),
        Ok(format!(
            "Content-Disposition: attachment; filename={letters}\r\n"
        ))
    );
    // A leading zero is no section number; nor is a gap in the numbers a complete value.
    for bad in [
        "attachment; filename*0=a; filename*01=b",
        "attachment; filename*00=a",
        "attachment; filename*0=a; filename*2=b",
        "attachment; filename*1=a",
    ] {
        assert!(
            matches!(
                format_exact("Content-Disposition", bad, &o),
                Err(Error::InvalidParameter { .. })
            ),
            "{bad:?}: {:?}",
            format_exact("Content-Disposition", bad, &o)
        );
    }
}

// ---------------------------------------------------------------------------------------
// Character classes (`src/chars.rs`), each printable ASCII byte checked against the RFC
// grammar typed out here, not against the library's table.
// ---------------------------------------------------------------------------------------

/// RFC 5322 §3.2.3: `atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
/// "-" / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"`.
fn is_atext(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&c)
}

/// RFC 5322 §3.6.4: `id-left = dot-atom-text`, `id-right = dot-atom-text / no-fold-literal`,
/// `no-fold-literal = "[" *dtext "]"`, `dtext = %d33-90 / %d94-126`. SPEC §5: anything else
/// is `InvalidMsgId`. Every printable byte between two letters of id-left, of a dot-atom
/// id-right and of a literal id-right: accepted (and written as given) exactly when the
/// grammar allows it. A class lost from or added to the `ATEXT` or `DTEXT` rows of the table
/// in `chars::class_of` changes one of these answers.
#[test]
fn msg_id_parts_accept_exactly_atext_and_dtext() {
    let o = Options::default();
    for c in 33u8..=126 {
        let ch = c as char;
        let cases = [
            (format!("<a{ch}b@example.com>"), is_atext(c) || c == b'.'),
            (format!("<id@a{ch}b>"), is_atext(c) || c == b'.'),
            (
                format!("<id@[a{ch}b]>"),
                (33..=90).contains(&c) || (94..=126).contains(&c),
            ),
        ];
        for (id, valid) in cases {
            written_as_given_or("Message-ID", &id, valid, &o, |e| {
                matches!(e, Error::InvalidMsgId { .. })
            });
        }
    }
}

/// RFC 2045 §5.1: `token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>`,
/// `tspecials := "(" / ")" / "<" / ">" / "@" / "," / ";" / ":" / "\" / <"> / "/" / "[" /
/// "]" / "?" / "="`; RFC 2231 §7: `attribute-char := <any (US-ASCII) CHAR except SPACE,
/// CTLs, "*", "'", "%", or tspecials>`. SPEC §7: "Values: token when possible, quoted-string
/// when it has tspecials or spaces", names are tokens, "bad characters → InvalidParameter".
/// `src/mime.rs` (module docs) also quotes values holding `*`, `'` or `%` and writes a value
/// holding `\` in RFC 2231 form. Every printable byte in a value and in a parameter name.
#[test]
fn mime_tokens_are_exactly_rfc2045_tokens() {
    let o = Options::default();
    let tspecial = |c: u8| b"()<>@,;:\\\"/[]?=".contains(&c);
    let attr_char = |c: u8| !tspecial(c) && !b"*'%".contains(&c);
    for c in 33u8..=126 {
        let ch = c as char;
        let v = format!("a{ch}b");
        let want = if attr_char(c) {
            format!("filename={v}")
        } else if c == b'\\' {
            "filename*=utf-8''a%5Cb".to_string()
        } else if c == b'"' {
            "filename=\"a\\\"b\"".to_string()
        } else {
            format!("filename=\"{v}\"")
        };
        assert_eq!(
            cd(&v, &o),
            format!("Content-Disposition: attachment; {want}\r\n"),
            "{v:?}"
        );
        // The same byte in a parameter name (text form). `=` and `;` end the name there and
        // `*` starts an RFC 2231 suffix: they are left out.
        if c == b'=' || c == b';' || c == b'*' {
            continue;
        }
        let text = format!("attachment; x{ch}y=1");
        written_as_given_or("Content-Disposition", &text, attr_char(c), &o, |e| {
            matches!(e, Error::InvalidParameter { .. })
        });
        // And in the media type.
        let text = format!("x{ch}y/plain");
        written_as_given_or("Content-Type", &text, !tspecial(c), &o, |e| {
            matches!(e, Error::InvalidParameter { .. })
        });
    }
}

/// SPEC §4: "Q writes `_` for space and encodes `=`, `?`, `_`, controls and non-ASCII" (RFC
/// 2047 §4.2 (3): other printable ASCII "MAY be represented as those characters"), and SPEC
/// §6: a non-ASCII display name's "Q form uses only the phrase-safe set (letters, digits,
/// `!*+-/=_`)" (RFC 2047 §5(3): "upper and lower case ASCII letters, decimal digits, "!",
/// "*", "+", "-", "/", "=", and "_""), `=` and `_` there being the escape and the space.
/// Escapes are `=` and two upper-case hex digits (RFC 2047 §4.2 (1)). Each printable byte
/// after a non-ASCII letter, with Q forced, in a Subject and in a display name; CPython
/// decodes both back (its `email.header.decode_header`).
#[test]
fn q_encoding_writes_literally_exactly_the_safe_sets() {
    let o = Options::default().with_encoding(mailfold::Encoding::Q);
    let phrase_safe = |c: u8| c.is_ascii_alphanumeric() || b"!*+-/".contains(&c);
    let text_safe = |c: u8| !b"=?_".contains(&c);
    let q = |c: u8, safe: bool| {
        if safe {
            (c as char).to_string()
        } else {
            format!("={c:02X}")
        }
    };
    let mut subjects = Vec::new();
    for c in 33u8..=126 {
        let ch = c as char;
        let got = format_exact("Subject", &format!("é{ch}"), &o).unwrap();
        assert_eq!(
            got,
            format!("Subject: =?utf-8?q?=C3=A9{}?=\r\n", q(c, text_safe(c))),
            "{ch:?}"
        );
        subjects.push((format!("é{ch}"), got));
        // The structured form takes the display name literally (SPEC §6).
        let name = format!("é{ch}");
        let boxes = [Mailbox {
            display_name: Some(&name),
            addr_spec: "a@example.com",
        }];
        let mut out = [0u8; 256];
        let got = format_mailboxes("To", &boxes, &o, &mut out)
            .map(|n| String::from_utf8(out[..n].to_vec()).unwrap());
        let want = format!(
            "To: =?utf-8?q?=C3=A9{}?= <a@example.com>\r\n",
            q(c, phrase_safe(c))
        );
        assert_eq!(got, Ok(want), "{ch:?}");
    }
    let script = r#"
import sys, email.header
ok = 0
for line in sys.stdin.read().split("\n")[:-1]:
    want, field = (bytes.fromhex(x).decode() for x in line.split("\t"))
    value = field.split(": ", 1)[1].rstrip("\r\n")
    got = str(email.header.make_header(email.header.decode_header(value)))
    if got == want:
        ok += 1
    else:
        print(repr(field), repr(got), repr(want))
print(ok)
"#;
    let input: String = subjects
        .iter()
        .map(|(v, f)| format!("{}\t{}\n", hex(v), hex(f)))
        .collect();
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().last(),
        Some(subjects.len().to_string().as_str()),
        "{stdout}"
    );
}

/// `src/mime.rs` (module docs) writes in RFC 2231 form the text "no quoted-string can carry
/// safely: controls (HTAB), ... `=?` (decoders would read an encoded-word), `\`". RFC 2045
/// §5.1 would allow HTAB in a quoted-string (`qtext`), but a reader unfolding it or CPython
/// decoding `=?...?=` inside quotes (SPEC §4: "decoders are lenient") would change the
/// value. `?=` and a lone `=` or `?` are harmless and stay quoted text (tspecials, RFC 2045
/// §5.1). The mutants `||` -> `&&` and `==` -> `!=` in `choose_form`'s HTAB / `\` / CTL /
/// `=?` test wrote HTAB or `=?` inside a quoted-string.
#[test]
fn mime_htab_and_encoded_word_openers_use_rfc2231() {
    let o = Options::default();
    let u = Options::default().with_utf8(true);
    for opts in [&o, &u] {
        assert_eq!(
            cd("a\tb", opts),
            "Content-Disposition: attachment; filename*=utf-8''a%09b\r\n"
        );
        assert_eq!(
            cd("a=?b", opts),
            "Content-Disposition: attachment; filename*=utf-8''a%3D%3Fb\r\n"
        );
        assert_eq!(
            cd("=?", opts),
            "Content-Disposition: attachment; filename*=utf-8''%3D%3F\r\n"
        );
        for v in ["a?=b", "a=b", "a?b", "?a=", "a= ?b"] {
            assert_eq!(
                cd(v, opts),
                format!("Content-Disposition: attachment; filename=\"{v}\"\r\n"),
                "{v:?}"
            );
        }
    }
    let cases: Vec<_> = ["a\tb", "a=?b", "=?", "a?=b", "a=b", "a= ?b"]
        .iter()
        .map(|v| {
            (
                "Content-Disposition",
                "attachment",
                vec![("filename", v.to_string())],
                cd(v, &o),
            )
        })
        .collect();
    cpython_reads_back("htab", &cases);
}
