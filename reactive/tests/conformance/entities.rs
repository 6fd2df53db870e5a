//! The entities the cases store, and their fixtures.

use reactive::prelude::*;

// The query tests' entity, `Person` (every kind of field a filter or an order can use), its
// `Role` enum stored as its serde string, and `person(id, name, age)` with plain defaults.
#[path = "../query_common/mod.rs"]
mod query_common;

pub use query_common::{person, Person, Role};

/// Five people with varied fields (the fixture most filter cases read):
///
/// | id | name    | age | score | nickname | rank | active | role   | tags     |
/// |----|---------|-----|-------|----------|------|--------|--------|----------|
/// | 1  | Ada     | 36  | 18.0  | Countess | 2    | false  | admin  | ["math"] |
/// | 2  | Alan    | 41  | 20.5  | Prof     | 1    | true   | member | null     |
/// | 3  | Grace   | 85  | 42.5  | null     | null | false  | guest  | null     |
/// | 4  | Edsger  | 72  | 36.0  | null     | null | true   | member | null     |
/// | 5  | Barbara | 36  | 18.0  | null     | 3    | false  | member | null     |
pub fn people() -> Vec<Person> {
    let mut ada = person(1, "Ada", 36);
    ada.nickname = Some("Countess".into());
    ada.rank = Some(2);
    ada.role = Role::Admin;
    ada.tags = Some(vec!["math".into()]);
    let mut alan = person(2, "Alan", 41);
    alan.rank = Some(1);
    alan.nickname = Some("Prof".into());
    let mut grace = person(3, "Grace", 85);
    grace.role = Role::Guest;
    let edsger = person(4, "Edsger", 72);
    let mut barbara = person(5, "Barbara", 36);
    barbara.rank = Some(3);
    vec![ada, alan, grace, edsger, barbara]
}

/// Another entity with the same field names as part of [`Person`]: its cursors are foreign.
#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("pets")]
pub struct Pet {
    pub id: u32,
    pub name: String,
    pub age: i64,
}

/// A versioned entity (optimistic concurrency).
#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("accounts")]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    pub balance: i64,
    #[reactive(version)]
    pub version: u64,
}

/// An account before its first publish (the store sets the version).
pub fn account(id: &str, name: &str) -> Account {
    Account {
        id: id.into(),
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase()),
        balance: 100,
        version: 0,
    }
}

/// An unversioned entity: updates of different fields by different writers both land.
#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("memos")]
pub struct Memo {
    pub id: String,
    pub title: String,
    pub body: String,
    pub pinned: bool,
}

/// A memo.
pub fn memo(id: &str, title: &str, body: &str) -> Memo {
    Memo {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        pinned: false,
    }
}

/// An entity whose id the store assigns, with a version.
#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("notes")]
pub struct Note {
    #[reactive(id, generated)]
    pub id: Option<u64>,
    pub text: String,
    #[reactive(version)]
    pub version: u64,
}

/// A note without an id yet.
pub fn note(text: &str) -> Note {
    Note {
        id: None,
        text: text.into(),
        version: 0,
    }
}

/// An entity with a computed field.
#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("invoices")]
pub struct Invoice {
    pub id: u32,
    pub quantity: i64,
    pub unit_price: i64,
    #[reactive(computed = self.quantity * self.unit_price)]
    pub total: i64,
}

/// An invoice with its total computed.
pub fn invoice(id: u32, quantity: i64, unit_price: i64) -> Invoice {
    Invoice {
        id,
        quantity,
        unit_price,
        total: quantity * unit_price,
    }
}

/// Field names that are SQL keywords, in an entity whose name is one too.
#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("order")]
pub struct Keyword {
    pub id: u32,
    pub r#type: String,
    pub order: i64,
    pub group: Option<String>,
    pub select: bool,
    pub user: String,
}

/// A keyword row.
pub fn keyword(id: u32, kind: &str, order: i64, group: Option<&str>) -> Keyword {
    Keyword {
        id,
        r#type: kind.into(),
        order,
        group: group.map(Into::into),
        select: id & 1 == 0,
        user: format!("user{id}"),
    }
}

/// A structured value stored as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub number: u32,
    pub lines: Vec<String>,
    pub note: Option<String>,
}

/// Every column kind, for round trips.
#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("kinds")]
pub struct Kinds {
    pub id: String,
    pub text: String,
    pub maybe_text: Option<String>,
    pub big: i64,
    pub small: i32,
    pub unsigned: u32,
    pub wide: u64,
    pub real: f64,
    pub flag: bool,
    pub maybe_int: Option<i64>,
    #[reactive(text)]
    pub role: Role,
    #[reactive(json)]
    pub list: Vec<String>,
    #[reactive(json)]
    pub address: Address,
}

/// Rows of [`Kinds`] at the edges of each column's range.
pub fn kinds() -> Vec<Kinds> {
    let address = |street: &str, number| Address {
        street: street.into(),
        number,
        lines: vec!["first".into(), "second \"quoted\"".into()],
        note: None,
    };
    vec![
        Kinds {
            id: "min".into(),
            text: String::new(),
            maybe_text: None,
            big: i64::MIN,
            small: i32::MIN,
            unsigned: 0,
            wide: 0,
            real: f64::MIN,
            flag: false,
            maybe_int: None,
            role: Role::Member,
            list: Vec::new(),
            address: address("", 0),
        },
        Kinds {
            id: "max".into(),
            text: "the largest".into(),
            maybe_text: Some(String::new()),
            big: i64::MAX,
            small: i32::MAX,
            unsigned: u32::MAX,
            wide: i64::MAX as u64,
            real: f64::MAX,
            flag: true,
            maybe_int: Some(i64::MAX),
            role: Role::Admin,
            list: vec!["a".into(), "b".into(), String::new()],
            address: Address {
                note: Some("top floor".into()),
                ..address("Main Street", u32::MAX)
            },
        },
        Kinds {
            id: "tiny".into(),
            text: "subnormal and friends".into(),
            maybe_text: Some("present".into()),
            big: -1,
            small: -1,
            unsigned: 1,
            wide: 1,
            real: 5e-324,
            flag: true,
            maybe_int: Some(i64::MIN),
            role: Role::Guest,
            list: vec!["only".into()],
            address: address("Side Road", 7),
        },
        Kinds {
            id: "exact".into(),
            text: "0.1 + 0.2".into(),
            maybe_text: None,
            big: 1 << 53,
            small: 0,
            unsigned: u32::MAX / 2,
            wide: (1 << 53) + 1,
            real: 0.1 + 0.2,
            flag: false,
            maybe_int: Some(0),
            role: Role::Member,
            list: vec!["x".into(); 3],
            address: address("Long Lane", 12),
        },
        Kinds {
            id: "negative".into(),
            text: "MiXeD case".into(),
            maybe_text: Some("MIXED".into()),
            big: -(1 << 40),
            small: -32768,
            unsigned: 65536,
            wide: u64::from(u32::MAX) + 1,
            real: -f64::MIN_POSITIVE,
            flag: false,
            maybe_int: Some(-7),
            role: Role::Guest,
            list: Vec::new(),
            address: address("Back Alley", 1),
        },
    ]
}

/// Hostile strings as every kind of field value.
#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("docs")]
pub struct Doc {
    pub id: String,
    pub title: String,
    pub note: Option<String>,
    /// Never filtered through an index or ordered by: it holds the 1 MB string.
    pub body: String,
}

/// A document holding `text` in every string field, under the id `id`.
pub fn doc(id: &str, text: &str) -> Doc {
    Doc {
        id: id.into(),
        title: text.into(),
        note: Some(text.into()),
        body: text.into(),
    }
}
