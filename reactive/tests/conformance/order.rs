//! Ordering: null last ascending and first descending, several keys, ties by id, each kind of
//! value in its natural order; and the page size (`limit`).

use reactive::prelude::*;
use reactive::query::{DEFAULT_LIMIT, MAX_LIMIT};

use super::backend::*;
use super::entities::*;

fn q() -> Query<Person> {
    Query::new()
}

pub async fn without_keys_rows_come_by_id<B: Backend>(b: &B) -> Outcome {
    // Inserted out of order.
    let rows = [7, 3, 10, 1, 2].map(|i| person(i, "x", 0));
    let (s, _) = seeded(b, rows).await?;
    assert_eq!(ids(&*s, q()).await?, [1, 2, 3, 7, 10]);
    // String ids order by bytes too.
    let memos = ["b", "B", "a", "10", "9"].map(|id| memo(id, "t", "b"));
    let (m, _) = seeded(b, memos).await?;
    assert_eq!(ids(&*m, Query::new()).await?, ["10", "9", "B", "a", "b"]);
    Ok(())
}

pub async fn null_sorts_last_ascending<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?; // ranks: 1 -> 2, 2 -> 1, 5 -> 3, 3 and 4 -> null
    assert_eq!(
        ids(&*s, q().order_by(Person::RANK.asc())).await?,
        [2, 1, 5, 3, 4]
    );
    assert_eq!(
        ids(&*s, q().order_by(Person::NICKNAME.asc())).await?,
        [1, 2, 3, 4, 5]
    );
    Ok(())
}

pub async fn null_sorts_first_descending<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().order_by(Person::RANK.desc())).await?,
        [3, 4, 5, 1, 2]
    );
    assert_eq!(
        ids(&*s, q().order_by(Person::NICKNAME.desc())).await?,
        [3, 4, 5, 2, 1]
    );
    Ok(())
}

pub async fn several_keys_then_id<B: Backend>(b: &B) -> Outcome {
    let rows: Vec<Person> = (1..=30)
        .map(|i| {
            let mut p = person(i, ["b", "a", "c"][i as usize % 3], i64::from(i % 4));
            p.active = i % 5 == 0;
            p.rank = (i % 7 != 0).then_some((i % 3) as i32);
            p
        })
        .collect();
    let (s, _) = seeded(b, rows.clone()).await?;
    let query = q()
        .order_by(Person::ACTIVE.desc())
        .order_by(Person::NAME.asc())
        .order_by(Person::AGE.desc())
        .limit(100);
    let mut want = rows.clone();
    want.sort_by(|x, y| {
        (y.active.cmp(&x.active))
            .then(x.name.cmp(&y.name))
            .then(y.age.cmp(&x.age))
            .then(x.id.cmp(&y.id))
    });
    let want: Vec<u32> = want.iter().map(|p| p.id).collect();
    assert_eq!(ids(&*s, query).await?, want);
    // A nullable key in the middle.
    let query = q()
        .order_by(Person::RANK.desc())
        .order_by(Person::AGE.asc())
        .limit(100);
    let mut want = rows;
    let rank_desc = |x: &Person, y: &Person| match (x.rank, y.rank) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(a), Some(b)) => b.cmp(&a),
    };
    want.sort_by(|x, y| {
        rank_desc(x, y)
            .then(x.age.cmp(&y.age))
            .then(x.id.cmp(&y.id))
    });
    let want: Vec<u32> = want.iter().map(|p| p.id).collect();
    assert_eq!(ids(&*s, query).await?, want);
    Ok(())
}

pub async fn ties_are_ordered_by_id_ascending_in_both_directions<B: Backend>(b: &B) -> Outcome {
    let rows = [9, 4, 6, 1, 8].map(|i| person(i, "same", 1));
    let (s, _) = seeded(b, rows).await?;
    assert_eq!(
        ids(&*s, q().order_by(Person::NAME.asc())).await?,
        [1, 4, 6, 8, 9]
    );
    assert_eq!(
        ids(&*s, q().order_by(Person::NAME.desc())).await?,
        [1, 4, 6, 8, 9]
    );
    assert_eq!(
        ids(
            &*s,
            q().order_by(Person::AGE.desc())
                .order_by(Person::NAME.desc())
        )
        .await?,
        [1, 4, 6, 8, 9]
    );
    Ok(())
}

pub async fn strings_order_by_bytes_case_sensitive<B: Backend>(b: &B) -> Outcome {
    let names = [
        "b", "é", "B", "z", "a", "Z", "", "aa", " ", "ä", "😀", "a b", "ab",
    ];
    let rows = names
        .iter()
        .enumerate()
        .map(|(i, n)| person(i as u32 + 1, n, 0));
    let (s, _) = seeded(b, rows).await?;
    let page = s.list(&q().order_by(Person::NAME.asc())).await?;
    let sorted: Vec<&str> = page.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        sorted,
        ["", " ", "B", "Z", "a", "a b", "aa", "ab", "b", "z", "ä", "é", "😀"]
    );
    let page = s.list(&q().order_by(Person::NAME.desc())).await?;
    let sorted: Vec<&str> = page.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        sorted,
        ["😀", "é", "ä", "z", "b", "ab", "aa", "a b", "a", "Z", "B", " ", ""]
    );
    Ok(())
}

pub async fn enums_order_by_their_serde_string<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?; // 1 admin, 3 guest, others member
    assert_eq!(
        ids(&*s, q().order_by(Person::ROLE.asc())).await?,
        [1, 3, 2, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().order_by(Person::ROLE.desc())).await?,
        [2, 4, 5, 3, 1]
    );
    Ok(())
}

pub async fn numbers_order_numerically<B: Backend>(b: &B) -> Outcome {
    let scores = [10.0, 9.5, -2.0, 100.0, -0.5, 1e-9, 2.0];
    let ages = [10, 9, -2, 100, -1, 0, 2];
    let rows = scores.iter().zip(ages).enumerate().map(|(i, (&x, a))| {
        let mut p = person(i as u32 + 1, "x", a);
        p.score = x;
        p
    });
    let (s, _) = seeded(b, rows).await?;
    assert_eq!(
        ids(&*s, q().order_by(Person::SCORE.asc())).await?,
        [3, 5, 6, 7, 2, 1, 4]
    );
    assert_eq!(
        ids(&*s, q().order_by(Person::AGE.desc())).await?,
        [4, 1, 2, 7, 6, 5, 3]
    );
    Ok(())
}

pub async fn booleans_order_false_first<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?; // active: 2 and 4
    assert_eq!(
        ids(&*s, q().order_by(Person::ACTIVE.asc())).await?,
        [1, 3, 5, 2, 4]
    );
    assert_eq!(
        ids(&*s, q().order_by(Person::ACTIVE.desc())).await?,
        [2, 4, 1, 3, 5]
    );
    Ok(())
}

pub async fn ordering_by_json_or_unknown_fields_is_invalid<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let err = refused(&*s, q().order_by(Person::TAGS.asc())).await;
    assert_invalid_query(&err, "ordering by a JSON field");
    let unknown = reactive::query::Order::named("height", reactive::query::Direction::Asc);
    let err = refused(&*s, q().order_by(unknown)).await;
    assert_invalid_query(&err, "ordering by an unknown field");
    Ok(())
}

pub async fn limit_defaults_to_15<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, (1..=40).map(|i| person(i, "x", 0))).await?;
    let page = s.list(&q()).await?;
    assert_eq!(DEFAULT_LIMIT, 15);
    assert_eq!(page.items.len(), 15);
    assert_eq!(page.items.last().map(|p| p.id), Some(15));
    assert!(page.next.is_some());
    let page = s.list(&q().limit(40)).await?;
    assert_eq!((page.items.len(), page.next), (40, None));
    Ok(())
}

pub async fn limit_is_at_most_1000_and_not_0<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, (1..=1001).map(|i| person(i, "x", 0))).await?;
    assert_eq!(MAX_LIMIT, 1000);
    let page = s.list(&q().limit(1000)).await?;
    assert_eq!(page.items.len(), 1000);
    let rest = s.list(&q().limit(1000).after(page.next)).await?;
    assert_eq!(rest.items.iter().map(|p| p.id).collect::<Vec<_>>(), [1001]);
    assert!(rest.next.is_none());
    for limit in [0, 1001, usize::MAX] {
        let err = refused(&*s, q().limit(limit)).await;
        assert_invalid_query(&err, &format!("limit {limit}"));
    }
    let one = s.list(&q().limit(1)).await?;
    assert_eq!(one.items.len(), 1);
    Ok(())
}

pub async fn order_by_keyword_named_fields<B: Backend>(b: &B) -> Outcome {
    let rows = vec![
        keyword(1, "b", 3, Some("g1")),
        keyword(2, "a", 1, None),
        keyword(3, "c", 2, Some("g0")),
    ];
    let (s, _) = seeded(b, rows).await?;
    let q = Query::<Keyword>::new;
    assert_eq!(
        ids(&*s, q().order_by(Keyword::TYPE.asc())).await?,
        [2, 1, 3]
    );
    assert_eq!(
        ids(&*s, q().order_by(Keyword::ORDER.desc())).await?,
        [1, 3, 2]
    );
    assert_eq!(
        ids(&*s, q().order_by(Keyword::GROUP.asc())).await?,
        [3, 1, 2]
    );
    assert_eq!(
        ids(
            &*s,
            q().order_by(Keyword::SELECT.desc())
                .order_by(Keyword::USER.desc())
        )
        .await?,
        [2, 3, 1]
    );
    Ok(())
}
