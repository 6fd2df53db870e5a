//! Per-model listener table and delivery.
//!
//! Delivery protocol: every commit that has listeners increments the pending count in `word`
//! while the state lock is held. The commit that finds it at zero *claims* the model and
//! delivers its own batch, then keeps delivering batches other commits queued meanwhile (in
//! commit order) until the count returns to zero. So each model is delivered by one thread at
//! a time, whole batches in commit order, and the uncontended path queues nothing.

use std::any::Any;
use std::cell::UnsafeCell;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::event::erased::{Erased, ErasedChange, OwnedChange};
use crate::event::local;
use crate::event::types::{Changes, Event};
use crate::model::field_set::FieldSet;
use crate::model::meta::Reactive;
use crate::model::raw::RawModel;

/// Low half of `word`: batches committed and not yet delivered (the one in progress included).
const PENDING_MASK: u64 = 0xFFFF_FFFF;
/// High half of `word`: batches delivered (wrapping). Waiters watch it move.
const COMPLETED: u64 = 1 << 32;

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

/// One registered listener. Shared between the table and its `Subscription`.
pub(crate) struct Entry {
    alive: AtomicBool,
    priority: i32,
    /// Listens to a field: commits must keep the old and new values for it.
    on_field: bool,
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
}

/// Where a listener listens.
pub(crate) enum Target {
    Field(usize),
    Change,
    Named(Box<str>),
}

/// A batch to deliver, owned (queued for later).
pub(crate) enum Delivery<T> {
    Field {
        index: usize,
        change: Box<dyn OwnedChange>,
    },
    Batch(Box<Committed<T>>),
    Notice(Notice),
}

/// A batch to deliver, borrowed (delivered at once from the committing frame).
pub(crate) enum DeliveryRef<'a, T> {
    Field {
        index: usize,
        change: ErasedChange<'a>,
    },
    Batch(&'a Committed<T>),
    Notice {
        changed: FieldSet,
        events: &'a [Event],
    },
}

impl<T> Delivery<T> {
    fn as_ref(&self) -> DeliveryRef<'_, T> {
        match self {
            Delivery::Field { index, change } => DeliveryRef::Field {
                index: *index,
                change: change.erased(),
            },
            Delivery::Batch(c) => DeliveryRef::Batch(c),
            Delivery::Notice(n) => DeliveryRef::Notice {
                changed: n.changed,
                events: &n.events,
            },
        }
    }
}

/// A committed multi-field batch: the state before and after, what changed, and the custom
/// events raised in it.
pub(crate) struct Committed<T> {
    pub(crate) old: T,
    pub(crate) new: T,
    pub(crate) changed: FieldSet,
    pub(crate) events: Vec<Event>,
}

/// Something a commit hands to the hub: deliverable at once by reference, or boxed for later.
pub(crate) trait Pending<T>: Sized {
    fn as_ref(&self) -> DeliveryRef<'_, T>;
    fn into_owned(self) -> Delivery<T>;
}

/// A single-field change.
pub(crate) struct FieldPending<V> {
    pub(crate) index: usize,
    pub(crate) change: crate::Change<V>,
}

impl<T, V: Send + 'static> Pending<T> for FieldPending<V> {
    fn as_ref(&self) -> DeliveryRef<'_, T> {
        DeliveryRef::Field {
            index: self.index,
            change: ErasedChange::new(&self.change),
        }
    }
    fn into_owned(self) -> Delivery<T> {
        Delivery::Field {
            index: self.index,
            change: Box::new(self.change),
        }
    }
}

impl<T> Pending<T> for Committed<T> {
    fn as_ref(&self) -> DeliveryRef<'_, T> {
        DeliveryRef::Batch(self)
    }
    fn into_owned(self) -> Delivery<T> {
        Delivery::Batch(Box::new(self))
    }
}

/// A batch delivered without field values: only `change` listeners (and custom-event
/// listeners) receive it, or it carries custom events alone.
pub(crate) struct Notice {
    pub(crate) changed: FieldSet,
    pub(crate) events: Vec<Event>,
}

impl<T> Pending<T> for Notice {
    fn as_ref(&self) -> DeliveryRef<'_, T> {
        DeliveryRef::Notice {
            changed: self.changed,
            events: &self.events,
        }
    }
    fn into_owned(self) -> Delivery<T> {
        Delivery::Notice(self)
    }
}

type List = Vec<Arc<Entry>>;

struct Table {
    fields: Vec<List>,
    change: List,
    /// Custom events by name (few per model: a list beats hashing).
    named: Vec<(Box<str>, List)>,
}

/// The listener table. Only the thread that holds the model's delivery claim touches it.
struct TableCell(UnsafeCell<Table>);

// SAFETY: the table is only accessed by `Hub::deliver`, which runs only on the thread holding
// the model's delivery claim (the pending count in `word` going 0 -> 1 acquires it, back to 0
// releases it, both SeqCst), so accesses never overlap and are ordered by the claim.
unsafe impl Sync for TableCell {}

pub(crate) struct Hub<T> {
    word: AtomicU64,
    queue: Mutex<VecDeque<Delivery<T>>>,
    table: TableCell,
    regs: Mutex<Vec<(Target, Arc<Entry>)>>,
    regs_dirty: AtomicBool,
    /// Live listeners and open streams: zero means a commit delivers nothing.
    listeners: AtomicUsize,
    /// Live field listeners and open streams: zero means a batch need not keep field values.
    value_listeners: AtomicUsize,
    /// Open streams.
    streams: AtomicUsize,
    stream: OnceLock<(broadcast::Sender<Event>, JsonConv)>,
}

impl<T: Reactive> Hub<T> {
    pub(crate) fn new() -> Self {
        Hub {
            word: AtomicU64::new(0),
            queue: Mutex::new(VecDeque::new()),
            table: TableCell(UnsafeCell::new(Table {
                fields: Vec::new(),
                change: Vec::new(),
                named: Vec::new(),
            })),
            regs: Mutex::new(Vec::new()),
            regs_dirty: AtomicBool::new(false),
            listeners: AtomicUsize::new(0),
            value_listeners: AtomicUsize::new(0),
            streams: AtomicUsize::new(0),
            stream: OnceLock::new(),
        }
    }

    /// Whether any listener or stream subscriber could receive an event.
    #[inline]
    pub(crate) fn has_listeners(&self) -> bool {
        self.listeners.load(Ordering::Relaxed) > 0
    }

    /// Whether a field listener or a stream needs the old and new field values of a batch.
    #[inline]
    pub(crate) fn needs_values(&self) -> bool {
        self.value_listeners.load(Ordering::Relaxed) > 0
    }

    /// Registers a listener; it starts with the next batch delivered.
    pub(crate) fn register(&self, target: Target, entry: Arc<Entry>) {
        if entry.on_field {
            self.value_listeners.fetch_add(1, Ordering::SeqCst);
        }
        self.regs.lock().push((target, entry));
        self.listeners.fetch_add(1, Ordering::SeqCst);
        self.regs_dirty.store(true, Ordering::Release);
    }

    /// The broadcast sender of change streams, created on first use.
    pub(crate) fn stream(&self, conv: JsonConv, capacity: usize) -> broadcast::Receiver<Event> {
        let receiver = self
            .stream
            .get_or_init(|| (broadcast::channel(capacity.max(1)).0, conv))
            .0
            .subscribe();
        self.streams.fetch_add(1, Ordering::SeqCst);
        self.value_listeners.fetch_add(1, Ordering::SeqCst);
        self.listeners.fetch_add(1, Ordering::SeqCst);
        receiver
    }

    /// A stream was dropped.
    pub(crate) fn stream_closed(&self) {
        self.streams.fetch_sub(1, Ordering::SeqCst);
        self.value_listeners.fetch_sub(1, Ordering::SeqCst);
        self.listeners.fetch_sub(1, Ordering::SeqCst);
    }

    /// Kills `entry`; once this returns, the listener is never started again.
    pub(crate) fn unregister(&self, model: usize, entry: &Entry) {
        if !entry.alive.swap(false, Ordering::SeqCst) {
            return;
        }
        if entry.on_field {
            self.value_listeners.fetch_sub(1, Ordering::SeqCst);
        }
        self.listeners.fetch_sub(1, Ordering::SeqCst);
        self.regs_dirty.store(true, Ordering::Release);
        // A delivery that read the flag before the swap may be about to call the listener:
        // wait for the batch in progress to end, unless this thread is the one delivering.
        let seen = self.word.load(Ordering::SeqCst);
        // No wait when this thread is the one delivering (or will deliver) this model, or holds
        // its batch open (a delivering listener could be waiting for that batch's lock).
        if seen & PENDING_MASK == 0
            || local::delivering() == model
            || local::has_queued(model)
            || local::is_batching(model)
        {
            return;
        }
        let mut spins = 0u32;
        loop {
            let now = self.word.load(Ordering::SeqCst);
            if now & PENDING_MASK == 0 || (now & !PENDING_MASK) != (seen & !PENDING_MASK) {
                return;
            }
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// Called once per commit that has listeners, with the state lock (`guard`) still held so
    /// commits are counted in commit order: claims the model and delivers the batch after
    /// releasing the lock, or queues it behind the delivery in progress.
    #[inline(always)]
    pub(crate) fn commit<P: Pending<T>, G>(&self, model: &RawModel<T>, guard: G, pending: P) {
        if self.word.fetch_add(1, Ordering::SeqCst) & PENDING_MASK == 0 {
            drop(guard);
            self.run(model, pending);
        } else {
            self.enqueue(pending.into_owned());
            drop(guard);
        }
    }

    #[cold]
    #[inline(never)]
    fn enqueue(&self, delivery: Delivery<T>) {
        self.queue.lock().push_back(delivery);
    }

    /// Delivers a claimed batch (the state lock released): at once, or after the delivery
    /// this thread is already in.
    #[inline(always)]
    fn run<P: Pending<T>>(&self, model: &RawModel<T>, pending: P) {
        if local::is_active() {
            self.queue_local(model, pending.into_owned());
        } else {
            local::outermost(|| self.drain(model, pending.as_ref()));
        }
    }

    #[cold]
    #[inline(never)]
    fn queue_local(&self, model: &RawModel<T>, delivery: Delivery<T>) {
        let owner = model.clone();
        local::queue(
            model.addr(),
            Box::new(move || owner.hub().drain(&owner, delivery.as_ref())),
        );
    }

    #[inline(always)]
    fn drain(&self, model: &RawModel<T>, first: DeliveryRef<'_, T>) {
        let previous = local::set_delivering(model.addr());
        self.deliver(model, first);
        let before = self.word.fetch_add(COMPLETED - 1, Ordering::SeqCst);
        if before & PENDING_MASK != 1 {
            self.drain_queued(model);
        }
        local::set_delivering(previous);
    }

    /// Delivers the batches other commits queued during our delivery, until none is left.
    #[cold]
    #[inline(never)]
    fn drain_queued(&self, model: &RawModel<T>) {
        loop {
            let next = self.pop_next();
            self.deliver(model, next.as_ref());
            let before = self.word.fetch_add(COMPLETED - 1, Ordering::SeqCst);
            if before & PENDING_MASK == 1 {
                break;
            }
        }
    }

    /// The next queued batch. Its committer counted it before pushing it, under the state
    /// lock, so it is at most a few instructions away.
    fn pop_next(&self) -> Delivery<T> {
        let mut spins = 0u32;
        loop {
            if let Some(next) = self.queue.lock().pop_front() {
                return next;
            }
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    #[inline(always)]
    fn refresh(&self, table: &mut Table) {
        if self.regs_dirty.load(Ordering::Acquire) {
            self.apply_registrations(table);
        }
    }

    #[cold]
    #[inline(never)]
    fn apply_registrations(&self, table: &mut Table) {
        self.regs_dirty.store(false, Ordering::SeqCst);
        let added: Vec<_> = std::mem::take(&mut *self.regs.lock());
        if table.fields.len() < T::FIELDS.len() {
            table.fields.resize_with(T::FIELDS.len(), Vec::new);
        }
        for list in table
            .fields
            .iter_mut()
            .chain(std::iter::once(&mut table.change))
        {
            list.retain(|e| e.alive.load(Ordering::Relaxed));
        }
        table.named.retain_mut(|(_, list)| {
            list.retain(|e| e.alive.load(Ordering::Relaxed));
            !list.is_empty()
        });
        for (target, entry) in added {
            if !entry.alive.load(Ordering::Relaxed) {
                continue;
            }
            let list = match target {
                Target::Field(i) => match table.fields.get_mut(i) {
                    Some(list) => list,
                    None => continue,
                },
                Target::Change => &mut table.change,
                Target::Named(name) => match table.named.iter().position(|(n, _)| *n == name) {
                    Some(at) => match table.named.get_mut(at) {
                        Some((_, list)) => list,
                        None => continue,
                    },
                    None => {
                        table.named.push((name, Vec::new()));
                        match table.named.last_mut() {
                            Some((_, list)) => list,
                            None => continue,
                        }
                    }
                },
            };
            // Higher priority first; equal priorities keep registration order.
            let at = list.partition_point(|e| e.priority >= entry.priority);
            list.insert(at, entry);
        }
    }

    #[inline(always)]
    fn deliver(&self, model: &RawModel<T>, delivery: DeliveryRef<'_, T>) {
        // SAFETY: see `TableCell`: this thread holds the delivery claim.
        let table = unsafe { &mut *self.table.0.get() };
        self.refresh(table);
        let table: &Table = table;
        let stream = if self.streams.load(Ordering::Relaxed) > 0 {
            self.stream.get()
        } else {
            None
        };
        match delivery {
            DeliveryRef::Field { index, change } => {
                self.emit_field(table, stream, index, change);
                if !table.change.is_empty() || stream.is_some() {
                    let mut set = FieldSet::EMPTY;
                    set.insert(index);
                    self.emit_change(model, table, stream, set);
                }
            }
            DeliveryRef::Batch(batch) => self.deliver_batch(model, table, stream, batch),
            DeliveryRef::Notice { changed, events } => {
                self.deliver_notice(model, table, stream, changed, events)
            }
        }
    }

    #[inline(never)]
    fn deliver_notice(
        &self,
        model: &RawModel<T>,
        table: &Table,
        stream: Option<&(broadcast::Sender<Event>, JsonConv)>,
        changed: FieldSet,
        events: &[Event],
    ) {
        if !changed.is_empty() {
            self.emit_change(model, table, stream, changed);
        }
        for event in events {
            self.emit_named(table, stream, event);
        }
    }

    #[inline(never)]
    fn deliver_batch(
        &self,
        model: &RawModel<T>,
        table: &Table,
        stream: Option<&(broadcast::Sender<Event>, JsonConv)>,
        batch: &Committed<T>,
    ) {
        for &index in T::__EVENT_ORDER {
            let index = index as usize;
            if !batch.changed.contains(index) {
                continue;
            }
            // Build the field's `Change` only if someone receives it.
            let listened = table.fields.get(index).is_some_and(|l| !l.is_empty());
            if !listened && stream.is_none() {
                continue;
            }
            if let Some(info) = T::FIELDS.get(index) {
                info.emit(&batch.old, &batch.new, &mut |change| {
                    self.emit_field(table, stream, index, change)
                });
            }
        }
        if !batch.changed.is_empty() {
            self.emit_change(model, table, stream, batch.changed);
        }
        for event in &batch.events {
            self.emit_named(table, stream, event);
        }
    }

    #[inline(always)]
    fn emit_field(
        &self,
        table: &Table,
        stream: Option<&(broadcast::Sender<Event>, JsonConv)>,
        index: usize,
        change: ErasedChange<'_>,
    ) {
        let mut json: Option<Event> = None;
        if let Some(list) = table.fields.get(index) {
            for entry in list {
                if !entry.alive.load(Ordering::SeqCst) {
                    continue;
                }
                match &entry.kind {
                    EntryKind::Typed(f) => {
                        if let Err(panic) = guarded(|| f(change)) {
                            report_panic(T::TYPE_NAME, field_event_name::<T>(index), panic);
                        }
                    }
                    EntryKind::Json { f, conv } => {
                        let event =
                            json.get_or_insert_with(|| field_event::<T>(index, change, *conv));
                        if let Err(panic) = guarded(|| f(event)) {
                            report_panic(T::TYPE_NAME, event.name(), panic);
                        }
                    }
                    EntryKind::Change(_) => {}
                }
            }
        }
        if let Some((sender, conv)) = stream {
            let event = json.unwrap_or_else(|| field_event::<T>(index, change, Some(*conv)));
            let _ = sender.send(event);
        }
    }

    #[inline(never)]
    fn emit_change(
        &self,
        model: &RawModel<T>,
        table: &Table,
        stream: Option<&(broadcast::Sender<Event>, JsonConv)>,
        changed: FieldSet,
    ) {
        if table.change.is_empty() && stream.is_none() {
            return;
        }
        let changes = Changes::new(changed, T::FIELD_NAMES);
        let mut json: Option<Event> = None;
        if !table.change.is_empty() {
            let handle = model.borrowed_model();
            for entry in &table.change {
                if !entry.alive.load(Ordering::SeqCst) {
                    continue;
                }
                match &entry.kind {
                    EntryKind::Change(f) => {
                        if let Err(panic) =
                            guarded(|| f(Erased::new::<crate::Model<T>>(&handle), &changes))
                        {
                            report_panic(T::TYPE_NAME, "change", panic);
                        }
                    }
                    EntryKind::Json { f, .. } => {
                        let event = json.get_or_insert_with(|| change_event(&changes));
                        if let Err(panic) = guarded(|| f(event)) {
                            report_panic(T::TYPE_NAME, "change", panic);
                        }
                    }
                    EntryKind::Typed(_) => {}
                }
            }
        }
        if let Some((sender, _)) = stream {
            let _ = sender.send(json.unwrap_or_else(|| change_event(&changes)));
        }
    }

    #[inline(never)]
    fn emit_named(
        &self,
        table: &Table,
        stream: Option<&(broadcast::Sender<Event>, JsonConv)>,
        event: &Event,
    ) {
        if let Some((_, list)) = table.named.iter().find(|(n, _)| **n == *event.name()) {
            for entry in list {
                if !entry.alive.load(Ordering::SeqCst) {
                    continue;
                }
                if let EntryKind::Json { f, .. } = &entry.kind {
                    if let Err(panic) = guarded(|| f(event)) {
                        report_panic(T::TYPE_NAME, event.name(), panic);
                    }
                }
            }
        }
        if let Some((sender, _)) = stream {
            let _ = sender.send(event.clone());
        }
    }
}

fn field_event_name<T: Reactive>(index: usize) -> &'static str {
    T::FIELDS.get(index).map_or("", |f| f.event())
}

#[cold]
fn field_event<T: Reactive>(
    index: usize,
    change: ErasedChange<'_>,
    conv: Option<JsonConv>,
) -> Event {
    let value = conv
        .and_then(|conv| conv(index, change.as_any()))
        .unwrap_or(Value::Null);
    Event::new(field_event_name::<T>(index), value)
}

fn change_event(changes: &Changes) -> Event {
    Event::new(
        "change",
        Value::Array(changes.names().map(|n| Value::String(n.into())).collect()),
    )
}

/// Runs a listener, catching a panic so the other listeners still run.
#[inline(always)]
fn guarded(f: impl FnOnce()) -> std::thread::Result<()> {
    catch_unwind(AssertUnwindSafe(f))
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
