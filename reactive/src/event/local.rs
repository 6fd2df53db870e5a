//! Per-thread delivery state: one queue serves every model, so listener chains loop instead of
//! recursing, and the feedback bound counts writes across models.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use crate::event::types::Event;

/// Writes made from listeners, in one outermost delivery on one thread, beyond which a write
/// returns [`Error::FeedbackLoop`](crate::Error::FeedbackLoop).
///
/// ```
/// assert!(reactive::FEEDBACK_LIMIT > 100_000);
/// ```
pub const FEEDBACK_LIMIT: usize = 200_000;

pub(crate) type Job = Box<dyn FnOnce()>;

thread_local! {
    /// Whether this thread is inside an outermost delivery.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// Writes made while `ACTIVE`.
    static CHAIN: Cell<usize> = const { Cell::new(0) };
    /// The model whose listeners this thread is calling (null when none).
    static DELIVERING: Cell<usize> = const { Cell::new(0) };
    /// Deliveries claimed while `ACTIVE`, run after the current one.
    static QUEUE: RefCell<VecDeque<Job>> = const { RefCell::new(VecDeque::new()) };
    /// The models of the jobs in `QUEUE`, in the same order.
    static CLAIMED: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    /// Models inside an `update`/`batch` closure on this thread, with the custom events raised
    /// in them.
    static BATCHING: RefCell<Vec<(usize, Vec<Event>)>> = const { RefCell::new(Vec::new()) };
    /// Fast check for `BATCHING` being non-empty.
    static BATCH_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Whether this thread is delivering events.
#[inline]
pub(crate) fn is_active() -> bool {
    ACTIVE.with(Cell::get)
}

/// Counts a write made while delivering; returns `false` once the chain crosses the bound.
#[inline]
pub(crate) fn count_write() -> bool {
    if !is_active() {
        return true;
    }
    CHAIN.with(|c| {
        let n = c.get() + 1;
        c.set(n);
        n <= FEEDBACK_LIMIT
    })
}

/// The model this thread is calling listeners of, as an address (0 when none).
#[inline]
pub(crate) fn delivering() -> usize {
    DELIVERING.with(Cell::get)
}

/// Sets the model whose listeners are being called; returns the previous one.
#[inline]
pub(crate) fn set_delivering(model: usize) -> usize {
    DELIVERING.with(|d| d.replace(model))
}

/// Queues a delivery job to run after the current one on this thread (only while active).
pub(crate) fn queue(model: usize, job: Job) {
    CLAIMED.with(|c| c.borrow_mut().push(model));
    QUEUE.with(|q| q.borrow_mut().push_back(job));
}

/// Whether this thread holds a queued (not yet started) delivery of `model`.
pub(crate) fn has_queued(model: usize) -> bool {
    CLAIMED.with(|c| c.borrow().contains(&model))
}

/// Runs `first` as the outermost delivery of this thread, then every job queued meanwhile.
pub(crate) fn outermost(first: impl FnOnce()) {
    struct Outermost;
    impl Drop for Outermost {
        fn drop(&mut self) {
            // Reached after the queue drained, or on unwind (listener panics are caught, so
            // only a panic in the runtime itself gets here).
            QUEUE.with(|q| q.borrow_mut().clear());
            CLAIMED.with(|c| c.borrow_mut().clear());
            CHAIN.with(|c| c.set(0));
            ACTIVE.with(|a| a.set(false));
        }
    }
    ACTIVE.with(|a| a.set(true));
    let _outermost = Outermost;
    first();
    while let Some(job) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
        CLAIMED.with(|c| {
            let mut c = c.borrow_mut();
            if !c.is_empty() {
                c.remove(0);
            }
        });
        job();
    }
}

/// Whether this thread is inside a batch closure of the model at `model`.
#[inline]
pub(crate) fn is_batching(model: usize) -> bool {
    if BATCH_DEPTH.with(Cell::get) == 0 {
        return false;
    }
    BATCHING.with(|b| b.borrow().iter().any(|(m, _)| *m == model))
}

/// Marks this thread as inside a batch closure of `model` until the guard drops.
pub(crate) struct BatchFrame {
    model: usize,
}

impl BatchFrame {
    pub(crate) fn enter(model: usize) -> BatchFrame {
        BATCHING.with(|b| b.borrow_mut().push((model, Vec::new())));
        BATCH_DEPTH.with(|d| d.set(d.get() + 1));
        BatchFrame { model }
    }

    /// Leaves the frame and returns the custom events raised in it.
    pub(crate) fn finish(self) -> Vec<Event> {
        let events = BATCHING.with(|b| {
            let mut b = b.borrow_mut();
            match b.iter().rposition(|(m, _)| *m == self.model) {
                Some(pos) => std::mem::take(&mut b[pos].1),
                None => Vec::new(),
            }
        });
        drop(self);
        events
    }
}

impl Drop for BatchFrame {
    fn drop(&mut self) {
        BATCHING.with(|b| {
            let mut b = b.borrow_mut();
            if let Some(pos) = b.iter().rposition(|(m, _)| *m == self.model) {
                b.remove(pos);
            }
        });
        BATCH_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Adds a custom event to the open batch of `model` on this thread; gives it back when the
/// thread has no open batch for that model.
pub(crate) fn push_batch_event(model: usize, event: Event) -> Option<Event> {
    if BATCH_DEPTH.with(Cell::get) == 0 {
        return Some(event);
    }
    BATCHING.with(|b| {
        let mut b = b.borrow_mut();
        match b.iter_mut().rev().find(|(m, _)| *m == model) {
            Some((_, events)) => {
                events.push(event);
                None
            }
            None => Some(event),
        }
    })
}

/// The number of custom events in the open batch of `model` (for nested-batch rollback).
pub(crate) fn batch_event_count(model: usize) -> usize {
    BATCHING.with(|b| {
        b.borrow()
            .iter()
            .rev()
            .find(|(m, _)| *m == model)
            .map_or(0, |(_, e)| e.len())
    })
}

/// Drops the custom events of the open batch of `model` past `len`.
pub(crate) fn truncate_batch_events(model: usize, len: usize) {
    BATCHING.with(|b| {
        if let Some((_, events)) = b.borrow_mut().iter_mut().rev().find(|(m, _)| *m == model) {
            events.truncate(len);
        }
    })
}
