//! Keyset pages and cursors: every row once, the last page without `next`, cursors bound to
//! their query, stable across stores; `total` only when asked.

use std::collections::{BTreeSet, HashMap};

use reactive::prelude::*;
use reactive::provider::Publish;

use super::backend::*;
use super::entities::*;

fn q() -> Query<Person> {
    Query::new()
}

/// 50 people with many ties and nulls in every sort key.
fn crowd() -> Vec<Person> {
    (1..=50)
        .map(|i| {
            let mut p = person(
                i,
                ["b", "a", "B", "é", "a"][i as usize % 5],
                i64::from(i % 6),
            );
            p.rank = (i % 4 != 0).then_some((i % 3) as i32);
            p.nickname = (i % 3 == 0).then(|| format!("n{}", i % 4));
            p.score = f64::from(i % 7) - 3.0;
            p
        })
        .collect()
}

fn orders() -> Vec<Query<Person>> {
    vec![
        q(),
        q().order_by(Person::NAME.asc()),
        q().order_by(Person::NAME.desc())
            .order_by(Person::AGE.asc()),
        q().order_by(Person::RANK.asc())
            .order_by(Person::NICKNAME.desc()),
        q().order_by(Person::RANK.desc())
            .order_by(Person::SCORE.asc()),
        q().order_by(Person::NICKNAME.asc())
            .order_by(Person::ROLE.desc()),
        q().filter(Person::AGE.ge(2)).order_by(Person::SCORE.desc()),
        q().filter(Person::RANK.ne(1))
            .order_by(Person::ACTIVE.asc()),
    ]
}

pub async fn pages_walk_every_row_exactly_once<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, crowd()).await?;
    for query in orders() {
        let all = ids(&*s, query.clone().limit(100)).await?;
        for limit in [1, 7, 10, 49, 50] {
            let (items, pages) = walk(&*s, &query.clone().limit(limit), 100).await?;
            let walked: Vec<u32> = items.iter().map(|p| p.id).collect();
            assert_eq!(walked, all, "{query:?} by {limit}");
            assert_eq!(
                pages,
                all.len().div_ceil(limit).max(1),
                "{query:?} by {limit}"
            );
        }
    }
    Ok(())
}

pub async fn the_last_page_has_no_next<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, (1..=20).map(|i| person(i, "x", 0))).await?;
    let first = s.list(&q().limit(10)).await?;
    assert!(first.next.is_some());
    let second = s.list(&q().limit(10).after(first.next)).await?;
    assert_eq!(second.items.len(), 10);
    assert!(second.next.is_none(), "no empty page after a full last one");
    let all = s.list(&q().limit(20)).await?;
    assert!(all.next.is_none());
    Ok(())
}

pub async fn an_empty_result_has_no_next<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Person>().await?;
    let page = s.list(&q().with_total()).await?;
    assert_eq!(
        (page.items.len(), page.next, page.total),
        (0, None, Some(0))
    );
    let (s, _) = seeded(b, people()).await?;
    let page = s
        .list(&q().filter(Person::AGE.gt(1000)).with_total())
        .await?;
    assert_eq!(
        (page.items.len(), page.next, page.total),
        (0, None, Some(0))
    );
    Ok(())
}

pub async fn a_tampered_cursor_is_an_invalid_cursor<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, (1..=10).map(|i| person(i, "x", 0))).await?;
    let query = q().order_by(Person::NAME.asc()).limit(3);
    let next = s.list(&query).await?.next.expect("a next page");
    let text = next.as_str().to_string();
    let mut bad = Vec::new();
    for (i, c) in text.char_indices() {
        let replacement = if c == 'A' { "B" } else { "A" };
        let mut t = text.clone();
        t.replace_range(i..i + c.len_utf8(), replacement);
        bad.push(t);
    }
    bad.push(text[..text.len() - 1].to_string());
    bad.push(format!("{text}A"));
    bad.push(String::new());
    bad.push("not a cursor!".to_string());
    bad.push("'; DROP TABLE people; --".to_string());
    for t in bad {
        let err = refused(&*s, query.clone().after(Cursor::new(t.clone()))).await;
        assert!(matches!(err, Error::InvalidCursor { .. }), "{t}: {err:?}");
    }
    assert_eq!(ids(&*s, query.after(next)).await?, [4, 5, 6]);
    Ok(())
}

pub async fn another_querys_cursor_is_an_invalid_cursor<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, (1..=10).map(|i| person(i, "x", i64::from(i)))).await?;
    let base = q()
        .filter(Person::AGE.gt(2))
        .order_by(Person::NAME.asc())
        .limit(3);
    let next = s.list(&base).await?.next.expect("a next page");
    let others = [
        q().filter(Person::AGE.gt(3)).order_by(Person::NAME.asc()),
        q().filter(Person::AGE.ge(2)).order_by(Person::NAME.asc()),
        q().order_by(Person::NAME.asc()),
        q().filter(Person::AGE.gt(2)).order_by(Person::NAME.desc()),
        q().filter(Person::AGE.gt(2)).order_by(Person::AGE.asc()),
        q().filter(Person::AGE.gt(2)),
        q().filter(Person::AGE.gt(2))
            .order_by(Person::NAME.asc())
            .order_by(Person::AGE.asc()),
    ];
    for other in others {
        let err = refused(&*s, other.clone().after(next.clone())).await;
        assert!(
            matches!(err, Error::InvalidCursor { .. }),
            "{other:?}: {err:?}"
        );
    }
    // Another entity with the same field names.
    let pets = b.provider::<Pet>().await?;
    let pet = Pet {
        id: 1,
        name: "x".into(),
        age: 3,
    };
    pets.publish(Publish::Insert(pet)).await?;
    let foreign = Query::<Pet>::new()
        .filter(Pet::AGE.gt(2))
        .order_by(Pet::NAME.asc())
        .limit(3)
        .after(next.clone());
    let err = pets.list(&foreign).await.expect_err("a foreign cursor");
    assert!(matches!(err, Error::InvalidCursor { .. }), "{err:?}");
    // The limit is not part of the binding: a next page may be larger.
    assert_eq!(ids(&*s, base.limit(5).after(next)).await?, [6, 7, 8, 9, 10]);
    Ok(())
}

/// The same data in two fresh stores gives the same cursors, and one store's cursor
/// continues the other's walk: nothing in a cursor is per process or per store.
pub async fn cursors_are_stable_across_stores<B: Backend>(b: &B) -> Outcome {
    let (one, _) = seeded(b, crowd()).await?;
    let (two, _) = seeded(b, crowd()).await?;
    for query in orders() {
        let query = query.limit(6);
        let a = one.list(&query).await?;
        let c = two.list(&query).await?;
        assert_eq!(a, c, "{query:?}");
        let next = a.next.expect("a next page");
        let from_two = two.list(&query.clone().after(next.clone())).await?;
        let from_one = one.list(&query.clone().after(next)).await?;
        assert_eq!(from_two, from_one, "{query:?}");
    }
    Ok(())
}

pub async fn cursors_pass_through_null_sort_values<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?; // ranks: 1 -> 2, 2 -> 1, 5 -> 3, 3 and 4 -> null
    for (order, want) in [
        (Person::RANK.asc(), [2, 1, 5, 3, 4]),
        (Person::RANK.desc(), [3, 4, 5, 1, 2]),
        (Person::NICKNAME.asc(), [1, 2, 3, 4, 5]),
        (Person::NICKNAME.desc(), [3, 4, 5, 2, 1]),
    ] {
        let (items, pages) = walk(&*s, &q().order_by(order).limit(1), 10).await?;
        let walked: Vec<u32> = items.iter().map(|p| p.id).collect();
        assert_eq!(walked, want);
        assert_eq!(pages, 5);
    }
    Ok(())
}

pub async fn total_is_counted_only_when_asked<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let query = q().filter(Person::AGE.gt(40)).limit(1);
    let page = s.list(&query).await?;
    assert_eq!(page.total, None);
    let page = s.list(&query.clone().with_total()).await?;
    assert_eq!(page.total, Some(3));
    let second = s
        .list(&query.clone().with_total().after(page.next.clone()))
        .await?;
    assert_eq!(second.total, Some(3), "the total counts every page");
    let third = s.list(&query.after(page.next)).await?;
    assert_eq!(third.total, None);
    let all = s.list(&q().with_total()).await?;
    assert_eq!(all.total, Some(5));
    Ok(())
}

/// splitmix64: a small seeded generator, the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }

    fn person(&mut self, id: u32) -> Person {
        let mut p = person(id, ["a", "b", "B", "é"][self.below(4) as usize], 0);
        p.rank = (self.below(4) != 0).then(|| self.below(5) as i32);
        p.age = self.below(20) as i64;
        p
    }
}

/// Rows inserted and deleted between pages: every row present for the whole walk appears
/// once, and no row appears twice.
pub async fn pages_stay_consistent_while_rows_change<B: Backend>(b: &B) -> Outcome {
    let queries = [
        q().filter(Person::AGE.ge(5))
            .order_by(Person::RANK.desc())
            .order_by(Person::NAME.asc()),
        q().order_by(Person::NAME.desc())
            .order_by(Person::RANK.asc()),
    ];
    for (seed, query) in queries.iter().enumerate() {
        let mut rng = Rng(seed as u64);
        let initial: Vec<Person> = (1..=60).map(|id| rng.person(id)).collect();
        let (s, _) = seeded(b, initial.clone()).await?;
        let mut present: BTreeSet<u32> = (1..=60).collect();
        let mut deleted = BTreeSet::new();
        let mut seen: HashMap<u32, usize> = HashMap::new();
        let mut next_id = 1000;
        let mut cursor = None;
        for pages in 0.. {
            assert!(pages < 500, "the walk does not end");
            let limit = 1 + rng.below(9) as usize;
            let page = s
                .list(&query.clone().limit(limit).after(cursor.take()))
                .await?;
            for p in &page.items {
                assert!(query.matches(p).expect("a valid query"), "{p:?}");
                *seen.entry(p.id).or_default() += 1;
            }
            for _ in 0..rng.below(3) {
                let all: Vec<u32> = present.iter().copied().collect();
                let id = all[rng.below(all.len() as u64) as usize];
                s.delete(&id, None).await?;
                present.remove(&id);
                deleted.insert(id);
            }
            for _ in 0..rng.below(3) {
                s.publish(Publish::Insert(rng.person(next_id))).await?;
                present.insert(next_id);
                next_id += 1;
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        for (id, count) in &seen {
            assert_eq!(*count, 1, "seed {seed}: {id} appeared {count} times");
        }
        for p in initial.iter().filter(|p| !deleted.contains(&p.id)) {
            if query.matches(p).expect("a valid query") {
                assert!(
                    seen.contains_key(&p.id),
                    "seed {seed}: {p:?} never appeared"
                );
            }
        }
    }
    Ok(())
}
