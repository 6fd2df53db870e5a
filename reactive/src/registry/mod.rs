//! The identity map: one live model per `(entity, id)`.
//!
//! A [`Registry`] holds weak references: an entry is removed when the last handle of its model
//! drops, so a long-running server does not grow. Every handle of an id sees the same state
//! and events. There is an explicit context (`Registry::new()`, for tests and tenants) and a
//! process default (`Registry::global()`).

mod detached;
mod events;
mod listing;
mod loading;
mod operations;
mod plugins;

use std::any::{Any, TypeId};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use std::sync::{Arc, OnceLock, Weak};

use parking_lot::{Mutex, RwLock};

use crate::entity::Entity;
use crate::error::Error;
use crate::event::subscription::Subscription;
use crate::model::raw::RegistryLink;
use crate::model::{Model, WeakModel};
use crate::provider::Provider;

pub use crate::model::flags::Flags;
pub(crate) use events::Listeners;
pub use events::RegistryEvent;
pub(crate) use plugins::prepare_publish;
pub use plugins::{EntityHooks, Operation, Plugin, PluginCall};

/// An identity map of live entities, per entity type and id.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: String, name: String }
///
/// let registry = Registry::new();
/// let ada = registry.create(User { id: "u1".into(), name: "Ada".into() })?;
/// let same = registry.get::<User>(&"u1".to_string()).expect("live");
/// same.set_name("Ada Lovelace")?;
/// assert_eq!(ada.name(), "Ada Lovelace");                 // one live model per id
/// assert!(matches!(
///     registry.create(User { id: "u1".into(), name: "Eve".into() }),
///     Err(Error::AlreadyLive { .. })
/// ));
/// drop((ada, same));
/// assert!(registry.get::<User>(&"u1".to_string()).is_none()); // gone with its last handle
/// # Ok::<(), reactive::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Registry {
    inner: Arc<Inner>,
}

/// One entity type's set, in an append-only list: a lookup walks it without a lock or a
/// reference count (a registry has a handful of entity types, and a set is never removed).
/// Each link is a `OnceLock`, written once under [`Inner::grow`] and read with one acquire load.
struct SetNode {
    type_id: TypeId,
    set: Arc<dyn AnySet>,
    next: OnceLock<Box<SetNode>>,
}

/// An entity set of any type: enough to find the typed one and to clear it.
trait AnySet: Send + Sync + 'static {
    fn as_any(&self) -> &dyn Any;
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
    /// Forgets every model (the provider and the listeners stay).
    fn clear(&self);
}

impl<T: Entity> AnySet for EntitySet<T> {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn into_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
    fn clear(&self) {
        let forgotten: Vec<WeakModel<T>> = self.map.write().drain().map(|(_, m)| m).collect();
        drop(forgotten);
    }
}

#[derive(Default)]
struct Inner {
    /// The oldest set first; nodes live as long as the registry.
    sets: OnceLock<Box<SetNode>>,
    /// Serialises the rare additions of a type.
    grow: Mutex<()>,
    /// Entity hooks and plugins.
    plugins: plugins::Plugins,
}

impl Inner {
    fn sets(&self) -> impl Iterator<Item = &SetNode> {
        std::iter::successors(self.sets.get().map(Box::as_ref), |node| {
            node.next.get().map(Box::as_ref)
        })
    }

    fn find(&self, type_id: TypeId) -> Option<&Arc<dyn AnySet>> {
        self.sets().find(|n| n.type_id == type_id).map(|n| &n.set)
    }

    /// Appends a set at the first empty link (the caller holds `grow`, so the walk ends at the
    /// tail; were a link taken meanwhile, the walk would simply go on past it).
    fn append(&self, node: SetNode) {
        let mut node = Box::new(node);
        let mut link = &self.sets;
        loop {
            if let Some(taken) = link.get() {
                link = &taken.next;
                continue;
            }
            match link.set(node) {
                Ok(()) => return,
                Err(back) => node = back,
            }
        }
    }
}

impl Drop for Inner {
    /// Unlinks the nodes one by one: dropping the head would free the list recursively.
    fn drop(&mut self) {
        let mut next = self.sets.take();
        while let Some(mut node) = next {
            next = node.next.take();
        }
    }
}

/// The live models of one entity type.
pub(crate) struct EntitySet<T: Entity> {
    map: RwLock<HashMap<T::Id, WeakModel<T>>>,
    listeners: Listeners<RegistryEvent<T>>,
    provider: RwLock<Option<Arc<dyn Provider<T>>>>,
    /// Registered models forward their batches as `Updated` (once someone listens).
    forwarding: AtomicBool,
    loading: Mutex<loading::InFlight<T>>,
    /// The link every registered model of this set holds.
    link: OnceLock<Arc<Link<T>>>,
}

impl<T: Entity> EntitySet<T> {
    fn new() -> Self {
        EntitySet {
            link: OnceLock::new(),
            map: RwLock::new(HashMap::new()),
            listeners: Listeners::new(),
            provider: RwLock::new(None),
            forwarding: AtomicBool::new(false),
            loading: Mutex::new(HashMap::new()),
        }
    }
}

/// The registry a model's link belongs to.
pub(crate) fn registry_of<T: Entity>(link: &dyn RegistryLink<T>) -> Option<Registry> {
    let link = link.as_any().downcast_ref::<Link<T>>()?;
    link.registry.upgrade().map(|inner| Registry { inner })
}

impl<T: Entity> Model<T> {
    /// The registry this model is registered in, if any.
    pub(crate) fn registered_in(&self) -> Option<Registry> {
        registry_of::<T>(self.registry_link()?.as_ref())
    }
}

/// Removes a model's entry when its last handle drops (if the entry is still that model: a
/// cleared and re-created id keeps its new entry).
struct Link<T: Entity> {
    registry: Weak<Inner>,
    set: Weak<EntitySet<T>>,
}

impl<T: Entity> RegistryLink<T> for Link<T> {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn released(&self, model: usize, value: &T) {
        let Some(set) = self.set.upgrade() else {
            return;
        };
        let mut map = set.map.write();
        let is_model = |weak: &WeakModel<T>| weak.addr() == model;
        match value.id() {
            Some(id) if map.get(&id).is_some_and(is_model) => {
                map.remove(&id);
            }
            // The id field was rewritten after the model joined: find its entry by address.
            _ => map.retain(|_, weak| !is_model(weak)),
        }
        // Give memory back once most entries are gone (a burst does not stay resident).
        let len = map.len();
        if len * 4 < map.capacity() {
            map.shrink_to(len * 2);
        }
    }
}

impl Registry {
    /// The link of `set`'s models to their entries (made once per set).
    fn link_of<T: Entity>(&self, set: &Arc<EntitySet<T>>) -> Arc<dyn RegistryLink<T>> {
        set.link
            .get_or_init(|| {
                Arc::new(Link {
                    registry: Arc::downgrade(&self.inner),
                    set: Arc::downgrade(set),
                })
            })
            .clone()
    }

    /// A new, empty registry.
    ///
    /// ```
    /// let registry = reactive::Registry::new();
    /// assert_eq!(registry.entity_count(), 0);
    /// ```
    pub fn new() -> Self {
        Registry::default()
    }

    /// The process-wide default registry.
    ///
    /// ```
    /// let a = reactive::Registry::global();
    /// let b = reactive::Registry::global();
    /// assert!(a.ptr_eq(b));
    /// ```
    pub fn global() -> &'static Registry {
        static GLOBAL: OnceLock<Registry> = OnceLock::new();
        GLOBAL.get_or_init(Registry::new)
    }

    /// Whether two handles are the same registry.
    pub fn ptr_eq(&self, other: &Registry) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub(crate) fn entity_set<T: Entity>(&self) -> Arc<EntitySet<T>> {
        if let Some(set) = self.inner.find(TypeId::of::<T>()) {
            if let Ok(set) = set.clone().into_any().downcast::<EntitySet<T>>() {
                return set;
            }
        }
        self.add_entity_set::<T>()
    }

    /// Runs `f` on the set of `T` without taking a reference count (the lookup path).
    #[inline]
    fn with_entity_set<T: Entity, R>(&self, f: impl FnOnce(&EntitySet<T>) -> R) -> R {
        if let Some(set) = self
            .inner
            .find(TypeId::of::<T>())
            .and_then(|set| set.as_any().downcast_ref::<EntitySet<T>>())
        {
            return f(set);
        }
        f(&self.add_entity_set::<T>())
    }

    #[cold]
    fn add_entity_set<T: Entity>(&self) -> Arc<EntitySet<T>> {
        let _grow = self.inner.grow.lock();
        if let Some(set) = self.inner.find(TypeId::of::<T>()) {
            if let Ok(set) = set.clone().into_any().downcast::<EntitySet<T>>() {
                return set;
            }
        }
        let set = Arc::new(EntitySet::<T>::new());
        self.inner.append(SetNode {
            type_id: TypeId::of::<T>(),
            set: set.clone() as Arc<dyn AnySet>,
            next: OnceLock::new(),
        });
        set
    }

    /// Registers a new entity: [`Error::AlreadyLive`] if a model of its id is live here,
    /// [`Error::MissingId`] for a generated id not assigned yet (publish it instead).
    pub fn create<T: Entity>(&self, value: T) -> Result<Model<T>, Error> {
        let model = Model::new(value);
        self.join(&model)?;
        Ok(model)
    }

    /// Registers an existing, unregistered model under its id.
    pub(crate) fn join<T: Entity>(&self, model: &Model<T>) -> Result<(), Error> {
        self.join_entity_set(&self.entity_set::<T>(), model)
    }

    /// [`join`](Registry::join) with the entity set at hand (bulk paths look it up once).
    pub(crate) fn join_entity_set<T: Entity>(
        &self,
        set: &Arc<EntitySet<T>>,
        model: &Model<T>,
    ) -> Result<(), Error> {
        let Some(id) = model.with(|v| v.id()) else {
            return Err(Error::MissingId { entity: T::ENTITY });
        };
        {
            let mut map = set.map.write();
            let entry = match map.entry(id) {
                Entry::Occupied(entry) => match entry.get().upgrade() {
                    Some(live) => {
                        let same = live.ptr_eq(model);
                        let id = format!("{:?}", entry.key());
                        // Drop the lock before the handle: if it is the last one, its drop
                        // removes the entry, which takes this lock.
                        drop(map);
                        drop(live);
                        if same {
                            return Ok(());
                        }
                        return Err(Error::AlreadyLive {
                            entity: T::ENTITY,
                            id,
                        });
                    }
                    None => Entry::Occupied(entry),
                },
                vacant => vacant,
            };
            if model.link(self.link_of(set)).is_err() {
                return Err(Error::AlreadyLive {
                    entity: T::ENTITY,
                    id: format!("{:?}", entry.key()),
                });
            }
            entry.insert_entry(model.downgrade());
            // Under the map lock, so `on_event` attaching forwarders to the live models
            // neither misses this one nor attaches twice.
            if set.forwarding.load(Ordering::Acquire) {
                events::forward_updates(set, model);
            }
        }
        if set.forwarding.load(Ordering::Acquire) {
            // Someone listens (forwarding starts with the first listener).
            set.listeners.emit(&RegistryEvent::Created(model.clone()));
        }
        Ok(())
    }

    /// The live model of `id`, if any.
    pub fn get<T: Entity>(&self, id: &T::Id) -> Option<Model<T>> {
        self.with_entity_set::<T, _>(|set| set.map.read().get(id).and_then(WeakModel::upgrade))
    }

    /// Announces that `id` was deleted: the registry forgets it and emits `Deleted`.
    pub(crate) fn deleted<T: Entity>(&self, id: T::Id) {
        let set = self.entity_set::<T>();
        let gone = set.map.write().remove(&id);
        drop(gone);
        set.listeners.emit(&RegistryEvent::Deleted(id));
    }

    /// How many models of `T` are live here.
    pub fn len<T: Entity>(&self) -> usize {
        self.with_entity_set::<T, _>(|set| set.map.read().len())
    }

    /// Whether no model of `T` is live here.
    pub fn is_empty<T: Entity>(&self) -> bool {
        self.len::<T>() == 0
    }

    /// How many entity types have been used with this registry.
    pub fn entity_count(&self) -> usize {
        self.inner.sets().count()
    }

    /// Forgets every model of `T` (live handles keep working, unregistered).
    pub fn clear<T: Entity>(&self) {
        self.with_entity_set::<T, _>(AnySet::clear);
    }

    /// Forgets every model of every entity (live handles keep working, unregistered); the
    /// providers, hooks, plugins and listeners stay.
    pub fn clear_all(&self) {
        for node in self.inner.sets() {
            node.set.clear();
        }
    }

    /// Listens to registry-level events of `T`: created, updated (any committed batch of a
    /// registered model), deleted.
    pub fn on_event<T: Entity>(
        &self,
        listener: impl Fn(&RegistryEvent<T>) + Send + Sync + 'static,
    ) -> Subscription {
        let set = self.entity_set::<T>();
        let subscription = set.listeners.add(listener);
        // `Updated` needs each registered model to forward its batches: attached to the live
        // ones now, to later ones as they join (models of an entity nobody watches pay nothing).
        if !set.forwarding.load(Ordering::Acquire) {
            let map = set.map.write();
            if !set.forwarding.swap(true, Ordering::AcqRel) {
                let live: Vec<Model<T>> = map.values().filter_map(WeakModel::upgrade).collect();
                for model in &live {
                    events::forward_updates(&set, model);
                }
                drop(map);
                // Dropped after the lock: a last handle's drop takes it.
                drop(live);
            }
        }
        subscription
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("entities", &self.entity_count())
            .finish()
    }
}
