//! Keyset pagination while the store changes between pages: every entity present for the
//! whole walk appears exactly once, and none appears twice. Random but seeded.

use std::collections::{BTreeSet, HashMap};

use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider};

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("items")]
struct Item {
    id: u32,
    name: String,
    rank: Option<i32>,
    age: i64,
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

    fn item(&mut self, id: u32) -> Item {
        Item {
            id,
            // Few names and ranks: many ties, broken by id.
            name: ["a", "b", "B", "é"][self.below(4) as usize].to_string(),
            rank: (self.below(4) != 0).then(|| self.below(5) as i32),
            age: self.below(20) as i64,
        }
    }
}

fn queries() -> Vec<Query<Item>> {
    vec![
        Query::new()
            .filter(Item::AGE.ge(5))
            .order_by(Item::RANK.desc())
            .order_by(Item::NAME.asc()),
        Query::new()
            .order_by(Item::NAME.desc())
            .order_by(Item::RANK.asc()),
        Query::new().filter(Item::NAME.ne("b").or(Item::RANK.is_null())),
    ]
}

async fn walk(seed: u64, query: &Query<Item>) {
    let mut rng = Rng(seed);
    let store = MemoryProvider::<Item>::new();
    for id in 1..=150 {
        store.insert(rng.item(id));
    }
    let initial: Vec<Item> = store.values();
    let mut deleted = BTreeSet::new();
    let mut next_id = 1000;
    let mut seen: HashMap<u32, usize> = HashMap::new();
    let mut cursor = None;
    for pages in 0.. {
        assert!(pages < 1000, "seed {seed}: the walk does not end");
        // The page size may change between pages.
        let limit = 1 + rng.below(9) as usize;
        let page = store
            .list(&query.clone().limit(limit).after(cursor.take()))
            .await
            .expect("a page");
        assert!(page.items.len() <= limit);
        for item in &page.items {
            assert!(query.matches(item).unwrap(), "seed {seed}: {item:?}");
            *seen.entry(item.id).or_default() += 1;
        }
        // Between pages: delete and insert a few.
        for _ in 0..rng.below(4) {
            let present: Vec<u32> = store.values().iter().map(|i| i.id).collect();
            if let Some(&id) = present.get(rng.below(present.len().max(1) as u64) as usize) {
                store.delete(&id, None).await.expect("delete");
                deleted.insert(id);
            }
        }
        for _ in 0..rng.below(4) {
            store.insert(rng.item(next_id));
            next_id += 1;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    for (id, count) in &seen {
        assert_eq!(*count, 1, "seed {seed}: item {id} appeared {count} times");
    }
    let stayed: Vec<&Item> = initial
        .iter()
        .filter(|i| !deleted.contains(&i.id) && query.matches(i).unwrap())
        .collect();
    assert!(!stayed.is_empty());
    for item in stayed {
        assert!(
            seen.contains_key(&item.id),
            "seed {seed}: {item:?} was present for the whole walk and never appeared"
        );
    }
}

#[tokio::test]
async fn keyset_pages_while_items_are_inserted_and_deleted() {
    for seed in 0..40 {
        for query in queries() {
            walk(seed, &query).await;
        }
    }
}
