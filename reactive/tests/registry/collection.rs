//! Collections: pages of registered models, events, live membership, bulk operations.

use crate::common;

use std::time::Duration;

use common::Log;
use reactive::prelude::*;
use reactive::provider::MemoryProvider;

#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("tasks")]
struct Task {
    id: u64,
    title: String,
    priority: u64,
    open: bool,
}

fn task(id: u64, priority: u64, open: bool) -> Task {
    Task {
        id,
        title: format!("task {id}"),
        priority,
        open,
    }
}

/// Ten tasks: priorities 10, 20, .. 100; the odd ids are open.
fn registry() -> Registry {
    let store = MemoryProvider::new();
    for id in 1..=10 {
        store.insert(task(id, id * 10, id % 2 == 1));
    }
    let registry = Registry::new();
    registry.provide(store);
    registry
}

fn open_by_priority(limit: usize) -> Query<Task> {
    Query::new()
        .filter(Task::OPEN.eq(true))
        .order_by(Task::PRIORITY.desc())
        .limit(limit)
        .with_total()
}

async fn within<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("watchdog: the operation did not finish within 20 s")
}

#[tokio::test]
async fn pages_load_append_and_reload() {
    let registry = registry();
    let tasks = Collection::<Task>::new(&registry);
    assert!(tasks.is_empty() && !tasks.has_more());
    within(tasks.load(open_by_priority(2))).await.unwrap();
    assert_eq!(tasks.ids(), [9, 7]);
    assert_eq!(tasks.total(), Some(5));
    assert!(tasks.has_more() && tasks.next().is_some());
    within(tasks.load_next()).await.unwrap();
    within(tasks.load_next()).await.unwrap();
    assert_eq!(tasks.ids(), [9, 7, 5, 3, 1]);
    assert!(!tasks.has_more());
    within(tasks.load_next()).await.unwrap(); // nothing more: no change
    assert_eq!(tasks.len(), 5);
    assert_eq!(tasks.get(1).unwrap().id(), 7);
    assert!(tasks.contains(&5) && !tasks.contains(&2));
    assert_eq!(tasks.position(&3), Some(3));
    assert_eq!((&tasks).into_iter().count(), 5);
    within(tasks.reload()).await.unwrap();
    assert_eq!(
        tasks.ids(),
        [9, 7],
        "reload starts again from the first page"
    );
}

#[tokio::test]
async fn items_go_through_the_registry() {
    let registry = registry();
    let alone = within(registry.get_or_load::<Task>(&7)).await.unwrap();
    alone.set_title("edited, unpublished").unwrap();
    let tasks = Collection::<Task>::new(&registry);
    within(tasks.load(open_by_priority(5))).await.unwrap();
    let listed = tasks.get(1).unwrap();
    assert!(listed.ptr_eq(&alone), "one live model per id");
    assert_eq!(
        listed.title(),
        "edited, unpublished",
        "the live state is kept"
    );
}

#[tokio::test]
async fn load_next_reports_added_models_and_load_a_reset() {
    let registry = registry();
    let tasks = Collection::<Task>::new(&registry);
    let log = Log::default();
    let l = log.clone();
    let _sub = tasks.on_event(move |e| match e {
        CollectionEvent::Added { model, index } => {
            l.push(format!("added {} at {index}", model.id()))
        }
        CollectionEvent::Removed { model, index } => {
            l.push(format!("removed {} at {index}", model.id()))
        }
        CollectionEvent::Reset => l.push("reset"),
        _ => {}
    });
    within(tasks.load(open_by_priority(2))).await.unwrap();
    within(tasks.load_next()).await.unwrap();
    assert_eq!(log.take(), vec!["reset", "added 5 at 2", "added 3 at 3"]);
}

#[tokio::test]
async fn membership_stays_current_with_the_registry() {
    let registry = registry();
    let tasks = Collection::<Task>::new(&registry);
    within(tasks.load(open_by_priority(3))).await.unwrap();
    assert_eq!(tasks.ids(), [9, 7, 5]);
    let log = Log::default();
    let l = log.clone();
    let _sub = tasks.on_event(move |e| match e {
        CollectionEvent::Added { model, index } => {
            l.push(format!("added {} at {index}", model.id()))
        }
        CollectionEvent::Removed { model, index } => {
            l.push(format!("removed {} at {index}", model.id()))
        }
        _ => {}
    });
    // A closed task elsewhere in the registry opens with a high priority: it joins at its place,
    // and the full window pushes its last item to the next page.
    let four = within(registry.get_or_load::<Task>(&4)).await.unwrap();
    four.update(|t| {
        t.open = true;
        t.priority = 80;
    })
    .unwrap();
    assert_eq!(tasks.ids(), [9, 4, 7]);
    assert_eq!(log.take(), vec!["added 4 at 1", "removed 5 at 3"]);
    assert_eq!(tasks.total(), Some(6));
    // One that stops matching leaves.
    tasks.get(0).unwrap().set_open(false).unwrap();
    assert_eq!(tasks.ids(), [4, 7]);
    assert_eq!(log.take(), vec!["removed 9 at 0"]);
    // A deleted one leaves.
    within(four.delete()).await.unwrap();
    assert_eq!(tasks.ids(), [7]);
    assert_eq!(log.take(), vec!["removed 4 at 0"]);
    // The next page continues after the window, with no duplicate and nothing skipped.
    within(tasks.load_next()).await.unwrap();
    assert_eq!(tasks.ids(), [7, 5, 3, 1]);
    // A newly created matching entity joins too.
    let created = registry.create(task(11, 75, true)).unwrap();
    assert_eq!(tasks.ids(), [11, 7, 5, 3, 1], "75 sorts before 70");
    drop(created);
}

#[tokio::test]
async fn publish_many_and_delete_many_report_one_outcome_per_entity_in_order() {
    let registry = registry();
    let a = within(registry.get_or_load::<Task>(&1)).await.unwrap();
    let b = Model::draft(task(1, 1, true)); // same id as a stored one: the insert fails
    let c = Model::draft(task(42, 1, true));
    a.set_title("renamed").unwrap();
    let outcomes = within(registry.publish_many(&[a.clone(), b, c.clone()])).await;
    assert!(outcomes[0].is_ok());
    assert!(
        matches!(outcomes[1], Err(Error::AlreadyStored { .. })),
        "{:?}",
        outcomes[1]
    );
    assert!(outcomes[2].is_ok());
    let gone = Model::new(task(99, 1, true));
    let outcomes = within(registry.delete_many(&[c, gone, a])).await;
    assert!(outcomes[0].is_ok());
    assert!(
        matches!(outcomes[1], Err(Error::NotFound { .. })),
        "{:?}",
        outcomes[1]
    );
    assert!(outcomes[2].is_ok());
}

/// Lists with a gate per call (1-based) and the rows seen when the call started.
struct Racing {
    store: std::sync::Arc<MemoryProvider<Task>>,
    calls: std::sync::atomic::AtomicUsize,
    gates: std::collections::HashMap<usize, std::sync::Arc<tokio::sync::Semaphore>>,
}

#[reactive::async_trait]
impl Provider<Task> for Racing {
    async fn load(&self, id: &u64) -> Result<Option<Task>, Error> {
        self.store.load(id).await
    }
    async fn publish(&self, request: reactive::provider::Publish<Task>) -> Result<Task, Error> {
        self.store.publish(request).await
    }
    async fn delete(&self, id: &u64, version: Option<u64>) -> Result<(), Error> {
        self.store.delete(id, version).await
    }
    async fn list(&self, query: &Query<Task>) -> Result<Page<Task>, Error> {
        let call = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let early = self.store.list(query).await;
        if let Some(gate) = self.gates.get(&call) {
            gate.acquire().await.expect("gate open").forget();
        }
        early
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_page_never_overwrites_a_newer_one() {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    let store = Arc::new(MemoryProvider::new());
    for id in 1..=4 {
        store.insert(task(id, id, true));
    }
    let (first, second) = (
        Arc::new(tokio::sync::Semaphore::new(0)),
        Arc::new(tokio::sync::Semaphore::new(0)),
    );
    let racing = Arc::new(Racing {
        store: store.clone(),
        calls: Default::default(),
        gates: [(1, first.clone()), (2, second.clone())]
            .into_iter()
            .collect(),
    });
    let registry = Registry::new();
    registry.provide(racing.clone());
    let tasks = Collection::<Task>::new(&registry);
    let query = || {
        Query::new()
            .filter(Task::OPEN.eq(true))
            .order_by(Task::ID.asc())
    };
    // Load A sees 4 tasks; then task 4 closes in the store; load B sees 3. B answers first.
    let a = tokio::spawn({
        let (tasks, q) = (tasks.clone(), query());
        async move { tasks.load(q).await }
    });
    while racing.calls.load(Ordering::SeqCst) < 1 {
        tokio::task::yield_now().await;
    }
    store.insert(task(4, 4, false));
    let b = tokio::spawn({
        let (tasks, q) = (tasks.clone(), query());
        async move { tasks.load(q).await }
    });
    while racing.calls.load(Ordering::SeqCst) < 2 {
        tokio::task::yield_now().await;
    }
    second.add_permits(1);
    within(b).await.unwrap().unwrap();
    assert_eq!(tasks.ids(), [1, 2, 3]);
    first.add_permits(1);
    within(a).await.unwrap().unwrap();
    assert_eq!(tasks.ids(), [1, 2, 3], "the older page won");
}

/// Records, per list call, how many holders the query's plan had when the call arrived (the
/// query's own cache and this provider's read are two; a third is the collection's).
struct PlanSpy {
    store: MemoryProvider<Task>,
    holders: std::sync::Mutex<Vec<usize>>,
}

#[reactive::async_trait]
impl Provider<Task> for PlanSpy {
    async fn load(&self, id: &u64) -> Result<Option<Task>, Error> {
        self.store.load(id).await
    }
    async fn publish(&self, request: reactive::provider::Publish<Task>) -> Result<Task, Error> {
        self.store.publish(request).await
    }
    async fn delete(&self, id: &u64, version: Option<u64>) -> Result<(), Error> {
        self.store.delete(id, version).await
    }
    async fn list(&self, query: &Query<Task>) -> Result<Page<Task>, Error> {
        let plan = query.plan()?;
        self.holders
            .lock()
            .unwrap()
            .push(std::sync::Arc::strong_count(&plan));
        drop(plan);
        self.store.list(query).await
    }
}

#[tokio::test]
async fn each_page_is_planned_once_the_provider_reading_the_collections_plan() {
    let spy = std::sync::Arc::new(PlanSpy {
        store: MemoryProvider::new(),
        holders: Default::default(),
    });
    for id in 1..=6 {
        spy.store.insert(task(id, id * 10, true));
    }
    let registry = Registry::new();
    registry.provide(spy.clone());
    let tasks = Collection::<Task>::new(&registry);
    within(tasks.load(open_by_priority(2))).await.unwrap();
    within(tasks.load_next()).await.unwrap();
    // The first page: the collection planned it (to check it and keep it for membership) and
    // the provider got that plan; a later page is planned by the provider alone.
    assert_eq!(*spy.holders.lock().unwrap(), [3, 2]);
}

#[tokio::test]
async fn an_item_that_moves_past_the_loaded_window_comes_back_in_its_place() {
    let registry = Registry::new();
    let store = MemoryProvider::new();
    for id in 1..=6 {
        store.insert(task(id, id * 10, true));
    }
    registry.provide(store);
    let tasks = Collection::<Task>::new(&registry);
    within(tasks.load(open_by_priority(2))).await.unwrap();
    within(tasks.load_next()).await.unwrap();
    assert_eq!(tasks.ids(), [6, 5, 4, 3]);
    let log = Log::default();
    let l = log.clone();
    let _sub = tasks.on_event(move |e| match e {
        CollectionEvent::Added { index, .. } => l.push(format!("added {index}")),
        CollectionEvent::Removed { index, .. } => l.push(format!("removed {index}")),
        _ => l.push("reset"),
    });
    // Priority 1 sorts after 2 and 1, which are not loaded yet: it leaves the window (and
    // is stored so, for the later page to bring it).
    let moved = tasks.get(0).unwrap();
    moved.set_priority(1).unwrap();
    assert_eq!(tasks.ids(), [5, 4, 3]);
    within(moved.publish()).await.unwrap();
    assert_eq!(
        log.take(),
        ["removed 0"],
        "one event, and none for the publish"
    );
    assert_eq!(tasks.total(), Some(6), "it still matches");
    // Changes past the window count it once.
    moved.set_priority(2).unwrap();
    moved.set_priority(1).unwrap();
    assert_eq!(tasks.total(), Some(6), "counted once");
    assert_eq!(tasks.ids(), [5, 4, 3]);
    within(tasks.load_next()).await.unwrap();
    assert_eq!(tasks.ids(), [5, 4, 3, 2, 1]);
    within(tasks.load_next()).await.unwrap();
    assert_eq!(tasks.ids(), [5, 4, 3, 2, 1, 6]);
    assert!(!tasks.has_more());
    // Within the window an item moves in place.
    tasks.get(0).unwrap().set_priority(35).unwrap();
    assert_eq!(tasks.ids(), [4, 5, 3, 2, 1, 6]);
    assert_eq!(tasks.total(), Some(6));
}

#[tokio::test]
async fn a_deleted_entity_past_the_window_leaves_the_total() {
    let registry = Registry::new();
    let store = MemoryProvider::new();
    for id in 1..=4 {
        store.insert(task(id, id * 10, true));
    }
    registry.provide(store);
    let tasks = Collection::<Task>::new(&registry);
    within(tasks.load(open_by_priority(2))).await.unwrap();
    assert_eq!((tasks.ids(), tasks.total()), (vec![4, 3], Some(4)));
    let top = tasks.get(0).unwrap();
    top.set_priority(5).unwrap();
    within(top.publish()).await.unwrap();
    assert_eq!((tasks.ids(), tasks.total()), (vec![3], Some(4)));
    within(top.delete()).await.unwrap();
    assert_eq!((tasks.ids(), tasks.total()), (vec![3], Some(3)));
    within(tasks.load_next()).await.unwrap();
    assert_eq!(tasks.ids(), [3, 2, 1]);
}
