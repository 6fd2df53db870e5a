//! Lists: filters, orders and cursor pages, each checked against the memory provider (the
//! reference semantics) on the same rows.

use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider, Publish};

use crate::support::*;

/// Rows with nulls, ties, case differences, wildcard characters and negative numbers.
fn rows() -> Vec<User> {
    let names = [
        "Ada",
        "ada",
        "Alan",
        "alan_t",
        "Grace",
        "Edsger",
        "Barbara",
        "100%",
        "a_b",
        "a%b",
        "Zoë",
        "émile",
        "Ada",
        "",
        "O'Brien",
        "back\\slash",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let i = i as u64 + 1;
            let mut u = user(i, name);
            u.age = [36, 41, 85, 72, 36, -3, 0][i as usize % 7];
            u.score = [0.5, -2.25, 18.0, 0.0, 1e9][i as usize % 5];
            u.active = !i.is_multiple_of(3);
            u.nickname = (!i.is_multiple_of(4)).then(|| format!("nick{}", i % 5));
            u.rank = i.is_multiple_of(2).then_some(i as i64 % 3 - 1);
            u.role = [Role::Member, Role::Admin, Role::Guest][i as usize % 3];
            u
        })
        .collect()
}

/// The queries compared: every operator, and/or/not, null handling, multi-key orders.
fn queries() -> Vec<(&'static str, Query<User>)> {
    let q = Query::<User>::new;
    vec![
        ("everything", q()),
        ("eq", q().filter(User::NAME.eq("Ada"))),
        ("ne matches null", q().filter(User::NICKNAME.ne("nick1"))),
        (
            "gt ge lt le",
            q().filter(User::AGE.gt(0).and(User::AGE.le(72))),
        ),
        (
            "float range",
            q().filter(User::SCORE.ge(0.0).and(User::SCORE.lt(18.0))),
        ),
        ("in", q().filter(User::AGE.in_([36, -3]))),
        ("in empty", q().filter(User::AGE.in_(Vec::<i32>::new()))),
        ("not in", q().filter(User::RANK.not_in([0i64]))),
        ("contains %", q().filter(User::NAME.contains("%"))),
        ("contains _", q().filter(User::NAME.contains("_"))),
        ("contains case", q().filter(User::NAME.contains("da"))),
        ("starts_with", q().filter(User::NAME.starts_with("a"))),
        ("starts_with empty", q().filter(User::NAME.starts_with(""))),
        ("ends_with", q().filter(User::NAME.ends_with("b"))),
        ("ends_with empty", q().filter(User::NAME.ends_with(""))),
        (
            "quote and backslash",
            q().filter(User::NAME.contains("'").or(User::NAME.contains("\\"))),
        ),
        ("is_null", q().filter(User::NICKNAME.is_null())),
        ("not is_null", q().filter(User::RANK.is_null().not())),
        ("bool", q().filter(User::ACTIVE.eq(false))),
        ("text enum", q().filter(User::ROLE.eq(Role::Admin))),
        ("json is null", q().filter(User::PREFS.is_null())),
        (
            "nested",
            q().filter(
                User::AGE
                    .lt(40)
                    .and(User::ACTIVE.eq(true).or(User::NICKNAME.is_null()))
                    .not(),
            ),
        ),
        ("order by name", q().order_by(User::NAME.asc())),
        ("order by name desc", q().order_by(User::NAME.desc())),
        ("nulls last asc", q().order_by(User::NICKNAME.asc())),
        ("nulls first desc", q().order_by(User::NICKNAME.desc())),
        (
            "multi-key",
            q().order_by(User::RANK.desc()).order_by(User::AGE.asc()),
        ),
        (
            "by enum text",
            q().order_by(User::ROLE.asc()).order_by(User::SCORE.desc()),
        ),
        (
            "filtered and ordered",
            q().filter(User::ACTIVE.eq(true))
                .order_by(User::SCORE.asc()),
        ),
    ]
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn filters_orders_and_cursor_pages_match_the_memory_provider() {
    with_db("lists", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<User>().await.unwrap();
        let memory = MemoryProvider::<User>::new();
        for row in rows() {
            db.publish(Publish::Insert(row.clone())).await.unwrap();
            memory.publish(Publish::Insert(row)).await.unwrap();
        }
        for (what, query) in queries() {
            for limit in [1000, 4, 1] {
                let query = query.clone().limit(limit).with_total();
                let (mut cursor, mut pages) = (None, 0);
                loop {
                    let at = query.clone().after(cursor.clone());
                    let got = db
                        .list(&at)
                        .await
                        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
                    let want = memory.list(&at).await.unwrap();
                    let ids = |p: &Page<User>| p.items.iter().map(|u| u.id).collect::<Vec<_>>();
                    assert_eq!(ids(&got), ids(&want), "{what}, limit {limit}, page {pages}");
                    assert_eq!(got.items, want.items, "{what}: the values");
                    assert_eq!(got.total, want.total, "{what}: the total");
                    assert_eq!(got.next, want.next, "{what}: the cursor");
                    pages += 1;
                    assert!(pages <= 20, "{what}: a cursor that does not advance");
                    match got.next {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
            }
        }
        // No total unless asked.
        let page = db.list(&Query::<User>::new().limit(2)).await.unwrap();
        assert_eq!((page.items.len(), page.total), (2, None));
        assert!(page.next.is_some());
    });
}

#[test]
#[ignore = "needs PostgreSQL: run ./scripts/test-all"]
fn invalid_queries_and_cursors_are_the_memory_providers_errors() {
    with_db("invalid queries", |ctx| async move {
        let db = &ctx.db;
        db.ensure_schema::<User>().await.unwrap();
        let memory = MemoryProvider::<User>::new();
        for row in rows() {
            db.publish(Publish::Insert(row.clone())).await.unwrap();
            memory.insert(row);
        }
        let by_name = Query::<User>::new().order_by(User::NAME.asc()).limit(2);
        let next = db.list(&by_name).await.unwrap().next.unwrap();
        // A cursor of another query.
        let other = Query::<User>::new().order_by(User::AGE.asc()).after(next);
        let got = db.list(&other).await.unwrap_err();
        let want = memory.list(&other).await.unwrap_err();
        assert_eq!(got.to_string(), want.to_string());
        for bad in [
            Query::<User>::new().limit(0),
            Query::<User>::new().limit(1001),
        ] {
            let got = db.list(&bad).await.unwrap_err();
            assert!(matches!(got, Error::InvalidQuery { .. }), "{got:?}");
            assert_eq!(
                got.to_string(),
                memory.list(&bad).await.unwrap_err().to_string()
            );
        }
    });
}
