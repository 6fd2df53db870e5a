//! The derive's probes for `Entity::__check_values`: a field whose type is a [`QueryValue`]
//! (or a `#[reactive(text)]` field, through serde) is checked; any other type is not (method
//! resolution picks the first impl that applies). Reached as `query::__check`.

use crate::error::{Error, ValueError};
use crate::event::field_set::FieldSet;
use crate::query::QueryValue;

/// A field's value, probed.
pub struct Probe<'a, V: ?Sized>(pub &'a V);
/// A `#[reactive(text)]` field's value, probed.
pub struct TextProbe<'a, V: ?Sized>(pub &'a V);

/// Checks a field that has a query value.
pub trait CheckValue {
    /// The value's error, if it has one.
    fn __check(&self) -> Result<(), ValueError>;
}

impl<V: QueryValue + ?Sized> CheckValue for Probe<'_, V> {
    #[inline]
    fn __check(&self) -> Result<(), ValueError> {
        self.0.to_query_value().map(drop)
    }
}

impl<V: serde::Serialize + ?Sized> CheckValue for TextProbe<'_, V> {
    #[inline]
    fn __check(&self) -> Result<(), ValueError> {
        super::serialize::to_text(self.0).map(drop)
    }
}

/// The fallback: a field without a query value is not checked.
pub trait CheckNothing {
    /// Nothing to check.
    #[inline]
    fn __check(&self) -> Result<(), ValueError> {
        Ok(())
    }
}

impl<V: ?Sized> CheckNothing for &Probe<'_, V> {}
impl<V: ?Sized> CheckNothing for &TextProbe<'_, V> {}

/// Whether field `index` is among the `fields` to check (all of them when `None`).
#[inline]
pub fn wanted(fields: Option<&FieldSet>, index: usize) -> bool {
    fields.is_none_or(|f| f.contains(index))
}

/// A probe's outcome as the runtime's error, naming the field.
#[inline]
pub fn of_field(name: &str, outcome: Result<(), ValueError>) -> Result<(), Error> {
    outcome.map_err(|reason| Error::InvalidValue {
        field: name.into(),
        reason,
    })
}

/// What the derive's checks name, in one glob import (the traits unnamed: only their methods).
pub mod prelude {
    pub use super::{of_field, wanted, Probe, TextProbe};
    pub use super::{CheckNothing as _, CheckValue as _};
}
