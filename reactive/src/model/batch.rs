//! The handle a `batch` closure writes through.

use std::ops::{Deref, DerefMut};

use crate::error::Error;
use crate::event::local;
use crate::event::types::Event;
use crate::model::handles::BatchOf;
use crate::model::key::{Key, WritableKey};
use crate::model::meta::Reactive;
use crate::model::value::IntoValue;

/// The storage of a [`Batch`]: what the generated batch handle wraps.
#[doc(hidden)]
pub struct RawBatch<'a, T> {
    value: &'a mut T,
    model: usize,
}

impl<T: Reactive> RawBatch<'_, T> {
    /// The in-progress value of one field.
    #[inline]
    pub fn get<K: Key<T>>(&self, key: K) -> &K::Value {
        key.get(self.value)
    }

    /// Writes one field of the in-progress value.
    #[inline]
    pub fn set<K: WritableKey<T>>(&mut self, key: K, value: K::Value) -> Result<(), Error> {
        *key.get_mut(self.value) = value;
        Ok(())
    }
}

/// An open batch on a model: reads see its own writes, other handles see none of them until
/// it commits. It derefs to the handle the derive generates, with a setter per field.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone)]
/// struct Range { min: i64, max: i64 }
///
/// let range = Model::new(Range { min: 0, max: 10 });
/// range.batch(|b| {
///     b.set_max(100)?;
///     b.set_min(50)?;
///     assert_eq!(*b.min(), 50);        // the batch sees its own writes
///     Ok(())
/// })?;
/// assert_eq!(range.snapshot().min, 50);
/// # Ok::<(), reactive::Error>(())
/// ```
pub struct Batch<'a, T: Reactive> {
    handle: T::BatchHandle<'a>,
}

impl<'a, T: Reactive> Batch<'a, T> {
    pub(crate) fn new(value: &'a mut T, model: usize) -> Self {
        Batch {
            handle: T::BatchHandle::__from_raw(RawBatch { value, model }),
        }
    }

    fn raw(&self) -> &RawBatch<'a, T> {
        self.handle.__raw()
    }

    fn raw_mut(&mut self) -> &mut RawBatch<'a, T> {
        self.handle.__raw_mut()
    }

    /// The in-progress value.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Range { min: i64, max: i64 }
    /// let range = Model::new(Range { min: 0, max: 10 });
    /// range.batch(|b| { assert_eq!(b.current().max, 10); Ok(()) })?;
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn current(&self) -> &T {
        self.raw().value
    }

    /// The in-progress value of one field.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Range { min: i64, max: i64 }
    /// let range = Model::new(Range { min: 0, max: 10 });
    /// range.batch(|b| { assert_eq!(*b.get(Range::MAX), 10); Ok(()) })?;
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn get<K: Key<T>>(&self, key: K) -> &K::Value {
        self.raw().get(key)
    }

    /// Writes one field; the write is committed with the batch.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Range { min: i64, max: i64 }
    /// let range = Model::new(Range { min: 0, max: 10 });
    /// range.batch(|b| b.set(Range::MAX, 20))?;
    /// assert_eq!(range.max(), 20);
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn set<K: WritableKey<T>>(
        &mut self,
        key: K,
        value: impl IntoValue<K::Value>,
    ) -> Result<(), Error> {
        self.raw_mut().set(key, value.into_value())
    }

    /// Runs `f` on the in-progress value (domain methods taking `&mut self`).
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// #[derive(Reactive, Clone)] struct Range { min: i64, max: i64 }
    /// impl Range { fn widen(&mut self) { self.min -= 1; self.max += 1; } }
    /// let range = Model::new(Range { min: 0, max: 10 });
    /// range.batch(|b| { b.update(Range::widen); Ok(()) })?;
    /// assert_eq!(range.max(), 11);
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn update<R>(&mut self, f: impl FnOnce(&mut T) -> R) -> R {
        f(self.raw_mut().value)
    }

    /// Raises a custom event, delivered after this batch's `change` if the batch commits.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Range { min: i64 }
    /// let range = Model::new(Range { min: 0 });
    /// range.batch(|b| { b.trigger("range:moved", serde_json::json!(1)); Ok(()) })?;
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn trigger(
        &mut self,
        name: impl Into<std::borrow::Cow<'static, str>>,
        payload: serde_json::Value,
    ) {
        // The frame always exists while a batch closure runs.
        let _ = local::push_batch_event(self.raw().model, Event::new(name, payload));
    }

    /// A nested batch: its writes commit with the outermost batch. If it returns `Err`, its
    /// own writes and events are undone and the error is returned to the enclosing closure.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] struct Range { min: i64, max: i64 }
    /// let range = Model::new(Range { min: 0, max: 10 });
    /// range.batch(|b| {
    ///     b.set_min(1)?;
    ///     let inner = b.batch(|b| { b.set_max(0)?; Err::<(), _>(Error::msg("no")) });
    ///     assert!(inner.is_err());
    ///     Ok(())
    /// })?;
    /// assert_eq!((range.min(), range.max()), (1, 10));
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn batch<R>(
        &mut self,
        f: impl FnOnce(&mut Batch<'_, T>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let model = self.raw().model;
        let saved = self.raw().value.clone();
        let events = local::batch_event_count();
        let result = f(&mut Batch::new(self.raw_mut().value, model));
        if result.is_err() {
            // Undo the nested writes; skip fields keep what was written (never rolled back).
            let value = &mut *self.raw_mut().value;
            let mut restored = saved;
            value.__copy_skipped(&mut restored);
            *value = restored;
            local::truncate_batch_events(events);
        }
        result
    }
}

impl<'a, T: Reactive> Deref for Batch<'a, T> {
    type Target = T::BatchHandle<'a>;
    fn deref(&self) -> &Self::Target {
        &self.handle
    }
}

impl<T: Reactive> DerefMut for Batch<'_, T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.handle
    }
}

impl<T: Reactive> std::fmt::Debug for Batch<'_, T>
where
    T: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Batch").field(self.current()).finish()
    }
}
