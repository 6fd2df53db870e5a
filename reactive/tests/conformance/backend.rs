//! The harness: what a backend provides ([`Backend`]), how one case runs (a fresh backend, a
//! watchdog), and the helpers the cases share.
//!
//! Adding a backend is one `impl Backend` and one line in `tests/conformance.rs`:
//!
//! ```ignore
//! conformance! {
//!     memory: MemoryBackend,
//!     sqlite: SqliteBackend,
//!     #[ignore = "needs a PostgreSQL server: run the README's test command"]
//!     postgres: PostgresBackend,
//! }
//! ```
//!
//! An SQL backend also adds its record bound to [`Stored`]. Its `provider` opens a fresh
//! store per call, e.g. for SQLite a new file in the backend's temporary directory:
//!
//! ```ignore
//! async fn provider<T: Stored>(&self) -> Result<Store<T>, Error> {
//!     let path = self.dir.join(format!("{}.db", self.files.fetch_add(1, Ordering::SeqCst)));
//!     let log = self.statements.clone();
//!     let db = Sqlite::options(path)
//!         .on_statement(move |sql| log.lock().unwrap().push(sql.to_string()))
//!         .open()
//!         .await?;
//!     db.ensure_schema::<T>().await?;
//!     Ok(Arc::new(db))
//! }
//! ```

use std::fmt::Debug;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reactive::provider::sqlite::Sqlite;
use reactive::provider::{MemoryProvider, Provider, Publish};
use reactive::query::Value;
use reactive::sql::Record;
use reactive::{Entity, Error, FieldSet, Key, Page, Query, Queryable};

/// What every case returns: provider errors propagate with `?` and fail the case by name.
pub type Outcome = Result<(), Error>;

/// How long one case may take before the watchdog fails it (a hang must fail, not stall CI).
pub const WATCHDOG: Duration = Duration::from_secs(120);

/// The ids a store assigns to `#[reactive(id, generated)]` entities, from a counter (the memory
/// backend's generator; SQL stores assign their own).
pub trait NextId: Sized {
    /// The `n`th id (from 1).
    fn nth(n: u64) -> Self;
}

impl NextId for u64 {
    fn nth(n: u64) -> Self {
        n
    }
}

impl NextId for i64 {
    fn nth(n: u64) -> Self {
        i64::try_from(n).expect("a small counter")
    }
}

impl NextId for u32 {
    fn nth(n: u64) -> Self {
        u32::try_from(n).expect("a small counter")
    }
}

impl NextId for uuid::Uuid {
    fn nth(n: u64) -> Self {
        uuid::Uuid::from_u128(u128::from(n))
    }
}

impl NextId for String {
    fn nth(n: u64) -> Self {
        format!("gen-{n}")
    }
}

/// The entities the suite stores: one bound for every backend. SQL backends add their record
/// bound here (`+ reactive::sql::Record`).
pub trait Stored:
    Queryable + Record + Entity<Id: NextId> + Clone + Debug + PartialEq + Send + Sync + 'static
{
}

impl<T> Stored for T where
    T: Queryable + Record + Entity<Id: NextId> + Clone + Debug + PartialEq + Send + Sync + 'static
{
}

/// A store of `T` as the cases hold it.
pub type Store<T> = Arc<dyn Provider<T>>;

/// A provider implementation under test.
#[async_trait]
pub trait Backend: Send + Sync + Sized + 'static {
    /// The backend's name in messages (the test module is named by `conformance!`).
    const NAME: &'static str;

    /// Sets the backend up for one case (a temporary directory, a server connection).
    async fn open() -> Result<Self, Error>;

    /// A fresh, empty store of `T`, independent of every other store (memory: a new provider;
    /// SQLite: a new database file; PostgreSQL: a new schema), its schema ensured.
    async fn provider<T: Stored>(&self) -> Result<Store<T>, Error>;

    /// Every SQL statement the backend's driver executed so far, in order, with parameters as
    /// placeholders (rusqlite `trace_v2`, PostgreSQL `log_statement = all`): the hostile-input
    /// cases compare the text of a benign call with that of each hostile one. `None` for a
    /// store without SQL.
    fn statements(&self) -> Option<Vec<String>> {
        None
    }
}

/// The reference: the memory provider.
pub struct MemoryBackend;

#[async_trait]
impl Backend for MemoryBackend {
    const NAME: &'static str = "memory";

    async fn open() -> Result<Self, Error> {
        Ok(MemoryBackend)
    }

    async fn provider<T: Stored>(&self) -> Result<Store<T>, Error> {
        let store = MemoryProvider::<T>::new();
        if !T::ID_GENERATED {
            return Ok(Arc::new(store));
        }
        let counter = AtomicU64::new(1);
        let store = store.with_ids(move || T::Id::nth(counter.fetch_add(1, Ordering::SeqCst)));
        Ok(Arc::new(store))
    }
}

/// SQLite: a database file per store in a temporary directory of the case, every statement
/// captured at the driver.
pub struct SqliteBackend {
    dir: tempfile::TempDir,
    files: AtomicU64,
    statements: Arc<std::sync::Mutex<Vec<String>>>,
}

#[async_trait]
impl Backend for SqliteBackend {
    const NAME: &'static str = "sqlite";

    async fn open() -> Result<Self, Error> {
        Ok(SqliteBackend {
            dir: tempfile::tempdir().map_err(Error::other)?,
            files: AtomicU64::new(0),
            statements: Arc::default(),
        })
    }

    async fn provider<T: Stored>(&self) -> Result<Store<T>, Error> {
        let n = self.files.fetch_add(1, Ordering::SeqCst);
        let log = self.statements.clone();
        let db = Sqlite::options(self.dir.path().join(format!("{n}.db")))
            .on_statement(move |sql| log.lock().expect("the log").push(sql.to_string()))
            .open()
            .await?;
        db.ensure_schema::<T>().await?;
        Ok(Arc::new(db))
    }

    fn statements(&self) -> Option<Vec<String>> {
        Some(self.statements.lock().expect("the log").clone())
    }
}

/// PostgreSQL: one handle per case on the server of `REACTIVE_POSTGRES_URL` (the test command
/// starts one with `scripts/postgres`), a new schema per store; the statements are read from
/// the server's log (`REACTIVE_POSTGRES_LOG`, written with `log_statement = all` and each line
/// prefixed with `<application_name>`), this case's connections named apart.
pub struct PostgresBackend {
    db: reactive::provider::postgres::Postgres,
    app: String,
    stores: AtomicU64,
}

#[async_trait]
impl Backend for PostgresBackend {
    const NAME: &'static str = "postgres";

    async fn open() -> Result<Self, Error> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let url = std::env::var("REACTIVE_POSTGRES_URL").unwrap_or_default();
        assert!(
            !url.is_empty(),
            "REACTIVE_POSTGRES_URL is not set: the PostgreSQL cases need a server; run \
             ./scripts/test-all (or `scripts/postgres run cargo test --test conformance -- \
             --ignored`)"
        );
        let app = format!(
            "conformance_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let sep = if url.contains('?') { '&' } else { '?' };
        let db = reactive::provider::postgres::Postgres::options(&format!(
            "{url}{sep}application_name={app}"
        ))
        .max_connections(2)
        .connect()
        .await?;
        Ok(PostgresBackend {
            db,
            app,
            stores: AtomicU64::new(0),
        })
    }

    async fn provider<T: Stored>(&self) -> Result<Store<T>, Error> {
        let n = self.stores.fetch_add(1, Ordering::SeqCst);
        let db = self.db.in_schema(&format!("{}_{n}", self.app)).await?;
        db.ensure_schema::<T>().await?;
        Ok(Arc::new(db))
    }

    fn statements(&self) -> Option<Vec<String>> {
        let path = std::env::var_os("REACTIVE_POSTGRES_LOG").unwrap_or_default();
        assert!(
            !path.is_empty(),
            "REACTIVE_POSTGRES_LOG is not set: run the cases under scripts/postgres, which logs every statement"
        );
        let log = std::fs::read(&path).expect("the server's log");
        let log = String::from_utf8_lossy(&log);
        let prefix = format!("<{}> LOG:  ", self.app);
        let statements = log
            .lines()
            .filter_map(|line| line.strip_prefix(&prefix))
            .filter_map(|rest| match rest.strip_prefix("statement: ") {
                Some(simple) => Some(simple.to_string()),
                // `execute s12: SELECT ..`: the text without the prepared statement's name.
                None => Some(
                    rest.strip_prefix("execute ")?
                        .split_once(": ")?
                        .1
                        .to_string(),
                ),
            })
            // A connection's schema is set when it first serves a store: session plumbing
            // whose text names the store, not a value.
            .filter(|sql| !sql.starts_with("SET search_path") && sql != "RESET search_path")
            .collect();
        Some(statements)
    }
}

/// Runs one case on a fresh backend, in a task of its own on a runtime of its own, under the
/// watchdog: an error fails the case with its name; a hang fails it with a message, even one
/// that blocks a thread (the runtime is then shut down in the background instead of joined).
pub fn run<B, F, Fut>(case: &'static str, body: F)
where
    B: Backend,
    F: FnOnce(B) -> Fut + Send + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let name = format!("{}::{case}", B::NAME);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let outcome = runtime.block_on(async move {
        let task = tokio::spawn(async move {
            let backend = B::open().await?;
            body(backend).await
        });
        tokio::time::timeout(WATCHDOG, task).await
    });
    match outcome {
        Err(_) => {
            runtime.shutdown_background();
            panic!("watchdog: `{name}` did not finish within {WATCHDOG:?} (a hang)")
        }
        Ok(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Ok(Err(join)) => panic!("`{name}`: the case's task ended early: {join}"),
        Ok(Ok(Err(err))) => panic!("`{name}` failed with an error: {err} ({err:?})"),
        Ok(Ok(Ok(()))) => {}
    }
}

/// A provider handed to a [`Registry`](reactive::Registry) (which takes a sized provider).
pub struct Shared<T: Entity>(pub Store<T>);

#[async_trait]
impl<T: Stored> Provider<T> for Shared<T> {
    async fn load(&self, id: &T::Id) -> Result<Option<T>, Error> {
        self.0.load(id).await
    }
    async fn publish(&self, request: Publish<T>) -> Result<T, Error> {
        self.0.publish(request).await
    }
    async fn delete(&self, id: &T::Id, expected_version: Option<u64>) -> Result<(), Error> {
        self.0.delete(id, expected_version).await
    }
    async fn load_many(&self, ids: &[T::Id]) -> Result<Vec<T>, Error> {
        self.0.load_many(ids).await
    }
    async fn list(&self, query: &Query<T>) -> Result<Page<T>, Error> {
        self.0.list(query).await
    }
}

/// A store of `T` from `b` holding `rows` (inserted one by one through `publish`); returns the
/// store and the stored values (with their versions and generated ids).
///
/// The rows are collected before the future starts, so a caller's iterator (and its
/// closures) is not part of the future, which stays `Send`.
pub fn seeded<B: Backend, T: Stored>(
    b: &B,
    rows: impl IntoIterator<Item = T>,
) -> impl Future<Output = Result<(Store<T>, Vec<T>), Error>> + Send + '_ {
    let rows: Vec<T> = rows.into_iter().collect();
    async move {
        let store = b.provider::<T>().await?;
        let stored = insert_all(&*store, rows).await?;
        Ok((store, stored))
    }
}

/// Inserts `rows` one by one; the stored values.
pub async fn insert_all<T: Stored>(store: &dyn Provider<T>, rows: Vec<T>) -> Result<Vec<T>, Error> {
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        stored.push(store.publish(Publish::Insert(row)).await?);
    }
    Ok(stored)
}

/// An update of `fields` (by key index) of `value`, made against `expected_version`.
pub fn update<T: Entity>(value: &T, fields: &[usize], expected_version: Option<u64>) -> Publish<T> {
    let mut set = FieldSet::EMPTY;
    for &i in fields {
        set.insert(i);
    }
    Publish::Update {
        id: value.id().expect("an update needs an id"),
        value: value.clone(),
        fields: set,
        expected_version,
    }
}

/// The field-table index of a key: `idx(User::NAME)`.
pub fn idx<T, K: Key<T>>(key: K) -> usize {
    key.index()
}

/// The ids of the first page of `query`, in order.
pub async fn ids<T: Stored>(store: &dyn Provider<T>, query: Query<T>) -> Result<Vec<T::Id>, Error> {
    let page = store.list(&query).await?;
    Ok(page
        .items
        .iter()
        .map(|v| v.id().expect("a stored id"))
        .collect())
}

/// The error `query` is refused with (a page is a failure, reported with the query).
pub async fn refused<T: Stored>(store: &dyn Provider<T>, query: Query<T>) -> Error {
    match store.list(&query).await {
        Ok(page) => panic!(
            "{query:?} should be refused; it returned {} items",
            page.items.len()
        ),
        Err(err) => err,
    }
}

/// Every item of `query`, page after page, following `next` (at most `max_pages`).
pub async fn walk<T: Stored>(
    store: &dyn Provider<T>,
    query: &Query<T>,
    max_pages: usize,
) -> Result<(Vec<T>, usize), Error> {
    let mut items = Vec::new();
    let mut cursor = None;
    for pages in 1..=max_pages {
        let page = store.list(&query.clone().after(cursor.take())).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok((items, pages)),
        }
    }
    panic!("{query:?}: more than {max_pages} pages (a cursor that does not advance?)")
}

/// The ids of `rows` for which `keep` holds, in the reference order of `query` (its sort keys,
/// then the id): the expected answer computed from the data, not from a provider.
pub fn expected<T: Stored>(rows: &[T], query: &Query<T>, keep: impl Fn(&T) -> bool) -> Vec<T::Id> {
    let plan = query.plan().expect("a valid query");
    let mut kept: Vec<(Vec<Value>, T::Id)> = rows
        .iter()
        .filter(|r| keep(r))
        .map(|r| {
            (
                plan.sort_key(r).expect("a sort key"),
                r.id().expect("an id"),
            )
        })
        .collect();
    kept.sort_by(|a, b| plan.cmp_keys(&a.0, &b.0));
    kept.into_iter().map(|(_, id)| id).collect()
}

/// The statements a backend ran during `call` (`None` for a store without SQL).
pub async fn statements_of<B: Backend, R>(
    b: &B,
    call: impl Future<Output = R>,
) -> (R, Option<Vec<String>>) {
    let before = b.statements().map(|s| s.len());
    let out = call.await;
    let ran = b
        .statements()
        .map(|all| all[before.unwrap_or(0).min(all.len())..].to_vec());
    (out, ran)
}

/// Asserts two captures ran the same SQL text (values are parameters, never text).
pub fn same_sql(benign: &Option<Vec<String>>, hostile: &Option<Vec<String>>, value: &str) {
    if let (Some(benign), Some(hostile)) = (benign, hostile) {
        assert!(!benign.is_empty(), "no statement was captured");
        assert_eq!(
            benign,
            hostile,
            "the SQL text changed with the value {:?}",
            preview(value)
        );
    }
}

/// A value short enough for a message.
pub fn preview(value: &str) -> String {
    if value.len() <= 80 {
        return value.to_string();
    }
    let cut = (0..=80)
        .rev()
        .find(|&i| value.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}... ({} bytes)", &value[..cut], value.len())
}

/// Asserts `err` is [`Error::InvalidQuery`].
pub fn assert_invalid_query(err: &Error, what: &str) {
    assert!(
        matches!(err, Error::InvalidQuery { .. }),
        "{what}: expected InvalidQuery, got {err:?}"
    );
}
