//! `#[reactive(skip)]`: not reactive, never diffed, never rolled back.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use reactive::prelude::*;

/// Not `PartialEq`, not `Serialize`: allowed on a skipped field.
#[derive(Clone, Default, Debug)]
struct Cache {
    hits: u64,
}

#[derive(Reactive, Clone, Debug)]
struct Profile {
    name: String,
    #[reactive(skip)]
    cache: Cache,
}

#[test]
fn a_skipped_field_is_not_in_the_field_table_and_emits_nothing() {
    assert_eq!(Profile::FIELDS.len(), 1);
    assert_eq!(Profile::FIELDS[0].name(), "name");
    let m = Model::new(Profile {
        name: "ada".into(),
        cache: Cache::default(),
    });
    let changes = Arc::new(AtomicUsize::new(0));
    let c = changes.clone();
    m.on_change(move |_, _| {
        c.fetch_add(1, Ordering::SeqCst);
    })
    .detach();
    m.update(|p| p.cache.hits += 1).unwrap();
    assert_eq!(
        changes.load(Ordering::SeqCst),
        0,
        "a skipped field was diffed"
    );
    assert_eq!(
        m.with(|p| p.cache.hits),
        1,
        "the write to the skipped field was kept"
    );
}

#[test]
fn a_failed_batch_does_not_roll_back_a_skipped_field() {
    let m = Model::new(Profile {
        name: "ada".into(),
        cache: Cache::default(),
    });
    let result = m.try_update(|p| {
        p.name = "mallory".into();
        p.cache.hits = 7;
        Err::<(), _>(Error::msg("refused"))
    });
    assert!(result.is_err());
    assert_eq!(m.name(), "ada", "the reactive field was rolled back");
    assert_eq!(
        m.with(|p| p.cache.hits),
        7,
        "the skipped field was rolled back"
    );
    m.batch(|b| {
        b.update(|p| p.cache.hits = 8);
        let _ = b.batch(|inner| {
            inner.update(|p| p.cache.hits = 9);
            inner.set_name("eve")?;
            Err::<(), _>(Error::msg("inner refused"))
        });
        Ok(())
    })
    .unwrap();
    assert_eq!(m.name(), "ada");
    assert_eq!(m.with(|p| p.cache.hits), 9);
}
