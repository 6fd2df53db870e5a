//! Typed queries on the memory provider, the reference semantics: one test per rule
//! (operators, nesting, order, limit, nulls, strings, enums, rejected values).

use crate::query_common;

use query_common::*;
use reactive::prelude::*;
use reactive::provider::Provider;
use reactive::query::{Value, ValueError};

#[tokio::test]
async fn comparison_operators() {
    let s = fixture();
    assert_eq!(ids(&s, q().filter(Person::AGE.eq(36))).await, [1, 5]);
    assert_eq!(ids(&s, q().filter(Person::AGE.ne(36))).await, [2, 3, 4]);
    assert_eq!(ids(&s, q().filter(Person::AGE.gt(41))).await, [3, 4]);
    assert_eq!(ids(&s, q().filter(Person::AGE.ge(41))).await, [2, 3, 4]);
    assert_eq!(ids(&s, q().filter(Person::AGE.lt(41))).await, [1, 5]);
    assert_eq!(ids(&s, q().filter(Person::AGE.le(41))).await, [1, 2, 5]);
    assert_eq!(ids(&s, q().filter(Person::NAME.eq("Grace"))).await, [3]);
    assert_eq!(ids(&s, q().filter(Person::ACTIVE.eq(true))).await, [2, 4]);
    // Floats, and an integer compared with a float field.
    assert_eq!(ids(&s, q().filter(Person::SCORE.gt(36.0))).await, [3]);
}

#[tokio::test]
async fn list_operators() {
    let s = fixture();
    assert_eq!(
        ids(&s, q().filter(Person::NAME.in_(["Ada", "Grace", "Nobody"]))).await,
        [1, 3]
    );
    assert_eq!(
        ids(&s, q().filter(Person::NAME.not_in(["Ada", "Grace"]))).await,
        [2, 4, 5]
    );
    assert_eq!(ids(&s, q().filter(Person::RANK.in_([1, 3]))).await, [2, 5]);
}

#[tokio::test]
async fn string_operators_are_byte_wise_and_case_sensitive() {
    let s = fixture();
    assert_eq!(ids(&s, q().filter(Person::NAME.contains("ar"))).await, [5]);
    assert_eq!(
        ids(&s, q().filter(Person::NAME.contains("a"))).await,
        [1, 2, 3, 5]
    );
    assert_eq!(
        ids(&s, q().filter(Person::NAME.contains("A"))).await,
        [1, 2]
    );
    assert_eq!(
        ids(&s, q().filter(Person::NAME.starts_with("A"))).await,
        [1, 2]
    );
    assert_eq!(
        ids(&s, q().filter(Person::NAME.starts_with("a"))).await,
        NONE
    );
    assert_eq!(ids(&s, q().filter(Person::NAME.ends_with("er"))).await, [4]);
    // On an `Option<String>` field, null never matches.
    assert_eq!(
        ids(&s, q().filter(Person::NICKNAME.contains("o"))).await,
        [1, 2]
    );
}

#[tokio::test]
async fn is_null_on_option_and_json_fields() {
    let s = fixture();
    assert_eq!(ids(&s, q().filter(Person::RANK.is_null())).await, [3, 4]);
    assert_eq!(
        ids(&s, q().filter(!Person::RANK.is_null())).await,
        [1, 2, 5]
    );
    assert_eq!(
        ids(&s, q().filter(Person::TAGS.is_null())).await,
        [2, 3, 4, 5]
    );
    assert_eq!(
        ids(&s, q().filter(Person::NICKNAME.eq(None))).await,
        [3, 4, 5]
    );
}

#[tokio::test]
#[allow(clippy::nonminimal_bool)] // the closure mirrors the filter's shape on purpose
async fn nested_filters_match_a_direct_evaluation() {
    let s = store((1..=60).map(|i| {
        let mut p = person(
            i,
            ["Ada", "Bob", "Cy", "Di"][i as usize % 4],
            i64::from(i % 13),
        );
        p.rank = (i % 3 != 0).then_some(i as i32 % 5);
        p
    }));
    let filter = Filter::any([
        Person::AGE.lt(4).and(!Person::NAME.eq("Bob")),
        Filter::all([
            Person::RANK.is_null().or(Person::RANK.ge(3)),
            !(Person::NAME.in_(["Cy", "Di"]) | Person::ACTIVE.eq(false)),
            Person::AGE.ne(7),
        ]),
    ])
    .not()
    .not();
    let expected: Vec<u32> = s
        .values()
        .into_iter()
        .filter(|p| {
            (p.age < 4 && p.name != "Bob")
                || ((p.rank.is_none() || p.rank.is_some_and(|r| r >= 3))
                    && !(["Cy", "Di"].contains(&p.name.as_str()) || !p.active)
                    && p.age != 7)
        })
        .map(|p| p.id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(!expected.is_empty() && expected.len() < 60);
    assert_eq!(ids(&s, q().filter(filter).limit(100)).await, expected);
    // Several `filter` calls must all hold.
    assert_eq!(
        ids(
            &s,
            q().filter(Person::AGE.lt(4))
                .filter(Person::NAME.eq("Ada"))
                .limit(100)
        )
        .await,
        ids(
            &s,
            q().filter(Person::AGE.lt(4).and(Person::NAME.eq("Ada")))
                .limit(100)
        )
        .await,
    );
    // Empty lists: `all` holds, `any` never does.
    assert_eq!(
        ids(&s, q().filter(Filter::all([])).limit(100)).await.len(),
        60
    );
    assert_eq!(ids(&s, q().filter(Filter::any([]))).await, NONE);
}

#[tokio::test]
async fn multi_key_order_then_id() {
    let s = store((1..=30).map(|i| {
        let mut p = person(i, ["b", "a", "c"][i as usize % 3], i64::from(i % 4));
        p.active = i % 5 == 0;
        p
    }));
    let query = q()
        .order_by(Person::ACTIVE.desc())
        .order_by(Person::NAME.asc())
        .order_by(Person::AGE.desc())
        .limit(100);
    let mut expected = s.values();
    expected.sort_by(|x, y| {
        y.active
            .cmp(&x.active)
            .then(x.name.cmp(&y.name))
            .then(y.age.cmp(&x.age))
            .then(x.id.cmp(&y.id))
    });
    let expected: Vec<u32> = expected.iter().map(|p| p.id).collect();
    assert_eq!(ids(&s, query).await, expected);
}

#[tokio::test]
async fn limit_defaults_to_15_and_is_at_most_1000() {
    let s = store((1..=1200).map(|i| person(i, "x", 1)));
    let page = s.list(&q()).await.unwrap();
    assert_eq!(page.items.len(), reactive::query::DEFAULT_LIMIT);
    assert_eq!(page.items.len(), 15);
    assert!(page.next.is_some());
    assert_eq!(s.list(&q().limit(1000)).await.unwrap().items.len(), 1000);
    assert!(matches!(
        error(&s, q().limit(1001)).await,
        Error::InvalidQuery { .. }
    ));
    assert!(matches!(
        error(&s, q().limit(0)).await,
        Error::InvalidQuery { .. }
    ));
}

#[tokio::test]
async fn none_sorts_last_ascending_and_first_descending() {
    let s = fixture(); // ranks: 1 -> 2, 2 -> 1, 5 -> 3, 3 and 4 -> None
    assert_eq!(
        ids(&s, q().order_by(Person::RANK.asc())).await,
        [2, 1, 5, 3, 4]
    );
    assert_eq!(
        ids(&s, q().order_by(Person::RANK.desc())).await,
        [3, 4, 5, 1, 2]
    );
}

#[tokio::test]
async fn ne_and_not_in_match_none() {
    let s = fixture(); // nicknames: 1 Countess, 2 Prof, others None
    assert_eq!(
        ids(&s, q().filter(Person::NICKNAME.ne("Prof"))).await,
        [1, 3, 4, 5]
    );
    assert_eq!(
        ids(&s, q().filter(Person::NICKNAME.not_in(["Prof"]))).await,
        [1, 3, 4, 5]
    );
    // Unless null is listed.
    assert_eq!(
        ids(
            &s,
            q().filter(Person::NICKNAME.not_in([None, Some("Prof".to_string())]))
        )
        .await,
        [1]
    );
    // Order comparisons never match null.
    assert_eq!(ids(&s, q().filter(Person::RANK.lt(100))).await, [1, 2, 5]);
    assert_eq!(ids(&s, q().filter(!Person::RANK.lt(100))).await, [3, 4]);
}

#[tokio::test]
async fn in_of_an_empty_list_matches_nothing() {
    let s = fixture();
    assert_eq!(
        ids(&s, q().filter(Person::AGE.in_(Vec::<i64>::new()))).await,
        NONE
    );
    assert_eq!(
        ids(&s, q().filter(Person::AGE.not_in(Vec::<i64>::new()))).await,
        [1, 2, 3, 4, 5]
    );
}

#[tokio::test]
async fn strings_order_by_bytes() {
    let names = ["b", "é", "B", "z", "a", "Z"];
    let s = store(
        names
            .iter()
            .enumerate()
            .map(|(i, n)| person(i as u32 + 1, n, 0)),
    );
    let page = s.list(&q().order_by(Person::NAME.asc())).await.unwrap();
    let sorted: Vec<&str> = page.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(sorted, ["B", "Z", "a", "b", "z", "é"]);
    let after_z = s
        .list(&q().filter(Person::NAME.gt("z")))
        .await
        .unwrap()
        .items;
    assert_eq!(after_z.len(), 1);
    assert_eq!(after_z[0].name, "é");
    assert_eq!(ids(&s, q().filter(Person::NAME.lt("a"))).await, [3, 6]);
}

#[tokio::test]
async fn enums_compare_by_their_serde_string() {
    let s = fixture(); // roles: 1 Admin, 3 Guest, others Member
    assert_eq!(ids(&s, q().filter(Person::ROLE.eq(Role::Admin))).await, [1]);
    assert_eq!(
        ids(&s, q().filter(Person::ROLE.in_([Role::Guest, Role::Admin]))).await,
        [1, 3]
    );
    // "admin" < "guest" < "member", not the declaration order.
    assert_eq!(
        ids(&s, q().order_by(Person::ROLE.asc())).await,
        [1, 3, 2, 4, 5]
    );
    assert_eq!(
        ids(&s, q().filter(Person::ROLE.gt(Role::Guest))).await,
        [2, 4, 5]
    );
    assert_eq!(
        reactive::query::field_value(&person(9, "x", 0), "role").unwrap(),
        Value::Text("member".into())
    );
    // A client may send the string.
    let json = r#"{"filter":{"compare":{"field":"role","op":"eq","value":"guest"}}}"#;
    let sent: Query<Person> = serde_json::from_str(json).unwrap();
    assert_eq!(ids(&s, sent).await, [3]);
}

#[tokio::test]
async fn nan_is_rejected() {
    let s = fixture();
    let err = error(&s, q().filter(Person::SCORE.eq(f64::NAN))).await;
    assert!(
        matches!(&err, Error::InvalidValue { field, reason: ValueError::NaN } if field == "score"),
        "{err:?}"
    );
    assert!(matches!(
        error(&s, q().filter(Person::SCORE.in_([1.0, f64::NAN]))).await,
        Error::InvalidValue {
            reason: ValueError::NaN,
            ..
        }
    ));
    // A filter with an invalid value cannot be sent.
    assert!(serde_json::to_string(&q().filter(Person::SCORE.lt(f64::NAN))).is_err());
    // A stored NaN is rejected when a query reads it.
    let mut odd = person(9, "Odd", 1);
    odd.score = f64::NAN;
    s.insert(odd);
    assert!(matches!(
        error(&s, q().order_by(Person::SCORE.asc())).await,
        Error::InvalidValue {
            reason: ValueError::NaN,
            ..
        }
    ));
    assert_eq!(Value::float(f64::NAN), Err(ValueError::NaN));
}

#[tokio::test]
async fn nul_is_rejected() {
    let s = fixture();
    for query in [
        q().filter(Person::NAME.eq("A\0da")),
        q().filter(Person::NAME.contains("\0")),
        q().filter(Person::NICKNAME.in_(["x", "\0"])),
    ] {
        let err = error(&s, query).await;
        assert!(
            matches!(
                err,
                Error::InvalidValue {
                    reason: ValueError::Nul,
                    ..
                }
            ),
            "{err:?}"
        );
    }
    s.insert(person(9, "bad\0name", 1));
    assert!(matches!(
        error(&s, q().filter(Person::NAME.eq("Ada"))).await,
        Error::InvalidValue {
            reason: ValueError::Nul,
            ..
        }
    ));
    // Received from a client: refused by deserialization.
    let json = r#"{"filter":{"compare":{"field":"name","op":"eq","value":"a\u0000"}}}"#;
    assert!(serde_json::from_str::<Query<Person>>(json).is_err());
}

#[tokio::test]
async fn negative_zero_equals_zero() {
    let mut minus = person(1, "minus", 0);
    minus.score = -0.0;
    let mut plus = person(2, "plus", 0);
    plus.score = 0.0;
    let mut other = person(3, "other", 0);
    other.score = 1.0;
    let s = store([minus, plus, other]);
    assert_eq!(ids(&s, q().filter(Person::SCORE.eq(0.0))).await, [1, 2]);
    assert_eq!(ids(&s, q().filter(Person::SCORE.eq(-0.0))).await, [1, 2]);
    assert_eq!(ids(&s, q().filter(Person::SCORE.lt(0.0))).await, NONE);
    // Equal sort values: ordered by id.
    assert_eq!(ids(&s, q().order_by(Person::SCORE.desc())).await, [3, 1, 2]);
    assert_eq!(Value::float(-0.0), Ok(Value::Float(0.0)));
}

#[tokio::test]
async fn u64_above_i64_max_is_rejected() {
    let s = fixture();
    let err = error(&s, q().filter(Person::COUNT.eq(u64::MAX))).await;
    assert!(
        matches!(&err, Error::InvalidValue { field, reason: ValueError::OutOfRange { .. } } if field == "count"),
        "{err:?}"
    );
    // At the bound it is fine.
    assert_eq!(
        ids(&s, q().filter(Person::COUNT.eq(i64::MAX as u64))).await,
        NONE
    );
    let mut big = person(9, "Big", 1);
    big.count = i64::MAX as u64 + 1;
    s.insert(big);
    assert!(matches!(
        error(&s, q().filter(Person::COUNT.gt(0))).await,
        Error::InvalidValue {
            reason: ValueError::OutOfRange { .. },
            ..
        }
    ));
    let json = r#"{"filter":{"compare":{"field":"count","op":"eq","value":18446744073709551615}}}"#;
    assert!(serde_json::from_str::<Query<Person>>(json).is_err());
}
