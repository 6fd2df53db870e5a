//! The event rules of the live model, one test each.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::Log;
use reactive::prelude::*;

#[derive(Reactive, Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u64,
    customer: String,
    quantity: u32,
    unit_price: u32,
    #[reactive(computed = self.quantity * self.unit_price)]
    total: u32,
    note: Option<String>,
}

fn order() -> Model<Order> {
    Model::new(Order {
        id: 1,
        customer: "ada".into(),
        quantity: 1,
        unit_price: 10,
        total: 0,
        note: None,
    })
}

/// Records every field event, `change` and the custom events of `m` into `log`.
fn record(m: &Model<Order>, log: &Log) -> Vec<Subscription> {
    common::record_events(m, log, &["custom", "other"])
}

#[test]
fn setting_an_equal_value_emits_nothing() {
    let m = order();
    let log = Log::default();
    let _subs = record(&m, &log);
    m.set(Order::CUSTOMER, "ada").unwrap();
    m.set_quantity(1).unwrap();
    m.update(|o| o.customer = "ada".into()).unwrap();
    m.batch(|b| {
        b.set_quantity(5)?;
        b.set_quantity(1) // back to the committed value: no net change
    })
    .unwrap();
    assert_eq!(log.take(), Vec::<String>::new());
}

#[test]
fn a_single_set_emits_the_field_then_one_change() {
    let m = order();
    let log = Log::default();
    let _subs = record(&m, &log);
    m.set_customer("grace").unwrap();
    assert_eq!(
        log.take(),
        vec![
            "customer.changed \"ada\"->\"grace\"",
            "change [\"customer\"]"
        ]
    );
}

#[test]
fn a_batch_emits_fields_in_declaration_order_then_computed_then_one_change_then_triggers() {
    let m = order();
    let log = Log::default();
    let _subs = record(&m, &log);
    m.batch(|b| {
        b.trigger("custom", serde_json::json!(1));
        // written in reverse declaration order on purpose
        b.set_note("fragile".to_string())?;
        b.set_quantity(3)?;
        b.set_customer("grace")?;
        b.trigger("other", serde_json::json!(2));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        log.take(),
        vec![
            "customer.changed \"ada\"->\"grace\"",
            "quantity.changed 1->3",
            "note.changed null->\"fragile\"",
            "total.changed 10->30",
            "change [\"customer\", \"quantity\", \"total\", \"note\"]",
            "custom 1",
            "other 2",
        ]
    );
}

#[test]
fn update_is_one_batch_with_one_change() {
    let m = order();
    let changes = Arc::new(AtomicUsize::new(0));
    let c = changes.clone();
    m.on_change(move |_, _| {
        c.fetch_add(1, Ordering::SeqCst);
    })
    .detach();
    m.update(|o| {
        o.quantity = 2;
        o.unit_price = 20;
        o.customer = "bob".into();
    })
    .unwrap();
    assert_eq!(changes.load(Ordering::SeqCst), 1);
    assert_eq!(m.total(), 40);
}

#[test]
fn nested_batches_commit_once_at_the_outermost_end() {
    let m = order();
    let log = Log::default();
    let _subs = record(&m, &log);
    let observer = m.clone();
    m.batch(|b| {
        b.set_quantity(2)?;
        b.batch(|inner| {
            inner.set_unit_price(7)?;
            inner.trigger("custom", serde_json::json!("inner"));
            Ok(())
        })?;
        // Nothing is visible to other handles before the outermost batch commits.
        assert_eq!(observer.quantity(), 1);
        assert!(log.take().is_empty());
        Ok(())
    })
    .unwrap();
    assert_eq!(
        log.take(),
        vec![
            "quantity.changed 1->2",
            "unit_price.changed 10->7",
            "total.changed 10->14",
            "change [\"quantity\", \"unit_price\", \"total\"]",
            "custom \"inner\"",
        ]
    );
}

#[test]
fn a_failed_nested_batch_is_undone_and_the_outer_one_commits() {
    let m = order();
    let log = Log::default();
    let _subs = record(&m, &log);
    m.batch(|b| {
        b.set_quantity(2)?;
        let inner = b.batch(|inner| {
            inner.set_unit_price(7)?;
            inner.trigger("custom", serde_json::json!("dropped"));
            Err::<(), _>(Error::msg("inner refused"))
        });
        assert!(inner.is_err());
        assert_eq!(*b.unit_price(), 10);
        Ok(())
    })
    .unwrap();
    assert_eq!(
        log.take(),
        vec![
            "quantity.changed 1->2",
            "total.changed 10->20",
            "change [\"quantity\", \"total\"]"
        ]
    );
}

#[test]
fn a_batch_that_errs_leaves_the_model_as_it_was_and_emits_nothing() {
    let m = order();
    let before = m.snapshot();
    let log = Log::default();
    let _subs = record(&m, &log);
    let result = m.batch(|b| {
        b.set_quantity(9)?;
        b.trigger("custom", serde_json::json!("never"));
        Err::<(), _>(Error::msg("refused"))
    });
    assert!(matches!(result, Err(Error::Other(_))));
    let result = m.try_update(|o| {
        o.customer = "mallory".into();
        Err::<(), Error>(Error::msg("refused"))
    });
    assert!(result.is_err());
    assert_eq!(m.snapshot(), before);
    assert!(log.take().is_empty());
}

#[test]
fn a_batch_that_panics_leaves_the_model_as_it_was_and_emits_nothing() {
    let m = order();
    let before = m.snapshot();
    let log = Log::default();
    let _subs = record(&m, &log);
    let handle = m.clone();
    let outcome = std::panic::catch_unwind(move || {
        let _ = handle.update(|o| {
            o.quantity = 100;
            panic!("domain logic bug");
        });
    });
    assert!(outcome.is_err());
    assert_eq!(m.snapshot(), before);
    assert!(log.take().is_empty());
    // The model still works afterwards (no poisoned lock, no stale batch frame).
    m.set_quantity(2).unwrap();
    assert_eq!(m.total(), 20);
}

#[test]
fn writing_the_same_model_through_a_handle_inside_its_batch_is_reentrant_not_a_deadlock() {
    common::watchdog(20, "re-entrant write", || {
        let m = order();
        let other = m.clone();
        let inner = m
            .update(|o| {
                o.quantity = 5;
                // Reads through a handle see the last committed state.
                assert_eq!(other.quantity(), 1);
                assert_eq!(other.with(|o| o.quantity), 1);
                (
                    other.set_quantity(7),
                    other.update(|o| o.quantity = 8),
                    other.batch(|b| b.set_quantity(9)),
                )
            })
            .unwrap();
        assert!(matches!(inner.0, Err(Error::Reentrant { model: "Order" })));
        assert!(matches!(inner.1, Err(Error::Reentrant { .. })));
        assert!(matches!(inner.2, Err(Error::Reentrant { .. })));
        assert_eq!(m.quantity(), 5);
        let in_batch = m.batch(|_| Ok(other.set_customer("x"))).unwrap();
        assert!(matches!(in_batch, Err(Error::Reentrant { .. })));
    });
}

#[test]
fn a_write_from_a_listener_is_applied_at_once_and_its_events_are_queued() {
    let m = order();
    let log = Log::default();
    let _subs = record(&m, &log);
    let weak = m.downgrade();
    let l = log.clone();
    let _writer = m.on(Order::QUANTITY, move |c: &Change<u32>| {
        if c.value == 2 {
            let m = weak.upgrade().unwrap();
            // Applied at once: the write returns Ok and the value is visible now...
            m.set_customer("from-listener").unwrap();
            assert_eq!(m.customer(), "from-listener");
            l.push("listener wrote");
        }
    });
    m.set_quantity(2).unwrap();
    // ...and its events come after the whole first batch.
    assert_eq!(
        log.take(),
        vec![
            "quantity.changed 1->2",
            "listener wrote",
            "total.changed 10->20",
            "change [\"quantity\", \"total\"]",
            "customer.changed \"ada\"->\"from-listener\"",
            "change [\"customer\"]",
        ]
    );
}

#[derive(Reactive, Clone)]
struct Counter {
    n: u64,
}

#[test]
fn ten_thousand_chained_writes_on_one_model_do_not_overflow_the_stack() {
    common::watchdog(60, "chained writes on one model", || {
        let m = Model::new(Counter { n: 0 });
        let weak = m.downgrade();
        m.on(Counter::N, move |c: &Change<u64>| {
            if c.value < 10_000 {
                weak.upgrade().unwrap().set_n(c.value + 1).unwrap();
            }
        })
        .detach();
        m.set_n(1).unwrap();
        assert_eq!(m.n(), 10_000);
    });
}

#[test]
fn ten_thousand_chained_writes_across_three_models_do_not_overflow_the_stack() {
    common::watchdog(60, "chained writes across models", || {
        let models: Vec<Model<Counter>> = (0..3).map(|_| Model::new(Counter { n: 0 })).collect();
        let seen = Arc::new(AtomicUsize::new(0));
        for i in 0..3 {
            let next = models[(i + 1) % 3].downgrade();
            let seen = seen.clone();
            models[i]
                .on(Counter::N, move |c: &Change<u64>| {
                    seen.fetch_add(1, Ordering::SeqCst);
                    if c.value < 10_000 {
                        next.upgrade().unwrap().set_n(c.value + 1).unwrap();
                    }
                })
                .detach();
        }
        models[0].set_n(1).unwrap();
        assert_eq!(seen.load(Ordering::SeqCst), 10_000);
        assert_eq!(
            models[0].n() + models[1].n() + models[2].n(),
            10_000 + 9_999 + 9_998
        );
    });
}

/// Collects `WARN` messages emitted while it is the default subscriber.
#[derive(Clone, Default)]
struct Warnings(Log);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() == tracing::Level::WARN {
            struct Fields(String);
            impl tracing::field::Visit for Fields {
                fn record_debug(
                    &mut self,
                    field: &tracing::field::Field,
                    value: &dyn std::fmt::Debug,
                ) {
                    self.0.push_str(&format!("{}={:?} ", field.name(), value));
                }
            }
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            self.0.push(fields.0);
        }
    }
}

#[test]
fn a_runaway_feedback_loop_is_cut_with_an_error_and_a_warning() {
    use tracing_subscriber::layer::SubscriberExt;
    common::watchdog(120, "feedback loop", || {
        let warnings = Warnings::default();
        let subscriber = tracing_subscriber::registry().with(warnings.clone());
        tracing::subscriber::with_default(subscriber, || {
            let m = Model::new(Counter { n: 0 });
            let weak = m.downgrade();
            let failure = Arc::new(std::sync::Mutex::new(None));
            let f = failure.clone();
            m.on(Counter::N, move |c: &Change<u64>| {
                // Never stops on its own.
                if let Err(err) = weak.upgrade().unwrap().set_n(c.value + 1) {
                    *f.lock().unwrap() = Some(err);
                }
            })
            .detach();
            m.set_n(1).unwrap();
            let err = failure
                .lock()
                .unwrap()
                .take()
                .expect("the loop was not cut");
            assert!(
                matches!(err, Error::FeedbackLoop { model: "Counter", field: "n", limit } if limit == reactive::FEEDBACK_LIMIT),
                "{err:?}"
            );
            assert_eq!(m.n(), reactive::FEEDBACK_LIMIT as u64 + 1);
            let warnings = warnings.0.take();
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(
                warnings[0].contains("Counter") && warnings[0].contains("field=\"n\""),
                "{warnings:?}"
            );
            // After the loop was cut, ordinary writes work again.
            m.set_n(0).unwrap();
        });
    });
}
