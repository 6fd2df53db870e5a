//! Every filter operator, nested filters, and filters received as JSON.

use std::collections::BTreeSet;

use reactive::prelude::*;

use super::backend::*;
use super::entities::*;

fn q() -> Query<Person> {
    Query::new()
}

pub async fn eq_matches_equal_values<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(ids(&*s, q().filter(Person::AGE.eq(36))).await?, [1, 5]);
    assert_eq!(ids(&*s, q().filter(Person::NAME.eq("Grace"))).await?, [3]);
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.eq("grace"))).await?,
        [0u32; 0]
    );
    assert_eq!(ids(&*s, q().filter(Person::ACTIVE.eq(true))).await?, [2, 4]);
    assert_eq!(ids(&*s, q().filter(Person::ID.eq(4))).await?, [4]);
    assert_eq!(ids(&*s, q().filter(Person::COUNT.eq(3))).await?, [3]);
    assert_eq!(ids(&*s, q().filter(Person::RANK.eq(3))).await?, [5]);
    Ok(())
}

pub async fn ne_excludes_equal_values<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(ids(&*s, q().filter(Person::AGE.ne(36))).await?, [2, 3, 4]);
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.ne("Ada"))).await?,
        [2, 3, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::ACTIVE.ne(true))).await?,
        [1, 3, 5]
    );
    Ok(())
}

pub async fn gt_ge_lt_le_on_integers<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(ids(&*s, q().filter(Person::AGE.gt(41))).await?, [3, 4]);
    assert_eq!(ids(&*s, q().filter(Person::AGE.ge(41))).await?, [2, 3, 4]);
    assert_eq!(ids(&*s, q().filter(Person::AGE.lt(41))).await?, [1, 5]);
    assert_eq!(ids(&*s, q().filter(Person::AGE.le(41))).await?, [1, 2, 5]);
    assert_eq!(ids(&*s, q().filter(Person::ID.gt(3))).await?, [4, 5]);
    assert_eq!(ids(&*s, q().filter(Person::COUNT.le(2))).await?, [1, 2]);
    Ok(())
}

pub async fn gt_ge_lt_le_on_strings<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.gt("Alan"))).await?,
        [3, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.ge("Alan"))).await?,
        [2, 3, 4, 5]
    );
    assert_eq!(ids(&*s, q().filter(Person::NAME.lt("Alan"))).await?, [1]);
    assert_eq!(ids(&*s, q().filter(Person::NAME.le("Alan"))).await?, [1, 2]);
    // Lower case sorts after every upper-case letter.
    assert_eq!(ids(&*s, q().filter(Person::NAME.gt("a"))).await?, [0u32; 0]);
    Ok(())
}

pub async fn in_matches_listed_values<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(
            &*s,
            q().filter(Person::NAME.in_(["Ada", "Grace", "Nobody"]))
        )
        .await?,
        [1, 3]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.in_([1, 3]))).await?,
        [2, 5]
    );
    assert_eq!(ids(&*s, q().filter(Person::AGE.in_([36]))).await?, [1, 5]);
    // A value listed twice matches once.
    assert_eq!(ids(&*s, q().filter(Person::AGE.in_([85, 85]))).await?, [3]);
    Ok(())
}

pub async fn not_in_excludes_listed_values<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.not_in(["Ada", "Grace"]))).await?,
        [2, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::AGE.not_in([36, 85]))).await?,
        [2, 4]
    );
    Ok(())
}

pub async fn in_of_an_empty_list_matches_nothing<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let none = Vec::<i64>::new();
    assert_eq!(
        ids(&*s, q().filter(Person::AGE.in_(none.clone()))).await?,
        [0u32; 0]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.in_(Vec::<i32>::new()))).await?,
        [0u32; 0]
    );
    // Its negation and `not_in([])` match every row, null or not.
    assert_eq!(
        ids(&*s, q().filter(!Person::AGE.in_(none.clone()))).await?,
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.not_in(Vec::<i32>::new()))).await?,
        [1, 2, 3, 4, 5]
    );
    let page = s
        .list(&q().filter(Person::AGE.in_(none)).with_total())
        .await?;
    assert_eq!(
        (page.items.len(), page.total, page.next),
        (0, Some(0), None)
    );
    Ok(())
}

pub async fn contains_is_case_sensitive<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.contains("ar"))).await?,
        [5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.contains("a"))).await?,
        [1, 2, 3, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.contains("A"))).await?,
        [1, 2]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.contains("GRACE"))).await?,
        [0u32; 0]
    );
    // The whole value, and the empty string (in every non-null string).
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.contains("Edsger"))).await?,
        [4]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.contains(""))).await?,
        [1, 2, 3, 4, 5]
    );
    Ok(())
}

pub async fn starts_with_is_case_sensitive<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.starts_with("A"))).await?,
        [1, 2]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.starts_with("Al"))).await?,
        [2]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.starts_with("a"))).await?,
        [0u32; 0]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.starts_with("da"))).await?,
        [0u32; 0]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.starts_with(""))).await?,
        [1, 2, 3, 4, 5]
    );
    Ok(())
}

pub async fn ends_with_is_case_sensitive<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.ends_with("er"))).await?,
        [4]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.ends_with("a"))).await?,
        [1, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.ends_with("A"))).await?,
        [0u32; 0]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.ends_with("Ad"))).await?,
        [0u32; 0]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.ends_with(""))).await?,
        [1, 2, 3, 4, 5]
    );
    Ok(())
}

pub async fn is_null_on_option_and_json_fields<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(ids(&*s, q().filter(Person::RANK.is_null())).await?, [3, 4]);
    assert_eq!(
        ids(&*s, q().filter(!Person::RANK.is_null())).await?,
        [1, 2, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.is_null())).await?,
        [3, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::TAGS.is_null())).await?,
        [2, 3, 4, 5]
    );
    assert_eq!(ids(&*s, q().filter(!Person::TAGS.is_null())).await?, [1]);
    Ok(())
}

#[allow(clippy::nonminimal_bool)] // the closure mirrors the filter's shape on purpose
pub async fn and_or_not_nest_to_any_depth<B: Backend>(b: &B) -> Outcome {
    let rows: Vec<Person> = (1..=60)
        .map(|i| {
            let mut p = person(
                i,
                ["Ada", "Bob", "Cy", "Di"][i as usize % 4],
                i64::from(i % 13),
            );
            p.rank = (i % 3 != 0).then_some(i as i32 % 5);
            p.nickname = (i % 7 == 0).then(|| format!("n{i}"));
            p
        })
        .collect();
    let (s, _) = seeded(b, rows.clone()).await?;
    let filter = Filter::any([
        Person::AGE.lt(4).and(!Person::NAME.eq("Bob")),
        Filter::all([
            Person::RANK.is_null().or(Person::RANK.ge(3)),
            !(Person::NAME.in_(["Cy", "Di"]) | Person::ACTIVE.eq(false)),
            Person::AGE.ne(7),
        ]),
        Person::NICKNAME
            .starts_with("n4")
            .and(!Person::NICKNAME.ends_with("9")),
    ])
    .not()
    .not();
    let keep = |p: &Person| {
        let rank_ok = p.rank.is_none_or(|r| r >= 3);
        let listed = ["Cy", "Di"].contains(&p.name.as_str());
        let nick = p
            .nickname
            .as_deref()
            .is_some_and(|n| n.starts_with("n4") && !n.ends_with('9'));
        (p.age < 4 && p.name != "Bob") || (rank_ok && !(listed || !p.active) && p.age != 7) || nick
    };
    let query = q().filter(filter.clone()).limit(100);
    let want = expected(&rows, &query, keep);
    assert!(!want.is_empty() && want.len() < 60);
    assert_eq!(ids(&*s, query).await?, want);
    // The negation matches exactly the rest.
    let rest = expected(&rows, &q(), |p| !keep(p));
    assert_eq!(ids(&*s, q().filter(!filter).limit(100)).await?, rest);
    Ok(())
}

pub async fn several_filter_calls_must_all_hold<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let chained = q()
        .filter(Person::AGE.lt(50))
        .filter(Person::NAME.starts_with("A"))
        .filter(Person::RANK.ne(1));
    assert_eq!(ids(&*s, chained).await?, [1]);
    Ok(())
}

pub async fn empty_all_matches_everything_and_empty_any_nothing<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Filter::all([]))).await?,
        [1, 2, 3, 4, 5]
    );
    assert_eq!(ids(&*s, q().filter(Filter::any([]))).await?, [0u32; 0]);
    assert_eq!(
        ids(&*s, q().filter(!Filter::any([]))).await?,
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::AGE.eq(36) | Filter::any([]))).await?,
        [1, 5]
    );
    Ok(())
}

pub async fn filters_on_a_computed_field<B: Backend>(b: &B) -> Outcome {
    let rows = vec![
        invoice(1, 2, 10),
        invoice(2, 5, 3),
        invoice(3, 1, 30),
        invoice(4, 0, 99),
    ];
    let (s, _) = seeded(b, rows).await?;
    let q = Query::<Invoice>::new;
    // A store that does not keep computed fields refuses queries on them, and says so.
    match s.list(&q().filter(Invoice::TOTAL.eq(20))).await {
        Err(Error::Unsupported { what, .. }) => {
            assert!(what.contains("total"), "{what}");
            let order = s.list(&q().order_by(Invoice::TOTAL.desc())).await;
            assert!(matches!(order, Err(Error::Unsupported { .. })), "{order:?}");
            return Ok(());
        }
        other => drop(other?),
    }
    assert_eq!(ids(&*s, q().filter(Invoice::TOTAL.eq(20))).await?, [1]);
    assert_eq!(
        ids(&*s, q().filter(Invoice::TOTAL.ge(15))).await?,
        [1, 2, 3]
    );
    assert_eq!(
        ids(&*s, q().order_by(Invoice::TOTAL.desc())).await?,
        [3, 1, 2, 4]
    );
    Ok(())
}

pub async fn queries_sent_as_json_give_the_same_pages<B: Backend>(b: &B) -> Outcome {
    let rows: Vec<Person> = (1..=40)
        .map(|i| {
            let mut p = person(i, ["Ada", "Bob", "Cy"][i as usize % 3], i64::from(i % 7));
            p.nickname = (i % 4 == 0).then(|| format!("n{i}"));
            p.score = f64::from(i) / 4.0;
            p
        })
        .collect();
    let (s, _) = seeded(b, rows).await?;
    let query = q()
        .filter(Person::NAME.ne("Bob").and(
            Person::NICKNAME.is_null()
                | Person::AGE.in_([1, 2, 3])
                | !Person::SCORE.le(5.5)
                | Person::NICKNAME.starts_with("n1"),
        ))
        .filter(Person::ROLE.eq(Role::Member))
        .order_by(Person::AGE.desc())
        .order_by(Person::NAME.asc())
        .limit(4)
        .with_total();
    let first = s.list(&query).await?;
    let json = serde_json::to_string(&query).expect("a query serializes");
    let back: Query<Person> = serde_json::from_str(&json).expect("and comes back");
    assert_eq!(s.list(&back).await?, first);
    let next = query.after(first.next.clone());
    let json = serde_json::to_string(&next).expect("with its cursor");
    let back: Query<Person> = serde_json::from_str(&json).expect("and comes back");
    let page = s.list(&back).await?;
    assert!(!page.items.is_empty());
    assert_eq!(page, s.list(&next).await?);
    let seen: BTreeSet<u32> = first.items.iter().map(|p| p.id).collect();
    assert!(page.items.iter().all(|p| !seen.contains(&p.id)));
    Ok(())
}

pub async fn unknown_fields_and_misapplied_operators_are_invalid_queries<B: Backend>(
    b: &B,
) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let sent = |json: &str| serde_json::from_str::<Query<Person>>(json).expect("well-formed");
    for json in [
        r#"{"filter":{"compare":{"field":"height","op":"eq","value":1}}}"#,
        r#"{"filter":{"is_null":{"field":"height"}}}"#,
        r#"{"filter":{"in":{"field":"height","values":[1]}}}"#,
        r#"{"order":[{"field":"height","direction":"asc"}]}"#,
        r#"{"filter":{"compare":{"field":"age","op":"contains","value":"1"}}}"#,
        r#"{"filter":{"compare":{"field":"age","op":"eq","value":"1"}}}"#,
        r#"{"filter":{"compare":{"field":"age","op":"gt","value":null}}}"#,
        r#"{"filter":{"compare":{"field":"name","op":"starts_with","value":null}}}"#,
        r#"{"filter":{"compare":{"field":"tags","op":"eq","value":"math"}}}"#,
        r#"{"filter":{"not_in":{"field":"tags","values":["math"]}}}"#,
        r#"{"order":[{"field":"tags","direction":"asc"}]}"#,
    ] {
        assert_invalid_query(&refused(&*s, sent(json)).await, json);
    }
    Ok(())
}
