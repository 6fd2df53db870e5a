//! Provider calls of one model that overlap: a publish overtaken by a later load, two
//! publishes started back to back, flags while several calls are in flight. Each interleaving
//! is forced with the test provider's gates; every wait is under a watchdog.

use std::sync::Arc;
use std::time::Duration;

use reactive::prelude::*;
use reactive::provider::testing::{Call, Method, TestProvider};
use reactive::provider::{MemoryProvider, Provider, Publish};

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("docs")]
struct Doc {
    id: String,
    owner: String,
    title: String,
    #[reactive(version)]
    version: u64,
}

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("notes")]
struct Note {
    id: String,
    owner: String,
    title: String,
}

async fn within<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .unwrap_or_else(|_| panic!("watchdog: {what} did not finish within 10 s"))
}

fn doc_store() -> (Registry, Arc<TestProvider<Doc>>) {
    let store = Arc::new(TestProvider::new());
    store.insert(Doc {
        id: "d1".into(),
        owner: "Ada".into(),
        title: "Notes".into(),
        version: 1,
    });
    let registry = Registry::new();
    registry.provide(store.clone());
    (registry, store)
}

/// Item 3 of the runtime review: the publish is held before it writes, a load started after
/// it reads version 1 and is applied first; the acknowledged publish must still be reflected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_publish_is_kept_when_a_later_load_read_older_data() {
    within("publish overtaken by a load", async {
        let (registry, store) = doc_store();
        let m = registry.get_or_load::<Doc>(&"d1".into()).await.unwrap();
        m.set_owner("Grace").unwrap();
        let gate = store.hold(Method::Publish);
        let publish = tokio::spawn({
            let m = m.clone();
            async move { m.publish().await }
        });
        gate.wait_for(1).await;
        m.load().await.unwrap();
        assert_eq!(m.version(), 1);
        assert_eq!(m.owner(), "Grace", "the load keeps the unpublished edit");
        gate.release(1);
        publish.await.unwrap().unwrap();

        assert_eq!(store.get(&"d1".into()).unwrap().version, 2);
        assert_eq!(m.version(), 2, "the model is at the store's version");
        assert_eq!(m.owner(), "Grace");
        assert!(!m.is_dirty(), "dirty: {:?}", m.dirty_fields());
        store.unhold(Method::Publish);
        m.set_title("Plans").unwrap();
        m.publish()
            .await
            .expect("the next publish does not conflict");
        assert_eq!(store.get(&"d1".into()).unwrap().version, 3);
    })
    .await;
}

/// A store whose loads read when they arrive and answer when their gate lets them through
/// (a replica that lags): the answer can be older than a write made meanwhile.
struct Lagging {
    store: MemoryProvider<Doc>,
    loads: tokio::sync::Semaphore,
    arrived: std::sync::atomic::AtomicUsize,
    publishes: tokio::sync::Semaphore,
}

#[reactive::async_trait]
impl Provider<Doc> for Lagging {
    async fn load(&self, id: &String) -> Result<Option<Doc>, Error> {
        let read = self.store.load(id).await;
        self.arrived
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.loads.acquire().await.expect("open").forget();
        read
    }
    async fn publish(&self, request: Publish<Doc>) -> Result<Doc, Error> {
        self.publishes.acquire().await.expect("open").forget();
        self.store.publish(request).await
    }
    async fn delete(&self, id: &String, version: Option<u64>) -> Result<(), Error> {
        self.store.delete(id, version).await
    }
}

/// A load that read an older version than the model holds never regresses it: the load starts
/// while a publish is in flight, reads version 1, and answers after the publish was applied
/// at version 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_answering_an_older_version_never_regresses_the_model() {
    within("lagging load", async {
        let store = Arc::new(Lagging {
            store: MemoryProvider::new(),
            loads: tokio::sync::Semaphore::new(1),
            arrived: Default::default(),
            publishes: tokio::sync::Semaphore::new(0),
        });
        store.store.insert(Doc {
            id: "d1".into(),
            owner: "Ada".into(),
            title: "Notes".into(),
            version: 1,
        });
        let registry = Registry::new();
        registry.provide(store.clone());
        let m = registry.get_or_load::<Doc>(&"d1".into()).await.unwrap();
        m.set_title("Plans").unwrap();
        let publish = tokio::spawn({
            let m = m.clone();
            async move { m.publish().await }
        });
        while !m.flags().processing {
            tokio::task::yield_now().await;
        }
        // Started after the publish, it reads version 1 and waits.
        let load = tokio::spawn({
            let m = m.clone();
            async move { m.load().await }
        });
        while store.arrived.load(std::sync::atomic::Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        store.publishes.add_permits(1);
        publish.await.unwrap().unwrap();
        assert_eq!(m.version(), 2);
        store.loads.add_permits(1);
        load.await.unwrap().unwrap();
        assert_eq!(m.version(), 2, "the older answer regressed the version");
        assert_eq!(m.title(), "Plans");
        assert!(!m.is_dirty(), "dirty: {:?}", m.dirty_fields());
    })
    .await;
}

/// The same for an entity without a version: the publish re-baselines the fields it sent,
/// even though a later-started load was applied first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unversioned_publish_overtaken_by_a_load_re_baselines_what_it_sent() {
    within("unversioned publish overtaken by a load", async {
        let store = Arc::new(TestProvider::new());
        store.insert(Note {
            id: "n1".into(),
            owner: "Ada".into(),
            title: "Notes".into(),
        });
        let registry = Registry::new();
        registry.provide(store.clone());
        let m = registry.get_or_load::<Note>(&"n1".into()).await.unwrap();
        m.set_owner("Grace").unwrap();
        let gate = store.hold(Method::Publish);
        let publish = tokio::spawn({
            let m = m.clone();
            async move { m.publish().await }
        });
        gate.wait_for(1).await;
        // Someone else retitles the note; our load reads that (and the old owner).
        store.store().insert(Note {
            id: "n1".into(),
            owner: "Ada".into(),
            title: "Plans".into(),
        });
        m.load().await.unwrap();
        assert_eq!(m.title(), "Plans");
        assert_eq!(m.dirty_fields(), vec!["owner"]);
        gate.release(1);
        publish.await.unwrap().unwrap();
        assert_eq!(m.owner(), "Grace");
        assert_eq!(m.title(), "Plans", "the load's field is kept");
        assert!(!m.is_dirty(), "dirty: {:?}", m.dirty_fields());
    })
    .await;
}

type Waiting = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send>>;

/// Edits `owner` and starts a publish held at the store's gate, then edits `title` and starts a
/// second publish, polled once: it waits for its turn behind the first, unsent, counted in
/// flight.
async fn publish_behind_another(
    m: &Model<Doc>,
    store: &TestProvider<Doc>,
) -> (
    reactive::provider::testing::Gate,
    tokio::task::JoinHandle<Result<(), Error>>,
    Waiting,
) {
    let gate = store.hold(Method::Publish);
    m.set_owner("Grace").unwrap();
    let first = tokio::spawn({
        let m = m.clone();
        async move { m.publish().await }
    });
    gate.wait_for(1).await;
    m.set_title("Plans").unwrap();
    let mut second: Waiting = Box::pin({
        let m = m.clone();
        async move { m.publish().await }
    });
    assert!(futures::poll!(second.as_mut()).is_pending());
    (gate, first, second)
}

/// Item 4: two publishes of one model started back to back both succeed, the second sends
/// what is dirty when it is sent against the version the first left, and `processing` stays
/// true until the last one ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_publishes_started_back_to_back_both_succeed() {
    within("two publishes", async {
        let (registry, store) = doc_store();
        let m = registry.get_or_load::<Doc>(&"d1".into()).await.unwrap();
        let processing = Arc::new(std::sync::Mutex::new(Vec::new()));
        let p = processing.clone();
        let _sub = m.on_event("processing.changed", move |e| {
            p.lock()
                .unwrap()
                .push(e.value()["value"].as_bool().unwrap())
        });
        let (gate, first, second) = publish_behind_another(&m, &store).await;
        assert_eq!(store.count(Method::Publish), 1);
        gate.release(1);
        first.await.unwrap().unwrap();
        assert!(
            m.flags().processing,
            "the waiting publish counts as in flight"
        );
        let (second, ()) = tokio::join!(second, async {
            gate.wait_for(1).await;
            assert!(m.flags().processing);
            gate.release(1);
        });
        second.unwrap();

        let stored = store.get(&"d1".into()).unwrap();
        assert_eq!(
            (stored.owner.as_str(), stored.title.as_str()),
            ("Grace", "Plans")
        );
        assert_eq!(stored.version, 3);
        assert_eq!(m.version(), 3);
        assert!(!m.is_dirty(), "dirty: {:?}", m.dirty_fields());
        assert!(!m.flags().processing);
        assert_eq!(*processing.lock().unwrap(), vec![true, false]);
        let updates: Vec<_> = store
            .calls()
            .into_iter()
            .filter(|c| matches!(c, Call::Update { .. }))
            .collect();
        assert_eq!(
            updates,
            vec![
                Call::Update {
                    id: "d1".into(),
                    fields: vec!["owner"],
                    expected_version: Some(1),
                },
                Call::Update {
                    id: "d1".into(),
                    fields: vec!["title"],
                    expected_version: Some(2),
                },
            ]
        );
    })
    .await;
}

/// `fetching` counts loads in flight: the first of two overlapping loads to end leaves it at 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetching_counts_overlapping_loads() {
    within("overlapping loads", async {
        let (registry, store) = doc_store();
        let m = registry.get_or_load::<Doc>(&"d1".into()).await.unwrap();
        let gate = store.hold(Method::Load);
        let loads: Vec<_> = (0..2)
            .map(|_| {
                let m = m.clone();
                tokio::spawn(async move { m.load().await })
            })
            .collect();
        gate.wait_for(2).await;
        assert_eq!(m.flags().fetching, 2);
        gate.release(1);
        while m.flags().fetching == 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(m.flags().fetching, 1);
        gate.release(1);
        for load in loads {
            load.await.unwrap().unwrap();
        }
        assert_eq!(m.flags().fetching, 0);
    })
    .await;
}

/// A publish dropped while it waits for its turn gives its count back: `processing` ends with
/// the call in flight, and the dropped one is never sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_dropped_while_waiting_for_its_turn_is_never_sent() {
    within("dropped waiting publish", async {
        let (registry, store) = doc_store();
        let m = registry.get_or_load::<Doc>(&"d1".into()).await.unwrap();
        let (gate, first, second) = publish_behind_another(&m, &store).await;
        drop(second);
        assert!(m.flags().processing);
        gate.release(1);
        first.await.unwrap().unwrap();
        assert!(!m.flags().processing);
        assert_eq!(store.count(Method::Publish), 1);
        assert_eq!(m.dirty_fields(), vec!["title"]);
    })
    .await;
}
