//! The live path: models loaded, published and deleted through a [`Registry`] over the
//! backend's provider, with their flags (`fetching`, `fetched`, `found`, `processing`,
//! `deleted`) and lifecycle events.

use std::sync::{Arc, Mutex};

use reactive::prelude::*;
use reactive::{Flags, ReactiveJson};

use super::backend::*;
use super::entities::*;

/// A registry of its own over `store`.
fn registry_over<T: Stored>(store: &Store<T>) -> Registry {
    let registry = Registry::new();
    registry.provide(Shared(store.clone()));
    registry
}

/// What a model's listeners saw, in order: flag events as `"<flag>.changed <value>"`, the
/// others by name.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("the log"))
    }
}

const WATCHED: &[&str] = &[
    "fetching.changed",
    "fetched.changed",
    "found.changed",
    "processing.changed",
    "deleted.changed",
    "pre:load",
    "load",
    "post:load",
    "pre:publish",
    "publish",
    "post:publish",
    "pre:delete",
    "delete",
    "post:delete",
    "change",
];

fn record<T: ReactiveJson>(m: &Model<T>) -> (Log, Vec<Subscription>) {
    let log = Log::default();
    let subs = WATCHED
        .iter()
        .map(|name| {
            let log = log.clone();
            m.on_event(name, move |e| {
                let entry = match e.name() {
                    n if n.ends_with(".changed") => format!("{n} {}", e.value()["value"]),
                    n => n.to_string(),
                };
                log.0.lock().expect("the log").push(entry);
            })
        })
        .collect();
    (log, subs)
}

fn flags(fetching: u32, fetched: bool, found: bool, processing: bool, deleted: bool) -> Flags {
    Flags {
        fetching,
        fetched,
        found,
        processing,
        deleted,
    }
}

pub async fn a_load_sets_fetched_and_found<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, [account("a1", "Ada")]).await?;
    let registry = registry_over(&s);
    let m = registry.get_or_load::<Account>(&"a1".to_string()).await?;
    assert_eq!((m.name(), m.version()), ("Ada".to_string(), 1));
    assert!(!m.is_dirty() && !m.is_draft());
    m.load().await?;
    assert_eq!(m.flags(), flags(0, true, true, false, false));
    // Loading again: only the flags that change emit, and nothing else changes.
    let (log, _subs) = record(&m);
    m.load().await?;
    assert_eq!(
        log.take(),
        [
            "fetching.changed 1",
            "pre:load",
            "fetching.changed 0",
            "load",
            "post:load"
        ]
    );
    assert_eq!(m.flags(), flags(0, true, true, false, false));
    Ok(())
}

pub async fn loading_a_missing_id_sets_found_false<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Account>().await?;
    let registry = registry_over(&s);
    let err = registry
        .get_or_load::<Account>(&"nobody".to_string())
        .await
        .expect_err("not stored");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let m = Model::new(account("nobody", "Nobody"));
    let (log, _subs) = record(&m);
    let err = m.load_from(&registry).await.expect_err("not stored");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(m.flags(), flags(0, true, false, false, false));
    assert_eq!(
        log.take(),
        [
            "fetching.changed 1",
            "pre:load",
            "fetching.changed 0",
            "fetched.changed true",
            "load",
            "post:load"
        ]
    );
    assert!(registry.get::<Account>(&"nobody".to_string()).is_none());
    Ok(())
}

pub async fn a_load_applies_stored_values_with_events<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, [account("a1", "Ada")]).await?;
    let registry = registry_over(&s);
    let m = Model::new(account("a1", "Placeholder"));
    let (log, _subs) = record(&m);
    m.load_from(&registry).await?;
    assert_eq!(
        log.take(),
        [
            "fetching.changed 1",
            "pre:load",
            "change",
            "fetching.changed 0",
            "fetched.changed true",
            "found.changed true",
            "load",
            "post:load"
        ]
    );
    assert_eq!((m.name(), m.version()), ("Ada".to_string(), 1));
    assert!(registry
        .get::<Account>(&"a1".to_string())
        .is_some_and(|r| r.ptr_eq(&m)));
    Ok(())
}

/// Flags emit `<flag>.changed` only: a publish that changes no value emits no `change`.
pub async fn flags_emit_flag_events_never_change<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, [memo("m1", "Title", "Body")]).await?;
    let registry = registry_over(&s);
    let m = registry.get_or_load::<Memo>(&"m1".to_string()).await?;
    m.set_title("New title")?;
    let before = m.flags();
    let (log, _subs) = record(&m);
    m.publish().await?;
    assert_eq!(
        log.take(),
        [
            "processing.changed true",
            "pre:publish",
            "processing.changed false",
            "publish",
            "post:publish"
        ]
    );
    assert_eq!(m.flags(), before, "the flags are as before the publish");
    assert!(!m.is_dirty());
    Ok(())
}

pub async fn publishing_a_draft_inserts_it<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Account>().await?;
    let registry = registry_over(&s);
    let draft = Model::draft(account("a2", "Grace"));
    draft.publish_to(&registry).await?;
    assert!(!draft.is_draft() && !draft.is_dirty());
    assert_eq!(draft.version(), 1, "the store's version is applied");
    assert!(!draft.flags().processing);
    let stored = s.load(&"a2".to_string()).await?.expect("inserted");
    assert_eq!(stored, draft.snapshot());
    assert!(registry
        .get::<Account>(&"a2".to_string())
        .is_some_and(|r| r.ptr_eq(&draft)));
    Ok(())
}

pub async fn publishing_sends_only_the_dirty_fields<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, [memo("m1", "Title", "Body")]).await?;
    let (a, c) = (registry_over(&s), registry_over(&s));
    let in_a = a.get_or_load::<Memo>(&"m1".to_string()).await?;
    let in_c = c.get_or_load::<Memo>(&"m1".to_string()).await?;
    in_a.set_title("A's title")?;
    in_c.set_body("C's body")?;
    in_a.publish().await?;
    in_c.publish().await?;
    let stored = s.load(&"m1".to_string()).await?.expect("stored");
    assert_eq!(
        (stored.title.as_str(), stored.body.as_str()),
        ("A's title", "C's body")
    );
    in_a.reload().await?;
    assert_eq!(in_a.snapshot(), stored);
    Ok(())
}

pub async fn a_conflicting_publish_keeps_the_edit_dirty<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, [account("a1", "Ada")]).await?;
    let (a, c) = (registry_over(&s), registry_over(&s));
    let in_a = a.get_or_load::<Account>(&"a1".to_string()).await?;
    let in_c = c.get_or_load::<Account>(&"a1".to_string()).await?;
    in_a.set_name("From A")?;
    in_c.set_name("From C")?;
    in_a.publish().await?;
    assert_eq!(in_a.version(), 2);
    let before = in_c.flags();
    let err = in_c.publish().await.expect_err("C's version is stale");
    assert!(
        matches!(
            &err,
            Error::Conflict {
                expected: Some(1),
                actual: Some(2),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(in_c.flags(), before);
    assert_eq!(
        (in_c.name(), in_c.dirty_fields()),
        ("From C".to_string(), vec!["name"])
    );
    assert_eq!(
        s.load(&"a1".to_string()).await?.map(|v| v.name),
        Some("From A".into())
    );
    // After a load (which keeps the edit) the publish goes through.
    in_c.load().await?;
    in_c.publish().await?;
    let stored = s.load(&"a1".to_string()).await?.expect("stored");
    assert_eq!((stored.name.as_str(), stored.version), ("From C", 3));
    Ok(())
}

pub async fn a_delete_sets_deleted_and_the_registry_forgets<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, [account("a1", "Ada")]).await?;
    let registry = registry_over(&s);
    let m = registry.get_or_load::<Account>(&"a1".to_string()).await?;
    let before = m.flags();
    let (log, _subs) = record(&m);
    m.delete().await?;
    assert_eq!(
        log.take(),
        [
            "processing.changed true",
            "pre:delete",
            "processing.changed false",
            "deleted.changed true",
            "delete",
            "post:delete"
        ]
    );
    assert_eq!(
        m.flags(),
        Flags {
            deleted: true,
            ..before
        }
    );
    assert!(registry.get::<Account>(&"a1".to_string()).is_none());
    assert_eq!(s.load(&"a1".to_string()).await?, None);
    Ok(())
}

pub async fn a_stale_delete_is_a_conflict_and_changes_nothing<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, [account("a1", "Ada")]).await?;
    let (a, c) = (registry_over(&s), registry_over(&s));
    let in_a = a.get_or_load::<Account>(&"a1".to_string()).await?;
    let in_c = c.get_or_load::<Account>(&"a1".to_string()).await?;
    in_a.set_balance(1)?;
    in_a.publish().await?;
    let before = (in_c.snapshot(), in_c.flags());
    let err = in_c.delete().await.expect_err("C's version is stale");
    assert!(matches!(&err, Error::Conflict { .. }), "{err:?}");
    assert_eq!((in_c.snapshot(), in_c.flags()), before);
    assert!(c.get::<Account>(&"a1".to_string()).is_some());
    assert_eq!(s.load(&"a1".to_string()).await?.map(|v| v.balance), Some(1));
    Ok(())
}

pub async fn publishing_a_draft_assigns_its_generated_id<B: Backend>(b: &B) -> Outcome {
    let s = b.provider::<Note>().await?;
    let registry = registry_over(&s);
    let draft = Model::draft(note("hello"));
    draft.publish_to(&registry).await?;
    let id = draft.with(|n| n.id).expect("an id was assigned");
    assert_eq!(draft.version(), 1);
    assert!(registry.get::<Note>(&id).is_some_and(|r| r.ptr_eq(&draft)));
    draft.set_text("edited")?;
    draft.publish().await?;
    assert_eq!(draft.version(), 2);
    let stored = s.load(&id).await?.expect("stored");
    assert_eq!(stored, draft.snapshot());
    Ok(())
}

pub async fn a_failed_publish_leaves_the_model_as_it_was<B: Backend>(b: &B) -> Outcome {
    let (s, stored) = seeded(b, [account("a1", "Ada")]).await?;
    let registry = registry_over(&s);
    let draft = Model::draft(account("a1", "Impostor"));
    let before = (draft.snapshot(), draft.flags());
    let err = draft
        .publish_to(&registry)
        .await
        .expect_err("the id is taken");
    assert!(matches!(&err, Error::AlreadyStored { .. }), "{err:?}");
    assert_eq!((draft.snapshot(), draft.flags()), before);
    assert!(draft.is_draft());
    assert!(registry.get::<Account>(&"a1".to_string()).is_none());
    assert_eq!(s.load(&"a1".to_string()).await?, Some(stored[0].clone()));
    Ok(())
}

pub async fn load_many_registers_what_exists<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let registry = registry_over(&s);
    let live = registry.get_or_load::<Person>(&2).await?;
    let models = registry.load_many::<Person>(&[4, 99, 2, 1]).await?;
    let got: Vec<u32> = models.iter().map(|m| m.with(|p| p.id)).collect();
    assert_eq!(got, [4, 2, 1]);
    assert!(models[1].ptr_eq(&live), "a live model is reused");
    assert_eq!(registry.len::<Person>(), 3);
    Ok(())
}

pub async fn a_collection_pages_through_the_store<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, people()).await?;
    let registry = registry_over(&s);
    let list = Collection::<Person>::new(&registry);
    let query = Query::new()
        .filter(Person::AGE.gt(36))
        .order_by(Person::AGE.desc())
        .limit(2)
        .with_total();
    list.load(query.clone()).await?;
    assert_eq!(list.ids(), [3, 4]);
    assert_eq!(list.total(), Some(3));
    assert!(list.has_more());
    list.load_next().await?;
    assert_eq!(list.ids(), [3, 4, 2]);
    assert!(!list.has_more());
    let page = registry.list(&query).await?;
    assert!(
        page.items[0].ptr_eq(&list.items()[0]),
        "items are the live models"
    );
    Ok(())
}

pub async fn computed_fields_are_current_after_a_publish<B: Backend>(b: &B) -> Outcome {
    let (s, _) = seeded(b, [invoice(1, 2, 10)]).await?;
    let registry = registry_over(&s);
    let m = registry.get_or_load::<Invoice>(&1).await?;
    assert_eq!(m.total(), 20);
    m.set_quantity(5)?;
    assert_eq!(m.total(), 50);
    m.publish().await?;
    assert_eq!(s.load(&1).await?.map(|i| i.total), Some(50));
    let other = registry_over(&s).get_or_load::<Invoice>(&1).await?;
    assert_eq!(other.total(), 50);
    Ok(())
}
