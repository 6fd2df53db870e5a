//! One timed subject ([`Bench`]) and the sampling loop of the report.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

// Runs n operations; returns the time they took (not counting untimed resets).
type Run = Box<dyn FnMut(u64) -> Duration>;
type Check = Box<dyn Fn(u64) -> Result<(), String>>;

/// One thing to time: an operation repeated in a tight loop, and a check that the operations
/// run so far did their work (listener counts, computed values).
pub struct Bench {
    id: &'static str,
    label: &'static str,
    run: Run,
    check: Check,
    ops: u64,
    samples: Vec<f64>,
}

impl Bench {
    /// A bench whose operation `op` works on `state`; `check` gets the state and the number
    /// of operations run so far (warm-up included) and says whether they all did their work.
    ///
    /// `id` names it in criterion's output, `label` in the report.
    pub fn new<S: 'static>(
        id: &'static str,
        label: &'static str,
        state: S,
        mut op: impl FnMut(&mut S) + 'static,
        check: impl Fn(&S, u64) -> Result<(), String> + 'static,
    ) -> Bench {
        let state = Rc::new(RefCell::new(state));
        let looped = state.clone();
        Bench {
            id,
            label,
            // One borrow per sample, not per operation: the loop body is `op` inlined.
            run: Box::new(move |n| {
                let mut state = looped.borrow_mut();
                let start = Instant::now();
                for _ in 0..n {
                    op(&mut state);
                }
                start.elapsed()
            }),
            check: Box::new(move |ops| check(&state.borrow(), ops)),
            ops: 0,
            samples: Vec::new(),
        }
    }

    /// A bench of a long operation (milliseconds) that needs a clean state each time: each
    /// `op` is timed alone and followed by an untimed `reset`, which checks what the operation
    /// left and drops it (recording any failure in the state for `check`).
    pub fn batched<S: 'static>(
        id: &'static str,
        label: &'static str,
        state: S,
        mut op: impl FnMut(&mut S) + 'static,
        mut reset: impl FnMut(&mut S) + 'static,
        check: impl Fn(&S, u64) -> Result<(), String> + 'static,
    ) -> Bench {
        let state = Rc::new(RefCell::new(state));
        let looped = state.clone();
        Bench {
            id,
            label,
            run: Box::new(move |n| {
                let mut state = looped.borrow_mut();
                let mut timed = Duration::ZERO;
                for _ in 0..n {
                    let start = Instant::now();
                    op(&mut state);
                    timed += start.elapsed();
                    reset(&mut state);
                }
                timed
            }),
            check: Box::new(move |ops| check(&state.borrow(), ops)),
            ops: 0,
            samples: Vec::new(),
        }
    }

    /// The same bench under another short name (to put one bench into a second case).
    pub fn with_id(mut self, id: &'static str) -> Bench {
        self.id = id;
        self
    }

    /// The short name (criterion's benchmark id).
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The descriptive name (the report's).
    pub fn label(&self) -> &'static str {
        self.label
    }

    /// Runs `n` operations untimed.
    pub fn run(&mut self, n: u64) {
        (self.run)(n);
        self.ops += n;
    }

    /// Runs `n` operations and records the time per operation as one sample.
    pub fn time(&mut self, n: u64) -> Duration {
        let elapsed = (self.run)(n);
        self.ops += n;
        if n > 0 {
            self.samples.push(elapsed.as_nanos() as f64 / n as f64);
        }
        elapsed
    }

    /// Forgets the recorded samples (after calibration or warm-up).
    pub fn clear_samples(&mut self) {
        self.samples.clear();
    }

    /// The recorded samples (ns per operation), in order.
    pub fn samples(&self) -> &[f64] {
        &self.samples
    }

    /// Adds samples recorded elsewhere (by a process that sampled this bench's case).
    pub fn add_samples(&mut self, samples: Vec<f64>) {
        self.samples.extend(samples);
    }

    /// How many samples are recorded.
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }

    /// The median time per operation of the last `last` samples, in nanoseconds.
    pub fn median_ns(&self, last: usize) -> Option<f64> {
        let from = self.samples.len().saturating_sub(last);
        median(&self.samples[from..])
    }

    /// Whether every operation run so far did its work.
    pub fn check(&self) -> Result<(), String> {
        (self.check)(self.ops).map_err(|e| format!("{}: {e}", self.label))
    }
}

/// The median of `values`, `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// How the report samples.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// The wall time one sample of one bench should take.
    pub sample_time: Duration,
    /// Samples per bench.
    pub samples: usize,
}

impl Plan {
    /// The full run: about 2 seconds per bench.
    pub const FULL: Plan = Plan {
        sample_time: Duration::from_millis(10),
        samples: 201,
    };

    /// A quick look: about 0.1 second per bench, noisier.
    pub const QUICK: Plan = Plan {
        sample_time: Duration::from_millis(1),
        samples: 51,
    };

    /// This plan with at most `samples` samples (`None`: unchanged).
    pub fn capped(self, samples: Option<usize>) -> Plan {
        Plan {
            samples: samples.map_or(self.samples, |cap| cap.min(self.samples)),
            ..self
        }
    }
}

/// Samples every bench of one case, interleaved (one sample of each in turn, the starting
/// bench rotating) so that drift of the machine's speed hits all of them alike. Afterwards
/// each bench holds exactly `plan.samples` samples.
pub fn sample(benches: &mut [Bench], plan: &Plan) {
    let iters: Vec<u64> = benches
        .iter_mut()
        .map(|b| calibrate(b, plan.sample_time))
        .collect();
    for bench in benches.iter_mut() {
        bench.clear_samples();
    }
    let count = benches.len();
    for round in 0..plan.samples {
        for k in 0..count {
            let i = (round + k) % count;
            benches[i].time(iters[i]);
        }
    }
}

/// Warms `bench` up and returns the operation count that takes about `target`.
fn calibrate(bench: &mut Bench, target: Duration) -> u64 {
    let mut n = 1u64;
    loop {
        let elapsed = bench.time(n);
        if elapsed >= target / 2 || n >= 1 << 40 {
            let per_op = elapsed.as_secs_f64() / n as f64;
            // A second pass at the final size finishes the warm-up.
            let n = ((target.as_secs_f64() / per_op.max(1e-12)) as u64).max(1);
            bench.time(n);
            return n;
        }
        n *= 2;
    }
}
