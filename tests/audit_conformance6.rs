//! Conformance audit, round 6: behaviour that no earlier test pinned, found with mutation
//! testing (`cargo mutants`) over the library modules. Each test here pins what the SPEC, the
//! README's decisions or the RFC text quoted next to it require, and was seen to fail on the
//! surviving mutant it names. Expectations come from that text, never from running mailfold.
//!
//! Round 6 covered `src/date.rs` (Date and Resent-Date validation: day of month per month and
//! leap year, time-of-day range, day-of-week, digit counts, required white space, zone
//! minutes) and `src/structured.rs` (ASCII structured folding around quoted-strings with
//! caller folds and quoted-pairs, the 998-octet edges, verbatim values opening with a fold,
//! lines of 998 octets before a break, and the offset of a blank last line).

use mailfold::{format_field, format_header, Error, FieldClass, Options};

/// Formats `value` under `name` with the default options (CRLF, 78 columns).
fn fmt(name: &str, value: &str) -> Result<String, Error> {
    let mut out = [0u8; 512];
    let n = format_header(name, value, &Options::default(), &mut out)?;
    Ok(String::from_utf8(out[..n].to_vec()).unwrap())
}

/// A `Date` value that must be accepted: short, so it is written as given on one line.
fn date_ok(v: &str) {
    assert_eq!(fmt("Date", v), Ok(format!("Date: {v}\r\n")), "{v:?}");
    assert_eq!(
        fmt("Resent-Date", v),
        Ok(format!("Resent-Date: {v}\r\n")),
        "{v:?}"
    );
}

fn date_err(v: &str) {
    assert_eq!(fmt("Date", v), Err(Error::InvalidDate), "{v:?}");
    assert_eq!(fmt("Resent-Date", v), Err(Error::InvalidDate), "{v:?}");
}

/// RFC 5322 §3.3: "the numeric day-of-month MUST be between 1 and the number of days allowed
/// for the specified month (in the specified year)", and SPEC §2 validates Date and
/// Resent-Date "as RFC 5322 date-time". Every earlier Date test used the 1st of a month, so
/// `days_in_month` returning 1, losing its February or 30-day arms, or treating every year
/// as a leap year (`is_leap` -> true, the guard -> true) survived. Gregorian leap years:
/// 2024 and 2000 are leap years, 2026 and 1900 (a century not divisible by 400) are not.
/// The day of week is optional (`[ day-of-week "," ]`) and left out here.
#[test]
fn date_day_of_month_is_checked_against_the_month_and_year() {
    let months = [
        ("Jan", 31),
        ("Mar", 31),
        ("Apr", 30),
        ("May", 31),
        ("Jun", 30),
        ("Jul", 31),
        ("Aug", 31),
        ("Sep", 30),
        ("Oct", 31),
        ("Nov", 30),
        ("Dec", 31),
    ];
    for (mon, last) in months {
        date_ok(&format!("{last} {mon} 2026 12:00:00 +0000"));
        date_err(&format!("{} {mon} 2026 12:00:00 +0000", last + 1));
        date_err(&format!("0 {mon} 2026 12:00:00 +0000"));
    }
    for (year, leap) in [(2024, true), (2000, true), (2026, false), (1900, false)] {
        date_ok(&format!("28 Feb {year} 12:00:00 +0000"));
        if leap {
            date_ok(&format!("29 Feb {year} 12:00:00 +0000"));
        } else {
            date_err(&format!("29 Feb {year} 12:00:00 +0000"));
        }
        date_err(&format!("30 Feb {year} 12:00:00 +0000"));
    }
}

/// RFC 5322 §3.3: "the time-of-day MUST be in the range 00:00:00 through 23:59:60 (the number
/// of seconds allowing for a leap second)"; `time-of-day = hour ":" minute [ ":" second ]`
/// with `hour = 2DIGIT`, `minute = 2DIGIT`, `second = 2DIGIT`.
#[test]
fn date_time_of_day_range_and_digits() {
    for t in [
        "00:00:00", "23:59:59", "23:59:60", "23:59", "00:00", "09:05:07",
    ] {
        date_ok(&format!("29 Nov 2026 {t} +0000"));
    }
    for t in [
        "23:59:61",
        "24:00:00",
        "24:00",
        "00:60:00",
        "00:60",
        "1:00:00",
        "01:0:00",
        "01:00:0",
        "001:00",
        "01:000",
        "01:00:000",
        "01",
        "01:",
        "01:00:",
        "0100",
    ] {
        date_err(&format!("29 Nov 2026 {t} +0000"));
    }
}

/// RFC 5322 §3.3: "the day-of-week MUST be the day implied by the date". 2026-11-29 is a
/// Sunday (SPEC §8's own example, `Sun, 29 Nov 2026 01:45:15 +0000`), 2024-02-29 a Thursday,
/// 2000-02-29 a Tuesday, 1900-01-01 a Monday. RFC 5234 §2.3: ABNF quoted strings (the day
/// and month names) are case-insensitive.
#[test]
fn date_day_of_week_must_match_the_date() {
    let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    for (date, day) in [
        ("29 Nov 2026 01:45:15 +0000", 0),
        ("29 Feb 2024 12:00:00 +0000", 4),
        ("29 Feb 2000 12:00:00 +0000", 2),
        ("1 Jan 1900 00:00:00 +0000", 1),
        ("31 Dec 9999 23:59:59 +0000", 5),
    ] {
        for (i, name) in names.iter().enumerate() {
            let v = format!("{name}, {date}");
            if i == day {
                date_ok(&v);
            } else {
                date_err(&v);
            }
        }
    }
    date_ok("sun, 29 nov 2026 01:45:15 +0000");
    date_ok("SUN, 29 NOV 2026 01:45:15 +0000");
    date_ok("sUn, 29 nOv 2026 01:45:15 +0000");
    date_err("Sunday, 29 Nov 2026 01:45:15 +0000");
    date_err("Su, 29 Nov 2026 01:45:15 +0000");
    date_err("29 November 2026 01:45:15 +0000");
    date_err("29 11 2026 01:45:15 +0000");
}

/// RFC 5322 §3.3: `day = ([FWS] 1*2DIGIT FWS)`, `year = (FWS 4*DIGIT FWS)` (README: "a
/// 4-digit year of 1900 or later"), `time = time-of-day zone`, `zone = (FWS ( "+" / "-" )
/// 4DIGIT)`: the white space between the parts is required, the digit counts fixed.
#[test]
fn date_parts_need_their_white_space_and_digit_counts() {
    date_ok("1 Jan 1900 00:00:00 +0000");
    date_ok("01 Jan 1900 00:00:00 -0000");
    date_ok("29\tNov\t2026\t01:45:15\t+0000");
    date_ok("29  Nov  2026  01:45:15  +0000");
    for v in [
        "001 Jan 2000 00:00:00 +0000",
        "29Nov 2026 01:45:15 +0000",
        "29 Nov2026 01:45:15 +0000",
        "29 Nov 202601:45:15 +0000",
        "29 Nov 2026 01:45:15+0000",
        "29 Nov 2026 01:45:15 0000",
        "29 Nov 2026 01:45:15 +000",
        "29 Nov 2026 01:45:15 +00000",
        "29 Nov 2026 01:45:15 *0000",
        "29 Nov 2026 01:45:15 + 0000",
        "29 Nov 2026 01:45:15",
        "29 Nov 1899 01:45:15 +0000",
        "31 Dec 1899 23:59:59 +0000",
        "29 Nov 026 01:45:15 +0000",
        "Nov 29 2026 01:45:15 +0000",
        "Sun 29 Nov 2026 01:45:15 +0000",
        "Sun,, 29 Nov 2026 01:45:15 +0000",
        ", 29 Nov 2026 01:45:15 +0000",
    ] {
        date_err(v);
    }
    // `zone`: "the last two digits indicating the number of additional minutes" (0..=59).
    for zone in ["+0059", "-0059", "+2359", "-0001"] {
        date_ok(&format!("29 Nov 2026 01:45:15 {zone}"));
    }
    for zone in ["+0060", "-0060", "+0099", "+2360", "-1299"] {
        date_err(&format!("29 Nov 2026 01:45:15 {zone}"));
    }
}

/// README "Where a fold goes": "greedy, at the last fold point that keeps the line within
/// the soft limit"; SPEC §3: a caller's fold ("`CRLF` or `LF` followed by SP/HTAB") is "the
/// break is removed, the white space kept", and structured fields never fold inside a
/// quoted-string. A quoted-string holding a caller's fold is therefore as wide as its text
/// without the CR/LF: here it ends exactly at column 78 and must stay on the name line.
/// Counting the CR/LF as columns (mutant `||` -> `&&` in the break count of
/// `structured::format`) moved it to a line of its own.
#[test]
fn ascii_structured_quoted_string_with_a_caller_fold_keeps_its_true_width() {
    let filler = "a".repeat(60);
    for fold in ["\r\n ", "\n ", "\r\n\t"] {
        let v = format!("{filler} \"aa{fold}bb\"");
        let ws = &fold[fold.len() - 1..];
        let line = format!("Received: {filler} \"aa{ws}bb\"");
        assert_eq!(line.len(), 78);
        assert_eq!(fmt("Received", &v), Ok(format!("{line}\r\n")), "{v:?}");
    }
    // One column more and the quoted-string goes to the next line whole.
    let v = format!("{filler}a \"aa\r\n bb\"");
    assert_eq!(
        fmt("Received", &v),
        Ok(format!("Received: {filler}a\r\n \"aa bb\"\r\n"))
    );
    // SPEC §3: "With utf8 on, the soft limit counts characters": 60 `é` are 60 columns (the
    // `chars` side of the same width; mutant `-` -> `+` in `chars: w.chars - breaks`).
    let mut utf8 = Options::default();
    utf8.utf8 = true;
    for filler in ["a".repeat(60), "é".repeat(60)] {
        let v = format!("{filler} \"aa\r\n bb\"");
        let mut out = [0u8; 512];
        let n = format_header("Received", &v, &utf8, &mut out).unwrap();
        let want = format!("Received: {filler} \"aa bb\"\r\n");
        assert_eq!(std::str::from_utf8(&out[..n]), Ok(want.as_str()), "{v:?}");
    }
}

/// SPEC §3: structured fields never fold "inside a quoted-string"; README "Quoted-strings in
/// ASCII structured fields": the exception is "a quoted-string that cannot fit on a line of
/// 998 octets by itself". A quoted-string of 997 octets once its caller's fold is unfolded
/// (SPEC §3: "the break is removed, the white space kept") fits on a continuation line of
/// 998 octets with its leading space, so it must be written whole there. Counting the CR/LF
/// as octets (mutant `-` -> `+` in `bytes: w.bytes - breaks`) folded it inside.
#[test]
fn ascii_structured_quoted_string_of_997_octets_after_unfolding_is_not_split() {
    let body = "a".repeat(993);
    for fold in ["\r\n ", "\n "] {
        let v = format!("x \"{body}{fold}b\"");
        let quoted = format!("\"{body} b\"");
        assert_eq!(quoted.len(), 997);
        assert_eq!(
            fmt_big("Received", &v),
            Ok(format!("Received: x\r\n {quoted}\r\n")),
            "{fold:?}"
        );
    }
}

fn fmt_big(name: &str, value: &str) -> Result<String, Error> {
    let mut out = [0u8; 4096];
    let n = format_header(name, value, &Options::default(), &mut out)?;
    Ok(String::from_utf8(out[..n].to_vec()).unwrap())
}

/// README "Quoted-strings in ASCII structured fields": "A quoted-string that cannot fit on a
/// line of 998 octets by itself is the exception: RFC 5322 allows folding white space inside
/// it, and folding there is better than `LineTooLong`". A quoted-string of exactly 998
/// octets cannot: a continuation line starts with white space (RFC 5322 §2.2.3), which makes
/// 999. So it folds inside, every line stays within 998 (SPEC §3) and unfolding gives the
/// value back. Mutant `<` -> `<=` in `w.bytes < HARD_LINE_LIMIT` kept it whole.
#[test]
fn ascii_structured_quoted_string_of_998_octets_folds_inside() {
    let quoted = format!("\"{} b\"", "a".repeat(994));
    assert_eq!(quoted.len(), 998);
    let v = format!("x {quoted}");
    let out = fmt_big("Received", &v).unwrap();
    assert!(out.ends_with("\r\n"));
    let lines: Vec<&str> = out[..out.len() - 2].split("\r\n").collect();
    assert!(lines.len() > 1, "{out:?}");
    for l in &lines {
        assert!(l.len() <= 998, "{} octets", l.len());
    }
    assert_eq!(lines.concat(), format!("Received: {v}"));
}

/// RFC 5322 §3.2.4: `quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]`
/// with `qcontent = qtext / quoted-pair`, so `\"` inside a quoted-string is a quoted `"`,
/// not its end; SPEC §3: structured fields never fold inside a quoted-string. `"a\" b"` is
/// one quoted-string, moved whole to the next line when it does not fit, not broken after
/// `"a\"` (which fits). Mutant `||` -> `&&` in `Lexer::scan` (`\` escaping only inside a
/// quoted-string within a comment) broke it there.
#[test]
fn ascii_structured_escaped_quote_does_not_end_the_quoted_string() {
    let filler = "a".repeat(62);
    let v = format!("{filler} \"a\\\" b\"");
    assert_eq!(
        fmt("Received", &v),
        Ok(format!("Received: {filler}\r\n \"a\\\" b\"\r\n"))
    );
    // Within a comment a `"` is plain ctext and opens nothing: `(x " y)` may fold anywhere.
    let v = format!("{filler} (x \" y)");
    assert_eq!(
        fmt("Received", &v),
        Ok(format!("Received: {filler} (x \"\r\n y)\r\n"))
    );
    // RFC 5322 §3.2.2: `ccontent = ctext / quoted-pair / comment`: in `(a\) "b c")` the `\)`
    // is quoted and the comment goes on, so `"b c"` is comment text, which may fold (README
    // "Quoted-strings in ASCII structured fields": "comments may be"), and the greedy fold
    // (README "Where a fold goes") puts the break after `"b`. Mutant `>` -> `==` in
    // `self.depth > 0` (no `\` escape inside comments) closed the comment at `\)` and kept
    // `"b c"` whole as a quoted-string.
    let filler = "a".repeat(60);
    let v = format!("{filler} (a\\) \"b c\")");
    assert_eq!(
        fmt("Received", &v),
        Ok(format!("Received: {filler} (a\\) \"b\r\n c\")\r\n"))
    );
}

/// SPEC §2, verbatim: "written exactly as given: must already be ASCII ..., lines ≤ 998, any
/// line breaks already `CRLF`+WSP folds"; README: "a continuation line of only white space is
/// refused". A value that opens with a caller's fold leaves the name line as `Name: ` (not a
/// continuation line) and is valid; so is white space before that fold. Mutant `>` -> `>=` in
/// `seg_start > 0` of `format_verbatim` refused both.
#[test]
fn verbatim_value_may_open_with_a_fold() {
    let o = Options::default();
    let mut out = [0u8; 4096];
    for v in [
        "\r\n\tv=1; a=rsa-sha256",
        " \r\n b=abc",
        "\t\r\n\tb=abc\r\n c",
    ] {
        let n = format_field("DKIM-Signature", FieldClass::Verbatim, v, &o, &mut out).unwrap();
        assert_eq!(
            std::str::from_utf8(&out[..n]),
            Ok(format!("DKIM-Signature: {v}\r\n").as_str()),
            "{v:?}"
        );
    }
    // Lines of exactly 998 octets before a break are as valid as a last line of 998 (the
    // name line counts `DKIM-Signature: `, 16 octets); one more octet is `LineTooLong`.
    let first = "x".repeat(998 - 16);
    let middle = "y".repeat(997);
    let v = format!("{first}\r\n {middle}\r\n z");
    let n = format_field("DKIM-Signature", FieldClass::Verbatim, &v, &o, &mut out).unwrap();
    assert_eq!(&out[..n], format!("DKIM-Signature: {v}\r\n").as_bytes());
    for v in [
        format!("{first}x\r\n {middle}\r\n z"),
        format!("{first}\r\n {middle}y\r\n z"),
    ] {
        assert_eq!(
            format_field("DKIM-Signature", FieldClass::Verbatim, &v, &o, &mut out),
            Err(Error::LineTooLong)
        );
    }
}

/// README "Verbatim": "a continuation line of only white space is refused
/// (`ControlCharacter`)", and SPEC §1.1: "`at` is a byte offset into the caller's value as
/// given" — here the line break that opens the blank last line (its CR, or the LF of an LF
/// fold), as for every other refused break (`hi\r\nBcc: ...` is refused at the CR). A value
/// of white space alone has no continuation line and is written as given. Mutants in
/// `format_verbatim`'s last-line check: `>` -> `>=` in `seg_start > 0` refused `"  "`;
/// `==` -> `!=` in the `\n` search or the `\r` test moved the offset off the break.
#[test]
fn verbatim_blank_last_line_is_reported_at_its_break() {
    let o = Options::default();
    let mut out = [0u8; 256];
    let f =
        |v: &str, out: &mut [u8]| format_field("DKIM-Signature", FieldClass::Verbatim, v, &o, out);
    for (v, at) in [
        ("ab\n \t", 2),
        ("ab\r\n \t", 2),
        ("a\r\n b\r\n  ", 5),
        ("a\n b\n\t", 4),
    ] {
        assert_eq!(f(v, &mut out), Err(Error::ControlCharacter { at }), "{v:?}");
    }
    for v in ["  ", "\t"] {
        let n = f(v, &mut out).unwrap();
        assert_eq!(&out[..n], format!("DKIM-Signature: {v}\r\n").as_bytes());
    }
}
