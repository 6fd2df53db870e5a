//! The SQLite cases: our `Sqlite` provider beside raw rusqlite, on one database file per
//! case (in a temporary directory) seeded with `Person::numbered(0..rows)`.
//!
//! The raw floor calls hop to a blocking thread with `spawn_blocking` on the same runtime as
//! ours, and run there with one connection opened with the provider's settings (WAL,
//! `synchronous = NORMAL`, the same busy timeout and statement cache size), each statement
//! prepared with `prepare_cached`. The SQL text is the SQL core's, copied here and checked
//! against it when the floor is built.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reactive::provider::sqlite::Sqlite;
use reactive::sql::Dialect;
use rusqlite::{params, params_from_iter, Connection, OpenFlags, Row, TransactionBehavior};

use super::{
    deep_case, int, load_case, load_one_case, page_case, publish_case, runtime, Builder, FloorSql,
    Person, Raw, Store, PAGE, PUBLISH_ROWS, ROWS,
};

/// The SQLite cases by id, each built (and its database seeded) only when selected.
pub const CASES: &[Builder] = &[
    ("sqlite_load_100k", || {
        load_case("sqlite_load_100k", Ok(seeded(ROWS)))
    }),
    ("sqlite_page_100", || {
        page_case("sqlite_page_100", Ok(seeded(ROWS)))
    }),
    ("sqlite_page_deep", || {
        deep_case("sqlite_page_deep", Ok(seeded(ROWS)))
    }),
    ("sqlite_load_one", || {
        load_one_case("sqlite_load_one", Ok(seeded(ROWS)))
    }),
    ("sqlite_publish_2", || {
        publish_case("sqlite_publish_2", Ok(seeded(PUBLISH_ROWS)))
    }),
];

/// The columns every statement reads, in the entity's order.
const COLUMNS: &str = r#""id", "name", "email", "age", "score", "version""#;
/// A load by id.
const SELECT_BY_ID: &str =
    r#"SELECT "id", "name", "email", "age", "score", "version" FROM "people" WHERE "id" = ?1"#;
/// Loads of many ids: this, then `?1, ?2, ..`, then `)`.
const SELECT_IN: &str =
    r#"SELECT "id", "name", "email", "age", "score", "version" FROM "people" WHERE "id" IN ("#;
/// Ids per `IN` list: the provider's chunk.
const CHUNK: usize = 500;
/// The keyset page by score after a cursor (a bound on score, then score, score, id, limit + 1).
const PAGE_SQL: &str = r#"SELECT "id", "name", "email", "age", "score", "version" FROM "people" WHERE "score" >= ?1 AND ("score" > ?2 OR ("score" = ?3 AND ("id" > ?4))) ORDER BY "score" ASC, "id" ASC LIMIT ?5"#;
/// The update of `name` and `score` with the version checked.
const UPDATE: &str = r#"UPDATE "people" SET "name" = ?1, "score" = ?2, "version" = "version" + 1 WHERE "id" = ?3 AND "version" = ?4 RETURNING "id", "name", "email", "age", "score", "version""#;

/// The floor's statements, checked against the SQL core's when the floor is built.
const FLOOR_SQL: FloorSql = FloorSql {
    dialect: Dialect::Sqlite,
    select_by_id: SELECT_BY_ID,
    select_in: SELECT_IN,
    chunk: CHUNK,
    page: PAGE_SQL,
    update: UPDATE,
};

/// Column `at` as a `u64` (checked, like the provider's column mapping).
fn unsigned(row: &Row<'_>, at: usize) -> rusqlite::Result<u64> {
    let v: i64 = row.get(at)?;
    u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(at, v))
}

/// A row of the statements above as a `Person`.
fn person(row: &Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        id: unsigned(row, 0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        age: row.get(3)?,
        score: row.get(4)?,
        version: unsigned(row, 5)?,
    })
}

/// Opens a connection like the provider's.
fn connect(path: &Path) -> Connection {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).expect("open the database");
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("WAL");
    conn.pragma_update(None, "synchronous", "NORMAL")
        .expect("synchronous");
    conn.set_prepared_statement_cache_capacity(64);
    conn
}

/// A database file in a temporary directory, seeded, with our provider on it (its schema
/// ensured by the provider). Removed when the last bench holding it is dropped.
pub struct Seeded {
    _dir: tempfile::TempDir,
    path: PathBuf,
    db: Sqlite,
}

/// A fresh database of `rows` people.
pub fn seeded(rows: u64) -> Arc<Seeded> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bench.db");
    let db = runtime()
        .block_on(Sqlite::open(&path))
        .expect("open the database");
    runtime()
        .block_on(db.ensure_schema::<Person>())
        .expect("ensure the schema");
    let mut conn = connect(&path);
    let tx = conn.transaction().expect("begin");
    {
        let mut insert = tx
            .prepare(&format!(
                "INSERT INTO \"people\" ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ))
            .expect("prepare the insert");
        for id in 0..rows {
            let p = Person::numbered(id);
            insert
                .execute(params![
                    int(p.id),
                    p.name,
                    p.email,
                    p.age,
                    p.score,
                    int(p.version)
                ])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
    Arc::new(Seeded {
        _dir: dir,
        path,
        db,
    })
}

impl Store for Seeded {
    type Db = Sqlite;
    type Raw = RawSqlite;
    const NAME: &'static str = "SQLite";
    const DRIVER: &'static str = "rusqlite";

    fn db(&self) -> Sqlite {
        self.db.clone()
    }

    fn raw(&self) -> RawSqlite {
        FLOOR_SQL.check();
        RawSqlite {
            conn: Arc::new(Mutex::new(connect(&self.path))),
            select_in: FLOOR_SQL.select_in(CHUNK).into(),
        }
    }

    fn stored(&self, id: u64) -> Result<Person, String> {
        let conn = connect(&self.path);
        let mut stmt = conn.prepare(SELECT_BY_ID).map_err(|e| e.to_string())?;
        stmt.query_row([int(id)], person).map_err(|e| e.to_string())
    }
}

/// The floor's connection, moved to the blocking thread by its `Arc`.
type Conn = Arc<Mutex<Connection>>;

/// Raw rusqlite with one connection.
pub struct RawSqlite {
    conn: Conn,
    /// The `IN` list of [`CHUNK`] ids.
    select_in: Arc<str>,
}

/// Runs `work` with the connection on a blocking thread (`spawn_blocking`) and waits for it.
async fn on_blocking<R: Send + 'static>(
    conn: Conn,
    work: impl FnOnce(&mut Connection) -> rusqlite::Result<R> + Send + 'static,
) -> R {
    runtime()
        .spawn_blocking(move || {
            let mut conn = conn.lock().expect("connection lock");
            work(&mut conn)
        })
        .await
        .expect("the blocking task")
        .expect("the statement")
}

impl Raw for RawSqlite {
    fn load_in(&self, ids: Arc<Vec<u64>>) -> impl Future<Output = Vec<Person>> + Send + 'static {
        let sql = self.select_in.clone();
        on_blocking(self.conn.clone(), move |conn| {
            let mut out = Vec::new();
            for chunk in ids.chunks(CHUNK) {
                let other;
                let sql = if chunk.len() == CHUNK {
                    &*sql
                } else {
                    other = FLOOR_SQL.select_in(chunk.len());
                    &other
                };
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(params_from_iter(chunk.iter().map(|id| int(*id))))?;
                while let Some(row) = rows.next()? {
                    out.push(person(row)?);
                }
            }
            Ok(out)
        })
    }

    fn page(&self, score: f64, id: u64) -> impl Future<Output = Vec<Person>> + Send + 'static {
        on_blocking(self.conn.clone(), move |conn| {
            let mut stmt = conn.prepare_cached(PAGE_SQL)?;
            let mut rows = stmt.query(params![score, score, score, int(id), PAGE as i64 + 1])?;
            let mut out = Vec::with_capacity(PAGE + 1);
            while let Some(row) = rows.next()? {
                out.push(person(row)?);
            }
            Ok(out)
        })
    }

    fn by_id(&self, id: u64) -> impl Future<Output = Option<Person>> + Send + 'static {
        on_blocking(self.conn.clone(), move |conn| {
            let mut stmt = conn.prepare_cached(SELECT_BY_ID)?;
            let mut rows = stmt.query([int(id)])?;
            rows.next()?.map(person).transpose()
        })
    }

    /// In `BEGIN IMMEDIATE` .. `COMMIT`, like the provider's.
    fn update(
        &self,
        name: String,
        score: f64,
        id: u64,
        version: u64,
    ) -> impl Future<Output = Option<Person>> + Send + 'static {
        on_blocking(self.conn.clone(), move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let updated = {
                let mut stmt = tx.prepare_cached(UPDATE)?;
                let mut rows = stmt.query(params![name, score, int(id), int(version)])?;
                rows.next()?.map(person).transpose()?
            };
            tx.commit()?;
            Ok(updated)
        })
    }
}
