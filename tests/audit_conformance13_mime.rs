//! Conformance audit, round 13: MIME parameter fields (SPEC §7) read back by an RFC 2231
//! reader of this file's own (no code shared with CPython's `email`, which
//! `tests/mime_differential.py` uses), over random values: non-ASCII, tspecials, white space,
//! `%`, `*`, `'`, long ASCII, every option. Expectations come from SPEC §3, §7 and RFC 2045 /
//! RFC 2231 text, never from running mailfold.

mod common;
use common::Rng;
use mailfold::{ContentDisposition, Encoding, Error, LineEnding, Options};

const TSPECIALS: &[u8] = b"()<>@,;:\\\"/[]?=";

fn is_token_char(c: u8) -> bool {
    (33..127).contains(&c) && !TSPECIALS.contains(&c)
}

/// One parameter as written: its name (without the `*N*` section mark), section number,
/// whether extended (`*` at the end), and its value text (quoted-string unquoted).
struct Section {
    name: String,
    num: Option<usize>,
    ext: bool,
    value: Vec<u8>,
    line_chars: usize,
    line: usize,
}

fn unhex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Reads `type; p=v; ...` (already unfolded into (text, line) pairs so each parameter knows
/// the width of the line it sits on).
fn read_sections(
    lines: &[String],
    first_prefix: usize,
    utf8: bool,
) -> Result<Vec<Section>, String> {
    let mut out = Vec::new();
    let mut first = true;
    for (li, l) in lines.iter().enumerate() {
        let width = if utf8 { l.chars().count() } else { l.len() };
        let body = if li == 0 { &l[first_prefix..] } else { &l[..] };
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            if i == b.len() {
                break;
            }
            if first {
                // The disposition type.
                let s = i;
                while i < b.len() && b[i] != b';' && b[i] != b' ' {
                    i += 1;
                }
                if &body[s..i] != "attachment" {
                    return Err(format!("type {:?}", &body[s..i]));
                }
                first = false;
            } else {
                let s = i;
                while i < b.len() && b[i] != b'=' {
                    i += 1;
                }
                let full = &body[s..i];
                if i == b.len() {
                    return Err(format!("parameter without `=`: {full:?}"));
                }
                i += 1;
                let (base, ext) = match full.strip_suffix('*') {
                    Some(n) => (n, true),
                    None => (full, false),
                };
                let (name, num) = match base.split_once('*') {
                    Some((n, k)) => {
                        if k.len() > 1 && k.starts_with('0') {
                            return Err(format!("section with a leading zero {full}"));
                        }
                        (
                            n,
                            Some(k.parse::<usize>().map_err(|_| format!("section {full}"))?),
                        )
                    }
                    None => (base, None),
                };
                if name.is_empty() || !name.bytes().all(is_token_char) {
                    return Err(format!("parameter name {name:?}"));
                }
                let mut value = Vec::new();
                if b.get(i) == Some(&b'"') {
                    if ext {
                        return Err(format!("extended value quoted: {full}"));
                    }
                    i += 1;
                    loop {
                        match b.get(i) {
                            None => return Err("open quoted-string".into()),
                            Some(b'"') => break,
                            Some(b'\\') => {
                                value.push(*b.get(i + 1).ok_or("open quoted-pair")?);
                                i += 2;
                            }
                            Some(&c) => {
                                value.push(c);
                                i += 1;
                            }
                        }
                    }
                    i += 1;
                } else {
                    let s = i;
                    while i < b.len() && b[i] != b';' && b[i] != b' ' {
                        i += 1;
                    }
                    let t = &b[s..i];
                    if t.is_empty() || !t.iter().all(|&c| is_token_char(c)) {
                        return Err(format!(
                            "value {:?} is no token",
                            String::from_utf8_lossy(t)
                        ));
                    }
                    value.extend_from_slice(t);
                }
                out.push(Section {
                    name: name.to_string(),
                    num,
                    ext,
                    value,
                    line_chars: width,
                    line: li,
                });
            }
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            if i < b.len() {
                if b[i] != b';' {
                    return Err(format!("no `;` after a parameter in {body:?}"));
                }
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Joins sections into parameters (RFC 2231 §3 and §4), checking each extended section
/// decodes to whole UTF-8 characters on its own and never splits a `%XX` (SPEC §7).
fn join(sections: &[Section]) -> Result<Vec<(String, String, bool)>, String> {
    let mut params: Vec<(String, Vec<u8>, bool)> = Vec::new();
    let mut expect_next: Option<(String, usize)> = None;
    for s in sections {
        let lname = s.name.to_ascii_lowercase();
        let mut val = s.value.clone();
        if s.ext {
            let mut text: &[u8] = &val;
            let starts = s.num.is_none_or(|n| n == 0);
            if starts {
                let q1 = text.iter().position(|&c| c == b'\'').ok_or("no charset")?;
                let cs = &text[..q1];
                if !cs.eq_ignore_ascii_case(b"utf-8") {
                    return Err(format!("charset {}", String::from_utf8_lossy(cs)));
                }
                let q2 = text[q1 + 1..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .ok_or("no language")?;
                text = &text[q1 + 1 + q2 + 1..];
            }
            let mut dec = Vec::new();
            let mut i = 0;
            while i < text.len() {
                if text[i] == b'%' {
                    let h = text.get(i + 1).copied().and_then(unhex);
                    let l = text.get(i + 2).copied().and_then(unhex);
                    match (h, l) {
                        (Some(h), Some(l)) => dec.push(h << 4 | l),
                        _ => {
                            return Err(format!(
                                "split or bad %XX in {:?}",
                                String::from_utf8_lossy(text)
                            ))
                        }
                    }
                    i += 3;
                } else {
                    // RFC 2231 attribute-char: token chars except `*`, `'`, `%`.
                    if !is_token_char(text[i]) || b"*'%".contains(&text[i]) {
                        return Err(format!("raw {:?} in an extended value", text[i] as char));
                    }
                    dec.push(text[i]);
                    i += 1;
                }
            }
            if std::str::from_utf8(&dec).is_err() {
                return Err(format!("extended section {} not whole characters", s.name));
            }
            val = dec;
        } else if std::str::from_utf8(&val).is_err() {
            return Err(format!("section of {} not whole characters", s.name));
        }
        match s.num {
            None | Some(0) => {
                if params
                    .iter()
                    .any(|p| p.0 == lname && p.2 == (s.ext || s.num.is_some()))
                {
                    return Err(format!("duplicate {lname}"));
                }
                params.push((lname.clone(), val, s.ext || s.num.is_some()));
                expect_next = s.num.map(|_| (lname, 1));
            }
            Some(n) => {
                match &expect_next {
                    Some((nm, k)) if *nm == lname && *k == n => {}
                    _ => return Err(format!("section {n} of {lname} out of order")),
                }
                params.last_mut().unwrap().1.extend_from_slice(&val);
                expect_next = Some((lname, n + 1));
            }
        }
    }
    params
        .into_iter()
        .map(|(n, v, e)| {
            String::from_utf8(v)
                .map(|v| (n, v, e))
                .map_err(|_| "not UTF-8".into())
        })
        .collect()
}

fn format(cd: &ContentDisposition<'_>, o: &Options) -> Result<String, Error> {
    let needed = match cd.format(o, &mut []) {
        Err(Error::BufferTooSmall { needed }) => needed,
        Err(e) => return Err(e),
        Ok(n) => panic!("{n} into nothing"),
    };
    let mut buf = vec![0u8; needed];
    assert_eq!(cd.format(o, &mut buf), Ok(needed));
    Ok(String::from_utf8(buf).unwrap())
}

const PIECES: &[&str] = &[
    "report",
    "a",
    " ",
    "  ",
    "\t",
    ".",
    "(",
    ")",
    "<",
    ">",
    "@",
    ",",
    ";",
    ":",
    "\\",
    "\"",
    "/",
    "[",
    "]",
    "?",
    "=",
    "%",
    "*",
    "'",
    "%41",
    "=?",
    "?=",
    "é",
    "Grüße",
    "日本語",
    "😀",
    "👨\u{200d}👩\u{200d}👧",
    "e\u{301}",
    "\u{85}",
    "\u{2028}",
    "\u{9b}",
    "\u{a0}",
    "\u{feff}",
    "~!#$&+^_`{|}",
    "-",
    "_",
];

/// SPEC §7 with SPEC §3's line rules: the value comes back exactly through RFC 2231 (token,
/// quoted-string or `name*=utf-8''%XX`, continuations `name*0*=`, `name*1*=`... in order),
/// each section whole characters, no `%XX` split, every line within the soft limit unless it
/// holds one section that cannot be shortened (one character), ≤ 998 octets, ASCII unless
/// utf8 is on, and U+0085/U+2028/C1 never raw.
#[test]
fn random_parameters_read_back_through_rfc2231() {
    let mut r = Rng(0x13_2231);
    let names = [
        "filename",
        "name",
        "x-a-rather-long-parameter-name-for-folding",
        "size",
        "creation-date",
    ];
    let mut failures = Vec::new();
    for case in 0..5000 {
        let utf8 = r.below(2) == 0;
        let lf = r.below(2) == 0;
        let max = match r.below(3) {
            0 => 78,
            1 => 40 + r.below(10),
            _ => 40 + r.below(300),
        };
        let o = Options::default()
            .with_max_line_len(max)
            .with_line_ending(if lf { LineEnding::Lf } else { LineEnding::Crlf })
            .with_utf8(utf8)
            .with_encoding([Encoding::Auto, Encoding::Q, Encoding::B][r.below(3)]);
        let n = 1 + r.below(3);
        let mut vals = Vec::new();
        for k in 0..n {
            let mut v = String::new();
            for _ in 0..1 + r.below(10) {
                match r.below(8) {
                    0 => v.push_str(&"x".repeat(1 + r.below(150))),
                    1 => v.push_str(&"é".repeat(1 + r.below(40))),
                    _ => v.push_str(PIECES[r.below(PIECES.len())]),
                }
            }
            vals.push((names[(k + case) % names.len()], v));
        }
        let mut cd = ContentDisposition::attachment();
        for (nm, v) in &vals {
            cd = cd.param(nm, v);
        }
        let out = match format(&cd, &o) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("case {case}: {e:?} for {vals:?}"));
                continue;
            }
        };
        let end = if lf { "\n" } else { "\r\n" };
        let mut bad = None;
        let body = out
            .strip_suffix(end)
            .unwrap_or_else(|| panic!("ending of {out:?}"));
        let ls: Vec<String> = body.split(end).map(str::to_string).collect();
        if ls.iter().any(|l| l.contains('\r') || l.contains('\n')) {
            bad = Some("bare CR or LF".to_string());
        }
        if !utf8 && !out.is_ascii() {
            bad = Some("non-ASCII with utf8 off".into());
        }
        if out.contains(['\u{85}', '\u{2028}', '\u{9b}']) {
            bad = Some("raw line breaker".into());
        }
        for l in &ls {
            if l.len() > 998 {
                bad = Some(format!("line of {} octets", l.len()));
            }
        }
        match read_sections(&ls, "Content-Disposition:".len(), utf8) {
            Err(e) => bad = Some(e),
            Ok(secs) => {
                for s in &secs {
                    let one_char = if s.ext {
                        let t = String::from_utf8_lossy(&s.value);
                        let t = t.rsplit('\'').next().unwrap_or("").to_string();
                        // One %XX group of one character, or one raw character.
                        let pct = t.matches('%').count();
                        let groups =
                            t.len() == 3 * pct && t.as_bytes().chunks(3).all(|g| g[0] == b'%');
                        t.len() <= 1
                            || (groups && {
                                let bytes: Vec<u8> = t
                                    .as_bytes()
                                    .chunks(3)
                                    .map(|g| {
                                        unhex(g[1]).unwrap_or(0) << 4 | unhex(g[2]).unwrap_or(0)
                                    })
                                    .collect();
                                std::str::from_utf8(&bytes).is_ok_and(|c| c.chars().count() == 1)
                            })
                    } else {
                        std::str::from_utf8(&s.value).is_ok_and(|v| v.chars().count() <= 1)
                    };
                    let on_line = secs.iter().filter(|o| o.line == s.line).count();
                    if s.line_chars > max && (!one_char || on_line > 1) {
                        bad = Some(format!(
                            "section {} {:?} on a {}-character line (limit {max})",
                            s.name,
                            String::from_utf8_lossy(&s.value),
                            s.line_chars
                        ));
                    }
                }
                match join(&secs) {
                    Err(e) => bad = Some(e),
                    Ok(params) => {
                        let got: Vec<(String, String)> = params
                            .iter()
                            .map(|(n, v, _)| (n.clone(), v.clone()))
                            .collect();
                        let want: Vec<(String, String)> = vals
                            .iter()
                            .map(|(n, v)| (n.to_string(), v.to_string()))
                            .collect();
                        if got != want {
                            bad = Some(format!("read back {got:?}"));
                        }
                    }
                }
            }
        }
        if let Some(b) = bad {
            failures.push(format!("case {case} {o:?}: {b}: {vals:?}\n{out}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}
