//! The entity side of queries: each field's value by name.

use super::value::{Value, ValueKind};
use crate::entity::Entity;
use crate::error::Error;

/// An entity whose fields can be filtered and ordered on: implemented by `#[entity]` when
/// every reactive field has a query value ([`QueryValue`](super::QueryValue)), is marked
/// `#[reactive(text)]` (its serde string) or `#[reactive(json)]` (only `is_null`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be queried: one of its fields has no query value",
    label = "queries need every reactive field's query value",
    note = "mark an enum field `#[reactive(text)]`, a structured one `#[reactive(json)]`, a non-state one `#[reactive(skip)]`; the field's type must be `Serialize` for `text` and `json`"
)]
pub trait Queryable: Entity {
    #[doc(hidden)]
    /// The kind of each field, by field-table index.
    const __QUERY_KINDS: &'static [ValueKind];

    #[doc(hidden)]
    /// The query value of the field at `index` of the field table.
    fn __query_value(&self, index: usize) -> Result<Value, super::ValueError>;
}

/// The query value of `value`'s field `name`, as providers compare it.
///
/// ```
/// use reactive::prelude::*;
/// use reactive::query::{field_value, Value};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: String, age: u32 }
///
/// let ada = User { id: "u1".into(), age: 36 };
/// assert_eq!(field_value(&ada, "age")?, Value::Int(36));
/// assert!(matches!(field_value(&ada, "height"), Err(Error::InvalidQuery { .. })));
/// # Ok::<(), reactive::Error>(())
/// ```
pub fn field_value<T: Queryable>(value: &T, name: &str) -> Result<Value, Error> {
    let index = field_index::<T>(name)?;
    value
        .__query_value(index)
        .map_err(|reason| Error::InvalidValue {
            field: name.to_string(),
            reason,
        })
}

/// The field-table index of `name`, or [`Error::InvalidQuery`].
pub(crate) fn field_index<T: Queryable>(name: &str) -> Result<usize, Error> {
    T::FIELDS
        .iter()
        .position(|f| f.name() == name)
        .ok_or_else(|| Error::InvalidQuery {
            entity: T::ENTITY,
            reason: format!("`{}` has no field named `{name}`", T::ENTITY),
        })
}
