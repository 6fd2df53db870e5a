//! The model rules' verdict by instruction count: runs each bench of the `rules` case under
//! valgrind's callgrind (this binary again, with `--run`), prints
//! `case | ours instr/op | floor instr/op | ratio | target | ok` and the allocations per
//! operation, and exits non-zero when a target is missed, a bench allocated or did not do its
//! work, or valgrind is missing.
//!
//! `--run CASE/BENCH OPS` only runs one bench of the `rules` case (what callgrind runs).

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Instant;

use reactive_benches::alloc::CountingAlloc;
use reactive_benches::cases;
use reactive_benches::instructions::{self, OPS_HIGH, OPS_LOW};
use reactive_benches::table::{self, Verdict};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--run") {
        return cases::run_one(cases::rules(), args.get(at + 1), args.get(at + 2));
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with --release for meaningful numbers");
    }
    let started = Instant::now();
    let valgrind = match instructions::valgrind_version() {
        Ok(version) => version,
        Err(why) => {
            println!("{why}");
            println!("FAILED: instruction counts need valgrind (e.g. `apt-get install valgrind`)");
            return ExitCode::FAILURE;
        }
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            println!("FAILED: cannot find this binary to run it under valgrind: {e}");
            return ExitCode::FAILURE;
        }
    };

    let comparisons = instructions::comparisons();
    let benches: BTreeSet<&'static str> = comparisons
        .iter()
        .flat_map(|c| c.ours.benches().into_iter().chain(c.floor.benches()))
        .collect();
    let mut counted = Vec::new();
    let mut errors = Vec::new();
    for bench in benches {
        eprintln!("counting {bench} under callgrind");
        match instructions::count(&exe, bench) {
            Ok(c) => counted.push(c),
            Err(e) => errors.push(e),
        }
    }
    let mut rows = instructions::rows(&comparisons, &counted);

    // Allocations, counted natively on fresh benches.
    let mut cases = cases::rules();
    let (alloc_rows, all_allocs) = table::allocation_rows(&mut cases);
    rows.extend(alloc_rows);
    let failures = table::check_all(&cases);

    println!(
        "{valgrind}, callgrind Ir; instr/op = (total at {OPS_HIGH} ops - total at {OPS_LOW} ops) \
         / {} of one bench run alone; ratio = ours / floor\n",
        OPS_HIGH - OPS_LOW
    );
    print!(
        "{}",
        table::render_with(&rows, "ours instr/op", "floor instr/op")
    );
    println!(
        "\nDirty tracking is always on: past its first write, the core set is the later-writes \
         path,\nso that row compares the path with itself; its tracking is one compare and \
         branch on the\nbaseline (see the README). A set without tracking would need a \
         runtime change."
    );
    println!("\ncallgrind totals:");
    for c in &counted {
        println!(
            "  {:<20} {:>12} at {OPS_LOW:>7} ops, {:>12} at {OPS_HIGH:>7} ops: {:>7.1} instr/op",
            c.bench,
            c.low,
            c.high,
            c.per_op()
        );
    }
    println!("\nallocations per op after warm-up:");
    for (label, per_op) in &all_allocs {
        println!("  {per_op:>8.3}  {label}");
    }
    for error in &errors {
        println!("count failed: {error}");
    }
    for failure in &failures {
        println!("work check failed: {failure}");
    }
    let misses = rows
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Miss | Verdict::NotRun))
        .count();
    println!("\ntook {:.1?}", started.elapsed());
    if misses > 0 || !errors.is_empty() || !failures.is_empty() {
        println!(
            "FAILED: {misses} target(s) missed or not measured, {} count(s) failed, {} work \
             check(s) failed",
            errors.len(),
            failures.len()
        );
        ExitCode::FAILURE
    } else {
        println!("all targets met");
        ExitCode::SUCCESS
    }
}
