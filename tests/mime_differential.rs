//! Differential test of MIME parameter fields against CPython's `email` parser.
//!
//! A seeded generator builds a few hundred Content-Type / Content-Disposition fields (ASCII,
//! Latin, CJK and emoji file names, quotes, `%`, `'`, `;`, `\`, `=?`, tabs, values long enough
//! to need continuations; widths 40/78/998; the RFC 2047 fallback on and off; utf8 on and
//! off). Each is formatted through the builder and through the text form in two spellings
//! (quoted, and RFC 2231 with shuffled sections), which must agree byte for byte and follow
//! the line rules. `tests/mime_differential.py` then parses every field with CPython and checks
//! that the media type and every parameter come back exactly as given, without defects.

mod common;

use std::fmt::Write as _;

use common::{hex, run_mime_differential};

use mailfold::{
    format_header, ContentDisposition, ContentType, Encoding, Error, LineEnding, Options,
};

const CASES: usize = 400;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, good enough to spread the cases.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const ASCII: &[&str] = &[
    "report", "2026", ".pdf", "_final", "-v2", "data", ".tar.gz", "invoice", "x",
];
const SPECIAL: &[&str] = &[
    " ",
    "\"",
    "\\",
    "%",
    "'",
    ";",
    "=?",
    "?=",
    "%E2%82%AC",
    "(1)",
    "[x]",
    "a=b",
    "\t",
    ",",
    "*",
    "<>",
    "@",
    ":",
    "/",
];
const LATIN: &[&str] = &["Résumé", "Grüße", "naïve", "façade", "Ærø", "ß", "É"];
const CJK: &[&str] = &["山田", "報告書", "資料", "テスト", "한국어", "中文"];
const EMOJI: &[&str] = &["😀", "👩\u{200d}💻", "🇯🇵", "📎"];

fn make_value(rng: &mut Rng) -> String {
    let style = rng.below(10);
    let pools: &[&[&str]] = match style {
        0 => &[ASCII],
        1 => &[ASCII, SPECIAL],
        2 => &[ASCII, LATIN],
        3 => &[CJK],
        4 => &[CJK, ASCII, SPECIAL],
        5 => &[EMOJI, ASCII],
        6 => &[SPECIAL],
        _ => &[ASCII, SPECIAL, LATIN, CJK, EMOJI],
    };
    // Mostly short names; a third long enough to need continuations at width 78.
    let target = match rng.below(6) {
        0 | 1 => 150 + rng.below(450),
        2 => rng.below(3),
        _ => 3 + rng.below(40),
    };
    let mut v = String::new();
    while v.chars().count() < target {
        let pool = pools[rng.below(pools.len())];
        v.push_str(rng.pick(pool));
    }
    if rng.chance(5) {
        v.insert(0, ' ');
    }
    v
}

/// The value as an RFC 5322 quoted-string.
fn quoted(v: &str) -> String {
    let mut q = String::from("\"");
    for c in v.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// The value as RFC 2231 input: percent-encoded, cut into sections at character boundaries
/// (sometimes), in shuffled order (sometimes), in ISO-8859-1 when it fits (sometimes).
fn rfc2231_input(rng: &mut Rng, name: &str, v: &str) -> String {
    let latin1 = v.chars().all(|c| (c as u32) < 256) && rng.chance(30);
    let enc_char = |c: char| -> String {
        let mut s = String::new();
        if c.is_ascii_alphanumeric() || "!#$&+-.^_`|~".contains(c) {
            s.push(c);
        } else if latin1 {
            write!(s, "%{:02X}", c as u32).unwrap();
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                write!(s, "%{b:02X}").unwrap();
            }
        }
        s
    };
    let charset = if latin1 { "iso-8859-1'de'" } else { "UTF-8''" };
    let chars: Vec<char> = v.chars().collect();
    if chars.len() < 2 || rng.chance(40) {
        let body: String = chars.iter().map(|&c| enc_char(c)).collect();
        return format!("{name}*={charset}{body}");
    }
    let mut sections = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let n = 1 + rng.below(20);
        let end = (i + n).min(chars.len());
        sections.push(
            chars[i..end]
                .iter()
                .map(|&c| enc_char(c))
                .collect::<String>(),
        );
        i = end;
    }
    let mut parts: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(k, s)| {
            if k == 0 {
                format!("{name}*0*={charset}{s}")
            } else if rng.chance(20) && !s.contains('%') {
                // A plain section, quoted: RFC 2231 allows mixing.
                format!("{name}*{k}=\"{s}\"")
            } else {
                format!("{name}*{k}*={s}")
            }
        })
        .collect();
    if rng.chance(50) {
        for k in (1..parts.len()).rev() {
            let j = rng.below(k + 1);
            parts.swap(k, j);
        }
    }
    parts.join(";\r\n ")
}

fn format_to_string(f: impl Fn(&mut [u8]) -> Result<usize, Error>) -> Result<String, Error> {
    let needed = match f(&mut []) {
        Err(Error::BufferTooSmall { needed }) => needed,
        Err(e) => return Err(e),
        Ok(_) => unreachable!("nothing fits an empty buffer"),
    };
    let mut buf = vec![0u8; needed];
    let n = f(&mut buf)?;
    assert_eq!(n, needed);
    Ok(String::from_utf8(buf).expect("UTF-8 output"))
}

/// SPEC §3 line rules for a MIME field with short parameter names.
fn check_lines(field: &str, options: &Options, context: &str) {
    let eol = match options.line_ending {
        LineEnding::Crlf => "\r\n",
        LineEnding::Lf => "\n",
    };
    let body = field
        .strip_suffix(eol)
        .unwrap_or_else(|| panic!("no line ending: {context}"));
    for (i, line) in body.split(eol).enumerate() {
        assert!(
            !line.contains(['\r', '\n']),
            "bare CR/LF: {context}\n{field}"
        );
        assert!(line.len() <= 998, "over 998 octets: {context}\n{field}");
        if i > 0 {
            assert!(
                line.starts_with(' '),
                "bad continuation: {context}\n{field}"
            );
        }
        let chars = line.chars().count();
        if line.contains("=?utf-8?") {
            assert!(
                chars <= 76.min(options.max_line_len),
                "encoded-word line over 76: {context}\n{field}"
            );
        }
        // Only the media type may stand alone past the soft limit (one unbreakable token).
        if chars > options.max_line_len {
            let rest = line.split_once(": ").map_or(line, |(_, r)| r).trim_start();
            assert!(
                i == 0 && !rest.contains(' ') && !rest.contains('='),
                "line over the soft limit: {context}\n{field}"
            );
        }
    }
}

#[test]
fn cpython_reads_back_every_parameter() {
    // `MAILFOLD_DIFF_SEED=<u64>` explores other cases, as in tests/differential.rs.
    let seed = std::env::var("MAILFOLD_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6d61_696c_666f_6c64);
    eprintln!("seed {seed}");
    let mut rng = Rng(seed);
    let mut data = String::new();
    let mut extended_seen = 0;
    let mut continued_seen = 0;
    for case in 0..CASES {
        let disposition = rng.chance(50);
        let width = [40, 78, 78, 998][rng.below(4)];
        let options = Options::default()
            .with_max_line_len(width)
            .with_rfc2047_params(rng.chance(35))
            .with_utf8(rng.chance(20))
            .with_encoding([Encoding::Auto, Encoding::Q, Encoding::B][rng.below(3)])
            .with_line_ending(if rng.chance(85) {
                LineEnding::Crlf
            } else {
                LineEnding::Lf
            });
        let (field_name, ty) = if disposition {
            (
                "Content-Disposition",
                rng.pick(&["attachment", "inline", "Attachment"]),
            )
        } else {
            (
                "Content-Type",
                rng.pick(&[
                    "application/pdf",
                    "text/plain",
                    "image/PNG",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ]),
            )
        };
        let main_name = if disposition {
            rng.pick(&["filename", "FileName"])
        } else {
            "name"
        };
        let main_value = make_value(&mut rng);
        let mut params: Vec<(&str, String)> = vec![(main_name, main_value)];
        if rng.chance(40) {
            let extra = rng.pick(&[
                "size",
                "charset",
                "x-long-parameter-name-for-testing",
                "title",
            ]);
            let v = if extra == "title" {
                make_value(&mut rng)
            } else {
                format!("{}", rng.below(100_000))
            };
            if rng.chance(50) {
                params.insert(0, (extra, v));
            } else {
                params.push((extra, v));
            }
        }
        let context = format!("case {case}: {field_name} {ty} {params:?} {options:?}");

        let built = if disposition {
            let mut b = ContentDisposition::new(ty);
            for (n, v) in &params {
                b = b.param(n, v);
            }
            format_to_string(|out| b.format(&options, out))
        } else {
            let mut b = ContentType::new(ty);
            for (n, v) in &params {
                b = b.param(n, v);
            }
            format_to_string(|out| b.format(&options, out))
        }
        .unwrap_or_else(|e| panic!("{context}: {e}"));
        check_lines(&built, &options, &context);
        if built.contains("*0") {
            continued_seen += 1;
        }
        if built.contains("''") {
            extended_seen += 1;
        }

        // The same field from the text form, quoted and in RFC 2231 spelling.
        let text_quoted: String = std::iter::once(ty.to_string())
            .chain(params.iter().map(|(n, v)| format!("{n}={}", quoted(v))))
            .collect::<Vec<_>>()
            .join("; ");
        let from_text =
            format_to_string(|out| format_header(field_name, &text_quoted, &options, out))
                .unwrap_or_else(|e| panic!("{context}: text form {text_quoted:?}: {e}"));
        assert_eq!(from_text, built, "text form differs: {context}");
        let text_2231: String = std::iter::once(ty.to_string())
            .chain(params.iter().map(|(n, v)| {
                if v.is_empty() {
                    format!("{n}=\"\"")
                } else {
                    rfc2231_input(&mut rng, n, v)
                }
            }))
            .collect::<Vec<_>>()
            .join(";\r\n\t");
        let from_2231 =
            format_to_string(|out| format_header(field_name, &text_2231, &options, out))
                .unwrap_or_else(|e| panic!("{context}: RFC 2231 input {text_2231:?}: {e}"));
        assert_eq!(
            from_2231, built,
            "RFC 2231 input differs: {context}\n{text_2231}"
        );

        let params_hex: Vec<String> = params
            .iter()
            .map(|(n, v)| format!("{n}={}", hex(v)))
            .collect();
        writeln!(
            data,
            "{case}\t{field_name}\t{ty}\t{}\t{}\t{}",
            u8::from(options.rfc2047_params),
            params_hex.join(","),
            hex(&built)
        )
        .unwrap();
    }
    // The generator must actually reach the interesting forms.
    assert!(
        extended_seen > CASES / 4,
        "only {extended_seen} RFC 2231 values"
    );
    assert!(
        continued_seen > CASES / 10,
        "only {continued_seen} continuations"
    );

    run_mime_differential("mime_differential.tsv", &data, CASES);
}
