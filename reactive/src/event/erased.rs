//! Type-erased references for the listener table (one table serves fields of different types,
//! and needs no `T: Reactive` bound). Like `&dyn Any`, but the type id travels with the
//! reference, so checking it costs a compare instead of a virtual call on every delivery.

use std::any::{Any, TypeId};

use crate::event::types::Change;

/// A borrowed value of some `'static` type.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Erased<'a> {
    any: &'a dyn Any,
    type_id: TypeId,
}

/// A borrowed `Change<V>` of some field type `V`.
#[doc(hidden)]
pub type ErasedChange<'a> = Erased<'a>;

impl<'a> Erased<'a> {
    /// Erases the type of `value`.
    #[inline]
    pub fn new<X: Any>(value: &'a X) -> Self {
        Erased {
            any: value,
            type_id: TypeId::of::<X>(),
        }
    }

    /// The value as `&dyn Any` (for the JSON payload).
    #[inline]
    pub fn as_any(self) -> &'a dyn Any {
        self.any
    }

    /// The value, if it is an `X`.
    #[inline]
    pub fn downcast<X: Any>(self) -> Option<&'a X> {
        if self.type_id == TypeId::of::<X>() {
            // SAFETY: `any` came from a `&'a Y` in `new`, whose type id was stored with it; it
            // equals `TypeId::of::<X>()`, so `Y == X`.
            Some(unsafe { &*(self.any as *const dyn Any as *const X) })
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
        Erased::new(self)
    }
}
