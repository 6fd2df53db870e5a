//! The model rules' benches: a set on a type with (empty) hooks, and the dirty tracking's
//! writes. Every one is the shape of the core set, [`ours::set(1)`](crate::ours::set): the
//! six-`u64` struct, one typed listener on `a`, a new value of `a` per operation.
//!
//! Dirty tracking is always on: every model keeps a saved baseline, cloned from the value on
//! the first write after a save (or after creation); later writes only see that it exists.
//! So the core set, run more than once, IS the steady-state tracked set; there is no set
//! without tracking to compare against.

use std::hint::black_box;

use reactive::prelude::*;

use crate::measure::Bench;
use crate::probe::{expect_eq, Probe};
use crate::subjects::{Hooked, Six};

/// `model.set(Hooked::A, v)` with one typed listener: [`Hooked`] opts into hooks that do
/// nothing, so each set goes through the hooked path (copy, `before_set`, `after_set`).
pub fn hooked_set() -> Bench {
    let model = Model::new(Hooked::default());
    let probe = Probe::new();
    let listener = probe.clone();
    let sub = model.on(Hooked::A, move |c: &Change<u64>| listener.saw(c.value));
    Bench::new(
        "hooks",
        "ours: Model::set + 1 typed listener, empty #[reactive(hooks)]",
        (model, 0u64, sub),
        |(model, value, _)| {
            *value += 1;
            model.set(Hooked::A, *value).expect("set");
        },
        move |(model, _, _), ops| {
            expect_eq("a", model.get(Hooked::A), ops)?;
            probe.expect(ops, ops)
        },
    )
}

/// A model of [`Six`] with one typed listener on `a`, and the listener's probe.
fn six_with_listener() -> (Model<Six>, Subscription, std::sync::Arc<Probe>) {
    let model = Model::new(Six::default());
    let probe = Probe::new();
    let listener = probe.clone();
    let sub = model.on(Six::A, move |c: &Change<u64>| listener.saw(c.value));
    (model, sub, probe)
}

/// Later writes: the set of a model that is already dirty (its baseline was kept by a first
/// write before the bench), so every operation only finds the baseline there. The check
/// proves tracking was on throughout: the model is dirty and the baseline is still the value
/// from before that first write.
pub fn later_writes() -> Bench {
    let (model, sub, probe) = six_with_listener();
    const BEFORE: u64 = u64::MAX;
    model.set(Six::A, BEFORE).expect("set");
    model.mark_saved();
    // The first write: keeps the baseline (`a == BEFORE`); probe counts it.
    model.set(Six::A, 0).expect("set");
    Bench::new(
        "later-writes",
        "ours: Model::set + 1 typed listener, already dirty (later writes)",
        (model, 0u64, sub),
        |(model, value, _)| {
            *value += 1;
            model.set(Six::A, *value).expect("set");
        },
        move |(model, _, _), ops| {
            expect_eq("a", model.get(Six::A), ops)?;
            expect_eq("saved a", model.saved(Six::A), BEFORE)?;
            if ops > 0 && model.dirty_fields() != ["a"] {
                return Err(format!(
                    "dirty fields {:?}, expected [a]",
                    model.dirty_fields()
                ));
            }
            probe.expect(ops + 2, ops)
        },
    )
}

/// `mark_saved()` then a set, per operation: every set is the first write after a save, so
/// it keeps the baseline (one clone of the value).
pub fn first_write() -> Bench {
    let (model, sub, probe) = six_with_listener();
    Bench::new(
        "first-write",
        "ours: mark_saved() + Model::set + 1 typed listener (first write)",
        (model, 0u64, sub),
        |(model, value, _)| {
            // Through `black_box` like `mark_saved`'s, so the two loops match.
            *value = black_box(*value + 1);
            model.mark_saved();
            model.set(Six::A, *value).expect("set");
        },
        move |(model, _, _), ops| {
            expect_eq("a", model.get(Six::A), ops)?;
            // The baseline is the value before the last write.
            expect_eq("saved a", model.saved(Six::A), ops.saturating_sub(1))?;
            probe.expect(ops, ops)
        },
    )
}

/// `mark_saved()` alone, per operation, on the same model as [`first_write`]: subtracted from
/// it, what remains is the first write's set.
pub fn mark_saved() -> Bench {
    let (model, sub, probe) = six_with_listener();
    Bench::new(
        "mark-saved",
        "ours: mark_saved() alone (1 typed listener registered)",
        (model, 0u64, sub),
        |(model, value, _)| {
            // The same counter as in `first_write`, so the loops match.
            *value = black_box(*value + 1);
            model.mark_saved();
        },
        move |(model, _, _), _| {
            if model.is_dirty() {
                return Err("dirty after mark_saved".into());
            }
            probe.expect(0, 0)
        },
    )
}
