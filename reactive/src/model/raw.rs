//! The shared state behind every handle of one live model, reads and listeners. The write
//! paths are in `write`.

use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;

use crate::event::delivery::{EventList, Notice};
use crate::event::erased::{Erased, ErasedChange};
use crate::event::hub::Hub;
use crate::event::local;
use crate::event::source::{Host, Source};
use crate::event::subscription::{Subscription, Unsubscribe};
use crate::event::table::{
    ChangeCallback, Entry, JsonCallback, JsonConv, Kind, Target, TypedCallback,
};
use crate::event::types::{Change, Event};
use crate::model::key::Key;
use crate::model::meta::Reactive;
use crate::model::Model;

pub(crate) struct Shared<T> {
    pub(crate) state: RwLock<Slot<T>>,
    pub(crate) hub: Hub<T>,
    /// The registry entry of a registered model, told when the last handle drops.
    /// One per entity set, shared by its models (a pointer copy, not an allocation, each).
    pub(crate) link: OnceLock<Arc<dyn RegistryLink<T>>>,
}

/// A registered model's tie to its registry entry.
pub(crate) trait RegistryLink<T>: Send + Sync {
    /// For the registry to find its own link type.
    fn as_any(&self) -> &dyn std::any::Any;
    /// The model at `model` (an address), whose last value is `value`, is gone: remove its
    /// entry if it is still there.
    fn released(&self, model: usize, value: &T);
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        let model = self as *const Self as usize;
        if let Some(link) = self.link.take() {
            link.released(model, &self.state.get_mut().value);
        }
    }
}

/// The committed value and its bookkeeping, under one lock.
pub(crate) struct Slot<T> {
    pub(crate) value: T,
    /// The saved (loaded, published or marked) value, kept from the first write after the
    /// last save; `None` while nothing was written since, i.e. the saved value is `value`.
    pub(crate) saved: Option<T>,
    /// Never published nor loaded (`Model::draft`).
    pub(crate) draft: bool,
    /// Provider-call state of an entity.
    pub(crate) flags: crate::model::flags::Flags,
    /// The sequence number of the last provider call started, and of the last one whose
    /// response was applied (an older response never overwrites a newer one).
    pub(crate) started: u64,
    pub(crate) applied: u64,
    /// Publishes and deletes in flight, those waiting for their turn included: `processing`
    /// is `writes > 0`.
    pub(crate) writes: u32,
    /// Publishes and deletes of one model take turns (created with the first of them).
    pub(crate) write_turns: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl<T: Reactive> Unsubscribe for Shared<T> {
    fn unsubscribe(self: Arc<Self>, entry: &Entry) {
        let model = RawModel(self);
        model.0.hub.unregister(&model, entry);
    }

    fn stream_closed(&self) {
        self.hub.stream_closed();
    }
}

/// The storage of a live model: what the generated handle wraps. Use [`Model`] instead.
#[doc(hidden)]
pub struct RawModel<T>(pub(crate) Arc<Shared<T>>);

impl<T: Reactive> Clone for RawModel<T> {
    #[inline]
    fn clone(&self) -> Self {
        RawModel(self.0.clone())
    }
}

impl<T: Reactive> RawModel<T> {
    pub(crate) fn new(value: T, draft: bool) -> Self {
        Self::with_flags(value, draft, crate::model::flags::Flags::default())
    }

    /// A model whose provider-call flags start as `flags` (a model made from a load).
    pub(crate) fn with_flags(mut value: T, draft: bool, flags: crate::model::flags::Flags) -> Self {
        value.__recompute_all();
        RawModel(Arc::new(Shared {
            state: RwLock::new(Slot {
                value,
                saved: None,
                draft,
                flags,
                started: 0,
                applied: 0,
                writes: 0,
                write_turns: None,
            }),
            hub: Hub::new(),
            link: OnceLock::new(),
        }))
    }

    #[inline]
    pub(crate) fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Reads the committed state.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0.state.read_recursive().value)
    }

    /// Clones one field out of the committed state.
    #[inline]
    pub fn get<K: Key<T>>(&self, key: K) -> K::Value {
        key.get(&self.0.state.read_recursive().value).clone()
    }

    /// Raises a custom event: inside this model's open batch on this thread it joins the batch
    /// (delivered after `change`, dropped on rollback); otherwise it is delivered at once.
    pub(crate) fn trigger(&self, event: Event) {
        let Some(event) = local::push_batch_event(self.addr(), event) else {
            return;
        };
        let state = self.0.state.write();
        let hub = &self.0.hub;
        if !hub.has_listeners() {
            return;
        }
        hub.commit(
            self,
            state,
            Notice {
                changed: crate::FieldSet::EMPTY,
                events: EventList::new(vec![event]),
            },
        );
    }

    /// A weak, type-erased owner for subscriptions and streams.
    pub(crate) fn owner(&self) -> std::sync::Weak<dyn Unsubscribe> {
        let weak: std::sync::Weak<dyn Unsubscribe> = Arc::downgrade(&self.0) as _;
        weak
    }

    fn register<C: crate::event::table::Callback + 'static>(
        &self,
        target: Target,
        priority: i32,
        kind: Kind,
        conv: Option<JsonConv>,
        callback: C,
    ) -> Subscription {
        let entry = Entry::new(priority, &target, kind, conv, callback);
        self.0.hub.register(target, entry.clone());
        Subscription::new(self.owner(), entry)
    }

    /// Listens to one field's changes.
    pub fn on<K: Key<T>>(
        &self,
        key: K,
        priority: i32,
        f: impl Fn(&Change<K::Value>) + Send + Sync + 'static,
    ) -> Subscription {
        self.register(
            Target::Field(key.index()),
            priority,
            Kind::Typed,
            None,
            TypedCallback {
                f,
                _value: std::marker::PhantomData,
            },
        )
    }

    pub(crate) fn on_change(
        &self,
        priority: i32,
        f: impl Fn(&Model<T>, &crate::Changes) + Send + Sync + 'static,
    ) -> Subscription {
        let erased = move |model: Erased<'_>, changes: &crate::Changes| {
            if let Some(model) = model.downcast::<Model<T>>() {
                f(model, changes)
            }
        };
        self.register(
            Target::Change,
            priority,
            Kind::Change,
            None,
            ChangeCallback(erased),
        )
    }

    pub(crate) fn on_event(
        &self,
        name: &str,
        priority: i32,
        conv: Option<JsonConv>,
        f: impl Fn(&Event) + Send + Sync + 'static,
    ) -> Subscription {
        let target = match T::FIELDS.iter().position(|info| info.event() == name) {
            Some(index) => Target::Field(index),
            None if name == "change" => Target::Change,
            None => {
                if let Some(field) = name.strip_suffix(".changed") {
                    // Most likely a misspelled field: it only fires if someone triggers it.
                    tracing::warn!(
                        model = T::TYPE_NAME,
                        event = name,
                        "no field `{field}`: this listener only receives events raised with `trigger`"
                    );
                }
                Target::Named(name.into())
            }
        };
        self.register(target, priority, Kind::Json, conv, JsonCallback(f))
    }
}

// The delivery layer sees a reactive type through `Source` and its storage through `Host`.
impl<T: Reactive> Source for T {
    const TYPE_NAME: &'static str = <T as Reactive>::TYPE_NAME;
    const EVENT_ORDER: &'static [u16] = T::__EVENT_ORDER;
    const FIELD_COUNT: usize = T::FIELDS.len();

    #[inline(always)]
    fn field_name(index: usize) -> Option<&'static str> {
        crate::model::meta::field_name::<T>(index)
    }

    #[inline(always)]
    fn event_name(index: usize) -> &'static str {
        T::FIELDS.get(index).map_or("", |f| f.event())
    }

    #[inline(always)]
    fn emit_field(index: usize, old: &Self, new: &Self, f: &mut dyn FnMut(ErasedChange<'_>)) {
        if let Some(info) = T::FIELDS.get(index) {
            info.emit(old, new, f);
        }
    }
}

impl<T: Reactive> Host<T> for RawModel<T> {
    #[inline(always)]
    fn hub(&self) -> &Hub<T> {
        &self.0.hub
    }

    #[inline(always)]
    fn with_handle<R>(&self, f: impl FnOnce(Erased<'_>) -> R) -> R {
        // A counted clone: borrowing the `Arc` without one (unsafe) measured 1.5% on a batch.
        let handle = Model::from_raw(RawModel(Arc::clone(&self.0)));
        f(Erased::new(&handle))
    }
}
