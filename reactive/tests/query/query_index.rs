//! The memory provider's pages against the reference algorithm (every row matched and keyed
//! with the query's plan, sorted, the cursor applied), while rows are inserted, updated and
//! deleted between pages: the walk of its index by id and its scan for other orders give
//! the same items, cursors and totals. Random but seeded.

use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider, Publish};
use reactive::query::Cursor;
use reactive::FieldSet;

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("items")]
struct Item {
    id: i64,
    name: String,
    rank: Option<i32>,
    age: i64,
    count: u64,
}

/// splitmix64: a small seeded generator, the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn item(&mut self, id: i64) -> Item {
        Item {
            id,
            name: ["a", "b", "B", "é"][self.below(4) as usize].to_string(),
            rank: (self.below(4) != 0).then(|| self.below(5) as i32),
            age: self.below(20) as i64,
            count: self.below(100),
        }
    }
}

/// The reference semantics, from the plan's public pieces: what the memory provider did by
/// scanning before it kept an index.
fn reference(rows: &[Item], query: &Query<Item>) -> Result<Page<Item>, Error> {
    let plan = query.plan()?;
    let mut total = 0;
    let mut hits = Vec::new();
    for row in rows {
        if !plan.matches(row)? {
            continue;
        }
        total += 1;
        let key = plan.sort_key(row)?;
        if plan.is_after_cursor(&key) {
            hits.push((key, row));
        }
    }
    hits.sort_by(|a, b| plan.cmp_keys(&a.0, &b.0));
    let more = hits.len() > plan.limit();
    hits.truncate(plan.limit());
    Ok(Page {
        next: match hits.last() {
            Some((key, _)) if more => Some(plan.cursor_after(key)),
            _ => None,
        },
        items: hits.into_iter().map(|(_, row)| row.clone()).collect(),
        total: plan.wants_total().then_some(total),
    })
}

fn queries() -> Vec<Query<Item>> {
    vec![
        // Ordered by id: the index.
        Query::new(),
        Query::new().filter(Item::AGE.ge(5)).with_total(),
        Query::new().order_by(Item::ID.desc()).with_total(),
        Query::new()
            .filter(Item::NAME.ne("b").or(Item::RANK.is_null()))
            .order_by(Item::ID.asc()),
        Query::new()
            .filter(Item::RANK.gt(1))
            .order_by(Item::ID.desc())
            .order_by(Item::ID.asc()),
        // Other orders: the scan.
        Query::new()
            .filter(Item::AGE.lt(15))
            .order_by(Item::RANK.desc())
            .order_by(Item::NAME.asc())
            .with_total(),
        Query::new().order_by(Item::AGE.asc()),
    ]
}

/// Walks every page of `query` while the store changes between pages, comparing each page
/// with the reference over the same rows.
async fn walk(seed: u64, query: &Query<Item>) {
    let mut rng = Rng(seed);
    let store = MemoryProvider::<Item>::new();
    for id in 0..(60 + rng.below(200) as i64) {
        // Ids out of insertion order, negative ones included.
        store.insert(rng.item(id * 7 % 263 - 40));
    }
    let mut next_id = 1000;
    let mut cursor: Option<Cursor> = None;
    for pages in 0.. {
        assert!(pages < 2000, "seed {seed}: the walk does not end");
        let limit = 1 + rng.below(12) as usize;
        let asked = query.clone().limit(limit).after(cursor.take());
        let page = store.list(&asked).await.expect("a page");
        let expected = reference(&store.values(), &asked).expect("the reference page");
        assert_eq!(page, expected, "seed {seed}, page {pages}: {asked:?}");
        for _ in 0..rng.below(4) {
            let present: Vec<i64> = store.values().iter().map(|i| i.id).collect();
            let Some(&id) = present.get(rng.below(present.len().max(1) as u64) as usize) else {
                break;
            };
            match rng.below(3) {
                0 => store.delete(&id, None).await.expect("delete"),
                1 => {
                    // Every field but the id (index 0) rewritten.
                    let fields = FieldSet::from_indices(&[1, 2, 3, 4]);
                    store
                        .publish(Publish::Update {
                            id,
                            value: rng.item(id),
                            fields,
                            expected_version: None,
                        })
                        .await
                        .expect("update");
                }
                _ => {
                    store.insert(rng.item(next_id));
                    next_id += 1;
                }
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
}

#[tokio::test]
async fn pages_by_id_and_by_other_keys_match_the_reference_while_rows_change() {
    for seed in 0..25 {
        for query in queries() {
            walk(seed, &query).await;
        }
    }
}

#[tokio::test]
async fn a_page_larger_than_the_store_and_an_empty_store() {
    let store = MemoryProvider::<Item>::new();
    let all = Query::new().limit(1000).with_total();
    let empty = store.list(&all).await.unwrap();
    assert!(empty.items.is_empty() && empty.next.is_none());
    assert_eq!(empty.total, Some(0));
    let mut rng = Rng(7);
    for id in (0..50).rev() {
        store.insert(rng.item(id));
    }
    let page = store.list(&all).await.unwrap();
    let ids: Vec<i64> = page.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, (0..50).collect::<Vec<_>>());
    assert_eq!((page.next, page.total), (None, Some(50)));
}

#[tokio::test]
async fn a_value_that_is_not_a_query_value_is_an_error_wherever_its_row_is() {
    let store = MemoryProvider::<Item>::new();
    let mut rng = Rng(3);
    for id in 0..100 {
        store.insert(rng.item(id));
    }
    // The last row by id holds a count no store can hold: a page that reads `count` fails
    // even when the page ends long before that row.
    let mut big = rng.item(99);
    big.count = i64::MAX as u64 + 1;
    store.insert(big);
    let by_count = Query::new().filter(Item::COUNT.ge(0)).limit(5);
    let err = store
        .list(&by_count)
        .await
        .expect_err("an out-of-range count");
    assert!(
        matches!(&err, Error::InvalidValue { field, .. } if field == "count"),
        "{err:?}"
    );
    // A page that does not read it is served.
    let by_age = Query::new().filter(Item::AGE.ge(0)).limit(5);
    assert_eq!(store.list(&by_age).await.unwrap().items.len(), 5);
    // Once the row is gone, the same query is served again.
    store.delete(&99, None).await.unwrap();
    assert_eq!(store.list(&by_count).await.unwrap().items.len(), 5);
}

#[tokio::test]
async fn a_cursor_past_every_row_and_one_before_them_all() {
    let store = MemoryProvider::<Item>::new();
    let mut rng = Rng(11);
    for id in 10..20 {
        store.insert(rng.item(id));
    }
    let first = store.list(&Query::new().limit(3)).await.unwrap();
    // Every row before the cursor is deleted, and rows are added before it: they are not on
    // the next page, which starts after the cursor's id.
    for id in 10..13 {
        store.delete(&id, None).await.unwrap();
    }
    store.insert(rng.item(0));
    let next = store
        .list(&Query::new().limit(3).after(first.next.clone()))
        .await
        .unwrap();
    let ids: Vec<i64> = next.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, [13, 14, 15]);
    // Descending from the start: the largest ids first; past the smallest, nothing.
    let desc = Query::new().order_by(Item::ID.desc()).limit(20);
    let page = store.list(&desc).await.unwrap();
    let ids: Vec<i64> = page.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, [19, 18, 17, 16, 15, 14, 13, 0]);
}
