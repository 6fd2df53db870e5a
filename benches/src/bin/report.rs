//! Runs every case, prints `case | ours ns | floor/peer ns | ratio | target | ok`, and exits
//! non-zero when a target is missed, a bench did not do its work, or the typed set allocated.
//!
//! `--quick` samples for a fraction of the time (noisier; for a look, not a verdict).
//! Other arguments select cases: only those whose id contains one of them run (e.g. `report
//! sqlite` runs the SQLite cases, `report heap` the heap figures alone).
//! `--run CASE/BENCH OPS` only runs one bench (e.g. `set_1_listener/ours`) OPS times and checks
//! it: a workload for a profiler such as callgrind.
//!
//! Each case is sampled in a process of its own (this binary with `--sample-case ID`), so that
//! no case runs on a heap or in thread-local state that an earlier case left behind: a page of
//! 100 sampled after loading 100,000 entities took three times as long as alone.

use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use reactive_benches::alloc::CountingAlloc;
use reactive_benches::measure::{self, Plan};
use reactive_benches::table;
use reactive_benches::{cases, heap};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--run") {
        let which = args.get(at + 1);
        // Only the bench's own case is set up.
        let case = which.and_then(|w| w.split('/').next()).map(String::from);
        return cases::run_one(
            cases::selected(&case.into_iter().collect::<Vec<_>>()),
            which,
            args.get(at + 2),
        );
    }
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(at) = args.iter().position(|a| a == "--sample-case") {
        return sample_case(
            args.get(at + 1),
            if quick { Plan::QUICK } else { Plan::FULL },
        );
    }
    let filters: Vec<String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    let plan = if quick { Plan::QUICK } else { Plan::FULL };
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with --release for meaningful numbers");
    }
    let started = Instant::now();
    let mut cases = cases::selected(&filters);
    let mut failures = Vec::new();
    for case in &mut cases {
        eprintln!("sampling {} ({} benches)", case.id, case.benches.len());
        if let Err(e) = sample_apart(case, quick) {
            failures.push(format!("{}: {e}", case.id));
        }
    }
    let mut rows = table::ratio_rows(&cases, plan.samples);
    let (alloc_rows, all_allocs) = table::allocation_rows(&mut cases);
    rows.extend(alloc_rows);
    failures.extend(table::check_all(&cases));
    if cases::is_selected(&filters, "heap") {
        eprintln!("measuring heap per entity ({} entities)", heap::N);
        match heap::measure() {
            Ok(figures) => rows.extend(heap::rows(&figures)),
            Err(e) => failures.push(format!("heap: {e}")),
        }
    }

    println!(
        "{} samples of ~{:?} per bench, medians, interleaved per case; ratio = ours / floor or peer\n",
        plan.samples, plan.sample_time
    );
    print!("{}", table::render(&rows));
    println!("\nallocations per op after warm-up:");
    for (label, per_op) in &all_allocs {
        println!("  {per_op:>8.3}  {label}");
    }
    for failure in &failures {
        println!("work check failed: {failure}");
    }
    let misses = rows
        .iter()
        .filter(|r| r.verdict == table::Verdict::Miss)
        .count();
    println!("\ntook {:.1?}", started.elapsed());
    if misses > 0 || !failures.is_empty() {
        println!(
            "FAILED: {misses} target(s) missed, {} work check(s) failed",
            failures.len()
        );
        ExitCode::FAILURE
    } else {
        println!("all targets met");
        ExitCode::SUCCESS
    }
}

/// Samples `case` in `case.limits.processes` child processes, one after the other, and pools
/// their samples; the children's work checks that failed come back as the error.
fn sample_apart(case: &mut cases::Case, quick: bool) -> Result<(), String> {
    for _ in 0..case.limits.process_count() {
        sample_in_child(case, quick)?;
    }
    Ok(())
}

/// Samples `case` in one child process and adds its samples to the case's benches.
fn sample_in_child(case: &mut cases::Case, quick: bool) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let mut command = Command::new(exe);
    command.arg("--sample-case").arg(case.id);
    if quick {
        command.arg("--quick");
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start the sampling process: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut failed = Vec::new();
    let mut taken = 0;
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("samples ") {
            let mut fields = rest.split(' ');
            let index: usize = fields
                .next()
                .and_then(|i| i.parse().ok())
                .ok_or_else(|| format!("a malformed line from the sampling process: {line}"))?;
            let samples = fields
                .map(str::parse::<f64>)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("a malformed sample ({e}): {line}"))?;
            let bench = case
                .benches
                .get_mut(index)
                .ok_or_else(|| format!("no bench {index} in the case"))?;
            bench.add_samples(samples);
            taken += 1;
        } else if let Some(message) = line.strip_prefix("failed ") {
            failed.push(message.to_string());
        }
    }
    if !output.status.success() {
        return Err(format!("the sampling process ended with {}", output.status));
    }
    if taken != case.benches.len() {
        return Err(format!(
            "the sampling process gave {taken} of {} benches",
            case.benches.len()
        ));
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

/// The child's side: samples the one case `id` and prints each bench's samples (`samples I
/// NS NS ..`), then each failed work check (`failed MESSAGE`).
fn sample_case(id: Option<&String>, plan: Plan) -> ExitCode {
    let Some(id) = id else {
        eprintln!("usage: --sample-case CASE");
        return ExitCode::FAILURE;
    };
    let mut cases = cases::named(id);
    let Some(case) = cases.first_mut() else {
        eprintln!("no case {id}");
        return ExitCode::FAILURE;
    };
    measure::sample(&mut case.benches, &plan.capped(case.limits.samples));
    for (i, bench) in case.benches.iter().enumerate() {
        let samples: Vec<String> = bench.samples().iter().map(f64::to_string).collect();
        println!("samples {i} {}", samples.join(" "));
    }
    for failure in table::check_all(&cases) {
        println!("failed {}", failure.replace('\n', " "));
    }
    ExitCode::SUCCESS
}
