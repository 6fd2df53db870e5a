//! The PostgreSQL provider, on tokio-postgres with a deadpool pool.
//!
//! Statements are prepared once per connection and cached; the pool recycles a connection
//! without a round trip (it checks only that the connection is open), so a call is one round
//! trip for most operations. Values are always bound parameters in the binary format, never
//! SQL text; strings are ordered with `COLLATE "C"` (by their bytes, like the memory
//! provider).
//!
//! ```no_run
//! use reactive::prelude::*;
//! use reactive::provider::postgres::Postgres;
//!
//! #[derive(Reactive, Clone, Debug)]
//! #[entity("users")]
//! struct User { id: u64, name: String }
//!
//! # async fn run() -> Result<(), reactive::Error> {
//! let db = Postgres::connect("postgres://app@localhost/app").await?;
//! db.ensure_schema::<User>().await?;
//!
//! let registry = Registry::new();
//! registry.provide::<User>(db.clone());
//! let ada = Model::draft(User { id: 1, name: "Ada".into() });
//! ada.publish_to(&registry).await?;
//! drop(ada);
//! let loaded = registry.get_or_load::<User>(&1).await?;
//! assert_eq!(loaded.name(), "Ada");
//! # Ok(()) }
//! ```

mod provider;
mod unit;
mod values;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use deadpool_postgres::{
    ClientWrapper, Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime, StatementCache,
};
use parking_lot::Mutex;
use tokio_postgres::NoTls;

use crate::error::{Error, StorageErrorKind};
use crate::sql::shared::{check_columns, FoundColumn};
use crate::sql::statements::quote;
use crate::sql::{statements, Dialect, Record};
use values::{pool_error, storage, BACKEND};

/// The pool crate, at the version [`Postgres::from_pool`] takes.
pub use deadpool_postgres;
/// The driver, at the version the provider uses.
pub use tokio_postgres;
pub use unit::UnitOfWork;

/// How to connect to a server: [`Postgres::options`].
#[derive(Clone, Debug)]
pub struct PostgresOptions {
    url: String,
    max_connections: usize,
    connect_timeout: Duration,
}

impl PostgresOptions {
    /// The most connections open at once (default 16, at least 1).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// How long opening a connection may take before the call fails with
    /// [`StorageErrorKind::Unavailable`] (default 10 s; a `connect_timeout` in the URL
    /// wins).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Builds the pool and opens its first connection, so an unreachable server fails here
    /// ([`StorageErrorKind::Unavailable`]) and a bad URL or a refused login too
    /// ([`StorageErrorKind::CannotOpen`]).
    pub async fn connect(self) -> Result<Postgres, Error> {
        let mut config =
            tokio_postgres::Config::from_str(&self.url).map_err(|err| Error::Storage {
                backend: BACKEND,
                kind: StorageErrorKind::CannotOpen,
                message: format!("invalid connection URL: {err}"),
            })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(self.connect_timeout);
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // No query on acquire: a closed connection is replaced, a live one is used.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(self.max_connections)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|err| Error::Storage {
                backend: BACKEND,
                kind: StorageErrorKind::Other,
                message: err.to_string(),
            })?;
        let db = Postgres::from_pool(pool);
        drop(db.client().await?);
        Ok(db)
    }
}

struct Inner {
    pool: Pool,
    /// The schema every statement runs in (`search_path`), or the connection's default.
    schema: Option<Arc<str>>,
}

/// A PostgreSQL database: a provider for every entity that is a [`Record`] (one handle
/// serves them all; clones share the pool).
#[derive(Clone)]
pub struct Postgres {
    inner: Arc<Inner>,
}

impl Postgres {
    /// Connects to the server at `url` (`postgres://user:password@host:port/database`, or
    /// `host=.. user=..`) with the default options.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), reactive::Error> {
    /// let db = reactive::provider::postgres::Postgres::connect("postgres://app@localhost/app").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str) -> Result<Postgres, Error> {
        Postgres::options(url).connect().await
    }

    /// Options for the server at `url`; finish with [`PostgresOptions::connect`].
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), reactive::Error> {
    /// use reactive::provider::postgres::Postgres;
    ///
    /// let db = Postgres::options("postgres://app@localhost/app").max_connections(4).connect().await?;
    /// # Ok(()) }
    /// ```
    pub fn options(url: &str) -> PostgresOptions {
        PostgresOptions {
            url: url.to_string(),
            max_connections: 16,
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// A handle on an existing pool (shared with the rest of the application). Build it
    /// with [`RecyclingMethod::Fast`] to keep one round trip per call: the other methods run
    /// a query each time a connection is taken from the pool.
    ///
    /// ```no_run
    /// use reactive::provider::postgres::deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
    /// use reactive::provider::postgres::{tokio_postgres, Postgres};
    ///
    /// let config: tokio_postgres::Config = "postgres://app@localhost/app".parse().unwrap();
    /// let manager = Manager::from_config(
    ///     config,
    ///     tokio_postgres::NoTls,
    ///     ManagerConfig { recycling_method: RecyclingMethod::Fast },
    /// );
    /// let pool = Pool::builder(manager).max_size(8).build().unwrap();
    /// let db = Postgres::from_pool(pool);
    /// ```
    pub fn from_pool(pool: Pool) -> Postgres {
        Postgres {
            inner: Arc::new(Inner { pool, schema: None }),
        }
    }

    /// The pool.
    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// The schema this handle's statements run in, if one was chosen.
    pub fn schema(&self) -> Option<&str> {
        self.inner.schema.as_deref()
    }

    /// A handle on the same pool whose statements all run in the schema `name` (it is
    /// their `search_path`), created if it does not exist: tables of several applications,
    /// or of several tests, kept apart in one database.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), reactive::Error> {
    /// use reactive::provider::postgres::Postgres;
    ///
    /// let db = Postgres::connect("postgres://app@localhost/app").await?;
    /// let billing = db.in_schema("billing").await?;
    /// assert_eq!(billing.schema(), Some("billing"));
    /// # Ok(()) }
    /// ```
    pub async fn in_schema(&self, name: &str) -> Result<Postgres, Error> {
        if name.is_empty() || name.contains('\0') {
            return Err(Error::Storage {
                backend: BACKEND,
                kind: StorageErrorKind::Other,
                message: format!("{name:?} is not a schema name"),
            });
        }
        let client = self.client().await?;
        // Looked up first: creating one, even `IF NOT EXISTS`, fails in a read-only session.
        let exists = client
            .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&name])
            .await
            .map_err(storage)?
            .is_some();
        if !exists {
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(name)))
                .await
                .map_err(storage)?;
        }
        drop(client);
        Ok(Postgres {
            inner: Arc::new(Inner {
                pool: self.inner.pool.clone(),
                schema: Some(name.into()),
            }),
        })
    }

    /// Creates `T`'s table and indexes if they do not exist, then checks the table: a
    /// missing column, or one of another type, is [`Error::Schema`] naming it. Migrations
    /// stay yours: an existing table is never altered.
    ///
    /// ```no_run
    /// use reactive::prelude::*;
    /// use reactive::provider::postgres::Postgres;
    ///
    /// #[derive(Reactive, Clone, Debug)]
    /// #[entity("users")]
    /// struct User { id: u64, name: String }
    ///
    /// # async fn run() -> Result<(), reactive::Error> {
    /// let db = Postgres::connect("postgres://app@localhost/app").await?;
    /// match db.ensure_schema::<User>().await {
    ///     Err(Error::Schema { column, problem, .. }) => eprintln!("`{column}` {problem}"),
    ///     other => other?,
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn ensure_schema<T: Record>(&self) -> Result<(), Error> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(storage)?;
        // Concurrent `CREATE TABLE IF NOT EXISTS` of one table can fail on the catalog's
        // unique index: one creator at a time per table.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.' || $1))",
            &[&T::ENTITY],
        )
        .await
        .map_err(storage)?;
        for sql in statements::create_table::<T>(Dialect::Postgres) {
            tx.batch_execute(&sql).await.map_err(storage)?;
        }
        let rows = tx
            .query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
                &[&T::ENTITY],
            )
            .await
            .map_err(storage)?;
        tx.commit().await.map_err(storage)?;
        let found: Vec<FoundColumn> = rows
            .iter()
            .map(|row| FoundColumn {
                name: row.get(0),
                declared: row.get(1),
            })
            .collect();
        check_columns::<T>(Dialect::Postgres, &found)
    }

    /// A connection from the pool, in this handle's schema.
    pub(crate) async fn client(&self) -> Result<Object, Error> {
        let client = self.inner.pool.get().await.map_err(pool_error)?;
        if let Err(err) = search_path(&client, self.inner.schema.as_ref()).await {
            // Its search path is unknown now: close it rather than return it to the pool.
            drop(Object::take(client));
            return Err(err);
        }
        Ok(client)
    }
}

/// What a pooled connection's `search_path` is known to be.
#[derive(Clone, PartialEq)]
enum Path {
    /// A statement setting it was sent and its answer not seen (the call was dropped, or is
    /// in flight): the next user sets it again.
    Unknown,
    /// Set to this schema.
    Schema(Arc<str>),
}

/// The search path of each pooled connection that was ever given one, by connection (the
/// address of its statement cache, kept allocated by the `Weak` so no other connection can
/// take it while the entry exists); a connection without an entry has its default path.
/// Shared by every handle, since handles share pools.
type Paths = Mutex<HashMap<usize, (Weak<StatementCache>, Path)>>;

static PATHS: OnceLock<Paths> = OnceLock::new();
/// Whether any handle chose a schema: until then no connection needs looking up.
static ANY_SCHEMA: AtomicBool = AtomicBool::new(false);

/// Sets the connection's `search_path` to `schema` (or back to the default) when it is not
/// there already: one statement the first time a connection serves a schema.
async fn search_path(client: &ClientWrapper, schema: Option<&Arc<str>>) -> Result<(), Error> {
    if schema.is_none() && !ANY_SCHEMA.load(Ordering::Acquire) {
        return Ok(());
    }
    let paths = PATHS.get_or_init(Paths::default);
    let key = Arc::as_ptr(&client.statement_cache) as usize;
    let current = paths.lock().get(&key).map(|(_, path)| path.clone());
    match (&current, schema) {
        (None, None) => return Ok(()),
        (Some(Path::Schema(set)), Some(wanted)) if set == wanted => return Ok(()),
        _ => {}
    }
    if schema.is_some() {
        ANY_SCHEMA.store(true, Ordering::Release);
    }
    // Statements prepared in another schema would be planned again against this one's
    // tables; forget them instead.
    client.statement_cache.clear();
    let cache = Arc::downgrade(&client.statement_cache);
    {
        let mut paths = paths.lock();
        if paths.len() >= 64 {
            paths.retain(|_, (cache, _)| cache.strong_count() > 0);
        }
        paths.insert(key, (cache.clone(), Path::Unknown));
    }
    match schema {
        Some(name) => {
            client
                .batch_execute(&format!("SET search_path TO {}", quote(name)))
                .await
                .map_err(storage)?;
            paths
                .lock()
                .insert(key, (cache, Path::Schema(name.clone())));
        }
        None => {
            client
                .batch_execute("RESET search_path")
                .await
                .map_err(storage)?;
            paths.lock().remove(&key);
        }
    }
    Ok(())
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("schema", &self.inner.schema)
            .field("pool", &self.inner.pool.status())
            .finish()
    }
}
