//! The harness of the PostgreSQL tests: the server's URL, a schema and a handle per test
//! under a watchdog, the entities the tests store.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reactive::prelude::*;
use reactive::provider::postgres::{tokio_postgres, Postgres};
use reactive::query::{QueryValue, Value, ValueError, ValueKind};
use reactive::sql::{Column, ColumnError, SqlType, SqlValue};
use reactive::StorageErrorKind;

/// How long one test may take before the watchdog fails it.
pub const WATCHDOG: Duration = Duration::from_secs(90);

/// The server every test shares (a schema each), from `REACTIVE_POSTGRES_URL`. Unset, the
/// test fails: these tests are ignored by a plain `cargo test` and run by the test command,
/// which starts a server; a missing server must fail them, not skip them.
pub fn server_url() -> String {
    match std::env::var("REACTIVE_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "REACTIVE_POSTGRES_URL is not set: the PostgreSQL tests need a server. Run \
             ./scripts/test-all, or `scripts/postgres run cargo test --test postgres -- \
             --include-ignored`"
        ),
    }
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A schema name no other test (of this run or another) uses: `t_<what>_<pid>_<n>_<time>`.
pub fn unique_schema(what: &str) -> String {
    let tag: String = what
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "t_{tag}_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// One test's database: a handle in a schema of its own.
pub struct Ctx {
    pub db: Postgres,
    pub schema: String,
    pub url: String,
}

impl Ctx {
    /// Runs `sql` in the test's schema on a connection of its own (what a migration or
    /// another process does).
    pub async fn exec(&self, sql: &str) {
        let (client, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("a side connection");
        let task = tokio::spawn(conn);
        client
            .batch_execute(&format!("SET search_path TO \"{}\"; {sql}", self.schema))
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err:?}"));
        drop(client);
        let _ = task.await;
    }

    /// A registry whose providers are this test's database, for `T`.
    pub fn registry<T: reactive::sql::Record>(&self) -> Registry {
        let registry = Registry::new();
        registry.provide::<T>(self.db.clone());
        registry
    }
}

/// A multi-thread runtime for one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Runs `body` as a task under the watchdog: a panic fails the test as itself, a hang with a
/// message (the task runs on a worker thread, so even a blocked one cannot stop the timer).
pub async fn watched<Fut>(what: &str, body: Fut)
where
    Fut: Future<Output = ()> + Send + 'static,
{
    match tokio::time::timeout(WATCHDOG, tokio::spawn(body)).await {
        Err(_) => panic!("watchdog: `{what}` did not finish within {WATCHDOG:?} (a hang)"),
        Ok(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Ok(Err(join)) => panic!("`{what}`: the test's task ended early: {join}"),
        Ok(Ok(())) => {}
    }
}

/// Runs `f` with a handle on the shared server in a fresh schema, under the watchdog; the
/// schema is dropped when the test passes.
pub fn with_db<F, Fut>(what: &'static str, f: F)
where
    F: FnOnce(Ctx) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    runtime().block_on(async move {
        let url = server_url();
        let schema = unique_schema(what);
        let (db, ctx_url, ctx_schema) = (url.clone(), url.clone(), schema.clone());
        watched(what, async move {
            let db = Postgres::options(&db)
                .max_connections(4)
                .connect()
                .await
                .unwrap_or_else(|err| panic!("cannot reach the server at {db}: {err}"));
            let db = db.in_schema(&schema).await.expect("a schema for the test");
            let ctx = Ctx {
                db,
                schema,
                url: ctx_url,
            };
            f(ctx).await;
        })
        .await;
        drop_schema(&url, &ctx_schema).await;
    })
}

/// Removes a test's schema (best effort: the server is a throwaway one).
pub async fn drop_schema(url: &str, schema: &str) {
    if let Ok((client, conn)) = tokio_postgres::connect(url, tokio_postgres::NoTls).await {
        let task = tokio::spawn(conn);
        let _ = client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
            .await;
        drop(client);
        let _ = task.await;
    }
}

pub fn storage_kind(err: &Error) -> Option<StorageErrorKind> {
    match err {
        Error::Storage { kind, .. } => Some(*kind),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Admin,
    Guest,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prefs {
    pub theme: String,
    pub sizes: Vec<u32>,
}

#[derive(Reactive, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[entity("users")]
pub struct User {
    pub id: u64,
    #[reactive(index)]
    pub name: String,
    pub nickname: Option<String>,
    pub age: i32,
    pub score: f64,
    pub active: bool,
    pub rank: Option<i64>,
    #[reactive(text)]
    pub role: Role,
    #[reactive(json)]
    pub prefs: Option<Prefs>,
    #[reactive(version)]
    pub version: u64,
}

pub fn user(id: u64, name: &str) -> User {
    User {
        id,
        name: name.into(),
        nickname: None,
        age: 30,
        score: 1.5,
        active: true,
        rank: None,
        role: Role::Member,
        prefs: None,
        version: 0,
    }
}

/// Fields named like SQL keywords.
#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("keywords")]
pub struct Keywords {
    pub id: String,
    pub r#type: String,
    pub order: i64,
    pub group: Option<String>,
}

/// An unversioned entity with a store-assigned id.
#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("notes")]
pub struct Note {
    #[reactive(id, generated)]
    pub id: Option<u64>,
    pub text: String,
    pub pinned: bool,
}

/// A UUID as its 16 bytes, stored in a `UUID` column (the `uuid` crate's mapping, without
/// the crate); its query value is its hyphenated text, like its serde form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Id16(pub [u8; 16]);

impl Id16 {
    pub fn hyphenated(&self) -> String {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }
}

impl Serialize for Id16 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.hyphenated())
    }
}

impl Column for Id16 {
    const TYPE: SqlType = SqlType::Uuid;

    fn to_sql(&self) -> Result<SqlValue, ValueError> {
        Ok(SqlValue::Uuid(self.0))
    }

    fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
        match value {
            SqlValue::Uuid(bytes) => Ok(Id16(bytes)),
            other => Err(ColumnError::mismatch(SqlType::Uuid, &other)),
        }
    }
}

impl QueryValue for Id16 {
    const KIND: ValueKind = ValueKind::Text;

    fn to_query_value(&self) -> Result<Value, ValueError> {
        Ok(Value::Text(self.hyphenated()))
    }
}

/// Microseconds since the Unix epoch, stored in a `TIMESTAMPTZ` column (the `time` crate's
/// mapping, without the crate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Micros(pub i64);

impl Column for Micros {
    const TYPE: SqlType = SqlType::Timestamp;

    fn to_sql(&self) -> Result<SqlValue, ValueError> {
        Ok(SqlValue::Timestamp(self.0))
    }

    fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
        match value {
            SqlValue::Timestamp(us) => Ok(Micros(us)),
            other => Err(ColumnError::mismatch(SqlType::Timestamp, &other)),
        }
    }
}

impl QueryValue for Micros {
    const KIND: ValueKind = ValueKind::Int;

    fn to_query_value(&self) -> Result<Value, ValueError> {
        Ok(Value::Int(self.0))
    }
}

/// Every column kind, and the std types that map to them.
#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("kinds")]
pub struct Kinds {
    pub id: Id16,
    pub flag: bool,
    pub tiny: i8,
    pub small: u16,
    pub int: i32,
    pub big: i64,
    pub unsigned: u64,
    pub single: f32,
    pub double: f64,
    pub letter: char,
    pub text: String,
    pub boxed: Box<str>,
    pub maybe_text: Option<String>,
    pub maybe_int: Option<i64>,
    pub maybe_float: Option<f64>,
    pub maybe_flag: Option<bool>,
    pub at: Micros,
    pub maybe_at: Option<Micros>,
    pub maybe_id: Option<Id16>,
    #[reactive(text)]
    pub role: Role,
    #[reactive(json)]
    pub prefs: Prefs,
    #[reactive(json)]
    pub maybe_prefs: Option<Prefs>,
}
