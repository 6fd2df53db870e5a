//! Criterion benchmarks of the live model, its floors and peers, grouped per case. After the
//! run it prints the same ratio table as the `report` binary (from the same samples criterion
//! took), the allocation counts and the heap per entity. Every bench checks afterwards that it did
//! its work (listener counts, computed values); `-- --test` runs each once for just that.
//!
//! `cargo bench -p reactive-benches --bench model [-- FILTER]`

use std::time::Duration;

use criterion::{Criterion, SamplingMode};
use reactive_benches::alloc::CountingAlloc;
use reactive_benches::{cases, heap, table};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const SAMPLES: usize = 50;

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut cases = cases::all();
    for case in &mut cases {
        let mut group = criterion.benchmark_group(case.id);
        if case.limits.samples.is_some() {
            // Operations of milliseconds: criterion's fewest samples, one operation count.
            group.sample_size(10).sampling_mode(SamplingMode::Flat);
        }
        for bench in &mut case.benches {
            group.bench_function(bench.id(), |b| b.iter_custom(|iters| bench.time(iters)));
        }
        group.finish();
    }
    criterion.final_summary();

    // Every bench checks its work even in criterion's test mode (`-- --test`).
    let failures = table::check_all(&cases);
    for failure in &failures {
        println!("work check failed: {failure}");
    }
    // Criterion's measurement samples are the last ones each bench recorded.
    let measured = cases
        .iter()
        .flat_map(|c| &c.benches)
        .any(|b| b.sample_count() >= SAMPLES);
    if measured {
        let mut rows = table::ratio_rows(&cases, SAMPLES);
        let (alloc_rows, _) = table::allocation_rows(&mut cases);
        rows.extend(alloc_rows);
        match heap::measure() {
            Ok(figures) => rows.extend(heap::rows(&figures)),
            Err(e) => println!("work check failed: heap: {e}"),
        }
        println!("\nratio = ours / floor or peer (medians of criterion's samples)\n");
        print!("{}", table::render(&rows));
        if table::any_miss(&rows) {
            println!("some targets were missed; `report` exits non-zero on this");
        }
    }
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
