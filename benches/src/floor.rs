//! Hand-written floors: what the same work costs with an `Arc<std::sync::RwLock<T>>` and a
//! `Vec` of boxed closures, nothing else. Each does what our path does: take the lock,
//! compare, write, build the payload (`Change { value, previous }`, or the changed-field set),
//! release the lock, call the listeners.

use std::sync::{Arc, RwLock};

use reactive::{Change, FieldSet};

use crate::measure::Bench;
use crate::probe::{expect_eq, expected_sum, Probe};
use crate::subjects::{Six, Summed, SUMMED_B};

type FieldListener = Box<dyn Fn(&Change<u64>) + Send + Sync>;
type ChangeListener = Box<dyn Fn(&FieldSet) + Send + Sync>;

/// A struct behind a lock with hand-written field listeners.
pub struct Observed {
    state: Arc<RwLock<Six>>,
    listeners: Vec<FieldListener>,
}

impl Observed {
    /// Sets `a`: nothing when equal; else write, and call the listeners (if any) with
    /// `{ value, previous }` after releasing the lock.
    #[inline]
    pub fn set_a(&self, value: u64) {
        let mut state = self.state.write().expect("lock");
        if state.a == value {
            return;
        }
        if self.listeners.is_empty() {
            state.a = value;
            return;
        }
        let previous = std::mem::replace(&mut state.a, value);
        let change = Change {
            value: state.a,
            previous,
        };
        drop(state);
        for listener in &self.listeners {
            listener(&change);
        }
    }
}

/// The floor of a set with `listeners` listeners.
pub fn set(listeners: usize) -> Bench {
    let probe = Probe::new();
    let observed = Observed {
        state: Arc::new(RwLock::new(Six::default())),
        listeners: (0..listeners)
            .map(|_| {
                let probe = probe.clone();
                Box::new(move |c: &Change<u64>| probe.saw(c.value)) as FieldListener
            })
            .collect(),
    };
    let label = match listeners {
        0 => "floor: Arc<RwLock> write",
        1 => "floor: Arc<RwLock> write + 1 Box<dyn Fn> call",
        _ => "floor: Arc<RwLock> write + N Box<dyn Fn> calls",
    };
    Bench::new(
        "floor",
        label,
        (observed, 0u64),
        |(observed, value)| {
            *value += 1;
            observed.set_a(*value);
        },
        move |(observed, _), ops| {
            expect_eq("a", observed.state.read().expect("lock").a, ops)?;
            probe.expect(ops * listeners as u64, ops)
        },
    )
}

/// The floor of a computed field: write the dependency, recompute and store the derived
/// value under the same lock, then read it back.
pub fn computed() -> Bench {
    Bench::new(
        "floor",
        "floor: Arc<RwLock> write + recompute + read",
        (Arc::new(RwLock::new(Summed::start())), 0u64, 0u64),
        |(state, value, acc)| {
            *value += 1;
            {
                let mut s = state.write().expect("lock");
                if s.a != *value {
                    s.a = *value;
                    s.sum = s.a + s.b;
                }
            }
            *acc = acc.wrapping_add(state.read().expect("lock").sum);
        },
        |(state, _, acc), ops| {
            expect_eq("sum", state.read().expect("lock").sum, ops + SUMMED_B)?;
            expect_eq("sum of reads", *acc, expected_sum(ops, SUMMED_B))
        },
    )
}

/// The floor of a 3-field batch: one lock, three compare-and-writes, the changed-field set,
/// then one change listener.
pub fn batch3() -> Bench {
    let probe = Probe::new();
    let listener = probe.clone();
    let listeners: Vec<ChangeListener> = vec![Box::new(move |changed: &FieldSet| {
        listener.saw(changed.len() as u64)
    })];
    Bench::new(
        "floor",
        "floor: Arc<RwLock> 3-field write + 1 Box<dyn Fn> call",
        (Arc::new(RwLock::new(Six::default())), listeners, 0u64),
        |(state, listeners, value)| {
            *value += 1;
            let v = *value;
            let mut changed = FieldSet::EMPTY;
            {
                let mut s = state.write().expect("lock");
                if s.a != v {
                    s.a = v;
                    changed.insert(0);
                }
                if s.b != v {
                    s.b = v;
                    changed.insert(1);
                }
                if s.c != v {
                    s.c = v;
                    changed.insert(2);
                }
            }
            if !changed.is_empty() {
                for listener in listeners.iter() {
                    listener(&changed);
                }
            }
        },
        move |(state, _, _), ops| {
            let s = state.read().expect("lock");
            expect_eq("a", s.a, ops)?;
            expect_eq("c", s.c, ops)?;
            probe.expect(ops, 3)
        },
    )
}

/// `Arc::new(RwLock::new(..))` of a [`Six`] (and dropping the previous one).
pub fn create() -> Bench {
    Bench::new(
        "floor",
        "floor: Arc::new(RwLock::new(..))",
        (None::<Arc<RwLock<Six>>>, 0u64),
        |(slot, value)| {
            *value += 1;
            *slot = Some(Arc::new(RwLock::new(Six::starting_at(*value))));
        },
        |(slot, _), ops| match slot {
            Some(state) => expect_eq("a of the last value", state.read().expect("lock").a, ops),
            // Not run (filtered out).
            None if ops == 0 => Ok(()),
            None => Err("nothing was created".into()),
        },
    )
}
