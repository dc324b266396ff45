//! Conformance audit, round 27: folding unstructured text with runs of white space.
//!
//! An independent black-box audit found two ways the greedy fold broke SPEC §3 and §4 when a
//! value holds runs of several SP/HTAB:
//!
//! * a line went past the soft limit although another legal layout kept every line within
//!   it ("every line ≤ the soft limit wherever a fold point allows"). `Subject: a bbb…` (67
//!   `b`) ended at column 78, and the two spaces before 77 `c` could neither both start the
//!   next line (79) nor one of them end this one (79); a break before ` bbb…` lets that line
//!   end with one of them. The folder first repaired such a line once (broke it again at
//!   its last fold point); the look-ahead over runs (`fold::RunChain`) now folds before
//!   ` bbb…` in the first place, and the repair is gone;
//! * a word after a run of 998 or more white-space characters was carried in encoded-words,
//!   although a fold inside the run leaves the word on a line within 998 octets (SPEC §4:
//!   ASCII words stay as they are unless they cannot fit in 998).
//!
//! The expectations come from an exhaustive search of the legal layouts written here
//! (RFC 5322 §2.2.3: a fold is a line break before any WSP; no line may be white space alone;
//! SPEC §3: no fold right after `Name:` unless the first token cannot fit in 998), line widths,
//! and RFC 5322 unfolding, never from mailfold's output.

mod common;

use common::{
    check_within_limit_where_a_layout_is, decode_unstructured, format_field_exact, layout_exists,
    split_lines, unfold_value, Rng,
};
use mailfold::{FieldClass, LineEnding, Options};

fn options(limit: usize, lf: bool) -> Options {
    let o = Options::default().with_max_line_len(limit);
    if lf {
        o.with_line_ending(LineEnding::Lf)
    } else {
        o
    }
}

/// Formats through the exact-size buffer (and `needed - 1`), then checks what holds for every
/// unstructured field: lines end with the chosen ending, continuation lines start with WSP,
/// no line is white space alone, unfolding gives the value back. Returns the lines' widths.
fn format_and_check(name: &str, value: &str, o: &Options) -> Vec<usize> {
    let out = format_field_exact(name, FieldClass::Unstructured, value, o)
        .unwrap_or_else(|e| panic!("{name}: {value:?}: {e:?}"));
    let lines = split_lines(&out, o).unwrap_or_else(|e| panic!("{value:?}: {e}"));
    for (i, l) in lines.iter().enumerate() {
        assert!(
            l.iter().any(|&c| c != b' ' && c != b'\t'),
            "{value:?}: line {i} is white space alone: {:?}",
            String::from_utf8_lossy(&out)
        );
        if i > 0 {
            assert!(
                matches!(l[0], b' ' | b'\t'),
                "{value:?}: line {i} starts without WSP"
            );
        }
    }
    let unfolded = unfold_value(&out, name, o).unwrap();
    let decoded = decode_unstructured(&unfolded).unwrap();
    assert_eq!(
        decoded.trim_matches([' ', '\t']),
        value,
        "{value:?} does not unfold back"
    );
    lines.iter().map(|l| l.len()).collect()
}

#[test]
fn the_audit_cases_keep_every_line_within_the_soft_limit() {
    let cases: &[(&str, String, usize)] = &[
        (
            "Subject",
            format!("a {}  {}", "b".repeat(67), "c".repeat(77)),
            78,
        ),
        ("Subject", format!("a b{}c", " ".repeat(68)), 40),
        (
            "Subject",
            format!(
                "xyccy xbacxczbabxzyyzyyzxa{}axyxxxcxaxbyxyycyxacbybxybxayycazbcxbyx",
                "\t".repeat(8)
            ),
            40,
        ),
        (
            "Subject",
            format!("a{}b{}c", " ".repeat(66), " ".repeat(79)),
            78,
        ),
        // A line with no fold point of its own that must give up leading white space.
        (
            "X-Some-Longer-Header-Name",
            format!(
                "cac\tc   cbycxcaya xxcabcbzxaz   y\t\tcyxaybzyycb   {}\t\t\t{}",
                "b".repeat(37),
                "z".repeat(39)
            ),
            40,
        ),
    ];
    for (name, value, limit) in cases {
        assert!(layout_exists(name, value, *limit), "{value:?}");
        for lf in [false, true] {
            let widths = format_and_check(name, value, &options(*limit, lf));
            assert!(
                widths.iter().all(|&w| w <= *limit),
                "{name}: {value:?} at {limit}: line widths {widths:?}"
            );
        }
    }
}

/// Text as people type it: words of 1 to limit-1 letters, separated by runs of one to three
/// spaces or tabs. Whenever some legal layout keeps every line within the limit, mailfold's
/// must too. (Longer runs, whose constraints chain over several lines, are swept in
/// `tests/fold_chains.rs`.)
#[test]
fn short_white_space_runs_never_push_a_line_past_a_limit_a_layout_keeps() {
    let mut rng = Rng(0x2127_0001);
    let (mut checked, mut with_runs) = (0, 0);
    for _ in 0..6000 {
        let limit = rng.pick(&[40usize, 50, 78, 100]);
        let name = rng.pick(&["Subject", "X-Some-Longer-Header-Name", "To-Be"]);
        let mut value = String::new();
        for i in 0..rng.range(2, 14) {
            if i > 0 {
                let ws = rng.pick(&[' ', '\t']);
                for _ in 0..rng.range(1, 3) {
                    value.push(ws);
                }
            }
            let len = if rng.chance(30) {
                rng.range(1, limit - 1)
            } else {
                rng.range(1, 12)
            };
            for _ in 0..len {
                value.push(rng.pick(&['a', 'b', 'c', 'x', 'y', 'z']));
            }
        }
        let lf = rng.chance(20);
        let widths = format_and_check(name, &value, &options(limit, lf));
        if check_within_limit_where_a_layout_is(name, &value, limit, &widths) {
            checked += 1;
            // Runs of two are what can make a line end with white space (a fold inside the
            // run): make sure the sweep exercises them.
            with_runs += usize::from(value.contains("  ") || value.contains("\t\t"));
        }
    }
    assert!(
        checked > 5000,
        "only {checked} cases had a layout within the limit"
    );
    assert!(
        with_runs > 1000,
        "only {with_runs} cases had a run of white space"
    );
}

#[test]
fn a_word_after_998_or_more_white_space_characters_stays_as_it_is() {
    // `Subject: a` leaves 68 columns: up to 1,065 white-space characters, 68 of them can end
    // the first line and the rest (997) start the line of `b`.
    for run in [997usize, 998, 999, 1000, 1050, 1065] {
        for (ws, lf) in [(' ', false), ('\t', true)] {
            let value = format!("a{}b", ws.to_string().repeat(run));
            let o = options(78, lf);
            let out = format_field_exact("Subject", FieldClass::Unstructured, &value, &o).unwrap();
            let text = String::from_utf8(out.clone()).unwrap();
            assert!(!text.contains("=?"), "run {run}: encoded: {text:?}");
            let widths = format_and_check("Subject", &value, &o);
            assert!(widths.iter().all(|&w| w <= 998), "run {run}: {widths:?}");
        }
    }
    // When the first line cannot hold enough of the run within the soft limit, the word is
    // carried in encoded-words with the white space (SPEC §4), lossless, every line within
    // 76 (a line of white space past the soft limit would hold no unbreakable token).
    for run in [1066usize, 1500, 2100] {
        let value = format!("a{}b", " ".repeat(run));
        let widths = format_and_check("Subject", &value, &options(78, false));
        assert!(widths.iter().all(|&w| w <= 76), "run {run}: {widths:?}");
    }
}

#[test]
fn the_layout_search_is_right_on_small_cases() {
    // `Subject: ` is 9 columns; at 12 "a  b" needs a break between the spaces.
    assert!(layout_exists("Subject", "a  b", 12));
    assert!(layout_exists("Subject", "a bb", 11));
    // "Subject: a" alone is 10; " bbb" cannot be split, and "Subject: a bbb" is 14.
    assert!(!layout_exists("Subject", "a bbbbbbbbbbbb", 12));
    // "a " ends line 1 at 11, and the other five spaces start " b": two breaks in one run
    // would leave a line of white space alone, which is never a way out.
    assert!(layout_exists("Subject", "a      b", 11));
    assert!(!layout_exists("Subject", "a      bbbbbbbbbb", 11));
    assert!(layout_exists("Subject", "a      bbbbbbbbbb", 15));
}

/// SPEC §3: `LineTooLong` only when no layout keeps every line within 998 octets. A MIME
/// parameter past the soft limit was always cut into RFC 2231 continuations, whose names
/// (`name*0=`, `name*0*=`) are longer: with a parameter name of 993-995 characters that
/// pushed the first continuation past 998, though ` name=v` alone fits.
#[test]
fn a_parameter_that_fits_998_only_whole_is_written_whole() {
    let o = Options::default();
    for (name_len, value, written) in [
        (994usize, "v", "=v".to_string()),
        (995, "v", "=v".to_string()),
        (993, "vv", "=vv".to_string()),
        (981, "é", "*=utf-8''%C3%A9".to_string()),
        (982, "é", "*=utf-8''%C3%A9".to_string()),
    ] {
        let name = "a".repeat(name_len);
        let expected_line = format!(" {name}{written}");
        assert!(expected_line.len() <= 998);
        // The text form (quoted, since the value may be non-ASCII) and the builder.
        let text = format!("text/plain; {name}=\"{value}\"");
        let from_text = format_field_exact("Content-Type", FieldClass::Mime, &text, &o)
            .unwrap_or_else(|e| panic!("{name_len}: {e:?}"));
        let built = mailfold::ContentType::new("text/plain").param(&name, value);
        let mut buf = vec![0u8; 4096];
        let n = built.format(&o, &mut buf).unwrap();
        for out in [&from_text[..], &buf[..n]] {
            let lines = split_lines(out, &o).unwrap();
            assert!(lines.iter().all(|l| l.len() <= 998), "{name_len}");
            assert_eq!(lines[1], expected_line.as_bytes(), "{name_len}");
        }
    }
    // One octet more and nothing fits.
    let text = format!("text/plain; {}=v", "a".repeat(996));
    assert_eq!(
        mailfold::format_field(
            "Content-Type",
            FieldClass::Mime,
            &text,
            &o,
            &mut [0u8; 4096]
        ),
        Err(mailfold::Error::LineTooLong)
    );
}

/// A verbatim value that starts with a fold needs no space after the colon: after a
/// 997-octet name, `Name:` is a 998-octet line and the value's fold starts the next, where
/// `Name: ` would be 999 (as an empty value after such a name is written `Name:` alone).
#[test]
fn a_verbatim_value_starting_with_a_fold_fits_after_a_997_octet_name() {
    let name = format!("X-{}", "a".repeat(995));
    for (o, eol) in [
        (Options::default(), "\r\n"),
        (Options::default().with_line_ending(LineEnding::Lf), "\n"),
    ] {
        let out = format_field_exact(&name, FieldClass::Verbatim, "\r\n v", &o).unwrap();
        assert_eq!(out, format!("{name}:{eol} v{eol}").into_bytes());
        // A value that does not start with a fold still needs the space, and cannot fit.
        let mut buf = vec![0u8; 4096];
        assert_eq!(
            mailfold::format_field(&name, FieldClass::Verbatim, "v", &o, &mut buf),
            Err(mailfold::Error::LineTooLong)
        );
    }
    // A 996-octet name keeps the space: `Name: ` is 998.
    let name = format!("X-{}", "a".repeat(994));
    let out = format_field_exact(&name, FieldClass::Verbatim, "\r\n v", &Options::default());
    assert_eq!(out.unwrap(), format!("{name}: \r\n v\r\n").into_bytes());
}
