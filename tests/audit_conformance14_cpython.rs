//! Conformance audit, round 14: text that is hard for RFC 2047 and RFC 2231 (4-byte
//! characters, combining marks, right-to-left text, emoji ZWJ and flag sequences, variation
//! selectors, skin-tone modifiers, Unicode white space, U+FEFF, U+200B, U+2028, U+0085, long
//! runs without white space) in Subjects, display names, Keywords, List-Id phrases and MIME
//! parameter values, under every soft-limit edge,
//! both line endings, utf8 on and off and every encoding, read back by CPython's `email`
//! (through `tests/differential.py`, whose own RFC 2047 §6.2 decoder also reads every phrase,
//! and `tests/mime_differential.py`, modern and compat32 parsers), and the unstructured and
//! address fields also by Perl's `Encode::MIME::Header` (`tests/differential.pl`). Expectations are the
//! input text itself (SPEC §3 lossless rule) and the line rules of SPEC §3/§4 those scripts
//! check (encoded-words ≤ 75 characters, whole characters, never empty, lines ≤ 76 with an
//! encoded-word, the soft limit in characters with utf8, 998 octets).

mod common;
use common::{hex, run_mime_differential, Rng};

use mailfold::{
    format_field, format_mailboxes, ContentDisposition, ContentType, Encoding, FieldClass,
    LineEnding, Mailbox, Options,
};
use std::process::Command;

/// Pieces of text the encoders must keep whole across encoded-word and segment boundaries.
const HARD: &[&str] = &[
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "😀",
    "𐍈𐍉𐍊",
    "e\u{301}\u{302}\u{303}\u{304}",
    "a\u{308}\u{331}",
    "مرحبا",
    "שָׁלוֹם",
    "👩\u{200d}👩\u{200d}👧\u{200d}👦",
    "🏳\u{fe0f}\u{200d}🌈",
    "👍🏽",
    "🇩🇪🇯🇵",
    "☃\u{fe0f}",
    "日本語",
    "Grüße",
    "\u{200f}abc\u{200e}",
    "a\u{a0}b",
    "\u{3000}",
    "x\u{feff}y",
    "z\u{200b}w",
    "\u{2028}",
    "\u{85}q",
    "x",
    "plain",
];

fn hard_word(r: &mut Rng) -> String {
    let n = r.pick(&[1, 1, 2, 3, 8, 20]);
    (0..n).map(|_| r.pick(HARD)).collect()
}

fn hard_text(r: &mut Rng, lo: usize, hi: usize) -> String {
    let words = r.range(lo, hi);
    (0..words)
        .map(|_| hard_word(r))
        .collect::<Vec<_>>()
        .join(" ")
}

fn options(r: &mut Rng) -> Options {
    Options::default()
        .with_max_line_len(r.pick(&[40, 41, 76, 77, 78, 79, 200, 997, 998]))
        .with_line_ending(if r.chance(50) {
            LineEnding::Lf
        } else {
            LineEnding::Crlf
        })
        .with_utf8(r.chance(50))
        .with_encoding(r.pick(&[Encoding::Auto, Encoding::Q, Encoding::B]))
}

/// A JSON string (the subset `tests/differential.py` reads with `json.loads`).
fn js(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn js_opt(s: Option<&str>) -> String {
    s.map_or("null".into(), js)
}

fn case_line(
    id: usize,
    kind: &str,
    name: &str,
    o: &Options,
    input: &str,
    expect: &str,
    out: &[u8],
) -> String {
    let enc = match o.encoding {
        Encoding::Q => "Q",
        Encoding::B => "B",
        _ => "Auto",
    };
    format!(
        "[{id}, {}, {}, {}, {}, {}, {}, {}, {expect}, {}]\n",
        js(kind),
        js(name),
        o.line_ending == LineEnding::Lf,
        o.utf8,
        o.max_line_len,
        js(enc),
        js(input),
        js(&out.iter().map(|b| format!("{b:02x}")).collect::<String>())
    )
}

fn format(name: &str, value: &str, o: &Options) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 16];
    let n = format_field(name, FieldClass::Auto, value, o, &mut buf)
        .unwrap_or_else(|e| panic!("{name}: {value:?} {o:?}: {e:?}"));
    buf.truncate(n);
    buf
}

/// Subjects, long-named unstructured fields, display names (text form and
/// `format_mailboxes`), Keywords and List-Id phrases of hard text, read back by CPython's
/// `email` (policy default: `BytesParser`, or `Parser` on the text with utf8) and by
/// `tests/differential.py`'s own RFC 2047 §6.2 decoder: the same text, no defects, SPEC §3/§4
/// line and encoded-word rules.
#[test]
fn hard_unicode_reads_back_in_cpython_in_every_class_that_encodes() {
    let mut r = Rng(0x14c9_7401);
    let mut lines = String::new();
    let mut id = 0;
    for _ in 0..2400 {
        let o = options(&mut r);
        match r.below(6) {
            0 | 1 => {
                let name = r.pick(&[
                    "Subject",
                    "Comments",
                    "X-A-Rather-Long-Header-Name-For-Folding-Tests",
                    "X-Nearly-Fifty-Columns-Of-Header-Name-Before-Colon",
                ]);
                let mut v = hard_text(&mut r, 1, 12);
                if r.chance(20) {
                    v = format!("Re: [list] {v} (fwd)");
                }
                let out = format(name, &v, &o);
                lines.push_str(&case_line(id, "unstructured", name, &o, &v, "null", &out));
            }
            2 => {
                // Text form: plain words only, so the names need no quoting.
                let n = r.range(1, 4);
                let mut parts = Vec::new();
                let mut exp = Vec::new();
                for k in 0..n {
                    let dn = hard_text(&mut r, 1, 4);
                    let addr = format!("user{k}@example{k}.org");
                    parts.push(format!("{dn} <{addr}>"));
                    exp.push(format!(
                        "[null, [[{}, {}, {}, {}]]]",
                        js(&dn),
                        js(&addr),
                        js(&format!("user{k}")),
                        js(&format!("example{k}.org"))
                    ));
                }
                let v = parts.join(", ");
                let name = r.pick(&["From", "To", "Cc", "Reply-To"]);
                let out = format(name, &v, &o);
                let expect = format!("[{}]", exp.join(", "));
                lines.push_str(&case_line(id, "address", name, &o, &v, &expect, &out));
            }
            3 => {
                // Structured form: each name literally, specials included.
                let n = r.range(1, 4);
                let names: Vec<String> = (0..n)
                    .map(|_| {
                        let t = hard_text(&mut r, 1, 3);
                        match r.below(4) {
                            0 => format!("{t}, Jr."),
                            1 => format!("\"{t}\" (x)"),
                            _ => t,
                        }
                    })
                    .collect();
                let addrs: Vec<String> =
                    (0..n).map(|k| format!("box{k}@mail.example.com")).collect();
                let boxes: Vec<Mailbox<'_>> = names
                    .iter()
                    .zip(&addrs)
                    .map(|(n, a)| Mailbox {
                        display_name: Some(n),
                        addr_spec: a,
                    })
                    .collect();
                let name = r.pick(&["To", "Cc", "Reply-To"]);
                let mut buf = vec![0u8; 1 << 16];
                let len = format_mailboxes(name, &boxes, &o, &mut buf)
                    .unwrap_or_else(|e| panic!("{names:?}: {e:?}"));
                let exp: Vec<String> = names
                    .iter()
                    .zip(&addrs)
                    .enumerate()
                    .map(|(k, (n, a))| {
                        format!(
                            "[null, [[{}, {}, {}, {}]]]",
                            js(n),
                            js(a),
                            js(&format!("box{k}")),
                            js("mail.example.com")
                        )
                    })
                    .collect();
                let expect = format!("[{}]", exp.join(", "));
                lines.push_str(&case_line(
                    id,
                    "mailboxes",
                    name,
                    &o,
                    "",
                    &expect,
                    &buf[..len],
                ));
            }
            4 => {
                let kws: Vec<String> = (0..r.range(1, 6))
                    .map(|_| hard_text(&mut r, 1, 3))
                    .collect();
                let v = kws.join(", ");
                let out = format("Keywords", &v, &o);
                let expect = format!(
                    "[{}]",
                    kws.iter().map(|k| js(k)).collect::<Vec<_>>().join(", ")
                );
                lines.push_str(&case_line(
                    id, "keywords", "Keywords", &o, &v, &expect, &out,
                ));
            }
            _ => {
                let phrase = hard_text(&mut r, 1, 5);
                let lid = "<dev-team.lists.example.org>";
                let v = format!("{phrase} {lid}");
                let out = format("List-Id", &v, &o);
                let expect = format!("[{}, {}]", js_opt(Some(&phrase)), js(lid));
                lines.push_str(&case_line(id, "listid", "List-Id", &o, &v, &expect, &out));
            }
        }
        id += 1;
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit14_cpython.jsonl");
    std::fs::write(&path, &lines).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/differential.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 is required (Debian: apt-get install python3)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains(&format!("{id} passed, 0 failed")),
        "CPython read {id} fields differently:\n{stdout}"
    );
    // The unstructured and address fields once more through Perl's Encode::MIME::Header,
    // which shares no code with CPython (perl is required; the test command installs it).
    let perl = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/differential.pl");
    let out = Command::new("perl")
        .arg(perl)
        .arg(&path)
        .output()
        .expect("perl is required (Debian: apt-get install perl)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let summary = stdout.lines().last().unwrap_or("");
    assert!(
        out.status.success()
            && summary.ends_with(" passed, 0 failed")
            && !summary.starts_with("0 "),
        "Perl read the fields differently:\n{stdout}"
    );
}

/// MIME parameter values of hard text (through the builders, so each value is literal),
/// with tspecials and spaces mixed in, read back exactly by CPython's modern and compat32
/// parsers with no defects (`tests/mime_differential.py`), with and without the RFC 2047
/// form for old Outlook.
#[test]
fn hard_unicode_mime_parameters_read_back_in_cpython() {
    let mut r = Rng(0x14_3131);
    let mut rows = String::new();
    let mut cases = 0;
    for _ in 0..600 {
        let o = options(&mut r).with_rfc2047_params(r.chance(25));
        let mut v = hard_text(&mut r, 1, 6);
        if r.chance(30) {
            v.push_str(r.pick(&[".pdf", " (1).txt", "; x=y", "=?", "%41", "a'b*c"]));
        }
        let pname = r.pick(&[
            "filename",
            "name",
            "title",
            "x-original-file-name-of-this-part",
        ]);
        let mut buf = vec![0u8; 1 << 16];
        let (field, ctype) = if r.chance(50) {
            let n = ContentDisposition::attachment()
                .param(pname, &v)
                .param("size", "1234")
                .format(&o, &mut buf)
                .unwrap_or_else(|e| panic!("{v:?} {o:?}: {e:?}"));
            ("Content-Disposition", n)
        } else {
            let n = ContentType::new("application/octet-stream")
                .param("name", &v)
                .format(&o, &mut buf)
                .unwrap_or_else(|e| panic!("{v:?} {o:?}: {e:?}"));
            ("Content-Type", n)
        };
        let text = std::str::from_utf8(&buf[..ctype]).unwrap();
        let (ty, params) = if field == "Content-Disposition" {
            (
                "attachment",
                format!("{pname}={},size={}", hex(&v), hex("1234")),
            )
        } else {
            ("application/octet-stream", format!("name={}", hex(&v)))
        };
        rows.push_str(&format!(
            "{cases}\t{field}\t{ty}\t{}\t{params}\t{}\n",
            u8::from(o.rfc2047_params),
            hex(text)
        ));
        cases += 1;
    }
    run_mime_differential("audit14_mime.tsv", &rows, cases);
}
