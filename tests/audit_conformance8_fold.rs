//! Conformance audit, round 8, `src/fold.rs`: where structured fields fold. Found with
//! `cargo mutants` (`Folder::keep_together` replaced by a no-op survived every integration
//! test run over it); the expectation comes from README "Decisions" and RFC 5322 §3.2.2,
//! quoted next to the test, never from running mailfold.

mod common;

use common::format_exact;
use mailfold::{format_mailboxes, Mailbox, Options};

/// Every line but the last ends with the `,` that ends an element, and every continuation line
/// starts with one space and then a whole element that did not fit on the line before: no
/// element is split over two lines, and no fold comes earlier than it must (README: "greedy,
/// at the last fold point that keeps the line within the soft limit"). Also checks the soft
/// limit for every line (all elements here fit on a line of their own).
fn check_whole_elements(field: &str, width: usize, what: &str) {
    let body = field.strip_suffix("\r\n").expect("CRLF at the end");
    let lines: Vec<&str> = body.split("\r\n").collect();
    for (i, line) in lines.iter().enumerate() {
        assert!(
            line.chars().count() <= width,
            "{what}, width {width}: line {i} is longer than the limit:\n{field}"
        );
        if i + 1 < lines.len() {
            assert!(
                line.ends_with(','),
                "{what}, width {width}: line {i} breaks inside an element:\n{field}"
            );
        }
        if i > 0 {
            assert!(
                line.starts_with(' ') && !line[1..].starts_with([' ', '\t']),
                "{what}, width {width}: line {i}:\n{field}"
            );
            // Greedy: the element that starts this line did not fit on the line before.
            let first = match line.find(',') {
                Some(c) => &line[1..=c],
                None => &line[1..],
            };
            let before = lines[i - 1].chars().count();
            assert!(
                before + 1 + first.chars().count() > width,
                "{what}, width {width}: {first:?} fitted on line {}:\n{field}",
                i - 1
            );
        }
    }
}

/// README "Decisions", "Where a fold goes": "In address lists and Keywords a whole mailbox or
/// keyword moves to the next line when it fits there but not on the current one (RFC 5322
/// §3.2.2: fold at the highest-level break)." A display name of several words has fold points
/// between its words (SPEC §3: "between display-name words"), so without that rule a greedy
/// fold would split `Alice Example` over two lines. Every element below fits on a line of its
/// own at every width tried, so every break must come after a `,`. With
/// `Folder::keep_together` a no-op, the names were split between their words.
#[test]
fn whole_mailboxes_and_keywords_move_to_the_next_line() {
    let people = [
        ("Alice Example", "alice@example.com"),
        ("Bob Q Builder", "bob.builder@example.org"),
        ("Carol Ann Smith", "carol@example.net"),
        ("Dave Jones", "dave.jones@mail.example.com"),
        ("Erin Marie Long", "erin@example.com"),
        ("Frank Lloyd Wright", "flw@architects.example"),
        ("Grace Hopper", "grace@navy.example.mil"),
    ];
    let text: Vec<String> = people.iter().map(|(n, a)| format!("{n} <{a}>")).collect();
    let list = text.join(", ");
    let keywords = "alpha beta, gamma delta epsilon, zeta eta, theta iota kappa, lambda mu, \
                    nu xi omicron, pi rho sigma, tau upsilon, phi chi psi omega";
    let boxes: Vec<Mailbox<'_>> = people
        .iter()
        .map(|&(n, a)| Mailbox {
            display_name: Some(n),
            addr_spec: a,
        })
        .collect();
    for width in 47..=78 {
        for utf8 in [false, true] {
            let o = Options::default().with_max_line_len(width).with_utf8(utf8);
            let to = format_exact("To", &list, &o).unwrap();
            check_whole_elements(&to, width, "To (text form)");
            let kw = format_exact("Keywords", keywords, &o).unwrap();
            check_whole_elements(&kw, width, "Keywords");
            let mut out = vec![0u8; 4096];
            let n = format_mailboxes("Cc", &boxes, &o, &mut out).unwrap();
            let cc = String::from_utf8(out[..n].to_vec()).unwrap();
            check_whole_elements(&cc, width, "Cc (format_mailboxes)");
            // Nothing is lost: unfolded, the field is the list in canonical spacing.
            assert_eq!(to.replace("\r\n", ""), format!("To: {list}"));
            assert_eq!(cc.replace("\r\n", ""), format!("Cc: {list}"));
            assert_eq!(kw.replace("\r\n", ""), format!("Keywords: {keywords}"));
        }
    }
}

/// The same rule where the 998-octet limit, not the soft limit, is what a keyword does not fit
/// under: with utf8 on "the soft limit counts characters and 998 counts octets" and "no line
/// ever exceeds 998" (SPEC §3). At a soft limit of 998 characters, `Keywords: ` and a first
/// keyword of 290 three-octet characters and its comma fill 881 octets (301 characters). A
/// second keyword of `n` octets (16 two-character words and one ASCII word: far under the
/// soft limit in characters) then fits that line exactly when `881 + 1 + n <= 998`: at 116
/// octets the line is exactly 998 octets; at 117 the keyword fits a fresh line whole, so the
/// fold goes after the comma and nowhere inside it. The mutants of `Folder::keep_together`'s
/// octet test (`col.bytes + w + whole.bytes` with a `+` turned into `-` or `*`) kept the
/// 117-octet keyword on the line, and the fold fell inside it.
#[test]
fn a_keyword_that_passes_998_octets_but_not_the_soft_limit_moves_whole() {
    let first = "語".repeat(290);
    let words = vec!["中文"; 16].join(" ");
    let o = Options::default().with_max_line_len(998).with_utf8(true);
    for (last, folds) in [("wxyz", false), ("vwxyz", true)] {
        let second = format!("{words} {last}");
        let value = format!("{first}, {second}");
        let field = format_exact("Keywords", &value, &o).unwrap();
        if folds {
            assert_eq!(second.len(), 117);
            assert_eq!(
                field,
                format!("Keywords: {first},\r\n {second}\r\n"),
                "the second keyword was not moved whole"
            );
        } else {
            assert_eq!(second.len(), 116);
            assert_eq!(field.len(), 998 + 2, "one line of exactly 998 octets");
            assert_eq!(field, format!("Keywords: {value}\r\n"));
        }
    }
}
