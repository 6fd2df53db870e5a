//! Listener lifetimes.

use std::sync::{Arc, Weak};

use crate::event::table::{Entry, EntryRef};

/// Implemented by a model's shared state: removes one listener.
pub(crate) trait Unsubscribe: Send + Sync {
    fn unsubscribe(self: Arc<Self>, entry: &Entry);
    /// A change stream of the model was dropped.
    fn stream_closed(&self);
}

/// A registered listener. Dropping it (or calling [`off`](Subscription::off)) removes the
/// listener: once that returns, the listener is never started again. Call
/// [`detach`](Subscription::detach) to keep it for as long as the model lives.
///
/// Removing never waits for anything. A delivery running on another thread that had already
/// started this listener's call lets that call finish (it may still be running when `drop`
/// returns); no later call starts. So a listener may drop subscriptions of any model, and
/// subscriptions may be dropped while holding a lock their listeners take, on any threads,
/// without deadlock. If the listener owns state that must not be touched after removal, have
/// the listener check a flag of your own that you set before dropping.
///
/// ```
/// use reactive::prelude::*;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// #[derive(Reactive, Clone)]
/// struct Counter { n: u64 }
///
/// let calls = Arc::new(AtomicUsize::new(0));
/// let counter = Model::new(Counter { n: 0 });
/// let c = calls.clone();
/// let sub = counter.on(Counter::N, move |_| { c.fetch_add(1, Ordering::SeqCst); });
/// counter.set(Counter::N, 1)?;
/// drop(sub);
/// counter.set(Counter::N, 2)?;
/// assert_eq!(calls.load(Ordering::SeqCst), 1);
/// # Ok::<(), reactive::Error>(())
/// ```
#[must_use = "dropping a Subscription removes its listener at once; call .detach() to keep it"]
pub struct Subscription {
    inner: Option<(Weak<dyn Unsubscribe>, EntryRef)>,
}

impl Subscription {
    pub(crate) fn new(owner: Weak<dyn Unsubscribe>, entry: EntryRef) -> Self {
        Subscription {
            inner: Some((owner, entry)),
        }
    }

    /// Removes the listener now (the same as dropping the subscription): it is never started
    /// again. Returns at once, even while a delivery on another thread is running it.
    pub fn off(self) {
        drop(self)
    }

    /// Keeps the listener for as long as the model lives, and gives up the means to remove it.
    pub fn detach(mut self) {
        self.inner = None;
    }

    /// Whether the listener is still registered (its model alive and the listener not removed).
    pub fn is_active(&self) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|(owner, entry)| owner.strong_count() > 0 && entry.is_alive())
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some((owner, entry)) = self.inner.take() {
            if let Some(owner) = owner.upgrade() {
                owner.unsubscribe(&entry);
            }
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("active", &self.is_active())
            .finish()
    }
}
