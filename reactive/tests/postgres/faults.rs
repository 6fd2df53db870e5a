//! On a private server: stopped in the middle of a run and started again, and its statement
//! log showing that values never reach the SQL text.

use std::time::Duration;

use reactive::prelude::*;
use reactive::provider::postgres::Postgres;
use reactive::provider::{Provider, Publish};
use reactive::{FieldSet, StorageErrorKind};

use crate::common::watchdog;
use crate::server::PrivateServer;
use crate::support::*;

/// Runs `f` on `rt` with a timeout, failing with `what` when it does not finish.
fn within<F: std::future::Future>(rt: &tokio::runtime::Runtime, what: &str, f: F) -> F::Output {
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(60), f)
            .await
            .unwrap_or_else(|_| panic!("watchdog: {what} did not finish within 60 s"))
    })
}

fn assert_unavailable<T: std::fmt::Debug>(what: &str, result: Result<T, Error>) {
    match result {
        Err(err) => assert_eq!(
            storage_kind(&err),
            Some(StorageErrorKind::Unavailable),
            "{what}: {err:?}"
        ),
        Ok(value) => panic!("{what} succeeded with the server stopped: {value:?}"),
    }
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn a_server_stopped_in_the_middle_of_a_run_is_unavailable_and_the_first_call_after_it_is_back_succeeds(
) {
    watchdog(300, "server stopped and started", || {
        let server = PrivateServer::start("restart");
        let rt = runtime();
        let (db, registry, ada) = within(&rt, "the set-up", async {
            let db = Postgres::options(&server.url("restart"))
                .max_connections(2)
                .connect()
                .await
                .unwrap();
            db.ensure_schema::<User>().await.unwrap();
            db.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();
            let registry = Registry::new();
            registry.provide::<User>(db.clone());
            let ada = registry.get_or_load::<User>(&1).await.unwrap();
            (db, registry, ada)
        });

        server.stop();
        within(&rt, "the calls while the server is down", async {
            ada.set_name("Ada L.".to_string()).unwrap();
            assert_unavailable("a publish", ada.publish().await);
            // The model is untouched: its values, dirty fields, version and flags.
            assert_eq!((ada.name(), ada.version()), ("Ada L.".to_string(), 1));
            assert_eq!(ada.dirty_fields(), ["name"]);
            assert_eq!(ada.saved(User::NAME), "Ada");
            assert!(!ada.flags().processing);
            assert_unavailable("a load", Provider::<User>::load(&db, &1).await);
            assert_unavailable("a reload", ada.reload().await);
            assert_eq!(ada.name(), "Ada L.", "a failed reload keeps the edit");
            assert_unavailable("a list", db.list(&Query::<User>::new()).await);
            assert_unavailable("get_or_load", registry.get_or_load::<User>(&2).await);
            assert_unavailable("a unit of work", db.unit_of_work().await);
        });

        server.start_again();
        within(&rt, "the calls once the server is back", async {
            // The first call after recovery succeeds.
            ada.publish().await.unwrap();
            assert_eq!(ada.version(), 2);
            assert!(ada.dirty_fields().is_empty());
            let stored = Provider::<User>::load(&db, &1).await.unwrap().unwrap();
            assert_eq!((stored.name.as_str(), stored.version), ("Ada L.", 2));
            db.publish(Publish::Insert(user(2, "Bob"))).await.unwrap();
            assert_eq!(
                registry.get_or_load::<User>(&2).await.unwrap().name(),
                "Bob"
            );
        });
        drop(rt);
        drop(server);
    });
}

/// Values that would change a statement if they reached its text.
const HOSTILE: &[&str] = &[
    "'; DROP TABLE users; --",
    "' OR '1'='1",
    "\" OR 1=1 --",
    "''",
    "back\\slash \\' \\\\",
    "100%",
    "%",
    "_",
    "a_b%c",
    "🦀 emoji 👩‍👩‍👧",
    "$1 $2 ?1 :name @x",
    "E'\\x41'",
    "line\nbreak\r\ttab",
    "/* comment */ --",
    "$$ dollar $$ $tag$",
    "Robert'); DROP TABLE students;--",
];

/// Everything a value can be in one provider round: a stored field (insert and update), a
/// filter operand of every string operator, an `in_` list, a loaded and listed row.
async fn round(db: &Postgres, id: u64, value: &str) {
    let mut row = user(id, value);
    row.nickname = Some(value.to_string());
    let stored = db.publish(Publish::Insert(row.clone())).await.unwrap();
    assert_eq!(stored.name, value);
    let loaded = Provider::<User>::load(db, &id).await.unwrap().unwrap();
    assert_eq!(
        (loaded.name.as_str(), loaded.nickname.as_deref()),
        (value, Some(value))
    );
    let filters = [
        User::NAME.eq(value),
        User::NAME.contains(value),
        User::NAME.starts_with(value),
        User::NAME.ends_with(value),
        User::NICKNAME.in_([value]),
        User::NAME.eq(value).and(User::NICKNAME.ne(value).not()),
    ];
    for filter in filters {
        let page = db
            .list(&Query::new().filter(filter).order_by(User::NAME.asc()))
            .await
            .unwrap();
        let ids: Vec<u64> = page.items.iter().map(|u| u.id).collect();
        assert_eq!(ids, [id], "{value:?} matches its own row only");
    }
    let mut changed = stored.clone();
    changed.nickname = Some(format!("{value}{value}"));
    let updated = db
        .publish(Publish::Update {
            id,
            value: changed,
            fields: FieldSet::single(User::NICKNAME.index()),
            expected_version: Some(stored.version),
        })
        .await
        .unwrap();
    assert_eq!(updated.nickname, Some(format!("{value}{value}")));
    Provider::<User>::delete(db, &id, Some(updated.version))
        .await
        .unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn the_logged_sql_text_is_the_same_for_a_benign_value_and_hostile_ones() {
    watchdog(300, "statement log", || {
        let server = PrivateServer::start("log");
        let rt = runtime();
        let app = "hostile_values";
        let captured = within(&rt, "the rounds", async {
            // One connection: the statements arrive in the order they are made.
            let db = Postgres::options(&server.url(app))
                .max_connections(1)
                .connect()
                .await
                .unwrap()
                .in_schema("hostile")
                .await
                .unwrap();
            db.ensure_schema::<User>().await.unwrap();
            round(&db, 1, "warm-up").await;
            let mut captured = Vec::new();
            for (i, value) in std::iter::once(&"Ada").chain(HOSTILE).enumerate() {
                let before = server.statements(app).len();
                round(&db, i as u64 + 10, value).await;
                captured.push((*value, server.statements(app)[before..].to_vec()));
            }
            captured
        });
        let (benign, expected) = &captured[0];
        assert_eq!(*benign, "Ada");
        assert!(
            expected.len() >= 10,
            "too few statements captured: {expected:?}"
        );
        assert!(
            expected
                .iter()
                .any(|s| s.starts_with("INSERT INTO \"users\"")),
            "{expected:#?}"
        );
        for (value, statements) in &captured[1..] {
            assert_eq!(
                statements, expected,
                "the SQL text changed with the value {value:?}"
            );
        }
        // And no statement carries a value (the short ones, like `_`, are in SQL words).
        let all = server.statements(app);
        for value in HOSTILE.iter().filter(|v| v.len() >= 6) {
            assert!(
                all.iter().all(|s| !s.contains(value)),
                "{value:?} reached the SQL text"
            );
        }
        drop(rt);
        drop(server);
    });
}
