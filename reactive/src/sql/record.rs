//! The derive's SQL metadata for an entity: its columns, and its rows in and out.

use super::column::{ColumnError, SqlType, SqlValue};
use crate::entity::Entity;
use crate::error::Error;
use crate::query::ValueError;

/// One stored column of an entity: a plain field of its field table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    /// The column's name: the field's name in events and queries.
    pub name: &'static str,
    /// The field's index in the field table.
    pub field: usize,
    /// The column's type.
    pub ty: SqlType,
    /// Whether the column takes `NULL`.
    pub nullable: bool,
    /// The entity's id (the primary key).
    pub id: bool,
    /// The id is assigned by the store (`#[reactive(id, generated)]`).
    pub generated: bool,
    /// The `#[reactive(version)]` column.
    pub version: bool,
    /// `#[reactive(index)]`: `ensure_schema` creates an index on it.
    pub indexed: bool,
}

/// Where a row's column values come from, in [`Record::__COLUMNS`] order: each backend
/// implements it over its driver's row.
pub trait ColumnSource {
    /// The value of the next column, which is `column`.
    fn next(&mut self, column: &ColumnDef) -> Result<SqlValue, Error>;
}

/// An entity that SQL providers can store: implemented by `#[derive(Reactive)]` with
/// `#[entity]` when every stored field has a column mapping ([`Column`](super::Column),
/// `#[reactive(text)]` or `#[reactive(json)]`) and every computed or skipped field is
/// `Default` (a row does not hold them: they are recomputed or defaulted on load).
///
/// ```
/// use reactive::prelude::*;
/// use reactive::sql::{Record, SqlType};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: u64, name: String, nickname: Option<String> }
///
/// let columns = User::columns();
/// assert_eq!(columns.iter().map(|c| c.name).collect::<Vec<_>>(), ["id", "name", "nickname"]);
/// assert!(columns[0].id);
/// assert_eq!(columns[2].ty, SqlType::Text);
/// assert!(columns[2].nullable);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in SQL: a field has no column mapping",
    label = "SQL providers need every stored field's column",
    note = "a field type needs `reactive::sql::Column`, `#[reactive(text)]` or `#[reactive(json)]`; computed and skipped fields need `Default`"
)]
pub trait Record: Entity {
    #[doc(hidden)]
    /// The stored columns, in field-table order.
    const __COLUMNS: &'static [ColumnDef];

    #[doc(hidden)]
    /// The quoted names of `__COLUMNS`, comma separated: `"id", "name"`.
    const __COLUMN_LIST: &'static str;

    #[doc(hidden)]
    /// The value of the column at `column` (an index into `__COLUMNS`).
    fn __to_column(&self, column: usize) -> Result<SqlValue, ValueError>;

    #[doc(hidden)]
    /// The column value of an id.
    fn __id_column(id: &Self::Id) -> Result<SqlValue, ValueError>;

    #[doc(hidden)]
    /// A value from a row's columns, read in `__COLUMNS` order; computed fields recomputed.
    fn __from_columns(source: &mut dyn ColumnSource) -> Result<Self, Error>;

    /// The stored columns, in field-table order.
    fn columns() -> &'static [ColumnDef] {
        Self::__COLUMNS
    }
}

/// The error of a column that could not be read back.
#[doc(hidden)]
pub fn decode_error<T: Entity>(column: &str, err: ColumnError) -> Error {
    Error::Decode {
        entity: T::ENTITY,
        column: column.to_string(),
        reason: err.to_string(),
    }
}

/// Every column value of `value`, in `__COLUMNS` order; the first invalid one is
/// [`Error::InvalidValue`] naming its field.
pub fn row_values<T: Record>(value: &T) -> Result<Vec<SqlValue>, Error> {
    (0..T::__COLUMNS.len())
        .map(|i| column_value(value, i))
        .collect()
}

/// The column value of `id`, or [`Error::InvalidValue`] naming the id field.
pub fn id_value<T: Record>(id: &T::Id) -> Result<SqlValue, Error> {
    T::__id_column(id).map_err(|reason| Error::InvalidValue {
        field: T::FIELD_NAMES
            .get(T::__ID_FIELD)
            .copied()
            .unwrap_or("id")
            .to_string(),
        reason,
    })
}

/// The value of column `i` of `value`, or [`Error::InvalidValue`] naming its field.
pub fn column_value<T: Record>(value: &T, i: usize) -> Result<SqlValue, Error> {
    value.__to_column(i).map_err(|reason| Error::InvalidValue {
        field: T::__COLUMNS[i].name.to_string(),
        reason,
    })
}
