//! `#[reactive(hooks)]` and `#[reactive(validate)]`: what the derive accepts and what
//! `__validate` reports (field names from the field table, paths inside nested values). The
//! model's write path, which uses both, has its own tests.

use reactive::prelude::*;
use reactive::{FieldError, ValidationReport};

/// The report of validating `value`, which must be invalid.
fn report_of<T: Reactive>(value: &T) -> ValidationReport {
    match value.__validate() {
        Ok(()) => panic!("expected validation errors"),
        Err(report) => report,
    }
}

/// `(field, path)` of each error, in order.
fn places(report: &ValidationReport) -> Vec<(&str, &str)> {
    report
        .iter()
        .map(|e: &FieldError| (e.field.as_str(), e.path.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rules on plain fields; a renamed field and a raw identifier are keyed by their table names;
// computed and skipped fields carry `#[garde(skip)]` (garde wants an attribute on every field).

#[derive(Reactive, garde::Validate, Clone, Debug)]
#[reactive(validate)]
pub struct Signup {
    #[garde(length(chars, min = 2, max = 40))]
    pub name: String,
    #[garde(email)]
    #[reactive(rename = "mail")]
    pub email_address: String,
    #[garde(length(max = 3), inner(length(min = 1)))]
    pub r#type: Vec<String>,
    #[garde(skip)]
    #[reactive(computed = self.name.chars().count())]
    pub name_len: usize,
    #[garde(skip)]
    #[reactive(skip)]
    pub draft_note: Option<String>,
}

// The runtime reads these flags to choose its write path.
const _: () = assert!(<Signup as Reactive>::__VALIDATE && !<Signup as Reactive>::__HOOKS);

fn signup(name: &str, email: &str, kinds: &[&str]) -> Signup {
    Signup {
        name: name.into(),
        email_address: email.into(),
        r#type: kinds.iter().map(|k| k.to_string()).collect(),
        name_len: 0,
        draft_note: None,
    }
}

#[test]
fn a_valid_value_passes_and_an_invalid_one_is_reported_per_field() {
    assert_eq!(
        signup("Ada", "ada@example.com", &["admin"]).__validate(),
        Ok(())
    );

    let report = report_of(&signup("A", "not an email", &["a", "", "c", "d"]));
    assert_eq!(
        report.fields().collect::<Vec<_>>(),
        ["name", "mail", "type"]
    );
    assert_eq!(
        report.errors_of("name").collect::<Vec<_>>(),
        ["length is lower than 2"]
    );
    assert_eq!(report.errors_of("mail").count(), 1);
    // The list is too long, and its second item is empty.
    assert_eq!(
        places(&report),
        [("name", ""), ("mail", ""), ("type", "[1]"), ("type", "")]
    );
    assert_eq!(
        report.errors_of("type").collect::<Vec<_>>(),
        ["length is lower than 1", "length is greater than 3"]
    );
    assert!(report
        .to_string()
        .contains("type[1]: length is lower than 1"));
}

#[test]
fn computed_and_skipped_fields_are_not_validated() {
    // `name_len` is stale and `draft_note` anything: neither is looked at.
    let mut value = signup("Grace", "grace@example.com", &[]);
    value.name_len = 999;
    value.draft_note = Some(String::new());
    assert_eq!(value.__validate(), Ok(()));
    // As a live model, the computed field follows its source, which is validated.
    let model = Model::new(signup("Grace", "grace@example.com", &[]));
    assert_eq!(model.name_len(), 5);
}

// ---------------------------------------------------------------------------------------------
// Nested structs (`#[garde(dive)]`): the field is the outer one, the path leads inside it.

#[derive(garde::Validate, Clone, Debug, PartialEq)]
pub struct Address {
    #[garde(length(min = 1))]
    pub city: String,
    #[garde(length(equal = 5), ascii)]
    pub zip: String,
}

#[derive(Reactive, garde::Validate, Clone, Debug)]
#[reactive(validate)]
pub struct Customer {
    #[garde(length(min = 1))]
    pub name: String,
    #[garde(dive)]
    pub home: Address,
    #[garde(dive, length(max = 2))]
    #[reactive(rename = "shipTo")]
    pub ship_to: Vec<Address>,
}

fn address(city: &str, zip: &str) -> Address {
    Address {
        city: city.into(),
        zip: zip.into(),
    }
}

#[test]
fn errors_inside_a_nested_value_carry_their_path() {
    let valid = Customer {
        name: "Ada".into(),
        home: address("London", "N1 9G"),
        ship_to: vec![address("Paris", "75001")],
    };
    assert_eq!(valid.__validate(), Ok(()));

    let customer = Customer {
        name: "Ada".into(),
        home: address("", "N1 9G"),
        ship_to: vec![address("Paris", "75001"), address("Lyon", "690")],
    };
    let report = report_of(&customer);
    assert_eq!(places(&report), [("home", "city"), ("shipTo", "[1].zip")]);
    assert_eq!(
        report.to_string(),
        "home.city: length is lower than 1; shipTo[1].zip: length is lower than 5"
    );
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules: `self` is in scope in garde's rules, so a custom rule on one field may read
// another (a function taking the other value, or a closure).

fn at_most(max: &u32) -> impl FnOnce(&u32, &()) -> garde::Result + '_ {
    move |min, _| {
        if min <= max {
            Ok(())
        } else {
            Err(garde::Error::new(format!(
                "{min} is above the maximum {max}"
            )))
        }
    }
}

#[derive(Reactive, garde::Validate, Clone, Debug)]
#[reactive(validate)]
pub struct Bounds {
    #[garde(custom(at_most(&self.max)))]
    pub min: u32,
    #[garde(range(max = 1000))]
    pub max: u32,
    #[garde(custom(|step: &u32, _: &()| {
        if *step > 0 && *step <= self.max {
            Ok(())
        } else {
            Err(garde::Error::new("the step must be between 1 and the maximum"))
        }
    }))]
    pub step: u32,
}

#[test]
fn a_custom_rule_reads_another_field() {
    let ok = Bounds {
        min: 1,
        max: 10,
        step: 3,
    };
    assert_eq!(ok.__validate(), Ok(()));

    let report = report_of(&Bounds {
        min: 20,
        max: 10,
        step: 3,
    });
    assert_eq!(places(&report), [("min", "")]);
    assert_eq!(
        report.errors_of("min").collect::<Vec<_>>(),
        ["20 is above the maximum 10"]
    );

    let report = report_of(&Bounds {
        min: 1,
        max: 5000,
        step: 0,
    });
    assert_eq!(report.fields().collect::<Vec<_>>(), ["max", "step"]);
    assert_eq!(
        report.errors_of("step").collect::<Vec<_>>(),
        ["the step must be between 1 and the maximum"]
    );
}

// ---------------------------------------------------------------------------------------------
// A generic validated struct: garde's impl is required where the type is used.

#[derive(Reactive, garde::Validate, Clone, Debug)]
#[reactive(validate)]
pub struct Bag<T: Clone + PartialEq + Send + Sync + 'static> {
    #[garde(length(min = 1))]
    pub items: Vec<T>,
    #[garde(skip)]
    pub label: String,
}

#[test]
fn a_generic_struct_is_validated_for_each_type_argument() {
    let empty = Bag::<u8> {
        items: vec![],
        label: "x".into(),
    };
    assert_eq!(places(&report_of(&empty)), [("items", "")]);
    let full = Bag {
        items: vec!["a".to_string()],
        label: String::new(),
    };
    assert_eq!(full.__validate(), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// Hooks: the derive leaves `ModelHooks` to the user, and both attributes combine.

#[derive(Reactive, garde::Validate, Clone, Debug)]
#[reactive(hooks, validate)]
pub struct Account {
    #[garde(length(min = 1))]
    pub owner: String,
    #[garde(range(min = 0))]
    pub balance: i64,
}

impl ModelHooks for Account {
    fn before_set(&self, pending: &mut Pending<'_, Self>) -> Result<(), Error> {
        // Owners are stored trimmed.
        let trimmed = pending.get(Account::OWNER).trim().to_string();
        pending.set(Account::OWNER, trimmed)
    }
}

#[derive(Reactive, Clone, Debug)]
#[reactive(hooks)]
pub struct Counter {
    pub count: u64,
}

impl ModelHooks for Counter {}

const _: () = assert!(<Account as Reactive>::__HOOKS && <Account as Reactive>::__VALIDATE);
const _: () = assert!(<Counter as Reactive>::__HOOKS && !<Counter as Reactive>::__VALIDATE);

#[test]
fn hooks_are_the_users_impl_and_combine_with_validation() {
    let report = report_of(&Account {
        owner: String::new(),
        balance: -1,
    });
    assert_eq!(report.fields().collect::<Vec<_>>(), ["owner", "balance"]);
    let counter = Model::new(Counter { count: 0 });
    assert_eq!(counter.count(), 0);
}

// ---------------------------------------------------------------------------------------------
// Without `validate`, garde may still be derived: the model does not validate.

#[derive(Reactive, garde::Validate, Clone, Debug)]
pub struct Note {
    #[garde(length(min = 1))]
    pub text: String,
}

const _: () = assert!(!<Note as Reactive>::__VALIDATE && !<Note as Reactive>::__HOOKS);

#[test]
fn without_validate_the_model_accepts_every_value() {
    let note = Note {
        text: String::new(),
    };
    assert_eq!(note.__validate(), Ok(()));
    assert!(garde::Validate::validate(&note).is_err());
}
