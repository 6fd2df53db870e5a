//! An entity implements `sql::Record` exactly when the runtime has an SQL provider compiled in
//! (ADR 0008: the derive hands the impl to the runtime's `__sql_record!`, which drops it
//! otherwise). Run alone, as the test command does (`cargo test -p reactive-loom --test
//! records`), this package builds the runtime without features; in the workspace's build
//! the SQL features are on, and the impl is there.

use std::marker::PhantomData;

use reactive::prelude::*;

#[derive(Reactive, Clone, Debug)]
#[entity("notes")]
struct Note {
    id: u64,
    body: String,
}

/// `Probe::<T>::RECORD` is the inherent const when `T: Record`, the trait's default otherwise.
struct Probe<T>(PhantomData<T>);

// Its const is read only in a build without an SQL provider.
#[allow(dead_code)]
trait NotRecord {
    const RECORD: bool = false;
}

impl<T> NotRecord for Probe<T> {}

// Read only in a build with an SQL provider.
#[allow(dead_code)]
impl<T: reactive::sql::Record> Probe<T> {
    const RECORD: bool = true;
}

#[test]
fn an_entity_is_a_record_exactly_when_an_sql_provider_is_compiled_in() {
    assert_eq!(
        Probe::<Note>::RECORD,
        reactive::sql::PROVIDER_COMPILED_IN,
        "PROVIDER_COMPILED_IN is {}",
        reactive::sql::PROVIDER_COMPILED_IN
    );
    // The entity itself works either way.
    let note = Model::new(Note {
        id: 1,
        body: "hello".into(),
    });
    note.set_body("world").unwrap();
    assert_eq!(note.body(), "world");
}
