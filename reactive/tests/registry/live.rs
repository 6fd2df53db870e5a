//! The live operations of entities: load, publish, delete; flags and lifecycle events;
//! optimistic concurrency; failures leave the model as it was; responses applied in order.

use crate::common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use common::Log;
use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider, Publish};
use tokio::sync::Semaphore;

#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("users")]
struct User {
    id: String,
    name: String,
    email: String,
    #[reactive(version)]
    version: u64,
}

fn user(id: &str, name: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
        email: format!("{name}@example.com").to_lowercase(),
        version: 0,
    }
}

/// A store that can hold calls at a gate and fail on demand.
#[derive(Default)]
struct Faulty {
    store: MemoryProvider<User>,
    gate: Option<Arc<Semaphore>>,
    fail: AtomicBool,
    calls: AtomicUsize,
    /// For loads: the value seen when the call started (answers arrive later).
    snapshot_at_start: bool,
    /// Per call number (1-based): a gate that call waits at, in addition to `gate`.
    call_gates: Mutex<std::collections::HashMap<usize, Arc<Semaphore>>>,
}

#[async_trait]
impl Provider<User> for Faulty {
    async fn load(&self, id: &String) -> Result<Option<User>, Error> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let early = self.store.get(id);
        let gate = self.call_gates.lock().unwrap().get(&call).cloned();
        if let Some(gate) = gate {
            gate.acquire().await.expect("gate open").forget();
        }
        self.wait().await;
        self.check()?;
        Ok(if self.snapshot_at_start {
            early
        } else {
            self.store.get(id)
        })
    }
    async fn publish(&self, request: Publish<User>) -> Result<User, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.wait().await;
        self.check()?;
        self.store.publish(request).await
    }
    async fn delete(&self, id: &String, version: Option<u64>) -> Result<(), Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.wait().await;
        self.check()?;
        self.store.delete(id, version).await
    }
}

impl Faulty {
    async fn wait(&self) {
        if let Some(gate) = &self.gate {
            gate.acquire().await.expect("gate open").forget();
        }
    }
    fn check(&self) -> Result<(), Error> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(Error::msg("injected fault"));
        }
        Ok(())
    }
}

fn setup(faulty: Faulty) -> (Registry, Arc<Faulty>) {
    faulty.store.insert(User {
        version: 1,
        ..user("u1", "Ada")
    });
    let faulty = Arc::new(faulty);
    let registry = Registry::new();
    registry.provide(faulty.clone());
    (registry, faulty)
}

/// Records flag and lifecycle events, and `change`.
fn record(m: &Model<User>, log: &Log) -> Vec<Subscription> {
    let names = [
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
        "name.changed",
        "version.changed",
    ];
    names
        .iter()
        .map(|name| {
            let l = log.clone();
            m.on_event(name, move |e| match e.name() {
                n if n.ends_with(".changed") => l.push(format!("{n} {}", e.value()["value"])),
                n => l.push(n.to_string()),
            })
        })
        .collect()
}

async fn within<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("watchdog: {what} did not finish within 20 s"))
}

#[tokio::test]
async fn load_sets_flags_and_emits_lifecycle_events_once_each() {
    let (registry, faulty) = setup(Faulty::default());
    // Registered, never loaded (a model made by `get_or_load` starts fetched and found).
    let stored = faulty.store.get(&"u1".to_string()).unwrap();
    let m = registry.create(stored).unwrap();
    faulty.store.insert(User {
        version: 1,
        ..user("u1", "Ada Lovelace")
    });
    let log = Log::default();
    let _subs = record(&m, &log);
    m.load().await.unwrap();
    assert_eq!(
        log.take(),
        vec![
            "fetching.changed 1",
            "pre:load",
            "name.changed \"Ada Lovelace\"",
            "change",
            "fetching.changed 0",
            "fetched.changed true",
            "found.changed true",
            "load",
            "post:load",
        ]
    );
    assert_eq!(m.flags().fetching, 0);
    assert!(m.flags().found && !m.is_dirty());
}

#[tokio::test]
async fn load_keeps_unpublished_local_edits_unless_forced() {
    let (registry, faulty) = setup(Faulty::default());
    let m = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    m.set_email("mine@example.com").unwrap();
    faulty.store.insert(User {
        version: 2,
        email: "theirs@example.com".into(),
        ..user("u1", "Ada L.")
    });
    m.load().await.unwrap();
    assert_eq!(
        (m.name(), m.email()),
        ("Ada L.".to_string(), "mine@example.com".to_string())
    );
    assert_eq!(m.dirty_fields(), ["email"]);
    m.reload().await.unwrap();
    assert_eq!(m.email(), "theirs@example.com");
    assert!(!m.is_dirty());
}

#[tokio::test]
async fn publishing_a_draft_inserts_it_ends_the_draft_and_joins_the_registry() {
    let (registry, faulty) = setup(Faulty::default());
    let draft = Model::draft(user("u2", "Grace"));
    // An unregistered model joins the registry it is published through.
    draft.publish_to(&registry).await.unwrap();
    assert!(!draft.is_draft() && !draft.is_dirty());
    assert_eq!(draft.version(), 1, "the store's version is applied");
    assert_eq!(faulty.store.get(&"u2".to_string()).unwrap().name, "Grace");
    assert!(registry
        .get::<User>(&"u2".to_string())
        .unwrap()
        .ptr_eq(&draft));
}

#[tokio::test]
async fn an_update_sends_only_dirty_fields_and_the_second_of_two_conflicting_writers_gets_a_conflict(
) {
    let store = Arc::new(MemoryProvider::<User>::new());
    store.insert(User {
        version: 1,
        ..user("u1", "Ada")
    });
    let (a, b) = (Registry::new(), Registry::new());
    a.provide(store.clone());
    b.provide(store.clone());
    let in_a = a.get_or_load::<User>(&"u1".to_string()).await.unwrap();
    let in_b = b.get_or_load::<User>(&"u1".to_string()).await.unwrap();
    in_a.set_name("Ada from A").unwrap();
    in_b.set_name("Ada from B").unwrap();
    in_a.publish().await.unwrap();
    assert_eq!(in_a.version(), 2);
    let err = in_b.publish().await.unwrap_err();
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
    // Nothing lost: the store keeps A's write, B keeps its edit, dirty, to resolve.
    assert_eq!(store.get(&"u1".to_string()).unwrap().name, "Ada from A");
    assert_eq!(
        (in_b.name(), in_b.dirty_fields()),
        ("Ada from B".to_string(), vec!["name"])
    );
    // After reloading B's baseline (keeping its edit), its publish goes through.
    in_b.load().await.unwrap();
    in_b.publish().await.unwrap();
    assert_eq!(store.get(&"u1".to_string()).unwrap().name, "Ada from B");
    assert_eq!(store.get(&"u1".to_string()).unwrap().version, 3);
}

#[tokio::test]
async fn a_failing_provider_leaves_values_flags_and_dirty_fields_as_they_were() {
    let (registry, faulty) = setup(Faulty::default());
    let m = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    m.set_name("Edited").unwrap();
    let before = (
        m.snapshot(),
        m.flags(),
        m.dirty_fields(),
        m.saved(User::NAME),
    );
    faulty.fail.store(true, Ordering::SeqCst);
    assert!(m.load().await.is_err());
    assert!(m.publish().await.is_err());
    assert!(m.delete().await.is_err());
    assert_eq!(
        (
            m.snapshot(),
            m.flags(),
            m.dirty_fields(),
            m.saved(User::NAME)
        ),
        before
    );
    assert!(registry.get::<User>(&"u1".to_string()).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_edited_while_a_publish_is_in_flight_stay_dirty() {
    let gate = Arc::new(Semaphore::new(0));
    let (registry, _faulty) = setup(Faulty {
        gate: Some(gate.clone()),
        ..Faulty::default()
    });
    gate.add_permits(1); // the load
    let m = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    m.set_name("Sent").unwrap();
    let publishing = tokio::spawn({
        let m = m.clone();
        async move { m.publish().await }
    });
    while !m.flags().processing {
        tokio::task::yield_now().await;
    }
    m.set_email("edited@meanwhile.io").unwrap();
    gate.add_permits(1);
    within("publish", publishing).await.unwrap().unwrap();
    assert_eq!(
        m.dirty_fields(),
        ["email"],
        "the in-flight edit stays dirty; the sent field is clean"
    );
    assert_eq!(m.version(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_caller_never_leaves_model_and_store_disagreeing() {
    let gate = Arc::new(Semaphore::new(0));
    let (registry, faulty) = setup(Faulty {
        gate: Some(gate.clone()),
        ..Faulty::default()
    });
    gate.add_permits(1);
    let m = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    m.set_name("Kept").unwrap();
    let caller = tokio::spawn({
        let m = m.clone();
        async move { m.publish().await }
    });
    while faulty.calls.load(Ordering::SeqCst) < 2 {
        tokio::task::yield_now().await;
    }
    caller.abort();
    let _ = caller.await;
    gate.add_permits(1);
    within("the orphaned publish", async {
        while m.is_dirty() || m.flags().processing {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(faulty.store.get(&"u1".to_string()).unwrap().name, "Kept");
    assert_eq!(m.version(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_response_never_overwrites_a_newer_one() {
    let (first_gate, second_gate) = (Arc::new(Semaphore::new(0)), Arc::new(Semaphore::new(0)));
    let faulty = Faulty {
        snapshot_at_start: true,
        ..Faulty::default()
    };
    // Call 1 is the initial get_or_load; calls 2 and 3 are the two loads raced here.
    faulty
        .call_gates
        .lock()
        .unwrap()
        .insert(2, first_gate.clone());
    faulty
        .call_gates
        .lock()
        .unwrap()
        .insert(3, second_gate.clone());
    let (registry, faulty) = setup(faulty);
    let m = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    // Load A starts while the store says "Ada"; load B starts after it says "new".
    let first = tokio::spawn({
        let m = m.clone();
        async move { m.load().await }
    });
    while faulty.calls.load(Ordering::SeqCst) < 2 {
        tokio::task::yield_now().await;
    }
    faulty.store.insert(User {
        version: 2,
        ..user("u1", "new")
    });
    let second = tokio::spawn({
        let m = m.clone();
        async move { m.load().await }
    });
    while faulty.calls.load(Ordering::SeqCst) < 3 {
        tokio::task::yield_now().await;
    }
    // B answers first, then A: A's older answer must not overwrite B's.
    second_gate.add_permits(1);
    within("load B", second).await.unwrap().unwrap();
    assert_eq!(m.name(), "new");
    first_gate.add_permits(1);
    within("load A", first).await.unwrap().unwrap();
    assert_eq!(m.name(), "new", "the older response won");
    assert_eq!(m.flags().fetching, 0);
}

#[tokio::test]
async fn delete_sets_the_flag_and_the_registry_forgets_the_id() {
    let (registry, faulty) = setup(Faulty::default());
    let events = Arc::new(Mutex::new(Vec::new()));
    let e = events.clone();
    let _sub = registry.on_event(move |ev: &RegistryEvent<User>| {
        if let RegistryEvent::Deleted(id) = ev {
            e.lock().unwrap().push(id.clone());
        }
    });
    let m = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    let log = Log::default();
    let _subs = record(&m, &log);
    m.delete().await.unwrap();
    assert_eq!(
        log.take(),
        vec![
            "processing.changed true",
            "pre:delete",
            "processing.changed false",
            "deleted.changed true",
            "delete",
            "post:delete",
        ]
    );
    assert!(m.flags().deleted);
    assert!(faulty.store.get(&"u1".to_string()).is_none());
    assert!(registry.get::<User>(&"u1".to_string()).is_none());
    assert_eq!(*events.lock().unwrap(), vec!["u1".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_stops_only_the_waiting() {
    let gate = Arc::new(Semaphore::new(0));
    let (registry, faulty) = setup(Faulty {
        gate: Some(gate.clone()),
        ..Faulty::default()
    });
    gate.add_permits(1);
    let m = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    m.set_name("Late").unwrap();
    let err = m
        .publish_within(Duration::from_millis(20))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "publish"
            }
        ),
        "{err:?}"
    );
    gate.add_permits(1);
    within("the late publish", async {
        while m.is_dirty() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(faulty.store.get(&"u1".to_string()).unwrap().name, "Late");
}
