//! Benchmark harness for mailfold (issue 7): a deterministic corpus, the systems compared
//! (mailfold, its peers and a memcpy floor), untimed output checks and the report tables.
//!
//! Run `cargo bench -p mailfold-benches` (or `scripts/bench.sh`); see `benches/README.md`.

pub mod corpus;
pub mod paired;
pub mod report;
pub mod systems;
pub mod verify;
