//! The PostgreSQL cases: our `Postgres` provider beside raw tokio-postgres, on the server of
//! `REACTIVE_POSTGRES_URL` (e.g. under `scripts/postgres run ..`), one schema per case
//! (`reactive_bench_<case>`, dropped and created again at set-up, dropped at the end).
//! Without the variable the cases' rows say they were skipped.
//!
//! Ours and the floors share one deadpool pool, built the way `Postgres::connect` builds one
//! (fast recycling: no query when a connection is taken, at most 16 connections, Tokio),
//! with the case's schema as every connection's `search_path`; ours is handed it with
//! `Postgres::from_pool`. Used one call at a time, the pool gives every bench the same
//! connection: the same server process, and the same task reading its socket (with a pool
//! each, which worker polls which connection made a bench up to 2x slower than an identical
//! one). Both run their statements with `prepare_cached` on the pooled client, from the
//! caller's future on the same runtime (no blocking thread: the client is async). The SQL
//! text is the SQL core's, copied here and checked against it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use reactive::provider::postgres::Postgres;
use reactive::sql::Dialect;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use super::{
    deep_case, int, load_case, load_one_case, page_case, publish_case, runtime, Builder, FloorSql,
    Person, Raw, Store, PAGE, PUBLISH_ROWS, ROWS, SCORE_STEP,
};

/// The variable the server's URL is read from.
pub const URL_VAR: &str = "REACTIVE_POSTGRES_URL";
/// What the PostgreSQL rows say without it.
pub const SKIPPED: &str = "set REACTIVE_POSTGRES_URL (scripts/postgres run ...)";

/// The PostgreSQL cases by id, each built (and its schema seeded) only when selected.
pub const CASES: &[Builder] = &[
    ("postgres_load_100k", || {
        load_case("postgres_load_100k", store("load_100k", ROWS))
    }),
    ("postgres_page_100", || {
        page_case("postgres_page_100", store("page_100", ROWS))
    }),
    ("postgres_page_deep", || {
        deep_case("postgres_page_deep", store("page_deep", ROWS))
    }),
    ("postgres_load_one", || {
        load_one_case("postgres_load_one", store("load_one", ROWS))
    }),
    ("postgres_publish_2", || {
        publish_case("postgres_publish_2", store("publish_2", PUBLISH_ROWS))
    }),
];

/// A load by id.
const SELECT_BY_ID: &str =
    r#"SELECT "id", "name", "email", "age", "score", "version" FROM "people" WHERE "id" = $1"#;
/// Loads of many ids: this, then `$1, $2, ..`, then `)`.
const SELECT_IN: &str =
    r#"SELECT "id", "name", "email", "age", "score", "version" FROM "people" WHERE "id" IN ("#;
/// The most ids per `IN` list: the provider's chunk. Shorter lists are padded to a power of
/// two by repeating their last id, as the provider does.
const CHUNK: usize = 1024;
/// The keyset page by score after a cursor (a bound on score, then score, score, id, limit + 1).
const PAGE_SQL: &str = r#"SELECT "id", "name", "email", "age", "score", "version" FROM "people" WHERE "score" >= $1 AND ("score" > $2 OR ("score" = $3 AND ("id" > $4))) ORDER BY "score" ASC, "id" ASC LIMIT $5"#;
/// The update of `name` and `score` with the version checked (one statement: the provider
/// runs it without a transaction of its own).
const UPDATE: &str = r#"UPDATE "people" SET "name" = $1, "score" = $2, "version" = "version" + 1 WHERE "id" = $3 AND "version" = $4 RETURNING "id", "name", "email", "age", "score", "version""#;

/// The floor's statements, checked against the SQL core's when the floor is built.
const FLOOR_SQL: FloorSql = FloorSql {
    dialect: Dialect::Postgres,
    select_by_id: SELECT_BY_ID,
    select_in: SELECT_IN,
    chunk: CHUNK,
    page: PAGE_SQL,
    update: UPDATE,
};

fn unsigned(row: &Row, at: usize) -> Result<u64, tokio_postgres::Error> {
    let v: i64 = row.try_get(at)?;
    Ok(u64::try_from(v).expect("a stored id or version is not negative"))
}

/// A row of the statements above as a `Person`.
fn person(row: &Row) -> Result<Person, tokio_postgres::Error> {
    Ok(Person {
        id: unsigned(row, 0)?,
        name: row.try_get(1)?,
        email: row.try_get(2)?,
        age: row.try_get(3)?,
        score: row.try_get(4)?,
        version: unsigned(row, 5)?,
    })
}

/// A pool built like `Postgres::connect`'s, every connection in `schema`.
fn pool(url: &str, schema: &str) -> Pool {
    let mut config: tokio_postgres::Config = url.parse().expect("a PostgreSQL URL");
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.options(format!("-c search_path={schema}"));
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(16)
        .runtime(Runtime::Tokio1)
        .build()
        .expect("a pool")
}

/// A schema of the server, seeded, with our provider on it.
pub struct PgStore {
    schema: String,
    /// The pool of ours and the floors.
    pool: Pool,
    db: Postgres,
    /// For set-up and checks.
    admin: Pool,
}

/// The case's store, or why there is none.
fn store(case: &str, rows: u64) -> Result<Arc<PgStore>, &'static str> {
    let url = std::env::var(URL_VAR).map_err(|_| SKIPPED)?;
    // The process id too: a sampling process seeds the case while the report holds it.
    let schema = format!("reactive_bench_{case}_{}", std::process::id());
    let admin = pool(&url, &schema);
    runtime().block_on(async {
        let client = admin.get().await.unwrap_or_else(|e| {
            panic!("cannot connect to {URL_VAR} ({url}): {e}");
        });
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .await
            .expect("create the schema");
    });
    let shared = pool(&url, &schema);
    let db = Postgres::from_pool(shared.clone());
    runtime()
        .block_on(db.ensure_schema::<Person>())
        .expect("ensure the schema");
    // The rows of `Person::numbered`, written by the server.
    let seed = format!(
        "INSERT INTO people (id, name, email, age, score, version) \
         SELECT i, 'person ' || i, 'person' || i || '@example.com', i % 90, \
         ((i * {SCORE_STEP}) % {ROWS})::float8 / 4, 1 FROM generate_series(0, {last}) AS i",
        last = rows - 1,
    );
    runtime().block_on(async {
        let client = admin.get().await.expect("a connection");
        client.batch_execute(&seed).await.expect("seed the table");
        // Now rather than by autovacuum in the middle of a measurement (outside the insert's
        // transaction: VACUUM refuses to run in one).
        client
            .batch_execute("VACUUM ANALYZE people")
            .await
            .expect("vacuum the table");
    });
    let store = PgStore {
        schema,
        pool: shared,
        db,
        admin,
    };
    let last = store.stored(rows - 1).expect("the last row");
    assert_eq!(last, Person::numbered(rows - 1), "the seeded rows differ");
    Ok(Arc::new(store))
}

impl Drop for PgStore {
    fn drop(&mut self) {
        let (admin, schema) = (self.admin.clone(), self.schema.clone());
        let _ = runtime().block_on(async move {
            let client = admin.get().await.ok()?;
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .await
                .ok()
        });
    }
}

impl Store for PgStore {
    type Db = Postgres;
    type Raw = RawPostgres;
    const NAME: &'static str = "PostgreSQL";
    const DRIVER: &'static str = "tokio-postgres";

    fn db(&self) -> Postgres {
        self.db.clone()
    }

    fn raw(&self) -> RawPostgres {
        FLOOR_SQL.check();
        RawPostgres {
            pool: self.pool.clone(),
            select_in: Arc::new(FLOOR_SQL.select_in(CHUNK)),
        }
    }

    fn stored(&self, id: u64) -> Result<Person, String> {
        runtime().block_on(async {
            let client = self.admin.get().await.map_err(|e| e.to_string())?;
            let row = client
                .query_one(SELECT_BY_ID, &[&int(id)])
                .await
                .map_err(|e| e.to_string())?;
            person(&row).map_err(|e| e.to_string())
        })
    }
}

/// Raw tokio-postgres on the shared pool.
pub struct RawPostgres {
    pool: Pool,
    /// The `IN` list of [`CHUNK`] ids.
    select_in: Arc<String>,
}

/// Runs `sql` with `params` on `client` (prepared once per connection) and reads the rows.
async fn query(
    client: &deadpool_postgres::Client,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Vec<Person> {
    let stmt = client.prepare_cached(sql).await.expect("prepare");
    let rows = client.query(&stmt, params).await.expect("query");
    rows.iter().map(|row| person(row).expect("a row")).collect()
}

impl Raw for RawPostgres {
    fn load_in(&self, ids: Arc<Vec<u64>>) -> impl Future<Output = Vec<Person>> + Send + 'static {
        let (pool, full) = (self.pool.clone(), self.select_in.clone());
        async move {
            let client = pool.get().await.expect("a connection");
            let mut out = Vec::new();
            for chunk in ids.chunks(CHUNK) {
                let size = chunk.len().next_power_of_two();
                let mut values: Vec<i64> = chunk.iter().map(|id| int(*id)).collect();
                values.resize(size, int(chunk[chunk.len() - 1]));
                let other;
                let sql = if size == CHUNK {
                    full.as_str()
                } else {
                    other = FLOOR_SQL.select_in(size);
                    other.as_str()
                };
                let params: Vec<&(dyn ToSql + Sync)> =
                    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                out.extend(query(&client, sql, &params).await);
            }
            out
        }
    }

    fn page(&self, score: f64, id: u64) -> impl Future<Output = Vec<Person>> + Send + 'static {
        let pool = self.pool.clone();
        async move {
            let client = pool.get().await.expect("a connection");
            let (id, limit) = (int(id), PAGE as i64 + 1);
            query(&client, PAGE_SQL, &[&score, &score, &score, &id, &limit]).await
        }
    }

    fn by_id(&self, id: u64) -> impl Future<Output = Option<Person>> + Send + 'static {
        let pool = self.pool.clone();
        async move {
            let client = pool.get().await.expect("a connection");
            query(&client, SELECT_BY_ID, &[&int(id)]).await.pop()
        }
    }

    fn update(
        &self,
        name: String,
        score: f64,
        id: u64,
        version: u64,
    ) -> impl Future<Output = Option<Person>> + Send + 'static {
        let pool = self.pool.clone();
        async move {
            let client = pool.get().await.expect("a connection");
            let (id, version) = (int(id), int(version));
            query(&client, UPDATE, &[&name, &score, &id, &version])
                .await
                .pop()
        }
    }
}
