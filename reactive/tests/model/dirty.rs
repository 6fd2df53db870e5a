//! Dirty and draft state: typed equality against the saved value, revert, mark_saved.

use crate::common;

use common::Log;
use reactive::prelude::*;

#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
struct Invoice {
    number: u32,
    customer: String,
    quantity: u32,
    unit_price: u32,
    #[reactive(computed = self.quantity * self.unit_price)]
    total: u32,
    #[serde(skip)]
    #[reactive(skip)]
    views: u64,
}

fn invoice() -> Model<Invoice> {
    Model::new(Invoice {
        number: 1,
        customer: "ada".into(),
        quantity: 2,
        unit_price: 10,
        total: 0,
        views: 0,
    })
}

#[test]
fn a_new_model_is_clean_and_not_a_draft() {
    let m = invoice();
    assert!(!m.is_dirty());
    assert!(!m.is_draft());
    assert!(m.dirty_fields().is_empty());
    assert_eq!(m.saved_value(), m.snapshot());
}

#[test]
fn writes_make_fields_dirty_by_typed_equality_and_setting_back_cleans_them() {
    let m = invoice();
    m.set_customer("grace").unwrap();
    m.set_quantity(3).unwrap();
    assert!(m.is_dirty());
    assert_eq!(m.dirty_fields(), ["customer", "quantity"]);
    assert!(m.is_field_dirty(Invoice::CUSTOMER));
    assert!(!m.is_field_dirty(Invoice::NUMBER));
    // Back to the saved value: clean again, field by field.
    m.set_customer("ada").unwrap();
    assert_eq!(m.dirty_fields(), ["quantity"]);
    m.update(|i| i.quantity = 2).unwrap();
    assert!(!m.is_dirty());
}

#[test]
fn computed_and_skipped_fields_are_never_dirty() {
    let m = invoice();
    m.set_unit_price(11).unwrap();
    m.update(|i| i.views += 1).unwrap();
    assert_eq!(m.total(), 22);
    assert_eq!(m.dirty_fields(), ["unit_price"]);
    assert!(!m.is_field_dirty(Invoice::TOTAL));
    m.set_unit_price(10).unwrap();
    assert!(
        !m.is_dirty(),
        "a recomputed total or a skipped field made the model dirty"
    );
}

#[test]
fn the_saved_value_of_a_field_is_what_was_saved() {
    let m = invoice();
    m.set_customer("grace").unwrap();
    m.set_customer("linus").unwrap();
    assert_eq!(m.saved(Invoice::CUSTOMER), "ada");
    assert_eq!(m.saved(Invoice::NUMBER), 1);
    assert_eq!(m.saved_value().customer, "ada");
}

#[test]
fn revert_restores_the_saved_value_with_the_usual_events_in_declaration_order() {
    let m = invoice();
    m.update(|i| {
        i.unit_price = 30;
        i.customer = "grace".into();
        i.views = 5;
    })
    .unwrap();
    m.set_quantity(4).unwrap();
    let log = Log::default();
    let _subs = common::record_events(&m, &log, &[]);
    m.revert().unwrap();
    assert_eq!(
        log.take(),
        vec![
            "customer.changed \"grace\"->\"ada\"",
            "quantity.changed 4->2",
            "unit_price.changed 30->10",
            "total.changed 120->20",
            "change [\"customer\", \"quantity\", \"unit_price\", \"total\"]",
        ]
    );
    assert!(!m.is_dirty());
    assert_eq!(m.total(), 20);
    assert_eq!(m.with(|i| i.views), 5, "a skipped field is not reverted");
    // Reverting a clean model changes nothing and emits nothing.
    m.revert().unwrap();
    assert!(log.take().is_empty());
}

#[test]
fn mark_saved_makes_the_current_value_the_saved_one() {
    let m = invoice();
    m.set_customer("grace").unwrap();
    m.mark_saved();
    assert!(!m.is_dirty());
    assert_eq!(m.saved(Invoice::CUSTOMER), "grace");
    m.set_customer("linus").unwrap();
    assert_eq!(m.dirty_fields(), ["customer"]);
    m.revert().unwrap();
    assert_eq!(m.customer(), "grace");
}

#[test]
fn a_draft_stays_a_draft_through_writes_and_mark_saved() {
    let m = Model::draft(Invoice {
        number: 7,
        customer: "new".into(),
        quantity: 1,
        unit_price: 1,
        total: 0,
        views: 0,
    });
    assert!(m.is_draft());
    assert!(!m.is_dirty());
    m.set_quantity(2).unwrap();
    assert!(m.is_dirty());
    m.mark_saved();
    assert!(m.is_draft(), "only a publish or a load ends a draft");
    assert_eq!(m.total(), 2);
}

#[test]
fn a_failed_batch_leaves_the_dirty_state_as_it_was() {
    let m = invoice();
    m.set_customer("grace").unwrap();
    let result = m.try_update(|i| {
        i.quantity = 99;
        i.customer = "ada".into();
        Err::<(), _>(Error::msg("refused"))
    });
    assert!(result.is_err());
    assert_eq!(m.dirty_fields(), ["customer"]);
    assert_eq!(m.saved(Invoice::CUSTOMER), "ada");
}
