//! Side-by-side benchmark of header formatting (issue 7): mailfold, mail-builder,
//! email-encoding, lettre and a memcpy floor, per corpus category and over the whole corpus,
//! then the scaling benchmark; ends by printing the Markdown tables.
//!
//! `cargo bench -p mailfold-benches` runs it; `-- --test` runs every benchmark once (smoke);
//! criterion's usual options apply (`-- --measurement-time 5`, a name filter, ...).
//! With `MAILFOLD_BENCH_STRICT=1` the run fails when mailfold errs on, or does not round-trip,
//! any corpus field. After criterion, the paired, interleaved ratios run
//! ([`mailfold_benches::paired`]; `MAILFOLD_BENCH_NO_PAIRED=1` skips them);
//! `MAILFOLD_BENCH_PAIRED=<rounds>` runs only those.

use std::collections::BTreeMap;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use mailfold_benches::corpus::{
    generate, scaling_value, Category, Field, ScalingKind, DEFAULT_FIELDS, DEFAULT_SEED,
    SCALING_SIZES,
};
use mailfold_benches::paired;
use mailfold_benches::report::{
    self, corpus_group, output_dir, render, scaling_group, summary_json, Meta, Slice,
};
use mailfold_benches::systems::{
    all_systems, EmailEncoding, Floor, Lettre, MailBuilder, Mailfold, MailfoldMailboxes, System,
};
use mailfold_benches::verify;

fn bench<S: System>(group: &mut BenchmarkGroup<'_, WallTime>, id: BenchmarkId, mut system: S) {
    group.bench_function(id, |b| b.iter(|| system.run_all()));
}

fn corpus_benches(c: &mut Criterion, fields: &[Field]) {
    let cats = Category::ALL.map(Some).into_iter().chain([None]);
    for cat in cats {
        let sel: Vec<&Field> = fields
            .iter()
            .filter(|f| cat.is_none_or(|c| f.category == c))
            .collect();
        let bytes: usize = sel.iter().map(|f| f.value.len()).sum();
        let mut g = c.benchmark_group(corpus_group(cat));
        g.throughput(Throughput::Bytes(bytes as u64));
        // One iteration formats thousands of fields; flat sampling suits long iterations.
        g.sampling_mode(SamplingMode::Flat);
        bench(
            &mut g,
            BenchmarkId::from_parameter("floor"),
            Floor::new(&sel),
        );
        bench(
            &mut g,
            BenchmarkId::from_parameter("mailfold"),
            Mailfold::new(&sel),
        );
        if cat == Some(Category::AddressList) {
            bench(
                &mut g,
                BenchmarkId::from_parameter("mailfold_mailboxes"),
                MailfoldMailboxes::new(&sel),
            );
        }
        bench(
            &mut g,
            BenchmarkId::from_parameter("mail_builder"),
            MailBuilder::new(&sel),
        );
        bench(
            &mut g,
            BenchmarkId::from_parameter("email_encoding"),
            EmailEncoding::new(&sel),
        );
        bench(
            &mut g,
            BenchmarkId::from_parameter("lettre"),
            Lettre::new(&sel),
        );
        g.finish();
    }
}

fn scaling_benches(c: &mut Criterion, values: &BTreeMap<(&'static str, usize), String>) {
    for kind in ScalingKind::ALL {
        let mut g = c.benchmark_group(scaling_group(kind));
        for size in SCALING_SIZES {
            let value = &values[&(kind.key(), size)];
            g.throughput(Throughput::Bytes(value.len() as u64));
            let one = scaling_field(kind, value);
            let sel = [&one];
            bench(&mut g, BenchmarkId::new("floor", size), Floor::new(&sel));
            bench(
                &mut g,
                BenchmarkId::new("mailfold", size),
                Mailfold::new(&sel),
            );
            bench(
                &mut g,
                BenchmarkId::new("mail_builder", size),
                MailBuilder::new(&sel),
            );
        }
        g.finish();
    }
}

/// The one field of a scaling benchmark.
fn scaling_field(kind: ScalingKind, value: &str) -> Field {
    Field {
        category: match kind {
            ScalingKind::References => Category::References,
            _ => Category::LongX,
        },
        name: kind.field_name(),
        value: value.to_owned(),
        mailboxes: Vec::new(),
    }
}

/// Untimed: corpus sizes and the output checks of every system on every category.
fn meta(fields: &[Field], scaling: &BTreeMap<(&'static str, usize), String>) -> Meta {
    let mut meta = Meta {
        seed: DEFAULT_SEED,
        ..Meta::default()
    };
    let mut overall = Slice::default();
    for cat in Category::ALL {
        let sel: Vec<&Field> = fields.iter().filter(|f| f.category == cat).collect();
        let slice = Slice {
            fields: sel.len(),
            value_bytes: sel.iter().map(|f| f.value.len()).sum(),
        };
        overall.fields += slice.fields;
        overall.value_bytes += slice.value_bytes;
        meta.slices.insert(cat.key().to_string(), slice);
        for mut system in all_systems(&sel) {
            let c = verify::check(system.as_mut(), &sel);
            meta.conformance
                .entry(system.name().to_string())
                .or_default()
                .insert(cat.key().to_string(), c);
        }
    }
    meta.slices.insert("overall".to_string(), overall);
    for ((kind, size), v) in scaling {
        meta.scaling_bytes
            .entry(kind.to_string())
            .or_default()
            .insert(*size, v.len());
    }
    meta
}

/// Fails the strict run when mailfold errs on or mangles a realistic field.
fn strict_check(meta: &Meta) -> Result<(), String> {
    let mut problems = Vec::new();
    for sys in ["mailfold", "mailfold_mailboxes"] {
        for (cat, c) in meta.conformance.get(sys).into_iter().flatten() {
            let bad = (c.errors - c.unsupported)
                + c.malformed
                + c.mismatches
                + c.over_998
                + c.encoded_ids;
            if bad > 0 {
                problems.push(format!(
                    "{sys} / {cat}: {} errors, {} malformed, {} mismatches, {} over 998, {} encoded ids; {}",
                    c.errors - c.unsupported,
                    c.malformed,
                    c.mismatches,
                    c.over_998,
                    c.encoded_ids,
                    c.first_error.as_deref().or(c.first_mismatch.as_deref()).unwrap_or("")
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// `MAILFOLD_BENCH_PROFILE=<category key>[:<system>][:<passes>]`: loops one system over one
/// category and exits, for running under a profiler (`perf record`, `valgrind --tool=callgrind`)
/// with the same optimised binary the benchmark uses.
///
/// `MAILFOLD_BENCH_PROFILE=scaling:<kind>:<size>[:<system>][:<passes>]` does the same for the
/// one field of a scaling benchmark (kinds `ascii`, `utf8`, `references`).
fn profile_mode(spec: &str, fields: &[Field]) {
    if let Some(rest) = spec.strip_prefix("scaling:") {
        let mut parts = rest.split(':');
        let kind = parts
            .next()
            .and_then(|k| ScalingKind::ALL.into_iter().find(|s| s.key() == k));
        let size = parts.next().and_then(|s| s.parse::<usize>().ok());
        let (Some(kind), Some(size)) = (kind, size) else {
            eprintln!("usage: scaling:<ascii|utf8|references>:<size>[:<system>][:<passes>]");
            std::process::exit(2);
        };
        let one = scaling_field(kind, &scaling_value(kind, size, DEFAULT_SEED));
        // Every field is the one field: no category filter (`*`).
        let rest: Vec<&str> = core::iter::once("*").chain(parts).collect();
        let bytes = one.value.len();
        println!("scaling {} {size}: value of {bytes} bytes", kind.key());
        return profile_mode(&rest.join(":"), std::slice::from_ref(&one));
    }
    let mut parts = spec.split(':');
    let cat = parts.next().and_then(Category::from_key);
    let system = parts.next().unwrap_or("mailfold");
    let passes: usize = parts.next().and_then(|p| p.parse().ok()).unwrap_or(200);
    let sel: Vec<&Field> = fields
        .iter()
        .filter(|f| cat.is_none_or(|c| f.category == c))
        .collect();
    let start = std::time::Instant::now();
    let mut bytes = 0;
    let mut systems = all_systems(&sel);
    let Some(s) = systems.iter_mut().find(|s| s.name() == system) else {
        eprintln!("unknown system {system}");
        std::process::exit(2);
    };
    for _ in 0..passes {
        bytes += s.run_all();
    }
    let ns = start.elapsed().as_nanos() as f64 / (passes * sel.len()) as f64;
    println!(
        "{system} on {spec}: {passes} passes over {} fields, {ns:.1} ns/field, {bytes} bytes out",
        sel.len()
    );
}

/// Rounds of the paired measurement at the end of a criterion run (about 15 s).
const PAIRED_ROUNDS: usize = 31;

/// The paired, interleaved ratios ([`paired`]): every category and the whole corpus, each
/// system timed once per round in a rotating order (samples of at least 2 ms), ratios to the
/// floor taken within each round; prints the table and saves it as `mailfold-paired.md`
/// beside criterion's tables. Run alone with `MAILFOLD_BENCH_PAIRED=<rounds>`; after every
/// criterion run (not `--test`) unless `MAILFOLD_BENCH_NO_PAIRED` is set.
fn paired_mode(rounds: usize, fields: &[Field]) {
    let groups = paired::measure_all(fields, rounds, Duration::from_millis(2));
    let table = paired::render(&groups, rounds);
    let dir = output_dir();
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("mailfold-paired.md"), &table);
    }
    println!("\n{table}");
    println!("(saved in {}/mailfold-paired.md)", dir.display());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Ok(spec) = std::env::var("MAILFOLD_BENCH_PROFILE") {
        profile_mode(&spec, &generate(DEFAULT_SEED, DEFAULT_FIELDS));
        return;
    }
    if let Ok(rounds) = std::env::var("MAILFOLD_BENCH_PAIRED") {
        let Ok(rounds) = rounds.parse::<usize>() else {
            eprintln!("usage: MAILFOLD_BENCH_PAIRED=<rounds>");
            std::process::exit(2);
        };
        paired_mode(rounds, &generate(DEFAULT_SEED, DEFAULT_FIELDS));
        return;
    }
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let (test_mode, list_mode) = (has("--test"), has("--list"));
    let dir = output_dir();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .output_directory(&dir)
        .configure_from_args();

    let fields = generate(DEFAULT_SEED, DEFAULT_FIELDS);
    let scaling: BTreeMap<(&'static str, usize), String> = ScalingKind::ALL
        .into_iter()
        .flat_map(|k| SCALING_SIZES.map(|s| ((k.key(), s), scaling_value(k, s, DEFAULT_SEED))))
        .collect();
    let meta = (!list_mode).then(|| meta(&fields, &scaling));

    corpus_benches(&mut c, &fields);
    scaling_benches(&mut c, &scaling);
    c.final_summary();

    let Some(meta) = meta else { return };
    if test_mode {
        // No timings in test mode: show only what the output checks found.
        let empty = dir.join("mailfold-no-timings");
        println!("{}", report::render(&empty, &meta));
    } else {
        if let Err(e) = meta.save(&dir) {
            eprintln!("cannot write {}: {e}", dir.display());
        }
        let table = render(&dir, &meta);
        let _ = std::fs::write(dir.join("mailfold-table.md"), &table);
        let summary = format!("{:#}", summary_json(&dir, &meta));
        let _ = std::fs::write(dir.join("mailfold-summary.json"), summary);
        println!("\n{table}");
        println!("(tables saved in {}/mailfold-table.md)", dir.display());
        // The same ratios, paired and interleaved (steadier on a drifting machine).
        if std::env::var_os("MAILFOLD_BENCH_NO_PAIRED").is_none() {
            paired_mode(PAIRED_ROUNDS, &fields);
        }
    }
    if std::env::var_os("MAILFOLD_BENCH_STRICT").is_some_and(|v| v == "1") {
        if let Err(e) = strict_check(&meta) {
            eprintln!("MAILFOLD_BENCH_STRICT: mailfold failed on corpus fields:\n{e}");
            std::process::exit(1);
        }
    }
}
