//! SPEC §4: with `Encoding::Auto` every encoded-word is in the shorter of Q and B for what it
//! holds, Q on a tie, also when a run of encoded text spans several words whose content differs
//! in density (mostly-ASCII words next to CJK or Cyrillic ones). The check is made on the
//! output alone (`common::check_auto_choice`, part of `check_structure`), as an independent
//! reader would make it, over deterministic pseudo-random values in which the share of
//! non-ASCII characters varies from value to value, so runs cross the Q/B break-even point.

mod common;

use common::{check_structure, decode_unstructured, expected_unstructured, unfold_value, Kind};
use mailfold::{format_field, format_mailboxes, FieldClass, Mailbox, Options};

/// A small deterministic generator (PCG-style LCG): the corpus must not depend on a seed file.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

const ASCII: &[&str] = &[
    "a", "b", "x", "y", "z", "Q", "7", "-", " ", " ", "=", "_", "?",
];
const WIDE: &[&str] = &[
    "é",
    "ü",
    "ő",
    "ж",
    "中",
    "😀",
    "e\u{301}",
    "ש",
    "👍\u{200d}🔥",
];

/// A value of `n` characters where about `dense` in 12 are non-ASCII.
fn value(rng: &mut Lcg, n: usize, dense: usize) -> String {
    let mut s = String::new();
    for _ in 0..n {
        let r = rng.next();
        let pool = if r % 12 < dense { WIDE } else { ASCII };
        s.push_str(pool[r / 12 % pool.len()]);
    }
    s
}

#[test]
fn every_auto_encoded_word_in_unstructured_text_is_the_shorter_form() {
    let mut rng = Lcg(0x5eed_2026);
    let mut words_checked = 0;
    for i in 0..6000 {
        let n = 1 + rng.next() % 160;
        let dense = 1 + rng.next() % 11;
        let text = value(&mut rng, n, dense);
        let width = [78, 78, 76, 60, 40, 998][i % 6];
        let utf8 = i % 7 == 0;
        let opts = Options::default().with_max_line_len(width).with_utf8(utf8);
        let name = ["Subject", "X-A-Rather-Long-Field-Name-Here", "Comments"][i % 3];
        let mut out = vec![0u8; 16384];
        let len = format_field(name, FieldClass::Unstructured, &text, &opts, &mut out)
            .unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        let out = &out[..len];
        if let Err(e) = check_structure(out, name, Kind::Unstructured, &opts) {
            panic!(
                "{name} at {width} (utf8 {utf8}) {text:?}: {e}\n{}",
                String::from_utf8_lossy(out)
            );
        }
        let value = unfold_value(out, name, &opts).unwrap();
        assert_eq!(
            common::trim_ws(&decode_unstructured(&value).unwrap()),
            expected_unstructured(&text),
            "{text:?}"
        );
        words_checked += String::from_utf8_lossy(out).matches("=?utf-8?").count();
    }
    // The corpus must actually reach multi-word runs of both kinds for the check to mean
    // anything.
    assert!(words_checked > 10_000, "only {words_checked} encoded-words");
}

#[test]
fn every_auto_encoded_word_in_a_display_name_is_the_shorter_form() {
    let mut rng = Lcg(0xd15b_1a7e);
    for i in 0..3000 {
        let n = 1 + rng.next() % 90;
        let dense = 1 + rng.next() % 11;
        let name_text = value(&mut rng, n, dense);
        let width = [78, 50, 40][i % 3];
        let opts = Options::default().with_max_line_len(width);
        let boxes = [
            Mailbox {
                display_name: Some(&name_text),
                addr_spec: "someone@example.org",
            },
            Mailbox {
                display_name: Some("Plain Name"),
                addr_spec: "other@example.org",
            },
        ];
        let mut out = vec![0u8; 16384];
        let len = format_mailboxes("To", &boxes, &opts, &mut out)
            .unwrap_or_else(|e| panic!("{name_text:?}: {e:?}"));
        let out = &out[..len];
        if let Err(e) = check_structure(out, "To", Kind::Structured, &opts) {
            panic!(
                "To at {width} {name_text:?}: {e}\n{}",
                String::from_utf8_lossy(out)
            );
        }
    }
}
