//! The `uuid` and `time` column mappings on SQLite: round trips, order and filters.

mod common;

use common::watchdog;
use reactive::prelude::*;
use reactive::provider::sqlite::Sqlite;
use reactive::provider::{MemoryProvider, Provider, Publish};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("events")]
struct Happening {
    id: Uuid,
    at: OffsetDateTime,
    ended: Option<OffsetDateTime>,
    owner: Option<Uuid>,
}

fn instant(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).unwrap()
}

fn fixtures() -> Vec<Happening> {
    (0..6)
        .map(|i| Happening {
            id: Uuid::from_u128(0x1000 + i as u128),
            at: instant(1_700_000_000_000_000 + i * 1_000_001),
            ended: (i % 2 == 0).then(|| instant(1_800_000_000_000_000 - i)),
            owner: (i % 3 == 0).then(|| Uuid::from_u128(0xff - i as u128)),
        })
        .collect()
}

/// Runs the same queries against `store` and returns the ids each gives.
async fn ids_of(store: &dyn Provider<Happening>) -> Vec<Vec<u128>> {
    let queries = [
        Query::new().filter(Happening::AT.after(instant(1_700_000_002_000_000))),
        Query::new().filter(Happening::ENDED.is_null()),
        Query::new()
            .filter(Happening::AT.at_or_before(instant(1_700_000_003_000_003)))
            .order_by(Happening::AT.desc()),
        Query::new().order_by(Happening::OWNER.asc()),
        Query::new().filter(Happening::ID.eq(Uuid::from_u128(0x1003))),
        Query::new().filter(Happening::ENDED.at(instant(1_800_000_000_000_000))),
    ];
    let mut out = Vec::new();
    for query in queries {
        let page = store.list(&query.limit(100)).await.expect("the query runs");
        out.push(page.items.iter().map(|h| h.id.as_u128()).collect());
    }
    out
}

#[test]
fn uuids_and_timestamps_round_trip_and_query_like_the_reference() {
    watchdog(60, "uuid and time", || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let db = Sqlite::open(dir.path().join("test.db")).await.unwrap();
                db.ensure_schema::<Happening>().await.unwrap();
                let memory = MemoryProvider::<Happening>::new();
                for h in fixtures() {
                    memory.insert(h.clone());
                    db.publish(Publish::Insert(h)).await.unwrap();
                }
                for h in fixtures() {
                    let loaded = Provider::<Happening>::load(&db, &h.id).await.unwrap();
                    assert_eq!(loaded.as_ref(), Some(&h));
                }
                let reference = ids_of(&memory).await;
                assert_eq!(ids_of(&db).await, reference);
                assert_eq!(reference[4], [0x1003]);
                assert_eq!(reference[5], [0x1000]);
                assert_eq!(reference[1].len(), 3);
            })
    });
}
