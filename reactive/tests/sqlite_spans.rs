//! The SQLite provider's tracing: one span per provider call with the entity, the id, the
//! operation, the rows and the duration. A binary of its own: its subscriber is the process's
//! global one, so no other test's spans or callsite caching interfere.

mod common;

use common::spans::SpanLog;
use common::watchdog;
use reactive::prelude::*;
use reactive::provider::sqlite::Sqlite;
use reactive::provider::{Provider, Publish};

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("users")]
struct User {
    id: u64,
    name: String,
}

#[test]
fn every_provider_call_has_a_span_with_entity_id_operation_rows_and_duration() {
    use tracing_subscriber::layer::SubscriberExt;
    let log = SpanLog::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(log.clone()))
        .expect("the only subscriber of this test binary");
    watchdog(60, "spans", move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let db = Sqlite::open(dir.path().join("test.db")).await.unwrap();
                db.ensure_schema::<User>().await.unwrap();
                let ada = User {
                    id: 7,
                    name: "Ada".into(),
                };
                db.publish(Publish::Insert(ada)).await.unwrap();
                Provider::<User>::load(&db, &7).await.unwrap();
                db.list(&Query::<User>::new()).await.unwrap();
            })
    });
    let spans = log.0.lock().unwrap().clone();
    let ops: Vec<_> = spans.iter().map(|f| f["operation"].as_str()).collect();
    assert_eq!(ops, ["\"insert\"", "\"load\"", "\"list\""], "{spans:?}");
    for span in &spans {
        assert_eq!(span["entity"], "\"users\"");
        assert_eq!(span["backend"], "\"sqlite\"");
        assert!(span.contains_key("duration_us"), "{span:?}");
        assert_eq!(span["rows"], "1", "{span:?}");
    }
    assert_eq!(spans[1]["id"], "7");
}
