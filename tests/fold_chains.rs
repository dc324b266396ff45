//! Folding unstructured text whose runs of white space chain: SPEC §3, "every line ≤ the soft
//! limit wherever a fold point allows".
//!
//! A run of several SP/HTAB before a word that nearly fills a line can start the next line
//! only if part of it ends the line before, and that line must then end early enough to hold
//! it; when the word on that line is itself preceded by such a run, the constraint goes one
//! more line back, and so on. The one-line repair of audit 21 could not follow such chains:
//! at 2355dbc an independent search of every legal layout found 354 of 32,258 random values
//! with runs of up to 70 characters where a layout within the limit existed and mailfold's
//! had a longer line. The word before such a run is now told the latest column it may end at
//! (`unstructured::plain_cap`).
//!
//! Expectations come from the exhaustive layout search in `common::layout_exists` (RFC 5322
//! §2.2.3 folding, SPEC §3's rule for the first token), line widths and RFC 5322 unfolding,
//! never from mailfold's output.

mod common;

use common::{
    check_within_limit_where_a_layout_is, format_field_exact, layout_exists,
    layout_exists_with_long_tokens, line_within_limit_or_one_long_token, options, split_lines,
    unfold_value, width, Rng,
};
use mailfold::{Encoding, FieldClass, Options};

/// Formats `value` as a field of `class` (unstructured, or ASCII structured, which keeps
/// the value's own spacing too) through the exact-size buffer (and one byte less), checks
/// the shape every such field has (continuation lines start with WSP, none is white space
/// alone, unfolding gives the value back: the text here needs no encoded-words) and returns
/// the lines' widths as the soft limit counts them.
fn widths(name: &str, class: FieldClass, value: &str, o: &Options) -> Vec<usize> {
    let out = format_field_exact(name, class, value, o)
        .unwrap_or_else(|e| panic!("{name}: {value:?}: {e:?}"));
    let lines = split_lines(&out, o).unwrap_or_else(|e| panic!("{value:?}: {e}"));
    for (i, l) in lines.iter().enumerate() {
        assert!(
            l.iter().any(|&c| c != b' ' && c != b'\t'),
            "{value:?}: line {i} is white space alone"
        );
        assert!(
            i == 0 || matches!(l[0], b' ' | b'\t'),
            "{value:?}: line {i} starts without WSP"
        );
    }
    // `Name:` is followed by one space, then the value as given.
    let unfolded = unfold_value(&out, name, o).unwrap();
    assert_eq!(
        String::from_utf8(unfolded).unwrap().strip_prefix(' '),
        Some(value),
        "{value:?} does not unfold back"
    );
    lines.iter().map(|l| width(l, o.utf8)).collect()
}

/// A value of words drawn from `letters`, separated by runs of 1 to 70 SP/HTAB (mixed
/// within a run), with words up to a whole line long.
fn chained_value(rng: &mut Rng, letters: &[char], limit: usize) -> String {
    let mut value = String::new();
    for i in 0..rng.range(2, 12) {
        if i > 0 {
            let run = rng.pick(&[1usize, 1, 1, 2, 3, 5, 10, 20, 30, 45, 70]);
            for _ in 0..run {
                value.push(rng.pick(&[' ', ' ', '\t']));
            }
        }
        let len = if rng.chance(35) {
            rng.range(limit / 3, limit - 1)
        } else {
            rng.range(1, 12)
        };
        for _ in 0..len {
            value.push(rng.pick(letters));
        }
    }
    value
}

/// Runs `cases` random values; every one with a layout within the limit must be laid out
/// within it. Returns how many had one.
fn sweep(seed: u64, cases: usize, letters: &[char], utf8: bool, class: FieldClass) -> usize {
    let mut rng = Rng(seed);
    let mut checked = 0;
    for _ in 0..cases {
        let limit = rng.pick(&[40usize, 50, 60, 78, 100]);
        let name = rng.pick(&["Subject", "X-Some-Longer-Header-Name", "To-Be"]);
        let value = chained_value(&mut rng, letters, limit);
        let o = options(limit, rng.chance(20), utf8, Encoding::Auto);
        let widths = widths(name, class, &value, &o);
        checked += usize::from(check_within_limit_where_a_layout_is(
            name, &value, limit, &widths,
        ));
    }
    checked
}

#[test]
fn long_white_space_runs_never_push_a_line_past_a_limit_a_layout_keeps() {
    let letters = ['a', 'b', 'c', 'x', 'y', 'z'];
    let checked = sweep(0x0c4a_1201, 5000, &letters, false, FieldClass::Unstructured);
    assert!(
        checked > 2500,
        "only {checked} values had a layout within the limit"
    );
}

/// ASCII structured fields (`Received`, `List-*`, ...) keep the value's spacing too, and
/// fold at its white space: the same chains, through their own writer (audit 21's layout
/// search, run on this class, found 178 of 16,116 values past the limit there before).
#[test]
fn ascii_structured_fields_follow_the_chains_too() {
    // Comment and domain characters: white space inside a comment is a fold point too.
    let letters = ['a', 'b', 'x', 'y', '.', '-', '(', ')', ';', '='];
    let checked = sweep(
        0x0c4a_1203,
        4000,
        &letters,
        false,
        FieldClass::AsciiStructured,
    );
    assert!(
        checked > 2000,
        "only {checked} values had a layout within the limit"
    );
}

/// With utf8 on, non-ASCII words stay as they are and the soft limit counts characters: a
/// two-, three- or four-byte character is one column, so the chain is worked out in
/// characters, not octets.
#[test]
fn chains_are_counted_in_characters_with_utf8_on() {
    let letters = ['é', 'ж', 'ß', '日', '本', '😀', 'a', 'ب'];
    let checked = sweep(0x0c4a_1202, 2500, &letters, true, FieldClass::Unstructured);
    assert!(
        checked > 1200,
        "only {checked} values had a layout within the limit"
    );
}

/// Two values of the independent search at 2355dbc (its seeds 671 and 876), where two and
/// three lines in a row had to end early.
#[test]
fn the_chains_the_search_found() {
    let cases = [
        (
            "Subject",
            format!(
                "xfayabaezxyyecdyybfa     zyezyfcaza          zdzbzxexyecaxcexcexa{}azeaxycc\t\t\
                 \tdefdzdeyca     xddxfdacxx\t\t\tae y",
                " ".repeat(70)
            ),
            50,
        ),
        (
            "Subject",
            format!(
                "xabbzadeyczbyfxydycx\te{}a{}bcfxabfdbyyexeaddcyb  b          bey",
                "\t".repeat(45),
                " ".repeat(30)
            ),
            40,
        ),
    ];
    for (name, value, limit) in cases {
        assert!(layout_exists(name, &value, limit), "{value:?}");
        for lf in [false, true] {
            let o = options(limit, lf, false, Encoding::Auto);
            let widths = widths(name, FieldClass::Unstructured, &value, &o);
            assert!(
                widths.iter().all(|&w| w <= limit),
                "{value:?} at {limit}: line widths {widths:?}"
            );
        }
    }
}

/// Where no layout keeps every line within the limit, the value is still written (greedy,
/// as before the look-ahead) and every line stays within 998 octets.
#[test]
fn a_chain_no_layout_can_keep_is_still_written() {
    // The 45-character word after 40 spaces cannot fit a 40-column line in any layout.
    let value = format!("a{}{}{}b", " ".repeat(40), "c".repeat(45), " ".repeat(3));
    assert!(!layout_exists("Subject", &value, 40));
    let o = options(40, false, false, Encoding::Auto);
    let widths = widths("Subject", FieldClass::Unstructured, &value, &o);
    assert!(widths.iter().all(|&w| w <= 998), "{widths:?}");
}

/// A field that is never encoded (ASCII structured) has only folds to keep a word after a
/// long run within 998 octets: the line before must end early enough to keep most of the
/// run. `LineTooLong` is for values no layout keeps within 998 (SPEC §3); these have one
/// (at 2355dbc both were `LineTooLong`).
#[test]
fn a_never_encoded_field_folds_early_to_keep_a_long_run_within_998() {
    let name = "X-Some-Longer-Header-Name";
    let cases = [
        (
            200,
            format!(
                "{}   {}{}{}  {}",
                "a".repeat(20),
                "b".repeat(5),
                " ".repeat(997),
                "c".repeat(990),
                "d".repeat(300)
            ),
        ),
        (
            900,
            format!(
                "{} {} x{}{}{}{}",
                "a".repeat(900),
                "b".repeat(600),
                "\t".repeat(900),
                "c".repeat(100),
                " ".repeat(900),
                "d".repeat(990)
            ),
        ),
        // A chain whose soft-limit side cannot be kept (the 71 `g`s ask 17 of their 25
        // spaces of the 992-letter line, which cannot hold them within 998) still keeps what
        // 998 alone asks: 820 of the 826 spaces end the line of the 9 letters, and that
        // line starts with 169 of the 421 (a chain that dropped the 998 side here gave
        // `LineTooLong`; audit 24c's search).
        (
            79,
            format!(
                "{} {}{}{}{}{}{}{} {}",
                "h".repeat(67),
                "d".repeat(4),
                "\t".repeat(421),
                "w".repeat(9),
                "\t".repeat(826),
                "v".repeat(992),
                " ".repeat(25),
                "g".repeat(71),
                "c".repeat(29)
            ),
        ),
    ];
    for (limit, value) in cases {
        assert!(layout_exists(name, &value, 998), "{limit}");
        for lf in [false, true] {
            let o = options(limit, lf, false, Encoding::Auto);
            let widths = widths(name, FieldClass::AsciiStructured, &value, &o);
            assert!(widths.iter().all(|&w| w <= 998), "{limit}: {widths:?}");
        }
    }
}

/// Audit 23's cases.
/// * A chain longer than the first look-ahead's eight runs: 30 spaces and 49 letters (79
///   columns) twelve and twenty times at 78, each run asking one more space of the line
///   before; plain text, UTF-8 with utf8 on, and an ASCII structured field.
/// * The same against 998 in an ASCII structured field (300 spaces and 699 letters).
/// * A quoted-string after a long run in an ASCII structured field: it is one token of the
///   chain, not its end (a line of 105 columns at 60, and `LineTooLong` where lines of 998
///   exist).
/// * An ASCII word that fits in 998 after a run that a line already past the soft limit can
///   end: it stays as it is (it was carried in encoded-words).
#[test]
fn the_chains_of_audit_23() {
    for n in [12, 20] {
        for (class, name, word, utf8) in [
            (FieldClass::Unstructured, "Subject", "b", false),
            (FieldClass::Unstructured, "Subject", "é", true),
            (FieldClass::AsciiStructured, "Received", "b", false),
        ] {
            let value = format!(
                "a{}",
                format!("{}{}", " ".repeat(30), word.repeat(49)).repeat(n)
            );
            assert!(layout_exists(name, &value, 78));
            let w = widths(
                name,
                class,
                &value,
                &options(78, false, utf8, Encoding::Auto),
            );
            assert!(w.iter().all(|&w| w <= 78), "{n} {name}: {w:?}");
        }
    }
    let o = options(78, false, false, Encoding::Auto);
    let value = format!(
        "a{}",
        format!("{}{}", " ".repeat(300), "b".repeat(699)).repeat(12)
    );
    let w = widths("Received", FieldClass::AsciiStructured, &value, &o);
    assert!(w.iter().all(|&w| w <= 998), "{w:?}");

    let value = format!(
        "wwwwww  ww{}wwwwwwww{}\"zzzzzzz\"",
        " ".repeat(40),
        " ".repeat(96)
    );
    let o60 = options(60, false, false, Encoding::Auto);
    let w = widths(
        "List-Unsubscribe",
        FieldClass::AsciiStructured,
        &value,
        &o60,
    );
    assert!(w.iter().all(|&w| w <= 60), "{w:?}");
    for quoted in ["\"x y\"", "\"x  y\"", "\"xy  \""] {
        let value = format!("a{}{quoted}{}z", " ".repeat(995), " ".repeat(1000));
        let w = widths("Received", FieldClass::AsciiStructured, &value, &o);
        assert!(w.iter().all(|&w| w <= 998), "{quoted}: {w:?}");
    }

    let value = format!(
        "a{}{}{}{}",
        " ".repeat(300),
        "b".repeat(690),
        " ".repeat(300),
        "c".repeat(699)
    );
    // `widths` checks that the text unfolds back as it is: no encoded-words.
    assert_eq!(
        widths("Subject", FieldClass::Unstructured, &value, &o),
        [10, 991, 998]
    );
}

/// A word whose run would push it past 998 octets stays plain through a fold inside that run,
/// and the line before must then end early. Before the look-ahead counted 998 the chain
/// stopped at such a word and only the one-line repair of audit 21 kept this value within
/// 900 (a 998-column line without it); the chain now asks it of the line before itself, and
/// the repair is gone.
#[test]
fn a_word_only_a_split_run_keeps_plain_is_part_of_the_chain() {
    let value = format!(
        "{}{}{}{}{}",
        "a".repeat(5),
        "\t".repeat(500),
        "b".repeat(300),
        " ".repeat(900),
        "c".repeat(100)
    );
    assert!(layout_exists("Subject", &value, 900));
    let o = options(900, false, false, Encoding::Auto);
    let w = widths("Subject", FieldClass::Unstructured, &value, &o);
    assert!(w.iter().all(|&w| w <= 900), "{w:?}");
}

/// Formats an ASCII `value` as `name` of `class`, and, when some layout keeps every line
/// within 998 octets and within `limit` except lines holding one token too long for it
/// ([`layout_exists_with_long_tokens`]), checks that mailfold's lines keep that rule and that
/// the text unfolds back as it is (no encoded-words: each token fits in 998). Returns whether
/// such a layout exists.
fn check_long_tokens(name: &str, class: FieldClass, value: &str, o: &Options) -> bool {
    let limit = o.max_line_len;
    if !layout_exists_with_long_tokens(name, value, limit) {
        return false;
    }
    let out = format_field_exact(name, class, value, o)
        .unwrap_or_else(|e| panic!("{name} at {limit}: {value:?}: {e:?}"));
    let lines = split_lines(&out, o).unwrap();
    let widths: Vec<usize> = lines.iter().map(|l| l.len()).collect();
    for (i, l) in lines.iter().enumerate() {
        assert!(
            line_within_limit_or_one_long_token(l, i == 0, name.len(), limit),
            "{name} at {limit}: line {i} of {widths:?} breaks the rule, though a layout keeps \
             it: {value:?}"
        );
    }
    let unfolded = unfold_value(&out, name, o).unwrap();
    assert_eq!(
        String::from_utf8(unfolded).unwrap().strip_prefix(' '),
        Some(value),
        "{name} at {limit}: {value:?} does not unfold back (encoded?): {widths:?}"
    );
    true
}

/// Audit 24: a run before a word of 985-997 letters, which fits in 998 only after a fold
/// inside that run, asks the line before to keep the rest of the run, and that line must
/// still keep the soft limit: the chain counts both limits at once. Worked against each
/// alone, the word before such a run ended too late: an ASCII structured field got a line
/// past the soft limit, an unstructured one carried the long word in encoded-words (SPEC §4:
/// an ASCII token stays unbroken up to 998 columns). And a line already past the soft limit
/// with one long token keeps the part of a run that the next line needs to stay within it.
#[test]
fn the_chains_of_audit_24() {
    let cases = [
        // A run of 19 before 985 letters: 6 spaces stay on the line of the 12 `d`s, so that
        // line starts after a fold before them (63, 19, 998).
        (
            78,
            format!(
                "{} {}{}{}",
                "b".repeat(53),
                "d".repeat(12),
                " ".repeat(19),
                "c".repeat(985)
            ),
        ),
        // Two runs: the 997 letters ask one space of the `g` line, which asks 3 of the 29
        // (16, 41, 998); the same at 78 (52, 78, 998).
        (
            41,
            format!(
                "fff{}{}  {}",
                " ".repeat(29),
                "g".repeat(14),
                "e".repeat(997)
            ),
        ),
        (
            78,
            format!(
                "{}{}{}  {}",
                "f".repeat(30),
                " ".repeat(40),
                "g".repeat(50),
                "e".repeat(997)
            ),
        ),
        // A chain through a one-space word: the 59 `c`s must end by 77.
        (
            78,
            format!(
                "{} {}  bb {}  {}",
                "a".repeat(68),
                "a".repeat(13),
                "c".repeat(59),
                "x".repeat(997)
            ),
        ),
        // A first line past the limit (58 letters after `Name: ` at 60) keeps 14 of the 38
        // spaces, so the next line, which keeps 32 of its 34 for the 996 letters, is within 60.
        (
            60,
            format!(
                "{}{}ffff{}{}   {}  {} {}  {}",
                "a".repeat(58),
                " ".repeat(38),
                " ".repeat(34),
                "b".repeat(996),
                "c".repeat(40),
                "d".repeat(995),
                "e".repeat(6),
                "f".repeat(41)
            ),
        ),
        // The 995-letter word's own line cannot end with white space (998 octets with its
        // three leading spaces), so its run before must keep 8, not 7.
        (
            78,
            format!(
                "{} {}{}{}  {}   {}   {}",
                "a".repeat(10),
                "b".repeat(8),
                " ".repeat(10),
                "c".repeat(995),
                "d".repeat(997),
                "e".repeat(49),
                "f".repeat(64)
            ),
        ),
        // Audit 24c: the chain reaches back through a line of 998 octets. The 30 `b`s ask
        // 10 of the 20 spaces of the 980-letter line, which then starts with 8 of its 10,
        // so the first line (past 40 already with its one word) keeps 2 (52, 998, 40).
        (
            40,
            format!(
                "{}{}{}{}{}",
                "a".repeat(40),
                " ".repeat(10),
                "f".repeat(980),
                " ".repeat(20),
                "b".repeat(30)
            ),
        ),
        (
            78,
            format!(
                "x {}{}{}{}{}",
                "a".repeat(80),
                " ".repeat(10),
                "f".repeat(980),
                " ".repeat(20),
                "b".repeat(68)
            ),
        ),
    ];
    for (limit, value) in &cases {
        for (name, class) in [
            ("Received", FieldClass::AsciiStructured),
            ("Subject", FieldClass::Unstructured),
            ("X-Long-Header-Name-Abcdef", FieldClass::Unstructured),
        ] {
            for lf in [false, true] {
                let o = options(*limit, lf, false, Encoding::Auto);
                assert!(
                    check_long_tokens(name, class, value, &o),
                    "{limit}: {value:?}"
                );
            }
        }
    }
}

/// The same rule over random values with words of up to a line, or of 985 to 997 letters,
/// and runs of 1 to 40 white-space characters (audit 24's generator, which found 181 values
/// over 8,102 with such a layout that mailfold missed).
#[test]
fn long_words_after_runs_keep_the_soft_limit_where_a_layout_does() {
    let mut rng = Rng(0x0c4a_2401);
    let mut checked = 0;
    for _ in 0..3000 {
        let limit = rng.pick(&[40usize, 41, 60, 76, 77, 78, 79, 100]);
        let mut value = String::new();
        for i in 0..rng.range(2, 8) {
            if i > 0 {
                let run = if rng.chance(40) {
                    1
                } else if rng.chance(50) {
                    rng.range(2, 3)
                } else {
                    rng.range(4, 40)
                };
                for _ in 0..run {
                    value.push(rng.pick(&[' ', ' ', '\t']));
                }
            }
            let len = if rng.chance(40) {
                rng.range(1, 15)
            } else if rng.chance(50) {
                rng.range(limit - 25, limit + 3)
            } else {
                rng.range(985, 997)
            };
            let letter = rng.pick(&['a', 'b', 'c', 'x']);
            value.extend(std::iter::repeat_n(letter, len));
        }
        let (name, class) = rng.pick(&[
            ("Received", FieldClass::AsciiStructured),
            ("Subject", FieldClass::Unstructured),
            ("X-Long-Header-Name-Abcdef", FieldClass::Unstructured),
            ("X-Long-Header-Name-Abcdef", FieldClass::AsciiStructured),
        ]);
        let o = options(limit, rng.chance(20), false, Encoding::Auto);
        checked += usize::from(check_long_tokens(name, class, &value, &o));
    }
    assert!(checked > 1000, "only {checked} values had such a layout");
}

/// Formats `value` as a Subject that must carry a word in encoded-words (the README decision
/// below), checks that it does and that it decodes back (RFC 2047 §6.2), and returns the
/// lines' widths.
fn encoded_subject_widths(value: &str, o: &Options) -> Vec<usize> {
    let out = format_field_exact("Subject", FieldClass::Unstructured, value, o).unwrap();
    assert!(
        String::from_utf8_lossy(&out).contains("=?utf-8?"),
        "{value:?}"
    );
    assert_eq!(
        common::decode_unstructured(&unfold_value(&out, "Subject", o).unwrap()).unwrap(),
        format!(" {value}")
    );
    let lines = split_lines(&out, o).unwrap();
    lines.iter().map(|l| l.len()).collect()
}

/// README decision: a line within the soft limit does not pass it to hold white space that a
/// later word needs to fit in 998 octets. In unstructured text that word is carried in
/// encoded-words instead (lossless, every line within the limit); an ASCII structured field,
/// which is never encoded, keeps the white space (its line passes the limit, the word stays
/// within 998).
#[test]
fn only_a_never_encoded_field_lets_a_line_pass_the_soft_limit_for_998() {
    // `x`, 70 letters (a line of 71 after the fold), 30 spaces and 985 letters: the long
    // word fits in 998 only with 17 of the spaces left on the 70-letter line (88 columns).
    let value = format!("x {}{}{}", "a".repeat(70), " ".repeat(30), "e".repeat(985));
    let o = options(78, false, false, Encoding::Auto);
    let w = encoded_subject_widths(&value, &o);
    assert!(w.iter().all(|&w| w <= 78), "{w:?}");
    assert_eq!(
        widths("Received", FieldClass::AsciiStructured, &value, &o),
        [11, 88, 998]
    );
    // The same where the look-ahead asks it of the first line: 960 letters after 30 spaces
    // then 985 after 30 more. For the 985 to fit, the 960-letter line may start with 17
    // spaces at most, so 9 of the first 30 must end the first line (83 columns as
    // `Received`); `Subject` keeps its first line within 78 and encodes the 985 letters.
    let value = format!(
        "{}{}{}{}{}",
        "a".repeat(64),
        " ".repeat(30),
        "x".repeat(960),
        " ".repeat(30),
        "y".repeat(985)
    );
    let w = encoded_subject_widths(&value, &o);
    assert!(w[0] <= 78, "{w:?}");
    assert_eq!(
        widths("Received", FieldClass::AsciiStructured, &value, &o),
        [83, 998, 998]
    );
}

/// Audit 24c, with utf8 on: a word of 4-octet characters within the soft limit in characters
/// but near 998 octets must start a line of its own for that line to keep the 35 spaces the
/// 495-letter word after it needs to end within 500 columns (lines of 10, 276 and 500
/// characters, 996 octets the longest; it stayed on the first line, which reached 998
/// octets, and the last line had 508 columns).
#[test]
fn the_chain_counts_octets_of_a_line_within_the_soft_limit() {
    let value = format!(
        "p {}{}{}",
        "😀".repeat(240),
        " ".repeat(40),
        "b".repeat(495)
    );
    for (name, class) in [
        ("Subject", FieldClass::Unstructured),
        ("Received", FieldClass::AsciiStructured),
    ] {
        for lf in [false, true] {
            let o = options(500, lf, true, Encoding::Auto);
            let out = format_field_exact(name, class, &value, &o).unwrap();
            let lines = split_lines(&out, &o).unwrap();
            let shape: Vec<(usize, usize)> =
                lines.iter().map(|l| (width(l, true), l.len())).collect();
            let first = name.len() + 3;
            assert_eq!(shape, [(first, first), (276, 996), (500, 500)], "{name}");
        }
    }
    // The emoji word's bound is column 465 and octet 963 (the 495 letters need 35 of the 40
    // spaces kept before them). After `Subject: p `, 238 emoji end at octet 963 exactly and
    // stay; 239 end at 967 and start a line of their own.
    let o = options(500, false, true, Encoding::Auto);
    for (emoji, want) in [
        (238, vec![(284, 998), (500, 500)]),
        (239, vec![(10, 10), (275, 992), (500, 500)]),
    ] {
        let value = format!(
            "p {}{}{}",
            "😀".repeat(emoji),
            " ".repeat(40),
            "b".repeat(495)
        );
        let out = format_field_exact("Subject", FieldClass::Unstructured, &value, &o).unwrap();
        let lines = split_lines(&out, &o).unwrap();
        let shape: Vec<(usize, usize)> = lines.iter().map(|l| (width(l, true), l.len())).collect();
        assert_eq!(shape, want, "{emoji} emoji");
    }
}

/// Audit 24c: where a line must pass the soft limit holding the white space that 998 asks
/// for (a field that is never encoded), it holds one word: the 50 `c`s go to a line of
/// their own with the 32 spaces that the 990 letters need (22, 83, 998), instead of the
/// first line passing it with three words (105, 998). `Subject` encodes the 990 letters
/// instead (README decision), every line within 78.
#[test]
fn a_line_past_the_soft_limit_for_998_holds_one_word() {
    let value = format!(
        "x {} {}{}{}",
        "b".repeat(10),
        "c".repeat(50),
        " ".repeat(40),
        "h".repeat(990)
    );
    for lf in [false, true] {
        let o = options(78, lf, false, Encoding::Auto);
        assert_eq!(
            widths("Received", FieldClass::AsciiStructured, &value, &o),
            [22, 83, 998]
        );
        let w = encoded_subject_widths(&value, &o);
        assert!(w.iter().all(|&w| w <= 78), "{w:?}");
    }
    // At the boundary: 23 `c`s end at column 46, and the 32 spaces after them end the first
    // line at 78; 24 would end it at 79, so they start a line of their own (1 + 24 + 32).
    for (c, want) in [(23, vec![78, 998]), (24, vec![22, 57, 998])] {
        let value = format!(
            "x {} {}{}{}",
            "b".repeat(10),
            "c".repeat(c),
            " ".repeat(40),
            "h".repeat(990)
        );
        let o = options(78, false, false, Encoding::Auto);
        assert_eq!(
            widths("Received", FieldClass::AsciiStructured, &value, &o),
            want,
            "{c}"
        );
    }
}

/// The line widths of every layout of `Name: ` + `a` letters, `r` spaces and `b` letters that
/// keeps all its lines within 998 octets (folds: right after `Name:`, before any of the
/// spaces), each with whether it folds after the colon.
fn layouts_of_two_words(name: &str, a: usize, r: usize, b: usize) -> Vec<(bool, Vec<usize>)> {
    let mut found = Vec::new();
    for after_colon in [false, true] {
        let lead = if after_colon { 1 } else { name.len() + 2 };
        // `kept`: spaces that end the first word's line (`None`: no fold inside the run).
        for kept in (0..r).map(Some).chain([None]) {
            let mut lines = if after_colon {
                vec![name.len() + 1]
            } else {
                vec![]
            };
            match kept {
                Some(k) => lines.extend([lead + a + k, r - k + b]),
                None => lines.push(lead + a + r + b),
            }
            if lines.iter().all(|&w| w <= 998) {
                found.push((after_colon, lines));
            }
        }
    }
    found
}

/// Audit 24c, B1: a first word that fits on the name line, but whose line must then end
/// with part of the run after it for the next word to stay within 998, and has no room for
/// it there. A fold right after `Name:` is the only layout within 998 (SPEC §3: `LineTooLong`
/// only where no line can stay within 998; SPEC §4: an ASCII token that fits in 998 stays as
/// it is): `Received` gave `LineTooLong` and `Subject` carried the 997 letters in
/// encoded-words. The fold after the colon is still used only where no other layout exists.
#[test]
fn a_fold_after_the_colon_keeps_a_long_run_within_998() {
    let mut used = 0;
    for (name, class) in [
        ("Received", FieldClass::AsciiStructured),
        ("Subject", FieldClass::Unstructured),
    ] {
        for a in [975, 980, 985, 986, 987, 988, 989, 990, 995] {
            for r in [2, 3, 5, 9, 20] {
                for b in [5, 980, 988, 990, 996, 997] {
                    let value = format!("{}{}{}", "x".repeat(a), " ".repeat(r), "y".repeat(b));
                    let layouts = layouts_of_two_words(name, a, r, b);
                    let o = options(78, false, false, Encoding::Auto);
                    let got = format_field_exact(name, class, &value, &o);
                    let Some((_, _)) = layouts.first() else {
                        // No layout: an ASCII structured field cannot be written, an
                        // unstructured one encodes the `y` word, and its first word stays
                        // on the name line where it fits there (a fold after the colon
                        // would help nothing), else it starts the next line.
                        if class == FieldClass::AsciiStructured {
                            assert_eq!(got, Err(mailfold::Error::LineTooLong), "{a} {r} {b}");
                        } else {
                            let out = got.unwrap_or_else(|e| panic!("{a} {r} {b}: {e:?}"));
                            let first = if name.len() + 2 + a <= 998 {
                                format!("{name}: x")
                            } else {
                                format!("{name}:\r\n x")
                            };
                            assert!(out.starts_with(first.as_bytes()), "{a} {r} {b}");
                        }
                        continue;
                    };
                    let out = got.unwrap_or_else(|e| panic!("{name} {a} {r} {b}: {e:?}"));
                    let lines = split_lines(&out, &o).unwrap();
                    let widths: Vec<usize> = lines.iter().map(|l| l.len()).collect();
                    assert!(
                        widths.iter().all(|&w| w <= 998),
                        "{name} {a} {r} {b}: {widths:?}"
                    );
                    // Plain: the value unfolds back as it is.
                    let unfolded = unfold_value(&out, name, &o).unwrap();
                    assert_eq!(
                        String::from_utf8(unfolded).unwrap().strip_prefix(' '),
                        Some(value.as_str()),
                        "{name} {a} {r} {b}: {widths:?}"
                    );
                    let only_after_colon = layouts.iter().all(|(after_colon, _)| *after_colon);
                    let folded_after_colon = lines[0] == format!("{name}:").as_bytes();
                    assert_eq!(
                        folded_after_colon, only_after_colon,
                        "{name} {a} {r} {b}: {widths:?}"
                    );
                    used += usize::from(folded_after_colon);
                }
            }
        }
    }
    // The sweep reaches the case (both field classes).
    assert!(used >= 20, "{used}");
    // Audit 24c's two values, and a fold after the colon with a CRLF before the first word.
    let o = options(78, false, false, Encoding::Auto);
    let value = format!("{}  {}", "x".repeat(988), "y".repeat(997));
    assert_eq!(
        widths("Received", FieldClass::AsciiStructured, &value, &o),
        [9, 990, 998]
    );
    let value = format!("{}{}{}", "x".repeat(988), " ".repeat(5), "y".repeat(997));
    assert_eq!(
        widths("Subject", FieldClass::Unstructured, &value, &o),
        [8, 993, 998]
    );
    // The first token's own rule (it cannot fit in 998 after `Name: `) where the value takes
    // the general path, which the run of two spaces before `z` makes it take.
    for (name, class) in [
        ("Received", FieldClass::AsciiStructured),
        ("Subject", FieldClass::Unstructured),
    ] {
        for (a, after_colon) in [(998 - name.len() - 2, false), (999 - name.len() - 2, true)] {
            let value = format!("{} y  z", "x".repeat(a));
            let want = if after_colon {
                vec![name.len() + 1, 1 + a, 5]
            } else {
                vec![name.len() + 2 + a, 5]
            };
            assert_eq!(widths(name, class, &value, &o), want, "{name} {a}");
        }
    }
}

/// The look-ahead's bound for 998 alone decides where the one for the soft limit cannot be
/// kept: at 920 columns, `Subject: ` + 279 `x`, one space, 605 `y`, 400 spaces and 886 `z`.
/// No layout keeps every line within 920 (the `y` line can keep at most 314 of the spaces,
/// so the `z` line starts with 86 at least: 972). The 886 letters fit in 998 (SPEC §4: they
/// stay as they are) only if at most 112 spaces start their line, so the `y` line must end
/// with 288 of them; on the first line that would take it to 1,182, so the `y` word starts a
/// line of its own (606 + 288 = 894) and the `z` line has 998 octets. Without that fold the
/// `z` word went into 21 encoded-words.
#[test]
fn a_word_that_only_998_keeps_plain_moves_the_word_before_its_run() {
    let value = format!(
        "{} {}{}{}",
        "x".repeat(279),
        "y".repeat(605),
        " ".repeat(400),
        "z".repeat(886)
    );
    for lf in [false, true] {
        for utf8 in [false, true] {
            let o = options(920, lf, utf8, Encoding::Auto);
            assert_eq!(
                widths("Subject", FieldClass::Unstructured, &value, &o),
                [288, 894, 998],
                "lf {lf}, utf8 {utf8}"
            );
        }
    }
}
