//! The listener table of one model, and calling the listeners in it.
//!
//! Only the thread holding the model's delivery claim reads or changes the table (see
//! `hub`), so it needs no lock. Registrations wait in a side list and are merged at the start
//! of the next batch, which is why a listener added during a dispatch starts with the next one.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::event::erased::{Erased, ErasedChange};
use crate::event::types::{Changes, Event};

/// Turns a field's `Change` (as `&dyn Any`) into its JSON payload.
pub(crate) type JsonConv = fn(usize, &dyn Any) -> Option<Value>;

type TypedFn = Box<dyn Fn(ErasedChange<'_>) + Send + Sync>;
type JsonFn = Box<dyn Fn(&Event) + Send + Sync>;
/// Gets the model erased (a `&Model<T>`), so the table needs no `T: Reactive` bound.
type ChangeFn = Box<dyn Fn(Erased<'_>, &Changes) + Send + Sync>;

pub(crate) enum EntryKind {
    Typed(TypedFn),
    Json { f: JsonFn, conv: Option<JsonConv> },
    Change(ChangeFn),
}

/// Where a listener listens.
pub(crate) enum Target {
    Field(usize),
    Change,
    Named(Box<str>),
}

/// One registered listener. Shared between the table and its `Subscription`.
pub(crate) struct Entry {
    alive: AtomicBool,
    priority: i32,
    /// Listens to a field: batches must keep the old and new values for it.
    pub(crate) on_field: bool,
    kind: EntryKind,
}

impl Entry {
    pub(crate) fn new(priority: i32, target: &Target, kind: EntryKind) -> Self {
        Entry {
            alive: AtomicBool::new(true),
            priority,
            on_field: matches!(target, Target::Field(_)),
            kind,
        }
    }

    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }

    /// Marks the listener removed; `false` if it already was.
    pub(crate) fn kill(&self) -> bool {
        self.alive.swap(false, Ordering::SeqCst)
    }
}

/// The listeners of one event, in call order: higher priority first, then registration order.
#[derive(Default)]
pub(crate) struct List {
    entries: Vec<Arc<Entry>>,
    /// Whether any entry is string-keyed (the typed-only loop is the fast path).
    json: bool,
}

impl List {
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, entry: Arc<Entry>) {
        self.json |= matches!(entry.kind, EntryKind::Json { .. });
        let at = self
            .entries
            .partition_point(|e| e.priority >= entry.priority);
        self.entries.insert(at, entry);
    }

    fn purge(&mut self) {
        self.entries.retain(|e| e.alive.load(Ordering::Relaxed));
        self.json = self
            .entries
            .iter()
            .any(|e| matches!(e.kind, EntryKind::Json { .. }));
    }

    /// Calls typed field listeners with `change`. A panic is reported and the next listener
    /// still runs; a list with string-keyed listeners goes through [`List::call_field`].
    #[inline(always)]
    pub(crate) fn call_typed(
        &self,
        model: &'static str,
        event: &'static str,
        change: ErasedChange<'_>,
    ) {
        each_guarded(&self.entries, model, event, |entry| {
            if let EntryKind::Typed(f) = &entry.kind {
                f(change)
            }
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
        each_guarded(&self.entries, model, event, |entry| match &entry.kind {
            EntryKind::Typed(f) => f(change),
            EntryKind::Json { f, conv } => {
                f(json.get_or_insert_with(|| field_event(event, index, change, *conv)))
            }
            EntryKind::Change(_) => {}
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
            if let EntryKind::Change(f) = &entry.kind {
                f(handle, changes)
            }
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
        each_guarded(&self.entries, model, "change", |entry| match &entry.kind {
            EntryKind::Change(f) => f(handle, changes),
            EntryKind::Json { f, .. } => f(json.get_or_insert_with(|| change_event(changes))),
            EntryKind::Typed(_) => {}
        });
        json
    }

    /// Calls the string-keyed listeners of a custom event.
    pub(crate) fn call_named(&self, model: &'static str, event: &Event) {
        each_guarded(&self.entries, model, "custom event", |entry| {
            if let EntryKind::Json { f, .. } = &entry.kind {
                f(event)
            }
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
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_string());
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
#[derive(Default)]
pub(crate) struct Table {
    pub(crate) fields: Vec<List>,
    pub(crate) change: List,
    /// Custom events by name (few per model: a list beats hashing).
    named: Vec<(Box<str>, List)>,
}

impl Table {
    /// The listeners of a custom event.
    pub(crate) fn named(&self, name: &str) -> Option<&List> {
        self.named
            .iter()
            .find(|(n, _)| **n == *name)
            .map(|(_, list)| list)
    }

    /// Drops removed listeners and merges new ones, in registration order.
    pub(crate) fn merge(&mut self, field_count: usize, added: Vec<(Target, Arc<Entry>)>) {
        if self.fields.len() < field_count {
            self.fields.resize_with(field_count, List::default);
        }
        for list in self.fields.iter_mut() {
            list.purge();
        }
        self.change.purge();
        self.named.retain_mut(|(_, list)| {
            list.purge();
            !list.is_empty()
        });
        for (target, entry) in added {
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
                        let mut list = List::default();
                        list.insert(entry);
                        self.named.push((name, list));
                    }
                },
            }
        }
    }
}
