//! Runs every case, prints `case | ours ns | floor/peer ns | ratio | target | ok`, and exits
//! non-zero when a target is missed, a bench did not do its work, or the typed set allocated.
//!
//! `--quick` samples for a fraction of the time (noisier; for a look, not a verdict).
//! Other arguments select cases: only those whose id contains one of them run (e.g. `report
//! sqlite` runs the SQLite cases, `report heap` the heap figures alone).
//! `--run CASE/BENCH OPS` only runs one bench (e.g. `set_1_listener/ours`) OPS times and checks
//! it: a workload for a profiler such as callgrind.

use std::process::ExitCode;
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
    for case in &mut cases {
        eprintln!("sampling {} ({} benches)", case.id, case.benches.len());
        measure::sample(&mut case.benches, &plan.capped(case.limits.samples));
    }
    let mut rows = table::ratio_rows(&cases, plan.samples);
    let (alloc_rows, all_allocs) = table::allocation_rows(&mut cases);
    rows.extend(alloc_rows);
    let mut failures = table::check_all(&cases);
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
