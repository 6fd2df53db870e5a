//! Writes: dirty fields only, the version check, deletes, refused publishes, units of work,
//! spans.

use reactive::prelude::*;
use reactive::provider::{Provider, Publish};
use reactive::sql::shared::CallSpan;
use reactive::{FieldSet, StorageErrorKind};

use crate::common::spans::SpanLog;
use crate::support::*;

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn updates_write_only_the_dirty_fields() {
    with_db("dirty", |ctx| async move {
        ctx.db.ensure_schema::<Note>().await.unwrap();
        let stored = ctx
            .db
            .publish(Publish::Insert(Note {
                id: None,
                text: "first".into(),
                pinned: false,
            }))
            .await
            .unwrap();
        let id = stored.id.unwrap();
        // Two servers with the note live; each changes one field of an unversioned entity.
        let (one, two) = (ctx.registry::<Note>(), ctx.registry::<Note>());
        let a = one.get_or_load::<Note>(&id).await.unwrap();
        let b = two.get_or_load::<Note>(&id).await.unwrap();
        a.set_text("edited".to_string()).unwrap();
        a.publish().await.unwrap();
        b.set_pinned(true).unwrap();
        b.publish().await.unwrap();
        // The second publish wrote `pinned` only: the first's `text` survives.
        let stored = Provider::<Note>::load(&ctx.db, &id).await.unwrap().unwrap();
        assert_eq!((stored.text.as_str(), stored.pinned), ("edited", true));
        // Nothing dirty: nothing sent, nothing fails.
        b.publish().await.unwrap();
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn versions_conflicts_deletes_and_duplicates() {
    with_db("versions", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<User>().await.unwrap();
        let stored = db.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();
        assert_eq!(stored.version, 1, "an insert starts at version 1");
        let (one, two) = (ctx.registry::<User>(), ctx.registry::<User>());
        let a = one.get_or_load::<User>(&1).await.unwrap();
        let b = two.get_or_load::<User>(&1).await.unwrap();
        a.set_name("Ada L.".to_string()).unwrap();
        a.publish().await.unwrap();
        assert_eq!(a.version(), 2);
        b.set_age(31).unwrap();
        match b.publish().await {
            Err(Error::Conflict {
                expected, actual, ..
            }) => assert_eq!((expected, actual), (Some(1), Some(2))),
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!((b.age(), b.version()), (31, 1), "the model is as it was");
        assert_eq!(b.dirty_fields(), ["age"]);
        b.reload().await.unwrap();
        b.set_age(31).unwrap();
        b.publish().await.unwrap();
        let stored = Provider::<User>::load(db, &1).await.unwrap().unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.age, stored.version),
            ("Ada L.", 31, 3)
        );

        // An update of an id that is not stored.
        let mut ghost = user(9, "Ghost");
        ghost.version = 1;
        let err = db
            .publish(Publish::Update {
                id: 9,
                value: ghost,
                fields: FieldSet::single(User::NAME.index()),
                expected_version: Some(1),
            })
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

        let err = Provider::<User>::delete(db, &9, None).await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        let err = Provider::<User>::delete(db, &1, Some(1)).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Conflict {
                    expected: Some(1),
                    actual: Some(3),
                    ..
                }
            ),
            "{err:?}"
        );
        b.delete().await.unwrap();
        assert_eq!(Provider::<User>::load(db, &1).await.unwrap(), None);
        assert!(one.get_or_load::<User>(&1).await.is_err() || a.version() == 2);

        db.publish(Publish::Insert(user(2, "Bob"))).await.unwrap();
        let err = db
            .publish(Publish::Insert(user(2, "Bob")))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::AlreadyStored { entity: "users", id } if id == "2"),
            "{err:?}"
        );
        // Deleting without a version deletes whatever version is stored.
        Provider::<User>::delete(db, &2, None).await.unwrap();
    });
}

/// Loads user 1 into a fresh registry, changes two fields, and publishes: the store refuses.
/// The row and the model (values, dirty fields, version) must be as they were.
async fn refused_publish_leaves_row_and_model(ctx: &Ctx) {
    let registry = ctx.registry::<User>();
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
    assert!(!ada.flags().processing);
    let stored = Provider::<User>::load(&ctx.db, &1).await.unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.age, stored.version),
        ("Ada", 30, 1)
    );
    // Fixed, it goes through.
    ada.set_age(40).unwrap();
    ada.publish().await.unwrap();
    let stored = Provider::<User>::load(&ctx.db, &1).await.unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.age, stored.version),
        ("Ada L.", 40, 2)
    );
    assert!(ada.dirty_fields().is_empty());
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn a_publish_refused_by_a_check_constraint_leaves_row_and_model_as_they_were() {
    with_db("check", |ctx| async move {
        ctx.db.ensure_schema::<User>().await.unwrap();
        ctx.db
            .publish(Publish::Insert(user(1, "Ada")))
            .await
            .unwrap();
        ctx.exec("ALTER TABLE users ADD CONSTRAINT sane_age CHECK (age <= 150)")
            .await;
        refused_publish_leaves_row_and_model(&ctx).await;
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn a_publish_refused_by_a_trigger_leaves_row_and_model_as_they_were() {
    with_db("trigger", |ctx| async move {
        ctx.db.ensure_schema::<User>().await.unwrap();
        ctx.db
            .publish(Publish::Insert(user(1, "Ada")))
            .await
            .unwrap();
        // The trigger raises after the row was changed in the statement: the update is
        // undone as a whole.
        ctx.exec(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.age > 150 THEN RAISE EXCEPTION 'too old: %', NEW.age; END IF; \
             RETURN NEW; END $$; \
             CREATE TRIGGER refuse AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .await;
        refused_publish_leaves_row_and_model(&ctx).await;
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn a_unit_of_work_is_all_or_nothing() {
    with_db("unit of work", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<User>().await.unwrap();
        db.ensure_schema::<Note>().await.unwrap();
        let bob = db.publish(Publish::Insert(user(2, "Bob"))).await.unwrap();

        // The second publish conflicts (a stale version): the first is not written.
        let mut renamed = bob.clone();
        renamed.name = "Robert".into();
        let err = db
            .publish_all(vec![
                Publish::Insert(user(1, "Ada")),
                Publish::Update {
                    id: 2,
                    value: renamed.clone(),
                    fields: FieldSet::single(User::NAME.index()),
                    expected_version: Some(7),
                },
            ])
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Conflict {
                    expected: Some(7),
                    actual: Some(1),
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(Provider::<User>::load(db, &1).await.unwrap(), None);
        assert_eq!(
            Provider::<User>::load(db, &2).await.unwrap(),
            Some(bob.clone())
        );

        // A duplicate insert second: the same.
        let err = db
            .publish_all(vec![
                Publish::Insert(user(1, "Ada")),
                Publish::Insert(user(2, "Bob again")),
            ])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AlreadyStored { .. }), "{err:?}");
        assert_eq!(Provider::<User>::load(db, &1).await.unwrap(), None);

        // Every step fine: all of it, across entities, deletes included.
        let mut unit = db.unit_of_work().await.unwrap();
        unit.publish(Publish::Insert(user(1, "Ada"))).await.unwrap();
        let stored = unit
            .publish(Publish::Update {
                id: 2,
                value: renamed,
                fields: FieldSet::single(User::NAME.index()),
                expected_version: Some(1),
            })
            .await
            .unwrap();
        assert_eq!((stored.name.as_str(), stored.version), ("Robert", 2));
        let note = unit
            .publish(Publish::Insert(Note {
                id: None,
                text: "in the unit".into(),
                pinned: false,
            }))
            .await
            .unwrap();
        // Not visible outside before the commit.
        assert_eq!(Provider::<User>::load(db, &1).await.unwrap(), None);
        unit.commit().await.unwrap();
        assert!(Provider::<User>::load(db, &1).await.unwrap().is_some());
        let note_id = note.id.unwrap();
        assert!(Provider::<Note>::load(db, &note_id)
            .await
            .unwrap()
            .is_some());

        // Dropped before its commit: rolled back.
        let mut unit = db.unit_of_work().await.unwrap();
        unit.delete::<User>(&1, Some(1)).await.unwrap();
        unit.delete::<Note>(&note_id, None).await.unwrap();
        drop(unit);
        assert!(Provider::<User>::load(db, &1).await.unwrap().is_some());
        assert!(Provider::<Note>::load(db, &note_id)
            .await
            .unwrap()
            .is_some());

        // After an error, the unit is over: nothing it did is kept, later calls fail.
        let mut unit = db.unit_of_work().await.unwrap();
        unit.delete::<User>(&1, Some(1)).await.unwrap();
        let err = unit.delete::<User>(&404, None).await.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        let err = unit
            .publish(Publish::Insert(user(3, "Cy")))
            .await
            .unwrap_err();
        assert_eq!(storage_kind(&err), Some(StorageErrorKind::Other), "{err:?}");
        assert!(unit.commit().await.is_err());
        assert!(Provider::<User>::load(db, &1).await.unwrap().is_some());
        assert_eq!(Provider::<User>::load(db, &3).await.unwrap(), None);
        // The pool still serves (no connection was left inside a transaction).
        for _ in 0..8 {
            assert!(Provider::<User>::load(db, &2).await.unwrap().is_some());
        }
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn every_provider_call_has_a_span_with_entity_id_operation_rows_and_duration() {
    use tracing_subscriber::layer::SubscriberExt;
    let log = SpanLog::default();
    let subscriber = tracing_subscriber::registry().with(log.clone());
    let url = server_url();
    let schema = unique_schema("spans");
    tracing::subscriber::with_default(subscriber, || {
        // Another test's thread may be registering the span's callsite right now, with no
        // subscriber of its own, and cache that nobody wants it: ask again until this
        // thread's subscriber is asked too.
        for attempt in 0.. {
            tracing::callsite::rebuild_interest_cache();
            let probe = CallSpan::new::<User>("postgres", "probe", None);
            if !probe.span().is_disabled() {
                break;
            }
            assert!(attempt < 100, "the span's callsite stays disabled");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        log.0.lock().unwrap().clear();
        // A current-thread runtime: every span is made on this thread, under the subscriber.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let call = async {
                let db = reactive::provider::postgres::Postgres::connect(&url)
                    .await
                    .unwrap()
                    .in_schema(&schema)
                    .await
                    .unwrap();
                db.ensure_schema::<User>().await.unwrap();
                db.publish(Publish::Insert(user(7, "Ada"))).await.unwrap();
                Provider::<User>::load(&db, &7).await.unwrap();
                Provider::<User>::load_many(&db, &[7, 8]).await.unwrap();
                db.list(&Query::<User>::new()).await.unwrap();
                let mut ada = user(7, "Ada L.");
                ada.version = 1;
                db.publish(Publish::Update {
                    id: 7,
                    value: ada,
                    fields: FieldSet::single(User::NAME.index()),
                    expected_version: Some(1),
                })
                .await
                .unwrap();
                Provider::<User>::delete(&db, &7, Some(2)).await.unwrap();
                assert!(Provider::<User>::load(&db, &7).await.unwrap().is_none());
            };
            tokio::time::timeout(WATCHDOG, call)
                .await
                .expect("watchdog: the calls did not finish");
            drop_schema(&url, &schema).await;
        });
    });
    let spans = log.0.lock().unwrap().clone();
    let ops: Vec<_> = spans.iter().map(|f| f["operation"].as_str()).collect();
    assert_eq!(
        ops,
        [
            "\"insert\"",
            "\"load\"",
            "\"load_many\"",
            "\"list\"",
            "\"update\"",
            "\"delete\"",
            "\"load\""
        ],
        "{spans:?}"
    );
    let rows: Vec<_> = spans.iter().map(|f| f["rows"].as_str()).collect();
    assert_eq!(rows, ["1", "1", "1", "1", "1", "1", "0"]);
    for span in &spans {
        assert_eq!(span["entity"], "\"users\"");
        assert_eq!(span["backend"], "\"postgres\"");
        assert!(span.contains_key("duration_us"), "{span:?}");
    }
    for i in [0, 1, 4, 5] {
        assert_eq!(spans[i]["id"], "7", "{:?}", spans[i]);
    }
}
