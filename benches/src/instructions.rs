//! Instructions per operation, counted by valgrind's callgrind: deterministic where wall time
//! is too noisy for the model rules' 1.1x targets.
//!
//! A bench is run alone (`--run CASE/BENCH OPS`, by the same binary) under callgrind twice,
//! at [`OPS_LOW`] and [`OPS_HIGH`] operations; the difference of the two totals divided by
//! the difference of the operation counts is the cost of one operation, with the process
//! start-up, the setup and the warm-up cancelled out.

use std::path::Path;
use std::process::{Command, Output};

use crate::cases::Target;
use crate::table::{Row, Verdict};

/// Operations of the shorter run (also the warm-up of the longer one).
pub const OPS_LOW: u64 = 20_000;
/// Operations of the longer run.
pub const OPS_HIGH: u64 = 220_000;

/// A figure of the table: one bench's instructions per op, or one minus another.
#[derive(Clone, Copy, Debug)]
pub enum Figure {
    /// The bench `CASE/BENCH`.
    Bench(&'static str),
    /// The first bench's figure minus the second's (an operation's share).
    Minus(&'static str, &'static str),
}

impl Figure {
    /// The benches it needs counted.
    pub fn benches(self) -> Vec<&'static str> {
        match self {
            Figure::Bench(b) => vec![b],
            Figure::Minus(a, b) => vec![a, b],
        }
    }

    fn value(self, counted: &[Counted]) -> Option<f64> {
        let of = |id: &str| counted.iter().find(|c| c.bench == id).map(Counted::per_op);
        match self {
            Figure::Bench(b) => of(b),
            Figure::Minus(a, b) => Some(of(a)? - of(b)?),
        }
    }
}

/// One row: our figure against the floor's.
#[derive(Clone, Copy, Debug)]
pub struct Comparison {
    /// The row's name.
    pub label: &'static str,
    /// Ours.
    pub ours: Figure,
    /// What it is compared with.
    pub floor: Figure,
    /// What `ours / floor` must satisfy.
    pub target: Target,
}

/// The rows of the model rules (the `rules` case), each beside the core set.
pub fn comparisons() -> Vec<Comparison> {
    vec![
        Comparison {
            label: "set, empty #[reactive(hooks)] / same struct without hooks",
            ours: Figure::Bench("rules/hooks"),
            floor: Figure::Bench("rules/core"),
            target: Target::AtMost(1.1),
        },
        Comparison {
            // Tracking is always on: the core set past its first write is this very path.
            label: "dirty: later writes / core set (same path: tracking always on)",
            ours: Figure::Bench("rules/later-writes"),
            floor: Figure::Bench("rules/core"),
            target: Target::AtMost(1.1),
        },
        Comparison {
            label: "dirty: first write after mark_saved (op minus mark_saved) / core set",
            ours: Figure::Minus("rules/first-write", "rules/mark-saved"),
            floor: Figure::Bench("rules/core"),
            target: Target::Info,
        },
        Comparison {
            label: "dirty: mark_saved() alone / core set",
            ours: Figure::Bench("rules/mark-saved"),
            floor: Figure::Bench("rules/core"),
            target: Target::Info,
        },
    ]
}

/// A bench's callgrind totals at the two operation counts.
#[derive(Clone, Debug)]
pub struct Counted {
    /// `CASE/BENCH`.
    pub bench: &'static str,
    /// Instructions of the whole run at [`OPS_LOW`] operations.
    pub low: u64,
    /// Instructions of the whole run at [`OPS_HIGH`] operations.
    pub high: u64,
}

impl Counted {
    /// Instructions per operation.
    pub fn per_op(&self) -> f64 {
        (self.high as f64 - self.low as f64) / (OPS_HIGH - OPS_LOW) as f64
    }
}

/// valgrind's version line, or why it cannot be run.
pub fn valgrind_version() -> Result<String, String> {
    match Command::new("valgrind").arg("--version").output() {
        Ok(out) if out.status.success() => {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        }
        Ok(out) => Err(format!("`valgrind --version` failed: {}", tail(&out))),
        Err(e) => Err(format!("valgrind is not installed (or not on PATH): {e}")),
    }
}

/// Counts `bench` (`CASE/BENCH`) of the binary `exe` (which must take `--run CASE/BENCH OPS`)
/// at both operation counts, the two runs side by side.
pub fn count(exe: &Path, bench: &'static str) -> Result<Counted, String> {
    let low = start(exe, bench, OPS_LOW)?;
    let high = start(exe, bench, OPS_HIGH)?;
    let low = finish(low, bench, OPS_LOW);
    let high = finish(high, bench, OPS_HIGH);
    Ok(Counted {
        bench,
        low: low?,
        high: high?,
    })
}

struct Started {
    child: std::process::Child,
    out_file: std::path::PathBuf,
}

fn start(exe: &Path, bench: &str, ops: u64) -> Result<Started, String> {
    let out_file = std::env::temp_dir().join(format!(
        "reactive-benches-callgrind-{}-{}-{ops}.out",
        std::process::id(),
        bench.replace('/', "-"),
    ));
    let child = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(exe)
        .args(["--run", bench, &ops.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start valgrind: {e}"))?;
    Ok(Started { child, out_file })
}

fn finish(started: Started, bench: &str, ops: u64) -> Result<u64, String> {
    let out = started
        .child
        .wait_with_output()
        .map_err(|e| format!("{bench} at {ops} ops: {e}"))?;
    let text = std::fs::read_to_string(&started.out_file);
    let _ = std::fs::remove_file(&started.out_file);
    if !out.status.success() {
        return Err(format!("{bench} at {ops} ops failed: {}", tail(&out)));
    }
    let text = text.map_err(|e| format!("{bench} at {ops} ops: no callgrind output: {e}"))?;
    total(&text).ok_or_else(|| format!("{bench} at {ops} ops: no totals in the callgrind output"))
}

/// The `totals:` (or older `summary:`) line of a callgrind output file: instructions (`Ir`,
/// the only event collected by default).
pub fn total(callgrind_out: &str) -> Option<u64> {
    let line = callgrind_out
        .lines()
        .find(|l| l.starts_with("totals:"))
        .or_else(|| callgrind_out.lines().find(|l| l.starts_with("summary:")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn tail(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().rev().take(5).collect();
    let shown: Vec<&str> = lines.into_iter().rev().collect();
    format!("{} {}", out.status, shown.join(" / "))
}

/// The table's rows from the counts (a row whose benches were not counted is "not run").
pub fn rows(comparisons: &[Comparison], counted: &[Counted]) -> Vec<Row> {
    comparisons
        .iter()
        .map(|cmp| {
            let ours = cmp.ours.value(counted);
            let floor = cmp.floor.value(counted);
            let ratio = ours.zip(floor).map(|(o, f)| o / f);
            let verdict = match ratio.map(|r| cmp.target.met(r)) {
                None => Verdict::NotRun,
                Some(Some(true)) => Verdict::Ok,
                Some(Some(false)) => Verdict::Miss,
                Some(None) => Verdict::Info,
            };
            Row {
                case: cmp.label.to_string(),
                ours,
                other: floor,
                ratio,
                target: cmp.target.describe(),
                verdict,
            }
        })
        .collect()
}
