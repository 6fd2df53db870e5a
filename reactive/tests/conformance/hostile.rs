//! Hostile input: every string of [`hostile_strings`] as every field value and every query
//! value, round-tripping exactly and matching literally; a 1 MiB string in a field without an
//! index. Where the backend captures its SQL ([`Backend::statements`]), each call's statements
//! with a hostile value are the same text as with a benign one.

use reactive::prelude::*;
use reactive::provider::{Provider, Publish};

use super::backend::*;
use super::entities::*;
use super::hostile_strings::{hostile_strings, megabyte};

const BENIGN: &str = "benign";

/// A store with one document per hostile string, holding it as its id and in every field.
async fn documents<B: Backend>(b: &B) -> Result<(Store<Doc>, Vec<String>), Error> {
    let strings = hostile_strings();
    let (s, _) = seeded(b, strings.iter().map(|v| doc(v, v))).await?;
    Ok((s, strings))
}

/// Runs `make(value)` for a benign value, then for each hostile one: the ids match
/// `want(value)` (in id order, by bytes) and the SQL text is the benign call's.
async fn each_value<B: Backend>(
    b: &B,
    s: &dyn Provider<Doc>,
    values: &[String],
    make: impl Fn(&str) -> Query<Doc>,
    want: impl Fn(&str) -> Vec<String>,
) -> Outcome {
    let (page, benign) = statements_of(b, s.list(&make(BENIGN))).await;
    page?;
    for value in values {
        let (page, sql) = statements_of(b, s.list(&make(value))).await;
        let got: Vec<String> = page?.items.into_iter().map(|d| d.id).collect();
        let mut expected = want(value);
        expected.sort();
        assert_eq!(got, expected, "with the value {:?}", preview(value));
        same_sql(&benign, &sql, value);
    }
    Ok(())
}

fn all() -> Query<Doc> {
    Query::new().limit(1000)
}

pub async fn hostile_strings_round_trip_as_every_field<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Doc>().await?;
    let (stored, benign) = statements_of(b, s.publish(Publish::Insert(doc(BENIGN, BENIGN)))).await;
    stored?;
    let strings = hostile_strings();
    for value in &strings {
        let row = doc(value, value);
        let (stored, sql) = statements_of(b, s.publish(Publish::Insert(row.clone()))).await;
        assert_eq!(stored?, row);
        same_sql(&benign, &sql, value);
    }
    for value in &strings {
        let loaded = s.load(value).await?;
        assert_eq!(loaded, Some(doc(value, value)), "{:?}", preview(value));
    }
    let mut many = s.load_many(&strings).await?;
    many.sort_by(|a, b| a.id.cmp(&b.id));
    let mut want: Vec<Doc> = strings.iter().map(|v| doc(v, v)).collect();
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(many, want);
    let (listed, _) = walk(&*s, &Query::new().limit(10), 100).await?;
    assert_eq!(listed.len(), strings.len() + 1);
    Ok(())
}

pub async fn hostile_strings_round_trip_through_updates<B: Backend>(b: &B) -> Outcome {
    let strings = hostile_strings();
    let ids: Vec<String> = (0..=strings.len()).map(|i| format!("d{i:03}")).collect();
    let (s, _) = seeded(b, ids.iter().map(|id| doc(id, "before"))).await?;
    let fields = [idx(Doc::TITLE), idx(Doc::NOTE), idx(Doc::BODY)];
    let (done, benign) =
        statements_of(b, s.publish(update(&doc(&ids[0], BENIGN), &fields, None))).await;
    done?;
    for (id, value) in ids[1..].iter().zip(&strings) {
        let row = doc(id, value);
        let (after, sql) = statements_of(b, s.publish(update(&row, &fields, None))).await;
        assert_eq!(after?, row);
        same_sql(&benign, &sql, value);
        assert_eq!(s.load(id).await?, Some(row));
    }
    Ok(())
}

pub async fn hostile_ids_are_updated_and_deleted<B: Backend>(b: &B) -> Outcome {
    let (s, strings) = documents(b).await?;
    s.publish(Publish::Insert(doc(BENIGN, BENIGN))).await?;
    let fields = [idx(Doc::TITLE)];
    let renamed = |id: &str| Doc {
        title: "renamed".into(),
        ..doc(id, id)
    };
    let (done, benign_update) =
        statements_of(b, s.publish(update(&renamed(BENIGN), &fields, None))).await;
    done?;
    let (done, benign_delete) = statements_of(b, s.delete(&BENIGN.to_string(), None)).await;
    done?;
    for value in &strings {
        let (after, sql) =
            statements_of(b, s.publish(update(&renamed(value), &fields, None))).await;
        assert_eq!(after?, renamed(value));
        same_sql(&benign_update, &sql, value);
        let (done, sql) = statements_of(b, s.delete(value, None)).await;
        done?;
        same_sql(&benign_delete, &sql, value);
        assert_eq!(s.load(value).await?, None, "{:?}", preview(value));
    }
    let page = s.list(&all().with_total()).await?;
    assert_eq!(page.total, Some(0), "every row was deleted");
    Ok(())
}

pub async fn eq_and_ne_match_hostile_values_exactly<B: Backend>(b: &B) -> Outcome {
    let (s, strings) = documents(b).await?;
    let one = |v: &str| vec![v.to_string()];
    each_value(b, &*s, &strings, |v| all().filter(Doc::TITLE.eq(v)), one).await?;
    each_value(b, &*s, &strings, |v| all().filter(Doc::ID.eq(v)), one).await?;
    each_value(b, &*s, &strings, |v| all().filter(Doc::NOTE.eq(v)), one).await?;
    let others = |v: &str| -> Vec<String> { strings.iter().filter(|s| *s != v).cloned().collect() };
    each_value(b, &*s, &strings, |v| all().filter(Doc::TITLE.ne(v)), others).await?;
    Ok(())
}

pub async fn in_and_not_in_match_hostile_values_exactly<B: Backend>(b: &B) -> Outcome {
    let (s, strings) = documents(b).await?;
    let one = |v: &str| vec![v.to_string()];
    let listed = |v: &str| all().filter(Doc::TITLE.in_([v, "absent value"]));
    each_value(b, &*s, &strings, listed, one).await?;
    let others = |v: &str| -> Vec<String> { strings.iter().filter(|s| *s != v).cloned().collect() };
    let unlisted = |v: &str| all().filter(Doc::NOTE.not_in([v, "absent value"]));
    each_value(b, &*s, &strings, unlisted, others).await?;
    Ok(())
}

pub async fn range_operators_order_hostile_values_by_bytes<B: Backend>(b: &B) -> Outcome {
    let (s, strings) = documents(b).await?;
    let pick = |keep: fn(&str, &str) -> bool| {
        let strings = strings.clone();
        move |v: &str| -> Vec<String> {
            strings
                .iter()
                .filter(|s| keep(s.as_str(), v))
                .cloned()
                .collect()
        }
    };
    let gt = pick(|s, v| s.as_bytes() > v.as_bytes());
    each_value(b, &*s, &strings, |v| all().filter(Doc::TITLE.gt(v)), gt).await?;
    let le = pick(|s, v| s.as_bytes() <= v.as_bytes());
    each_value(b, &*s, &strings, |v| all().filter(Doc::TITLE.le(v)), le).await?;
    let ge = pick(|s, v| s.as_bytes() >= v.as_bytes());
    each_value(b, &*s, &strings, |v| all().filter(Doc::NOTE.ge(v)), ge).await?;
    let lt = pick(|s, v| s.as_bytes() < v.as_bytes());
    each_value(b, &*s, &strings, |v| all().filter(Doc::ID.lt(v)), lt).await?;
    Ok(())
}

pub async fn contains_matches_hostile_needles_literally<B: Backend>(b: &B) -> Outcome {
    let (s, strings) = documents(b).await?;
    let want =
        |v: &str| -> Vec<String> { strings.iter().filter(|s| s.contains(v)).cloned().collect() };
    each_value(
        b,
        &*s,
        &strings,
        |v| all().filter(Doc::TITLE.contains(v)),
        want,
    )
    .await?;
    each_value(
        b,
        &*s,
        &strings,
        |v| all().filter(Doc::NOTE.contains(v)),
        want,
    )
    .await?;
    Ok(())
}

pub async fn starts_with_matches_hostile_prefixes_literally<B: Backend>(b: &B) -> Outcome {
    let (s, strings) = documents(b).await?;
    let want = |v: &str| -> Vec<String> {
        strings
            .iter()
            .filter(|s| s.starts_with(v))
            .cloned()
            .collect()
    };
    each_value(
        b,
        &*s,
        &strings,
        |v| all().filter(Doc::TITLE.starts_with(v)),
        want,
    )
    .await?;
    Ok(())
}

pub async fn ends_with_matches_hostile_suffixes_literally<B: Backend>(b: &B) -> Outcome {
    let (s, strings) = documents(b).await?;
    let want =
        |v: &str| -> Vec<String> { strings.iter().filter(|s| s.ends_with(v)).cloned().collect() };
    each_value(
        b,
        &*s,
        &strings,
        |v| all().filter(Doc::NOTE.ends_with(v)),
        want,
    )
    .await?;
    Ok(())
}

/// The titles `query` selects, by title.
async fn titles_of(s: &dyn Provider<Doc>, query: Query<Doc>) -> Result<Vec<String>, Error> {
    let page = s.list(&query.order_by(Doc::TITLE.asc())).await?;
    Ok(page.items.into_iter().map(|d| d.title).collect())
}

/// `%` and `_` (LIKE's wildcards), `*`, `?`, `[` (GLOB's) and `\` match only themselves.
pub async fn wildcards_match_literally<B: Backend>(b: &B) -> Outcome {
    let titles = [
        "100%",
        "100 percent",
        "1000",
        "a_b",
        "axb",
        "a__b",
        "%",
        "_",
        "a*b",
        "axxb",
        "a?b",
        "[a]",
        "a",
        "x\\y",
        "xy",
        "Percent%Sign",
        "percent%sign",
    ];
    let rows = titles
        .iter()
        .enumerate()
        .map(|(i, t)| doc(&format!("w{i:02}"), t));
    let (s, _) = seeded(b, rows).await?;
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.contains("%"))).await?,
        ["%", "100%", "Percent%Sign", "percent%sign"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.ends_with("0%"))).await?,
        ["100%"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.starts_with("100%"))).await?,
        ["100%"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.contains("_"))).await?,
        ["_", "a__b", "a_b"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.starts_with("a_"))).await?,
        ["a__b", "a_b"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.ends_with("_b"))).await?,
        ["a__b", "a_b"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.contains("*"))).await?,
        ["a*b"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.contains("?"))).await?,
        ["a?b"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.starts_with("[a"))).await?,
        ["[a]"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.contains("\\"))).await?,
        ["x\\y"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.contains("t%s"))).await?,
        ["percent%sign"]
    );
    assert_eq!(
        titles_of(&*s, all().filter(Doc::TITLE.eq("a_b"))).await?,
        ["a_b"]
    );
    Ok(())
}

pub async fn hostile_values_order_and_page_by_bytes<B: Backend>(b: &B) -> Outcome {
    let (s, strings) = documents(b).await?;
    let mut asc = strings.clone();
    asc.sort();
    let mut desc = asc.clone();
    desc.reverse();
    for (query, want) in [
        (Query::new().order_by(Doc::TITLE.asc()), asc),
        (Query::new().order_by(Doc::NOTE.desc()), desc),
    ] {
        for limit in [1, 7] {
            let (items, _) = walk(&*s, &query.clone().limit(limit), 1000).await?;
            let got: Vec<String> = items.into_iter().map(|d| d.title).collect();
            assert_eq!(got, want, "{query:?} by {limit}");
        }
    }
    Ok(())
}

pub async fn a_megabyte_round_trips_in_a_field_without_an_index<B: Backend>(b: &B) -> Outcome {
    let big = megabyte();
    assert_eq!(big.len(), 1 << 20);
    let s = b.provider::<Doc>().await?;
    let small = Doc {
        body: BENIGN.into(),
        ..doc("small", "small")
    };
    let (done, benign) = statements_of(b, s.publish(Publish::Insert(small))).await;
    done?;
    let row = Doc {
        body: big.clone(),
        ..doc("big", "big")
    };
    let (stored, sql) = statements_of(b, s.publish(Publish::Insert(row.clone()))).await;
    assert!(stored? == row, "the insert returns the megabyte");
    same_sql(&benign, &sql, &big);
    let loaded = s.load(&"big".to_string()).await?.expect("stored");
    assert!(loaded.body == big, "the megabyte loads back exactly");
    let q = || Query::<Doc>::new();
    assert_eq!(
        ids(&*s, q().filter(Doc::BODY.eq(big.as_str()))).await?,
        ["big"]
    );
    assert_eq!(
        ids(&*s, q().filter(Doc::BODY.ends_with("END-OF-MEGABYTE"))).await?,
        ["big"]
    );
    assert_eq!(
        ids(&*s, q().filter(Doc::BODY.contains("'; DROP TABLE"))).await?,
        ["big"]
    );
    assert_eq!(
        ids(&*s, q().filter(Doc::BODY.ne(big.as_str()))).await?,
        ["small"]
    );
    // Updated to another megabyte (one byte changed at the end).
    let mut other = big.clone();
    other.pop();
    other.push('!');
    let changed = Doc {
        body: other.clone(),
        ..row
    };
    s.publish(update(&changed, &[idx(Doc::BODY)], None)).await?;
    let loaded = s.load(&"big".to_string()).await?.expect("stored");
    assert!(
        loaded.body == other,
        "the updated megabyte loads back exactly"
    );
    assert_eq!(
        ids(&*s, q().filter(Doc::BODY.eq(big.as_str()))).await?,
        [""; 0]
    );
    Ok(())
}

pub async fn hostile_strings_round_trip_inside_json<B: Backend>(b: &B) -> Outcome {
    let strings = hostile_strings();
    let base = kinds().remove(1);
    let rows: Vec<Kinds> = strings
        .chunks(8)
        .enumerate()
        .map(|(i, chunk)| {
            let mut row = base.clone();
            row.id = format!("k{i:02}");
            row.text = chunk[0].clone();
            row.maybe_text = Some(chunk[chunk.len() - 1].clone());
            row.list = chunk.to_vec();
            row.address.street = chunk.concat();
            row.address.lines = chunk.iter().rev().cloned().collect();
            row.address.note = Some(chunk.join("|"));
            row
        })
        .collect();
    let (s, stored) = seeded(b, rows.clone()).await?;
    assert_eq!(stored, rows);
    for row in &rows {
        assert_eq!(s.load(&row.id).await?.as_ref(), Some(row));
        let found = ids(&*s, Query::new().filter(Kinds::TEXT.eq(row.text.as_str()))).await?;
        assert!(found.contains(&row.id), "{:?}", preview(&row.text));
    }
    Ok(())
}
