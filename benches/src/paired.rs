//! Paired, interleaved timing: the ratios of the issue-7 targets measured so that a machine
//! whose speed drifts cannot move them.
//!
//! Criterion times one system for seconds, then the next. On a shared virtual machine the
//! speed of the whole box drifts on that time scale (the same binary's whole-corpus time has
//! moved 2.3x between two criterion runs here), so a ratio of two medians taken seconds apart
//! carries that drift. Here every round times one sample of each system back to back, in an
//! order that rotates from round to round, and keeps each system's time divided by the
//! floor's time *of the same round*; the table reports the median and quartiles of those
//! per-round ratios. A drift slower than a round (a few milliseconds) cancels out of them.
//! Each sample follows one untimed pass of the same system, so it times warm caches, as
//! criterion's samples do.
//!
//! Run it with `MAILFOLD_BENCH_PAIRED=<rounds>` on the bench binary (see `benches/README.md`).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::corpus::{Category, Field};
use crate::report::corpus_systems;
use crate::systems::{all_systems, System};

/// The median and quartiles of a list of per-round values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quartiles {
    /// 25th percentile.
    pub low: f64,
    /// 50th percentile.
    pub median: f64,
    /// 75th percentile.
    pub high: f64,
}

impl Quartiles {
    /// The quartiles of `values` (linear interpolation between order statistics); `None` when
    /// there are none or one is not a number.
    ///
    /// ```
    /// use mailfold_benches::paired::Quartiles;
    ///
    /// let q = Quartiles::of(&[4.0, 1.0, 3.0, 2.0, 5.0]).unwrap();
    /// assert_eq!((q.low, q.median, q.high), (2.0, 3.0, 4.0));
    /// assert_eq!(Quartiles::of(&[]), None);
    /// ```
    pub fn of(values: &[f64]) -> Option<Quartiles> {
        if values.is_empty() || values.iter().any(|v| v.is_nan()) {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let pos = q * (v.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
        };
        Some(Quartiles {
            low: at(0.25),
            median: at(0.5),
            high: at(0.75),
        })
    }
}

/// One system's paired results in one category.
#[derive(Clone, Debug)]
pub struct Row {
    /// The system's name.
    pub system: &'static str,
    /// Its time per field divided by the floor's, per round.
    pub x_floor: Quartiles,
    /// Median nanoseconds per field over the rounds (absolute, so as drift-prone as
    /// criterion's; shown for scale only).
    pub ns_per_field: f64,
}

/// The paired results of one category (`None` = the whole corpus).
#[derive(Clone, Debug)]
pub struct Group {
    /// The category, `None` for the whole corpus.
    pub category: Option<Category>,
    /// Fields in the category.
    pub fields: usize,
    /// One row per system that formatted at least one field, the floor first.
    pub rows: Vec<Row>,
    /// mail-builder's time divided by mailfold's, per round (how many times faster mailfold
    /// is); `None` when mail-builder formats none of these fields.
    pub mailfold_speedup_vs_mail_builder: Option<Quartiles>,
}

/// How many passes over the fields one sample of `system` makes: enough for a sample of at
/// least `min_sample`, so that short categories are not timed at the clock's resolution.
/// Timed after a warm-up of a few passes (the first pass over a freshly generated corpus
/// is many times slower than the later ones).
fn passes_per_sample(system: &mut dyn System, min_sample: Duration) -> usize {
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(20) {
        std::hint::black_box(system.run_all());
    }
    let start = Instant::now();
    std::hint::black_box(system.run_all());
    let once = start.elapsed().max(Duration::from_nanos(1));
    (min_sample.as_nanos() / once.as_nanos()).clamp(1, 10_000) as usize
}

/// Times `rounds` rounds of every system over `fields` (see the module docs). Systems that
/// format none of the fields (a peer without that kind of header) are left out.
pub fn measure(
    category: Option<Category>,
    fields: &[&Field],
    rounds: usize,
    min_sample: Duration,
) -> Group {
    let shown = corpus_systems(category);
    let mut systems: Vec<Box<dyn System + '_>> = all_systems(fields)
        .into_iter()
        .filter(|s| shown.contains(&s.name()))
        .filter_map(|mut s| {
            let produced = (0..s.len()).any(|i| s.format(i).is_ok());
            produced.then_some(s)
        })
        .collect();
    // Warm-up, and the pass count of each system's samples.
    let passes: Vec<usize> = systems
        .iter_mut()
        .map(|s| passes_per_sample(s.as_mut(), min_sample))
        .collect();
    let n = systems.len();
    let mut ns: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds.max(1) {
        for k in 0..n {
            let i = (round + k) % n;
            // One untimed pass first: the system before it in the round has just filled the
            // caches with its own data, and a sample should time the system, as criterion's
            // do, not the refill (which would weigh most on the floor, as it computes least).
            std::hint::black_box(systems[i].run_all());
            let start = Instant::now();
            for _ in 0..passes[i] {
                std::hint::black_box(systems[i].run_all());
            }
            let per_field = start.elapsed().as_nanos() as f64 / (passes[i] * fields.len()) as f64;
            ns[i].push(per_field);
        }
    }
    let names: Vec<&'static str> = systems.iter().map(|s| s.name()).collect();
    let (rows, speedup) = summarize(&names, &ns);
    Group {
        category,
        fields: fields.len(),
        rows,
        mailfold_speedup_vs_mail_builder: speedup,
    }
}

/// The rows and mailfold's speed-up over mail-builder from per-round times: `ns[i][r]` is
/// system `names[i]`'s ns/field in round `r`. Every ratio is taken within one round, then
/// summarised over the rounds (a ratio of medians would mix rounds).
fn summarize(names: &[&'static str], ns: &[Vec<f64>]) -> (Vec<Row>, Option<Quartiles>) {
    let index = |name: &str| names.iter().position(|n| *n == name);
    let ratio =
        |a: usize, b: usize| -> Vec<f64> { ns[a].iter().zip(&ns[b]).map(|(x, y)| x / y).collect() };
    let mut rows = Vec::new();
    if let Some(f) = index("floor") {
        for (i, name) in names.iter().enumerate() {
            let (Some(median), Some(x_floor)) =
                (Quartiles::of(&ns[i]), Quartiles::of(&ratio(i, f)))
            else {
                continue;
            };
            rows.push(Row {
                system: name,
                x_floor,
                ns_per_field: median.median,
            });
        }
    }
    let speedup = match (index("mailfold"), index("mail_builder")) {
        (Some(m), Some(b)) => Quartiles::of(&ratio(b, m)),
        _ => None,
    };
    (rows, speedup)
}

/// Renders paired groups as a Markdown table: per category, each system's median ratio to
/// the floor with its quartiles, and mailfold's speed-up over mail-builder.
pub fn render(groups: &[Group], rounds: usize) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "### Paired ratios ({rounds} interleaved rounds; median, quartiles in brackets)\n"
    );
    let systems: Vec<&str> = crate::systems::SYSTEM_NAMES
        .into_iter()
        .filter(|s| groups.iter().any(|g| g.rows.iter().any(|r| r.system == *s)))
        .collect();
    let _ = write!(o, "| category | fields |");
    for s in &systems {
        let _ = write!(o, " {s} (x floor) |");
    }
    let _ = writeln!(o, " mailfold vs mail-builder |");
    let _ = writeln!(o, "|---|---:|{}---:|", "---:|".repeat(systems.len()));
    let fmt =
        |q: &Quartiles, unit: &str| format!("{:.2}{unit} ({:.2}–{:.2})", q.median, q.low, q.high);
    for g in groups {
        let label = g.category.map_or("whole corpus", Category::label);
        let _ = write!(o, "| {label} | {} |", g.fields);
        for s in &systems {
            match g.rows.iter().find(|r| r.system == *s) {
                Some(r) => {
                    let _ = write!(o, " {} |", fmt(&r.x_floor, "x"));
                }
                None => o.push_str(" – |"),
            }
        }
        match &g.mailfold_speedup_vs_mail_builder {
            Some(q) => {
                let _ = writeln!(o, " {} faster |", fmt(q, "x"));
            }
            None => o.push_str(" – |\n"),
        }
    }
    // The absolute times drift with the machine; they are here for scale, not comparison.
    let _ = write!(
        o,
        "\nMedian ns/field over the rounds (for scale only):\n\n| category |"
    );
    for s in &systems {
        let _ = write!(o, " {s} |");
    }
    let _ = writeln!(o, "\n|---|{}", "---:|".repeat(systems.len()));
    for g in groups {
        let label = g.category.map_or("whole corpus", Category::label);
        let _ = write!(o, "| {label} |");
        for s in &systems {
            match g.rows.iter().find(|r| r.system == *s) {
                Some(r) => {
                    let _ = write!(o, " {:.1} |", r.ns_per_field);
                }
                None => o.push_str(" – |"),
            }
        }
        o.push('\n');
    }
    o
}

/// Measures every category and the whole corpus (see [`measure`]).
pub fn measure_all(fields: &[Field], rounds: usize, min_sample: Duration) -> Vec<Group> {
    Category::ALL
        .map(Some)
        .into_iter()
        .chain([None])
        .map(|cat| {
            let sel: Vec<&Field> = fields
                .iter()
                .filter(|f| cat.is_none_or(|c| f.category == c))
                .collect();
            measure(cat, &sel, rounds, min_sample)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::generate;

    #[test]
    fn quartiles_interpolate_between_order_statistics() {
        let q = Quartiles::of(&[10.0, 0.0]).unwrap();
        assert_eq!((q.low, q.median, q.high), (2.5, 5.0, 7.5));
        let one = Quartiles::of(&[3.0]).unwrap();
        assert_eq!((one.low, one.median, one.high), (3.0, 3.0, 3.0));
        assert_eq!(Quartiles::of(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn ratios_are_taken_within_each_round() {
        // The machine slows to a half and a third of its speed in rounds 1 and 2 (every time
        // doubles, triples), and in round 1 mail-builder alone is slowed further. Per-round
        // ratios keep mail-builder at 6x the floor in two rounds of three (median 6); a ratio
        // of medians (180 / 20) would say 9.
        let names = ["floor", "mailfold", "mail_builder"];
        let ns = vec![
            vec![10.0, 20.0, 30.0],
            vec![30.0, 60.0, 90.0],
            vec![60.0, 180.0, 180.0],
        ];
        let (rows, speedup) = summarize(&names, &ns);
        let x = |s: &str| rows.iter().find(|r| r.system == s).unwrap().x_floor;
        assert_eq!(x("floor").median, 1.0);
        assert_eq!(
            (x("mailfold").low, x("mailfold").median, x("mailfold").high),
            (3.0, 3.0, 3.0)
        );
        assert_eq!(
            (x("mail_builder").low, x("mail_builder").median),
            (6.0, 6.0)
        );
        assert_eq!(x("mail_builder").high, 7.5);
        // mail-builder's time over mailfold's: how many times faster mailfold is.
        let q = speedup.unwrap();
        assert_eq!((q.low, q.median, q.high), (2.0, 2.0, 2.5));
        assert_eq!(
            rows.iter()
                .find(|r| r.system == "mailfold")
                .unwrap()
                .ns_per_field,
            60.0
        );
        // Without a floor there are no rows; without mail-builder no speed-up.
        assert!(summarize(&names[1..], &ns[1..]).0.is_empty());
        assert!(summarize(&names[..2], &ns[..2]).1.is_none());
    }

    #[test]
    fn the_floor_is_one_and_systems_without_output_are_left_out() {
        let fields = generate(7, 400);
        let sel: Vec<&Field> = fields
            .iter()
            .filter(|f| f.category == Category::MessageId)
            .collect();
        let g = measure(Some(Category::MessageId), &sel, 3, Duration::ZERO);
        let floor = g.rows.iter().find(|r| r.system == "floor").unwrap();
        assert_eq!(floor.x_floor.median, 1.0);
        assert!(g.rows.iter().any(|r| r.system == "mailfold"));
        // Only address lists get the format_mailboxes row.
        assert!(g.rows.iter().all(|r| r.system != "mailfold_mailboxes"));
        let table = render(&[g], 3);
        assert!(table.contains("| Message-ID |"), "{table}");
    }
}
