//! Decodes the cases of tests/differential.rs (MAILFOLD_DIFF_CASES) with two Rust mail parsers
//! that share no code with mailfold or with each other: Stalwart's `mail-parser` (the parser
//! beside `mail-builder`, the peer of the benchmarks) and `mailparse`. Run by
//! tests/interop/run.sh, which builds this crate with its own lock file.
//!
//! Each case line: [id, kind, name, lf, utf8, max_line_len, encoding, input, expect, output_hex].
//! Checked, on a whole message (the field between two other lines):
//!   - every field: both parsers find the field exactly once, under its name;
//!   - unstructured fields: the decoded text equals the input with the caller's folds removed,
//!     up to leading and trailing SP/HTAB (runs of SP/HTAB compared as one where needed: both
//!     join folded lines with one space, counted as a quirk);
//!   - msg-id fields: the raw value holds no encoded-word, and both parsers' id lists are the
//!     expected ids, in order;
//!   - address fields: both parsers' display names (runs of SP/HTAB compared as one) and
//!     addr-specs, in order, group members in place of their group.
//!
//! Decoder quirks are allowed for or left out only where counted and printed (see README
//! "Robustness"); each decoder must pass at least 100 fields of every kind.

use mail_parser::{Address, HeaderValue, MessageParser};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Removes every line break followed by SP or HTAB (RFC 5322 §2.2.3), nothing else.
fn unfold(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let wsp_at = |j: usize| j < b.len() && (b[j] == b' ' || b[j] == b'\t');
        if b[i] == b'\r' && i + 1 < b.len() && b[i + 1] == b'\n' && wsp_at(i + 2) {
            i += 2;
            continue;
        }
        if b[i] == b'\n' && wsp_at(i + 1) {
            i += 1;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("unfolding keeps UTF-8")
}

/// Trims SP and HTAB only: other Unicode white space belongs to the value.
fn trim_wsp(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Runs of SP/HTAB as one space, trimmed at both ends.
fn collapse(s: &str) -> String {
    s.split([' ', '\t'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field's value as written (after `Name:`, line ending removed, folds kept).
fn raw_value(field: &str, lf: bool) -> Result<&str, String> {
    let colon = field.find(':').ok_or("no colon")?;
    let end = if lf { "\n" } else { "\r\n" };
    field[colon + 1..]
        .strip_suffix(end)
        .ok_or_else(|| "field does not end with its line ending".to_string())
}

#[derive(Debug, PartialEq)]
struct Mailbox {
    name: String,
    addr: String,
}

/// How a decoder reports a quoted local part (`"a\\"b"@x`).
#[derive(Clone, Copy)]
enum LocalPart {
    /// As written, quoted-pairs and all (mailparse).
    AsWritten,
    /// Its quotes kept, its quoted-pairs resolved (mail-parser: `"a"b"@x`).
    QuotesKept,
}

/// `[[group name | null, [[display name | null, raw addr, local, domain], ...]], ...]`, with
/// the local part unquoted.
fn expected_mailboxes(expect: &Value, form: LocalPart) -> Vec<Mailbox> {
    let mut out = Vec::new();
    for group in expect.as_array().expect("address expectation") {
        let members = group[1].as_array().expect("members");
        for m in members {
            let domain = m[3].as_str().unwrap();
            let (raw, local) = (m[1].as_str().unwrap(), m[2].as_str().unwrap());
            let addr = match form {
                LocalPart::AsWritten => raw.to_string(),
                LocalPart::QuotesKept if raw.starts_with('"') => format!("\"{local}\"@{domain}"),
                LocalPart::QuotesKept => format!("{local}@{domain}"),
            };
            out.push(Mailbox {
                name: collapse(m[0].as_str().unwrap_or("")),
                addr,
            });
        }
    }
    out
}

fn hex_decode(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("output hex"))
        .collect()
}

struct Case<'a> {
    kind: &'a str,
    name: &'a str,
    lf: bool,
    input: &'a str,
    expect: &'a Value,
    out: &'a str,
}

/// What one decoder made of one case.
enum Outcome {
    Passed,
    /// Left out for a decoder quirk (counted, neither passed nor failed).
    NotCompared,
    Failed(Vec<String>),
}

#[derive(Default)]
struct Tally {
    /// Passes per (decoder, kind).
    passed: BTreeMap<(&'static str, String), usize>,
    quirks: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn quirk(&mut self, what: &'static str) {
        *self.quirks.entry(what).or_default() += 1;
    }
}

/// The expected ids without their angle brackets, as both parsers report them.
fn expected_ids(expect: &Value) -> Vec<String> {
    expect
        .as_array()
        .expect("id expectation")
        .iter()
        .map(|w| {
            let id = w.as_str().unwrap();
            id.strip_prefix('<')
                .and_then(|i| i.strip_suffix('>'))
                .unwrap_or(id)
                .to_string()
        })
        .collect()
}

/// Compares decoded unstructured text with the input (caller folds removed, SP/HTAB trimmed
/// at both ends). `fold_quirk` names the decoder's way of joining folded lines with one
/// space, which only the comparison with runs of SP/HTAB taken as one can allow for.
fn compare_text(
    decoder: &str,
    got: &str,
    input: &str,
    fold_quirk: &'static str,
    tally: &mut Tally,
) -> Result<(), String> {
    let want = trim_wsp(&unfold(input)).to_string();
    if trim_wsp(got) == want {
        Ok(())
    } else if collapse(got) == collapse(&want) {
        tally.quirk(fold_quirk);
        Ok(())
    } else {
        Err(format!("{decoder} decoded {got:?}, want {want:?}"))
    }
}

/// mail-parser: the field parsed as its class asks (`header_text`, `header_id`,
/// `header_address`), whatever its name.
fn check_mail_parser(c: &Case, message: &[u8], tally: &mut Tally) -> Outcome {
    let name = c.name.to_string();
    let parser = match c.kind {
        "unstructured" => MessageParser::new().header_text(name.clone()),
        "msgid" => MessageParser::new().header_id(name.clone()),
        _ => MessageParser::new().header_address(name.clone()),
    };
    let Some(msg) = parser.parse(message) else {
        return Outcome::Failed(vec!["mail-parser: no message".into()]);
    };
    let values: Vec<&HeaderValue> = msg.header_values(name).collect();
    if values.len() != 1 {
        return Outcome::Failed(vec![format!("mail-parser: {} values", values.len())]);
    }
    let result = match (c.kind, values[0]) {
        ("unstructured", v) => {
            let got = match v {
                HeaderValue::Text(t) => t.to_string(),
                HeaderValue::Empty => String::new(),
                other => format!("{other:?}"),
            };
            compare_text(
                "mail-parser",
                &got,
                c.input,
                "mail-parser: joins folded lines (and an encoded-word and the text after it) with one space",
                tally,
            )
        }
        ("msgid", v) => {
            let got: Vec<String> = match v {
                HeaderValue::Text(t) => vec![t.to_string()],
                HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
                other => vec![format!("{other:?}")],
            };
            let want = expected_ids(c.expect);
            if got == want {
                Ok(())
            } else {
                Err(format!("mail-parser ids {got:?}, want {want:?}"))
            }
        }
        (_, v) => {
            let want = expected_mailboxes(c.expect, LocalPart::QuotesKept);
            let got: Vec<Mailbox> = match v {
                HeaderValue::Address(Address::List(l)) => l.iter().map(mailbox_of).collect(),
                HeaderValue::Address(Address::Group(g)) => g
                    .iter()
                    .flat_map(|g| g.addresses.iter().map(mailbox_of))
                    .collect(),
                HeaderValue::Empty => Vec::new(),
                other => vec![Mailbox {
                    name: format!("{other:?}"),
                    addr: String::new(),
                }],
            };
            if got == want {
                Ok(())
            } else {
                Err(format!("mail-parser {got:?}, want {want:?}"))
            }
        }
    };
    match result {
        Ok(()) => Outcome::Passed,
        Err(e) => Outcome::Failed(vec![e]),
    }
}

fn mailbox_of(a: &mail_parser::Addr) -> Mailbox {
    Mailbox {
        name: collapse(a.name.as_deref().unwrap_or("")),
        addr: a.address.as_deref().unwrap_or("").to_string(),
    }
}

/// Whether some line of `field` holds raw non-ASCII before an `=?`: mailparse's
/// `is_boundary` indexes the line's characters with a byte offset, so on such a line (utf8
/// on) it looks at the wrong character beside the encoded-word and leaves it undecoded.
fn non_ascii_before_encoded_word(field: &str) -> bool {
    field.split('\n').any(|line| {
        line.find("=?")
            .is_some_and(|at| !line[..line.rfind("=?").unwrap_or(at)].is_ascii())
    })
}

/// mailparse: `parse_headers` over the header block, then its value decoder, `msgidparse`
/// and `addrparse_header`.
fn check_mailparse(c: &Case, message: &[u8], tally: &mut Tally) -> Outcome {
    let headers = match mailparse::parse_headers(message) {
        Ok((h, _)) => h,
        Err(e) => return Outcome::Failed(vec![format!("mailparse: {e}")]),
    };
    let found: Vec<_> = headers
        .iter()
        .filter(|h| h.get_key_ref().eq_ignore_ascii_case(c.name))
        .collect();
    if found.len() != 1 {
        return Outcome::Failed(vec![format!("mailparse: {} values", found.len())]);
    }
    let header = found[0];
    let result = match c.kind {
        "unstructured" => {
            let got = header.get_value();
            let compared = compare_text(
                "mailparse",
                &got,
                c.input,
                "mailparse: joins folded lines with one space",
                tally,
            );
            if compared.is_err() && non_ascii_before_encoded_word(c.out) {
                tally.quirk(
                    "mailparse: raw UTF-8 before an encoded-word on its line (not compared)",
                );
                return Outcome::NotCompared;
            }
            compared
        }
        "msgid" => match mailparse::msgidparse(&header.get_value()) {
            Ok(ids) => {
                let got: Vec<String> = ids.iter().cloned().collect();
                let want = expected_ids(c.expect);
                if got == want {
                    Ok(())
                } else {
                    Err(format!("mailparse ids {got:?}, want {want:?}"))
                }
            }
            Err(e) => Err(format!("mailparse msgidparse: {e}")),
        },
        _ => {
            let want = expected_mailboxes(c.expect, LocalPart::AsWritten);
            match mailparse::addrparse_header(header) {
                Ok(list) => {
                    let got: Vec<Mailbox> = list
                        .iter()
                        .flat_map(|a| match a {
                            mailparse::MailAddr::Single(s) => vec![single(s)],
                            mailparse::MailAddr::Group(g) => g.addrs.iter().map(single).collect(),
                        })
                        .collect();
                    // It trims display names with `str::trim_end`, which takes Unicode white
                    // space (U+3000) that RFC 5322 leaves in the name.
                    let trimmed: Vec<Mailbox> = want
                        .iter()
                        .map(|m| Mailbox {
                            name: m.name.trim().to_string(),
                            addr: m.addr.clone(),
                        })
                        .collect();
                    let after_group = comma_after_group(c.expect, &got);
                    if got == want {
                        Ok(())
                    } else if got == trimmed {
                        tally
                            .quirk("mailparse: trims Unicode white space at a display name's ends");
                        Ok(())
                    } else if after_group
                        .as_ref()
                        .is_some_and(|g| *g == want || *g == trimmed)
                    {
                        tally.quirk("mailparse: the comma after a group's `;` starts the next mailbox's name or address");
                        Ok(())
                    } else if c.out.contains(";,") {
                        // The same, where that comma also changes how the rest is read (a
                        // quoted name taken as text, or an error).
                        tally.quirk("mailparse: the comma after a group's `;` also changes how the next element is read (not compared)");
                        return Outcome::NotCompared;
                    } else {
                        Err(format!("mailparse {got:?}, want {want:?}"))
                    }
                }
                Err(_) if c.out.contains(";,") => {
                    tally.quirk("mailparse: the comma after a group's `;` also changes how the next element is read (not compared)");
                    return Outcome::NotCompared;
                }
                Err(e) => Err(format!("mailparse addrparse: {e}")),
            }
        }
    };
    match result {
        Ok(()) => Outcome::Passed,
        Err(e) => Outcome::Failed(vec![e]),
    }
}

/// mailparse returns from a group at its `;` and starts the next element in its initial
/// state, which takes the list's `,` as text: the first mailbox after a group (not in one)
/// has `, ` before its display name, or before its address when it has none. Returns `got`
/// with exactly that prefix removed there, or `None` when it is not there.
fn comma_after_group(expect: &Value, got: &[Mailbox]) -> Option<Vec<Mailbox>> {
    let mut fixed: Vec<Mailbox> = got
        .iter()
        .map(|m| Mailbox {
            name: m.name.clone(),
            addr: m.addr.clone(),
        })
        .collect();
    let (mut at, mut after_group, mut changed) = (0usize, false, false);
    for entry in expect.as_array()? {
        let members = entry[1].as_array()?.len();
        let is_group = !entry[0].is_null();
        if after_group && !is_group && members > 0 {
            let m = fixed.get_mut(at)?;
            let field = if m.name.is_empty() {
                &mut m.addr
            } else {
                &mut m.name
            };
            let rest = field
                .strip_prefix(',')?
                .trim_start_matches([' ', '\t'])
                .to_string();
            *field = rest;
            changed = true;
        }
        after_group = is_group;
        at += members;
    }
    changed.then_some(fixed)
}

fn single(s: &mailparse::SingleInfo) -> Mailbox {
    Mailbox {
        name: collapse(s.display_name.as_deref().unwrap_or("")),
        addr: s.addr.clone(),
    }
}

const DECODERS: [&str; 2] = ["mail-parser", "mailparse"];
const KINDS: [&str; 4] = ["unstructured", "msgid", "address", "mailboxes"];

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .expect("usage: decode-rust <cases.jsonl>");
    let text = std::fs::read_to_string(&path).expect("cases file");
    let mut tally = Tally::default();
    let (mut failed, mut shown) = (0usize, 0usize);
    for line in text.lines().filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_str(line).expect("case line");
        let kind = v[1].as_str().unwrap();
        if !KINDS.contains(&kind) {
            continue;
        }
        let out = String::from_utf8(hex_decode(v[9].as_str().unwrap())).expect("UTF-8 output");
        let c = Case {
            kind,
            name: v[2].as_str().unwrap(),
            lf: v[3].as_bool().unwrap(),
            input: v[7].as_str().unwrap(),
            expect: &v[8],
            out: &out,
        };
        let eol = if c.lf { "\n" } else { "\r\n" };
        let message = format!("X-Before: 1{eol}{}X-After: 2{eol}{eol}body{eol}", c.out);
        let mut errs = Vec::new();
        if c.kind == "msgid" {
            match raw_value(c.out, c.lf) {
                Ok(raw) if raw.contains("=?") => errs.push("an encoded-word in ids".to_string()),
                Ok(_) => {}
                Err(e) => errs.push(e),
            }
        }
        let outcomes = [
            check_mail_parser(&c, message.as_bytes(), &mut tally),
            check_mailparse(&c, message.as_bytes(), &mut tally),
        ];
        for (decoder, outcome) in DECODERS.iter().zip(outcomes) {
            match outcome {
                Outcome::Passed if errs.is_empty() => {
                    *tally.passed.entry((decoder, kind.to_string())).or_default() += 1
                }
                Outcome::Failed(e) => errs.extend(e),
                _ => {}
            }
        }
        if errs.is_empty() {
            continue;
        }
        failed += 1;
        if shown < 12 {
            shown += 1;
            println!(
                "FAIL case {} ({kind}) {}: {}",
                v[0],
                c.name,
                errs.join("; ")
            );
            println!("   input:  {:?}\n   output: {:?}", c.input, c.out);
        }
    }
    for (q, n) in &tally.quirks {
        println!("quirk: {q}: {n}");
    }
    let mut enough = true;
    for decoder in DECODERS {
        let counts: Vec<String> = KINDS
            .iter()
            .map(|k| {
                let n = tally
                    .passed
                    .get(&(decoder, k.to_string()))
                    .copied()
                    .unwrap_or(0);
                // A run holds hundreds of each kind: a decoder that passed few saw too little.
                enough &= n >= 100;
                format!("{k} {n}")
            })
            .collect();
        println!("{decoder}: passed {}", counts.join(", "));
    }
    println!("{failed} failed");
    if failed == 0 && enough {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
