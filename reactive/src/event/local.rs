//! Per-thread delivery state: one queue serves every model, so listener chains loop instead of
//! recursing, and the feedback bound counts writes across models.
//!
//! The flags read on every write are plain `Cell`s (no destructor, so no registration check);
//! the queues are touched only when a delivery is nested or a batch raises custom events.

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

crate::sync::thread_locals! {
    /// Whether this thread is inside an outermost delivery.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// Writes made while `ACTIVE`.
    static CHAIN: Cell<usize> = const { Cell::new(0) };
    /// The number of jobs in `QUEUE`.
    static QUEUED: Cell<usize> = const { Cell::new(0) };
    /// Deliveries claimed while `ACTIVE`, run after the current one.
    static QUEUE: RefCell<VecDeque<Job>> = const { RefCell::new(VecDeque::new()) };
    /// The number of models inside an `update`/`batch` closure on this thread.
    static BATCH_DEPTH: Cell<usize> = const { Cell::new(0) };
    /// The innermost of them (0 when none).
    static BATCH_INNERMOST: Cell<usize> = const { Cell::new(0) };
    /// The outer ones, when batches of different models nest (innermost last).
    static BATCH_OUTER: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    /// The number of entries in `BATCH_EVENTS`.
    static BATCH_EVENT_COUNT: Cell<usize> = const { Cell::new(0) };
    /// Custom events raised inside open batches, with their model.
    static BATCH_EVENTS: RefCell<Vec<(usize, Event)>> = const { RefCell::new(Vec::new()) };
}

/// Whether this thread is delivering events.
#[inline]
pub(crate) fn is_active() -> bool {
    ACTIVE.with(Cell::get)
}

/// Whether this thread is neither delivering nor inside a batch closure (the common case:
/// a write needs no re-entrancy check, no feedback count and no queueing).
#[inline(always)]
pub(crate) fn is_quiet() -> bool {
    !ACTIVE.with(Cell::get) && BATCH_DEPTH.with(Cell::get) == 0
}

/// Counts a write made while delivering; returns `false` once the chain crosses the bound.
#[inline]
pub(crate) fn count_write() -> bool {
    if !is_active() {
        return true;
    }
    let n = CHAIN.with(Cell::get) + 1;
    CHAIN.with(|c| c.set(n));
    n <= FEEDBACK_LIMIT
}

/// Queues a delivery job to run after the current one on this thread (only while active).
pub(crate) fn queue(job: Job) {
    QUEUE.with(|q| q.borrow_mut().push_back(job));
    QUEUED.with(|c| c.set(QUEUED.with(Cell::get) + 1));
}

/// The outermost delivery of this thread: while it lives, writes from listeners are counted
/// and deliveries claimed on this thread are queued behind it.
pub(crate) struct Outermost(());

impl Outermost {
    /// Starts delivering (this thread is not delivering anything).
    #[inline(always)]
    pub(crate) fn enter() -> Outermost {
        ACTIVE.with(|c| c.set(true));
        Outermost(())
    }

    /// Runs the deliveries queued meanwhile, then ends.
    #[inline(always)]
    pub(crate) fn finish(self) {
        if QUEUED.with(Cell::get) != 0 {
            run_queued();
        }
        CHAIN.with(|c| c.set(0));
        ACTIVE.with(|c| c.set(false));
        std::mem::forget(self);
    }
}

impl Drop for Outermost {
    /// Only reached on unwind (a panic in the runtime itself: listener panics are caught).
    fn drop(&mut self) {
        if QUEUED.with(Cell::get) != 0 {
            QUEUE.with(|q| q.borrow_mut().clear());
            QUEUED.with(|c| c.set(0));
        }
        CHAIN.with(|c| c.set(0));
        ACTIVE.with(|c| c.set(false));
    }
}

#[cold]
#[inline(never)]
fn run_queued() {
    while QUEUED.with(Cell::get) != 0 {
        let job = QUEUE.with(|q| q.borrow_mut().pop_front());
        QUEUED.with(|c| c.set(QUEUED.with(Cell::get) - 1));
        if let Some(job) = job {
            job();
        }
    }
}

/// Whether this thread is inside a batch closure of the model at `model`.
#[inline]
pub(crate) fn is_batching(model: usize) -> bool {
    match BATCH_DEPTH.with(Cell::get) {
        0 => false,
        1 => BATCH_INNERMOST.with(Cell::get) == model,
        _ => {
            BATCH_INNERMOST.with(Cell::get) == model
                || BATCH_OUTER.with(|b| b.borrow().contains(&model))
        }
    }
}

/// Marks this thread as inside a batch closure of `model` until it finishes or drops.
pub(crate) struct BatchFrame {
    model: usize,
    events_before: usize,
}

impl BatchFrame {
    #[inline]
    pub(crate) fn enter(model: usize) -> BatchFrame {
        let depth = BATCH_DEPTH.with(Cell::get);
        if depth != 0 {
            let outer = BATCH_INNERMOST.with(Cell::get);
            BATCH_OUTER.with(|b| b.borrow_mut().push(outer));
        }
        BATCH_INNERMOST.with(|c| c.set(model));
        BATCH_DEPTH.with(|c| c.set(depth + 1));
        BatchFrame {
            model,
            events_before: BATCH_EVENT_COUNT.with(Cell::get),
        }
    }

    /// Leaves the frame and returns the custom events raised in it.
    #[inline]
    pub(crate) fn finish(self) -> Vec<Event> {
        let events = if BATCH_EVENT_COUNT.with(Cell::get) > self.events_before {
            BATCH_EVENTS.with(|e| {
                let mut all = e.borrow_mut();
                let at = self.events_before.min(all.len());
                // Events raised since this frame opened belong to it, unless an inner frame of
                // another model is still open (it keeps its own).
                let tail = all.split_off(at);
                let mut mine = Vec::with_capacity(tail.len());
                for (model, event) in tail {
                    if model == self.model {
                        mine.push(event);
                    } else {
                        all.push((model, event));
                    }
                }
                BATCH_EVENT_COUNT.with(|c| c.set(all.len()));
                mine
            })
        } else {
            Vec::new()
        };
        drop(self);
        events
    }
}

impl Drop for BatchFrame {
    #[inline]
    fn drop(&mut self) {
        // Frames close in reverse order of opening (they live on the stack).
        let depth = BATCH_DEPTH.with(Cell::get).saturating_sub(1);
        let outer = if depth == 0 {
            0
        } else {
            BATCH_OUTER.with(|b| b.borrow_mut().pop()).unwrap_or(0)
        };
        BATCH_INNERMOST.with(|c| c.set(outer));
        BATCH_DEPTH.with(|c| c.set(depth));
        // A frame left without `finish` (an error or a panic) drops its events.
        if BATCH_EVENT_COUNT.with(Cell::get) > self.events_before {
            truncate_events(self.events_before);
        }
    }
}

fn truncate_events(len: usize) {
    BATCH_EVENTS.with(|e| {
        let mut all = e.borrow_mut();
        all.truncate(len);
        BATCH_EVENT_COUNT.with(|c| c.set(all.len()));
    });
}

/// Adds a custom event to the innermost open batch of `model` on this thread; gives it back
/// when the thread has no open batch for that model.
pub(crate) fn push_batch_event(model: usize, event: Event) -> Option<Event> {
    if !is_batching(model) {
        return Some(event);
    }
    BATCH_EVENTS.with(|e| {
        let mut all = e.borrow_mut();
        all.push((model, event));
        BATCH_EVENT_COUNT.with(|c| c.set(all.len()));
    });
    None
}

/// The number of custom events raised so far in open batches (for nested-batch rollback).
pub(crate) fn batch_event_count() -> usize {
    BATCH_EVENT_COUNT.with(Cell::get)
}

/// Drops the custom events raised after `len` (a nested batch failed).
pub(crate) fn truncate_batch_events(len: usize) {
    if BATCH_EVENT_COUNT.with(Cell::get) > len {
        truncate_events(len);
    }
}
