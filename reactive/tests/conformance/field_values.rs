//! Field values no store takes, refused on publish with [`Error::InvalidValue`] by every
//! provider, with nothing written: NUL in a string (PostgreSQL cannot store it), NaN, and a
//! `u64` above `i64::MAX`.
//!
//! These cases are not in the case list yet: they join it when providers check field values
//! on publish (the memory provider stores such values today). Then list them in `cases!` and
//! remove `field_values` from `PENDING` (both in `mod.rs`).
#![allow(dead_code)]

use reactive::prelude::*;
use reactive::provider::{Provider, Publish};
use reactive::query::ValueError;

use super::backend::*;
use super::entities::*;

fn refused_with(err: &Error, field: &str, reason: fn(&ValueError) -> bool) {
    assert!(
        matches!(err, Error::InvalidValue { field: f, reason: r } if f == field && reason(r)),
        "expected InvalidValue for `{field}`, got {err:?}"
    );
}

fn nul(r: &ValueError) -> bool {
    *r == ValueError::Nul
}

fn nan(r: &ValueError) -> bool {
    *r == ValueError::NaN
}

fn out_of_range(r: &ValueError) -> bool {
    matches!(r, ValueError::OutOfRange { .. })
}

/// `value` is refused as an insert and as an update of `field`; the store is unchanged.
async fn refused_on_publish(
    store: &dyn Provider<Person>,
    value: Person,
    field: (&str, usize),
    reason: fn(&ValueError) -> bool,
) -> Outcome {
    let err = store
        .publish(Publish::Insert(value.clone()))
        .await
        .expect_err("the insert is refused");
    refused_with(&err, field.0, reason);
    assert_eq!(store.load(&value.id).await?, None, "nothing was inserted");
    let clean = person(value.id, "Clean", 1);
    store.publish(Publish::Insert(clean.clone())).await?;
    let err = store
        .publish(update(&value, &[field.1], None))
        .await
        .expect_err("the update is refused");
    refused_with(&err, field.0, reason);
    assert_eq!(
        store.load(&value.id).await?,
        Some(clean),
        "nothing was written"
    );
    Ok(())
}

pub async fn nul_in_a_field_is_refused_on_publish<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Person>().await?;
    let name = ("name", idx(Person::NAME));
    refused_on_publish(&*s, person(1, "A\0da", 1), name, nul).await?;
    let mut p = person(2, "Ada", 1);
    p.nickname = Some("\0".into());
    refused_on_publish(&*s, p, ("nickname", idx(Person::NICKNAME)), nul).await?;
    Ok(())
}

pub async fn nul_in_an_id_is_refused_on_insert<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Memo>().await?;
    let err = s
        .publish(Publish::Insert(memo("m\0", "t", "b")))
        .await
        .expect_err("refused");
    refused_with(&err, "id", nul);
    let page = s.list(&Query::new().with_total()).await?;
    assert_eq!(page.total, Some(0), "nothing was inserted");
    // Every operation by such an id is refused alike.
    let err = s
        .load(&"m\0".to_string())
        .await
        .expect_err("a load is refused");
    refused_with(&err, "id", nul);
    let err = s
        .load_many(&["m\0".to_string()])
        .await
        .expect_err("a bulk load is refused");
    refused_with(&err, "id", nul);
    let err = s
        .delete(&"m\0".to_string(), None)
        .await
        .expect_err("a delete is refused");
    refused_with(&err, "id", nul);
    Ok(())
}

pub async fn nan_in_a_field_is_refused_on_publish<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Person>().await?;
    let mut p = person(1, "Ada", 1);
    p.score = f64::NAN;
    refused_on_publish(&*s, p, ("score", idx(Person::SCORE)), nan).await
}

pub async fn u64_above_i64_max_is_refused_on_publish<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Person>().await?;
    for count in [i64::MAX as u64 + 1, u64::MAX] {
        let mut p = person(1, "Ada", 1);
        p.count = count;
        refused_on_publish(&*s, p, ("count", idx(Person::COUNT)), out_of_range).await?;
        s.delete(&1, None).await?;
    }
    Ok(())
}
