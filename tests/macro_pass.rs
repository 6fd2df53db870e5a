//! What `#[derive(Reactive)]` accepts: generics, visibilities, docs, raw identifiers, renames, a
//! re-exported runtime, the std derives and serde beside it, skipped fields of any type, and
//! computed fields over computed fields. Each case compiles and is driven as a live model.
//! `#[reactive(hooks)]` and `#[reactive(validate)]` are in `macro_pass/rules.rs`, `#[entity]` in
//! `macro_pass/entity.rs`.

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use reactive::prelude::*;

/// The field table's names, in order.
fn names<T: Reactive>() -> Vec<&'static str> {
    T::FIELDS.iter().map(|f| f.name()).collect()
}

#[path = "macro_pass/entity.rs"]
mod entity;
#[path = "macro_pass/rules.rs"]
mod rules;

/// Collects what listeners see, in order.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn push(&self, entry: String) {
        self.0.lock().expect("log lock").push(entry);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("log lock"))
    }
}

// ---------------------------------------------------------------------------------------------
// A generic struct, with a bound in the parameter list and a where clause.

#[derive(Reactive, Clone, Debug)]
pub struct Slot<T: Clone + Send + Sync + 'static>
where
    T: PartialEq + Debug,
{
    pub label: String,
    pub value: T,
}

fn slot_roundtrip<T>(first: T, second: T) -> Result<Vec<String>, Error>
where
    T: Clone + Send + Sync + PartialEq + Debug + 'static,
{
    let seen = Seen::default();
    let slot = Model::new(Slot {
        label: "a".into(),
        value: first,
    });
    let log = seen.clone();
    let _sub =
        slot.on_value(move |c: &Change<T>| log.push(format!("{:?} -> {:?}", c.previous, c.value)));
    slot.set_value(second.clone())?;
    slot.set(Slot::<T>::VALUE, second.clone())?; // equal: no event
    assert_eq!(slot.value(), second);
    assert_eq!(slot.get(Slot::<T>::LABEL), "a");
    slot.batch(|b| {
        b.set_label("b")?;
        assert_eq!(b.label(), "b");
        Ok(())
    })?;
    assert_eq!(slot.label(), "b");
    Ok(seen.take())
}

#[test]
fn a_generic_struct_is_a_live_model_for_each_type_argument() -> Result<(), Error> {
    assert_eq!(slot_roundtrip(1u64, 2)?, ["1 -> 2"]);
    assert_eq!(
        slot_roundtrip("x".to_string(), "y".to_string())?,
        ["\"x\" -> \"y\""]
    );
    assert_eq!(names::<Slot<u64>>(), ["label", "value"]);
    Ok(())
}

#[derive(Reactive, Clone, Debug, PartialEq)]
pub struct Buffer<const N: usize> {
    pub bytes: [u8; N],
    pub len: usize,
}

#[test]
fn a_const_generic_struct_is_a_live_model() -> Result<(), Error> {
    let buf = Model::new(Buffer::<4> {
        bytes: [0; 4],
        len: 0,
    });
    buf.update(|b| {
        b.bytes[0] = 7;
        b.len = 1;
    })?;
    assert_eq!(buf.bytes(), [7, 0, 0, 0]);
    assert_eq!(buf.get(Buffer::<4>::LEN), 1);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `pub(crate)` fields and doc comments: the generated items keep the field's visibility.

mod accounts {
    use reactive::prelude::*;

    #[derive(Reactive, Clone, Debug)]
    pub struct Account {
        /// The owner's login; shown on hover over `Account::OWNER` and `owner()` as well.
        pub(crate) owner: String,
        /// The balance in cents.
        ///
        /// Two paragraphs of docs are kept as they are.
        pub(crate) balance: i64,
        /// Private: the key and methods are private too.
        audit: u32,
    }

    impl Account {
        pub(crate) fn open(owner: &str) -> Self {
            Account {
                owner: owner.into(),
                balance: 0,
                audit: 0,
            }
        }

        pub(crate) fn audit_count(model: &Model<Account>) -> u32 {
            model.audit()
        }

        pub(crate) fn deposit(&mut self, cents: i64) {
            self.balance += cents;
            self.audit += 1;
        }
    }
}

#[test]
fn pub_crate_and_documented_fields_are_reachable_in_the_crate() -> Result<(), Error> {
    use accounts::Account;
    let account = Model::new(Account::open("ada"));
    let seen = Seen::default();
    let log = seen.clone();
    account
        .on(Account::BALANCE, move |c: &Change<i64>| {
            log.push(format!("{} -> {}", c.previous, c.value))
        })
        .detach();
    account.update(|a| a.deposit(250))?;
    account.set_owner("grace")?;
    assert_eq!(account.balance(), 250);
    assert_eq!(account.get(Account::OWNER), "grace");
    assert_eq!(Account::audit_count(&account), 1);
    assert_eq!(seen.take(), ["0 -> 250"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Raw identifiers, camelCase and non-ASCII names.

#[derive(Reactive, Clone, Debug, Serialize)]
#[allow(non_snake_case)]
pub struct Document {
    pub r#type: String,
    pub r#async: bool,
    pub pageCount: u32,
    pub größe: u32,
}

#[test]
fn raw_identifiers_name_events_without_the_prefix() -> Result<(), Error> {
    let doc = Model::new(Document {
        r#type: "memo".into(),
        r#async: false,
        pageCount: 1,
        größe: 10,
    });
    let seen = Seen::default();
    let log = seen.clone();
    doc.on_event("type.changed", move |e: &Event| {
        log.push(format!("{} {}", e.name(), e.value()))
    })
    .detach();
    let log = seen.clone();
    doc.on_type(move |c| log.push(format!("typed {} -> {}", c.previous, c.value)))
        .detach();
    doc.set_type("letter")?;
    doc.set(Document::ASYNC, true)?;
    doc.set_pageCount(2)?;
    doc.set_größe(12)?;
    assert_eq!(doc.r#type(), "letter");
    assert!(doc.r#async());
    assert_eq!(doc.get(Document::PAGE_COUNT), 2);
    assert_eq!(doc.get(Document::GRÖSSE), 12);
    assert_eq!(Document::TYPE.name(), "type");
    assert_eq!(names::<Document>(), ["type", "async", "pageCount", "größe"]);
    assert_eq!(
        seen.take(),
        [
            "type.changed {\"previous\":\"memo\",\"value\":\"letter\"}",
            "typed memo -> letter",
        ]
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `rename`: the event name and the generated names follow it; serde's rename does not.

#[derive(Reactive, Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Member {
    #[reactive(rename = "display_name")]
    #[serde(rename = "displayName")]
    pub name: String,
    #[reactive(rename = "batch_no")]
    pub batch: u32,
}

#[test]
fn rename_sets_the_event_name_and_the_method_names() -> Result<(), Error> {
    let member = Model::new(Member {
        name: "Ada".into(),
        batch: 1,
    });
    let seen = Seen::default();
    let log = seen.clone();
    member
        .on_event("display_name.changed", move |e: &Event| {
            log.push(e.value().to_string())
        })
        .detach();
    let log = seen.clone();
    member
        .on_change(move |_, changes: &Changes| {
            log.push(changes.names().collect::<Vec<_>>().join(","))
        })
        .detach();
    member.set_display_name("Grace")?;
    member.set_batch_no(2)?;
    assert_eq!(member.display_name(), "Grace");
    assert_eq!(member.get(Member::BATCH_NO), 2);
    assert_eq!(member.with(|m| m.name.clone()), "Grace"); // the Rust field keeps its name
    assert_eq!(Member::DISPLAY_NAME.name(), "display_name");
    assert_eq!(
        seen.take(),
        [
            "{\"previous\":\"Ada\",\"value\":\"Grace\"}",
            "display_name",
            "batch_no",
        ]
    );
    // serde keeps its own rename.
    let json = serde_json::to_value(member.snapshot()).map_err(Error::other)?;
    assert_eq!(json["displayName"], "Grace");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `#[reactive(crate = path)]`: the runtime reached through a re-export.

mod framework {
    /// A framework that re-exports the runtime under its own path.
    pub mod rt {
        pub use reactive::*;
    }
}

mod uses_the_reexport {
    use crate::framework::rt::{self, Model};

    #[derive(rt::Reactive, Clone, Debug)]
    #[reactive(crate = crate::framework::rt)]
    pub struct Ticket {
        pub title: String,
        #[reactive(computed = self.title.len())]
        pub title_len: usize,
    }

    pub fn run() -> Result<(usize, Vec<String>), rt::Error> {
        let ticket = Model::new(Ticket {
            title: "bug".into(),
            title_len: 0,
        });
        let seen = crate::Seen::default();
        let log = seen.clone();
        ticket
            .on_title_len(move |c: &rt::Change<usize>| log.push(format!("{}", c.value)))
            .detach();
        ticket.set_title("a longer bug")?;
        Ok((ticket.get(Ticket::TITLE_LEN), seen.take()))
    }
}

#[test]
fn a_crate_path_points_the_generated_code_at_a_reexport() -> Result<(), Error> {
    let (len, seen) = uses_the_reexport::run()?;
    assert_eq!(len, 12);
    assert_eq!(seen, ["12"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The struct stays plain: literals, serde, Clone, Debug, Default.

#[derive(Reactive, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub tags: Vec<String>,
    pub age: Option<u8>,
}

#[test]
fn the_struct_keeps_literals_serde_clone_debug_and_default() -> Result<(), Error> {
    let plain = Profile {
        id: "p1".into(),
        tags: vec!["a".into()],
        ..Default::default()
    };
    assert_eq!(Profile::default().age, None);
    let json = serde_json::to_string(&plain).map_err(Error::other)?;
    assert_eq!(json, r#"{"id":"p1","tags":["a"],"age":null}"#);
    let back: Profile = serde_json::from_str(&json).map_err(Error::other)?;
    assert_eq!(back, plain);
    assert_eq!(
        format!("{:?}", plain.clone()),
        r#"Profile { id: "p1", tags: ["a"], age: None }"#
    );

    let model = Model::new(plain.clone());
    model.set_age(30)?; // a bare value for an Option field
    assert_eq!(
        serde_json::to_string(&model).map_err(Error::other)?,
        r#"{"id":"p1","tags":["a"],"age":30}"#
    );
    assert_eq!(
        format!("{model:?}"),
        r#"Model(Profile { id: "p1", tags: ["a"], age: Some(30) })"#
    );
    assert_eq!(
        model.snapshot(),
        Profile {
            age: Some(30),
            ..plain
        }
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A skipped field may have any `Clone + Send + Sync` type, even one without `PartialEq`.

#[derive(Clone, Default)]
pub struct Connection {
    opened: u32,
}

#[derive(Reactive, Clone)]
pub struct Session {
    pub user: String,
    #[reactive(skip)]
    pub connection: Connection,
}

#[test]
fn a_skipped_field_needs_no_partial_eq_and_emits_nothing() -> Result<(), Error> {
    let session = Model::new(Session {
        user: "ada".into(),
        connection: Connection::default(),
    });
    let seen = Seen::default();
    let log = seen.clone();
    session
        .on_change(move |_, changes: &Changes| log.push(format!("{}", changes.len())))
        .detach();
    session.update(|s| s.connection.opened += 1)?;
    assert!(seen.take().is_empty(), "a skipped field is never diffed");
    assert_eq!(session.with(|s| s.connection.opened), 1);
    session.update(|s| s.user = "grace".into())?;
    assert_eq!(seen.take(), ["1"]);
    assert_eq!(names::<Session>(), ["user"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A computed field over a computed field, declared before it.

#[derive(Reactive, Clone, Debug)]
pub struct Invoice {
    pub net: u64,
    pub rate_percent: u64,
    #[reactive(computed = Self::gross_of, deps(net, tax))]
    pub gross: u64,
    #[reactive(computed = self.net * self.rate_percent / 100)]
    pub tax: u64,
}

impl Invoice {
    fn gross_of(&self) -> u64 {
        self.net + self.tax
    }
}

#[test]
fn computed_fields_over_computed_fields_follow_dependency_order() -> Result<(), Error> {
    let invoice = Model::new(Invoice {
        net: 100,
        rate_percent: 20,
        gross: 0,
        tax: 0,
    });
    assert_eq!((invoice.tax(), invoice.gross()), (20, 120));
    let seen = Seen::default();
    for key in [Invoice::TAX, Invoice::GROSS] {
        let log = seen.clone();
        invoice
            .on(key, move |c: &Change<u64>| {
                log.push(format!("{} {} -> {}", key.name(), c.previous, c.value))
            })
            .detach();
    }
    invoice.set_net(200)?;
    assert_eq!(seen.take(), ["tax 20 -> 40", "gross 120 -> 240"]);
    invoice.set_rate_percent(10)?;
    assert_eq!(seen.take(), ["tax 40 -> 20", "gross 240 -> 220"]);
    assert_eq!(invoice.get(Invoice::GROSS), 220);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `Self` in a field's type means the struct, also in the generated handles.

pub trait Keyed {
    type Id: Clone + PartialEq + Send + Sync + Debug + Default + 'static;
}

#[derive(Reactive, Clone, Debug, PartialEq, Default)]
pub struct Category {
    pub id: <Self as Keyed>::Id,
    pub children: Vec<Self>,
    pub parent: Option<Box<Self>>,
}

impl Keyed for Category {
    type Id = u32;
}

#[test]
fn self_in_a_field_type_is_the_struct() -> Result<(), Error> {
    let root = Model::new(Category::default());
    let seen = Seen::default();
    let log = seen.clone();
    root.on_children(move |c: &Change<Vec<Category>>| {
        log.push(format!("{} children", c.value.len()))
    })
    .detach();
    root.set_children(vec![Category::default(), Category::default()])?;
    root.set_id(7)?;
    assert_eq!(root.id(), 7);
    assert_eq!(root.get(Category::CHILDREN).len(), 2);
    root.batch(|b| b.set_parent(Box::new(Category::default())))?;
    assert!(root.parent().is_some());
    assert_eq!(seen.take(), ["2 children"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Unusual but valid structs: no fields, a raw and lowercase name.

#[derive(Reactive, Clone, Debug, Default)]
pub struct Heartbeat {}

#[allow(non_camel_case_types)]
#[derive(Reactive, Clone, Debug, Default)]
pub struct r#struct {
    pub r#fn: u8,
}

#[test]
fn a_struct_without_fields_or_with_a_raw_name_is_a_live_model() -> Result<(), Error> {
    let beat = Model::new(Heartbeat {});
    let seen = Seen::default();
    let log = seen.clone();
    beat.on_event("beat", move |e: &Event| log.push(e.name().to_string()))
        .detach();
    beat.trigger("beat", serde_json::json!(null));
    assert_eq!(seen.take(), ["beat"]);
    assert!(Heartbeat::FIELDS.is_empty());

    let item = Model::new(r#struct::default());
    item.set_fn(3)?;
    assert_eq!(item.r#fn(), 3);
    assert_eq!(<r#struct as Reactive>::TYPE_NAME, "struct");
    Ok(())
}
