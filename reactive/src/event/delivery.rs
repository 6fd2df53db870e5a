//! What a commit hands to the hub: a batch to deliver, borrowed (delivered at once from the
//! committing frame) or owned (queued behind a delivery in progress).

use std::ops::Deref;

use crate::event::erased::{ErasedChange, OwnedChange};
use crate::event::field_set::FieldSet;
use crate::event::types::{Change, Event};

/// A batch to deliver, owned.
pub(crate) enum Delivery<T> {
    Field {
        index: usize,
        change: Box<dyn OwnedChange>,
    },
    Batch(Box<Committed<T>>),
    Notice(Notice),
}

/// A batch to deliver, borrowed.
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
    pub(crate) fn as_ref(&self) -> DeliveryRef<'_, T> {
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
    pub(crate) events: EventList,
}

/// A batch delivered without field values: only `change` listeners (and custom-event
/// listeners) receive it, or it carries custom events alone.
pub(crate) struct Notice {
    pub(crate) changed: FieldSet,
    pub(crate) events: EventList,
}

impl Notice {
    /// A notice that delivers nothing: its delivery only merges and purges registrations.
    pub(crate) const fn empty() -> Self {
        Notice {
            changed: FieldSet::EMPTY,
            events: EventList::empty(),
        }
    }
}

/// The custom events of a batch (almost always empty).
pub(crate) struct EventList(Vec<Event>);

impl EventList {
    pub(crate) fn new(events: Vec<Event>) -> Self {
        EventList(events)
    }

    pub(crate) const fn empty() -> Self {
        EventList(Vec::new())
    }
}

impl Deref for EventList {
    type Target = [Event];
    #[inline(always)]
    fn deref(&self) -> &[Event] {
        &self.0
    }
}

/// A committed change not yet delivered: what a commit hands to the hub (borrowed to deliver it
/// from the committing thread's stack, owned to queue it).
pub(crate) trait Undelivered<T>: Sized {
    fn as_ref(&self) -> DeliveryRef<'_, T>;
    fn into_owned(self) -> Delivery<T>;
}

/// A single-field change.
pub(crate) struct SingleChange<V> {
    pub(crate) index: usize,
    pub(crate) change: Change<V>,
}

impl<T, V: Send + 'static> Undelivered<T> for SingleChange<V> {
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

impl<T> Undelivered<T> for Committed<T> {
    fn as_ref(&self) -> DeliveryRef<'_, T> {
        DeliveryRef::Batch(self)
    }
    fn into_owned(self) -> Delivery<T> {
        Delivery::Batch(Box::new(self))
    }
}

impl<T> Undelivered<T> for Notice {
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
