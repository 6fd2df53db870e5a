//! The listener table of one model, and calling the listeners in it.
//!
//! Only the thread holding the model's delivery claim reads or changes the table (see
//! `hub`), so it needs no lock. Registrations wait in a side list and are merged at the start
//! of the next batch, which is why a listener added during a dispatch starts with the next one.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::Value;

use crate::event::erased::{Erased, ErasedChange};
use crate::event::types::{Change, Changes, Event};
use crate::sync::AtomicBool;

/// Turns a field's `Change` (as `&dyn Any`) into its JSON payload.
pub(crate) type JsonConv = fn(usize, &dyn Any) -> Option<Value>;

/// What a listener does when its event is delivered. One implementation per kind, with the
/// user's closure stored inline, so a call is one virtual call on the entry itself.
pub(crate) trait Callback: Send + Sync {
    /// A typed field listener.
    fn typed(&self, _change: &ErasedChange<'_>) {}
    /// A string-keyed listener: the event with its JSON payload.
    fn json(&self, _event: &Event) {}
    /// A `change` listener: the model (erased `&Model<T>`) and the changed fields.
    fn change(&self, _model: Erased<'_>, _changes: &Changes) {}
    /// A listener of something other than a model (a registry's events).
    fn other(&self, _event: Erased<'_>) {}
}

/// A listener of registry events of type `E`.
pub(crate) struct OtherCallback<E, F> {
    pub(crate) f: F,
    pub(crate) _event: std::marker::PhantomData<fn(&E)>,
}

impl<E: 'static, F: Fn(&E) + Send + Sync> Callback for OtherCallback<E, F> {
    fn other(&self, event: Erased<'_>) {
        if let Some(event) = event.downcast::<E>() {
            (self.f)(event)
        }
    }
}

/// A typed field listener of a field of type `V`.
pub(crate) struct TypedCallback<V, F> {
    pub(crate) f: F,
    pub(crate) _value: std::marker::PhantomData<fn(&V)>,
}

impl<V: 'static, F: Fn(&Change<V>) + Send + Sync> Callback for TypedCallback<V, F> {
    #[inline(always)]
    fn typed(&self, change: &ErasedChange<'_>) {
        if let Some(change) = change.downcast::<Change<V>>() {
            (self.f)(change)
        }
    }
}

/// A string-keyed listener.
pub(crate) struct JsonCallback<F>(pub(crate) F);

impl<F: Fn(&Event) + Send + Sync> Callback for JsonCallback<F> {
    fn json(&self, event: &Event) {
        (self.0)(event)
    }
}

/// A `change` listener.
pub(crate) struct ChangeCallback<F>(pub(crate) F);

impl<F: Fn(Erased<'_>, &Changes) + Send + Sync> Callback for ChangeCallback<F> {
    #[inline(always)]
    fn change(&self, model: Erased<'_>, changes: &Changes) {
        (self.0)(model, changes)
    }
}

/// The kind of a listener, fixed at registration.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Typed,
    Json,
    Change,
}

/// Where a listener listens.
pub(crate) enum Target {
    Field(usize),
    Change,
    Named(Box<str>),
}

/// The list of the table an entry belongs to (its `Target` without the name).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Field(usize),
    Change,
    Named,
}

/// One registered listener, shared between the table and its `Subscription`.
pub(crate) struct Entry<C: ?Sized = dyn Callback> {
    alive: AtomicBool,
    priority: i32,
    kind: Kind,
    /// Where it listens.
    pub(crate) slot: Slot,
    /// For a string-keyed field listener: builds the JSON payload of a `Change`.
    conv: Option<JsonConv>,
    callback: C,
}

/// A shared listener entry.
pub(crate) type EntryRef = Arc<Entry>;

impl Entry {
    /// A new entry for `callback` of `kind` listening at `target`.
    pub(crate) fn new<C: Callback + 'static>(
        priority: i32,
        target: &Target,
        kind: Kind,
        conv: Option<JsonConv>,
        callback: C,
    ) -> EntryRef {
        Arc::new(Entry {
            alive: AtomicBool::new(true),
            priority,
            kind,
            slot: match target {
                Target::Field(i) => Slot::Field(*i),
                Target::Change => Slot::Change,
                Target::Named(_) => Slot::Named,
            },
            conv,
            callback,
        })
    }

    /// Listens to a field: batches must keep the old and new values for it.
    pub(crate) fn on_field(&self) -> bool {
        matches!(self.slot, Slot::Field(_))
    }

    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }

    /// Calls a registry listener (panics are isolated like any listener's).
    pub(crate) fn call_other(&self, event: Erased<'_>) {
        if self.is_alive() {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| self.callback.other(event))) {
                report_panic("registry", "registry event", panic);
            }
        }
    }

    /// Marks the listener removed; `false` if it already was.
    pub(crate) fn kill(&self) -> bool {
        self.alive.swap(false, Ordering::SeqCst)
    }
}

/// The listeners of one event, in call order: higher priority first, then registration order.
pub(crate) struct List {
    entries: Vec<EntryRef>,
    /// Whether any entry is string-keyed (the typed-only loop is the fast path).
    json: bool,
}

impl List {
    pub(crate) const fn new() -> Self {
        List {
            entries: Vec::new(),
            json: false,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, entry: EntryRef) {
        self.json |= entry.kind == Kind::Json;
        let at = self
            .entries
            .partition_point(|e| e.priority >= entry.priority);
        self.entries.insert(at, entry);
    }

    /// Takes `entry` out of the list, if it is in it.
    fn take(&mut self, entry: &Entry) -> Option<EntryRef> {
        let at = self
            .entries
            .iter()
            .position(|e| std::ptr::eq(Arc::as_ptr(e), entry))?;
        let taken = self.entries.remove(at);
        if taken.kind == Kind::Json {
            self.json = self.entries.iter().any(|e| e.kind == Kind::Json);
        }
        Some(taken)
    }

    fn purge(&mut self) {
        self.entries.retain(|e| e.alive.load(Ordering::Relaxed));
        self.json = self.entries.iter().any(|e| e.kind == Kind::Json);
    }

    /// Calls typed field listeners with `change`. A panic is reported and the next listener
    /// still runs; a list with string-keyed listeners goes through [`List::call_field`].
    #[inline(always)]
    pub(crate) fn call_typed(
        &self,
        model: &'static str,
        field: &'static str,
        change: &ErasedChange<'_>,
    ) {
        each_guarded(&self.entries, model, field, |entry| {
            entry.callback.typed(change)
        });
    }

    /// Calls the listeners of a field event (typed and string-keyed, in one order); returns the
    /// JSON event if one was built, for the streams.
    #[inline(never)]
    pub(crate) fn call_field(
        &self,
        model: &'static str,
        event: &'static str,
        index: usize,
        change: ErasedChange<'_>,
    ) -> Option<Event> {
        let mut json: Option<Event> = None;
        each_guarded(&self.entries, model, event, |entry| match entry.kind {
            Kind::Typed => entry.callback.typed(&change),
            Kind::Json => entry
                .callback
                .json(json.get_or_insert_with(|| field_event(event, index, change, entry.conv))),
            Kind::Change => {}
        });
        json
    }

    /// Calls `change` listeners of a list without string-keyed ones.
    #[inline(always)]
    pub(crate) fn call_change_typed(
        &self,
        model: &'static str,
        handle: Erased<'_>,
        changes: &Changes,
    ) {
        each_guarded(&self.entries, model, "change", |entry| {
            entry.callback.change(handle, changes)
        });
    }

    /// Calls `change` listeners; returns the JSON event if one was built.
    #[inline(never)]
    pub(crate) fn call_change(
        &self,
        model: &'static str,
        handle: Erased<'_>,
        changes: &Changes,
    ) -> Option<Event> {
        let mut json: Option<Event> = None;
        each_guarded(&self.entries, model, "change", |entry| match entry.kind {
            Kind::Change => entry.callback.change(handle, changes),
            Kind::Json => entry
                .callback
                .json(json.get_or_insert_with(|| change_event(changes))),
            Kind::Typed => {}
        });
        json
    }

    /// Calls the string-keyed listeners of a custom event.
    pub(crate) fn call_named(&self, model: &'static str, event: &Event) {
        each_guarded(&self.entries, model, "custom event", |entry| {
            entry.callback.json(event)
        });
    }

    pub(crate) fn has_json(&self) -> bool {
        self.json
    }
}

/// Calls `call` on each live entry. A panicking listener is reported and the rest still run;
/// one `catch_unwind` covers the whole loop until a panic happens.
#[inline(always)]
fn each_guarded(
    entries: &[Arc<Entry>],
    model: &'static str,
    event: &str,
    mut call: impl FnMut(&Entry),
) {
    let mut next = 0;
    while next < entries.len() {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            while let Some(entry) = entries.get(next) {
                next += 1;
                if entry.alive.load(Ordering::SeqCst) {
                    call(entry);
                }
            }
        }));
        if let Err(panic) = outcome {
            report_panic(model, event, panic);
        }
    }
}

/// Reports a listener's panic; the state stays consistent (listeners run after the commit).
#[cold]
#[inline(never)]
fn report_panic(model: &str, event: &str, panic: Box<dyn Any + Send>) {
    let message = crate::error::panic_message(panic.as_ref());
    tracing::error!(model, event, panic = %message, "a listener panicked; the other listeners still ran");
}

/// The JSON event of a field change.
#[cold]
pub(crate) fn field_event(
    name: &'static str,
    index: usize,
    change: ErasedChange<'_>,
    conv: Option<JsonConv>,
) -> Event {
    let value = conv
        .and_then(|conv| conv(index, change.as_any()))
        .unwrap_or(Value::Null);
    Event::new(name, value)
}

/// The JSON event of a batch: the changed field names.
#[cold]
pub(crate) fn change_event(changes: &Changes) -> Event {
    Event::new(
        "change",
        Value::Array(changes.names().map(|n| Value::String(n.into())).collect()),
    )
}

/// Every listener of one model.
pub(crate) struct Table {
    pub(crate) fields: Vec<List>,
    pub(crate) change: List,
    /// Custom events by name (few per model: a list beats hashing).
    named: Vec<(Box<str>, List)>,
    /// Registrations to merge: swapped with the hub's side list, so that neither allocates
    /// again once both have grown.
    pub(crate) incoming: Vec<(Target, EntryRef)>,
}

impl Table {
    pub(crate) const fn new() -> Self {
        Table {
            fields: Vec::new(),
            change: List::new(),
            named: Vec::new(),
            incoming: Vec::new(),
        }
    }

    /// The listeners of a custom event.
    pub(crate) fn named(&self, name: &str) -> Option<&List> {
        self.named
            .iter()
            .find(|(n, _)| **n == *name)
            .map(|(_, list)| list)
    }

    /// Takes a removed `entry` out of its list (the caller drops it once the table is no
    /// longer borrowed: its closure's destructor may run anything).
    pub(crate) fn take(&mut self, entry: &Entry) -> Option<EntryRef> {
        match entry.slot {
            Slot::Field(i) => self.fields.get_mut(i)?.take(entry),
            Slot::Change => self.change.take(entry),
            Slot::Named => {
                let (at, taken) = self
                    .named
                    .iter_mut()
                    .enumerate()
                    .find_map(|(at, (_, list))| Some((at, list.take(entry)?)))?;
                if self.named[at].1.is_empty() {
                    self.named.remove(at);
                }
                Some(taken)
            }
        }
    }

    /// Drops removed listeners and merges the incoming ones, in registration order.
    pub(crate) fn merge(&mut self, field_count: usize) {
        if self.fields.len() < field_count {
            self.fields.resize_with(field_count, List::new);
        }
        for list in self.fields.iter_mut() {
            list.purge();
        }
        self.change.purge();
        self.named.retain_mut(|(_, list)| {
            list.purge();
            !list.is_empty()
        });
        let mut added = std::mem::take(&mut self.incoming);
        for (target, entry) in added.drain(..) {
            if !entry.alive.load(Ordering::Relaxed) {
                continue;
            }
            match target {
                Target::Field(i) => {
                    if let Some(list) = self.fields.get_mut(i) {
                        list.insert(entry);
                    }
                }
                Target::Change => self.change.insert(entry),
                Target::Named(name) => match self.named.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, list)) => list.insert(entry),
                    None => {
                        let mut list = List::new();
                        list.insert(entry);
                        self.named.push((name, list));
                    }
                },
            }
        }
        self.incoming = added;
    }
}
