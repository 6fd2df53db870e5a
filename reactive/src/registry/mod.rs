//! The identity map: one live model per `(entity, id)`.
//!
//! A [`Registry`] holds weak references: an entry is removed when the last handle of its model
//! drops, so a long-running server does not grow. Every handle of an id sees the same state
//! and events. There is an explicit context (`Registry::new()`, for tests and tenants) and a
//! process default (`Registry::global()`).

mod events;
mod live;
mod loading;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::{Mutex, RwLock};

use crate::entity::Entity;
use crate::error::Error;
use crate::event::subscription::Subscription;
use crate::model::raw::RegistryLink;
use crate::model::{Model, WeakModel};
use crate::provider::Provider;

use events::Listeners;
pub use events::RegistryEvent;
pub use live::Flags;

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

#[derive(Default)]
struct Inner {
    sets: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

/// The live models of one entity type.
pub(crate) struct EntitySet<T: Entity> {
    map: Mutex<HashMap<T::Id, WeakModel<T>>>,
    listeners: Listeners<T>,
    provider: RwLock<Option<Arc<dyn Provider<T>>>>,
    loading: Mutex<loading::InFlight<T>>,
}

impl<T: Entity> EntitySet<T> {
    fn new() -> Self {
        EntitySet {
            map: Mutex::new(HashMap::new()),
            listeners: Listeners::new(),
            provider: RwLock::new(None),
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
        let mut map = set.map.lock();
        if map.get(&self.id).is_some_and(|weak| weak.addr() == model) {
            map.remove(&self.id);
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
        let mut sets = self.inner.sets.lock();
        let erased = sets
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(EntitySet::<T>::new()) as Arc<dyn Any + Send + Sync>)
            .clone();
        drop(sets);
        match erased.downcast::<EntitySet<T>>() {
            Ok(set) => set,
            // The map is keyed by the type id of `T`: the value is always an `EntitySet<T>`.
            Err(_) => unreachable!("registry entry of the wrong type"),
        }
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
            let mut map = set.map.lock();
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
        }
        events::forward_updates(&set, model);
        set.listeners.emit(&RegistryEvent::Created(model.clone()));
        Ok(())
    }

    /// The live model of `id`, if any.
    pub fn get<T: Entity>(&self, id: &T::Id) -> Option<Model<T>> {
        self.set::<T>()
            .map
            .lock()
            .get(id)
            .and_then(WeakModel::upgrade)
    }

    /// Announces that `id` was deleted: the registry forgets it and emits `Deleted`.
    pub(crate) fn deleted<T: Entity>(&self, id: T::Id) {
        let set = self.set::<T>();
        let gone = set.map.lock().remove(&id);
        drop(gone);
        set.listeners.emit(&RegistryEvent::Deleted(id));
    }

    /// How many models of `T` are live here.
    pub fn len<T: Entity>(&self) -> usize {
        self.set::<T>().map.lock().len()
    }

    /// Whether no model of `T` is live here.
    pub fn is_empty<T: Entity>(&self) -> bool {
        self.len::<T>() == 0
    }

    /// How many entity types have been used with this registry.
    pub fn entity_count(&self) -> usize {
        self.inner.sets.lock().len()
    }

    /// Forgets every model of `T` (live handles keep working, unregistered).
    pub fn clear<T: Entity>(&self) {
        self.set::<T>().map.lock().clear();
    }

    /// Forgets every model of every entity.
    pub fn clear_all(&self) {
        self.inner.sets.lock().clear();
    }

    /// Listens to registry-level events of `T`: created, updated (any committed batch of a
    /// registered model), deleted.
    pub fn on_event<T: Entity>(
        &self,
        listener: impl Fn(&RegistryEvent<T>) + Send + Sync + 'static,
    ) -> Subscription {
        self.set::<T>().listeners.add(listener)
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("entities", &self.entity_count())
            .finish()
    }
}
