//! The report's table: ratios against targets, and allocation counts.

use crate::alloc;
use crate::cases::Case;

/// A row's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Target met.
    Ok,
    /// Target missed.
    Miss,
    /// Nothing to check.
    Info,
    /// A bench has no samples (filtered out, or criterion's test mode).
    NotRun,
    /// The case cannot run here, for this reason (e.g. no database server).
    Skipped(&'static str),
}

/// One printed row.
#[derive(Clone, Debug)]
pub struct Row {
    /// What is compared.
    pub case: String,
    /// Our figure (ns per op, or allocations per op).
    pub ours: Option<f64>,
    /// The floor's or peer's figure.
    pub other: Option<f64>,
    /// `ours / other`.
    pub ratio: Option<f64>,
    /// The target, printed.
    pub target: String,
    /// Met, missed, or not checked.
    pub verdict: Verdict,
}

/// The ratio rows of `cases`, from the medians of each bench's last `last` samples.
pub fn ratio_rows(cases: &[Case], last: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for case in cases {
        for cmp in &case.comparisons {
            if let Some(reason) = case.skipped {
                rows.push(Row {
                    case: cmp.label.to_string(),
                    ours: None,
                    other: None,
                    ratio: None,
                    target: cmp.target.describe(),
                    verdict: Verdict::Skipped(reason),
                });
                continue;
            }
            // Every pooled process's samples count.
            let last =
                case.limits.samples.map_or(last, |cap| cap.min(last)) * case.limits.process_count();
            let ours = case.benches[cmp.ours].median_ns(last);
            let other = case.benches[cmp.other].median_ns(last);
            let ratio = ours.zip(other).map(|(o, f)| o / f);
            let verdict = match ratio {
                None => Verdict::NotRun,
                Some(r) => match cmp.target.met(r) {
                    Some(true) => Verdict::Ok,
                    Some(false) => Verdict::Miss,
                    None => Verdict::Info,
                },
            };
            rows.push(Row {
                case: cmp.label.to_string(),
                ours,
                other,
                ratio,
                target: cmp.target.describe(),
                verdict,
            });
        }
    }
    rows
}

/// Allocations per operation of every bench after a warm-up (listener tables, thread-local
/// queues and executors reach their steady size): one row per bench that must not
/// allocate (checked), and the list of all benches (for information).
///
/// Needs [`alloc::CountingAlloc`] as the global allocator.
pub fn allocation_rows(cases: &mut [Case]) -> (Vec<Row>, Vec<(String, f64)>) {
    let mut checked = Vec::new();
    let mut all = Vec::new();
    for case in cases.iter_mut() {
        if case.limits.alloc_ops == 0 {
            continue;
        }
        for (i, bench) in case.benches.iter_mut().enumerate() {
            bench.run(case.limits.alloc_warm_up);
            let count = alloc::count(|| bench.run(case.limits.alloc_ops));
            let per_op = count as f64 / case.limits.alloc_ops as f64;
            all.push((format!("{}: {}", case.id, bench.label()), per_op));
            if case.allocation_free.contains(&i) {
                checked.push(Row {
                    case: format!("allocations per op: {}", bench.label()),
                    ours: Some(per_op),
                    other: None,
                    ratio: None,
                    target: "== 0".into(),
                    verdict: if count == 0 {
                        Verdict::Ok
                    } else {
                        Verdict::Miss
                    },
                });
            }
        }
    }
    (checked, all)
}

/// Runs every bench's check; the failures, one line each.
pub fn check_all(cases: &[Case]) -> Vec<String> {
    cases
        .iter()
        .flat_map(|case| case.benches.iter().filter_map(|b| b.check().err()))
        .collect()
}

fn figure(value: Option<f64>) -> String {
    match value {
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "-".into(),
    }
}

/// The rows as a `|`-separated table: `case | ours ns | floor/peer ns | ratio | target | ok`.
pub fn render(rows: &[Row]) -> String {
    render_with(rows, "ours ns", "floor/peer ns")
}

/// [`render`] with other headings for the two figures (e.g. instructions per op).
pub fn render_with(rows: &[Row], ours: &str, other: &str) -> String {
    let header = ["case", ours, other, "ratio", "target", "ok"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.case.clone(),
                figure(r.ours),
                figure(r.other),
                r.ratio.map_or("-".into(), |x| format!("{x:.2}")),
                r.target.clone(),
                match r.verdict {
                    Verdict::Ok => "ok".into(),
                    Verdict::Miss => "MISS".into(),
                    Verdict::Info => "info".into(),
                    Verdict::NotRun => "not run".into(),
                    Verdict::Skipped(reason) => format!("skipped: {reason}"),
                },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 || i >= 4 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        format!("| {} |\n", parts.join(" | "))
    };
    let mut out = line(&header.map(String::from));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(&rule));
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}

/// Whether any checked row missed its target (or could not be measured).
pub fn any_miss(rows: &[Row]) -> bool {
    rows.iter().any(|r| r.verdict == Verdict::Miss)
}
