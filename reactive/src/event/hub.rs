//! Delivery of one model's batches.
//!
//! Protocol: every commit that has listeners increments the pending count while the
//! state lock is held. The commit that finds it at zero *claims* the model and delivers its
//! own batch from its stack frame, then keeps delivering the batches other commits queued
//! meanwhile (in commit order) until the count returns to zero. So each model is delivered by
//! one thread at a time, whole batches in commit order, and the uncontended path allocates
//! nothing. The parts only a model with listeners needs (table, queue, stream) are allocated
//! with its first listener, so creating a model stays cheap.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;

use crate::event::delivery::{Committed, Delivery, DeliveryRef, Notice, Undelivered};
use crate::event::erased::ErasedChange;
use crate::event::field_set::FieldSet;
use crate::event::local;
use crate::event::source::{Host, Source};
use crate::event::table::{change_event, field_event, Entry, EntryRef, JsonConv, Table, Target};
use crate::event::types::{Changes, Event};
use crate::sync::{self, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Mutex, UnsafeCell};

/// The listener table. Only the thread that holds the model's delivery claim touches it.
struct TableCell(UnsafeCell<Table>);

// SAFETY: the table is only accessed by `Hub::table`'s callers, which run only on the thread
// holding the model's delivery claim (the pending count going 0 -> 1 acquires it,
// back to 0 releases it, both SeqCst read-modify-writes), so accesses never overlap and each
// claim happens-after the previous release.
unsafe impl Sync for TableCell {}

/// What only a model with listeners needs.
struct Parts<T> {
    table: TableCell,
    queue: Mutex<VecDeque<Delivery<T>>>,
    regs: Mutex<Vec<(Target, EntryRef)>>,
    stream: OnceLock<(broadcast::Sender<Event>, JsonConv)>,
}

type Stream<'a> = Option<&'a (broadcast::Sender<Event>, JsonConv)>;

pub(crate) struct Hub<T> {
    /// Batches committed and not yet delivered (the one in progress included).
    pending: AtomicU64,
    /// Live listeners and open streams: zero means a commit delivers nothing.
    listeners: AtomicU32,
    /// Live field listeners and open streams: zero means a batch need not keep field values.
    /// A counter of its own: packing both counts in one word measured a batch of three sets
    /// 35% slower and a subscribe + drop no faster.
    value_listeners: AtomicU32,
    /// Open streams.
    streams: AtomicU32,
    regs_dirty: AtomicBool,
    /// Set once, with the first listener or stream; freed with the hub.
    parts: AtomicPtr<Parts<T>>,
    /// The hub owns its parts (auto traits and drop check follow `Box<Parts<T>>`).
    _owns: PhantomData<Box<Parts<T>>>,
}

impl<T> Drop for Hub<T> {
    fn drop(&mut self) {
        // `&mut self`: no other access; a plain load keeps one form for loom's atomics too.
        let parts = self.parts.load(Ordering::Acquire);
        if !parts.is_null() {
            // SAFETY: `parts` came from `Box::into_raw` in `Hub::parts` and is freed only here.
            drop(unsafe { Box::from_raw(parts) });
        }
    }
}

impl<T: Source> Hub<T> {
    pub(crate) fn new() -> Self {
        Hub {
            pending: AtomicU64::new(0),
            listeners: AtomicU32::new(0),
            value_listeners: AtomicU32::new(0),
            streams: AtomicU32::new(0),
            regs_dirty: AtomicBool::new(false),
            parts: AtomicPtr::new(std::ptr::null_mut()),
            _owns: PhantomData,
        }
    }

    /// The parts, if a listener or stream was ever added.
    #[inline(always)]
    fn parts_if_any(&self) -> Option<&Parts<T>> {
        // SAFETY: a non-null pointer is a live `Box<Parts<T>>` owned by the hub (see `parts`).
        unsafe { self.parts.load(Ordering::Acquire).as_ref() }
    }

    /// The parts, allocated on first use.
    fn parts(&self) -> &Parts<T> {
        if let Some(parts) = self.parts_if_any() {
            return parts;
        }
        let fresh = Box::into_raw(Box::new(Parts {
            table: TableCell(UnsafeCell::new(Table::new())),
            queue: Mutex::new(VecDeque::new()),
            regs: Mutex::new(Vec::new()),
            stream: OnceLock::new(),
        }));
        match self.parts.compare_exchange(
            std::ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            // SAFETY: just installed; owned by the hub from now on.
            Ok(_) => unsafe { &*fresh },
            Err(existing) => {
                // Another thread installed its parts first: keep those.
                // SAFETY: `fresh` was never shared; `existing` is the hub's live box.
                unsafe {
                    drop(Box::from_raw(fresh));
                    &*existing
                }
            }
        }
    }

    /// Whether any listener or stream subscriber could receive an event.
    #[inline(always)]
    pub(crate) fn has_listeners(&self) -> bool {
        self.listeners.load(Ordering::Relaxed) != 0
    }

    /// Whether a field listener or a stream needs the old and new field values of a batch.
    #[inline(always)]
    pub(crate) fn needs_values(&self) -> bool {
        self.value_listeners.load(Ordering::Relaxed) != 0
    }

    /// Registers a listener; it starts with the next batch delivered.
    pub(crate) fn register(&self, target: Target, entry: EntryRef) {
        // Counted before it is pushed: a commit that sees the count may find no registration
        // yet (and delivers to the others), but a commit that merges it always saw a field
        // listener's count, so its batch kept the values.
        if entry.on_field() {
            self.value_listeners.fetch_add(1, Ordering::SeqCst);
        }
        self.listeners.fetch_add(1, Ordering::SeqCst);
        let mut regs = self.parts().regs.lock();
        // Without a delivery to merge them, registrations that were dropped again would pile
        // up: drop those whenever the list doubles (amortised constant time), once the lock
        // is released (no user code, a closure's destructor included, runs under it).
        let mut removed = Vec::new();
        if regs.len() >= 32 && regs.len().is_power_of_two() {
            removed = regs
                .extract_if(.., |(_, entry)| !entry.is_alive())
                .collect();
        }
        regs.push((target, entry));
        drop(regs);
        self.regs_dirty.store(true, Ordering::Release);
        drop(removed);
    }

    /// Opens a change stream (the broadcast channel is created with the first one).
    pub(crate) fn open_stream(
        &self,
        conv: JsonConv,
        capacity: usize,
    ) -> broadcast::Receiver<Event> {
        let receiver = self
            .parts()
            .stream
            .get_or_init(|| (broadcast::channel(capacity.max(1)).0, conv))
            .0
            .subscribe();
        self.streams.fetch_add(1, Ordering::SeqCst);
        self.value_listeners.fetch_add(1, Ordering::SeqCst);
        self.listeners.fetch_add(1, Ordering::SeqCst);
        receiver
    }

    /// A change stream was dropped.
    pub(crate) fn stream_closed(&self) {
        self.streams.fetch_sub(1, Ordering::SeqCst);
        self.value_listeners.fetch_sub(1, Ordering::SeqCst);
        self.listeners.fetch_sub(1, Ordering::SeqCst);
    }

    /// Removes `entry`; once this returns, the listener is never started again. It never
    /// waits: a delivery on another thread that read the entry's flag before `kill` (so its
    /// call started first, in the flag's order) may still be running, and finishes. The hub's
    /// reference to the listener (and so what its closure captured) is released at once when
    /// the model is idle, or when the delivery in progress ends.
    pub(crate) fn unregister<H: Host<T>>(&self, model: &H, entry: &Entry) {
        if !entry.kill() {
            return;
        }
        if entry.on_field() {
            self.value_listeners.fetch_sub(1, Ordering::SeqCst);
        }
        self.listeners.fetch_sub(1, Ordering::SeqCst);
        let Some(parts) = self.parts_if_any() else {
            return;
        };
        // Not merged yet (subscribe, then drop): take it back from the side list, newest
        // first. Its lock is only ever held for a few instructions, with no user code.
        {
            let mut regs = parts.regs.lock();
            let at = regs
                .iter()
                .rposition(|(_, e)| std::ptr::eq(Arc::as_ptr(e), entry));
            if let Some(at) = at {
                // Never the entry's last reference: the subscription removing it holds one.
                regs.remove(at);
                return;
            }
        }
        self.take_from_table(model, parts, entry);
    }

    /// Takes a removed entry out of the table now if the model is idle (no listener runs),
    /// or has the delivery in progress purge it, with an empty batch queued behind its own.
    #[cold]
    #[inline(never)]
    fn take_from_table<H: Host<T>>(&self, model: &H, parts: &Parts<T>, entry: &Entry) {
        if self.pending.fetch_add(1, Ordering::SeqCst) != 0 {
            // A delivery with the side list marked merges it, purging removed entries, before
            // it calls anyone: this empty one does it after the delivery in progress.
            self.regs_dirty.store(true, Ordering::Release);
            self.enqueue(Delivery::Notice(Notice::empty()));
            return;
        }
        let taken = {
            // SAFETY: see `TableCell`: this thread just took the claim, and it is not
            // delivering this model (it would hold the claim), so the table is not borrowed.
            let mut table = unsafe { parts.table.0.get_mut() };
            table.take(entry)
        };
        if self.pending.fetch_sub(1, Ordering::SeqCst) != 1 {
            // Commits queued behind this: deliver them as their committers expect, after the
            // delivery in progress if this thread is inside one.
            if local::is_active() {
                let owner = model.clone();
                local::queue(Box::new(move || owner.hub().drain_queued(&owner)));
            } else {
                let outermost = local::Outermost::enter();
                self.drain_queued(model);
                outermost.finish();
            }
        }
        // Not the last reference either (see above); dropped with the claim released.
        drop(taken);
    }

    /// Called once per commit that has listeners, with the state lock (`guard`) still held so
    /// commits are counted in commit order: claims the model and delivers the batch after
    /// releasing the lock, or queues it behind the delivery in progress.
    #[inline(always)]
    pub(crate) fn commit<P: Undelivered<T>, G, H: Host<T>>(&self, model: &H, guard: G, pending: P) {
        self.commit_on(model, guard, pending, local::is_active());
    }

    /// [`commit`](Hub::commit) on a thread known to be neither delivering nor inside a batch.
    #[inline(always)]
    pub(crate) fn commit_quiet<P: Undelivered<T>, G, H: Host<T>>(
        &self,
        model: &H,
        guard: G,
        pending: P,
    ) {
        self.commit_on(model, guard, pending, false);
    }

    /// The one body of both: `delivering` says whether this thread is inside a delivery (so a
    /// claimed batch is queued behind it instead of delivered from here).
    #[inline(always)]
    fn commit_on<P: Undelivered<T>, G, H: Host<T>>(
        &self,
        model: &H,
        guard: G,
        pending: P,
        delivering: bool,
    ) {
        if self.pending.fetch_add(1, Ordering::SeqCst) != 0 {
            self.enqueue(pending.into_owned());
            drop(guard);
            return;
        }
        drop(guard);
        if delivering {
            self.queue_local(model, pending.into_owned());
        } else {
            let outermost = local::Outermost::enter();
            self.deliver(model, pending.as_ref());
            self.complete(model);
            outermost.finish();
        }
    }

    /// Ends the delivery of one batch; delivers what was queued meanwhile.
    #[inline(always)]
    fn complete<H: Host<T>>(&self, model: &H) {
        if self.pending.fetch_sub(1, Ordering::SeqCst) != 1 {
            self.drain_queued(model);
        }
    }

    #[cold]
    #[inline(never)]
    fn enqueue(&self, delivery: Delivery<T>) {
        self.parts().queue.lock().push_back(delivery);
    }

    /// This thread is already delivering: run this claimed delivery after the current one.
    #[cold]
    #[inline(never)]
    fn queue_local<H: Host<T>>(&self, model: &H, delivery: Delivery<T>) {
        let owner = model.clone();
        local::queue(Box::new(move || {
            let hub = owner.hub();
            hub.deliver(&owner, delivery.as_ref());
            hub.complete(&owner);
        }));
    }

    /// Delivers the batches other commits queued during our delivery, until none is left.
    #[cold]
    #[inline(never)]
    fn drain_queued<H: Host<T>>(&self, model: &H) {
        loop {
            let next = self.pop_next();
            self.deliver(model, next.as_ref());
            if self.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
                break;
            }
        }
    }

    /// The next queued batch. Its committer counted it before pushing it, under the state
    /// lock, so it is at most a few instructions away.
    fn pop_next(&self) -> Delivery<T> {
        let mut spins = 0u32;
        loop {
            if let Some(next) = self.parts().queue.lock().pop_front() {
                return next;
            }
            sync::spin(&mut spins);
        }
    }

    #[cold]
    #[inline(never)]
    fn merge_registrations(&self, parts: &Parts<T>, table: &mut Table) {
        self.regs_dirty.store(false, Ordering::SeqCst);
        std::mem::swap(&mut *parts.regs.lock(), &mut table.incoming);
        table.merge(T::FIELD_COUNT);
    }

    #[inline(always)]
    fn stream(&self) -> Stream<'_> {
        if self.streams.load(Ordering::Relaxed) > 0 {
            self.parts_if_any().and_then(|p| p.stream.get())
        } else {
            None
        }
    }

    /// Delivers one batch to the table, with pending registrations merged first. Only for the
    /// claim holder.
    #[inline(always)]
    fn deliver<H: Host<T>>(&self, model: &H, delivery: DeliveryRef<'_, T>) {
        let Some(parts) = self.parts_if_any() else {
            return;
        };
        // SAFETY: see `TableCell`: this thread holds the delivery claim, and the table is not
        // borrowed elsewhere (deliveries never nest on a thread: a delivery claimed while one
        // runs is queued behind it).
        let mut table = unsafe { parts.table.0.get_mut() };
        if self.regs_dirty.load(Ordering::Acquire) {
            self.merge_registrations(parts, &mut table);
        }
        self.deliver_to(model, &table, delivery)
    }

    #[inline(always)]
    fn deliver_to<H: Host<T>>(&self, model: &H, table: &Table, delivery: DeliveryRef<'_, T>) {
        match delivery {
            DeliveryRef::Field { index, change } => {
                let stream = self.stream();
                match table.fields.get(index) {
                    Some(list) if !list.has_json() && stream.is_none() => {
                        list.call_typed(T::TYPE_NAME, field_name::<T>(index), &change)
                    }
                    _ => self.emit_field(table, stream, index, change),
                }
                if !table.change.is_empty() || stream.is_some() {
                    let mut changed = FieldSet::EMPTY;
                    changed.insert(index);
                    self.emit_change(model, table, stream, changed);
                }
            }
            DeliveryRef::Batch(batch) => self.deliver_batch(model, table, batch),
            DeliveryRef::Notice { changed, events } => {
                self.deliver_notice(model, table, changed, events)
            }
        }
    }

    #[inline(never)]
    fn deliver_batch<H: Host<T>>(&self, model: &H, table: &Table, batch: &Committed<T>) {
        let stream = self.stream();
        for &index in T::EVENT_ORDER {
            let index = index as usize;
            if !batch.changed.contains(index) {
                continue;
            }
            // Build the field's `Change` only if someone receives it.
            let listened = table.fields.get(index).is_some_and(|l| !l.is_empty());
            if !listened && stream.is_none() {
                continue;
            }
            T::emit_field(index, &batch.old, &batch.new, &mut |change| {
                self.emit_field(table, stream, index, change)
            });
        }
        if !batch.changed.is_empty() {
            self.emit_change(model, table, stream, batch.changed);
        }
        for event in batch.events.iter() {
            self.emit_named(table, stream, event);
        }
    }

    #[inline(never)]
    fn deliver_notice<H: Host<T>>(
        &self,
        model: &H,
        table: &Table,
        changed: FieldSet,
        events: &[Event],
    ) {
        let stream = self.stream();
        if !changed.is_empty() {
            self.emit_change(model, table, stream, changed);
        }
        for event in events {
            self.emit_named(table, stream, event);
        }
    }

    #[inline(never)]
    fn emit_field(
        &self,
        table: &Table,
        stream: Stream<'_>,
        index: usize,
        change: ErasedChange<'_>,
    ) {
        let name = event_name::<T>(index);
        let json = table
            .fields
            .get(index)
            .and_then(|list| list.call_field(T::TYPE_NAME, name, index, change));
        if let Some((sender, conv)) = stream {
            let event = json.unwrap_or_else(|| field_event(name, index, change, Some(*conv)));
            let _ = sender.send(event);
        }
    }

    #[inline(never)]
    fn emit_change<H: Host<T>>(
        &self,
        model: &H,
        table: &Table,
        stream: Stream<'_>,
        changed: FieldSet,
    ) {
        let changes = Changes::new(changed, T::field_name);
        if stream.is_none() && !table.change.has_json() {
            model.with_handle(|handle| {
                table
                    .change
                    .call_change_typed(T::TYPE_NAME, handle, &changes)
            });
            return;
        }
        let mut json = None;
        if !table.change.is_empty() {
            json = model
                .with_handle(|handle| table.change.call_change(T::TYPE_NAME, handle, &changes));
        }
        if let Some((sender, _)) = stream {
            let _ = sender.send(json.unwrap_or_else(|| change_event(&changes)));
        }
    }

    #[inline(never)]
    fn emit_named(&self, table: &Table, stream: Stream<'_>, event: &Event) {
        if let Some(list) = table.named(event.name()) {
            list.call_named(T::TYPE_NAME, event);
        }
        if let Some((sender, _)) = stream {
            let _ = sender.send(event.clone());
        }
    }
}

/// A field's name, for reports (its event is `<name>.changed`).
#[inline(always)]
fn field_name<T: Source>(index: usize) -> &'static str {
    T::field_name(index).unwrap_or("")
}

fn event_name<T: Source>(index: usize) -> &'static str {
    T::event_name(index)
}
