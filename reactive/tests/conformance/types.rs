//! The `uuid` and `time` column mappings: round trips, order and filters, against the
//! memory provider's answers (SQL stores keep them as `UUID`/`TIMESTAMPTZ` or text/integer).

use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider, Publish};
use time::OffsetDateTime;
use uuid::Uuid;

use super::backend::*;

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("events")]
pub struct Happening {
    id: Uuid,
    at: OffsetDateTime,
    ended: Option<OffsetDateTime>,
    owner: Option<Uuid>,
}

fn instant(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).expect("in range")
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
async fn ids_of(store: &dyn Provider<Happening>) -> Result<Vec<Vec<u128>>, Error> {
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
        let page = store.list(&query.limit(100)).await?;
        out.push(page.items.iter().map(|h| h.id.as_u128()).collect());
    }
    Ok(out)
}

pub async fn uuids_and_timestamps_round_trip_and_query_alike<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Happening>().await?;
    let reference = MemoryProvider::<Happening>::new();
    for h in fixtures() {
        reference.insert(h.clone());
        assert_eq!(s.publish(Publish::Insert(h.clone())).await?, h);
    }
    for h in fixtures() {
        assert_eq!(s.load(&h.id).await?.as_ref(), Some(&h));
    }
    let expected = ids_of(&reference).await?;
    assert_eq!(ids_of(&*s).await?, expected);
    assert_eq!(expected[5], [0x1003 + (1 << 127)]);
    assert_eq!(expected[6], [0x1002]);
    assert_eq!(expected[1].len(), 3);
    // An instant finer than a microsecond: the store keeps it or truncates it to the
    // microsecond, and its response carries what it kept.
    let fine = Happening {
        id: Uuid::from_u128(7),
        at: instant(5) + time::Duration::nanoseconds(999),
        ended: None,
        owner: None,
    };
    let stored = s.publish(Publish::Insert(fine.clone())).await?;
    assert!(
        stored.at == fine.at || stored.at == instant(5),
        "{stored:?}"
    );
    assert_eq!(s.load(&fine.id).await?.map(|h| h.at), Some(stored.at));
    Ok(())
}
