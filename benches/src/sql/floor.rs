//! The raw floors of the SQL cases: what our path does, by hand, with the driver's calls of
//! [`Raw`] (the same statements, the same thread hop). Rows are read into `Person`s and, for
//! the registered floors, wrapped in `Arc<RwLock<Person>>` with a `Weak` in a
//! `HashMap<u64, Weak<..>>` (registered unless a live one is there, like the registry), on
//! the caller's side of the hop. The map's table is reserved for a batch up front and given
//! back as the registry's is (shrunk once at most a quarter full), so both start every
//! operation from an empty table.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};

use super::{
    drive, label, page_cursor, published_fields, runtime, verify_all, verify_page, verify_person,
    verify_published, Hop, Keep, Person, Raw, Store, LOAD_ONE_IDS, PAGE, PAGE_AFTER, ROWS,
};
use crate::entity::Verified;
use crate::measure::Bench;
use crate::probe::expect_eq;

/// The floors' identity map.
type Map = RwLock<HashMap<u64, Weak<RwLock<Person>>>>;

/// `value` as the live `Arc` of its id: the one already in `map`, else a new one registered
/// there.
fn register(map: &mut HashMap<u64, Weak<RwLock<Person>>>, value: Person) -> Arc<RwLock<Person>> {
    match map.entry(value.id) {
        Entry::Occupied(mut entry) => match entry.get().upgrade() {
            Some(live) => live,
            None => {
                let item = Arc::new(RwLock::new(value));
                entry.insert(Arc::downgrade(&item));
                item
            }
        },
        Entry::Vacant(entry) => {
            let item = Arc::new(RwLock::new(value));
            entry.insert(Arc::downgrade(&item));
            item
        }
    }
}

/// Removes `id` (or, `None`, everything) from `map`, giving memory back by the registry's
/// rule: once at most a quarter of the table is used, it shrinks to twice the entries.
fn release(map: &Map, id: Option<u64>) {
    let mut map = map.write().expect("lock");
    match id {
        Some(id) => {
            map.remove(&id);
        }
        None => map.clear(),
    }
    let len = map.len();
    if len * 4 < map.capacity() {
        map.shrink_to(len * 2);
    }
}

fn snapshot(item: &Arc<RwLock<Person>>) -> Person {
    item.read().expect("lock").clone()
}

/// What a floor returned, checked and dropped between operations.
enum Kept {
    Nothing,
    Registered(Vec<Arc<RwLock<Person>>>),
    Plain(Vec<Person>),
    Item(Arc<RwLock<Person>>),
    Value(Person),
}

impl Kept {
    /// The values returned (for the checks), leaving nothing.
    fn take(&mut self) -> Vec<Person> {
        match std::mem::replace(self, Kept::Nothing) {
            Kept::Nothing => Vec::new(),
            Kept::Registered(items) => items.iter().map(snapshot).collect(),
            Kept::Plain(values) => values,
            Kept::Item(item) => vec![snapshot(&item)],
            Kept::Value(value) => vec![value],
        }
    }
}

/// Registers `rows` in `map`, in order, or keeps them plain.
fn keep(keep: Keep, map: &Map, rows: Vec<Person>) -> Kept {
    match keep {
        Keep::Plain => Kept::Plain(rows),
        Keep::Registered => {
            let mut map = map.write().expect("lock");
            map.reserve(rows.len());
            let mut items = Vec::with_capacity(rows.len());
            for value in rows {
                items.push(register(&mut map, value));
            }
            Kept::Registered(items)
        }
    }
}

fn labelled<S: Store>(id: &'static str, text: &str) -> (&'static str, &'static str) {
    (id, label(format!("floor: raw {} {text}", S::DRIVER)))
}

struct LoadState<S: Store> {
    _store: Arc<S>,
    raw: S::Raw,
    map: Map,
    keep: Keep,
    ids: Arc<Vec<u64>>,
    kept: Kept,
    verified: Verified,
}

/// The floor of loading 100,000: one call with the provider's `IN` lists, every row into a
/// `Person`, then each wrapped in `Arc<RwLock>` and registered in the map (or kept plain),
/// in the order the statements return them (the order of the ids asked for: the checks
/// verify it).
pub fn load_all<S: Store>(store: &Arc<S>, how: Keep) -> Bench {
    let state = LoadState {
        _store: store.clone(),
        raw: store.raw(),
        map: RwLock::new(HashMap::new()),
        keep: how,
        ids: Arc::new((0..ROWS).collect()),
        kept: Kept::Nothing,
        verified: Verified::default(),
    };
    let (id, text) = match how {
        Keep::Registered => labelled::<S>(
            "floor",
            "load of 100,000 (IN lists) into Arc<RwLock> + HashMap<u64, Weak>",
        ),
        Keep::Plain => labelled::<S>("plain", "load of 100,000 (IN lists) into plain structs"),
    };
    Bench::batched(
        id,
        text,
        state,
        |s| {
            let rows = runtime().block_on(s.raw.load_in(s.ids.clone()));
            s.kept = keep(s.keep, &s.map, rows);
        },
        |s| {
            let loaded = s.kept.take();
            let mut outcome = verify_all(loaded.into_iter());
            if s.keep == Keep::Registered {
                let len = s.map.read().expect("lock").len() as u64;
                outcome = outcome.and_then(|()| expect_eq("map len", len, ROWS));
                release(&s.map, None);
            }
            s.verified.record(outcome);
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct PageState<S: Store> {
    _store: Arc<S>,
    raw: S::Raw,
    map: Map,
    keep: Keep,
    cursor: (f64, u64),
    kept: Kept,
    /// The sort key of the page's last row (the next page's cursor), when one follows.
    next: Option<(f64, u64)>,
    verified: Verified,
}

/// The floor of the keyset page: one call of the page's statement with the cursor's score
/// and id and a limit of 101 (the extra row says a next page exists), 100 rows registered
/// (or kept plain).
pub fn page<S: Store>(store: &Arc<S>, how: Keep) -> Bench {
    let state = PageState {
        _store: store.clone(),
        raw: store.raw(),
        map: RwLock::new(HashMap::new()),
        keep: how,
        cursor: page_cursor(PAGE_AFTER),
        kept: Kept::Nothing,
        next: None,
        verified: Verified::default(),
    };
    let (id, text) = match how {
        Keep::Registered => labelled::<S>(
            "floor",
            "keyset page of 100 into Arc<RwLock> + HashMap<u64, Weak>",
        ),
        Keep::Plain => labelled::<S>("plain", "keyset page of 100 into plain structs"),
    };
    Bench::batched(
        id,
        text,
        state,
        |s| {
            let (score, id) = s.cursor;
            let mut rows = runtime().block_on(s.raw.page(score, id));
            let more = rows.len() > PAGE;
            rows.truncate(PAGE);
            s.next = rows.last().filter(|_| more).map(|p| (p.score, p.id));
            s.kept = keep(s.keep, &s.map, rows);
        },
        |s| {
            let page = s.kept.take();
            let outcome = verify_page(page.into_iter(), s.next.is_some(), PAGE_AFTER);
            release(&s.map, None);
            s.verified.record(outcome);
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct LoadOneState<S: Store> {
    _store: Arc<S>,
    raw: Arc<S::Raw>,
    map: Arc<Map>,
    keep: Keep,
    hop: Hop,
    next: u64,
    kept: Kept,
    verified: Verified,
}

/// The floor of a load by id: the map looked up (not live), the select by id, the row
/// wrapped and registered (or, [`Keep::Plain`], just the select), from the caller's future
/// or ([`Hop::InTask`]) from a task spawned for the call.
pub fn load_one<S: Store>(store: &Arc<S>, how: Keep, hop: Hop) -> Bench {
    let state = LoadOneState {
        _store: store.clone(),
        raw: Arc::new(store.raw()),
        map: Arc::new(RwLock::new(HashMap::new())),
        keep: how,
        hop,
        next: 0,
        kept: Kept::Nothing,
        verified: Verified::default(),
    };
    let (id, text) = match (how, hop) {
        (Keep::Registered, Hop::Direct) => labelled::<S>(
            "floor",
            "select by id into Arc<RwLock> + HashMap<u64, Weak>",
        ),
        (Keep::Registered, Hop::InTask) => labelled::<S>(
            "floor-in-task",
            "select by id into Arc<RwLock> + HashMap<u64, Weak>, in a spawned task",
        ),
        (Keep::Plain, _) => labelled::<S>("plain", "select by id into a plain struct"),
    };
    Bench::batched(
        id,
        text,
        state,
        |s| {
            let id = s.next % LOAD_ONE_IDS;
            let (raw, map, how) = (s.raw.clone(), s.map.clone(), s.keep);
            s.kept = drive(s.hop, async move {
                if how == Keep::Plain {
                    return raw.by_id(id).await.map_or(Kept::Nothing, Kept::Value);
                }
                let live = map.read().expect("lock").get(&id).and_then(Weak::upgrade);
                let item = match live {
                    Some(live) => Some(live),
                    None => raw
                        .by_id(id)
                        .await
                        .map(|value| register(&mut map.write().expect("lock"), value)),
                };
                item.map_or(Kept::Nothing, Kept::Item)
            });
        },
        |s| {
            let id = s.next % LOAD_ONE_IDS;
            s.next += 1;
            let outcome = match s.kept.take().as_slice() {
                [value] => expect_eq("id", value.id, id).and_then(|()| verify_person(value)),
                _ => Err("not one row loaded".into()),
            };
            release(&s.map, Some(id));
            s.verified.record(outcome);
        },
        |s, ops| s.verified.expect(ops),
    )
}

struct PublishState<S: Store> {
    store: Arc<S>,
    raw: Arc<S::Raw>,
    item: Arc<RwLock<Person>>,
    hop: Hop,
    published: u64,
    verified: Verified,
}

/// Writes the `n`th published values of the 2 fields into the floor's value.
fn dirty(item: &Arc<RwLock<Person>>, n: u64) {
    let mut value = item.write().expect("lock");
    let (name, score) = published_fields(value.id, n);
    value.name = name;
    value.score = score;
}

/// The floor of a publish of the row `id`: the 2 fields, the id and the version read under
/// the lock, the update with the version check returning the row (in the provider's
/// transaction, if it uses one), the returned row written back into the `Arc<RwLock>`; from
/// the caller's future or ([`Hop::InTask`]) from a task spawned for the call.
pub fn publish<S: Store>(store: &Arc<S>, id: u64, hop: Hop) -> Bench {
    let value = store.stored(id).expect("the published row");
    let item = Arc::new(RwLock::new(value));
    dirty(&item, 1);
    let state = PublishState {
        store: store.clone(),
        raw: Arc::new(store.raw()),
        item,
        hop,
        published: 0,
        verified: Verified::default(),
    };
    let (id, text) = match hop {
        Hop::Direct => labelled::<S>("floor", "UPDATE .. WHERE id AND version RETURNING"),
        Hop::InTask => labelled::<S>(
            "floor-in-task",
            "UPDATE .. WHERE id AND version RETURNING, in a spawned task",
        ),
    };
    Bench::batched(
        id,
        text,
        state,
        |s| {
            let (raw, item) = (s.raw.clone(), s.item.clone());
            drive(s.hop, async move {
                let (name, score, id, version) = {
                    let v = item.read().expect("lock");
                    (v.name.clone(), v.score, v.id, v.version)
                };
                match raw.update(name, score, id, version).await {
                    Some(stored) => *item.write().expect("lock") = stored,
                    None => panic!("the floor's update touched no row (a version conflict)"),
                }
            });
        },
        |s| {
            s.published += 1;
            let n = s.published;
            let value = snapshot(&s.item);
            s.verified.record(verify_published(&value, value.id, n));
            dirty(&s.item, n + 1);
        },
        |s, ops| {
            s.verified.expect(ops)?;
            let id = s.item.read().expect("lock").id;
            let stored = s.store.stored(id)?;
            expect_eq("stored version", stored.version, ops + 1)
        },
    )
}
