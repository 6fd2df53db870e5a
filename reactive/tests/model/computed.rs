//! Computed fields: recompute once per batch that changed a dependency, in dependency order.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::Log;
use reactive::prelude::*;

static SUBTOTAL_CALLS: AtomicUsize = AtomicUsize::new(0);
static TAX_CALLS: AtomicUsize = AtomicUsize::new(0);
static TOTAL_CALLS: AtomicUsize = AtomicUsize::new(0);

/// `total` depends on `tax`, which depends on `subtotal`: declared out of order on purpose.
#[derive(Reactive, Clone, Debug, Serialize)]
struct Cart {
    #[reactive(computed = Self::total_of, deps(subtotal, tax))]
    total: u64,
    quantity: u64,
    unit_price: u64,
    label: String,
    #[reactive(computed = Self::tax_of, deps(subtotal))]
    tax: u64,
    #[reactive(computed = Self::subtotal_of, deps(quantity, unit_price))]
    subtotal: u64,
}

impl Cart {
    fn subtotal_of(&self) -> u64 {
        SUBTOTAL_CALLS.fetch_add(1, Ordering::SeqCst);
        self.quantity * self.unit_price
    }
    fn tax_of(&self) -> u64 {
        TAX_CALLS.fetch_add(1, Ordering::SeqCst);
        self.subtotal / 10
    }
    fn total_of(&self) -> u64 {
        TOTAL_CALLS.fetch_add(1, Ordering::SeqCst);
        self.subtotal + self.tax
    }
}

fn calls() -> (usize, usize, usize) {
    (
        SUBTOTAL_CALLS.load(Ordering::SeqCst),
        TAX_CALLS.load(Ordering::SeqCst),
        TOTAL_CALLS.load(Ordering::SeqCst),
    )
}

fn record(m: &Model<Cart>, log: &Log) -> Vec<Subscription> {
    common::record_events(m, log, &[])
}

// One test drives the counters, so parallel tests never share them.
#[test]
fn recomputes_once_per_batch_that_changed_a_dependency_in_dependency_order() {
    let m = Model::new(Cart {
        total: 0,
        quantity: 2,
        unit_price: 50,
        label: "cart".into(),
        tax: 0,
        subtotal: 0,
    });
    // Computed on creation, in dependency order.
    assert_eq!((m.subtotal(), m.tax(), m.total()), (100, 10, 110));
    assert_eq!(calls(), (1, 1, 1));
    let log = Log::default();
    let _subs = record(&m, &log);

    // A batch changing both inputs of `subtotal` recomputes each computed field ONCE, and the
    // events carry the right `previous` although nothing was read in between.
    m.update(|c| {
        c.quantity = 3;
        c.unit_price = 100;
    })
    .unwrap();
    assert_eq!(calls(), (2, 2, 2));
    assert_eq!(
        log.take(),
        vec![
            "quantity.changed 2->3",
            "unit_price.changed 50->100",
            "subtotal.changed 100->300",
            "tax.changed 10->30",
            "total.changed 110->330",
            "change [\"total\", \"quantity\", \"unit_price\", \"tax\", \"subtotal\"]",
        ]
    );

    // An unrelated field: no recompute at all.
    m.set_label("renamed").unwrap();
    assert_eq!(calls(), (2, 2, 2));
    assert_eq!(
        log.take(),
        vec!["label.changed \"cart\"->\"renamed\"", "change [\"label\"]"]
    );

    // A dependency changes but the computed value does not: recomputed, no event for it, and
    // the fields depending on it are not recomputed (their dependency did not change).
    m.update(|c| {
        c.quantity = 6;
        c.unit_price = 50;
    })
    .unwrap();
    assert_eq!(calls(), (3, 2, 2));
    assert_eq!(
        log.take(),
        vec![
            "quantity.changed 3->6",
            "unit_price.changed 100->50",
            "change [\"quantity\", \"unit_price\"]"
        ]
    );

    // A write to a computed field through `update` is overwritten by the recompute.
    m.update(|c| c.total = 1).unwrap();
    assert_eq!(m.total(), 330);
    assert!(log.take().is_empty());
}

#[derive(Reactive, Clone)]
struct Inline {
    a: i64,
    b: i64,
    c: i64,
    #[reactive(computed = self.a - self.b)]
    diff: i64,
    #[reactive(computed = format!("{}:{}", self.a, self.diff).len() as i64)]
    width: i64,
}

#[test]
fn inline_expressions_read_their_dependencies_off_self_fields_including_macro_arguments() {
    let m = Model::new(Inline {
        a: 10,
        b: 3,
        c: 0,
        diff: 0,
        width: 0,
    });
    assert_eq!((m.diff(), m.width()), (7, 4));
    let log = Log::default();
    let l = log.clone();
    let _d = m.on_diff(move |c| l.push(format!("diff {}->{}", c.previous, c.value)));
    let l = log.clone();
    let _w = m.on_width(move |c| l.push(format!("width {}->{}", c.previous, c.value)));
    m.set_c(99).unwrap();
    assert!(log.take().is_empty(), "c is no dependency");
    m.set_b(-100).unwrap();
    assert_eq!(log.take(), vec!["diff 7->110", "width 4->6"]);
    m.set_a(1000).unwrap();
    assert_eq!(log.take(), vec!["diff 110->1100", "width 6->9"]);
}

#[test]
fn computed_keys_can_be_read_and_listened_to() {
    let m = Model::new(Inline {
        a: 1,
        b: 1,
        c: 0,
        diff: 0,
        width: 0,
    });
    assert_eq!(m.get(Inline::DIFF), 0);
    let log = Log::default();
    let l = log.clone();
    let _s = m.on(Inline::DIFF, move |c: &Change<i64>| {
        l.push(format!("{}", c.value))
    });
    m.set_a(5).unwrap();
    assert_eq!(log.take(), vec!["4"]);
    assert_eq!(Inline::FIELDS[3].kind(), reactive::FieldKind::Computed);
    assert!(Inline::FIELDS[0].has_dependents() && !Inline::FIELDS[2].has_dependents());
}
