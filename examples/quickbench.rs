use std::hint::black_box;
use std::time::Instant;
fn main() {
    let mut rng = 12345u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let words = [
        "meeting",
        "report",
        "the",
        "quarterly",
        "update",
        "for",
        "project",
        "Q3",
        "review",
        "notes",
        "and",
        "follow-up",
    ];
    let mut subjects = Vec::new();
    for _ in 0..2000 {
        let target = 10 + (next() % 190) as usize;
        let mut s = String::new();
        while s.len() < target {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(words[(next() % words.len() as u64) as usize]);
        }
        subjects.push(s);
    }
    let longx: Vec<String> = (0..500)
        .map(|i| {
            let t = 200 + (i * 37) % 1800;
            let mut s = String::new();
            while s.len() < t {
                s.push_str("token");
                s.push_str(&(i % 97).to_string());
                s.push(' ');
            }
            s.trim_end().to_string()
        })
        .collect();
    let ids: Vec<String> = (0..2000)
        .map(|i| {
            format!(
                "<{}.{}.{}@aaf39fce-569e-473a-9453-6862595bd8da.prvt.dyno.rt.heroku.com>",
                154810422972u64 + i,
                i % 7,
                16142961424846318784u64 - i
            )
        })
        .collect();
    let froms: Vec<String> = (0..2000).map(|i| format!("Person {i} <person{i}@example.com>, \"Doe, John\" <jd{i}@example.org>, Zoë Ärger <zoe@example.net>")).collect();
    let utf8: Vec<String> = (0..2000)
        .map(|i| format!("Grüße aus Köln {i} — Привет мир 日本語のテキスト 😀"))
        .collect();
    let o = mailfold::Options::default();
    let mut buf = vec![0u8; 8192];
    let only = std::env::var("ONLY").ok();
    let mode = std::env::var("MODE").unwrap_or_default();
    for (label, name, set) in [
        ("ascii subj", "Subject", &subjects),
        ("long X-", "X-Long", &longx),
        ("msgid", "Message-ID", &ids),
        ("from", "To", &froms),
        ("utf8 subj", "Subject", &utf8),
    ] {
        if only.as_deref().is_some_and(|o| o != label) {
            continue;
        }
        let iters: usize = std::env::var("ITERS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(200);
        let t = Instant::now();
        let mut total = 0;
        if mode != "mf" {
            for _ in 0..iters {
                for v in set.iter() {
                    let n = name.len();
                    buf[..n].copy_from_slice(name.as_bytes());
                    buf[n..n + 2].copy_from_slice(b": ");
                    buf[n + 2..n + 2 + v.len()].copy_from_slice(v.as_bytes());
                    buf[n + 2 + v.len()..n + 4 + v.len()].copy_from_slice(b"\r\n");
                    total += black_box(&buf)[0] as usize;
                }
            }
        }
        let floor = t.elapsed().as_nanos() as f64 / (iters * set.len()) as f64;
        let t = Instant::now();
        if mode != "floor" {
            for _ in 0..iters {
                for v in set.iter() {
                    total += mailfold::format_header(black_box(name), black_box(v), &o, &mut buf)
                        .unwrap();
                }
            }
        }
        let mf = t.elapsed().as_nanos() as f64 / (iters * set.len()) as f64;
        println!(
            "{label:12} floor {floor:7.1} ns  mailfold {mf:8.1} ns  ratio {:.2}  ({total})",
            mf / floor
        );
    }
}
