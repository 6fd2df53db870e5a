//! A field's `Change<V>` with its type erased, for the listener table (one table serves fields
//! of different types). Like `&dyn Any`, but the type id travels with the pointer, so checking
//! it costs a compare instead of a virtual call on every delivery.

use std::any::{Any, TypeId};

use crate::event::types::Change;

/// A borrowed `Change<V>` of some field type `V`.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct ErasedChange<'a> {
    any: &'a dyn Any,
    type_id: TypeId,
}

impl<'a> ErasedChange<'a> {
    /// Erases the type of `change`.
    #[inline]
    pub fn new<V: 'static>(change: &'a Change<V>) -> Self {
        ErasedChange {
            any: change,
            type_id: TypeId::of::<Change<V>>(),
        }
    }

    /// The change as `&dyn Any` (for the JSON payload).
    #[inline]
    pub fn as_any(self) -> &'a dyn Any {
        self.any
    }

    /// The change, if it is a `Change<V>`.
    #[inline]
    pub fn downcast<V: 'static>(self) -> Option<&'a Change<V>> {
        if self.type_id == TypeId::of::<Change<V>>() {
            // SAFETY: `any` came from a `&'a Change<X>` in `new`, whose type id was stored with
            // it; it equals `TypeId::of::<Change<V>>()`, so `X == V`.
            Some(unsafe { &*(self.any as *const dyn Any as *const Change<V>) })
        } else {
            None
        }
    }
}

/// An owned `Change<V>` of some field type, for batches queued behind a delivery.
pub(crate) trait OwnedChange: Send {
    fn erased(&self) -> ErasedChange<'_>;
}

impl<V: Send + 'static> OwnedChange for Change<V> {
    #[inline]
    fn erased(&self) -> ErasedChange<'_> {
        ErasedChange::new(self)
    }
}
