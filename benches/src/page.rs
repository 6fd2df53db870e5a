//! A page of 100 from the memory provider, as registered live models, against the same
//! selection, clone and wrap by hand.
//!
//! The store holds [`STORE`] items; the page is the first 100 by id (`Query::new().limit(100)`,
//! whose order is the id). The sides do not select alike: the memory provider walks its index
//! of the ids from the start and stops after 101 rows (the first page builds the index; nothing
//! writes afterwards), while the floor, over a `HashMap` without an index, selects the first
//! 101 of all the ids. The provider's part is the smaller one (the `list` row); registering the
//! models is most of ours.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};

use futures::executor::block_on;
use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider};

use crate::cases::{row, Case, Limits, Target};
use crate::entity::Verified;
use crate::measure::Bench;
use crate::probe::expect_eq;
use crate::subjects::Item;

/// Items in the store.
pub const STORE: u64 = 1_000;
/// The page size.
pub const PAGE: usize = 100;

/// The page case: ours (listed and registered), the provider's `list` alone, the floor.
pub fn case() -> Case {
    Case {
        id: "page_100",
        benches: vec![page(), list_only(), floor_page()],
        comparisons: vec![
            row(
                "page of 100 of 1,000: Registry::list (memory provider) / select, clone into Arc<RwLock> + HashMap<u64, Weak>",
                0,
                2,
                Target::AtMost(2.0),
            ),
            row(
                "page of 100 of 1,000: MemoryProvider::list alone / the same floor",
                1,
                2,
                Target::Info,
            ),
        ],
        allocation_free: &[],
        limits: Limits {
            samples: Some(101),
            alloc_warm_up: 10,
            alloc_ops: 100,
            processes: 1,
        },
        skipped: None,
    }
}

fn store() -> Arc<MemoryProvider<Item>> {
    let store = MemoryProvider::new();
    for id in 0..STORE {
        store.insert(Item::numbered(id));
    }
    Arc::new(store)
}

fn first_page() -> Query<Item> {
    Query::new().limit(PAGE)
}

/// The first [`PAGE`] ids in order, with their values, and a next page announced.
fn verify_page(
    items: impl ExactSizeIterator<Item = (u64, u64)>,
    has_more: bool,
) -> Result<(), String> {
    expect_eq("items in the page", items.len() as u64, PAGE as u64)?;
    for (at, (id, a)) in items.enumerate() {
        expect_eq("id in order", id, at as u64)?;
        expect_eq("a", a, Item::numbered(id).a)?;
    }
    if !has_more {
        return Err("the page does not announce the next one".into());
    }
    Ok(())
}

struct PageState {
    registry: Registry,
    query: Query<Item>,
    models: Vec<Model<Item>>,
    has_more: bool,
    verified: Verified,
}

/// `registry.list(&query)`: the provider's page, each item as the registry's live model (the
/// live one if its id is live, else a new registered one), the product's path to a page of
/// live models (collections use it). Checked and dropped between operations (untimed); the
/// registry must be empty again.
pub fn page() -> Bench {
    let store = store();
    let registry = Registry::new();
    registry.provide(store);
    let state = PageState {
        registry,
        query: first_page(),
        models: Vec::with_capacity(PAGE),
        has_more: false,
        verified: Verified::default(),
    };
    Bench::batched(
        "ours",
        "ours: Registry::list (MemoryProvider, 100 of 1,000) into registered models",
        state,
        |s| {
            let page = block_on(s.registry.list(&s.query)).expect("list");
            s.has_more = page.has_more();
            s.models = page.items;
        },
        |s| {
            let outcome = expect_eq("registry len", s.registry.len::<Item>() as u64, PAGE as u64)
                .and_then(|()| {
                    verify_page(
                        s.models.iter().map(|m| (m.get(Item::ID), m.get(Item::A))),
                        s.has_more,
                    )
                });
            s.models.clear();
            let outcome = outcome.and_then(|()| {
                expect_eq(
                    "registry len after drop",
                    s.registry.len::<Item>() as u64,
                    0,
                )
            });
            s.verified.record(outcome);
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct ListState {
    store: Arc<MemoryProvider<Item>>,
    query: Query<Item>,
    page: Page<Item>,
    verified: Verified,
}

/// `store.list(&query)` alone (plain values, nothing registered): how much of the page is the
/// provider's.
pub fn list_only() -> Bench {
    let state = ListState {
        store: store(),
        query: first_page(),
        page: Page::default(),
        verified: Verified::default(),
    };
    Bench::batched(
        "list",
        "ours: MemoryProvider::list (100 of 1,000) alone",
        state,
        |s| s.page = block_on(s.store.list(&s.query)).expect("list"),
        |s| {
            let page = std::mem::take(&mut s.page);
            let outcome = verify_page(page.items.iter().map(|i| (i.id, i.a)), page.has_more());
            s.verified.record(outcome);
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct FloorPageState {
    source: Mutex<HashMap<u64, Item>>,
    map: RwLock<HashMap<u64, Weak<RwLock<Item>>>>,
    items: Vec<Arc<RwLock<Item>>>,
    has_more: bool,
    verified: Verified,
}

/// The floor of a page: under the store's lock, every row's id into a vector, the first 101
/// selected (`select_nth_unstable`, to know whether a next page exists) and the first 100
/// sorted; each cloned into an `Arc<RwLock>`, registered as a `Weak` unless a live one is there
/// (`entry`), kept in order.
pub fn floor_page() -> Bench {
    let source = (0..STORE).map(|id| (id, Item::numbered(id))).collect();
    let state = FloorPageState {
        source: Mutex::new(source),
        map: RwLock::new(HashMap::new()),
        items: Vec::with_capacity(PAGE),
        has_more: false,
        verified: Verified::default(),
    };
    Bench::batched(
        "floor",
        "floor: select 100 of 1,000 from a HashMap, clone into Arc<RwLock> + HashMap<u64, Weak>",
        state,
        |s| {
            let source = s.source.lock().expect("lock");
            // A fresh vector per page, like the provider's.
            let mut picked: Vec<(u64, &Item)> = source.iter().map(|(id, v)| (*id, v)).collect();
            if picked.len() > PAGE + 1 {
                picked.select_nth_unstable_by_key(PAGE, |(id, _)| *id);
                picked.truncate(PAGE + 1);
            }
            picked.sort_unstable_by_key(|(id, _)| *id);
            s.has_more = picked.len() > PAGE;
            picked.truncate(PAGE);
            let mut map = s.map.write().expect("lock");
            for (id, value) in picked {
                let live = match map.entry(id) {
                    Entry::Occupied(mut entry) => match entry.get().upgrade() {
                        Some(live) => live,
                        None => {
                            let item = Arc::new(RwLock::new(value.clone()));
                            entry.insert(Arc::downgrade(&item));
                            item
                        }
                    },
                    Entry::Vacant(entry) => {
                        let item = Arc::new(RwLock::new(value.clone()));
                        entry.insert(Arc::downgrade(&item));
                        item
                    }
                };
                s.items.push(live);
            }
        },
        |s| {
            let outcome = expect_eq(
                "map len",
                s.map.read().expect("lock").len() as u64,
                PAGE as u64,
            )
            .and_then(|()| {
                verify_page(
                    s.items.iter().map(|i| {
                        let i = i.read().expect("lock");
                        (i.id, i.a)
                    }),
                    s.has_more,
                )
            });
            s.items.clear();
            s.map.write().expect("lock").clear();
            s.verified.record(outcome);
        },
        |s, ops| s.verified.expect(ops),
    )
}
