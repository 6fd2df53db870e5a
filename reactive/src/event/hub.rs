//! Per-model listener table and delivery.
//!
//! Delivery protocol: every commit that has listeners increments the pending count in `word`
//! while the state lock is held. The commit that finds it at zero *claims* the model and
//! delivers its own batch, then keeps delivering batches other commits queued meanwhile (in
//! commit order) until the count returns to zero. So each model is delivered by one thread at
//! a time, whole batches in commit order, and the uncontended path queues nothing.

use std::any::Any;
use std::cell::UnsafeCell;
use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::broadcast;

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

type TypedFn = Box<dyn Fn(&dyn Any) + Send + Sync>;
type JsonFn = Box<dyn Fn(&Event) + Send + Sync>;
/// Gets the model as `&dyn Any` (a `&Model<T>`), so the table needs no `T: Reactive` bound.
type ChangeFn = Box<dyn Fn(&dyn Any, &Changes) + Send + Sync>;

pub(crate) enum EntryKind {
    Typed(TypedFn),
    Json { f: JsonFn, conv: Option<JsonConv> },
    Change(ChangeFn),
}

/// One registered listener. Shared between the table and its `Subscription`.
pub(crate) struct Entry {
    alive: AtomicBool,
    priority: i32,
    kind: EntryKind,
}

impl Entry {
    pub(crate) fn new(priority: i32, kind: EntryKind) -> Self {
        Entry {
            alive: AtomicBool::new(true),
            priority,
            kind,
        }
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
        change: Box<dyn Any + Send>,
    },
    Batch(Box<Committed<T>>),
    Events(Vec<Event>),
}

/// A batch to deliver, borrowed (delivered at once from the committing frame).
pub(crate) enum DeliveryRef<'a, T> {
    Field { index: usize, change: &'a dyn Any },
    Batch(&'a Committed<T>),
    Events(&'a [Event]),
}

impl<T> Delivery<T> {
    fn as_ref(&self) -> DeliveryRef<'_, T> {
        match self {
            Delivery::Field { index, change } => DeliveryRef::Field {
                index: *index,
                change: &**change,
            },
            Delivery::Batch(c) => DeliveryRef::Batch(c),
            Delivery::Events(e) => DeliveryRef::Events(e),
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
            change: &self.change,
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

impl<T> Pending<T> for Vec<Event> {
    fn as_ref(&self) -> DeliveryRef<'_, T> {
        DeliveryRef::Events(self)
    }
    fn into_owned(self) -> Delivery<T> {
        Delivery::Events(self)
    }
}

type List = Vec<Arc<Entry>>;

struct Table {
    fields: Vec<List>,
    change: List,
    named: HashMap<Box<str>, List>,
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
    listeners: AtomicUsize,
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
                named: HashMap::new(),
            })),
            regs: Mutex::new(Vec::new()),
            regs_dirty: AtomicBool::new(false),
            listeners: AtomicUsize::new(0),
            stream: OnceLock::new(),
        }
    }

    /// Whether any listener or stream subscriber could receive an event.
    #[inline]
    pub(crate) fn has_listeners(&self) -> bool {
        self.listeners.load(Ordering::Relaxed) > 0
            || self
                .stream
                .get()
                .is_some_and(|(s, _)| s.receiver_count() > 0)
    }

    /// Registers a listener; it starts with the next batch delivered.
    pub(crate) fn register(&self, target: Target, entry: Arc<Entry>) {
        self.regs.lock().push((target, entry));
        self.listeners.fetch_add(1, Ordering::SeqCst);
        self.regs_dirty.store(true, Ordering::Release);
    }

    /// The broadcast sender of change streams, created on first use.
    pub(crate) fn stream(&self, conv: JsonConv, capacity: usize) -> broadcast::Receiver<Event> {
        self.stream
            .get_or_init(|| (broadcast::channel(capacity.max(1)).0, conv))
            .0
            .subscribe()
    }

    /// Kills `entry`; once this returns, the listener is never started again.
    pub(crate) fn unregister(&self, model: usize, alive: &AtomicBool) {
        if !alive.swap(false, Ordering::SeqCst) {
            return;
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

    /// Called with the state lock held, once per commit that has listeners: claims the model
    /// (returns `true`) or queues the batch behind the delivery in progress.
    #[inline]
    pub(crate) fn claim_or_queue<P: Pending<T>>(&self, pending: P) -> Option<P> {
        if self.word.fetch_add(1, Ordering::SeqCst) & PENDING_MASK == 0 {
            Some(pending)
        } else {
            self.queue.lock().push_back(pending.into_owned());
            None
        }
    }

    /// Delivers a claimed batch (the state lock released): at once, or after the delivery
    /// this thread is already in.
    #[inline]
    pub(crate) fn run<P: Pending<T>>(&self, model: &RawModel<T>, pending: P) {
        if local::is_active() {
            let delivery = pending.into_owned();
            let owner = model.clone();
            local::queue(
                model.addr(),
                Box::new(move || owner.hub().drain(&owner, delivery.as_ref())),
            );
        } else {
            local::outermost(|| self.drain(model, pending.as_ref()));
        }
    }

    fn drain(&self, model: &RawModel<T>, first: DeliveryRef<'_, T>) {
        let previous = local::set_delivering(model.addr());
        self.deliver(model, first);
        loop {
            let before = self.word.fetch_add(COMPLETED - 1, Ordering::SeqCst);
            if before & PENDING_MASK == 1 {
                break;
            }
            let next = self.pop_next();
            self.deliver(model, next.as_ref());
        }
        local::set_delivering(previous);
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

    fn refresh(&self, table: &mut Table) {
        if !self.regs_dirty.load(Ordering::Acquire) {
            return;
        }
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
        table.named.retain(|_, list| {
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
                Target::Named(name) => table.named.entry(name).or_default(),
            };
            // Higher priority first; equal priorities keep registration order.
            let at = list.partition_point(|e| e.priority >= entry.priority);
            list.insert(at, entry);
        }
    }

    fn deliver(&self, model: &RawModel<T>, delivery: DeliveryRef<'_, T>) {
        // SAFETY: see `TableCell`: this thread holds the delivery claim.
        let table = unsafe { &mut *self.table.0.get() };
        self.refresh(table);
        let table: &Table = table;
        let stream = self.stream.get().filter(|(s, _)| s.receiver_count() > 0);
        match delivery {
            DeliveryRef::Field { index, change } => {
                self.emit_field(table, stream, index, change);
                let mut set = FieldSet::EMPTY;
                set.insert(index);
                self.emit_change(model, table, stream, set);
            }
            DeliveryRef::Batch(batch) => {
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
            DeliveryRef::Events(events) => {
                for event in events {
                    self.emit_named(table, stream, event);
                }
            }
        }
    }

    fn emit_field(
        &self,
        table: &Table,
        stream: Option<&(broadcast::Sender<Event>, JsonConv)>,
        index: usize,
        change: &dyn Any,
    ) {
        let mut json: Option<Event> = None;
        let name = T::FIELDS.get(index).map_or("", |f| f.event());
        if let Some(list) = table.fields.get(index) {
            for entry in list {
                if !entry.alive.load(Ordering::SeqCst) {
                    continue;
                }
                match &entry.kind {
                    EntryKind::Typed(f) => guarded(T::TYPE_NAME, name, || f(change)),
                    EntryKind::Json { f, conv } => {
                        let event =
                            json.get_or_insert_with(|| field_event(name, index, change, *conv));
                        guarded(T::TYPE_NAME, name, || f(event));
                    }
                    EntryKind::Change(_) => {}
                }
            }
        }
        if let Some((sender, conv)) = stream {
            let event = json.unwrap_or_else(|| field_event(name, index, change, Some(*conv)));
            let _ = sender.send(event);
        }
    }

    fn emit_change(
        &self,
        model: &RawModel<T>,
        table: &Table,
        stream: Option<&(broadcast::Sender<Event>, JsonConv)>,
        changed: FieldSet,
    ) {
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
                        guarded(T::TYPE_NAME, "change", || f(&*handle as &dyn Any, &changes))
                    }
                    EntryKind::Json { f, .. } => {
                        let event = json.get_or_insert_with(|| change_event(&changes));
                        guarded(T::TYPE_NAME, "change", || f(event));
                    }
                    EntryKind::Typed(_) => {}
                }
            }
        }
        if let Some((sender, _)) = stream {
            let _ = sender.send(json.unwrap_or_else(|| change_event(&changes)));
        }
    }

    fn emit_named(
        &self,
        table: &Table,
        stream: Option<&(broadcast::Sender<Event>, JsonConv)>,
        event: &Event,
    ) {
        if let Some(list) = table.named.get(event.name()) {
            for entry in list {
                if !entry.alive.load(Ordering::SeqCst) {
                    continue;
                }
                if let EntryKind::Json { f, .. } = &entry.kind {
                    guarded(T::TYPE_NAME, event.name(), || f(event));
                }
            }
        }
        if let Some((sender, _)) = stream {
            let _ = sender.send(event.clone());
        }
    }
}

fn field_event(
    name: &'static str,
    index: usize,
    change: &dyn Any,
    conv: Option<JsonConv>,
) -> Event {
    let value = conv
        .and_then(|conv| conv(index, change))
        .unwrap_or(Value::Null);
    Event::new(name, value)
}

fn change_event(changes: &Changes) -> Event {
    Event::new(
        "change",
        Value::Array(changes.names().map(|n| Value::String(n.into())).collect()),
    )
}

/// Runs a listener; a panic is reported and does not stop the other listeners.
#[inline]
fn guarded(model: &str, event: &str, f: impl FnOnce()) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(f)) {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".to_string());
        tracing::error!(model, event, panic = %message, "a listener panicked; the other listeners still ran");
    }
}

impl crate::event::subscription::AliveFlag for Entry {
    fn alive(&self) -> &AtomicBool {
        &self.alive
    }
}
