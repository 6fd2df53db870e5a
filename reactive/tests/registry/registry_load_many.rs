//! `Registry::load_many` and `Registry::list` register a batch in one pass: models in the
//! order of the ids (or of the page) whatever order the provider answers in, a live model kept
//! (also one that went live while the provider was answering), registry events for the new
//! models only, and entries gone with their last handle.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider, Publish};
use tokio::sync::Notify;

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("users")]
struct User {
    id: String,
    name: String,
}

fn id(s: &str) -> String {
    s.to_string()
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| id(s)).collect()
}

/// A store that answers `load_many` backwards, records what it was asked, and can hold its
/// answer until released.
#[derive(Default)]
struct Backwards {
    store: MemoryProvider<User>,
    asked: Mutex<Vec<Vec<String>>>,
    hold: Mutex<bool>,
    asking: Notify,
    release: Notify,
}

impl Backwards {
    fn new() -> Arc<Backwards> {
        let this = Backwards::default();
        for (id, name) in [
            ("u1", "Ada"),
            ("u2", "Grace"),
            ("u3", "Linus"),
            ("u4", "Alan"),
        ] {
            this.store.insert(User {
                id: id.into(),
                name: name.into(),
            });
        }
        Arc::new(this)
    }
}

struct Shared(Arc<Backwards>);

#[async_trait]
impl Provider<User> for Shared {
    async fn load(&self, id: &String) -> Result<Option<User>, Error> {
        self.0.store.load(id).await
    }
    async fn publish(&self, request: Publish<User>) -> Result<User, Error> {
        self.0.store.publish(request).await
    }
    async fn delete(&self, id: &String, version: Option<u64>) -> Result<(), Error> {
        self.0.store.delete(id, version).await
    }
    async fn load_many(&self, ids: &[String]) -> Result<Vec<User>, Error> {
        self.0.asked.lock().unwrap().push(ids.to_vec());
        let mut found = self.0.store.load_many(ids).await?;
        if *self.0.hold.lock().unwrap() {
            let released = self.0.release.notified();
            self.0.asking.notify_one();
            released.await;
        }
        found.reverse();
        Ok(found)
    }
}

fn names(models: &[Model<User>]) -> Vec<String> {
    models.iter().map(|m| m.name()).collect()
}

#[tokio::test]
async fn models_come_in_the_order_of_the_ids_whatever_order_the_provider_answers_in(
) -> Result<(), Error> {
    let store = Backwards::new();
    let registry = Registry::new();
    registry.provide(Shared(store.clone()));
    let live = registry.create(User {
        id: id("u2"),
        name: "Grace (live)".into(),
    })?;
    let asked = ids(&["u3", "u2", "nobody", "u1", "u3", "u4"]);
    let models = registry.load_many::<User>(&asked).await?;
    assert_eq!(
        names(&models),
        ["Linus", "Grace (live)", "Ada", "Linus", "Alan"],
        "the ids' order, the live state kept, nothing for an unknown id"
    );
    assert_eq!(
        *store.asked.lock().unwrap(),
        [ids(&["u3", "nobody", "u1", "u3", "u4"])],
        "one call, without the live id"
    );
    assert!(models[1].ptr_eq(&live));
    assert!(models[0].ptr_eq(&models[3]), "one model per id");
    for model in &models {
        let again = registry.get::<User>(&model.id()).expect("registered");
        assert!(again.ptr_eq(model));
    }
    assert_eq!(registry.len::<User>(), 4);
    // Loaded again: every id is live, nothing is asked.
    let again = registry.load_many::<User>(&ids(&["u4", "u1"])).await?;
    assert!(again[0].ptr_eq(&models[4]) && again[1].ptr_eq(&models[2]));
    assert_eq!(store.asked.lock().unwrap().len(), 1);
    drop((models, again, live));
    assert_eq!(
        registry.len::<User>(),
        0,
        "entries leave with their last handle"
    );
    Ok(())
}

#[tokio::test]
async fn registry_events_are_for_the_new_models_and_their_updates() -> Result<(), Error> {
    let store = Backwards::new();
    let registry = Registry::new();
    registry.provide(Shared(store));
    let live = registry.create(User {
        id: id("u1"),
        name: "Ada".into(),
    })?;
    let created = Arc::new(Mutex::new(Vec::new()));
    let updated = Arc::new(AtomicUsize::new(0));
    let _events = registry.on_event::<User>({
        let (created, updated) = (created.clone(), updated.clone());
        move |event| match event {
            RegistryEvent::Created(model) => created.lock().unwrap().push(model.id()),
            RegistryEvent::Updated(..) => {
                updated.fetch_add(1, Ordering::SeqCst);
            }
            _ => {}
        }
    });
    let models = registry
        .load_many::<User>(&ids(&["u1", "u2", "u3"]))
        .await?;
    let mut seen = created.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, ["u2", "u3"], "the live u1 is not created again");
    models[2].set_name("Linus T.")?;
    live.set_name("Ada L.")?;
    assert_eq!(
        updated.load(Ordering::SeqCst),
        2,
        "loaded models forward updates"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_that_goes_live_while_the_provider_answers_wins() -> Result<(), Error> {
    let store = Backwards::new();
    *store.hold.lock().unwrap() = true;
    let registry = Registry::new();
    registry.provide(Shared(store.clone()));
    let created = Arc::new(Mutex::new(Vec::new()));
    let _events = registry.on_event::<User>({
        let created = created.clone();
        move |event| {
            if let RegistryEvent::Created(model) = event {
                created.lock().unwrap().push(model.id());
            }
        }
    });
    let asking = store.asking.notified();
    let loading = tokio::spawn({
        let registry = registry.clone();
        async move { registry.load_many::<User>(&ids(&["u1", "u2"])).await }
    });
    asking.await;
    // The provider has read the store; meanwhile u2 goes live with other state.
    let live = registry.create(User {
        id: id("u2"),
        name: "Grace (created meanwhile)".into(),
    })?;
    store.release.notify_one();
    let models = loading.await.expect("the task")?;
    assert_eq!(names(&models), ["Ada", "Grace (created meanwhile)"]);
    assert!(models[1].ptr_eq(&live));
    let mut seen = created.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, ["u1", "u2"], "one creation each");
    drop((models, live));
    assert!(registry.is_empty::<User>());
    Ok(())
}

#[tokio::test]
async fn a_listed_page_joins_the_registry_in_its_order_and_keeps_live_state() -> Result<(), Error> {
    let store = MemoryProvider::new();
    for n in 1..=5 {
        store.insert(User {
            id: format!("u{n}"),
            name: format!("name {n}"),
        });
    }
    let registry = Registry::new();
    registry.provide(store);
    let live = registry.create(User {
        id: id("u3"),
        name: "edited".into(),
    })?;
    let created = Arc::new(Mutex::new(Vec::new()));
    let _events = registry.on_event::<User>({
        let created = created.clone();
        move |event| {
            if let RegistryEvent::Created(model) = event {
                created.lock().unwrap().push(model.id());
            }
        }
    });
    let query = Query::new().limit(4);
    let page = registry.list::<User>(&query).await?;
    assert_eq!(names(&page.items), ["name 1", "name 2", "edited", "name 4"]);
    assert!(page.items[2].ptr_eq(&live));
    assert_eq!(*created.lock().unwrap(), ["u1", "u2", "u4"]);
    assert_eq!(registry.len::<User>(), 4);
    let rest = registry
        .list::<User>(&query.after(page.next.clone()))
        .await?;
    assert_eq!(names(&rest.items), ["name 5"]);
    assert!(registry
        .get::<User>(&id("u1"))
        .unwrap()
        .ptr_eq(&page.items[0]));
    drop((page, rest, live));
    assert!(registry.is_empty::<User>());
    Ok(())
}
