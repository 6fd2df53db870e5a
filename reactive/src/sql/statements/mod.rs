//! The SQL statements of an entity, built from the derive's metadata for one dialect.
//!
//! Every value is a bound parameter: the SQL text depends only on the entity, on the shape
//! of the query (which operators, how many values in an `in_`, whether a cursor value is
//! null) and on the dialect, never on a value. Identifiers are quoted (`"type"`, `"order"`).
//!
//! Filters keep the reference semantics of [`crate::query`]: each leaf is written so that it
//! is never `NULL` (SQL's third truth value), so `not` is plain negation and `ne`/`not_in`
//! match a null field.
//!
//! ```
//! use reactive::prelude::*;
//! use reactive::sql::{statements, Dialect};
//!
//! #[derive(Reactive, Clone, Debug)]
//! #[entity("users")]
//! struct User { id: u64, name: String }
//!
//! let page = statements::page(Dialect::Sqlite, &Query::<User>::new().filter(User::NAME.contains("'; --")))?;
//! assert_eq!(
//!     page.select.sql,
//!     r#"SELECT "id", "name" FROM "users" WHERE (instr("name", ?1) > 0 AND "name" IS NOT NULL) ORDER BY "id" ASC LIMIT ?2"#
//! );
//! # Ok::<(), reactive::Error>(())
//! ```

mod filter;
mod page;
mod rows;
mod schema;

use std::fmt::Write;

use super::column::{SqlType, SqlValue};
use super::record::{ColumnDef, Record};

pub use page::{page, PageStatements};
pub use rows::{delete, insert, probe, select_by_id, select_in, select_in_sql, update};
pub use schema::create_table;

/// The SQL dialect a statement is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// SQLite: `?1` parameters, BINARY collation, `instr`/`substr` for string operators.
    Sqlite,
    /// PostgreSQL: `$1` parameters, `COLLATE "C"` where strings are ordered.
    Postgres,
}

impl Dialect {
    /// The SQL type of a column of type `ty`.
    pub fn column_type(self, ty: SqlType) -> &'static str {
        match (self, ty) {
            (Dialect::Sqlite, SqlType::Bool | SqlType::Int | SqlType::Timestamp) => "INTEGER",
            (Dialect::Sqlite, SqlType::Float) => "REAL",
            (Dialect::Sqlite, SqlType::Text | SqlType::Json | SqlType::Uuid) => "TEXT",
            (Dialect::Postgres, SqlType::Bool) => "BOOLEAN",
            (Dialect::Postgres, SqlType::Int) => "BIGINT",
            (Dialect::Postgres, SqlType::Float) => "DOUBLE PRECISION",
            (Dialect::Postgres, SqlType::Text | SqlType::Json) => "TEXT",
            (Dialect::Postgres, SqlType::Uuid) => "UUID",
            (Dialect::Postgres, SqlType::Timestamp) => "TIMESTAMPTZ",
        }
    }

    /// The `n`th parameter (from 1).
    fn param(self, out: &mut String, n: usize) {
        let _ = match self {
            Dialect::Sqlite => write!(out, "?{n}"),
            Dialect::Postgres => write!(out, "${n}"),
        };
    }
}

/// A quoted identifier: `"name"`, with inner quotes doubled.
pub fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// SQL text and its parameters, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// The parameters (`?1`/`$1` first).
    pub params: Vec<SqlValue>,
}

impl Statement {
    fn new() -> Self {
        Statement {
            sql: String::new(),
            params: Vec::new(),
        }
    }

    /// Binds `value` as the next parameter and writes its placeholder.
    fn bind(&mut self, dialect: Dialect, value: SqlValue) -> usize {
        self.params.push(value);
        let n = self.params.len();
        dialect.param(&mut self.sql, n);
        n
    }

    /// Writes the placeholder of parameter `n` again.
    fn again(&mut self, dialect: Dialect, n: usize) {
        dialect.param(&mut self.sql, n);
    }
}

/// `"a", "b", ..`: the entity's quoted column names, which every statement reads (the derive
/// writes them as a const: quoting them per call cost more than the rest of a one-row load).
fn column_list<T: Record>() -> &'static str {
    T::__COLUMN_LIST
}

/// The id column.
pub fn id_column<T: Record>() -> &'static ColumnDef {
    T::__COLUMNS
        .iter()
        .find(|c| c.id)
        .expect("an entity's columns include its id")
}

/// The version column, for a versioned entity.
pub fn version_column<T: Record>() -> Option<&'static ColumnDef> {
    T::__COLUMNS.iter().find(|c| c.version)
}
