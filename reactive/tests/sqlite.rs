//! The SQLite provider: schema, rows, writes, faults, and the runtime it must not block.

mod common;

use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use common::watchdog;
use reactive::prelude::*;
use reactive::provider::sqlite::{rusqlite, Sqlite};
use reactive::provider::{Provider, Publish};
use reactive::StorageErrorKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Role {
    Member,
    Admin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Prefs {
    theme: String,
    sizes: Vec<u32>,
}

#[derive(Reactive, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[entity("users")]
struct User {
    id: u64,
    #[reactive(index)]
    name: String,
    nickname: Option<String>,
    age: i32,
    score: f64,
    active: bool,
    rank: Option<i64>,
    #[reactive(text)]
    role: Role,
    #[reactive(json)]
    prefs: Option<Prefs>,
    #[reactive(version)]
    version: u64,
}

fn user(id: u64, name: &str) -> User {
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
struct Keywords {
    id: String,
    r#type: String,
    order: i64,
    group: Option<String>,
}

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("notes")]
struct Note {
    #[reactive(id, generated)]
    id: Option<u64>,
    text: String,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Runs `f` with a fresh database in a temporary directory, under a watchdog.
fn with_db<F, Fut>(what: &'static str, f: F)
where
    F: FnOnce(Sqlite, std::path::PathBuf) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    watchdog(60, what, move || {
        runtime().block_on(async move {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let db = Sqlite::open(dir.path().join("test.db"))
                .await
                .expect("open the database");
            // The directory outlives the test's future (which may not capture it).
            f(db, dir.path().to_path_buf()).await;
            drop(dir);
        })
    })
}

fn storage_kind(err: &Error) -> Option<StorageErrorKind> {
    match err {
        Error::Storage { kind, .. } => Some(*kind),
        _ => None,
    }
}

#[test]
fn ensure_schema_reports_a_missing_and_a_mistyped_column_by_name() {
    with_db("schema", |db, dir| async move {
        db.ensure_schema::<User>().await.unwrap();
        // Again: nothing to do, nothing wrong.
        db.ensure_schema::<User>().await.unwrap();
        let conn = rusqlite_free_connection(&dir);
        conn.execute_batch(
            "CREATE TABLE keywords (id TEXT PRIMARY KEY, \"type\" TEXT NOT NULL, \"order\" INTEGER NOT NULL)",
        )
        .unwrap();
        match db.ensure_schema::<Keywords>().await {
            Err(Error::Schema {
                column, problem, ..
            }) => {
                assert_eq!(column, "group");
                assert_eq!(problem, "is missing");
            }
            other => panic!("expected a schema error, got {other:?}"),
        }
        conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, text REAL NOT NULL)")
            .unwrap();
        match db.ensure_schema::<Note>().await {
            Err(Error::Schema {
                column, problem, ..
            }) => {
                assert_eq!(column, "text");
                assert!(problem.contains("REAL"), "{problem}");
            }
            other => panic!("expected a schema error, got {other:?}"),
        }
    });
}

/// A second connection to the test's database, outside the provider (what a migration or
/// another process would do), through the provider's own rusqlite.
fn rusqlite_free_connection(dir: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("test.db")).expect("a side connection")
}

/// The column list every statement reads is the derive's const; it must be the quoted
/// column names exactly (keywords, renames and a computed field's absence included).
#[test]
fn the_column_list_is_every_stored_column_quoted() {
    fn quoted<T: reactive::sql::Record>() -> String {
        T::columns()
            .iter()
            .map(|c| reactive::sql::statements::quote(c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
    assert_eq!(quoted::<Keywords>(), r#""id", "type", "order", "group""#);
    let select = reactive::sql::statements::select_by_id::<Keywords>(
        reactive::sql::Dialect::Sqlite,
        &"k".to_string(),
    )
    .unwrap();
    assert!(
        select
            .sql
            .starts_with(&format!("SELECT {} FROM", quoted::<Keywords>())),
        "{}",
        select.sql
    );
    for (sql, columns) in [
        (
            reactive::sql::statements::select_in_sql::<User>(reactive::sql::Dialect::Sqlite, 2),
            quoted::<User>(),
        ),
        (
            reactive::sql::statements::select_in_sql::<Note>(reactive::sql::Dialect::Postgres, 0),
            quoted::<Note>(),
        ),
    ] {
        assert!(sql.starts_with(&format!("SELECT {columns} FROM")), "{sql}");
    }
}

/// An id the store cannot hold (a `u64` above `i64::MAX`) is refused on a load as an
/// invalid value; the memory provider, which holds any id, just has none (the other invalid
/// values are the conformance suite's `field_values` and `values` cases).
#[test]
fn an_id_the_store_cannot_hold_is_an_invalid_value_on_load() {
    with_db("invalid id", |db, _dir| async move {
        db.ensure_schema::<User>().await.unwrap();
        let err = Provider::<User>::load(&db, &u64::MAX).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidValue { field, .. } if field == "id"),
            "{err:?}"
        );
    });
}

#[test]
fn a_long_load_does_not_block_the_runtime() {
    // The load's statement waits, inside SQLite, for a message that another task on the same
    // current-thread runtime sends: if the load blocked the runtime's only thread, that task
    // could never run and the watchdog would fail the test.
    watchdog(60, "a load that needs the runtime free", || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let (release_tx, release_rx) = mpsc::channel::<()>();
            let release_rx = Mutex::new(release_rx);
            let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let hook_armed = armed.clone();
            let db = Sqlite::options(dir.path().join("test.db"))
                .on_statement(move |sql| {
                    if sql.starts_with("SELECT")
                        && hook_armed.swap(false, std::sync::atomic::Ordering::SeqCst)
                    {
                        release_rx
                            .lock()
                            .unwrap()
                            .recv_timeout(Duration::from_secs(30))
                            .expect("the other task sent the release");
                    }
                })
                .open()
                .await
                .unwrap();
            db.ensure_schema::<User>().await.unwrap();
            db.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();
            armed.store(true, std::sync::atomic::Ordering::SeqCst);
            let releaser = tokio::spawn(async move {
                tokio::task::yield_now().await;
                release_tx.send(()).unwrap();
            });
            let loaded = Provider::<User>::load(&db, &1).await.unwrap();
            assert_eq!(loaded.map(|u| u.name), Some("Ada".to_string()));
            releaser.await.unwrap();
        })
    });
}

#[test]
fn statements_are_the_same_text_for_benign_and_hostile_values() {
    watchdog(60, "statement capture", || {
        runtime().block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let seen = Arc::new(Mutex::new(Vec::<String>::new()));
            let log = seen.clone();
            let db = Sqlite::options(dir.path().join("test.db"))
                .on_statement(move |sql| log.lock().unwrap().push(sql.to_string()))
                .open()
                .await
                .unwrap();
            db.ensure_schema::<User>().await.unwrap();
            let hostile = [
                "Ada",
                "'; DROP TABLE users; --",
                "\" OR 1=1 --",
                "back\\slash",
                "100%",
                "_x_",
                "🦀 emoji",
                "?1 $1 :name @x",
            ];
            let mut shapes = Vec::new();
            for (i, value) in hostile.iter().enumerate() {
                seen.lock().unwrap().clear();
                let id = i as u64 + 1;
                db.publish(Publish::Insert(user(id, value))).await.unwrap();
                let page = db
                    .list(&Query::new().filter(User::NAME.contains(*value)))
                    .await
                    .unwrap();
                assert_eq!(page.items.len(), 1, "{value:?} matches itself only");
                assert_eq!(page.items[0].name, *value);
                let loaded = Provider::<User>::load(&db, &id).await.unwrap().unwrap();
                assert_eq!(loaded.name, *value);
                let statements = seen.lock().unwrap().clone();
                for s in &statements {
                    assert!(!s.contains(value), "{value:?} reached the SQL text: {s}");
                }
                shapes.push(statements);
            }
            for shape in &shapes[1..] {
                assert_eq!(shape, &shapes[0], "the SQL text depends only on the query");
            }
            assert!(Provider::<User>::load(&db, &1).await.unwrap().is_some());
        })
    });
}

#[test]
fn a_read_only_database_refuses_writes_with_a_typed_error() {
    with_db("read-only", |db, dir| async move {
        db.ensure_schema::<User>().await.unwrap();
        db.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();
        let ro = Sqlite::options(dir.join("test.db"))
            .read_only(true)
            .open()
            .await
            .unwrap();
        let err = ro
            .publish(Publish::Insert(user(2, "Bob")))
            .await
            .unwrap_err();
        assert_eq!(
            storage_kind(&err),
            Some(StorageErrorKind::ReadOnly),
            "{err:?}"
        );
        // Reads still work.
        assert!(Provider::<User>::load(&ro, &1).await.unwrap().is_some());
        // Through a registry: the model is untouched.
        let registry = Registry::new();
        registry.provide::<User>(ro.clone());
        let ada = registry.get_or_load::<User>(&1).await.unwrap();
        ada.set_name("Ada L.".to_string()).unwrap();
        let err = ada.publish().await.unwrap_err();
        assert_eq!(
            storage_kind(&err),
            Some(StorageErrorKind::ReadOnly),
            "{err:?}"
        );
        assert_eq!(ada.name(), "Ada L.");
        assert_eq!(ada.dirty_fields(), ["name"]);
        assert_eq!(ada.version(), 1);
    });
}

#[test]
fn a_database_in_a_missing_directory_cannot_open() {
    watchdog(60, "missing directory", || {
        runtime().block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let err = Sqlite::open(dir.path().join("missing").join("test.db"))
                .await
                .unwrap_err();
            assert_eq!(
                storage_kind(&err),
                Some(StorageErrorKind::CannotOpen),
                "{err:?}"
            );
        })
    });
}

#[test]
fn a_locked_database_is_busy_then_recovers() {
    with_db("locked", |db, dir| async move {
        db.ensure_schema::<User>().await.unwrap();
        let impatient = Sqlite::options(dir.join("test.db"))
            .busy_timeout(Duration::from_millis(50))
            .open()
            .await
            .unwrap();
        let locker = rusqlite_free_connection(&dir);
        locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let err = impatient
            .publish(Publish::Insert(user(1, "Ada")))
            .await
            .unwrap_err();
        assert_eq!(storage_kind(&err), Some(StorageErrorKind::Busy), "{err:?}");
        locker.execute_batch("COMMIT").unwrap();
        impatient
            .publish(Publish::Insert(user(1, "Ada")))
            .await
            .unwrap();
        assert!(Provider::<User>::load(&db, &1).await.unwrap().is_some());
    });
}

#[test]
fn a_publish_refused_by_a_trigger_leaves_row_and_model_as_they_were() {
    with_db("trigger", |db, dir| async move {
        db.ensure_schema::<User>().await.unwrap();
        db.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();
        rusqlite_free_connection(&dir)
            .execute_batch(
                "CREATE TRIGGER refuse BEFORE UPDATE OF age ON users \
                 WHEN NEW.age > 150 BEGIN SELECT RAISE(ABORT, 'too old'); END",
            )
            .unwrap();
        let registry = Registry::new();
        registry.provide::<User>(db.clone());
        let ada = registry.get_or_load::<User>(&1).await.unwrap();
        ada.batch(|b| {
            b.set_name("Ada L.".to_string())?;
            b.set_age(200)
        })
        .unwrap();
        let err = ada.publish().await.unwrap_err();
        assert_eq!(
            storage_kind(&err),
            Some(StorageErrorKind::Constraint),
            "{err:?}"
        );
        assert_eq!(
            (ada.name(), ada.age(), ada.version()),
            ("Ada L.".to_string(), 200, 1)
        );
        assert_eq!(ada.dirty_fields(), ["name", "age"]);
        let stored = Provider::<User>::load(&db, &1).await.unwrap().unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.age, stored.version),
            ("Ada", 30, 1)
        );
        // Fixed, it goes through.
        ada.set_age(40).unwrap();
        ada.publish().await.unwrap();
        let stored = Provider::<User>::load(&db, &1).await.unwrap().unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.age, stored.version),
            ("Ada L.", 40, 2)
        );
    });
}

#[test]
fn updates_write_only_dirty_fields_and_check_the_version() {
    with_db("updates", |db, _dir| async move {
        db.ensure_schema::<User>().await.unwrap();
        db.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();
        let one = Registry::new();
        one.provide::<User>(db.clone());
        let two = Registry::new();
        two.provide::<User>(db.clone());
        let a = one.get_or_load::<User>(&1).await.unwrap();
        let b = two.get_or_load::<User>(&1).await.unwrap();
        a.set_name("Ada L.".to_string()).unwrap();
        a.publish().await.unwrap();
        b.set_age(31).unwrap();
        match b.publish().await {
            Err(Error::Conflict {
                expected, actual, ..
            }) => assert_eq!((expected, actual), (Some(1), Some(2))),
            other => panic!("expected a conflict, got {other:?}"),
        }
        b.reload().await.unwrap();
        b.set_age(31).unwrap();
        b.publish().await.unwrap();
        let stored = Provider::<User>::load(&db, &1).await.unwrap().unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.age, stored.version),
            ("Ada L.", 31, 3)
        );
        let err = Provider::<User>::delete(&db, &9, None).await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        let err = Provider::<User>::delete(&db, &1, Some(1))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
        b.delete().await.unwrap();
        assert_eq!(Provider::<User>::load(&db, &1).await.unwrap(), None);
        let err = db
            .publish(Publish::Insert(user(2, "Bob")))
            .await
            .map(|_| ());
        err.unwrap();
        let err = db
            .publish(Publish::Insert(user(2, "Bob")))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AlreadyStored { .. }), "{err:?}");
    });
}

#[test]
fn a_unit_of_work_is_all_or_nothing() {
    with_db("unit of work", |db, _dir| async move {
        db.ensure_schema::<User>().await.unwrap();
        db.ensure_schema::<Note>().await.unwrap();
        db.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();

        // A note and a user in one unit; the user's update conflicts: neither is stored.
        let mut unit = db.unit_of_work().await.unwrap();
        let note = unit
            .publish(Publish::Insert(Note {
                id: Some(10),
                text: "audit".into(),
            }))
            .await
            .unwrap();
        assert_eq!(note.id, Some(10));
        let fields = reactive::FieldSet::single(reactive::Key::index(&User::NAME));
        let stale = unit
            .publish(Publish::Update {
                id: 1,
                value: user(1, "Ada L."),
                fields,
                expected_version: Some(7),
            })
            .await;
        assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
        assert!(unit.commit().await.is_err(), "a failed unit cannot commit");
        assert_eq!(Provider::<Note>::load(&db, &10).await.unwrap(), None);
        let stored = Provider::<User>::load(&db, &1).await.unwrap().unwrap();
        assert_eq!((stored.name.as_str(), stored.version), ("Ada", 1));

        // The same with the right version: both are stored, at once.
        let mut unit = db.unit_of_work().await.unwrap();
        unit.publish(Publish::Insert(Note {
            id: Some(10),
            text: "audit".into(),
        }))
        .await
        .unwrap();
        unit.publish(Publish::Update {
            id: 1,
            value: user(1, "Ada L."),
            fields,
            expected_version: Some(1),
        })
        .await
        .unwrap();
        unit.delete::<User>(&1, Some(2)).await.unwrap();
        assert!(
            Provider::<User>::load(&db, &1).await.unwrap().is_some(),
            "nothing is visible before commit"
        );
        unit.commit().await.unwrap();
        assert!(Provider::<Note>::load(&db, &10).await.unwrap().is_some());
        assert_eq!(Provider::<User>::load(&db, &1).await.unwrap(), None);

        // Dropped before commit: rolled back.
        let mut unit = db.unit_of_work().await.unwrap();
        unit.publish(Publish::Insert(user(5, "Eve"))).await.unwrap();
        drop(unit);
        assert_eq!(Provider::<User>::load(&db, &5).await.unwrap(), None);
        // publish_all: all or nothing too.
        let err = db
            .publish_all(vec![
                Publish::Insert(user(6, "Fay")),
                Publish::Insert(user(6, "Fay again")),
            ])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AlreadyStored { .. }), "{err:?}");
        assert_eq!(Provider::<User>::load(&db, &6).await.unwrap(), None);
        let stored = db
            .publish_all(vec![
                Publish::Insert(user(6, "Fay")),
                Publish::Insert(user(7, "Gus")),
            ])
            .await
            .unwrap();
        assert_eq!(stored.len(), 2);
    });
}
