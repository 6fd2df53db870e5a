//! The live model: a cheap-to-clone, thread-safe handle on one value of a reactive struct.

pub(crate) mod arrival;
pub(crate) mod batch;
pub(crate) mod flags;
pub(crate) mod handles;
pub(crate) mod hooks;
pub(crate) mod key;
pub(crate) mod meta;
pub(crate) mod raw;
pub(crate) mod value;
pub(crate) mod write;

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Weak};

use serde::Serialize;

use crate::error::Error;
use crate::event::stream::ChangeStream;
use crate::event::subscription::Subscription;
use crate::event::types::{Change, Changes, Event};
use crate::model::batch::Batch;
use crate::model::handles::HandleOf;
use crate::model::key::{Key, WritableKey};
use crate::model::meta::{Reactive, ReactiveJson};
use crate::model::raw::{RawModel, Shared};
use crate::model::value::IntoValue;
use crate::model::write::Check;

/// A live model of a `#[derive(Reactive)]` struct.
///
/// Cloning is cheap (an `Arc`); every clone sees the same state and the same listeners. It is
/// `Send + Sync`, `Debug` and `Serialize` (as its current value) when `T` is. It derefs to the
/// handle the derive generates, which carries the per-field sugar: `name()`, `set_name(..)`,
/// `on_name(..)`.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone, Debug)]
/// struct User { name: String, email: String }
///
/// let user = Model::new(User { name: "Ada".into(), email: "ada@example.com".into() });
/// user.set_name("Ada Lovelace")?;
/// user.update(|u| u.email = "ada@lovelace.org".into())?;
/// assert_eq!(user.get(User::NAME), "Ada Lovelace");
/// assert_eq!(user.with(|u| u.email.clone()), "ada@lovelace.org");
/// # Ok::<(), reactive::Error>(())
/// ```
pub struct Model<T: Reactive> {
    handle: T::Handle,
}

impl<T: Reactive> Model<T> {
    pub(crate) fn from_raw(raw: RawModel<T>) -> Self {
        Model {
            handle: T::Handle::__from_raw(raw),
        }
    }

    #[inline]
    fn raw(&self) -> &RawModel<T> {
        self.handle.__raw()
    }

    #[inline]
    fn shared(&self) -> &Arc<Shared<T>> {
        &self.raw().0
    }

    /// A live model of `value`, not registered anywhere. Computed fields are computed now.
    ///
    /// ```
    /// use reactive::prelude::*;
    /// #[derive(Reactive, Clone)]
    /// struct Job { done: u64, total: u64, #[reactive(computed = self.total - self.done)] left: u64 }
    ///
    /// let job = Model::new(Job { done: 1, total: 4, left: 0 });
    /// assert_eq!(job.left(), 3);
    /// ```
    pub fn new(value: T) -> Self {
        Model::from_raw(RawModel::new(value, false))
    }

    /// A live model of `value` after checking it against the type's validation rules
    /// (`#[reactive(validate)]`): [`Error::Validation`] with the per-field report if it breaks
    /// them.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Note { text: String }
    /// // A type without validation rules accepts every value.
    /// let note = Model::try_new(Note { text: String::new() })?;
    /// assert!(note.validate().is_ok());
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn try_new(value: T) -> Result<Self, Error> {
        Model::validate_value(&value)?;
        Ok(Model::new(value))
    }

    /// A draft: a model of a value that was never persisted (publishing it inserts it). It
    /// stays a draft until a successful publish or load; [`mark_saved`](Model::mark_saved)
    /// does not end it.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Note { text: String }
    /// let note = Model::draft(Note { text: "hi".into() });
    /// assert!(note.is_draft() && !note.is_dirty());
    /// assert!(!Model::new(Note { text: "hi".into() }).is_draft());
    /// ```
    pub fn draft(value: T) -> Self {
        Model::from_raw(RawModel::new(value, true))
    }

    /// A model of a value a provider returned: a load has completed and found it
    /// (`fetched` and `found` set), as if the model had loaded it.
    pub(crate) fn loaded(value: T) -> Self {
        let flags = crate::model::flags::Flags {
            fetched: true,
            found: true,
            ..crate::model::flags::Flags::default()
        };
        Model::from_raw(RawModel::with_flags(value, false, flags))
    }

    /// Whether the model is a draft (see [`draft`](Model::draft)).
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Note { text: String }
    /// let note = Model::draft(Note { text: "hi".into() });
    /// note.mark_saved();
    /// assert!(note.is_draft());
    /// ```
    pub fn is_draft(&self) -> bool {
        self.shared().state.read_recursive().draft
    }

    /// Whether a plain field differs from its saved value (typed equality; computed and
    /// skipped fields are never dirty). A field set back to its saved value is clean again.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Note { text: String }
    /// let note = Model::new(Note { text: "hi".into() });
    /// note.set_text("hello")?;
    /// assert!(note.is_dirty());
    /// note.set_text("hi")?;
    /// assert!(!note.is_dirty());
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn is_dirty(&self) -> bool {
        let slot = self.shared().state.read_recursive();
        slot.saved
            .as_ref()
            .is_some_and(|saved| !saved.__diff(&slot.value).is_empty())
    }

    /// The names of the dirty fields, in field-table order.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String, email: String }
    /// let user = Model::new(User { name: "Ada".into(), email: "a@x.io".into() });
    /// user.set_email("ada@x.io")?;
    /// assert_eq!(user.dirty_fields(), ["email"]);
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn dirty_fields(&self) -> Vec<&'static str> {
        let slot = self.shared().state.read_recursive();
        match &slot.saved {
            Some(saved) => saved
                .__diff(&slot.value)
                .iter()
                .filter_map(crate::model::meta::field_name::<T>)
                .collect(),
            None => Vec::new(),
        }
    }

    /// Whether the field of `key` is dirty.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String, email: String }
    /// let user = Model::new(User { name: "Ada".into(), email: "a@x.io".into() });
    /// user.set_name("Grace")?;
    /// assert!(user.is_field_dirty(User::NAME) && !user.is_field_dirty(User::EMAIL));
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn is_field_dirty<K: Key<T>>(&self, key: K) -> bool {
        let computed = T::FIELDS
            .get(key.index())
            .is_some_and(|f| f.kind() == crate::FieldKind::Computed);
        if computed {
            return false;
        }
        let slot = self.shared().state.read_recursive();
        slot.saved
            .as_ref()
            .is_some_and(|saved| key.get(saved) != key.get(&slot.value))
    }

    /// The saved value of a field (what a [`revert`](Model::revert) would restore).
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// user.set_name("Grace")?;
    /// assert_eq!(user.saved(User::NAME), "Ada");
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn saved<K: Key<T>>(&self, key: K) -> K::Value {
        let slot = self.shared().state.read_recursive();
        key.get(slot.saved.as_ref().unwrap_or(&slot.value)).clone()
    }

    /// A clone of the whole saved value.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// user.set_name("Grace")?;
    /// assert_eq!(user.saved_value().name, "Ada");
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn saved_value(&self) -> T {
        let slot = self.shared().state.read_recursive();
        slot.saved.as_ref().unwrap_or(&slot.value).clone()
    }

    /// Restores the saved value as one batch, with the usual events (fields in declaration
    /// order, computed fields, one `change`); the model is clean afterwards. Hooks run;
    /// validation does not (the saved value was accepted before).
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String, email: String }
    /// let user = Model::new(User { name: "Ada".into(), email: "a@x.io".into() });
    /// user.update(|u| { u.name = "Grace".into(); u.email = "g@x.io".into(); })?;
    /// user.revert()?;
    /// assert_eq!((user.name(), user.is_dirty()), ("Ada".to_string(), false));
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn revert(&self) -> Result<(), Error> {
        self.raw().revert()
    }

    /// Makes the current value the saved one: the model is clean. A draft stays a draft.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// user.set_name("Grace")?;
    /// user.mark_saved();
    /// assert!(!user.is_dirty());
    /// assert_eq!(user.saved(User::NAME), "Grace");
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn mark_saved(&self) {
        self.shared().state.write().saved = None;
    }

    /// Checks the committed value against the type's validation rules
    /// (`#[reactive(validate)]`); every error, per field.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Note { text: String }
    /// let note = Model::new(Note { text: "hi".into() });
    /// assert!(note.validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        self.raw().validate().map_err(Error::Validation)
    }

    /// Checks a candidate value against the type's validation rules without applying it.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Note { text: String }
    /// assert!(Model::validate_value(&Note { text: String::new() }).is_ok());
    /// ```
    pub fn validate_value(value: &T) -> Result<(), Error> {
        value.__validate().map_err(Error::Validation)
    }

    /// [`set`](Model::set) without validation (hooks still run): for values known to be
    /// fine, or to pass through an invalid intermediate state on purpose.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Note { text: String }
    /// let note = Model::new(Note { text: "hi".into() });
    /// note.set_unchecked(Note::TEXT, "")?;
    /// assert_eq!(note.text(), "");
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn set_unchecked<K: WritableKey<T>>(
        &self,
        key: K,
        value: impl IntoValue<K::Value>,
    ) -> Result<(), Error> {
        self.raw()
            .set_with(key, value.into_value(), Check::Unchecked)
    }

    /// Runs `f` on the committed state (a read lock is held while `f` runs: keep it short, and
    /// do not write this model from it).
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// assert_eq!(user.with(|u| u.name.len()), 3);
    /// ```
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.raw().with(f)
    }

    /// A clone of the committed state.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// let plain: User = user.snapshot();
    /// assert_eq!(plain.name, "Ada");
    /// ```
    pub fn snapshot(&self) -> T {
        self.with(T::clone)
    }

    /// A clone of one field's committed value.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// assert_eq!(user.get(User::NAME), "Ada");
    /// ```
    #[inline]
    pub fn get<K: Key<T>>(&self, key: K) -> K::Value {
        self.raw().get(key)
    }

    /// Sets one field: a batch of one. An equal value changes nothing and emits nothing;
    /// otherwise `<field>.changed` then `change` are delivered.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// user.set(User::NAME, "Grace")?;
    /// assert_eq!(user.get(User::NAME), "Grace");
    /// # Ok::<(), reactive::Error>(())
    /// ```
    #[inline]
    pub fn set<K: WritableKey<T>>(
        &self,
        key: K,
        value: impl IntoValue<K::Value>,
    ) -> Result<(), Error> {
        self.raw().set(key, value.into_value())
    }

    /// Runs `f` on a copy of the state and commits what it changed as one batch: one
    /// `<field>.changed` per changed field, then ONE `change`. Domain methods taking
    /// `&mut self` fit directly. If `f` panics, the model is as before.
    ///
    /// `f`'s return value is handed back as it is: if it is itself a `Result` (say, from a
    /// write that was refused inside `f`), the batch still commits. Use
    /// [`try_update`](Model::try_update) when an error must undo the batch.
    ///
    /// While `f` runs, other writers of this model wait (readers do not). Like any two locks,
    /// two threads whose closures write each other's models in opposite orders can deadlock:
    /// write other models after the batch, or from a listener.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// #[derive(Reactive, Clone)]
    /// struct User { name: String, admin: bool }
    /// impl User { fn promote(&mut self) { self.admin = true; } }
    ///
    /// let user = Model::new(User { name: "Ada".into(), admin: false });
    /// user.update(User::promote)?;
    /// assert!(user.admin());
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn update<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, Error> {
        self.raw()
            .transact(Check::Validate, |value| Ok::<R, Error>(f(value)))
    }

    /// Like [`update`](Model::update) for a fallible closure: on `Err` (or a panic) the model
    /// is as before and nothing is emitted.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Account { balance: i64 }
    /// let account = Model::new(Account { balance: 10 });
    /// let result = account.try_update(|a| {
    ///     a.balance -= 50;
    ///     if a.balance < 0 { return Err(Error::msg("insufficient funds")); }
    ///     Ok(())
    /// });
    /// assert!(result.is_err());
    /// assert_eq!(account.balance(), 10);
    /// ```
    pub fn try_update<R, E: From<Error>>(
        &self,
        f: impl FnOnce(&mut T) -> Result<R, E>,
    ) -> Result<R, E> {
        self.raw().transact(Check::Validate, f)
    }

    /// Runs `f` with a [`Batch`] carrying the generated setters; everything it writes commits
    /// as one batch when it returns `Ok`, and nothing does when it returns `Err` or panics.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String, email: String }
    /// let user = Model::new(User { name: "a".into(), email: "a@x.io".into() });
    /// user.batch(|b| {
    ///     b.set_name("Ada")?;
    ///     b.set_email("ada@x.io")?;
    ///     b.trigger("user:renamed", serde_json::json!({ "to": "Ada" }));
    ///     Ok(())
    /// })?;
    /// assert_eq!(user.name(), "Ada");
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn batch<R>(
        &self,
        f: impl FnOnce(&mut Batch<'_, T>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let addr = self.raw().addr();
        self.raw()
            .transact(Check::Validate, |value| f(&mut Batch::new(value, addr)))
    }

    /// Listens to one field: `f` receives `{ value, previous }` for each batch that changed
    /// it. Typed listeners never serialize anything.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// let sub = user.on(User::NAME, |c: &Change<String>| println!("{} -> {}", c.previous, c.value));
    /// user.set_name("Grace")?;
    /// drop(sub);
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn on<K: Key<T>>(
        &self,
        key: K,
        f: impl Fn(&Change<K::Value>) + Send + Sync + 'static,
    ) -> Subscription {
        self.raw().on(key, 0, f)
    }

    /// [`on`](Model::on) with a priority: higher priorities run first; equal priorities run
    /// in registration order (shared with string-keyed listeners of the same event).
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// user.on_with_priority(User::NAME, 10, |_| println!("first")).detach();
    /// user.on(User::NAME, |_| println!("second")).detach();
    /// ```
    pub fn on_with_priority<K: Key<T>>(
        &self,
        key: K,
        priority: i32,
        f: impl Fn(&Change<K::Value>) + Send + Sync + 'static,
    ) -> Subscription {
        self.raw().on(key, priority, f)
    }

    /// Listens to every batch: `f` receives this model and the names of the changed fields,
    /// once per batch, after the field events.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Room { name: String, locked: bool }
    /// let room = Model::new(Room { name: "lobby".into(), locked: false });
    /// room.on_change(|m: &Model<Room>, changes: &Changes| {
    ///     println!("{} changed {:?}", m.name(), changes);
    /// })
    /// .detach();
    /// room.update(|r| { r.name = "hall".into(); r.locked = true; })?; // one call
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn on_change(
        &self,
        f: impl Fn(&Model<T>, &Changes) + Send + Sync + 'static,
    ) -> Subscription {
        self.raw().on_change(0, f)
    }

    /// [`on_change`](Model::on_change) with a priority.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Room { name: String }
    /// let room = Model::new(Room { name: "lobby".into() });
    /// room.on_change_with_priority(5, |_, _| {}).detach();
    /// ```
    pub fn on_change_with_priority(
        &self,
        priority: i32,
        f: impl Fn(&Model<T>, &Changes) + Send + Sync + 'static,
    ) -> Subscription {
        self.raw().on_change(priority, f)
    }

    /// Listens to an event by name, with a JSON payload: `"<field>.changed"`
    /// (`{ "value", "previous" }`), `"change"` (the changed field names) or a custom event
    /// raised with [`trigger`](Model::trigger). Needs every field to be `Serialize`.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone, Serialize)] struct User { role: String }
    /// let user = Model::new(User { role: "user".into() });
    /// user.on_event("role.changed", |e: &Event| {
    ///     assert_eq!(e.value()["previous"], "user");
    ///     assert_eq!(e.value()["value"], "admin");
    /// })
    /// .detach();
    /// user.set_role("admin")?;
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn on_event(&self, name: &str, f: impl Fn(&Event) + Send + Sync + 'static) -> Subscription
    where
        T: ReactiveJson,
    {
        self.raw().on_event(name, 0, Some(T::__change_json as _), f)
    }

    /// [`on_event`](Model::on_event) with a priority.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone, Serialize)] struct User { role: String }
    /// let user = Model::new(User { role: "user".into() });
    /// user.on_event_with_priority("change", 3, |_| {}).detach();
    /// ```
    pub fn on_event_with_priority(
        &self,
        name: &str,
        priority: i32,
        f: impl Fn(&Event) + Send + Sync + 'static,
    ) -> Subscription
    where
        T: ReactiveJson,
    {
        self.raw()
            .on_event(name, priority, Some(T::__change_json as _), f)
    }

    /// Raises a custom event with a JSON payload. Inside this model's `batch`/`update` on the
    /// same thread it is delivered after that batch's `change`, and dropped if the batch
    /// fails; otherwise it is delivered now.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone, Serialize)] struct Order { id: u64 }
    /// let order = Model::new(Order { id: 7 });
    /// order.on_event("order:shipped", |e| assert_eq!(e.value()["carrier"], "post")).detach();
    /// order.trigger("order:shipped", serde_json::json!({ "carrier": "post" }));
    /// ```
    pub fn trigger(
        &self,
        name: impl Into<std::borrow::Cow<'static, str>>,
        payload: serde_json::Value,
    ) {
        self.raw().trigger(Event::new(name, payload))
    }

    /// The same events as string-keyed listeners get, as an async `Stream` with a buffer of
    /// 1024 events per subscriber. A subscriber that falls behind receives `Err(Lagged(n))`
    /// and then newer events; writers never wait for subscribers.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone, Serialize)] struct User { name: String }
    /// use futures::StreamExt;
    /// let user = Model::new(User { name: "Ada".into() });
    /// let mut stream = user.changes();
    /// user.set_name("Grace")?;
    /// let first = futures::executor::block_on(stream.next()).unwrap().unwrap();
    /// assert_eq!(first.name(), "name.changed");
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn changes(&self) -> ChangeStream
    where
        T: ReactiveJson,
    {
        self.changes_with_capacity(1024)
    }

    /// [`changes`](Model::changes) with a chosen buffer size per subscriber (the capacity is
    /// fixed by the first stream opened on this model).
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone, Serialize)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// let _stream = user.changes_with_capacity(16);
    /// ```
    pub fn changes_with_capacity(&self, capacity: usize) -> ChangeStream
    where
        T: ReactiveJson,
    {
        let receiver = self.shared().hub.open_stream(T::__change_json, capacity);
        ChangeStream::new(receiver, self.raw().owner())
    }

    /// A weak handle: it does not keep the model alive. Listeners that need their own model
    /// capture this, so the model can still be dropped.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let user = Model::new(User { name: "Ada".into() });
    /// let weak = user.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(user);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakModel<T> {
        WeakModel(Arc::downgrade(self.shared()))
    }

    /// Runs `f` on the slot (value and bookkeeping) under the read lock.
    pub(crate) fn with_slot<R>(&self, f: impl FnOnce(&crate::model::raw::Slot<T>) -> R) -> R {
        f(&self.shared().state.read_recursive())
    }

    pub(crate) fn raw_model(&self) -> &RawModel<T> {
        self.raw()
    }

    /// The registry entry this model is tied to, if any (the registry reads it).
    pub(crate) fn registry_link(&self) -> Option<&Arc<dyn crate::model::raw::RegistryLink<T>>> {
        self.shared().link.get()
    }

    /// Ties the model to a registry entry; `Err` if it already has one.
    pub(crate) fn link(
        &self,
        link: Arc<dyn crate::model::raw::RegistryLink<T>>,
    ) -> Result<(), Arc<dyn crate::model::raw::RegistryLink<T>>> {
        self.shared().link.set(link)
    }

    /// Whether two handles are handles of the same live model.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct User { name: String }
    /// let a = Model::new(User { name: "Ada".into() });
    /// let b = a.clone();
    /// assert!(a.ptr_eq(&b));
    /// assert!(!a.ptr_eq(&Model::new(User { name: "Ada".into() })));
    /// ```
    pub fn ptr_eq(&self, other: &Model<T>) -> bool {
        Arc::ptr_eq(self.shared(), other.shared())
    }
}

impl<T: Reactive> Clone for Model<T> {
    #[inline]
    fn clone(&self) -> Self {
        Model::from_raw(self.raw().clone())
    }
}

// A panic inside `update`/`batch` or a listener leaves the model consistent (the batch is
// discarded, listeners are isolated), so handles may cross `catch_unwind`.
impl<T: Reactive> std::panic::UnwindSafe for Model<T> {}
impl<T: Reactive> std::panic::RefUnwindSafe for Model<T> {}

impl<T: Reactive> Deref for Model<T> {
    type Target = T::Handle;
    #[inline]
    fn deref(&self) -> &T::Handle {
        &self.handle
    }
}

impl<T: Reactive + fmt::Debug> fmt::Debug for Model<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with(|value| f.debug_tuple("Model").field(value).finish())
    }
}

impl<T: Reactive + Serialize> Serialize for Model<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with(|value| value.serialize(serializer))
    }
}

/// A handle that does not keep its model alive; see [`Model::downgrade`].
///
/// ```
/// # use reactive::prelude::*;
/// # #[derive(Reactive, Clone)] struct User { name: String }
/// let user = Model::new(User { name: "Ada".into() });
/// let weak: WeakModel<User> = user.downgrade();
/// assert_eq!(weak.upgrade().map(|u| u.name()), Some("Ada".to_string()));
/// ```
pub struct WeakModel<T: Reactive>(Weak<Shared<T>>);

impl<T: Reactive> WeakModel<T> {
    /// Whether a strong handle still exists (without creating one).
    pub(crate) fn is_alive(&self) -> bool {
        self.0.strong_count() > 0
    }

    /// The address of the model this handle points to (its identity, even once dropped).
    pub(crate) fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }

    /// The model, if a strong handle still exists.
    pub fn upgrade(&self) -> Option<Model<T>> {
        self.0
            .upgrade()
            .map(|shared| Model::from_raw(RawModel(shared)))
    }
}

impl<T: Reactive> Clone for WeakModel<T> {
    fn clone(&self) -> Self {
        WeakModel(self.0.clone())
    }
}

impl<T: Reactive> fmt::Debug for WeakModel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeakModel<{}>", T::TYPE_NAME)
    }
}
