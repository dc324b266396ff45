//! `include/mailfold.h` is generated from `src/ffi.rs` by cbindgen; this test fails when the
//! checked-in header is stale. `MAILFOLD_BLESS=1 cargo test --test c_header` rewrites it.

use std::path::Path;

#[test]
fn checked_in_header_matches_a_fresh_generation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable and valid");
    // Only the FFI module: it is self-contained, and parsing one file needs no `cargo
    // metadata` run (so no network and no lock on the target directory).
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);

    let path = root.join("include/mailfold.h");
    let checked_in = std::fs::read(&path).unwrap_or_default();
    if fresh == checked_in {
        return;
    }
    if std::env::var_os("MAILFOLD_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("include/mailfold.h is writable");
        eprintln!("rewrote {}", path.display());
        return;
    }
    let fresh = String::from_utf8_lossy(&fresh);
    let checked_in = String::from_utf8_lossy(&checked_in);
    let first_difference = fresh
        .lines()
        .zip(checked_in.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| fresh.lines().count().min(checked_in.lines().count()));
    panic!(
        "include/mailfold.h is stale (first difference at line {}):\n  generated:  {:?}\n  checked in: {:?}\n\
         run `MAILFOLD_BLESS=1 cargo test --test c_header` and commit the result",
        first_difference + 1,
        fresh.lines().nth(first_difference).unwrap_or("<end of file>"),
        checked_in.lines().nth(first_difference).unwrap_or("<end of file>"),
    );
}
