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

#[cfg(test)]
mod tests {
    use super::*;

    // The unchecked cast in `downcast` is sound only if a mismatched type id always refuses:
    // the same type, types of the same size and layout, and a wrapper of the same type.
    #[test]
    fn downcast_gives_back_only_the_erased_type() {
        let number = 7u64;
        let erased = Erased::new(&number);
        assert_eq!(erased.downcast::<u64>(), Some(&7));
        assert!(erased.downcast::<i64>().is_none());
        assert!(erased.downcast::<f64>().is_none());
        assert!(erased.downcast::<Change<u64>>().is_none());

        let change = Change {
            value: String::from("b"),
            previous: String::from("a"),
        };
        let erased = Erased::new(&change);
        let back = erased.downcast::<Change<String>>().expect("same type");
        assert_eq!((back.previous.as_str(), back.value.as_str()), ("a", "b"));
        assert!(erased.downcast::<String>().is_none());
        assert!(erased.downcast::<Change<Vec<u8>>>().is_none());
        assert!(erased.as_any().is::<Change<String>>());
    }

    #[test]
    fn an_owned_change_erases_to_its_own_type() {
        let owned: Box<dyn OwnedChange> = Box::new(Change {
            value: 2u32,
            previous: 1u32,
        });
        assert_eq!(
            owned.erased().downcast::<Change<u32>>().map(|c| c.value),
            Some(2)
        );
        assert!(owned.erased().downcast::<Change<u64>>().is_none());
    }
}
