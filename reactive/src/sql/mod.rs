//! What SQL providers share: column mappings ([`Column`]), the derive's per-entity metadata
//! ([`Record`]) and the statements built from it ([`Dialect`], [`statements`]).
//!
//! The SQLite provider (feature `sqlite`, on by default) and the PostgreSQL provider (feature
//! `postgres`) translate the same typed queries with the reference semantics of
//! [`crate::query`]; values are always bound parameters, never SQL text.
//!
//! ```
//! use reactive::prelude::*;
//! use reactive::sql::{row_values, SqlValue};
//!
//! #[derive(Reactive, Clone, Debug)]
//! #[entity("users")]
//! struct User { id: u64, name: String }
//!
//! let ada = User { id: 1, name: "Ada".into() };
//! assert_eq!(row_values(&ada)?, [SqlValue::Int(1), SqlValue::Text("Ada".into())]);
//! # Ok::<(), reactive::Error>(())
//! ```

/// Whether an SQL provider (feature `sqlite` or `postgres`) is compiled in: only then does an
/// `#[entity]` implement [`Record`] (ADR 0008).
///
/// ```
/// // The default features include `sqlite`.
/// assert!(reactive::sql::PROVIDER_COMPILED_IN);
/// ```
pub const PROVIDER_COMPILED_IN: bool = cfg!(any(feature = "sqlite", feature = "postgres"));

/// A field's column value, or why it has none: what the derive's `Record` impls return.
///
/// ```
/// use reactive::sql::{Column, ColumnValue, SqlValue};
/// let value: ColumnValue = 7u64.to_sql();
/// assert_eq!(value?, SqlValue::Int(7));
/// # Ok::<(), reactive::query::ValueError>(())
/// ```
pub type ColumnValue = Result<SqlValue, crate::query::ValueError>;

mod column;
mod record;
pub mod shared;
pub mod statements;

pub use column::{Column, ColumnError, SqlType, SqlValue};
pub use record::{column_value, id_value, row_values, ColumnDef, ColumnSource, Record};
pub use statements::Dialect;

#[doc(hidden)]
pub use column::{json_from_sql, json_to_sql, text_from_sql, text_to_sql};
#[doc(hidden)]
pub use record::{decode_error, read, read_json, read_text};
