//! Our paths: the live model of [`Six`] / [`Summed`].

use reactive::prelude::*;

use crate::measure::Bench;
use crate::probe::{expect_eq, expected_sum, Probe};
use crate::subjects::{Six, Summed, SUMMED_B};

struct SetState {
    model: Model<Six>,
    value: u64,
    _subs: Vec<Subscription>,
}

/// `model.set(Six::A, v)` with `listeners` typed listeners `on(Six::A, ..)`.
pub fn set(listeners: usize) -> Bench {
    let model = Model::new(Six::default());
    let probe = Probe::new();
    let subs = (0..listeners)
        .map(|_| {
            let probe = probe.clone();
            model.on(Six::A, move |c: &Change<u64>| probe.saw(c.value))
        })
        .collect();
    let label = match listeners {
        0 => "ours: Model::set, no listener",
        1 => "ours: Model::set + 1 typed listener",
        _ => "ours: Model::set + N typed listeners",
    };
    let state = SetState {
        model,
        value: 0,
        _subs: subs,
    };
    Bench::new(
        "ours",
        label,
        state,
        |s| {
            s.value += 1;
            s.model.set(Six::A, s.value).expect("set");
        },
        move |s, ops| {
            expect_eq("a", s.model.get(Six::A), ops)?;
            let n = listeners as u64;
            probe.expect(ops * n, ops)
        },
    )
}

/// `model.set(Six::A, v)` with one string-keyed listener `on_event("a.changed", ..)` that
/// reads the new value out of the JSON payload.
pub fn set_json() -> Bench {
    let model = Model::new(Six::default());
    let probe = Probe::new();
    let listener = probe.clone();
    let sub = model.on_event("a.changed", move |e: &Event| {
        listener.saw(e.value()["value"].as_u64().unwrap_or(u64::MAX))
    });
    Bench::new(
        "ours-json",
        "ours: Model::set + 1 on_event(\"a.changed\")",
        (model, 0u64, sub),
        |(model, value, _)| {
            *value += 1;
            model.set(Six::A, *value).expect("set");
        },
        move |(model, _, _), ops| {
            expect_eq("a", model.get(Six::A), ops)?;
            probe.expect(ops, ops)
        },
    )
}

/// Sets `Summed::A` (a dependency of the computed `sum`) and reads `sum`.
pub fn computed() -> Bench {
    Bench::new(
        "ours",
        "ours: Model::set(dep) + get(computed)",
        (Model::new(Summed::start()), 0u64, 0u64),
        |(model, value, acc)| {
            *value += 1;
            model.set(Summed::A, *value).expect("set");
            *acc = acc.wrapping_add(model.get(Summed::SUM));
        },
        |(model, _, acc), ops| {
            expect_eq("sum", model.get(Summed::SUM), ops + SUMMED_B)?;
            expect_eq("sum of reads", *acc, expected_sum(ops, SUMMED_B))
        },
    )
}

/// A `batch` setting `a`, `b` and `c`, with one `on_change` listener (called once per batch).
pub fn batch3() -> Bench {
    let model = Model::new(Six::default());
    let probe = Probe::new();
    let listener = probe.clone();
    let sub = model.on_change(move |_, changes| listener.saw(changes.len() as u64));
    Bench::new(
        "ours",
        "ours: Model::batch of 3 sets + 1 on_change",
        (model, 0u64, sub),
        |(model, value, _)| {
            let v = *value + 1;
            *value = v;
            model
                .batch(|b| {
                    b.set_a(v)?;
                    b.set_b(v)?;
                    b.set_c(v)
                })
                .expect("batch");
        },
        move |(model, _, _), ops| {
            let now = model.snapshot();
            expect_eq("a", now.a, ops)?;
            expect_eq("c", now.c, ops)?;
            probe.expect(ops, 3)
        },
    )
}

/// `Model::new` of a [`Six`] (and dropping the previous one).
pub fn create() -> Bench {
    Bench::new(
        "ours",
        "ours: Model::new",
        (None::<Model<Six>>, 0u64),
        |(slot, value)| {
            *value += 1;
            *slot = Some(Model::new(Six::starting_at(*value)));
        },
        |(slot, _), ops| match slot {
            Some(model) => expect_eq("a of the last model", model.get(Six::A), ops),
            // Not run (filtered out).
            None if ops == 0 => Ok(()),
            None => Err("no model was created".into()),
        },
    )
}
