//! Subscribing and unsubscribing: on a quiet model, and from inside a listener while the
//! model is being delivered (the pattern of a component that re-subscribes on every change).
//!
//! The floor keeps its listeners in a `Mutex<Vec<(id, Arc<dyn Fn>)>>`: subscribing pushes,
//! unsubscribing removes by id. It has no liveness flag, no priorities and no cross-thread
//! delivery order, so it is the least a dynamic listener list can cost.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use reactive::prelude::*;

use crate::measure::Bench;
use crate::probe::{expect_eq, Probe};
use crate::subjects::Six;

type Listener = Arc<dyn Fn(u64) + Send + Sync>;

/// The floor's listener list.
#[derive(Default)]
struct Listeners {
    next: AtomicU64,
    entries: Mutex<Vec<(u64, Listener)>>,
}

impl Listeners {
    fn subscribe(&self, listener: Listener) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.entries.lock().expect("lock").push((id, listener));
        id
    }

    fn unsubscribe(&self, id: u64) {
        let mut entries = self.entries.lock().expect("lock");
        if let Some(at) = entries.iter().position(|(e, _)| *e == id) {
            entries.remove(at);
        }
    }

    fn len(&self) -> usize {
        self.entries.lock().expect("lock").len()
    }
}

/// `let s = model.on(Six::B, ..); drop(s)` on a model that already has one listener on `a`,
/// then a set of `a` every 64 operations (so registrations are merged as in an application
/// that writes its model now and then).
pub fn ours_subscribe_unsubscribe() -> Bench {
    let model = Model::new(Six::default());
    let probe = Probe::new();
    let seen = probe.clone();
    let keep = model.on(Six::A, move |c: &Change<u64>| seen.saw(c.value));
    let never = Probe::new();
    let never_check = never.clone();
    Bench::new(
        "ours",
        "ours: Model::on + drop(Subscription)",
        (model, 0u64, keep),
        move |(model, n, _)| {
            *n += 1;
            let never = never.clone();
            let sub = model.on(Six::B, move |c: &Change<u64>| never.saw(c.value));
            drop(sub);
            if *n % 64 == 0 {
                model.set(Six::A, *n).expect("set");
            }
        },
        move |(model, _, _), ops| {
            // Every subscription on `b` was dropped: a write of `b` reaches none of them.
            model.set(Six::B, model.get(Six::B) + 1).expect("set");
            never_check.expect(0, 0)?;
            probe.expect(ops / 64, ops / 64 * 64)
        },
    )
}

/// The floor of [`ours_subscribe_unsubscribe`]: push and remove a boxed closure under a mutex.
pub fn floor_subscribe_unsubscribe() -> Bench {
    let listeners = Arc::new(Listeners::default());
    let probe = Probe::new();
    let seen = probe.clone();
    listeners.subscribe(Arc::new(move |v| seen.saw(v)));
    let never = Probe::new();
    Bench::new(
        "floor",
        "floor: Mutex<Vec<Arc<dyn Fn>>> push + remove",
        (listeners, 0u64),
        move |(listeners, n)| {
            *n += 1;
            let never = never.clone();
            let id = listeners.subscribe(Arc::new(move |v| never.saw(v)));
            listeners.unsubscribe(id);
        },
        move |(listeners, _), _ops| expect_eq("listeners left", listeners.len() as u64, 1),
    )
}

/// `a.set(Six::A, v)` where the one listener of `a` drops its subscription on another model
/// `b` and subscribes again: an unsubscribe made while a delivery is in progress.
pub fn ours_drop_during_delivery() -> Bench {
    let a = Model::new(Six::default());
    let b = Model::new(Six::default());
    let probe = Probe::new();
    let seen = probe.clone();
    let held: Arc<Mutex<Option<Subscription>>> = Arc::default();
    let slot = held.clone();
    let target = b.clone();
    let never = Probe::new();
    let never_check = never.clone();
    let listener = a.on(Six::A, move |c: &Change<u64>| {
        seen.saw(c.value);
        let never = never.clone();
        let next = target.on(Six::B, move |c: &Change<u64>| never.saw(c.value));
        // Dropping the previous subscription is the measured unsubscribe.
        *slot.lock().expect("lock") = Some(next);
    });
    Bench::new(
        "ours",
        "ours: set; the listener drops and re-creates a subscription of another model",
        (a, b, 0u64, listener, held),
        |(a, _, n, _, _)| {
            *n += 1;
            a.set(Six::A, *n).expect("set");
        },
        move |(a, b, _, _, _), ops| {
            expect_eq("a", a.get(Six::A), ops)?;
            // Writing `b` reaches the one subscription still held, never a dropped one.
            let before = never_check.hits();
            b.set(Six::B, b.get(Six::B) + 1).expect("set");
            let ran = never_check.hits() - before;
            let expected = u64::from(ops > 0);
            if ran != expected {
                return Err(format!(
                    "listeners of b ran {ran} times, expected {expected}"
                ));
            }
            probe.expect(ops, ops)
        },
    )
}

/// The floor of [`ours_drop_during_delivery`]: a floor set whose listener removes and pushes
/// a boxed closure in another listener list.
pub fn floor_drop_during_delivery() -> Bench {
    let other = Arc::new(Listeners::default());
    let probe = Probe::new();
    let seen = probe.clone();
    let held = Arc::new(AtomicU64::new(u64::MAX));
    let (list, slot) = (other.clone(), held.clone());
    let never = Probe::new();
    let on_a: Listener = Arc::new(move |v| {
        seen.saw(v);
        let never = never.clone();
        let next = list.subscribe(Arc::new(move |v| never.saw(v)));
        let previous = slot.swap(next, Ordering::Relaxed);
        if previous != u64::MAX {
            list.unsubscribe(previous);
        }
    });
    let state = Arc::new(std::sync::RwLock::new(Six::default()));
    Bench::new(
        "floor",
        "floor: RwLock write + a listener that removes and pushes a Box<dyn Fn>",
        (state, on_a, 0u64),
        |(state, on_a, n)| {
            *n += 1;
            let change = {
                let mut s = state.write().expect("lock");
                let previous = std::mem::replace(&mut s.a, *n);
                Change {
                    value: s.a,
                    previous,
                }
            };
            on_a(change.value);
        },
        move |(state, _, _), ops| {
            expect_eq("a", state.read().expect("lock").a, ops)?;
            expect_eq("listeners held", other.len() as u64, u64::from(ops > 0))?;
            probe.expect(ops, ops)
        },
    )
}
