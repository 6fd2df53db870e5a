//! Loading through the registry: one provider call per id however many callers wait for it,
//! driven by the first caller's future and moved to a spawned task if that caller is dropped,
//! so a dropped caller never strands the others (ADR 0009).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::sync::watch;

use crate::entity::Entity;
use crate::error::Error;
use crate::model::{Model, WeakModel};
use crate::provider::Provider;

use super::detached::Detached;
use super::operations::caught;
use super::{events, EntitySet, Registry, RegistryEvent};

/// How one load ended, as every waiter sees it.
#[derive(Clone)]
pub(crate) enum Outcome<T: Entity> {
    Live(Model<T>),
    Missing,
    Failed(Error),
}

/// The loads in flight of one entity type, by id.
pub(crate) type InFlight<T> = HashMap<<T as Entity>::Id, watch::Sender<Option<Outcome<T>>>>;

fn not_found<T: Entity>(id: &T::Id) -> Error {
    Error::NotFound {
        entity: T::ENTITY,
        id: format!("{id:?}"),
    }
}

fn no_provider<T: Entity>() -> Error {
    Error::NoProvider { entity: T::ENTITY }
}

impl<T: Entity> EntitySet<T> {
    pub(super) fn provider(&self) -> Result<Arc<dyn Provider<T>>, Error> {
        self.provider.read().clone().ok_or_else(no_provider::<T>)
    }
}

impl Registry {
    /// Sets the provider entities of `T` are loaded from and published to.
    ///
    /// ```
    /// use reactive::prelude::*;
    /// use reactive::provider::MemoryProvider;
    ///
    /// #[derive(Reactive, Clone, Debug)]
    /// #[entity("users")]
    /// struct User { id: String, name: String }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = MemoryProvider::new();
    /// store.insert(User { id: "u1".into(), name: "Ada".into() });
    /// let registry = Registry::new();
    /// registry.provide(store);
    /// let user = registry.get_or_load::<User>(&"u1".to_string()).await?;
    /// assert_eq!(user.name(), "Ada");
    /// assert!(matches!(
    ///     registry.get_or_load::<User>(&"nobody".to_string()).await,
    ///     Err(Error::NotFound { .. })
    /// ));
    /// # Ok::<(), reactive::Error>(()) }).unwrap();
    /// ```
    pub fn provide<T: Entity>(&self, provider: impl Provider<T>) {
        *self.entity_set::<T>().provider.write() = Some(Arc::new(provider));
    }

    /// The live model of `id`, or the one loaded from the provider: [`Error::NotFound`] when
    /// the provider has none. Concurrent calls for one id make one provider call and share its
    /// model; the first caller drives the call, which moves to a task of its own if that
    /// caller is dropped (a Tokio runtime is needed), so dropping a waiting future never
    /// strands the others.
    pub async fn get_or_load<T: Entity>(&self, id: &T::Id) -> Result<Model<T>, Error> {
        let set = self.entity_set::<T>();
        let (mut outcome, lead) = {
            let mut loading = set.loading.lock();
            // Checked under the loading lock: a load that finished has joined the map first.
            if let Some(live) = self.get::<T>(id) {
                return Ok(live);
            }
            match loading.get(id) {
                Some(sender) => (sender.subscribe(), None),
                None => {
                    let provider = set.provider()?;
                    let runtime =
                        tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
                    let (sender, receiver) = watch::channel(None);
                    loading.insert(id.clone(), sender);
                    let task = load_task(self.clone(), set.clone(), provider, id.clone());
                    (receiver, Some(Detached::new(runtime, task)))
                }
            }
        };
        // The first caller drives the load; dropped, it leaves the load to a task of its own,
        // which tells the other waiters.
        if let Some(load) = lead {
            load.await;
        }
        loop {
            if let Some(done) = outcome.borrow_and_update().clone() {
                return match done {
                    Outcome::Live(model) => Ok(model),
                    Outcome::Missing => Err(not_found::<T>(id)),
                    // Every waiter gets the provider's error as it is (a clone).
                    Outcome::Failed(err) => Err(err),
                };
            }
            if outcome.changed().await.is_err() {
                // The load ended without a word (its runtime shut down).
                return Err(Error::NoRuntime);
            }
        }
    }

    /// How many callers are waiting for the load of `id` (0 when none is in flight).
    pub fn waiters<T: Entity>(&self, id: &T::Id) -> usize {
        self.entity_set::<T>()
            .loading
            .lock()
            .get(id)
            .map_or(0, |sender| sender.receiver_count())
    }

    /// The models of `ids` that exist, in the order of `ids`: live ones from the registry, the
    /// others with one provider call for just those ids.
    pub async fn load_many<T: Entity>(&self, ids: &[T::Id]) -> Result<Vec<Model<T>>, Error> {
        let set = self.entity_set::<T>();
        let missing = not_live(&set, ids);
        let missing: &[T::Id] = missing.as_deref().unwrap_or(ids);
        let mut fresh = Vec::new();
        if !missing.is_empty() {
            let provider = set.provider()?;
            let chain = self.chain::<T>();
            // Every id passes the before-load hooks first: one abort, and nothing is asked.
            if !chain.is_empty() {
                for id in missing {
                    chain.before_load(id).await?;
                }
            }
            let values = provider.load_many(missing).await?;
            // What the after-load hooks see: the values as stored, before any model holds them.
            let seen: Vec<T> = if chain.is_empty() {
                Vec::new()
            } else {
                values.clone()
            };
            fresh = self.adopt_all(&set, values);
            if !chain.is_empty() {
                let mut found = HashSet::with_capacity(seen.len());
                for value in &seen {
                    if let Some(id) = value.id() {
                        chain.after_load(&id, Some(value)).await;
                        found.insert(id);
                    }
                }
                for id in missing.iter().filter(|id| !found.contains(*id)) {
                    chain.after_load(id, None).await;
                }
            }
        }
        Ok(in_order(&set, ids, fresh))
    }

    /// Registers loaded values in one pass under the map's lock: a value whose id is live
    /// gives the live model (it keeps its state), any other becomes a new registered model.
    /// Returns each value's id and model, in the order of `values`.
    pub(crate) fn adopt_all<T: Entity>(
        &self,
        set: &Arc<EntitySet<T>>,
        values: Vec<T>,
    ) -> Vec<Adopted<T>> {
        // Built before the lock: a model's construction runs the user's computed fields.
        let models: Vec<(T::Id, Model<T>)> = values
            .into_iter()
            .filter_map(|value| Some((value.id()?, Model::loaded(value))))
            .collect();
        let mut adopted = Vec::with_capacity(models.len());
        // Models of ids that went live meanwhile: never linked, dropped after the lock.
        let mut superseded = Vec::new();
        {
            let mut map = set.map.write();
            map.reserve(models.len());
            // Read under the map lock, as in `join_entity_set`: `on_event` attaching forwarders to
            // the live models neither misses a new one nor attaches twice.
            let forwarding = set.forwarding.load(Ordering::Acquire);
            let shared = self.link_of(set);
            let link = |_: &T::Id, model: &Model<T>| {
                // A new model has no link yet: this cannot fail.
                let _ = model.link(shared.clone());
                if forwarding {
                    events::forward_updates(set, model);
                }
            };
            for (id, model) in models {
                match map.entry(id) {
                    Entry::Occupied(mut entry) => {
                        if let Some(live) = entry.get().upgrade() {
                            adopted.push(Adopted::live(entry.key().clone(), live));
                            superseded.push(model);
                            continue;
                        }
                        // The entry of a dropped model whose removal has not run yet.
                        link(entry.key(), &model);
                        entry.insert(model.downgrade());
                        adopted.push(Adopted::new(entry.key().clone(), model));
                    }
                    Entry::Vacant(entry) => {
                        link(entry.key(), &model);
                        let id = entry.key().clone();
                        entry.insert(model.downgrade());
                        adopted.push(Adopted::new(id, model));
                    }
                }
            }
        }
        drop(superseded);
        if set.forwarding.load(Ordering::Acquire) {
            // Someone listens (forwarding starts with the first listener).
            for entry in adopted.iter().filter(|a| a.created) {
                set.listeners
                    .emit(&RegistryEvent::Created(entry.model.clone()));
            }
        }
        adopted
    }

    /// A loaded value as a registered model: the live model if its id is live already (it
    /// keeps its state), else a new one (and if a model of that id went live meanwhile, that
    /// one).
    pub(crate) fn adopt<T: Entity>(&self, value: T) -> Result<Option<Model<T>>, Error> {
        let Some(id) = value.id() else {
            return Ok(None);
        };
        if let Some(live) = self.get::<T>(&id) {
            return Ok(Some(live));
        }
        let model = Model::loaded(value);
        match self.join_entity_set(&self.entity_set::<T>(), &model) {
            Ok(()) => Ok(Some(model)),
            Err(Error::AlreadyLive { .. }) => Ok(self.get::<T>(&id)),
            Err(err) => Err(err),
        }
    }
}

/// A value registered by [`Registry::adopt_all`]: its id, its model, whether the model is new.
pub(crate) struct Adopted<T: Entity> {
    id: T::Id,
    pub(crate) model: Model<T>,
    created: bool,
}

impl<T: Entity> Adopted<T> {
    fn new(id: T::Id, model: Model<T>) -> Self {
        Adopted {
            id,
            model,
            created: true,
        }
    }

    fn live(id: T::Id, model: Model<T>) -> Self {
        Adopted {
            id,
            model,
            created: false,
        }
    }
}

/// The ids of `ids` that are not live, by one read of the map (liveness without upgrading:
/// dropping an upgraded handle here could take the map's write lock); `None` when none is
/// live, so that the caller asks for `ids` as they are.
fn not_live<T: Entity>(set: &EntitySet<T>, ids: &[T::Id]) -> Option<Vec<T::Id>> {
    let map = set.map.read();
    let mut missing: Option<Vec<T::Id>> = None;
    for (at, id) in ids.iter().enumerate() {
        let live = map.get(id).is_some_and(WeakModel::is_alive);
        match &mut missing {
            None if live => missing = Some(ids[..at].to_vec()),
            Some(missing) if !live => missing.push(id.clone()),
            _ => {}
        }
    }
    missing
}

/// The models of `ids`, in their order: the ones just registered (`fresh`, in the order the
/// provider returned them, usually that of `ids`: taken as they come), and for any other id
/// the live model, if any.
fn in_order<T: Entity>(set: &EntitySet<T>, ids: &[T::Id], fresh: Vec<Adopted<T>>) -> Vec<Model<T>> {
    let mut models = Vec::with_capacity(ids.len());
    let mut fresh = fresh.into_iter().peekable();
    {
        let map = set.map.read();
        for id in ids {
            match fresh.next_if(|a| a.id == *id) {
                Some(adopted) => models.push(adopted.model),
                // Every fresh model not taken yet is held by `fresh`, so still live.
                None => models.extend(map.get(id).and_then(WeakModel::upgrade)),
            }
        }
    }
    // After the lock: dropping a last handle takes the map's write lock.
    drop(fresh);
    models
}

async fn load_task<T: Entity>(
    registry: Registry,
    set: Arc<EntitySet<T>>,
    provider: Arc<dyn Provider<T>>,
    id: T::Id,
) {
    let chain = registry.chain::<T>();
    let outcome = match chain.before_load(&id).await {
        Err(err) => Outcome::Failed(err),
        Ok(()) => match caught(provider.load(&id), "the provider's load").await {
            Ok(Some(value)) => {
                let seen = (!chain.is_empty()).then(|| value.clone());
                let outcome = match registry.adopt(value) {
                    Ok(Some(model)) => Outcome::Live(model),
                    Ok(None) => Outcome::Missing,
                    Err(err) => Outcome::Failed(err),
                };
                if let Some(seen) = seen {
                    chain.after_load(&id, Some(&seen)).await;
                }
                outcome
            }
            Ok(None) => {
                chain.after_load(&id, None).await;
                Outcome::Missing
            }
            Err(err) => Outcome::Failed(err),
        },
    };
    let sender = set.loading.lock().remove(&id);
    if let Some(sender) = sender {
        // No receiver left is fine: every caller gave up.
        let _ = sender.send(Some(outcome));
    }
}
