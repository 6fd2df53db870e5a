//! Our path on a SQL provider: a `Registry` over it (what a user writes), and the provider's
//! calls alone (how much of the work is the provider's). Each operation is timed alone
//! (`Bench::batched`); between operations, untimed, what it returned is checked and dropped.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reactive::prelude::*;
use reactive::provider::{Provider, Publish};

use super::{
    dirty_fields, label, page_query, published_fields, runtime, verify_all, verify_page,
    verify_person, verify_published, Person, Store, LOAD_ONE_IDS, PAGE_AFTER, ROWS,
};
use crate::entity::Verified;
use crate::measure::Bench;
use crate::probe::expect_eq;

/// A registry whose `Person`s come from `store`.
fn registry<S: Store>(store: &S) -> Registry {
    let registry = Registry::new();
    registry.provide::<Person>(store.db());
    registry
}

/// Waits (a bounded while) until no `Person` is live in `registry`: a load's task may hold
/// the model it answered with for a moment after the caller got it.
fn settled(registry: &Registry) -> Result<(), String> {
    let start = Instant::now();
    while !registry.is_empty::<Person>() {
        if start.elapsed() > Duration::from_secs(1) {
            return expect_eq(
                "registry len after drop",
                registry.len::<Person>() as u64,
                0,
            );
        }
        std::thread::yield_now();
    }
    Ok(())
}

struct LoadState<S> {
    _store: Arc<S>,
    registry: Registry,
    ids: Vec<u64>,
    loaded: Vec<Model<Person>>,
    verified: Verified,
}

/// `registry.load_many::<Person>(&ids)` of ids `0..100,000`, none live. Between operations
/// the models are checked and dropped, and the registry must be empty again.
pub fn load_many<S: Store>(store: &Arc<S>) -> Bench {
    let state = LoadState {
        _store: store.clone(),
        registry: registry(&**store),
        ids: (0..ROWS).collect(),
        loaded: Vec::new(),
        verified: Verified::default(),
    };
    Bench::batched(
        "ours",
        label(format!(
            "ours: Registry::load_many of 100,000 ids ({})",
            S::NAME
        )),
        state,
        |s| {
            s.loaded = runtime()
                .block_on(s.registry.load_many::<Person>(&s.ids))
                .expect("load_many")
        },
        |s| {
            let loaded = std::mem::take(&mut s.loaded);
            let outcome = expect_eq("registry len", s.registry.len::<Person>() as u64, ROWS)
                .and_then(|()| verify_all(loaded.iter().map(Model::snapshot)));
            drop(loaded);
            s.verified
                .record(outcome.and_then(|()| settled(&s.registry)));
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct PageState<S> {
    _store: Arc<S>,
    registry: Registry,
    after: u64,
    query: Query<Person>,
    page: Page<Model<Person>>,
    verified: Verified,
}

/// `registry.list::<Person>(&query)`: the page of 100 after the `after`th row by score, as
/// registered models.
pub fn list_page<S: Store>(store: &Arc<S>, after: u64) -> Bench {
    let state = PageState {
        _store: store.clone(),
        registry: registry(&**store),
        after,
        query: page_query(after),
        page: Page::default(),
        verified: Verified::default(),
    };
    Bench::batched(
        "ours",
        label(format!(
            "ours: Registry::list, keyset page of 100 ({})",
            S::NAME
        )),
        state,
        |s| {
            s.page = runtime()
                .block_on(s.registry.list::<Person>(&s.query))
                .expect("list")
        },
        |s| {
            let page = std::mem::take(&mut s.page);
            let outcome = verify_page(
                page.items.iter().map(Model::snapshot),
                page.has_more(),
                s.after,
            );
            drop(page);
            s.verified
                .record(outcome.and_then(|()| settled(&s.registry)));
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct LoadOneState<S> {
    _store: Arc<S>,
    registry: Registry,
    next: u64,
    loaded: Option<Model<Person>>,
    verified: Verified,
}

/// `registry.get_or_load::<Person>(&id)` of an id that is not live (cycling over 1,000
/// ids); the model is checked and dropped between operations.
pub fn get_or_load<S: Store>(store: &Arc<S>) -> Bench {
    let state = LoadOneState {
        _store: store.clone(),
        registry: registry(&**store),
        next: 0,
        loaded: None,
        verified: Verified::default(),
    };
    Bench::batched(
        "ours",
        label(format!(
            "ours: Registry::get_or_load, not live ({})",
            S::NAME
        )),
        state,
        |s| {
            let id = s.next % LOAD_ONE_IDS;
            s.loaded = Some(
                runtime()
                    .block_on(s.registry.get_or_load::<Person>(&id))
                    .expect("get_or_load"),
            );
        },
        |s| {
            let id = s.next % LOAD_ONE_IDS;
            s.next += 1;
            let outcome = match s.loaded.take() {
                Some(model) => {
                    let value = model.snapshot();
                    expect_eq("id", value.id, id).and_then(|()| verify_person(&value))
                }
                None => Err("nothing loaded".into()),
            };
            s.verified
                .record(outcome.and_then(|()| settled(&s.registry)));
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct PublishState<S> {
    store: Arc<S>,
    _registry: Registry,
    model: Model<Person>,
    /// Publishes made so far (the next is `published + 1`).
    published: u64,
    verified: Verified,
}

/// Sets `name` and `score` of `model` to their `n`th published values: 2 dirty fields.
fn dirty(model: &Model<Person>, n: u64) {
    let (name, score) = published_fields(model.get(Person::ID), n);
    model
        .update(|p| {
            p.name = name;
            p.score = score;
        })
        .expect("set 2 fields");
}

/// `model.publish()` of a registered, versioned model of `id` with 2 dirty fields: the
/// update of those columns with the version checked in the same statement. Between
/// operations the model is checked (the new version, clean) and 2 fields changed again.
pub fn publish<S: Store>(store: &Arc<S>, id: u64) -> Bench {
    let registry = registry(&**store);
    let model = runtime()
        .block_on(registry.get_or_load::<Person>(&id))
        .expect("load the published row");
    dirty(&model, 1);
    let state = PublishState {
        store: store.clone(),
        _registry: registry,
        model,
        published: 0,
        verified: Verified::default(),
    };
    Bench::batched(
        "ours",
        label(format!(
            "ours: Model::publish, 2 dirty fields, versioned ({})",
            S::NAME
        )),
        state,
        |s| runtime().block_on(s.model.publish()).expect("publish"),
        |s| {
            s.published += 1;
            let n = s.published;
            let value = s.model.snapshot();
            let mut outcome = verify_published(&value, value.id, n);
            if outcome.is_ok() && s.model.is_dirty() {
                outcome = Err(format!(
                    "dirty after publish {n}: {:?}",
                    s.model.dirty_fields()
                ));
            }
            s.verified.record(outcome);
            dirty(&s.model, n + 1);
        },
        |s, ops| {
            s.verified.expect(ops)?;
            check_stored(&*s.store, s.model.get(Person::ID), ops)
        },
    )
}

/// The stored row of `id` after `ops` publishes is the last published value.
fn check_stored<S: Store>(store: &S, id: u64, ops: u64) -> Result<(), String> {
    let stored = store.stored(id)?;
    if ops == 0 {
        return expect_eq("stored version", stored.version, 1);
    }
    verify_published(&stored, id, ops)
}

struct ProviderLoadState<S> {
    store: Arc<S>,
    ids: Vec<u64>,
    loaded: Vec<Person>,
    verified: Verified,
}

/// The provider's `load_many` alone, for ids `0..100,000`: plain values, no registry.
pub fn provider_load_many<S: Store>(store: &Arc<S>) -> Bench {
    let state = ProviderLoadState {
        store: store.clone(),
        ids: (0..ROWS).collect(),
        loaded: Vec::new(),
        verified: Verified::default(),
    };
    Bench::batched(
        "provider",
        label(format!("ours: {}::load_many of 100,000 ids alone", S::NAME)),
        state,
        |s| {
            let db = s.store.db();
            s.loaded = runtime()
                .block_on(Provider::<Person>::load_many(&db, &s.ids))
                .expect("load_many")
        },
        |s| {
            let mut loaded = std::mem::take(&mut s.loaded);
            // In any order, by the trait's contract.
            loaded.sort_unstable_by_key(|p| p.id);
            s.verified.record(verify_all(loaded.into_iter()));
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct ProviderListState<S> {
    store: Arc<S>,
    query: Query<Person>,
    page: Page<Person>,
    verified: Verified,
}

/// The provider's `list` alone: the keyset page as plain values.
pub fn provider_list<S: Store>(store: &Arc<S>) -> Bench {
    let state = ProviderListState {
        store: store.clone(),
        query: page_query(PAGE_AFTER),
        page: Page::default(),
        verified: Verified::default(),
    };
    Bench::batched(
        "provider",
        label(format!(
            "ours: {}::list, keyset page of 100, alone",
            S::NAME
        )),
        state,
        |s| {
            let db = s.store.db();
            s.page = runtime()
                .block_on(Provider::<Person>::list(&db, &s.query))
                .expect("list")
        },
        |s| {
            let page = std::mem::take(&mut s.page);
            let more = page.has_more();
            s.verified
                .record(verify_page(page.items.into_iter(), more, PAGE_AFTER));
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct ProviderLoadOneState<S> {
    store: Arc<S>,
    next: u64,
    loaded: Option<Person>,
    verified: Verified,
}

/// The provider's `load` alone, cycling over the same ids.
pub fn provider_load<S: Store>(store: &Arc<S>) -> Bench {
    let state = ProviderLoadOneState {
        store: store.clone(),
        next: 0,
        loaded: None,
        verified: Verified::default(),
    };
    Bench::batched(
        "provider",
        label(format!("ours: {}::load alone", S::NAME)),
        state,
        |s| {
            let id = s.next % LOAD_ONE_IDS;
            let db = s.store.db();
            s.loaded = runtime()
                .block_on(Provider::<Person>::load(&db, &id))
                .expect("load");
        },
        |s| {
            let id = s.next % LOAD_ONE_IDS;
            s.next += 1;
            let outcome = match s.loaded.take() {
                Some(value) => expect_eq("id", value.id, id).and_then(|()| verify_person(&value)),
                None => Err("nothing loaded".into()),
            };
            s.verified.record(outcome);
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct ProviderPublishState<S> {
    store: Arc<S>,
    /// The value as last stored, with the next 2 fields written into it.
    value: Person,
    /// The version it was stored at.
    stored_version: u64,
    published: u64,
    verified: Verified,
}

/// The provider's `publish` alone: an update request of `name` and `score` at the stored
/// version, built in the operation as `Model::publish` builds it (a clone of the value).
pub fn provider_publish<S: Store>(store: &Arc<S>, id: u64) -> Bench {
    let mut value = store.stored(id).expect("the published row");
    let stored_version = value.version;
    (value.name, value.score) = published_fields(id, 1);
    let state = ProviderPublishState {
        store: store.clone(),
        value,
        stored_version,
        published: 0,
        verified: Verified::default(),
    };
    Bench::batched(
        "provider",
        label(format!("ours: {}::publish of 2 fields alone", S::NAME)),
        state,
        |s| {
            let request = Publish::Update {
                id: s.value.id,
                value: s.value.clone(),
                fields: dirty_fields(),
                expected_version: Some(s.stored_version),
            };
            let db = s.store.db();
            s.value = runtime()
                .block_on(Provider::<Person>::publish(&db, request))
                .expect("publish");
        },
        |s| {
            s.published += 1;
            let n = s.published;
            s.verified.record(verify_published(&s.value, s.value.id, n));
            s.stored_version = s.value.version;
            (s.value.name, s.value.score) = published_fields(s.value.id, n + 1);
        },
        |s, ops| {
            s.verified.expect(ops)?;
            check_stored(&*s.store, s.value.id, ops)
        },
    )
}
