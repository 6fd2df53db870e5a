//! The derive's SQL metadata for an entity: its columns, and its rows in and out.

use super::column::{Column, ColumnError, SqlType, SqlValue};
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

/// The derive's constructors: one line per column in the generated table.
impl ColumnDef {
    /// The column of field `field`, named `name`, mapped by `V`'s [`Column`].
    #[doc(hidden)]
    pub const fn of<V: Column>(name: &'static str, field: usize) -> Self {
        ColumnDef::typed(name, field, V::TYPE, V::NULLABLE)
    }

    /// The column of a `#[reactive(json)]` field (JSON text, `NULL` for a JSON `null`).
    #[doc(hidden)]
    pub const fn json(name: &'static str, field: usize) -> Self {
        ColumnDef::typed(name, field, SqlType::Json, true)
    }

    /// The column of a `#[reactive(text)]` field (its serde string).
    #[doc(hidden)]
    pub const fn text(name: &'static str, field: usize) -> Self {
        ColumnDef::typed(name, field, SqlType::Text, true)
    }

    const fn typed(name: &'static str, field: usize, ty: SqlType, nullable: bool) -> Self {
        ColumnDef {
            name,
            field,
            ty,
            nullable,
            id: false,
            generated: false,
            version: false,
            indexed: false,
        }
    }

    /// The same column as the entity's id.
    #[doc(hidden)]
    pub const fn id(mut self) -> Self {
        self.id = true;
        self
    }

    /// The same column as the entity's id, assigned by the store.
    #[doc(hidden)]
    pub const fn generated_id(self) -> Self {
        let mut column = self.id();
        column.generated = true;
        column
    }

    /// The same column as the entity's version.
    #[doc(hidden)]
    pub const fn version(mut self) -> Self {
        self.version = true;
        self
    }

    /// The same column, indexed by `ensure_schema`.
    #[doc(hidden)]
    pub const fn indexed(mut self) -> Self {
        self.indexed = true;
        self
    }
}

/// Reads column `column` of `T` from `source`, decoded by `decode`; a value that does not
/// decode is [`Error::Decode`] naming the column.
fn read_with<T: Record, V>(
    source: &mut dyn ColumnSource,
    column: usize,
    decode: fn(SqlValue) -> Result<V, ColumnError>,
) -> Result<V, Error> {
    let def = T::__COLUMNS.get(column).ok_or_else(|| Error::Decode {
        entity: T::ENTITY,
        column: format!("#{column}"),
        reason: "no such column".into(),
    })?;
    decode(source.next(def)?).map_err(|err| decode_error::<T>(def.name, err))
}

/// The derive's reader of a [`Column`]-mapped field. Not for users.
#[doc(hidden)]
pub fn read<T: Record, V: Column>(
    source: &mut dyn ColumnSource,
    column: usize,
) -> Result<V, Error> {
    read_with::<T, V>(source, column, V::from_sql)
}

/// The derive's reader of a `#[reactive(json)]` field. Not for users.
#[doc(hidden)]
pub fn read_json<T: Record, V: serde::de::DeserializeOwned>(
    source: &mut dyn ColumnSource,
    column: usize,
) -> Result<V, Error> {
    read_with::<T, V>(source, column, super::json_from_sql::<V>)
}

/// The derive's reader of a `#[reactive(text)]` field. Not for users.
#[doc(hidden)]
pub fn read_text<T: Record, V: serde::de::DeserializeOwned>(
    source: &mut dyn ColumnSource,
    column: usize,
) -> Result<V, Error> {
    read_with::<T, V>(source, column, super::text_from_sql::<V>)
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
        field: crate::model::meta::field_name::<T>(T::__ID_FIELD)
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

/// Emits the derive's `impl Record` when an SQL provider is compiled in, and nothing otherwise:
/// a derive cannot see the runtime's features, so it hands the impl to this macro (ADR 0008).
/// Not for users.
#[doc(hidden)]
#[macro_export]
#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! __sql_record {
    ($($record:tt)*) => {
        $($record)*
    };
}

/// Without an SQL provider an entity has no `Record` impl (ADR 0008). Not for users.
#[doc(hidden)]
#[macro_export]
#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
macro_rules! __sql_record {
    ($($record:tt)*) => {};
}
