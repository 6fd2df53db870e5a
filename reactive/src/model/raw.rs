//! The shared state behind every handle of one live model, and the write paths.

use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockUpgradableReadGuard};

use crate::error::Error;
use crate::event::delivery::{Committed, EventList, FieldPending, Notice};
use crate::event::erased::Erased;
use crate::event::hub::Hub;
use crate::event::local::{self, BatchFrame};
use crate::event::subscription::{Subscription, Unsubscribe};
use crate::event::table::{
    ChangeCallback, Entry, JsonCallback, JsonConv, Kind, Target, TypedCallback,
};
use crate::event::types::{Change, Event};
use crate::model::key::{Key, WritableKey};
use crate::model::meta::Reactive;
use crate::model::Model;

pub(crate) struct Shared<T> {
    pub(crate) state: RwLock<T>,
    pub(crate) hub: Hub<T>,
}

impl<T: Reactive> Unsubscribe for Shared<T> {
    fn unsubscribe(&self, entry: &Entry) {
        self.hub.unregister(self as *const Self as usize, entry);
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

/// A `Model` that borrows a `RawModel`'s reference instead of owning one.
pub(crate) struct BorrowedModel<'a, T: Reactive> {
    model: ManuallyDrop<Model<T>>,
    _borrow: PhantomData<&'a RawModel<T>>,
}

impl<T: Reactive> Deref for BorrowedModel<'_, T> {
    type Target = Model<T>;
    fn deref(&self) -> &Model<T> {
        &self.model
    }
}

fn feedback_error<T: Reactive>(field: &'static str) -> Error {
    tracing::warn!(
        model = T::TYPE_NAME,
        field,
        limit = crate::FEEDBACK_LIMIT,
        "feedback loop cut: listeners kept writing"
    );
    Error::FeedbackLoop {
        model: T::TYPE_NAME,
        field,
        limit: crate::FEEDBACK_LIMIT,
    }
}

impl<T: Reactive> RawModel<T> {
    pub(crate) fn new(mut value: T) -> Self {
        value.__recompute_all();
        RawModel(Arc::new(Shared {
            state: RwLock::new(value),
            hub: Hub::new(),
        }))
    }

    #[inline]
    pub(crate) fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    #[inline]
    pub(crate) fn hub(&self) -> &Hub<T> {
        &self.0.hub
    }

    /// A `Model` for listeners, without touching the reference count.
    pub(crate) fn borrowed_model(&self) -> BorrowedModel<'_, T> {
        // SAFETY: `Arc::from_raw` on the pointer of a live `Arc` (kept alive by `&self` for
        // 'a) yields an `Arc` we never drop (`ManuallyDrop`), so the count stays balanced.
        // Cloning through the `Deref` increments the count as any clone does.
        let arc = unsafe { Arc::from_raw(Arc::as_ptr(&self.0)) };
        BorrowedModel {
            model: ManuallyDrop::new(Model::from_raw(RawModel(arc))),
            _borrow: PhantomData,
        }
    }

    /// Reads the committed state.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0.state.read_recursive())
    }

    /// Clones one field out of the committed state.
    #[inline]
    pub fn get<K: Key<T>>(&self, key: K) -> K::Value {
        key.get(&self.0.state.read_recursive()).clone()
    }

    /// Sets one field.
    #[inline]
    pub fn set<K: WritableKey<T>>(&self, key: K, value: K::Value) -> Result<(), Error> {
        let quiet = local::is_quiet();
        if !quiet && local::is_batching(self.addr()) {
            return Err(Error::Reentrant {
                model: T::TYPE_NAME,
            });
        }
        let index = key.index();
        if T::FIELDS.get(index).is_some_and(|f| f.has_dependents()) {
            return self.set_with_dependents(key, value);
        }
        let mut state = self.0.state.write();
        let slot = key.get_mut(&mut state);
        if *slot == value {
            return Ok(());
        }
        if !quiet && !local::count_write() {
            drop(state);
            return Err(feedback_error::<T>(key.name()));
        }
        let hub = &self.0.hub;
        if !hub.has_listeners() {
            *slot = value;
            return Ok(());
        }
        let previous = std::mem::replace(slot, value);
        let change = Change {
            value: slot.clone(),
            previous,
        };
        let pending = FieldPending { index, change };
        if quiet {
            hub.commit_quiet(self, state, pending);
        } else {
            hub.commit(self, state, pending);
        }
        Ok(())
    }

    /// Sets a field some computed fields depend on: the new state (field written, dependents
    /// recomputed) is built on a copy, so a panicking compute function changes nothing, and
    /// under the upgradable lock, so a compute function may read models (this one included).
    fn set_with_dependents<K: WritableKey<T>>(&self, key: K, value: K::Value) -> Result<(), Error> {
        let base = self.0.state.upgradable_read();
        if *key.get(&base) == value {
            return Ok(());
        }
        if !local::count_write() {
            drop(base);
            return Err(feedback_error::<T>(key.name()));
        }
        let mut next = (*base).clone();
        *key.get_mut(&mut next) = value;
        let mut changed = crate::FieldSet::EMPTY;
        changed.insert(key.index());
        next.__recompute(&base, &mut changed);
        let mut state = RwLockUpgradableReadGuard::upgrade(base);
        let hub = &self.0.hub;
        if !hub.has_listeners() {
            *state = next;
        } else if !hub.needs_values() {
            *state = next;
            let events = EventList::empty();
            hub.commit(self, state, Notice { changed, events });
        } else {
            let new = next.clone();
            let old = std::mem::replace(&mut *state, next);
            let events = EventList::empty();
            hub.commit(
                self,
                state,
                Committed {
                    old,
                    new,
                    changed,
                    events,
                },
            );
        }
        Ok(())
    }

    /// Runs `f` on a copy of the state and commits the difference as one batch.
    pub(crate) fn transact<R, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut T) -> Result<R, E>,
    ) -> Result<R, E> {
        let addr = self.addr();
        if local::is_batching(addr) {
            return Err(Error::Reentrant {
                model: T::TYPE_NAME,
            }
            .into());
        }
        let base = self.0.state.upgradable_read();
        let mut working = (*base).clone();
        let frame = BatchFrame::enter(addr);
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&mut working)));
        let events = EventList::new(frame.finish());
        let value = match outcome {
            Ok(Ok(value)) => value,
            Ok(Err(err)) => {
                self.keep_skipped(base, &mut working);
                return Err(err);
            }
            Err(panic) => {
                self.keep_skipped(base, &mut working);
                resume_unwind(panic);
            }
        };
        let mut changed = base.__diff(&working);
        working.__recompute(&base, &mut changed);
        if changed.is_empty() && events.is_empty() {
            self.keep_skipped(base, &mut working);
            return Ok(value);
        }
        if !local::count_write() {
            self.keep_skipped(base, &mut working);
            return Err(feedback_error::<T>("*").into());
        }
        let mut state = RwLockUpgradableReadGuard::upgrade(base);
        let hub = &self.0.hub;
        if !hub.has_listeners() {
            *state = working;
            return Ok(value);
        }
        if changed.is_empty() {
            working.__copy_skipped(&mut state);
            hub.commit(self, state, Notice { changed, events });
        } else if !hub.needs_values() {
            // Only `change` listeners: no field values to keep.
            *state = working;
            hub.commit(self, state, Notice { changed, events });
        } else {
            let new = working.clone();
            let old = std::mem::replace(&mut *state, working);
            let committed = Committed {
                old,
                new,
                changed,
                events,
            };
            hub.commit(self, state, committed);
        }
        Ok(value)
    }

    /// After a failed or empty batch: the `#[reactive(skip)]` fields keep what the closure
    /// wrote (they are never rolled back).
    fn keep_skipped(&self, base: RwLockUpgradableReadGuard<'_, T>, working: &mut T) {
        if T::__HAS_SKIPPED {
            let mut state = RwLockUpgradableReadGuard::upgrade(base);
            working.__copy_skipped(&mut state);
        }
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
