//! Prints the benchmark tables (Markdown) from the last `cargo bench -p mailfold-benches` run:
//! criterion's estimates plus the harness's `mailfold-meta.json`, then the paired ratios of that
//! run (`mailfold-paired.md`) when it saved them.
//!
//! `table --json` prints the machine-readable summary instead (ns/field per category and
//! system), which `benches/cpython_email.py --rust-summary` reads.

use mailfold_benches::report::{output_dir, render, summary_json, Meta};

fn main() {
    let dir = output_dir();
    let Some(meta) = Meta::load(&dir) else {
        eprintln!(
            "no {}/mailfold-meta.json: run `cargo bench -p mailfold-benches` first",
            dir.display()
        );
        std::process::exit(1);
    };
    if std::env::args().any(|a| a == "--json") {
        println!("{:#}", summary_json(&dir, &meta));
    } else {
        print!("{}", render(&dir, &meta));
        if let Ok(paired) = std::fs::read_to_string(dir.join("mailfold-paired.md")) {
            print!("\n{paired}");
        }
    }
}
