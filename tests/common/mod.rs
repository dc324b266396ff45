//! Checkers shared by the integration tests.
//!
//! Written from SPEC §3–§6, RFC 5322 and RFC 2047 alone (not from `src/`), so they can catch
//! the core's mistakes instead of repeating them. Each test file uses a different subset.
#![allow(dead_code)]

use mailfold::{format_field, Encoding, Error, FieldClass, LineEnding, Options};

/// Which syntax an output line is tokenised with for the length rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Free text: folds only at white space, encoded-words delimited by white space.
    Unstructured,
    /// msg-id lists: no encoded-words, folds only between ids, only when needed.
    MsgId,
    /// Address lists, Keywords, List-Id, Return-Path: quoted-strings, `<...>` and `[...]` are
    /// unbreakable, encoded-words may touch `,` `;` `:`.
    Structured,
    /// ASCII structured fields: never encoded.
    Ascii,
}

pub fn ending(opts: &Options) -> &'static [u8] {
    match opts.line_ending {
        LineEnding::Crlf => b"\r\n",
        LineEnding::Lf => b"\n",
    }
}

pub fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Splits a formatted field into its lines (without endings), rejecting bare CR/LF and a
/// missing final ending.
pub fn split_lines<'a>(out: &'a [u8], opts: &Options) -> Result<Vec<&'a [u8]>, String> {
    let end = ending(opts);
    if !out.ends_with(end) {
        return Err("output does not end with the chosen line ending".into());
    }
    let body = &out[..out.len() - end.len()];
    let mut lines = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < body.len() {
        if body[i..].starts_with(end) {
            lines.push(&body[start..i]);
            i += end.len();
            start = i;
        } else if body[i] == b'\r' || body[i] == b'\n' {
            return Err(format!("bare CR or LF at byte {i}"));
        } else {
            i += 1;
        }
    }
    lines.push(&body[start..]);
    Ok(lines)
}

/// Whether `Name: value` can be folded with every line at most `limit` characters wide
/// (RFC 5322 §2.2.3: a fold is a line break before any SP/HTAB; no line may be white space
/// alone; SPEC §3: no fold right after `Name:`, the first token's rule for 998 aside). The
/// value's characters are its columns: ASCII, or UTF-8 text written as it stands (utf8 on).
/// A search over the fold points from the end, each visited once.
pub fn layout_exists(name: &str, value: &str, limit: usize) -> bool {
    let is_ws = |c: char| c == ' ' || c == '\t';
    let field: Vec<char> = format!("{name}: {value}").chars().collect();
    let start = name.chars().count() + 2;
    // Positions in "Name: value" before which a fold may go, and the end.
    let mut points: Vec<usize> = (start..field.len()).filter(|&i| is_ws(field[i])).collect();
    points.push(field.len());
    let n = points.len();
    let line_fits =
        |from: usize, to: usize| to - from <= limit && field[from..to].iter().any(|&c| !is_ws(c));
    // ok[k]: a line starting at points[k] can begin a layout of the rest within the limit.
    let mut ok = vec![false; n];
    for k in (0..n - 1).rev() {
        ok[k] = (k + 1..n)
            .take_while(|&m| points[m] - points[k] <= limit)
            .any(|m| line_fits(points[k], points[m]) && (m == n - 1 || ok[m]));
    }
    (0..n)
        .take_while(|&m| points[m] <= limit)
        .any(|m| line_fits(0, points[m]) && points[m] > start && (m == n - 1 || ok[m]))
}

/// SPEC §3, "every line ≤ the soft limit wherever a fold point allows": when some legal
/// layout of `Name: value` keeps every line within `limit` ([`layout_exists`]), the lines
/// mailfold wrote (their `widths`) must all be within it. Returns whether such a layout
/// exists (callers count the cases that were checked).
pub fn check_within_limit_where_a_layout_is(
    name: &str,
    value: &str,
    limit: usize,
    widths: &[usize],
) -> bool {
    if !layout_exists(name, value, limit) {
        return false;
    }
    assert!(
        widths.iter().all(|&w| w <= limit),
        "{name}: {value:?} at {limit}: line widths {widths:?}, though a layout within {limit} \
         exists"
    );
    true
}

/// [`layout_exists`] for values with tokens too long for the soft limit: whether `Name: value`
/// (ASCII) can be folded so that every line is within 998 octets, and within `limit` unless
/// it holds a single token that cannot fit within `limit` on any line (after one space, or
/// after `Name: ` on the first). A line within `limit` never passes it to hold white space,
/// which is what [`line_within_limit_or_one_long_token`] checks of mailfold's lines.
pub fn layout_exists_with_long_tokens(name: &str, value: &str, limit: usize) -> bool {
    let is_ws = |c: u8| c == b' ' || c == b'\t';
    let field = format!("{name}: {value}").into_bytes();
    let start = name.len() + 2;
    let mut points: Vec<usize> = (start..field.len()).filter(|&i| is_ws(field[i])).collect();
    points.push(field.len());
    let n = points.len();
    let line_fits = |from: usize, to: usize| {
        line_within_limit_or_one_long_token(&field[from..to], from == 0, name.len(), limit)
    };
    let mut ok = vec![false; n];
    for k in (0..n - 1).rev() {
        ok[k] = (k + 1..n)
            .take_while(|&m| points[m] - points[k] <= 998)
            .any(|m| line_fits(points[k], points[m]) && (m == n - 1 || ok[m]));
    }
    (0..n)
        .take_while(|&m| points[m] <= 998)
        .any(|m| line_fits(0, points[m]) && points[m] > start && (m == n - 1 || ok[m]))
}

/// The line rule of [`layout_exists_with_long_tokens`] for one line (without its ending;
/// `first`: it starts with `Name:`, `name_len` octets before the colon).
pub fn line_within_limit_or_one_long_token(
    line: &[u8],
    first: bool,
    name_len: usize,
    limit: usize,
) -> bool {
    let body = if first { &line[name_len + 1..] } else { line };
    let mut tokens = body
        .split(|&c| c == b' ' || c == b'\t')
        .filter(|t| !t.is_empty());
    let Some(token) = tokens.next() else {
        return false;
    };
    if line.len() > 998 {
        return false;
    }
    if line.len() <= limit {
        return true;
    }
    let alone = if first { name_len + 2 } else { 1 } + token.len();
    tokens.next().is_none() && alone > limit
}

/// Line width as the soft limit counts it: characters with utf8 on, octets otherwise.
pub fn width(line: &[u8], utf8: bool) -> usize {
    if utf8 {
        String::from_utf8_lossy(line).chars().count()
    } else {
        line.len()
    }
}

fn trim_wsp(s: &[u8]) -> &[u8] {
    let mut a = 0;
    let mut b = s.len();
    while a < b && is_wsp(s[a]) {
        a += 1;
    }
    while b > a && is_wsp(s[b - 1]) {
        b -= 1;
    }
    &s[a..b]
}

/// Splits at white space; for structured fields white space inside a quoted-string, an
/// angle-addr/msg-id or a domain literal does not split (those are never folded inside).
pub fn tokens(s: &[u8], kind: Kind) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let (mut in_q, mut esc, mut angle, mut square) = (false, false, false, false);
    for (i, &b) in s.iter().enumerate() {
        let structured = kind == Kind::Structured;
        if structured && in_q {
            if esc {
                esc = false;
            } else if b == b'\\' {
                esc = true;
            } else if b == b'"' {
                in_q = false;
            }
            continue;
        }
        if structured && (angle || square) {
            if b == b'>' {
                angle = false;
            }
            if b == b']' {
                square = false;
            }
            continue;
        }
        if is_wsp(b) {
            if let Some(st) = start.take() {
                out.push(&s[st..i]);
            }
            continue;
        }
        if start.is_none() {
            start = Some(i);
        }
        if structured {
            match b {
                b'"' => in_q = true,
                b'<' => angle = true,
                b'[' => square = true,
                _ => {}
            }
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

/// The outcome of looking at one white-space-delimited token that starts like an
/// encoded-word.
pub fn parse_encoded_word(tok: &str, phrase: bool) -> Result<Vec<u8>, String> {
    if tok.len() > 75 {
        return Err(format!("encoded-word longer than 75 characters: {tok}"));
    }
    if tok.starts_with("=?")
        && tok.trim_end_matches([',', ';', ':']).ends_with("?=")
        && !tok.ends_with("?=")
    {
        return Err(format!(
            "encoded-word not separated from a special by white space (RFC 2047 §5 (3)): {tok}"
        ));
    }
    if !(tok.starts_with("=?") && tok.ends_with("?=") && tok.len() >= 4) {
        return Err(format!("not an encoded-word: {tok}"));
    }
    let inner = &tok[2..tok.len() - 2];
    let parts: Vec<&str> = inner.split('?').collect();
    if parts.len() != 3 {
        return Err(format!("malformed encoded-word: {tok}"));
    }
    let (charset, enc, text) = (parts[0], parts[1], parts[2]);
    if !charset.eq_ignore_ascii_case("utf-8") {
        return Err(format!("charset is not utf-8: {tok}"));
    }
    if text.is_empty() {
        return Err(format!("empty encoded-word: {tok}"));
    }
    let bytes = match enc {
        "q" | "Q" => q_decode(text, phrase).map_err(|e| format!("{e} in {tok}"))?,
        "b" | "B" => b64_decode(text).map_err(|e| format!("{e} in {tok}"))?,
        _ => return Err(format!("unknown encoding: {tok}")),
    };
    // RFC 2047 §5 (3): each encoded-word must decode to whole characters on its own.
    if std::str::from_utf8(&bytes).is_err() {
        return Err(format!("encoded-word is not whole UTF-8 characters: {tok}"));
    }
    Ok(bytes)
}

/// The length of `bytes` as the text of a Q encoded-word, written as RFC 2047 allows at its
/// shortest: one character for a space (`_`) and for each byte allowed literally (§4.2 in
/// text: printable ASCII but `=`, `?`, `_`; §5(3) in a phrase: letters, digits, `!*+-/`),
/// three (`=XX`) for any other byte.
pub fn q_text_len(bytes: &[u8], phrase: bool) -> usize {
    bytes
        .iter()
        .map(|&b| {
            let literal = if phrase {
                b.is_ascii_alphanumeric() || b"!*+-/".contains(&b)
            } else {
                (0x21..=0x7e).contains(&b) && !b"=?_".contains(&b)
            };
            if b == b' ' || literal {
                1
            } else {
                3
            }
        })
        .sum()
}

/// The length of `n` bytes as the text of a B encoded-word (padded base64).
pub fn b_text_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// SPEC §4: with `Encoding::Auto` each encoded-word is in the shorter of Q and B for its own
/// content, Q on a tie. Judged word by word from the output alone, as an independent reader
/// would: decode the word, and compare the two encodings of what it holds.
pub fn check_auto_choice(word: &str, bytes: &[u8], phrase: bool) -> Result<(), String> {
    let (q, b) = (q_text_len(bytes, phrase), b_text_len(bytes.len()));
    let is_q = word
        .split('?')
        .nth(2)
        .is_some_and(|e| e.eq_ignore_ascii_case("q"));
    if is_q && q > b {
        return Err(format!(
            "Auto wrote {word} in Q ({q} characters) where B takes {b}"
        ));
    }
    if !is_q && q <= b {
        return Err(format!(
            "Auto wrote {word} in B ({b} characters) where Q takes {q}"
        ));
    }
    Ok(())
}

fn hexval(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// RFC 2047 §4.2; in a phrase only the §5 (3) set may appear literally.
pub fn q_decode(text: &str, phrase: bool) -> Result<Vec<u8>, String> {
    let t = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let b = t[i];
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let hi = t.get(i + 1).copied().and_then(hexval);
                let lo = t.get(i + 2).copied().and_then(hexval);
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push(h * 16 + l),
                    _ => return Err("bad =XX escape".into()),
                }
                i += 2;
            }
            b'?' | b' ' | b'\t' => return Err("forbidden character in Q text".into()),
            0x21..=0x7e => {
                if phrase && !(b.is_ascii_alphanumeric() || b"!*+-/".contains(&b)) {
                    return Err(format!("{:?} is not phrase-safe in Q text", b as char));
                }
                out.push(b)
            }
            _ => return Err("non-printable byte in Q text".into()),
        }
        i += 1;
    }
    Ok(out)
}

pub fn b64_decode(text: &str) -> Result<Vec<u8>, String> {
    let t = text.as_bytes();
    if !t.len().is_multiple_of(4) {
        return Err("base64 length not a multiple of 4".into());
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    for (ci, chunk) in t.chunks(4).enumerate() {
        let last = ci == t.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return Err("bad base64 padding".into());
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = n << 6 | val(c).ok_or("bad base64 character")?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Ok(out)
}

/// Everything after `Name:` with the line endings removed (RFC 5322 §2.2.3 unfolding).
pub fn unfold_value(out: &[u8], name: &str, opts: &Options) -> Result<Vec<u8>, String> {
    let lines = split_lines(out, opts)?;
    let mut v = Vec::new();
    for l in lines {
        v.extend_from_slice(l);
    }
    let prefix = format!("{name}:");
    if !v.starts_with(prefix.as_bytes()) {
        return Err("output does not start with `Name:`".into());
    }
    Ok(v[prefix.len()..].to_vec())
}

/// RFC 2047 §6.2 decoding of an unstructured value: encoded-words (whole white-space
/// delimited tokens) are decoded, white space between two adjacent encoded-words is dropped,
/// everything else is kept byte for byte.
pub fn decode_unstructured(v: &[u8]) -> Result<String, String> {
    let s = std::str::from_utf8(v).map_err(|_| "value is not UTF-8".to_string())?;
    let mut out = String::new();
    let mut pending_ws = String::new();
    let mut prev_ew = false;
    let mut rest = s;
    while !rest.is_empty() {
        let ws_len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if ws_len > 0 {
            pending_ws.push_str(&rest[..ws_len]);
            rest = &rest[ws_len..];
            continue;
        }
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if word.contains("=?") || (word.starts_with("=?") && word.ends_with("?=")) {
            // Anything with `=?` must be a proper encoded-word: lenient decoders would decode
            // a lookalike, so the formatter must never emit one as literal text.
            let bytes = parse_encoded_word(word, false)?;
            if !prev_ew {
                out.push_str(&pending_ws);
            }
            out.push_str(std::str::from_utf8(&bytes).unwrap());
            prev_ew = true;
        } else {
            out.push_str(&pending_ws);
            out.push_str(word);
            prev_ew = false;
        }
        pending_ws.clear();
    }
    out.push_str(&pending_ws);
    Ok(out)
}

/// The value a lossless formatter must give back: caller folds (CRLF/LF followed by SP or
/// HTAB) lose their line break, and leading/trailing white space does not count.
pub fn expected_unstructured(input: &str) -> String {
    let b = input.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') && b.get(i + 2).is_some_and(|&c| is_wsp(c))
        {
            i += 2;
            continue;
        }
        if b[i] == b'\n' && b.get(i + 1).is_some_and(|&c| is_wsp(c)) {
            i += 1;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(trim_wsp(&out).to_vec()).unwrap()
}

pub fn trim_ws(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Checks every structural rule of SPEC §3 (and the encoded-word rules of §4) on one
/// formatted field. `name` is the caller's spelling.
pub fn check_structure(out: &[u8], name: &str, kind: Kind, opts: &Options) -> Result<(), String> {
    let lines = split_lines(out, opts)?;
    let soft = opts.max_line_len;
    let prefix = format!("{name}:");
    if !lines[0].starts_with(prefix.as_bytes()) {
        return Err("first line does not start with `Name:`".into());
    }
    if !opts.utf8 {
        if let Some(p) = out.iter().position(|&b| b >= 0x80) {
            return Err(format!("non-ASCII byte at {p} with utf8 off"));
        }
    }
    let text = std::str::from_utf8(out).map_err(|_| "output is not UTF-8".to_string())?;
    for (i, c) in text.char_indices() {
        let cu = c as u32;
        let bad = (cu < 0x20 && c != '\t' && c != '\r' && c != '\n')
            || cu == 0x7f
            || (0x80..=0x9f).contains(&cu)
            || cu == 0x2028
            || cu == 0x2029;
        if bad {
            return Err(format!(
                "raw control or line separator U+{cu:04X} at byte {i}"
            ));
        }
    }
    if kind == Kind::MsgId && text.contains("=?") {
        return Err("msg-id field contains `=?`".into());
    }
    for (li, line) in lines.iter().enumerate() {
        let content: &[u8] = if li == 0 {
            &line[prefix.len()..]
        } else {
            if !line.first().is_some_and(|&b| is_wsp(b)) {
                return Err(format!("line {li} does not start with SP or HTAB"));
            }
            line
        };
        if li > 0 && trim_wsp(content).is_empty() {
            return Err(format!(
                "line {li} holds only white space (RFC 5322 §3.2.2)"
            ));
        }
        if line.len() > 998 {
            return Err(format!("line {li} is {} octets (> 998)", line.len()));
        }
        let w = width(line, opts.utf8);
        let toks = tokens(trim_wsp(content), kind);
        let mut has_ew = false;
        for t in &toks {
            let t = std::str::from_utf8(t).map_err(|_| "line is not UTF-8".to_string())?;
            if matches!(kind, Kind::MsgId | Kind::Ascii) || !t.contains("=?") {
                continue;
            }
            if kind == Kind::Structured && t.starts_with('"') {
                continue; // literal text inside a quoted-string is checked by the decoder
            }
            // RFC 2047 §5: an encoded-word in a phrase is separated from any adjacent word or
            // special (`,` `:` `;` too) by white space, so it is always a whole token.
            let bytes = parse_encoded_word(t, kind == Kind::Structured)?;
            if opts.encoding == Encoding::Auto {
                check_auto_choice(t, &bytes, kind == Kind::Structured)?;
            }
            has_ew = true;
        }
        if has_ew && (w > 76 || w > soft) {
            return Err(format!(
                "line {li} holds an encoded-word and is {w} wide (limit min(76, {soft}))"
            ));
        }
        if w > soft && toks.len() > 1 {
            return Err(format!(
                "line {li} is {w} wide (> {soft}) but has a fold point"
            ));
        }
        // The break goes before white space (SPEC §3): trailing white space on a line that is
        // too wide could have started the next line instead, unless it keeps the next line
        // within a limit: within the soft one (SPEC §3, every line within it wherever a fold
        // point allows), or, for a next line past the soft limit with one long token, within
        // 998 octets. Only the last line may keep the value's own trailing white space (a
        // line of only white space is not allowed).
        let trailing = line.iter().rev().take_while(|&&b| is_wsp(b)).count();
        let could_start_next = lines.get(li + 1).is_some_and(|next| {
            let wn = width(next, opts.utf8);
            wn + trailing <= soft || (wn > soft && next.len() + trailing <= 998)
        });
        if w > soft && trailing > 0 && could_start_next && !toks.is_empty() {
            return Err(format!(
                "line {li} is {w} wide (> {soft}) and ends in white space that could start the next line"
            ));
        }
        if li == 0 && toks.is_empty() && lines.len() > 1 {
            let next = tokens(trim_wsp(lines[1]), kind);
            let first = next.first().copied().unwrap_or_default();
            // An encoded-word must also keep its line within min(76, soft) (RFC 2047 §2):
            // the fold is needed when even the shortest one, holding only the first
            // character, would not fit after `Name: ` in the encoding the options ask for.
            let fits = match std::str::from_utf8(first)
                .ok()
                .filter(|t| t.starts_with("=?"))
            {
                Some(word) => {
                    let bytes = parse_encoded_word(word, kind == Kind::Structured)?;
                    let c = String::from_utf8_lossy(&bytes)
                        .chars()
                        .next()
                        .unwrap_or('a');
                    let k = c.len_utf8();
                    let q = if c.is_ascii_graphic() && !"=?_".contains(c) {
                        1
                    } else {
                        3 * k
                    };
                    let b = 4 * k.div_ceil(3);
                    let shortest = 12
                        + match opts.encoding {
                            Encoding::Q => q,
                            Encoding::B => b,
                            _ => q.min(b),
                        };
                    prefix.len() + 1 + shortest <= soft.min(76)
                }
                None => prefix.len() + 1 + first.len() <= 998,
            };
            if fits {
                return Err("fold directly after `Name:` although the first token fits".into());
            }
        }
        if kind == Kind::MsgId && li > 0 {
            let prev = lines[li - 1];
            let prev_empty = li == 1 && trim_wsp(&prev[prefix.len()..]).is_empty();
            if !prev_empty {
                let first = toks.first().map_or(&[][..], |t| *t);
                // Needed when the id would pass the soft limit (characters with utf8) or 998
                // octets.
                let fits_soft = width(prev, opts.utf8) + 1 + width(first, opts.utf8) <= soft;
                if fits_soft && prev.len() + 1 + first.len() <= 998 {
                    return Err(format!("needless fold before line {li} of a msg-id field"));
                }
            }
        }
    }
    Ok(())
}

/// A small, fixed PRNG (SplitMix64) so generated cases are the same on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn range(&mut self, lo: usize, hi_incl: usize) -> usize {
        lo + self.below(hi_incl - lo + 1)
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// Formats a header (class from the name) into a buffer of exactly the size the size query
/// asked for, as a C caller sizing its buffer would, and returns the field as text. An error
/// must be the same from the size query and from a call with a large buffer (SPEC §1.2:
/// "Validation does not depend on `out_cap`").
pub fn format_exact(name: &str, value: &str, options: &Options) -> Result<String, Error> {
    use mailfold::format_header;
    let needed = match format_header(name, value, options, &mut []) {
        Err(Error::BufferTooSmall { needed }) => needed,
        Err(e) => {
            let mut big = vec![0u8; 1 << 14];
            assert_eq!(
                format_header(name, value, options, &mut big),
                Err(e),
                "{name}: {value:?}: the size query and the real call disagree"
            );
            return Err(e);
        }
        Ok(_) => unreachable!("nothing fits an empty buffer"),
    };
    let mut out = vec![0u8; needed];
    let n = format_header(name, value, options, &mut out)?;
    Ok(String::from_utf8(out[..n].to_vec()).unwrap())
}

/// Formats a field into a buffer of exactly the size the size query asked for, and checks the
/// size both ways: `needed - 1` bytes must give `BufferTooSmall { needed }` (SPEC §1.2: the
/// error carries the exact size), and an error must be the same from the size query and from
/// a call with a large buffer (validation never depends on `out_cap`).
#[allow(dead_code)]
pub fn format_field_exact(
    name: &str,
    class: FieldClass,
    value: &str,
    o: &Options,
) -> Result<Vec<u8>, Error> {
    let needed = match format_field(name, class, value, o, &mut []) {
        Err(Error::BufferTooSmall { needed }) => needed,
        Ok(n) => panic!("wrote {n} bytes into an empty buffer"),
        Err(e) => {
            let mut big = vec![0u8; 1 << 15];
            assert_eq!(
                format_field(name, class, value, o, &mut big),
                Err(e),
                "{name}: {value:?}: size query and real call disagree"
            );
            return Err(e);
        }
    };
    let mut buf = vec![0u8; needed];
    let n = format_field(name, class, value, o, &mut buf).expect("exact buffer");
    assert_eq!(n, needed, "size query and write disagree for {value:?}");
    let mut short = vec![0u8; needed - 1];
    assert_eq!(
        format_field(name, class, value, o, &mut short),
        Err(Error::BufferTooSmall { needed }),
        "needed - 1 for {value:?}"
    );
    Ok(buf)
}

/// Formats a field into a generous buffer, and checks that the size query gives the same
/// answer (SPEC §1.2: validation never depends on the buffer; `BufferTooSmall` carries the
/// exact size of the output).
pub fn format_checked(
    name: &str,
    class: FieldClass,
    value: &str,
    opts: &Options,
) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; 1 << 14];
    let r = format_field(name, class, value, opts, &mut buf);
    let q = format_field(name, class, value, opts, &mut []);
    match r {
        Ok(n) => {
            assert_eq!(
                q,
                Err(Error::BufferTooSmall { needed: n }),
                "{name}: {value:?}"
            );
            buf.truncate(n);
            Ok(buf)
        }
        Err(e) => {
            assert_eq!(q, Err(e), "{name}: {value:?} (size query)");
            Err(e)
        }
    }
}

/// Builds the library as a shared object (release, `std`) in its own target directory and
/// runs the Python harness `script` (a file under `tests/`) on it with `args`; the harness
/// must exit 0 and print `N passed, 0 failed`. `what` names the check in the failure message.
#[cfg(target_os = "linux")]
#[allow(dead_code)]
pub fn run_python_harness(script: &str, args: &[&str], what: &str) {
    use std::path::PathBuf;
    use std::process::Command;
    let root = env!("CARGO_MANIFEST_DIR");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(root).join("target"))
        .join("audit-cdylib");
    let built = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "rustc",
            "--quiet",
            "--lib",
            "--release",
            "--features",
            "std",
        ])
        .args(["--crate-type", "cdylib"])
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(built.success(), "building the shared library failed");
    let lib = target.join("release").join("libmailfold.so");
    let out = Command::new("python3")
        .arg(PathBuf::from(root).join("tests").join(script))
        .arg("--lib")
        .arg(&lib)
        .args(args)
        .output()
        .expect("python3 is required (Debian: apt-get install python3)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(out.status.success(), "{what} failed:\n{stdout}{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

/// Runs `tests/mime_differential.py` (CPython's modern and compat32 parsers read every
/// MIME field back: type, every parameter exactly, no defects) over `rows`, one case per line:
/// `case<TAB>field name<TAB>type<TAB>fallback 0/1<TAB>name=hex(value),...<TAB>hex(field)`.
/// `file` names the data file under the test target directory (tests run in parallel, so
/// each caller picks its own). Fails unless the checker read exactly `cases` cases and
/// CPython disagreed with none.
pub fn run_mime_differential(file: &str, rows: &str, cases: usize) {
    use std::process::Command;
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(file);
    std::fs::write(&path, rows).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mime_differential.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 is needed for the MIME differential check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let counts: Vec<usize> = stdout
        .lines()
        .last()
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(
        out.status.success() && counts.len() == 2,
        "checker failed:\n{stdout}\n{stderr}"
    );
    assert_eq!(counts[1], 0, "CPython disagreed:\n{stdout}\n{stderr}");
    assert_eq!(counts[0], cases, "not every case was checked:\n{stdout}");
}

/// Lower-case hex of `s`'s bytes, the encoding of values and fields in the checkers' data files.
pub fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Runs the `mailfold` tool with `args` and `stdin`; returns its exit status, standard
/// output and standard error (the latter read leniently: it may quote input that is not
/// UTF-8).
#[cfg(feature = "cli")]
pub fn run_cli(args: &[&str], stdin: impl AsRef<[u8]>) -> (i32, String, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailfold"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailfold");
    // A usage error ends the tool before it reads its input: the closed pipe is expected.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_ref()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// RFC 2047 §2: a line holding an encoded-word is at most 76 characters.
pub const EW_LINE_LIMIT: usize = 76;

/// The settings the encoded display-name sweeps run under: each encoding, at the default
/// soft limit and at a wider one (where only the 76 of RFC 2047 §2 binds a line).
pub fn encoding_and_width_grid() -> Vec<Options> {
    let mut grid = Vec::new();
    for encoding in [Encoding::Auto, Encoding::Q, Encoding::B] {
        for width in [78, 100] {
            grid.push(options(width, false, false, encoding));
        }
    }
    grid
}

/// Options from the four settings the audit tests vary: soft limit, `LF` endings, utf8 and
/// the encoding.
pub fn options(max: usize, lf: bool, utf8: bool, enc: Encoding) -> Options {
    Options::default()
        .with_max_line_len(max)
        .with_line_ending(if lf { LineEnding::Lf } else { LineEnding::Crlf })
        .with_utf8(utf8)
        .with_encoding(enc)
}
