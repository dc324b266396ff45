//! Where the benchmark keeps its results, and the Markdown tables made from them.
//!
//! The bench writes `mailfold-meta.json` (corpus sizes, conformance) next to criterion's own
//! output; the tables combine it with criterion's `estimates.json` files (median time per
//! iteration), so `cargo run -p mailfold-benches --bin table` reprints them at any time.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::corpus::{Category, ScalingKind, SCALING_SIZES};
use crate::verify::Conformance;

/// Criterion's output directory, chosen the way criterion chooses it, but without running
/// `cargo metadata`: `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else the
/// workspace's `target/criterion`.
pub fn output_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion")
}

/// The criterion group of a corpus category (`None` = the whole corpus).
pub fn corpus_group(category: Option<Category>) -> String {
    format!("corpus_{}", category.map_or("overall", Category::key))
}

/// The criterion group of a scaling kind.
pub fn scaling_group(kind: ScalingKind) -> String {
    format!("scaling_{}", kind.key())
}

/// Systems shown in the scaling benchmark.
pub const SCALING_SYSTEMS: [&str; 3] = ["floor", "mailfold", "mail_builder"];

/// Median nanoseconds per iteration from criterion's estimates, if that benchmark ran.
pub fn median_ns(dir: &Path, group: &str, id: &str) -> Option<f64> {
    let path = dir.join(group).join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

/// Size of one corpus slice: fields and bytes of their values.
#[derive(Clone, Copy, Debug, Default)]
pub struct Slice {
    /// Number of fields.
    pub fields: usize,
    /// Sum of value lengths in bytes.
    pub value_bytes: usize,
}

/// Everything the tables need besides criterion's timings.
#[derive(Debug, Default)]
pub struct Meta {
    /// The corpus seed.
    pub seed: u64,
    /// Per category key and `overall`.
    pub slices: BTreeMap<String, Slice>,
    /// Per system, per category key (and `overall`).
    pub conformance: BTreeMap<String, BTreeMap<String, Conformance>>,
    /// Per scaling kind key, per size: the actual value length.
    pub scaling_bytes: BTreeMap<String, BTreeMap<usize, usize>>,
}

fn conf_json(c: &Conformance) -> Value {
    json!({
        "fields": c.fields, "errors": c.errors, "unsupported": c.unsupported,
        "first_error": c.first_error, "malformed": c.malformed, "over_998": c.over_998,
        "over_78": c.over_78, "encoded_ids": c.encoded_ids, "mismatches": c.mismatches,
        "first_mismatch": c.first_mismatch,
    })
}

fn conf_from(v: &Value) -> Conformance {
    let n = |k: &str| v[k].as_u64().unwrap_or(0) as usize;
    let s = |k: &str| v[k].as_str().map(str::to_string);
    Conformance {
        fields: n("fields"),
        errors: n("errors"),
        unsupported: n("unsupported"),
        first_error: s("first_error"),
        malformed: n("malformed"),
        over_998: n("over_998"),
        over_78: n("over_78"),
        encoded_ids: n("encoded_ids"),
        mismatches: n("mismatches"),
        first_mismatch: s("first_mismatch"),
    }
}

impl Meta {
    /// Writes `mailfold-meta.json` into `dir`.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let slices: serde_json::Map<String, Value> = self
            .slices
            .iter()
            .map(|(k, s)| {
                (
                    k.clone(),
                    json!({"fields": s.fields, "value_bytes": s.value_bytes}),
                )
            })
            .collect();
        let conformance: serde_json::Map<String, Value> = self
            .conformance
            .iter()
            .map(|(sys, per)| {
                let per: serde_json::Map<String, Value> =
                    per.iter().map(|(k, c)| (k.clone(), conf_json(c))).collect();
                (sys.clone(), Value::Object(per))
            })
            .collect();
        let scaling: serde_json::Map<String, Value> = self
            .scaling_bytes
            .iter()
            .map(|(k, sizes)| {
                let m: serde_json::Map<String, Value> = sizes
                    .iter()
                    .map(|(s, b)| (s.to_string(), json!(b)))
                    .collect();
                (k.clone(), Value::Object(m))
            })
            .collect();
        let v = json!({"seed": self.seed, "slices": slices, "conformance": conformance, "scaling_bytes": scaling});
        std::fs::create_dir_all(dir)?;
        std::fs::write(
            dir.join("mailfold-meta.json"),
            serde_json::to_string_pretty(&v)?,
        )
    }

    /// Reads `mailfold-meta.json` from `dir`.
    pub fn load(dir: &Path) -> Option<Meta> {
        let text = std::fs::read_to_string(dir.join("mailfold-meta.json")).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        let mut meta = Meta {
            seed: v["seed"].as_u64()?,
            ..Meta::default()
        };
        for (k, s) in v["slices"].as_object()? {
            let n = |f: &str| s[f].as_u64().unwrap_or(0) as usize;
            let slice = Slice {
                fields: n("fields"),
                value_bytes: n("value_bytes"),
            };
            meta.slices.insert(k.clone(), slice);
        }
        for (sys, per) in v["conformance"].as_object()? {
            let per = per
                .as_object()?
                .iter()
                .map(|(k, c)| (k.clone(), conf_from(c)))
                .collect();
            meta.conformance.insert(sys.clone(), per);
        }
        if let Some(sc) = v["scaling_bytes"].as_object() {
            for (k, sizes) in sc {
                let m = sizes
                    .as_object()?
                    .iter()
                    .filter_map(|(s, b)| Some((s.parse().ok()?, b.as_u64()? as usize)))
                    .collect();
                meta.scaling_bytes.insert(k.clone(), m);
            }
        }
        Some(meta)
    }
}

fn pretty(system: &str) -> &str {
    match system {
        "floor" => "memcpy floor",
        "mailfold" => "mailfold",
        "mailfold_mailboxes" => "mailfold (format_mailboxes)",
        "mail_builder" => "mail-builder 2",
        "email_encoding" => "email-encoding 0.4",
        "lettre" => "lettre 0.11",
        other => other,
    }
}

/// The corpus systems shown for a category (`None` = whole corpus).
pub fn corpus_systems(category: Option<Category>) -> Vec<&'static str> {
    crate::systems::SYSTEM_NAMES
        .into_iter()
        .filter(|s| *s != "mailfold_mailboxes" || category == Some(Category::AddressList))
        .collect()
}

/// One timed cell of the corpus table.
#[derive(Clone, Copy, Debug)]
pub struct Cell {
    /// Nanoseconds per field.
    pub ns_per_field: f64,
    /// Megabytes (10^6) of input value per second.
    pub mb_per_s: f64,
    /// Time relative to the memcpy floor of the same category.
    pub x_floor: f64,
}

/// Timed cells per category key (and `overall`) and system.
pub fn corpus_cells(dir: &Path, meta: &Meta) -> BTreeMap<(String, String), Cell> {
    let mut cells = BTreeMap::new();
    let cats = Category::ALL.map(Some).into_iter().chain([None]);
    for cat in cats {
        let key = cat.map_or("overall", Category::key).to_string();
        let Some(slice) = meta.slices.get(&key) else {
            continue;
        };
        let group = corpus_group(cat);
        let floor = median_ns(dir, &group, "floor");
        for sys in corpus_systems(cat) {
            let Some(ns) = median_ns(dir, &group, sys) else {
                continue;
            };
            let cell = Cell {
                ns_per_field: ns / slice.fields as f64,
                mb_per_s: slice.value_bytes as f64 / ns * 1e3,
                x_floor: floor.map_or(f64::NAN, |f| ns / f),
            };
            cells.insert((key.clone(), sys.to_string()), cell);
        }
    }
    cells
}

/// Renders all tables as Markdown. Missing timings (e.g. after a `--test` run) are shown as
/// `–`.
pub fn render(dir: &Path, meta: &Meta) -> String {
    let cells = corpus_cells(dir, meta);
    let mut o = String::new();
    let total = meta.slices.get("overall").copied().unwrap_or_default();
    let _ = writeln!(
        o,
        "### Corpus: {} fields, {} value bytes, seed {:#x} (median of criterion samples)\n",
        total.fields, total.value_bytes, meta.seed
    );
    // Compact matrix: ns/field and ratio to the floor, one column per system.
    let systems = corpus_systems(Some(Category::AddressList));
    let _ = write!(o, "| category |");
    for s in &systems {
        let _ = write!(o, " {} |", pretty(s));
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "|---|{}", "---:|".repeat(systems.len()));
    let rows = Category::ALL.map(Some).into_iter().chain([None]);
    for cat in rows {
        let key = cat.map_or("overall", Category::key);
        let label = cat.map_or("**whole corpus**", Category::label);
        let _ = write!(o, "| {label} |");
        for s in &systems {
            let conf = meta.conformance.get(*s).and_then(|m| m.get(key));
            let cell = cells.get(&(key.to_string(), s.to_string()));
            let text = match (cell, conf) {
                (_, Some(c)) if c.fields > 0 && c.unsupported == c.fields => "n/a".to_string(),
                (None, _) => "–".to_string(),
                (Some(c), conf) => {
                    let mut t = format!("{:.1} ns ({:.2}×)", c.ns_per_field, c.x_floor);
                    if let Some(conf) = conf.filter(|k| k.errors > k.unsupported) {
                        let _ = write!(t, " ⚠{} err", conf.errors - conf.unsupported);
                    }
                    t
                }
            };
            let _ = write!(o, " {text} |");
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "\nCells: ns per field (time ÷ memcpy floor of the same category). n/a: the system has no \
         way to format that category. ⚠: fields the system returned an error for (their time is \
         the error path).\n"
    );

    // Detailed long table.
    let _ = writeln!(
        o,
        "| category | system | ns/field | MB/s | × floor | × mailfold |"
    );
    let _ = writeln!(o, "|---|---|---:|---:|---:|---:|");
    for cat in Category::ALL.map(Some).into_iter().chain([None]) {
        let key = cat.map_or("overall", Category::key);
        let label = cat.map_or("whole corpus", Category::label);
        let mf = cells
            .get(&(key.to_string(), "mailfold".to_string()))
            .copied();
        for s in corpus_systems(cat) {
            if let Some(c) = cells.get(&(key.to_string(), s.to_string())) {
                let vs = mf.map_or(f64::NAN, |m| c.ns_per_field / m.ns_per_field);
                let _ = writeln!(
                    o,
                    "| {label} | {} | {:.1} | {:.0} | {:.2} | {:.2} |",
                    pretty(s),
                    c.ns_per_field,
                    c.mb_per_s,
                    c.x_floor,
                    vs
                );
            }
        }
    }

    o.push_str(&targets(&cells));
    o.push_str(&conformance_table(meta));
    o.push_str(&scaling_table(dir, meta));
    o
}

/// The SPEC §10 targets, checked against the cells.
fn targets(cells: &BTreeMap<(String, String), Cell>) -> String {
    let get = |k: &str, s: &str| cells.get(&(k.to_string(), s.to_string())).copied();
    let mut o = String::from("\n### SPEC §10 targets\n\n");
    let mut line = |ok: Option<bool>, text: String| {
        let mark = match ok {
            Some(true) => "PASS",
            Some(false) => "FAIL",
            None => "n/m ",
        };
        let _ = writeln!(o, "- {mark} {text}");
    };
    let whole = get("overall", "mailfold");
    line(
        whole.map(|c| c.x_floor <= 2.0),
        format!(
            "whole corpus ≤ 2.0× floor: {}",
            whole.map_or("not measured".into(), |c| format!("{:.2}×", c.x_floor))
        ),
    );
    for cat in Category::ALL {
        let k = cat.key();
        let (Some(m), b) = (get(k, "mailfold"), get(k, "mail_builder")) else {
            line(None, format!("{}: not measured", cat.label()));
            continue;
        };
        if matches!(cat, Category::MessageId | Category::InReplyTo) {
            line(
                Some(m.x_floor <= 1.5),
                format!("{} ≤ 1.5× floor: {:.2}×", cat.label(), m.x_floor),
            );
        } else if let Some(b) = b {
            let speedup = b.ns_per_field / m.ns_per_field;
            line(
                Some(speedup >= 3.0),
                format!(
                    "{} ≥ 3× faster than mail-builder: {:.2}×",
                    cat.label(),
                    speedup
                ),
            );
        }
        if matches!(cat, Category::AsciiSubject | Category::LongX) {
            line(
                Some(m.x_floor <= 1.5),
                format!("{} ≤ 1.5× floor: {:.2}×", cat.label(), m.x_floor),
            );
        }
    }
    o
}

fn conformance_table(meta: &Meta) -> String {
    let mut o = String::from(
        "\n### Output checks (untimed; one pass over the corpus per system)\n\n\
         Decoded with the harness's own RFC 2047 §6.2 decoder and compared with the input: \
         `mismatch` = does not decode back to the input, `>78`/`>998` = fields with a line \
         longer than that, `enc. ids` = msg-id fields with an encoded-word, `err` = errors \
         (first one below).\n\n\
         | system | category | err | malformed | mismatch | >78 | >998 | enc. ids |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    let mut examples = String::new();
    // The floor is not a formatter: its "output" is the raw value, so it is not checked.
    for sys in crate::systems::SYSTEM_NAMES
        .into_iter()
        .filter(|s| *s != "floor")
    {
        let Some(per) = meta.conformance.get(sys) else {
            continue;
        };
        for cat in Category::ALL {
            let Some(c) = per.get(cat.key()) else {
                continue;
            };
            if c.fields == 0 || c.unsupported == c.fields {
                continue;
            }
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                pretty(sys),
                cat.label(),
                c.errors,
                c.malformed,
                c.mismatches,
                c.over_78,
                c.over_998,
                c.encoded_ids
            );
            for e in [&c.first_error, &c.first_mismatch].into_iter().flatten() {
                let mut e = e.clone();
                if e.len() > 300 {
                    let mut cut = 300;
                    while !e.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    e.truncate(cut);
                    e.push('…');
                }
                let _ = writeln!(examples, "- {} / {}: `{}`", pretty(sys), cat.label(), e);
            }
        }
    }
    if !examples.is_empty() {
        o.push_str("\nFirst error / mismatch per cell:\n\n");
        o.push_str(&examples);
    }
    o
}

fn scaling_table(dir: &Path, meta: &Meta) -> String {
    let mut o = String::from(
        "\n### Scaling (one field, value of each size; ns/byte of input value)\n\n\
         | value | bytes | system | ns/field | ns/byte | × floor |\n|---|---:|---|---:|---:|---:|\n",
    );
    let mut linear = String::new();
    for kind in ScalingKind::ALL {
        let group = scaling_group(kind);
        let mut per_byte: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for size in SCALING_SIZES {
            let bytes = meta
                .scaling_bytes
                .get(kind.key())
                .and_then(|m| m.get(&size))
                .copied()
                .unwrap_or(size);
            let floor = median_ns(dir, &group, &format!("floor/{size}"));
            for sys in SCALING_SYSTEMS {
                let Some(ns) = median_ns(dir, &group, &format!("{sys}/{size}")) else {
                    continue;
                };
                let npb = ns / bytes as f64;
                per_byte.entry(sys).or_default().push(npb);
                let _ = writeln!(
                    o,
                    "| {} | {bytes} | {} | {ns:.0} | {npb:.3} | {:.2} |",
                    kind.key(),
                    pretty(sys),
                    floor.map_or(f64::NAN, |f| ns / f)
                );
            }
        }
        for (sys, v) in per_byte {
            if v.len() == SCALING_SIZES.len() {
                let _ = writeln!(
                    linear,
                    "- {} {}: ns/byte at 100 KB ÷ ns/byte at 1 KB = {:.2} (1.0 = linear)",
                    kind.key(),
                    pretty(sys),
                    v[3] / v[1]
                );
            }
        }
    }
    if !linear.is_empty() {
        o.push('\n');
        o.push_str(&linear);
    }
    o
}

/// Machine-readable summary (per category: floor and per-system ns/field), for the CPython
/// script's ratio column.
pub fn summary_json(dir: &Path, meta: &Meta) -> Value {
    let cells = corpus_cells(dir, meta);
    let mut out = serde_json::Map::new();
    for ((cat, sys), c) in cells {
        out.entry(cat)
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("object")
            .insert(sys, json!(c.ns_per_field));
    }
    Value::Object(out)
}
