//! The delivery code (`event::{hub, table, local}`) under loom: every interleaving of two
//! threads, each delivering one model, whose listeners subscribe to and unsubscribe from the
//! other model, of a subscription dropped while its model is being delivered elsewhere (never
//! started afterwards, and freed), and of two first listeners racing to allocate a model's
//! listener parts.
//!
//! Run by the test command as
//!
//! ```sh
//! RUSTFLAGS="--cfg reactive_loom" LOOM_MAX_PREEMPTIONS=3 \
//!     cargo test -p reactive-loom --release --test loom_hub
//! ```
//!
//! `--cfg reactive_loom` switches the crate's atomics, mutexes, `UnsafeCell`s and thread
//! locals to loom's (`src/sync.rs`), so these are the production paths. Left out, as loom
//! cannot see them: the model's state lock (`parking_lot`'s; each model here is written by
//! one thread, so it is never contended and never blocks), and change streams (a tokio
//! broadcast channel).
#![cfg(reactive_loom)]

use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::Mutex;
use loom::thread;
use reactive::prelude::*;

#[derive(Reactive, Clone, Debug, Default)]
struct Pair {
    x: u64,
    y: u64,
}

type Held = Arc<Mutex<Option<Subscription>>>;

/// A listener on `on.x` that drops the subscription it holds on `other.y` and subscribes
/// again (dropping and re-creating during a delivery).
fn resubscriber(on: &Model<Pair>, other: &Model<Pair>, held: &Held) -> Subscription {
    let (other, held) = (other.clone(), held.clone());
    on.on(Pair::X, move |_| {
        let next = other.on(Pair::Y, |_| {});
        // The previous subscription drops here, inside the delivery of `on`.
        let previous = held.lock().unwrap().replace(next);
        drop(previous);
    })
}

#[test]
fn listeners_of_two_models_unsubscribing_from_each_other_on_two_threads() {
    loom::model(|| {
        let a = Model::new(Pair::default());
        let b = Model::new(Pair::default());
        let held_on_b: Held = Arc::new(Mutex::new(Some(b.on(Pair::Y, |_| {}))));
        let held_on_a: Held = Arc::new(Mutex::new(Some(a.on(Pair::Y, |_| {}))));
        let _on_a = resubscriber(&a, &b, &held_on_b);
        let _on_b = resubscriber(&b, &a, &held_on_a);

        let writer = {
            let a = a.clone();
            thread::spawn(move || a.set_x(1).unwrap())
        };
        b.set_x(1).unwrap();
        writer.join().unwrap();

        for held in [&held_on_a, &held_on_b] {
            assert!(held.lock().unwrap().as_ref().unwrap().is_active());
        }
        // One live listener on each `y`: the re-created one (every dropped one stays off).
        let ys = Arc::new(AtomicUsize::new(0));
        let (ya, yb) = (ys.clone(), ys.clone());
        let _ya = a.on(Pair::Y, move |_| {
            ya.fetch_add(1, Ordering::SeqCst);
        });
        let _yb = b.on(Pair::Y, move |_| {
            yb.fetch_add(1, Ordering::SeqCst);
        });
        a.set_y(1).unwrap();
        b.set_y(1).unwrap();
        assert_eq!(ys.load(Ordering::SeqCst), 2);
    });
}

/// A delivery concurrent with the removal may or may not call the listener; a delivery that
/// happens after `drop` returned never does. (Stated in happens-before terms: loom models
/// `SeqCst` accesses as acquire/release, so "after" is what a release/acquire pair shows. The
/// stronger wall-clock form, at most one call entered after `drop` returns, rests on the
/// sequential consistency of the flag and is tested on real threads in `tests/unsubscribe.rs`.)
#[test]
fn a_subscription_dropped_during_a_delivery_elsewhere_is_never_started_afterwards() {
    loom::model(|| {
        let m = Model::new(Pair::default());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let sub = m.on(Pair::X, move |c: &Change<u64>| {
            s.lock().unwrap().push(c.value)
        });
        let dropped = Arc::new(AtomicBool::new(false));
        let writer = {
            let (m, dropped) = (m.clone(), dropped.clone());
            thread::spawn(move || {
                m.set_x(1).unwrap();
                while !dropped.load(Ordering::Acquire) {
                    thread::yield_now();
                }
                m.set_x(2).unwrap();
            })
        };
        // Never waits for the writer's delivery of 1, which may still be calling it.
        drop(sub);
        dropped.store(true, Ordering::Release);
        writer.join().unwrap();
        let seen = seen.lock().unwrap().clone();
        assert!(seen.is_empty() || seen == vec![1], "{seen:?}");
    });
}

/// A merged listener dropped while another thread may be delivering its model: once both are
/// done, nothing holds what its closure captured (the dropper purged it, or queued the purge
/// behind the delivery in progress).
#[test]
fn a_merged_listener_dropped_beside_a_delivery_is_freed_once_both_end() {
    loom::model(|| {
        let m = Model::new(Pair::default());
        let captured = Arc::new(());
        let held = captured.clone();
        let sub = m.on(Pair::Y, move |_| {
            let _ = &held;
        });
        m.set_y(1).unwrap();
        let _on_x = m.on(Pair::X, |_| {});
        let writer = {
            let m = m.clone();
            thread::spawn(move || m.set_x(1).unwrap())
        };
        drop(sub);
        writer.join().unwrap();
        assert_eq!(Arc::strong_count(&captured), 1);
    });
}

#[test]
fn a_listener_added_from_another_thread_during_a_delivery_starts_with_a_later_batch() {
    loom::model(|| {
        let m = Model::new(Pair::default());
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        let _first = m.on(Pair::X, move |c: &Change<u64>| {
            l.lock().unwrap().push(c.value)
        });
        let late = Arc::new(Mutex::new(Vec::new()));
        let subscriber = {
            let (m, late) = (m.clone(), late.clone());
            thread::spawn(move || {
                m.on(Pair::X, move |c: &Change<u64>| {
                    late.lock().unwrap().push(c.value)
                })
            })
        };
        m.set_x(1).unwrap();
        let sub = subscriber.join().unwrap();
        m.set_x(2).unwrap();
        assert_eq!(*log.lock().unwrap(), vec![1, 2]);
        // Registered before or during the first batch: it sees the second, maybe the first,
        // and never a batch twice or out of order.
        let late = late.lock().unwrap().clone();
        assert!(late == vec![2] || late == vec![1, 2], "{late:?}");
        drop(sub);
    });
}

/// The listener parts of a model are allocated by its first listener; two first listeners on
/// two threads race to install them (the loser frees its own and uses the winner's), and both
/// must end up in the one table a later write delivers.
#[test]
fn two_first_listeners_on_two_threads_share_one_table() {
    loom::model(|| {
        let m = Model::new(Pair::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let other = {
            let (m, calls) = (m.clone(), calls.clone());
            thread::spawn(move || {
                m.on(Pair::X, move |_| {
                    calls.fetch_add(1, Ordering::SeqCst);
                })
            })
        };
        let c = calls.clone();
        let mine = m.on(Pair::X, move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        let theirs = other.join().unwrap();
        m.set_x(1).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        drop((mine, theirs));
        m.set_x(2).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    });
}
