//! Collections: a query's results as live models, page by page, kept current.
//!
//! Every item goes through the registry (a collection's item and the same id loaded alone
//! share state). A loaded collection keeps its membership current: an entity published or
//! changed anywhere in the registry that matches the query joins at its place in the query's
//! order (within the loaded window), one that stops matching or is deleted leaves.

mod membership;

use std::sync::Arc;

use parking_lot::Mutex;

use crate::entity::Entity;
use crate::error::Error;
use crate::event::subscription::Subscription;
use crate::model::Model;
use crate::query::{Cursor, Page, Plan, Query, Queryable, Value};
use crate::registry::Registry;

use membership::Listeners;

/// What changed in a collection.
#[derive(Debug)]
#[non_exhaustive]
pub enum CollectionEvent<T: Entity> {
    /// A model joined at `index` (loaded with `load_next`, or a live join).
    Added {
        /// The model.
        model: Model<T>,
        /// Its position.
        index: usize,
    },
    /// A model left from `index` (it stopped matching, was deleted, or was pushed out of the
    /// loaded window).
    Removed {
        /// The model.
        model: Model<T>,
        /// Its former position.
        index: usize,
    },
    /// The items were replaced (`load`, `reload`).
    Reset,
}

struct State<T: Entity> {
    query: Option<Query<T>>,
    /// The plan of `query`, made once per `load`: later pages and every registry event use it.
    plan: Option<Arc<Plan<T>>>,
    items: Vec<Model<T>>,
    /// The sort key of each item, as of its last event (so placing a changed item reads no
    /// other item's fields): `keys[i]` is `items[i]`'s.
    keys: Vec<Vec<Value>>,
    next: Option<Cursor>,
    total: Option<u64>,
    /// Sequence numbers of loads started and applied (an older page never overwrites a
    /// newer one).
    started: u64,
    applied: u64,
    /// How many items the loaded pages hold (the limit times the pages): a live join into a
    /// full window pushes the last item to the next page.
    window: usize,
    /// Matching entities past the loaded window that `total` counts already (they left it, or
    /// joined past it): a later change or page does not count them again.
    beyond: std::collections::HashSet<T::Id>,
}

pub(crate) struct Inner<T: Entity> {
    registry: Registry,
    state: Mutex<State<T>>,
    listeners: Listeners<T>,
    /// The registry subscription that keeps membership current (set on the first load).
    live: Mutex<Option<Subscription>>,
}

/// The results of a query, as registered live models.
///
/// ```
/// use reactive::prelude::*;
/// use reactive::provider::MemoryProvider;
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: u64, name: String, admin: bool }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = MemoryProvider::new();
/// for id in 1..=5 {
///     store.insert(User { id, name: format!("user {id}"), admin: id % 2 == 1 });
/// }
/// let registry = Registry::new();
/// registry.provide(store);
/// let admins = Collection::<User>::new(&registry);
/// admins.load(Query::new().filter(User::ADMIN.eq(true)).order_by(User::ID.asc()).limit(2).with_total()).await?;
/// assert_eq!(admins.ids(), [1, 3]);
/// assert_eq!(admins.total(), Some(3));
/// admins.load_next().await?;
/// assert_eq!(admins.ids(), [1, 3, 5]);
/// assert!(!admins.has_more());
/// # Ok::<(), reactive::Error>(()) }).unwrap();
/// ```
pub struct Collection<T: Entity + Queryable> {
    inner: Arc<Inner<T>>,
}

impl<T: Entity + Queryable> Clone for Collection<T> {
    fn clone(&self) -> Self {
        Collection {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Entity + Queryable> Collection<T> {
    /// An empty collection over `registry` (its provider and identity map).
    pub fn new(registry: &Registry) -> Self {
        Collection {
            inner: Arc::new(Inner {
                registry: registry.clone(),
                state: Mutex::new(State {
                    query: None,
                    plan: None,
                    items: Vec::new(),
                    keys: Vec::new(),
                    next: None,
                    total: None,
                    started: 0,
                    applied: 0,
                    window: 0,
                    beyond: Default::default(),
                }),
                listeners: Listeners::new(),
                live: Mutex::new(None),
            }),
        }
    }

    /// Loads the first page of `query`, replacing the items.
    pub async fn load(&self, query: Query<T>) -> Result<(), Error> {
        self.fetch(query, false).await
    }

    /// Loads the page after the loaded ones and appends it (nothing when there is none).
    pub async fn load_next(&self) -> Result<(), Error> {
        let query = {
            let state = self.inner.state.lock();
            match (&state.query, &state.next) {
                (Some(query), Some(next)) => query.clone().after(next.clone()),
                _ => return Ok(()),
            }
        };
        self.fetch(query, true).await
    }

    /// Loads the first page of the current query again, replacing the items.
    pub async fn reload(&self) -> Result<(), Error> {
        let query = self.inner.state.lock().query.clone();
        match query {
            Some(query) => self.fetch(query.after(None), false).await,
            None => Ok(()),
        }
    }

    async fn fetch(&self, query: Query<T>, append: bool) -> Result<(), Error> {
        // A first page plans the query (checked before the provider is asked); a later page
        // reuses that plan (the membership checks never read its cursor).
        let (limit, plan) = match self.inner.state.lock().plan.clone() {
            Some(plan) if append => (plan.limit(), None),
            _ => {
                let plan = query.plan()?;
                (plan.limit(), Some(plan))
            }
        };
        let seq = {
            let mut state = self.inner.state.lock();
            state.started += 1;
            state.started
        };
        let page = self.inner.registry.provider_of::<T>()?.list(&query).await?;
        if seq <= self.inner.state.lock().applied {
            // A newer load already landed: this page's values are older; keep them out of the
            // registry too.
            return Ok(());
        }
        let page: Page<Model<T>> = self.inner.registry.adopt_page(page).await?;
        let events = {
            let mut state = self.inner.state.lock();
            if seq <= state.applied {
                // A newer load already landed.
                return Ok(());
            }
            state.applied = seq;
            let mut events = Vec::new();
            if append {
                state.window += limit;
                for model in page.items {
                    if let Some(id) = model.with(|v| v.id()) {
                        state.beyond.remove(&id);
                    }
                    if state.items.iter().any(|m| m.ptr_eq(&model)) {
                        continue;
                    }
                    let key = match &state.plan {
                        Some(plan) => model.with(|v| plan.sort_key(v).unwrap_or_default()),
                        None => Vec::new(),
                    };
                    state.keys.push(key);
                    state.items.push(model.clone());
                    events.push(CollectionEvent::Added {
                        model,
                        index: state.items.len() - 1,
                    });
                }
            } else {
                state.keys = match &plan {
                    Some(plan) => page
                        .items
                        .iter()
                        .map(|m| m.with(|v| plan.sort_key(v).unwrap_or_default()))
                        .collect(),
                    None => Vec::new(),
                };
                state.items = page.items;
                state.beyond.clear();
                state.window = limit;
                state.query = Some(query.after(None));
                state.plan = plan;
                events.push(CollectionEvent::Reset);
            }
            state.next = page.next;
            if page.total.is_some() {
                state.total = page.total;
            }
            events
        };
        self.watch();
        for event in &events {
            self.inner.listeners.emit(event);
        }
        Ok(())
    }

    /// The models, in the query's order.
    pub fn items(&self) -> Vec<Model<T>> {
        self.inner.state.lock().items.clone()
    }

    /// The ids of the models, in order.
    pub fn ids(&self) -> Vec<T::Id> {
        self.inner
            .state
            .lock()
            .items
            .iter()
            .filter_map(|m| m.with(|v| v.id()))
            .collect()
    }

    /// The model at `index`.
    pub fn get(&self, index: usize) -> Option<Model<T>> {
        self.inner.state.lock().items.get(index).cloned()
    }

    /// How many models are loaded.
    pub fn len(&self) -> usize {
        self.inner.state.lock().items.len()
    }

    /// Whether no model is loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a model of `id` is loaded.
    pub fn contains(&self, id: &T::Id) -> bool {
        self.position(id).is_some()
    }

    /// The position of the model of `id`.
    pub fn position(&self, id: &T::Id) -> Option<usize> {
        self.inner
            .state
            .lock()
            .items
            .iter()
            .position(|m| m.with(|v| v.id()).as_ref() == Some(id))
    }

    /// How many entities match the query (all pages), if the query asked for it.
    pub fn total(&self) -> Option<u64> {
        self.inner.state.lock().total
    }

    /// The cursor of the next page.
    pub fn next(&self) -> Option<Cursor> {
        self.inner.state.lock().next.clone()
    }

    /// Whether another page follows.
    pub fn has_more(&self) -> bool {
        self.inner.state.lock().next.is_some()
    }

    /// The current query (without its cursor).
    pub fn query(&self) -> Option<Query<T>> {
        self.inner.state.lock().query.clone()
    }

    /// Listens to models added and removed, and resets.
    pub fn on_event(
        &self,
        listener: impl Fn(&CollectionEvent<T>) + Send + Sync + 'static,
    ) -> Subscription {
        self.inner.listeners.add(listener)
    }
}

impl<T: Entity + Queryable> IntoIterator for &Collection<T> {
    type Item = Model<T>;
    type IntoIter = std::vec::IntoIter<Model<T>>;
    fn into_iter(self) -> Self::IntoIter {
        self.items().into_iter()
    }
}

impl<T: Entity + Queryable> std::fmt::Debug for Collection<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.inner.state.lock();
        f.debug_struct("Collection")
            .field("entity", &T::ENTITY)
            .field("len", &state.items.len())
            .field("has_more", &state.next.is_some())
            .finish()
    }
}
