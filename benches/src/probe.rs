//! What listeners record, so every bench can prove its listeners ran.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A listener's record: how often it was called and the last value it saw.
///
/// Listeners of our models must be `Send + Sync`, hence atomics; the floors and peers use the
/// same probe so their listener bodies cost the same. Benchmarks are single-threaded, so the
/// count is a relaxed load and store, not a read-modify-write.
#[derive(Debug, Default)]
pub struct Probe {
    hits: AtomicU64,
    last: AtomicU64,
}

impl Probe {
    /// A fresh probe to share between a listener and its check.
    pub fn new() -> Arc<Probe> {
        Arc::new(Probe::default())
    }

    /// Records one call that saw `value`.
    #[inline]
    pub fn saw(&self, value: u64) {
        self.hits
            .store(self.hits.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        self.last.store(value, Ordering::Relaxed);
    }

    /// Calls so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// The last value seen.
    #[inline]
    pub fn last(&self) -> u64 {
        self.last.load(Ordering::Relaxed)
    }

    /// `Ok` when exactly `hits` calls were made and the last one saw `last`.
    pub fn expect(&self, hits: u64, last: u64) -> Result<(), String> {
        if self.hits() != hits || (hits > 0 && self.last() != last) {
            return Err(format!(
                "listener ran {} times, last saw {}; expected {hits} times, last {last}",
                self.hits(),
                self.last()
            ));
        }
        Ok(())
    }
}

/// The sum, wrapping, of `v + offset` for `v` in `1..=ops`: what the computed benches
/// accumulate when every read of the derived value is right.
pub fn expected_sum(ops: u64, offset: u64) -> u64 {
    let ops = u128::from(ops);
    let total = ops * (ops + 1) / 2 + ops * u128::from(offset);
    total as u64
}

/// `Ok` when `got == want`, else a message naming `what`.
pub fn expect_eq(what: &str, got: u64, want: u64) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what} is {got}, expected {want}"))
    }
}
