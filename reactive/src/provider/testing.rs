//! A provider for tests (the `test-util` feature): the memory provider, recording every call
//! and failing or holding calls on demand.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use tokio::sync::{Notify, Semaphore};

use crate::entity::Entity;
use crate::error::Error;
use crate::provider::{MemoryProvider, Provider, Publish};
use crate::query::{Page, Query, Queryable};

/// The [`Provider`] method a call went to (a [`Call`]'s kind; not the registry's
/// [`Operation`](crate::registry::Operation), which hooks see and which has no `list`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// [`Provider::load`].
    Load,
    /// [`Provider::load_many`].
    LoadMany,
    /// [`Provider::publish`] (an insert or an update).
    Publish,
    /// [`Provider::delete`].
    Delete,
    /// [`Provider::list`].
    List,
}

/// One call a [`TestProvider`] received, recorded when it arrived (before any fault).
#[non_exhaustive]
pub enum Call<T: Entity> {
    /// A load of `id`.
    Load {
        /// The id asked for.
        id: T::Id,
    },
    /// A load of several ids.
    LoadMany {
        /// The ids asked for.
        ids: Vec<T::Id>,
    },
    /// An insert (a draft's publish).
    Insert {
        /// The id (`None` for a generated id the store assigns).
        id: Option<T::Id>,
        /// Every field.
        fields: Vec<&'static str>,
    },
    /// An update of the dirty fields.
    Update {
        /// The id.
        id: T::Id,
        /// The fields written.
        fields: Vec<&'static str>,
        /// The version the update was made against.
        expected_version: Option<u64>,
    },
    /// A delete.
    Delete {
        /// The id.
        id: T::Id,
        /// The version the delete was made against.
        expected_version: Option<u64>,
    },
    /// A page of a query.
    List {
        /// The query.
        query: Query<T>,
    },
}

impl<T: Entity> Call<T> {
    /// The provider method called.
    pub fn method(&self) -> Method {
        match self {
            Call::Load { .. } => Method::Load,
            Call::LoadMany { .. } => Method::LoadMany,
            Call::Insert { .. } | Call::Update { .. } => Method::Publish,
            Call::Delete { .. } => Method::Delete,
            Call::List { .. } => Method::List,
        }
    }

    /// The id of a single-entity call (none for `LoadMany` and for an insert without an id).
    pub fn id(&self) -> Option<&T::Id> {
        match self {
            Call::Load { id } | Call::Update { id, .. } | Call::Delete { id, .. } => Some(id),
            Call::Insert { id, .. } => id.as_ref(),
            Call::LoadMany { .. } | Call::List { .. } => None,
        }
    }

    /// The fields a publish writes; empty for the other calls.
    pub fn fields(&self) -> &[&'static str] {
        match self {
            Call::Insert { fields, .. } | Call::Update { fields, .. } => fields,
            _ => &[],
        }
    }

    fn of_publish(request: &Publish<T>) -> Self {
        match request {
            Publish::Insert(value) => Call::Insert {
                id: value.id(),
                fields: request.field_names(),
            },
            Publish::Update {
                id,
                expected_version,
                ..
            } => Call::Update {
                id: id.clone(),
                fields: request.field_names(),
                expected_version: *expected_version,
            },
        }
    }
}

// By hand: derives would ask `T` itself for `Clone`, `PartialEq` and `Debug`.
impl<T: Entity> Clone for Call<T> {
    fn clone(&self) -> Self {
        match self {
            Call::Load { id } => Call::Load { id: id.clone() },
            Call::LoadMany { ids } => Call::LoadMany { ids: ids.clone() },
            Call::Insert { id, fields } => Call::Insert {
                id: id.clone(),
                fields: fields.clone(),
            },
            Call::Update {
                id,
                fields,
                expected_version,
            } => Call::Update {
                id: id.clone(),
                fields: fields.clone(),
                expected_version: *expected_version,
            },
            Call::Delete {
                id,
                expected_version,
            } => Call::Delete {
                id: id.clone(),
                expected_version: *expected_version,
            },
            Call::List { query } => Call::List {
                query: query.clone(),
            },
        }
    }
}

impl<T: Entity> PartialEq for Call<T> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Call::Load { id: a }, Call::Load { id: b }) => a == b,
            (Call::LoadMany { ids: a }, Call::LoadMany { ids: b }) => a == b,
            (Call::Insert { id: a, fields: f }, Call::Insert { id: b, fields: g }) => {
                a == b && f == g
            }
            (
                Call::Update {
                    id: a,
                    fields: f,
                    expected_version: v,
                },
                Call::Update {
                    id: b,
                    fields: g,
                    expected_version: w,
                },
            ) => a == b && f == g && v == w,
            (
                Call::Delete {
                    id: a,
                    expected_version: v,
                },
                Call::Delete {
                    id: b,
                    expected_version: w,
                },
            ) => a == b && v == w,
            (Call::List { query: a }, Call::List { query: b }) => a == b,
            _ => false,
        }
    }
}

impl<T: Entity> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Call::Load { id } => f.debug_struct("Load").field("id", id).finish(),
            Call::LoadMany { ids } => f.debug_struct("LoadMany").field("ids", ids).finish(),
            Call::Insert { id, fields } => f
                .debug_struct("Insert")
                .field("id", id)
                .field("fields", fields)
                .finish(),
            Call::Update {
                id,
                fields,
                expected_version,
            } => f
                .debug_struct("Update")
                .field("id", id)
                .field("fields", fields)
                .field("expected_version", expected_version)
                .finish(),
            Call::Delete {
                id,
                expected_version,
            } => f
                .debug_struct("Delete")
                .field("id", id)
                .field("expected_version", expected_version)
                .finish(),
            Call::List { query } => f.debug_struct("List").field("query", query).finish(),
        }
    }
}

type Rule<T> = Box<dyn Fn(&Call<T>) -> Option<Error> + Send + Sync>;

/// A gate calls wait at until it lets them through: [`TestProvider::hold`].
///
/// Tests synchronise on it without timing: [`wait_for`](Gate::wait_for) returns once that
/// many calls are waiting, then [`release`](Gate::release) lets some through.
#[derive(Clone)]
pub struct Gate {
    inner: Arc<GateInner>,
}

struct GateInner {
    permits: Semaphore,
    waiting: AtomicUsize,
    arrived: Notify,
}

impl Gate {
    fn new() -> Self {
        Gate {
            inner: Arc::new(GateInner {
                permits: Semaphore::new(0),
                waiting: AtomicUsize::new(0),
                arrived: Notify::new(),
            }),
        }
    }

    /// Lets `n` waiting (or future) calls through.
    pub fn release(&self, n: usize) {
        self.inner.permits.add_permits(n);
    }

    /// How many calls are waiting now.
    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::SeqCst)
    }

    /// Returns once at least `n` calls are waiting.
    pub async fn wait_for(&self, n: usize) {
        loop {
            let arrived = self.inner.arrived.notified();
            if self.waiting() >= n {
                return;
            }
            arrived.await;
        }
    }

    async fn pass(&self) {
        self.inner.waiting.fetch_add(1, Ordering::SeqCst);
        self.inner.arrived.notify_waiters();
        // The semaphore is never closed.
        if let Ok(permit) = self.inner.permits.acquire().await {
            permit.forget();
        }
        self.inner.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("waiting", &self.waiting())
            .finish()
    }
}

/// The [`MemoryProvider`] for tests, like sea-orm's `MockDatabase`: records every call
/// (operation, id, fields written), fails calls on demand (the next *n* of an operation, or
/// those a predicate picks) and holds calls at a [`Gate`] until the test releases them.
///
/// A call is recorded when it arrives, then waits at its operation's gate (if any), then
/// fails if a fault applies, else goes to the store.
///
/// ```
/// use std::sync::Arc;
/// use reactive::prelude::*;
/// use reactive::provider::testing::{Call, Method, TestProvider};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: String, name: String }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = Arc::new(TestProvider::<User>::new());
/// store.insert(User { id: "u1".into(), name: "Ada".into() });
/// let registry = Registry::new();
/// registry.provide(store.clone());
///
/// let ada = registry.get_or_load::<User>(&"u1".to_string()).await?;
/// ada.set_name("Ada Lovelace")?;
/// store.fail_next(Method::Publish, 1);
/// assert!(ada.publish().await.is_err());          // injected: nothing written
/// assert!(ada.is_dirty());
/// ada.publish().await?;
/// assert_eq!(store.get(&"u1".to_string()).unwrap().name, "Ada Lovelace");
/// assert_eq!(store.calls(), [
///     Call::Load { id: "u1".to_string() },
///     Call::Update { id: "u1".to_string(), fields: vec!["name"], expected_version: None },
///     Call::Update { id: "u1".to_string(), fields: vec!["name"], expected_version: None },
/// ]);
/// # Ok::<(), reactive::Error>(()) }).unwrap();
/// ```
pub struct TestProvider<T: Entity> {
    store: MemoryProvider<T>,
    calls: Mutex<Vec<Call<T>>>,
    next_faults: Mutex<HashMap<Method, usize>>,
    rules: Mutex<Vec<Rule<T>>>,
    gates: Mutex<HashMap<Method, Gate>>,
}

impl<T: Entity> Default for TestProvider<T> {
    fn default() -> Self {
        TestProvider::with_store(MemoryProvider::new())
    }
}

impl<T: Entity> TestProvider<T> {
    /// An empty store.
    pub fn new() -> Self {
        TestProvider::default()
    }

    /// Wraps `store` (for one configured with [`MemoryProvider::with_ids`]).
    pub fn with_store(store: MemoryProvider<T>) -> Self {
        TestProvider {
            store,
            calls: Mutex::new(Vec::new()),
            next_faults: Mutex::new(HashMap::new()),
            rules: Mutex::new(Vec::new()),
            gates: Mutex::new(HashMap::new()),
        }
    }

    /// The store underneath (seeding and inspecting bypass recording and faults).
    pub fn store(&self) -> &MemoryProvider<T> {
        &self.store
    }

    /// Stores `value` directly (not recorded).
    pub fn insert(&self, value: T) {
        self.store.insert(value);
    }

    /// A clone of the stored value of `id` (not recorded).
    pub fn get(&self, id: &T::Id) -> Option<T> {
        self.store.get(id)
    }

    /// Every call received, in order.
    pub fn calls(&self) -> Vec<Call<T>> {
        self.calls.lock().clone()
    }

    /// Every call received, in order, forgetting them.
    pub fn take_calls(&self) -> Vec<Call<T>> {
        std::mem::take(&mut *self.calls.lock())
    }

    /// How many calls of `method` were received.
    pub fn count(&self, method: Method) -> usize {
        self.calls
            .lock()
            .iter()
            .filter(|c| c.method() == method)
            .count()
    }

    /// The next `n` calls of `method` fail (with [`Error::Other`], "injected fault: ..."), after
    /// any already pending for `method`.
    pub fn fail_next(&self, method: Method, n: usize) -> &Self {
        *self.next_faults.lock().entry(method).or_insert(0) += n;
        self
    }

    /// Every call for which `rule` returns an error fails with it (until
    /// [`clear_faults`](TestProvider::clear_faults)).
    pub fn fail_when(
        &self,
        rule: impl Fn(&Call<T>) -> Option<Error> + Send + Sync + 'static,
    ) -> &Self {
        self.rules.lock().push(Box::new(rule));
        self
    }

    /// Removes every pending fault and rule.
    pub fn clear_faults(&self) {
        self.next_faults.lock().clear();
        self.rules.lock().clear();
    }

    /// From now on, calls of `method` wait at the returned gate until it lets them through.
    /// Holding an operation again returns its existing gate.
    pub fn hold(&self, method: Method) -> Gate {
        self.gates
            .lock()
            .entry(method)
            .or_insert_with(Gate::new)
            .clone()
    }

    /// Stops holding `method`: later calls pass; calls already waiting still need a
    /// [`Gate::release`].
    pub fn unhold(&self, method: Method) {
        self.gates.lock().remove(&method);
    }

    /// Records `call`, waits at its gate, and returns the fault it gets, if any.
    async fn enter(&self, call: Call<T>) -> Result<(), Error> {
        let method = call.method();
        self.calls.lock().push(call.clone());
        let gate = self.gates.lock().get(&method).cloned();
        if let Some(gate) = gate {
            gate.pass().await;
        }
        {
            let mut next = self.next_faults.lock();
            if let Some(n) = next.get_mut(&method).filter(|n| **n > 0) {
                *n -= 1;
                return Err(Error::msg(format_args!("injected fault: {method:?}")));
            }
        }
        let rules = self.rules.lock();
        match rules.iter().find_map(|rule| rule(&call)) {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl<T: Entity> Provider<T> for TestProvider<T> {
    async fn load(&self, id: &T::Id) -> Result<Option<T>, Error> {
        self.enter(Call::Load { id: id.clone() }).await?;
        self.store.load(id).await
    }

    async fn publish(&self, request: Publish<T>) -> Result<T, Error> {
        self.enter(Call::of_publish(&request)).await?;
        self.store.publish(request).await
    }

    async fn delete(&self, id: &T::Id, expected_version: Option<u64>) -> Result<(), Error> {
        self.enter(Call::Delete {
            id: id.clone(),
            expected_version,
        })
        .await?;
        self.store.delete(id, expected_version).await
    }

    async fn load_many(&self, ids: &[T::Id]) -> Result<Vec<T>, Error> {
        self.enter(Call::LoadMany { ids: ids.to_vec() }).await?;
        self.store.load_many(ids).await
    }

    async fn list(&self, query: &Query<T>) -> Result<Page<T>, Error>
    where
        T: Queryable,
    {
        self.enter(Call::List {
            query: query.clone(),
        })
        .await?;
        self.store.list(query).await
    }
}

impl<T: Entity> fmt::Debug for TestProvider<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestProvider")
            .field("store", &self.store)
            .field("calls", &self.calls.lock().len())
            .finish_non_exhaustive()
    }
}
