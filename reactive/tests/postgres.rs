//! The PostgreSQL provider against a real server: schema, rows, writes, lists, faults, the
//! statements that reach the server, spans.
//!
//! Every server-backed test is ignored by a plain `cargo test` and run by the test command
//! (`./scripts/test-all`), which starts a server with `scripts/postgres` and sets
//! `REACTIVE_POSTGRES_URL`; without it they fail. Each test has its own schema, handle and
//! registry, under a watchdog.

mod common;
#[path = "postgres/faults.rs"]
mod faults;
#[path = "postgres/lists.rs"]
mod lists;
#[path = "postgres/server.rs"]
mod server;
#[path = "postgres/support.rs"]
mod support;
#[path = "postgres/writes.rs"]
mod writes;

use reactive::prelude::*;
use reactive::provider::postgres::{tokio_postgres, Postgres};
use reactive::provider::{Provider, Publish};
use reactive::StorageErrorKind;
use support::*;

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn ensure_schema_creates_the_table_then_reports_a_missing_and_a_mistyped_column_by_name() {
    with_db("schema", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<User>().await.unwrap();
        // Again: nothing to do, nothing wrong.
        db.ensure_schema::<User>().await.unwrap();
        db.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();

        ctx.exec(
            "CREATE TABLE keywords (id TEXT PRIMARY KEY, \"type\" TEXT NOT NULL, \
             \"order\" BIGINT NOT NULL)",
        )
        .await;
        match db.ensure_schema::<Keywords>().await {
            Err(Error::Schema {
                entity,
                column,
                problem,
            }) => {
                assert_eq!((entity, column.as_str()), ("keywords", "group"));
                assert_eq!(problem, "is missing");
            }
            other => panic!("expected a schema error, got {other:?}"),
        }
        ctx.exec("CREATE TABLE notes (id BIGINT PRIMARY KEY, text TEXT, pinned TEXT)")
            .await;
        match db.ensure_schema::<Note>().await {
            Err(Error::Schema {
                column, problem, ..
            }) => {
                assert_eq!(column, "pinned");
                assert!(
                    problem.contains("TEXT") || problem.contains("text"),
                    "{problem}"
                );
            }
            other => panic!("expected a schema error, got {other:?}"),
        }
        // Fixed by a migration (the user's), the check passes.
        ctx.exec("ALTER TABLE notes ALTER COLUMN pinned TYPE BOOLEAN USING pinned::boolean")
            .await;
        db.ensure_schema::<Note>().await.unwrap();
        // The indexed field got its index.
        ctx.exec(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = \
             current_schema() AND indexname = 'users_name_idx') THEN RAISE EXCEPTION \
             'no index on users.name'; END IF; END $$",
        )
        .await;
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn every_column_kind_round_trips() {
    with_db("kinds", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<Kinds>().await.unwrap();
        let prefs = Prefs {
            theme: "dark \"quoted\" \\ \u{1F980}".into(),
            sizes: vec![1, 2, 3],
        };
        let full = Kinds {
            id: Id16(*b"\x67\xe5\x50\x44\x10\xb1\x42\x6f\x92\x47\xbb\x68\x0e\x5f\xe0\xc8"),
            flag: true,
            tiny: i8::MIN,
            small: u16::MAX,
            int: i32::MIN,
            big: i64::MIN,
            unsigned: i64::MAX as u64,
            single: 1.5e-7,
            double: -1.0e300,
            letter: '\u{1F980}',
            text: "O'Brien; \"q\" \\ % _ \u{e9}".into(),
            boxed: "boxed".into(),
            maybe_text: Some(String::new()),
            maybe_int: Some(0),
            maybe_float: Some(f64::MIN_POSITIVE),
            maybe_flag: Some(false),
            // Before the Unix epoch and before PostgreSQL's (2000-01-01).
            at: Micros(-86_400_000_123),
            maybe_at: Some(Micros(1_700_000_000_123_456)),
            maybe_id: Some(Id16([0xff; 16])),
            role: Role::Admin,
            prefs: prefs.clone(),
            maybe_prefs: Some(prefs),
        };
        let empty = Kinds {
            id: Id16([0; 16]),
            flag: false,
            double: -0.0,
            maybe_text: None,
            maybe_int: None,
            maybe_float: None,
            maybe_flag: None,
            maybe_at: None,
            maybe_id: None,
            maybe_prefs: None,
            ..full.clone()
        };
        for value in [full, empty] {
            let stored = db.publish(Publish::Insert(value.clone())).await.unwrap();
            assert_eq!(stored, value, "the insert returns what was stored");
            let loaded = Provider::<Kinds>::load(db, &value.id).await.unwrap();
            assert_eq!(loaded, Some(value));
        }
        // -0.0 is stored as 0.0.
        let zero = Provider::<Kinds>::load(db, &Id16([0; 16]))
            .await
            .unwrap()
            .unwrap();
        assert!(zero.double == 0.0 && zero.double.is_sign_positive());
        // A UUID compares as its text, in filters and order.
        let page = db
            .list(
                &Query::<Kinds>::new()
                    .filter(Kinds::ID.gt(Id16([0x10; 16])))
                    .order_by(Kinds::MAYBE_ID.desc()),
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id.0[0], 0x67);
        let page = db
            .list(&Query::<Kinds>::new().filter(Kinds::AT.lt(Micros(0))))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 2, "timestamps compare as microseconds");
        assert_eq!(
            Provider::<Kinds>::load(db, &Id16([1; 16])).await.unwrap(),
            None
        );
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn load_many_reads_in_chunks() {
    with_db("chunks", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<User>().await.unwrap();
        let stored: Vec<u64> = (1..=1500).collect();
        db.publish_all(
            stored
                .iter()
                .map(|&id| Publish::Insert(user(id, "u")))
                .collect(),
        )
        .await
        .unwrap();
        // More ids than one list takes, and lengths that are not powers of two, with
        // missing ids among them.
        for n in [0usize, 1, 3, 1024, 1100, 1600] {
            let ids: Vec<u64> = (1..=n as u64)
                .map(|i| if i % 7 == 0 { i + 5000 } else { i })
                .collect();
            let mut found: Vec<u64> = Provider::<User>::load_many(db, &ids)
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.id)
                .collect();
            found.sort_unstable();
            let expected: Vec<u64> = ids.iter().copied().filter(|id| *id <= 1500).collect();
            assert_eq!(found, expected, "load_many of {n} ids");
        }
    });
}

/// An id the server cannot hold (a `u64` above `i64::MAX`) is refused on a load as an
/// invalid value (the other invalid values are the conformance suite's `field_values` and
/// `values` cases).
#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn an_id_the_store_cannot_hold_is_an_invalid_value_on_load() {
    with_db("invalid id", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<User>().await.unwrap();
        let err = Provider::<User>::load(db, &u64::MAX).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidValue { field, .. } if field == "id"),
            "{err:?}"
        );
    });
}

#[test]
fn an_unreachable_server_is_unavailable_and_a_bad_url_cannot_open() {
    runtime().block_on(async {
        watched("unreachable", async {
            // Nothing listens on port 1 of 127.0.0.1.
            let err = Postgres::connect("postgres://postgres@127.0.0.1:1/reactive")
                .await
                .unwrap_err();
            assert_eq!(
                storage_kind(&err),
                Some(StorageErrorKind::Unavailable),
                "{err:?}"
            );
            let err = Postgres::connect("postgres://127.0.0.1:notaport/x")
                .await
                .unwrap_err();
            assert_eq!(
                storage_kind(&err),
                Some(StorageErrorKind::CannotOpen),
                "{err:?}"
            );
        })
        .await;
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn schemas_keep_handles_apart_on_shared_connections() {
    with_db("schemas", |ctx| async move {
        // One connection serves both schemas (and the default) in turn.
        let one = Postgres::options(&ctx.url)
            .max_connections(1)
            .connect()
            .await
            .unwrap();
        let a = one.in_schema(&format!("{}_a", ctx.schema)).await.unwrap();
        let b = one.in_schema(&format!("{}_b", ctx.schema)).await.unwrap();
        for (db, name) in [(&a, "in a"), (&b, "in b")] {
            db.ensure_schema::<User>().await.unwrap();
            db.publish(Publish::Insert(user(1, name))).await.unwrap();
        }
        for _ in 0..3 {
            let in_a = Provider::<User>::load(&a, &1).await.unwrap().unwrap();
            let in_b = Provider::<User>::load(&b, &1).await.unwrap().unwrap();
            assert_eq!((in_a.name.as_str(), in_b.name.as_str()), ("in a", "in b"));
            // The default schema has no such table.
            let err = Provider::<User>::load(&one, &1).await.unwrap_err();
            assert!(
                matches!(&err, Error::Storage { message, .. } if message.contains("does not exist")),
                "{err:?}"
            );
        }
        for schema in [a.schema(), b.schema()].into_iter().flatten() {
            drop_schema(&ctx.url, schema).await;
        }
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn a_read_only_session_refuses_writes_with_a_typed_error() {
    with_db("read only", |ctx| async move {
        ctx.db.ensure_schema::<User>().await.unwrap();
        ctx.db
            .publish(Publish::Insert(user(1, "Ada")))
            .await
            .unwrap();
        let sep = if ctx.url.contains('?') { '&' } else { '?' };
        let url = format!(
            "{}{sep}options=-c%20default_transaction_read_only%3Don",
            ctx.url
        );
        let ro = Postgres::connect(&url)
            .await
            .unwrap()
            .in_schema(&ctx.schema)
            .await
            .unwrap_or_else(|err| {
                panic!("CREATE SCHEMA IF NOT EXISTS on a read-only session: {err:?}")
            });
        let err = ro
            .publish(Publish::Insert(user(2, "Bob")))
            .await
            .unwrap_err();
        assert_eq!(
            storage_kind(&err),
            Some(StorageErrorKind::ReadOnly),
            "{err:?}"
        );
        assert!(Provider::<User>::load(&ro, &1).await.unwrap().is_some());
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn a_locked_table_is_busy_then_the_next_call_succeeds() {
    with_db("locked", |ctx| async move {
        ctx.db.ensure_schema::<User>().await.unwrap();
        ctx.db
            .publish(Publish::Insert(user(1, "Ada")))
            .await
            .unwrap();
        // A session that waits at most 100 ms for a lock.
        let sep = if ctx.url.contains('?') { '&' } else { '?' };
        let impatient =
            Postgres::connect(&format!("{}{sep}options=-c%20lock_timeout%3D100", ctx.url))
                .await
                .unwrap()
                .in_schema(&ctx.schema)
                .await
                .unwrap();
        let (locker, conn) = tokio_postgres::connect(&ctx.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        let task = tokio::spawn(conn);
        locker
            .batch_execute(&format!(
                "SET search_path TO \"{}\"; BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE",
                ctx.schema
            ))
            .await
            .unwrap();
        let err = Provider::<User>::load(&impatient, &1).await.unwrap_err();
        assert_eq!(storage_kind(&err), Some(StorageErrorKind::Busy), "{err:?}");
        let err = impatient
            .publish(Publish::Insert(user(2, "Bob")))
            .await
            .unwrap_err();
        assert_eq!(storage_kind(&err), Some(StorageErrorKind::Busy), "{err:?}");
        locker.batch_execute("COMMIT").await.unwrap();
        impatient
            .publish(Publish::Insert(user(2, "Bob")))
            .await
            .unwrap();
        assert!(Provider::<User>::load(&impatient, &1)
            .await
            .unwrap()
            .is_some());
        drop(locker);
        let _ = task.await;
    });
}
