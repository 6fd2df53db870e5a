//! The `uuid` and `time` column mappings on PostgreSQL (`UUID`, `TIMESTAMPTZ`): round trips,
//! order and filters, against the memory provider's answers.

use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider, Publish};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::support::*;

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
            // Ids whose text order differs from the order of their first byte's sign.
            id: Uuid::from_u128(0x1000 + i as u128 + ((i as u128 % 2) << 127)),
            // Around both epochs (1970 and 2000), to the microsecond.
            at: instant(946_684_800_000_000 - 2_000_001 + i * 1_000_001),
            ended: (i % 2 == 0).then(|| instant(-1_800_000_000_000_000 - i)),
            owner: (i % 3 == 0).then(|| Uuid::from_u128(u128::MAX - i as u128)),
        })
        .collect()
}

/// The ids each query gives on `store`.
async fn ids_of(store: &dyn Provider<Happening>) -> Vec<Vec<u128>> {
    let queries = [
        Query::new().filter(Happening::AT.after(instant(946_684_800_000_000))),
        Query::new().filter(Happening::ENDED.is_null()),
        Query::new()
            .filter(Happening::AT.at_or_before(instant(946_684_800_000_001)))
            .order_by(Happening::AT.desc()),
        Query::new().order_by(Happening::OWNER.asc()),
        Query::new().order_by(Happening::ID.desc()),
        Query::new().filter(Happening::ID.eq(Uuid::from_u128(0x1003 + (1 << 127)))),
        Query::new().filter(Happening::ENDED.at(instant(-1_800_000_000_000_002))),
        Query::new().filter(Happening::OWNER.ne(Uuid::from_u128(u128::MAX))),
    ];
    let mut out = Vec::new();
    for query in queries {
        let page = store.list(&query.limit(100)).await.expect("the query runs");
        out.push(page.items.iter().map(|h| h.id.as_u128()).collect());
    }
    out
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn uuids_and_timestamps_round_trip_and_query_like_the_reference() {
    with_db("uuid and time", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<Happening>().await.unwrap();
        let memory = MemoryProvider::<Happening>::new();
        for h in fixtures() {
            memory.insert(h.clone());
            let stored = db.publish(Publish::Insert(h.clone())).await.unwrap();
            assert_eq!(stored, h);
        }
        for h in fixtures() {
            let loaded = Provider::<Happening>::load(db, &h.id).await.unwrap();
            assert_eq!(loaded.as_ref(), Some(&h));
        }
        let reference = ids_of(&memory).await;
        assert_eq!(ids_of(db).await, reference);
        assert_eq!(reference[5], [0x1003 + (1 << 127)]);
        assert_eq!(reference[6], [0x1002]);
        assert_eq!(reference[1].len(), 3);
        // A finer instant than a microsecond is stored truncated, and the store says so.
        let fine = Happening {
            id: Uuid::from_u128(7),
            at: instant(5) + time::Duration::nanoseconds(999),
            ended: None,
            owner: None,
        };
        let stored = db.publish(Publish::Insert(fine)).await.unwrap();
        assert_eq!(stored.at, instant(5));
    });
}
