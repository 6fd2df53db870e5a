//! Null semantics: `eq(None)`, `ne`/`not_in` match null, range and string operators never do,
//! `in_` with null listed, `not` is plain negation.

use reactive::prelude::*;

use super::backend::*;
use super::entities::*;

fn q() -> Query<Person> {
    Query::new()
}

pub async fn eq_none_matches_only_null<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.eq(None))).await?,
        [3, 4, 5]
    );
    assert_eq!(ids(&*s, q().filter(Person::RANK.eq(None))).await?, [3, 4]);
    // `Some(v)` and `v` are the same operand.
    assert_eq!(
        ids(
            &*s,
            q().filter(Person::NICKNAME.eq(Some("Prof".to_string())))
        )
        .await?,
        [2]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.eq("Prof"))).await?,
        [2]
    );
    Ok(())
}

pub async fn ne_matches_null<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.ne("Prof"))).await?,
        [1, 3, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.ne(2))).await?,
        [2, 3, 4, 5]
    );
    // `ne(None)`: every non-null value.
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.ne(None))).await?,
        [1, 2, 5]
    );
    Ok(())
}

pub async fn not_in_matches_null_unless_null_is_listed<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.not_in(["Prof"]))).await?,
        [1, 3, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.not_in([1, 2]))).await?,
        [3, 4, 5]
    );
    assert_eq!(
        ids(
            &*s,
            q().filter(Person::NICKNAME.not_in([None, Some("Prof".to_string())]))
        )
        .await?,
        [1]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.not_in([None::<i32>]))).await?,
        [1, 2, 5]
    );
    Ok(())
}

pub async fn in_with_null_listed_matches_null<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.in_([None, Some(1)]))).await?,
        [2, 3, 4]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.in_([None::<String>]))).await?,
        [3, 4, 5]
    );
    // Without null listed, null never matches.
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.in_([1, 2, 3]))).await?,
        [1, 2, 5]
    );
    Ok(())
}

pub async fn range_operators_never_match_null<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(ids(&*s, q().filter(Person::RANK.lt(100))).await?, [1, 2, 5]);
    assert_eq!(ids(&*s, q().filter(Person::RANK.le(100))).await?, [1, 2, 5]);
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.gt(-100))).await?,
        [1, 2, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::RANK.ge(-100))).await?,
        [1, 2, 5]
    );
    assert_eq!(ids(&*s, q().filter(Person::NICKNAME.gt(""))).await?, [1, 2]);
    Ok(())
}

pub async fn string_operators_never_match_null<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.contains("o"))).await?,
        [1, 2]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.contains(""))).await?,
        [1, 2]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.starts_with(""))).await?,
        [1, 2]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.ends_with(""))).await?,
        [1, 2]
    );
    Ok(())
}

/// `not` is plain negation: `!(rank < 100)` holds for null ranks, unlike SQL's three-valued
/// `NOT (rank < 100)`.
pub async fn not_is_plain_negation<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    assert_eq!(ids(&*s, q().filter(!Person::RANK.lt(100))).await?, [3, 4]);
    assert_eq!(ids(&*s, q().filter(!Person::RANK.ge(2))).await?, [2, 3, 4]);
    assert_eq!(
        ids(&*s, q().filter(!Person::NICKNAME.contains("o"))).await?,
        [3, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(!Person::NICKNAME.starts_with("P"))).await?,
        [1, 3, 4, 5]
    );
    // `!ne` is `eq`, null included; `!not_in` is `in_`; `!in_` matches null.
    assert_eq!(
        ids(&*s, q().filter(!Person::NICKNAME.ne("Prof"))).await?,
        [2]
    );
    assert_eq!(
        ids(&*s, q().filter(!Person::RANK.not_in([1, 3]))).await?,
        [2, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(!Person::RANK.in_([1, 3]))).await?,
        [1, 3, 4]
    );
    // Negation inside `and`/`or`, and twice.
    let f = !(Person::RANK.gt(1) & Person::NICKNAME.ne("x"));
    assert_eq!(ids(&*s, q().filter(f)).await?, [2, 3, 4]);
    let f = !(Person::RANK.gt(1) | Person::NICKNAME.eq("Prof"));
    assert_eq!(ids(&*s, q().filter(f)).await?, [3, 4]);
    let f = Filter::not(Filter::not(Person::RANK.lt(2)));
    assert_eq!(ids(&*s, q().filter(f)).await?, [2]);
    Ok(())
}

pub async fn null_and_non_null_strings_are_distinct<B: Backend>(b: &B) -> Outcome {
    let mut empty = person(1, "empty", 0);
    empty.nickname = Some(String::new());
    let mut word = person(2, "word", 0);
    word.nickname = Some("NULL".into());
    let missing = person(3, "missing", 0);
    let (s, stored) = seeded(b, [empty, word, missing]).await?;
    assert_eq!(ids(&*s, q().filter(Person::NICKNAME.eq(""))).await?, [1]);
    assert_eq!(
        ids(&*s, q().filter(Person::NICKNAME.eq("NULL"))).await?,
        [2]
    );
    assert_eq!(ids(&*s, q().filter(Person::NICKNAME.is_null())).await?, [3]);
    for row in stored {
        assert_eq!(s.load(&row.id).await?, Some(row));
    }
    Ok(())
}
