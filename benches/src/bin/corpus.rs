//! Writes the benchmark corpus as JSON lines (one field per line) to stdout, for the CPython
//! script: `cargo run -p mailfold-benches --bin corpus > corpus.jsonl`.
//!
//! Options: `--seed N` (default the bench seed), `--fields N` (default 20000).

use std::io::{BufWriter, Write};

use mailfold_benches::corpus::{generate, DEFAULT_FIELDS, DEFAULT_SEED};
use serde_json::json;

fn main() -> std::io::Result<()> {
    let mut seed = DEFAULT_SEED;
    let mut fields = DEFAULT_FIELDS;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (a.as_str(), value) {
            ("--seed", Some(v)) => seed = v,
            ("--fields", Some(v)) => fields = v as usize,
            _ => {
                eprintln!("usage: corpus [--seed N] [--fields N]");
                std::process::exit(2);
            }
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for f in generate(seed, fields) {
        let boxes: Vec<_> = f
            .mailboxes
            .iter()
            .map(|m| json!({"display_name": m.display_name, "addr_spec": m.addr_spec}))
            .collect();
        let line = json!({
            "category": f.category.key(),
            "name": f.name,
            "value": f.value,
            "mailboxes": boxes,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()
}
