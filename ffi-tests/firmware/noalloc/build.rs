// Hands the memory map to the linker wherever cargo is started from (a .cargo/config.toml
// would only apply when building from this directory).
use std::{env, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rustc-link-search={}", dir.display());
    println!("cargo:rustc-link-arg-bins=-Tnoalloc.ld");
    println!("cargo:rerun-if-changed=noalloc.ld");
}
