//! Loading through the registry: single flight per id, cancel-safe waiters, load_many.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider, Publish};
use reactive::{Flags, StorageErrorKind, ValidationReport};
use tokio::sync::Notify;

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("users")]
struct User {
    id: String,
    name: String,
}

fn user(id: &str, name: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
    }
}

/// A store that counts its calls and holds every load until released.
struct Gated {
    store: MemoryProvider<User>,
    loads: AtomicUsize,
    asked: Mutex<Vec<Vec<String>>>,
    gate: Notify,
    open: std::sync::atomic::AtomicBool,
}

impl Gated {
    fn new() -> Arc<Gated> {
        let store = MemoryProvider::new();
        for (id, name) in [("u1", "Ada"), ("u2", "Grace"), ("u3", "Linus")] {
            store.insert(user(id, name));
        }
        Arc::new(Gated {
            store,
            loads: AtomicUsize::new(0),
            asked: Mutex::new(Vec::new()),
            gate: Notify::new(),
            open: std::sync::atomic::AtomicBool::new(true),
        })
    }

    fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
    }

    fn release(&self) {
        self.open.store(true, Ordering::SeqCst);
        self.gate.notify_waiters();
    }
}

struct Shared(Arc<Gated>);

#[async_trait]
impl Provider<User> for Shared {
    async fn load(&self, id: &String) -> Result<Option<User>, Error> {
        self.0.loads.fetch_add(1, Ordering::SeqCst);
        while !self.0.open.load(Ordering::SeqCst) {
            let notified = self.0.gate.notified();
            if self.0.open.load(Ordering::SeqCst) {
                break;
            }
            notified.await;
        }
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
        self.0.store.load_many(ids).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_waiters_of_one_id_make_one_provider_call_and_dropped_ones_strand_nobody() {
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        let gated = Gated::new();
        gated.close();
        let registry = Registry::new();
        registry.provide(Shared(gated.clone()));
        let id = "u1".to_string();
        let mut waiters: Vec<tokio::task::JoinHandle<Result<Model<User>, Error>>> = (0..100)
            .map(|_| {
                let (registry, id) = (registry.clone(), id.clone());
                tokio::spawn(async move { registry.get_or_load::<User>(&id).await })
            })
            .collect();
        while registry.waiters::<User>(&id) < 100 {
            tokio::task::yield_now().await;
        }
        for dropped in waiters.drain(..30) {
            dropped.abort();
            let _ = dropped.await;
        }
        while registry.waiters::<User>(&id) > 70 {
            tokio::task::yield_now().await;
        }
        gated.release();
        let mut models = Vec::new();
        for waiter in waiters {
            models.push(waiter.await.unwrap().unwrap());
        }
        assert_eq!(gated.loads.load(Ordering::SeqCst), 1, "one provider call");
        assert_eq!(models.len(), 70);
        assert!(
            models.iter().all(|m| m.ptr_eq(&models[0])),
            "one shared instance"
        );
        assert_eq!(models[0].name(), "Ada");
        assert_eq!(registry.waiters::<User>(&id), 0);
    })
    .await;
    assert!(
        outcome.is_ok(),
        "watchdog: the waiters did not finish within 30 s"
    );
}

/// A store whose loads wait for a gate, then fail with `error`.
struct Failing {
    error: Error,
    loads: AtomicUsize,
    gate: tokio::sync::Semaphore,
}

#[async_trait]
impl Provider<User> for Failing {
    async fn load(&self, _id: &String) -> Result<Option<User>, Error> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        let _permit = self.gate.acquire().await;
        Err(self.error.clone())
    }
    async fn publish(&self, _request: Publish<User>) -> Result<User, Error> {
        Err(self.error.clone())
    }
    async fn delete(&self, _id: &String, _version: Option<u64>) -> Result<(), Error> {
        Err(self.error.clone())
    }
    async fn load_many(&self, _ids: &[String]) -> Result<Vec<User>, Error> {
        Err(self.error.clone())
    }
}

/// Every waiter of one shared load gets the provider's error as its own variant, matchable
/// as a local provider's error is (not wrapped).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_waiter_of_a_failed_load_gets_the_providers_error_variant() {
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        for error in [
            Error::Storage {
                backend: "test",
                kind: StorageErrorKind::Unavailable,
                message: "connection refused".into(),
            },
            Error::Validation(ValidationReport::default()),
            Error::msg("a user error"),
        ] {
            let store = Arc::new(Failing {
                error: error.clone(),
                loads: AtomicUsize::new(0),
                gate: tokio::sync::Semaphore::new(0),
            });
            let registry = Registry::new();
            registry.provide(store.clone());
            let id = "u1".to_string();
            let waiters: Vec<_> = (0..10)
                .map(|_| {
                    let (registry, id) = (registry.clone(), id.clone());
                    tokio::spawn(async move { registry.get_or_load::<User>(&id).await })
                })
                .collect();
            while registry.waiters::<User>(&id) < 10 {
                tokio::task::yield_now().await;
            }
            store.gate.add_permits(1);
            for waiter in waiters {
                let got = waiter.await.unwrap().unwrap_err();
                let same = match (&error, &got) {
                    (Error::Storage { kind: a, .. }, Error::Storage { kind: b, .. }) => a == b,
                    (Error::Validation(a), Error::Validation(b)) => a == b,
                    (Error::Other(_), Error::Other(_)) => got.to_string() == "a user error",
                    _ => false,
                };
                assert!(same, "expected {error:?}, got {got:?}");
            }
            assert_eq!(store.loads.load(Ordering::SeqCst), 1, "one provider call");
        }
    })
    .await;
    assert!(
        outcome.is_ok(),
        "watchdog: the waiters did not finish within 10 s"
    );
}

#[tokio::test]
async fn a_live_id_is_not_loaded_again_and_an_unknown_one_is_not_found() {
    let gated = Gated::new();
    let registry = Registry::new();
    registry.provide(Shared(gated.clone()));
    let first = registry
        .get_or_load::<User>(&"u2".to_string())
        .await
        .unwrap();
    let second = registry
        .get_or_load::<User>(&"u2".to_string())
        .await
        .unwrap();
    assert!(first.ptr_eq(&second));
    assert_eq!(gated.loads.load(Ordering::SeqCst), 1);
    let err = registry
        .get_or_load::<User>(&"nobody".to_string())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { entity: "users", id } if id == "\"nobody\""),
        "{err:?}"
    );
}

#[tokio::test]
async fn loading_without_a_provider_is_a_typed_error() {
    let registry = Registry::new();
    let err = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NoProvider { entity: "users" }),
        "{err:?}"
    );
}

#[test]
fn loading_outside_a_runtime_is_a_typed_error_not_a_panic() {
    let registry = Registry::new();
    registry.provide(MemoryProvider::<User>::new());
    let result = futures::executor::block_on(registry.get_or_load::<User>(&"u1".to_string()));
    assert!(matches!(result, Err(Error::NoRuntime)), "{result:?}");
}

#[tokio::test]
async fn load_many_asks_the_provider_only_for_ids_not_live() {
    let gated = Gated::new();
    let registry = Registry::new();
    registry.provide(Shared(gated.clone()));
    let live = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    live.set_name("Ada (edited)").unwrap();
    let ids: Vec<String> = ["u3", "u1", "missing", "u2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let models = registry.load_many::<User>(&ids).await.unwrap();
    let names: Vec<String> = models.iter().map(|m| m.name()).collect();
    assert_eq!(
        names,
        ["Linus", "Ada (edited)", "Grace"],
        "input order, live state kept"
    );
    assert_eq!(
        *gated.asked.lock().unwrap(),
        vec![vec!["u3".to_string(), "missing".into(), "u2".into()]]
    );
    assert!(models[1].ptr_eq(&live));
}

#[tokio::test]
async fn models_made_from_a_load_say_it_was_fetched_and_found() {
    let store = MemoryProvider::new();
    for (id, name) in [("u1", "Ada"), ("u2", "Grace"), ("u3", "Linus")] {
        store.insert(user(id, name));
    }
    let registry = Registry::new();
    registry.provide(store);
    let loaded = Flags {
        fetched: true,
        found: true,
        ..Flags::default()
    };
    let one = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    assert_eq!(one.flags(), loaded);
    let many = registry
        .load_many::<User>(&["u2".to_string(), "u3".to_string()])
        .await
        .unwrap();
    assert!(many.iter().all(|m| m.flags() == loaded));
    let page = registry.list(&Query::<User>::new()).await.unwrap();
    assert!(page.items.iter().all(|m| m.flags() == loaded));
    // A model made by hand has loaded nothing.
    assert_eq!(Model::new(user("u9", "Nobody")).flags(), Flags::default());
}
