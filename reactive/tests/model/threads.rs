//! Concurrent writers: no lost update, every listener sees every commit in order, no deadlock.

use crate::common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};

use reactive::prelude::*;

#[derive(Reactive, Clone, Debug)]
struct Counter {
    n: u64,
    other: u64,
}

const THREADS: u64 = 8;
const PER_THREAD: u64 = 10_000;

#[test]
fn eight_threads_updating_lose_nothing_and_listeners_see_every_commit_in_order() {
    common::watchdog(120, "8 concurrent writers", || {
        let m = Model::new(Counter { n: 0, other: 0 });
        let broken = Arc::new(AtomicBool::new(false));
        let calls = Arc::new(AtomicU64::new(0));
        let mut subs = Vec::new();
        for _ in 0..2 {
            let last = Arc::new(AtomicU64::new(0));
            let (broken, calls) = (broken.clone(), calls.clone());
            subs.push(m.on(Counter::N, move |c: &Change<u64>| {
                // In order, with no gap: each commit's previous is the last value seen.
                if c.previous + 1 != c.value || last.swap(c.value, Ordering::SeqCst) != c.previous {
                    broken.store(true, Ordering::SeqCst);
                }
                calls.fetch_add(1, Ordering::SeqCst);
            }));
        }
        let changes = Arc::new(AtomicU64::new(0));
        let c = changes.clone();
        subs.push(m.on_change(move |_, _| {
            c.fetch_add(1, Ordering::SeqCst);
        }));
        let barrier = Arc::new(Barrier::new(THREADS as usize));
        let writers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (m, barrier) = (m.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    for i in 0..PER_THREAD {
                        if (t + i) % 2 == 0 {
                            m.update(|c| c.n += 1).unwrap();
                        } else {
                            // Interleave the single-field path with the batch path.
                            m.batch(|b| {
                                let next = b.n() + 1;
                                b.set_n(next)
                            })
                            .unwrap();
                        }
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(m.n(), THREADS * PER_THREAD);
        assert!(
            !broken.load(Ordering::SeqCst),
            "a listener saw a commit out of order or with a gap"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2 * THREADS * PER_THREAD);
        assert_eq!(changes.load(Ordering::SeqCst), THREADS * PER_THREAD);
    });
}

#[test]
fn single_field_sets_from_many_threads_are_delivered_in_commit_order() {
    common::watchdog(120, "concurrent sets", || {
        let m = Model::new(Counter { n: 0, other: 0 });
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let s = seen.clone();
        let _sub = m.on(Counter::OTHER, move |c: &Change<u64>| {
            s.lock().unwrap().push((c.previous, c.value))
        });
        let barrier = Arc::new(Barrier::new(4));
        let writers: Vec<_> = (0..4u64)
            .map(|t| {
                let (m, barrier) = (m.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    for i in 0..5_000u64 {
                        m.set_other(t * 1_000_000 + i + 1).unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        // Commit order: each event's previous is the value of the event before it.
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 20_000);
        for pair in seen.windows(2) {
            assert_eq!(pair[0].1, pair[1].0, "events delivered out of commit order");
        }
        assert_eq!(seen.last().unwrap().1, m.other());
    });
}

#[test]
fn listeners_writing_back_while_other_threads_write_do_not_deadlock() {
    common::watchdog(120, "listeners writing under contention", || {
        let a = Model::new(Counter { n: 0, other: 0 });
        let b = Model::new(Counter { n: 0, other: 0 });
        // a.n -> b.other and b.n -> a.other, from listeners, while 4 threads write both.
        let wb = b.downgrade();
        a.on(Counter::N, move |c: &Change<u64>| {
            wb.upgrade().unwrap().set_other(c.value).unwrap();
        })
        .detach();
        let wa = a.downgrade();
        b.on(Counter::N, move |c: &Change<u64>| {
            wa.upgrade().unwrap().set_other(c.value).unwrap();
        })
        .detach();
        let writers: Vec<_> = (0..4)
            .map(|t| {
                let (a, b) = (a.clone(), b.clone());
                std::thread::spawn(move || {
                    for _ in 0..5_000 {
                        if t % 2 == 0 {
                            a.update(|c| c.n += 1).unwrap();
                        } else {
                            b.update(|c| c.n += 1).unwrap();
                        }
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(a.n() + b.n(), 20_000);
        assert_eq!(b.other(), a.n());
        assert_eq!(a.other(), b.n());
    });
}
