//! Unsubscribing never waits for a listener running on another thread (ADR 0002), and a
//! dropped listener is never started after `drop` or `off()` returns. Each interleaving is
//! forced with barriers and gates; a watchdog turns a deadlock into a failure.

use crate::common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use reactive::prelude::*;

#[derive(Reactive, Clone, Debug, Default)]
struct Pair {
    x: u64,
    y: u64,
}

/// A one-shot gate: `wait` blocks until `open` (bounded, so a broken test fails instead of
/// hanging past its watchdog).
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, std::sync::Condvar)>);

impl Gate {
    fn open(&self) {
        *self.0 .0.lock().unwrap() = true;
        self.0 .1.notify_all();
    }

    fn wait(&self) {
        let (lock, cond) = &*self.0;
        let open = lock.lock().unwrap();
        let (open, timeout) = cond
            .wait_timeout_while(open, Duration::from_secs(20), |open| !*open)
            .unwrap();
        assert!(*open && !timeout.timed_out(), "the gate was never opened");
    }
}

#[test]
fn listeners_dropping_subscriptions_of_each_others_model_on_two_threads_do_not_deadlock() {
    common::watchdog(10, "cross-model unsubscribe on two threads", || {
        let a = Model::new(Pair::default());
        let b = Model::new(Pair::default());
        // Both listeners are inside their model's delivery before either drops.
        let both_delivering = Arc::new(Barrier::new(2));
        let held_on_b: Arc<Mutex<Option<Subscription>>> = Arc::default();
        let held_on_a: Arc<Mutex<Option<Subscription>>> = Arc::default();
        *held_on_b.lock().unwrap() = Some(b.on(Pair::Y, |_| {}));
        *held_on_a.lock().unwrap() = Some(a.on(Pair::Y, |_| {}));

        let (barrier, held, other) = (both_delivering.clone(), held_on_b.clone(), b.clone());
        let _on_a = a.on(Pair::X, move |_| {
            barrier.wait();
            // Drops a subscription of `b`, whose delivery is in progress on the other thread.
            let next = other.on(Pair::Y, |_| {});
            *held.lock().unwrap() = Some(next);
        });
        let (barrier, held, other) = (both_delivering.clone(), held_on_a.clone(), a.clone());
        let _on_b = b.on(Pair::X, move |_| {
            barrier.wait();
            let next = other.on(Pair::Y, |_| {});
            *held.lock().unwrap() = Some(next);
        });

        let t1 = {
            let a = a.clone();
            std::thread::spawn(move || a.set_x(1).unwrap())
        };
        let t2 = {
            let b = b.clone();
            std::thread::spawn(move || b.set_x(1).unwrap())
        };
        t1.join().unwrap();
        t2.join().unwrap();
        assert!(held_on_a.lock().unwrap().as_ref().unwrap().is_active());
        assert!(held_on_b.lock().unwrap().as_ref().unwrap().is_active());
    });
}

#[test]
fn dropping_subscriptions_under_a_lock_the_listener_takes_does_not_deadlock() {
    common::watchdog(10, "unsubscribe under the listener's lock", || {
        let m = Model::new(Pair::default());
        let subs: Arc<Mutex<Vec<Subscription>>> = Arc::default();
        let (in_listener_tx, in_listener) = mpsc::channel::<()>();
        let in_listener_tx = Mutex::new(in_listener_tx);
        let locked = subs.clone();
        let calls = Arc::new(AtomicU64::new(0));
        let c = calls.clone();
        subs.lock().unwrap().push(m.on(Pair::X, move |_| {
            c.fetch_add(1, Ordering::SeqCst);
            let _ = in_listener_tx.lock().unwrap().send(());
            // Waits for the other thread, which holds this lock while it drops subscriptions.
            drop(locked.lock().unwrap());
        }));

        let mut guard = subs.lock().unwrap();
        let writer = {
            let m = m.clone();
            std::thread::spawn(move || m.set_x(1).unwrap())
        };
        in_listener
            .recv_timeout(Duration::from_secs(5))
            .expect("the listener started");
        // The listener is running on the writer thread and waits for `subs`: dropping its
        // subscription here must not wait for it.
        guard.clear();
        guard.push(m.on(Pair::Y, |_| {}));
        drop(guard);
        writer.join().unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        m.set_x(2).unwrap();
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the dropped listener ran again"
        );
    });
}

/// The writer's delivery is held inside a higher-priority listener while the other thread
/// calls `off()` on a lower-priority listener of the same batch: `off()` returns at once (the
/// gate opens only after it), and the batch then skips the removed listener.
#[test]
fn off_returns_while_a_listener_runs_elsewhere_and_the_removed_listener_never_starts() {
    common::watchdog(10, "off() during a delivery elsewhere", || {
        let m = Model::new(Pair::default());
        let gate = Gate::default();
        let (started_tx, started) = mpsc::channel::<()>();
        let started_tx = Mutex::new(started_tx);
        let g = gate.clone();
        let _first = m.on_with_priority(Pair::X, 10, move |_| {
            let _ = started_tx.lock().unwrap().send(());
            g.wait();
        });
        let victim_calls = Arc::new(AtomicU64::new(0));
        let v = victim_calls.clone();
        let victim = m.on(Pair::X, move |_| {
            v.fetch_add(1, Ordering::SeqCst);
        });
        let writer = {
            let m = m.clone();
            std::thread::spawn(move || m.set_x(1).unwrap())
        };
        started
            .recv_timeout(Duration::from_secs(5))
            .expect("the delivery started");
        victim.off();
        gate.open();
        writer.join().unwrap();
        assert_eq!(
            victim_calls.load(Ordering::SeqCst),
            0,
            "a listener removed before its turn in the batch was started"
        );
    });
}

/// The property under load: after `drop` returns, a listener may be entered at most once
/// more (by a delivery that had already decided to call it), never again after that call.
#[test]
fn after_drop_returns_a_listener_is_entered_at_most_once_more() {
    common::watchdog(60, "drop from another thread under load", || {
        let m = Model::new(Pair::default());
        for round in 0..200u64 {
            let entered = Arc::new(AtomicU64::new(0));
            let e = entered.clone();
            let sub = m.on(Pair::X, move |_| {
                e.fetch_add(1, Ordering::SeqCst);
            });
            let barrier = Arc::new(Barrier::new(2));
            let stop = Arc::new(AtomicBool::new(false));
            let writer = {
                let (m, barrier, stop) = (m.clone(), barrier.clone(), stop.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let mut i = 0;
                    while !stop.load(Ordering::SeqCst) || i < 50 {
                        i += 1;
                        m.set_x(round * 1_000_000 + i).unwrap();
                    }
                })
            };
            barrier.wait();
            drop(sub);
            let at_drop = entered.load(Ordering::SeqCst);
            stop.store(true, Ordering::SeqCst);
            writer.join().unwrap();
            let after = entered.load(Ordering::SeqCst);
            assert!(
                after <= at_drop + 1,
                "round {round}: entered {at_drop} times when drop returned, {after} in the end"
            );
        }
    });
}

#[test]
fn a_listener_dropped_before_any_write_releases_what_it_captured_at_once() {
    let model = Model::new(Pair::default());
    let _kept = model.on(Pair::X, |_| {});
    let captured = Arc::new(());
    for _ in 0..3 {
        let held = captured.clone();
        let sub = model.on(Pair::Y, move |_| {
            let _ = &held;
        });
        assert_eq!(Arc::strong_count(&captured), 2);
        drop(sub);
        // No write merged the registration: it is taken back, closure and all.
        assert_eq!(Arc::strong_count(&captured), 1);
    }
}

#[test]
fn a_listener_a_write_has_merged_releases_what_it_captured_when_dropped() {
    let model = Model::new(Pair::default());
    let captured = Arc::new(());
    let subs: Vec<_> = (0..3)
        .map(|i| {
            let held = captured.clone();
            let on_y = model.on(Pair::Y, move |_| {
                let _ = &held;
            });
            // Merged into the listener table by a delivery.
            model.set(Pair::Y, i + 1).unwrap();
            on_y
        })
        .collect();
    assert_eq!(Arc::strong_count(&captured), 4);
    for (left, sub) in (1..=3).rev().zip(subs) {
        drop(sub);
        // Not kept until some later write: nothing may ever be written again.
        assert_eq!(Arc::strong_count(&captured), left);
    }
}

#[test]
fn listeners_capturing_each_others_model_are_freed_with_their_subscriptions() {
    let a = Model::new(Pair::default());
    let b = Model::new(Pair::default());
    let (other, mirror) = (b.clone(), a.clone());
    let on_a = a.on(Pair::X, move |c| {
        let _ = other.set_x(c.value);
    });
    let on_b = b.on(Pair::X, move |c| {
        let _ = mirror.set_x(c.value);
    });
    a.set_x(1).unwrap();
    assert_eq!(b.x(), 1);
    let (weak_a, weak_b) = (a.downgrade(), b.downgrade());
    drop((on_a, on_b, a, b));
    // Each model's table held a closure owning the other model: a cycle, unless dropping the
    // subscription frees its closure.
    assert!(weak_a.upgrade().is_none() && weak_b.upgrade().is_none());
}

#[test]
fn a_subscription_dropped_by_a_listener_of_another_model_is_freed_after_that_delivery() {
    let a = Model::new(Pair::default());
    let b = Model::new(Pair::default());
    let captured = Arc::new(());
    let held = captured.clone();
    let on_b = b.on(Pair::Y, move |_| {
        let _ = &held;
    });
    b.set_y(1).unwrap();
    let slot = Mutex::new(Some(on_b));
    let _on_a = a.on(Pair::X, move |_| drop(slot.lock().unwrap().take()));
    a.set_x(1).unwrap();
    assert_eq!(Arc::strong_count(&captured), 1);
}

#[test]
fn a_listener_dropping_its_own_subscription_is_freed_when_its_delivery_ends() {
    let m = Model::new(Pair::default());
    let captured = Arc::new(());
    let held = captured.clone();
    let slot: Arc<Mutex<Option<Subscription>>> = Arc::default();
    let own = slot.clone();
    *slot.lock().unwrap() = Some(m.on(Pair::X, move |_| {
        let _ = &held;
        drop(own.lock().unwrap().take());
    }));
    m.set_x(1).unwrap();
    assert!(slot.lock().unwrap().is_none());
    assert_eq!(Arc::strong_count(&captured), 1);
}

#[test]
fn a_subscription_dropped_while_another_thread_delivers_is_freed_when_that_delivery_ends() {
    common::watchdog(20, "drop during a delivery on another thread", || {
        let m = Model::new(Pair::default());
        let captured = Arc::new(());
        let held = captured.clone();
        let on_y = m.on(Pair::Y, move |_| {
            let _ = &held;
        });
        m.set_y(1).unwrap();
        let (inside, release) = (Gate::default(), Gate::default());
        let (entered, proceed) = (inside.clone(), release.clone());
        let _blocking = m.on(Pair::X, move |_| {
            entered.open();
            proceed.wait();
        });
        let writer = {
            let m = m.clone();
            std::thread::spawn(move || m.set_x(1).unwrap())
        };
        inside.wait();
        // The writer's thread holds the delivery; dropping must neither wait for it nor
        // leave the listener behind once it ends.
        drop(on_y);
        release.open();
        writer.join().unwrap();
        assert_eq!(Arc::strong_count(&captured), 1);
    });
}
