//! Every write path of a provider: insert, update of the dirty fields only, versions,
//! conflicts, not found, already stored, delete, generated ids, computed fields; and the
//! round trip of every column kind.

use reactive::prelude::*;
use reactive::provider::Publish;

use super::backend::*;
use super::entities::*;

fn conflict(err: &Error, expected: u64, actual: u64) -> bool {
    matches!(
        err,
        Error::Conflict { entity: "accounts", expected: e, actual: a, .. }
            if *e == Some(expected) && *a == Some(actual)
    )
}

pub async fn insert_then_load_returns_the_value<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Person>().await?;
    for p in people() {
        let stored = s.publish(Publish::Insert(p.clone())).await?;
        assert_eq!(stored, p, "an insert returns what it stored");
        assert_eq!(s.load(&p.id).await?, Some(p));
    }
    assert_eq!(s.load(&99).await?, None, "an unknown id loads as None");
    Ok(())
}

pub async fn load_many_returns_the_stored_ones<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, people()).await?;
    let mut found = s.load_many(&[5, 99, 1, 3, 1000]).await?;
    found.sort_by_key(|p| p.id);
    let want: Vec<Person> = stored
        .into_iter()
        .filter(|p| [1, 3, 5].contains(&p.id))
        .collect();
    assert_eq!(found, want);
    assert_eq!(s.load_many(&[]).await?, Vec::<Person>::new());
    Ok(())
}

pub async fn inserting_a_stored_id_is_already_stored<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [account("a1", "Ada")]).await?;
    let err = s
        .publish(Publish::Insert(account("a1", "Eve")))
        .await
        .expect_err("the id is taken");
    assert!(
        matches!(
            &err,
            Error::AlreadyStored {
                entity: "accounts",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.load(&"a1".to_string()).await?, Some(stored[0].clone()));
    Ok(())
}

pub async fn an_insert_starts_at_version_1<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Account>().await?;
    // Whatever version the value carries.
    let mut value = account("a1", "Ada");
    value.version = 41;
    let stored = s.publish(Publish::Insert(value)).await?;
    assert_eq!(stored.version, 1);
    assert_eq!(s.load(&"a1".to_string()).await?.map(|a| a.version), Some(1));
    Ok(())
}

pub async fn each_update_increments_the_version<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [account("a1", "Ada")]).await?;
    let mut value = stored[0].clone();
    for v in 1..=3u64 {
        value.balance += 10;
        let next = s
            .publish(update(&value, &[idx(Account::BALANCE)], Some(v)))
            .await?;
        assert_eq!(next.version, v + 1);
        assert_eq!(next.balance, value.balance);
        value = next;
    }
    assert_eq!(s.load(&"a1".to_string()).await?, Some(value));
    Ok(())
}

/// Another writer changes a field between this writer's read and its update: the update
/// writes only its dirty field, so the other write survives.
pub async fn an_update_writes_only_the_dirty_fields<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [memo("m1", "Title", "Body")]).await?;
    let mine = stored[0].clone();
    let mut theirs = mine.clone();
    theirs.body = "Their body".into();
    theirs.pinned = true;
    s.publish(update(&theirs, &[idx(Memo::BODY), idx(Memo::PINNED)], None))
        .await?;
    let mut mine = mine;
    mine.title = "My title".into();
    let after = s.publish(update(&mine, &[idx(Memo::TITLE)], None)).await?;
    let want = Memo {
        id: "m1".into(),
        title: "My title".into(),
        body: "Their body".into(),
        pinned: true,
    };
    assert_eq!(after, want, "the update returns the stored row");
    assert_eq!(s.load(&"m1".to_string()).await?, Some(want));
    Ok(())
}

/// A field of the value that is not in `fields` is not written, even when it differs.
pub async fn fields_outside_the_dirty_set_are_not_written<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [account("a1", "Ada")]).await?;
    let mut value = stored[0].clone();
    value.name = "Not sent".into();
    value.email = "sent@example.com".into();
    let after = s
        .publish(update(&value, &[idx(Account::EMAIL)], Some(1)))
        .await?;
    assert_eq!(
        (after.name.as_str(), after.email.as_str()),
        ("Ada", "sent@example.com")
    );
    let loaded = s.load(&"a1".to_string()).await?.expect("stored");
    assert_eq!(loaded, after);
    Ok(())
}

pub async fn a_stale_version_is_a_conflict_with_both_versions<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [account("a1", "Ada")]).await?;
    let mut first = stored[0].clone();
    first.name = "First".into();
    let kept = s
        .publish(update(&first, &[idx(Account::NAME)], Some(1)))
        .await?;
    let mut second = stored[0].clone();
    second.name = "Second".into();
    let err = s
        .publish(update(&second, &[idx(Account::NAME)], Some(1)))
        .await
        .expect_err("version 1 is stale");
    assert!(conflict(&err, 1, 2), "{err:?}");
    // A version from the future is stale too.
    let err = s
        .publish(update(&second, &[idx(Account::NAME)], Some(7)))
        .await
        .expect_err("version 7 is not stored");
    assert!(conflict(&err, 7, 2), "{err:?}");
    assert_eq!(
        s.load(&"a1".to_string()).await?,
        Some(kept),
        "nothing was written"
    );
    Ok(())
}

pub async fn updating_an_unknown_id_is_not_found<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Account>().await?;
    let ghost = account("ghost", "Nobody");
    let err = s
        .publish(update(&ghost, &[idx(Account::NAME)], Some(1)))
        .await
        .expect_err("nothing to update");
    assert!(
        matches!(
            &err,
            Error::NotFound {
                entity: "accounts",
                ..
            }
        ),
        "{err:?}"
    );
    let m = b.provider::<Memo>().await?;
    let err = m
        .publish(update(&memo("x", "t", "b"), &[idx(Memo::TITLE)], None))
        .await
        .expect_err("nothing to update");
    assert!(
        matches!(
            &err,
            Error::NotFound {
                entity: "memos",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        s.load(&"ghost".to_string()).await?,
        None,
        "an update never inserts"
    );
    Ok(())
}

pub async fn delete_removes_the_row<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    s.delete(&3, None).await?;
    assert_eq!(s.load(&3).await?, None);
    assert_eq!(ids(&*s, Query::new()).await?, [1, 2, 4, 5]);
    let page = s.list(&Query::new().with_total()).await?;
    assert_eq!(page.total, Some(4));
    // The id can be inserted again.
    s.publish(Publish::Insert(person(3, "Again", 1))).await?;
    assert_eq!(s.load(&3).await?.map(|p| p.name), Some("Again".to_string()));
    Ok(())
}

pub async fn deleting_an_unknown_id_is_not_found<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let err = s.delete(&99, None).await.expect_err("nothing to delete");
    assert!(
        matches!(
            &err,
            Error::NotFound {
                entity: "people",
                ..
            }
        ),
        "{err:?}"
    );
    s.delete(&1, None).await?;
    let err = s.delete(&1, None).await.expect_err("deleted already");
    assert!(matches!(&err, Error::NotFound { .. }), "{err:?}");
    let a = b.provider::<Account>().await?;
    let err = a
        .delete(&"ghost".to_string(), Some(1))
        .await
        .expect_err("nothing to delete");
    assert!(
        matches!(
            &err,
            Error::NotFound {
                entity: "accounts",
                ..
            }
        ),
        "{err:?}"
    );
    Ok(())
}

pub async fn deleting_with_a_stale_version_is_a_conflict<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [account("a1", "Ada")]).await?;
    let mut value = stored[0].clone();
    value.balance = 5;
    let current = s
        .publish(update(&value, &[idx(Account::BALANCE)], Some(1)))
        .await?;
    let err = s
        .delete(&"a1".to_string(), Some(1))
        .await
        .expect_err("version 1 is stale");
    assert!(conflict(&err, 1, 2), "{err:?}");
    assert_eq!(
        s.load(&"a1".to_string()).await?,
        Some(current),
        "nothing was deleted"
    );
    s.delete(&"a1".to_string(), Some(2)).await?;
    assert_eq!(s.load(&"a1".to_string()).await?, None);
    Ok(())
}

/// A delete without an expected version does not check it.
pub async fn deleting_without_a_version_is_unconditional<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [account("a1", "Ada")]).await?;
    let mut value = stored[0].clone();
    value.balance = 5;
    s.publish(update(&value, &[idx(Account::BALANCE)], Some(1)))
        .await?;
    s.delete(&"a1".to_string(), None).await?;
    assert_eq!(s.load(&"a1".to_string()).await?, None);
    Ok(())
}

pub async fn updating_a_deleted_row_is_not_found<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [account("a1", "Ada")]).await?;
    s.delete(&"a1".to_string(), Some(1)).await?;
    let err = s
        .publish(update(&stored[0], &[idx(Account::NAME)], Some(1)))
        .await
        .expect_err("deleted");
    assert!(matches!(&err, Error::NotFound { .. }), "{err:?}");
    Ok(())
}

pub async fn generated_ids_are_assigned_on_insert<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Note>().await?;
    let first = s.publish(Publish::Insert(note("first"))).await?;
    let second = s.publish(Publish::Insert(note("second"))).await?;
    let (Some(one), Some(two)) = (first.id, second.id) else {
        panic!("ids were not assigned: {first:?} {second:?}");
    };
    assert_ne!(one, two);
    assert_eq!((first.version, second.version), (1, 1));
    assert_eq!(s.load(&one).await?, Some(first.clone()));
    assert_eq!(s.load(&two).await?, Some(second.clone()));
    // The assigned id works for updates, queries and deletes.
    let mut edited = second.clone();
    edited.text = "edited".into();
    let edited = s
        .publish(update(&edited, &[idx(Note::TEXT)], Some(1)))
        .await?;
    assert_eq!((edited.id, edited.version), (Some(two), 2));
    let found = ids(&*s, Query::new().filter(Note::TEXT.eq("edited"))).await?;
    assert_eq!(found, [two]);
    s.delete(&one, Some(1)).await?;
    assert_eq!(s.load(&one).await?, None);
    let third = s.publish(Publish::Insert(note("third"))).await?;
    assert!(
        third.id.is_some_and(|id| id != one && id != two),
        "{third:?}"
    );
    Ok(())
}

pub async fn computed_fields_are_recomputed_after_an_update<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [invoice(1, 2, 10), invoice(2, 3, 3)]).await?;
    assert_eq!(stored[0].total, 20);
    assert_eq!(s.load(&1).await?.map(|i| i.total), Some(20));
    let mut value = stored[0].clone();
    value.quantity = 7;
    let after = s
        .publish(update(&value, &[idx(Invoice::QUANTITY)], None))
        .await?;
    assert_eq!(after.total, 70, "the returned value is recomputed");
    assert_eq!(
        s.load(&1).await?.map(|i| i.total),
        Some(70),
        "and the loaded one"
    );
    // Listed too (queries on computed fields are `filters::filters_on_a_computed_field`).
    let page = s.list(&Query::new()).await?;
    let totals: Vec<i64> = page.items.iter().map(|i| i.total).collect();
    assert_eq!(totals, [70, 9], "and the listed ones");
    Ok(())
}

pub async fn keyword_named_fields_round_trip_and_filter<B: Backend>(b: &B) -> Outcome {
    let rows = vec![
        keyword(1, "select", -1, Some("from")),
        keyword(2, "where", 0, None),
        keyword(3, "table", 5, Some("group by")),
    ];
    let (s, stored) = seeded(b, rows.clone()).await?;
    assert_eq!(stored, rows);
    for row in &rows {
        assert_eq!(s.load(&row.id).await?.as_ref(), Some(row));
    }
    let q = Query::<Keyword>::new;
    assert_eq!(ids(&*s, q().filter(Keyword::TYPE.eq("where"))).await?, [2]);
    assert_eq!(ids(&*s, q().filter(Keyword::ORDER.ge(0))).await?, [2, 3]);
    assert_eq!(ids(&*s, q().filter(Keyword::GROUP.is_null())).await?, [2]);
    assert_eq!(
        ids(&*s, q().filter(Keyword::GROUP.contains(" "))).await?,
        [3]
    );
    assert_eq!(ids(&*s, q().filter(Keyword::SELECT.eq(true))).await?, [2]);
    assert_eq!(
        ids(&*s, q().filter(Keyword::USER.ne("user1"))).await?,
        [2, 3]
    );
    let mut value = rows[0].clone();
    value.r#type = "delete".into();
    value.order = 9;
    value.group = None;
    let fields = [idx(Keyword::TYPE), idx(Keyword::ORDER), idx(Keyword::GROUP)];
    let after = s.publish(update(&value, &fields, None)).await?;
    assert_eq!(after, value);
    s.delete(&2, None).await?;
    assert_eq!(ids(&*s, q()).await?, [1, 3]);
    Ok(())
}

pub async fn every_column_kind_round_trips<B: Backend>(b: &B) -> Outcome {
    let rows = kinds();
    let (s, stored) = seeded(b, rows.clone()).await?;
    assert_eq!(stored, rows, "inserts return the values");
    for row in &rows {
        assert_eq!(s.load(&row.id).await?.as_ref(), Some(row), "{}", row.id);
    }
    let page = s.list(&Query::new().limit(100)).await?;
    let mut listed = page.items;
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    let mut want = rows;
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(listed, want, "pages carry the same values");
    Ok(())
}

pub async fn every_column_kind_is_updated<B: Backend>(b: &B) -> Outcome {
    let rows = kinds();
    let (s, _) = seeded(b, rows.clone()).await?;
    // Each row takes the next row's values (but keeps its id), every field dirty.
    let fields: Vec<usize> = (0..Kinds::FIELDS.len())
        .filter(|&i| i != idx(Kinds::ID))
        .collect();
    for (i, row) in rows.iter().enumerate() {
        let next = &rows[(i + 1) % rows.len()];
        let value = Kinds {
            id: row.id.clone(),
            ..next.clone()
        };
        let after = s.publish(update(&value, &fields, None)).await?;
        assert_eq!(after, value);
        assert_eq!(s.load(&row.id).await?, Some(value));
    }
    Ok(())
}

pub async fn every_scalar_kind_filters<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, kinds()).await?;
    let q = Query::<Kinds>::new;
    let one = |id: &str| vec![id.to_string()];
    assert_eq!(
        ids(&*s, q().filter(Kinds::BIG.eq(i64::MIN))).await?,
        one("min")
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::SMALL.eq(i32::MAX))).await?,
        one("max")
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::UNSIGNED.eq(u32::MAX))).await?,
        one("max")
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::WIDE.eq((1u64 << 53) + 1))).await?,
        one("exact")
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::REAL.eq(5e-324))).await?,
        one("tiny")
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::REAL.eq(f64::MAX))).await?,
        one("max")
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::MAYBE_INT.eq(i64::MIN))).await?,
        one("tiny")
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::MAYBE_TEXT.eq(""))).await?,
        one("max")
    );
    assert_eq!(ids(&*s, q().filter(Kinds::TEXT.eq(""))).await?, one("min"));
    assert_eq!(
        ids(&*s, q().filter(Kinds::ROLE.eq(Role::Admin))).await?,
        one("max")
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::FLAG.eq(true))).await?,
        ["max", "tiny"]
    );
    assert_eq!(
        ids(&*s, q().filter(Kinds::MAYBE_INT.is_null())).await?,
        ["min"]
    );
    assert_eq!(
        ids(
            &*s,
            q().filter(Kinds::UNSIGNED.gt(65535))
                .order_by(Kinds::UNSIGNED.desc())
        )
        .await?,
        ["max", "exact", "negative"]
    );
    Ok(())
}

pub async fn lists_see_every_write<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let adults = Query::new().filter(Person::AGE.ge(40)).with_total();
    assert_eq!(s.list(&adults).await?.total, Some(3));
    let mut ada = s.load(&1).await?.expect("stored");
    ada.age = 50;
    s.publish(update(&ada, &[idx(Person::AGE)], None)).await?;
    let mut grace = s.load(&3).await?.expect("stored");
    grace.age = 20;
    s.publish(update(&grace, &[idx(Person::AGE)], None)).await?;
    s.publish(Publish::Insert(person(6, "Frances", 44))).await?;
    s.delete(&4, None).await?;
    assert_eq!(ids(&*s, adults.clone()).await?, [1, 2, 6]);
    assert_eq!(s.list(&adults).await?.total, Some(3));
    Ok(())
}
