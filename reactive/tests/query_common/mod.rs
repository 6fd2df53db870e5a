//! The entity and fixtures shared by the query tests.
#![allow(dead_code)]

use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    // Declared out of alphabetical order: queries order by the serde string.
    Member,
    Admin,
    Guest,
}

#[derive(Reactive, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[entity("people")]
pub struct Person {
    pub id: u32,
    pub name: String,
    pub age: i64,
    pub score: f64,
    pub nickname: Option<String>,
    pub rank: Option<i32>,
    pub active: bool,
    pub count: u64,
    #[reactive(text)]
    pub role: Role,
    #[reactive(json)]
    pub tags: Option<Vec<String>>,
}

pub fn person(id: u32, name: &str, age: i64) -> Person {
    Person {
        id,
        name: name.into(),
        age,
        score: age as f64 / 2.0,
        nickname: None,
        rank: None,
        active: id.is_multiple_of(2),
        count: u64::from(id),
        role: Role::Member,
        tags: None,
    }
}

pub fn store(people: impl IntoIterator<Item = Person>) -> MemoryProvider<Person> {
    let store = MemoryProvider::new();
    for p in people {
        store.insert(p);
    }
    store
}

/// A few people with varied fields.
pub fn fixture() -> MemoryProvider<Person> {
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
    store([ada, alan, grace, edsger, barbara])
}

pub async fn ids(store: &impl Provider<Person>, query: Query<Person>) -> Vec<u32> {
    let page = store.list(&query).await.expect("the query runs");
    page.items.iter().map(|p| p.id).collect()
}

pub async fn error(store: &impl Provider<Person>, query: Query<Person>) -> Error {
    store.list(&query).await.expect_err("the query is refused")
}

/// No ids.
pub const NONE: [u32; 0] = [];

pub fn q() -> Query<Person> {
    Query::new()
}
