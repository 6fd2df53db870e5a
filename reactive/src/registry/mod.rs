//! The identity map: one live model per `(entity, id)`.
//!
//! A [`Registry`] holds weak references: an entry is removed when the last handle of its model
//! drops, so a long-running server does not grow. Every handle of an id sees the same state
//! and events. There is an explicit context (`Registry::new()`, for tests and tenants) and a
//! process default (`Registry::global()`).

mod events;
mod live;
mod loading;
mod plugins;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};

use arc_swap::ArcSwap;
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::{Mutex, RwLock};

use crate::entity::Entity;
use crate::error::Error;
use crate::event::subscription::Subscription;
use crate::model::raw::RegistryLink;
use crate::model::{Model, WeakModel};
use crate::provider::Provider;

pub(crate) use events::Listeners;
pub use events::RegistryEvent;
pub use live::Flags;
pub(crate) use plugins::{prepare_publish, CatchUnwind};
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

/// The entity sets by type: read on every lookup without a lock (copy-on-write: a type is
/// added once, the first time it is used).
type Sets = HashMap<TypeId, Arc<dyn AnySet>, BuildHasherDefault<TypeIdHasher>>;

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
    sets: ArcSwap<Sets>,
    /// Serialises the rare additions of a type.
    grow: Mutex<()>,
    /// Entity hooks and plugins.
    plugins: plugins::Plugins,
}

/// A `TypeId` is already a hash: use it as is.
#[derive(Default)]
struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_ne_bytes(word);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
    fn write_u128(&mut self, n: u128) {
        self.0 ^= n as u64 ^ (n >> 64) as u64;
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
}

impl<T: Entity> EntitySet<T> {
    fn new() -> Self {
        EntitySet {
            map: RwLock::new(HashMap::new()),
            listeners: Listeners::new(),
            provider: RwLock::new(None),
            forwarding: AtomicBool::new(false),
            loading: Mutex::new(HashMap::new()),
        }
    }
}

/// The registry a model's link belongs to.
pub(crate) fn registry_of<T: Entity>(link: &dyn RegistryLink) -> Option<Registry> {
    let link = link.as_any().downcast_ref::<Link<T>>()?;
    link.registry.upgrade().map(|inner| Registry { inner })
}

/// Removes a model's entry when its last handle drops (if the entry is still that model: a
/// cleared and re-created id keeps its new entry).
struct Link<T: Entity> {
    registry: Weak<Inner>,
    set: Weak<EntitySet<T>>,
    id: T::Id,
}

impl<T: Entity> RegistryLink for Link<T> {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn released(&self, model: usize) {
        let Some(set) = self.set.upgrade() else {
            return;
        };
        let mut map = set.map.write();
        if map.get(&self.id).is_some_and(|weak| weak.addr() == model) {
            map.remove(&self.id);
            // Give memory back once most entries are gone (a burst does not stay resident).
            let len = map.len();
            if len * 4 < map.capacity() {
                map.shrink_to(len * 2);
            }
        }
    }
}

impl Registry {
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

    pub(crate) fn set<T: Entity>(&self) -> Arc<EntitySet<T>> {
        if let Some(set) = self.inner.sets.load().get(&TypeId::of::<T>()) {
            if let Ok(set) = set.clone().into_any().downcast::<EntitySet<T>>() {
                return set;
            }
        }
        self.add_set::<T>()
    }

    /// Runs `f` on the set of `T` without taking a reference count (the lookup path).
    #[inline]
    fn with_set<T: Entity, R>(&self, f: impl FnOnce(&EntitySet<T>) -> R) -> R {
        let sets = self.inner.sets.load();
        if let Some(set) = sets
            .get(&TypeId::of::<T>())
            .and_then(|set| set.as_any().downcast_ref::<EntitySet<T>>())
        {
            return f(set);
        }
        drop(sets);
        f(&self.add_set::<T>())
    }

    #[cold]
    fn add_set<T: Entity>(&self) -> Arc<EntitySet<T>> {
        let _grow = self.inner.grow.lock();
        let current = self.inner.sets.load_full();
        if let Some(set) = current.get(&TypeId::of::<T>()) {
            if let Ok(set) = set.clone().into_any().downcast::<EntitySet<T>>() {
                return set;
            }
        }
        let set = Arc::new(EntitySet::<T>::new());
        let mut next: Sets = (*current).clone();
        next.insert(TypeId::of::<T>(), set.clone() as Arc<dyn AnySet>);
        self.inner.sets.store(Arc::new(next));
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
        let Some(id) = model.with(|v| v.id()) else {
            return Err(Error::MissingId { entity: T::ENTITY });
        };
        let set = self.set::<T>();
        {
            let mut map = set.map.write();
            if let Some(live) = map.get(&id).and_then(WeakModel::upgrade) {
                let same = live.ptr_eq(model);
                // Drop the lock before the handle: if it is the last one, its drop removes
                // the entry, which takes this lock.
                drop(map);
                drop(live);
                if same {
                    return Ok(());
                }
                return Err(Error::AlreadyLive {
                    entity: T::ENTITY,
                    id: format!("{id:?}"),
                });
            }
            let link: Box<dyn RegistryLink> = Box::new(Link {
                registry: Arc::downgrade(&self.inner),
                set: Arc::downgrade(&set),
                id: id.clone(),
            });
            if model.link(link).is_err() {
                return Err(Error::AlreadyLive {
                    entity: T::ENTITY,
                    id: format!("{id:?}"),
                });
            }
            map.insert(id, model.downgrade());
            // Under the map lock, so `on_event` attaching forwarders to the live models
            // neither misses this one nor attaches twice.
            if set.forwarding.load(Ordering::Acquire) {
                events::forward_updates(&set, model);
            }
        }
        set.listeners.emit(&RegistryEvent::Created(model.clone()));
        Ok(())
    }

    /// The live model of `id`, if any.
    pub fn get<T: Entity>(&self, id: &T::Id) -> Option<Model<T>> {
        self.with_set::<T, _>(|set| set.map.read().get(id).and_then(WeakModel::upgrade))
    }

    /// Announces that `id` was deleted: the registry forgets it and emits `Deleted`.
    pub(crate) fn deleted<T: Entity>(&self, id: T::Id) {
        let set = self.set::<T>();
        let gone = set.map.write().remove(&id);
        drop(gone);
        set.listeners.emit(&RegistryEvent::Deleted(id));
    }

    /// How many models of `T` are live here.
    pub fn len<T: Entity>(&self) -> usize {
        self.with_set::<T, _>(|set| set.map.read().len())
    }

    /// Whether no model of `T` is live here.
    pub fn is_empty<T: Entity>(&self) -> bool {
        self.len::<T>() == 0
    }

    /// How many entity types have been used with this registry.
    pub fn entity_count(&self) -> usize {
        self.inner.sets.load().len()
    }

    /// Forgets every model of `T` (live handles keep working, unregistered).
    pub fn clear<T: Entity>(&self) {
        self.with_set::<T, _>(AnySet::clear);
    }

    /// Forgets every model of every entity (live handles keep working, unregistered); the
    /// providers, hooks, plugins and listeners stay.
    pub fn clear_all(&self) {
        for set in self.inner.sets.load().values() {
            set.clear();
        }
    }

    /// Listens to registry-level events of `T`: created, updated (any committed batch of a
    /// registered model), deleted.
    pub fn on_event<T: Entity>(
        &self,
        listener: impl Fn(&RegistryEvent<T>) + Send + Sync + 'static,
    ) -> Subscription {
        let set = self.set::<T>();
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
