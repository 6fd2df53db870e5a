//! The SQL providers' cases: loading 100,000 rows, a keyset page of 100, a load by id and a
//! publish of 2 dirty fields, each through the product's path ([`ours`]) beside a raw floor
//! doing the same work with the driver alone ([`floor`]): the same thread hop (SQLite: one
//! `spawn_blocking` per call; PostgreSQL: the async client; both on the same Tokio runtime),
//! the same SQL text (checked at set-up against what the SQL core writes), statements
//! prepared once and cached, and the values kept where our path registers them
//! (`Arc<RwLock<Person>>`s in a `HashMap<u64, Weak<..>>`). The backends are in [`sqlite`]
//! and [`postgres`].

pub mod floor;
pub mod ours;
pub mod postgres;
pub mod sqlite;

use std::future::Future;
use std::sync::{Arc, OnceLock};

use reactive::prelude::*;
use reactive::provider::Provider;
use reactive::FieldSet;
use tokio::runtime::Runtime;

use crate::cases::{row, Case, Comparison, Limits, Target};
use crate::probe::expect_eq;

/// Rows in the loading, page and load-by-id databases (and ids loaded by the loading case).
pub const ROWS: u64 = 100_000;
/// Rows in the publish database.
pub const PUBLISH_ROWS: u64 = 1_000;
/// The page size.
pub const PAGE: usize = 100;
/// How many rows, in the page's order, come before the page: the keyset page is the second.
pub const PAGE_AFTER: u64 = 100;
/// How many rows come before the deep page (for information): the middle of the table.
pub const DEEP_AFTER: u64 = ROWS / 2;
/// Ids the load-by-id cases cycle over (each loaded while not live).
pub const LOAD_ONE_IDS: u64 = 1_000;

/// The entity of the SQL cases: six columns (an id, two strings, an integer, an indexed
/// float that pages are ordered by, a version).
#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("people")]
pub struct Person {
    /// The entity's id.
    pub id: u64,
    /// `person <id>`, rewritten by the publish cases.
    pub name: String,
    /// `person<id>@example.com`.
    pub email: String,
    /// `id % 90`.
    pub age: i64,
    /// A permutation of the ids, divided by 4: the page's order key, rewritten by the
    /// publish cases.
    #[reactive(index)]
    pub score: f64,
    /// The optimistic-concurrency version (1 once stored).
    #[reactive(version)]
    pub version: u64,
}

/// The multiplier of the score permutation (prime, and prime to [`ROWS`]).
pub const SCORE_STEP: u64 = 7_919;

impl Person {
    /// The stored value of `id` before any publish.
    pub fn numbered(id: u64) -> Person {
        Person {
            id,
            name: format!("person {id}"),
            email: format!("person{id}@example.com"),
            age: (id % 90) as i64,
            score: score_rank(id) as f64 / 4.0,
            version: 1,
        }
    }
}

/// Where `id` stands in score order (`0..ROWS`, for ids below [`ROWS`]).
pub fn score_rank(id: u64) -> u64 {
    (id * SCORE_STEP) % ROWS
}

/// The id whose score is the `rank`th (the inverse of [`score_rank`]).
pub fn id_at_rank(rank: u64) -> u64 {
    (0..ROWS)
        .find(|id| score_rank(*id) == rank)
        .expect("the scores are a permutation of the ranks")
}

/// The Tokio runtime every SQL bench runs on, ours and the floors: multi-threaded with 2
/// workers (the machine's cores) and a blocking pool, like a server's. Operations are driven
/// with `block_on` from the bench thread.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime")
    })
}

/// How a floor's call reaches the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    /// From the caller's future (`block_on`): the floor.
    Direct,
    /// From a task spawned for the call, which the caller awaits: the hops of our live
    /// operations, which run each provider call in a task of its own (for information).
    InTask,
}

/// Runs `work` on the runtime, from the calling thread or in a task of its own.
pub fn drive<R: Send + 'static>(hop: Hop, work: impl Future<Output = R> + Send + 'static) -> R {
    match hop {
        Hop::Direct => runtime().block_on(work),
        Hop::InTask => runtime()
            .block_on(runtime().spawn(work))
            .expect("the call's task"),
    }
}

/// What a floor keeps of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// `Arc<RwLock<Person>>`, registered in the identity map.
    Registered,
    /// The plain struct.
    Plain,
}

/// A seeded database, with our provider on it.
pub trait Store: Send + Sync + 'static {
    /// Our provider.
    type Db: Provider<Person> + Clone;
    /// The raw driver's floor calls.
    type Raw: Raw;
    /// The backend's name in the report.
    const NAME: &'static str;
    /// The raw driver's name in the report.
    const DRIVER: &'static str;
    /// Our provider on the database.
    fn db(&self) -> Self::Db;
    /// A raw floor on the database, with connections of its own.
    fn raw(&self) -> Self::Raw;
    /// The stored row of `id`, read with the raw driver (for the checks).
    fn stored(&self, id: u64) -> Result<Person, String>;
}

/// The raw driver's calls of the floors: the statements our provider runs for the same
/// operation, each from a future that runs on the caller or in a task. They panic on a
/// driver error (a floor that fails is a broken bench).
pub trait Raw: Send + Sync + 'static {
    /// The rows of `ids`, with the provider's `IN` lists.
    fn load_in(&self, ids: Arc<Vec<u64>>) -> impl Future<Output = Vec<Person>> + Send + 'static;
    /// The keyset page after `(score, id)`: at most `PAGE + 1` rows.
    fn page(&self, score: f64, id: u64) -> impl Future<Output = Vec<Person>> + Send + 'static;
    /// The row of `id`.
    fn by_id(&self, id: u64) -> impl Future<Output = Option<Person>> + Send + 'static;
    /// The update of `name` and `score` of `id` at `version`, returning the row.
    fn update(
        &self,
        name: String,
        score: f64,
        id: u64,
        version: u64,
    ) -> impl Future<Output = Option<Person>> + Send + 'static;
}

/// A case's id and how to build it (and seed its database) once it is selected.
pub type Builder = (&'static str, fn() -> Case);

/// A label built at run time (the report takes `&'static str`; a handful per run).
pub fn label(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The keyset page's query: ordered by score, 100 rows, after the `after`th row.
pub fn page_query(after: u64) -> Query<Person> {
    let first = Query::<Person>::new()
        .order_by(Person::SCORE.asc())
        .limit(PAGE);
    let plan = first.plan().expect("a valid query");
    let before = Person::numbered(id_at_rank(after - 1));
    let key = plan.sort_key(&before).expect("a sort key");
    first.after(plan.cursor_after(&key))
}

/// The cursor values the floors bind: the score and the id of the row before the page.
pub fn page_cursor(after: u64) -> (f64, u64) {
    let before = Person::numbered(id_at_rank(after - 1));
    (before.score, before.id)
}

/// The 2 dirty fields of the publish cases: `name` and `score`.
pub fn dirty_fields() -> FieldSet {
    let mut fields = FieldSet::EMPTY;
    fields.insert(1);
    fields.insert(4);
    fields
}

/// The `n`th published value of `id`'s 2 dirty fields (`name`, `score`).
pub fn published_fields(id: u64, n: u64) -> (String, f64) {
    (format!("person {id} rev {n}"), (n % 1_000) as f64 + 0.5)
}

/// `Ok` when `person` is the stored value of its id.
pub fn verify_person(person: &Person) -> Result<(), String> {
    let want = Person::numbered(person.id);
    if *person != want {
        return Err(format!("loaded {person:?}, expected {want:?}"));
    }
    Ok(())
}

/// `Ok` when `person` is the `n`th published value of `id` (version `n + 1`).
pub fn verify_published(person: &Person, id: u64, n: u64) -> Result<(), String> {
    let (name, score) = published_fields(id, n);
    expect_eq("id", person.id, id)?;
    expect_eq("version", person.version, n + 1)?;
    if person.name != name || person.score != score {
        return Err(format!("after publish {n}: {person:?}"));
    }
    Ok(())
}

/// The loaded values of ids `0..ROWS`, in id order, each as stored.
pub fn verify_all(people: impl ExactSizeIterator<Item = Person>) -> Result<(), String> {
    expect_eq("rows loaded", people.len() as u64, ROWS)?;
    for (at, person) in people.enumerate() {
        expect_eq("id in order", person.id, at as u64)?;
        verify_person(&person)?;
    }
    Ok(())
}

/// The page after `after` rows in score order: 100 rows of consecutive ranks, each as stored,
/// and a next page announced.
pub fn verify_page(
    people: impl ExactSizeIterator<Item = Person>,
    has_more: bool,
    after: u64,
) -> Result<(), String> {
    expect_eq("rows in the page", people.len() as u64, PAGE as u64)?;
    for (at, person) in people.enumerate() {
        expect_eq(
            "score rank in order",
            score_rank(person.id),
            after + at as u64,
        )?;
        verify_person(&person)?;
    }
    if !has_more {
        return Err("the page does not announce the next one".into());
    }
    Ok(())
}

/// The limits of an operation of milliseconds (the 100,000-row loads).
pub const SLOW: Limits = Limits {
    samples: Some(31),
    alloc_warm_up: 0,
    alloc_ops: 0,
    processes: 1,
};

/// The limits of an operation of microseconds (a page, one row). Allocations are not
/// counted: the counter sees the bench thread only, and the work is on others.
pub const FAST: Limits = Limits {
    samples: Some(101),
    alloc_warm_up: 0,
    alloc_ops: 0,
    processes: 3,
};

/// The rows of the loading case (benches: ours, floor, plain floor, provider alone).
fn load_rows(name: &str, raw: &str) -> Vec<Comparison> {
    let what = "load 100,000 rows x 6 columns";
    vec![
        row(
            label(format!("{name}: {what}: Registry::load_many / raw {raw} into Arc<RwLock> + HashMap<u64, Weak>")),
            0,
            1,
            Target::AtMost(1.3),
        ),
        row(
            label(format!("{name}: {what}: Registry::load_many / raw {raw} into plain structs")),
            0,
            2,
            Target::Info,
        ),
        row(
            label(format!("{name}: {what}: the provider's load_many alone / raw {raw} into plain structs")),
            3,
            2,
            Target::Info,
        ),
    ]
}

/// The rows of the page case (benches: ours, floor, plain floor, provider alone).
fn page_rows(name: &str, raw: &str) -> Vec<Comparison> {
    let what = "keyset page of 100 (by score, after a cursor)";
    vec![
        row(
            label(format!(
                "{name}: {what}: Registry::list / raw {raw} into Arc<RwLock> + HashMap<u64, Weak>"
            )),
            0,
            1,
            Target::AtMost(1.3),
        ),
        row(
            label(format!(
                "{name}: {what}: the provider's list alone / raw {raw} into plain structs"
            )),
            3,
            2,
            Target::Info,
        ),
    ]
}

/// The row of the deep page case (benches: ours deep in the table, ours on the second page).
fn deep_rows(name: &str) -> Vec<Comparison> {
    vec![row(
        label(format!(
            "{name}: keyset page of 100 after row 50,000 / after row 100 (Registry::list, both)"
        )),
        0,
        1,
        Target::Info,
    )]
}

/// The rows of the load-by-id case (benches: ours, floor, plain floor, provider alone, floor
/// in a task).
fn load_one_rows(name: &str, raw: &str) -> Vec<Comparison> {
    let what = "load by id (not live)";
    vec![
        row(
            label(format!("{name}: {what}: Registry::get_or_load / raw {raw} into Arc<RwLock> + HashMap<u64, Weak>")),
            0,
            1,
            Target::AtMost(1.3),
        ),
        row(
            label(format!("{name}: {what}: the provider's load alone / raw {raw} into a plain struct")),
            3,
            2,
            Target::Info,
        ),
        row(
            label(format!("{name}: {what}: the floor in a spawned task (get_or_load's hops) / the floor")),
            4,
            1,
            Target::Info,
        ),
    ]
}

/// The rows of the publish case (benches: ours, floor, provider alone, floor in a task).
fn publish_rows(name: &str, raw: &str) -> Vec<Comparison> {
    let what = "publish 2 dirty fields, version checked";
    vec![
        row(
            label(format!(
                "{name}: {what}: Model::publish / raw {raw} UPDATE .. RETURNING"
            )),
            0,
            1,
            Target::AtMost(1.3),
        ),
        row(
            label(format!(
                "{name}: {what}: the provider's publish alone / the floor"
            )),
            2,
            1,
            Target::Info,
        ),
        row(
            label(format!(
                "{name}: {what}: the floor in a spawned task (publish's hops) / the floor"
            )),
            3,
            1,
            Target::Info,
        ),
    ]
}

/// One case of a backend: its benches on `store`, or, without a store, its rows marked
/// skipped for `why`.
fn case<S: Store>(
    id: &'static str,
    rows: Vec<Comparison>,
    limits: Limits,
    store: Result<Arc<S>, &'static str>,
    benches: impl FnOnce(&Arc<S>) -> Vec<crate::measure::Bench>,
) -> Case {
    let (benches, skipped) = match store {
        Ok(store) => (benches(&store), None),
        Err(why) => (Vec::new(), Some(why)),
    };
    Case {
        id,
        benches,
        comparisons: rows,
        allocation_free: &[],
        limits,
        skipped,
    }
}

/// The loading case of a backend.
pub fn load_case<S: Store>(id: &'static str, store: Result<Arc<S>, &'static str>) -> Case {
    case(id, load_rows(S::NAME, S::DRIVER), SLOW, store, |s| {
        vec![
            ours::load_many(s),
            floor::load_all(s, Keep::Registered),
            floor::load_all(s, Keep::Plain),
            ours::provider_load_many(s),
        ]
    })
}

/// The keyset page case of a backend.
pub fn page_case<S: Store>(id: &'static str, store: Result<Arc<S>, &'static str>) -> Case {
    case(id, page_rows(S::NAME, S::DRIVER), FAST, store, |s| {
        vec![
            ours::list_page(s, PAGE_AFTER),
            floor::page(s, Keep::Registered),
            floor::page(s, Keep::Plain),
            ours::provider_list(s),
        ]
    })
}

/// A keyset page in the middle of the table beside the second page, both ours (for
/// information: what a page costs deep in the order). A case of its own, so that the long
/// operation does not run just before, and disturb, the benches of the page case.
pub fn deep_case<S: Store>(id: &'static str, store: Result<Arc<S>, &'static str>) -> Case {
    case(id, deep_rows(S::NAME), FAST, store, |s| {
        vec![
            ours::list_page(s, DEEP_AFTER),
            ours::list_page(s, PAGE_AFTER),
        ]
    })
}

/// The load-by-id case of a backend.
pub fn load_one_case<S: Store>(id: &'static str, store: Result<Arc<S>, &'static str>) -> Case {
    case(id, load_one_rows(S::NAME, S::DRIVER), FAST, store, |s| {
        vec![
            ours::get_or_load(s),
            floor::load_one(s, Keep::Registered, Hop::Direct),
            floor::load_one(s, Keep::Plain, Hop::Direct),
            ours::provider_load(s),
            floor::load_one(s, Keep::Registered, Hop::InTask),
        ]
    })
}

/// The publish case of a backend: each bench publishes a row of its own.
pub fn publish_case<S: Store>(id: &'static str, store: Result<Arc<S>, &'static str>) -> Case {
    case(id, publish_rows(S::NAME, S::DRIVER), FAST, store, |s| {
        vec![
            ours::publish(s, 1),
            floor::publish(s, 2, Hop::Direct),
            ours::provider_publish(s, 3),
            floor::publish(s, 4, Hop::InTask),
        ]
    })
}

/// Every SQL case whose id `keep` accepts, built only then (each seeds a database).
pub fn cases(keep: &dyn Fn(&str) -> bool) -> Vec<Case> {
    let mut out = Vec::new();
    for (id, build) in sqlite::CASES.iter().chain(postgres::CASES) {
        if keep(id) {
            out.push(build());
        }
    }
    out
}

/// A floor's SQL text, written out by hand so that a reader sees what it runs.
pub struct FloorSql {
    /// The dialect the text is in.
    pub dialect: reactive::sql::Dialect,
    /// The load by id.
    pub select_by_id: &'static str,
    /// The start of the `IN` list load (`SELECT .. WHERE "id" IN (`).
    pub select_in: &'static str,
    /// Ids per `IN` list.
    pub chunk: usize,
    /// The keyset page after a cursor.
    pub page: &'static str,
    /// The update of `name` and `score` with the version checked.
    pub update: &'static str,
}

impl FloorSql {
    /// The `IN` list statement for `n` ids.
    pub fn select_in(&self, n: usize) -> String {
        let mut sql = String::from(self.select_in);
        let mark = match self.dialect {
            reactive::sql::Dialect::Postgres => '$',
            _ => '?',
        };
        for i in 1..=n {
            if i > 1 {
                sql.push_str(", ");
            }
            sql.push(mark);
            sql.push_str(&i.to_string());
        }
        sql.push(')');
        sql
    }

    /// Panics unless every statement of the floor is the SQL core's, with the same
    /// parameters where they are fixed: a floor must run the same SQL.
    pub fn check(&self) {
        use reactive::sql::{statements, SqlValue};
        let d = self.dialect;
        let same = |floor: &str, ours: &str| {
            assert_eq!(floor, ours, "a floor's SQL differs from the provider's")
        };
        same(
            self.select_by_id,
            &statements::select_by_id::<Person>(d, &7).expect("sql").sql,
        );
        let ids: Vec<u64> = (0..self.chunk as u64).collect();
        same(
            &self.select_in(self.chunk),
            &statements::select_in::<Person>(d, &ids).expect("sql").sql,
        );
        let page = statements::page::<Person>(d, &page_query(PAGE_AFTER)).expect("sql");
        same(self.page, &page.select.sql);
        let (score, id) = page_cursor(PAGE_AFTER);
        let bound = [
            SqlValue::Float(score),
            SqlValue::Float(score),
            SqlValue::Float(score),
            SqlValue::Int(int(id)),
            SqlValue::Int(PAGE as i64 + 1),
        ];
        assert_eq!(page.select.params, bound, "the page's parameters differ");
        let value = Person::numbered(7);
        same(
            self.update,
            &statements::update::<Person>(d, &7, &value, &dirty_fields(), Some(1))
                .expect("sql")
                .sql,
        );
    }
}

/// An id or version as the databases' integer (checked, like the provider's column mapping).
pub fn int(v: u64) -> i64 {
    i64::try_from(v).expect("below i64::MAX")
}
