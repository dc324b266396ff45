//! Conformance audit, round 12: what eleven earlier rounds did not reach, probed through the
//! public API (Rust, the C ABI and the `mailfold` tool) against SPEC.md and the RFCs. Every
//! expectation comes from the SPEC, the README's decisions or the RFC text quoted next to
//! it, never from running mailfold; each test failed before the fix its commit names.

mod common;

use mailfold::{ContentDisposition, Options};

/// `Content-Disposition: attachment` with one parameter, through the builder.
fn cd_param(name: &str, value: &str, options: &Options) -> String {
    let mut out = vec![0u8; 1 << 16];
    let n = ContentDisposition::attachment()
        .param(name, value)
        .format(options, &mut out)
        .unwrap_or_else(|e| panic!("{name}={value:?}: {e}"));
    String::from_utf8(out[..n].to_vec()).unwrap()
}

// ---- 1. RFC 2231 continuations past the soft limit ---------------------------------------

/// SPEC §3: "every line ≤ the soft limit wherever a fold point allows; ... a longer line
/// holds one unbreakable token"; SPEC §7: continuations are split "each segment whole
/// characters" and folds go "between parameters and continuations". With a 40-column limit,
/// ` original-filename-20*0*=utf-8''` leaves no room for `%F0%9F%98%80;` (45 columns), so the
/// first segment must pass the limit; but it may hold only the one character no line can
/// split, because every later ` original-filename-20*N*=%F0%9F%98%80;` line (38 columns)
/// fits. mailfold filled the over-long first segment with the whole value (an 88-column
/// line, four emoji of which had room on continuation lines within the limit).
#[test]
fn a_segment_past_the_soft_limit_holds_one_character() {
    let o = Options::default().with_max_line_len(40);
    let got = cd_param("original-filename-20", &"😀".repeat(5), &o);
    let e = "%F0%9F%98%80";
    assert_eq!(
        got,
        format!(
            "Content-Disposition: attachment;\r\n original-filename-20*0*=utf-8''{e};\r\n \
             original-filename-20*1*={e};\r\n original-filename-20*2*={e};\r\n \
             original-filename-20*3*={e};\r\n original-filename-20*4*={e}\r\n"
        )
    );
    // The same over many widths, values and names: every line past the soft limit holds a
    // single segment of a single character (SPEC §3), utf8 on (characters) and off.
    for w in [40usize, 41, 44, 45, 50, 60, 78] {
        for utf8 in [false, true] {
            for name in [
                "x",
                "filename",
                "original-filename-20",
                "a-very-long-parameter-name",
            ] {
                for k in 0..40 {
                    for tail in [
                        "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
                        "😀a😀a😀a😀a😀a😀a😀a😀a",
                        "ééééééééééééééééééééééé",
                    ] {
                        let v = format!("{}{tail}", "a".repeat(k));
                        let o = Options::default().with_max_line_len(w).with_utf8(utf8);
                        let got = cd_param(name, &v, &o);
                        for line in got.split("\r\n").filter(|l| !l.is_empty()) {
                            let cols = if utf8 {
                                line.chars().count()
                            } else {
                                line.len()
                            };
                            if cols <= w {
                                continue;
                            }
                            let seg = line.trim_start().trim_end_matches(';');
                            let text = &seg[seg.find('=').unwrap() + 1..];
                            let text = text.strip_prefix("utf-8''").unwrap_or(text);
                            let text = text.trim_matches('"');
                            let chars = if text.starts_with('%') {
                                let b: Vec<u8> = (0..text.len() / 3)
                                    .map(|i| {
                                        u8::from_str_radix(&text[3 * i + 1..3 * i + 3], 16).unwrap()
                                    })
                                    .collect();
                                String::from_utf8(b).unwrap().chars().count()
                            } else {
                                text.chars().count()
                            };
                            assert_eq!(
                                chars, 1,
                                "w={w} utf8={utf8} {name}={v:?}: {line:?} in\n{got}"
                            );
                        }
                    }
                }
            }
        }
    }
}
