//! The entity cases: a registry hit, loading 100,000 items into registered live models and
//! (in [`crate::page`]) a page of 100, each beside a floor built from `std` locks, a `HashMap`
//! and `Weak`s doing the same work.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex, RwLock, Weak};

use futures::executor::block_on;
use reactive::prelude::*;
use reactive::provider::MemoryProvider;

use crate::cases::{row, Case, Limits, Target};
use crate::measure::Bench;
use crate::page;
use crate::probe::expect_eq;
use crate::subjects::Item;

/// Live ids in the registry-hit case (a power of two: the next id is a mask, not a division).
pub const LIVE: u64 = 1024;
/// Items loaded per operation of the loading case.
pub const LOAD: u64 = 100_000;

/// The floor's identity map: what `Registry` keeps per entity type, by hand.
type FloorMap = RwLock<HashMap<u64, Weak<RwLock<Item>>>>;

/// The entity cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "registry_hit",
            benches: vec![hit(), floor_hit()],
            comparisons: vec![row(
                "registry hit: Registry::get / RwLock<HashMap<u64, Weak>> read + get + upgrade",
                0,
                1,
                Target::AtMost(1.5),
            )],
            allocation_free: &[0],
            limits: Limits::DEFAULT,
            skipped: None,
        },
        Case {
            id: "load_100k",
            benches: vec![load(), floor_load()],
            comparisons: vec![row(
                "load 100,000 items: Registry::load_many / clone into Arc<RwLock> + HashMap<u64, Weak>",
                0,
                1,
                Target::AtMost(2.5),
            )],
            allocation_free: &[],
            // An operation takes milliseconds.
            limits: Limits {
                samples: Some(31),
                alloc_warm_up: 1,
                alloc_ops: 2,
                processes: 1,
            },
            skipped: None,
        },
        page::case(),
    ]
}

struct HitState {
    registry: Registry,
    _live: Vec<Model<Item>>,
    next: u64,
    hits: u64,
}

/// `registry.get::<Item>(&id)` of a live id (cycling over [`LIVE`] of them); the handle is
/// dropped at once.
pub fn hit() -> Bench {
    let registry = Registry::new();
    let live = (0..LIVE)
        .map(|id| registry.create(Item::numbered(id)).expect("create"))
        .collect();
    let state = HitState {
        registry,
        _live: live,
        next: 0,
        hits: 0,
    };
    Bench::new(
        "ours",
        "ours: Registry::get (live id)",
        state,
        |s| {
            let id = s.next & (LIVE - 1);
            s.next += 1;
            if let Some(model) = s.registry.get::<Item>(&id) {
                black_box(&model);
                s.hits += 1;
            }
        },
        |s, ops| {
            expect_eq("hits", s.hits, ops)?;
            let seventh = s.registry.get::<Item>(&7).ok_or("id 7 is not live")?;
            expect_eq("id of get(7)", seventh.get(Item::ID), 7)
        },
    )
}

struct FloorHitState {
    map: FloorMap,
    _live: Vec<Arc<RwLock<Item>>>,
    next: u64,
    hits: u64,
}

/// The floor of a hit: read lock, `get`, `Weak::upgrade`; the `Arc` is dropped at once.
pub fn floor_hit() -> Bench {
    let live: Vec<_> = (0..LIVE)
        .map(|id| Arc::new(RwLock::new(Item::numbered(id))))
        .collect();
    let map = RwLock::new(
        live.iter()
            .map(|item| (item.read().expect("lock").id, Arc::downgrade(item)))
            .collect(),
    );
    let state = FloorHitState {
        map,
        _live: live,
        next: 0,
        hits: 0,
    };
    Bench::new(
        "floor",
        "floor: RwLock<HashMap<u64, Weak>> read + get + upgrade",
        state,
        |s| {
            let id = s.next & (LIVE - 1);
            s.next += 1;
            let found = s.map.read().expect("lock").get(&id).and_then(Weak::upgrade);
            if let Some(item) = found {
                black_box(&item);
                s.hits += 1;
            }
        },
        |s, ops| {
            expect_eq("hits", s.hits, ops)?;
            let map = s.map.read().expect("lock");
            let seventh = map
                .get(&7)
                .and_then(Weak::upgrade)
                .ok_or("id 7 is not live")?;
            let id = seventh.read().expect("lock").id;
            expect_eq("id of get(7)", id, 7)
        },
    )
}

/// What the loading benches record between operations.
#[derive(Default)]
pub(crate) struct Verified {
    ops: u64,
    error: Option<String>,
}

impl Verified {
    pub(crate) fn record(&mut self, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.ops += 1,
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    pub(crate) fn expect(&self, ops: u64) -> Result<(), String> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        expect_eq("verified loads", self.ops, ops)
    }
}

/// The ids every loading operation asks for, in this order: `0..LOAD`.
fn load_ids() -> Vec<u64> {
    (0..LOAD).collect()
}

/// The models (or `Arc`s) a load returned: `LOAD` of them, in id order, with their values.
fn verify_loaded(ids: impl ExactSizeIterator<Item = (u64, u64)>) -> Result<(), String> {
    expect_eq("items loaded", ids.len() as u64, LOAD)?;
    let mut sum = 0u64;
    for (at, (id, a)) in ids.enumerate() {
        expect_eq("id in order", id, at as u64)?;
        sum += a;
    }
    expect_eq("sum of a", sum, Item::sum_of_a(LOAD))
}

struct LoadState {
    registry: Registry,
    ids: Vec<u64>,
    loaded: Vec<Model<Item>>,
    verified: Verified,
}

/// `registry.load_many::<Item>(&ids)` of 100,000 ids, none live, from a seeded
/// `MemoryProvider`: what a user loading a batch of known ids does. Awaited on a
/// `futures` executor: `load_many` calls its provider in the caller's future (no task, no
/// thread hop), so under a Tokio runtime the work is the same. Between operations (untimed)
/// the models are checked and dropped, and the registry must be empty again.
pub fn load() -> Bench {
    let store = MemoryProvider::new();
    for id in 0..LOAD {
        store.insert(Item::numbered(id));
    }
    let registry = Registry::new();
    registry.provide(Arc::new(store));
    let state = LoadState {
        registry,
        ids: load_ids(),
        loaded: Vec::new(),
        verified: Verified::default(),
    };
    Bench::batched(
        "ours",
        "ours: Registry::load_many of 100,000 ids (MemoryProvider)",
        state,
        |s| s.loaded = block_on(s.registry.load_many::<Item>(&s.ids)).expect("load_many"),
        |s| {
            let loaded = std::mem::take(&mut s.loaded);
            let outcome = expect_eq("registry len", s.registry.len::<Item>() as u64, LOAD)
                .and_then(|()| {
                    verify_loaded(loaded.iter().map(|m| (m.get(Item::ID), m.get(Item::A))))
                });
            drop(loaded);
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

struct FloorLoadState {
    source: Mutex<HashMap<u64, Item>>,
    map: FloorMap,
    ids: Vec<u64>,
    loaded: Vec<Arc<RwLock<Item>>>,
    verified: Verified,
}

/// The floor of loading: for each id, clone the value out of a `Mutex<HashMap>` (the memory
/// provider's store), wrap it in `Arc<RwLock>`, register a `Weak` in the identity map unless
/// a live one is there, and keep the `Arc`, in id order. Each lock once per batch.
pub fn floor_load() -> Bench {
    let source = (0..LOAD).map(|id| (id, Item::numbered(id))).collect();
    let state = FloorLoadState {
        source: Mutex::new(source),
        map: RwLock::new(HashMap::new()),
        ids: load_ids(),
        loaded: Vec::new(),
        verified: Verified::default(),
    };
    Bench::batched(
        "floor",
        "floor: clone 100,000 out of a HashMap into Arc<RwLock> + HashMap<u64, Weak>",
        state,
        |s| {
            let source = s.source.lock().expect("lock");
            let mut map = s.map.write().expect("lock");
            let mut loaded = Vec::with_capacity(s.ids.len());
            for id in &s.ids {
                let Some(value) = source.get(id) else {
                    continue;
                };
                let live = match map.entry(*id) {
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
                loaded.push(live);
            }
            drop((map, source));
            s.loaded = loaded;
        },
        |s| {
            let loaded = std::mem::take(&mut s.loaded);
            let mut map = s.map.write().expect("lock");
            let outcome = expect_eq("map len", map.len() as u64, LOAD).and_then(|()| {
                verify_loaded(loaded.iter().map(|item| {
                    let item = item.read().expect("lock");
                    (item.id, item.a)
                }))
            });
            drop(loaded);
            // Like the registry's entries, removed with their last handle; the map keeps its
            // capacity (the registry's gives its memory back once empty, and grows again).
            map.clear();
            s.verified.record(outcome);
        },
        |s, ops| s.verified.expect(ops),
    )
}
