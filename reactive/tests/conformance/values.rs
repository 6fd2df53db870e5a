//! How values compare: strings by bytes, enums by their serde string, numbers numerically (an
//! integer operand of a float field exactly), `-0.0` as `0.0`; and the values no store takes.

use reactive::prelude::*;
use reactive::query::ValueError;

use super::backend::*;
use super::entities::*;

fn q() -> Query<Person> {
    Query::new()
}

fn named(names: &[&str]) -> Vec<Person> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| person(i as u32 + 1, n, 0))
        .collect()
}

pub async fn strings_compare_by_bytes<B: Backend>(b: &B) -> Outcome {
    // ids:                      1    2    3    4    5    6    7     8
    let (s, _) = seeded(b, named(&["b", "é", "B", "z", "a", "Z", "aa", "😀"])).await?;
    assert_eq!(ids(&*s, q().filter(Person::NAME.gt("z"))).await?, [2, 8]);
    assert_eq!(ids(&*s, q().filter(Person::NAME.lt("a"))).await?, [3, 6]);
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.gt("a"))).await?,
        [1, 2, 4, 7, 8]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.le("aa"))).await?,
        [3, 5, 6, 7]
    );
    assert_eq!(ids(&*s, q().filter(Person::NAME.ge("é"))).await?, [2, 8]);
    // Case-sensitive equality and lists.
    assert_eq!(ids(&*s, q().filter(Person::NAME.eq("Z"))).await?, [6]);
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.in_(["A", "b"]))).await?,
        [1]
    );
    Ok(())
}

pub async fn unicode_is_compared_unnormalized<B: Backend>(b: &B) -> Outcome {
    // "é" precomposed (U+00E9) and decomposed (e + U+0301) are different strings.
    let (s, _) = seeded(b, named(&["\u{e9}", "e\u{301}", "e", "E\u{301}"])).await?;
    assert_eq!(ids(&*s, q().filter(Person::NAME.eq("\u{e9}"))).await?, [1]);
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.eq("e\u{301}"))).await?,
        [2]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.starts_with("e"))).await?,
        [2, 3]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::NAME.contains("\u{301}"))).await?,
        [2, 4]
    );
    assert_eq!(
        ids(&*s, q().order_by(Person::NAME.asc())).await?,
        [4, 3, 2, 1],
        "E\u{301} < e < e\u{301} < \u{e9} by bytes"
    );
    Ok(())
}

pub async fn enums_compare_by_their_serde_string<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?; // roles: 1 admin, 3 guest, others member
    assert_eq!(
        ids(&*s, q().filter(Person::ROLE.eq(Role::Admin))).await?,
        [1]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::ROLE.ne(Role::Member))).await?,
        [1, 3]
    );
    assert_eq!(
        ids(
            &*s,
            q().filter(Person::ROLE.in_([Role::Guest, Role::Admin]))
        )
        .await?,
        [1, 3]
    );
    // "admin" < "guest" < "member", not the declaration order.
    assert_eq!(
        ids(&*s, q().filter(Person::ROLE.gt(Role::Guest))).await?,
        [2, 4, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::ROLE.lt(Role::Member))).await?,
        [1, 3]
    );
    // A client sends the string.
    let json = r#"{"filter":{"compare":{"field":"role","op":"eq","value":"guest"}}}"#;
    let sent: Query<Person> = serde_json::from_str(json).expect("a query");
    assert_eq!(ids(&*s, sent).await?, [3]);
    Ok(())
}

fn scored(scores: &[f64]) -> Vec<Person> {
    scores
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let mut p = person(i as u32 + 1, "x", 0);
            p.score = x;
            p
        })
        .collect()
}

pub async fn floats_compare_numerically<B: Backend>(b: &B) -> Outcome {
    // ids:                          1     2      3    4        5      6
    let (s, _) = seeded(b, scored(&[-1.5, 2.25, 10.0, 1e-300, -1e300, 0.1 + 0.2])).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::SCORE.gt(0.0))).await?,
        [2, 3, 4, 6]
    );
    assert_eq!(ids(&*s, q().filter(Person::SCORE.lt(0.0))).await?, [1, 5]);
    assert_eq!(
        ids(&*s, q().filter(Person::SCORE.eq(0.1 + 0.2))).await?,
        [6]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::SCORE.eq(0.3))).await?,
        [0u32; 0]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::SCORE.gt(0.3))).await?,
        [2, 3, 6]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::SCORE.le(1e-300))).await?,
        [1, 4, 5]
    );
    Ok(())
}

pub async fn negative_zero_equals_zero<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, scored(&[-0.0, 0.0, 1.0, -1.0])).await?;
    assert_eq!(ids(&*s, q().filter(Person::SCORE.eq(0.0))).await?, [1, 2]);
    assert_eq!(ids(&*s, q().filter(Person::SCORE.eq(-0.0))).await?, [1, 2]);
    assert_eq!(ids(&*s, q().filter(Person::SCORE.lt(0.0))).await?, [4]);
    assert_eq!(
        ids(&*s, q().filter(Person::SCORE.ge(-0.0))).await?,
        [1, 2, 3]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::SCORE.in_([-0.0]))).await?,
        [1, 2]
    );
    // Equal sort values are ordered by id.
    assert_eq!(
        ids(&*s, q().order_by(Person::SCORE.desc())).await?,
        [3, 1, 2, 4]
    );
    assert_eq!(
        ids(&*s, q().order_by(Person::SCORE.asc())).await?,
        [4, 1, 2, 3]
    );
    Ok(())
}

/// An integer sent for a float field compares as that number, exactly.
pub async fn integer_operands_of_float_fields_compare_exactly<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, scored(&[18.0, 18.5, 17.999, 36.0])).await?;
    let sent = |op: &str, value: &str| {
        let json = format!(
            r#"{{"filter":{{"compare":{{"field":"score","op":"{op}","value":{value}}}}}}}"#
        );
        serde_json::from_str::<Query<Person>>(&json).expect("a query")
    };
    assert_eq!(ids(&*s, sent("eq", "18")).await?, [1]);
    assert_eq!(ids(&*s, sent("gt", "18")).await?, [2, 4]);
    assert_eq!(ids(&*s, sent("lt", "18")).await?, [3]);
    assert_eq!(ids(&*s, sent("ge", "36")).await?, [4]);
    assert_eq!(ids(&*s, sent("eq", "18.0")).await?, [1]);
    Ok(())
}

pub async fn large_integers_compare_exactly<B: Backend>(b: &B) -> Outcome {
    let ages = [
        i64::MIN,
        -1,
        0,
        1 << 53,
        (1 << 53) + 1,
        i64::MAX - 1,
        i64::MAX,
    ];
    let rows = ages
        .iter()
        .enumerate()
        .map(|(i, &a)| person(i as u32 + 1, "x", a));
    let (s, _) = seeded(b, rows).await?;
    assert_eq!(
        ids(&*s, q().filter(Person::AGE.gt(1 << 53))).await?,
        [5, 6, 7]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::AGE.eq((1 << 53) + 1))).await?,
        [5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::AGE.ge(i64::MAX - 1))).await?,
        [6, 7]
    );
    assert_eq!(ids(&*s, q().filter(Person::AGE.le(i64::MIN))).await?, [1]);
    assert_eq!(
        ids(&*s, q().order_by(Person::AGE.desc())).await?,
        [7, 6, 5, 4, 3, 2, 1]
    );
    Ok(())
}

pub async fn u64_fields_compare_up_to_i64_max<B: Backend>(b: &B) -> Outcome {
    let counts = [0, 9, 10, i64::MAX as u64 - 1, i64::MAX as u64];
    let rows = counts.iter().enumerate().map(|(i, &c)| {
        let mut p = person(i as u32 + 1, "x", 0);
        p.count = c;
        p
    });
    let (s, stored) = seeded(b, rows).await?;
    assert_eq!(ids(&*s, q().filter(Person::COUNT.gt(9))).await?, [3, 4, 5]);
    assert_eq!(
        ids(&*s, q().filter(Person::COUNT.eq(i64::MAX as u64))).await?,
        [5]
    );
    // Numbers, not text: 10 sorts after 9.
    assert_eq!(
        ids(&*s, q().order_by(Person::COUNT.asc())).await?,
        [1, 2, 3, 4, 5]
    );
    assert_eq!(s.load(&5).await?, Some(stored[4].clone()));
    Ok(())
}

pub async fn booleans_compare_false_before_true<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?; // active: 2 and 4
    assert_eq!(
        ids(&*s, q().filter(Person::ACTIVE.gt(false))).await?,
        [2, 4]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::ACTIVE.lt(true))).await?,
        [1, 3, 5]
    );
    assert_eq!(
        ids(&*s, q().filter(Person::ACTIVE.in_([true, false]))).await?,
        [1, 2, 3, 4, 5]
    );
    Ok(())
}

fn invalid_value(err: &Error, field: &str, reason: fn(&ValueError) -> bool) -> bool {
    matches!(err, Error::InvalidValue { field: f, reason: r } if f == field && reason(r))
}

pub async fn nan_in_a_query_is_an_invalid_value<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    for query in [
        q().filter(Person::SCORE.eq(f64::NAN)),
        q().filter(Person::SCORE.gt(f64::NAN)),
        q().filter(Person::SCORE.in_([1.0, f64::NAN])),
        q().filter(!Person::SCORE.not_in([f64::NAN])),
    ] {
        let err = refused(&*s, query).await;
        assert!(
            invalid_value(&err, "score", |r| *r == ValueError::NaN),
            "{err:?}"
        );
    }
    Ok(())
}

pub async fn nul_in_a_query_is_an_invalid_value<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    for query in [
        q().filter(Person::NAME.eq("A\0da")),
        q().filter(Person::NAME.contains("\0")),
        q().filter(Person::NAME.starts_with("\0")),
        q().filter(Person::NAME.ends_with("a\0")),
        q().filter(Person::NICKNAME.in_(["x", "\0"])),
        q().filter(Person::NAME.ne("\0") | Person::AGE.eq(1)),
    ] {
        let err = refused(&*s, query).await;
        assert!(
            matches!(
                &err,
                Error::InvalidValue {
                    reason: ValueError::Nul,
                    ..
                }
            ),
            "{err:?}"
        );
    }
    Ok(())
}

pub async fn u64_above_i64_max_in_a_query_is_an_invalid_value<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    for query in [
        q().filter(Person::COUNT.eq(u64::MAX)),
        q().filter(Person::COUNT.lt(i64::MAX as u64 + 1)),
        q().filter(Person::COUNT.not_in([1, u64::MAX])),
    ] {
        let err = refused(&*s, query).await;
        let out_of_range = |r: &ValueError| matches!(r, ValueError::OutOfRange { .. });
        assert!(invalid_value(&err, "count", out_of_range), "{err:?}");
    }
    // At the bound it is a value like any other.
    assert_eq!(
        ids(&*s, q().filter(Person::COUNT.eq(i64::MAX as u64))).await?,
        [0u32; 0]
    );
    Ok(())
}
