//! The SQLite provider: the embedded default, on rusqlite with a bundled SQLite.
//!
//! Every call runs on a blocking thread (`spawn_blocking`) with a connection from a small
//! pool, so the async runtime's threads never wait on the database. The database is in WAL
//! mode (readers do not wait for a writer) with a busy timeout; statements are prepared once
//! per connection and cached.
//!
//! ```
//! use reactive::prelude::*;
//! use reactive::provider::sqlite::Sqlite;
//!
//! #[derive(Reactive, Clone, Debug)]
//! #[entity("users")]
//! struct User { id: u64, name: String }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! # let dir = std::env::temp_dir().join(format!("reactive-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let db = Sqlite::open(dir.join("app.db")).await?;
//! db.ensure_schema::<User>().await?;
//!
//! let registry = Registry::new();
//! registry.provide::<User>(db.clone());
//! let ada = Model::draft(User { id: 1, name: "Ada".into() });
//! ada.publish_to(&registry).await?;
//! drop(ada);
//! let loaded = registry.get_or_load::<User>(&1).await?;
//! assert_eq!(loaded.name(), "Ada");
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), reactive::Error>(()) }).unwrap();
//! ```

mod provider;
mod unit;
mod values;

pub use unit::UnitOfWork;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use crate::error::Error;
use crate::sql::shared::{check_columns, FoundColumn};
use crate::sql::{statements, Dialect, Record};
use values::storage;

/// The rusqlite this provider is built on, for [`Sqlite::with_connection`] and for opening
/// connections of your own to the same SQLite build.
pub use rusqlite;

type StatementHook = Arc<dyn Fn(&str) + Send + Sync>;

/// How to open an SQLite database: [`Sqlite::options`].
#[derive(Clone)]
pub struct SqliteOptions {
    path: PathBuf,
    read_only: bool,
    busy_timeout: Duration,
    max_connections: usize,
    on_statement: Option<StatementHook>,
}

impl SqliteOptions {
    /// Opens the database read-only: every write is [`Error::Storage`] with
    /// [`StorageErrorKind::ReadOnly`](crate::StorageErrorKind::ReadOnly).
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// How long a call waits for a lock another connection holds before failing with
    /// [`StorageErrorKind::Busy`](crate::StorageErrorKind::Busy) (default 5 s).
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// The most connections (and so blocking threads) used at once (default 4, at least 1).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Calls `hook` with the SQL text of every statement SQLite starts, as prepared (the
    /// values are bound parameters and never appear in it): for logging, and for tests that
    /// show what reaches the database. It runs on the connection's blocking thread.
    pub fn on_statement(mut self, hook: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.on_statement = Some(Arc::new(hook));
        self
    }

    /// Opens the database (creating the file unless read-only): the first connection is
    /// opened now, so a missing directory or an unreadable file fails here with
    /// [`StorageErrorKind::CannotOpen`](crate::StorageErrorKind::CannotOpen).
    pub async fn open(self) -> Result<Sqlite, Error> {
        let inner = Arc::new(Inner {
            permits: Arc::new(Semaphore::new(self.max_connections)),
            idle: Mutex::new(Vec::new()),
            options: self,
        });
        let sqlite = Sqlite { inner };
        sqlite.run(|_| Ok(())).await?;
        Ok(sqlite)
    }
}

impl std::fmt::Debug for SqliteOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteOptions")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .field("busy_timeout", &self.busy_timeout)
            .field("max_connections", &self.max_connections)
            .field("on_statement", &self.on_statement.is_some())
            .finish()
    }
}

struct Inner {
    options: SqliteOptions,
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<Connection>>,
}

/// An SQLite database: a provider for every entity that is a [`Record`] (one handle serves
/// them all; clones share the connections).
#[derive(Clone)]
pub struct Sqlite {
    inner: Arc<Inner>,
}

impl Sqlite {
    /// Opens (or creates) the database at `path` with the default options.
    pub async fn open(path: impl AsRef<Path>) -> Result<Sqlite, Error> {
        Sqlite::options(path).open().await
    }

    /// Options for the database at `path`; finish with [`SqliteOptions::open`].
    pub fn options(path: impl AsRef<Path>) -> SqliteOptions {
        SqliteOptions {
            path: path.as_ref().to_path_buf(),
            read_only: false,
            busy_timeout: Duration::from_secs(5),
            max_connections: 4,
            on_statement: None,
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.options.path
    }

    /// Creates `T`'s table and indexes if they do not exist, then checks the table: a
    /// missing column, or one of another type, is [`Error::Schema`] naming it. Migrations
    /// stay yours: an existing table is never altered.
    pub async fn ensure_schema<T: Record>(&self) -> Result<(), Error> {
        let create = statements::create_table::<T>(Dialect::Sqlite);
        let table = statements::quote(T::ENTITY);
        let found = self
            .run(move |conn| {
                let tx = conn.transaction().map_err(storage)?;
                for sql in &create {
                    tx.execute(sql, []).map_err(storage)?;
                }
                tx.commit().map_err(storage)?;
                let mut stmt = conn
                    .prepare(&format!("PRAGMA table_info({table})"))
                    .map_err(storage)?;
                let rows = stmt
                    .query_map([], |row| {
                        Ok(FoundColumn {
                            name: row.get(1)?,
                            declared: row.get(2)?,
                        })
                    })
                    .map_err(storage)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(storage)
            })
            .await?;
        check_columns::<T>(Dialect::Sqlite, &found)
    }

    /// Runs `work` with one of the pool's connections on a blocking thread: for what the
    /// provider does not do (migrations, reports). Errors of rusqlite are yours to map;
    /// [`Error::Storage`] is what the provider uses.
    ///
    /// ```
    /// # use reactive::provider::sqlite::Sqlite;
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let dir = std::env::temp_dir().join(format!("reactive-doc-wc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let db = Sqlite::open(dir.join("app.db")).await?;
    /// let n: i64 = db
    ///     .with_connection(|conn| conn.query_row("SELECT 40 + 2", [], |row| row.get(0)))
    ///     .await?
    ///     .expect("a number");
    /// assert_eq!(n, 42);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), reactive::Error>(()) }).unwrap();
    /// ```
    pub async fn with_connection<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> R + Send + 'static,
    ) -> Result<R, Error> {
        self.run(move |conn| Ok(work(conn))).await
    }

    /// Runs `sql` (one or more statements, no parameters): for migrations and set-up.
    pub async fn execute_batch(&self, sql: &str) -> Result<(), Error> {
        let sql = sql.to_string();
        self.run(move |conn| conn.execute_batch(&sql).map_err(storage))
            .await
    }

    /// A permit for one connection.
    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Error> {
        self.inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::msg("the SQLite pool is closed"))
    }

    /// A connection taken out of the pool (or opened), after `init` ran on it, on a blocking
    /// thread; the caller holds its permit and gives it back with [`Sqlite::give_back`].
    async fn take_connection(
        &self,
        init: impl FnOnce(&mut Connection) -> Result<(), Error> + Send + 'static,
    ) -> Result<Connection, Error> {
        let idle = self.inner.idle.lock().pop();
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = match idle {
                Some(conn) => conn,
                None => connect(&inner.options)?,
            };
            init(&mut conn)?;
            Ok(conn)
        })
        .await
        .map_err(|err| Error::Panicked {
            during: "opening an SQLite connection",
            message: err.to_string(),
        })?
    }

    /// Returns a connection outside any transaction to the pool.
    fn give_back(&self, conn: Connection) {
        if conn.is_autocommit() {
            self.inner.idle.lock().push(conn);
        }
    }

    /// Runs `work` with a connection on a blocking thread.
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<R, Error> + Send + 'static,
    ) -> Result<R, Error> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| Error::msg("the SQLite pool is closed"))?;
        let idle = self.inner.idle.lock().pop();
        let inner = self.inner.clone();
        let joined = handle
            .spawn_blocking(move || {
                let mut conn = match idle {
                    Some(conn) => conn,
                    None => connect(&inner.options)?,
                };
                let result = work(&mut conn);
                // A connection left inside a transaction (a panic, a failed commit) is not
                // reused.
                if conn.is_autocommit() {
                    inner.idle.lock().push(conn);
                }
                result
            })
            .await;
        match joined {
            Ok(result) => result,
            Err(err) => Err(Error::Panicked {
                during: "an SQLite call",
                message: err.to_string(),
            }),
        }
    }
}

/// Opens one connection with the database's settings.
fn connect(options: &SqliteOptions) -> Result<Connection, Error> {
    let flags = if options.read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let mut conn = Connection::open_with_flags(&options.path, flags).map_err(storage)?;
    conn.busy_timeout(options.busy_timeout).map_err(storage)?;
    if !options.read_only {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(storage)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(storage)?;
    }
    conn.set_prepared_statement_cache_capacity(64);
    if let Some(hook) = options.on_statement.clone() {
        conn.trace_v2(
            rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT,
            Some(move |event: rusqlite::trace::TraceEvent<'_>| {
                if let rusqlite::trace::TraceEvent::Stmt(_, sql) = event {
                    hook(sql);
                }
            }),
        )
        .map_err(storage)?;
    }
    Ok(conn)
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite")
            .field("path", &self.inner.options.path)
            .field("read_only", &self.inner.options.read_only)
            .finish()
    }
}
