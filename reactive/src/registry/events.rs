//! Registry-level events per entity: created, updated, deleted.

use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::entity::Entity;
use crate::event::erased::Erased;
use crate::event::subscription::{Subscription, Unsubscribe};
use crate::event::table::{Entry, EntryRef, Kind, OtherCallback, Target};
use crate::event::types::Changes;
use crate::model::Model;

use super::EntitySet;

/// What happened to an entity of a registry. Feeds audit logs, sockets and live collections.
///
/// ```
/// use reactive::prelude::*;
/// use std::sync::{Arc, Mutex};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: String, name: String }
///
/// let registry = Registry::new();
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let l = log.clone();
/// let _sub = registry.on_event(move |e: &RegistryEvent<User>| l.lock().unwrap().push(match e {
///     RegistryEvent::Created(m) => format!("created {}", m.id()),
///     RegistryEvent::Updated(m, changes) => format!("updated {} {:?}", m.id(), changes),
///     RegistryEvent::Deleted(id) => format!("deleted {id}"),
///     _ => "another event".to_string(), // the enum is non-exhaustive
/// }));
/// let ada = registry.create(User { id: "u1".into(), name: "Ada".into() })?;
/// ada.set_name("Ada Lovelace")?;
/// assert_eq!(*log.lock().unwrap(), ["created u1", "updated u1 [\"name\"]"]);
/// # Ok::<(), reactive::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum RegistryEvent<T: Entity> {
    /// A model joined the registry.
    Created(Model<T>),
    /// A registered model committed a batch.
    Updated(Model<T>, Changes),
    /// An entity was deleted.
    Deleted(T::Id),
}

/// Listeners of events of type `E` (a registry's events of one entity type, a collection's
/// events), called in registration order with no lock held.
pub(crate) struct Listeners<E> {
    entries: Arc<Inner>,
    _event: std::marker::PhantomData<fn(&E)>,
}

struct Inner {
    entries: Mutex<Vec<EntryRef>>,
}

impl Unsubscribe for Inner {
    fn unsubscribe(self: Arc<Self>, entry: &Entry) {
        entry.kill();
        self.entries.lock().retain(|e| !std::ptr::eq(&**e, entry));
    }

    fn stream_closed(&self) {}
}

impl<E: 'static> Listeners<E> {
    pub(crate) fn new() -> Self {
        Listeners {
            entries: Arc::new(Inner {
                entries: Mutex::new(Vec::new()),
            }),
            _event: std::marker::PhantomData,
        }
    }

    pub(crate) fn add(&self, listener: impl Fn(&E) + Send + Sync + 'static) -> Subscription {
        let callback = OtherCallback {
            f: listener,
            _event: std::marker::PhantomData,
        };
        let entry = Entry::new(0, &Target::Change, Kind::Change, None, callback);
        self.entries.entries.lock().push(entry.clone());
        let owner: Weak<dyn Unsubscribe> = Arc::downgrade(&self.entries) as Weak<dyn Unsubscribe>;
        Subscription::new(owner, entry)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.entries.lock().is_empty()
    }

    /// Calls every listener, in registration order, with no lock held.
    pub(crate) fn emit(&self, event: &E) {
        let entries: Vec<EntryRef> = self.entries.entries.lock().clone();
        for entry in entries {
            entry.call_other(Erased::new(event));
        }
    }
}

/// Forwards every committed batch of a registered model as [`RegistryEvent::Updated`].
pub(crate) fn forward_updates<T: Entity>(set: &Arc<EntitySet<T>>, model: &Model<T>) {
    let set = Arc::downgrade(set);
    model
        .on_change(move |model: &Model<T>, changes: &Changes| {
            if let Some(set) = set.upgrade() {
                if !set.listeners.is_empty() {
                    set.listeners
                        .emit(&RegistryEvent::Updated(model.clone(), changes.clone()));
                }
            }
        })
        .detach();
}
