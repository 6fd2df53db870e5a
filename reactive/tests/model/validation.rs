//! `#[reactive(validate)]` with garde rules: a batch is validated once when it commits and is
//! refused, changing and emitting nothing, when it breaks a rule on what it wrote.

use crate::common;

use common::Log;
use garde::Validate;
use reactive::prelude::*;

#[derive(Reactive, Validate, Clone, Debug, PartialEq, Serialize)]
#[reactive(validate)]
struct Signup {
    #[garde(length(min = 2))]
    name: String,
    #[garde(email)]
    email: String,
    #[garde(skip)]
    newsletter: bool,
}

fn valid() -> Signup {
    Signup {
        name: "Ada".into(),
        email: "ada@example.com".into(),
        newsletter: false,
    }
}

#[test]
fn an_invalid_set_is_refused_with_a_per_field_report_and_changes_nothing() {
    let m = Model::new(valid());
    let log = Log::default();
    let _subs = common::record_events(&m, &log, &[]);
    let err = m.set_email("not-an-email").unwrap_err();
    let Error::Validation(report) = err else {
        panic!("expected a validation error, got {err:?}")
    };
    assert_eq!(report.fields().collect::<Vec<_>>(), ["email"]);
    assert_eq!(m.email(), "ada@example.com");
    assert!(!m.is_dirty());
    assert!(log.take().is_empty());
}

#[test]
fn a_batch_whose_second_write_is_invalid_applies_nothing() {
    let m = Model::new(valid());
    let log = Log::default();
    let _subs = common::record_events(&m, &log, &[]);
    let err = m
        .batch(|b| {
            b.set_newsletter(true)?;
            b.set_name("A")?; // too short: the batch is refused at commit
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(r) if r.fields().collect::<Vec<_>>() == ["name"]),
        "{err:?}"
    );
    assert_eq!(m.snapshot(), valid());
    assert!(log.take().is_empty());
}

#[test]
fn validation_runs_once_at_the_outermost_commit() {
    // An invalid intermediate state inside a batch is fine if the result is valid.
    let m = Model::new(valid());
    m.batch(|b| {
        b.set_name("")?;
        b.set_email("")?;
        b.batch(|inner| {
            inner.set_name("Grace")?;
            inner.set_email("grace@example.com")
        })
    })
    .unwrap();
    assert_eq!(m.name(), "Grace");
}

#[test]
fn a_model_that_starts_invalid_can_be_fixed_field_by_field() {
    let m = Model::new(Signup {
        name: "A".into(),
        email: "nope".into(),
        newsletter: false,
    });
    assert!(matches!(m.validate(), Err(Error::Validation(r)) if r.len() == 2));
    // Writing an unrelated field is fine: the errors it did not cause stay.
    m.set_newsletter(true).unwrap();
    // Fixing one field is fine although the other is still invalid.
    m.set_name("Ada").unwrap();
    // Writing a still-invalid value into a field is not.
    assert!(matches!(
        m.set_email("still nope"),
        Err(Error::Validation(_))
    ));
    m.set_email("ada@example.com").unwrap();
    assert!(m.validate().is_ok());
}

#[test]
fn set_unchecked_skips_validation() {
    let m = Model::new(valid());
    m.set_unchecked(Signup::EMAIL, "draft").unwrap();
    assert_eq!(m.email(), "draft");
    assert!(m.validate().is_err());
}

#[test]
fn candidates_are_validated_without_being_applied() {
    let bad = Signup {
        name: "A".into(),
        email: "x".into(),
        newsletter: false,
    };
    let Err(Error::Validation(report)) = Model::validate_value(&bad) else {
        panic!("expected a validation error")
    };
    assert_eq!(report.fields().collect::<Vec<_>>(), ["name", "email"]);
    assert!(Model::validate_value(&valid()).is_ok());
    assert!(matches!(Model::try_new(bad), Err(Error::Validation(_))));
    assert!(Model::try_new(valid()).is_ok());
}

/// A cross-field rule (`min <= max`) and a computed field over a validated one.
#[derive(Reactive, Validate, Clone, Debug)]
#[reactive(validate)]
struct Range {
    #[garde(custom(at_most(self.max)))]
    min: i64,
    #[garde(range(max = 1000))]
    max: i64,
    #[garde(skip)]
    #[reactive(computed = self.max - self.min)]
    width: i64,
}

fn at_most(max: i64) -> impl FnOnce(&i64, &()) -> garde::Result {
    move |min, _| {
        if *min > max {
            return Err(garde::Error::new(format!("must be at most max ({max})")));
        }
        Ok(())
    }
}

#[test]
fn a_two_field_change_that_keeps_min_le_max_passes() {
    let m = Model::new(Range {
        min: 0,
        max: 10,
        width: 0,
    });
    // One at a time, min = 50 would break min <= max; together they do not.
    m.update(|r| {
        r.min = 50;
        r.max = 100;
    })
    .unwrap();
    assert_eq!((m.min(), m.max(), m.width()), (50, 100, 50));
    // Writing only max below min breaks the rule on min: refused although min was not written.
    let err = m.set_max(20).unwrap_err();
    assert!(
        matches!(&err, Error::Validation(r) if r.fields().collect::<Vec<_>>() == ["min"]),
        "{err:?}"
    );
    assert_eq!(m.max(), 100);
}

#[test]
fn a_rule_on_a_field_a_computed_field_depends_on_guards_the_computed_value() {
    let m = Model::new(Range {
        min: 0,
        max: 10,
        width: 0,
    });
    let log = Log::default();
    let l = log.clone();
    let _sub = m.on_width(move |c| l.push(format!("width {}", c.value)));
    assert!(matches!(m.set_max(5000), Err(Error::Validation(_))));
    assert_eq!(m.width(), 10, "the computed field kept its value");
    assert!(log.take().is_empty());
    m.set_max(20).unwrap();
    assert_eq!(log.take(), vec!["width 20"]);
}
